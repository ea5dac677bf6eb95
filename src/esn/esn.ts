// Echo State Network (Jaeger 2001, with leak; Lukoševičius, "A Practical Guide
// to Applying Echo State Networks", 2012). The reservoir lives in linear memory
// (CSR, or dense when density ≥ 0.35); state collection, XᵀX / XᵀY
// accumulation (f64), the ridge solve (f64 Cholesky), closed-loop generation
// and RLS run in assembly/esn.ts, one call per sequence.
//
//   x(t) = (1 − a)·x(t−1) + a·tanh(W_in·u(t) + W·x(t−1) + W_back·y(t−1) + b + ν(t))
//   y(t) = g(W_out·[1; u(t); x(t)]),   g = identity or tanh
//
// Reservoir construction (seeded; one Random stream per matrix, new Random(seed, k)):
//   k = 0  W0: every row has exactly max(1, round(density·N)) non-zeros at distinct
//          uniformly drawn columns, values U[−1, 1]; W = spectralRadius·W0/ρ(W0), with ρ
//          from Arnoldi + complex QR (src/esn/eigen.ts; k = 5 draws its start vector).
//   k = 1  W_in [I, N]: each entry U[−inputScaling, inputScaling] with probability inputDensity, else 0.
//   k = 2  b [N]: U[−biasScaling, biasScaling].
//   k = 3  W_back [O, N]: U[−feedbackScaling, feedbackScaling] (absent when feedbackScaling = 0).
//   k = 4  state noise ν: U[−stateNoise, stateNoise] per unit and step, during fit/fitOnline only.
import { Backend } from '../engine/backend.js';
import { checkBoolean, checkFinite, checkInt, describe, readSeed } from '../errors.js';
import { defaultBackend } from '../engine/init.js';
import { Random } from '../random.js';
import { readTensor, type Tensor, type TensorLike } from '../tensor.js';
import { spectralRadiusOf } from './eigen.js';
import { RawBlock, Scope } from './memory.js';
import { exportsOf } from '../engine/exports.js';

export type EsnOutputActivation = 'identity' | 'tanh';

export interface EchoStateNetworkOptions {
  /** Input features per step, I. */
  inputSize: number;
  /** Outputs per step, O (default 1). */
  outputSize?: number;
  /** Reservoir size N. */
  units: number;
  /** Spectral radius of W (default 0.9). Alias: sr. */
  spectralRadius?: number;
  sr?: number;
  /** Leak rate a ∈ (0, 1] (default 1: no leak). Alias: lr. */
  leakRate?: number;
  lr?: number;
  /** Fraction of non-zeros in W, (0, 1] (default 0.1). */
  density?: number;
  /** W_in entries are U[−inputScaling, inputScaling] (default 1). */
  inputScaling?: number;
  /** Fraction of non-zeros in W_in, (0, 1] (default 1). */
  inputDensity?: number;
  /** Bias entries are U[−biasScaling, biasScaling] (default 0). */
  biasScaling?: number;
  /** W_back entries are U[−feedbackScaling, feedbackScaling]; 0 = no output feedback (default). */
  feedbackScaling?: number;
  /** Ridge λ ≥ 0 (default 1e-6); the bias column is not regularised; 0 = least squares. */
  ridge?: number;
  /** Steps discarded at the start of every training sequence (default 0). Alias: warmup. */
  washout?: number;
  warmup?: number;
  /** Reservoir nonlinearity (only 'tanh'). */
  activation?: 'tanh';
  /** g: 'identity' (default) or 'tanh' (targets must lie in (−1, 1); fit on atanh(targets)). */
  outputActivation?: EsnOutputActivation;
  /** Amplitude of uniform noise added to the pre-activations while fitting (default 0). */
  stateNoise?: number;
  /** Seed of every random matrix (default 0). */
  seed?: number;
  /** Backend to live in (default: the one `init()` loaded). */
  backend?: Backend;
}

export interface FitOnlineOptions {
  /** RLS forgetting factor λ ∈ (0, 1] (default 1: no forgetting). */
  forgettingFactor?: number;
  /** Initial P = I/δ, δ > 0 (default 1e-2; with λ = 1 this is ridge regression with penalty δ on every weight). */
  delta?: number;
}

export interface GenerateOptions {
  /** Inputs [T, I] that drive the reservoir (feedback = its own outputs) before the closed loop starts. */
  warmup?: TensorLike;
}

/** The saved form (toJSON / fromJSON). */
export interface EchoStateNetworkJSON {
  format: typeof FORMAT;
  version: typeof VERSION;
  options: Required<Omit<EchoStateNetworkOptions, 'sr' | 'lr' | 'warmup' | 'backend'>>;
  reservoir: {
    values: number[];
    columns: number[];
    rowStart: number[];
    inputWeights: number[];
    feedbackWeights: number[] | null;
    bias: number[];
  };
  readout: { trained: boolean; weights: number[] };
  state: { x: number[]; feedback: number[] };
}

const FORMAT = 'rnn-wasm/EchoStateNetwork';
/** W is stored dense in linear memory from this density on, CSR below. */
const DENSE_FROM_DENSITY = 0.35;
const VERSION = 1;
const OPTION_KEYS = [
  'inputSize', 'outputSize', 'units', 'spectralRadius', 'sr', 'leakRate', 'lr', 'density', 'inputScaling', 'inputDensity',
  'biasScaling', 'feedbackScaling', 'ridge', 'washout', 'warmup', 'activation', 'outputActivation', 'stateNoise', 'seed', 'backend',
];

interface ReservoirArrays {
  values: Float32Array;
  columns: Int32Array;
  rowStart: Int32Array;
  inputWeights: Float32Array; // [I, N]
  feedbackWeights: Float32Array | null; // [O, N]
  bias: Float32Array;
}

const LOADED = Symbol('loaded');

interface Sequence {
  u: Float32Array;
  d: Float32Array | null;
  T: number;
}

export class EchoStateNetwork {
  readonly inputSize: number;
  readonly outputSize: number;
  readonly units: number;
  readonly spectralRadius: number;
  readonly leakRate: number;
  readonly density: number;
  readonly inputScaling: number;
  readonly inputDensity: number;
  readonly biasScaling: number;
  readonly feedbackScaling: number;
  readonly ridge: number;
  readonly washout: number;
  readonly activation = 'tanh' as const;
  readonly outputActivation: EsnOutputActivation;
  readonly stateNoise: number;
  readonly seed: number;
  readonly backend: Backend;
  /** Whether W is stored dense in linear memory (density ≥ 0.35) rather than CSR. */
  readonly denseReservoir: boolean;

  #reservoir: ReservoirArrays;
  #blocks: RawBlock[] = [];
  #wIn: RawBlock;
  #wBack: RawBlock | null;
  #bias: RawBlock;
  #wVal: RawBlock | null;
  #wCol: RawBlock | null;
  #wRow: RawBlock | null;
  #wDense: RawBlock | null;
  #state: RawBlock; // f32 [N]
  #feedback: RawBlock; // f32 [O]
  #pre: RawBlock; // f32 [N]
  #wOut: RawBlock; // f64 [O, F]
  #trained = false;
  #rls: { P: RawBlock; z: RawBlock; pz: RawBlock } | null = null;
  #onlineSteps = 0;
  #noise: Random;
  #disposed = false;

  constructor(options: EchoStateNetworkOptions, loaded?: { [LOADED]: ReservoirArrays }) {
    const where = 'EchoStateNetwork';
    if (options === null || typeof options !== 'object') throw new TypeError(`${where}: options must be an object, got ${describe(options)}`);
    for (const key of Object.keys(options)) {
      if (!OPTION_KEYS.includes(key)) throw new RangeError(`${where}: unknown option '${key}' (known: ${OPTION_KEYS.join(', ')})`);
    }
    const o = options as EchoStateNetworkOptions;
    this.inputSize = checkInt(where, 'options.inputSize', o.inputSize, 1);
    this.outputSize = o.outputSize === undefined ? 1 : checkInt(where, 'options.outputSize', o.outputSize, 1);
    this.units = checkInt(where, 'options.units', o.units, 1, 1 << 15);
    this.spectralRadius = nonNegative(where, 'options.spectralRadius', alias(where, o, 'spectralRadius', 'sr', 0.9));
    this.leakRate = inUnit(where, 'options.leakRate', alias(where, o, 'leakRate', 'lr', 1));
    this.density = inUnit(where, 'options.density', o.density ?? 0.1);
    this.inputScaling = nonNegative(where, 'options.inputScaling', o.inputScaling ?? 1);
    this.inputDensity = inUnit(where, 'options.inputDensity', o.inputDensity ?? 1);
    this.biasScaling = nonNegative(where, 'options.biasScaling', o.biasScaling ?? 0);
    this.feedbackScaling = nonNegative(where, 'options.feedbackScaling', o.feedbackScaling ?? 0);
    this.ridge = nonNegative(where, 'options.ridge', o.ridge ?? 1e-6);
    const washout = alias(where, o, 'washout', 'warmup', 0);
    this.washout = checkInt(where, 'options.washout', washout, 0);
    if (o.activation !== undefined && o.activation !== 'tanh') {
      throw new RangeError(`${where}: options.activation must be 'tanh', got ${describe(o.activation)}`);
    }
    const g = o.outputActivation ?? 'identity';
    if (g !== 'identity' && g !== 'tanh') {
      throw new RangeError(`${where}: options.outputActivation must be 'identity' or 'tanh', got ${describe(g)}`);
    }
    this.outputActivation = g;
    this.stateNoise = nonNegative(where, 'options.stateNoise', o.stateNoise ?? 0);
    this.seed = readSeed(where, 'options.seed', o.seed);
    this.backend = o.backend ?? defaultBackend();
    if (!(this.backend instanceof Backend)) throw new TypeError(`${where}: options.backend must be a Backend, got ${describe(o.backend)}`);
    const N = this.units;
    // Dense rows (f32x4 dot products) beat CSR gathers from density ≈ 0.3–0.4 on, whatever N
    // (measured for N = 16–512 on the SIMD build); below that CSR wins even for small N.
    this.denseReservoir = this.density >= DENSE_FROM_DENSITY;
    this.#reservoir = loaded ? loaded[LOADED] : this.#generate(where);
    this.#noise = new Random(this.seed, 4);

    // Linear memory: everything below is owned by this model and freed by dispose().
    const r = this.#reservoir;
    const block = (bytes: number): RawBlock => {
      const b = new RawBlock(this.backend, bytes);
      this.#blocks.push(b);
      return b;
    };
    try {
      this.#wIn = block(r.inputWeights.length * 4);
      this.#wIn.f32().set(r.inputWeights);
      this.#wBack = r.feedbackWeights ? block(r.feedbackWeights.length * 4) : null;
      if (this.#wBack) this.#wBack.f32().set(r.feedbackWeights!);
      this.#bias = block(N * 4);
      this.#bias.f32().set(r.bias);
      if (this.denseReservoir) {
        this.#wDense = block(N * N * 4);
        const dense = this.#wDense.f32();
        for (let i = 0; i < N; i++) for (let k = r.rowStart[i]; k < r.rowStart[i + 1]; k++) dense[i * N + r.columns[k]] = r.values[k];
        this.#wVal = this.#wCol = this.#wRow = null;
      } else {
        this.#wDense = null;
        this.#wVal = block(r.values.length * 4);
        this.#wVal.f32().set(r.values);
        this.#wCol = block(r.columns.length * 4);
        this.#wCol.i32().set(r.columns);
        this.#wRow = block((N + 1) * 4);
        this.#wRow.i32().set(r.rowStart);
      }
      this.#state = block(N * 4);
      this.#feedback = block(this.outputSize * 4);
      this.#pre = block(N * 4);
      this.#wOut = block(this.outputSize * this.#features * 8);
    } catch (error) {
      for (const b of this.#blocks) b.dispose();
      throw error;
    }
  }

  /** F = 1 + I + N readout features: [1; u; x]. */
  get #features(): number {
    return 1 + this.inputSize + this.units;
  }

  /** Whether a readout has been fitted (fit, fitOnline or a loaded model). */
  get trained(): boolean {
    return this.#trained;
  }

  #generate(where: string): ReservoirArrays {
    const N = this.units;
    const I = this.inputSize;
    const O = this.outputSize;
    const perRow = Math.max(1, Math.round(this.density * N));
    const wRandom = new Random(this.seed, 0);
    const columns = new Int32Array(perRow * N);
    const rowStart = new Int32Array(N + 1);
    const raw = new Float64Array(perRow * N);
    const chosen = new Set<number>();
    for (let i = 0; i < N; i++) {
      // Floyd's algorithm: perRow distinct columns, each subset equally likely.
      chosen.clear();
      for (let j = N - perRow; j < N; j++) {
        const t = Math.floor(wRandom.uniform() * (j + 1));
        chosen.add(chosen.has(t) ? j : t);
      }
      const cols = [...chosen].sort((a, b) => a - b);
      for (let k = 0; k < perRow; k++) {
        columns[i * perRow + k] = cols[k];
        raw[i * perRow + k] = wRandom.range(-1, 1);
      }
      rowStart[i + 1] = (i + 1) * perRow;
    }
    const values = new Float32Array(raw.length);
    if (this.spectralRadius > 0) {
      const rho = spectralRadiusOf({ n: N, values: raw, columns, rowStart }, new Random(this.seed, 5));
      if (!(rho > 1e-12)) {
        throw new RangeError(
          `${where}: the random reservoir (units ${N}, density ${this.density}, seed ${this.seed}) has spectral radius ${rho}; ` +
            `it cannot be scaled to spectralRadius ${this.spectralRadius} (raise density or change seed)`,
        );
      }
      const scale = this.spectralRadius / rho;
      for (let k = 0; k < raw.length; k++) values[k] = raw[k] * scale;
    }
    const inRandom = new Random(this.seed, 1);
    const inputWeights = new Float32Array(I * N);
    for (let k = 0; k < inputWeights.length; k++) {
      const keep = this.inputDensity >= 1 || inRandom.uniform() < this.inputDensity;
      const v = inRandom.range(-this.inputScaling, this.inputScaling);
      inputWeights[k] = keep ? v : 0;
    }
    const biasRandom = new Random(this.seed, 2);
    const bias = new Float32Array(N);
    for (let i = 0; i < N; i++) bias[i] = biasRandom.range(-this.biasScaling, this.biasScaling);
    let feedbackWeights: Float32Array | null = null;
    if (this.feedbackScaling > 0) {
      const backRandom = new Random(this.seed, 3);
      feedbackWeights = new Float32Array(O * N);
      for (let k = 0; k < feedbackWeights.length; k++) feedbackWeights[k] = backRandom.range(-this.feedbackScaling, this.feedbackScaling);
    }
    return { values, columns, rowStart, inputWeights, feedbackWeights, bias };
  }

  // ---- public API ----

  /**
   * Fits the readout by ridge regression on one sequence (inputs [T, I], targets [T, O])
   * or several (arrays of those; lengths may differ). Every sequence starts from a zero
   * state and zero feedback, is teacher-forced (the target d(t) is fed back after step t),
   * and its first `washout` steps are not used. Afterwards the model's state is the state
   * at the end of the last sequence and the next fed-back value / input is its last target.
   */
  fit(inputs: TensorLike | TensorLike[], targets: TensorLike | TensorLike[]): this {
    const where = 'EchoStateNetwork.fit';
    this.#checkAlive(where);
    const seqs = this.#readPairs(where, inputs, targets);
    for (let s = 0; s < seqs.length; s++) {
      if (this.washout >= seqs[s].T) {
        throw new RangeError(`${where}: washout ${this.washout} must be less than the length of every sequence, but sequence ${s} has ${seqs[s].T} time steps`);
      }
    }
    // Validation done. Keep what a failed solve must restore.
    const saved = this.#saveState();
    const N = this.units, I = this.inputSize, O = this.outputSize, F = this.#features;
    const KB = exportsOf(this.backend).esn_block_steps();
    const maxT = Math.max(...seqs.map((q) => q.T));
    const scope = new Scope(this.backend);
    try {
      const xtx = scope.f64(F * F);
      const xty = scope.f64(F * O);
      const zblk = scope.f64(F * KB);
      const dblk = scope.f64(O * KB);
      const u = scope.f32(maxT * I);
      const teacher = scope.f32(maxT * O);
      const goal = scope.f64(maxT * O);
      const noise = this.stateNoise > 0 ? scope.f32(maxT * N) : null;
      for (const q of seqs) {
        this.#zeroState();
        u.f32().set(q.u);
        teacher.f32().set(q.d!);
        goal.f64().set(this.#transformTargets(q.d!));
        if (noise) this.#drawNoise(noise, q.T);
        this.#collect({ u: u.ptr, teacher: teacher.ptr, targets: goal.ptr, noise: noise?.ptr ?? 0, xtx: xtx.ptr, xty: xty.ptr, zblk: zblk.ptr, dblk: dblk.ptr, T: q.T, washout: this.washout });
      }
      const out = scope.f64(F * O);
      const work = scope.f64(F * F);
      const tmp = scope.f64(F);
      const perm = scope.i32(F);
      exportsOf(this.backend).esn_ridge_solve(out.ptr, work.ptr, tmp.ptr, perm.ptr, xtx.ptr, xty.ptr, F, O, this.ridge);
      const weights = out.f64();
      for (let k = 0; k < weights.length; k++) {
        if (!Number.isFinite(weights[k])) {
          throw new RangeError(`${where}: the ridge solve produced ${weights[k]} (the states are degenerate or λ = ${this.ridge} is too small); the model is unchanged`);
        }
      }
      this.#wOut.f64().set(weights);
    } catch (error) {
      this.#restoreState(saved);
      throw error;
    } finally {
      scope.dispose();
    }
    this.#trained = true;
    this.#disposeRls();
    return this;
  }

  /**
   * Online readout training by recursive least squares (forgetting factor λ, initial
   * P = I/δ), one update per step, continuing from the current state, readout and P.
   * The first `washout` steps the online learner ever sees are not used.
   */
  fitOnline(inputs: TensorLike, targets: TensorLike, options: FitOnlineOptions = {}): this {
    const where = 'EchoStateNetwork.fitOnline';
    this.#checkAlive(where);
    if (options === null || typeof options !== 'object') throw new TypeError(`${where}: options must be an object, got ${describe(options)}`);
    const forget = checkFinite(where, 'options.forgettingFactor', options.forgettingFactor ?? 1);
    if (!(forget > 0 && forget <= 1)) throw new RangeError(`${where}: options.forgettingFactor must be in (0, 1], got ${forget}`);
    const delta = checkFinite(where, 'options.delta', options.delta ?? 1e-2);
    if (!(delta > 0)) throw new RangeError(`${where}: options.delta must be > 0, got ${delta}`);
    const [q] = this.#readPairs(where, inputs, targets, false);
    const F = this.#features, O = this.outputSize, N = this.units;
    const washout = Math.max(0, this.washout - this.#onlineSteps);
    const saved = this.#saveState();
    const savedW = this.#wOut.f64().slice();
    const savedP = this.#rls ? this.#rls.P.f64().slice() : null;
    const scope = new Scope(this.backend);
    try {
      if (!this.#rls) {
        this.#rls = { P: new RawBlock(this.backend, F * F * 8), z: new RawBlock(this.backend, F * 8), pz: new RawBlock(this.backend, F * 8) };
        const P = this.#rls.P.f64();
        for (let i = 0; i < F; i++) P[i * F + i] = 1 / delta;
      }
      const u = scope.f32(q.u);
      const teacher = scope.f32(q.d!);
      const goal = scope.f64(q.T * O);
      goal.f64().set(this.#transformTargets(q.d!));
      const noise = this.stateNoise > 0 ? scope.f32(q.T * N) : null;
      if (noise) this.#drawNoise(noise, q.T);
      this.#collect({ u: u.ptr, teacher: teacher.ptr, targets: goal.ptr, noise: noise?.ptr ?? 0, rls: this.#rls, T: q.T, washout, forget });
      const w = this.#wOut.f64();
      for (let k = 0; k < w.length; k++) {
        if (!Number.isFinite(w[k])) throw new RangeError(`${where}: RLS produced ${w[k]}; the model is unchanged (try a larger delta or forgettingFactor)`);
      }
    } catch (error) {
      this.#restoreState(saved);
      this.#wOut.f64().set(savedW);
      if (savedP && this.#rls) this.#rls.P.f64().set(savedP);
      else this.#disposeRls();
      throw error;
    } finally {
      scope.dispose();
    }
    this.#onlineSteps += q.T;
    this.#trained = true;
    return this;
  }

  /** Driven run from the current state: inputs [T, I] → outputs [T, O]; fed-back values are the model's own outputs. */
  predict(inputs: TensorLike): Tensor {
    const where = 'EchoStateNetwork.predict';
    this.#checkAlive(where);
    this.#checkTrained(where);
    const u = this.#readInputs(where, 'inputs', inputs);
    return { data: this.#drive(u, false).outputs!, shape: [u.T, this.outputSize] };
  }

  /** Driven run from the current state returning the reservoir states x(t), [T, N]. */
  run(inputs: TensorLike): Tensor {
    const where = 'EchoStateNetwork.run';
    this.#checkAlive(where);
    const u = this.#readInputs(where, 'inputs', inputs);
    return { data: this.#drive(u, true).states!, shape: [u.T, this.units] };
  }

  /**
   * Closed loop for `steps` steps (needs inputSize = outputSize): each output is the next
   * input (and, with feedback, also goes back through W_back). `warmup` inputs, if given,
   * first drive the reservoir from the current state. Returns [steps, O].
   */
  generate(steps: number, options: GenerateOptions = {}): Tensor {
    const where = 'EchoStateNetwork.generate';
    this.#checkAlive(where);
    checkInt(where, 'steps', steps, 1);
    if (options === null || typeof options !== 'object') throw new TypeError(`${where}: options must be an object, got ${describe(options)}`);
    if (this.inputSize !== this.outputSize) {
      throw new RangeError(`${where}: the closed loop feeds outputs back as inputs, so inputSize (${this.inputSize}) must equal outputSize (${this.outputSize})`);
    }
    this.#checkTrained(where);
    const warm = options.warmup === undefined ? null : this.#readInputs(where, 'options.warmup', options.warmup);
    if (warm) this.#drive(warm, false);
    const O = this.outputSize;
    const scope = new Scope(this.backend);
    try {
      const out = scope.f32(steps * O);
      const w = this.#weightPointers();
      exportsOf(this.backend).esn_generate(
        out.ptr, this.#state.ptr, this.#feedback.ptr, this.#pre.ptr, 0,
        w.wIn, w.wBack, w.bias, w.wVal, w.wCol, w.wRow, w.wDense, this.#wOut.ptr,
        steps, this.units, this.inputSize, O, this.leakRate, this.denseReservoir ? 1 : 0, this.outputActivation === 'tanh' ? 1 : 0, w.wBack ? 1 : 0,
      );
      return { data: out.f32().slice(), shape: [steps, O] };
    } finally {
      scope.dispose();
    }
  }

  /** Zero state x and zero fed-back output. Keeps the readout. */
  resetState(): void {
    this.#checkAlive('EchoStateNetwork.resetState');
    this.#zeroState();
  }

  /** The current reservoir state x, a copy. */
  get state(): Float32Array {
    this.#checkAlive('EchoStateNetwork.state');
    return this.#state.f32().slice();
  }

  /** Copies of the reservoir matrices (W in CSR; W_in [I, N]; W_back [O, N] or null; b). */
  getReservoir(): { values: Float32Array; columns: Int32Array; rowStart: Int32Array; inputWeights: Float32Array; feedbackWeights: Float32Array | null; bias: Float32Array } {
    const r = this.#reservoir;
    return {
      values: r.values.slice(), columns: r.columns.slice(), rowStart: r.rowStart.slice(), inputWeights: r.inputWeights.slice(),
      feedbackWeights: r.feedbackWeights ? r.feedbackWeights.slice() : null, bias: r.bias.slice(),
    };
  }

  /** The readout W_out [O, 1 + I + N] (columns: bias, inputs, units), f64, a copy. */
  getReadout(): Float64Array {
    this.#checkAlive('EchoStateNetwork.getReadout');
    return this.#wOut.f64().slice();
  }

  toJSON(): EchoStateNetworkJSON {
    this.#checkAlive('EchoStateNetwork.toJSON');
    const r = this.#reservoir;
    return {
      format: FORMAT,
      version: VERSION,
      options: {
        inputSize: this.inputSize, outputSize: this.outputSize, units: this.units, spectralRadius: this.spectralRadius,
        leakRate: this.leakRate, density: this.density, inputScaling: this.inputScaling, inputDensity: this.inputDensity,
        biasScaling: this.biasScaling, feedbackScaling: this.feedbackScaling, ridge: this.ridge, washout: this.washout,
        activation: 'tanh', outputActivation: this.outputActivation, stateNoise: this.stateNoise, seed: this.seed,
      },
      reservoir: {
        values: Array.from(r.values), columns: Array.from(r.columns), rowStart: Array.from(r.rowStart),
        inputWeights: Array.from(r.inputWeights), feedbackWeights: r.feedbackWeights ? Array.from(r.feedbackWeights) : null, bias: Array.from(r.bias),
      },
      readout: { trained: this.#trained, weights: Array.from(this.#wOut.f64()) },
      state: { x: Array.from(this.#state.f32()), feedback: Array.from(this.#feedback.f32()) },
    };
  }

  /** Rebuilds a model saved by toJSON(); everything is validated before anything is allocated. */
  static fromJSON(json: unknown, options: { backend?: Backend } = {}): EchoStateNetwork {
    const where = 'EchoStateNetwork.fromJSON';
    const j = (typeof json === 'string' ? parseJSON(where, json) : json) as EchoStateNetworkJSON;
    if (j === null || typeof j !== 'object') throw new TypeError(`${where}: expected a saved EchoStateNetwork object, got ${describe(j)}`);
    if (j.format !== FORMAT) throw new RangeError(`${where}: format must be ${JSON.stringify(FORMAT)}, got ${describe(j.format)}`);
    if (j.version !== VERSION) throw new RangeError(`${where}: unsupported version ${describe(j.version)} (this library reads version ${VERSION})`);
    for (const key of ['options', 'reservoir', 'readout', 'state'] as const) {
      if (j[key] === null || typeof j[key] !== 'object') throw new TypeError(`${where}: ${key} must be an object, got ${describe(j[key])}`);
    }
    const opts = { ...j.options } as EchoStateNetworkOptions;
    // Validate the options the same way the constructor does, but without building a reservoir.
    const N = checkInt(where, 'options.units', opts.units, 1, 1 << 15);
    const I = checkInt(where, 'options.inputSize', opts.inputSize, 1);
    const O = checkInt(where, 'options.outputSize', opts.outputSize, 1);
    const F = 1 + I + N;
    const rs = j.reservoir;
    const rowStart = numbers(where, 'reservoir.rowStart', rs.rowStart, N + 1, true);
    const nnz = rowStart[N];
    if (rowStart[0] !== 0) throw new RangeError(`${where}: reservoir.rowStart[0] must be 0, got ${rowStart[0]}`);
    for (let i = 0; i < N; i++) {
      if (!(rowStart[i + 1] >= rowStart[i])) throw new RangeError(`${where}: reservoir.rowStart must be non-decreasing (index ${i + 1})`);
    }
    const columns = numbers(where, 'reservoir.columns', rs.columns, nnz, true);
    for (let k = 0; k < nnz; k++) {
      if (columns[k] < 0 || columns[k] >= N) throw new RangeError(`${where}: reservoir.columns[${k}] is ${columns[k]}, must be in [0, ${N - 1}]`);
    }
    const reservoir: ReservoirArrays = {
      values: Float32Array.from(numbers(where, 'reservoir.values', rs.values, nnz)),
      columns: Int32Array.from(columns),
      rowStart: Int32Array.from(rowStart),
      inputWeights: Float32Array.from(numbers(where, 'reservoir.inputWeights', rs.inputWeights, I * N)),
      feedbackWeights: rs.feedbackWeights === null ? null : Float32Array.from(numbers(where, 'reservoir.feedbackWeights', rs.feedbackWeights, O * N)),
      bias: Float32Array.from(numbers(where, 'reservoir.bias', rs.bias, N)),
    };
    if ((reservoir.feedbackWeights !== null) !== (opts.feedbackScaling !== undefined && opts.feedbackScaling > 0)) {
      throw new RangeError(`${where}: reservoir.feedbackWeights must be present exactly when options.feedbackScaling > 0`);
    }
    const trained = checkBoolean(where, 'readout.trained', j.readout.trained);
    const weights = numbers(where, 'readout.weights', j.readout.weights, O * F);
    const x = numbers(where, 'state.x', j.state.x, N);
    const feedback = numbers(where, 'state.feedback', j.state.feedback, O);
    const model = new EchoStateNetwork({ ...opts, backend: options.backend }, { [LOADED]: reservoir });
    model.#wOut.f64().set(weights);
    model.#state.f32().set(x);
    model.#feedback.f32().set(feedback);
    model.#trained = trained;
    return model;
  }

  get disposed(): boolean {
    return this.#disposed;
  }

  /** Frees every buffer this model holds in linear memory. Safe to call twice. */
  dispose(): void {
    if (this.#disposed) return;
    for (const b of this.#blocks) b.dispose();
    this.#blocks = [];
    this.#disposeRls();
    this.#disposed = true;
  }

  // ---- internals ----

  #disposeRls(): void {
    if (this.#rls) {
      this.#rls.P.dispose();
      this.#rls.z.dispose();
      this.#rls.pz.dispose();
      this.#rls = null;
    }
    this.#onlineSteps = 0;
  }

  #weightPointers(): { wIn: number; wBack: number; bias: number; wVal: number; wCol: number; wRow: number; wDense: number } {
    return {
      wIn: this.#wIn.ptr, wBack: this.#wBack?.ptr ?? 0, bias: this.#bias.ptr,
      wVal: this.#wVal?.ptr ?? 0, wCol: this.#wCol?.ptr ?? 0, wRow: this.#wRow?.ptr ?? 0, wDense: this.#wDense?.ptr ?? 0,
    };
  }

  #collect(a: {
    u: number; teacher?: number; targets?: number; noise?: number; states?: number; outputs?: number;
    xtx?: number; xty?: number; zblk?: number; dblk?: number; rls?: { P: RawBlock; z: RawBlock; pz: RawBlock }; T: number; washout?: number; forget?: number;
  }): void {
    const w = this.#weightPointers();
    exportsOf(this.backend).esn_collect(
      a.states ?? 0, a.outputs ?? 0, a.xtx ?? 0, a.xty ?? 0, a.zblk ?? 0, a.dblk ?? 0,
      a.rls?.P.ptr ?? 0, a.rls?.z.ptr ?? 0, a.rls?.pz.ptr ?? 0,
      this.#state.ptr, this.#feedback.ptr, this.#pre.ptr,
      a.u, a.teacher ?? 0, a.targets ?? 0, a.noise ?? 0,
      w.wIn, w.wBack, w.bias, w.wVal, w.wCol, w.wRow, w.wDense, this.#wOut.ptr,
      a.T, this.units, this.inputSize, this.outputSize, a.washout ?? 0, this.leakRate,
      this.denseReservoir ? 1 : 0, this.outputActivation === 'tanh' ? 1 : 0, w.wBack ? 1 : 0, a.forget ?? 1,
    );
  }

  /** Driven run (no teacher): outputs (when trained) or states. */
  #drive(q: Sequence, wantStates: boolean): { outputs?: Float32Array; states?: Float32Array } {
    const scope = new Scope(this.backend);
    try {
      const u = scope.f32(q.u);
      const outputs = this.#trained && !wantStates ? scope.f32(q.T * this.outputSize) : null;
      const states = wantStates ? scope.f32(q.T * this.units) : null;
      this.#collect({ u: u.ptr, outputs: outputs?.ptr, states: states?.ptr, T: q.T });
      return { outputs: outputs?.f32().slice(), states: states?.f32().slice() };
    } finally {
      scope.dispose();
    }
  }

  #transformTargets(d: Float32Array): Float64Array {
    const out = new Float64Array(d.length);
    if (this.outputActivation === 'tanh') for (let k = 0; k < d.length; k++) out[k] = Math.atanh(d[k]);
    else out.set(d);
    return out;
  }

  #drawNoise(block: RawBlock, T: number): void {
    const values = new Float32Array(T * this.units);
    for (let k = 0; k < values.length; k++) values[k] = this.#noise.range(-this.stateNoise, this.stateNoise);
    block.f32().set(values);
  }

  #zeroState(): void {
    this.#state.f32().fill(0);
    this.#feedback.f32().fill(0);
  }

  #saveState(): { x: Float32Array; feedback: Float32Array } {
    return { x: this.#state.f32().slice(), feedback: this.#feedback.f32().slice() };
  }

  #restoreState(s: { x: Float32Array; feedback: Float32Array }): void {
    this.#state.f32().set(s.x);
    this.#feedback.f32().set(s.feedback);
  }

  #readInputs(where: string, name: string, value: unknown): Sequence {
    const t = readTensor(where, name, value, [{ label: 'time steps' }, { label: 'inputSize', size: this.inputSize }]);
    return { u: t.data, d: null, T: t.shape[0] };
  }

  /** One sequence ([T, I] with [T, O]) or several (arrays of those), validated in full. */
  #readPairs(where: string, inputs: unknown, targets: unknown, allowSeveral = true): Sequence[] {
    const several = isSeveral(inputs);
    if (several && !allowSeveral) throw new TypeError(`${where}: inputs must be one sequence [T, inputSize], got several`);
    if (several !== isSeveral(targets)) {
      throw new TypeError(`${where}: inputs and targets must both be one sequence or both a list of sequences`);
    }
    const uList = several ? splitSeveral(where, 'inputs', inputs) : [inputs];
    const dList = several ? splitSeveral(where, 'targets', targets) : [targets];
    if (uList.length !== dList.length) throw new RangeError(`${where}: ${uList.length} input sequences but ${dList.length} target sequences`);
    const out: Sequence[] = [];
    for (let s = 0; s < uList.length; s++) {
      const suffix = several ? `[${s}]` : '';
      const u = readTensor(where, `inputs${suffix}`, uList[s], [{ label: 'time steps' }, { label: 'inputSize', size: this.inputSize }]);
      const d = readTensor(where, `targets${suffix}`, dList[s], [{ label: 'time steps' }, { label: 'outputSize', size: this.outputSize }]);
      if (u.shape[0] !== d.shape[0]) {
        throw new RangeError(`${where}: inputs${suffix} has ${u.shape[0]} time steps but targets${suffix} has ${d.shape[0]}`);
      }
      if (this.outputActivation === 'tanh') {
        for (let k = 0; k < d.data.length; k++) {
          if (!(Math.abs(d.data[k]) < 1)) {
            throw new RangeError(
              `${where}: outputActivation 'tanh' needs targets in (−1, 1) (they are fitted through atanh), ` +
                `but targets${suffix}[${Math.floor(k / this.outputSize)}][${k % this.outputSize}] is ${d.data[k]}`,
            );
          }
        }
      }
      out.push({ u: u.data, d: d.data, T: u.shape[0] });
    }
    return out;
  }

  #checkTrained(where: string): void {
    if (!this.#trained) throw new Error(`${where}: the readout is not trained; call fit() or fitOnline() first`);
  }

  #checkAlive(where: string): void {
    if (this.#disposed) throw new Error(`${where}: this EchoStateNetwork was disposed`);
  }
}

function isSeveral(value: unknown): boolean {
  if (Array.isArray(value)) {
    const first = value[0];
    if (Array.isArray(first) && Array.isArray(first[0])) return true;
    return first !== null && typeof first === 'object' && !Array.isArray(first) && 'shape' in first;
  }
  return value !== null && typeof value === 'object' && 'shape' in value && Array.isArray((value as { shape: unknown }).shape) && (value as { shape: unknown[] }).shape.length === 3;
}

/** A list of sequences: an array of 2-D tensors, or one { data, shape: [S, T, F] }. */
function splitSeveral(where: string, name: string, value: unknown): unknown[] {
  if (Array.isArray(value)) {
    if (value.length === 0) throw new RangeError(`${where}: ${name} is an empty list of sequences`);
    return value;
  }
  const t = readTensor(where, name, value, [{ label: 'sequences' }, { label: 'time steps' }, { label: 'features' }], false);
  const [S, T, Fd] = t.shape;
  const list: unknown[] = [];
  for (let s = 0; s < S; s++) list.push({ data: t.data.subarray(s * T * Fd, (s + 1) * T * Fd), shape: [T, Fd] });
  return list;
}

function alias(where: string, o: EchoStateNetworkOptions, name: keyof EchoStateNetworkOptions, short: keyof EchoStateNetworkOptions, fallback: number): number {
  const a = o[name] as number | undefined;
  const b = o[short] as number | undefined;
  if (a !== undefined && b !== undefined && a !== b) {
    throw new RangeError(`${where}: options.${name} (${describe(a)}) and its alias options.${short} (${describe(b)}) disagree; give one`);
  }
  return a ?? b ?? fallback;
}

function nonNegative(where: string, name: string, value: unknown): number {
  const v = checkFinite(where, name, value);
  if (v < 0) throw new RangeError(`${where}: ${name} must be ≥ 0, got ${v}`);
  return v;
}

function inUnit(where: string, name: string, value: unknown): number {
  const v = checkFinite(where, name, value);
  if (!(v > 0 && v <= 1)) throw new RangeError(`${where}: ${name} must be in (0, 1], got ${v}`);
  return v;
}

function parseJSON(where: string, text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new TypeError(`${where}: not valid JSON (${(error as Error).message})`);
  }
}

function numbers(where: string, name: string, value: unknown, length: number, integer = false): number[] {
  if (!Array.isArray(value)) throw new TypeError(`${where}: ${name} must be an array of ${length} numbers, got ${describe(value)}`);
  if (value.length !== length) throw new RangeError(`${where}: ${name} has ${value.length} values but the options need ${length}`);
  for (let k = 0; k < length; k++) {
    const v = value[k];
    if (typeof v !== 'number' || !Number.isFinite(v) || (integer && !Number.isInteger(v))) {
      throw new TypeError(`${where}: ${name}[${k}] must be a finite ${integer ? 'integer' : 'number'}, got ${describe(v)}`);
    }
  }
  return value as number[];
}
