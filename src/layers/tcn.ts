// TCN: a temporal convolutional network (Bai, Kolter & Koltun 2018, "An Empirical Evaluation of
// Generic Convolutional and Recurrent Networks for Sequence Modeling"), with keras-tcn's options
// and structure (nb_filters → filters, kernel_size, dilations, nb_stacks → stacks, dropout_rate →
// dropout, use_skip_connections → skipConnections, return_sequences, activation).
//
// stacks × dilations.length residual blocks, block i with dilation d_i (the dilations repeat per stack):
//   h1 = CausalConv_{K, d}(x)   a1 = act(norm1(h1))   o1 = SpatialDropout(a1)
//   h2 = CausalConv_{K, d}(o1)  a2 = act(norm2(h2))   o2 = SpatialDropout(a2)        (o2: the branch)
//   y  = act(o2 + r),  r = x, or a 1×1 convolution of x when its channels ≠ filters
// norm: 'weight' — each causal conv's kernel is w = g·v/‖v‖ per filter (Salimans & Kingma; Bai et
// al.'s choice; the 1×1 residual conv is plain, as in their code); 'layer' — layer normalization
// over the channels of each step with a gain and a bias (keras-tcn's use_layer_norm; ε = 1e-3,
// Keras' default); 'none' — keras-tcn's default. SpatialDropout1D (keras-tcn's): while training,
// whole channels of a sequence are dropped (one mask [B, filters] for every step), masks from a
// hash of the layer's seed, the update count and (block, conv); none at inference.
// Output: with skipConnections, Σ_i o2_i (keras-tcn adds the blocks' branch outputs); otherwise
// the last block's y. returnSequences false: each sequence's last real step → [B, filters].
// Receptive field (keras-tcn's formula): 1 + 2·(K − 1)·stacks·Σ d — each block's two convs see
// (K − 1)·d earlier steps each; the residual and skip paths see no further.
//
// Inside a model the batch is time-major [T, B, C]; every convolution reads it as one image of
// height T and width B with a K × 1 kernel dilated along time (as Conv1D does): no copy, one call.
// Each causal convolution is a small object with its own geometry and its own input pointer; a
// streaming step (Sequential.step) gives each its own history of the last (K − 1)·d inputs. Masks: a
// causal convolution never lets padded (trailing) steps reach real ones, layer norm is per step,
// and returnSequences false takes each sequence's last real step.
// Weights (native = keras; names per block i): block{i}.conv{1,2}.kernel [K, C_in, filters] (or, with
// weight norm, .v [K, C_in, filters] and .g [filters]), .bias [filters]; block{i}.norm{1,2}.gamma,
// .beta [filters]; block{i}.residual.kernel [1, C_in, filters], .bias. PyTorch (nn.Conv1d,
// nn.utils.weight_norm, nn.LayerNorm): .weight [filters, C_in, K] (or .weight_v [filters, C_in, K]
// and .weight_g [filters, 1, 1]), .bias; norm .weight, .bias; residual.weight [filters, C_in, 1].
import type { Backend } from '../engine/backend.js';
import { sizeProduct } from '../engine/sizes.js';
import { checkBoolean, checkInt, checkOneOf, describe } from '../errors.js';
import type { Random } from '../random.js';
import { WeightedLayer } from './base.js';
import { mix } from './dropout.js';
import { checkFormat, checkKeys, takeWeight, tensor, type WeightFormat, type Weights } from './formats.js';
import type { Batch, Flow, ModelLayer, Streaming } from './layer.js';
import { causalConvStep, causalStepRegions, historySteps, type CausalConv as StepConv } from './conv-step.js';
import type { ParamSpec, Parameters, Workspace } from './parameters.js';
import { activateInPlace, activationGradient } from './activation.js';
import type { Conv2dGeometry } from '../kernels/conv.js';
import { conv2dBackward, conv2dForward, conv2dWorkspaceFloats } from '../kernels/split.js';
import { addScaledF32, dropoutMaskF32, multiplyRowsF32 } from '../kernels/model.js';
import { layerNormBackwardF32, layerNormForwardF32, weightNormBackwardF32, weightNormForwardF32 } from '../kernels/norm.js';
import { lastStepsBackwardF32, lastStepsF32 } from '../kernels/sequence.js';

export type TCNNormalization = 'weight' | 'layer' | 'none';
const NORMALIZATIONS: readonly TCNNormalization[] = ['weight', 'layer', 'none'];
export type TCNActivation = 'relu' | 'tanh' | 'sigmoid' | 'linear';
const ACTIVATIONS: readonly TCNActivation[] = ['relu', 'tanh', 'sigmoid', 'linear'];
/** Keras' LayerNormalization default (keras-tcn's use_layer_norm uses it). */
const LAYER_NORM_EPSILON = 1e-3;

export interface TCNOptions {
  /** Channels of every convolution (keras-tcn's nb_filters). */
  filters: number;
  /** Taps of each causal convolution (default 3). */
  kernelSize?: number;
  /** Dilation of each residual block of a stack (default [1, 2, 4, 8, 16, 32], keras-tcn's). */
  dilations?: number[];
  /** Times the dilations repeat (default 1; keras-tcn's nb_stacks). */
  stacks?: number;
  /** SpatialDropout1D rate after each convolution's activation while training, in [0, 1) (default 0). */
  dropout?: number;
  /** 'none' (default, keras-tcn's), 'weight' (Bai et al.) or 'layer'. */
  normalization?: TCNNormalization;
  /** Output Σ of the blocks' branch outputs (default true, keras-tcn's) instead of the last block's output. */
  skipConnections?: boolean;
  /** Every step [T, B, filters] (true) or each sequence's last real step [B, filters] (default false). */
  returnSequences?: boolean;
  /** Of the convolutions and of each block's output (default 'relu'). */
  activation?: TCNActivation;
  /** Biases on every convolution (default true). */
  useBias?: boolean;
  /** Input channels; optional in a Sequential (taken from the layer below). */
  inputSize?: number;
  /** Seed of the weights (He-normal kernels, as keras-tcn) and of the dropout masks. */
  seed?: number;
  backend?: Backend;
}

/** What the inner objects use of their TCN: one backend, the parameters, the workspace. */
interface Kit {
  backend: Backend;
  params: Parameters;
  work: Workspace;
  /** Streaming: the layer's history (every causal conv's last R input rows, at its historyOffset), for a forward of one step. */
  history?: number;
}

/**
 * One convolution of a TCN: causal, dilated, stride 1, over a time-major batch read as one image
 * [T, B, C]. Holds its geometry and the input of the last forward; with weight normalization its
 * effective kernel lives in the workspace, recomputed by every forward.
 */
class CausalConv {
  /** Input of the last forward ([T, B, inChannels]). */
  x = 0;
  /** Where this conv's streaming history ([R, B, inChannels], R = (K − 1)·d) starts in the layer's history, in floats per sequence. */
  historyOffset = 0;

  constructor(
    readonly name: string,
    readonly kernelSize: number,
    readonly dilation: number,
    readonly inChannels: number,
    readonly filters: number,
    readonly weightNorm: boolean,
    readonly useBias: boolean,
  ) {}

  get kernelShape(): number[] {
    return [this.kernelSize, this.inChannels, this.filters];
  }

  specs(): ParamSpec[] {
    const kernel = this.weightNorm ? [{ name: `${this.name}.v`, shape: this.kernelShape }, { name: `${this.name}.g`, shape: [this.filters] }] : [{ name: `${this.name}.kernel`, shape: this.kernelShape }];
    return [...kernel, ...(this.useBias ? [{ name: `${this.name}.bias`, shape: [this.filters] }] : [])];
  }

  geometry(T: number, B: number): Conv2dGeometry {
    return {
      batch: 1, height: T, width: B, inChannels: this.inChannels, outHeight: T, outWidth: B, outChannels: this.filters,
      kernelHeight: this.kernelSize, kernelWidth: 1, strideH: 1, strideW: 1, dilationH: this.dilation, dilationW: 1,
      padTop: (this.kernelSize - 1) * this.dilation, padLeft: 0, groups: 1,
    };
  }

  /** Workspace regions of its own (the effective kernel and the norms, with weight normalization). */
  regions(): Record<string, number> {
    return this.weightNorm ? { [`${this.name}.w`]: this.kernelSize * this.inChannels * this.filters, [`${this.name}.norm`]: this.filters } : {};
  }

  /** As conv-step.ts sees it. */
  get stepShape(): StepConv {
    return { inChannels: this.inChannels, outChannels: this.filters, kernelSize: this.kernelSize, dilation: this.dilation, groups: 1 };
  }

  /** y [T, B, filters] = bias + x ⋆ w; streaming (kit.history): one step (T = 1) from the carried history, which it updates. */
  forward(kit: Kit, y: number, x: number, T: number, B: number): void {
    const { backend, params, work } = kit;
    let w: number;
    if (this.weightNorm) {
      w = work.ptr(`${this.name}.w`);
      weightNormForwardF32(backend, { w, norm: work.ptr(`${this.name}.norm`), v: params.ptr(`${this.name}.v`), g: params.ptr(`${this.name}.g`) }, this.kernelSize * this.inChannels, this.filters);
    } else {
      w = params.ptr(`${this.name}.kernel`);
    }
    const bias = this.useBias ? params.ptr(`${this.name}.bias`) : 0;
    if (kit.history !== undefined) {
      const out = causalConvStep(backend, work, this.stepShape, w, bias, x, B, kit.history + this.historyOffset * B * 4);
      backend.copyFloats(y, out, B * this.filters);
      return;
    }
    conv2dForward(backend, { y, cols: work.ptr('cols'), x, w, bias, work: backend.gemmWork() }, this.geometry(T, B));
    this.x = x;
  }

  /** dX += ∂L/∂x (dX 0: skipped), and the parameter gradients accumulate, from dY [T, B, filters]. */
  backward(kit: Kit, dX: number, dY: number, T: number, B: number): void {
    const { backend, params, work } = kit;
    const bias = this.useBias ? params.gradPtr(`${this.name}.bias`) : 0;
    const g = this.geometry(T, B);
    if (!this.weightNorm) {
      const ptrs = { dX, dW: params.gradPtr(`${this.name}.kernel`), dBias: bias, cols: work.ptr('cols'), dY, x: this.x, w: params.ptr(`${this.name}.kernel`), work: backend.gemmWork() };
      conv2dBackward(backend, ptrs, g);
      return;
    }
    const R = this.kernelSize * this.inChannels;
    const dW = work.ptr('dW');
    backend.fillFloats(dW, R * this.filters, 0);
    conv2dBackward(backend, { dX, dW, dBias: bias, cols: work.ptr('cols'), dY, x: this.x, w: work.ptr(`${this.name}.w`), work: backend.gemmWork() }, g);
    weightNormBackwardF32(backend, {
      dV: params.gradPtr(`${this.name}.v`), dG: params.gradPtr(`${this.name}.g`), dW,
      v: params.ptr(`${this.name}.v`), g: params.ptr(`${this.name}.g`), norm: work.ptr(`${this.name}.norm`),
    }, R, this.filters);
  }
}

/** One residual block: two causal convolutions (each normalized, activated, dropped out) and the residual path. */
class ResidualBlock {
  readonly name: string;
  readonly conv1: CausalConv;
  readonly conv2: CausalConv;
  /** The 1×1 convolution on the residual path when the input channels ≠ filters (else the identity). */
  readonly residual: CausalConv | null;

  constructor(readonly index: number, readonly dilation: number, readonly inChannels: number, tcn: TCN) {
    this.name = `block${index}`;
    const { kernelSize: K, filters: F, useBias } = tcn;
    const weightNorm = tcn.normalization === 'weight';
    this.conv1 = new CausalConv(`${this.name}.conv1`, K, dilation, inChannels, F, weightNorm, useBias);
    this.conv2 = new CausalConv(`${this.name}.conv2`, K, dilation, F, F, weightNorm, useBias);
    this.residual = inChannels === F ? null : new CausalConv(`${this.name}.residual`, 1, 1, inChannels, F, false, useBias);
  }

  get convs(): CausalConv[] {
    return [this.conv1, this.conv2, ...(this.residual ? [this.residual] : [])];
  }

  /** Workspace region of this block's buffer `what` (a1, xhat1, rstd1, mask1, o1, … , y). */
  region(what: string): string {
    return `${this.name}.${what}`;
  }
}

export class TCN extends WeightedLayer implements ModelLayer {
  readonly kind = 'TCN';
  readonly filters: number;
  readonly kernelSize: number;
  readonly dilations: readonly number[];
  readonly stacks: number;
  readonly dropout: number;
  readonly normalization: TCNNormalization;
  readonly skipConnections: boolean;
  readonly returnSequences: boolean;
  readonly activation: TCNActivation;
  readonly useBias: boolean;
  #inputSize: number;
  #blocks: ResidualBlock[] = [];
  // the last forward
  #T = 0;
  #B = 0;
  #mask = 0;
  #dropping = false;
  /** Streaming history per sequence: Σ over the causal convs of (K − 1)·d·inChannels. */
  #historyFloats = 0;
  /** Set during a streaming step: the history pointer every causal conv reads and updates. */
  #history: number | undefined;

  constructor(options: TCNOptions) {
    const where = 'TCN';
    super(where, options, ['filters', 'kernelSize', 'dilations', 'stacks', 'dropout', 'normalization', 'skipConnections', 'returnSequences', 'activation', 'useBias', 'inputSize']);
    this.filters = checkInt(where, 'options.filters', options.filters, 1);
    this.kernelSize = options.kernelSize === undefined ? 3 : checkInt(where, 'options.kernelSize', options.kernelSize, 1);
    this.dilations = options.dilations === undefined ? [1, 2, 4, 8, 16, 32] : readDilations(where, options.dilations);
    this.stacks = options.stacks === undefined ? 1 : checkInt(where, 'options.stacks', options.stacks, 1);
    const rate = options.dropout ?? 0;
    if (typeof rate !== 'number' || !(rate >= 0 && rate < 1)) throw new RangeError(`${where}: options.dropout must be a number in [0, 1), got ${describe(rate)}`);
    this.dropout = rate;
    this.normalization = options.normalization === undefined ? 'none' : checkOneOf(where, 'options.normalization', options.normalization, NORMALIZATIONS);
    this.skipConnections = options.skipConnections === undefined ? true : checkBoolean(where, 'options.skipConnections', options.skipConnections);
    this.returnSequences = options.returnSequences === undefined ? false : checkBoolean(where, 'options.returnSequences', options.returnSequences);
    this.activation = options.activation === undefined ? 'relu' : checkOneOf(where, 'options.activation', options.activation, ACTIVATIONS);
    this.useBias = options.useBias === undefined ? true : checkBoolean(where, 'options.useBias', options.useBias);
    const blocks = this.stacks * this.dilations.length;
    if (blocks > 4096) throw new RangeError(`${where}: options.stacks ${this.stacks} × ${this.dilations.length} dilations = ${blocks} residual blocks, more than 4096`);
    this.#inputSize = options.inputSize === undefined ? 0 : checkInt(where, 'options.inputSize', options.inputSize, 1);
    if (this.#inputSize > 0) this.#init();
  }

  get inputSize(): number {
    return this.#inputSize;
  }

  /** Steps of the input that one output step sees: 1 + 2·(K − 1)·stacks·Σ dilations (keras-tcn's receptive_field). */
  get receptiveField(): number {
    return 1 + 2 * (this.kernelSize - 1) * this.stacks * this.dilations.reduce((a, b) => a + b, 0);
  }

  config(): Record<string, unknown> {
    return {
      filters: this.filters, kernelSize: this.kernelSize, dilations: [...this.dilations], stacks: this.stacks, dropout: this.dropout,
      normalization: this.normalization, skipConnections: this.skipConnections, returnSequences: this.returnSequences,
      activation: this.activation, useBias: this.useBias, inputSize: this.#inputSize, seed: this.seed,
    };
  }

  #init(seed?: number): void {
    const [C, F, K] = [this.#inputSize, this.filters, this.kernelSize];
    const blocks: ResidualBlock[] = [];
    for (let s = 0; s < this.stacks; s++) {
      for (const d of this.dilations) blocks.push(new ResidualBlock(blocks.length, d, blocks.length === 0 ? C : F, this));
    }
    const specs = this.#specsOf(blocks);
    // He-normal kernels (keras-tcn's kernel_initializer, Keras' definition: a normal truncated at
    // two standard deviations, σ = √(2 / fan in) / 0.8796 to make up for the truncation), fan in
    // K·C_in (1·C_in for the residual); g = ‖v‖ per filter (so w = v at first, as PyTorch's
    // weight_norm starts); biases 0; layer-norm gains 1, biases 0.
    const drawn = new Map<string, Float32Array>();
    const initial = (spec: ParamSpec, random: Random): Float32Array => {
      const out = new Float32Array(spec.shape.reduce((a, b) => a * b, 1));
      const field = spec.name.slice(spec.name.lastIndexOf('.') + 1);
      if (field === 'kernel' || field === 'v') {
        const sigma = Math.sqrt(2 / (spec.shape[0] * spec.shape[1])) / 0.87962566103423978;
        for (let i = 0; i < out.length; i++) {
          let z = random.normal();
          while (Math.abs(z) > 2) z = random.normal();
          out[i] = z * sigma;
        }
        drawn.set(spec.name, out);
      } else if (field === 'g') {
        const v = drawn.get(spec.name.replace(/g$/, 'v'))!;
        for (let f = 0; f < F; f++) {
          let squares = 0;
          for (let r = 0; r < v.length / F; r++) squares += v[r * F + f] ** 2;
          out[f] = Math.sqrt(squares);
        }
      } else if (field === 'gamma') {
        out.fill(1);
      }
      return out;
    };
    this.createParameters(specs, initial, seed, `the weights for inputSize ${C}, filters ${F}, kernelSize ${K} and ${blocks.length} residual blocks`);
    this.#blocks = blocks;
    let offset = 0;
    for (const conv of blocks.flatMap((b) => b.convs)) {
      conv.historyOffset = offset;
      offset += historySteps(conv.stepShape) * conv.inChannels;
    }
    this.#historyFloats = offset;
  }

  #normSpecs(block: ResidualBlock, which: 1 | 2): ParamSpec[] {
    if (this.normalization !== 'layer') return [];
    const name = `${block.name}.norm${which}`;
    return [{ name: `${name}.gamma`, shape: [this.filters] }, { name: `${name}.beta`, shape: [this.filters] }];
  }

  /** @internal */
  connect(where: string, input: Flow, seed: number): Flow {
    if (input.ids || !input.sequence) {
      const got = input.ids ? 'token ids (put an Embedding first)' : 'one vector per sequence (set returnSequences: true on the layer below)';
      throw new RangeError(`${where}: TCN needs sequences of feature vectors as input, but gets ${got}`);
    }
    if (this.built) {
      if (this.#inputSize !== input.features) throw new RangeError(`${where}: TCN has inputSize ${this.#inputSize} but the layer below gives ${input.features} features`);
    } else {
      this.#inputSize = input.features;
      this.#init(seed);
    }
    return { features: this.filters, sequence: this.returnSequences };
  }

  get #kit(): Kit {
    return { backend: this.backend, params: this.parameters, work: this.workspace, history: this.#history };
  }

  /**
   * @internal Streaming (Sequential.step): every causal convolution carries its own last (K − 1)·d
   * input rows, as a causal Conv1D does (conv-step.ts), so each starts from zeros exactly as
   * predict's padding of that convolution's input does, and a step equals predict on the prefix.
   * The history is those [R, B, C_in] blocks one after another, in block order (conv1, conv2).
   */
  get streaming(): Streaming {
    return {
      refusal: null,
      historyFloats: this.#historyFloats,
      historyShape: `${this.#historyFloats} floats (the last (K − 1)·d inputs of each of its ${this.#blocks.length * 2} causal convolutions)`,
      modelStep: (x: number, B: number, history: number): number => {
        this.#history = history;
        try {
          return this.modelForward(x, { T: 1, B, mask: 0, training: false });
        } finally {
          this.#history = undefined;
        }
      },
    };
  }

  /** @internal x: [T, B, inputSize] time-major; returns [T, B, filters] (returnSequences) or [B, filters]. */
  modelForward(x: number, batch: Batch): number {
    const { T, B, mask } = batch;
    const [C, F] = [this.#inputSize, this.filters];
    const dropping = batch.noise !== undefined && this.dropout > 0;
    const rows = T * B;
    const n = sizeProduct(T, B, F);
    const layerNorm = this.normalization === 'layer';
    const regions: Record<string, number | bigint> = {};
    let cols = 0;
    let kernelFloats = 0;
    for (const block of this.#blocks) {
      for (const which of [1, 2]) {
        regions[block.region(`a${which}`)] = n;
        regions[block.region(`xhat${which}`)] = layerNorm ? n : 0;
        regions[block.region(`rstd${which}`)] = layerNorm ? rows : 0;
        regions[block.region(`mask${which}`)] = dropping ? B * F : 0;
        regions[block.region(`o${which}`)] = dropping ? n : 0;
      }
      regions[block.region('y')] = n;
      for (const conv of block.convs) {
        Object.assign(regions, conv.regions());
        cols = Math.max(cols, conv2dWorkspaceFloats(this.backend, conv.geometry(T, B)));
        kernelFloats = Math.max(kernelFloats, conv.kernelSize * conv.inChannels * F);
      }
    }
    let window = 0;
    let stepOut = 0;
    if (this.#history !== undefined) {
      for (const conv of this.#blocks.flatMap((b) => b.convs)) {
        const step = causalStepRegions(this.backend, conv.stepShape, B);
        window = Math.max(window, Number(step.window));
        cols = Math.max(cols, Number(step.cols));
        stepOut = Number(step.out);
      }
    }
    const dX = sizeProduct(T, B, Math.max(C, F));
    Object.assign(regions, {
      window, cols, h: layerNorm ? n : 0, skip: this.skipConnections ? n : 0, out: Math.max(this.returnSequences ? 0 : B * F, stepOut),
      g1: n, g2: n, dXa: dX, dXb: dX, dSeq: this.returnSequences ? 0 : n, dW: this.normalization === 'weight' ? kernelFloats : 0,
    });
    this.workspace.layout(regions, 'TCN', `the workspace for a batch of ${B} sequences × ${T} time steps (inputSize ${C}, filters ${F}, ${this.#blocks.length} residual blocks)`);
    const kit = this.#kit;
    const noise = dropping ? mix(this.seed, batch.noise!) : 0;
    let input = x;
    for (const block of this.#blocks) {
      input = this.#blockForward(kit, block, input, T, B, dropping ? noise : null);
      if (this.skipConnections) {
        const branch = this.#branch(block, 2, dropping);
        if (block.index === 0) this.backend.copyFloats(this.workspace.ptr('skip'), branch, Number(n));
        else addScaledF32(this.backend, { dst: this.workspace.ptr('skip'), left: this.workspace.ptr('skip'), right: branch }, Number(n), 1);
      }
    }
    [this.#T, this.#B, this.#mask, this.#dropping] = [T, B, mask, dropping];
    const sequence = this.skipConnections ? this.workspace.ptr('skip') : input;
    if (this.returnSequences) return sequence;
    const out = this.workspace.ptr('out');
    lastStepsF32(this.backend, { dst: out, src: sequence, mask }, T, B, F);
    return out;
  }

  /** o{which} of a block: the dropped-out activation while dropping, else the activation itself. */
  #branch(block: ResidualBlock, which: 1 | 2, dropping: boolean): number {
    return this.workspace.ptr(block.region(dropping ? `o${which}` : `a${which}`));
  }

  /** One block's forward from x; returns y. `noise`: the forward's dropout seed (null: no dropout). */
  #blockForward(kit: Kit, block: ResidualBlock, x: number, T: number, B: number, noise: number | null): number {
    const { backend, params, work } = kit;
    const F = this.filters;
    const n = T * B * F;
    let input = x;
    for (const which of [1, 2] as const) {
      const conv = which === 1 ? block.conv1 : block.conv2;
      const a = work.ptr(block.region(`a${which}`));
      if (this.normalization === 'layer') {
        const h = work.ptr('h');
        conv.forward(kit, h, input, T, B);
        const norm = `${block.name}.norm${which}`;
        layerNormForwardF32(backend, {
          y: a, xhat: work.ptr(block.region(`xhat${which}`)), rstd: work.ptr(block.region(`rstd${which}`)), x: h,
          gamma: params.ptr(`${norm}.gamma`), beta: params.ptr(`${norm}.beta`),
        }, T * B, F, LAYER_NORM_EPSILON);
      } else {
        conv.forward(kit, a, input, T, B);
      }
      activateInPlace(this.backend, this.activation, a, n);
      input = a;
      if (noise !== null) {
        const m = work.ptr(block.region(`mask${which}`));
        dropoutMaskF32(backend, { mask: m }, B * F, this.dropout, mix(noise, 2 * block.index + which - 1));
        input = work.ptr(block.region(`o${which}`));
        multiplyRowsF32(backend, { dst: input, x: a, m }, T, B * F);
      }
    }
    const y = work.ptr(block.region('y'));
    if (block.residual) {
      block.residual.forward(kit, y, x, T, B);
      addScaledF32(backend, { dst: y, left: y, right: input }, n, 1);
    } else {
      addScaledF32(backend, { dst: y, left: x, right: input }, n, 1);
    }
    activateInPlace(this.backend, this.activation, y, n);
    return y;
  }

  /** @internal Gradients accumulate into the parameter gradients; returns dX [T, B, inputSize]. */
  modelBackward(dOutput: number): number {
    const [T, B, F] = [this.#T, this.#B, this.filters];
    const { backend, workspace: work } = this;
    const n = T * B * F;
    let dSequence = dOutput;
    if (!this.returnSequences) {
      dSequence = work.ptr('dSeq');
      backend.fillFloats(dSequence, n, 0);
      lastStepsBackwardF32(backend, { dSrc: dSequence, dDst: dOutput, mask: this.#mask }, T, B, F);
    }
    const dSkip = this.skipConnections ? dSequence : 0;
    let dY = this.skipConnections ? 0 : dSequence;
    const kit = this.#kit;
    for (let i = this.#blocks.length - 1; i >= 0; i--) {
      const dX = work.ptr(i % 2 === 0 ? 'dXa' : 'dXb');
      this.#blockBackward(kit, this.#blocks[i], dX, dY, dSkip, T, B);
      dY = dX;
    }
    return dY;
  }

  /**
   * One block's backward: dX = ∂L/∂x (overwritten), from dY = ∂L/∂y (0: y feeds nothing — the last
   * block with skip connections) and dSkip = ∂L/∂(Σ o2) (0 without skip connections). Two scratch
   * regions (g1, g2) carry the gradient down the branch, each step writing the one it does not read.
   */
  #blockBackward(kit: Kit, block: ResidualBlock, dX: number, dY: number, dSkip: number, T: number, B: number): void {
    const { backend, params, work } = kit;
    const F = this.filters;
    const n = T * B * F;
    const [g1, g2] = [work.ptr('g1'), work.ptr('g2')];
    const other = (ptr: number): number => (ptr === g1 ? g2 : g1);
    backend.fillFloats(dX, T * B * block.inChannels, 0);
    // y = act(o2 + r): ∂L/∂(o2 + r) goes to the residual path and, with dSkip, to the branch.
    let d = dSkip;
    if (dY !== 0) {
      const y = work.ptr(block.region('y'));
      if (this.activation === 'linear') backend.copyFloats(g1, dY, n);
      else activationGradient(backend, this.activation, { dZ: g1, y, dY }, n);
      if (block.residual) block.residual.backward(kit, dX, g1, T, B);
      else addScaledF32(backend, { dst: dX, left: dX, right: g1 }, n, 1);
      if (dSkip !== 0) addScaledF32(backend, { dst: g1, left: g1, right: dSkip }, n, 1);
      d = g1;
    }
    for (const which of [2, 1] as const) {
      if (this.#dropping) {
        const next = other(d);
        multiplyRowsF32(backend, { dst: next, x: d, m: work.ptr(block.region(`mask${which}`)) }, T, B * F);
        d = next;
      }
      if (this.activation !== 'linear') {
        const next = other(d);
        activationGradient(backend, this.activation, { dZ: next, y: work.ptr(block.region(`a${which}`)), dY: d }, n);
        d = next;
      }
      if (this.normalization === 'layer') {
        const next = other(d);
        backend.fillFloats(next, n, 0);
        const norm = `${block.name}.norm${which}`;
        layerNormBackwardF32(backend, {
          dX: next, dGamma: params.gradPtr(`${norm}.gamma`), dBeta: params.gradPtr(`${norm}.beta`), dY: d,
          xhat: work.ptr(block.region(`xhat${which}`)), rstd: work.ptr(block.region(`rstd${which}`)), gamma: params.ptr(`${norm}.gamma`),
        }, T * B, F);
        d = next;
      }
      if (which === 2) {
        const next = other(d);
        backend.fillFloats(next, n, 0);
        block.conv2.backward(kit, next, d, T, B);
        d = next;
      } else {
        block.conv1.backward(kit, dX, d, T, B);
      }
    }
  }

  /** Weights by name (see the header), in `format`. */
  protected exportWeights(format: WeightFormat, values: Record<string, Float32Array>): Weights {
    const out: Weights = {};
    for (const { name, shape } of this.#weightSpecs()) {
      const data = values[name];
      const field = name.slice(name.lastIndexOf('.') + 1);
      const layer = name.slice(0, name.lastIndexOf('.'));
      if (format !== 'pytorch') out[name] = tensor(data, shape);
      else if (field === 'kernel' || field === 'v') out[`${layer}.${field === 'v' ? 'weight_v' : 'weight'}`] = tensor(toTorch(data, shape), torchShape(shape));
      else if (field === 'g') out[`${layer}.weight_g`] = tensor(data, [shape[0], 1, 1]);
      else if (field === 'gamma') out[`${layer}.weight`] = tensor(data, shape);
      else out[`${layer}.bias`] = tensor(data, shape); // bias, beta
    }
    return out;
  }

  /** The parameters in slab order, with their native shapes. */
  #weightSpecs(): ParamSpec[] {
    return this.#specsOf(this.#blocks);
  }

  /** Every block's parameters in slab order: conv1, norm1, conv2, norm2, residual. */
  #specsOf(blocks: ResidualBlock[]): ParamSpec[] {
    const specs: ParamSpec[] = [];
    for (const block of blocks) {
      specs.push(...block.conv1.specs(), ...this.#normSpecs(block, 1), ...block.conv2.specs(), ...this.#normSpecs(block, 2));
      if (block.residual) specs.push(...block.residual.specs());
    }
    return specs;
  }

  /** Replaces every weight (validated first: a failed call changes nothing). */
  setWeights(weights: Weights | Record<string, unknown>, options: { format?: WeightFormat } = {}): void {
    const where = 'TCN.setWeights';
    this.checkWritable(where);
    const format = checkFormat(where, options?.format ?? 'native');
    const specs = this.#weightSpecs();
    const keyOf = (name: string): { key: string; shape: number[]; fromTorch: boolean } => {
      const spec = specs.find((s) => s.name === name)!;
      if (format !== 'pytorch') return { key: name, shape: spec.shape, fromTorch: false };
      const field = name.slice(name.lastIndexOf('.') + 1);
      const layer = name.slice(0, name.lastIndexOf('.'));
      if (field === 'kernel' || field === 'v') return { key: `${layer}.${field === 'v' ? 'weight_v' : 'weight'}`, shape: torchShape(spec.shape), fromTorch: true };
      if (field === 'g') return { key: `${layer}.weight_g`, shape: [spec.shape[0], 1, 1], fromTorch: false };
      return { key: `${layer}.${field === 'gamma' ? 'weight' : 'bias'}`, shape: spec.shape, fromTorch: false };
    };
    const keys = specs.map((s) => keyOf(s.name));
    checkKeys(where, weights, keys.map((k) => k.key), format);
    const values: Record<string, Float32Array> = {};
    specs.forEach((spec, i) => {
      const { key, shape, fromTorch: torch } = keys[i];
      const data = takeWeight(where, weights, key, shape);
      values[spec.name] = torch ? fromTorch(data, spec.shape) : data;
      if (spec.name.endsWith('.v')) {
        const F = this.filters;
        for (let f = 0; f < F; f++) {
          let zero = true;
          for (let r = 0; r < data.length / F && zero; r++) zero = values[spec.name][r * F + f] === 0;
          if (zero) throw new RangeError(`${where}: weights.${key} is all zeros for filter ${f}: weight normalization needs a direction (w = g·v/‖v‖)`);
        }
      }
    });
    this.parameters.set(values);
  }
}

/** A non-empty array of positive integers. */
function readDilations(where: string, value: unknown): number[] {
  if (!Array.isArray(value) || value.length === 0) throw new TypeError(`${where}: options.dilations must be a non-empty array of positive integers, got ${describe(value)}`);
  return Array.from(value, (d: unknown, i) => checkInt(where, `options.dilations[${i}]`, d, 1));
}

/** Native [K, C, F] → PyTorch's [F, C, K]. */
function torchShape(shape: number[]): number[] {
  return [shape[2], shape[1], shape[0]];
}

/** [K, C, F] → [F, C, K]. */
function toTorch(w: Float32Array, [K, C, F]: number[]): Float32Array {
  const out = new Float32Array(w.length);
  for (let k = 0; k < K; k++) for (let c = 0; c < C; c++) for (let f = 0; f < F; f++) out[(f * C + c) * K + k] = w[(k * C + c) * F + f];
  return out;
}

/** [F, C, K] → [K, C, F]. */
function fromTorch(w: Float32Array, [K, C, F]: number[]): Float32Array {
  const out = new Float32Array(w.length);
  for (let k = 0; k < K; k++) for (let c = 0; c < C; c++) for (let f = 0; f < F; f++) out[(k * C + c) * F + f] = w[(f * C + c) * K + k];
  return out;
}
