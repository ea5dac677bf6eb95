// Benchmark series and metrics for reservoir computing. Everything here is
// plain TypeScript (f64) and deterministic for a given seed.
import { checkFinite, checkInt, describe, readSeed } from '../errors.js';
import { Random } from '../random.js';

export interface MackeyGlassOptions {
  /** Delay τ (default 17: mildly chaotic). */
  tau?: number;
  /** a in a·x(t−τ)/(1 + x(t−τ)ⁿ) (default 0.2). */
  a?: number;
  /** Decay b (default 0.1). */
  b?: number;
  /** Exponent n (default 10). */
  n?: number;
  /** Runge–Kutta step in time units (default 0.1; τ/dt must be an integer). */
  dt?: number;
  /** One sample every this many time units (default 1; a multiple of dt). */
  samplePeriod?: number;
  /** Constant history x(t) for t ≤ 0 (default 1.2). */
  x0?: number;
  /** Samples computed and dropped before the returned ones, to leave the initial transient (default 0). */
  discard?: number;
}

/**
 * The Mackey–Glass delay differential equation dx/dt = a·x(t−τ)/(1 + x(t−τ)ⁿ) − b·x(t),
 * integrated with classical RK4 at step dt; the delayed value at a half step is the
 * mean of its two grid neighbours. Returns `length` samples taken every `samplePeriod`.
 */
export function mackeyGlass(length: number, options: MackeyGlassOptions = {}): Float64Array {
  const where = 'mackeyGlass';
  checkInt(where, 'length', length, 1);
  if (options === null || typeof options !== 'object') throw new TypeError(`${where}: options must be an object, got ${describe(options)}`);
  const tau = positive(where, 'options.tau', options.tau ?? 17);
  const a = checkFinite(where, 'options.a', options.a ?? 0.2);
  const b = checkFinite(where, 'options.b', options.b ?? 0.1);
  const n = checkFinite(where, 'options.n', options.n ?? 10);
  const dt = positive(where, 'options.dt', options.dt ?? 0.1);
  const period = positive(where, 'options.samplePeriod', options.samplePeriod ?? 1);
  const x0 = checkFinite(where, 'options.x0', options.x0 ?? 1.2);
  const discard = checkInt(where, 'options.discard', options.discard ?? 0, 0);
  const delaySteps = Math.round(tau / dt);
  const stepsPerSample = Math.round(period / dt);
  if (Math.abs(delaySteps * dt - tau) > 1e-9 * tau) throw new RangeError(`${where}: options.tau / options.dt must be an integer, got ${tau} / ${dt}`);
  if (Math.abs(stepsPerSample * dt - period) > 1e-9 * period) {
    throw new RangeError(`${where}: options.samplePeriod / options.dt must be an integer, got ${period} / ${dt}`);
  }
  const f = (x: number, xd: number): number => (a * xd) / (1 + Math.pow(xd, n)) - b * x;
  // history[k mod (delaySteps + 1)] holds x at grid step k.
  const ring = new Float64Array(delaySteps + 1).fill(x0);
  let x = x0;
  let k = 0; // current grid step; x(k·dt) = x
  const out = new Float64Array(length);
  const total = (discard + length) * stepsPerSample;
  const delayed = (step: number): number => (step <= 0 ? x0 : ring[step % (delaySteps + 1)]);
  for (let s = 0; s < total; s++) {
    if (s % stepsPerSample === 0) {
      const sample = s / stepsPerSample - discard;
      if (sample >= 0) out[sample] = x;
    }
    const d0 = delayed(k - delaySteps);
    const d1 = delayed(k + 1 - delaySteps);
    const dHalf = (d0 + d1) / 2;
    const k1 = f(x, d0);
    const k2 = f(x + (dt / 2) * k1, dHalf);
    const k3 = f(x + (dt / 2) * k2, dHalf);
    const k4 = f(x + dt * k3, d1);
    x += (dt / 6) * (k1 + 2 * k2 + 2 * k3 + k4);
    k++;
    ring[k % (delaySteps + 1)] = x;
  }
  return out;
}

export interface Narma10Series {
  /** u(t), t = 0..T−1, i.i.d. uniform on [0, 0.5]. */
  inputs: Float64Array;
  /** targets[t] = y(t + 1), the value the model should output after seeing u(t). */
  targets: Float64Array;
}

/**
 * NARMA-10 (Atiya & Parlos 2000):
 *   y(t+1) = 0.3·y(t) + 0.05·y(t)·Σ_{i=0..9} y(t−i) + 1.5·u(t−9)·u(t) + 0.1,
 * with y(t) = 0 and u(t) = 0 for t < 0 (so the first ten steps are a start-up
 * transient: discard them with the washout). Inputs u(t) ~ U[0, 0.5] from a
 * seeded Random. Returned aligned for one-step training: inputs[t] = u(t),
 * targets[t] = y(t+1).
 */
export function narma10(length: number, seed = 0): Narma10Series {
  checkInt('narma10', 'length', length, 1);
  readSeed('narma10', 'seed', seed);
  const random = new Random(seed, 0);
  const u = new Float64Array(length);
  for (let t = 0; t < length; t++) u[t] = random.range(0, 0.5);
  const y = new Float64Array(length + 1); // y[t] = y(t), y(0) = 0
  for (let t = 0; t < length; t++) {
    let sum = 0;
    for (let i = 0; i < 10; i++) sum += t - i >= 0 ? y[t - i] : 0;
    const uLag = t - 9 >= 0 ? u[t - 9] : 0;
    y[t + 1] = 0.3 * y[t] + 0.05 * y[t] * sum + 1.5 * uLag * u[t] + 0.1;
  }
  return { inputs: u, targets: y.subarray(1) };
}

/** Root-mean-square error over all elements. */
export function rmse(predicted: ArrayLike<number>, target: ArrayLike<number>): number {
  checkPair('rmse', predicted, target);
  let s = 0;
  for (let i = 0; i < target.length; i++) s += (predicted[i] - target[i]) ** 2;
  return Math.sqrt(s / target.length);
}

/**
 * Normalised RMSE as Jaeger defines it: RMSE / std(target), the population
 * standard deviation (÷ n). Some libraries divide by the variance or by the
 * range (max − min) instead; those numbers are not comparable with this one.
 */
export function nrmse(predicted: ArrayLike<number>, target: ArrayLike<number>): number {
  checkPair('nrmse', predicted, target);
  const { std } = moments(target);
  if (!(std > 0)) throw new RangeError('nrmse: target has zero variance; NRMSE is undefined');
  return rmse(predicted, target) / std;
}

/** Coefficient of determination R² = 1 − Σ(p − t)² / Σ(t − mean t)². */
export function rsquare(predicted: ArrayLike<number>, target: ArrayLike<number>): number {
  checkPair('rsquare', predicted, target);
  const { mean } = moments(target);
  let res = 0;
  let tot = 0;
  for (let i = 0; i < target.length; i++) {
    res += (predicted[i] - target[i]) ** 2;
    tot += (target[i] - mean) ** 2;
  }
  if (!(tot > 0)) throw new RangeError('rsquare: target has zero variance; R² is undefined');
  return 1 - res / tot;
}

function moments(a: ArrayLike<number>): { mean: number; std: number } {
  let mean = 0;
  for (let i = 0; i < a.length; i++) mean += a[i];
  mean /= a.length;
  let v = 0;
  for (let i = 0; i < a.length; i++) v += (a[i] - mean) ** 2;
  return { mean, std: Math.sqrt(v / a.length) };
}

function checkPair(where: string, predicted: ArrayLike<number>, target: ArrayLike<number>): void {
  for (const [name, v] of [['predicted', predicted], ['target', target]] as const) {
    if (v === null || typeof v !== 'object' || typeof v.length !== 'number') {
      throw new TypeError(`${where}: ${name} must be an array of numbers, got ${describe(v)}`);
    }
  }
  if (predicted.length !== target.length) throw new RangeError(`${where}: predicted has ${predicted.length} values but target has ${target.length}`);
  if (target.length === 0) throw new RangeError(`${where}: target is empty`);
  for (let i = 0; i < target.length; i++) {
    for (const [name, v] of [['predicted', predicted], ['target', target]] as const) {
      if (typeof v[i] !== 'number') throw new TypeError(`${where}: ${name}[${i}] must be a number, got ${describe(v[i])}`);
    }
    if (!Number.isFinite(predicted[i]) || !Number.isFinite(target[i])) {
      throw new RangeError(`${where}: non-finite value at index ${i} (predicted ${predicted[i]}, target ${target[i]})`);
    }
  }
}

function positive(where: string, name: string, value: unknown): number {
  const v = checkFinite(where, name, value);
  if (!(v > 0)) throw new RangeError(`${where}: ${name} must be > 0, got ${v}`);
  return v;
}
