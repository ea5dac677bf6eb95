// Bindings of assembly/rbm.ts: the restricted Boltzmann machine's conditionals, Gibbs sampling and
// CD/PCD step (f32, through gemm_f32), and its f64 sums (free energy, pseudo-likelihood, exact
// log-partition, AIS). Thin: no validation (src/energy/rbm.ts checks every size and value first).
//
//   params f32 [V·H + V + H] = W [V, H] | b [V] | a [H];  v, mv f32 [N, V];  h, ph f32 [N, H]
//   pre f64 [H], x f64 [max(V, H)] scratch;  work: the backend's GEMM workspace
import type { Backend } from '../engine/backend.js';
import { exportsOf } from '../engine/exports.js';
import type { Ptr } from './codes.js';

export interface RbmSizes {
  N: number;
  V: number;
  H: number;
}

/** ph [N, H] = σ(v·W + a). */
export function rbmHiddenF32(backend: Backend, ptrs: { ph: Ptr; v: Ptr; params: Ptr }, { N, V, H }: RbmSizes): void {
  exportsOf(backend).rbm_hidden_f32(ptrs.ph, ptrs.v, ptrs.params, backend.gemmWork(), N, V, H);
}

/** mv [N, V] = σ(h·Wᵀ + b) (bernoulli) or h·Wᵀ + b (gaussian). */
export function rbmVisibleF32(backend: Backend, ptrs: { mv: Ptr; h: Ptr; params: Ptr }, { N, V, H }: RbmSizes, gaussian: boolean): void {
  exportsOf(backend).rbm_visible_f32(ptrs.mv, ptrs.h, ptrs.params, backend.gemmWork(), N, V, H, gaussian ? 1 : 0);
}

/** mv = mean of p(v | p(h | v)); ph scratch; returns Σ (v − mv)² (f64). */
export function rbmReconstructF32(backend: Backend, ptrs: { mv: Ptr; ph: Ptr; v: Ptr; params: Ptr }, { N, V, H }: RbmSizes, gaussian: boolean): number {
  return exportsOf(backend).rbm_reconstruct_f32(ptrs.mv, ptrs.ph, ptrs.v, ptrs.params, backend.gemmWork(), N, V, H, gaussian ? 1 : 0);
}

/** `steps` Gibbs steps on v in place; mv = the means of the last p(v | h); ph scratch. */
export function rbmGibbsF32(
  backend: Backend, ptrs: { v: Ptr; mv: Ptr; ph: Ptr; params: Ptr }, { N, V, H }: RbmSizes, steps: number, gaussian: boolean, seed: number,
): void {
  exportsOf(backend).rbm_gibbs_f32(ptrs.v, ptrs.mv, ptrs.ph, ptrs.params, backend.gemmWork(), N, V, H, steps, gaussian ? 1 : 0, seed >>> 0);
}

/** Floats of scratch for rbmCdStepF32 with batch B. */
export function rbmCdScratchFloats(backend: Backend, B: number, V: number, H: number): number {
  return exportsOf(backend).rbm_cd_scratch_floats(B, V, H);
}

/** CD (mode 0) / PCD (1 continue, 2 start) chain modes of rbm_cd_step_f32. */
export const RBM_CHAIN = { cd: 0, persistent: 1, persistentStart: 2 } as const;

export interface CdStepSettings {
  k: number;
  mode: number;
  gaussian: boolean;
  learningRate: number;
  momentum: number;
  weightDecay: number;
  sparsityTarget: number;
  sparsityCost: number;
  seed: number;
}

/** One CD-k/PCD-k update of params (and velocity, chain, q); returns the batch's Σ (v0 − mean p(v | h0))², NaN if refused. */
export function rbmCdStepF32(
  backend: Backend,
  ptrs: { params: Ptr; velocity: Ptr; chain: Ptr; q: Ptr; scratch: Ptr; v0: Ptr },
  { B, V, H }: { B: number; V: number; H: number },
  s: CdStepSettings,
): number {
  return exportsOf(backend).rbm_cd_step_f32(
    ptrs.params, ptrs.velocity, ptrs.chain, ptrs.q, ptrs.scratch, backend.gemmWork(), ptrs.v0,
    B, V, H, s.k, s.mode, s.gaussian ? 1 : 0,
    s.learningRate, s.momentum, s.weightDecay, s.sparsityTarget, s.sparsityCost, s.seed >>> 0,
  );
}

/** out f64 [N] = F(v_n); pre f64 [H] scratch. */
export function rbmFreeEnergyF64(backend: Backend, ptrs: { out: Ptr; pre: Ptr; v: Ptr; params: Ptr }, { N, V, H }: RbmSizes, gaussian: boolean): void {
  exportsOf(backend).rbm_free_energy_f64(ptrs.out, ptrs.pre, ptrs.v, ptrs.params, N, V, H, gaussian ? 1 : 0);
}

/** out f64 [N] = V·log σ(F(ṽ) − F(v)), one visible unit of each row flipped (bernoulli). */
export function rbmPseudoLikelihoodF64(backend: Backend, ptrs: { out: Ptr; pre: Ptr; v: Ptr; params: Ptr }, { N, V, H }: RbmSizes, seed: number): void {
  exportsOf(backend).rbm_pseudo_likelihood_f64(ptrs.out, ptrs.pre, ptrs.v, ptrs.params, N, V, H, seed >>> 0);
}

/** log Z by enumerating the visible (bernoulli only) or the hidden layer; x f64 [max(V, H)] scratch. */
export function rbmLogPartitionF64(backend: Backend, ptrs: { x: Ptr; params: Ptr }, V: number, H: number, enumerateVisible: boolean, gaussian: boolean): number {
  return exportsOf(backend).rbm_log_partition_f64(ptrs.x, ptrs.params, V, H, enumerateVisible ? 1 : 0, gaussian ? 1 : 0);
}

/** AIS log-weights f64 [M] for betas f64 [K]; v f64 [V], hs f64 [H], pre f64 [H] scratch; bA f32 [V]. */
export function rbmAisF64(
  backend: Backend, ptrs: { logw: Ptr; v: Ptr; hs: Ptr; pre: Ptr; params: Ptr; bA: Ptr; betas: Ptr },
  sizes: { M: number; V: number; H: number; K: number }, seed: number,
): void {
  exportsOf(backend).rbm_ais_f64(ptrs.logw, ptrs.v, ptrs.hs, ptrs.pre, ptrs.params, ptrs.bA, ptrs.betas, sizes.M, sizes.V, sizes.H, sizes.K, seed >>> 0);
}
