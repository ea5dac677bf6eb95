// SimpleRNN (Elman): h_t = f(x_t·W_ih + h_{t−1}·W_hh + b), f ∈ {tanh, relu, sigmoid}.
import { describe } from '../errors.js';
import { sizeProduct, type Size } from '../engine/sizes.js';
import { glorotUniform, identity, orthogonal } from '../initializers.js';
import type { Random } from '../random.js';
import { add, checkKeys, takeWeight, tensor, transpose2d, type WeightFormat, type Weights } from './formats.js';
import { RecurrentLayer, type ParamSpec, type RecurrentOptions } from './recurrent.js';
import { RNN_ACTIVATION } from '../kernels/codes.js';
import { rnnBackwardF32, rnnForwardF32, rnnPackedFloats } from '../kernels/rnn.js';

export type SimpleRNNActivation = 'tanh' | 'relu' | 'sigmoid';
const ACTIVATIONS: readonly SimpleRNNActivation[] = ['tanh', 'relu', 'sigmoid'];

export interface SimpleRNNOptions extends RecurrentOptions {
  /** Default 'tanh'. */
  activation?: SimpleRNNActivation;
}

export class SimpleRNN extends RecurrentLayer {
  readonly kind = 'SimpleRNN';
  protected readonly stateNames = ['h'] as const;
  readonly activation: SimpleRNNActivation;

  constructor(options: SimpleRNNOptions) {
    super('SimpleRNN', options, ['activation']);
    const activation = options.activation ?? 'tanh';
    if (!ACTIVATIONS.includes(activation)) {
      throw new RangeError(`SimpleRNN: options.activation must be one of ${ACTIVATIONS.map((a) => `'${a}'`).join(', ')}, got ${describe(activation)}`);
    }
    this.activation = activation;
    this.initParams();
  }

  protected extraConfig(): Record<string, unknown> {
    return { activation: this.activation };
  }

  protected paramSpecs(): ParamSpec[] {
    const { inputSize: I, units: H } = this;
    return [
      { name: 'weightIh', shape: [I, H] },
      { name: 'weightHh', shape: [H, H] },
      { name: 'bias', shape: [H] },
    ];
  }

  /** Glorot-uniform input weights; identity recurrent weights for relu (IRNN), orthogonal otherwise; zero bias. */
  protected initialValue(spec: ParamSpec, random: Random): Float32Array {
    const { inputSize: I, units: H } = this;
    if (spec.name === 'weightIh') return glorotUniform(random, I, H);
    if (spec.name === 'weightHh') return this.activation === 'relu' ? identity(H) : orthogonal(random, H, H);
    return new Float32Array(H);
  }

  protected workRegions(T: number, B: number): Record<string, Size> {
    const H = this.units;
    return { dZ: sizeProduct(T, B, H), packed: rnnPackedFloats(this.backend, H) };
  }

  protected runForward(T: number, B: number, mask: number): void {
    rnnForwardF32(this.backend, {
      hAll: this.work('hAll'), packed: this.work('packed'), x: this.work('x'), mask,
      wIh: this.param('weightIh'), wHh: this.param('weightHh'), bias: this.param('bias'), work: this.backend.gemmWork(),
    }, T, B, this.inputSize, this.units, RNN_ACTIVATION[this.activation]);
  }

  protected runBackward(T: number, B: number, hasDOutput: boolean, mask: number): void {
    rnnBackwardF32(this.backend, {
      dX: this.work('dX'), dWIh: this.grad('weightIh'), dWHh: this.grad('weightHh'), dBias: this.grad('bias'),
      dh: this.work('dh'), dZ: this.work('dZ'), packed: this.work('packed'), dhCarry: this.work('dhCarry'),
      dOutput: hasDOutput ? this.work('dOutput') : 0, hAll: this.work('hAll'), x: this.work('x'), mask,
      wIh: this.param('weightIh'), wHh: this.param('weightHh'), work: this.backend.gemmWork(),
    }, T, B, this.inputSize, this.units, RNN_ACTIVATION[this.activation]);
  }

  protected exportWeights(format: WeightFormat, v: Record<string, Float32Array>, gradients: boolean): Weights {
    const { inputSize: I, units: H } = this;
    if (format === 'native') return { weightIh: tensor(v.weightIh, [I, H]), weightHh: tensor(v.weightHh, [H, H]), bias: tensor(v.bias, [H]) };
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
    if (format === 'native') {
      checkKeys(where, w, ['weightIh', 'weightHh', 'bias'], format);
      return { weightIh: takeWeight(where, w, 'weightIh', [I, H]), weightHh: takeWeight(where, w, 'weightHh', [H, H]), bias: takeWeight(where, w, 'bias', [H]) };
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
