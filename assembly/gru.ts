// GRU over a whole batch of sequences: forward and BPTT backward, one call each.
//
// Buffers (f32, row-major, time-major), gate blocks r, z, n (H columns each):
//   x      [T, B, I];   wIh [I, 3H];   wHh [H, 3H];   bIh [3H];   bHh [3H] (reset-after only)
//   gates  [T, B, 3H]   forward writes the activated gates r, z, n here (after using it for x·W_ih + b_ih)
//   hAll   [T+1, B, H]  hAll[0] = h0 (in); hAll[t+1] = h_t (out)
//   extra  [T, B, H]    reset-after: h_{t−1}·W_hn + b_hn; reset-before: r⊙h_{t−1}
//   zh     [B, 3H]      per-step scratch
// GRU_RESET_AFTER (PyTorch, Keras default, ONNX linear_before_reset = 1):
//   r = σ(x·W_ir + b_ir + h·W_hr + b_hr)   z likewise   n = tanh(x·W_in + b_in + r⊙(h·W_hn + b_hn))
// GRU_RESET_BEFORE (Cho et al. 2014, TF.js):
//   r = σ(x·W_ir + h·W_hr + b_r)           z likewise   n = tanh(x·W_in + (r⊙h)·W_hn + b_n)
// both: h_t = z⊙h_{t−1} + (1 − z)⊙n. Gate activation kind: GATE_SIGMOID, GATE_HARD_SIGMOID (lanes.ts).
// Backward accumulates into every d* buffer; dh carries dh_T in and dh_0 out.
// dZ [T, B, 3H] receives the input pre-activation gradients, dZh [T, B, 3H]
// (reset-after only) the recurrent ones; `packed` (gru_packed_floats) holds the
// recurrent weights packed once per call.
// mask [T, B] (optional, 0 = none): 1 = real step, 0 = padded step. Forward: a padded row
// keeps h_{t−1} (its gates and extra rows are unused). Backward: the fused passes skip it,
// its dZ (and dZh) rows are 0, and dh + dOutput_t is held in dhCarry [B, H] across the
// step's GEMMs, then put back (see cells.ts).
import { gemm_f32, gemm_pack_b, gemm_packed_b_f32, gemm_packed_b_floats, NO_TRANS, TRANS } from "./gemm";
import { addColumnSums, BACKWARD_STEPS, BACKWARD_WEIGHTS, carryPaddedGradients, cellWeightGradients, columnSumsPart, recurrentGradient, copyPaddedRows, fillRows, isPadded, zeroPaddedRows } from "./cells";
import { add, gate, gateGrad, ld, mul, one, zero, st, sub, tanhGrad, vtanh } from "./lanes";

/** Variant codes (the `variant` argument); src/kernels/codes.ts mirrors them. */
export const GRU_RESET_AFTER: i32 = 0;
export const GRU_RESET_BEFORE: i32 = 1;

/** r and z from x-part zx and h-part zh; reset-before also writes r⊙h_prev to rh. */
// @ts-ignore: decorator
@inline function gatesRZ<T>(o: usize, zx: usize, zh: usize, hb: usize, kind: i32): void {
  st<T>(zx + o, gate<T>(kind, add<T>(ld<T>(zx + o), ld<T>(zh + o))));
  st<T>(zx + hb + o, gate<T>(kind, add<T>(ld<T>(zx + hb + o), ld<T>(zh + hb + o))));
}

// @ts-ignore: decorator
@inline function resetHidden<T>(o: usize, zx: usize, hPrev: usize, rh: usize): void {
  st<T>(rh + o, mul<T>(ld<T>(zx + o), ld<T>(hPrev + o)));
}

/** n and h_t. reset-after: n = tanh(zx_n + r⊙zh_n); reset-before: n = tanh(zx_n + zh_n) with zh_n = (r⊙h)·W_hn. */
// @ts-ignore: decorator
@inline function newState<T>(o: usize, zx: usize, zh: usize, hb: usize, hPrev: usize, hOut: usize, extra: usize, after: bool): void {
  const r = ld<T>(zx + o);
  const z = ld<T>(zx + hb + o);
  const zhn = ld<T>(zh + 2 * hb + o);
  const n = vtanh<T>(add<T>(ld<T>(zx + 2 * hb + o), after ? mul<T>(r, zhn) : zhn));
  st<T>(zx + 2 * hb + o, n);
  if (after) st<T>(extra + o, zhn);
  const hp = ld<T>(hPrev + o);
  st<T>(hOut + o, add<T>(mul<T>(z, hp), mul<T>(sub<T>(one<T>(), z), n)));
}

/**
 * Floats of the `packed` scratch: the recurrent weights packed once per call for the
 * per-step GEMMs. Forward: W_hh (reset-after) or W_h{r,z} then W_hn (reset-before);
 * backward: W_hhᵀ (reset-after) or W_h{r,z}ᵀ then W_hnᵀ (reset-before).
 */
export function gru_packed_floats(H: i32, variant: i32): i32 {
  if (variant == GRU_RESET_AFTER) return max(gemm_packed_b_floats(H, 3 * H), gemm_packed_b_floats(3 * H, H));
  return max(gemm_packed_b_floats(H, 2 * H) + gemm_packed_b_floats(H, H), gemm_packed_b_floats(2 * H, H) + gemm_packed_b_floats(H, H));
}

export function gru_forward_f32(
  gates: usize, hAll: usize, extra: usize, zh: usize, packed: usize,
  x: usize, mask: usize, wIh: usize, wHh: usize, bIh: usize, bHh: usize, work: usize,
  T: i32, B: i32, I: i32, H: i32, variant: i32, kind: i32,
): void {
  const after = variant == GRU_RESET_AFTER;
  const H3 = 3 * H;
  const TB = T * B;
  fillRows(gates, bIh, TB, H3);
  gemm_f32(gates, x, wIh, work, TB, H3, I, I, H3, H3, NO_TRANS, NO_TRANS, 1, 1);
  const stateBytes = <usize>(B * H) << 2;
  const zRowBytes = <usize>H3 << 2;
  const hb = <usize>H << 2;
  // Recurrent weights packed once: reset-after W_hh; reset-before W_h{r,z} and W_hn.
  const packedN = packed + (<usize>gemm_packed_b_floats(H, 2 * H) << 2);
  if (after) gemm_pack_b(packed, wHh, H3, NO_TRANS, H, H3);
  else {
    gemm_pack_b(packed, wHh, H3, NO_TRANS, H, 2 * H);
    gemm_pack_b(packedN, wHh + 2 * hb, H3, NO_TRANS, H, H);
  }
  for (let t = 0; t < T; t++) {
    const zt = gates + <usize>t * <usize>B * zRowBytes;
    const hPrevT = hAll + <usize>t * stateBytes;
    const extraT = extra + <usize>t * stateBytes;
    if (after) {
      fillRows(zh, bHh, B, H3);
      gemm_packed_b_f32(zh, hPrevT, packed, work, B, H3, H, H, H3, NO_TRANS, 1, 1);
    } else {
      gemm_packed_b_f32(zh, hPrevT, packed, work, B, 2 * H, H, H, H3, NO_TRANS, 1, 0);
    }
    for (let b = 0; b < B; b++) {
      const zx = zt + <usize>b * zRowBytes;
      const zhRow = zh + <usize>b * zRowBytes;
      let j = 0;
      if (ASC_FEATURE_SIMD) for (; j + 4 <= H; j += 4) gatesRZ<v128>(<usize>j << 2, zx, zhRow, hb, kind);
      for (; j < H; j++) gatesRZ<f32>(<usize>j << 2, zx, zhRow, hb, kind);
      if (!after) {
        const hPrev = hPrevT + <usize>b * hb;
        const rh = extraT + <usize>b * hb;
        j = 0;
        if (ASC_FEATURE_SIMD) for (; j + 4 <= H; j += 4) resetHidden<v128>(<usize>j << 2, zx, hPrev, rh);
        for (; j < H; j++) resetHidden<f32>(<usize>j << 2, zx, hPrev, rh);
      }
    }
    // reset-before: zh_n = (r⊙h)·W_hn for the whole batch
    if (!after) gemm_packed_b_f32(zh + 2 * hb, extraT, packedN, work, B, H, H, H, H3, NO_TRANS, 1, 0);
    for (let b = 0; b < B; b++) {
      const zx = zt + <usize>b * zRowBytes;
      const zhRow = zh + <usize>b * zRowBytes;
      const hPrev = hPrevT + <usize>b * hb;
      const hOut = hPrevT + stateBytes + <usize>b * hb;
      const ex = extraT + <usize>b * hb;
      let j = 0;
      if (ASC_FEATURE_SIMD) for (; j + 4 <= H; j += 4) newState<v128>(<usize>j << 2, zx, zhRow, hb, hPrev, hOut, ex, after);
      for (; j < H; j++) newState<f32>(<usize>j << 2, zx, zhRow, hb, hPrev, hOut, ex, after);
    }
    if (mask) copyPaddedRows(hPrevT + stateBytes, hPrevT, mask + (<usize>(t * B) << 2), B, H);
  }
}

/**
 * Backward, part 1 of a step, per unit: from dh (+ dOutput) to dz_z and dn_pre
 * (stored in dZ), and dh ← dh⊙z (the direct path to h_{t−1}). Reset-after also
 * finishes r here (dr = dn_pre⊙zh_n) and fills dZh.
 */
// @ts-ignore: decorator
@inline function backwardLanes<T>(
  o: usize, g: usize, dz: usize, dzh: usize, hb: usize, dh: usize, dOut: usize, hPrev: usize, ex: usize, after: bool, kind: i32,
): void {
  let dhj = ld<T>(dh + o);
  if (dOut) dhj = add<T>(dhj, ld<T>(dOut + o));
  const r = ld<T>(g + o);
  const z = ld<T>(g + hb + o);
  const n = ld<T>(g + 2 * hb + o);
  const hp = ld<T>(hPrev + o);
  const dzz = gateGrad<T>(kind, z, mul<T>(dhj, sub<T>(hp, n)));
  const dnPre = tanhGrad<T>(n, mul<T>(dhj, sub<T>(one<T>(), z)));
  st<T>(dh + o, mul<T>(dhj, z));
  st<T>(dz + hb + o, dzz);
  st<T>(dz + 2 * hb + o, dnPre);
  if (after) {
    const dzr = gateGrad<T>(kind, r, mul<T>(dnPre, ld<T>(ex + o)));
    st<T>(dz + o, dzr);
    st<T>(dzh + o, dzr);
    st<T>(dzh + hb + o, dzz);
    st<T>(dzh + 2 * hb + o, mul<T>(dnPre, r));
  }
}

/** Reset-before, part 2: with drh = dn_pre·W_hnᵀ, dz_r = σ′·(drh⊙h_prev) and dh += drh⊙r. */
// @ts-ignore: decorator
@inline function resetBeforeLanes<T>(o: usize, g: usize, dz: usize, dh: usize, drh: usize, hPrev: usize, kind: i32): void {
  const d = ld<T>(drh + o);
  const r = ld<T>(g + o);
  st<T>(dz + o, gateGrad<T>(kind, r, mul<T>(d, ld<T>(hPrev + o))));
  st<T>(dh + o, add<T>(ld<T>(dh + o), mul<T>(d, r)));
}

/**
 * BPTT, or one of its phases (assembly/cells.ts BACKWARD_*): BACKWARD_STEPS, the T steps backward
 * (dZ and the state gradients: what a batch shard runs on its own rows); BACKWARD_WEIGHTS, the
 * weight and bias gradients and dX from a dZ of every row, part `part` of `parts` (0 of 1: all of
 * it; the steps ignore these two); both: the whole backward.
 */
export function gru_backward_f32(
  dX: usize, dWIh: usize, dWHh: usize, dBIh: usize, dBHh: usize,
  dh: usize, dZ: usize, dZh: usize, drh: usize, packed: usize, dhCarry: usize,
  dOutput: usize, gates: usize, hAll: usize, extra: usize,
  x: usize, mask: usize, wIh: usize, wHh: usize, work: usize,
  T: i32, B: i32, I: i32, H: i32, variant: i32, kind: i32, phase: i32, part: i32, parts: i32): void {
  const after = variant == GRU_RESET_AFTER;
  const H3 = 3 * H;
  const TB = T * B;
  const stateBytes = <usize>(B * H) << 2;
  const zRowBytes = <usize>H3 << 2;
  const hb = <usize>H << 2;
  // reset-after: W_hhᵀ [3H, H]; reset-before: W_h{r,z}ᵀ [2H, H], then W_hnᵀ [H, H]
  const packedN = packed + (<usize>gemm_packed_b_floats(2 * H, H) << 2);
  if (phase & BACKWARD_STEPS) {
    if (after) gemm_pack_b(packed, wHh, H3, TRANS, H3, H);
    else {
      gemm_pack_b(packed, wHh, H3, TRANS, 2 * H, H);
      gemm_pack_b(packedN, wHh + 2 * hb, H3, TRANS, H, H);
    }
    for (let t = T - 1; t >= 0; t--) {
      const dzT = dZ + <usize>t * <usize>B * zRowBytes;
      const dzhT = dZh + <usize>t * <usize>B * zRowBytes;
      const gT = gates + <usize>t * <usize>B * zRowBytes;
      const hPrevT = hAll + <usize>t * stateBytes;
      const maskRow = mask ? mask + (<usize>(t * B) << 2) : 0;
      if (mask) {
        carryPaddedGradients(dhCarry, dh, dOutput ? dOutput + <usize>t * stateBytes : 0, maskRow, B, H);
        zeroPaddedRows(dzT, maskRow, B, H3);
        if (after) zeroPaddedRows(dzhT, maskRow, B, H3);
      }
      for (let b = 0; b < B; b++) {
        if (mask && isPadded(maskRow, b)) continue;
        const rowH = <usize>b * hb;
        const rowZ = <usize>b * zRowBytes;
        const dOut = dOutput ? dOutput + <usize>t * stateBytes + rowH : 0;
        const ex = extra + <usize>t * stateBytes + rowH;
        let j = 0;
        if (ASC_FEATURE_SIMD) {
          for (; j + 4 <= H; j += 4) backwardLanes<v128>(<usize>j << 2, gT + rowZ, dzT + rowZ, dzhT + rowZ, hb, dh + rowH, dOut, hPrevT + rowH, ex, after, kind);
        }
        for (; j < H; j++) backwardLanes<f32>(<usize>j << 2, gT + rowZ, dzT + rowZ, dzhT + rowZ, hb, dh + rowH, dOut, hPrevT + rowH, ex, after, kind);
      }
      if (after) {
        // dh_{t−1} = dh⊙z + dZh_t · W_hhᵀ
        gemm_packed_b_f32(dh, dzhT, packed, work, B, H, H3, H3, H, NO_TRANS, 1, 1);
      } else {
        // drh = dn_pre · W_hnᵀ, then r's gradient and the r⊙h path, then dh += dz_{r,z} · W_h{r,z}ᵀ
        gemm_packed_b_f32(drh, dzT + 2 * hb, packedN, work, B, H, H, H3, H, NO_TRANS, 1, 0);
        for (let b = 0; b < B; b++) {
          if (mask && isPadded(maskRow, b)) continue;
          const rowH = <usize>b * hb;
          const rowZ = <usize>b * zRowBytes;
          let j = 0;
          if (ASC_FEATURE_SIMD) {
            for (; j + 4 <= H; j += 4) resetBeforeLanes<v128>(<usize>j << 2, gT + rowZ, dzT + rowZ, dh + rowH, drh + rowH, hPrevT + rowH, kind);
          }
          for (; j < H; j++) resetBeforeLanes<f32>(<usize>j << 2, gT + rowZ, dzT + rowZ, dh + rowH, drh + rowH, hPrevT + rowH, kind);
        }
        gemm_packed_b_f32(dh, dzT, packed, work, B, H, 2 * H, H3, H, NO_TRANS, 1, 1);
      }
      if (mask) copyPaddedRows(dh, dhCarry, maskRow, B, H);
    }
  }
  if (phase & BACKWARD_WEIGHTS) {
    if (after) {
      cellWeightGradients(dX, dWIh, dWHh, dBIh, dZ, dZh, x, hAll, wIh, work, TB, I, H, H3, H3, part, parts);
      columnSumsPart(dBHh, dZh, TB, H3, H3, part, parts);
    } else {
      // r and z see h_{t−1}; n sees r⊙h_{t−1} (extra): its W_hn gradient is its own GEMM.
      cellWeightGradients(dX, dWIh, dWHh, dBIh, dZ, dZ, x, hAll, wIh, work, TB, I, H, H3, 2 * H, part, parts);
      recurrentGradient(dWHh + 2 * hb, extra, dZ + 2 * hb, work, TB, H, H, H3, part, parts);
    }
  }
}
