// Pieces every recurrent cell kernel shares: bias broadcast, column sums for
// bias gradients, the weight gradients that end every backward, and the per-row
// steps of masks (padded steps).
import { gemm_f32, NO_TRANS, TRANS } from "./gemm";

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
 * The gradients every cell's backward ends with, once dZ holds all T steps. N = gate columns
 * (H, G·H or 3H); TB = T·B rows:
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
  TB: i32, I: i32, H: i32, N: i32, nh: i32,
): void {
  gemm_f32(dWIh, x, dZ, work, I, N, TB, I, N, N, TRANS, NO_TRANS, 1, 1);
  gemm_f32(dWHh, hPrev, dZh, work, H, nh, TB, H, N, N, TRANS, NO_TRANS, 1, 1);
  gemm_f32(dX, dZ, wIh, work, TB, I, N, N, N, I, NO_TRANS, TRANS, 1, 1);
  addColumnSums(dBias, dZ, TB, N, N);
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

// ---- backward phases (assembly/threads.ts: batch shards run the steps, then one call the weights) ----
/** The T steps backward: dZ and the state gradients. */
export const BACKWARD_STEPS: i32 = 1;
/** The weight gradients, bias gradients and dX from dZ over all T·B rows. */
export const BACKWARD_WEIGHTS: i32 = 2;
