// TypeScript side of assembly/esn.ts: the only caller of the esn_* exports. Thin on
// purpose: typed arguments over pointers (byte offsets into linear memory; 0 = the part
// is off), no validation — src/esn/ checks every shape and option before it calls.
// Arguments come as outputs, then state and inputs, then the reservoir, then sizes.
//
//   pre(t) = (b + W_in·u(t) + W_back·y(t−1)) + W·x(t−1) + ν(t)
//   x(t)   = (1 − a)·x(t−1) + a·tanh(pre(t))
//   z(t)   = [1; u(t); x(t)]                     F = 1 + I + N readout features (f64)
//   y(t)   = g(W_out·z(t)),   g = identity or tanh
//
// Buffers (row-major; f32 unless marked f64 or i32):
//   reservoir   wIn [I, N];  wBack [O, N] or 0 (no output feedback);  bias [N];
//               W as CSR: wVal [nnz], wCol i32 [nnz], wRow i32 [N + 1] — or dense: wDense [N, N]
//               (the other layout's pointers are 0);  wOut f64 [O, F] (columns: bias, inputs, units)
//   loop state  state [N]: x(t−1) in, the last x out;  feedback [O]: y(t−1) in, the last fed-back
//               value out;  pre [N]: scratch
//   collect     u [T, I];  teacher [T, O] (fed back after step t) or 0 (the readout's y(t) is);
//               targets f64 [T, O] in g⁻¹ space;  noise [T, N] or 0
//               out: states [T, N], outputs [T, O] (y(t) from wOut), xtx f64 [F, F] (upper triangle,
//               accumulated for t ≥ washout), xty f64 [F, O]; zblk f64 [F, KB], dblk f64 [O, KB]
//               scratch (KB = esnBlockSteps()); RLS: rlsP f64 [F, F], rlsZ f64 [F], rlsPz f64 [F]
//               (updates wOut in place for t ≥ washout)
//   generate    outputs [S, O]; the input of step t is y(t−1), read from feedback (needs I = O)
//   ridge solve wOut f64 [O, F] out;  work f64 [F, F], tmp f64 [F], perm i32 [F] scratch;
//               xtx f64 [F, F] (upper triangle read), xty f64 [F, O], both left unchanged
import type { Backend } from '../engine/backend.js';
import { exportsOf } from '../engine/exports.js';

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

/** Drives the reservoir over T steps from `loop`, writing the parts of `out` that are on. */
export function esnCollect(
  backend: Backend, out: CollectOutputs, loop: LoopPointers, inputs: CollectInputs, w: ReservoirPointers, sizes: CollectSizes,
): void {
  exportsOf(backend).esn_collect(
    out.states ?? 0, out.outputs ?? 0, out.xtx ?? 0, out.xty ?? 0, out.zblk ?? 0, out.dblk ?? 0,
    out.rlsP ?? 0, out.rlsZ ?? 0, out.rlsPz ?? 0,
    loop.state, loop.feedback, loop.pre,
    inputs.u, inputs.teacher ?? 0, inputs.targets ?? 0, inputs.noise ?? 0,
    w.wIn, w.wBack, w.bias, w.wVal, w.wCol, w.wRow, w.wDense, w.wOut,
    sizes.timeSteps, sizes.units, sizes.inputSize, sizes.outputSize, sizes.washout, sizes.leakRate,
    sizes.dense ? 1 : 0, sizes.tanhOutput ? 1 : 0, w.wBack !== 0 ? 1 : 0, sizes.forgettingFactor,
  );
}

/** Closed loop for `steps` steps from `loop`: outputs [steps, O]; no state noise. */
export function esnGenerate(backend: Backend, outputs: number, loop: LoopPointers, w: ReservoirPointers, sizes: ReservoirSizes & { steps: number }): void {
  exportsOf(backend).esn_generate(
    outputs, loop.state, loop.feedback, loop.pre, 0,
    w.wIn, w.wBack, w.bias, w.wVal, w.wCol, w.wRow, w.wDense, w.wOut,
    sizes.steps, sizes.units, sizes.inputSize, sizes.outputSize, sizes.leakRate,
    sizes.dense ? 1 : 0, sizes.tanhOutput ? 1 : 0, w.wBack !== 0 ? 1 : 0,
  );
}

/**
 * W_out = ((XᵀX + λ·diag(0, 1, …, 1)) \ XᵀY)ᵀ in f64. Returns the numerical rank r and
 * whether the pivoted Cholesky ran (λ = 0, or a non-positive pivot); features left out get 0.
 */
export function esnRidgeSolve(
  backend: Backend, wOut: number, work: number, tmp: number, perm: number, xtx: number, xty: number,
  sizes: { features: number; outputSize: number; ridge: number },
): { rank: number; pivoted: boolean } {
  const code = exportsOf(backend).esn_ridge_solve(wOut, work, tmp, perm, xtx, xty, sizes.features, sizes.outputSize, sizes.ridge);
  return { rank: code & ((1 << 30) - 1), pivoted: (code & (1 << 30)) !== 0 };
}
