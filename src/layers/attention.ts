// Attention: Keras's dot-product Attention layer (Luong's "dot" score) as a standalone op, for uses
// outside the encoder–decoder: for each query step, a softmax over the value steps of
// scale·query·keyᵀ (steps where valueMask is 0 get weight 0), and the weighted sum of the values.
// Call convention as Keras: forward(query [B, Tq, D], value [B, Tv, Dv], { key [B, Tv, D] = value,
// valueMask [B, Tv] }). No trainable weights (Keras's use_scale: false); `scale` is fixed
// (default 1; 1/√D is the "scaled dot-product" of Vaswani et al.). Arithmetic in WASM
// (assembly/attention.ts); this file validates, copies and owns the buffers.
import type { Backend, F32Buffer } from '../engine/backend.js';
import { defaultBackend } from '../engine/init.js';
import { checkFinite, checkOptions, describe } from '../errors.js';
import { attentionBackwardF32, attentionForwardF32 } from '../kernels/attention.js';
import { addScaledF32 } from '../kernels/model.js';
import { readTensor, type Tensor, type TensorLike } from '../tensor.js';

export interface AttentionOptions {
  /** Multiplies the scores (default 1). */
  scale?: number;
  backend?: Backend;
}

export interface AttentionCache {
  readonly generation: number;
}

export interface AttentionForwardResult {
  /** `[B, Tq, Dv]`: the attended values. */
  output: Tensor;
  /** `[B, Tq, Tv]`: each query step's weights over the value steps (sum 1 over unmasked steps). */
  weights: Tensor;
  cache: AttentionCache;
}

export class Attention {
  readonly scale: number;
  readonly backend: Backend;
  #buffers: Record<string, F32Buffer> = {};
  #dims = { B: 0, Tq: 0, Tv: 0, D: 0, Dv: 0, keyGiven: false };
  #generation = 0;
  #disposed = false;

  constructor(options: AttentionOptions = {}) {
    checkOptions('Attention', options, ['scale', 'backend']);
    this.scale = options.scale === undefined ? 1 : checkFinite('Attention', 'options.scale', options.scale);
    this.backend = options.backend ?? defaultBackend();
  }

  forward(query: TensorLike, value: TensorLike, options: { key?: TensorLike; valueMask?: TensorLike } = {}): AttentionForwardResult {
    const where = 'Attention.forward';
    this.#checkAlive(where);
    checkOptions(where, options, ['key', 'valueMask']);
    const q = readTensor(where, 'query', query, [{ label: 'batch' }, { label: 'query steps' }, { label: 'features' }]);
    const [B, Tq, D] = q.shape;
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
    // Everything is valid: replace the last call's buffers (its cache becomes stale).
    const backend = this.backend;
    const fresh: Record<string, F32Buffer> = {};
    try {
      fresh.query = backend.fromArray(q.data);
      fresh.key = backend.fromArray(k ? k.data : v.data);
      fresh.value = backend.fromArray(v.data);
      if (mask) fresh.mask = backend.fromArray(mask);
      fresh.weights = backend.allocF32(B * Tq * Tv);
      fresh.context = backend.allocF32(B * Tq * Dv);
    } catch (error) {
      for (const b of Object.values(fresh)) b.dispose();
      throw error;
    }
    this.#release();
    this.#buffers = fresh;
    this.#dims = { B, Tq, Tv, D, Dv, keyGiven: k !== null };
    attentionForwardF32(backend, {
      context: fresh.context.ptr, weights: fresh.weights.ptr, query: fresh.query.ptr, key: fresh.key.ptr, value: fresh.value.ptr,
      mask: mask ? fresh.mask.ptr : 0, work: backend.gemmWork(),
    }, B, Tq, Tv, D, Dv, this.scale);
    return {
      output: { data: fresh.context.read(), shape: [B, Tq, Dv] },
      weights: { data: fresh.weights.read(), shape: [B, Tq, Tv] },
      cache: { generation: ++this.#generation },
    };
  }

  /** Gradients of a loss whose gradient at the output is dOutput: dQuery, dValue (with the key's when no key was given) and dKey (when one was). */
  backward(cache: AttentionCache, dOutput: TensorLike): { dQuery: Tensor; dValue: Tensor; dKey?: Tensor } {
    const where = 'Attention.backward';
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
      const [dQ, dK, dV, dS] = [alloc(B * Tq * D).fill(0), alloc(B * Tv * D).fill(0), alloc(B * Tv * Dv).fill(0), alloc(Tq * Tv)];
      const buf = this.#buffers;
      attentionBackwardF32(backend, {
        dQuery: dQ.ptr, dKey: dK.ptr, dValue: dV.ptr, dS: dS.ptr, dContext: dContext.ptr,
        weights: buf.weights.ptr, query: buf.query.ptr, key: buf.key.ptr, value: buf.value.ptr, work: backend.gemmWork(),
      }, B, Tq, Tv, D, Dv, this.scale);
      const dQuery = { data: dQ.read(), shape: [B, Tq, D] };
      if (keyGiven) return { dQuery, dValue: { data: dV.read(), shape: [B, Tv, Dv] }, dKey: { data: dK.read(), shape: [B, Tv, D] } };
      // The values were the keys too: both gradients reach them.
      addScaledF32(backend, { dst: dV.ptr, left: dV.ptr, right: dK.ptr }, B * Tv * Dv, 1);
      return { dQuery, dValue: { data: dV.read(), shape: [B, Tv, Dv] } };
    } finally {
      for (const b of held) b.dispose();
    }
  }

  get disposed(): boolean {
    return this.#disposed;
  }

  dispose(): void {
    this.#release();
    this.#disposed = true;
  }

  #release(): void {
    for (const b of Object.values(this.#buffers)) b.dispose();
    this.#buffers = {};
  }

  #checkAlive(where: string): void {
    if (this.#disposed) throw new Error(`${where}: this Attention was disposed`);
  }
}
