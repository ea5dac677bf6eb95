// What SimpleRNN, LSTM and GRU share: options, one parameter slab and one
// gradient slab in linear memory, a grow-only workspace sized for the largest
// (T, B) seen, marshalling [B, T, F] batches to the kernels' time-major layout
// and back, caches that know when they are stale, and weight formats.
import { Backend, F32Buffer, liveView } from '../backend.js';
import { checkBoolean, checkInt, describe } from '../errors.js';
import { defaultBackend } from '../init.js';
import { Random } from '../random.js';
import { readTensor, type Tensor, type TensorLike } from '../tensor.js';
import { checkFormat, type WeightFormat, type Weights } from './formats.js';
import { readMask } from './mask.js';

export type StateName = 'h' | 'c';
/** States as given by users: each [B, units], nested arrays or { data, shape }. */
export type StateInput = Partial<Record<StateName, TensorLike>>;
/** States as returned: copies, { data, shape: [B, units] }. */
export type StateOutput = Partial<Record<StateName, Tensor>>;

export interface RecurrentOptions {
  /** Features per time step. */
  inputSize: number;
  /** Hidden units H. */
  units: number;
  /** Seed for weight initialisation (default 0). */
  seed?: number;
  /** Refuse NaN/±Inf in inputs and gradients given to forward/backward (default true). */
  checkFinite?: boolean;
  /** Backend to live in (default: the one `init()` loaded). */
  backend?: Backend;
}

export interface ForwardOptions {
  initialState?: StateInput;
  /** Variable-length batches: [B, T] of 1 (real step) / 0 (padded step; the state does not advance). */
  mask?: TensorLike;
  /** Instead of `mask`: B lengths in [1, T]; the first lengths[b] steps of sequence b are real. */
  lengths?: ArrayLike<number>;
}

export interface BackwardOptions {
  /** Gradient of the loss w.r.t. every output step, [B, T, units]. */
  dOutput?: TensorLike;
  /** Gradient w.r.t. the final state(s), each [B, units]. */
  dFinalState?: StateInput;
  /** Layout of the returned dWeights (default 'native'). */
  format?: WeightFormat;
}

export interface ForwardResult {
  /** Hidden state at every step, [B, T, units]. */
  output: Tensor;
  finalState: StateOutput;
  cache: RecurrentCache;
}

export interface BackwardResult {
  /** [B, T, inputSize] */
  dInput: Tensor;
  dInitialState: StateOutput;
  dWeights: Weights;
}

/** What backward() needs from a forward(): valid until the layer's next forward() or setWeights(). */
export class RecurrentCache {
  /** @internal */
  constructor(
    readonly layer: RecurrentLayer,
    readonly generation: number,
    readonly batchSize: number,
    readonly timeSteps: number,
    /** forward() had a mask: backward() uses the same one (the workspace's 'mask' region). */
    readonly masked: boolean = false,
  ) {}
}

export interface ParamSpec {
  name: string;
  shape: number[];
}

interface Slot {
  offset: number; // floats
  length: number;
}

export abstract class RecurrentLayer {
  readonly inputSize: number;
  readonly units: number;
  readonly seed: number;
  readonly checkFinite: boolean;
  readonly backend: Backend;
  #params: F32Buffer;
  #grads: F32Buffer;
  #paramSlots = new Map<string, Slot & { shape: number[] }>();
  #work: F32Buffer | null = null;
  #workSlots = new Map<string, Slot>();
  #generation = 0;
  #disposed = false;

  /** 'SimpleRNN', 'LSTM', 'GRU': the prefix of error messages. */
  protected abstract readonly kind: string;
  /** 'h', or 'h' and 'c'. */
  protected abstract readonly stateNames: readonly StateName[];

  protected constructor(kind: string, options: RecurrentOptions, knownOptions: readonly string[]) {
    const where = `${kind}`;
    if (options === null || typeof options !== 'object') {
      throw new TypeError(`${where}: options must be an object, got ${describe(options)}`);
    }
    const allowed = ['inputSize', 'units', 'seed', 'checkFinite', 'backend', ...knownOptions];
    for (const key of Object.keys(options)) {
      if (!allowed.includes(key)) throw new RangeError(`${where}: unknown option '${key}' (known: ${allowed.join(', ')})`);
    }
    this.inputSize = checkInt(where, 'options.inputSize', options.inputSize, 1);
    this.units = checkInt(where, 'options.units', options.units, 1);
    this.seed = options.seed === undefined ? 0 : checkInt(where, 'options.seed', options.seed, -0x80000000, 0xffffffff);
    this.checkFinite = options.checkFinite === undefined ? true : checkBoolean(where, 'options.checkFinite', options.checkFinite);
    this.backend = options.backend ?? defaultBackend();
    if (!(this.backend instanceof Backend)) throw new TypeError(`${where}: options.backend must be a Backend, got ${describe(options.backend)}`);
    // Subclasses set their own fields before calling initParams().
    this.#params = null as unknown as F32Buffer;
    this.#grads = null as unknown as F32Buffer;
  }

  /** Parameter names and shapes, in slab order. */
  protected abstract paramSpecs(): ParamSpec[];
  /** Initial values of one parameter (`index` picks an independent random stream). */
  protected abstract initialValue(spec: ParamSpec, random: Random): Float32Array;
  /** Workspace regions (in floats) for a batch of B sequences of T steps: forward and backward. */
  protected abstract workRegions(T: number, B: number): Record<string, number>;
  /** `masked`: pass this.work('mask') [T, B] to the kernel (else 0). */
  protected abstract runForward(T: number, B: number, masked: boolean): void;
  protected abstract runBackward(T: number, B: number, hasDOutput: boolean, masked: boolean): void;
  /** Internal values (by parameter name) → named weights in `format`; `gradients` maps gradients instead. */
  protected abstract exportWeights(format: WeightFormat, values: Record<string, Float32Array>, gradients: boolean): Weights;
  /** Named weights in `format` → internal values by parameter name (fresh arrays, validated). */
  protected abstract importWeights(format: WeightFormat, weights: unknown, where: string): Record<string, Float32Array>;

  /** Allocates the slabs and draws initial weights. Called once by each subclass constructor. */
  protected initParams(): void {
    let offset = 0;
    const specs = this.paramSpecs();
    for (const spec of specs) {
      const length = spec.shape.reduce((a, b) => a * b, 1);
      this.#paramSlots.set(spec.name, { offset, length, shape: spec.shape });
      offset += (length + 3) & ~3; // 16-byte aligned slots
    }
    this.#params = this.backend.allocF32(offset);
    this.#grads = this.backend.allocF32(offset);
    specs.forEach((spec, index) => {
      const values = this.initialValue(spec, new Random(this.seed, index));
      liveView(this.#params).set(values, this.#paramSlots.get(spec.name)!.offset);
    });
  }

  // ---- pointers for the kernels (valid until the next allocation) ----

  protected param(name: string): number {
    return this.#params.ptr + this.#paramSlots.get(name)!.offset * 4;
  }

  protected grad(name: string): number {
    return this.#grads.ptr + this.#paramSlots.get(name)!.offset * 4;
  }

  protected work(name: string): number {
    const slot = this.#workSlots.get(name);
    if (!slot) throw new Error(`internal: no workspace region '${name}'`);
    return this.#work!.ptr + slot.offset * 4;
  }

  protected hasParam(name: string): boolean {
    return this.#paramSlots.has(name);
  }

  // ---- public API ----

  /** Runs the whole batch of sequences in one call. x: [B, T, inputSize]. */
  forward(x: TensorLike, options: ForwardOptions = {}): ForwardResult {
    const where = `${this.kind}.forward`;
    this.#checkAlive(where);
    if (options === null || typeof options !== 'object') throw new TypeError(`${where}: options must be an object, got ${describe(options)}`);
    const input = readTensor(where, 'x', x, [{ label: 'batch' }, { label: 'time steps' }, { label: 'inputSize', size: this.inputSize }], this.checkFinite);
    const [B, T] = input.shape;
    const initial = this.#readStates(where, 'options.initialState', options.initialState, B);
    const mask = readMask(where, options.mask, options.lengths, B, T);
    // Validation is done: from here on nothing can fail.
    this.#ensureWorkspace(T, B);
    const memory = this.#workView();
    const I = this.inputSize;
    const H = this.units;
    toTimeMajor(input.data, memory, this.#slot('x').offset, B, T, I);
    for (const name of this.stateNames) {
      const all = this.#slot(name === 'h' ? 'hAll' : 'cAll').offset;
      const given = initial[name];
      if (given) memory.set(given, all);
      else memory.fill(0, all, all + B * H);
    }
    if (mask) toTimeMajor(mask, memory, this.#slot('mask').offset, B, T, 1);
    this.runForward(T, B, mask !== null);
    this.#generation++;
    const view = this.#workView();
    const hAll = this.#slot('hAll').offset;
    const output = new Float32Array(B * T * H);
    fromTimeMajor(view, hAll + B * H, output, B, T, H);
    const finalState: StateOutput = {};
    for (const name of this.stateNames) {
      const all = this.#slot(name === 'h' ? 'hAll' : 'cAll').offset + T * B * H;
      finalState[name] = { data: view.slice(all, all + B * H), shape: [B, H] };
    }
    return { output: { data: output, shape: [B, T, H] }, finalState, cache: new RecurrentCache(this, this.#generation, B, T, mask !== null) };
  }

  /** BPTT through the forward() that made `cache`. Gradients are fresh (not accumulated across calls). */
  backward(cache: RecurrentCache, options: BackwardOptions = {}): BackwardResult {
    const where = `${this.kind}.backward`;
    this.#checkAlive(where);
    if (!(cache instanceof RecurrentCache) || cache.layer !== this) {
      throw new TypeError(`${where}: cache must be the cache returned by this layer's forward(), got ${describe(cache)}`);
    }
    if (cache.generation !== this.#generation) {
      throw new Error(`${where}: cache is stale: forward() or setWeights() was called on this layer after the forward() that made it`);
    }
    if (options === null || typeof options !== 'object') throw new TypeError(`${where}: options must be an object, got ${describe(options)}`);
    const format = checkFormat(where, options.format ?? 'native');
    const B = cache.batchSize;
    const T = cache.timeSteps;
    const H = this.units;
    const I = this.inputSize;
    const dOutput = options.dOutput === undefined
      ? null
      : readTensor(where, 'options.dOutput', options.dOutput, [{ label: 'batch', size: B }, { label: 'time steps', size: T }, { label: 'units', size: H }], this.checkFinite);
    const dFinal = this.#readStates(where, 'options.dFinalState', options.dFinalState, B);
    liveView(this.#grads).fill(0);
    const memory = this.#workView();
    const dX = this.#slot('dX').offset;
    memory.fill(0, dX, dX + T * B * I);
    if (dOutput) toTimeMajor(dOutput.data, memory, this.#slot('dOutput').offset, B, T, H);
    for (const name of this.stateNames) {
      const slot = this.#slot(name === 'h' ? 'dh' : 'dc').offset;
      const given = dFinal[name];
      if (given) memory.set(given, slot);
      else memory.fill(0, slot, slot + B * H);
    }
    this.runBackward(T, B, dOutput !== null, cache.masked);
    const view = this.#workView();
    const dInput = new Float32Array(B * T * I);
    fromTimeMajor(view, dX, dInput, B, T, I);
    const dInitialState: StateOutput = {};
    for (const name of this.stateNames) {
      const slot = this.#slot(name === 'h' ? 'dh' : 'dc').offset;
      dInitialState[name] = { data: view.slice(slot, slot + B * H), shape: [B, H] };
    }
    return { dInput: { data: dInput, shape: [B, T, I] }, dInitialState, dWeights: this.exportWeights(format, this.#values(this.#grads), true) };
  }

  /** Copies of the weights in `format` ('native' by default). */
  getWeights(options: { format?: WeightFormat } = {}): Weights {
    const where = `${this.kind}.getWeights`;
    this.#checkAlive(where);
    return this.exportWeights(checkFormat(where, options?.format ?? 'native'), this.#values(this.#params), false);
  }

  /** Replaces every weight. All are validated before any is written: a failed call changes nothing. */
  setWeights(weights: Weights | Record<string, unknown>, options: { format?: WeightFormat } = {}): void {
    const where = `${this.kind}.setWeights`;
    this.#checkAlive(where);
    const format = checkFormat(where, options?.format ?? 'native');
    const values = this.importWeights(format, weights, where);
    const view = liveView(this.#params);
    for (const [name, slot] of this.#paramSlots) view.set(values[name], slot.offset);
    this.#generation++; // caches made with the old weights are stale
  }

  /** Frees the layer's linear memory. Using the layer afterwards is an error. */
  dispose(): void {
    if (this.#disposed) return;
    this.#params.dispose();
    this.#grads.dispose();
    this.#work?.dispose();
    this.#work = null;
    this.#disposed = true;
  }

  get disposed(): boolean {
    return this.#disposed;
  }

  // ---- internals ----

  #checkAlive(where: string): void {
    if (this.#disposed) throw new Error(`${where}: this layer was disposed`);
    if (this.backend.disposed) throw new Error(`${where}: the layer's backend was disposed`);
  }

  #slot(name: string): Slot {
    const slot = this.#workSlots.get(name);
    if (!slot) throw new Error(`internal: no workspace region '${name}'`);
    return slot;
  }

  #workView(): Float32Array {
    return liveView(this.#work!);
  }

  #values(slab: F32Buffer): Record<string, Float32Array> {
    const view = liveView(slab);
    const out: Record<string, Float32Array> = {};
    for (const [name, slot] of this.#paramSlots) out[name] = view.slice(slot.offset, slot.offset + slot.length);
    return out;
  }

  #readStates(where: string, name: string, states: StateInput | undefined, B: number): Partial<Record<StateName, Float32Array>> {
    const out: Partial<Record<StateName, Float32Array>> = {};
    if (states === undefined) return out;
    if (states === null || typeof states !== 'object') throw new TypeError(`${where}: ${name} must be an object with ${this.stateNames.join(', ')}, got ${describe(states)}`);
    for (const key of Object.keys(states)) {
      if (!(this.stateNames as readonly string[]).includes(key)) {
        throw new RangeError(`${where}: ${name}.${key} is not a state of ${this.kind} (states: ${this.stateNames.join(', ')})`);
      }
    }
    for (const state of this.stateNames) {
      const value = states[state];
      if (value === undefined) continue;
      out[state] = readTensor(where, `${name}.${state}`, value, [{ label: 'batch', size: B }, { label: 'units', size: this.units }], this.checkFinite).data;
    }
    return out;
  }

  /** Lays out the regions for (T, B), growing (never shrinking) the workspace if they do not fit. */
  #ensureWorkspace(T: number, B: number): void {
    const I = this.inputSize;
    const H = this.units;
    const regions = { x: T * B * I, hAll: (T + 1) * B * H, dOutput: T * B * H, dX: T * B * I, dh: B * H, mask: T * B, dhCarry: B * H, ...this.workRegions(T, B) };
    const slots = new Map<string, Slot>();
    let total = 0;
    for (const [name, length] of Object.entries(regions)) {
      slots.set(name, { offset: total, length });
      total += (length + 3) & ~3; // 16-byte aligned regions
    }
    if (!this.#work || this.#work.length < total) {
      const next = this.backend.allocF32(total); // may throw (out of memory): nothing changed yet
      this.#work?.dispose();
      this.#work = next;
    }
    this.#workSlots = slots;
  }
}

/** [B, T, F] → [T, B, F] into `out` at `offset`. */
function toTimeMajor(src: Float32Array, out: Float32Array, offset: number, B: number, T: number, F: number): void {
  for (let b = 0; b < B; b++) {
    for (let t = 0; t < T; t++) out.set(src.subarray((b * T + t) * F, (b * T + t + 1) * F), offset + (t * B + b) * F);
  }
}

/** [T, B, F] at `offset` of `src` → [B, T, F] in `out`. */
function fromTimeMajor(src: Float32Array, offset: number, out: Float32Array, B: number, T: number, F: number): void {
  for (let t = 0; t < T; t++) {
    for (let b = 0; b < B; b++) out.set(src.subarray(offset + (t * B + b) * F, offset + (t * B + b + 1) * F), (b * T + t) * F);
  }
}
