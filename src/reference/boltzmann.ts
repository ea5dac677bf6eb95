// Plain-TypeScript f64 reference of the Boltzmann machine (assembly/boltzmann.ts), written as the
// equations. W is number[][] (N × N, symmetric, zero diagonal), b and states are number[].
//   energy    E(s) = −Σ_{i<j} w_ij s_i s_j − Σ_i b_i s_i
//   update    p(s_i = 1 | rest) = σ((Σ_j w_ij s_j + b_i)/T);  s_i = 1 when u < p
//   uniforms  u = u(seed, (t·C + c)·N + i) for unit i of chain c in sweep t (src/reference/random.ts)
//   stats     S_ij += scale·s_i s_j (j ≥ i) after every sweep
//   learning  Δw_ij = ε(⟨s_i s_j⟩_clamped − ⟨s_i s_j⟩_free) − ε·decay·w_ij,  Δb_i = ε(⟨s_i⟩_clamped − ⟨s_i⟩_free)
//   exact     p(s) = e^{−E(s)}/Z over all 2ᴺ states; p(v) = Σ_h p(v, h); x = Σ_i s_i 2ⁱ
import { uniform } from './random.js';

export function energy(w: readonly (readonly number[])[], b: readonly number[], s: readonly number[]): number {
  let e = 0;
  for (let i = 0; i < s.length; i++) {
    e -= b[i] * s[i];
    for (let j = i + 1; j < s.length; j++) e -= w[i][j] * s[i] * s[j];
  }
  return e;
}

/** Gibbs sweeps over the chains (updated in place); clamp[i] true keeps unit i. */
export function gibbs(
  states: number[][], stats: number[][] | null, w: readonly (readonly number[])[], b: readonly number[], clamp: readonly boolean[] | null,
  sweeps: number, invT: number, scale: number, seed: number,
): void {
  const C = states.length;
  const N = b.length;
  for (let t = 0; t < sweeps; t++) {
    for (let c = 0; c < C; c++) {
      const s = states[c];
      for (let i = 0; i < N; i++) {
        if (clamp?.[i]) continue;
        let field = b[i];
        for (let j = 0; j < N; j++) field += w[i][j] * s[j];
        const p = 1 / (1 + Math.exp(-invT * field));
        s[i] = uniform(seed, (t * C + c) * N + i) < p ? 1 : 0;
      }
      if (stats) for (let i = 0; i < N; i++) for (let j = i; j < N; j++) stats[i][j] += scale * s[i] * s[j];
    }
  }
}

export function learn(
  w: number[][], b: number[], clamped: readonly (readonly number[])[], free: readonly (readonly number[])[], mask: readonly (readonly number[])[] | null,
  rate: number, decay: number,
): void {
  const N = b.length;
  for (let i = 0; i < N; i++) {
    b[i] += rate * (clamped[i][i] - free[i][i]);
    for (let j = i + 1; j < N; j++) {
      if (mask && mask[i][j] === 0) continue;
      w[i][j] += rate * (clamped[i][j] - free[i][j]) - rate * decay * w[i][j];
      w[j][i] = w[i][j];
    }
  }
}

/** The state with index x (unit i = bit i). */
export function stateOf(x: number, N: number): number[] {
  return Array.from({ length: N }, (_, i) => (x >> i) & 1);
}

export interface Exact {
  /** log p(v), v = 0 … 2^V − 1. */
  logp: number[];
  logZ: number;
  /** ⟨s_i s_j⟩ under the model. */
  free: number[][];
  /** Σ_v q(v) ⟨s_i s_j⟩ under p(h | v). */
  clamped: number[][];
}

/** Everything by brute force: p(s) for each of the 2ᴺ states, normalised directly. */
export function exact(w: readonly (readonly number[])[], b: readonly number[], V: number, q: readonly number[] | null): Exact {
  const N = b.length;
  const states = Array.from({ length: 2 ** N }, (_, x) => stateOf(x, N));
  const negE = states.map((s) => -energy(w, b, s));
  const max = Math.max(...negE);
  const weight = negE.map((a) => Math.exp(a - max));
  const Z = weight.reduce((a, c) => a + c, 0);
  const logZ = max + Math.log(Z);
  const pv = new Array<number>(2 ** V).fill(0);
  states.forEach((_, x) => (pv[x % 2 ** V] += weight[x] / Z));
  const free = Array.from({ length: N }, () => new Array<number>(N).fill(0));
  const clamped = Array.from({ length: N }, () => new Array<number>(N).fill(0));
  states.forEach((s, x) => {
    const p = weight[x] / Z;
    const v = x % 2 ** V;
    const pc = q ? (q[v] * p) / pv[v] : 0; // q(v)·p(h | v)
    for (let i = 0; i < N; i++) for (let j = 0; j < N; j++) {
      free[i][j] += p * s[i] * s[j];
      clamped[i][j] += pc * s[i] * s[j];
    }
  });
  return { logp: pv.map(Math.log), logZ, free, clamped };
}

/** KL(q ‖ p) = Σ_v q(v)·(log q(v) − log p(v)), terms with q(v) = 0 omitted. */
export function klDivergence(q: readonly number[], logp: readonly number[]): number {
  let kl = 0;
  q.forEach((qv, v) => {
    if (qv > 0) kl += qv * (Math.log(qv) - logp[v]);
  });
  return kl;
}
