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
import { checkInt, checkOneOf } from '../errors.js';
import type { Batch, Flow, ModelLayer } from './layer.js';
import { ConvLayer, readPair, type ConvActivation } from './convolution.js';
import { checkConv2dGeometry, convAxis, type Conv2dGeometry } from '../kernels/conv.js';

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

export class Conv2D extends ConvLayer implements ModelLayer {
  readonly kind = 'Conv2D';
  protected override readonly buildOption = 'inputChannels';
  readonly kernelSize: readonly [number, number];
  readonly strides: readonly [number, number];
  readonly padding: Conv2DPadding;
  readonly dilation: readonly [number, number];
  protected readonly kernelTaps: readonly number[];
  /** [H, W] of the input images (after connect). */
  #inputImage: readonly [number, number] = [0, 0];

  constructor(options: Conv2DOptions) {
    const where = 'Conv2D';
    super(where, options, ['kernelSize', 'strides', 'padding', 'dilation', 'inputChannels']);
    this.kernelSize = readPair(where, 'options.kernelSize', options.kernelSize, 1);
    this.kernelTaps = this.kernelSize;
    this.strides = readPair(where, 'options.strides', options.strides, 1, [1, 1]);
    this.padding = options.padding === undefined ? 'valid' : checkOneOf(where, 'options.padding', options.padding, ['valid', 'same'] as const);
    this.dilation = readPair(where, 'options.dilation', options.dilation, 1, [1, 1]);
    if (options.inputChannels !== undefined) this.#init(where, checkInt(where, 'options.inputChannels', options.inputChannels, 1));
  }

  /** Input channels (0 until built). */
  get inputChannels(): number {
    return this.channels;
  }

  config(): Record<string, unknown> {
    return {
      filters: this.filters, kernelSize: [...this.kernelSize], strides: [...this.strides], padding: this.padding, dilation: [...this.dilation],
      groups: this.groups, activation: this.activation, useBias: this.useBias, inputChannels: this.channels, seed: this.seed,
    };
  }

  #init(where: string, C: number, seed?: number): void {
    if (C % this.groups !== 0) throw new RangeError(`${where}: inputChannels ${C} is not divisible by options.groups ${this.groups}`);
    this.buildKernel(C, seed, `the kernel for kernelSize ${this.kernelSize.join('×')}, inputChannels ${C} and filters ${this.filters}`);
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
      if (this.channels !== C) throw new RangeError(`${where}: Conv2D has inputChannels ${this.channels} but the layer below gives ${C} channels`);
    } else {
      if (C % this.groups !== 0) throw new RangeError(`${where}: Conv2D's ${C} input channels are not divisible by options.groups ${this.groups}`);
      this.#init(where, C, seed);
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
      batch: B, height: H, width: W, inChannels: this.channels, outHeight: rows.out, outWidth: cols.out, outChannels: this.filters,
      kernelHeight: this.kernelSize[0], kernelWidth: this.kernelSize[1], strideH: this.strides[0], strideW: this.strides[1],
      dilationH: this.dilation[0], dilationW: this.dilation[1], padTop: rows.padBefore, padLeft: cols.padBefore, groups: this.groups,
    };
  }

  /** @internal x: [B, H, W, C]; returns [B, H', W', filters]. */
  modelForward(x: number, batch: Batch): number {
    const g = this.#geometry(batch.B);
    this.layoutConv(g, {}, `the workspace for a batch of ${g.batch} images ${g.height}×${g.width}×${g.inChannels} (filters ${this.filters}, kernelSize ${this.kernelSize.join('×')})`);
    return this.convolve(x, g);
  }

  /** @internal Gradients accumulate into the parameter gradients; returns dX [B, H, W, C]. */
  modelBackward(dOutput: number): number {
    return this.backpropagate(dOutput);
  }
}
