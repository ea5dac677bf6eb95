// Masks for variable-length batches: forward(x, { mask }) or forward(x, { lengths }),
// validated and turned into one [B, T] array of 0/1 (1 = real step, 0 = padded step).
// The layer copies it time-major into its workspace for the kernels.
import { describe } from '../errors.js';
import { indexOf, readTensor } from '../tensor.js';

/**
 * The mask [B, T] given by `mask` (0/1 values, nested arrays or { data, shape }) or by
 * `lengths` (B integers in [1, T]: the first lengths[b] steps are real), or null when
 * neither is given. Throws naming the option, what was expected and what was given.
 */
export function readMask(where: string, mask: unknown, lengths: unknown, B: number, T: number): Float32Array | null {
  if (mask !== undefined && lengths !== undefined) {
    throw new TypeError(`${where}: give options.mask or options.lengths, not both`);
  }
  if (mask !== undefined) {
    const { data, shape } = readTensor(where, 'options.mask', mask, [{ label: 'batch', size: B }, { label: 'time steps', size: T }]);
    for (let i = 0; i < data.length; i++) {
      if (data[i] !== 0 && data[i] !== 1) throw new RangeError(`${where}: options.mask holds ${data[i]} at ${indexOf(i, shape)}; mask entries must be 0 or 1`);
    }
    return data;
  }
  if (lengths === undefined) return null;
  if (!Array.isArray(lengths) && !(ArrayBuffer.isView(lengths) && !(lengths instanceof DataView))) {
    throw new TypeError(`${where}: options.lengths must be an array of ${B} integers (one per sequence), got ${describe(lengths)}`);
  }
  const given = lengths as ArrayLike<unknown>;
  if (given.length !== B) {
    throw new RangeError(`${where}: options.lengths has ${given.length} entries but the batch has ${B} sequences`);
  }
  const out = new Float32Array(B * T);
  for (let b = 0; b < B; b++) {
    const length = given[b];
    if (typeof length !== 'number') {
      throw new TypeError(`${where}: options.lengths[${b}] must be an integer in [1, ${T}] (the time steps of x), got ${describe(length)}`);
    }
    if (!Number.isInteger(length) || length < 1 || length > T) {
      throw new RangeError(`${where}: options.lengths[${b}] must be an integer in [1, ${T}] (the time steps of x), got ${describe(length)}`);
    }
    out.fill(1, b * T, b * T + length);
  }
  return out;
}
