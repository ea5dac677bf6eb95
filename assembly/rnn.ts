// SimpleRNN over a whole batch of sequences: forward and BPTT backward. Four recurrences
// (`variant`), a = f(z) with f ∈ {RNN_TANH, RNN_RELU, RNN_SIGMOID}:
//   RNN_ELMAN     h_t = f(x_t·W_ih + h_{t−1}·W_hh + b)                W_hh [H, H]
//   RNN_LINEAR    h_t = h_{t−1} + f(x_t·W_ih + b)                     no W_hh
//   RNN_RESIDUAL  h_t = h_{t−1} + f(x_t·W_ih + h_{t−1}·W_hh + b)      W_hh [H, H]
//   RNN_DIAGONAL  h_t = f(x_t·W_ih + u ⊙ h_{t−1} + b)  (IndRNN)        wHh = u [H]
// The linear and residual forms keep a_t = f(z_t) in act [T, B, H] for backward (act = 0 otherwise).
// Backward (g = dh + dOutput_t, the gradient at h_t): dz_t = g ⊙ f′(a_t); then dh_{t−1} =
// dz_t·W_hhᵀ (Elman), g + dz_t·W_hhᵀ (residual), g (linear), dz_t ⊙ u (diagonal); du = Σ dz ⊙ h_{t−1}.
//
// Buffers (f32, row-major, time-major):
//   x [T, B, I];  wIh [I, H];  wHh [H, H];  bias [H]
//   hAll [T+1, B, H]: hAll[0] = h0 (in), hAll[t+1] = h_t = f(x_t·W_ih + h_{t−1}·W_hh + b) (out).
//   The pre-activations are computed in place in hAll[1..T]; f ∈ {RNN_TANH, RNN_RELU, RNN_SIGMOID}.
// Backward: dz_t = (dh + dOutput_t) ⊙ f′(h_t) (f′ from the output) into dZ [T, B, H];
// dh_{t−1} = dz_t·W_hhᵀ (W_hhᵀ packed once into `packed`); then dW_ih += xᵀ·dZ, dW_hh += h_prevᵀ·dZ,
// dx += dZ·W_ihᵀ, db += Σ dZ. Everything accumulates; dh carries dh_T in and dh_0 out.
// mask [T, B] (optional, 0 = none): 1 = real step, 0 = padded step. Forward: a padded row
// keeps h_{t−1}. Backward: its dz row is 0 and dh + dOutput_t passes to h_{t−1} unchanged,
// held in dhCarry [B, H] across the step's GEMM (see cells.ts).
import { gemm_f32, gemm_pack_b, gemm_packed_b_f32, gemm_packed_b_floats, NO_TRANS, TRANS } from "./gemm";
import { addColumnSums, BACKWARD_STEPS, BACKWARD_WEIGHTS, carryPaddedGradients, cellWeightGradients, inputGradients, copyPaddedRows, fillRows, isPadded, zeroPaddedRows } from "./cells";
import { add, atLeast, ld, mul, st, tanhGrad, vsigmoid, vtanh, one, zero, sub, wherePositive } from "./lanes";

/** Activation codes f (the `kind` argument); src/kernels/codes.ts mirrors them. */
export const RNN_TANH: i32 = 0;
export const RNN_RELU: i32 = 1;
export const RNN_SIGMOID: i32 = 2;
/** Recurrence codes (the `variant` argument); src/kernels/codes.ts mirrors them. */
export const RNN_ELMAN: i32 = 0;
export const RNN_LINEAR: i32 = 1;
export const RNN_RESIDUAL: i32 = 2;
export const RNN_DIAGONAL: i32 = 3;

// @ts-ignore: decorator
@inline function activate<T>(o: usize, h: usize, kind: i32): void {
  const z = ld<T>(h + o);
  st<T>(h + o, kind == RNN_TANH ? vtanh<T>(z) : kind == RNN_RELU ? atLeast<T>(z, zero<T>()) : vsigmoid<T>(z));
}

// @ts-ignore: decorator
@inline function gradLanes<T>(o: usize, dz: usize, h: usize, dh: usize, dOut: usize, kind: i32, keep: bool): void {
  let d = ld<T>(dh + o);
  if (dOut) d = add<T>(d, ld<T>(dOut + o));
  if (keep) st<T>(dh + o, d); // the residual and linear forms pass g = dh + dOutput on to h_{t−1}
  const y = ld<T>(h + o);
  let g: T;
  if (kind == RNN_TANH) g = tanhGrad<T>(y, d);
  else if (kind == RNN_RELU) g = wherePositive<T>(y, d);
  else g = mul<T>(d, mul<T>(y, sub<T>(one<T>(), y)));
  st<T>(dz + o, g);
}

/** dst[j] = a[j] + b[j]·c[j] over n values (dst may alias a). */
// @ts-ignore: decorator
@inline function addProduct(dst: usize, a: usize, b: usize, c: usize, n: i32): void {
  let j = 0;
  if (ASC_FEATURE_SIMD) for (; j + 4 <= n; j += 4) { const o = <usize>j << 2; st<v128>(dst + o, add<v128>(ld<v128>(a + o), mul<v128>(ld<v128>(b + o), ld<v128>(c + o)))); }
  for (; j < n; j++) { const o = <usize>j << 2; st<f32>(dst + o, add<f32>(ld<f32>(a + o), mul<f32>(ld<f32>(b + o), ld<f32>(c + o)))); }
}

/** Floats of the `packed` scratch both rnn kernels need (W_hh or W_hhᵀ, packed once per call). */
export function rnn_packed_floats(H: i32): i32 {
  return gemm_packed_b_floats(H, H);
}

export function rnn_forward_f32(
  hAll: usize, act: usize, packed: usize, x: usize, mask: usize, wIh: usize, wHh: usize, bias: usize, work: usize,
  T: i32, B: i32, I: i32, H: i32, kind: i32, variant: i32,
): void {
  const TB = T * B;
  const stateBytes = <usize>(B * H) << 2;
  const z = hAll + stateBytes;
  const dense = variant == RNN_ELMAN || variant == RNN_RESIDUAL;
  const residual = variant == RNN_LINEAR || variant == RNN_RESIDUAL;
  fillRows(z, bias, TB, H);
  gemm_f32(z, x, wIh, work, TB, H, I, I, H, H, NO_TRANS, NO_TRANS, 1, 1);
  if (dense) gemm_pack_b(packed, wHh, H, NO_TRANS, H, H);
  const n = B * H;
  const rowBytes = <usize>H << 2;
  for (let t = 0; t < T; t++) {
    const hPrev = hAll + <usize>t * stateBytes;
    const zt = hPrev + stateBytes;
    if (dense) gemm_packed_b_f32(zt, hPrev, packed, work, B, H, H, H, H, NO_TRANS, 1, 1);
    else if (variant == RNN_DIAGONAL) for (let b = 0; b < B; b++) addProduct(zt + <usize>b * rowBytes, zt + <usize>b * rowBytes, wHh, hPrev + <usize>b * rowBytes, H);
    let j = 0;
    if (ASC_FEATURE_SIMD) for (; j + 4 <= n; j += 4) activate<v128>(<usize>j << 2, zt, kind);
    for (; j < n; j++) activate<f32>(<usize>j << 2, zt, kind);
    if (residual) {
      // a_t kept for backward; h_t = h_{t−1} + a_t.
      const at = act + <usize>t * stateBytes;
      memory.copy(at, zt, stateBytes);
      j = 0;
      if (ASC_FEATURE_SIMD) for (; j + 4 <= n; j += 4) { const o = <usize>j << 2; st<v128>(zt + o, add<v128>(ld<v128>(hPrev + o), ld<v128>(at + o))); }
      for (; j < n; j++) { const o = <usize>j << 2; st<f32>(zt + o, add<f32>(ld<f32>(hPrev + o), ld<f32>(at + o))); }
    }
    if (mask) copyPaddedRows(zt, hPrev, mask + (<usize>(t * B) << 2), B, H);
  }
}

/**
 * BPTT, or one of its phases (assembly/cells.ts BACKWARD_*): BACKWARD_STEPS, the T steps backward
 * (dZ and the state gradients: what a batch shard runs on its own rows); BACKWARD_WEIGHTS, the
 * weight and bias gradients and dX from a dZ of every row, part `part` of `parts` (0 of 1: all of
 * it; the steps ignore these two); both: the whole backward.
 */
export function rnn_backward_f32(
  dX: usize, dWIh: usize, dWHh: usize, dBias: usize, dh: usize, dZ: usize, packed: usize, dhCarry: usize,
  dOutput: usize, hAll: usize, act: usize, x: usize, mask: usize, wIh: usize, wHh: usize, work: usize,
  T: i32, B: i32, I: i32, H: i32, kind: i32, variant: i32, phase: i32, part: i32, parts: i32): void {
  const TB = T * B;
  const stateBytes = <usize>(B * H) << 2;
  const n = B * H;
  const dense = variant == RNN_ELMAN || variant == RNN_RESIDUAL;
  const residual = variant == RNN_LINEAR || variant == RNN_RESIDUAL;
  const rowBytes = <usize>H << 2;
  if (phase & BACKWARD_STEPS) {
    if (dense) gemm_pack_b(packed, wHh, H, TRANS, H, H); // W_hhᵀ
    for (let t = T - 1; t >= 0; t--) {
      const offset = <usize>t * stateBytes;
      // f′ from the activation's output: h_t itself (Elman, diagonal) or the kept a_t.
      const h = residual ? act + offset : hAll + stateBytes + offset;
      const hPrev = hAll + offset;
      const dz = dZ + offset;
      const dOut = dOutput ? dOutput + offset : 0;
      const maskRow = mask ? mask + (<usize>(t * B) << 2) : 0;
      if (mask) {
        // Row by row: padded rows get dz = 0 and hold dh + dOutput in dhCarry.
        carryPaddedGradients(dhCarry, dh, dOut, maskRow, B, H);
        zeroPaddedRows(dz, maskRow, B, H);
        for (let b = 0; b < B; b++) {
          if (isPadded(maskRow, b)) continue;
          const row = <usize>b * rowBytes;
          const dOutRow = dOut ? dOut + row : 0;
          let j = 0;
          if (ASC_FEATURE_SIMD) for (; j + 4 <= H; j += 4) gradLanes<v128>(<usize>j << 2, dz + row, h + row, dh + row, dOutRow, kind, residual);
          for (; j < H; j++) gradLanes<f32>(<usize>j << 2, dz + row, h + row, dh + row, dOutRow, kind, residual);
        }
      } else {
        let j = 0;
        if (ASC_FEATURE_SIMD) for (; j + 4 <= n; j += 4) gradLanes<v128>(<usize>j << 2, dz, h, dh, dOut, kind, residual);
        for (; j < n; j++) gradLanes<f32>(<usize>j << 2, dz, h, dh, dOut, kind, residual);
      }
      if (dense) gemm_packed_b_f32(dh, dz, packed, work, B, H, H, H, H, NO_TRANS, 1, variant == RNN_RESIDUAL ? 1 : 0);
      else if (variant == RNN_DIAGONAL) {
        for (let b = 0; b < B; b++) {
          const row = <usize>b * rowBytes;
          addProduct(dWHh, dWHh, dz + row, hPrev + row, H); // du += dz_t ⊙ h_{t−1}, rows in order
          let j = 0;
          if (ASC_FEATURE_SIMD) for (; j + 4 <= H; j += 4) { const o = <usize>j << 2; st<v128>(dh + row + o, mul<v128>(ld<v128>(dz + row + o), ld<v128>(wHh + o))); }
          for (; j < H; j++) { const o = <usize>j << 2; st<f32>(dh + row + o, mul<f32>(ld<f32>(dz + row + o), ld<f32>(wHh + o))); }
        }
      }
      if (mask) copyPaddedRows(dh, dhCarry, maskRow, B, H);
    }
  }
  if (phase & BACKWARD_WEIGHTS) {
    if (dense) {
      cellWeightGradients(dX, dWIh, dWHh, dBias, dZ, dZ, x, hAll, wIh, work, TB, I, H, H, H, part, parts);
    } else {
      inputGradients(dX, dWIh, dBias, dZ, x, wIh, work, TB, I, H, part, parts);
    }
  }
}
