// Tapped delay lines for NARX-style models: reading series and delay lists, and
// the open-loop design (MATLAB's `preparets` is the precedent). A model
//   y_t = f(x_{t−d₁}, …, x_{t−d_nx}, y_{t−e₁}, …, y_{t−e_ny})
// reads, at time t, the exogenous inputs d steps back for every input delay d and
// the outputs e steps back for every feedback delay e. The first
// max(d₁ … d_nx, e₁ … e_ny) steps of a series have no complete set of taps: they
// are "lost" as rows of the design, and a closed-loop run needs them as its
// initial condition.
import { checkInt, describe } from '../errors.js';
import { readTensor, type Tensor } from '../tensor.js';

/** A series: one value per step (an array or typed array), or [T][C] / { data, shape: [T, C] } for C channels. */
export type SeriesLike = ArrayLike<number> | number[][] | { data: ArrayLike<number>; shape: readonly number[] };

/** Largest delay a tap may have. */
export const MAX_DELAY = 1 << 20;

/** A series read once: [T, C] floats, row-major. */
export interface Series {
  T: number;
  C: number;
  data: Float32Array;
}

export interface DelayOptions {
  /**
   * Input taps: delays d ≥ 0 (strictly increasing), x_{t−d} for each; or a count n for [0, 1, …, n − 1].
   * Default [1, 2] (MATLAB's narxnet) when there is an exogenous series, else none.
   */
  inputDelays?: number | readonly number[];
  /** Feedback taps: delays e ≥ 1 (strictly increasing), y_{t−e} for each; or a count n for [1, 2, …, n]. Default [1, 2]. */
  feedbackDelays?: number | readonly number[];
}

/**
 * A delay list: an array of strictly increasing integers in [min, MAX_DELAY], or a count n
 * meaning the n delays min, min + 1, …, min + n − 1 (min is 0 for input taps, 1 for feedback taps).
 */
export function readDelays(where: string, name: string, value: unknown, min: 0 | 1): number[] {
  if (typeof value === 'number') {
    const n = checkInt(where, name, value, 0, MAX_DELAY);
    return Array.from({ length: n }, (_, k) => min + k);
  }
  if (!Array.isArray(value)) {
    throw new TypeError(`${where}: ${name} must be a count or an array of delays (integers ≥ ${min}), got ${describe(value)}`);
  }
  const delays = Array.from(value, (d: unknown, k) => checkInt(where, `${name}[${k}]`, d, min, MAX_DELAY));
  for (let k = 1; k < delays.length; k++) {
    if (delays[k] <= delays[k - 1]) throw new RangeError(`${where}: ${name} must be strictly increasing, got [${delays.join(', ')}] (${name}[${k}] = ${delays[k]} after ${delays[k - 1]})`);
  }
  return delays;
}

/**
 * Reads `name` as a series of T steps and C channels: a flat array or typed array (C = 1), nested
 * arrays [T][C], or { data, shape } with shape [T] or [T, C]. `channels` fixes C; values must be finite.
 */
export function readSeries(where: string, name: string, value: unknown, channels?: number): Series {
  const what = `${name} must be a series: an array or typed array of numbers (one channel), [T][channels] arrays or { data, shape: [T, channels] }`;
  if (value === null || value === undefined || typeof value !== 'object') throw new TypeError(`${where}: ${what}, got ${describe(value)}`);
  let flat: ArrayLike<number> | null = null;
  let tensor: Tensor;
  if (ArrayBuffer.isView(value) && !(value instanceof DataView)) {
    flat = value as unknown as ArrayLike<number>;
  } else if (Array.isArray(value) && value.length > 0 && !Array.isArray(value[0])) {
    flat = value as ArrayLike<number>;
  } else if (!Array.isArray(value) && 'shape' in value && Array.isArray(value.shape) && value.shape.length === 1) {
    const v = value as { data: ArrayLike<number>; shape: number[] };
    tensor = readTensor(where, name, { data: v.data, shape: [v.shape[0], 1] }, [{ label: 'time steps' }, { label: 'channels' }]);
  }
  if (flat) {
    if (channels !== undefined && channels !== 1) {
      throw new RangeError(`${where}: ${name} is one channel (a flat array of ${flat.length} values) but the model has ${channels} channels there; give [T][${channels}] arrays or { data, shape: [T, ${channels}] }`);
    }
    if (flat.length === 0) throw new RangeError(`${where}: ${name} has no time steps`);
    const data = new Float32Array(flat.length);
    for (let t = 0; t < flat.length; t++) {
      const v: unknown = flat[t];
      if (typeof v !== 'number') throw new TypeError(`${where}: ${name}[${t}] must be a number, got ${describe(v)}`);
      if (!Number.isFinite(v)) throw new RangeError(`${where}: ${name}[${t}] is ${v}; values must be finite`);
      data[t] = v;
    }
    return { T: data.length, C: 1, data };
  }
  tensor ??= readTensor(where, name, value, [{ label: 'time steps' }, { label: 'channels', size: channels }]);
  if (channels !== undefined && tensor.shape[1] !== channels) {
    throw new RangeError(`${where}: ${name} has ${tensor.shape[1]} channel${tensor.shape[1] === 1 ? '' : 's'} but the model has ${channels} there`);
  }
  // readTensor may hand back the caller's own Float32Array: keep a copy, so a later change of it changes nothing here.
  return { T: tensor.shape[0], C: tensor.shape[1], data: tensor.data === (value as { data?: unknown }).data ? tensor.data.slice() : tensor.data };
}

/** The open-loop design of delayWindows. */
export interface DelayWindows {
  /** Regressors [N, nx·I + ny·O]: the input taps (each I channels), then the feedback taps (each O channels), in delay order. */
  inputs: Tensor;
  /** Targets [N, O]: y_t for t = lostSteps … T − 1. */
  targets: Tensor;
  /** The first time step with a row (= the largest delay): steps 0 … lostSteps − 1 have no row. */
  lostSteps: number;
  /** The name of every column of `inputs`: 'x[t-2][0]', 'y[t-1][0]' … */
  columns: string[];
  inputDelays: number[];
  feedbackDelays: number[];
}

/**
 * The series-parallel (open-loop) design of a NARX model: row r is time t = lostSteps + r, its
 * inputs are x_{t−d} for every input delay d and y_{t−e} for every feedback delay e (the true
 * past outputs), its target y_t. `exogenous` may be null for a model of the series alone (NAR).
 */
export function delayWindows(series: SeriesLike, exogenous: SeriesLike | null | undefined, options: DelayOptions = {}): DelayWindows {
  const where = 'delayWindows';
  if (options === null || typeof options !== 'object') throw new TypeError(`${where}: options must be { inputDelays?, feedbackDelays? }, got ${describe(options)}`);
  for (const key of Object.keys(options)) {
    if (key !== 'inputDelays' && key !== 'feedbackDelays') throw new RangeError(`${where}: unknown option '${key}' (known: inputDelays, feedbackDelays)`);
  }
  const y = readSeries(where, 'series', series);
  const x = exogenous === null || exogenous === undefined ? null : readSeries(where, 'exogenous', exogenous);
  const inputDelays = options.inputDelays === undefined ? (x ? [1, 2] : []) : readDelays(where, 'options.inputDelays', options.inputDelays, 0);
  const feedbackDelays = options.feedbackDelays === undefined ? [1, 2] : readDelays(where, 'options.feedbackDelays', options.feedbackDelays, 1);
  if (!x && inputDelays.length > 0) throw new RangeError(`${where}: options.inputDelays [${inputDelays.join(', ')}] need an exogenous series, but exogenous is ${describe(exogenous)}`);
  if (inputDelays.length + feedbackDelays.length === 0) throw new RangeError(`${where}: no taps: give options.inputDelays or options.feedbackDelays`);
  if (x && x.T !== y.T) throw new RangeError(`${where}: exogenous has ${x.T} time steps but series has ${y.T}; they must be aligned step for step`);
  const lost = Math.max(0, ...inputDelays, ...feedbackDelays);
  const N = y.T - lost;
  if (N < 1) throw new RangeError(`${where}: a series of ${y.T} steps leaves no row for a largest delay of ${lost} (needs at least ${lost + 1} steps)`);
  const I = x ? x.C : 0;
  const O = y.C;
  const F = inputDelays.length * I + feedbackDelays.length * O;
  const inputs = new Float32Array(N * F);
  const targets = y.data.slice(lost * O);
  for (let r = 0; r < N; r++) {
    const t = lost + r;
    let c = r * F;
    for (const d of inputDelays) {
      inputs.set(x!.data.subarray((t - d) * I, (t - d + 1) * I), c);
      c += I;
    }
    for (const e of feedbackDelays) {
      inputs.set(y.data.subarray((t - e) * O, (t - e + 1) * O), c);
      c += O;
    }
  }
  return {
    inputs: { data: inputs, shape: [N, F] },
    targets: { data: targets, shape: [N, O] },
    lostSteps: lost,
    columns: tapColumns(inputDelays, feedbackDelays, I, O),
    inputDelays,
    feedbackDelays,
  };
}

/** Column names of the design: 'x[t][0]', 'x[t-1][0]', …, 'y[t-1][0]', … */
export function tapColumns(inputDelays: readonly number[], feedbackDelays: readonly number[], I: number, O: number): string[] {
  const at = (d: number) => (d === 0 ? 't' : `t-${d}`);
  return [
    ...inputDelays.flatMap((d) => Array.from({ length: I }, (_, i) => `x[${at(d)}][${i}]`)),
    ...feedbackDelays.flatMap((e) => Array.from({ length: O }, (_, o) => `y[${at(e)}][${o}]`)),
  ];
}
