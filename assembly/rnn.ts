// SimpleRNN (Elman) over a whole batch of sequences: forward and BPTT backward.
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
import { carryPaddedGradients, cellWeightGradients, copyPaddedRows, fillRows, isPadded, zeroPaddedRows } from "./cells";
import { add, atLeast, ld, mul, st, tanhGrad, vsigmoid, vtanh, one, zero, sub, wherePositive } from "./lanes";

/** Activation codes f (the `kind` argument); src/kernels/codes.ts mirrors them. */
export const RNN_TANH: i32 = 0;
export const RNN_RELU: i32 = 1;
export const RNN_SIGMOID: i32 = 2;

// @ts-ignore: decorator
@inline function activate<T>(o: usize, h: usize, kind: i32): void {
  const z = ld<T>(h + o);
  st<T>(h + o, kind == RNN_TANH ? vtanh<T>(z) : kind == RNN_RELU ? atLeast<T>(z, zero<T>()) : vsigmoid<T>(z));
}

// @ts-ignore: decorator
@inline function gradLanes<T>(o: usize, dz: usize, h: usize, dh: usize, dOut: usize, kind: i32): void {
  let d = ld<T>(dh + o);
  if (dOut) d = add<T>(d, ld<T>(dOut + o));
  const y = ld<T>(h + o);
  let g: T;
  if (kind == RNN_TANH) g = tanhGrad<T>(y, d);
  else if (kind == RNN_RELU) g = wherePositive<T>(y, d);
  else g = mul<T>(d, mul<T>(y, sub<T>(one<T>(), y)));
  st<T>(dz + o, g);
}

/** Floats of the `packed` scratch both rnn kernels need (W_hh or W_hhᵀ, packed once per call). */
export function rnn_packed_floats(H: i32): i32 {
  return gemm_packed_b_floats(H, H);
}

export function rnn_forward_f32(
  hAll: usize, packed: usize, x: usize, mask: usize, wIh: usize, wHh: usize, bias: usize, work: usize,
  T: i32, B: i32, I: i32, H: i32, kind: i32,
): void {
  const TB = T * B;
  const stateBytes = <usize>(B * H) << 2;
  const z = hAll + stateBytes;
  fillRows(z, bias, TB, H);
  gemm_f32(z, x, wIh, work, TB, H, I, I, H, H, NO_TRANS, NO_TRANS, 1, 1);
  gemm_pack_b(packed, wHh, H, NO_TRANS, H, H);
  const n = B * H;
  for (let t = 0; t < T; t++) {
    const hPrev = hAll + <usize>t * stateBytes;
    const zt = hPrev + stateBytes;
    gemm_packed_b_f32(zt, hPrev, packed, work, B, H, H, H, H, NO_TRANS, 1, 1);
    let j = 0;
    if (ASC_FEATURE_SIMD) for (; j + 4 <= n; j += 4) activate<v128>(<usize>j << 2, zt, kind);
    for (; j < n; j++) activate<f32>(<usize>j << 2, zt, kind);
    if (mask) copyPaddedRows(zt, hPrev, mask + (<usize>(t * B) << 2), B, H);
  }
}

export function rnn_backward_f32(
  dX: usize, dWIh: usize, dWHh: usize, dBias: usize, dh: usize, dZ: usize, packed: usize, dhCarry: usize,
  dOutput: usize, hAll: usize, x: usize, mask: usize, wIh: usize, wHh: usize, work: usize,
  T: i32, B: i32, I: i32, H: i32, kind: i32,
): void {
  const TB = T * B;
  const stateBytes = <usize>(B * H) << 2;
  const n = B * H;
  gemm_pack_b(packed, wHh, H, TRANS, H, H); // W_hhᵀ
  for (let t = T - 1; t >= 0; t--) {
    const offset = <usize>t * stateBytes;
    const h = hAll + stateBytes + offset;
    const dz = dZ + offset;
    const dOut = dOutput ? dOutput + offset : 0;
    const maskRow = mask ? mask + (<usize>(t * B) << 2) : 0;
    if (mask) {
      // Row by row: padded rows get dz = 0 and hold dh + dOutput in dhCarry.
      carryPaddedGradients(dhCarry, dh, dOut, maskRow, B, H);
      zeroPaddedRows(dz, maskRow, B, H);
      const rowBytes = <usize>H << 2;
      for (let b = 0; b < B; b++) {
        if (isPadded(maskRow, b)) continue;
        const row = <usize>b * rowBytes;
        const dOutRow = dOut ? dOut + row : 0;
        let j = 0;
        if (ASC_FEATURE_SIMD) for (; j + 4 <= H; j += 4) gradLanes<v128>(<usize>j << 2, dz + row, h + row, dh + row, dOutRow, kind);
        for (; j < H; j++) gradLanes<f32>(<usize>j << 2, dz + row, h + row, dh + row, dOutRow, kind);
      }
    } else {
      let j = 0;
      if (ASC_FEATURE_SIMD) for (; j + 4 <= n; j += 4) gradLanes<v128>(<usize>j << 2, dz, h, dh, dOut, kind);
      for (; j < n; j++) gradLanes<f32>(<usize>j << 2, dz, h, dh, dOut, kind);
    }
    gemm_packed_b_f32(dh, dz, packed, work, B, H, H, H, H, NO_TRANS, 1, 0);
    if (mask) copyPaddedRows(dh, dhCarry, maskRow, B, H);
  }
  cellWeightGradients(dX, dWIh, dWHh, dBias, dZ, dZ, x, hAll, wIh, work, TB, I, H, H, H);
}
