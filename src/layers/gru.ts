// GRU, reset-after (PyTorch, Keras default, ONNX linear_before_reset = 1) and
// reset-before (Cho et al. 2014, TF.js). Internal layout: weightIh [I, 3H],
// weightHh [H, 3H], biasIh [3H], biasHh [3H] (reset-after only); gate blocks r, z, n.
import { describe } from '../errors.js';
import { sizeProduct, type Size } from '../engine/sizes.js';
import { glorotUniform, orthogonal } from '../initializers.js';
import type { Random } from '../random.js';
import { checkKeys, inverseOrder, permuteBlocks, takeWeight, tensor, transpose2d, type WeightFormat, type Weights } from './formats.js';
import { checkGateActivation, type GateActivation } from './lstm.js';
import { WHOLE, type BackwardPhase, type WeightPart } from '../kernels/phases.js';
import { RecurrentLayer, type KernelContext, type ParamSpec, type RecurrentOptions } from './recurrent.js';
import { GATE_ACTIVATION, GRU_VARIANT } from '../kernels/codes.js';
import { gruBackwardF32, gruForwardF32, gruPackedFloats } from '../kernels/gru.js';

export type GRUVariant = 'resetAfter' | 'resetBefore';
const VARIANTS: readonly GRUVariant[] = ['resetAfter', 'resetBefore'];
/** Keras orders the gates z, r, h; we order them r, z, n. Keras block k = our block KERAS_ORDER[k]. */
const KERAS_ORDER = [1, 0, 2];

export interface GRUOptions extends RecurrentOptions {
  /** Default 'resetAfter'. */
  variant?: GRUVariant;
  /** Default 'sigmoid'. */
  gateActivation?: GateActivation;
}

export class GRU extends RecurrentLayer {
  readonly kind = 'GRU';
  protected readonly stateNames = ['h'] as const;
  readonly variant: GRUVariant;
  readonly gateActivation: GateActivation;

  constructor(options: GRUOptions) {
    super('GRU', options, ['variant', 'gateActivation']);
    const variant = options.variant ?? 'resetAfter';
    if (!VARIANTS.includes(variant)) {
      throw new RangeError(`GRU: options.variant must be 'resetAfter' or 'resetBefore', got ${describe(variant)}`);
    }
    this.variant = variant;
    this.gateActivation = checkGateActivation('GRU', options.gateActivation);
    this.initParams();
  }

  protected extraConfig(): Record<string, unknown> {
    return { variant: this.variant, gateActivation: this.gateActivation };
  }

  get #after(): boolean {
    return this.variant === 'resetAfter';
  }

  protected paramSpecs(): ParamSpec[] {
    const { inputSize: I, units: H } = this;
    const specs = [
      { name: 'weightIh', shape: [I, 3 * H] },
      { name: 'weightHh', shape: [H, 3 * H] },
      { name: 'biasIh', shape: [3 * H] },
    ];
    if (this.#after) specs.push({ name: 'biasHh', shape: [3 * H] });
    return specs;
  }

  protected initialValue(spec: ParamSpec, random: Random): Float32Array {
    const { inputSize: I, units: H } = this;
    if (spec.name === 'weightIh') return glorotUniform(random, I, 3 * H);
    if (spec.name === 'weightHh') return orthogonal(random, H, 3 * H);
    return new Float32Array(3 * H);
  }

  protected workRegions(T: number, B: number): Record<string, Size> {
    const H = this.units;
    return {
      gates: sizeProduct(T, B, 3, H), extra: sizeProduct(T, B, H), zh: sizeProduct(B, 3, H),
      dZ: sizeProduct(T, B, 3, H), dZh: this.#after ? sizeProduct(T, B, 3, H) : 0, drh: sizeProduct(B, H),
      packed: gruPackedFloats(this.backend, H, GRU_VARIANT[this.variant]),
    };
  }

  protected stepResults(): Array<[string, number]> {
    const H = this.units;
    return this.#after ? [['dZ', 3 * H], ['dZh', 3 * H]] : [['dZ', 3 * H], ['extra', H]];
  }

  protected runForward(k: KernelContext, T: number, B: number, mask: number): void {
    gruForwardF32(k.target, {
      gates: k.work('gates'), hAll: k.work('hAll'), extra: k.work('extra'), zh: k.work('zh'), packed: k.work('packed'),
      x: k.work('x'), mask, wIh: this.param('weightIh'), wHh: this.param('weightHh'), bIh: this.param('biasIh'), bHh: this.#after ? this.param('biasHh') : 0,
      work: k.gemmWork,
    }, T, B, this.inputSize, this.units, GRU_VARIANT[this.variant], GATE_ACTIVATION[this.gateActivation]);
  }

  protected runBackward(k: KernelContext, T: number, B: number, hasDOutput: boolean, mask: number, phase: BackwardPhase = 'all', part: WeightPart = WHOLE): void {
    gruBackwardF32(k.target, {
      dX: k.work('dX'), dWIh: k.grad('weightIh'), dWHh: k.grad('weightHh'), dBIh: k.grad('biasIh'), dBHh: this.#after ? k.grad('biasHh') : 0,
      dh: k.work('dh'), dZ: k.work('dZ'), dZh: k.work('dZh'), drh: k.work('drh'), packed: k.work('packed'), dhCarry: k.work('dhCarry'),
      dOutput: hasDOutput ? k.work('dOutput') : 0, gates: k.work('gates'), hAll: k.work('hAll'), extra: k.work('extra'),
      x: k.work('x'), mask, wIh: this.param('weightIh'), wHh: this.param('weightHh'), work: k.gemmWork,
    }, T, B, this.inputSize, this.units, GRU_VARIANT[this.variant], GATE_ACTIVATION[this.gateActivation], phase, part);
  }

  protected exportWeights(format: WeightFormat, v: Record<string, Float32Array>, gradients: boolean): Weights {
    const { inputSize: I, units: H } = this;
    if (format === 'native') {
      const out: Weights = { weightIh: tensor(v.weightIh, [I, 3 * H]), weightHh: tensor(v.weightHh, [H, 3 * H]), biasIh: tensor(v.biasIh, [3 * H]) };
      if (v.biasHh) out.biasHh = tensor(v.biasHh, [3 * H]);
      return out;
    }
    if (format === 'keras') {
      const kernel = permuteBlocks(v.weightIh, I, H, KERAS_ORDER);
      const recurrent = permuteBlocks(v.weightHh, H, H, KERAS_ORDER);
      const bIh = permuteBlocks(v.biasIh, 1, H, KERAS_ORDER);
      const bias = this.#after ? tensor(concat(bIh, permuteBlocks(v.biasHh, 1, H, KERAS_ORDER)), [2, 3 * H]) : tensor(bIh, [3 * H]);
      return { kernel: tensor(kernel, [I, 3 * H]), recurrent_kernel: tensor(recurrent, [H, 3 * H]), bias };
    }
    this.#refusePytorch('GRU.getWeights');
    void gradients; // GRU keeps both biases, so weights and gradients map the same way
    return {
      weight_ih: tensor(transpose2d(v.weightIh, I, 3 * H), [3 * H, I]),
      weight_hh: tensor(transpose2d(v.weightHh, H, 3 * H), [3 * H, H]),
      bias_ih: tensor(v.biasIh, [3 * H]),
      bias_hh: tensor(v.biasHh, [3 * H]),
    };
  }

  protected importWeights(format: WeightFormat, w: unknown, where: string): Record<string, Float32Array> {
    const { inputSize: I, units: H } = this;
    const after = this.#after;
    if (format === 'native') {
      checkKeys(where, w, ['weightIh', 'weightHh', 'biasIh', ...(after ? ['biasHh'] : [])], format);
      const out: Record<string, Float32Array> = {
        weightIh: takeWeight(where, w, 'weightIh', [I, 3 * H]),
        weightHh: takeWeight(where, w, 'weightHh', [H, 3 * H]),
        biasIh: takeWeight(where, w, 'biasIh', [3 * H]),
      };
      if (after) out.biasHh = takeWeight(where, w, 'biasHh', [3 * H]);
      return out;
    }
    if (format === 'keras') {
      checkKeys(where, w, ['kernel', 'recurrent_kernel', 'bias'], format);
      const back = inverseOrder(KERAS_ORDER);
      const out: Record<string, Float32Array> = {
        weightIh: permuteBlocks(takeWeight(where, w, 'kernel', [I, 3 * H]), I, H, back),
        weightHh: permuteBlocks(takeWeight(where, w, 'recurrent_kernel', [H, 3 * H]), H, H, back),
      };
      if (after) {
        const bias = takeWeight(where, w, 'bias', [2, 3 * H]);
        out.biasIh = permuteBlocks(bias.slice(0, 3 * H), 1, H, back);
        out.biasHh = permuteBlocks(bias.slice(3 * H), 1, H, back);
      } else {
        out.biasIh = permuteBlocks(takeWeight(where, w, 'bias', [3 * H]), 1, H, back);
      }
      return out;
    }
    this.#refusePytorch(where);
    checkKeys(where, w, ['weight_ih', 'weight_hh', 'bias_ih', 'bias_hh'], format);
    return {
      weightIh: transpose2d(takeWeight(where, w, 'weight_ih', [3 * H, I]), 3 * H, I),
      weightHh: transpose2d(takeWeight(where, w, 'weight_hh', [3 * H, H]), 3 * H, H),
      biasIh: takeWeight(where, w, 'bias_ih', [3 * H]),
      biasHh: takeWeight(where, w, 'bias_hh', [3 * H]),
    };
  }

  #refusePytorch(where: string): void {
    if (!this.#after) {
      throw new RangeError(
        `${where}: format 'pytorch' needs variant 'resetAfter' (PyTorch's GRU applies the reset gate after the recurrent matmul); ` +
          `a 'resetBefore' GRU has no PyTorch layout: use 'keras' or 'native'`,
      );
    }
  }
}

function concat(a: Float32Array, b: Float32Array): Float32Array {
  const out = new Float32Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}


