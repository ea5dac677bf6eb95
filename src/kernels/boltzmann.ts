// Bindings of assembly/boltzmann.ts: the Boltzmann machine's Gibbs sweeps (with co-occurrence
// statistics), learning step, energy and exact enumeration, all f64. Thin: no validation
// (src/energy/boltzmann.ts checks every size and value first).
//
//   states f64 [C, N];  w f64 [N, N] symmetric, zero diagonal;  b f64 [N];  clamp i32 [N] or 0;
//   stats, clamped, free f64 [N, N] (the sweeps fill the upper triangle, the enumeration both);
//   mask f64 [N, N] or 0;  logp, p, q f64 [2^V]
import type { Backend } from '../engine/backend.js';
import { exportsOf } from '../engine/exports.js';
import type { Ptr } from './codes.js';

export interface GibbsArgs {
  states: Ptr;
  /** Statistics to accumulate into after every sweep (upper triangle), or 0. */
  stats: Ptr;
  w: Ptr;
  b: Ptr;
  /** i32 [N]: ≠ 0 keeps the unit's value; 0 = no unit clamped. */
  clamp: Ptr;
}

/** `sweeps` sweeps over C chains at inverse temperature invT; stats += scale·s·sᵀ after each when stats ≠ 0. */
export function boltzmannGibbsF64(backend: Backend, p: GibbsArgs, C: number, N: number, sweeps: number, invT: number, scale: number, seed: number): void {
  exportsOf(backend).boltzmann_gibbs_f64(p.states, p.stats, p.w, p.b, p.clamp, C, N, sweeps, invT, scale, seed >>> 0);
}

/** w += rate·(clamped − free) − rate·decay·w off the diagonal where mask ≠ 0 (mask 0: everywhere); b += rate·(diagonal difference). */
export function boltzmannLearnF64(backend: Backend, p: { w: Ptr; b: Ptr; clamped: Ptr; free: Ptr; mask: Ptr }, N: number, rate: number, decay: number): void {
  exportsOf(backend).boltzmann_learn_f64(p.w, p.b, p.clamped, p.free, p.mask, N, rate, decay);
}

/** E(s) = −Σ_{i<j} w_ij s_i s_j − Σ b_i s_i. */
export function boltzmannEnergyF64(backend: Backend, s: Ptr, w: Ptr, b: Ptr, N: number): number {
  return exportsOf(backend).boltzmann_energy_f64(s, w, b, N);
}

/**
 * logp [2^V] ← log p(v); p [2^V] ← p(v) when ≠ 0; free/clamped [N, N] ← exact statistics when ≠ 0
 * (clamped needs q [2^V]); returns log Z.
 */
export function boltzmannExactF64(
  backend: Backend, a: { logp: Ptr; p: Ptr; clamped: Ptr; free: Ptr; q: Ptr; w: Ptr; b: Ptr }, V: number, H: number,
): number {
  return exportsOf(backend).boltzmann_exact_f64(a.logp, a.p, a.clamped, a.free, a.q, a.w, a.b, V, H);
}

/** KL(q ‖ p) = Σ_{q(v) > 0} q(v)·(log q(v) − logp(v)), v ascending; q, logp f64 [n]. */
export function boltzmannKlF64(backend: Backend, q: Ptr, logp: Ptr, n: number): number {
  return exportsOf(backend).boltzmann_kl_f64(q, logp, n);
}
