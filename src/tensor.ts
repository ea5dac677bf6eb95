// Tensors at the API boundary: nested arrays or { data, shape }, validated and
// flattened once (row-major). Outputs are always { data: Float32Array, shape }
// holding copies.
import { describe } from './errors.js';

export interface Tensor {
  data: Float32Array;
  shape: number[];
}

/** Nested arrays ([B][T][F], [B][H]) or a flat array with its shape. */
export type TensorLike = number[] | number[][] | number[][][] | { data: Float32Array | ArrayLike<number>; shape: readonly number[] };

export interface DimSpec {
  /** What the dimension is, for messages ("batch", "time steps", "inputSize"). */
  label: string;
  /** Required size, if fixed. */
  size?: number;
}

/**
 * Reads a tensor of `dims.length` dimensions. Throws naming the argument, the
 * offending index and both numbers; NaN/±Inf are refused when `finite` is set.
 */
export function readTensor(where: string, name: string, value: unknown, dims: DimSpec[], finite = true): Tensor {
  const rank = dims.length;
  let data: Float32Array;
  let shape: number[];
  if (value !== null && typeof value === 'object' && !Array.isArray(value) && 'shape' in value && 'data' in value) {
    const v = value;
    if (!Array.isArray(v.shape) || v.shape.length !== rank || !v.shape.every((s) => Number.isInteger(s) && s >= 0)) {
      throw new RangeError(`${where}: ${name}.shape must be ${rank} non-negative integers [${dims.map((d) => d.label).join(', ')}], got ${JSON.stringify(v.shape)}`);
    }
    shape = [...(v.shape as number[])];
    const count = shape.reduce((a, b) => a * b, 1);
    if (v.data instanceof Float32Array) data = v.data;
    else if (Array.isArray(v.data) || ArrayBuffer.isView(v.data)) data = Float32Array.from(v.data as ArrayLike<number>);
    else throw new TypeError(`${where}: ${name}.data must be a Float32Array or an array of numbers, got ${describe(v.data)}`);
    if (data.length !== count) {
      throw new RangeError(`${where}: ${name}.data has ${data.length} values but shape [${shape.join(', ')}] needs ${count}`);
    }
    for (let d = 0; d < rank; d++) {
      const spec = dims[d];
      if (spec.size !== undefined && shape[d] !== spec.size) {
        throw new RangeError(`${where}: ${name}.shape[${d}] (${spec.label}) is ${shape[d]} but must be ${spec.size}`);
      }
    }
  } else if (Array.isArray(value)) {
    shape = [];
    let probe: unknown = value;
    for (let d = 0; d < rank; d++) {
      if (!Array.isArray(probe)) {
        throw new TypeError(`${where}: ${name} must be nested arrays of depth ${rank} [${dims.map((s) => s.label).join('][')}], got depth ${d}`);
      }
      shape.push(probe.length);
      probe = probe[0];
    }
    data = new Float32Array(shape.reduce((a, b) => a * b, 1));
    let offset = 0;
    const walk = (node: unknown, d: number, path: string): void => {
      if (!Array.isArray(node)) throw new TypeError(`${where}: ${name}${path} must be an array, got ${describe(node)}`);
      const spec = dims[d];
      if (spec.size !== undefined && node.length !== spec.size) {
        throw new RangeError(`${where}: ${name}${path} has ${node.length} values but ${spec.label} is ${spec.size}`);
      }
      if (node.length !== shape[d]) {
        throw new RangeError(`${where}: ${name}${path} has length ${node.length} but ${name}${path.replace(/\[\d+\]$/, '[0]')} has ${shape[d]} (ragged ${spec.label})`);
      }
      if (d === rank - 1) {
        for (let i = 0; i < node.length; i++) {
          const x: unknown = node[i];
          if (typeof x !== 'number') throw new TypeError(`${where}: ${name}${path}[${i}] must be a number, got ${describe(x)}`);
          data[offset++] = x;
        }
      } else {
        for (let i = 0; i < node.length; i++) walk(node[i], d + 1, `${path}[${i}]`);
      }
    };
    walk(value, 0, '');
  } else {
    throw new TypeError(`${where}: ${name} must be nested arrays or { data, shape }, got ${describe(value)}`);
  }
  for (let d = 0; d < rank; d++) {
    if (shape[d] === 0) throw new RangeError(`${where}: ${name} has no ${dims[d].label} (dimension ${d} is 0)`);
  }
  if (finite) {
    for (let i = 0; i < data.length; i++) {
      if (!Number.isFinite(data[i])) {
        throw new RangeError(`${where}: ${name} holds ${data[i]} at ${indexOf(i, shape)}; inputs must be finite`);
      }
    }
  }
  return { data, shape };
}

/** "[b][t][f]" for a flat index. */
export function indexOf(flat: number, shape: number[]): string {
  const idx: number[] = [];
  for (let d = shape.length - 1; d >= 0; d--) {
    idx.unshift(flat % shape[d]);
    flat = Math.floor(flat / shape[d]);
  }
  return idx.map((i) => `[${i}]`).join('');
}
