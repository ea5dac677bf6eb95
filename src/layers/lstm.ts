// LSTM: standard, peephole, coupled input–forget, no forget gate.
// Internal layout (= Keras/TF.js for the standard LSTM): weightIh [I, G·H], weightHh [H, G·H],
// bias [G·H], gate blocks i, f, g, o (G = 4) or i, g, o for the coupled and no-forget
// variants (G = 3); peephole [k·H] = p_i, p_f, p_o of the k gates in `peepholes` (default all three,
// Gers & Schmidhuber 2000; ['o'] is the peephole that looks at the cell only from the output gate).
import { describe } from '../errors.js';
import { sizeProduct, type Size } from '../engine/sizes.js';
import { glorotUniform, orthogonal } from '../initializers.js';
import type { Random } from '../random.js';
import { checkFinite } from '../errors.js';
import { add, checkKeys, takeWeight, tensor, transpose2d, type WeightFormat, type Weights } from './formats.js';
import { WHOLE, type BackwardPhase, type WeightPart } from '../kernels/phases.js';
import { RecurrentLayer, type KernelContext, type ParamSpec, type RecurrentOptions } from './recurrent.js';
import { GATE_ACTIVATION, LSTM_VARIANT } from '../kernels/codes.js';
import { lstmBackwardF32, lstmForwardF32, lstmPackedFloats, PEEP_F, PEEP_I, PEEP_O } from '../kernels/lstm.js';

export type LSTMVariant = 'standard' | 'peephole' | 'coupled' | 'noForget';
export type GateActivation = 'sigmoid' | 'hardSigmoid';
const VARIANTS: readonly LSTMVariant[] = ['standard', 'peephole', 'coupled', 'noForget'];
export const GATE_ACTIVATIONS: readonly GateActivation[] = ['sigmoid', 'hardSigmoid'];

export interface LSTMOptions extends RecurrentOptions {
  /** Default 'standard'. */
  variant?: LSTMVariant;
  /** Gate nonlinearity: 'sigmoid' (default) or TF.js's 'hardSigmoid' = clip(0.2·x + 0.5, 0, 1). */
  gateActivation?: GateActivation;
  /** Initial bias of the forget gate (variants with one), default 1 (Jozefowicz et al., 2015). */
  forgetBias?: number;
  /** Variant 'peephole': which gates look at the cell (default ['i', 'f', 'o']); e.g. ['o'] for the output gate alone. */
  peepholes?: readonly PeepholeGate[];
}

export type PeepholeGate = 'i' | 'f' | 'o';
const PEEPHOLE_GATES: readonly PeepholeGate[] = ['i', 'f', 'o'];

/** options.peepholes, validated: the gates in the order i, f, o (each once), at least one. */
function readPeepholes(where: string, variant: LSTMVariant, value: unknown): readonly PeepholeGate[] {
  if (value === undefined) return variant === 'peephole' ? PEEPHOLE_GATES : [];
  if (variant !== 'peephole') throw new RangeError(`${where}: options.peepholes is for variant 'peephole', got variant '${variant}'`);
  if (!Array.isArray(value) || value.length === 0 || value.some((g) => !PEEPHOLE_GATES.includes(g as PeepholeGate)) || new Set(value).size !== value.length) {
    throw new RangeError(`${where}: options.peepholes must be a non-empty list of distinct gates 'i', 'f', 'o', got ${describe(value)}`);
  }
  return PEEPHOLE_GATES.filter((g) => value.includes(g));
}

export function checkGateActivation(where: string, value: unknown): GateActivation {
  if (value === undefined) return 'sigmoid';
  if (!GATE_ACTIVATIONS.includes(value as GateActivation)) {
    throw new RangeError(`${where}: options.gateActivation must be 'sigmoid' or 'hardSigmoid', got ${describe(value)}`);
  }
  return value as GateActivation;
}

const PEEPHOLE_KEYS = {
  keras: ['input_gate_peephole_weights', 'forget_gate_peephole_weights', 'output_gate_peephole_weights'],
  pytorch: ['peephole_i', 'peephole_f', 'peephole_o'],
} as const;

export class LSTM extends RecurrentLayer {
  readonly kind = 'LSTM';
  protected readonly stateNames = ['h', 'c'] as const;
  readonly variant: LSTMVariant;
  readonly gateActivation: GateActivation;
  readonly forgetBias: number;
  /** Gate blocks: 4 (i, f, g, o) or 3 (i, g, o). */
  readonly gates: number;
  /** The gates with a peephole, in the order i, f, o (empty unless variant 'peephole'). */
  readonly peepholes: readonly PeepholeGate[];

  constructor(options: LSTMOptions) {
    super('LSTM', options, ['variant', 'gateActivation', 'forgetBias', 'peepholes']);
    const variant = options.variant ?? 'standard';
    if (!VARIANTS.includes(variant)) {
      throw new RangeError(`LSTM: options.variant must be one of ${VARIANTS.map((v) => `'${v}'`).join(', ')}, got ${describe(variant)}`);
    }
    this.variant = variant;
    this.gateActivation = checkGateActivation('LSTM', options.gateActivation);
    this.forgetBias = options.forgetBias === undefined ? 1 : checkFinite('LSTM', 'options.forgetBias', options.forgetBias);
    this.gates = variant === 'standard' || variant === 'peephole' ? 4 : 3;
    this.peepholes = readPeepholes('LSTM', variant, options.peepholes);
    this.initParams();
  }

  protected extraConfig(): Record<string, unknown> {
    const all = this.peepholes.length === PEEPHOLE_GATES.length;
    return { variant: this.variant, gateActivation: this.gateActivation, forgetBias: this.forgetBias, ...(this.peepholes.length && !all ? { peepholes: [...this.peepholes] } : {}) };
  }

  protected paramSpecs(): ParamSpec[] {
    const { inputSize: I, units: H, gates: G } = this;
    const specs = [
      { name: 'weightIh', shape: [I, G * H] },
      { name: 'weightHh', shape: [H, G * H] },
      { name: 'bias', shape: [G * H] },
    ];
    if (this.variant === 'peephole') specs.push({ name: 'peephole', shape: [this.peepholes.length * H] });
    return specs;
  }

  /** Glorot-uniform input weights, orthogonal recurrent weights, zero biases but forgetBias on f, zero peepholes. */
  protected initialValue(spec: ParamSpec, random: Random): Float32Array {
    const { inputSize: I, units: H, gates: G } = this;
    if (spec.name === 'weightIh') return glorotUniform(random, I, G * H);
    if (spec.name === 'weightHh') return orthogonal(random, H, G * H);
    if (spec.name === 'bias') {
      const bias = new Float32Array(G * H);
      if (G === 4) bias.fill(this.forgetBias, H, 2 * H);
      return bias;
    }
    return new Float32Array(this.peepholes.length * H);
  }

  /** The peephole gates as the kernel's bit mask. */
  get #peepMask(): number {
    return this.peepholes.reduce((mask, g) => mask | (g === 'i' ? PEEP_I : g === 'f' ? PEEP_F : PEEP_O), 0);
  }

  protected workRegions(T: number, B: number): Record<string, Size> {
    const { units: H, gates: G } = this;
    return { gates: sizeProduct(T, B, G, H), cAll: sizeProduct(T + 1, B, H), tanhC: sizeProduct(T, B, H), dc: sizeProduct(B, H), dZ: sizeProduct(T, B, G, H), packed: lstmPackedFloats(this.backend, H, LSTM_VARIANT[this.variant]) };
  }

  #peep(grad: boolean, k?: KernelContext): number {
    if (!this.hasParam('peephole')) return 0;
    return grad ? k!.grad('peephole') : this.param('peephole');
  }

  protected override shardable(): boolean {
    return this.variant !== 'peephole'; // the steps accumulate the peephole gradients row by row
  }

  protected stepResults(): Array<[string, number]> {
    return [['dZ', this.gates * this.units]];
  }

  protected runForward(k: KernelContext, T: number, B: number, mask: number): void {
    lstmForwardF32(k.target, {
      gates: k.work('gates'), hAll: k.work('hAll'), cAll: k.work('cAll'), tanhC: k.work('tanhC'), packed: k.work('packed'),
      x: k.work('x'), mask, wIh: this.param('weightIh'), wHh: this.param('weightHh'), bias: this.param('bias'), peep: this.#peep(false),
      work: k.gemmWork,
    }, T, B, this.inputSize, this.units, LSTM_VARIANT[this.variant], GATE_ACTIVATION[this.gateActivation], this.#peepMask);
  }

  protected runBackward(k: KernelContext, T: number, B: number, hasDOutput: boolean, mask: number, phase: BackwardPhase = 'all', part: WeightPart = WHOLE): void {
    lstmBackwardF32(k.target, {
      dX: k.work('dX'), dWIh: k.grad('weightIh'), dWHh: k.grad('weightHh'), dBias: k.grad('bias'), dPeep: this.#peep(true, k),
      dh: k.work('dh'), dc: k.work('dc'), dZ: k.work('dZ'), packed: k.work('packed'), dhCarry: k.work('dhCarry'),
      dOutput: hasDOutput ? k.work('dOutput') : 0, gates: k.work('gates'), hAll: k.work('hAll'), cAll: k.work('cAll'), tanhC: k.work('tanhC'),
      x: k.work('x'), mask, wIh: this.param('weightIh'), wHh: this.param('weightHh'), peep: this.#peep(false), work: k.gemmWork,
    }, T, B, this.inputSize, this.units, LSTM_VARIANT[this.variant], GATE_ACTIVATION[this.gateActivation], this.#peepMask, phase, part);
  }

  protected exportWeights(format: WeightFormat, v: Record<string, Float32Array>, gradients: boolean): Weights {
    const { inputSize: I, units: H, gates: G } = this;
    const out: Weights = {};
    if (format === 'native') {
      out.weightIh = tensor(v.weightIh, [I, G * H]);
      out.weightHh = tensor(v.weightHh, [H, G * H]);
      out.bias = tensor(v.bias, [G * H]);
      if (v.peephole) out.peephole = tensor(v.peephole, [this.peepholes.length * H]);
      return out;
    }
    if (format === 'keras') {
      out.kernel = tensor(v.weightIh, [I, G * H]);
      out.recurrent_kernel = tensor(v.weightHh, [H, G * H]);
      out.bias = tensor(v.bias, [G * H]);
    } else {
      out.weight_ih = tensor(transpose2d(v.weightIh, I, G * H), [G * H, I]);
      out.weight_hh = tensor(transpose2d(v.weightHh, H, G * H), [G * H, H]);
      out.bias_ih = tensor(v.bias, [G * H]);
      out.bias_hh = tensor(gradients ? v.bias.slice() : new Float32Array(G * H), [G * H]);
    }
    if (v.peephole) this.#peepholeKeys(format).forEach((key, k) => (out[key] = tensor(v.peephole.slice(k * H, (k + 1) * H), [H])));
    return out;
  }

  /** The Keras / PyTorch keys of this layer's peepholes (one [H] vector per gate). */
  #peepholeKeys(format: 'keras' | 'pytorch'): string[] {
    return this.peepholes.map((g) => PEEPHOLE_KEYS[format][PEEPHOLE_GATES.indexOf(g)]);
  }

  protected importWeights(format: WeightFormat, w: unknown, where: string): Record<string, Float32Array> {
    const { inputSize: I, units: H, gates: G } = this;
    const peep = this.variant === 'peephole';
    const out: Record<string, Float32Array> = {};
    if (format === 'native') {
      checkKeys(where, w, ['weightIh', 'weightHh', 'bias', ...(peep ? ['peephole'] : [])], format);
      out.weightIh = takeWeight(where, w, 'weightIh', [I, G * H]);
      out.weightHh = takeWeight(where, w, 'weightHh', [H, G * H]);
      out.bias = takeWeight(where, w, 'bias', [G * H]);
      if (peep) out.peephole = takeWeight(where, w, 'peephole', [this.peepholes.length * H]);
      return out;
    }
    const peepKeys: string[] = peep ? this.#peepholeKeys(format) : [];
    if (format === 'keras') {
      checkKeys(where, w, ['kernel', 'recurrent_kernel', 'bias', ...peepKeys], format);
      out.weightIh = takeWeight(where, w, 'kernel', [I, G * H]);
      out.weightHh = takeWeight(where, w, 'recurrent_kernel', [H, G * H]);
      out.bias = takeWeight(where, w, 'bias', [G * H]);
    } else {
      checkKeys(where, w, ['weight_ih', 'weight_hh', 'bias_ih', 'bias_hh', ...peepKeys], format);
      out.weightIh = transpose2d(takeWeight(where, w, 'weight_ih', [G * H, I]), G * H, I);
      out.weightHh = transpose2d(takeWeight(where, w, 'weight_hh', [G * H, H]), G * H, H);
      out.bias = add(takeWeight(where, w, 'bias_ih', [G * H]), takeWeight(where, w, 'bias_hh', [G * H]));
    }
    if (peep) {
      out.peephole = new Float32Array(this.peepholes.length * H);
      peepKeys.forEach((key, k) => out.peephole.set(takeWeight(where, w, key, [H]), k * H));
    }
    return out;
  }
}
