// LSTM over a whole batch of sequences: forward and BPTT backward, one call each.
//
// Buffers (f32, row-major, time-major):
//   x      [T, B, I]        input
//   wIh    [I, G·H]         input weights;   wHh [H, G·H] recurrent weights;   bias [G·H]
//   peepI, peepF, peepO [H] each, or 0: the peephole weights p_i, p_f, p_o (LSTM_PEEPHOLE only; a gate whose
//                   pointer is 0 has no peephole; with the other variants all are ignored); dPeepI… likewise
//   gates  [T, B, G·H]      forward writes the activated gates here (after using it for z)
//   hAll   [T+1, B, H]      hAll[0] = h0 (in); hAll[t+1] = h_t (out)
//   cAll   [T+1, B, H]      cAll[0] = c0 (in); cAll[t+1] = c_t (out)
//   tanhC  [T, B, H]        tanh(c_t), kept for backward
// Gate blocks, H columns each: variants LSTM_STANDARD and LSTM_PEEPHOLE: i, f, g, o (G = 4);
// LSTM_COUPLED (f = 1 − i) and LSTM_NO_FORGET (f = 1): i, g, o (G = 3).
// Gate activation kind: GATE_SIGMOID, GATE_HARD_SIGMOID (TF.js: clip(0.2·x + 0.5, 0, 1)), lanes.ts.
//
// Forward:  z = x·W_ih + b (one GEMM for all steps); per step z_t += h_{t−1}·W_hh (the
// only per-step GEMM), then one fused pass:
//   i = σ(z_i [+ p_i⊙c_{t−1}])   f = σ(z_f [+ p_f⊙c_{t−1}]) | 1 − i | 1   g = tanh(z_g)
//   c_t = f⊙c_{t−1} + i⊙g        o = σ(z_o [+ p_o⊙c_t])      h_t = o⊙tanh(c_t)
// Backward walks t = T−1 … 0: a fused pass turns dh, dc into dz_t, then
// dh_{t−1} = dz_t·W_hhᵀ (W_hh, then W_hhᵀ, packed once per call into `packed`,
// lstm_packed_floats(H, variant) floats). After the loop:
// dW_ih += xᵀ·dz, dW_hh += h_prevᵀ·dz, dx += dz·W_ihᵀ, db += Σ dz. All gradients
// accumulate (+=); dh and dc carry dh_T, dc_T in and dh_0, dc_0 out.
// mask [T, B] (optional, 0 = none): 1 = real step, 0 = padded step. Forward: a padded row
// keeps h_{t−1} and c_{t−1} (its gates and tanhC rows are unused). Backward: the fused pass
// skips it, its dz row is 0, dc passes unchanged, and dh + dOutput_t is held in
// dhCarry [B, H] across the dh GEMM, then put back (see cells.ts).
import { gemm_f32, gemm_pack_b, gemm_packed_b_f32, gemm_packed_b_floats, NO_TRANS, TRANS } from "./gemm";
import { BACKWARD_STEPS, BACKWARD_WEIGHTS, carryPaddedGradients, cellWeightGradients, copyPaddedRows, fillRows, isPadded, zeroPaddedRows } from "./cells";
import { add, gate, gateGrad, ld, mul, one, zero, st, sub, tanhGrad, vtanh } from "./lanes";

/** Variant codes (the `variant` argument); src/kernels/codes.ts mirrors them. */
export const LSTM_STANDARD: i32 = 0;
export const LSTM_PEEPHOLE: i32 = 1;
export const LSTM_COUPLED: i32 = 2;
export const LSTM_NO_FORGET: i32 = 3;

// @ts-ignore: decorator
@inline function gateCount(variant: i32): i32 {
  return variant <= LSTM_PEEPHOLE ? 4 : 3;
}

/** One fused forward update of lanes<T>() units at byte offset o of a row. */
// @ts-ignore: decorator
@inline function forwardLanes<T>(o: usize, z: usize, H: usize, cPrev: usize, cOut: usize, hOut: usize, tcOut: usize, pI: usize, pF: usize, pO: usize, variant: i32, kind: i32): void {
  const four = variant <= LSTM_PEEPHOLE;
  const hb = H << 2; // bytes per gate block
  const gOff: usize = four ? 2 * hb : hb;
  const oOff: usize = four ? 3 * hb : 2 * hb;
  const cp = ld<T>(cPrev + o);
  let zi = ld<T>(z + o);
  let zo = ld<T>(z + oOff + o);
  let f: T;
  if (pI) zi = add<T>(zi, mul<T>(ld<T>(pI + o), cp));
  const i = gate<T>(kind, zi);
  if (four) {
    let zf = ld<T>(z + hb + o);
    if (pF) zf = add<T>(zf, mul<T>(ld<T>(pF + o), cp));
    f = gate<T>(kind, zf);
    st<T>(z + hb + o, f);
  } else if (variant == LSTM_COUPLED) {
    f = sub<T>(one<T>(), i);
  } else {
    f = one<T>();
  }
  const g = vtanh<T>(ld<T>(z + gOff + o));
  const c = add<T>(mul<T>(f, cp), mul<T>(i, g));
  if (pO) zo = add<T>(zo, mul<T>(ld<T>(pO + o), c));
  const og = gate<T>(kind, zo);
  const tc = vtanh<T>(c);
  st<T>(z + o, i);
  st<T>(z + gOff + o, g);
  st<T>(z + oOff + o, og);
  st<T>(cOut + o, c);
  st<T>(tcOut + o, tc);
  st<T>(hOut + o, mul<T>(og, tc));
}

/** Floats of the `packed` scratch both lstm kernels need. */
export function lstm_packed_floats(H: i32, variant: i32): i32 {
  const GH = gateCount(variant) * H;
  return max(gemm_packed_b_floats(H, GH), gemm_packed_b_floats(GH, H));
}

export function lstm_forward_f32(
  gates: usize, hAll: usize, cAll: usize, tanhC: usize, packed: usize,
  x: usize, mask: usize, wIh: usize, wHh: usize, bias: usize, peepI: usize, peepF: usize, peepO: usize, work: usize,
  T: i32, B: i32, I: i32, H: i32, variant: i32, kind: i32,
): void {
  const G = gateCount(variant);
  const GH = G * H;
  const TB = T * B;
  const pI = variant == LSTM_PEEPHOLE ? peepI : 0;
  const pF = variant == LSTM_PEEPHOLE ? peepF : 0;
  const pO = variant == LSTM_PEEPHOLE ? peepO : 0;
  fillRows(gates, bias, TB, GH);
  gemm_f32(gates, x, wIh, work, TB, GH, I, I, GH, GH, NO_TRANS, NO_TRANS, 1, 1);
  gemm_pack_b(packed, wHh, GH, NO_TRANS, H, GH); // W_hh packed once for all T steps
  const stateBytes = <usize>(B * H) << 2;
  const zRowBytes = <usize>GH << 2;
  const hRowBytes = <usize>H << 2;
  for (let t = 0; t < T; t++) {
    const zt = gates + <usize>t * <usize>B * zRowBytes;
    const hPrev = hAll + <usize>t * stateBytes;
    gemm_packed_b_f32(zt, hPrev, packed, work, B, GH, H, H, GH, NO_TRANS, 1, 1);
    for (let b = 0; b < B; b++) {
      const z = zt + <usize>b * zRowBytes;
      const row = <usize>(t * B + b) * hRowBytes;
      const cPrev = cAll + row;
      const cOut = cAll + stateBytes + row;
      const hOut = hAll + stateBytes + row;
      const tcOut = tanhC + row;
      let j = 0;
      if (ASC_FEATURE_SIMD) {
        for (; j + 4 <= H; j += 4) forwardLanes<v128>(<usize>j << 2, z, <usize>H, cPrev, cOut, hOut, tcOut, pI, pF, pO, variant, kind);
      }
      for (; j < H; j++) forwardLanes<f32>(<usize>j << 2, z, <usize>H, cPrev, cOut, hOut, tcOut, pI, pF, pO, variant, kind);
    }
    if (mask) {
      const maskRow = mask + (<usize>(t * B) << 2);
      const cPrevT = cAll + <usize>t * stateBytes;
      copyPaddedRows(hPrev + stateBytes, hPrev, maskRow, B, H);
      copyPaddedRows(cPrevT + stateBytes, cPrevT, maskRow, B, H);
    }
  }
}

/** One fused backward update: dh, dc (row) → dz row, dc ← dc_{t−1}, peephole gradients. */
// @ts-ignore: decorator
@inline function backwardLanes<T>(
  o: usize, gz: usize, dz: usize, H: usize, dh: usize, dOut: usize, dc: usize,
  cPrev: usize, c: usize, tc: usize, pI: usize, pF: usize, pO: usize, dPI: usize, dPF: usize, dPO: usize, variant: i32, kind: i32,
): void {
  const four = variant <= LSTM_PEEPHOLE;
  const hb = H << 2;
  const gOff: usize = four ? 2 * hb : hb;
  const oOff: usize = four ? 3 * hb : 2 * hb;
  let dhj = ld<T>(dh + o);
  if (dOut) dhj = add<T>(dhj, ld<T>(dOut + o));
  const i = ld<T>(gz + o);
  const g = ld<T>(gz + gOff + o);
  const og = ld<T>(gz + oOff + o);
  const tcj = ld<T>(tc + o);
  const cp = ld<T>(cPrev + o);
  const dzo = gateGrad<T>(kind, og, mul<T>(dhj, tcj));
  let dcj = add<T>(ld<T>(dc + o), tanhGrad<T>(tcj, mul<T>(dhj, og)));
  if (pO) dcj = add<T>(dcj, mul<T>(dzo, ld<T>(pO + o)));
  let di = mul<T>(dcj, g);
  if (variant == LSTM_COUPLED) di = sub<T>(di, mul<T>(dcj, cp));
  const dzi = gateGrad<T>(kind, i, di);
  const dzg = tanhGrad<T>(g, mul<T>(dcj, i));
  let dcPrev: T;
  if (four) {
    const f = ld<T>(gz + hb + o);
    const dzf = gateGrad<T>(kind, f, mul<T>(dcj, cp));
    dcPrev = mul<T>(dcj, f);
    // The peephole terms, each gate's only when it has one (the same order of additions as with all three).
    if (pI && pF) dcPrev = add<T>(dcPrev, add<T>(mul<T>(dzi, ld<T>(pI + o)), mul<T>(dzf, ld<T>(pF + o))));
    else if (pI) dcPrev = add<T>(dcPrev, mul<T>(dzi, ld<T>(pI + o)));
    else if (pF) dcPrev = add<T>(dcPrev, mul<T>(dzf, ld<T>(pF + o)));
    if (pI) st<T>(dPI + o, add<T>(ld<T>(dPI + o), mul<T>(dzi, cp)));
    if (pF) st<T>(dPF + o, add<T>(ld<T>(dPF + o), mul<T>(dzf, cp)));
    if (pO) st<T>(dPO + o, add<T>(ld<T>(dPO + o), mul<T>(dzo, ld<T>(c + o))));
    st<T>(dz + hb + o, dzf);
  } else if (variant == LSTM_COUPLED) {
    dcPrev = mul<T>(dcj, sub<T>(one<T>(), i));
  } else {
    dcPrev = dcj;
  }
  st<T>(dc + o, dcPrev);
  st<T>(dz + o, dzi);
  st<T>(dz + gOff + o, dzg);
  st<T>(dz + oOff + o, dzo);
}

/**
 * BPTT, or one of its phases (assembly/cells.ts BACKWARD_*): BACKWARD_STEPS, the T steps backward
 * (dZ and the state gradients: what a batch shard runs on its own rows); BACKWARD_WEIGHTS, the
 * weight and bias gradients and dX from a dZ of every row, part `part` of `parts` (0 of 1: all of
 * it; the steps ignore these two); both: the whole backward.
 */
export function lstm_backward_f32(
  dX: usize, dWIh: usize, dWHh: usize, dBias: usize, dPeepI: usize, dPeepF: usize, dPeepO: usize,
  dh: usize, dc: usize, dZ: usize, packed: usize, dhCarry: usize,
  dOutput: usize, gates: usize, hAll: usize, cAll: usize, tanhC: usize,
  x: usize, mask: usize, wIh: usize, wHh: usize, peepI: usize, peepF: usize, peepO: usize, work: usize,
  T: i32, B: i32, I: i32, H: i32, variant: i32, kind: i32, phase: i32, part: i32, parts: i32): void {
  const pI = variant == LSTM_PEEPHOLE ? peepI : 0;
  const pF = variant == LSTM_PEEPHOLE ? peepF : 0;
  const pO = variant == LSTM_PEEPHOLE ? peepO : 0;
  const G = gateCount(variant);
  const GH = G * H;
  const TB = T * B;
  const stateBytes = <usize>(B * H) << 2;
  const zRowBytes = <usize>GH << 2;
  const hRowBytes = <usize>H << 2;
  if (phase & BACKWARD_STEPS) {
    gemm_pack_b(packed, wHh, GH, TRANS, GH, H); // W_hhᵀ packed once for all T steps
    for (let t = T - 1; t >= 0; t--) {
      const dzT = dZ + <usize>t * <usize>B * zRowBytes;
      const maskRow = mask ? mask + (<usize>(t * B) << 2) : 0;
      if (mask) {
        carryPaddedGradients(dhCarry, dh, dOutput ? dOutput + <usize>t * stateBytes : 0, maskRow, B, H);
        zeroPaddedRows(dzT, maskRow, B, GH);
      }
      for (let b = 0; b < B; b++) {
        if (mask && isPadded(maskRow, b)) continue;
        const row = <usize>(t * B + b) * hRowBytes;
        const zRow = <usize>(t * B + b) * zRowBytes;
        const dhRow = dh + <usize>b * hRowBytes;
        const dcRow = dc + <usize>b * hRowBytes;
        const dOut = dOutput ? dOutput + row : 0;
        const cPrev = cAll + row;
        const c = cAll + stateBytes + row;
        let j = 0;
        if (ASC_FEATURE_SIMD) {
          for (; j + 4 <= H; j += 4) {
            backwardLanes<v128>(<usize>j << 2, gates + zRow, dZ + zRow, <usize>H, dhRow, dOut, dcRow, cPrev, c, tanhC + row, pI, pF, pO, dPeepI, dPeepF, dPeepO, variant, kind);
          }
        }
        for (; j < H; j++) {
          backwardLanes<f32>(<usize>j << 2, gates + zRow, dZ + zRow, <usize>H, dhRow, dOut, dcRow, cPrev, c, tanhC + row, pI, pF, pO, dPeepI, dPeepF, dPeepO, variant, kind);
        }
      }
      // dh_{t−1} = dz_t · W_hhᵀ
      gemm_packed_b_f32(dh, dzT, packed, work, B, H, GH, GH, H, NO_TRANS, 1, 0);
      if (mask) copyPaddedRows(dh, dhCarry, maskRow, B, H);
    }
  }
  if (phase & BACKWARD_WEIGHTS) {
    cellWeightGradients(dX, dWIh, dWHh, dBias, dZ, dZ, x, hAll, wIh, work, TB, I, H, GH, GH, part, parts);
  }
}
