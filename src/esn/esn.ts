// Echo State Network (Jaeger 2001, with leak; Lukoševičius, "A Practical Guide
// to Applying Echo State Networks", 2012): the model that joins the parts.
//
//   x(t) = (1 − a)·x(t−1) + a·f(W_in·u(t) + W·x(t−1) + W_back·y(t−1) + b + ν(t)),   f = tanh or identity
//   y(t) = g(W_out·z(t)),   g = identity or tanh
//   z(t) = the parts of [1; u(t); x(t); y(t−1)] options.readout.features selects (default [1; u; x])
//
// y(t−1), wherever it is used (through W_back into the reservoir, and as the readout's 'output'
// feature), is one value held in linear memory: the teacher d(t−1) while fitting (teacher forcing;
// the course's W_out over [u(n), x(n), y(n−1)] "including the output layer's self-connections"
// is trained on it), the model's own previous output in predict / run / generate, 0 at the start
// of every training sequence and after resetState(). After fit() it is the last target, so a
// following predict() or generate() continues the teacher-forced run.
//
//   options.ts    option names, defaults, validation (constructor, fitOnline, generate)
//   reservoir.ts  W (sparse, scaled to the spectral radius), W_in, b, W_back; one Random stream each
//   gram.ts       XᵀX / XᵀY of fit() in f64: states collected and accumulated, the accumulation split over threads
//   readout.ts    the ridge and minimum-norm ('pinv') solves (from XᵀX / XᵀY accumulated in f64) and the RLS state
//   saving.ts     toJSON / fromJSON
//   ../kernels/esn.ts  the WASM calls: state collection, closed loop, ridge solve, RLS (one call per sequence)
//
// The reservoir lives in linear memory (CSR, or dense when density ≥ 0.35) in F32Buffers
// this model owns; dispose() frees them.
import { liveF64, liveView, type Backend, type F32Buffer } from '../engine/backend.js';
import { checkInt, checkOptions } from '../errors.js';
import { sizeProduct } from '../engine/sizes.js';
import { esnCollect, esnGenerate, readoutFeatureMask, type CollectInputs, type CollectOutputs, type LoopPointers, type ReservoirPointers, type ReservoirSizes } from '../kernels/esn.js';
import { Random } from '../random.js';
import { readTensor, type Tensor, type TensorLike } from '../tensor.js';
import { BufferSet } from './buffers.js';
import {
  describeReadoutFeatures, readEsnOptions, readFitOnlineOptions, readGenerateOptions, readoutFeatureCount,
  type EchoStateNetworkOptions, type EsnActivation, type EsnOutputActivation, type EsnReadoutFeature, type EsnSettings, type FitOnlineOptions, type GenerateOptions,
} from './options.js';
import { GramAccumulator } from './gram.js';
import { RidgeSolver, RlsState, type EsnSolver } from './readout.js';
import { checkReservoirSizes, copyReservoir, DENSE_FROM_DENSITY, denseFromCsr, generateReservoir, STREAM, type ReservoirArrays } from './reservoir.js';
import { readSavedEsn, writeSaved, type EchoStateNetworkJSON } from './saving.js';

export type {
  EchoStateNetworkOptions, EsnActivation, EsnOutputActivation, EsnReadoutFeature, EsnReadoutOptions, EsnSolver, FitOnlineOptions, GenerateOptions,
} from './options.js';
export type { EchoStateNetworkJSON } from './saving.js';

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
  readonly solver: EsnSolver;
  /** The readout's design row: the features in column order (bias, input, state, output). */
  readonly readout: { readonly features: readonly EsnReadoutFeature[] };
  readonly washout: number;
  readonly activation: EsnActivation;
  readonly outputActivation: EsnOutputActivation;
  readonly stateNoise: number;
  readonly seed: number;
  readonly backend: Backend;
  /** Whether W is stored dense in linear memory (density ≥ 0.35) rather than CSR. */
  readonly denseReservoir: boolean;

  readonly #settings: EsnSettings;
  readonly #reservoir: ReservoirArrays;
  /** Everything below lives in linear memory, owned by this model. */
  readonly #owned: BufferSet;
  readonly #weights: ReservoirPointers;
  readonly #state: F32Buffer; // f32 [N]
  readonly #feedback: F32Buffer; // f32 [O]
  readonly #pre: F32Buffer; // f32 [N]
  readonly #ynext: F32Buffer; // f32 [O]
  readonly #wOut: F32Buffer; // f64 [O, F]
  #trained = false;
  #rls: RlsState | null = null;
  #onlineSteps = 0;
  #noise: Random;
  #disposed = false;

  constructor(options: EchoStateNetworkOptions, loaded?: { [LOADED]: ReservoirArrays }) {
    const where = 'EchoStateNetwork';
    const { backend, ...settings } = readEsnOptions(where, options);
    this.#settings = settings;
    this.inputSize = settings.inputSize;
    this.outputSize = settings.outputSize;
    this.units = settings.units;
    this.spectralRadius = settings.spectralRadius;
    this.leakRate = settings.leakRate;
    this.density = settings.density;
    this.inputScaling = settings.inputScaling;
    this.inputDensity = settings.inputDensity;
    this.biasScaling = settings.biasScaling;
    this.feedbackScaling = settings.feedbackScaling;
    this.ridge = settings.ridge;
    this.solver = settings.solver;
    this.readout = Object.freeze({ features: Object.freeze([...settings.readout.features]) });
    this.washout = settings.washout;
    this.activation = settings.activation;
    this.outputActivation = settings.outputActivation;
    this.stateNoise = settings.stateNoise;
    this.seed = settings.seed;
    this.backend = backend;
    const N = this.units;
    this.denseReservoir = this.density >= DENSE_FROM_DENSITY;
    checkReservoirSizes(where, settings, settings.readout.features); // before minutes of generation: every matrix fits one block
    this.#reservoir = loaded ? loaded[LOADED] : generateReservoir(where, settings);
    this.#noise = new Random(this.seed, STREAM.stateNoise);

    const r = this.#reservoir;
    this.#owned = new BufferSet(this.backend, where);
    try {
      const own = this.#owned;
      const wIn = own.f32(r.inputWeights, 'W_in');
      const wBack = r.feedbackWeights ? own.f32(r.feedbackWeights, 'W_back') : null;
      const bias = own.f32(r.bias, 'the bias');
      const wDense = this.denseReservoir ? own.f32(denseFromCsr(r, N), 'the dense reservoir W') : null;
      const wVal = this.denseReservoir ? null : own.f32(r.values, 'the reservoir W (values)');
      const wCol = this.denseReservoir ? null : own.i32(r.columns, 'the reservoir W (columns)');
      const wRow = this.denseReservoir ? null : own.i32(r.rowStart, 'the reservoir W (row starts)');
      this.#state = own.f32(N, 'the state');
      this.#feedback = own.f32(this.outputSize, 'the fed-back output');
      this.#pre = own.f32(N, 'the state scratch');
      this.#ynext = own.f32(this.outputSize, 'the output scratch');
      this.#wOut = own.f64(sizeProduct(this.outputSize, this.#features), 'the readout W_out');
      this.#weights = {
        wIn: wIn.ptr, wBack: wBack?.ptr ?? 0, bias: bias.ptr,
        wVal: wVal?.ptr ?? 0, wCol: wCol?.ptr ?? 0, wRow: wRow?.ptr ?? 0, wDense: wDense?.ptr ?? 0, wOut: this.#wOut.ptr,
      };
    } catch (error) {
      this.#owned.dispose();
      throw error;
    }
  }

  /** F readout features (columns of W_out): 1 + I + N for the default [1; u; x]. */
  get #features(): number {
    return readoutFeatureCount(this.readout.features, this);
  }

  /** 'F = 1 + inputSize + units = … features', for size messages. */
  get #featuresText(): string {
    return describeReadoutFeatures(this.readout.features, this);
  }

  /** Whether a readout has been fitted (fit, fitOnline or a loaded model). */
  get trained(): boolean {
    return this.#trained;
  }

  // ---- public API ----

  /**
   * Fits the readout (ridge regression, or the minimum-norm least-squares solution with
   * solver 'pinv') on one sequence (inputs [T, I], targets [T, O]) or several (arrays of
   * those; lengths may differ). Every sequence starts from a zero state and y(−1) = 0, is
   * teacher-forced (the target d(t) is y(t) for step t + 1: fed back through W_back and,
   * with the 'output' feature, the readout's y(t) column), and its first `washout` steps are
   * not used. Afterwards the model's state is the state at the end of the last sequence and
   * the next fed-back value / previous output is its last target.
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
    // Validation done. Allocate everything (sizes checked) before anything changes, and keep what a failed solve must restore.
    const saved = this.#saveState();
    const noiseStream = this.#noise.clone(); // drawn from, and kept only if the fit succeeds
    const N = this.units, I = this.inputSize, O = this.outputSize, F = this.#features;
    const features = this.#featuresText;
    const maxT = Math.max(...seqs.map((q) => q.T));
    const buffers = new BufferSet(this.backend, where);
    let solver: RidgeSolver | null = null;
    try {
      const accumulator = new GramAccumulator(this.backend, buffers, F, O, features);
      const { xtx, xty } = accumulator;
      const u = buffers.f32(sizeProduct(maxT, I), `the inputs of the longest sequence (${maxT} time steps × inputSize ${I})`);
      const teacher = buffers.f32(sizeProduct(maxT, O), `the targets of the longest sequence (${maxT} time steps × outputSize ${O})`);
      const goal = buffers.f64(sizeProduct(maxT, O), `the targets of the longest sequence (${maxT} time steps × outputSize ${O})`);
      const noise = this.stateNoise > 0 ? buffers.f32(sizeProduct(maxT, N), `the state noise (${maxT} time steps × units ${N})`) : null;
      solver = new RidgeSolver(this.backend, F, O, where, features);
      for (const q of seqs) {
        this.#zeroState();
        liveView(u).set(q.u);
        liveView(teacher).set(q.d!);
        liveF64(goal).set(this.#transformTargets(q.d!));
        if (noise) this.#drawNoise(noiseStream, noise, q.T);
        accumulator.add(this.#loop, { u: u.ptr, teacher: teacher.ptr, targets: goal.ptr, noise: noise?.ptr ?? 0 }, this.#weights, { ...this.#sizes, timeSteps: q.T, washout: this.washout });
      }
      accumulator.finish();
      // A state that overflowed (possible only with activation 'identity': tanh keeps states in (−1, 1))
      // makes XᵀX non-finite, which the pivoted solves would read as rank 0 and answer with zeros.
      const gram = liveF64(xtx);
      for (let i = 0; i < F; i++) if (!Number.isFinite(gram[i * F + i])) this.#unstable(where, `XᵀX[${i}][${i}] is ${gram[i * F + i]}`);
      if (this.solver === 'pinv') solver.solvePinv(xtx, xty);
      else solver.solve(xtx, xty, this.ridge, this.readout.features[0] === 'bias');
      const weights = liveF64(solver.weights);
      for (let k = 0; k < weights.length; k++) {
        if (!Number.isFinite(weights[k])) {
          throw new RangeError(
            this.solver === 'pinv'
              ? `${where}: the minimum-norm solve produced ${weights[k]} (the states are not finite: is the reservoir unstable?); the model is unchanged`
              : `${where}: the ridge solve produced ${weights[k]} (the states are degenerate or λ = ${this.ridge} is too small); the model is unchanged`,
          );
        }
      }
      liveF64(this.#wOut).set(weights);
    } catch (error) {
      this.#restoreState(saved);
      throw error;
    } finally {
      solver?.dispose();
      buffers.dispose();
    }
    this.#noise = noiseStream;
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
    const { forgettingFactor, delta } = readFitOnlineOptions(where, options);
    const [q] = this.#readPairs(where, inputs, targets, false);
    const F = this.#features, N = this.units;
    const washout = Math.max(0, this.washout - this.#onlineSteps);
    const saved = this.#saveState();
    const savedW = liveF64(this.#wOut).slice();
    const savedP = this.#rls ? this.#rls.saveP() : null;
    const noiseStream = this.#noise.clone(); // drawn from, and kept only if the call succeeds
    const buffers = new BufferSet(this.backend, where);
    try {
      if (!this.#rls) this.#rls = new RlsState(this.backend, F, delta, where, this.#featuresText);
      const u = buffers.f32(q.u, `inputs (${q.T} time steps × inputSize ${this.inputSize})`);
      const teacher = buffers.f32(q.d!, `targets (${q.T} time steps × outputSize ${this.outputSize})`);
      const goal = buffers.f64(this.#transformTargets(q.d!), `targets (${q.T} time steps × outputSize ${this.outputSize})`);
      const noise = this.stateNoise > 0 ? buffers.f32(sizeProduct(q.T, N), `the state noise (${q.T} time steps × units ${N})`) : null;
      if (noise) this.#drawNoise(noiseStream, noise, q.T);
      const rls = this.#rls;
      this.#collect(
        { rlsP: rls.P.ptr, rlsZ: rls.z.ptr, rlsPz: rls.pz.ptr },
        { u: u.ptr, teacher: teacher.ptr, targets: goal.ptr, noise: noise?.ptr ?? 0 },
        { timeSteps: q.T, washout, forgettingFactor },
      );
      this.#checkStatesFinite(where);
      const w = liveF64(this.#wOut);
      for (let k = 0; k < w.length; k++) {
        if (!Number.isFinite(w[k])) throw new RangeError(`${where}: RLS produced ${w[k]}; the model is unchanged (try a larger delta or forgettingFactor)`);
      }
    } catch (error) {
      this.#restoreState(saved);
      liveF64(this.#wOut).set(savedW);
      if (savedP && this.#rls) this.#rls.restoreP(savedP);
      else this.#disposeRls();
      throw error;
    } finally {
      buffers.dispose();
    }
    this.#noise = noiseStream;
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
    return { data: this.#drive(where, u, false).outputs!, shape: [u.T, this.outputSize] };
  }

  /** Driven run from the current state returning the reservoir states x(t), [T, N]. */
  run(inputs: TensorLike): Tensor {
    const where = 'EchoStateNetwork.run';
    this.#checkAlive(where);
    const u = this.#readInputs(where, 'inputs', inputs);
    return { data: this.#drive(where, u, true).states!, shape: [u.T, this.units] };
  }

  /**
   * Closed loop for `steps` steps (needs inputSize = outputSize): each output is the next
   * input (and, with feedback, also goes back through W_back). `prefix` inputs [T, I], if
   * given, first drive the reservoir from the current state (like predict). Returns [steps, O].
   */
  generate(steps: number, options: GenerateOptions = {}): Tensor {
    const where = 'EchoStateNetwork.generate';
    this.#checkAlive(where);
    checkInt(where, 'steps', steps, 1);
    const { prefix } = readGenerateOptions(where, options);
    if (this.inputSize !== this.outputSize) {
      throw new RangeError(`${where}: the closed loop feeds outputs back as inputs, so inputSize (${this.inputSize}) must equal outputSize (${this.outputSize})`);
    }
    this.#checkTrained(where);
    const driving = prefix === undefined ? null : this.#readInputs(where, 'options.prefix', prefix);
    const O = this.outputSize;
    const buffers = new BufferSet(this.backend, where);
    try {
      // Every buffer (sizes checked) before the state changes: the prefix run, then the closed loop.
      const drive = driving ? this.#planDrive(buffers, driving, false, 'options.prefix') : null;
      const out = buffers.f32(sizeProduct(steps, O), `the output (steps ${steps} × outputSize ${O})`);
      drive?.();
      esnGenerate(this.backend, out.ptr, this.#loop, this.#weights, { ...this.#sizes, steps });
      return { data: liveView(out).slice(), shape: [steps, O] };
    } finally {
      buffers.dispose();
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
    return liveView(this.#state).slice();
  }

  /** Copies of the reservoir matrices (W in CSR; W_in [I, N]; W_back [O, N] or null; b). */
  getReservoir(): ReservoirArrays {
    return copyReservoir(this.#reservoir);
  }

  /** The readout W_out [O, F] (columns: the readout features in the order bias, inputs, units, previous outputs), f64, a copy. */
  getReadout(): Float64Array {
    this.#checkAlive('EchoStateNetwork.getReadout');
    return liveF64(this.#wOut).slice();
  }

  toJSON(): EchoStateNetworkJSON {
    this.#checkAlive('EchoStateNetwork.toJSON');
    return writeSaved({ ...this.#settings, readout: { features: [...this.#settings.readout.features] } }, {
      reservoir: this.#reservoir, trained: this.#trained, weights: liveF64(this.#wOut),
      x: liveView(this.#state), feedback: liveView(this.#feedback),
    });
  }

  /** Rebuilds a model saved by toJSON() (this version's or 0.1.0's); everything is validated before anything is allocated. */
  static fromJSON(json: unknown, options: { backend?: Backend } = {}): EchoStateNetwork {
    const where = 'EchoStateNetwork.fromJSON';
    checkOptions(where, options, ['backend']);
    const saved = readSavedEsn(where, json, options.backend);
    const model = new EchoStateNetwork({ ...saved.options, backend: options.backend } as unknown as EchoStateNetworkOptions, { [LOADED]: saved.reservoir });
    liveF64(model.#wOut).set(saved.weights);
    liveView(model.#state).set(saved.x);
    liveView(model.#feedback).set(saved.feedback);
    model.#trained = saved.trained;
    return model;
  }

  get disposed(): boolean {
    return this.#disposed;
  }

  /** Frees every buffer this model holds in linear memory. Safe to call twice. */
  dispose(): void {
    if (this.#disposed) return;
    this.#owned.dispose();
    this.#disposeRls();
    this.#disposed = true;
  }

  // ---- internals ----

  #disposeRls(): void {
    this.#rls?.dispose();
    this.#rls = null;
    this.#onlineSteps = 0;
  }

  get #loop(): LoopPointers {
    return { state: this.#state.ptr, feedback: this.#feedback.ptr, pre: this.#pre.ptr, ynext: this.#ynext.ptr };
  }

  get #sizes(): ReservoirSizes {
    return {
      units: this.units, inputSize: this.inputSize, outputSize: this.outputSize, leakRate: this.leakRate,
      dense: this.denseReservoir, tanhOutput: this.outputActivation === 'tanh',
      features: readoutFeatureMask(this.readout.features), linear: this.activation === 'identity',
    };
  }

  #collect(out: CollectOutputs, inputs: CollectInputs, run: { timeSteps: number; washout: number; forgettingFactor: number }): void {
    esnCollect(this.backend, out, this.#loop, inputs, this.#weights, { ...this.#sizes, ...run });
  }

  /** Driven run (no teacher): outputs (when trained) or states. */
  #drive(where: string, q: Sequence, wantStates: boolean): { outputs?: Float32Array; states?: Float32Array } {
    const buffers = new BufferSet(this.backend, where);
    try {
      return this.#planDrive(buffers, q, wantStates, 'inputs')();
    } finally {
      buffers.dispose();
    }
  }

  /** Allocates a driven run's buffers in `buffers` (sizes checked; nothing changes yet); the returned function runs it and cannot fail. */
  #planDrive(buffers: BufferSet, q: Sequence, wantStates: boolean, name: string): () => { outputs?: Float32Array; states?: Float32Array } {
    const u = buffers.f32(q.u, `${name} (${q.T} time steps × inputSize ${this.inputSize})`);
    const outputs = this.#trained && !wantStates ? buffers.f32(sizeProduct(q.T, this.outputSize), `the outputs (${q.T} time steps × outputSize ${this.outputSize})`) : null;
    const states = wantStates ? buffers.f32(sizeProduct(q.T, this.units), `the states (${q.T} time steps × units ${this.units})`) : null;
    return () => {
      this.#collect({ outputs: outputs?.ptr, states: states?.ptr }, { u: u.ptr }, { timeSteps: q.T, washout: 0, forgettingFactor: 1 });
      return { outputs: outputs ? liveView(outputs).slice() : undefined, states: states ? liveView(states).slice() : undefined };
    };
  }

  /** Throws unless the current state is finite (a linear reservoir can overflow). */
  #checkStatesFinite(where: string): void {
    const x = liveView(this.#state);
    for (let i = 0; i < x.length; i++) if (!Number.isFinite(x[i])) this.#unstable(where, `x[${i}] is ${x[i]}`);
  }

  #unstable(where: string, what: string): never {
    throw new RangeError(
      `${where}: the reservoir states are not finite (${what}): the reservoir is unstable` +
        `${this.activation === 'identity' ? " (activation 'identity' has nothing to bound it: keep spectralRadius below 1)" : ''}; the model is unchanged`,
    );
  }

  #transformTargets(d: Float32Array): Float64Array {
    const out = new Float64Array(d.length);
    if (this.outputActivation === 'tanh') for (let k = 0; k < d.length; k++) out[k] = Math.atanh(d[k]);
    else out.set(d);
    return out;
  }

  #drawNoise(stream: Random, buffer: F32Buffer, T: number): void {
    const values = new Float32Array(T * this.units);
    for (let k = 0; k < values.length; k++) values[k] = stream.range(-this.stateNoise, this.stateNoise);
    liveView(buffer).set(values);
  }

  #zeroState(): void {
    this.#state.fill(0);
    this.#feedback.fill(0);
  }

  #saveState(): { x: Float32Array; feedback: Float32Array } {
    return { x: this.#state.read(), feedback: this.#feedback.read() };
  }

  #restoreState(s: { x: Float32Array; feedback: Float32Array }): void {
    liveView(this.#state).set(s.x);
    liveView(this.#feedback).set(s.feedback);
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
    const first: unknown = value[0];
    if (Array.isArray(first) && Array.isArray(first[0])) return true;
    return first !== null && typeof first === 'object' && !Array.isArray(first) && 'shape' in first;
  }
  return value !== null && typeof value === 'object' && 'shape' in value && Array.isArray(value.shape) && (value as { shape: unknown[] }).shape.length === 3;
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
