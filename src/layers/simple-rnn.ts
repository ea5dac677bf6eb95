// SimpleRNN, f ∈ {tanh, relu, sigmoid}, in four recurrences (`variant`):
//   'elman' (default)  h_t = f(x_t·W_ih + h_{t−1}·W_hh + b)
//   'linear'           h_t = h_{t−1} + f(x_t·W_ih + b)                 (no recurrent weights)
//   'residual'         h_t = h_{t−1} + f(x_t·W_ih + h_{t−1}·W_hh + b)
//   'diagonal'         h_t = f(x_t·W_ih + u ⊙ h_{t−1} + b)              (each unit feeds back to itself alone; IndRNN)
// The linear and residual forms are the course's answers to long-range dependency; only the Elman
// form has Keras and PyTorch counterparts (SimpleRNN, nn.RNN), the others are 'native' only.
import { describe } from '../errors.js';
import { sizeProduct, type Size } from '../engine/sizes.js';
import { glorotUniform, identity, orthogonal } from '../initializers.js';
import type { Random } from '../random.js';
import { add, checkKeys, takeWeight, tensor, transpose2d, type WeightFormat, type Weights } from './formats.js';
import { WHOLE, type BackwardPhase, type WeightPart } from '../kernels/phases.js';
import { RecurrentLayer, type KernelContext, type ParamSpec, type RecurrentOptions } from './recurrent.js';
import { RNN_ACTIVATION, RNN_VARIANT } from '../kernels/codes.js';
import { rnnBackwardF32, rnnForwardF32, rnnPackedFloats } from '../kernels/rnn.js';

export type SimpleRNNActivation = 'tanh' | 'relu' | 'sigmoid';
const ACTIVATIONS: readonly SimpleRNNActivation[] = ['tanh', 'relu', 'sigmoid'];
export type SimpleRNNVariant = 'elman' | 'linear' | 'residual' | 'diagonal';
const VARIANTS: readonly SimpleRNNVariant[] = ['elman', 'linear', 'residual', 'diagonal'];

export interface SimpleRNNOptions extends RecurrentOptions {
  /** Default 'tanh'. */
  activation?: SimpleRNNActivation;
  /** The recurrence (default 'elman'); see the header of src/layers/simple-rnn.ts. */
  variant?: SimpleRNNVariant;
}

export class SimpleRNN extends RecurrentLayer {
  readonly kind = 'SimpleRNN';
  protected readonly stateNames = ['h'] as const;
  readonly activation: SimpleRNNActivation;
  readonly variant: SimpleRNNVariant;

  constructor(options: SimpleRNNOptions) {
    super('SimpleRNN', options, ['activation', 'variant']);
    const variant = options.variant ?? 'elman';
    if (!VARIANTS.includes(variant)) {
      throw new RangeError(`SimpleRNN: options.variant must be one of ${VARIANTS.map((v) => `'${v}'`).join(', ')}, got ${describe(variant)}`);
    }
    this.variant = variant;
    const activation = options.activation ?? 'tanh';
    if (!ACTIVATIONS.includes(activation)) {
      throw new RangeError(`SimpleRNN: options.activation must be one of ${ACTIVATIONS.map((a) => `'${a}'`).join(', ')}, got ${describe(activation)}`);
    }
    this.activation = activation;
    this.initParams();
  }

  protected extraConfig(): Record<string, unknown> {
    return { activation: this.activation, ...(this.variant === 'elman' ? {} : { variant: this.variant }) };
  }

  protected paramSpecs(): ParamSpec[] {
    const { inputSize: I, units: H } = this;
    const recurrent = this.variant === 'linear' ? [] : [{ name: 'weightHh', shape: this.variant === 'diagonal' ? [H] : [H, H] }];
    return [{ name: 'weightIh', shape: [I, H] }, ...recurrent, { name: 'bias', shape: [H] }];
  }

  /**
   * Glorot-uniform input weights; recurrent weights identity for relu (IRNN), orthogonal otherwise;
   * the diagonal form's u: 1 for relu, uniform in [0, 1) otherwise; zero bias.
   */
  protected initialValue(spec: ParamSpec, random: Random): Float32Array {
    const { inputSize: I, units: H } = this;
    if (spec.name === 'weightIh') return glorotUniform(random, I, H);
    if (spec.name === 'weightHh' && this.variant === 'diagonal') return Float32Array.from({ length: H }, () => (this.activation === 'relu' ? 1 : random.uniform()));
    if (spec.name === 'weightHh') return this.activation === 'relu' ? identity(H) : orthogonal(random, H, H);
    return new Float32Array(H);
  }

  protected workRegions(T: number, B: number): Record<string, Size> {
    const H = this.units;
    const keeps = this.variant === 'linear' || this.variant === 'residual';
    return { dZ: sizeProduct(T, B, H), act: keeps ? sizeProduct(T, B, H) : 0, packed: rnnPackedFloats(this.backend, H) };
  }

  protected override shardable(): boolean {
    return this.variant !== 'diagonal'; // the steps accumulate u's gradient row by row
  }

  protected stepResults(): Array<[string, number]> {
    return [['dZ', this.units]];
  }

  protected runForward(k: KernelContext, T: number, B: number, mask: number): void {
    rnnForwardF32(k.target, {
      hAll: k.work('hAll'), act: this.#act(k), packed: k.work('packed'), x: k.work('x'), mask,
      wIh: this.param('weightIh'), wHh: this.#recurrent(false), bias: this.param('bias'), work: k.gemmWork,
    }, T, B, this.inputSize, this.units, RNN_ACTIVATION[this.activation], RNN_VARIANT[this.variant]);
  }

  protected runBackward(k: KernelContext, T: number, B: number, hasDOutput: boolean, mask: number, phase: BackwardPhase = 'all', part: WeightPart = WHOLE): void {
    rnnBackwardF32(k.target, {
      dX: k.work('dX'), dWIh: k.grad('weightIh'), dWHh: this.#recurrent(true, k), dBias: k.grad('bias'),
      dh: k.work('dh'), dZ: k.work('dZ'), packed: k.work('packed'), dhCarry: k.work('dhCarry'),
      dOutput: hasDOutput ? k.work('dOutput') : 0, hAll: k.work('hAll'), act: this.#act(k), x: k.work('x'), mask,
      wIh: this.param('weightIh'), wHh: this.#recurrent(false), work: k.gemmWork,
    }, T, B, this.inputSize, this.units, RNN_ACTIVATION[this.activation], RNN_VARIANT[this.variant], phase, part);
  }

  /** The recurrent weights (or their gradient): W_hh, u, or 0 for the linear form. */
  #recurrent(grad: boolean, k?: KernelContext): number {
    if (this.variant === 'linear') return 0;
    return grad ? k!.grad('weightHh') : this.param('weightHh');
  }

  /** The kept activations of the linear and residual forms, else 0. */
  #act(k: KernelContext): number {
    return this.variant === 'linear' || this.variant === 'residual' ? k.work('act') : 0;
  }

  /** Only the Elman form has Keras and PyTorch layouts. */
  #checkFormat(format: WeightFormat, where: string): void {
    if (format !== 'native' && this.variant !== 'elman') {
      throw new RangeError(`${where}: SimpleRNN variant '${this.variant}' has no ${format === 'keras' ? 'Keras' : 'PyTorch'} counterpart; use format 'native'`);
    }
  }

  protected exportWeights(format: WeightFormat, v: Record<string, Float32Array>, gradients: boolean): Weights {
    const { inputSize: I, units: H } = this;
    this.#checkFormat(format, 'SimpleRNN.getWeights');
    if (format === 'native') {
      const recurrent: Weights = this.variant === 'linear' ? {} : { weightHh: tensor(v.weightHh, this.variant === 'diagonal' ? [H] : [H, H]) };
      return { weightIh: tensor(v.weightIh, [I, H]), ...recurrent, bias: tensor(v.bias, [H]) };
    }
    if (format === 'keras') return { kernel: tensor(v.weightIh, [I, H]), recurrent_kernel: tensor(v.weightHh, [H, H]), bias: tensor(v.bias, [H]) };
    // PyTorch keeps two biases whose sum acts; we export the sum as bias_ih and zeros as bias_hh
    // (each bias's gradient is the gradient of the sum).
    return {
      weight_ih: tensor(transpose2d(v.weightIh, I, H), [H, I]),
      weight_hh: tensor(transpose2d(v.weightHh, H, H), [H, H]),
      bias_ih: tensor(v.bias, [H]),
      bias_hh: tensor(gradients ? v.bias.slice() : new Float32Array(H), [H]),
    };
  }

  protected importWeights(format: WeightFormat, w: unknown, where: string): Record<string, Float32Array> {
    const { inputSize: I, units: H } = this;
    this.#checkFormat(format, where);
    if (format === 'native') {
      if (this.variant === 'linear') {
        checkKeys(where, w, ['weightIh', 'bias'], format);
        return { weightIh: takeWeight(where, w, 'weightIh', [I, H]), bias: takeWeight(where, w, 'bias', [H]) };
      }
      checkKeys(where, w, ['weightIh', 'weightHh', 'bias'], format);
      const shape = this.variant === 'diagonal' ? [H] : [H, H];
      return { weightIh: takeWeight(where, w, 'weightIh', [I, H]), weightHh: takeWeight(where, w, 'weightHh', shape), bias: takeWeight(where, w, 'bias', [H]) };
    }
    if (format === 'keras') {
      checkKeys(where, w, ['kernel', 'recurrent_kernel', 'bias'], format);
      return { weightIh: takeWeight(where, w, 'kernel', [I, H]), weightHh: takeWeight(where, w, 'recurrent_kernel', [H, H]), bias: takeWeight(where, w, 'bias', [H]) };
    }
    checkKeys(where, w, ['weight_ih', 'weight_hh', 'bias_ih', 'bias_hh'], format);
    return {
      weightIh: transpose2d(takeWeight(where, w, 'weight_ih', [H, I]), H, I),
      weightHh: transpose2d(takeWeight(where, w, 'weight_hh', [H, H]), H, H),
      bias: add(takeWeight(where, w, 'bias_ih', [H]), takeWeight(where, w, 'bias_hh', [H])),
    };
  }
}
