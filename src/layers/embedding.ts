// Embedding: token ids [T, B] (i32) → vectors [T, B, units], out[r] = table[id[r]].
// Backward scatters: dTable[id[r]] += dOut[r]. Weight layout: table [vocabSize, units]
// (Keras 'embeddings', PyTorch nn.Embedding 'weight'). Initialised U(−0.05, 0.05) as Keras does.
import type { Backend } from '../engine/backend.js';
import { sizeProduct } from '../engine/sizes.js';
import { checkInt } from '../errors.js';
import { WeightedLayer } from './base.js';
import { checkFormat, checkKeys, takeWeight, tensor, type WeightFormat, type Weights } from './formats.js';
import type { Batch, Flow, ModelLayer } from './layer.js';
import { embeddingBackwardF32, embeddingForwardF32 } from '../kernels/dense.js';

export interface EmbeddingOptions {
  /** Number of distinct tokens; ids are 0 … vocabSize − 1. */
  vocabSize: number;
  /** Size of each token's vector. */
  units: number;
  seed?: number;
  backend?: Backend;
}

const KEYS: Record<WeightFormat, string> = { native: 'table', keras: 'embeddings', pytorch: 'weight' };

export class Embedding extends WeightedLayer implements ModelLayer {
  readonly kind = 'Embedding';
  readonly vocabSize: number;
  readonly units: number;
  protected override readonly buildOption = 'seed';
  #ids = 0;
  #rows = 0;

  constructor(options: EmbeddingOptions) {
    const where = 'Embedding';
    super(where, options, ['vocabSize', 'units']);
    this.vocabSize = checkInt(where, 'options.vocabSize', options.vocabSize, 1);
    this.units = checkInt(where, 'options.units', options.units, 1);
    if (this.seedGiven) this.#init();
  }

  config(): Record<string, unknown> {
    return { vocabSize: this.vocabSize, units: this.units, seed: this.seed };
  }

  #init(seed?: number): void {
    const n = this.vocabSize * this.units;
    this.createParameters([{ name: 'table', shape: [this.vocabSize, this.units] }], (_spec, random) => {
      const table = new Float32Array(n);
      for (let i = 0; i < n; i++) table[i] = random.range(-0.05, 0.05);
      return table;
    }, seed, `the table for vocabSize ${this.vocabSize} and units ${this.units}`);
  }

  /** @internal */
  connect(where: string, input: Flow, seed: number): Flow {
    if (!input.ids) throw new RangeError(`${where}: Embedding must be the first layer (it reads token ids)`);
    if (!this.built) this.#init(seed);
    return { features: this.units, sequence: true };
  }

  /** @internal x points at i32 ids [T, B] (validated by the model: 0 ≤ id < vocabSize). */
  modelForward(ids: number, batch: Batch): number {
    const rows = batch.T * batch.B;
    this.workspace.layout({ out: sizeProduct(rows, this.units) }, 'Embedding', `the output for a batch of ${batch.B} sequences × ${batch.T} time steps (units ${this.units})`);
    embeddingForwardF32(this.backend, { out: this.workspace.ptr('out'), table: this.parameters.ptr('table'), ids }, rows, this.units);
    this.#ids = ids;
    this.#rows = rows;
    return this.workspace.ptr('out');
  }

  /** @internal Token ids have no gradient: returns 0. */
  modelBackward(dOutput: number): number {
    embeddingBackwardF32(this.backend, { dTable: this.parameters.gradPtr('table'), dOut: dOutput, ids: this.#ids }, this.#rows, this.units);
    return 0;
  }

  /** The table: native { table }, keras { embeddings }, pytorch { weight }, each [vocabSize, units]. */
  protected exportWeights(format: WeightFormat, v: Record<string, Float32Array>): Weights {
    return { [KEYS[format]]: tensor(v.table, [this.vocabSize, this.units]) };
  }

  setWeights(weights: Weights | Record<string, unknown>, options: { format?: WeightFormat } = {}): void {
    const where = 'Embedding.setWeights';
    this.checkWritable(where);
    const format = checkFormat(where, options?.format ?? 'native');
    checkKeys(where, weights, [KEYS[format]], format);
    this.parameters.set({ table: takeWeight(where, weights, KEYS[format], [this.vocabSize, this.units]) });
  }
}
