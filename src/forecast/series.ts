// Reading series and exogenous columns at the forecasting API boundary, in f64: plain
// arrays, typed arrays (Float64Array keeps every bit), rows of numbers, or { data, shape }.
// Every value is checked finite; messages name the argument and the index.
import { describe } from '../errors.js';

/** A series of numbers: number[] or any typed array of numbers. */
export type SeriesLike = ArrayLike<number>;

/** Columns over time: rows [T][C] (arrays or typed arrays), { data, shape: [T, C] }, or — for one column — a flat series. */
export type ColumnsLike = ArrayLike<number> | ArrayLike<ArrayLike<number>> | { data: ArrayLike<number>; shape: readonly number[] };

/** True for a typed array of numbers (not a DataView or a BigInt array). */
export function isNumericTypedArray(value: unknown): value is ArrayLike<number> {
  return ArrayBuffer.isView(value) && !(value instanceof DataView) && !(value instanceof BigInt64Array) && !(value instanceof BigUint64Array);
}

/** A copy of a series as f64, every value finite. */
export function readSeries(where: string, name: string, value: unknown): Float64Array {
  if (!Array.isArray(value) && !isNumericTypedArray(value)) {
    throw new TypeError(`${where}: ${name} must be an array or typed array of numbers, got ${describe(value)}`);
  }
  const n = value.length;
  const out = new Float64Array(n);
  for (let t = 0; t < n; t++) {
    const v: unknown = value[t];
    if (typeof v !== 'number') throw new TypeError(`${where}: ${name}[${t}] must be a number, got ${describe(v)}`);
    if (!Number.isFinite(v)) throw new RangeError(`${where}: ${name}[${t}] is ${v}; values must be finite`);
    out[t] = v;
  }
  return out;
}

/**
 * Columns over time as f64 rows [T, C] (row-major), with `columns` columns. A flat series is
 * one column (only when `columns` is 1); `rows` checks the number of rows when given.
 */
export function readColumns(where: string, name: string, value: unknown, columns: number): { data: Float64Array; rows: number } {
  const shapeText = `[rows, ${columns}]`;
  if (value !== null && typeof value === 'object' && !Array.isArray(value) && !ArrayBuffer.isView(value) && 'data' in value && 'shape' in value) {
    const v = value;
    const given: unknown = v.shape;
    if (!Array.isArray(given) || given.length !== 2 || !given.every((s) => Number.isInteger(s) && (s as number) >= 0)) {
      throw new RangeError(`${where}: ${name}.shape must be two non-negative integers ${shapeText}, got ${JSON.stringify(given)}`);
    }
    const shape = given as [number, number];
    if (shape[1] !== columns) throw new RangeError(`${where}: ${name}.shape[1] is ${shape[1]} but the model has ${columns} exogenous column${columns === 1 ? '' : 's'}`);
    const data = readSeries(where, `${name}.data`, v.data);
    if (data.length !== shape[0] * columns) throw new RangeError(`${where}: ${name}.data has ${data.length} values but shape [${shape.join(', ')}] needs ${shape[0] * columns}`);
    return { data, rows: shape[0] };
  }
  if (!Array.isArray(value) && !isNumericTypedArray(value)) {
    throw new TypeError(`${where}: ${name} must be rows ${shapeText} (arrays or typed arrays), { data, shape: ${shapeText} }${columns === 1 ? ' or one array of numbers' : ''}, got ${describe(value)}`);
  }
  const T = value.length;
  const first: unknown = T > 0 ? value[0] : undefined;
  if (T > 0 && typeof first === 'number') {
    if (columns !== 1) throw new TypeError(`${where}: ${name} is a flat array of numbers, but the model has ${columns} exogenous columns: give rows [T][${columns}]`);
    return { data: readSeries(where, name, value), rows: T };
  }
  const data = new Float64Array(T * columns);
  for (let t = 0; t < T; t++) {
    const row: unknown = value[t];
    if (!Array.isArray(row) && !isNumericTypedArray(row)) throw new TypeError(`${where}: ${name}[${t}] must be an array of ${columns} numbers, got ${describe(row)}`);
    if (row.length !== columns) throw new RangeError(`${where}: ${name}[${t}] has ${row.length} values but the model has ${columns} exogenous column${columns === 1 ? '' : 's'}`);
    for (let c = 0; c < columns; c++) {
      const v: unknown = row[c];
      if (typeof v !== 'number') throw new TypeError(`${where}: ${name}[${t}][${c}] must be a number, got ${describe(v)}`);
      if (!Number.isFinite(v)) throw new RangeError(`${where}: ${name}[${t}][${c}] is ${v}; values must be finite`);
      data[t * columns + c] = v;
    }
  }
  return { data, rows: T };
}
