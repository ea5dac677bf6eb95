// What SimpleRNN, LSTM and GRU share (beyond WeightedLayer's parameters and
// workspace): options, a workspace laid out for the largest
// (T, B) seen, marshalling [B, T, F] batches to the kernels' time-major layout
// and back, caches that know when they are stale, and weight formats.
import type { Backend, F32Buffer, KernelTarget } from '../engine/backend.js';
import { ShardProgram, THREAD_GEMM_WORK } from '../engine/threads.js';
import { copyRowsF32 } from '../kernels/threads.js';
import { shardPlan, SPLIT_MIN_WORK, type Shard } from './shards.js';
import type { BackwardPhase, WeightPart } from '../kernels/phases.js';
import { checkBoolean, checkInt, checkOptions, describe } from '../errors.js';
import { sizeProduct, type Size } from '../engine/sizes.js';
import type { Random } from '../random.js';
import { WeightedLayer } from './base.js';
import { readTensor, type Tensor, type TensorLike } from '../tensor.js';
import { checkFormat, type WeightFormat, type Weights } from './formats.js';
import { readMask } from './mask.js';
import { addScaledF32 } from '../kernels/model.js';
import type { ParamSpec } from './parameters.js';
import type { Batch, Flow } from './layer.js';

export type { ParamSpec } from './parameters.js';

export type StateName = 'h' | 'c';

/**
 * Where a subclass's kernel call goes and which buffers it uses: the layer's own workspace and
 * gradients (one shard: run now), or one batch shard's (recorded into a ShardProgram).
 */
export interface KernelContext {
  target: KernelTarget;
  work(name: string): number;
  grad(name: string): number;
  gemmWork: number;
}
/** States as given by users: each [B, units], nested arrays or { data, shape }. */
export type StateInput = Partial<Record<StateName, TensorLike>>;
/** States as returned: copies, { data, shape: [B, units] }. */
export type StateOutput = Partial<Record<StateName, Tensor>>;

export interface RecurrentOptions {
  /** Features per time step. Optional for a layer added to a Sequential, which sets it from the layer below. */
  inputSize?: number;
  /** Hidden units H. */
  units: number;
  /** Seed for weight initialisation (default 0). */
  seed?: number;
  /** Refuse NaN/±Inf in inputs and gradients given to forward/backward (default true). */
  checkFinite?: boolean;
  /** Backend to live in (default: the one `init()` loaded). */
  backend?: Backend;
  /** In a Sequential: pass the output at every step (true) or only the final state (false, the default) to the next layer. */
  returnSequences?: boolean;
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

// Every key of the options interfaces, exactly (the `satisfies` fails to compile when one is added or missing).
const FORWARD_OPTIONS = Object.keys({ initialState: 0, mask: 0, lengths: 0 } satisfies Record<keyof ForwardOptions, 0>);
const BACKWARD_OPTIONS = Object.keys({ dOutput: 0, dFinalState: 0, format: 0 } satisfies Record<keyof BackwardOptions, 0>);

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

export abstract class RecurrentLayer extends WeightedLayer {
  #inputSize: number;
  readonly units: number;
  readonly checkFinite: boolean;
  readonly returnSequences: boolean;
  #generation = 0;
  /** Mask pointer of the last forward (0: none); backward uses the same. */
  #mask = 0;
  /** (T, B) of the last forward. */
  #steps = 0;
  #batch = 0;
  /** The batch shards of the current workspace layout (one: the layer's own buffers are used directly). */
  #shards: Shard[] = [{ start: 0, rows: 0 }];

  /** 'SimpleRNN', 'LSTM', 'GRU': the prefix of error messages. */
  abstract override readonly kind: string;
  /** 'h', or 'h' and 'c'. */
  protected abstract readonly stateNames: readonly StateName[];

  protected constructor(kind: string, options: RecurrentOptions, knownOptions: readonly string[]) {
    const where = `${kind}`;
    super(where, options, ['inputSize', 'units', 'checkFinite', 'returnSequences', ...knownOptions]);
    this.#inputSize = options.inputSize === undefined ? 0 : checkInt(where, 'options.inputSize', options.inputSize, 1);
    this.units = checkInt(where, 'options.units', options.units, 1);
    this.checkFinite = options.checkFinite === undefined ? true : checkBoolean(where, 'options.checkFinite', options.checkFinite);
    this.returnSequences = options.returnSequences === undefined ? false : checkBoolean(where, 'options.returnSequences', options.returnSequences);
    // Subclasses set their own fields, then call initParams() (which waits for inputSize).
  }

  /** Features per time step (0 until known: a layer made without inputSize gets it from its Sequential). */
  get inputSize(): number {
    return this.#inputSize;
  }

  /** The options that rebuild this layer (without backend and weights), for saving a model. */
  config(): Record<string, unknown> {
    return { units: this.units, inputSize: this.#inputSize, seed: this.seed, returnSequences: this.returnSequences, checkFinite: this.checkFinite, ...this.extraConfig() };
  }

  /** The subclass's own options, as given to its constructor. */
  protected abstract extraConfig(): Record<string, unknown>;

  /** Parameter names and shapes, in slab order. */
  protected abstract paramSpecs(): ParamSpec[];
  /** Initial values of one parameter (`index` picks an independent random stream). */
  protected abstract initialValue(spec: ParamSpec, random: Random): Float32Array;
  /** Workspace regions (in floats) for a batch of B sequences of T steps: forward and backward. */
  protected abstract workRegions(T: number, B: number): Record<string, Size>;
  /** `mask`: pointer of the [T, B] mask to pass to the kernel (0: none); buffers and target from `k`. */
  protected abstract runForward(k: KernelContext, T: number, B: number, mask: number): void;
  /** `phase`: the whole BPTT, or one of its two halves (src/kernels/phases.ts). */
  protected abstract runBackward(k: KernelContext, T: number, B: number, hasDOutput: boolean, mask: number, phase?: BackwardPhase, part?: WeightPart): void;
  /**
   * Whether the backward splits into per-row steps and a weight phase over all rows (false when the
   * steps themselves accumulate a parameter gradient, e.g. peepholes): batch shards only then.
   */
  protected shardable(): boolean {
    return true;
  }
  /** The workspace regions [T, B, width] the weight phase reads that the steps write: [region, width]. */
  protected abstract stepResults(): Array<[string, number]>;
  /** Named weights in `format` → internal values by parameter name (fresh arrays, validated). */
  protected abstract importWeights(format: WeightFormat, weights: unknown, where: string): Record<string, Float32Array>;

  /** Allocates the slabs and draws initial weights, once inputSize is known. Called by each subclass constructor. */
  protected initParams(seed?: number): void {
    if (this.#inputSize === 0) return; // built later by build()
    this.createParameters(this.paramSpecs(), (spec, random) => this.initialValue(spec, random), seed, `the weights for inputSize ${this.#inputSize} and units ${this.units}`);
  }

  /**
   * @internal Gives an unbuilt layer its inputSize (and, if its seed was not given, `seed`) and
   * draws its weights. A built layer must already have this inputSize.
   */
  build(where: string, inputSize: number, seed: number): void {
    if (this.built) {
      if (this.#inputSize !== inputSize) {
        throw new RangeError(`${where}: ${this.kind} has inputSize ${this.#inputSize} but the layer below gives ${inputSize} features`);
      }
      return;
    }
    this.#inputSize = inputSize;
    try {
      this.initParams(seed);
    } catch (error) {
      this.#inputSize = 0; // a failed build leaves the layer unbuilt, as it was
      throw error;
    }
  }

  /** @internal Moves the weights into a model's slabs at float `base` (see Parameters.adopt). */
  override adopt(params: F32Buffer, grads: F32Buffer, base: number): void {
    super.adopt(params, grads, base);
    this.#generation++;
  }

  // ---- pointers for the kernels (valid until the next allocation) ----

  protected param(name: string): number {
    return this.parameters.ptr(name);
  }

  protected grad(name: string): number {
    return this.parameters.gradPtr(name);
  }

  protected work(name: string): number {
    return this.workspace.ptr(name);
  }

  protected hasParam(name: string): boolean {
    return this.parameters.has(name);
  }

  // ---- public API ----

  /** Runs the whole batch of sequences in one call. x: [B, T, inputSize]. */
  forward(x: TensorLike, options: ForwardOptions = {}): ForwardResult {
    const where = `${this.kind}.forward`;
    this.checkWritable(where);
    checkOptions(where, options, FORWARD_OPTIONS);
    const input = readTensor(where, 'x', x, [{ label: 'batch' }, { label: 'time steps' }, { label: 'inputSize', size: this.inputSize }], this.checkFinite);
    const [B, T] = input.shape;
    const initial = this.#readStates(where, 'options.initialState', options.initialState, B);
    const mask = readMask(where, options.mask, options.lengths, B, T);
    // Validation is done: the workspace (checked, and allocated before anything changes) is the last thing that can fail.
    this.#ensureWorkspace(where, T, B);
    toTimeMajor(input.data, this.backend.heapF32(), this.work('x') >>> 2, B, T, this.inputSize);
    if (mask) toTimeMajor(mask, this.backend.heapF32(), this.work('mask') >>> 2, B, T, 1);
    this.#forwardCore(T, B, initial, mask ? this.work('mask') : 0);
    const H = this.units;
    const heap = this.backend.heapF32();
    const output = new Float32Array(B * T * H);
    fromTimeMajor(heap, this.outputPtr() >>> 2, output, B, T, H);
    const finalState: StateOutput = {};
    for (const name of this.stateNames) {
      const at = this.finalStatePtr(name) >>> 2;
      finalState[name] = { data: heap.slice(at, at + B * H), shape: [B, H] };
    }
    return { output: { data: output, shape: [B, T, H] }, finalState, cache: new RecurrentCache(this, this.#generation, B, T, mask !== null) };
  }

  /** BPTT through the forward() that made `cache`. Gradients are fresh (not accumulated across calls). */
  backward(cache: RecurrentCache, options: BackwardOptions = {}): BackwardResult {
    const where = `${this.kind}.backward`;
    this.checkWritable(where);
    if (!(cache instanceof RecurrentCache) || cache.layer !== this) {
      throw new TypeError(`${where}: cache must be the cache returned by this layer's forward(), got ${describe(cache)}`);
    }
    if (cache.generation !== this.#generation) {
      throw new Error(`${where}: cache is stale: forward() or setWeights() was called on this layer after the forward() that made it`);
    }
    checkOptions(where, options, BACKWARD_OPTIONS);
    const format = checkFormat(where, options.format ?? 'native');
    const B = cache.batchSize;
    const T = cache.timeSteps;
    const H = this.units;
    const I = this.inputSize;
    const dOutput = options.dOutput === undefined
      ? null
      : readTensor(where, 'options.dOutput', options.dOutput, [{ label: 'batch', size: B }, { label: 'time steps', size: T }, { label: 'units', size: H }], this.checkFinite);
    const dFinal = this.#readStates(where, 'options.dFinalState', options.dFinalState, B);
    this.parameters.zeroGrads();
    if (dOutput) toTimeMajor(dOutput.data, this.backend.heapF32(), this.work('dOutput') >>> 2, B, T, H);
    this.#backwardCore(T, B, dOutput !== null, dFinal);
    const heap = this.backend.heapF32();
    const dInput = new Float32Array(B * T * I);
    fromTimeMajor(heap, this.dInputPtr() >>> 2, dInput, B, T, I);
    const dInitialState: StateOutput = {};
    for (const name of this.stateNames) {
      const at = this.dInitialStatePtr(name) >>> 2;
      dInitialState[name] = { data: heap.slice(at, at + B * H), shape: [B, H] };
    }
    return { dInput: { data: dInput, shape: [B, T, I] }, dInitialState, dWeights: this.exportWeights(format, this.parameters.values(true), true) };
  }

  /** Replaces every weight. All are validated before any is written: a failed call changes nothing. */
  setWeights(weights: Weights | Record<string, unknown>, options: { format?: WeightFormat } = {}): void {
    this.prepareWeights(weights, options)();
  }

  /**
   * @internal setWeights in two halves: validates everything now and returns the write, which
   * cannot fail (a Bidirectional validates both directions before it writes either).
   */
  prepareWeights(weights: Weights | Record<string, unknown>, options: { format?: WeightFormat } = {}): () => void {
    const where = `${this.kind}.setWeights`;
    this.checkWritable(where);
    const format = checkFormat(where, options?.format ?? 'native');
    const values = this.importWeights(format, weights, where);
    return () => {
      this.parameters.set(values);
      this.#generation++; // caches made with the old weights are stale
    };
  }

  // ---- the time-major path a model uses: pointers in, pointers out, nothing copied to JS ----

  /**
   * @internal Forward over x = [T, B, inputSize] (time-major) at pointer `x`; initial states
   * from pointers ([B, units] each) or zero; `mask` points at [T, B] (0: none) and must stay valid
   * until backwardFrom(). Output stays in the workspace: outputPtr().
   */
  forwardFrom(x: number, T: number, B: number, initial: Partial<Record<StateName, number>> = {}, mask = 0): void {
    this.#ensureWorkspace(this.kind, T, B);
    this.backend.copyFloats(this.work('x'), x, T * B * this.inputSize);
    this.#forwardCore(T, B, initial, mask);
  }

  /** @internal Every step's output h, [T, B, units], of the last forward. */
  outputPtr(): number {
    return this.work('hAll') + this.#batch * this.units * 4;
  }

  /** @internal The state after the last step of the last forward, [B, units]. */
  finalStatePtr(name: StateName): number {
    return this.work(name === 'h' ? 'hAll' : 'cAll') + this.#steps * this.#batch * this.units * 4;
  }

  /**
   * @internal BPTT through the last forward; gradients *accumulate* into the parameter gradients.
   * dOutput ([T, B, units]) and dFinal ([B, units] each) are pointers, 0 / absent for none.
   */
  backwardFrom(dOutput: number, dFinal: Partial<Record<StateName, number>> = {}): void {
    const T = this.#steps;
    const B = this.#batch;
    if (dOutput) this.backend.copyFloats(this.work('dOutput'), dOutput, T * B * this.units);
    this.#backwardCore(T, B, dOutput !== 0, dFinal);
  }

  /** @internal dLoss/dx of the last backward, [T, B, inputSize]. */
  dInputPtr(): number {
    return this.work('dX');
  }

  /** @internal dLoss/d(initial state) of the last backward, [B, units]. */
  dInitialStatePtr(name: StateName): number {
    return this.work(name === 'h' ? 'dh' : 'dc');
  }

  // ---- as a layer of a model (src/layers/layer.ts) ----

  /** @internal */
  connect(where: string, input: Flow, seed: number): Flow {
    if (!input.sequence || input.ids) {
      const got = input.ids ? 'token ids (put an Embedding first)' : 'one vector per sequence (set returnSequences: true on the layer below)';
      throw new RangeError(`${where}: ${this.kind} needs sequences of feature vectors as input, but gets ${got}`);
    }
    this.build(where, input.features, seed);
    return { features: this.units, sequence: this.returnSequences };
  }

  /** @internal Output: every step [T, B, units] with returnSequences, else the final h [B, units]. */
  modelForward(x: number, batch: Batch, initial: Partial<Record<StateName, number>> = {}): number {
    this.forwardFrom(x, batch.T, batch.B, initial, batch.mask);
    return this.returnSequences ? this.outputPtr() : this.finalStatePtr('h');
  }

  /**
   * @internal Backward from the gradient of this layer's output (`dOutput`, a pointer) and of its
   * final states (`dFinal`, pointers). Without returnSequences the output is the final h, so the
   * two gradients of h add up.
   */
  modelBackward(dOutput: number, dFinal: Partial<Record<StateName, number>> = {}): number {
    if (this.returnSequences) {
      this.backwardFrom(dOutput, dFinal);
    } else if (dFinal.h !== undefined) {
      const sum = this.work('dFinalSum');
      addScaledF32(this.backend, { dst: sum, left: dOutput, right: dFinal.h }, this.#batch * this.units, 1);
      this.backwardFrom(0, { ...dFinal, h: sum });
    } else {
      this.backwardFrom(0, { ...dFinal, h: dOutput });
    }
    return this.dInputPtr();
  }

  /** @internal */
  get stateKeys(): readonly StateName[] {
    return this.stateNames;
  }

  // ---- internals ----

  /** Initial states (copies or pointers, else zeros) into hAll[0], cAll[0]; then the kernel. Input is in 'x'. */
  #forwardCore(T: number, B: number, initial: Partial<Record<StateName, Float32Array | number>>, mask: number): void {
    const n = B * this.units;
    for (const name of this.stateNames) {
      const dst = this.work(name === 'h' ? 'hAll' : 'cAll');
      writeFloats(this.backend, dst, initial[name], n);
    }
    if (this.#shards.length === 1) this.runForward(this.#ownContext(), T, B, mask);
    else this.#forwardShards(T, B, mask);
    this.#mask = mask;
    this.#steps = T;
    this.#batch = B;
    this.#generation++;
  }

  /** dOutput is in 'dOutput' when hasDOutput; dFinal (copies or pointers, else zeros) into dh, dc; then the kernel. */
  #backwardCore(T: number, B: number, hasDOutput: boolean, dFinal: Partial<Record<StateName, Float32Array | number>>): void {
    this.backend.fillFloats(this.work('dX'), T * B * this.inputSize, 0);
    for (const name of this.stateNames) writeFloats(this.backend, this.work(name === 'h' ? 'dh' : 'dc'), dFinal[name], B * this.units);
    const parts = this.#weightParts(T, B);
    if (this.#shards.length === 1 && parts === 1) {
      this.runBackward(this.#ownContext(), T, B, hasDOutput, this.#mask);
      return;
    }
    if (this.#shards.length === 1) this.runBackward(this.#ownContext(), T, B, hasDOutput, this.#mask, 'steps');
    else this.#backwardShards(T, B, hasDOutput);
    this.#weightsInParts(T, B, hasDOutput, parts);
  }

  /**
   * Into how many parts the weight phase is split: one per thread when there are threads and the
   * products are large enough to pay for handing them over (a part costs a wake-up), else 1. The
   * parts give the same bits for any count (src/kernels/phases.ts WeightPart), so this may follow
   * the thread count.
   */
  #weightParts(T: number, B: number): number {
    const threads = this.backend.threads.count;
    if (threads === 1 || !this.shardable()) return 1;
    const H = this.units;
    return T * B * H * (this.inputSize + H) >= SPLIT_MIN_WORK ? threads : 1;
  }

  /** The weight phase over all T·B rows from dZ (its steps done), as `parts` programs run by the threads. */
  #weightsInParts(T: number, B: number, hasDOutput: boolean, parts: number): void {
    if (parts === 1) {
      this.runBackward(this.#ownContext(), T, B, hasDOutput, this.#mask, 'weights');
      return;
    }
    const programs = Array.from({ length: parts }, (_, index) => {
      const program = new ShardProgram();
      const c: KernelContext = { ...this.#ownContext(), target: program, gemmWork: THREAD_GEMM_WORK };
      this.runBackward(c, T, B, hasDOutput, this.#mask, 'weights', { index, count: parts });
      return program;
    });
    this.backend.runShards(programs);
  }

  #ownContext(): KernelContext {
    return { target: this.backend, work: (name) => this.work(name), grad: (name) => this.grad(name), gemmWork: this.backend.gemmWork() };
  }

  /** Shard `k`'s buffers (regions `name#k`), its calls recorded into `program`. */
  #shardContext(program: ShardProgram, k: number): KernelContext {
    return { target: program, work: (name) => this.work(`${name}#${k}`), grad: (name) => this.grad(name), gemmWork: THREAD_GEMM_WORK };
  }

  /**
   * Each shard: gather its rows of x, mask and the initial states; the whole-sequence kernel on its
   * own buffers; scatter its outputs and final states back. A row's forward does not depend on the
   * other rows, so this gives the bits of the unsharded kernel.
   */
  #forwardShards(T: number, B: number, mask: number): void {
    const { inputSize: I, units: H } = this;
    const programs = this.#shards.map(({ start, rows }, k) => {
      const program = new ShardProgram();
      const c = this.#shardContext(program, k);
      copyRowsF32(program, { dst: c.work('x'), src: this.work('x') + start * I * 4 }, T, rows * I, rows * I, B * I);
      if (mask) copyRowsF32(program, { dst: c.work('mask'), src: mask + start * 4 }, T, rows, rows, B);
      for (const name of this.stateNames) {
        const region = name === 'h' ? 'hAll' : 'cAll';
        copyRowsF32(program, { dst: c.work(region), src: this.work(region) + start * H * 4 }, 1, rows * H, rows * H, B * H);
      }
      this.runForward(c, T, rows, mask ? c.work('mask') : 0);
      copyRowsF32(program, { dst: this.work('hAll') + (B + start) * H * 4, src: c.work('hAll') + rows * H * 4 }, T, rows * H, B * H, rows * H);
      if (this.stateNames.includes('c')) {
        copyRowsF32(program, { dst: this.work('cAll') + (T * B + start) * H * 4, src: c.work('cAll') + T * rows * H * 4 }, 1, rows * H, B * H, rows * H);
      }
      return program;
    });
    this.backend.runShards(programs);
  }

  /**
   * Each shard: gather its rows of dOutput and dFinal, run the T steps backward on its own buffers
   * (phase 'steps'), scatter the initial-state gradients and the per-row results the weight phase
   * reads (stepResults) back. The weight phase follows (#weightsInParts).
   */
  #backwardShards(T: number, B: number, hasDOutput: boolean): void {
    const H = this.units;
    const programs = this.#shards.map(({ start, rows }, k) => {
      const program = new ShardProgram();
      const c = this.#shardContext(program, k);
      if (hasDOutput) copyRowsF32(program, { dst: c.work('dOutput'), src: this.work('dOutput') + start * H * 4 }, T, rows * H, rows * H, B * H);
      for (const name of this.stateNames) {
        const region = name === 'h' ? 'dh' : 'dc';
        copyRowsF32(program, { dst: c.work(region), src: this.work(region) + start * H * 4 }, 1, rows * H, rows * H, B * H);
      }
      this.runBackward(c, T, rows, hasDOutput, this.#mask ? c.work('mask') : 0, 'steps');
      for (const name of this.stateNames) {
        const region = name === 'h' ? 'dh' : 'dc';
        copyRowsF32(program, { dst: this.work(region) + start * H * 4, src: c.work(region) }, 1, rows * H, B * H, rows * H);
      }
      for (const [region, width] of this.stepResults()) {
        copyRowsF32(program, { dst: this.work(region) + start * width * 4, src: c.work(region) }, T, rows * width, B * width, rows * width);
      }
      return program;
    });
    this.backend.runShards(programs);
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

  /**
   * Lays out the regions for (T, B), growing (never shrinking) the workspace if they do not fit.
   * With threads, a batch of more than one shard (shards.ts) has, besides the full batch's regions,
   * every region once more per shard (`name#k`), sized for the shard's rows.
   */
  #ensureWorkspace(where: string, T: number, B: number): void {
    // The regions depend on T and B only (inputSize, units, the variant and the backend's threads are fixed): the same (T, B) keeps the layout and its shards.
    const key = `${T},${B}`;
    if (this.workspace.laidOutFor(key)) return;
    const I = this.inputSize;
    const H = this.units;
    // Shards only pay with more than one thread; their bits are the unsharded kernel's anyway.
    const shards = this.backend.threads.count > 1 && this.shardable() ? shardPlan(B, T * B * H * (I + H)) : [{ start: 0, rows: B }];
    const own = (rows: number): Record<string, Size> => ({
      x: sizeProduct(T, rows, I), hAll: sizeProduct(T + 1, rows, H), dOutput: sizeProduct(T, rows, H), dX: sizeProduct(T, rows, I),
      dh: sizeProduct(rows, H), mask: sizeProduct(T, rows), dhCarry: sizeProduct(rows, H),
    });
    const regions: Record<string, Size> = { ...own(B), dFinalSum: sizeProduct(B, H), ...this.workRegions(T, B) };
    if (shards.length > 1) {
      shards.forEach(({ rows }, k) => {
        for (const [name, size] of Object.entries({ ...own(rows), ...this.workRegions(T, rows) })) regions[`${name}#${k}`] = size;
      });
    }
    this.workspace.layout(regions, where, `the workspace for a batch of ${B} sequences × ${T} time steps (inputSize ${I}, units ${H})`, key);
    this.#shards = shards;
  }
}

/** [B, T, F] → [T, B, F] into `out` at `offset`. */
function toTimeMajor(src: Float32Array, out: Float32Array, offset: number, B: number, T: number, F: number): void {
  if (B === 1) {
    out.set(src.subarray(0, T * F), offset); // one sequence: the same layout
    return;
  }
  for (let b = 0; b < B; b++) {
    for (let t = 0; t < T; t++) out.set(src.subarray((b * T + t) * F, (b * T + t + 1) * F), offset + (t * B + b) * F);
  }
}

/** [T, B, F] at `offset` of `src` → [B, T, F] in `out`. */
function fromTimeMajor(src: Float32Array, offset: number, out: Float32Array, B: number, T: number, F: number): void {
  if (B === 1) {
    out.set(src.subarray(offset, offset + T * F)); // one sequence: the same layout
    return;
  }
  for (let t = 0; t < T; t++) {
    for (let b = 0; b < B; b++) out.set(src.subarray(offset + (t * B + b) * F, offset + (t * B + b + 1) * F), (b * T + t) * F);
  }
}

/** `n` floats at `dst` from a copy (Float32Array), a pointer (number), or zeros (undefined). */
function writeFloats(backend: Backend, dst: number, source: Float32Array | number | undefined, n: number): void {
  if (source === undefined) backend.fillFloats(dst, n, 0);
  else if (typeof source === 'number') backend.copyFloats(dst, source, n);
  else backend.heapF32().set(source.subarray(0, n), dst >>> 2);
}
