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
import { defaultBackend } from '../engine/init.js';
import { checkBoolean, checkInt, checkOptions, describe, readSeed } from '../errors.js';
import {
  additiveScoresBackwardF32, additiveScoresF32, attentionSoftmaxContextBackwardF32, attentionSoftmaxContextF32,
} from '../kernels/attention.js';
import { addScaledF32 } from '../kernels/model.js';
import { Random } from '../random.js';
import { readTensor, type Tensor, type TensorLike } from '../tensor.js';
import type { AttentionCache, AttentionForwardResult } from './attention.js';

export interface AdditiveAttentionOptions {
  /** A trainable scale vector of `features` values multiplying tanh(q + k) before the sum (Keras's use_scale; default true). */
  useScale?: boolean;
  /** The query's (and key's) features D: builds the scale now instead of at the first forward. */
  features?: number;
  /** Seeds the scale's initialisation (default 0). */
  seed?: number;
  backend?: Backend;
}

export class AdditiveAttention {
  readonly useScale: boolean;
  readonly backend: Backend;
  #seed: number;
  #scale: Float32Array | null = null;
  #buffers: Record<string, F32Buffer> = {};
  #dims = { B: 0, Tq: 0, Tv: 0, D: 0, Dv: 0, keyGiven: false };
  #generation = 0;
  #disposed = false;

  constructor(options: AdditiveAttentionOptions = {}) {
    const where = 'AdditiveAttention';
    checkOptions(where, options, ['useScale', 'features', 'seed', 'backend']);
    this.useScale = options.useScale === undefined ? true : checkBoolean(where, 'options.useScale', options.useScale);
    this.#seed = readSeed(where, 'options.seed', options.seed);
    if (options.features !== undefined) {
      const D = checkInt(where, 'options.features', options.features, 1);
      if (this.useScale) this.#scale = this.#initialScale(D);
    }
    this.backend = options.backend ?? defaultBackend();
  }

  /** The query's features the scale was built for (0 before it is built, or without useScale). */
  get features(): number {
    return this.#scale ? this.#scale.length : 0;
  }

  forward(query: TensorLike, value: TensorLike, options: { key?: TensorLike; valueMask?: TensorLike } = {}): AttentionForwardResult {
    const where = 'AdditiveAttention.forward';
    this.#checkAlive(where);
    checkOptions(where, options, ['key', 'valueMask']);
    const q = readTensor(where, 'query', query, [{ label: 'batch' }, { label: 'query steps' }, { label: 'features' }]);
    const [B, Tq, D] = q.shape;
    if (this.#scale && this.#scale.length !== D) throw new RangeError(`${where}: query has ${D} features; this layer's scale was built for ${this.#scale.length}`);
    const v = readTensor(where, 'value', value, [{ label: 'batch', size: B }, { label: 'value steps' }, { label: 'value features' }]);
    const [, Tv, Dv] = v.shape;
    const k = options.key === undefined ? null : readTensor(where, 'options.key', options.key, [{ label: 'batch', size: B }, { label: 'value steps', size: Tv }, { label: 'features', size: D }]);
    if (!k && Dv !== D) throw new RangeError(`${where}: without options.key the values are the keys, so they need the query's ${D} features, got ${Dv}`);
    let mask: Float32Array | null = null;
    if (options.valueMask !== undefined) {
      mask = readTensor(where, 'options.valueMask', options.valueMask, [{ label: 'batch', size: B }, { label: 'value steps', size: Tv }]).data;
      const bad = mask.findIndex((m) => m !== 0 && m !== 1);
      if (bad >= 0) throw new RangeError(`${where}: options.valueMask[${Math.floor(bad / Tv)}][${bad % Tv}] is ${describe(mask[bad])}; a mask holds 0 (padding) and 1 (real step)`);
    }
    // Everything is valid: build the scale (Keras builds at the first call), replace the last call's buffers (its cache becomes stale).
    const scale = this.useScale ? (this.#scale ?? this.#initialScale(D)) : null;
    const backend = this.backend;
    const fresh: Record<string, F32Buffer> = {};
    try {
      fresh.query = backend.fromArray(q.data);
      fresh.key = backend.fromArray(k ? k.data : v.data);
      fresh.value = backend.fromArray(v.data);
      if (mask) fresh.mask = backend.fromArray(mask);
      if (scale) fresh.scale = backend.fromArray(scale);
      fresh.weights = backend.allocF32(Math.max(1, B * Tq * Tv));
      fresh.context = backend.allocF32(Math.max(1, B * Tq * Dv));
    } catch (error) {
      for (const b of Object.values(fresh)) b.dispose();
      throw error;
    }
    this.#scale = scale;
    this.#release();
    this.#buffers = fresh;
    this.#dims = { B, Tq, Tv, D, Dv, keyGiven: k !== null };
    additiveScoresF32(backend, { scores: fresh.weights.ptr, query: fresh.query.ptr, key: fresh.key.ptr, scale: scale ? fresh.scale.ptr : 0 }, B, Tq, Tv, D);
    attentionSoftmaxContextF32(backend, {
      context: fresh.context.ptr, weights: fresh.weights.ptr, value: fresh.value.ptr, mask: mask ? fresh.mask.ptr : 0, work: backend.gemmWork(),
    }, B, Tq, Tv, Dv);
    return {
      output: { data: fresh.context.read().slice(0, B * Tq * Dv), shape: [B, Tq, Dv] },
      weights: { data: fresh.weights.read().slice(0, B * Tq * Tv), shape: [B, Tq, Tv] },
      cache: { generation: ++this.#generation },
    };
  }

  /**
   * Gradients of a loss whose gradient at the output is dOutput: dQuery, dValue (with the key's when
   * no key was given), dKey (when one was), and dScale (with useScale). Nothing is updated.
   */
  backward(cache: AttentionCache, dOutput: TensorLike): { dQuery: Tensor; dValue: Tensor; dKey?: Tensor; dScale?: Tensor } {
    const where = 'AdditiveAttention.backward';
    this.#checkAlive(where);
    if (!cache || cache.generation !== this.#generation) throw new Error(`${where}: the cache is not from this layer's last forward (a forward since, or another layer's cache)`);
    const { B, Tq, Tv, D, Dv, keyGiven } = this.#dims;
    const dc = readTensor(where, 'dOutput', dOutput, [{ label: 'batch', size: B }, { label: 'query steps', size: Tq }, { label: 'value features', size: Dv }]);
    const backend = this.backend;
    const held: F32Buffer[] = [];
    const alloc = (n: number): F32Buffer => {
      const b = backend.allocF32(Math.max(1, n));
      held.push(b);
      return b;
    };
    try {
      const dContext = alloc(B * Tq * Dv).write(dc.data);
      const [dQ, dK, dV, dS] = [alloc(B * Tq * D).fill(0), alloc(B * Tv * D).fill(0), alloc(B * Tv * Dv).fill(0), alloc(B * Tq * Tv)];
      const dScale = this.useScale ? alloc(D).fill(0) : null;
      const buf = this.#buffers;
      attentionSoftmaxContextBackwardF32(backend, {
        dScores: dS.ptr, dValue: dV.ptr, dContext: dContext.ptr, weights: buf.weights.ptr, value: buf.value.ptr, work: backend.gemmWork(),
      }, B, Tq, Tv, Dv);
      additiveScoresBackwardF32(backend, {
        dQuery: dQ.ptr, dKey: dK.ptr, dScale: dScale ? dScale.ptr : 0, dScores: dS.ptr, query: buf.query.ptr, key: buf.key.ptr, scale: dScale ? buf.scale.ptr : 0,
      }, B, Tq, Tv, D);
      const read = (b: F32Buffer, shape: number[]): Tensor => ({ data: b.read().slice(0, shape.reduce((a, x) => a * x, 1)), shape });
      const out: { dQuery: Tensor; dValue: Tensor; dKey?: Tensor; dScale?: Tensor } = { dQuery: read(dQ, [B, Tq, D]), dValue: read(dV, [B, Tv, Dv]) };
      if (keyGiven) out.dKey = read(dK, [B, Tv, D]);
      else {
        // The values were the keys too: both gradients reach them.
        addScaledF32(backend, { dst: dV.ptr, left: dV.ptr, right: dK.ptr }, B * Tv * Dv, 1);
        out.dValue = read(dV, [B, Tv, Dv]);
      }
      if (dScale) out.dScale = read(dScale, [D]);
      return out;
    } finally {
      for (const b of held) b.dispose();
    }
  }

  /** { scale: [D] } with useScale once built (Keras's get_weights()[0]); {} without useScale. */
  getWeights(): Record<string, Tensor> {
    const where = 'AdditiveAttention.getWeights';
    this.#checkAlive(where);
    if (!this.useScale) return {};
    if (!this.#scale) throw new Error(`${where}: the scale is built at the first forward (or give options.features), and neither has happened`);
    return { scale: { data: this.#scale.slice(), shape: [this.#scale.length] } };
  }

  /** Sets the scale (a Keras layer's get_weights()[0]); builds it when not built yet. */
  setWeights(weights: { scale: TensorLike }): void {
    const where = 'AdditiveAttention.setWeights';
    this.#checkAlive(where);
    if (!this.useScale) throw new RangeError(`${where}: this layer has no weights (useScale: false)`);
    checkOptions(where, weights, ['scale'], 'weights');
    const t = readTensor(where, 'weights.scale', weights.scale, [{ label: 'features', size: this.#scale ? this.#scale.length : undefined }]);
    this.#scale = t.data.slice();
  }

  get disposed(): boolean {
    return this.#disposed;
  }

  dispose(): void {
    this.#release();
    this.#disposed = true;
  }

  #initialScale(D: number): Float32Array {
    const random = new Random(this.#seed);
    const limit = Math.sqrt(6 / (D + D));
    return Float32Array.from({ length: D }, () => random.range(-limit, limit));
  }

  #release(): void {
    for (const b of Object.values(this.#buffers)) b.dispose();
    this.#buffers = {};
  }

  #checkAlive(where: string): void {
    if (this.#disposed) throw new Error(`${where}: this AdditiveAttention was disposed`);
  }
}
