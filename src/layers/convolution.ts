// What the convolution layers (Conv1D, Conv2D) share: their activations in place over the
// output and back, the Glorot-uniform kernel, the kernel's layouts (native = Keras
// [...spatial, C_in/groups, filters], PyTorch [filters, C_in/groups, ...spatial]) both ways, and
// the reading of options that are one number or a pair (kernelSize, strides, dilation, poolSize).
import type { Backend } from '../engine/backend.js';
import { checkInt, describe } from '../errors.js';
import type { Random } from '../random.js';
import { checkKeys, takeWeight, tensor, type WeightFormat, type Weights } from './formats.js';
import type { ParamSpec } from './parameters.js';
import { reluBackwardF32, reluF32, sigmoidBackwardF32, sigmoidF32, tanhBackwardF32, tanhF32 } from '../kernels/activations.js';

export type ConvActivation = 'linear' | 'relu' | 'tanh' | 'sigmoid';
export const CONV_ACTIVATIONS: readonly ConvActivation[] = ['linear', 'relu', 'tanh', 'sigmoid'];

/** out = f(out) over n floats, in place ('linear': nothing). */
export function activateInPlace(backend: Backend, activation: ConvActivation, out: number, n: number): void {
  if (activation === 'relu') reluF32(backend, { y: out, x: out }, n);
  else if (activation === 'tanh') tanhF32(backend, { y: out, x: out }, n);
  else if (activation === 'sigmoid') sigmoidF32(backend, { y: out, x: out }, n);
}

/**
 * The gradient before the activation from dY, given the forward output y (n floats): written into
 * `dZ` (zeroed first, the kernels add) and returned; 'linear' returns dY itself.
 */
export function activationGradient(backend: Backend, activation: ConvActivation, ptrs: { dZ: number; y: number; dY: number }, n: number): number {
  if (activation === 'linear') return ptrs.dY;
  backend.fillFloats(ptrs.dZ, n, 0);
  const args = { dx: ptrs.dZ, y: ptrs.y, dy: ptrs.dY };
  if (activation === 'relu') reluBackwardF32(backend, args, n);
  else if (activation === 'tanh') tanhBackwardF32(backend, args, n);
  else sigmoidBackwardF32(backend, args, n);
  return ptrs.dZ;
}

/** The geometry of a convolution's kernel: its spatial sizes (K, or KH and KW), input channels per group and filters. */
export interface KernelShape {
  spatial: readonly number[];
  perGroup: number;
  filters: number;
  useBias: boolean;
}

const taps = (k: KernelShape): number => k.spatial.reduce((a, b) => a * b, 1);

/**
 * The parameter specs (weight [...spatial, perGroup, filters], bias [filters]) and their initial
 * values: Glorot-uniform kernel (fan in taps·perGroup, fan out taps·filters, as Keras counts them),
 * drawn in native order; zero bias.
 */
export function convParameters(k: KernelShape): { specs: ParamSpec[]; initial: (spec: ParamSpec, random: Random) => Float32Array } {
  const S = taps(k);
  const limit = Math.sqrt(6 / (S * k.perGroup + S * k.filters));
  const initial = (spec: ParamSpec, random: Random): Float32Array => {
    if (spec.name === 'bias') return new Float32Array(k.filters);
    const w = new Float32Array(S * k.perGroup * k.filters);
    for (let i = 0; i < w.length; i++) w[i] = random.range(-limit, limit);
    return w;
  };
  const specs = [{ name: 'weight', shape: [...k.spatial, k.perGroup, k.filters] }, ...(k.useBias ? [{ name: 'bias', shape: [k.filters] }] : [])];
  return { specs, initial };
}

/** native/keras { weight | kernel [...spatial, perGroup, filters], bias }; pytorch { weight [filters, perGroup, ...spatial], bias }. */
export function exportConvWeights(format: WeightFormat, v: Record<string, Float32Array>, k: KernelShape): Weights {
  const [S, Cg, F] = [taps(k), k.perGroup, k.filters];
  const out: Weights = {};
  if (format === 'pytorch') out.weight = tensor(toTorch(v.weight, S, Cg, F), [F, Cg, ...k.spatial]);
  else out[format === 'keras' ? 'kernel' : 'weight'] = tensor(v.weight, [...k.spatial, Cg, F]);
  if (k.useBias) out.bias = tensor(v.bias, [k.filters]);
  return out;
}

/** The values to set from user weights in `format` (validated: names, shapes, finite), in native layout. */
export function readConvWeights(where: string, weights: unknown, format: WeightFormat, k: KernelShape): Record<string, Float32Array> {
  const [S, Cg, F] = [taps(k), k.perGroup, k.filters];
  const key = format === 'keras' ? 'kernel' : 'weight';
  checkKeys(where, weights, [key, ...(k.useBias ? ['bias'] : [])], format);
  const values: Record<string, Float32Array> = {};
  values.weight = format === 'pytorch' ? fromTorch(takeWeight(where, weights, key, [F, Cg, ...k.spatial]), S, Cg, F) : takeWeight(where, weights, key, [...k.spatial, Cg, F]);
  if (k.useBias) values.bias = takeWeight(where, weights, 'bias', [F]);
  return values;
}

/** [S, Cg, F] → PyTorch's [F, Cg, S] (S = the spatial taps, row-major). */
function toTorch(w: Float32Array, S: number, Cg: number, F: number): Float32Array {
  const out = new Float32Array(w.length);
  for (let s = 0; s < S; s++) for (let c = 0; c < Cg; c++) for (let f = 0; f < F; f++) out[(f * Cg + c) * S + s] = w[(s * Cg + c) * F + f];
  return out;
}

/** PyTorch's [F, Cg, S] → [S, Cg, F]. */
function fromTorch(w: Float32Array, S: number, Cg: number, F: number): Float32Array {
  const out = new Float32Array(w.length);
  for (let s = 0; s < S; s++) for (let c = 0; c < Cg; c++) for (let f = 0; f < F; f++) out[(s * Cg + c) * F + f] = w[(f * Cg + c) * S + s];
  return out;
}

/** An option that is one integer ≥ min (both axes) or a pair [rows, columns] of them; undefined gives `fallback`. */
export function readPair(where: string, name: string, value: unknown, min: number, fallback?: readonly [number, number]): [number, number] {
  if (value === undefined && fallback) return [fallback[0], fallback[1]];
  if (Array.isArray(value)) {
    if (value.length !== 2) throw new RangeError(`${where}: ${name} must be a number or a pair [rows, columns], got an array of ${value.length}`);
    return [checkInt(where, `${name}[0]`, value[0], min), checkInt(where, `${name}[1]`, value[1], min)];
  }
  if (typeof value !== 'number') throw new TypeError(`${where}: ${name} must be an integer or a pair [rows, columns] of integers, got ${describe(value)}`);
  const v = checkInt(where, name, value, min);
  return [v, v];
}
