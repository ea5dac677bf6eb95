// Threads: worker instances of the module over one shared WebAssembly.Memory, and the shard
// programs they run.
//
// A ShardProgram is a list of export calls (name and numeric arguments) recorded by the kernel
// bindings instead of being run: the work of one batch shard (gather its rows, run the
// whole-sequence kernel on its own buffers, scatter its rows back). A backend runs a list of
// programs either one after the other on the calling thread (1 thread) or spread over its workers
// and the calling thread (a pool); each program writes only its own buffers, so which thread runs
// which program changes nothing in the results.
//
// The calling thread blocks until every program has run: the library's compute calls are
// synchronous. In Node (and inside a Web Worker) it sleeps in Atomics.wait; on a browser's main
// thread, where Atomics.wait is not allowed, it spins on Atomics.load once its own share is done.
// Only the main instance allocates (a worker instance never calls alloc: its own heap globals would
// re-initialise the allocator over the shared memory).
import { registerExports, EXPORTED_FUNCTIONS, type WasmExports } from './exports.js';

/** Stands for "the GEMM workspace of the thread that runs this call" in a recorded call. */
export const THREAD_GEMM_WORK = Number.NaN;

/** A recorded list of export calls: one shard's work. Kernel bindings take it in place of a Backend. */
export class ShardProgram {
  readonly calls: Array<{ fn: string; args: number[] }> = [];

  constructor() {
    const calls = this.calls;
    const recorder = new Proxy({}, {
      get: (_target, name) => (...args: number[]) => {
        if (typeof name !== 'string' || !(name in EXPORTED_FUNCTIONS)) throw new Error(`internal: ShardProgram cannot record ${String(name)}`);
        calls.push({ fn: name, args });
      },
    });
    registerExports(this, recorder as WasmExports);
  }
}

/** Runs one program's calls on `wasm` with `work` as the GEMM workspace. */
export function runProgram(wasm: WasmExports, program: ShardProgram, work: number): void {
  const table = wasm as unknown as Record<string, (...args: number[]) => void>;
  for (const { fn, args } of program.calls) table[fn](...args.map((a) => (Number.isNaN(a) ? work : a)));
}

// ---- the pool ----

// Control words (Int32Array over a SharedArrayBuffer).
const GENERATION = 0; // bumped for every job (workers wait on it) and on stop
const NEXT = 1; // next program index to take
const FINISHED = 2; // workers that finished the current job
const FAILED = 3; // 1 once a call failed in a worker
const COUNT = 4; // programs in the current job
const STOP = 5; // 1: workers return
const ERROR_LENGTH = 6; // bytes of the error message
const CONTROL_WORDS = 8;
const ERROR_BYTES = 1024;
/** Encoded programs: f64 words (function index, argument count, arguments…). */
const PROGRAM_WORDS = 1 << 16;

/** The encoding shared with workers: [count, offset of program p…, then per program: calls, (fn, argc, args…)…]. */
function encode(programs: readonly ShardProgram[], names: Map<string, number>, into: Float64Array): boolean {
  let at = 1 + programs.length;
  if (at > into.length) return false;
  into[0] = programs.length;
  for (let p = 0; p < programs.length; p++) {
    into[1 + p] = at;
    const calls = programs[p].calls;
    if (at + 1 > into.length) return false;
    into[at++] = calls.length;
    for (const { fn, args } of calls) {
      if (at + 2 + args.length > into.length) return false;
      into[at++] = names.get(fn)!;
      into[at++] = args.length;
      for (const a of args) into[at++] = a;
    }
  }
  return true;
}

/**
 * The worker's whole program, turned into source text by toString(): it must use nothing from
 * outside itself. `post` sends a message to the creating thread.
 */
function workerMain(
  data: {
    module: WebAssembly.Module; memory: WebAssembly.Memory; control: SharedArrayBuffer; programs: SharedArrayBuffer;
    errorText: SharedArrayBuffer; names: string[]; scratch: number; work: number;
  },
  post: (message: unknown) => void,
): void {
  const GENERATION = 0, NEXT = 1, FINISHED = 2, FAILED = 3, COUNT = 4, STOP = 5, ERROR_LENGTH = 6;
  let fns: Array<(...args: number[]) => void>;
  try {
    const instance = new WebAssembly.Instance(data.module, { env: { memory: data.memory } });
    const exports = instance.exports as Record<string, (...args: number[]) => void>;
    exports.thread_init(data.scratch);
    fns = data.names.map((name) => exports[name]);
  } catch (error) {
    post({ error: String(error) });
    return;
  }
  const control = new Int32Array(data.control);
  const words = new Float64Array(data.programs);
  const text = new Uint8Array(data.errorText);
  post({ ready: true });
  let seen = 0;
  for (;;) {
    Atomics.wait(control, GENERATION, seen);
    seen = Atomics.load(control, GENERATION);
    if (Atomics.load(control, STOP) === 1) return;
    const count = Atomics.load(control, COUNT);
    for (let p = Atomics.add(control, NEXT, 1); p < count; p = Atomics.add(control, NEXT, 1)) {
      try {
        let at = words[1 + p];
        const calls = words[at++];
        for (let c = 0; c < calls; c++) {
          const fn = fns[words[at++]];
          const argc = words[at++];
          const args: number[] = [];
          for (let a = 0; a < argc; a++, at++) args.push(Number.isNaN(words[at]) ? data.work : words[at]);
          fn(...args);
        }
      } catch (error) {
        if (Atomics.compareExchange(control, FAILED, 0, 1) === 0) {
          const message = new TextEncoder().encode(String(error && (error as Error).message ? (error as Error).message : error)).slice(0, text.length);
          text.set(message);
          Atomics.store(control, ERROR_LENGTH, message.length);
        }
      }
    }
    Atomics.add(control, FINISHED, 1);
    Atomics.notify(control, FINISHED);
  }
}

interface WorkerHandle {
  terminate(): unknown;
}

/** Why threads cannot run here (null: they can), for the fallback's reason. */
export function threadsUnavailable(): string | null {
  if (typeof SharedArrayBuffer !== 'function') {
    return typeof window === 'object'
      ? 'SharedArrayBuffer is not available: the page is not cross-origin isolated (serve it with the headers Cross-Origin-Opener-Policy: same-origin and Cross-Origin-Embedder-Policy: require-corp)'
      : 'SharedArrayBuffer is not available in this JavaScript engine';
  }
  if ((globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated === false) {
    return 'the page is not cross-origin isolated (serve it with the headers Cross-Origin-Opener-Policy: same-origin and Cross-Origin-Embedder-Policy: require-corp)';
  }
  if (nodeWorkerThreads() === null && typeof Worker !== 'function') return 'this JavaScript engine has neither worker_threads nor Web Workers';
  return null;
}

type NodeWorkerConstructor = new (source: string, options: { eval: true; workerData: unknown }) => WorkerHandle & {
  on(event: 'message' | 'error' | 'exit', listener: (value: unknown) => void): void;
  unref(): void;
};

interface NodeProcess {
  versions?: { node?: string };
  getBuiltinModule?: (id: string) => unknown;
  once?: (event: 'exit', listener: () => void) => void;
}

/** Node's process (Node ≥ 20.16, with process.getBuiltinModule), else null: nothing is imported, so browser bundles stay free of Node. */
export function nodeHost(): NodeProcess | null {
  const host = (globalThis as { process?: NodeProcess }).process;
  return host?.versions?.node && typeof host.getBuiltinModule === 'function' ? host : null;
}

function nodeWorkerThreads(): { Worker: NodeWorkerConstructor } | null {
  return nodeHost()?.getBuiltinModule?.('node:worker_threads') as { Worker: NodeWorkerConstructor } | null ?? null;
}

/**
 * Pools not yet stopped. Node does not wait for an unref'd worker, but at exit it joins every worker
 * thread, and one asleep in Atomics.wait would hold the exit: so the process's 'exit' stops them all.
 */
const live = new Set<ThreadPool>();
let exitHook = false;

function stopAtExit(pool: ThreadPool): void {
  live.add(pool);
  const host = nodeHost();
  if (!exitHook && host?.once) {
    exitHook = true;
    host.once('exit', () => {
      for (const p of [...live]) p.stop();
    });
  }
}

/** Whether this thread may block in Atomics.wait (not on a browser's main thread). */
function canWait(): boolean {
  try {
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 1, 0);
    return true;
  } catch {
    return false;
  }
}

export class ThreadPool {
  readonly #workers: WorkerHandle[];
  readonly #control: Int32Array;
  readonly #words: Float64Array;
  readonly #text: Uint8Array;
  readonly #names: Map<string, number>;
  readonly #wait = canWait();
  #faultInjection = -1;
  #stopped = false;

  private constructor(workers: WorkerHandle[], control: Int32Array, words: Float64Array, text: Uint8Array, names: Map<string, number>) {
    this.#workers = workers;
    this.#control = control;
    this.#words = words;
    this.#text = text;
    this.#names = names;
  }

  /**
   * Starts `count` workers, each instantiating `module` over `memory` with its own scratch (from
   * `scratch(i)`: the edge tile and the GEMM workspace, allocated by the main instance).
   */
  static async start(
    count: number, module: WebAssembly.Module, memory: WebAssembly.Memory,
    scratch: (worker: number) => { scratch: number; work: number },
  ): Promise<ThreadPool> {
    const control = new SharedArrayBuffer(CONTROL_WORDS * 4);
    const programs = new SharedArrayBuffer(PROGRAM_WORDS * 8);
    const errorText = new SharedArrayBuffer(ERROR_BYTES);
    const names = Object.keys(EXPORTED_FUNCTIONS);
    const source = `${workerMain.toString()}`;
    const node = nodeWorkerThreads();
    const workers: WorkerHandle[] = [];
    const ready: Promise<void>[] = [];
    for (let i = 0; i < count; i++) {
      const data = { module, memory, control, programs, errorText, names, ...scratch(i) };
      if (node) {
        const worker = new node.Worker(
          `const { parentPort, workerData } = globalThis.process?.getBuiltinModule?.('node:worker_threads');\n(${source})(workerData, (m) => parentPort.postMessage(m));`,
          { eval: true, workerData: data },
        );
        workers.push(worker);
        ready.push(new Promise((resolve, reject) => {
          worker.on('message', (m) => ((m as { error?: string }).error ? reject(new Error((m as { error: string }).error)) : resolve()));
          worker.on('error', reject);
        }));
      } else {
        const url = URL.createObjectURL(new Blob(
          [`self.onmessage = (e) => { self.onmessage = null; (${source})(e.data, (m) => self.postMessage(m)); };`],
          { type: 'text/javascript' },
        ));
        const worker = new Worker(url);
        URL.revokeObjectURL(url);
        workers.push(worker);
        ready.push(new Promise((resolve, reject) => {
          worker.onmessage = (e) => ((e.data as { error?: string }).error ? reject(new Error((e.data as { error: string }).error)) : resolve());
          worker.onerror = (e) => reject(new Error(e.message));
        }));
        worker.postMessage(data);
      }
    }
    const pool = new ThreadPool(workers, new Int32Array(control), new Float64Array(programs), new Uint8Array(errorText), new Map(names.map((n, i) => [n, i])));
    stopAtExit(pool);
    try {
      await Promise.all(ready);
    } catch (error) {
      pool.stop();
      throw new Error(`rnn-wasm: a worker thread failed to start: ${(error as Error).message}`, { cause: error });
    }
    // Started: from now on a pool never keeps a Node process alive (unref after on('message'), which refs the port).
    for (const worker of workers) (worker as { unref?: () => void }).unref?.();
    return pool;
  }

  /** Worker threads (the calling thread is one more). */
  get workers(): number {
    return this.#workers.length;
  }

  /** @internal For tests: the program with this index fails in whichever thread runs it (once). */
  injectFault(program: number): void {
    this.#faultInjection = program;
  }

  /**
   * Runs every program once, spread over the workers and the calling thread (which runs them
   * with `wasm` and `work`); returns when all have run. A failure in any thread is thrown here,
   * after all threads have stopped touching memory.
   */
  run(programs: readonly ShardProgram[], wasm: WasmExports, work: number): void {
    if (this.#stopped) throw new Error('internal: the thread pool was stopped');
    const fault = this.#faultInjection;
    this.#faultInjection = -1;
    let list = programs;
    if (fault >= 0 && fault < programs.length) {
      const faulty = new ShardProgram();
      faulty.calls.push(...programs[fault].calls, { fn: 'copy_rows_f32', args: [-16, 0, 1, 1 << 20, 0, 0] }); // out of bounds: a trap
      list = programs.map((p, i) => (i === fault ? faulty : p));
    }
    if (!encode(list, this.#names, this.#words)) {
      for (const program of list) runProgram(wasm, program, work); // too many calls to hand over: run here
      return;
    }
    const control = this.#control;
    Atomics.store(control, NEXT, 0);
    Atomics.store(control, FINISHED, 0);
    Atomics.store(control, FAILED, 0);
    Atomics.store(control, COUNT, list.length);
    Atomics.add(control, GENERATION, 1);
    Atomics.notify(control, GENERATION);
    let mine: Error | null = null;
    for (let p = Atomics.add(control, NEXT, 1); p < list.length; p = Atomics.add(control, NEXT, 1)) {
      try {
        runProgram(wasm, list[p], work);
      } catch (error) {
        mine ??= error instanceof Error ? error : new Error(String(error));
      }
    }
    const workers = this.#workers.length;
    for (let done = Atomics.load(control, FINISHED); done < workers; done = Atomics.load(control, FINISHED)) {
      if (this.#wait) Atomics.wait(control, FINISHED, done, 1000);
    }
    if (mine !== null) throw new Error(`rnn-wasm: a shard failed on the calling thread: ${mine.message}`, { cause: mine });
    if (Atomics.load(control, FAILED) === 1) {
      const message = new TextDecoder().decode(this.#text.slice(0, Atomics.load(control, ERROR_LENGTH)));
      throw new Error(`rnn-wasm: a worker thread failed: ${message}`);
    }
  }

  /** Stops and terminates every worker. Safe to call twice. */
  stop(): void {
    if (this.#stopped) return;
    this.#stopped = true;
    live.delete(this);
    Atomics.store(this.#control, STOP, 1);
    Atomics.add(this.#control, GENERATION, 1);
    Atomics.notify(this.#control, GENERATION);
    for (const worker of this.#workers) void worker.terminate();
  }
}
