// Conv1D: a 1-D convolution over time, channels-last (Keras' Conv1D): y[t] = f(b + Σ_k W[k]·x[t + k·d − p]).
// Inside a model, sequences flow time-major, [T, B, C]; that buffer is read by the 2-D
// convolution kernel (assembly/conv.ts) as one image of height T and width B, with a kernel of
// K × 1 (dilation d along time, 1 across the batch), so each sequence is convolved on its own,
// nothing is copied and one call covers the batch. Padding 'causal' (padTop (K − 1)·d: the output
// at t sees t and earlier only), 'same' (⌊(K − 1)·d / 2⌋ before) or 'valid' (none: T − (K − 1)·d
// steps out); with strides s the output keeps every s-th window, as Keras computes them (convAxis).
// A layer that changes the number of steps ('valid', or strides > 1) takes no mask: the model
// refuses lengths/masks through it. With a mask, padded steps are zeroed before a 'same'
// convolution, so real steps never read them (a causal one cannot: padding is at the end).
// Weights: native = Keras, kernel [K, C_in/groups, filters], bias [filters];
// PyTorch's nn.Conv1d stores weight [filters, C_in/groups, K].
import type { Backend } from '../engine/backend.js';
import { sizeProduct } from '../engine/sizes.js';
import { checkInt, checkOneOf } from '../errors.js';
import type { Batch, Flow, ModelLayer, Streaming } from './layer.js';
import { activateInPlace } from './activation.js';
import { ConvLayer, type ConvActivation } from './convolution.js';
import { causalConvStep, causalStepRegions, historySteps, type CausalConv } from './conv-step.js';
import { convAxis, type Conv2dGeometry } from '../kernels/conv.js';

export type Conv1DActivation = ConvActivation;
export type Conv1DPadding = 'causal' | 'same' | 'valid';

export interface Conv1DOptions {
  /** Output channels. */
  filters: number;
  /** Taps per filter (K). */
  kernelSize: number;
  /** 'causal' (default: the output at t sees steps ≤ t), 'same' (centred) or 'valid' (no padding: (K − 1)·dilation fewer steps out). */
  padding?: Conv1DPadding;
  /** Step between windows along time (default 1); > 1 outputs ⌈T/strides⌉ steps ('same'), ⌊(T − 1)/strides⌋ + 1 ('causal'). */
  strides?: number;
  /** Spacing of the taps along time (default 1). */
  dilation?: number;
  /** Channel groups (default 1; inputSize and filters must both divide by it; inputSize = groups is depthwise). */
  groups?: number;
  /** Default 'linear'. */
  activation?: Conv1DActivation;
  /** Default true. */
  useBias?: boolean;
  /** Input channels; optional in a Sequential (taken from the layer below). */
  inputSize?: number;
  /** Seed of the Glorot-uniform kernel (fan in K·C_in/groups, fan out K·filters). */
  seed?: number;
  backend?: Backend;
}

export class Conv1D extends ConvLayer implements ModelLayer {
  readonly kind = 'Conv1D';
  readonly kernelSize: number;
  readonly padding: Conv1DPadding;
  readonly strides: number;
  readonly dilation: number;
  protected readonly kernelTaps: readonly number[];
  // the last forward
  #T = 0;
  #B = 0;
  #mask = 0;

  constructor(options: Conv1DOptions) {
    const where = 'Conv1D';
    super(where, options, ['kernelSize', 'padding', 'strides', 'dilation', 'inputSize']);
    this.kernelSize = checkInt(where, 'options.kernelSize', options.kernelSize, 1);
    this.kernelTaps = [this.kernelSize];
    this.padding = options.padding === undefined ? 'causal' : checkOneOf(where, 'options.padding', options.padding, ['causal', 'same', 'valid'] as const);
    this.strides = options.strides === undefined ? 1 : checkInt(where, 'options.strides', options.strides, 1);
    this.dilation = options.dilation === undefined ? 1 : checkInt(where, 'options.dilation', options.dilation, 1);
    if (options.inputSize !== undefined) this.#init(where, checkInt(where, 'options.inputSize', options.inputSize, 1));
    if (this.strides > 1 || this.padding === 'valid') this.outputSteps = (w: string, T: number) => this.#outputSteps(w, T);
  }

  /** @internal Set when the layer changes the number of steps ('valid' or strides > 1): steps out for T in. */
  readonly outputSteps?: (where: string, T: number) => number;

  #outputSteps(where: string, T: number): number {
    const { out } = convAxis(this.padding, T, this.kernelSize, this.strides, this.dilation);
    if (out < 1) throw new RangeError(`${where}: a 'valid' Conv1D with kernelSize ${this.kernelSize} and dilation ${this.dilation} needs at least ${this.receptiveField} time steps, got ${T}`);
    return out;
  }

  get inputSize(): number {
    return this.channels;
  }

  /** Steps of the input that one output step sees: (K − 1)·dilation + 1. */
  get receptiveField(): number {
    return (this.kernelSize - 1) * this.dilation + 1;
  }

  config(): Record<string, unknown> {
    return {
      filters: this.filters, kernelSize: this.kernelSize, padding: this.padding, strides: this.strides, dilation: this.dilation, groups: this.groups,
      activation: this.activation, useBias: this.useBias, inputSize: this.channels, seed: this.seed,
    };
  }

  #init(where: string, C: number, seed?: number): void {
    if (C % this.groups !== 0) throw new RangeError(`${where}: inputSize ${C} is not divisible by options.groups ${this.groups}`);
    this.buildKernel(C, seed, `the kernel for kernelSize ${this.kernelSize}, inputSize ${C} and filters ${this.filters}`);
  }

  /**
   * @internal Streaming (Sequential.step): a causal Conv1D of stride 1 carries its last
   * (K − 1)·dilation input rows ([R, B, C] time-major, oldest first; see conv-step.ts).
   */
  get streaming(): Streaming {
    const C = this.channels;
    const conv: CausalConv = { inChannels: C, outChannels: this.filters, kernelSize: this.kernelSize, dilation: this.dilation, groups: this.groups };
    const R = historySteps(conv);
    // One output per input step, from steps ≤ t only: causal (or a single tap) and stride 1. 'same'
    // pads ⌈R/2⌉ steps after the end, so its output at t reads up to t + ⌈R/2⌉.
    let refusal: string | null = null;
    if (this.strides > 1) refusal = `its strides ${this.strides} give one output step per ${this.strides} input steps, not one per step`;
    else if (this.padding === 'valid' && R > 0) refusal = `its padding 'valid' gives ${R} fewer output steps than input steps, not one per step (padding 'causal' streams)`;
    else if (this.padding === 'same' && R > 0) refusal = `its padding 'same' centres the kernel, so its output at t reads steps up to t + ${R - Math.floor(R / 2)}, which a stream has not seen yet (padding 'causal' streams)`;
    return {
      refusal,
      historyFloats: R * C,
      historyShape: `${R} steps × ${C} channels`,
      modelStep: (x: number, B: number, history: number): number => {
        this.workspace.layout(causalStepRegions(this.backend, conv, B), 'Conv1D', `the workspace for a step of ${B} streams (inputSize ${C}, filters ${this.filters}, kernelSize ${this.kernelSize})`);
        const p = this.parameters;
        const out = causalConvStep(this.backend, this.workspace, conv, p.ptr('weight'), this.useBias ? p.ptr('bias') : 0, x, B, history);
        activateInPlace(this.backend, this.activation, out, B * this.filters);
        return out;
      },
    };
  }

  /** @internal */
  connect(where: string, input: Flow, seed: number): Flow {
    if (input.ids || !input.sequence) {
      const got = input.ids ? 'token ids (put an Embedding first)' : 'one vector per sequence (set returnSequences: true on the layer below)';
      throw new RangeError(`${where}: Conv1D needs sequences of feature vectors as input, but gets ${got}`);
    }
    if (this.built) {
      if (this.channels !== input.features) throw new RangeError(`${where}: Conv1D has inputSize ${this.channels} but the layer below gives ${input.features} features`);
    } else {
      if (input.features % this.groups !== 0) throw new RangeError(`${where}: Conv1D's ${input.features} input channels are not divisible by options.groups ${this.groups}`);
      this.#init(where, input.features, seed);
    }
    return { features: this.filters, sequence: true };
  }

  /** The kernel's view of a time-major batch: one image [T, B, C], a K × 1 kernel dilated along time. */
  #geometry(T: number, B: number): Conv2dGeometry {
    const { out, padBefore } = convAxis(this.padding, T, this.kernelSize, this.strides, this.dilation);
    return {
      batch: 1, height: T, width: B, inChannels: this.channels, outHeight: out, outWidth: B, outChannels: this.filters,
      kernelHeight: this.kernelSize, kernelWidth: 1, strideH: this.strides, strideW: 1, dilationH: this.dilation, dilationW: 1,
      padTop: padBefore, padLeft: 0, groups: this.groups,
    };
  }

  /** @internal x: [T, B, inputSize] time-major; returns [T', B, filters] (T' = T unless 'valid' or strided). */
  modelForward(x: number, batch: Batch): number {
    const { T, B, mask } = batch;
    const C = this.channels;
    const g = this.#geometry(T, B);
    const zeroPadded = mask !== 0 && this.padding === 'same';
    this.layoutConv(g, { xm: zeroPadded ? sizeProduct(T, B, C) : 0 },
      `the workspace for a batch of ${B} sequences × ${T} time steps (inputSize ${C}, filters ${this.filters}, kernelSize ${this.kernelSize})`);
    if (zeroPadded) {
      // Copy the input and zero its padded steps: a 'same' window of a real step may reach past its end.
      const xm = this.workspace.ptr('xm');
      this.backend.copyFloats(xm, x, T * B * C);
      this.#zeroPaddedRows(xm, mask, T, B, C);
      x = xm;
    }
    this.#T = T;
    this.#B = B;
    this.#mask = zeroPadded ? mask : 0;
    return this.convolve(x, g);
  }

  /** @internal Gradients accumulate into the parameter gradients; returns dX [T, B, inputSize]. */
  modelBackward(dOutput: number): number {
    const dX = this.backpropagate(dOutput);
    if (this.#mask) this.#zeroPaddedRows(dX, this.#mask, this.#T, this.#B, this.channels); // the zeroed inputs have no gradient
    return dX;
  }

  /** Zeroes the [C] rows of a [T, B, C] buffer whose [T, B] mask entry is 0. */
  #zeroPaddedRows(ptr: number, mask: number, T: number, B: number, C: number): void {
    const heap = this.backend.heapF32();
    for (let r = 0; r < T * B; r++) if (heap[(mask >>> 2) + r] === 0) heap.fill(0, (ptr >>> 2) + r * C, (ptr >>> 2) + (r + 1) * C);
  }
}
