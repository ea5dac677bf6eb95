// The models the forecast command trains, and how each turns a scaled series into one
// forecast per window origin (the same functions serve `forecast` and `predict`). Value task:
// the forecast of the scaled target; direction task: the probability of "up" (the class, 0 or
// 1, for AR). Strategy direct: a model of the target `horizon` rows ahead; recursive: a
// one-step model whose forecasts are fed back `horizon` times (the target alone). NARX is
// always a one-step model: recursive forecasts are its closed-loop simulation.
import {
  Dense, EchoStateNetwork, GRU, LSTM, NARX, Sequential, TCN, rmse, type ARJSON, type EchoStateNetworkJSON, type NARXJSON, type SequentialJSON,
} from '../index.js';
import { breathe, progressBar } from './progress.js';

/** value: forecast the target's value; direction: classify its move (up / down or unchanged). */
export type Task = 'value' | 'direction';
/** direct: one model for `horizon` steps ahead; recursive: a one-step model iterated `horizon` times. */
export type Strategy = 'direct' | 'recursive';
export type ModelKind = 'ar' | 'narx' | 'lstm' | 'gru' | 'tcn' | 'esn';
export const MODEL_KINDS: readonly ModelKind[] = ['ar', 'narx', 'lstm', 'gru', 'tcn', 'esn'];

/** What the models are given: the scaled series and where its parts are. */
export interface Problem {
  /** Scaled rows [T, F], feature 0 is the target. */
  scaled: Float32Array;
  T: number;
  F: number;
  lookback: number;
  horizon: number;
  trainEnd: number;
  validEnd: number;
  /** Every window [N, lookback, F], origins lookback − 1 … T − 1. */
  windows: { data: Float32Array; shape: [number, number, number] };
  task: Task;
  strategy: Strategy;
  /** The target in its own units (the direction labels compare these). */
  target: Float64Array;
}

export interface TrainOptions {
  units: number;
  epochs: number;
  batchSize: number;
  patience: number;
  learningRate: number;
  seed: number;
  progress: boolean;
}

export interface EsnCandidate {
  leakRate: number;
  spectralRadius: number;
  inputScaling: number;
  ridge: number;
  validationRmse: number;
}

/** How the AR order was chosen (the report's table). */
export interface ArInfo {
  order: number;
  maxOrder: number;
  criterion: 'aic';
  /** Exogenous columns used (the features, lagged by the horizon), 0 for the target alone. */
  exogenous: number;
  /** Why the features were left out, when they were. */
  dropped: string | null;
  candidates: { order: number; aic: number; bic: number; sigma2: number }[];
  params: number[];
  standardErrors: number[];
  sigma2: number;
  nobs: number;
}

export interface Trained {
  kind: ModelKind;
  /** One line for tables: "LSTM (32 units)", "AR(3) by AIC". */
  label: string;
  /** The saved model: Sequential.toJSON(), NARX.toJSON(), EchoStateNetwork.toJSON() or AR.toJSON(). */
  json: SequentialJSON | NARXJSON | EchoStateNetworkJSON | ARJSON;
  /** Per window origin (length N): the scaled forecast (value task) or p(up) (direction). */
  forecasts: Float64Array;
  seconds: number;
  /** LSTM/GRU/TCN/NARX: loss per epoch (scaled MSE, or cross-entropy for direction). */
  history?: { loss: number[]; valLoss: number[]; bestEpoch: number; stoppedEarly: boolean };
  /** ESN: every candidate tried on the validation part, and the settings kept. */
  search?: { candidates: EsnCandidate[]; chosen: EsnCandidate; washout: number };
  /** AR: the order selection and the fit. */
  ar?: ArInfo;
  /** One line about the training for the terminal. */
  summary: string;
}

/** Steps between a window's last row and the row a model is trained on: 1 for a recursive value model. */
export function trainingHorizon(p: Pick<Problem, 'horizon' | 'strategy' | 'task'>): number {
  return p.task === 'value' && p.strategy === 'recursive' ? 1 : p.horizon;
}

/** Index of the first window whose target row (trained horizon h) is ≥ row. */
function firstWindowTargeting(row: number, p: Problem, h: number): number {
  return Math.max(0, row - h - p.lookback + 1);
}

/** 1 (up) when the target h rows after origin o is strictly greater than at o, else 0; NaN past the data. */
export function directionAt(target: Float64Array, o: number, h: number): number {
  return o + h >= target.length ? NaN : target[o + h] > target[o] ? 1 : 0;
}

/** What a window is trained to output: the scaled target h rows ahead, or its direction class. */
function trainingTarget(p: Problem, i: number, h: number): number {
  const origin = i + p.lookback - 1;
  return p.task === 'direction' ? directionAt(p.target, origin, h) : p.scaled[(origin + h) * p.F];
}

/** Windows [from, to) with their training targets (values [n, 1], or labels [n] for direction). */
function windowSlice(p: Problem, from: number, to: number, h: number): { x: { data: Float32Array; shape: [number, number, number] }; y: { data: Float32Array; shape: number[] } } {
  const per = p.lookback * p.F;
  const y = new Float32Array(to - from);
  for (let i = from; i < to; i++) y[i - from] = trainingTarget(p, i, h);
  return {
    x: { data: p.windows.data.slice(from * per, to * per), shape: [to - from, p.lookback, p.F] },
    y: { data: y, shape: p.task === 'direction' ? [to - from] : [to - from, 1] },
  };
}

/**
 * The forecasts of `steps` rows ahead from every window of a one-step model of the target alone
 * (F = 1): predict, append the forecast to each window (dropping its oldest row), repeat.
 */
function iterateWindows(model: Sequential, windows: { data: Float32Array; shape: [number, number, number] }, steps: number): Float64Array {
  const [N, L] = windows.shape;
  let current = windows.data;
  let forecast = model.predict(windows).data;
  for (let s = 1; s < steps; s++) {
    const next = new Float32Array(N * L);
    for (let i = 0; i < N; i++) {
      next.set(current.subarray(i * L + 1, (i + 1) * L), i * L);
      next[i * L + L - 1] = forecast[i];
    }
    current = next;
    forecast = model.predict({ data: current, shape: [N, L, 1] }).data;
  }
  return Float64Array.from(forecast);
}

/** Per-window outputs of a trained Sequential: the forecast (iterated for a recursive model) or p(up). */
function sequentialOutputs(model: Sequential, p: Pick<Problem, 'windows' | 'task' | 'strategy' | 'horizon'>): Float64Array {
  if (p.task === 'direction') {
    const probabilities = model.predict(p.windows).data;
    return Float64Array.from({ length: p.windows.shape[0] }, (_, i) => probabilities[2 * i + 1]);
  }
  const steps = trainingHorizon(p) === 1 && p.horizon > 1 ? p.horizon : 1;
  return steps > 1 ? iterateWindows(model, p.windows, steps) : Float64Array.from(model.predict(p.windows).data);
}

/** The TCN's kernel size (keras-tcn's default). */
export const TCN_KERNEL_SIZE = 3;

/**
 * Dilations 1, 2, 4, … up to the first whose receptive field, 1 + 2·(K − 1)·Σ d (keras-tcn's
 * formula), covers the lookback: the TCN sees the whole window and no more blocks than that needs.
 */
export function tcnDilations(lookback: number): number[] {
  const dilations = [1];
  while (1 + 2 * (TCN_KERNEL_SIZE - 1) * dilations.reduce((a, b) => a + b, 0) < lookback) dilations.push(2 * dilations[dilations.length - 1]);
  return dilations;
}

/** What a fit with the CLI's progress bar, early stopping and validation data returns, turned into the report's history. */
type FitHistory = { epochs: number; loss: number[]; valLoss: number[]; stoppedEarly: boolean };
interface Fittable {
  fit(x: never, y: never, options: Record<string, unknown>): Promise<FitHistory>;
}

/** fit() with the progress bar and early stopping on the validation loss (best weights restored). */
async function fitWithProgress(name: string, model: Fittable, x: unknown, y: unknown, validationData: unknown, o: TrainOptions): Promise<FitHistory> {
  const bar = progressBar(`${name} |{bar}| epoch {epoch}/{epochs}  loss {loss}  val {val}  ETA {eta_formatted}`, o.progress);
  let batchesPerEpoch = 1;
  let lastVal = '–';
  const history = await model.fit(x as never, y as never, {
    epochs: o.epochs,
    batchSize: o.batchSize,
    seed: o.seed,
    validationData,
    earlyStopping: { patience: o.patience, restoreBestWeights: true },
    callbacks: {
      onTrainBegin: ({ epochs, batches }: { epochs: number; batches: number }) => {
        batchesPerEpoch = batches;
        bar.start(epochs * batches, { epoch: '1', epochs: String(epochs), loss: '–', val: lastVal });
      },
      onBatchEnd: ({ epoch, batch, loss }: { epoch: number; batch: number; loss: number }) => {
        bar.update(epoch * batchesPerEpoch + batch + 1, { epoch: String(epoch + 1), epochs: String(o.epochs), loss: loss.toExponential(2), val: lastVal });
      },
      onEpochEnd: ({ valLoss }: { valLoss?: number }) => {
        lastVal = valLoss === undefined ? '–' : valLoss.toExponential(2);
      },
    },
  });
  bar.stop();
  return history;
}

/** The report's history and the terminal's summary line of a fit. */
function describeFit(name: string, history: FitHistory, seconds: number): { history: NonNullable<Trained['history']>; summary: string } {
  let bestEpoch = 0;
  history.valLoss.forEach((v, e) => {
    if (v < history.valLoss[bestEpoch]) bestEpoch = e;
  });
  return {
    history: { loss: history.loss, valLoss: history.valLoss, bestEpoch, stoppedEarly: history.stoppedEarly },
    summary:
      `${name}: ${history.epochs} epoch${history.epochs === 1 ? '' : 's'} in ${seconds.toFixed(1)} s` +
      `${history.stoppedEarly ? ` (stopped early; best validation loss ${history.valLoss[bestEpoch].toExponential(2)} at epoch ${bestEpoch + 1})` : `, validation loss ${history.valLoss[history.valLoss.length - 1].toExponential(2)}`}`,
  };
}

/** LSTM/GRU: one recurrent layer; TCN: a TCN whose receptive field covers the lookback; then the head. */
export async function trainRecurrent(kind: 'lstm' | 'gru' | 'tcn', p: Problem, o: TrainOptions): Promise<Trained> {
  const started = performance.now();
  const direction = p.task === 'direction';
  const body =
    kind === 'tcn' ? new TCN({ filters: o.units, kernelSize: TCN_KERNEL_SIZE, dilations: tcnDilations(p.lookback), normalization: 'weight' })
    : kind === 'lstm' ? new LSTM({ units: o.units }) : new GRU({ units: o.units });
  const head = direction ? new Dense({ units: 2, activation: 'softmax' }) : new Dense({ units: 1 });
  const model = new Sequential({ inputSize: p.F, seed: o.seed, layers: [body, head] });
  try {
    model.compile({ loss: direction ? 'crossEntropy' : 'mse', optimizer: { type: 'adam', learningRate: o.learningRate }, clipNorm: 1 });
    const h = trainingHorizon(p);
    const trainTo = firstWindowTargeting(p.trainEnd, p, h);
    const validTo = firstWindowTargeting(p.validEnd, p, h);
    const train = windowSlice(p, 0, trainTo, h);
    const valid = windowSlice(p, trainTo, validTo, h);
    const name = kind.toUpperCase();
    const history = await fitWithProgress(name, model, train.x, train.y, valid, o);
    const forecasts = sequentialOutputs(model, p);
    const seconds = (performance.now() - started) / 1000;
    const size = kind === 'tcn' ? `${o.units} filters, dilations ${tcnDilations(p.lookback).join('·')}` : `${o.units} units`;
    return {
      kind,
      label: `${name}${direction ? ' classifier' : ''} (${size})${h === 1 && p.horizon > 1 ? ', recursive' : ''}`,
      json: model.toJSON(),
      forecasts,
      seconds,
      ...describeFit(name, history, seconds),
    };
  } finally {
    model.dispose();
  }
}

/** The NARX's series: the scaled target [T] and the other inputs [T, F − 1] (null without features). */
function narxSeries(p: Pick<Problem, 'scaled' | 'T' | 'F'>, from: number, to: number, extra = 0): { x: { data: Float32Array; shape: number[] } | null; y: Float32Array } {
  const n = to - from + extra;
  const E = p.F - 1;
  const y = new Float32Array(n);
  const x = E > 0 ? new Float32Array(n * E) : null;
  for (let t = from; t < to; t++) {
    y[t - from] = p.scaled[t * p.F];
    if (x) x.set(p.scaled.subarray(t * p.F + 1, (t + 1) * p.F), (t - from) * E);
  }
  return { x: x ? { data: x, shape: [n, E] } : null, y };
}

/**
 * NARX, one step ahead: feedback delays 1 … lookback on the target, input delays 1 … lookback
 * on each feature (the rows a window holds), one hidden layer of `units` tanh units, trained in
 * open loop (the true past targets fed back) with early stopping on the validation rows. Its
 * `horizon`-step forecasts are closed-loop simulations from each origin (strategy recursive).
 */
export async function trainNarx(p: Problem, o: TrainOptions): Promise<Trained> {
  const started = performance.now();
  const L = p.lookback;
  const E = p.F - 1;
  // Input delays 1 … L, not the count L (that would be 0 … L − 1: the features of the very row forecast).
  const delays = Array.from({ length: L }, (_, k) => k + 1);
  const narx = new NARX({ inputDelays: E > 0 ? delays : [], feedbackDelays: delays, ...(E > 0 ? { inputSize: E } : {}), hidden: [o.units], seed: o.seed });
  try {
    narx.compile({ loss: 'mse', optimizer: { type: 'adam', learningRate: o.learningRate }, clipNorm: 1 });
    // Targets of the training rows L … trainEnd − 1; of the validation rows trainEnd … validEnd − 1
    // (their series starts L rows earlier, the lost steps), as the windowed models.
    const train = narxSeries(p, 0, p.trainEnd);
    const valid = narxSeries(p, p.trainEnd - L, p.validEnd);
    const history = await fitWithProgress('NARX', narx, train.x, train.y, { x: valid.x, y: valid.y }, o);
    const forecasts = narxOutputs(narx, p);
    const seconds = (performance.now() - started) / 1000;
    return {
      kind: 'narx',
      label: `NARX (${L} delays, ${o.units} units)${p.horizon > 1 ? ', closed loop' : ''}`,
      json: narx.toJSON(),
      forecasts,
      seconds,
      ...describeFit('NARX', history, seconds),
    };
  } finally {
    narx.dispose();
  }
}

/**
 * Per window origin o (lookback − 1 … T − 1): the NARX's forecast of row o + horizon. One step
 * ahead: open-loop predict over the series with one placeholder row after it (read by no tap),
 * so the last origin forecasts past the data too. Further: a closed-loop simulation of `horizon`
 * steps from the last `lookback` targets up to o (the target alone: options.ts refuses features).
 */
function narxOutputs(narx: NARX, p: Pick<Problem, 'scaled' | 'T' | 'F' | 'lookback' | 'horizon'>): Float64Array {
  const L = p.lookback;
  const N = p.T - L + 1;
  if (p.horizon === 1) {
    const all = narxSeries(p, 0, p.T, 1);
    return Float64Array.from(narx.predict(all.x, all.y).data);
  }
  const { y } = narxSeries(p, 0, p.T);
  const out = new Float64Array(N);
  for (let i = 0; i < N; i++) {
    const simulated = narx.simulate(null, { initial: y.subarray(i, i + L), steps: p.horizon }).data;
    out[i] = simulated[p.horizon - 1];
  }
  return out;
}

/** Settings tried for the ESN, each on the validation part (144 fits, about 10 s for 2000 rows here). */
export const ESN_GRID = {
  leakRate: [0.1, 0.3, 0.6, 1],
  spectralRadius: [0.8, 1.0, 1.2],
  inputScaling: [0.2, 1],
  ridge: [1e-8, 1e-5, 1e-2, 1, 100, 1e4],
};
const ESN_DENSITY = 0.1;
const ESN_BIAS_SCALING = 0.2;

/** Washout for a training part of `steps` steps: 100, or a fifth of it when that is shorter. */
export function esnWashout(steps: number): number {
  return Math.min(100, Math.floor(steps / 5));
}

/**
 * The ESN reads the scaled rows one by one (it keeps its own state, so it needs no windows):
 * input u(t) = row t, target d(t) = target at row t + horizon. The readout is fitted on the
 * rows whose target is in the training part; then, from a zero state, the network is driven
 * through the whole series, and its output at an origin row t is the forecast for t + horizon,
 * the same alignment as the windowed models.
 */
export async function trainEsn(p: Problem, o: TrainOptions): Promise<Trained> {
  const started = performance.now();
  const steps = p.trainEnd - p.horizon;
  const washout = esnWashout(steps);
  const inputs = { data: p.scaled.slice(0, steps * p.F), shape: [steps, p.F] };
  const targets = new Float32Array(steps);
  // Value: the scaled target `horizon` rows ahead; direction: its class (1 up, 0 down or unchanged).
  const targetAt = (t: number): number => (p.task === 'direction' ? directionAt(p.target, t, p.horizon) : p.scaled[(t + p.horizon) * p.F]);
  for (let t = 0; t < steps; t++) targets[t] = targetAt(t);
  const target = { data: targets, shape: [steps, 1] };
  // One reservoir (its spectral radius is the slow part of building one); each candidate is
  // that reservoir rescaled to its spectral radius and input scaling.
  const base = new EchoStateNetwork({
    inputSize: p.F, units: o.units, density: ESN_DENSITY, spectralRadius: 1, inputScaling: 1, biasScaling: ESN_BIAS_SCALING, washout, seed: o.seed,
  });
  const baseJson = base.toJSON();
  base.dispose();
  const validFrom = Math.max(p.trainEnd, p.lookback - 1 + p.horizon);
  const validActual: number[] = [];
  for (let r = validFrom; r < p.validEnd; r++) validActual.push(targetAt(r - p.horizon));
  const all = { data: p.scaled, shape: [p.T, p.F] };
  const candidates: EsnCandidate[] = [];
  let best: { candidate: EsnCandidate; json: EchoStateNetworkJSON; outputs: Float32Array } | null = null;
  const total = ESN_GRID.leakRate.length * ESN_GRID.spectralRadius.length * ESN_GRID.inputScaling.length * ESN_GRID.ridge.length;
  const bar = progressBar('ESN search |{bar}| {value}/{total} settings  best val RMSE {best}  ETA {eta_formatted}', o.progress);
  bar.start(total, { best: '–' });
  for (const spectralRadius of ESN_GRID.spectralRadius) {
    for (const inputScaling of ESN_GRID.inputScaling) {
      for (const leakRate of ESN_GRID.leakRate) {
        for (const ridge of ESN_GRID.ridge) {
          const json = rescaled(baseJson, { spectralRadius, inputScaling, leakRate, ridge });
          const esn = EchoStateNetwork.fromJSON(json);
          let candidate: EsnCandidate;
          let outputs: Float32Array;
          try {
            esn.fit(inputs, target);
            esn.resetState();
            outputs = esn.predict(all).data;
            const predicted: number[] = [];
            for (let r = validFrom; r < p.validEnd; r++) predicted.push(outputs[r - p.horizon]);
            candidate = { leakRate, spectralRadius, inputScaling, ridge, validationRmse: rmse(predicted, validActual) };
            if (!Number.isFinite(candidate.validationRmse)) candidate.validationRmse = Infinity;
            if (!best || candidate.validationRmse < best.candidate.validationRmse) best = { candidate, json: esn.toJSON(), outputs };
          } catch {
            // A degenerate setting (the ridge solve failed): it simply loses.
            candidate = { leakRate, spectralRadius, inputScaling, ridge, validationRmse: Infinity };
          } finally {
            esn.dispose();
          }
          candidates.push(candidate);
          bar.update(candidates.length, { best: best ? best.candidate.validationRmse.toExponential(2) : '–' });
          await breathe();
        }
      }
    }
  }
  bar.stop();
  if (!best) throw new Error('every ESN setting failed to fit (the training part is degenerate)');
  const N = p.T - p.lookback + 1;
  const forecasts = new Float64Array(N);
  for (let i = 0; i < N; i++) forecasts[i] = best.outputs[i + p.lookback - 1];
  const seconds = (performance.now() - started) / 1000;
  const c = best.candidate;
  return {
    kind: 'esn',
    label: `ESN${p.task === 'direction' ? ' classifier' : ''} (${o.units} units)`,
    json: best.json,
    forecasts,
    seconds,
    search: { candidates, chosen: c, washout },
    summary:
      `ESN: ${candidates.length} settings tried on the validation part in ${seconds.toFixed(1)} s; kept leakRate ${c.leakRate}, ` +
      `spectralRadius ${c.spectralRadius}, inputScaling ${c.inputScaling}, ridge ${c.ridge} (validation RMSE ${c.validationRmse.toExponential(2)}, scaled)`,
  };
}

/** The base reservoir with W scaled to `spectralRadius` (its radius is 1) and W_in to `inputScaling`. */
function rescaled(base: EchoStateNetworkJSON, s: { spectralRadius: number; inputScaling: number; leakRate: number; ridge: number }): EchoStateNetworkJSON {
  return {
    ...base,
    options: { ...base.options, spectralRadius: s.spectralRadius, inputScaling: s.inputScaling, leakRate: s.leakRate, ridge: s.ridge },
    reservoir: {
      ...base.reservoir,
      values: base.reservoir.values.map((v) => Math.fround(v * s.spectralRadius)),
      inputWeights: base.reservoir.inputWeights.map((v) => Math.fround(v * s.inputScaling)),
    },
  };
}

/** Outputs for every window origin from a saved network (NARX, LSTM, GRU, TCN, ESN; AR is cli/ar.ts's arOutputs): what `predict` runs. */
export function forecastWith(kind: Exclude<ModelKind, 'ar'>, json: unknown, p: Pick<Problem, 'scaled' | 'T' | 'F' | 'lookback' | 'windows' | 'task' | 'strategy' | 'horizon'>): Float64Array {
  if (kind === 'esn') {
    const esn = EchoStateNetwork.fromJSON(json);
    try {
      esn.resetState();
      const outputs = esn.predict({ data: p.scaled, shape: [p.T, p.F] }).data;
      const N = p.T - p.lookback + 1;
      const out = new Float64Array(N);
      for (let i = 0; i < N; i++) out[i] = outputs[i + p.lookback - 1];
      return out;
    } finally {
      esn.dispose();
    }
  }
  if (kind === 'narx') {
    const narx = NARX.fromJSON(json);
    try {
      return narxOutputs(narx, p);
    } finally {
      narx.dispose();
    }
  }
  const model = Sequential.fromJSON(json);
  try {
    return sequentialOutputs(model, p);
  } finally {
    model.dispose();
  }
}
