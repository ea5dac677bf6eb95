// Lookback windows for forecasting: from a series of T steps (one value or F
// features per step) to samples x[i] = steps i … i+lookback−1 and targets
// y[i] = the target feature `horizon` steps after the window's last step — its value,
// or its direction (up / not up) relative to the window's last step.
import { checkInt, checkOneOf, checkOptions, describe } from '../errors.js';
import type { Tensor } from '../tensor.js';

export interface WindowOptions {
  /** Steps in each input window. */
  lookback: number;
  /** How far ahead the target is (default 1: the next step). */
  horizon?: number;
  /** Which feature is the target, for a multi-feature series (default 0). */
  target?: number;
  /**
   * 'value' (default): y [N, 1] holds the target's value. 'direction': y [N] holds class labels
   * for cross-entropy — 1 (up) when the target `horizon` steps ahead is strictly greater than
   * the target at the window's last step, 0 (down) when it is smaller or equal: an unchanged
   * value counts as down. Compared in the input's own precision (before any float32 rounding).
   */
  labels?: 'value' | 'direction';
}

/**
 * A series: numbers (number[] or any typed array, e.g. mackeyGlass's Float64Array), rows of
 * F features (number[][] or an array of typed arrays), or { data, shape: [T] | [T, F] }.
 */
export type WindowSeries = ArrayLike<number> | ArrayLike<ArrayLike<number>> | { data: ArrayLike<number>; shape: readonly number[] };

/** x: [N, lookback, F], y: [N, 1] (values) or [N] (direction labels), N = T − lookback − horizon + 1. */
export function lookbackWindows(series: WindowSeries, options: WindowOptions): { x: Tensor; y: Tensor } {
  const where = 'lookbackWindows';
  const { values, T, F } = readSeriesRows(where, series);
  if (options === null || typeof options !== 'object') throw new TypeError(`${where}: options must be { lookback, horizon?, target?, labels? }, got ${describe(options)}`);
  checkOptions(where, options, ['lookback', 'horizon', 'target', 'labels']);
  const lookback = checkInt(where, 'options.lookback', options.lookback, 1);
  const horizon = options.horizon === undefined ? 1 : checkInt(where, 'options.horizon', options.horizon, 1);
  const target = options.target === undefined ? 0 : checkInt(where, 'options.target', options.target, 0, F - 1);
  const labels = options.labels === undefined ? 'value' : checkOneOf(where, 'options.labels', options.labels, ['value', 'direction'] as const);
  const N = T - lookback - horizon + 1;
  if (N < 1) throw new RangeError(`${where}: a series of ${T} steps is too short for lookback ${lookback} and horizon ${horizon} (needs at least ${lookback + horizon})`);
  const flat = Float32Array.from(values);
  const x = new Float32Array(N * lookback * F);
  const y = new Float32Array(N);
  for (let i = 0; i < N; i++) {
    x.set(flat.subarray(i * F, (i + lookback) * F), i * lookback * F);
    const ahead = values[(i + lookback - 1 + horizon) * F + target];
    y[i] = labels === 'value' ? ahead : ahead > values[(i + lookback - 1) * F + target] ? 1 : 0;
  }
  return { x: { data: x, shape: [N, lookback, F] }, y: { data: y, shape: labels === 'value' ? [N, 1] : [N] } };
}

/** The series as f64 rows [T, F], every value finite. */
export function readSeriesRows(where: string, series: unknown): { values: Float64Array; T: number; F: number } {
  const finite = (v: unknown, index: string): number => {
    if (typeof v !== 'number') throw new TypeError(`${where}: series${index} must be a number, got ${describe(v)}`);
    if (!Number.isFinite(v)) throw new RangeError(`${where}: series${index} is ${v}; values must be finite`);
    return v;
  };
  if (series !== null && typeof series === 'object' && !Array.isArray(series) && !ArrayBuffer.isView(series) && 'data' in series && 'shape' in series) {
    const shape: unknown = series.shape;
    if (!Array.isArray(shape) || (shape.length !== 1 && shape.length !== 2) || !shape.every((s) => Number.isInteger(s) && (s as number) >= 0)) {
      throw new RangeError(`${where}: series.shape must be [T] or [T, F] (non-negative integers), got ${JSON.stringify(shape)}`);
    }
    const [T, F = 1] = shape as number[];
    const data: unknown = series.data;
    if (!isNumbers(data)) throw new TypeError(`${where}: series.data must be an array or typed array of numbers, got ${describe(data)}`);
    if (data.length !== T * F) throw new RangeError(`${where}: series.data has ${data.length} values but shape [${shape.join(', ')}] needs ${T * F}`);
    if (F < 1) throw new RangeError(`${where}: series.shape[1] (features) must be ≥ 1, got ${F}`);
    const values = new Float64Array(T * F);
    for (let k = 0; k < T * F; k++) values[k] = finite(data[k], F === 1 ? `.data[${k}]` : `.data[${k}] (step ${Math.floor(k / F)}, feature ${k % F})`);
    return { values, T, F };
  }
  if (!isNumbers(series)) {
    throw new TypeError(`${where}: series must be numbers (an array or typed array), rows of feature arrays, or { data, shape: [T, F] }, got ${describe(series)}`);
  }
  const T = series.length;
  const first: unknown = T > 0 ? series[0] : undefined;
  const rows = Array.isArray(first) || ArrayBuffer.isView(first);
  const F = rows ? (first as ArrayLike<number>).length : 1;
  if (rows && F < 1) throw new RangeError(`${where}: series[0] has no features (an empty row)`);
  const values = new Float64Array(T * F);
  for (let t = 0; t < T; t++) {
    const row: unknown = series[t];
    if (!rows) {
      values[t] = finite(row, `[${t}]`);
      continue;
    }
    if (!isNumbers(row) || row.length !== F) throw new TypeError(`${where}: series[${t}] must be an array of ${F} numbers, got ${describe(row)}`);
    for (let f = 0; f < F; f++) values[t * F + f] = finite(row[f], `[${t}][${f}]`);
  }
  return { values, T, F };
}

/** An array or a typed array of numbers (not a DataView, not BigInt). */
function isNumbers(value: unknown): value is ArrayLike<unknown> {
  if (Array.isArray(value)) return true;
  return ArrayBuffer.isView(value) && !(value instanceof DataView) && !(value instanceof BigInt64Array) && !(value instanceof BigUint64Array);
}
