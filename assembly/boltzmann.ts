// The Boltzmann machine (Ackley, Hinton & Sejnowski 1985), f64 kernels: Gibbs sweeps with a
// temperature, co-occurrence statistics, the learning step, the energy, and exact results by
// enumerating every state of a small machine.
//
//   units   s ∈ {0, 1}ᴺ, N = V + H: visible units 0 … V − 1, then hidden units V … N − 1
//   weights W f64 [N, N] row-major, symmetric, zero diagonal;  biases b f64 [N]
//   energy  E(s) = −Σ_{i<j} w_ij·s_i·s_j − Σ_i b_i·s_i
//   update  p(s_i = 1 | rest) = σ((Σ_j w_ij·s_j + b_i)/T)   (j ascending)
//   stats   S f64 [N, N], upper triangle (j ≥ i): S_ij += scale·s_i·s_j; the diagonal holds the
//           activity ⟨s_i⟩ (s_i² = s_i). The lower triangle is never read or written.
//   states  f64 [C, N], C chains;  clamp i32 [N] (≠ 0: the unit keeps its value) or 0 (none)
//   mask    f64 [N, N] connections (0: w_ij stays 0) or 0 (all connected)
//   exact   state index x = Σ_i s_i·2ⁱ (unit 0 the least significant bit); visible index v < 2ⱽ
//
// Uniforms come from assembly/random.ts: the draw for unit i of chain c in sweep t of one call is
// u(seed, (t·C + c)·N + i), so a run depends only on the seeds. No SIMD paths: every sum runs in
// one fixed order, so both builds give the same bits.
import { seedBase, uniform } from "./random";

// @ts-ignore: decorator
@inline function at(p: usize, k: i32): f64 {
  return load<f64>(p + (<usize>k << 3));
}

// @ts-ignore: decorator
@inline function put(p: usize, k: i32, v: f64): void {
  store<f64>(p + (<usize>k << 3), v);
}

/**
 * `sweeps` Gibbs sweeps at inverse temperature invT over C chains (states f64 [C, N], updated in
 * place): each sweep visits units 0 … N − 1 in order, skipping clamped ones, and sets
 * s_i = 1 when u < σ(invT·(Σ_j w_ij·s_j + b_i)), else 0. invT = 0 draws every free unit with
 * p = ½ (a uniform random state). When stats ≠ 0, after every sweep each chain adds
 * scale·s_i·s_j to stats' upper triangle.
 */
export function boltzmann_gibbs_f64(
  states: usize, stats: usize, w: usize, b: usize, clamp: usize,
  C: i32, N: i32, sweeps: i32, invT: f64, scale: f64, seed: u32,
): void {
  const base = seedBase(seed);
  for (let t = 0; t < sweeps; t++) {
    for (let c = 0; c < C; c++) {
      const s = states + (<usize>c * <usize>N << 3);
      for (let i = 0; i < N; i++) {
        if (clamp != 0 && load<i32>(clamp + (<usize>i << 2)) != 0) continue;
        const row = w + (<usize>i * <usize>N << 3);
        let field: f64 = at(b, i);
        for (let j = 0; j < N; j++) field += at(row, j) * at(s, j);
        const p: f64 = 1.0 / (1.0 + Math.exp(-invT * field));
        const u = uniform(base, <u32>((t * C + c) * N + i));
        put(s, i, u < p ? 1.0 : 0.0);
      }
      if (stats != 0) {
        for (let i = 0; i < N; i++) {
          if (at(s, i) == 0) continue;
          const row = stats + (<usize>i * <usize>N << 3);
          for (let j = i; j < N; j++) put(row, j, at(row, j) + scale * at(s, j));
        }
      }
    }
  }
}

/**
 * The learning step: for i < j with mask_ij ≠ 0 (or mask = 0),
 * w_ij = w_ji ← w_ij + rate·(clamped_ij − free_ij) − rate·decay·w_ij, and
 * b_i ← b_i + rate·(clamped_ii − free_ii). Reads the statistics' upper triangles.
 */
export function boltzmann_learn_f64(w: usize, b: usize, clamped: usize, free: usize, mask: usize, N: i32, rate: f64, decay: f64): void {
  for (let i = 0; i < N; i++) {
    const d = i * N + i;
    put(b, i, at(b, i) + rate * (at(clamped, d) - at(free, d)));
    for (let j = i + 1; j < N; j++) {
      const k = i * N + j;
      if (mask != 0 && at(mask, k) == 0) continue;
      const wij = at(w, k);
      const v = wij + rate * (at(clamped, k) - at(free, k)) - rate * decay * wij;
      put(w, k, v);
      put(w, j * N + i, v);
    }
  }
}

// @ts-ignore: decorator
@inline function energyOf(x: u32, w: usize, b: usize, N: i32): f64 {
  let e: f64 = 0;
  for (let i = 0; i < N; i++) {
    if (((x >> <u32>i) & 1) == 0) continue;
    let sum: f64 = at(b, i);
    const row = w + (<usize>i * <usize>N << 3);
    for (let j = i + 1; j < N; j++) if (((x >> <u32>j) & 1) != 0) sum += at(row, j);
    e -= sum;
  }
  return e;
}

/** E(s) = −Σ_i s_i·(b_i + Σ_{j>i} w_ij·s_j) (i ascending, j ascending), s f64 [N]. */
export function boltzmann_energy_f64(s: usize, w: usize, b: usize, N: i32): f64 {
  let e: f64 = 0;
  for (let i = 0; i < N; i++) {
    const si = at(s, i);
    const row = w + (<usize>i * <usize>N << 3);
    let sum: f64 = at(b, i);
    for (let j = i + 1; j < N; j++) sum += at(row, j) * at(s, j);
    e -= si * sum;
  }
  return e;
}

/**
 * Exact results by enumerating all 2ᴺ states (N = V + H ≤ 30; the caller keeps N small).
 *   logp f64 [2ⱽ]: log p(v) = log Σ_h e^{−E(v,h)} − log Z (h ascending, an online log-sum-exp);
 *   returns log Z = log Σ_v e^{log Σ_h e^{−E(v,h)}} (v ascending).
 * When p ≠ 0: p f64 [2ⱽ] ← p(v) = e^{log p(v)}.
 * When free ≠ 0: free f64 [N, N] ← ⟨s_i·s_j⟩ under p(s) (both triangles; diagonal ⟨s_i⟩).
 * When clamped ≠ 0: clamped f64 [N, N] ← Σ_v q(v)·⟨s_i·s_j⟩_{p(h|v)} with q f64 [2ⱽ] a data
 * distribution (both triangles). Both sums run over states x ascending.
 */
export function boltzmann_exact_f64(logp: usize, p: usize, clamped: usize, free: usize, q: usize, w: usize, b: usize, V: i32, H: i32): f64 {
  const N = V + H;
  const nv: u32 = <u32>1 << <u32>V;
  const nh: u32 = <u32>1 << <u32>H;
  let zMax: f64 = -Infinity;
  let zSum: f64 = 0;
  for (let v: u32 = 0; v < nv; v++) {
    let m: f64 = -Infinity;
    let sum: f64 = 0;
    for (let h: u32 = 0; h < nh; h++) {
      const a = -energyOf(v | (h << <u32>V), w, b, N);
      if (a > m) {
        sum = sum * Math.exp(m - a) + 1;
        m = a;
      } else {
        sum += Math.exp(a - m);
      }
    }
    const lv = m + Math.log(sum);
    put(logp, <i32>v, lv);
    if (lv > zMax) {
      zSum = zSum * Math.exp(zMax - lv) + 1;
      zMax = lv;
    } else {
      zSum += Math.exp(lv - zMax);
    }
  }
  const logZ = zMax + Math.log(zSum);
  if (free != 0) for (let k = 0; k < N * N; k++) put(free, k, 0);
  if (clamped != 0) for (let k = 0; k < N * N; k++) put(clamped, k, 0);
  if (free != 0 || clamped != 0) {
    for (let v: u32 = 0; v < nv; v++) {
      const lv = at(logp, <i32>v);
      const qv: f64 = clamped != 0 ? at(q, <i32>v) : 0;
      for (let h: u32 = 0; h < nh; h++) {
        const x = v | (h << <u32>V);
        const a = -energyOf(x, w, b, N);
        const pf: f64 = Math.exp(a - logZ);
        const pc: f64 = qv * Math.exp(a - lv);
        for (let i = 0; i < N; i++) {
          if (((x >> <u32>i) & 1) == 0) continue;
          for (let j = i; j < N; j++) {
            if (((x >> <u32>j) & 1) == 0) continue;
            const k = i * N + j;
            if (free != 0) put(free, k, at(free, k) + pf);
            if (clamped != 0) put(clamped, k, at(clamped, k) + pc);
          }
        }
      }
    }
    for (let i = 0; i < N; i++) {
      for (let j = i + 1; j < N; j++) {
        if (free != 0) put(free, j * N + i, at(free, i * N + j));
        if (clamped != 0) put(clamped, j * N + i, at(clamped, i * N + j));
      }
    }
  }
  for (let v: u32 = 0; v < nv; v++) {
    const l = at(logp, <i32>v) - logZ;
    put(logp, <i32>v, l);
    if (p != 0) put(p, <i32>v, Math.exp(l));
  }
  return logZ;
}

/** KL(q ‖ p) = Σ_{v: q(v) > 0} q(v)·(log q(v) − logp(v)) over v = 0 … n − 1 ascending (q, logp f64 [n]). */
export function boltzmann_kl_f64(q: usize, logp: usize, n: i32): f64 {
  let kl: f64 = 0;
  for (let v = 0; v < n; v++) {
    const qv = at(q, v);
    if (qv > 0) kl += qv * (Math.log(qv) - at(logp, v));
  }
  return kl;
}
