// TypeScript side of assembly/esn.ts: the only caller of the esn_* exports. Thin on
// purpose: typed arguments over pointers (byte offsets into linear memory; 0 = the part
// is off), no validation — src/esn/ checks every shape and option before it calls.
// Arguments come as outputs, then state and inputs, then the reservoir, then sizes.
//
//   pre(t) = (b + W_in·u(t) + W_back·y(t−1)) + W·x(t−1) + ν(t)
//   x(t)   = (1 − a)·x(t−1) + a·f(pre(t))          f = tanh, or identity for a linear reservoir
//   z(t)   = the parts of [1; u(t); x(t); y(t−1)] the feature mask selects, in that order (f64)
//   y(t)   = g(W_out·z(t)),   g = identity or tanh
//
// Buffers (row-major; f32 unless marked f64 or i32):
//   reservoir   wIn [I, N];  wBack [O, N] or 0 (no output feedback);  bias [N];
//               W as CSR: wVal [nnz], wCol i32 [nnz], wRow i32 [N + 1] — or dense: wDense [N, N]
//               (the other layout's pointers are 0);  wOut f64 [O, F] (columns: the features in order)
//   loop state  state [N]: x(t−1) in, the last x out;  feedback [O]: y(t−1) in, the last fed-back
//               value out;  pre [N], ynext [O]: scratch
//   collect     u [T, I];  teacher [T, O] (fed back after step t) or 0 (the readout's y(t) is);
//               targets f64 [T, O] in g⁻¹ space;  noise [T, N] or 0
//               out: states [T, N], outputs [T, O] (y(t) from wOut), xtx f64 [F, F] (upper triangle,
//               accumulated for t ≥ washout), xty f64 [F, O]; zblk f64 [F, KB], dblk f64 [O, KB]
//               scratch (KB = esnBlockSteps()); RLS: rlsP f64 [F, F], rlsZ f64 [F], rlsPz f64 [F]
//               (updates wOut in place for t ≥ washout). Block mode (xtx = 0, zblk given, at most KB
//               steps from washout on): the block is left in zblk / dblk (zero-padded to KB) for
//               esnFlushRows to accumulate, which may split the rows of XᵀX over threads.
//   generate    outputs [S, O]; the input of step t is y(t−1), read from feedback (needs I = O)
//   solves      wOut f64 [O, F] out;  work f64 [F, F], tmp f64 [2F], perm i32 [F] scratch;
//               xtx f64 [F, F] (upper triangle read), xty f64 [F, O], both left unchanged
import type { Backend, KernelTarget } from '../engine/backend.js';
import { exportsOf } from '../engine/exports.js';

/**
 * The readout's feature bits; they must align with FEATURE_BIAS … FEATURE_OUTPUT in
 * assembly/esn.ts. The columns of W_out follow this order whatever order a user lists them in.
 */
export const READOUT_FEATURE = { bias: 1, input: 2, state: 4, output: 8 } as const;
export type ReadoutFeature = keyof typeof READOUT_FEATURE;
/** The features in column order. */
export const READOUT_FEATURES = Object.keys(READOUT_FEATURE) as ReadoutFeature[];

/** The bit mask of a list of features. */
export function readoutFeatureMask(features: readonly ReadoutFeature[]): number {
  let mask = 0;
  for (const f of features) mask |= READOUT_FEATURE[f];
  return mask;
}

/** The reservoir and readout in linear memory (pointers; 0 = absent). */
export interface ReservoirPointers {
  wIn: number;
  wBack: number;
  bias: number;
  wVal: number;
  wCol: number;
  wRow: number;
  wDense: number;
  wOut: number;
}

/** The recurrent state carried from call to call. */
export interface LoopPointers {
  state: number;
  feedback: number;
  pre: number;
  /** f32 [O] scratch. */
  ynext: number;
}

export interface ReservoirSizes {
  units: number;
  inputSize: number;
  outputSize: number;
  leakRate: number;
  /** W is dense (wDense) rather than CSR (wVal, wCol, wRow). */
  dense: boolean;
  /** g = tanh rather than identity. */
  tanhOutput: boolean;
  /** READOUT_FEATURE bits (readoutFeatureMask). */
  features: number;
  /** f = identity rather than tanh. */
  linear: boolean;
}

/** What esnCollect writes; every part is optional (0 or absent = off). */
export interface CollectOutputs {
  states?: number;
  outputs?: number;
  xtx?: number;
  xty?: number;
  zblk?: number;
  dblk?: number;
  rlsP?: number;
  rlsZ?: number;
  rlsPz?: number;
}

export interface CollectInputs {
  u: number;
  teacher?: number;
  targets?: number;
  noise?: number;
}

export interface CollectSizes extends ReservoirSizes {
  timeSteps: number;
  /** Steps not accumulated (XᵀX / XᵀY) nor used by RLS. */
  washout: number;
  /** RLS forgetting factor λ (1 when RLS is off). */
  forgettingFactor: number;
}

/** KB: steps per accumulation block (the width of zblk and dblk). */
export function esnBlockSteps(backend: Backend): number {
  return exportsOf(backend).esn_block_steps();
}

/** Drives the reservoir over T steps from `loop`, writing the parts of `out` that are on (run now, or recorded into a ShardProgram). */
export function esnCollect(
  backend: KernelTarget, out: CollectOutputs, loop: LoopPointers, inputs: CollectInputs, w: ReservoirPointers, sizes: CollectSizes,
): void {
  exportsOf(backend).esn_collect(
    out.states ?? 0, out.outputs ?? 0, out.xtx ?? 0, out.xty ?? 0, out.zblk ?? 0, out.dblk ?? 0,
    out.rlsP ?? 0, out.rlsZ ?? 0, out.rlsPz ?? 0,
    loop.state, loop.feedback, loop.pre, loop.ynext,
    inputs.u, inputs.teacher ?? 0, inputs.targets ?? 0, inputs.noise ?? 0,
    w.wIn, w.wBack, w.bias, w.wVal, w.wCol, w.wRow, w.wDense, w.wOut,
    sizes.timeSteps, sizes.units, sizes.inputSize, sizes.outputSize, sizes.washout, sizes.leakRate,
    sizes.dense ? 1 : 0, sizes.tanhOutput ? 1 : 0, w.wBack !== 0 ? 1 : 0, sizes.forgettingFactor,
    sizes.features, sizes.linear ? 1 : 0,
  );
}

/**
 * Rows [rowStart, rowEnd) of XᵀX f64 [F, F] (upper triangle) and XᵀY f64 [F, O] += one block's part
 * (zblk f64 [F, KB], dblk f64 [O, KB], as esnCollect's block mode leaves them); rowStart even. The
 * rows' values do not depend on how the rows are split.
 */
export function esnFlushRows(
  target: KernelTarget, xtx: number, xty: number, zblk: number, dblk: number,
  sizes: { features: number; outputSize: number; rowStart: number; rowEnd: number },
): void {
  exportsOf(target).esn_flush_rows(xtx, xty, zblk, dblk, sizes.features, sizes.outputSize, sizes.rowStart, sizes.rowEnd);
}

/** Closed loop for `steps` steps from `loop`: outputs [steps, O]; no state noise. */
export function esnGenerate(backend: Backend, outputs: number, loop: LoopPointers, w: ReservoirPointers, sizes: ReservoirSizes & { steps: number }): void {
  exportsOf(backend).esn_generate(
    outputs, loop.state, loop.feedback, loop.pre, 0,
    w.wIn, w.wBack, w.bias, w.wVal, w.wCol, w.wRow, w.wDense, w.wOut,
    sizes.steps, sizes.units, sizes.inputSize, sizes.outputSize, sizes.leakRate,
    sizes.dense ? 1 : 0, sizes.tanhOutput ? 1 : 0, w.wBack !== 0 ? 1 : 0, sizes.features, sizes.linear ? 1 : 0,
  );
}

/**
 * W_out = ((XᵀX + λ·D) \ XᵀY)ᵀ in f64, D = diag(0, 1, …, 1) when the first column is the bias
 * (not regularised), else I. Returns the numerical rank r and whether the pivoted Cholesky ran
 * (λ = 0, or a non-positive pivot); then features left out get 0 (a basic solution).
 */
export function esnRidgeSolve(
  backend: Backend, wOut: number, work: number, tmp: number, perm: number, xtx: number, xty: number,
  sizes: { features: number; outputSize: number; ridge: number; biasColumn: boolean },
): { rank: number; pivoted: boolean } {
  const code = exportsOf(backend).esn_ridge_solve(wOut, work, tmp, perm, xtx, xty, sizes.features, sizes.outputSize, sizes.ridge, sizes.biasColumn ? 1 : 0);
  return { rank: code & ((1 << 30) - 1), pivoted: (code & (1 << 30)) !== 0 };
}

/**
 * The minimum-norm least-squares W_out = ((XᵀX)⁺·XᵀY)ᵀ in f64 (pivoted Cholesky + RZ: a complete
 * orthogonal decomposition of XᵀX). tmp is f64 [2F]. Returns the numerical rank r.
 */
export function esnPinvSolve(
  backend: Backend, wOut: number, work: number, tmp: number, perm: number, xtx: number, xty: number,
  sizes: { features: number; outputSize: number },
): { rank: number } {
  return { rank: exportsOf(backend).esn_pinv_solve(wOut, work, tmp, perm, xtx, xty, sizes.features, sizes.outputSize) };
}
