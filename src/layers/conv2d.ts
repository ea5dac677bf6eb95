// Conv2D: a 2-D convolution over images, channels-last (Keras' Conv2D):
//   y[oh, ow, f] = act(b[f] + Σ_{kh, kw, c} W[kh, kw, c, f] · x[oh·sh + kh·dh − padTop, ow·sw + kw·dw − padLeft, c])
// (cross-correlation; with groups, filter f sees only the input channels of its group).
// Inside a model an image batch is [B, H, W, C] in linear memory, which is what the convolution
// kernel (assembly/conv.ts: im2col and the packed SIMD GEMM) reads: one call per batch, no copy.
// Padding 'valid' (the default, as Keras: only whole windows, ⌊(n − e)/s⌋ + 1 out, e = (k − 1)·d + 1)
// or 'same' (⌈n/s⌉ out, ⌊total/2⌋ zero rows/columns before, the rest after) — convAxis.
// Weights: native = Keras, kernel [KH, KW, C_in/groups, filters], bias [filters];
// PyTorch's nn.Conv2d stores weight [filters, C_in/groups, KH, KW].
import type { Backend } from '../engine/backend.js';
import { sizeProduct } from '../engine/sizes.js';
import { checkBoolean, checkInt, checkOneOf } from '../errors.js';
import { WeightedLayer } from './base.js';
import { checkFormat, type WeightFormat, type Weights } from './formats.js';
import type { Batch, Flow, ModelLayer } from './layer.js';
import { activateInPlace, activationGradient, CONV_ACTIVATIONS, convParameters, exportConvWeights, readConvWeights, readPair, type ConvActivation, type KernelShape } from './convolution.js';
import { checkConv2dGeometry, conv2dBackwardF32, conv2dForwardF32, conv2dWorkFloats, convAxis, type Conv2dGeometry } from '../kernels/conv.js';

export type Conv2DActivation = ConvActivation;
export type Conv2DPadding = 'valid' | 'same';

export interface Conv2DOptions {
  /** Output channels. */
  filters: number;
  /** Window rows × columns: one number for a square window, or [KH, KW]. */
  kernelSize: number | readonly [number, number];
  /** Step between windows: one number or [rows, columns] (default 1). */
  strides?: number | readonly [number, number];
  /** 'valid' (default: whole windows only) or 'same' (zero padding, ⌈size/stride⌉ out). */
  padding?: Conv2DPadding;
  /** Spacing of the taps: one number or [rows, columns] (default 1). */
  dilation?: number | readonly [number, number];
  /** Channel groups (default 1; input channels and filters must both divide by it; groups = input channels is depthwise). */
  groups?: number;
  /** Default 'linear'. */
  activation?: Conv2DActivation;
  /** Default true. */
  useBias?: boolean;
  /** Input channels; optional in a Sequential (taken from the layer below). */
  inputChannels?: number;
  /** Seed of the Glorot-uniform kernel (fan in KH·KW·C_in/groups, fan out KH·KW·filters). */
  seed?: number;
  backend?: Backend;
}

export class Conv2D extends WeightedLayer implements ModelLayer {
  readonly kind = 'Conv2D';
  protected override readonly buildOption = 'inputChannels';
  readonly filters: number;
  readonly kernelSize: readonly [number, number];
  readonly strides: readonly [number, number];
  readonly padding: Conv2DPadding;
  readonly dilation: readonly [number, number];
  readonly groups: number;
  readonly activation: Conv2DActivation;
  readonly useBias: boolean;
  #inputChannels: number;
  /** [H, W] of the input images (after connect). */
  #inputImage: readonly [number, number] = [0, 0];
  // the last forward
  #x = 0;
  #B = 0;

  constructor(options: Conv2DOptions) {
    const where = 'Conv2D';
    super(where, options, ['filters', 'kernelSize', 'strides', 'padding', 'dilation', 'groups', 'activation', 'useBias', 'inputChannels']);
    this.filters = checkInt(where, 'options.filters', options.filters, 1);
    this.kernelSize = readPair(where, 'options.kernelSize', options.kernelSize, 1);
    this.strides = readPair(where, 'options.strides', options.strides, 1, [1, 1]);
    this.padding = options.padding === undefined ? 'valid' : checkOneOf(where, 'options.padding', options.padding, ['valid', 'same'] as const);
    this.dilation = readPair(where, 'options.dilation', options.dilation, 1, [1, 1]);
    this.groups = options.groups === undefined ? 1 : checkInt(where, 'options.groups', options.groups, 1);
    this.activation = options.activation === undefined ? 'linear' : checkOneOf(where, 'options.activation', options.activation, CONV_ACTIVATIONS);
    this.useBias = options.useBias === undefined ? true : checkBoolean(where, 'options.useBias', options.useBias);
    if (this.filters % this.groups !== 0) throw new RangeError(`${where}: options.filters ${this.filters} is not divisible by options.groups ${this.groups}`);
    this.#inputChannels = options.inputChannels === undefined ? 0 : checkInt(where, 'options.inputChannels', options.inputChannels, 1);
    if (this.#inputChannels > 0) this.#init(where);
  }

  get inputChannels(): number {
    return this.#inputChannels;
  }

  config(): Record<string, unknown> {
    return {
      filters: this.filters, kernelSize: [...this.kernelSize], strides: [...this.strides], padding: this.padding, dilation: [...this.dilation],
      groups: this.groups, activation: this.activation, useBias: this.useBias, inputChannels: this.#inputChannels, seed: this.seed,
    };
  }

  /** The kernel [KH, KW, C_in/groups, filters] (+ bias). */
  get #kernelShape(): KernelShape {
    return { spatial: this.kernelSize, perGroup: this.#inputChannels / this.groups, filters: this.filters, useBias: this.useBias };
  }

  #init(where: string, seed?: number): void {
    const [C, G] = [this.#inputChannels, this.groups];
    if (C % G !== 0) throw new RangeError(`${where}: inputChannels ${C} is not divisible by options.groups ${G}`);
    const { specs, initial } = convParameters(this.#kernelShape);
    this.createParameters(specs, initial, seed, `the kernel for kernelSize ${this.kernelSize.join('×')}, inputChannels ${C} and filters ${this.filters}`);
  }

  /** @internal Needs images [H, W, C]; gives images [H', W', filters]. */
  connect(where: string, input: Flow, seed: number): Flow {
    if (!input.image) {
      const got = input.ids ? 'token ids' : input.sequence ? 'sequences (use Conv1D, or give the model inputShape [height, width, channels])' : 'vectors';
      throw new RangeError(`${where}: Conv2D needs images [height, width, channels] as input, but gets ${got}`);
    }
    const [H, W, C] = input.image;
    const [KH, KW] = this.kernelSize;
    const [DH, DW] = this.dilation;
    const rows = convAxis(this.padding, H, KH, this.strides[0], DH);
    const cols = convAxis(this.padding, W, KW, this.strides[1], DW);
    if (rows.out < 1 || cols.out < 1) {
      const dilated = DH > 1 || DW > 1 ? ` with dilation ${DH}×${DW} (${(KH - 1) * DH + 1}×${(KW - 1) * DW + 1})` : '';
      throw new RangeError(`${where}: Conv2D's kernel ${KH}×${KW}${dilated} is larger than its input ${H}×${W} with padding 'valid'`);
    }
    if (this.built) {
      if (this.#inputChannels !== C) throw new RangeError(`${where}: Conv2D has inputChannels ${this.#inputChannels} but the layer below gives ${C} channels`);
    } else {
      if (C % this.groups !== 0) throw new RangeError(`${where}: Conv2D's ${C} input channels are not divisible by options.groups ${this.groups}`);
      this.#inputChannels = C;
      this.#init(where, seed);
    }
    this.#inputImage = [H, W];
    checkConv2dGeometry(where, this.#geometry(1));
    return { features: rows.out * cols.out * this.filters, sequence: false, image: [rows.out, cols.out, this.filters] };
  }

  #geometry(B: number): Conv2dGeometry {
    const [H, W] = this.#inputImage;
    const rows = convAxis(this.padding, H, this.kernelSize[0], this.strides[0], this.dilation[0]);
    const cols = convAxis(this.padding, W, this.kernelSize[1], this.strides[1], this.dilation[1]);
    return {
      batch: B, height: H, width: W, inChannels: this.#inputChannels, outHeight: rows.out, outWidth: cols.out, outChannels: this.filters,
      kernelHeight: this.kernelSize[0], kernelWidth: this.kernelSize[1], strideH: this.strides[0], strideW: this.strides[1],
      dilationH: this.dilation[0], dilationW: this.dilation[1], padTop: rows.padBefore, padLeft: cols.padBefore, groups: this.groups,
    };
  }

  /** @internal x: [B, H, W, C]; returns [B, H', W', filters]. */
  modelForward(x: number, batch: Batch): number {
    const B = batch.B;
    const g = this.#geometry(B);
    const outFloats = sizeProduct(B, g.outHeight, g.outWidth, this.filters);
    this.workspace.layout({
      out: outFloats, dZ: this.activation === 'linear' ? 0 : outFloats, dX: sizeProduct(B, g.height, g.width, g.inChannels), cols: conv2dWorkFloats(this.backend, g),
    }, 'Conv2D', `the workspace for a batch of ${B} images ${g.height}×${g.width}×${g.inChannels} (filters ${this.filters}, kernelSize ${this.kernelSize.join('×')})`);
    const out = this.workspace.ptr('out');
    const p = this.parameters;
    conv2dForwardF32(this.backend, { y: out, cols: this.workspace.ptr('cols'), x, w: p.ptr('weight'), bias: this.useBias ? p.ptr('bias') : 0, work: this.backend.gemmWork() }, g);
    activateInPlace(this.backend, this.activation, out, Number(outFloats));
    this.#x = x;
    this.#B = B;
    return out;
  }

  /** @internal Gradients accumulate into the parameter gradients; returns dX [B, H, W, C]. */
  modelBackward(dOutput: number): number {
    const backend = this.backend;
    const g = this.#geometry(this.#B);
    const dZ = activationGradient(backend, this.activation, { dZ: this.workspace.ptr('dZ'), y: this.workspace.ptr('out'), dY: dOutput }, g.batch * g.outHeight * g.outWidth * g.outChannels);
    const dX = this.workspace.ptr('dX');
    backend.fillFloats(dX, g.batch * g.height * g.width * g.inChannels, 0);
    const p = this.parameters;
    conv2dBackwardF32(backend, {
      dX, dW: p.gradPtr('weight'), dBias: this.useBias ? p.gradPtr('bias') : 0, cols: this.workspace.ptr('cols'),
      dY: dZ, x: this.#x, w: p.ptr('weight'), work: backend.gemmWork(),
    }, g);
    return dX;
  }

  /** native/keras { weight | kernel [KH, KW, C_in/groups, filters], bias }; pytorch { weight [filters, C_in/groups, KH, KW], bias }. */
  protected exportWeights(format: WeightFormat, v: Record<string, Float32Array>): Weights {
    return exportConvWeights(format, v, this.#kernelShape);
  }

  /** Replaces every weight (validated first: a failed call changes nothing). */
  setWeights(weights: Weights | Record<string, unknown>, options: { format?: WeightFormat } = {}): void {
    const where = 'Conv2D.setWeights';
    this.checkWritable(where);
    this.parameters.set(readConvWeights(where, weights, checkFormat(where, options?.format ?? 'native'), this.#kernelShape));
  }
}
