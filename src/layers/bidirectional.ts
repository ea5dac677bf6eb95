// Bidirectional: a recurrent layer over the sequence and a copy of it over the
// sequence reversed (each sequence within its own length when the batch is
// masked), outputs merged by 'concat' (features [forward, backward]), 'sum' or
// 'ave'. With returnSequences the backward copy's outputs are reversed back so
// step t of both directions lines up; without it the two final states merge
// (the backward copy's final state is the one after reading step 0).
import type { Backend, F32Buffer } from '../engine/backend.js';
import { sizeProduct } from '../engine/sizes.js';
import { checkOneOf, checkOptions, describe } from '../errors.js';
import { checkFormat, type WeightFormat, type Weights } from './formats.js';
import { Workspace } from './parameters.js';
import { Ownership, type LayerOwner } from './ownership.js';
import { RecurrentLayer, type StateName } from './recurrent.js';
import type { Batch, Flow, ModelLayer } from './layer.js';
import { addScaledF32, concatRowsF32, splitRowsF32 } from '../kernels/model.js';
import { reverseTimeF32, reverseTimeMaskedF32 } from '../kernels/sequence.js';

export type MergeMode = 'concat' | 'sum' | 'ave';
const MERGES: readonly MergeMode[] = ['concat', 'sum', 'ave'];

/** State pointers of each direction (the backward direction's are those of the reversed pass). */
export interface DirectionStates {
  forward?: Partial<Record<StateName, number>>;
  backward?: Partial<Record<StateName, number>>;
}

export interface BidirectionalOptions {
  /** The forward-direction layer (SimpleRNN, LSTM or GRU); its returnSequences decides the output. */
  layer: RecurrentLayer;
  /** Default 'concat'. */
  merge?: MergeMode;
}

export class Bidirectional implements ModelLayer, LayerOwner {
  readonly kind = 'Bidirectional';
  readonly forwardLayer: RecurrentLayer;
  #backwardLayer: RecurrentLayer | null = null;
  readonly merge: MergeMode;
  readonly backend: Backend;
  #work: Workspace;
  #disposed = false;
  /** @internal The model the layer belongs to. */
  readonly ownership = new Ownership();
  /** @internal */
  readonly ownerName = 'a Bidirectional';
  #T = 0;
  #B = 0;
  #mask = 0;

  constructor(options: BidirectionalOptions) {
    const where = 'Bidirectional';
    checkOptions(where, options, ['layer', 'merge']);
    if (!(options.layer instanceof RecurrentLayer)) {
      throw new TypeError(`${where}: options.layer must be a SimpleRNN, LSTM or GRU, got ${describe(options.layer)}`);
    }
    if (options.layer.disposed) throw new Error(`${where}: options.layer (${options.layer.kind}) was disposed`);
    options.layer.ownership.checkFree(where, 'options.layer', options.layer.kind);
    this.forwardLayer = options.layer;
    this.merge = options.merge === undefined ? 'concat' : checkOneOf(where, 'options.merge', options.merge, MERGES);
    this.backend = options.layer.backend;
    this.#work = new Workspace(this.backend);
    // Every check passed: the wrapped layer is this Bidirectional's (disposed with it).
    options.layer.ownership.claim(this);
  }

  /** The copy that reads the sequences reversed (after the layer is connected). */
  get backwardLayer(): RecurrentLayer | null {
    return this.#backwardLayer;
  }

  get returnSequences(): boolean {
    return this.forwardLayer.returnSequences;
  }

  get built(): boolean {
    return this.#backwardLayer !== null;
  }

  get disposed(): boolean {
    return this.#disposed;
  }

  /** Features out: 2·units for concat, units for sum and ave. */
  get units(): number {
    return this.merge === 'concat' ? 2 * this.forwardLayer.units : this.forwardLayer.units;
  }

  /** @internal */
  get paramFloats(): number {
    return this.forwardLayer.paramFloats + this.#backwardLayer!.paramFloats;
  }

  config(): Record<string, unknown> {
    return { merge: this.merge, layer: { type: this.forwardLayer.kind, config: this.forwardLayer.config() } };
  }

  /** @internal */
  connect(where: string, input: Flow, seed: number): Flow {
    const forward = this.forwardLayer.connect(where, input, seed);
    if (!this.#backwardLayer) {
      // The same layer type and options, its own weights (seed + 1 stream apart).
      const Kind = this.forwardLayer.constructor as new (options: Record<string, unknown>) => RecurrentLayer;
      this.#backwardLayer = new Kind({ ...this.forwardLayer.config(), seed: (this.forwardLayer.seed + 0x9e3779b9) | 0, backend: this.backend });
      this.#backwardLayer.ownership.claim(this);
    }
    return { features: this.units, sequence: forward.sequence };
  }

  /** @internal */
  adopt(params: F32Buffer, grads: F32Buffer, base: number): void {
    this.forwardLayer.adopt(params, grads, base);
    this.#backwardLayer!.adopt(params, grads, base + this.forwardLayer.paramFloats);
  }

  /** @internal `initial`: pointers of each direction's initial states (absent: zeros). */
  modelForward(x: number, batch: Batch, initial: DirectionStates = {}): number {
    const { T, B, mask } = batch;
    const F = this.forwardLayer.inputSize;
    const H = this.forwardLayer.units;
    const outRows = this.returnSequences ? T * B : B;
    const TBF = sizeProduct(T, B, F);
    const TBH = sizeProduct(T, B, H);
    this.#work.layout(
      { xRev: TBF, bOut: TBH, out: sizeProduct(outRows, this.units), dF: sizeProduct(outRows, H), dB: sizeProduct(outRows, H), dBRev: TBH, dXRev: TBF, dX: TBF },
      'Bidirectional', `the workspace for a batch of ${B} sequences × ${T} time steps (inputSize ${F}, units ${this.units})`,
    );
    this.#T = T;
    this.#B = B;
    this.#mask = mask;
    const xRev = this.#work.ptr('xRev');
    this.#reverse(xRev, x, F);
    const forward = this.forwardLayer.modelForward(x, batch, initial.forward);
    let backward = this.#backwardLayer!.modelForward(xRev, batch, initial.backward);
    if (this.returnSequences) {
      this.#reverse(this.#work.ptr('bOut'), backward, H);
      backward = this.#work.ptr('bOut');
    }
    const out = this.#work.ptr('out');
    if (this.merge === 'concat') concatRowsF32(this.backend, { dst: out, left: forward, right: backward }, outRows, H, H);
    else addScaledF32(this.backend, { dst: out, left: forward, right: backward }, outRows * H, this.merge === 'ave' ? 0.5 : 1);
    return out;
  }

  /** @internal `dFinal`: pointers of the gradients of each direction's final states. */
  modelBackward(dOutput: number, dFinal: DirectionStates = {}): number {
    const T = this.#T;
    const B = this.#B;
    const F = this.forwardLayer.inputSize;
    const H = this.forwardLayer.units;
    const outRows = this.returnSequences ? T * B : B;
    let dF = this.#work.ptr('dF');
    let dB = this.#work.ptr('dB');
    if (this.merge === 'concat') splitRowsF32(this.backend, { left: dF, right: dB, src: dOutput }, outRows, H, H);
    else if (this.merge === 'ave') addScaledF32(this.backend, { dst: dF, left: dOutput, right: dOutput }, outRows * H, 0.25); // (d + d)/4 = d/2 exactly
    else dF = dOutput;
    if (this.merge !== 'concat') dB = dF;
    if (this.returnSequences) {
      this.#reverse(this.#work.ptr('dBRev'), dB, H);
      dB = this.#work.ptr('dBRev');
    }
    const dXF = this.forwardLayer.modelBackward(dF, dFinal.forward);
    const dXBRev = this.#backwardLayer!.modelBackward(dB, dFinal.backward);
    const dXB = this.#work.ptr('dXRev');
    this.#reverse(dXB, dXBRev, F);
    const dX = this.#work.ptr('dX');
    addScaledF32(this.backend, { dst: dX, left: dXF, right: dXB }, T * B * F, 1);
    return dX;
  }

  /** [T, B, F] at src → reversed in time (each sequence within its length if masked) at dst. */
  #reverse(dst: number, src: number, F: number): void {
    if (this.#mask) reverseTimeMaskedF32(this.backend, { dst, src, mask: this.#mask }, this.#T, this.#B, F);
    else reverseTimeF32(this.backend, { dst, src }, this.#T, this.#B * F);
  }

  /** @internal Asked by the wrapped layers before a change: defers to the model this layer belongs to. */
  checkIdle(where: string): void {
    this.ownership.checkIdle(where);
  }

  /** Both directions' weights: native/keras keys 'forward/…' and 'backward/…'; pytorch keys '…' and '…_reverse' (as nn.LSTM(bidirectional=True) names them). */
  getWeights(options: { format?: WeightFormat } = {}): Weights {
    const where = 'Bidirectional.getWeights';
    this.#checkAlive(where);
    const format = checkFormat(where, options?.format ?? 'native');
    const out: Weights = {};
    for (const [key, value] of Object.entries(this.forwardLayer.getWeights({ format }))) out[this.#key(format, key, false)] = value;
    for (const [key, value] of Object.entries(this.#backwardLayer!.getWeights({ format }))) out[this.#key(format, key, true)] = value;
    return out;
  }

  /** @internal Both directions' gradients from `slab`, keyed as getWeights keys the weights. */
  gradientWeights(slab: Float32Array, format: WeightFormat): Weights {
    const out: Weights = {};
    for (const [key, value] of Object.entries(this.forwardLayer.gradientWeights(slab, format))) out[this.#key(format, key, false)] = value;
    for (const [key, value] of Object.entries(this.#backwardLayer!.gradientWeights(slab, format))) out[this.#key(format, key, true)] = value;
    return out;
  }

  /** Replaces both directions' weights; all are validated before any is written. */
  setWeights(weights: Weights | Record<string, unknown>, options: { format?: WeightFormat } = {}): void {
    const where = 'Bidirectional.setWeights';
    this.#checkAlive(where);
    this.ownership.checkIdle(where);
    const format = checkFormat(where, options?.format ?? 'native');
    if (weights === null || typeof weights !== 'object') throw new TypeError(`${where}: weights must be an object, got ${describe(weights)}`);
    const forward: Record<string, unknown> = {};
    const backward: Record<string, unknown> = {};
    const forwardKeys = new Set(Object.keys(this.forwardLayer.getWeights({ format })).map((k) => this.#key(format, k, false)));
    for (const [key, value] of Object.entries(weights)) {
      if (forwardKeys.has(key)) forward[this.#unkey(format, key, false)] = value;
      else backward[this.#unkey(format, key, true)] = value;
    }
    // Validate both directions, then write both: a failed call leaves weights and caches as they were.
    const writeForward = this.forwardLayer.prepareWeights(forward, { format });
    const writeBackward = this.#backwardLayer!.prepareWeights(backward, { format });
    writeForward();
    writeBackward();
  }

  #key(format: WeightFormat, key: string, reverse: boolean): string {
    if (format === 'pytorch') return reverse ? `${key}_reverse` : key;
    return `${reverse ? 'backward' : 'forward'}/${key}`;
  }

  #unkey(format: WeightFormat, key: string, reverse: boolean): string {
    if (format === 'pytorch') return reverse && key.endsWith('_reverse') ? key.slice(0, -'_reverse'.length) : key;
    const prefix = reverse ? 'backward/' : 'forward/';
    return key.startsWith(prefix) ? key.slice(prefix.length) : key;
  }

  /** Frees both directions; a Bidirectional that belongs to a model is disposed with the model (calling this on it throws). */
  dispose(): void {
    if (this.#disposed) return;
    this.ownership.checkDispose('Bidirectional.dispose');
    for (const layer of [this.forwardLayer, this.#backwardLayer]) {
      layer?.ownership.release(this);
      layer?.dispose();
    }
    this.#work.dispose();
    this.#disposed = true;
  }

  #checkAlive(where: string): void {
    if (this.#disposed) throw new Error(`${where}: this layer was disposed`);
    if (!this.built) throw new Error(`${where}: this layer is not connected yet: use it in a Sequential`);
  }
}
