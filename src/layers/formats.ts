// Weight-layout conversions between this library and PyTorch / Keras (TF.js).
// Every conversion is a permutation, a transpose, a split or a sum, so the same
// helpers map gradients too.
import { describe } from '../errors.js';
import type { Tensor } from '../tensor.js';

export type WeightFormat = 'native' | 'pytorch' | 'keras';
export const WEIGHT_FORMATS: readonly WeightFormat[] = ['native', 'pytorch', 'keras'];

/** Named weights, each { data, shape } (copies). */
export type Weights = Record<string, Tensor>;

export function checkFormat(where: string, format: unknown): WeightFormat {
  if (typeof format === 'string' && (WEIGHT_FORMATS as readonly string[]).includes(format)) return format as WeightFormat;
  throw new RangeError(`${where}: format must be one of ${WEIGHT_FORMATS.map((f) => `'${f}'`).join(', ')}, got ${describe(format)}`);
}

export function tensor(data: Float32Array, shape: number[]): Tensor {
  return { data, shape };
}

/** [rows, cols] → [cols, rows]. */
export function transpose2d(data: Float32Array, rows: number, cols: number): Float32Array {
  const out = new Float32Array(rows * cols);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c * rows + r] = data[r * cols + c];
  return out;
}

/**
 * Reorders gate blocks along the last axis of a [rows, G·H] matrix (or a [G·H]
 * vector with rows = 1): output block k is input block order[k].
 */
export function permuteBlocks(data: Float32Array, rows: number, H: number, order: readonly number[]): Float32Array {
  const G = order.length;
  const out = new Float32Array(data.length);
  for (let r = 0; r < rows; r++) {
    for (let k = 0; k < G; k++) {
      out.set(data.subarray(r * G * H + order[k] * H, r * G * H + (order[k] + 1) * H), r * G * H + k * H);
    }
  }
  return out;
}

/** The inverse permutation of `order`. */
export function inverseOrder(order: readonly number[]): number[] {
  const inv = new Array<number>(order.length);
  order.forEach((from, to) => (inv[from] = to));
  return inv;
}

export function add(a: Float32Array, b: Float32Array): Float32Array {
  return a.map((v, i) => v + b[i]);
}

/**
 * Takes `key` from user-supplied weights, checking it is { data, shape } (or
 * nested arrays of that shape) with exactly `shape`. Returns a fresh copy.
 */
export function takeWeight(where: string, weights: unknown, key: string, shape: number[]): Float32Array {
  if (weights === null || typeof weights !== 'object') {
    throw new TypeError(`${where}: weights must be an object, got ${describe(weights)}`);
  }
  const value = (weights as Record<string, unknown>)[key];
  if (value === undefined) throw new RangeError(`${where}: weights.${key} is missing (expected shape [${shape.join(', ')}])`);
  const count = shape.reduce((a, b) => a * b, 1);
  let data: Float32Array;
  let given: number[];
  if (value !== null && typeof value === 'object' && 'data' in value && 'shape' in value) {
    const v = value as { data: ArrayLike<number>; shape: number[] };
    given = Array.isArray(v.shape) ? v.shape : [];
    data = Float32Array.from(v.data);
  } else if (Array.isArray(value)) {
    given = [];
    let probe: unknown = value;
    while (Array.isArray(probe)) {
      given.push(probe.length);
      probe = probe[0];
    }
    data = Float32Array.from((value as unknown[]).flat(Infinity) as number[]);
  } else {
    throw new TypeError(`${where}: weights.${key} must be { data, shape } or nested arrays, got ${describe(value)}`);
  }
  if (given.length !== shape.length || given.some((s, i) => s !== shape[i]) || data.length !== count) {
    throw new RangeError(`${where}: weights.${key} has shape [${given.join(', ')}] (${data.length} values) but must be [${shape.join(', ')}]`);
  }
  for (let i = 0; i < data.length; i++) {
    if (!Number.isFinite(data[i])) throw new RangeError(`${where}: weights.${key} holds ${data[i]} at index ${i}; weights must be finite`);
  }
  return data;
}

/**
 * Checks `weights` is an object of named weights (every layer's setWeights starts here) and
 * rejects keys the format does not have (a typo would otherwise be ignored silently).
 */
export function checkKeys(where: string, weights: unknown, allowed: string[], format: WeightFormat): void {
  if (weights === null || typeof weights !== 'object' || Array.isArray(weights)) {
    throw new TypeError(`${where}: weights must be an object of named weights (${allowed.join(', ')}), got ${describe(weights)}`);
  }
  for (const key of Object.keys(weights)) {
    if (!allowed.includes(key)) {
      throw new RangeError(`${where}: weights.${key} is not a '${format}' weight of this layer (expected ${allowed.join(', ')})`);
    }
  }
}
