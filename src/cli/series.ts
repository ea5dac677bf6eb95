// From columns of numbers to what the models see: a time-ordered split, a scaler fitted
// on the training part only, and lookback windows.
//
// Window i ends at origin row t = i + lookback − 1 (inputs: rows t − lookback + 1 … t) and
// forecasts the target at row t + horizon. A window belongs to the part its *target* row
// falls in: train [0, trainEnd), validation [trainEnd, validEnd), test [validEnd, T), and
// "future" beyond the data (no actual value: a real forecast). So no value of the
// validation or test rows is a training target or shapes the scaler; inputs of a
// validation or test window may reach back into earlier parts, as a forecaster's would.
import { StandardScaler } from '../index.js';
import { CliError } from './errors.js';

export type Part = 'train' | 'validation' | 'test' | 'future';

export interface Split {
  /** Rows [0, trainEnd) are the training part. */
  trainEnd: number;
  /** Rows [trainEnd, validEnd) are validation, [validEnd, T) test. */
  validEnd: number;
}

export const MIN_TRAIN_WINDOWS = 10;
export const MIN_HELD_OUT_WINDOWS = 3;

export function splitRows(T: number, trainFraction: number, validFraction: number): Split {
  const trainEnd = Math.round(T * trainFraction);
  const validEnd = Math.round(T * (trainFraction + validFraction));
  return { trainEnd, validEnd };
}

/** Windows per part for T rows, or why T rows are not enough. */
export function windowCounts(T: number, lookback: number, horizon: number, split: Split): { train: number; validation: number; test: number } {
  return {
    train: Math.max(0, split.trainEnd - lookback - horizon + 1),
    validation: Math.max(0, split.validEnd - Math.max(split.trainEnd, lookback - 1 + horizon)),
    test: Math.max(0, T - Math.max(split.validEnd, lookback - 1 + horizon)),
  };
}

/** Throws a one-line CliError when T rows cannot give every part enough windows. */
export function checkEnoughRows(file: string, T: number, lookback: number, horizon: number, trainFraction: number, validFraction: number): Split {
  const enough = (n: number): boolean => {
    const c = windowCounts(n, lookback, horizon, splitRows(n, trainFraction, validFraction));
    return c.train >= MIN_TRAIN_WINDOWS && c.validation >= MIN_HELD_OUT_WINDOWS && c.test >= MIN_HELD_OUT_WINDOWS;
  };
  if (!enough(T)) {
    let need = T + 1;
    while (!enough(need) && need < 1e9) need = Math.max(need + 1, Math.ceil(need * 1.01));
    while (need > T + 1 && enough(need - 1)) need--;
    const pct = (f: number): string => `${Math.round(f * 100)}`;
    throw new CliError(
      `${file}: ${T} data row${T === 1 ? '' : 's'} are too few for --lookback ${lookback} --horizon ${horizon}: ` +
        `with a ${pct(trainFraction)}/${pct(validFraction)}/${pct(1 - trainFraction - validFraction)} % train/validation/test split it needs at least ${need} rows ` +
        `(${MIN_TRAIN_WINDOWS} training windows, ${MIN_HELD_OUT_WINDOWS} each for validation and test)`,
    );
  }
  return splitRows(T, trainFraction, validFraction);
}

export interface Scaler {
  mean: number[];
  std: number[];
}

/** Names a data set's columns in messages: the file and each column's header. */
export interface ColumnNames {
  file: string;
  names: readonly string[];
}

/** The columns as rows [T, F] (row-major), what StandardScaler takes. */
function asRows(columns: Float64Array[]): { data: Float64Array; shape: [number, number] } {
  const F = columns.length;
  const T = columns[0].length;
  const data = new Float64Array(T * F);
  columns.forEach((c, f) => c.forEach((v, t) => (data[t * F + f] = v)));
  return { data, shape: [T, F] };
}

/**
 * The library's StandardScaler over rows [0, rows): mean and population standard deviation of each
 * column (a constant column gets std 1). Its errors name the file and the column.
 */
export function fitScaler(columns: Float64Array[], rows: number, where: ColumnNames): Scaler {
  const scaler = StandardScaler.fit(asRows(columns), { rows, names: where.names, label: where.file });
  return { mean: scaler.mean, std: scaler.std };
}

/** Scaled rows [T, F], time-major, f32 (what the models take); a value that scales beyond float32 range is an error naming its column and row. */
export function scaleColumns(columns: Float64Array[], scaler: Scaler, where: ColumnNames): Float32Array {
  const fitted = StandardScaler.fromJSON({ format: 'rnn-wasm/standard-scaler', version: 1, mean: scaler.mean, std: scaler.std });
  return fitted.transform(asRows(columns), { names: where.names, label: where.file }).data;
}

/** Every window of the series: origins lookback − 1 … T − 1; x [N, lookback, F], N = T − lookback + 1. */
export function allWindows(scaled: Float32Array, T: number, F: number, lookback: number): { data: Float32Array; shape: [number, number, number] } {
  const N = T - lookback + 1;
  const data = new Float32Array(N * lookback * F);
  for (let i = 0; i < N; i++) data.set(scaled.subarray(i * F, (i + lookback) * F), i * lookback * F);
  return { data, shape: [N, lookback, F] };
}

export function partOf(targetRow: number, T: number, split: Split): Part {
  if (targetRow >= T) return 'future';
  if (targetRow >= split.validEnd) return 'test';
  if (targetRow >= split.trainEnd) return 'validation';
  return 'train';
}
