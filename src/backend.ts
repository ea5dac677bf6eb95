// The one place that touches a WebAssembly instance and its memory.
//
// A Backend is one instance of the module with its own linear memory and its
// own allocator (the module's TLSF heap, which reuses freed blocks). Buffers
// in linear memory are F32Buffers: they know their owner, hand out copies, and
// are freed by dispose(). Typed-array views over linear memory are derived on
// demand and re-derived whenever memory.buffer has changed (any allocation may
// grow memory and detach older views); none is handed to a user.
import { checkInt, describe } from './errors.js';
import { compiledModule, simdSupported, type Build } from './wasm/loader.js';

/** The module's exports: flat functions over pointers (byte offsets) and sizes. */
export interface WasmExports {
  memory: WebAssembly.Memory;
  alloc(bytes: number): number;
  free(ptr: number): void;
  gemm_work_floats(): number;
  gemm_f32(
    c: number, a: number, b: number, work: number,
    m: number, n: number, k: number, lda: number, ldb: number, ldc: number,
    transA: number, transB: number, alpha: number, beta: number,
  ): void;
  exp_f32(y: number, x: number, n: number): void;
  sigmoid_f32(y: number, x: number, n: number): void;
  tanh_f32(y: number, x: number, n: number): void;
  relu_f32(y: number, x: number, n: number): void;
  sigmoid_backward_f32(dx: number, y: number, dy: number, n: number): void;
  tanh_backward_f32(dx: number, y: number, dy: number, n: number): void;
  relu_backward_f32(dx: number, y: number, dy: number, n: number): void;
  rnn_packed_floats(H: number): number;
  lstm_packed_floats(H: number, variant: number): number;
  gru_packed_floats(H: number, variant: number): number;
  rnn_forward_f32(hAll: number, packed: number, x: number, mask: number, wIh: number, wHh: number, bias: number, work: number, T: number, B: number, I: number, H: number, kind: number): void;
  rnn_backward_f32(
    dX: number, dWIh: number, dWHh: number, dBias: number, dh: number, dZ: number, packed: number, dhCarry: number,
    dOutput: number, hAll: number, x: number, mask: number, wIh: number, wHh: number, work: number,
    T: number, B: number, I: number, H: number, kind: number,
  ): void;
  lstm_forward_f32(
    gates: number, hAll: number, cAll: number, tanhC: number, packed: number,
    x: number, mask: number, wIh: number, wHh: number, bias: number, peep: number, work: number,
    T: number, B: number, I: number, H: number, variant: number, kind: number,
  ): void;
  lstm_backward_f32(
    dX: number, dWIh: number, dWHh: number, dBias: number, dPeep: number,
    dh: number, dc: number, dZ: number, packed: number, dhCarry: number,
    dOutput: number, gates: number, hAll: number, cAll: number, tanhC: number,
    x: number, mask: number, wIh: number, wHh: number, peep: number, work: number,
    T: number, B: number, I: number, H: number, variant: number, kind: number,
  ): void;
  gru_forward_f32(
    gates: number, hAll: number, extra: number, zh: number, packed: number,
    x: number, mask: number, wIh: number, wHh: number, bIh: number, bHh: number, work: number,
    T: number, B: number, I: number, H: number, variant: number, kind: number,
  ): void;
  gru_backward_f32(
    dX: number, dWIh: number, dWHh: number, dBIh: number, dBHh: number,
    dh: number, dZ: number, dZh: number, drh: number, packed: number, dhCarry: number,
    dOutput: number, gates: number, hAll: number, extra: number,
    x: number, mask: number, wIh: number, wHh: number, work: number,
    T: number, B: number, I: number, H: number, variant: number, kind: number,
  ): void;
  concat_rows_f32(dst: number, left: number, right: number, rows: number, a: number, b: number): void;
  split_rows_f32(left: number, right: number, src: number, rows: number, a: number, b: number): void;
  add_scaled_f32(dst: number, left: number, right: number, n: number, scale: number): void;
  dropout_f32(out: number, mask: number, x: number, n: number, rate: number, seed: number): void;
  multiply_f32(dst: number, a: number, b: number, n: number): void;
  esn_block_steps(): number;
  esn_collect(
    states: number, outputs: number, xtx: number, xty: number, zblk: number, dblk: number,
    rlsP: number, zvec: number, pz: number, state: number, feedback: number, pre: number,
    u: number, teacher: number, targets: number, noise: number,
    wIn: number, wBack: number, bias: number, wVal: number, wCol: number, wRow: number, wDense: number, wOut: number,
    T: number, N: number, I: number, O: number, washout: number, leak: number, dense: number, outTanh: number, fbOn: number, forget: number,
  ): void;
  esn_generate(
    outputs: number, state: number, feedback: number, pre: number, noise: number,
    wIn: number, wBack: number, bias: number, wVal: number, wCol: number, wRow: number, wDense: number, wOut: number,
    S: number, N: number, I: number, O: number, leak: number, dense: number, outTanh: number, fbOn: number,
  ): void;
  esn_ridge_solve(wOut: number, work: number, tmp: number, perm: number, xtx: number, xty: number, F: number, O: number, ridge: number): number;
  // Training kernels (assembly/loss.ts, optim.ts, dense.ts, sequence.ts). labels and ids are i32 arrays; mask is f32 or 0.
  softmax_f32(out: number, logits: number, rows: number, classes: number): void;
  softmax_temperature_f32(out: number, logits: number, rows: number, classes: number, invTemperature: number): void;
  softmax_xent_f32(dLogits: number, probs: number, logits: number, labels: number, mask: number, rows: number, classes: number, scale: number): number;
  mse_f32(dPred: number, pred: number, target: number, mask: number, rows: number, cols: number, scale: number): number;
  sgd_step_f32(params: number, velocity: number, grads: number, n: number, learningRate: number, momentum: number, nesterov: number, weightDecay: number): void;
  adam_step_f32(
    params: number, m: number, v: number, grads: number, n: number,
    learningRate: number, beta1: number, beta2: number, epsilon: number, step: number, weightDecay: number, decoupled: number,
  ): void;
  rmsprop_step_f32(params: number, sq: number, grads: number, n: number, learningRate: number, rho: number, epsilon: number, weightDecay: number): void;
  sum_squares_f32(x: number, n: number): number;
  scale_f32(x: number, n: number, factor: number): void;
  clip_values_f32(x: number, n: number, limit: number): void;
  add_bias_rows_f32(x: number, bias: number, rows: number, cols: number): void;
  sum_rows_into_f32(dst: number, src: number, rows: number, cols: number): void;
  embedding_forward_f32(out: number, table: number, ids: number, n: number, dim: number): void;
  embedding_backward_f32(dTable: number, dOut: number, ids: number, n: number, dim: number): void;
  reverse_time_f32(dst: number, src: number, T: number, rowFloats: number): void;
  reverse_time_masked_f32(dst: number, src: number, mask: number, T: number, B: number, F: number): void;
}

export interface BackendOptions {
  /** `true` forces the SIMD build (error if the engine lacks SIMD), `false` the scalar one; default: SIMD when the engine validates it. */
  simd?: boolean;
}

/** The TLSF heap's largest block (AssemblyScript's BLOCK_MAXSIZE, 2³⁰ − 4, rounded down to its 16-byte granule). */
const MAX_ALLOC_BYTES = 2 ** 30 - 16;

/** A Float32 buffer in a backend's linear memory. Owned by whoever allocated it; `dispose()` frees it. */
export class F32Buffer {
  #ptr: number;
  #view: Float32Array | null = null;

  /** @internal use Backend.allocF32 */
  constructor(readonly backend: Backend, ptr: number, readonly length: number) {
    this.#ptr = ptr;
    backend.track(this, ptr);
  }

  /** Byte offset in linear memory; 0 once disposed. */
  get ptr(): number {
    return this.#ptr;
  }

  get disposed(): boolean {
    return this.#ptr === 0;
  }

  /** Copies `source` into the buffer starting at element `offset`. */
  write(source: ArrayLike<number>, offset = 0): this {
    checkInt('F32Buffer.write', 'offset', offset, 0, this.length);
    if (source.length + offset > this.length) {
      throw new RangeError(
        `F32Buffer.write: source of length ${source.length} at offset ${offset} does not fit a buffer of length ${this.length}`,
      );
    }
    liveView(this).set(source, offset);
    return this;
  }

  /** A copy of the contents (never a view of WebAssembly memory). */
  read(): Float32Array {
    return liveView(this).slice();
  }

  /** Sets every element to `value`. */
  fill(value: number): this {
    liveView(this).fill(value);
    return this;
  }

  /** Frees the memory. Safe to call twice. */
  dispose(): void {
    if (this.#ptr !== 0) {
      this.backend.untrack(this);
      this.backend.free(this.#ptr);
      this.#ptr = 0;
      this.#view = null;
    }
  }

  /** @internal */
  static view(buffer: F32Buffer): Float32Array {
    if (buffer.#ptr === 0) throw new Error('F32Buffer: this buffer was disposed');
    const memory = buffer.backend.memoryBuffer;
    if (buffer.#view === null || buffer.#view.buffer !== memory) {
      buffer.#view = new Float32Array(memory, buffer.#ptr, buffer.length);
    }
    return buffer.#view;
  }
}

/**
 * A live view of the buffer's memory, rebuilt if memory has grown since the
 * last call. Internal: valid only until the next call that may allocate.
 */
export function liveView(buffer: F32Buffer): Float32Array {
  return F32Buffer.view(buffer);
}

export class Backend {
  readonly simd: boolean;
  /** @internal the raw exports; kernels in src/kernels call them after validating. */
  readonly wasm: WasmExports;
  #gemmWork = 0;
  #heap: Float32Array | null = null;
  #disposed = false;
  /** Frees the block of an owner that was garbage-collected without dispose(): a safety net only. */
  #finalizer =
    typeof FinalizationRegistry === 'function'
      ? new FinalizationRegistry<number>((ptr) => {
          if (!this.#disposed) this.wasm.free(ptr);
        })
      : null;

  private constructor(simd: boolean, instance: WebAssembly.Instance) {
    this.simd = simd;
    this.wasm = instance.exports as unknown as WasmExports;
  }

  /** Instantiates a new, independent backend (its own memory) from the cached compiled module. */
  static async create(options: BackendOptions = {}): Promise<Backend> {
    if (options === null || typeof options !== 'object') {
      throw new TypeError(`Backend.create: options must be an object, got ${describe(options)}`);
    }
    const { simd } = options;
    if (simd !== undefined && typeof simd !== 'boolean') {
      throw new TypeError(`Backend.create: options.simd must be true, false or undefined, got ${describe(simd)}`);
    }
    let build: Build;
    if (simd === false) build = 'scalar';
    else if (simdSupported()) build = 'simd';
    else if (simd === true) {
      throw new Error('Backend.create: options.simd is true but this engine does not support WebAssembly SIMD');
    } else build = 'scalar';
    const module = await compiledModule(build);
    const instance = await WebAssembly.instantiate(module, {});
    return new Backend(build === 'simd', instance);
  }

  /** The current ArrayBuffer of linear memory (changes when memory grows). */
  get memoryBuffer(): ArrayBuffer {
    return this.wasm.memory.buffer;
  }

  /** Size of linear memory in bytes. */
  get memoryBytes(): number {
    return this.wasm.memory.buffer.byteLength;
  }

  /** Allocates `bytes` (≥ 1) of linear memory, 16-byte aligned; returns the pointer. */
  alloc(bytes: number): number {
    this.#checkAlive('alloc');
    checkInt('Backend.alloc', 'bytes', bytes, 1, MAX_ALLOC_BYTES);
    let ptr: number;
    try {
      ptr = this.wasm.alloc(bytes) >>> 0;
    } catch (error) {
      if (error instanceof WebAssembly.RuntimeError) {
        throw new RangeError(
          `Backend.alloc: out of memory allocating ${bytes} bytes ` +
            `(linear memory is ${(this.memoryBytes / 2 ** 20).toFixed(1)} MiB and could not grow)`,
        );
      }
      throw error;
    }
    return ptr;
  }

  free(ptr: number): void {
    this.#checkAlive('free');
    this.wasm.free(ptr);
  }

  /** @internal `ptr` is freed if `owner` is garbage-collected before it calls untrack() (its dispose). */
  track(owner: object, ptr: number): void {
    this.#finalizer?.register(owner, ptr, owner);
  }

  /** @internal */
  untrack(owner: object): void {
    this.#finalizer?.unregister(owner);
  }

  /** A zero-filled Float32 buffer of `length` elements in linear memory. */
  allocF32(length: number): F32Buffer {
    checkInt('Backend.allocF32', 'length', length, 1, MAX_ALLOC_BYTES / 4);
    const buffer = new F32Buffer(this, this.alloc(length * 4), length);
    return buffer.fill(0);
  }

  /** A buffer holding a copy of `values`. */
  fromArray(values: ArrayLike<number>): F32Buffer {
    return this.allocF32(values.length).write(values);
  }

  /** @internal A Float32Array over all of linear memory (index = pointer / 4); valid until the next allocation. */
  heapF32(): Float32Array {
    const memory = this.memoryBuffer;
    if (this.#heap === null || this.#heap.buffer !== memory) this.#heap = new Float32Array(memory);
    return this.#heap;
  }

  /** @internal `n` floats from pointer `src` to pointer `dst` (may overlap). */
  copyFloats(dst: number, src: number, n: number): void {
    if (dst !== src && n > 0) this.heapF32().copyWithin(dst >>> 2, src >>> 2, (src >>> 2) + n);
  }

  /** @internal Sets `n` floats at pointer `ptr` to `value`. */
  fillFloats(ptr: number, n: number, value: number): void {
    if (n > 0) this.heapF32().fill(value, ptr >>> 2, (ptr >>> 2) + n);
  }

  /** @internal the GEMM packing workspace, allocated on first use and kept. */
  gemmWork(): number {
    if (this.#gemmWork === 0) this.#gemmWork = this.alloc(this.wasm.gemm_work_floats() * 4);
    return this.#gemmWork;
  }

  get disposed(): boolean {
    return this.#disposed;
  }

  /** Frees the backend's own workspace. Buffers you allocated are yours to dispose. */
  dispose(): void {
    if (this.#disposed) return;
    if (this.#gemmWork !== 0) this.wasm.free(this.#gemmWork);
    this.#gemmWork = 0;
    this.#disposed = true;
  }

  #checkAlive(what: string): void {
    if (this.#disposed) throw new Error(`Backend.${what}: this backend was disposed`);
  }
}
