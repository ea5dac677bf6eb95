// Standardising data before a model sees it: each column minus its mean, divided by its
// standard deviation, both taken over the training rows only (so nothing about the held-out
// rows leaks into training). The forecasting CLI scales its CSV columns with this class, and a
// library user scales theirs the same way. Fitted once, it is plain data (toJSON/fromJSON) to
// save beside the model, and inverseTransform turns a model's outputs back into data units.
//
// The arithmetic is O(rows × columns) of data preparation, done once per data set in f64; it is
// not on a training or inference path, so it runs in TypeScript.
import { checkInt, checkOptions, describe } from '../errors.js';
import type { Tensor } from '../tensor.js';
import { readSeriesRows, type WindowSeries } from './windows.js';

export interface ScalerFitOptions {
  /** Fit on rows [0, rows) only — the training part (default: every row). */
  rows?: number;
  /** Column names for messages (default: "column 0", "column 1", …). */
  names?: readonly string[];
  /** What the data is, for messages (e.g. a file name; default 'StandardScaler.fit'). */
  label?: string;
}

export interface StandardScalerJSON {
  format: 'rnn-wasm/standard-scaler';
  version: 1;
  mean: number[];
  std: number[];
}

const FORMAT = 'rnn-wasm/standard-scaler';

/**
 * z = (x − mean) / std per column, with the population standard deviation. A constant column
 * gets std 1 (it is only centred). Data is a series (one column), rows [T][F], or
 * { data, shape: [T, F] } — what lookbackWindows takes, so the two chain.
 *
 * @example
 * const scaler = StandardScaler.fit(rows, { rows: trainEnd });
 * const { x, y } = lookbackWindows(scaler.transform(rows), { lookback: 24 });
 * const forecast = scaler.inverseTransform(model.predict(x).data, { column: 0 });
 */
export class StandardScaler {
  readonly #mean: Float64Array;
  readonly #std: Float64Array;

  private constructor(mean: Float64Array, std: Float64Array) {
    this.#mean = mean;
    this.#std = std;
  }

  /** Means and standard deviations of each column over the first `rows` rows. */
  static fit(data: WindowSeries, options: ScalerFitOptions = {}): StandardScaler {
    const where = 'StandardScaler.fit';
    checkOptions(where, options, ['rows', 'names', 'label']);
    const { values, T, F } = readSeriesRows(where, data);
    const rows = options.rows === undefined ? T : checkInt(where, 'options.rows', options.rows, 1, T);
    if (T === 0) throw new RangeError(`${where}: data has no rows; a scaler needs at least one`);
    const names = readNames(where, options.names, F);
    const label = options.label === undefined ? where : checkLabel(where, options.label);
    const mean = new Float64Array(F);
    const std = new Float64Array(F);
    for (let f = 0; f < F; f++) {
      let m = 0;
      for (let t = 0; t < rows; t++) m += values[t * F + f];
      m /= rows;
      let v = 0;
      for (let t = 0; t < rows; t++) v += (values[t * F + f] - m) ** 2;
      const s = Math.sqrt(v / rows);
      if (!Number.isFinite(m) || !Number.isFinite(s)) {
        throw new RangeError(`${label}: ${names[f]} cannot be scaled: its ${Number.isFinite(m) ? 'standard deviation' : 'mean'} over the training rows (1–${rows}) is not finite (its values are too large)`);
      }
      mean[f] = m;
      std[f] = s > 1e-12 * Math.max(1, Math.abs(m)) ? s : 1;
    }
    return new StandardScaler(mean, std);
  }

  /** A scaler from its saved form (what toJSON wrote). */
  static fromJSON(json: unknown): StandardScaler {
    const where = 'StandardScaler.fromJSON';
    if (json === null || typeof json !== 'object') throw new TypeError(`${where}: expected a saved StandardScaler object, got ${describe(json)}`);
    const j = json as Partial<StandardScalerJSON>;
    if (j.format !== FORMAT) throw new TypeError(`${where}: format must be "${FORMAT}", got ${describe(j.format)}`);
    if (j.version !== 1) throw new RangeError(`${where}: version must be 1, got ${describe(j.version)}`);
    const list = (name: 'mean' | 'std'): Float64Array => {
      const v: unknown = j[name];
      if (!Array.isArray(v) || v.length === 0 || !v.every((x) => typeof x === 'number' && Number.isFinite(x) && (name === 'mean' || x > 0))) {
        throw new TypeError(`${where}: ${name} must be a non-empty array of finite${name === 'std' ? ' positive' : ''} numbers, got ${describe(v)}`);
      }
      return Float64Array.from(v as number[]);
    };
    const mean = list('mean');
    const std = list('std');
    if (mean.length !== std.length) throw new RangeError(`${where}: mean has ${mean.length} columns but std has ${std.length}`);
    return new StandardScaler(mean, std);
  }

  /** Number of columns. */
  get columns(): number {
    return this.#mean.length;
  }

  /** Each column's mean (a copy). */
  get mean(): number[] {
    return Array.from(this.#mean);
  }

  /** Each column's standard deviation, 1 for a constant column (a copy). */
  get std(): number[] {
    return Array.from(this.#std);
  }

  /** (x − mean) / std as f32 rows [T, F], what the models take; a value beyond float32 range is an error naming it. */
  transform(data: WindowSeries, options: Pick<ScalerFitOptions, 'names' | 'label'> = {}): Tensor {
    const where = 'StandardScaler.transform';
    checkOptions(where, options, ['names', 'label']);
    const { values, T, F } = readSeriesRows(where, data);
    if (F !== this.columns) throw new RangeError(`${where}: data has ${F} column${F === 1 ? '' : 's'} but the scaler was fitted on ${this.columns}`);
    const names = readNames(where, options.names, F);
    const label = options.label === undefined ? where : checkLabel(where, options.label);
    const out = new Float32Array(T * F);
    for (let t = 0; t < T; t++) {
      for (let f = 0; f < F; f++) {
        const value = values[t * F + f];
        const z = (value - this.#mean[f]) / this.#std[f];
        out[t * F + f] = z;
        if (!Number.isFinite(out[t * F + f])) {
          throw new RangeError(`${label}: ${names[f]} cannot be scaled: row ${t + 1} (${value}) is too far from the training mean ${this.#mean[f]} for float32`);
        }
      }
    }
    return { data: out, shape: [T, F] };
  }

  /**
   * Back to data units: x = z · std + mean. With `column`, values are of that one column (e.g. a
   * model's forecasts of the target); without, they are rows [T, F] laid out as transform's output.
   */
  inverseTransform(values: ArrayLike<number>, options: { column?: number } = {}): Float64Array {
    const where = 'StandardScaler.inverseTransform';
    checkOptions(where, options, ['column']);
    if (!Array.isArray(values) && !(ArrayBuffer.isView(values) && !(values instanceof DataView))) {
      throw new TypeError(`${where}: values must be an array or typed array of numbers, got ${describe(values)}`);
    }
    const F = this.columns;
    const column = options.column === undefined ? null : checkInt(where, 'options.column', options.column, 0, F - 1);
    if (column === null && values.length % F !== 0) throw new RangeError(`${where}: values has ${values.length} numbers, not a whole number of rows of ${F} columns (give options.column for one column's values)`);
    const out = new Float64Array(values.length);
    for (let k = 0; k < values.length; k++) {
      const f = column ?? k % F;
      out[k] = values[k] * this.#std[f] + this.#mean[f];
    }
    return out;
  }

  toJSON(): StandardScalerJSON {
    return { format: FORMAT, version: 1, mean: this.mean, std: this.std };
  }
}

function readNames(where: string, names: unknown, F: number): string[] {
  if (names === undefined) return Array.from({ length: F }, (_, f) => `column ${f}`);
  if (!Array.isArray(names) || names.length !== F || !names.every((n) => typeof n === 'string')) {
    throw new TypeError(`${where}: options.names must be ${F} strings (one per column), got ${describe(names)}`);
  }
  return names.map((n: string) => `column "${n}"`);
}

function checkLabel(where: string, label: unknown): string {
  if (typeof label !== 'string') throw new TypeError(`${where}: options.label must be a string, got ${describe(label)}`);
  return label;
}
