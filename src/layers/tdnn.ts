// TDNN: a time-delay neural network layer (Waibel et al. 1989; Kaldi's TDNN layers with sparse
// contexts such as {−3, 0, 3}): y[t] = f(b + Σ_j W_j · x[t + context_j]), steps outside [0, T)
// reading zeros, the time axis keeping its length.
//
// Inside a model sequences flow time-major, [T, B, C]; as Conv1D does, the layer reads that buffer
// with the 2-D convolution kernel (assembly/conv.ts) as one image of height T and width B and a
// K × 1 kernel dilated along time: one call for the batch, no copy of the input. The context is
// placed on a lattice of evenly spaced taps lo, lo + d, …, hi:
//   lo = min(context), hi = max(context) when the context straddles 0 (min ≤ 0 ≤ max); otherwise
//   0 joins the lattice (lo = min(min, 0), hi = max(max, 0)), because the kernel's padding before
//   (−lo) and after (hi) cannot be negative;
//   d = gcd of the lattice points' distances from lo (1 for a single point), K = (hi − lo)/d + 1;
//   padTop = −lo, output height T (padding after = hi, the look-ahead).
// An evenly spaced context that straddles 0 (Kaldi's usual {−1, 0, 1}, {−3, 0, 3}, {−6, −3, 0}) is
// the lattice itself: the parameters are the kernel. Otherwise only the context's taps are
// parameters; before each forward they are copied into a K-tap kernel in the workspace whose other
// taps are exactly zero, and after the backward the kernel gradient of each context tap is added
// (in WebAssembly) to its parameter's gradient. That costs K/numOffsets of the dense work (e.g.
// [−4, −1, 0]: d = 1, K = 5 for 3 offsets). Measured (B = 32, T = 256, 64 → 64 channels, SIMD,
// medians of 21 on 2 shared cores), forward: [−2, −1, 0] 6.6–7.2 ms, [−4, −1, 0] 11.0 ms against a
// 5-tap Conv1D's 10.5 ms, [−6, −1, 0] 15.1 ms against a 7-tap one's 14.9 ms: the expansion itself
// is free, the zero taps cost what dense taps do. A gather-im2col kernel for arbitrary offsets would
// save exactly that K/numOffsets; not written, as the contexts TDNNs use are mostly evenly spaced.
//
// Masks: with look-ahead (max offset > 0) padded steps are zeroed in a copy before the convolution
// (as Conv1D 'same' does), so real steps never read them, and get no gradient; a causal context
// (every offset ≤ 0) needs nothing, padding being at the end.
// Streaming (Sequential.step): a causal context runs as a causal convolution over its lattice,
// carrying its last −lo input rows (conv-step.ts); a context with look-ahead cannot stream.
// Weights: native = keras { weight | kernel [numOffsets, C_in, units], bias [units] }, tap j for
// offset context[j]; pytorch { weight [units, C_in, numOffsets], bias }, nn.Conv1d's layout: for an
// evenly spaced context it is nn.Conv1d(C_in, units, numOffsets, dilation = spacing) padded by −min
// before and max after; for a sparse one, column j multiplies x[t + context[j]]. The kernel's
// initialisation (Glorot, fan in numOffsets·C_in), layouts and activations are ConvLayer's helpers
// (convolution.ts) with one spatial axis of numOffsets taps, so they match Conv1D's.
import type { Backend } from '../engine/backend.js';
import { sizeProduct } from '../engine/sizes.js';
import { checkBoolean, checkInt, checkOneOf, describe } from '../errors.js';
import { WeightedLayer } from './base.js';
import { checkFormat, type WeightFormat, type Weights } from './formats.js';
import type { Batch, Flow, ModelLayer, Streaming } from './layer.js';
import type { Conv2dGeometry } from '../kernels/conv.js';
import { conv2dBackward, conv2dForward, conv2dWorkspaceFloats } from '../kernels/split.js';
import { addScaledF32 } from '../kernels/model.js';
import { activateInPlace, activationGradient } from './activation.js';
import {
  CONV_ACTIVATIONS, convParameters, exportConvWeights, readConvWeights, type ConvActivation, type KernelShape,
} from './convolution.js';
import { causalConvStep, causalStepRegions, zeroPaddedRows, type CausalConv } from './conv-step.js';

export type TDNNActivation = ConvActivation;

export interface TDNNOptions {
  /** Output features per step. */
  units: number;
  /** Time offsets the output at t reads, strictly increasing integers (e.g. [-2, 0, 2]; [-3, -2, -1, 0] is causal). */
  context: number[];
  /** Default 'linear'. */
  activation?: TDNNActivation;
  /** Default true. */
  useBias?: boolean;
  /** Input features; optional in a Sequential (taken from the layer below). */
  inputSize?: number;
  /** Seed of the Glorot-uniform kernel (fan in numOffsets·C_in, fan out numOffsets·units). */
  seed?: number;
  backend?: Backend;
}

/** Largest |offset| a context may hold. */
const MAX_OFFSET = 65535;

/** The evenly spaced taps the context sits on (see the header). */
interface Lattice {
  lo: number;
  spacing: number;
  /** Taps of the kernel (K). */
  taps: number;
  /** Kernel tap of each context offset. */
  tapOf: number[];
}

function gcd(a: number, b: number): number {
  while (b !== 0) [a, b] = [b, a % b];
  return a;
}

function latticeOf(context: readonly number[]): Lattice {
  const first = context[0];
  const last = context[context.length - 1];
  const points = first <= 0 && last >= 0 ? [...context] : [...context, 0];
  const lo = Math.min(first, 0);
  const hi = Math.max(last, 0);
  const spacing = points.reduce((g, p) => gcd(g, p - lo), 0) || 1;
  return { lo, spacing, taps: (hi - lo) / spacing + 1, tapOf: context.map((c) => (c - lo) / spacing) };
}

export class TDNN extends WeightedLayer implements ModelLayer {
  readonly kind = 'TDNN';
  readonly units: number;
  readonly activation: TDNNActivation;
  readonly useBias: boolean;
  readonly #context: readonly number[];
  readonly #lattice: Lattice;
  #inputSize: number;
  // the last forward
  #x = 0;
  #T = 0;
  #B = 0;
  #mask = 0;

  constructor(options: TDNNOptions) {
    const where = 'TDNN';
    super(where, options, ['units', 'context', 'activation', 'useBias', 'inputSize']);
    this.units = checkInt(where, 'options.units', options.units, 1);
    this.#context = readContext(where, options.context);
    this.#lattice = latticeOf(this.#context);
    this.activation = options.activation === undefined ? 'linear' : checkOneOf(where, 'options.activation', options.activation, CONV_ACTIVATIONS);
    this.useBias = options.useBias === undefined ? true : checkBoolean(where, 'options.useBias', options.useBias);
    this.#inputSize = options.inputSize === undefined ? 0 : checkInt(where, 'options.inputSize', options.inputSize, 1);
    if (this.#inputSize > 0) this.#init();
  }

  get inputSize(): number {
    return this.#inputSize;
  }

  /** The time offsets (a copy). */
  get context(): number[] {
    return [...this.#context];
  }

  /** Steps of the input that one output step spans: max(context) − min(context) + 1. */
  get receptiveField(): number {
    return this.#context[this.#context.length - 1] - this.#context[0] + 1;
  }

  config(): Record<string, unknown> {
    return { units: this.units, context: [...this.#context], activation: this.activation, useBias: this.useBias, inputSize: this.#inputSize, seed: this.seed };
  }

  /** The parameters as a convolution kernel: one tap per offset, [numOffsets, C_in, units] (Glorot fan in numOffsets·C_in, fan out numOffsets·units). */
  get #shape(): KernelShape {
    return { spatial: [this.#context.length], perGroup: this.#inputSize, filters: this.units, useBias: this.useBias };
  }

  #init(seed?: number): void {
    const { specs, initial } = convParameters(this.#shape);
    this.createParameters(specs, initial, seed, `the kernel for ${this.#context.length} offsets, inputSize ${this.#inputSize} and units ${this.units}`);
  }

  /** @internal */
  connect(where: string, input: Flow, seed: number): Flow {
    if (input.ids || !input.sequence) {
      const got = input.ids ? 'token ids (put an Embedding first)' : 'one vector per sequence (set returnSequences: true on the layer below)';
      throw new RangeError(`${where}: TDNN needs sequences of feature vectors as input, but gets ${got}`);
    }
    if (this.built) {
      if (this.#inputSize !== input.features) throw new RangeError(`${where}: TDNN has inputSize ${this.#inputSize} but the layer below gives ${input.features} features`);
    } else {
      this.#inputSize = input.features;
      this.#init(seed);
    }
    return { features: this.units, sequence: true };
  }

  /** Whether the kernel is the parameters themselves (the context is its lattice) or a zero-filled expansion in the workspace. */
  get #dense(): boolean {
    return this.#lattice.taps === this.#context.length;
  }

  /** The lattice as a causal-or-not convolution (for the step). */
  get #conv(): CausalConv {
    return { inChannels: this.#inputSize, outChannels: this.units, kernelSize: this.#lattice.taps, dilation: this.#lattice.spacing, groups: 1 };
  }

  /** The kernel's view of a time-major batch: one image [T, B, C], the K × 1 lattice kernel, padTop −lo. */
  #geometry(T: number, B: number): Conv2dGeometry {
    const { lo, spacing, taps } = this.#lattice;
    return {
      batch: 1, height: T, width: B, inChannels: this.#inputSize, outHeight: T, outWidth: B, outChannels: this.units,
      kernelHeight: taps, kernelWidth: 1, strideH: 1, strideW: 1, dilationH: spacing, dilationW: 1, padTop: -lo, padLeft: 0, groups: 1,
    };
  }

  /** Floats of the expanded kernel (0 when the parameters are the kernel). */
  get #kernelFloats(): bigint {
    return this.#dense ? 0n : sizeProduct(this.#lattice.taps, this.#inputSize, this.units);
  }

  /** The kernel pointer: the weight parameter, or the workspace's 'kernel' filled from it (taps off the context are 0). */
  #kernel(): number {
    const weight = this.parameters.ptr('weight');
    if (this.#dense) return weight;
    const block = this.#inputSize * this.units;
    const kernel = this.workspace.ptr('kernel');
    this.backend.fillFloats(kernel, this.#lattice.taps * block, 0);
    this.#lattice.tapOf.forEach((tap, j) => this.backend.copyFloats(kernel + tap * block * 4, weight + j * block * 4, block));
    return kernel;
  }

  /** @internal x: [T, B, inputSize] time-major; returns [T, B, units]. */
  modelForward(x: number, batch: Batch): number {
    const { T, B, mask } = batch;
    const [C, F] = [this.#inputSize, this.units];
    const g = this.#geometry(T, B);
    const zeroPadded = mask !== 0 && this.#context[this.#context.length - 1] > 0;
    this.workspace.layout({
      out: sizeProduct(T, B, F), dZ: sizeProduct(T, B, F), dX: sizeProduct(T, B, C), xm: zeroPadded ? sizeProduct(T, B, C) : 0,
      cols: conv2dWorkspaceFloats(this.backend, g), kernel: this.#kernelFloats, dKernel: this.#kernelFloats,
    }, 'TDNN', `the workspace for a batch of ${B} sequences × ${T} time steps (inputSize ${C}, units ${F}, context [${this.#context.join(', ')}])`);
    if (zeroPadded) {
      // Copy the input and zero its padded steps: a window of a real step may reach past its end.
      const xm = this.workspace.ptr('xm');
      this.backend.copyFloats(xm, x, T * B * C);
      zeroPaddedRows(this.backend, xm, mask, T, B, C);
      x = xm;
    }
    const out = this.workspace.ptr('out');
    conv2dForward(this.backend, {
      y: out, cols: this.workspace.ptr('cols'), x, w: this.#kernel(), bias: this.useBias ? this.parameters.ptr('bias') : 0, work: this.backend.gemmWork(),
    }, g, undefined, (target, rows) => activateInPlace(target, this.activation, out + rows.start * F * 4, rows.size * F));
    this.#x = x;
    this.#T = T;
    this.#B = B;
    this.#mask = zeroPadded ? mask : 0;
    return out;
  }

  /** @internal Gradients accumulate into the parameter gradients; returns dX [T, B, inputSize]. */
  modelBackward(dOutput: number): number {
    const [T, B, C, F] = [this.#T, this.#B, this.#inputSize, this.units];
    const backend = this.backend;
    const dZ = activationGradient(backend, this.activation, { dZ: this.workspace.ptr('dZ'), y: this.workspace.ptr('out'), dY: dOutput }, T * B * F);
    const dX = this.workspace.ptr('dX');
    backend.fillFloats(dX, T * B * C, 0);
    const p = this.parameters;
    const block = C * F;
    // The dense kernel's gradient accumulates straight into the parameter's; an expanded one's into dKernel, then per context tap.
    const dKernel = this.#dense ? p.gradPtr('weight') : this.workspace.ptr('dKernel');
    if (!this.#dense) backend.fillFloats(dKernel, this.#lattice.taps * block, 0);
    conv2dBackward(backend, {
      dX, dW: dKernel, dBias: this.useBias ? p.gradPtr('bias') : 0, cols: this.workspace.ptr('cols'),
      dY: dZ, x: this.#x, w: this.#dense ? p.ptr('weight') : this.workspace.ptr('kernel'), work: backend.gemmWork(),
    }, this.#geometry(T, B));
    if (!this.#dense) {
      const dWeight = p.gradPtr('weight');
      this.#lattice.tapOf.forEach((tap, j) => {
        const at = dWeight + j * block * 4;
        addScaledF32(backend, { dst: at, left: at, right: dKernel + tap * block * 4 }, block, 1);
      });
    }
    if (this.#mask) zeroPaddedRows(backend, dX, this.#mask, T, B, C); // the zeroed inputs have no gradient
    return dX;
  }

  /**
   * @internal Streaming (Sequential.step): a causal context (every offset ≤ 0) carries its last
   * −min(context) input rows ([R, B, C] time-major, oldest first; see conv-step.ts).
   */
  get streaming(): Streaming {
    const ahead = this.#context[this.#context.length - 1];
    const R = -this.#lattice.lo;
    const C = this.#inputSize;
    return {
      refusal: ahead <= 0 ? null
        : `its context [${this.#context.join(', ')}] looks ${ahead} step(s) ahead: the output at t reads step t + ${ahead}, which a stream has not seen yet (a context of offsets ≤ 0 streams)`,
      historyFloats: ahead <= 0 ? R * C : 0,
      historyShape: `${R} steps × ${C} channels`,
      modelStep: (x: number, B: number, history: number): number => {
        const conv = this.#conv;
        this.workspace.layout({ ...causalStepRegions(this.backend, conv, B), kernel: this.#kernelFloats },
          'TDNN', `the workspace for a step of ${B} streams (inputSize ${C}, units ${this.units}, context [${this.#context.join(', ')}])`);
        const out = causalConvStep(this.backend, this.workspace, conv, this.#kernel(), this.useBias ? this.parameters.ptr('bias') : 0, x, B, history);
        activateInPlace(this.backend, this.activation, out, B * this.units);
        return out;
      },
    };
  }

  /** native/keras { weight | kernel [numOffsets, C_in, units], bias }; pytorch { weight [units, C_in, numOffsets], bias } (tap j: offset context[j]). */
  protected exportWeights(format: WeightFormat, v: Record<string, Float32Array>): Weights {
    return exportConvWeights(format, v, this.#shape);
  }

  /** Replaces every weight (validated first: a failed call changes nothing). */
  setWeights(weights: Weights | Record<string, unknown>, options: { format?: WeightFormat } = {}): void {
    const where = 'TDNN.setWeights';
    this.checkWritable(where);
    this.parameters.set(readConvWeights(where, weights, checkFormat(where, options?.format ?? 'native'), this.#shape));
  }
}

/** options.context: a non-empty array of strictly increasing integers in [−MAX_OFFSET, MAX_OFFSET]. */
function readContext(where: string, value: unknown): number[] {
  if (!Array.isArray(value)) throw new TypeError(`${where}: options.context must be a non-empty array of strictly increasing integer time offsets (e.g. [-2, 0, 2]), got ${describe(value)}`);
  if (value.length === 0) throw new RangeError(`${where}: options.context must be a non-empty array of strictly increasing integer time offsets (e.g. [-2, 0, 2]), got Array(0)`);
  const context = Array.from(value, (v: unknown, j) => checkInt(where, `options.context[${j}]`, v, -MAX_OFFSET, MAX_OFFSET));
  for (let j = 1; j < context.length; j++) {
    if (context[j] <= context[j - 1]) throw new RangeError(`${where}: options.context must be strictly increasing, but context[${j}] = ${context[j]} follows context[${j - 1}] = ${context[j - 1]}`);
  }
  return context;
}
