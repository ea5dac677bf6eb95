// What the standalone attention ops (Attention, AdditiveAttention) share: Keras's call convention
// read and checked — forward(query [B, Tq, D], value [B, Tv, Dv], { key [B, Tv, D] = value,
// valueMask [B, Tv] }) — the inputs copied into linear memory, the buffers of the last forward owned
// until the next one (its cache is that forward's generation), and the backward's gradient buffers,
// with the key's gradient folded into the value's when the values were the keys. A subclass runs its
// own score kernels (runForward, runBackward) and may stage parameters of its own (stagedParameters).
import type { Backend, F32Buffer } from '../engine/backend.js';
import { defaultBackend } from '../engine/init.js';
import { checkOptions, describe } from '../errors.js';
import { addScaledF32 } from '../kernels/model.js';
import { readTensor, type Tensor, type TensorLike } from '../tensor.js';

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

/** The gradients every attention op returns. */
export interface AttentionGradients {
  dQuery: Tensor;
  /** With the key's gradient added when no key was given (the values were the keys). */
  dValue: Tensor;
  /** Only when a key was given. */
  dKey?: Tensor;
}

/** The sizes of the last forward. */
export interface AttentionDims {
  B: number;
  Tq: number;
  Tv: number;
  D: number;
  Dv: number;
  keyGiven: boolean;
}

/** @internal The buffers of the last forward: query, key, value, mask (when given), weights, context, and the subclass's own. */
export type AttentionBuffers = Record<string, F32Buffer>;

/** @internal The backward's buffers: zeroed gradients to accumulate into, the output gradient, and scratch from `alloc` (freed after the call). */
export interface AttentionBackwardBuffers {
  dQuery: F32Buffer;
  dKey: F32Buffer;
  dValue: F32Buffer;
  dContext: F32Buffer;
  alloc(floats: number): F32Buffer;
}

/** @internal The base of Attention and AdditiveAttention; `G`: the gradients a subclass adds (its parameters'). */
export abstract class AttentionOp<G extends object = object> {
  readonly backend: Backend;
  readonly #kind: string;
  #buffers: AttentionBuffers = {};
  #dims: AttentionDims = { B: 0, Tq: 0, Tv: 0, D: 0, Dv: 0, keyGiven: false };
  #generation = 0;
  #disposed = false;

  protected constructor(kind: string, backend: Backend | undefined) {
    this.#kind = kind;
    this.backend = backend ?? defaultBackend();
  }

  /** Checks the query's features against the op's own state (called before anything changes). */
  protected checkFeatures(_where: string, _D: number): void {}
  /** Arrays to copy in beside the inputs for a forward with D features (e.g. a scale), by buffer name. */
  protected stagedParameters(_D: number): Record<string, Float32Array> {
    return {};
  }
  /** Called once the forward's buffers are in place, with the arrays stagedParameters gave: the op may keep them. */
  protected committed(_parameters: Record<string, Float32Array>): void {}
  /** Fills buffers.weights and buffers.context. */
  protected abstract runForward(buffers: AttentionBuffers, dims: AttentionDims): void;
  /** Accumulates into grads.dQuery, dKey, dValue (and returns the op's own gradients) from grads.dContext. */
  protected abstract runBackward(buffers: AttentionBuffers, dims: AttentionDims, grads: AttentionBackwardBuffers, read: (b: F32Buffer, shape: number[]) => Tensor): G;

  forward(query: TensorLike, value: TensorLike, options: { key?: TensorLike; valueMask?: TensorLike } = {}): AttentionForwardResult {
    const where = `${this.#kind}.forward`;
    this.#checkAlive(where);
    checkOptions(where, options, ['key', 'valueMask']);
    const q = readTensor(where, 'query', query, [{ label: 'batch' }, { label: 'query steps' }, { label: 'features' }]);
    const [B, Tq, D] = q.shape;
    this.checkFeatures(where, D);
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
    const parameters = this.stagedParameters(D);
    const backend = this.backend;
    const fresh: AttentionBuffers = {};
    try {
      fresh.query = backend.fromArray(q.data);
      fresh.key = backend.fromArray(k ? k.data : v.data);
      fresh.value = backend.fromArray(v.data);
      if (mask) fresh.mask = backend.fromArray(mask);
      for (const [name, data] of Object.entries(parameters)) fresh[name] = backend.fromArray(data);
      fresh.weights = backend.allocF32(Math.max(1, B * Tq * Tv));
      fresh.context = backend.allocF32(Math.max(1, B * Tq * Dv));
    } catch (error) {
      for (const b of Object.values(fresh)) b.dispose();
      throw error;
    }
    this.committed(parameters);
    this.#release();
    this.#buffers = fresh;
    this.#dims = { B, Tq, Tv, D, Dv, keyGiven: k !== null };
    this.runForward(fresh, this.#dims);
    return {
      output: readShape(fresh.context, [B, Tq, Dv]),
      weights: readShape(fresh.weights, [B, Tq, Tv]),
      cache: { generation: ++this.#generation },
    };
  }

  /** Gradients of a loss whose gradient at the output is dOutput. Nothing is updated. */
  backward(cache: AttentionCache, dOutput: TensorLike): AttentionGradients & G {
    const where = `${this.#kind}.backward`;
    this.#checkAlive(where);
    if (!cache || cache.generation !== this.#generation) throw new Error(`${where}: the cache is not from this layer's last forward (a forward since, or another layer's cache)`);
    const dims = this.#dims;
    const { B, Tq, Tv, D, Dv, keyGiven } = dims;
    const dc = readTensor(where, 'dOutput', dOutput, [{ label: 'batch', size: B }, { label: 'query steps', size: Tq }, { label: 'value features', size: Dv }]);
    const backend = this.backend;
    const held: F32Buffer[] = [];
    const alloc = (n: number): F32Buffer => {
      const b = backend.allocF32(Math.max(1, n));
      held.push(b);
      return b;
    };
    try {
      const grads: AttentionBackwardBuffers = {
        dContext: alloc(B * Tq * Dv).write(dc.data), dQuery: alloc(B * Tq * D).fill(0), dKey: alloc(B * Tv * D).fill(0), dValue: alloc(B * Tv * Dv).fill(0), alloc,
      };
      const own = this.runBackward(this.#buffers, dims, grads, readShape);
      // Without a key the values were the keys too: both gradients reach them.
      if (!keyGiven) addScaledF32(backend, { dst: grads.dValue.ptr, left: grads.dValue.ptr, right: grads.dKey.ptr }, B * Tv * Dv, 1);
      const out: AttentionGradients = { dQuery: readShape(grads.dQuery, [B, Tq, D]), dValue: readShape(grads.dValue, [B, Tv, Dv]) };
      if (keyGiven) out.dKey = readShape(grads.dKey, [B, Tv, D]);
      return { ...out, ...own };
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

  /** Throws when disposed (`where` names the call). */
  protected checkAlive(where: string): void {
    this.#checkAlive(where);
  }

  #release(): void {
    for (const b of Object.values(this.#buffers)) b.dispose();
    this.#buffers = {};
  }

  #checkAlive(where: string): void {
    if (this.#disposed) throw new Error(`${where}: this ${this.#kind} was disposed`);
  }
}

/** A copy of the first shape-product floats of `b` (buffers hold at least one float), with that shape. */
function readShape(b: F32Buffer, shape: number[]): Tensor {
  const n = shape.reduce((a, x) => a * x, 1);
  const data = b.read();
  return { data: data.length === n ? data : data.slice(0, n), shape };
}
