// The one place that touches a WebAssembly instance and its memory.
//
// A Backend is one instance of the module with its own linear memory and its
// own allocator (the module's TLSF heap, which reuses freed blocks). Buffers
// in linear memory are F32Buffers: they know their owner, hand out copies, and
// are freed by dispose(). Typed-array views over linear memory are derived on
// demand and re-derived whenever memory.buffer has changed (any allocation may
// grow memory and detach older views); none is handed to a user.
import { checkInt, describe } from '../errors.js';
import { compiledModule, simdSupported, type Build } from './loader.js';
import { registerExports, type WasmExports } from './exports.js';
import { checkBlock, type Size } from './sizes.js';
import { nodeHost, runProgram, ShardProgram, ThreadPool, threadsUnavailable } from './threads.js';

/** A Backend, or a ShardProgram that records a kernel's calls for a shard (see runShards). */
export type KernelTarget = Backend | ShardProgram;

/** How many threads a backend computes with, and why not more. */
export interface ThreadsInfo {
  /** Threads that compute (the calling thread included): 1 without a pool. */
  count: number;
  /** What was asked for ('auto' resolved to the available cores). */
  requested: number;
  /** Why count < requested (null when it is not). */
  reason: string | null;
}

/** Available cores: os.availableParallelism() in Node, navigator.hardwareConcurrency in browsers. */
function availableCores(): number {
  const os = nodeHost()?.getBuiltinModule?.('node:os') as { availableParallelism?: () => number; cpus: () => unknown[] } | undefined;
  if (os) return Math.max(1, os.availableParallelism ? os.availableParallelism() : os.cpus().length);
  const cores = (globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator?.hardwareConcurrency;
  return typeof cores === 'number' && cores >= 1 ? Math.floor(cores) : 1;
}

/** The most threads a backend starts. */
export const MAX_THREADS = 64;

export interface BackendOptions {
  /** `true` forces the SIMD build (error if the engine lacks SIMD), `false` the scalar one; default: SIMD when the engine validates it. */
  simd?: boolean;
  /**
   * Threads to compute with (default 1; 'auto' = the available cores): more than one starts that
   * many − 1 workers over a shared memory (the SIMD build with threads), or falls back to 1 when
   * the engine cannot (backend.threads.reason says why).
   */
  threads?: number | 'auto';
}

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

/** The same memory as f64 (length / 2 elements; the block is 16-byte aligned). Internal, like liveView. */
export function liveF64(buffer: F32Buffer): Float64Array {
  const f32 = F32Buffer.view(buffer);
  return new Float64Array(f32.buffer, f32.byteOffset, f32.length >>> 1);
}

/** The same memory as i32 (length elements). Internal, like liveView. */
export function liveI32(buffer: F32Buffer): Int32Array {
  const f32 = F32Buffer.view(buffer);
  return new Int32Array(f32.buffer, f32.byteOffset, f32.length);
}

export class Backend {
  readonly simd: boolean;
  /** Threads this backend computes with, and why not more (see BackendOptions.threads). */
  readonly threads: ThreadsInfo;
  #pool: ThreadPool | null = null;
  /** The workers' scratch blocks (edge tiles and GEMM workspaces), freed with the backend. */
  #poolBlocks: number[] = [];
  /** The raw exports: private to the engine; src/kernels reaches them through exportsOf(). */
  readonly #wasm: WasmExports;
  #gemmWork = 0;
  #heap: Float32Array | null = null;
  #disposed = false;
  /** Frees the block of an owner that was garbage-collected without dispose(): a safety net only. */
  #finalizer =
    typeof FinalizationRegistry === 'function'
      ? new FinalizationRegistry<number>((ptr) => {
          if (!this.#disposed) this.#wasm.free(ptr);
        })
      : null;

  private constructor(simd: boolean, instance: WebAssembly.Instance, threads: ThreadsInfo = { count: 1, requested: 1, reason: null }) {
    this.simd = simd;
    this.threads = threads;
    this.#wasm = instance.exports as unknown as WasmExports;
    registerExports(this, this.#wasm);
  }

  /** Instantiates a new, independent backend (its own memory) from the cached compiled module. */
  static async create(options: BackendOptions = {}): Promise<Backend> {
    if (options === null || typeof options !== 'object') {
      throw new TypeError(`Backend.create: options must be an object, got ${describe(options)}`);
    }
    const { simd, threads } = options;
    if (simd !== undefined && typeof simd !== 'boolean') {
      throw new TypeError(`Backend.create: options.simd must be true, false or undefined, got ${describe(simd)}`);
    }
    for (const key of Object.keys(options)) {
      if (key !== 'simd' && key !== 'threads') throw new RangeError(`Backend.create: unknown option '${key}' (options: simd, threads)`);
    }
    if (threads !== undefined && threads !== 'auto') checkInt('Backend.create', 'options.threads', threads, 1, MAX_THREADS);
    const requested = threads === 'auto' ? Math.min(availableCores(), MAX_THREADS) : (threads ?? 1);
    const info: ThreadsInfo = { count: 1, requested, reason: null };
    if (requested > 1) {
      if (simd === false) throw new RangeError(`Backend.create: options.threads ${String(threads)} needs the SIMD build, but options.simd is false`);
      info.reason = !simdSupported() ? 'this engine does not support WebAssembly SIMD, which the threaded build needs' : threadsUnavailable();
      if (info.reason === null) return Backend.#createThreaded(requested);
    }
    let build: Build;
    if (simd === false) build = 'scalar';
    else if (simdSupported()) build = 'simd';
    else if (simd === true) {
      throw new Error('Backend.create: options.simd is true but this engine does not support WebAssembly SIMD');
    } else build = 'scalar';
    const module = await compiledModule(build);
    const instance = await WebAssembly.instantiate(module, {});
    return new Backend(build === 'simd', instance, Object.freeze(info));
  }

  /** `requested` threads: the threaded build over a shared memory, requested − 1 workers. */
  static async #createThreaded(requested: number): Promise<Backend> {
    const module = await compiledModule('threads');
    const memory = new WebAssembly.Memory({ initial: 2, maximum: 65536, shared: true });
    const instance = await WebAssembly.instantiate(module, { env: { memory } });
    const backend = new Backend(true, instance, Object.freeze({ count: requested, requested, reason: null }));
    const wasm = backend.#wasm;
    try {
      backend.#pool = await ThreadPool.start(requested - 1, module, memory, () => {
        const scratch = backend.alloc(wasm.thread_scratch_floats() * 4);
        backend.#poolBlocks.push(scratch);
        const work = backend.alloc(wasm.gemm_work_floats() * 4);
        backend.#poolBlocks.push(work);
        return { scratch, work };
      });
    } catch (error) {
      backend.dispose();
      throw error;
    }
    return backend;
  }

  /**
   * @internal Runs every program once: one after the other on this thread, or spread over the
   * pool's workers and this thread. Each program must write only its own buffers (then the results
   * do not depend on the thread count). Throws, after every thread has stopped, if a call failed.
   */
  runShards(programs: readonly ShardProgram[]): void {
    this.#checkAlive('runShards');
    const work = this.gemmWork();
    if (this.#pool === null || programs.length < 2) {
      for (const program of programs) runProgram(this.#wasm, program, work);
    } else {
      this.#pool.run(programs, this.#wasm, work);
    }
  }

  /** @internal For tests: the next runShards makes program `index` fail in whichever thread runs it. */
  injectThreadFault(index: number): void {
    if (this.#pool === null) throw new Error('internal: injectThreadFault needs a backend with threads');
    this.#pool.injectFault(index);
  }

  /** The current ArrayBuffer of linear memory (changes when memory grows). */
  get memoryBuffer(): ArrayBuffer {
    return this.#wasm.memory.buffer;
  }

  /** Size of linear memory in bytes. */
  get memoryBytes(): number {
    return this.#wasm.memory.buffer.byteLength;
  }

  /** Allocates `bytes` (≥ 1) of linear memory, 16-byte aligned; returns the pointer. */
  alloc(bytes: number): number {
    this.#checkAlive('alloc');
    checkInt('Backend.alloc', 'bytes', bytes, 1, Number.MAX_SAFE_INTEGER);
    checkBlock('Backend.alloc', 'bytes', bytes, 'bytes');
    let ptr: number;
    try {
      ptr = this.#wasm.alloc(bytes) >>> 0;
    } catch (error) {
      if (error instanceof WebAssembly.RuntimeError) {
        throw new RangeError(
          `Backend.alloc: out of memory allocating ${bytes} bytes ` +
            `(linear memory is ${(this.memoryBytes / 2 ** 20).toFixed(1)} MiB and could not grow)`,
          { cause: error },
        );
      }
      throw error;
    }
    return ptr;
  }

  free(ptr: number): void {
    this.#checkAlive('free');
    this.#wasm.free(ptr);
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
    checkInt('Backend.allocF32', 'length', length, 1, Number.MAX_SAFE_INTEGER);
    return this.allocBlock('Backend.allocF32', 'length', length);
  }

  /**
   * @internal A zero-filled Float32 buffer of `length` floats (an exact size: number or bigint, ≥ 1), checked
   * first: a size one block cannot hold is a RangeError `${where}: ${what} needs … floats (… bytes), …`.
   */
  allocBlock(where: string, what: string, length: Size): F32Buffer {
    const n = checkBlock(where, what, length);
    if (n < 1) throw new Error(`internal: ${where}: ${what} of ${n} floats`);
    this.#checkAlive('alloc');
    return new F32Buffer(this, this.alloc(n * 4), n).fill(0);
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
    if (this.#gemmWork === 0) this.#gemmWork = this.alloc(this.#wasm.gemm_work_floats() * 4);
    return this.#gemmWork;
  }

  get disposed(): boolean {
    return this.#disposed;
  }

  /** Frees the backend's own workspace. Buffers you allocated are yours to dispose. */
  dispose(): void {
    if (this.#disposed) return;
    this.#pool?.stop();
    this.#pool = null;
    for (const block of this.#poolBlocks) this.#wasm.free(block);
    this.#poolBlocks = [];
    if (this.#gemmWork !== 0) this.#wasm.free(this.#gemmWork);
    this.#gemmWork = 0;
    this.#disposed = true;
  }

  #checkAlive(what: string): void {
    if (this.#disposed) throw new Error(`Backend.${what}: this backend was disposed`);
  }
}
