// The deep Boltzmann machine (two hidden layers) in plain f64 TypeScript, written like the
// equations: the oracle for assembly/dbm.ts and for the model's exact quantities in tests.
//
//   E(v, h1, h2) = −vᵀW1h1 − h1ᵀW2h2 − bvᵀv − b1ᵀh1 − b2ᵀh2     W1 [nv, n1], W2 [n1, n2] row-major
import { uniform } from './random.js';

export interface DbmParams {
  nv: number;
  n1: number;
  n2: number;
  w1: ArrayLike<number>;
  w2: ArrayLike<number>;
  bv: ArrayLike<number>;
  b1: ArrayLike<number>;
  b2: ArrayLike<number>;
}

export const sigmoid = (x: number): number => 1 / (1 + Math.exp(-x));
const softplus = (x: number): number => Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x)));

/**
 * σ(scaleBelow·below·wBelow + scaleAbove·above·wAboveᵀ + bias) for `rows` rows (a null neighbour adds
 * nothing); wBelow [nb, n], wAbove [n, na]. With a seed, each value is then sampled: u(seed, i) < p.
 */
export function conditional(
  below: ArrayLike<number> | null, wBelow: ArrayLike<number>, above: ArrayLike<number> | null, wAbove: ArrayLike<number>,
  bias: ArrayLike<number>, rows: number, nb: number, n: number, na: number, scaleBelow: number, scaleAbove: number, seed?: number,
): Float64Array {
  const out = new Float64Array(rows * n);
  for (let r = 0; r < rows; r++) {
    for (let j = 0; j < n; j++) {
      let x = bias[j];
      if (below) for (let i = 0; i < nb; i++) x += scaleBelow * below[r * nb + i] * wBelow[i * n + j];
      if (above) for (let k = 0; k < na; k++) x += scaleAbove * above[r * na + k] * wAbove[j * na + k];
      const p = sigmoid(x);
      out[r * n + j] = seed === undefined ? p : uniform(seed, r * n + j) < p ? 1 : 0;
    }
  }
  return out;
}

/** W + (rate/B)·aᵀb − (rate/M)·aModelᵀbModel. */
export function weightUpdate(
  w: ArrayLike<number>, a: ArrayLike<number>, b: ArrayLike<number>, aModel: ArrayLike<number>, bModel: ArrayLike<number>,
  B: number, M: number, na: number, nb: number, rate: number,
): Float64Array {
  const out = Float64Array.from(w);
  for (let i = 0; i < na; i++) {
    for (let j = 0; j < nb; j++) {
      let data = 0;
      for (let r = 0; r < B; r++) data += a[r * na + i] * b[r * nb + j];
      let model = 0;
      for (let r = 0; r < M; r++) model += aModel[r * na + i] * bModel[r * nb + j];
      out[i * nb + j] += (rate * data) / B - (rate * model) / M;
    }
  }
  return out;
}

/** bias + rate·(column mean of data − column mean of model). */
export function biasUpdate(bias: ArrayLike<number>, data: ArrayLike<number>, model: ArrayLike<number>, B: number, M: number, n: number, rate: number): Float64Array {
  const out = Float64Array.from(bias);
  for (let j = 0; j < n; j++) {
    let d = 0;
    for (let r = 0; r < B; r++) d += data[r * n + j];
    let m = 0;
    for (let r = 0; r < M; r++) m += model[r * n + j];
    out[j] += rate * (d / B - m / M);
  }
  return out;
}

/** The bits of `index` as 0/1 units (bit j = unit j). */
function bits(index: number, n: number): number[] {
  return Array.from({ length: n }, (_, j) => (index >> j) & 1);
}

/** −E(v, h1, h2). */
export function negativeEnergy(p: DbmParams, v: ArrayLike<number>, h1: ArrayLike<number>, h2: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < p.nv; i++) {
    s += p.bv[i] * v[i];
    for (let j = 0; j < p.n1; j++) s += v[i] * p.w1[i * p.n1 + j] * h1[j];
  }
  for (let j = 0; j < p.n1; j++) {
    s += p.b1[j] * h1[j];
    for (let k = 0; k < p.n2; k++) s += h1[j] * p.w2[j * p.n2 + k] * h2[k];
  }
  for (let k = 0; k < p.n2; k++) s += p.b2[k] * h2[k];
  return s;
}

function logSumExp(values: number[]): number {
  let m = -Infinity;
  for (const a of values) m = Math.max(m, a);
  let s = 0;
  for (const a of values) s += Math.exp(a - m);
  return m + Math.log(s);
}

/** log Z with v and h2 summed out in closed form, enumerating h1 only. */
export function logPartition(p: DbmParams): number {
  const terms: number[] = [];
  for (let s = 0; s < 2 ** p.n1; s++) {
    const h1 = bits(s, p.n1);
    let a = 0;
    for (let j = 0; j < p.n1; j++) a += p.b1[j] * h1[j];
    for (let i = 0; i < p.nv; i++) {
      let x = p.bv[i];
      for (let j = 0; j < p.n1; j++) x += p.w1[i * p.n1 + j] * h1[j];
      a += softplus(x);
    }
    for (let k = 0; k < p.n2; k++) {
      let x = p.b2[k];
      for (let j = 0; j < p.n1; j++) x += p.w2[j * p.n2 + k] * h1[j];
      a += softplus(x);
    }
    terms.push(a);
  }
  return logSumExp(terms);
}

/** log Z by brute force over every (v, h1, h2): only for tiny models. */
export function logPartitionBruteForce(p: DbmParams): number {
  const terms: number[] = [];
  for (let a = 0; a < 2 ** p.nv; a++) {
    const v = bits(a, p.nv);
    for (let b = 0; b < 2 ** p.n1; b++) {
      const h1 = bits(b, p.n1);
      for (let c = 0; c < 2 ** p.n2; c++) terms.push(negativeEnergy(p, v, h1, bits(c, p.n2)));
    }
  }
  return logSumExp(terms);
}

/** log p(v) exactly: log Σ_{h1, h2} e^{−E(v, h1, h2)} − log Z, by brute force over (h1, h2). */
export function logLikelihood(p: DbmParams, v: ArrayLike<number>, logZ = logPartitionBruteForce(p)): number {
  const terms: number[] = [];
  for (let b = 0; b < 2 ** p.n1; b++) {
    const h1 = bits(b, p.n1);
    for (let c = 0; c < 2 ** p.n2; c++) terms.push(negativeEnergy(p, v, h1, bits(c, p.n2)));
  }
  return logSumExp(terms) - logZ;
}

/** log p(v) exactly with h2 summed out in closed form, enumerating h1 only (for models too big for brute force). */
export function logLikelihoodOverH1(p: DbmParams, v: ArrayLike<number>, logZ = logPartition(p)): number {
  const terms: number[] = [];
  for (let b = 0; b < 2 ** p.n1; b++) {
    const h1 = bits(b, p.n1);
    let a = 0;
    for (let i = 0; i < p.nv; i++) a += p.bv[i] * v[i];
    for (let j = 0; j < p.n1; j++) {
      let x = p.b1[j];
      for (let i = 0; i < p.nv; i++) x += v[i] * p.w1[i * p.n1 + j];
      a += x * h1[j];
    }
    for (let k = 0; k < p.n2; k++) {
      let x = p.b2[k];
      for (let j = 0; j < p.n1; j++) x += p.w2[j * p.n2 + k] * h1[j];
      a += softplus(x);
    }
    terms.push(a);
  }
  return logSumExp(terms) - logZ;
}

const entropy = (m: number): number => (m > 0 ? -m * Math.log(m) : 0) + (m < 1 ? -(1 - m) * Math.log(1 - m) : 0);

/** Σ over rows of E_q[−E(v, h)] + H(q) for the factorised q with means mu1 [B, n1], mu2 [B, n2]. */
export function boundTerms(p: DbmParams, v: ArrayLike<number>, mu1: ArrayLike<number>, mu2: ArrayLike<number>, B: number): number {
  let total = 0;
  for (let r = 0; r < B; r++) {
    const vr = Array.prototype.slice.call(v, r * p.nv, (r + 1) * p.nv) as number[];
    const m1 = Array.prototype.slice.call(mu1, r * p.n1, (r + 1) * p.n1) as number[];
    const m2 = Array.prototype.slice.call(mu2, r * p.n2, (r + 1) * p.n2) as number[];
    // −E is linear in each unit, and q factorises, so E_q[−E] is −E at the means.
    total += negativeEnergy(p, vr, m1, m2) + m1.reduce((s, m) => s + entropy(m), 0) + m2.reduce((s, m) => s + entropy(m), 0);
  }
  return total;
}

/**
 * Mean-field inference as the model runs it: μ1 = σ(2·vW1 + b1), μ2 = σ(μ1W2 + b2) to start, then
 * μ1 ← σ(vW1 + μ2W2ᵀ + b1), μ2 ← σ(μ1W2 + b2) until the largest change is below `tolerance` or
 * `iterations` updates have run.
 */
export function meanField(
  p: DbmParams, v: ArrayLike<number>, B: number, iterations: number, tolerance: number,
): { mu1: Float64Array; mu2: Float64Array; iterations: number; change: number } {
  let mu1 = conditional(v, p.w1, null, p.w2, p.b1, B, p.nv, p.n1, 0, 2, 1);
  let mu2 = conditional(mu1, p.w2, null, [], p.b2, B, p.n1, p.n2, 0, 1, 1);
  let change = Infinity;
  let it = 0;
  while (it < iterations && !(change < tolerance)) {
    const next1 = conditional(v, p.w1, mu2, p.w2, p.b1, B, p.nv, p.n1, p.n2, 1, 1);
    const next2 = conditional(next1, p.w2, null, [], p.b2, B, p.n1, p.n2, 0, 1, 1);
    change = 0;
    next1.forEach((m, i) => (change = Math.max(change, Math.abs(m - mu1[i]))));
    next2.forEach((m, i) => (change = Math.max(change, Math.abs(m - mu2[i]))));
    mu1 = next1;
    mu2 = next2;
    it++;
  }
  return { mu1, mu2, iterations: it, change };
}
