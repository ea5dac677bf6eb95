// Embedding: token ids [T, B] (i32) → vectors [T, B, units], out[r] = table[id[r]].
// Backward scatters: dTable[id[r]] += dOut[r]. Weight layout: table [vocabSize, units]
// (Keras 'embeddings', PyTorch nn.Embedding 'weight'). Initialised U(−0.05, 0.05) as Keras does.
import { Backend, type F32Buffer } from '../backend.js';
import { checkInt, checkOptions, describe } from '../errors.js';
import { defaultBackend } from '../init.js';
import { Random } from '../random.js';
import { checkFormat, checkKeys, takeWeight, tensor, type WeightFormat, type Weights } from '../layers/formats.js';
import { Parameters, Workspace } from '../layers/parameters.js';
import type { Batch, Flow, ModelLayer } from './layer.js';

export interface EmbeddingOptions {
  /** Number of distinct tokens; ids are 0 … vocabSize − 1. */
  vocabSize: number;
  /** Size of each token's vector. */
  units: number;
  seed?: number;
  backend?: Backend;
}

const KEYS: Record<WeightFormat, string> = { native: 'table', keras: 'embeddings', pytorch: 'weight' };

export class Embedding implements ModelLayer {
  readonly kind = 'Embedding';
  readonly vocabSize: number;
  readonly units: number;
  readonly seedGiven: boolean;
  readonly backend: Backend;
  #seed: number;
  #parameters: Parameters | null = null;
  #work: Workspace;
  #disposed = false;
  #ids = 0;
  #rows = 0;

  constructor(options: EmbeddingOptions) {
    const where = 'Embedding';
    checkOptions(where, options, ['vocabSize', 'units', 'seed', 'backend']);
    this.vocabSize = checkInt(where, 'options.vocabSize', options.vocabSize, 1);
    this.units = checkInt(where, 'options.units', options.units, 1);
    this.seedGiven = options.seed !== undefined;
    this.#seed = options.seed === undefined ? 0 : checkInt(where, 'options.seed', options.seed, -0x80000000, 0xffffffff);
    this.backend = options.backend ?? defaultBackend();
    if (!(this.backend instanceof Backend)) throw new TypeError(`${where}: options.backend must be a Backend, got ${describe(options.backend)}`);
    this.#work = new Workspace(this.backend);
    if (this.seedGiven) this.#init();
  }

  get seed(): number {
    return this.#seed;
  }

  get built(): boolean {
    return this.#parameters !== null;
  }

  get disposed(): boolean {
    return this.#disposed;
  }

  /** @internal */
  get paramFloats(): number {
    return this.#parameters!.floats;
  }

  config(): Record<string, unknown> {
    return { vocabSize: this.vocabSize, units: this.units, seed: this.#seed };
  }

  #init(): void {
    const n = this.vocabSize * this.units;
    this.#parameters = new Parameters(this.backend, [{ name: 'table', shape: [this.vocabSize, this.units] }], (_spec, index) => {
      const random = new Random(this.#seed, index);
      const table = new Float32Array(n);
      for (let i = 0; i < n; i++) table[i] = random.range(-0.05, 0.05);
      return table;
    });
  }

  /** @internal */
  connect(where: string, input: Flow, seed: number): Flow {
    if (!input.ids) throw new RangeError(`${where}: Embedding must be the first layer (it reads token ids)`);
    if (!this.built) {
      this.#seed = seed;
      this.#init();
    }
    return { features: this.units, sequence: true };
  }

  /** @internal */
  adopt(params: F32Buffer, grads: F32Buffer, base: number): void {
    this.#parameters!.adopt(params, grads, base);
  }

  /** @internal x points at i32 ids [T, B] (validated by the model: 0 ≤ id < vocabSize). */
  modelForward(ids: number, batch: Batch): number {
    const rows = batch.T * batch.B;
    this.#work.layout({ out: rows * this.units });
    this.backend.wasm.embedding_forward_f32(this.#work.ptr('out'), this.#parameters!.ptr('table'), ids, rows, this.units);
    this.#ids = ids;
    this.#rows = rows;
    return this.#work.ptr('out');
  }

  /** @internal Token ids have no gradient: returns 0. */
  modelBackward(dOutput: number): number {
    this.backend.wasm.embedding_backward_f32(this.#parameters!.gradPtr('table'), dOutput, this.#ids, this.#rows, this.units);
    return 0;
  }

  /** Copies of the table: native { table }, keras { embeddings }, pytorch { weight }, each [vocabSize, units]. */
  getWeights(options: { format?: WeightFormat } = {}): Weights {
    const where = 'Embedding.getWeights';
    this.#checkAlive(where);
    const format = checkFormat(where, options?.format ?? 'native');
    return { [KEYS[format]]: tensor(this.#parameters!.values().table, [this.vocabSize, this.units]) };
  }

  setWeights(weights: Weights | Record<string, unknown>, options: { format?: WeightFormat } = {}): void {
    const where = 'Embedding.setWeights';
    this.#checkAlive(where);
    const format = checkFormat(where, options?.format ?? 'native');
    checkKeys(where, weights as object, [KEYS[format]], format);
    this.#parameters!.set({ table: takeWeight(where, weights, KEYS[format], [this.vocabSize, this.units]) });
  }

  dispose(): void {
    if (this.#disposed) return;
    this.#parameters?.dispose();
    this.#parameters = null;
    this.#work.dispose();
    this.#disposed = true;
  }

  #checkAlive(where: string): void {
    if (this.#disposed) throw new Error(`${where}: this layer was disposed`);
    if (!this.built) throw new Error(`${where}: this layer has no weights yet: give options.seed, or use it in a Sequential`);
  }
}
