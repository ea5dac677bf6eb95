// The one data reader and staging module of the models. Users give samples
// [N, T, F] (or token ids [N, T]) with optional lengths or a mask; the models
// read them here once, validated, and copy the rows of each batch into linear
// memory time-major ([T, B, F]) with stageSteps.
import { checkInt, describe, readSeed } from '../errors.js';
import { readTensor, type Tensor, type TensorLike } from '../tensor.js';

/** Samples read once: floats [N, T, F] or token ids [N, T]. */
export interface Sequences {
  N: number;
  T: number;
  data: Float32Array | Int32Array;
}

/**
 * Reads `name` as N sequences of T steps: token ids in [0, vocabSize) when `vocabSize` is given
 * (shape [N, T]), else `features` floats per step (shape [N, T, features]). `N`/`T` fix a dimension.
 */
export function readSequences(
  where: string, name: string, value: TensorLike | undefined,
  spec: { features: number; vocabSize?: number; N?: number; T?: number },
): Sequences {
  if (value === undefined) throw new TypeError(`${where}: ${name} is missing`);
  const dims = [{ label: 'samples', size: spec.N }, { label: 'time steps', size: spec.T }];
  if (spec.vocabSize !== undefined) {
    const t = readTensor(where, name, value, dims);
    return { N: t.shape[0], T: t.shape[1], data: readIds(where, name, t, t.shape[1], spec.vocabSize) };
  }
  const t = readTensor(where, name, value, [...dims, { label: 'inputSize', size: spec.features }]);
  return { N: t.shape[0], T: t.shape[1], data: t.data };
}

/** Token ids from a validated tensor: integers in [0, vocabSize). `T` > 1 names [sample][step] in messages. */
export function readIds(where: string, name: string, t: Tensor, T: number, vocabSize: number): Int32Array {
  const ids = new Int32Array(t.data.length);
  for (let i = 0; i < ids.length; i++) {
    const id = t.data[i];
    if (!Number.isInteger(id) || id < 0 || id >= vocabSize) {
      throw new RangeError(`${where}: ${name}[${Math.floor(i / T)}]${t.shape.length > 1 ? `[${i % T}]` : ''} is ${id}; token ids must be integers 0 … ${vocabSize - 1}`);
    }
    ids[i] = id;
  }
  return ids;
}

/**
 * Targets for a loss over `O` outputs: class labels [N(, T)] in [0, O) for crossEntropy (labels at
 * padded steps are ignored and read as 0), else floats [N(, T), O]. `T` = 0: one target per sample.
 */
export function readTargets(
  where: string, name: string, value: TensorLike | undefined, labels: boolean, N: number, T: number, O: number, mask: Float32Array | null,
  noun = 'labels',
): Float32Array | Int32Array {
  if (value === undefined) throw new TypeError(`${where}: ${name} (targets) is missing`);
  const steps = T > 0 ? [{ label: 'time steps', size: T }] : [];
  if (!labels) return readTensor(where, name, value, [{ label: 'samples', size: N }, ...steps, { label: 'outputs', size: O }]).data;
  const t = readTensor(where, name, value, [{ label: 'samples', size: N }, ...steps]);
  const out = new Int32Array(t.data.length);
  for (let i = 0; i < t.data.length; i++) {
    if (T > 0 && mask !== null && mask[i] === 0) continue;
    const label = t.data[i];
    if (!Number.isInteger(label) || label < 0 || label >= O) {
      const at = T > 0 ? `[${Math.floor(i / T)}][${i % T}]` : `[${i}]`;
      throw new RangeError(`${where}: ${name}${at} is ${label}; ${noun} must be integers 0 … ${O - 1} (the head has ${O} classes)`);
    }
    out[i] = label;
  }
  return out;
}

/** A [N, T] mask of 1 for the first lengths[i] steps of sample i. */
export function lengthsToMask(where: string, name: string, lengths: unknown, N: number, T: number): Float32Array {
  if (!Array.isArray(lengths) || lengths.length !== N) throw new RangeError(`${where}: ${name} must be an array of ${N} lengths (one per sample), got ${describe(lengths)}`);
  const mask = new Float32Array(N * T);
  lengths.forEach((length, i) => mask.fill(1, i * T, i * T + checkInt(where, `${name}[${i}]`, length, 1, T)));
  return mask;
}

/** The mask of `options.lengths` or `options.mask` ([N, T] of 0/1), or null when neither is given. */
export function readMaskOptions(where: string, options: { lengths?: unknown; mask?: unknown }, N: number, T: number): Float32Array | null {
  if (options.lengths !== undefined && options.mask !== undefined) throw new RangeError(`${where}: give options.lengths or options.mask, not both`);
  if (options.lengths !== undefined) return lengthsToMask(where, 'options.lengths', options.lengths, N, T);
  if (options.mask === undefined) return null;
  const mask = readTensor(where, 'options.mask', options.mask, [{ label: 'samples', size: N }, { label: 'time steps', size: T }]).data;
  for (let i = 0; i < mask.length; i++) {
    if (mask[i] !== 0 && mask[i] !== 1) throw new RangeError(`${where}: options.mask[${Math.floor(i / T)}][${i % T}] is ${mask[i]}; a mask holds 0 (padding) and 1 (real step)`);
  }
  return mask;
}

/**
 * Copies steps [t0, t1) of samples `rows` of `src` ([N, T, F] floats, or ids / labels when it is
 * an Int32Array) into linear memory at float index `at`, time-major: [t1 − t0, rows.length, F].
 */
export function stageSteps(heap: Float32Array, at: number, src: Float32Array | Int32Array, rows: ArrayLike<number>, T: number, F: number, t0 = 0, t1 = T): void {
  const B = rows.length;
  if (B === 1) {
    // One sample: its steps are contiguous on both sides, one copy.
    const from = src.subarray((rows[0] * T + t0) * F, (rows[0] * T + t1) * F);
    (src instanceof Int32Array ? new Int32Array(heap.buffer) : heap).set(from, at);
    return;
  }
  if (src instanceof Int32Array) {
    const ints = new Int32Array(heap.buffer);
    for (let t = t0; t < t1; t++) for (let b = 0; b < B; b++) ints.set(src.subarray((rows[b] * T + t) * F, (rows[b] * T + t + 1) * F), at + ((t - t0) * B + b) * F);
    return;
  }
  for (let t = t0; t < t1; t++) for (let b = 0; b < B; b++) heap.set(src.subarray((rows[b] * T + t) * F, (rows[b] * T + t + 1) * F), at + ((t - t0) * B + b) * F);
}

/** [T, B, F] at float index `at` → [B, T, F] into `out` from sample `first` on (out holds [N, T, F]). */
export function unstageSteps(heap: Float32Array, at: number, out: Float32Array, first: number, B: number, T: number, F: number): void {
  if (B === 1) {
    out.set(heap.subarray(at, at + T * F), first * T * F); // one sample: contiguous on both sides
    return;
  }
  for (let t = 0; t < T; t++) for (let b = 0; b < B; b++) out.set(heap.subarray(at + (t * B + b) * F, at + (t * B + b + 1) * F), ((first + b) * T + t) * F);
}

/** What every generating call shares: `temperature` (default 0: the most likely output) and `seed` (default the model's). */
export interface SamplingOptions {
  /** Softmax temperature: 0 (the default) always takes the most likely token; larger values sample more freely. */
  temperature?: number;
  /** Seed of the sampling (default: the model's seed). */
  seed?: number;
}

export function readSampling(where: string, options: SamplingOptions, modelSeed: number): { temperature: number; seed: number } {
  const temperature = options.temperature === undefined ? 0 : options.temperature;
  if (typeof temperature !== 'number' || !(temperature >= 0) || !Number.isFinite(temperature)) throw new RangeError(`${where}: options.temperature must be a number ≥ 0, got ${describe(temperature)}`);
  return { temperature, seed: readSeed(where, 'options.seed', options.seed, modelSeed) };
}

/** Rows first … first + count − 1 of a data set, for one batch. */
export function batchRows(first: number, count: number): Int32Array {
  const rows = new Int32Array(count);
  for (let i = 0; i < count; i++) rows[i] = first + i;
  return rows;
}

/** Most values an output handed to JavaScript may hold (one Float32Array, 8 GiB). */
const MAX_OUTPUT = 2 ** 31 - 1;

/** The length of an output of shape `dims`, checked before it is allocated: a RangeError naming its shape beyond MAX_OUTPUT. */
export function checkOutputSize(where: string, ...dims: number[]): number {
  const n = dims.reduce((a, b) => a * b, 1); // may round above 2⁵³, but then it is far beyond MAX_OUTPUT: the comparison holds
  if (n > MAX_OUTPUT) throw new RangeError(`${where}: the output [${dims.join(', ')}] would hold ${n} values (${n * 4} bytes), more than one Float32Array of the output may (at most ${MAX_OUTPUT}); predict fewer samples per call`);
  return n;
}
