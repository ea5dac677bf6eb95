// The restricted Boltzmann machine in plain f64 TypeScript, line for line with assembly/rbm.ts
// (same sampling phases and counters, same choice of probabilities vs samples), for tests and
// the benchmark. W [V, H] row-major, b [V], a [H]; rows of v [N, V] and h [N, H].
import { lowbias32, uniform } from './random.js';

export interface RbmParams {
  W: Float64Array;
  b: Float64Array;
  a: Float64Array;
  V: number;
  H: number;
}

const sigmoid = (x: number): number => 1 / (1 + Math.exp(-x));
const softplus = (x: number): number => Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x)));

/** The seed whose uniform(·, i) is phase p's u(i) in a call seeded s. */
export function phaseSeed(seed: number, phase: number): number {
  return lowbias32((seed + Math.imul(phase, 0x632be5ab)) >>> 0);
}

/** p(h = 1 | v) for N rows. */
export function hiddenProbabilities(p: RbmParams, v: ArrayLike<number>, N: number): Float64Array {
  const { W, a, V, H } = p;
  const ph = new Float64Array(N * H);
  for (let r = 0; r < N; r++) {
    for (let j = 0; j < H; j++) {
      let x = a[j];
      for (let i = 0; i < V; i++) x += v[r * V + i] * W[i * H + j];
      ph[r * H + j] = sigmoid(x);
    }
  }
  return ph;
}

/** The mean of p(v | h): σ(Wh + b) or Wh + b (gaussian). */
export function visibleMeans(p: RbmParams, h: ArrayLike<number>, N: number, gaussian: boolean): Float64Array {
  const { W, b, V, H } = p;
  const mv = new Float64Array(N * V);
  for (let r = 0; r < N; r++) {
    for (let i = 0; i < V; i++) {
      let x = b[i];
      for (let j = 0; j < H; j++) x += W[i * H + j] * h[r * H + j];
      mv[r * V + i] = gaussian ? x : sigmoid(x);
    }
  }
  return mv;
}

export function sampleBernoulli(p: ArrayLike<number>, seed: number): Float64Array {
  return Float64Array.from(p, (pi, i) => (uniform(seed, i) < pi ? 1 : 0));
}

export function sampleGaussian(mean: ArrayLike<number>, seed: number): Float64Array {
  return Float64Array.from(mean, (m, i) => m + Math.sqrt(-2 * Math.log(1 - uniform(seed, 2 * i))) * Math.cos(2 * Math.PI * uniform(seed, 2 * i + 1)));
}

export interface CdSettings {
  k: number;
  /** 0: CD; 1: PCD from chain; 2: PCD, chain ← h0 first. */
  mode: number;
  gaussian: boolean;
  learningRate: number;
  momentum: number;
  weightDecay: number;
  sparsityTarget: number;
  sparsityCost: number;
  seed: number;
}

export interface CdState {
  params: RbmParams;
  /** Velocities of W, b, a. */
  dW: Float64Array;
  db: Float64Array;
  da: Float64Array;
  /** PCD chains' hidden samples [B, H]. */
  chain: Float64Array;
  /** Running mean hidden activity [H]. */
  q: Float64Array;
}

/** One CD-k / PCD-k step in place on state; returns Σ (v0 − mean p(v | h0))². */
export function cdStep(state: CdState, v0: ArrayLike<number>, B: number, s: CdSettings): number {
  const p = state.params;
  const { V, H } = p;
  const sample = (m: Float64Array, phase: number): Float64Array =>
    s.gaussian ? sampleGaussian(m, phaseSeed(s.seed, phase)) : sampleBernoulli(m, phaseSeed(s.seed, phase));
  const ph0 = hiddenProbabilities(p, v0, B);
  let h: Float64Array = sampleBernoulli(ph0, phaseSeed(s.seed, 0));
  const mv0 = visibleMeans(p, h, B, s.gaussian);
  let error = 0;
  for (let i = 0; i < B * V; i++) error += (v0[i] - mv0[i]) ** 2;
  if (s.mode === 2) state.chain.set(h);
  if (s.mode !== 0) h = Float64Array.from(state.chain);
  let vk: Float64Array = new Float64Array(B * V);
  let phk: Float64Array = new Float64Array(B * H);
  for (let step = 1; step <= s.k; step++) {
    vk = sample(visibleMeans(p, h, B, s.gaussian), 2 * step - 1);
    phk = hiddenProbabilities(p, vk, B);
    h = sampleBernoulli(phk, phaseSeed(s.seed, 2 * step));
  }
  if (s.mode !== 0) state.chain.set(h);
  const { learningRate: lr, momentum, weightDecay } = s;
  const sparse = s.sparsityCost > 0;
  const penalty = new Float64Array(H);
  for (let j = 0; j < H; j++) {
    let m = 0;
    for (let r = 0; r < B; r++) m += ph0[r * H + j];
    if (sparse) {
      state.q[j] = 0.9 * state.q[j] + 0.1 * (m / B);
      penalty[j] = s.sparsityCost * (state.q[j] - s.sparsityTarget);
    }
  }
  const dW = new Float64Array(V * H);
  for (let i = 0; i < V; i++) {
    let meanV0 = 0;
    for (let r = 0; r < B; r++) meanV0 += v0[r * V + i] / B;
    for (let j = 0; j < H; j++) {
      let g = 0;
      for (let r = 0; r < B; r++) g += v0[r * V + i] * ph0[r * H + j] - vk[r * V + i] * phk[r * H + j];
      g = g / B - weightDecay * p.W[i * H + j] - penalty[j] * meanV0;
      dW[i * H + j] = momentum * state.dW[i * H + j] + lr * g;
    }
  }
  const db = new Float64Array(V);
  for (let i = 0; i < V; i++) {
    let g = 0;
    for (let r = 0; r < B; r++) g += v0[r * V + i] - vk[r * V + i];
    db[i] = momentum * state.db[i] + lr * (g / B);
  }
  const da = new Float64Array(H);
  for (let j = 0; j < H; j++) {
    let g = 0;
    for (let r = 0; r < B; r++) g += ph0[r * H + j] - phk[r * H + j];
    da[j] = momentum * state.da[j] + lr * (g / B - penalty[j]);
  }
  state.dW.set(dW);
  state.db.set(db);
  state.da.set(da);
  for (let i = 0; i < V * H; i++) p.W[i] += dW[i];
  for (let i = 0; i < V; i++) p.b[i] += db[i];
  for (let j = 0; j < H; j++) p.a[j] += da[j];
  return error;
}

/** F(v) = −bᵀv − Σ_j softplus(a_j + (vW)_j)  (gaussian: ½‖v − b‖² − Σ_j softplus(…)). */
export function freeEnergy(p: RbmParams, v: ArrayLike<number>, gaussian: boolean): number {
  const { W, b, a, V, H } = p;
  let f = 0;
  for (let i = 0; i < V; i++) f += gaussian ? 0.5 * (v[i] - b[i]) ** 2 : -b[i] * v[i];
  for (let j = 0; j < H; j++) {
    let x = a[j];
    for (let i = 0; i < V; i++) x += v[i] * W[i * H + j];
    f -= softplus(x);
  }
  return f;
}

/** E(v, h). */
export function energy(p: RbmParams, v: ArrayLike<number>, h: ArrayLike<number>, gaussian: boolean): number {
  const { W, b, a, V, H } = p;
  let e = 0;
  for (let i = 0; i < V; i++) e += gaussian ? 0.5 * (v[i] - b[i]) ** 2 : -b[i] * v[i];
  for (let j = 0; j < H; j++) e -= a[j] * h[j];
  for (let i = 0; i < V; i++) for (let j = 0; j < H; j++) e -= v[i] * W[i * H + j] * h[j];
  return e;
}

/** scikit-learn's score_samples: V·log σ(F(ṽ) − F(v)), unit ⌊uniform(seed, n)·V⌋ of row n flipped to 1 − v. */
export function pseudoLikelihood(p: RbmParams, v: ArrayLike<number>, N: number, seed: number): Float64Array {
  const { V } = p;
  const out = new Float64Array(N);
  for (let r = 0; r < N; r++) {
    const row = Array.from({ length: V }, (_, i) => v[r * V + i]);
    const flip = Math.min(V - 1, Math.floor(uniform(seed, r) * V));
    const flipped = [...row];
    flipped[flip] = 1 - flipped[flip];
    out[r] = -V * softplus(-(freeEnergy(p, flipped, false) - freeEnergy(p, row, false)));
  }
  return out;
}

/** The binary vector of `bits` bits for state index t (bit k = unit k). */
export function bitsOf(t: number, bits: number): number[] {
  return Array.from({ length: bits }, (_, k) => (t >>> k) & 1);
}

/** log Z = log Σ_v exp(−F(v)) over all 2^V binary v (bernoulli), by direct enumeration. */
export function logPartition(p: RbmParams): number {
  const terms = Array.from({ length: 2 ** p.V }, (_, t) => -freeEnergy(p, bitsOf(t, p.V), false));
  return logSumExp(terms);
}

/** Gaussian visible units: log Z = log Σ_h ∫ exp(−E(v, h)) dv, the integral in closed form. */
export function logPartitionGaussian(p: RbmParams): number {
  const { W, b, a, V, H } = p;
  const terms = Array.from({ length: 2 ** H }, (_, t) => {
    const h = bitsOf(t, H);
    let term = (V / 2) * Math.log(2 * Math.PI);
    for (let j = 0; j < H; j++) term += a[j] * h[j];
    for (let i = 0; i < V; i++) {
      let m = b[i];
      for (let j = 0; j < H; j++) m += W[i * H + j] * h[j];
      term += 0.5 * m * m - 0.5 * b[i] * b[i];
    }
    return term;
  });
  return logSumExp(terms);
}

export function logSumExp(terms: readonly number[]): number {
  const m = Math.max(...terms);
  return m + Math.log(terms.reduce((s, t) => s + Math.exp(t - m), 0));
}
