// The ESN's options: names (ReservoirPy's vocabulary), defaults and validation, for the
// constructor, fitOnline and generate. Unknown keys are errors everywhere; so are names
// this library no longer reads, with a message that says which option to use.
import { Backend } from '../engine/backend.js';
import { defaultBackend } from '../engine/init.js';
import { checkFinite, checkInt, checkOneOf, checkOptions, describe, readSeed } from '../errors.js';
import { READOUT_FEATURES, type ReadoutFeature } from '../kernels/esn.js';
import type { TensorLike } from '../tensor.js';
import type { EsnSolver } from './readout.js';

export type EsnOutputActivation = 'identity' | 'tanh';
/** The reservoir's non-linearity f: tanh (Jaeger's ESN) or identity (a linear reservoir). */
export type EsnActivation = 'tanh' | 'identity';
/** A part of the readout's design row: the constant 1, u(n), x(n), y(n−1). */
export type EsnReadoutFeature = ReadoutFeature;
export type { EsnSolver } from './readout.js';

/** The readout's design row. */
export interface EsnReadoutOptions {
  /**
   * Which of [1; u(n); x(n); y(n−1)] the readout sees (default ['bias', 'input', 'state']). The columns
   * of W_out always follow the order bias, input, state, output, whatever order the list has.
   * 'output' is y(n−1): the teacher d(n−1) while fitting, the model's own previous output in
   * predict / generate / run (0 at the start of every training sequence and after resetState()).
   */
  features?: readonly EsnReadoutFeature[];
}

/** The readout's design row after validation: the features in column order. */
export interface EsnReadoutSettings {
  features: EsnReadoutFeature[];
}

export const DEFAULT_READOUT_FEATURES: readonly EsnReadoutFeature[] = ['bias', 'input', 'state'];

export interface EchoStateNetworkOptions {
  /** Input features per step, I. */
  inputSize: number;
  /** Outputs per step, O (default 1). */
  outputSize?: number;
  /** Reservoir size N. */
  units: number;
  /** Spectral radius of W (default 0.9). Alias: sr. */
  spectralRadius?: number;
  sr?: number;
  /** Leak rate a ∈ (0, 1] (default 1: no leak). */
  leakRate?: number;
  /** Fraction of non-zeros in W, (0, 1] (default 0.1). */
  density?: number;
  /** W_in entries are U[−inputScaling, inputScaling] (default 1). */
  inputScaling?: number;
  /** Fraction of non-zeros in W_in, (0, 1] (default 1). */
  inputDensity?: number;
  /** Bias entries are U[−biasScaling, biasScaling] (default 0). */
  biasScaling?: number;
  /** W_back entries are U[−feedbackScaling, feedbackScaling]; 0 = no output feedback (default). */
  feedbackScaling?: number;
  /** Ridge λ ≥ 0 (default 1e-6); the bias column is not regularised; 0 = a basic least-squares solution (solver 'pinv' gives the minimum-norm one). */
  ridge?: number;
  /** 'ridge' (default): the ridge solve with λ = ridge; 'pinv': the minimum-norm least-squares solution (no ridge). */
  solver?: EsnSolver;
  /** The readout's design row (default features ['bias', 'input', 'state']). */
  readout?: EsnReadoutOptions;
  /** Steps discarded at the start of every training sequence before states are collected (default 0). Alias: warmup (ReservoirPy's name). */
  washout?: number;
  warmup?: number;
  /** Reservoir non-linearity f: 'tanh' (default) or 'identity' (a linear reservoir: keep spectralRadius < 1). */
  activation?: EsnActivation;
  /** g: 'identity' (default) or 'tanh' (targets must lie in (−1, 1); fit on atanh(targets)). */
  outputActivation?: EsnOutputActivation;
  /** Amplitude of uniform noise added to the pre-activations while fitting (default 0). */
  stateNoise?: number;
  /** Seed of every random matrix (default 0). */
  seed?: number;
  /** Backend to live in (default: the one `init()` loaded). */
  backend?: Backend;
}

/** The options after defaults and validation: what the model keeps and saves. */
export interface EsnSettings {
  inputSize: number;
  outputSize: number;
  units: number;
  spectralRadius: number;
  leakRate: number;
  density: number;
  inputScaling: number;
  inputDensity: number;
  biasScaling: number;
  feedbackScaling: number;
  ridge: number;
  solver: EsnSolver;
  readout: EsnReadoutSettings;
  washout: number;
  activation: EsnActivation;
  outputActivation: EsnOutputActivation;
  stateNoise: number;
  seed: number;
}

export interface FitOnlineOptions {
  /** RLS forgetting factor λ ∈ (0, 1] (default 1: no forgetting). */
  forgettingFactor?: number;
  /** Initial P = I/δ, δ > 0 (default 1e-2; with λ = 1 this is ridge regression with penalty δ on every weight). */
  delta?: number;
}

export interface GenerateOptions {
  /** Inputs [T, I] that drive the reservoir from its current state (fed-back values = its own outputs) before the closed loop starts (default: none). */
  prefix?: TensorLike;
}

const OPTION_KEYS = [
  'inputSize', 'outputSize', 'units', 'spectralRadius', 'sr', 'leakRate', 'density', 'inputScaling', 'inputDensity',
  'biasScaling', 'feedbackScaling', 'ridge', 'solver', 'readout', 'washout', 'warmup', 'activation', 'outputActivation', 'stateNoise', 'seed', 'backend',
];
const FIT_ONLINE_KEYS = ['forgettingFactor', 'delta'];
const GENERATE_KEYS = ['prefix'];

/** The constructor's options: defaults filled in, every value checked. */
export function readEsnOptions(where: string, options: unknown): EsnSettings & { backend: Backend } {
  if (options !== null && typeof options === 'object' && 'lr' in options) {
    throw new RangeError(`${where}: options.lr is no longer read (it collides with the optimizers' learning rate); use options.leakRate for the leak rate`);
  }
  const o = checkOptions(where, options, OPTION_KEYS) as unknown as EchoStateNetworkOptions;
  const settings: EsnSettings = {
    inputSize: checkInt(where, 'options.inputSize', o.inputSize, 1),
    outputSize: o.outputSize === undefined ? 1 : checkInt(where, 'options.outputSize', o.outputSize, 1),
    units: checkInt(where, 'options.units', o.units, 1, 1 << 15),
    spectralRadius: nonNegative(where, 'options.spectralRadius', alias(where, o, 'spectralRadius', 'sr', 0.9)),
    leakRate: inUnit(where, 'options.leakRate', o.leakRate ?? 1),
    density: inUnit(where, 'options.density', o.density ?? 0.1),
    inputScaling: nonNegative(where, 'options.inputScaling', o.inputScaling ?? 1),
    inputDensity: inUnit(where, 'options.inputDensity', o.inputDensity ?? 1),
    biasScaling: nonNegative(where, 'options.biasScaling', o.biasScaling ?? 0),
    feedbackScaling: nonNegative(where, 'options.feedbackScaling', o.feedbackScaling ?? 0),
    ridge: nonNegative(where, 'options.ridge', o.ridge ?? 1e-6),
    solver: checkOneOf(where, 'options.solver', o.solver ?? 'ridge', ['ridge', 'pinv'] as const),
    readout: readReadout(where, o.readout),
    washout: checkInt(where, 'options.washout', alias(where, o, 'washout', 'warmup', 0), 0),
    activation: checkOneOf(where, 'options.activation', o.activation ?? 'tanh', ['tanh', 'identity'] as const),
    outputActivation: 'identity',
    stateNoise: 0,
    seed: 0,
  };
  if (settings.solver === 'pinv') {
    if (o.ridge !== undefined && o.ridge !== 0) {
      throw new RangeError(
        `${where}: options.ridge (${o.ridge}) is not read by solver 'pinv' (the minimum-norm least-squares solution has no penalty); ` +
          `leave ridge out, or use solver 'ridge'`,
      );
    }
    settings.ridge = 0;
  }
  const g = o.outputActivation ?? 'identity';
  if (g !== 'identity' && g !== 'tanh') {
    throw new RangeError(`${where}: options.outputActivation must be 'identity' or 'tanh', got ${describe(g)}`);
  }
  settings.outputActivation = g;
  settings.stateNoise = nonNegative(where, 'options.stateNoise', o.stateNoise ?? 0);
  settings.seed = readSeed(where, 'options.seed', o.seed);
  const backend = o.backend ?? defaultBackend();
  if (!(backend instanceof Backend)) throw new TypeError(`${where}: options.backend must be a Backend, got ${describe(o.backend)}`);
  return { ...settings, backend };
}

/** fitOnline's options: { forgettingFactor = 1, delta = 1e-2 }. */
export function readFitOnlineOptions(where: string, options: unknown): { forgettingFactor: number; delta: number } {
  const o = checkOptions(where, options, FIT_ONLINE_KEYS) as FitOnlineOptions;
  const forgettingFactor = checkFinite(where, 'options.forgettingFactor', o.forgettingFactor ?? 1);
  if (!(forgettingFactor > 0 && forgettingFactor <= 1)) throw new RangeError(`${where}: options.forgettingFactor must be in (0, 1], got ${forgettingFactor}`);
  const delta = checkFinite(where, 'options.delta', o.delta ?? 1e-2);
  if (!(delta > 0)) throw new RangeError(`${where}: options.delta must be > 0, got ${delta}`);
  return { forgettingFactor, delta };
}

/** generate's options: { prefix } (the inputs are read by the model, which knows inputSize). */
export function readGenerateOptions(where: string, options: unknown): GenerateOptions {
  if (options !== null && typeof options === 'object' && 'warmup' in options) {
    throw new RangeError(
      `${where}: options.warmup is not a generate option (warmup means washout: the steps fit discards); ` +
        `give the inputs that drive the reservoir before the closed loop as options.prefix`,
    );
  }
  return checkOptions(where, options, GENERATE_KEYS);
}

/** options.readout: { features } with every name checked; the features come back in column order. */
function readReadout(where: string, value: unknown): EsnReadoutSettings {
  if (value === undefined) return { features: [...DEFAULT_READOUT_FEATURES] };
  const o = checkOptions(where, value, ['features'], 'options.readout');
  const list = o.features;
  if (list === undefined) return { features: [...DEFAULT_READOUT_FEATURES] };
  const known = READOUT_FEATURES.map((f) => `'${f}'`).join(', ');
  if (!Array.isArray(list)) throw new TypeError(`${where}: options.readout.features must be an array of feature names (${known}), got ${describe(list)}`);
  if (list.length === 0) throw new RangeError(`${where}: options.readout.features is empty; give at least one of ${known}`);
  for (let k = 0; k < list.length; k++) {
    const name: unknown = list[k]; // holes read as undefined
    if (!READOUT_FEATURES.includes(name as EsnReadoutFeature)) {
      throw new RangeError(`${where}: options.readout.features[${k}] must be one of ${known}, got ${describe(name)}`);
    }
    const first = list.indexOf(name);
    if (first !== k) throw new RangeError(`${where}: options.readout.features lists ${describe(name)} twice (at ${first} and ${k})`);
  }
  return { features: READOUT_FEATURES.filter((f) => list.includes(f)) };
}

/** F: the number of readout features (columns of W_out) for these sizes. */
export function readoutFeatureCount(features: readonly EsnReadoutFeature[], sizes: { inputSize: number; units: number; outputSize: number }): number {
  let F = 0;
  for (const f of features) F += f === 'bias' ? 1 : f === 'input' ? sizes.inputSize : f === 'state' ? sizes.units : sizes.outputSize;
  return F;
}

/** How messages name the columns of W_out: '1 + inputSize + units' for the default design row. */
export function readoutColumnTerms(features: readonly EsnReadoutFeature[]): string {
  return features.map((f) => (f === 'bias' ? '1' : f === 'input' ? 'inputSize' : f === 'state' ? 'units' : 'outputSize')).join(' + ');
}

/** How messages name F: 'F = 1 + inputSize + units = 12 features' for the default design row. */
export function describeReadoutFeatures(features: readonly EsnReadoutFeature[], sizes: { inputSize: number; units: number; outputSize: number }): string {
  return `F = ${readoutColumnTerms(features)} = ${readoutFeatureCount(features, sizes)} features`;
}

function alias(where: string, o: EchoStateNetworkOptions, name: keyof EchoStateNetworkOptions, short: keyof EchoStateNetworkOptions, fallback: number): number {
  const a = o[name] as number | undefined;
  const b = o[short] as number | undefined;
  if (a !== undefined && b !== undefined && a !== b) {
    throw new RangeError(`${where}: options.${name} (${describe(a)}) and its alias options.${short} (${describe(b)}) disagree; give one`);
  }
  return a ?? b ?? fallback;
}

function nonNegative(where: string, name: string, value: unknown): number {
  const v = checkFinite(where, name, value);
  if (v < 0) throw new RangeError(`${where}: ${name} must be ≥ 0, got ${v}`);
  return v;
}

function inUnit(where: string, name: string, value: unknown): number {
  const v = checkFinite(where, name, value);
  if (!(v > 0 && v <= 1)) throw new RangeError(`${where}: ${name} must be in (0, 1], got ${v}`);
  return v;
}
