// NARX: a nonlinear autoregressive model with exogenous inputs, as a tapped-delay
// feed-forward network (MATLAB's narxnet):
//   y_t = f(x_{t−d₁}, …, x_{t−d_nx}, y_{t−e₁}, …, y_{t−e_ny}),
// f an MLP of Dense layers (hidden units with `activation`, then outputSize units
// with `outputActivation`). It is trained and run in two arrangements:
//
//   open loop (series-parallel): the feedback taps read the TRUE past outputs. Every
//     step is an independent regression row, so fit/predict are an MLP over rows.
//   closed loop (parallel): the feedback taps read the model's OWN past outputs.
//     simulate() runs it; after closeLoop(), fit/evaluate train and score it on
//     windows of `horizon` steps, each starting from the true outputs before it,
//     with backpropagation through time along the feedback taps:
//       dL/dŷ_s = ∂L/∂ŷ_s + Σ_k (dL/d row_{s+e_k})[feedback part k].
//
// One code path does both: a batch is B windows of h steps (h = 1 in open loop).
// Staged per batch, time-major: xs [Lx + h, B, I] (the inputs from Lx = max d steps
// before the window), history [P + h, B, O] (the true outputs of the P = max e steps
// before the window, then the model's), targets [h, B, O]. Per step s, one WASM
// call gathers the regressor rows [B, F] from xs and history (assembly/narx.ts), one
// forward per Dense layer, one copy of the outputs into history. Backward walks
// s = h − 1 … 0: it re-runs step s's forward (the Dense layers keep one step's
// activations; the re-run reads the same history and gives the same bits), runs the
// layers backward from dLoss[s] and scatters the feedback part of dRow into the
// dLoss rows of the steps it was read from. The per-step calls are the price of the
// feedback: step s + 1 needs step s's output. Everything else is the Model base's.
import type { Backend } from '../engine/backend.js';
import { defaultBackend } from '../engine/init.js';
import { checkInt, checkOneOf, checkOptions, describe, readSeed } from '../errors.js';
import { Random } from '../random.js';
import type { Tensor, TensorLike } from '../tensor.js';
import { Dense } from '../layers/dense.js';
import type { WeightFormat, Weights } from '../layers/formats.js';
import { narxTapsBackwardF32, narxTapsF32 } from '../kernels/narx.js';
import { Model, loadModel, type BaseFitOptions, type SavedModel } from '../models/model.js';
import { layerToJSON, readLayers, readModelFields, setLayerWeights, type LayerJSON, type SavedLayer } from '../models/saving.js';
import { checkOutputSize } from '../models/data.js';
import type { History, Loss } from '../models/training.js';
import { readDelays, readSeries, tapColumns, type Series, type SeriesLike } from './delays.js';

export type NARXActivation = 'tanh' | 'relu' | 'sigmoid' | 'linear';
const ACTIVATIONS: readonly NARXActivation[] = ['tanh', 'relu', 'sigmoid', 'linear'];

export interface NARXOptions {
  /** Input taps x_{t−d}: delays ≥ 0, strictly increasing, or a count n for [0 … n − 1]. Default [1, 2] (MATLAB's narxnet); [] or 0 for a model of the series alone (NAR). */
  inputDelays?: number | readonly number[];
  /** Feedback taps y_{t−e}: delays ≥ 1, strictly increasing, or a count n for [1 … n]. Default [1, 2]. */
  feedbackDelays?: number | readonly number[];
  /** Channels of the exogenous series (default 1; omit or 0 when there are no input taps). */
  inputSize?: number;
  /** Channels of the modelled series (default 1). */
  outputSize?: number;
  /** Units of each hidden Dense layer (default [10], MATLAB's; [] makes f affine: a linear ARX trained by gradient descent). */
  hidden?: readonly number[];
  /** Hidden activation (default 'tanh'). */
  activation?: NARXActivation;
  /** Output activation (default 'linear'). */
  outputActivation?: NARXActivation;
  /** Seeds the weights and shuffling (default 0). */
  seed?: number;
  backend?: Backend;
}

export interface CloseLoopOptions {
  /** Closed-loop steps per training sample (default: the whole series after its lost steps, one sample, as MATLAB trains a closed-loop net). */
  horizon?: number;
  /** Steps between the starts of consecutive windows (default 1). */
  stride?: number;
}

export interface NARXFitOptions extends BaseFitOptions {
  validationData?: { x: SeriesLike | null; y: SeriesLike };
}

export interface SimulateOptions {
  /** The true outputs y_0 … y_{L−1} before the run (L ≥ lostSteps); the run starts at time L and reads the last max(feedbackDelays) of them. */
  initial: SeriesLike;
  /** Steps to run (default: x's steps after the initial ones, L … T − 1; required without input taps). */
  steps?: number;
}

export interface NARXJSON extends SavedModel {
  inputSize: number;
  outputSize: number;
  inputDelays: number[];
  feedbackDelays: number[];
  hidden: number[];
  activation: NARXActivation;
  outputActivation: NARXActivation;
  /** Which arrangement fit/evaluate train: 'open' or 'closed' (closeLoop). */
  loop: 'open' | 'closed';
  /** closeLoop's options (closed loop only; horizon absent: the whole series). */
  horizon?: number;
  stride?: number;
  layers: LayerJSON[];
}

/** A data set: the series and the windows (samples) over it. */
interface WindowSet {
  /** Windows. */
  N: number;
  /** Exogenous [T, I] (null without input taps) and outputs [T, O] (true values; null for a simulation, which reads `initial`). */
  x: Float32Array | null;
  y: Float32Array;
  /** Steps of x and of y. */
  Tx: number;
  Ty: number;
  /** The first step of each window. */
  starts: Int32Array;
  /** Steps per window. */
  horizon: number;
}

/**
 * What fit/evaluate/computeGradients take: a series (SeriesLike). The Model base types these
 * arguments as TensorLike, so the signatures name both; a deeper nesting is refused at run time.
 */
type SeriesArgument = SeriesLike | TensorLike;

const SAVED = { format: 'rnn-wasm/narx', version: 1, what: 'NARX' };
const LAYER_SEEDS = 0x4c41594552;

export class NARX extends Model<WindowSet, NARXJSON> {
  protected readonly savedFormat = SAVED;
  protected readonly dataNames = ['x', 'y'] as const;
  protected readonly dataOptions: readonly string[] = [];
  /** The MLP: the hidden Dense layers, then the output layer. */
  readonly layers: readonly Dense[];
  readonly inputDelays: readonly number[];
  readonly feedbackDelays: readonly number[];
  /** Channels of the exogenous series (0 without input taps). */
  readonly inputSize: number;
  readonly hidden: readonly number[];
  readonly activation: NARXActivation;
  readonly outputActivation: NARXActivation;
  /** The first steps of a series without a complete set of taps (the largest delay): no row in open loop, the initial condition of a closed-loop run. */
  readonly lostSteps: number;
  #outputSize: number;
  /** Regressors per row: nx·I + ny·O. */
  readonly #features: number;
  /** The largest input delay (Lx) and the largest feedback delay (P). */
  readonly #xLead: number;
  readonly #yLead: number;
  #loop: 'open' | 'closed' = 'open';
  /** closeLoop's horizon (0: the whole series) and stride. */
  #horizon = 0;
  #stride = 1;
  /** Windows and steps of the staged batch. */
  #stagedB = 0;
  #stagedH = 0;

  constructor(options: NARXOptions = {}) {
    super();
    const where = 'NARX';
    checkOptions(where, options, ['inputDelays', 'feedbackDelays', 'inputSize', 'outputSize', 'hidden', 'activation', 'outputActivation', 'seed', 'backend']);
    const inputDelays = options.inputDelays === undefined ? [1, 2] : readDelays(where, 'options.inputDelays', options.inputDelays, 0);
    const feedbackDelays = options.feedbackDelays === undefined ? [1, 2] : readDelays(where, 'options.feedbackDelays', options.feedbackDelays, 1);
    if (inputDelays.length + feedbackDelays.length === 0) throw new RangeError(`${where}: no taps: options.inputDelays and options.feedbackDelays are both empty`);
    let inputSize = 0;
    if (inputDelays.length > 0) inputSize = options.inputSize === undefined ? 1 : checkInt(where, 'options.inputSize', options.inputSize, 1);
    else if (options.inputSize !== undefined && options.inputSize !== 0) {
      throw new RangeError(`${where}: options.inputSize is ${describe(options.inputSize)} but there are no input taps (options.inputDelays is empty); omit it for a model of the series alone`);
    }
    const outputSize = options.outputSize === undefined ? 1 : checkInt(where, 'options.outputSize', options.outputSize, 1);
    const hiddenOption: unknown = options.hidden ?? [10];
    if (!Array.isArray(hiddenOption)) throw new TypeError(`${where}: options.hidden must be an array of unit counts (e.g. [10]), got ${describe(hiddenOption)}`);
    const hidden = Array.from(hiddenOption, (u: unknown, k) => checkInt(where, `options.hidden[${k}]`, u, 1));
    const activation = options.activation === undefined ? 'tanh' : checkOneOf(where, 'options.activation', options.activation, ACTIVATIONS);
    const outputActivation = options.outputActivation === undefined ? 'linear' : checkOneOf(where, 'options.outputActivation', options.outputActivation, ACTIVATIONS);
    const seed = readSeed(where, 'options.seed', options.seed);
    const features = checkInt(where, 'the regressors per row (inputDelays·inputSize + feedbackDelays·outputSize)', inputDelays.length * inputSize + feedbackDelays.length * outputSize, 1);
    const backend = options.backend ?? defaultBackend();
    const sizes = [...hidden, outputSize];
    const layers: Dense[] = [];
    try {
      sizes.forEach((units, i) => {
        const last = i === sizes.length - 1;
        layers.push(new Dense({
          units, inputSize: i === 0 ? features : sizes[i - 1], activation: (last ? outputActivation : activation),
          seed: new Random(seed, LAYER_SEEDS + i).nextUint32() | 0, backend,
        }));
      });
    } catch (error) {
      for (const layer of layers) layer.dispose();
      if (error instanceof Error && !error.message.startsWith(where)) error.message = `${where}: ${error.message}`;
      throw error;
    }
    this.layers = layers;
    this.inputDelays = Object.freeze(inputDelays);
    this.feedbackDelays = Object.freeze(feedbackDelays);
    this.inputSize = inputSize;
    this.#outputSize = outputSize;
    this.hidden = Object.freeze(hidden);
    this.activation = activation;
    this.outputActivation = outputActivation;
    this.#features = features;
    this.#xLead = Math.max(0, ...inputDelays);
    this.#yLead = Math.max(0, ...feedbackDelays);
    this.lostSteps = Math.max(this.#xLead, this.#yLead);
    this.setup(backend, seed, layers);
  }

  /** Channels of the modelled series. */
  get outputSize(): number {
    return this.#outputSize;
  }

  /** Which arrangement fit/evaluate/computeGradients train: 'open' (true past outputs fed back, the default) or 'closed' (after closeLoop()). */
  get loop(): 'open' | 'closed' {
    return this.#loop;
  }

  /** closeLoop's horizon (null: the whole series) and stride; null in open loop. */
  get closedLoopWindows(): { horizon: number | null; stride: number } | null {
    return this.#loop === 'closed' ? { horizon: this.#horizon || null, stride: this.#stride } : null;
  }

  /** Names of the regressors, in the order the first layer reads them ('x[t-1][0]', …, 'y[t-1][0]', …). */
  get columns(): string[] {
    return tapColumns(this.inputDelays, this.feedbackDelays, this.inputSize, this.outputSize);
  }

  /**
   * From now on fit/evaluate/computeGradients run the closed loop: windows of `horizon` steps,
   * each started from the true outputs before it, the model's own outputs fed back, the gradient
   * through the feedback taps (BPTT). The weights and the optimizer state carry on.
   */
  closeLoop(options: CloseLoopOptions = {}): this {
    const where = 'NARX.closeLoop';
    this.checkAlive(where);
    this.slab.checkIdle(where);
    checkOptions(where, options, ['horizon', 'stride']);
    const horizon = options.horizon === undefined ? 0 : checkInt(where, 'options.horizon', options.horizon, 1);
    const stride = options.stride === undefined ? 1 : checkInt(where, 'options.stride', options.stride, 1);
    this.#loop = 'closed';
    this.#horizon = horizon;
    this.#stride = stride;
    return this;
  }

  /** Back to open-loop (series-parallel) training, the default. */
  openLoop(): this {
    const where = 'NARX.openLoop';
    this.checkAlive(where);
    this.slab.checkIdle(where);
    this.#loop = 'open';
    this.#horizon = 0;
    this.#stride = 1;
    return this;
  }

  protected checkLoss(where: string, loss: Loss): void {
    if (loss !== 'mse') throw new RangeError(`${where}: options.loss must be 'mse' for a NARX (it regresses the series' next value), got '${loss}'`);
  }

  /** Trains in the current loop (open by default; closed after closeLoop()). x is the exogenous series (null without input taps), y the modelled one. */
  override fit(x: SeriesArgument | null, y: SeriesArgument, options: NARXFitOptions = {}): Promise<History> {
    return super.fit(x as TensorLike, y as TensorLike, options as NARXFitOptions & Record<string, unknown>);
  }

  /** Mean squared error in the current loop: one-step (open), or over closed-loop windows. */
  override evaluate(x: SeriesArgument | null, y: SeriesArgument, options: { batchSize?: number } = {}): { loss: number } {
    return super.evaluate(x as TensorLike, y as TensorLike, options);
  }

  /** The loss over all samples as one batch and its gradient w.r.t. getParameters(), in the current loop. */
  override computeGradients(x: SeriesArgument | null, y: SeriesArgument, options: Record<string, never> = {}): { loss: number; gradients: Float32Array } {
    return super.computeGradients(x as TensorLike, y as TensorLike, options);
  }

  /**
   * One-step-ahead predictions in open loop (the true past outputs fed back), whatever the
   * training loop: ŷ_t for t = lostSteps … T − 1, [T − lostSteps, outputSize].
   */
  predict(x: SeriesLike | null, y: SeriesLike, options: { batchSize?: number } = {}): Tensor {
    const where = 'NARX.predict';
    this.checkAlive(where);
    checkOptions(where, options, ['batchSize']);
    const batchSize = options.batchSize === undefined ? undefined : checkInt(where, 'options.batchSize', options.batchSize, 1);
    const data = this.#windows(where, x, y, 'open');
    const O = this.outputSize;
    const out = new Float32Array(checkOutputSize(where, data.N, O));
    this.eachBatch(where, data.N, batchSize, (rows, start) => {
      this.stage(data, rows, false);
      const ptr = this.forwardStaged(false);
      out.set(this.backend.heapF32().subarray(ptr >>> 2, (ptr >>> 2) + rows.length * O), start * O);
    });
    return { data: out, shape: [data.N, O] };
  }

  /**
   * Runs the closed loop (parallel): from the true outputs `initial` (y_0 … y_{L−1}), the model's
   * own outputs are fed back for `steps` steps: ŷ_L … ŷ_{L+steps−1}, [steps, outputSize]. x is the
   * exogenous series from time 0 (null without input taps); it must reach the last step an input
   * tap reads (L + steps − 1 − min inputDelays). To forecast after a series, give its whole history
   * as `initial` and its inputs (history and future) as x.
   */
  simulate(x: SeriesLike | null, options: SimulateOptions): Tensor {
    const where = 'NARX.simulate';
    this.checkAlive(where);
    if (options === null || typeof options !== 'object') throw new TypeError(`${where}: options must be { initial, steps? }, got ${describe(options)}`);
    checkOptions(where, options, ['initial', 'steps']);
    if (options.initial === undefined) throw new TypeError(`${where}: options.initial is missing (the true outputs y_0 … y_{L−1} before the run, L ≥ ${this.lostSteps})`);
    const y = readSeries(where, 'options.initial', options.initial, this.outputSize);
    const L = y.T;
    if (L < this.lostSteps) {
      throw new RangeError(`${where}: options.initial has ${L} steps but the model needs at least ${this.lostSteps} (its largest delay) before the first simulated step`);
    }
    const xs = this.#readExogenous(where, x);
    const minDelay = this.inputDelays.length > 0 ? this.inputDelays[0] : 0;
    let steps: number;
    if (options.steps !== undefined) steps = checkInt(where, 'options.steps', options.steps, 1);
    else if (xs) {
      steps = xs.T - L;
      if (steps < 1) throw new RangeError(`${where}: x has ${xs.T} steps, none after the ${L} initial ones; give options.steps, or x beyond the initial steps`);
    } else throw new TypeError(`${where}: options.steps is missing (the model has no input taps, so x cannot say how far to run)`);
    if (xs && xs.T < L + steps - minDelay) {
      throw new RangeError(`${where}: x has ${xs.T} steps but ${steps} steps after ${L} initial ones read x up to step ${L + steps - 1 - minDelay} (needs at least ${L + steps - minDelay})`);
    }
    const O = this.outputSize;
    const out = new Float32Array(checkOutputSize(where, steps, O));
    const data: WindowSet = { N: 1, x: xs?.data ?? null, y: y.data, Tx: xs?.T ?? 0, Ty: L, starts: Int32Array.of(L), horizon: steps };
    this.eachBatch(where, 1, 1, (rows) => {
      this.stage(data, rows, false);
      const ptr = this.forwardStaged(false);
      out.set(this.backend.heapF32().subarray(ptr >>> 2, (ptr >>> 2) + steps * O));
    });
    return { data: out, shape: [steps, O] };
  }

  /** Every layer's weights in `format` (the hidden layers, then the output layer). */
  getWeights(options: { format?: WeightFormat } = {}): Weights[] {
    return this.readWeights('NARX.getWeights', this.layers, options);
  }

  /** Replaces every layer's weights (as getWeights returns them). All or nothing. */
  setWeights(weights: (Weights | Record<string, unknown>)[], options: { format?: WeightFormat } = {}): void {
    this.writeWeights('NARX.setWeights', [{ label: 'weights', layers: this.layers, given: weights }], options);
  }

  protected architectureJSON(): Omit<NARXJSON, keyof SavedModel> {
    return {
      inputSize: this.inputSize,
      outputSize: this.outputSize,
      inputDelays: [...this.inputDelays],
      feedbackDelays: [...this.feedbackDelays],
      hidden: [...this.hidden],
      activation: this.activation,
      outputActivation: this.outputActivation,
      loop: this.#loop,
      ...(this.#loop === 'closed' ? { horizon: this.#horizon || undefined, stride: this.#stride } : {}),
      layers: this.layers.map(layerToJSON),
    };
  }

  /** Rebuilds a model from toJSON(); a corrupted or mismatched file is rejected and nothing is kept. */
  static fromJSON(json: unknown, options: { backend?: Backend } = {}): NARX {
    const where = 'NARX.fromJSON';
    let layers: SavedLayer[] = [];
    return loadModel<NARXJSON, NARX>(
      json, options, SAVED,
      (j, backend) => {
        const f = readModelFields(where, j, {
          inputSize: { kind: 'integer', min: 0 }, outputSize: { kind: 'integer', min: 1 },
          inputDelays: { kind: 'array' }, feedbackDelays: { kind: 'array' }, hidden: { kind: 'array' },
          activation: { kind: 'string' }, outputActivation: { kind: 'string' },
          loop: { kind: 'string' }, horizon: { kind: 'integer', min: 1, optional: true }, stride: { kind: 'integer', min: 1, optional: true },
          layers: { kind: 'any' },
        });
        const loop = checkOneOf(where, 'loop', f.loop, ['open', 'closed'] as const);
        if (loop === 'open' && (f.horizon !== undefined || f.stride !== undefined)) throw new RangeError(`${where}: horizon and stride are closed-loop fields, but loop is 'open'`);
        layers = readLayers(where, 'layers', f.layers);
        const hidden = f.hidden as unknown[];
        if (layers.length !== hidden.length + 1) throw new RangeError(`${where}: layers has ${layers.length} entries but hidden [${hidden.join(', ')}] needs ${hidden.length + 1} (the hidden layers and the output layer)`);
        layers.forEach((saved, i) => {
          if (saved.type !== 'Dense') throw new RangeError(`${where}: layers[${i}].type must be 'Dense', got '${saved.type}'`);
        });
        const model = new NARX({
          inputDelays: f.inputDelays as number[], feedbackDelays: f.feedbackDelays as number[],
          inputSize: f.inputSize as number, outputSize: f.outputSize as number, hidden: hidden as number[],
          activation: f.activation as NARXActivation, outputActivation: f.outputActivation as NARXActivation, seed: f.seed as number, backend,
        });
        if (loop === 'closed') model.closeLoop({ horizon: f.horizon as number | undefined, stride: f.stride as number | undefined });
        return model;
      },
      (m, j) => {
        layers.forEach((saved, i) => setLayerWeights(where, `layers[${i}]`, saved, m.layers[i]));
        m.restoreTraining(where, j);
      },
    );
  }

  // ---- what the Model base asks of a model ----

  protected readData(where: string, x: TensorLike | undefined, y: TensorLike | undefined, _options: Record<string, unknown>, _withTargets: boolean): WindowSet {
    return this.#windows(where, x as SeriesLike | null | undefined, y as SeriesLike | undefined, this.#loop);
  }

  protected sliceData(d: WindowSet, from: number, to: number): WindowSet {
    return { ...d, N: to - from, starts: d.starts.slice(from, to) };
  }

  /**
   * Stages windows `rows`, time-major: the inputs from Lx steps before each window's start,
   * the true outputs of the P steps before it, and (with targets) its h targets. Returns h·B.
   */
  protected stage(d: WindowSet, rows: Int32Array, withTargets: boolean): number {
    const B = rows.length;
    const h = d.horizon;
    const I = this.inputSize;
    const O = this.outputSize;
    const nx = this.inputDelays.length;
    const ny = this.feedbackDelays.length;
    const Lx = this.#xLead;
    const P = this.#yLead;
    this.work.layout({
      delays: nx + ny,
      xs: I > 0 ? (Lx + h) * B * I : 0,
      history: (P + h) * B * O,
      row: B * this.#features,
      target: withTargets ? h * B * O : 0,
      dLoss: withTargets ? h * B * O : 0,
      probs: 0,
    }, 'NARX', `the workspace for ${B} window${B === 1 ? '' : 's'} of ${h} step${h === 1 ? '' : 's'}`);
    this.#stagedB = B;
    this.#stagedH = h;
    const heap = this.backend.heapF32();
    new Int32Array(heap.buffer, this.work.ptr('delays'), nx + ny).set([...this.inputDelays, ...this.feedbackDelays]);
    const xsAt = I > 0 ? this.work.ptr('xs') >>> 2 : 0;
    const historyAt = this.work.ptr('history') >>> 2;
    const targetAt = withTargets ? this.work.ptr('target') >>> 2 : 0;
    for (let b = 0; b < B; b++) {
      const t0 = d.starts[rows[b]];
      if (I > 0) {
        const x = d.x!;
        for (let k = 0; k < Lx + h; k++) {
          const t = t0 - Lx + k;
          const at = xsAt + (k * B + b) * I;
          // A simulation's x may end before its last steps: those values are never read.
          if (t < d.Tx) heap.set(x.subarray(t * I, (t + 1) * I), at);
          else heap.fill(0, at, at + I);
        }
      }
      for (let k = 0; k < P; k++) heap.set(d.y.subarray((t0 - P + k) * O, (t0 - P + k + 1) * O), historyAt + (k * B + b) * O);
      if (withTargets) {
        for (let s = 0; s < h; s++) heap.set(d.y.subarray((t0 + s) * O, (t0 + s + 1) * O), targetAt + (s * B + b) * O);
      }
    }
    return h * B;
  }

  /** The closed (or, for h = 1, open) loop over the staged windows; returns the outputs [h, B, O] (in the history). */
  protected forwardStaged(training: boolean): number {
    const B = this.#stagedB;
    const O = this.outputSize;
    const history = this.work.ptr('history');
    for (let s = 0; s < this.#stagedH; s++) {
      const out = this.#step(s, training);
      this.backend.copyFloats(history + (this.#yLead + s) * B * O * 4, out, B * O);
    }
    return history + this.#yLead * B * O * 4;
  }

  protected lossRows(): { rows: number; mask: number } {
    return { rows: this.#stagedH * this.#stagedB, mask: 0 };
  }

  /** BPTT along the feedback taps: dOutput [h, B, O] (dLoss/dŷ) gains each later step's feedback gradient before its own step runs backward. */
  protected backwardStaged(dOutput: number): void {
    const B = this.#stagedB;
    const h = this.#stagedH;
    const O = this.outputSize;
    const delays = this.work.ptr('delays');
    for (let s = h - 1; s >= 0; s--) {
      // The layers hold the activations of the last step run forward: step h − 1; re-run the others.
      if (s < h - 1) this.#step(s, true);
      let d = dOutput + s * B * O * 4;
      for (let i = this.layers.length - 1; i >= 0; i--) d = this.layers[i].modelBackward(d);
      if (s > 0 && this.feedbackDelays.length > 0) {
        narxTapsBackwardF32(this.backend, { dOut: dOutput, dRow: d, delays }, s, B, this.inputSize, O, this.inputDelays.length, this.feedbackDelays.length);
      }
    }
  }

  // ---- internals ----

  /** Step s of the staged windows: gathers the regressor rows, runs the MLP; returns its output pointer [B, O]. */
  #step(s: number, training: boolean): number {
    const B = this.#stagedB;
    const row = this.work.ptr('row');
    narxTapsF32(
      this.backend, { row, xs: this.inputSize > 0 ? this.work.ptr('xs') : 0, history: this.work.ptr('history'), delays: this.work.ptr('delays') },
      s, B, this.inputSize, this.outputSize, this.inputDelays.length, this.feedbackDelays.length, this.#xLead, this.#yLead,
    );
    let ptr = row;
    for (const layer of this.layers) ptr = layer.modelForward(ptr, { T: 1, B, mask: 0, training });
    return ptr;
  }

  /** The exogenous series (null without input taps, where x must be null or omitted). */
  #readExogenous(where: string, x: unknown): Series | null {
    if (this.inputDelays.length === 0) {
      if (x !== null && x !== undefined) throw new RangeError(`${where}: x must be null: the model has no input taps (options.inputDelays is empty), got ${describe(x)}`);
      return null;
    }
    if (x === null || x === undefined) throw new TypeError(`${where}: x (the exogenous series) is missing; the model has input taps [${this.inputDelays.join(', ')}]`);
    return readSeries(where, 'x', x, this.inputSize);
  }

  /** Reads x and y and lays windows over them: every step from lostSteps (open), or closeLoop's windows (closed). */
  #windows(where: string, x: SeriesLike | null | undefined, y: SeriesLike | undefined, loop: 'open' | 'closed'): WindowSet {
    if (y === undefined || y === null) throw new TypeError(`${where}: y (the modelled series) is missing`);
    const xs = this.#readExogenous(where, x);
    const ys = readSeries(where, 'y', y, this.outputSize);
    if (xs && xs.T !== ys.T) throw new RangeError(`${where}: x has ${xs.T} time steps but y has ${ys.T}; they must be aligned step for step`);
    const T = ys.T;
    const m = this.lostSteps;
    if (T <= m) throw new RangeError(`${where}: y has ${T} steps, which leaves none after the ${m} the taps need (the largest delay); give at least ${m + 1}`);
    let starts: Int32Array;
    let horizon: number;
    if (loop === 'open') {
      horizon = 1;
      starts = Int32Array.from({ length: T - m }, (_, r) => m + r);
    } else {
      horizon = this.#horizon || T - m;
      if (m + horizon > T) throw new RangeError(`${where}: closed-loop windows of ${horizon} steps (closeLoop's horizon) need at least ${m + horizon} steps of y (${m} before the first window), got ${T}`);
      const count = Math.floor((T - m - horizon) / this.#stride) + 1;
      starts = Int32Array.from({ length: count }, (_, r) => m + r * this.#stride);
    }
    return { N: starts.length, x: xs?.data ?? null, y: ys.data, Tx: xs?.T ?? 0, Ty: T, starts, horizon };
  }
}
