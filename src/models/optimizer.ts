// Optimizers over a model's one parameter slab: one WASM call per step updates
// every parameter. PyTorch's semantics (torch.optim.SGD, Adam/AdamW, RMSprop);
// learning-rate schedules are functions of the step count (batches so far).
import type { Backend, F32Buffer } from '../engine/backend.js';
import { checkBoolean, checkOneOf, checkOptions, describe } from '../errors.js';
import { adamStepF32, rmspropStepF32, sgdStepF32 } from '../kernels/optim.js';

export type OptimizerType = 'sgd' | 'adam' | 'rmsprop';
const TYPES: readonly OptimizerType[] = ['sgd', 'adam', 'rmsprop'];

export type Schedule =
  /** lr·gamma^⌊step / stepSize⌋ */
  | { type: 'step'; stepSize: number; gamma?: number }
  /** lr·gamma^step */
  | { type: 'exponential'; gamma: number }
  /** minLearningRate + (lr − min)·(1 + cos(π·min(step, totalSteps)/totalSteps))/2 */
  | { type: 'cosine'; totalSteps: number; minLearningRate?: number };

export interface OptimizerConfig {
  type: OptimizerType;
  /** Default 0.01 (sgd), 0.001 (adam, rmsprop). */
  learningRate?: number;
  /** sgd: default 0. */
  momentum?: number;
  /** sgd: default false. */
  nesterov?: boolean;
  /** adam: defaults 0.9, 0.999. */
  beta1?: number;
  beta2?: number;
  /** rmsprop: default 0.9 (PyTorch's alpha; Keras' rho). */
  rho?: number;
  /** adam: 1e-8, rmsprop: 1e-8 (PyTorch's defaults). */
  epsilon?: number;
  /** L2 penalty added to the gradient (default 0); adam with decoupledWeightDecay: AdamW. */
  weightDecay?: number;
  decoupledWeightDecay?: boolean;
  schedule?: Schedule;
}

/** Every option with its default filled in. */
export type ResolvedOptimizer = Required<Omit<OptimizerConfig, 'schedule'>> & { schedule: Schedule | null };

function num(where: string, name: string, value: unknown, fallback: number, min: number, max: number, openMin = false): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max || (openMin && value === min)) {
    throw new RangeError(`${where}: ${name} must be a number in ${openMin ? '(' : '['}${min}, ${max}], got ${describe(value)}`);
  }
  return value;
}

export function resolveOptimizer(where: string, value: unknown): ResolvedOptimizer {
  if (typeof value !== 'string' && (value === null || typeof value !== 'object' || Array.isArray(value))) {
    throw new TypeError(`${where}: options.optimizer must be one of ${TYPES.map((t) => `'${t}'`).join(', ')} or an object { type, learningRate, … }, got ${describe(value)}`);
  }
  const config = (typeof value === 'string' ? { type: value } : value) as OptimizerConfig;
  checkOptions(where, config, ['type', 'learningRate', 'momentum', 'nesterov', 'beta1', 'beta2', 'rho', 'epsilon', 'weightDecay', 'decoupledWeightDecay', 'schedule'], 'options.optimizer');
  const type = checkOneOf(where, 'optimizer.type', config.type, TYPES);
  const o: ResolvedOptimizer = {
    type,
    learningRate: num(where, 'optimizer.learningRate', config.learningRate, type === 'sgd' ? 0.01 : 0.001, 0, Number.MAX_VALUE, true),
    momentum: num(where, 'optimizer.momentum', config.momentum, 0, 0, 1),
    nesterov: config.nesterov === undefined ? false : checkBoolean(where, 'optimizer.nesterov', config.nesterov),
    beta1: num(where, 'optimizer.beta1', config.beta1, 0.9, 0, 1),
    beta2: num(where, 'optimizer.beta2', config.beta2, 0.999, 0, 1),
    rho: num(where, 'optimizer.rho', config.rho, 0.9, 0, 1),
    epsilon: num(where, 'optimizer.epsilon', config.epsilon, 1e-8, 0, 1, true),
    weightDecay: num(where, 'optimizer.weightDecay', config.weightDecay, 0, 0, 1e6),
    decoupledWeightDecay: config.decoupledWeightDecay === undefined ? false : checkBoolean(where, 'optimizer.decoupledWeightDecay', config.decoupledWeightDecay),
    schedule: config.schedule === undefined ? null : resolveSchedule(where, config.schedule),
  };
  if (o.nesterov && o.momentum === 0) throw new RangeError(`${where}: optimizer.nesterov needs optimizer.momentum > 0`);
  if (o.beta1 === 1 || o.beta2 === 1) throw new RangeError(`${where}: optimizer.beta1 and beta2 must be < 1, got ${o.beta1}, ${o.beta2}`);
  return o;
}

function resolveSchedule(where: string, value: unknown): Schedule {
  const s = value as Record<string, unknown>;
  checkOptions(where, s, ['type', 'stepSize', 'gamma', 'totalSteps', 'minLearningRate'], 'options.optimizer.schedule');
  const type = checkOneOf(where, 'optimizer.schedule.type', s.type, ['step', 'exponential', 'cosine'] as const);
  const positiveInt = (name: string, v: unknown): number => {
    if (!Number.isInteger(v) || (v as number) < 1) throw new RangeError(`${where}: optimizer.schedule.${name} must be a positive integer, got ${describe(v)}`);
    return v as number;
  };
  if (type === 'step') return { type, stepSize: positiveInt('stepSize', s.stepSize), gamma: num(where, 'optimizer.schedule.gamma', s.gamma, 0.1, 0, 1) };
  if (type === 'exponential') return { type, gamma: num(where, 'optimizer.schedule.gamma', s.gamma, NaN, 0, 1, true) };
  return { type, totalSteps: positiveInt('totalSteps', s.totalSteps), minLearningRate: num(where, 'optimizer.schedule.minLearningRate', s.minLearningRate, 0, 0, 1e6) };
}

/** The learning rate of step `step` (0-based count of updates so far). */
export function learningRateAt(o: ResolvedOptimizer, step: number): number {
  const lr = o.learningRate;
  const s = o.schedule;
  if (!s) return lr;
  if (s.type === 'step') return lr * Math.pow(s.gamma ?? 0.1, Math.floor(step / s.stepSize));
  if (s.type === 'exponential') return lr * Math.pow(s.gamma, step);
  const min = s.minLearningRate ?? 0;
  return min + ((lr - min) * (1 + Math.cos((Math.PI * Math.min(step, s.totalSteps)) / s.totalSteps))) / 2;
}

/** Slabs of optimizer state (moments) beside the parameters: sgd with momentum 1, adam 2, rmsprop 1. */
export function stateSlabs(o: ResolvedOptimizer): number {
  if (o.type === 'adam') return 2;
  if (o.type === 'rmsprop') return 1;
  return o.momentum > 0 ? 1 : 0;
}

/** What each state slab holds, in slab order (names in messages): sgd ['velocity'], adam ['m', 'v'], rmsprop ['sq']. */
export function stateNames(o: ResolvedOptimizer): readonly string[] {
  if (o.type === 'adam') return ['m (first moment)', 'v (second moment)'];
  if (o.type === 'rmsprop') return ['sq (mean square)'];
  return ['velocity'];
}

/** One update of `n` parameters; `step` is the 1-based update count (Adam's bias correction). */
export function applyOptimizer(backend: Backend, o: ResolvedOptimizer, params: F32Buffer, grads: F32Buffer, state: F32Buffer[], n: number, step: number): void {
  const lr = learningRateAt(o, step - 1);
  if (o.type === 'sgd') sgdStepF32(backend, { params: params.ptr, velocity: state.length ? state[0].ptr : 0, grads: grads.ptr }, n, lr, o.momentum, o.nesterov, o.weightDecay);
  else if (o.type === 'adam') adamStepF32(backend, { params: params.ptr, m: state[0].ptr, v: state[1].ptr, grads: grads.ptr }, n, lr, o.beta1, o.beta2, o.epsilon, step, o.weightDecay, o.decoupledWeightDecay);
  else rmspropStepF32(backend, { params: params.ptr, sq: state[0].ptr, grads: grads.ptr }, n, lr, o.rho, o.epsilon, o.weightDecay);
}
