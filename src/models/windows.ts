// Lookback windows for forecasting: from a series of T steps (one value or F
// features per step) to samples x[i] = steps i … i+lookback−1 and targets
// y[i] = the target feature `horizon` steps after the window's last step.
import { checkInt, describe } from '../errors.js';
import type { Tensor } from '../tensor.js';

export interface WindowOptions {
  /** Steps in each input window. */
  lookback: number;
  /** How far ahead the target is (default 1: the next step). */
  horizon?: number;
  /** Which feature is the target, for a multi-feature series (default 0). */
  target?: number;
}

/** x: [N, lookback, F], y: [N, 1], N = T − lookback − horizon + 1. */
export function lookbackWindows(series: number[] | number[][] | Float32Array, options: WindowOptions): { x: Tensor; y: Tensor } {
  const where = 'lookbackWindows';
  if (!Array.isArray(series) && !(series instanceof Float32Array)) throw new TypeError(`${where}: series must be an array of numbers or of feature arrays, got ${describe(series)}`);
  if (options === null || typeof options !== 'object') throw new TypeError(`${where}: options must be { lookback, horizon?, target? }, got ${describe(options)}`);
  const T = series.length;
  const F = Array.isArray(series[0]) ? series[0].length : 1;
  const lookback = checkInt(where, 'options.lookback', options.lookback, 1);
  const horizon = options.horizon === undefined ? 1 : checkInt(where, 'options.horizon', options.horizon, 1);
  const target = options.target === undefined ? 0 : checkInt(where, 'options.target', options.target, 0, F - 1);
  const N = T - lookback - horizon + 1;
  if (N < 1) throw new RangeError(`${where}: a series of ${T} steps is too short for lookback ${lookback} and horizon ${horizon} (needs at least ${lookback + horizon})`);
  const flat = new Float32Array(T * F);
  for (let t = 0; t < T; t++) {
    const row = series[t];
    if (F === 1 && typeof row === 'number') flat[t] = row;
    else if (Array.isArray(row) && row.length === F) flat.set(row, t * F);
    else throw new TypeError(`${where}: series[${t}] must be ${F === 1 ? 'a number' : `an array of ${F} numbers`}, got ${describe(row)}`);
    for (let f = 0; f < F; f++) {
      if (!Number.isFinite(flat[t * F + f])) throw new RangeError(`${where}: series[${t}]${F > 1 ? `[${f}]` : ''} is ${flat[t * F + f]}; values must be finite`);
    }
  }
  const x = new Float32Array(N * lookback * F);
  const y = new Float32Array(N);
  for (let i = 0; i < N; i++) {
    x.set(flat.subarray(i * F, (i + lookback) * F), i * lookback * F);
    y[i] = flat[(i + lookback - 1 + horizon) * F + target];
  }
  return { x: { data: x, shape: [N, lookback, F] }, y: { data: y, shape: [N, 1] } };
}
