// Bindings of assembly/dbm.ts: the deep Boltzmann machine's one conditional primitive, its
// stochastic-approximation updates, exact log Z (enumerating h1) and the mean-field bound's terms.
// Thin: no validation (src/energy/dbm.ts checks every size and value first). A pointer 0 means
// "absent" where the kernel allows it (a missing neighbour layer, no `old`).
//
//   W1 [nv, n1], W2 [n1, n2], bv [nv], b1 [n1], b2 [n2], all f32; layers are row-major [rows, units].
import type { Backend } from '../engine/backend.js';
import { exportsOf } from '../engine/exports.js';
import type { Ptr } from './codes.js';

export interface ConditionalGeometry {
  /** Rows (examples or chains). */
  rows: number;
  /** Units of the layer below (0 when there is none). */
  below: number;
  /** Units of this layer. */
  units: number;
  /** Units of the layer above (0 when there is none). */
  above: number;
}

/**
 * out [rows, units] = σ(scaleBelow·below·wBelow + scaleAbove·above·wAboveᵀ + bias), sampled to 0/1 with
 * u(seed, i) when `sample`; returns max |out − old| before sampling (0 when old is 0).
 * wBelow [below, units], wAbove [units, above]; work = Backend.gemmWork().
 */
export function dbmConditionalF32(
  backend: Backend,
  ptrs: { out: Ptr; old: Ptr; below: Ptr; wBelow: Ptr; above: Ptr; wAbove: Ptr; bias: Ptr; work: Ptr },
  g: ConditionalGeometry, scaleBelow: number, scaleAbove: number, seed: number, sample: boolean,
): number {
  return exportsOf(backend).dbm_conditional_f32(
    ptrs.out, ptrs.old, ptrs.below, ptrs.wBelow, ptrs.above, ptrs.wAbove, ptrs.bias, ptrs.work,
    g.rows, g.below, g.units, g.above, scaleBelow, scaleAbove, seed >>> 0, sample ? 1 : 0,
  );
}

/** W [na, nb] += (rate/B)·aᵀb − (rate/M)·aModelᵀbModel; a [B, na], b [B, nb], aModel [M, na], bModel [M, nb]. */
export function dbmWeightUpdateF32(
  backend: Backend, ptrs: { w: Ptr; a: Ptr; b: Ptr; aModel: Ptr; bModel: Ptr; work: Ptr },
  B: number, M: number, na: number, nb: number, rate: number,
): void {
  exportsOf(backend).dbm_weight_update_f32(ptrs.w, ptrs.a, ptrs.b, ptrs.aModel, ptrs.bModel, ptrs.work, B, M, na, nb, rate);
}

/** bias_j += rate·(mean_b data_bj − mean_m model_mj); data [B, n], model [M, n]. */
export function dbmBiasUpdateF32(backend: Backend, ptrs: { bias: Ptr; data: Ptr; model: Ptr }, B: number, M: number, n: number, rate: number): void {
  exportsOf(backend).dbm_bias_update_f32(ptrs.bias, ptrs.data, ptrs.model, B, M, n, rate);
}

export interface DbmParameterPtrs {
  w1: Ptr;
  w2: Ptr;
  bv: Ptr;
  b1: Ptr;
  b2: Ptr;
}

/** log Z, exact, by enumerating the 2^n1 states of h1 (f64). */
export function dbmLogPartitionF64(backend: Backend, p: DbmParameterPtrs, nv: number, n1: number, n2: number): number {
  return exportsOf(backend).dbm_log_partition_f64(p.w1, p.w2, p.bv, p.b1, p.b2, nv, n1, n2);
}

/** Σ_rows E_q[−E(v, h)] + H(q) for the factorised q with means mu1 [B, n1], mu2 [B, n2] (f64). */
export function dbmBoundTermsF64(
  backend: Backend, p: DbmParameterPtrs & { v: Ptr; mu1: Ptr; mu2: Ptr }, B: number, nv: number, n1: number, n2: number,
): number {
  return exportsOf(backend).dbm_bound_terms_f64(p.v, p.mu1, p.mu2, p.w1, p.w2, p.bv, p.b1, p.b2, B, nv, n1, n2);
}
