// AdditiveAttention: Keras's AdditiveAttention layer (Bahdanau et al. 2015's additive score) as a
// standalone op, beside the dot-product Attention (src/layers/attention.ts) and with its call
// convention: forward(query [B, Tq, D], value [B, Tv, Dv], { key [B, Tv, D] = value, valueMask [B, Tv] }).
// For each query step i, the score of value step j is Σ_d scale_d·tanh(query_id + key_jd); the
// weights are the softmax of the scores over the value steps (steps where valueMask is 0 get weight
// 0; a row whose every step is masked gets all-zero weights, as Attention does); the output is the
// weighted sum of the values. With useScale (Keras's default) `scale` is a trainable vector of D
// values, glorot_uniform like Keras's (U(±√(3/D)), fan in = fan out = D for a vector), built at the
// first forward (or from options.features); without it every scale_d is 1 and there are no weights.
// Arithmetic in WASM (assembly/attention.ts: additive_scores_f32 and the softmax/context kernels);
// this file validates, copies and owns the buffers.
import type { Backend, F32Buffer } from '../engine/backend.js';
import { checkBoolean, checkInt, checkOptions, readSeed } from '../errors.js';
import {
  additiveScoresBackwardF32, additiveScoresF32, attentionSoftmaxContextBackwardF32, attentionSoftmaxContextF32,
} from '../kernels/attention.js';
import { Random } from '../random.js';
import { readTensor, type Tensor, type TensorLike } from '../tensor.js';
import { AttentionOp, type AttentionBackwardBuffers, type AttentionBuffers, type AttentionDims } from './attention-op.js';

export interface AdditiveAttentionOptions {
  /** A trainable scale vector of `features` values multiplying tanh(q + k) before the sum (Keras's use_scale; default true). */
  useScale?: boolean;
  /** The query's (and key's) features D: builds the scale now instead of at the first forward. */
  features?: number;
  /** Seeds the scale's initialisation (default 0). */
  seed?: number;
  backend?: Backend;
}

export class AdditiveAttention extends AttentionOp<{ dScale?: Tensor }> {
  readonly useScale: boolean;
  #seed: number;
  #scale: Float32Array | null = null;

  constructor(options: AdditiveAttentionOptions = {}) {
    const where = 'AdditiveAttention';
    checkOptions(where, options, ['useScale', 'features', 'seed', 'backend']);
    const useScale = options.useScale === undefined ? true : checkBoolean(where, 'options.useScale', options.useScale);
    const seed = readSeed(where, 'options.seed', options.seed);
    const features = options.features === undefined ? 0 : checkInt(where, 'options.features', options.features, 1);
    super(where, options.backend);
    this.useScale = useScale;
    this.#seed = seed;
    if (features > 0 && useScale) this.#scale = this.#initialScale(features);
  }

  /** The query's features the scale was built for (0 before it is built, or without useScale). */
  get features(): number {
    return this.#scale ? this.#scale.length : 0;
  }

  protected override checkFeatures(where: string, D: number): void {
    if (this.#scale && this.#scale.length !== D) throw new RangeError(`${where}: query has ${D} features; this layer's scale was built for ${this.#scale.length}`);
  }

  /** The scale (built now, as Keras builds at the first call, when it was not). */
  protected override stagedParameters(D: number): Record<string, Float32Array> {
    return this.useScale ? { scale: this.#scale ?? this.#initialScale(D) } : {};
  }

  protected override committed(parameters: Record<string, Float32Array>): void {
    this.#scale = parameters.scale ?? null;
  }

  protected runForward(buffers: AttentionBuffers, { B, Tq, Tv, D, Dv }: AttentionDims): void {
    const backend = this.backend;
    additiveScoresF32(backend, { scores: buffers.weights.ptr, query: buffers.query.ptr, key: buffers.key.ptr, scale: buffers.scale ? buffers.scale.ptr : 0 }, B, Tq, Tv, D);
    attentionSoftmaxContextF32(backend, {
      context: buffers.context.ptr, weights: buffers.weights.ptr, value: buffers.value.ptr, mask: buffers.mask ? buffers.mask.ptr : 0, work: backend.gemmWork(),
    }, B, Tq, Tv, Dv);
  }

  /** Also dScale [D] with useScale. */
  protected runBackward(buffers: AttentionBuffers, { B, Tq, Tv, D, Dv }: AttentionDims, grads: AttentionBackwardBuffers, read: (b: F32Buffer, shape: number[]) => Tensor): { dScale?: Tensor } {
    const backend = this.backend;
    const dS = grads.alloc(B * Tq * Tv);
    const dScale = this.useScale ? grads.alloc(D).fill(0) : null;
    attentionSoftmaxContextBackwardF32(backend, {
      dScores: dS.ptr, dValue: grads.dValue.ptr, dContext: grads.dContext.ptr, weights: buffers.weights.ptr, value: buffers.value.ptr, work: backend.gemmWork(),
    }, B, Tq, Tv, Dv);
    additiveScoresBackwardF32(backend, {
      dQuery: grads.dQuery.ptr, dKey: grads.dKey.ptr, dScale: dScale ? dScale.ptr : 0, dScores: dS.ptr, query: buffers.query.ptr, key: buffers.key.ptr, scale: dScale ? buffers.scale.ptr : 0,
    }, B, Tq, Tv, D);
    return dScale ? { dScale: read(dScale, [D]) } : {};
  }

  /** { scale: [D] } with useScale once built (Keras's get_weights()[0]); {} without useScale. */
  getWeights(): Record<string, Tensor> {
    const where = 'AdditiveAttention.getWeights';
    this.checkAlive(where);
    if (!this.useScale) return {};
    if (!this.#scale) throw new Error(`${where}: the scale is built at the first forward (or give options.features), and neither has happened`);
    return { scale: { data: this.#scale.slice(), shape: [this.#scale.length] } };
  }

  /** Sets the scale (a Keras layer's get_weights()[0]); builds it when not built yet. */
  setWeights(weights: { scale: TensorLike }): void {
    const where = 'AdditiveAttention.setWeights';
    this.checkAlive(where);
    if (!this.useScale) throw new RangeError(`${where}: this layer has no weights (useScale: false)`);
    checkOptions(where, weights, ['scale'], 'weights');
    const t = readTensor(where, 'weights.scale', weights.scale, [{ label: 'features', size: this.#scale ? this.#scale.length : undefined }]);
    this.#scale = t.data.slice();
  }

  #initialScale(D: number): Float32Array {
    const random = new Random(this.#seed);
    const limit = Math.sqrt(6 / (D + D));
    return Float32Array.from({ length: D }, () => random.range(-limit, limit));
  }
}
