// TiedDense: a dense layer whose weight is the transpose of another Dense's — the decoder half
// of an autoencoder with tied weights. It owns only its bias; the weight is the source layer's
// parameter (one value in the model's slab), read transposed, and this layer's share of the
// weight gradient is added into the source's gradient, so the two uses sum.
//
// Source Dense: W [I, U] (y = f(x·W + c), x [rows, I]). This layer: x [rows, U] → y [rows, I]:
// Forward: out = x·Wᵀ (GEMM, B transposed), out += b, f in place.
// Backward: dZ = f′ ⊙ dOut; dW_source += dZᵀ·x ([I, rows]·[rows, U], the transpose of this
// use's gradient xᵀ·dZ, by a GEMM accumulating into the source's gradient); db += Σ_rows dZ;
// dX = dZ·W.
import { sizeProduct } from '../engine/sizes.js';
import { checkOneOf, describe } from '../errors.js';
import { WeightedLayer } from './base.js';
import { checkFormat, checkKeys, takeWeight, tensor, type WeightFormat, type Weights } from './formats.js';
import type { Batch, Flow, ModelLayer } from './layer.js';
import { activateInPlace, activationGradient } from './activation.js';
import { GEMM_OP } from '../kernels/codes.js';
import { denseBackward, denseForward, splitParts } from '../kernels/split.js';
import { Dense } from './dense.js';

export type TiedActivation = 'linear' | 'relu' | 'tanh' | 'sigmoid';
const ACTIVATIONS: readonly TiedActivation[] = ['linear', 'relu', 'tanh', 'sigmoid'];

export interface TiedDenseOptions {
  /** The Dense whose weight this layer uses transposed (built: it has its inputSize). */
  source: Dense;
  /** Default 'linear'. */
  activation?: TiedActivation;
}

export class TiedDense extends WeightedLayer implements ModelLayer {
  readonly kind = 'TiedDense';
  readonly source: Dense;
  readonly activation: TiedActivation;
  /** Features out: the source's inputSize. */
  readonly units: number;
  /** Features in: the source's units. */
  readonly inputSize: number;
  #x = 0;
  #rows = 0;

  constructor(options: TiedDenseOptions) {
    const where = 'TiedDense';
    const source = (options as { source?: unknown } | null)?.source;
    if (!(source instanceof Dense)) throw new TypeError(`${where}: options.source must be a Dense layer, got ${describe(source)}`);
    if (!source.built) throw new RangeError(`${where}: options.source has no weights yet: give the Dense its inputSize`);
    super(where, { ...options, source: undefined, backend: source.backend }, ['source', 'activation']);
    this.source = source;
    this.activation = options.activation === undefined ? 'linear' : checkOneOf(where, 'options.activation', options.activation, ACTIVATIONS);
    this.units = source.inputSize;
    this.inputSize = source.units;
    const U = this.units;
    this.createParameters([{ name: 'bias', shape: [U] }], () => new Float32Array(U), undefined, `the bias for ${U} units`);
  }

  config(): Record<string, unknown> {
    return { activation: this.activation };
  }

  /** @internal */
  connect(where: string, input: Flow): Flow {
    if (input.ids || input.image) throw new RangeError(`${where}: TiedDense needs feature vectors as input`);
    if (input.features !== this.inputSize) throw new RangeError(`${where}: TiedDense reads ${this.inputSize} features (its source Dense's units) but the layer below gives ${input.features}`);
    return { features: this.units, sequence: input.sequence };
  }

  /** @internal */
  modelForward(x: number, batch: Batch): number {
    const rows = batch.T * batch.B;
    const I = this.inputSize;
    const U = this.units;
    const n = sizeProduct(rows, U);
    this.workspace.layout({ out: n, dZ: n, dX: sizeProduct(rows, I) }, 'TiedDense', `the workspace for a batch of ${batch.B} rows (inputSize ${I}, units ${U})`);
    const backend = this.backend;
    const out = this.workspace.ptr('out');
    // out [rows, U] = x [rows, I] · Wᵀ, W stored [U, I] (the source's [inputSize, units]).
    denseForward(backend, { c: out, a: x, b: this.source.weightPointers().value, m: rows, n: U, k: I, lda: I, ldb: I, ldc: U, transA: GEMM_OP.noTrans, transB: GEMM_OP.trans, alpha: 1, beta: 0 },
      this.parameters.ptr('bias'), splitParts(backend, 2 * rows * I * U),
      (target, block) => activateInPlace(target, this.activation, out + block.start * U * 4, block.size * U));
    this.#x = x;
    this.#rows = rows;
    return out;
  }

  /** @internal */
  modelBackward(dOutput: number): number {
    const rows = this.#rows;
    const I = this.inputSize;
    const U = this.units;
    const backend = this.backend;
    const n = rows * U;
    const dZ = activationGradient(backend, this.activation, { dZ: this.workspace.ptr('dZ'), y: this.workspace.ptr('out'), dY: dOutput }, n);
    const w = this.source.weightPointers();
    const dX = this.workspace.ptr('dX');
    // dW [U, I] += dZᵀ [U, rows] · x [rows, I]: this use's gradient, in the source's layout; dX [rows, I] = dZ [rows, U] · W [U, I].
    denseBackward(backend,
      { c: w.grad, a: dZ, b: this.#x, m: U, n: I, k: rows, lda: U, ldb: I, ldc: I, transA: GEMM_OP.trans, transB: GEMM_OP.noTrans, alpha: 1, beta: 1 },
      { dst: this.parameters.gradPtr('bias'), src: dZ, rows, cols: U },
      { c: dX, a: dZ, b: w.value, m: rows, n: I, k: U, lda: U, ldb: I, ldc: I, transA: GEMM_OP.noTrans, transB: GEMM_OP.noTrans, alpha: 1, beta: 0 },
      splitParts(backend, 4 * rows * I * U)); // dW and dX in one round
    return dX;
  }

  /** { bias } in every format (the weight is the source's). */
  protected exportWeights(_format: WeightFormat, v: Record<string, Float32Array>): Weights {
    return { bias: tensor(v.bias, [this.units]) };
  }

  /** Replaces the bias (the weight belongs to the source Dense). */
  setWeights(weights: Weights | Record<string, unknown>, options: { format?: WeightFormat } = {}): void {
    const where = 'TiedDense.setWeights';
    this.checkWritable(where);
    const format = checkFormat(where, options?.format ?? 'native');
    checkKeys(where, weights, ['bias'], format);
    this.parameters.set({ bias: takeWeight(where, weights, 'bias', [this.units]) });
  }
}
