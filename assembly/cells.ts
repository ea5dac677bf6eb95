// Pieces every recurrent cell kernel shares: bias broadcast, column sums for
// bias gradients, the weight gradients that end every backward, and the per-row
// steps of masks (padded steps).
import { gemm_f32, MR, NO_TRANS, NR, TRANS } from "./gemm";

/** dst[r, :] = src[:] for r < rows (row stride n). Sets the bias before an accumulating GEMM. */
export function fillRows(dst: usize, src: usize, rows: i32, n: i32): void {
  const bytes = <usize>n << 2;
  for (let r = 0; r < rows; r++) memory.copy(dst + <usize>r * bytes, src, bytes);
}

/** dst[j] += Σ_r src[r·ld + j] for j < n, summed in increasing r. */
export function addColumnSums(dst: usize, src: usize, rows: i32, n: i32, ld: i32): void {
  const ldBytes = <usize>ld << 2;
  let j = 0;
  if (ASC_FEATURE_SIMD) {
    for (; j + 4 <= n; j += 4) {
      const o = <usize>j << 2;
      let s = v128.load(dst + o);
      let p = src + o;
      for (let r = 0; r < rows; r++) {
        s = f32x4.add(s, v128.load(p));
        p += ldBytes;
      }
      v128.store(dst + o, s);
    }
  }
  for (; j < n; j++) {
    const o = <usize>j << 2;
    let s = load<f32>(dst + o);
    let p = src + o;
    for (let r = 0; r < rows; r++) {
      s += load<f32>(p);
      p += ldBytes;
    }
    store<f32>(dst + o, s);
  }
}

/**
 * Where part `part` of `parts` starts over n items cut at multiples of `granule` (part = parts
 * gives n). The weight phase of a backward may be split into parts run on different threads;
 * every part of a product owns whole rows or whole columns of its output, so each element is
 * summed exactly as in one call (gemm_f32 sums in increasing k whatever block holds the element).
 */
// @ts-ignore: decorator
@inline export function partStart(n: i32, granule: i32, part: i32, parts: i32): i32 {
  const chunks = (n + granule - 1) / granule;
  return min(n, <i32>(<i64>chunks * <i64>part / <i64>parts) * granule);
}

/**
 * Part `part` of `parts` of the input side of a cell's weight phase. N = gate columns, TB = T·B rows:
 *   dWIh [I, N] += xᵀ·dZ (its part of the columns)     dBias [N] += Σ_rows dZ (the same columns)
 *   dX [TB, I] += dZ·W_ihᵀ (its part of the rows)
 */
export function inputGradients(
  dX: usize, dWIh: usize, dBias: usize, dZ: usize, x: usize, wIh: usize, work: usize,
  TB: i32, I: i32, N: i32, part: i32, parts: i32,
): void {
  const j0 = partStart(N, NR, part, parts);
  const j1 = partStart(N, NR, part + 1, parts);
  const r0 = partStart(TB, MR, part, parts);
  const r1 = partStart(TB, MR, part + 1, parts);
  const col = <usize>j0 << 2;
  if (j1 > j0) {
    gemm_f32(dWIh + col, x, dZ + col, work, I, j1 - j0, TB, I, N, N, TRANS, NO_TRANS, 1, 1);
    addColumnSums(dBias + col, dZ + col, TB, j1 - j0, N);
  }
  if (r1 > r0) gemm_f32(dX + (<usize>r0 * <usize>I << 2), dZ + (<usize>r0 * <usize>N << 2), wIh, work, r1 - r0, I, N, N, N, I, NO_TRANS, TRANS, 1, 1);
}

/** Part `part` of `parts` of dW [H, n] (row stride ld) += hPrevᵀ·dZh[:, 0 … n−1] (dZh row stride ld, hPrev [TB, H]): its columns. */
export function recurrentGradient(dW: usize, hPrev: usize, dZh: usize, work: usize, TB: i32, H: i32, n: i32, ld: i32, part: i32, parts: i32): void {
  const j0 = partStart(n, NR, part, parts);
  const j1 = partStart(n, NR, part + 1, parts);
  const col = <usize>j0 << 2;
  if (j1 > j0) gemm_f32(dW + col, hPrev, dZh + col, work, H, j1 - j0, TB, H, ld, ld, TRANS, NO_TRANS, 1, 1);
}

/** Part `part` of `parts` of dst [n] += Σ_r src[r·ld + j]: its columns. */
export function columnSumsPart(dst: usize, src: usize, rows: i32, n: i32, ld: i32, part: i32, parts: i32): void {
  const j0 = partStart(n, NR, part, parts);
  const j1 = partStart(n, NR, part + 1, parts);
  const col = <usize>j0 << 2;
  if (j1 > j0) addColumnSums(dst + col, src + col, rows, j1 - j0, ld);
}

/**
 * The gradients every cell's backward ends with, once dZ holds all T steps (part `part` of
 * `parts`; 0 of 1 is the whole). N = gate columns (H, G·H or 3H); TB = T·B rows:
 *   dZ [TB, N] input pre-activation gradients;  dZh [TB, ≥ nh] (row stride N) recurrent ones
 *   x [TB, I];  hPrev [TB, H] = hAll[0 … T−1];  wIh [I, N]
 *   dWIh [I, N] += xᵀ·dZ        dX [TB, I] += dZ·W_ihᵀ        dBias [N] += Σ_rows dZ
 *   dWHh [H, N] columns 0 … nh−1 += hPrevᵀ·dZh[:, 0 … nh−1]
 * rnn and lstm pass dZh = dZ and nh = N; GRU reset-after its own dZh; reset-before nh = 2H
 * (the n block's recurrent input is r⊙h, not h: it does that GEMM itself). Every product
 * accumulates (beta = 1) into its own buffer, so both builds sum in the same order.
 */
export function cellWeightGradients(
  dX: usize, dWIh: usize, dWHh: usize, dBias: usize,
  dZ: usize, dZh: usize, x: usize, hPrev: usize, wIh: usize, work: usize,
  TB: i32, I: i32, H: i32, N: i32, nh: i32, part: i32, parts: i32,
): void {
  inputGradients(dX, dWIh, dBias, dZ, x, wIh, work, TB, I, N, part, parts);
  recurrentGradient(dWHh, hPrev, dZh, work, TB, H, nh, N, part, parts);
}

// ---- masks for variable-length batches ----
// mask [T, B] f32, 1 = real step, 0 = padded step; the kernels pass the row of one step
// (B floats). At a padded step (t, b) the state does not advance, its dZ row is 0, and the
// gradient arriving at h_t[b] (dh + dOutput_t) passes unchanged to h_{t−1}[b].

/** True when row b of this step's mask row is a padded step. */
// @ts-ignore: decorator
@inline export function isPadded(maskRow: usize, b: i32): bool {
  return load<f32>(maskRow + (<usize>b << 2)) == 0;
}

/** dst[b, :] = src[b, :] (n floats per row) for each padded row b < B. Forward: a padded step keeps the previous state. */
export function copyPaddedRows(dst: usize, src: usize, maskRow: usize, B: i32, n: i32): void {
  const bytes = <usize>n << 2;
  for (let b = 0; b < B; b++) {
    if (isPadded(maskRow, b)) memory.copy(dst + <usize>b * bytes, src + <usize>b * bytes, bytes);
  }
}

/** dst[b, :] = 0 (n floats per row) for each padded row b < B. Backward: a padded step's dZ row. */
export function zeroPaddedRows(dst: usize, maskRow: usize, B: i32, n: i32): void {
  const bytes = <usize>n << 2;
  for (let b = 0; b < B; b++) {
    if (isPadded(maskRow, b)) memory.fill(dst + <usize>b * bytes, 0, bytes);
  }
}

/**
 * carry[b, :] = dh[b, :] + dOut[b, :] (H floats per row; dOut may be 0) for each padded row
 * b < B: the gradient arriving at h_t[b], held while the step's GEMMs overwrite dh, then put
 * back with copyPaddedRows(dh, carry, …). Elementwise, so both builds give the same bits.
 */
export function carryPaddedGradients(carry: usize, dh: usize, dOut: usize, maskRow: usize, B: i32, H: i32): void {
  const bytes = <usize>H << 2;
  for (let b = 0; b < B; b++) {
    if (!isPadded(maskRow, b)) continue;
    const row = <usize>b * bytes;
    if (!dOut) {
      memory.copy(carry + row, dh + row, bytes);
      continue;
    }
    let j = 0;
    if (ASC_FEATURE_SIMD) {
      for (; j + 4 <= H; j += 4) {
        const o = row + (<usize>j << 2);
        v128.store(carry + o, f32x4.add(v128.load(dh + o), v128.load(dOut + o)));
      }
    }
    for (; j < H; j++) {
      const o = row + (<usize>j << 2);
      store<f32>(carry + o, load<f32>(dh + o) + load<f32>(dOut + o));
    }
  }
}

/** dst[j] += src[j], j < n: one f32 add per element, vector body and scalar tail alike (both builds give the same bits). */
// @ts-ignore: decorator
@inline export function addRow(dst: usize, src: usize, n: i32): void {
  let j = 0;
  if (ASC_FEATURE_SIMD) {
    for (; j + 4 <= n; j += 4) {
      const o = <usize>j << 2;
      v128.store(dst + o, f32x4.add(v128.load(dst + o), v128.load(src + o)));
    }
  }
  for (; j < n; j++) {
    const o = <usize>j << 2;
    store<f32>(dst + o, load<f32>(dst + o) + load<f32>(src + o));
  }
}

// ---- backward phases (the phase argument of rnn/lstm/gru_backward_f32: batch shards run the steps, then the weights in parts) ----
/** The T steps backward: dZ and the state gradients. */
export const BACKWARD_STEPS: i32 = 1;
/** The weight gradients, bias gradients and dX from dZ over all T·B rows. */
export const BACKWARD_WEIGHTS: i32 = 2;
