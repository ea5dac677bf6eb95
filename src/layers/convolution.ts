// What the convolution layers (Conv1D, Conv2D) share, as their base class ConvLayer: the options
// filters, groups, activation and useBias; the Glorot-uniform kernel; forward (one convolution
// call over the batch as the kernel sees it, then the activation in place) and backward; the
// kernel's layouts (native = Keras [...spatial, C_in/groups, filters], PyTorch [filters,
// C_in/groups, ...spatial]) both ways. A subclass says how its flow maps onto the 2-D kernel's
// geometry (Conv2dGeometry). Also here: options that are one number or a pair (kernelSize,
// strides, dilation, poolSize).
import { sizeProduct, type Size } from '../engine/sizes.js';
import { checkBoolean, checkInt, checkOneOf, describe } from '../errors.js';
import type { Random } from '../random.js';
import { WeightedLayer } from './base.js';
import { checkFormat, checkKeys, takeWeight, tensor, type WeightFormat, type Weights } from './formats.js';
import type { ParamSpec } from './parameters.js';
import { activateInPlace, activationGradient, type PointwiseActivation } from './activation.js';
import type { Conv2dGeometry } from '../kernels/conv.js';
import { conv2dBackward, conv2dForward, conv2dWorkspaceFloats } from '../kernels/split.js';

export type ConvActivation = PointwiseActivation;
export const CONV_ACTIVATIONS: readonly ConvActivation[] = ['linear', 'relu', 'tanh', 'sigmoid'];

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

/** The options every convolution layer has. */
export interface ConvLayerOptions {
  filters: number;
  groups?: number;
  activation?: ConvActivation;
  useBias?: boolean;
}

export abstract class ConvLayer extends WeightedLayer {
  /** Output channels. */
  readonly filters: number;
  /** Channel groups (1: every filter sees every input channel). */
  readonly groups: number;
  readonly activation: ConvActivation;
  readonly useBias: boolean;
  /** Input channels (0 until built). */
  protected channels = 0;
  /** Taps of the kernel along each spatial axis: [K] or [KH, KW]. */
  protected abstract readonly kernelTaps: readonly number[];
  // the last forward
  #x = 0;
  #geometry: Conv2dGeometry | null = null;

  /** Checks the common options (and `allowed` others, seed and backend). */
  protected constructor(where: string, options: ConvLayerOptions, allowed: readonly string[]) {
    super(where, options, ['filters', 'groups', 'activation', 'useBias', ...allowed]);
    this.filters = checkInt(where, 'options.filters', options.filters, 1);
    this.groups = options.groups === undefined ? 1 : checkInt(where, 'options.groups', options.groups, 1);
    this.activation = options.activation === undefined ? 'linear' : checkOneOf(where, 'options.activation', options.activation, CONV_ACTIVATIONS);
    this.useBias = options.useBias === undefined ? true : checkBoolean(where, 'options.useBias', options.useBias);
    if (this.filters % this.groups !== 0) throw new RangeError(`${where}: options.filters ${this.filters} is not divisible by options.groups ${this.groups}`);
  }

  get #kernel(): KernelShape {
    return { spatial: this.kernelTaps, perGroup: this.channels / this.groups, filters: this.filters, useBias: this.useBias };
  }

  /** Builds the weights for `channels` input channels (divisible by groups: the caller checked); `what` names the sizes in errors. */
  protected buildKernel(channels: number, seed: number | undefined, what: string): void {
    this.channels = channels;
    const { specs, initial } = convParameters(this.#kernel);
    this.createParameters(specs, initial, seed, what);
  }

  /** Lays out the workspace of a forward over geometry `g`: out, dZ, dX, the im2col scratch, and `extra` regions. */
  protected layoutConv(g: Conv2dGeometry, extra: Record<string, Size>, what: string): void {
    const out = sizeProduct(g.batch, g.outHeight, g.outWidth, g.outChannels);
    this.workspace.layout({
      out, dZ: this.activation === 'linear' ? 0 : out, dX: sizeProduct(g.batch, g.height, g.width, g.inChannels),
      cols: conv2dWorkspaceFloats(this.backend, g), ...extra,
    }, this.kind, what);
  }

  /** out = act(bias + x ⋆ w) over geometry `g` (after layoutConv); keeps x for backward; returns out. */
  protected convolve(x: number, g: Conv2dGeometry): number {
    const out = this.workspace.ptr('out');
    const p = this.parameters;
    // With threads a large convolution runs in blocks of output rows (split.ts), each activated by its thread.
    conv2dForward(this.backend, { y: out, cols: this.workspace.ptr('cols'), x, w: p.ptr('weight'), bias: this.useBias ? p.ptr('bias') : 0, work: this.backend.gemmWork() }, g,
      undefined, (target, rows) => activateInPlace(target, this.activation, out + rows.start * g.outChannels * 4, rows.size * g.outChannels));
    this.#x = x;
    this.#geometry = g;
    return out;
  }

  /** Backward through the last convolve: the weight and bias gradients accumulate; returns dX (fresh). */
  protected backpropagate(dOutput: number): number {
    const backend = this.backend;
    const g = this.#geometry!;
    const dZ = activationGradient(backend, this.activation, { dZ: this.workspace.ptr('dZ'), y: this.workspace.ptr('out'), dY: dOutput }, g.batch * g.outHeight * g.outWidth * g.outChannels);
    const dX = this.workspace.ptr('dX');
    backend.fillFloats(dX, g.batch * g.height * g.width * g.inChannels, 0);
    const p = this.parameters;
    conv2dBackward(backend, {
      dX, dW: p.gradPtr('weight'), dBias: this.useBias ? p.gradPtr('bias') : 0, cols: this.workspace.ptr('cols'),
      dY: dZ, x: this.#x, w: p.ptr('weight'), work: backend.gemmWork(),
    }, g);
    return dX;
  }

  /** native/keras { weight | kernel [...spatial, C_in/groups, filters], bias }; pytorch { weight [filters, C_in/groups, ...spatial], bias }. */
  protected exportWeights(format: WeightFormat, v: Record<string, Float32Array>): Weights {
    return exportConvWeights(format, v, this.#kernel);
  }

  /** Replaces every weight (validated first: a failed call changes nothing). */
  setWeights(weights: Weights | Record<string, unknown>, options: { format?: WeightFormat } = {}): void {
    const where = `${this.kind}.setWeights`;
    this.checkWritable(where);
    this.parameters.set(readConvWeights(where, weights, checkFormat(where, options?.format ?? 'native'), this.#kernel));
  }
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
