// Echo State Network kernels: reservoir state collection (driven, teacher-forced,
// closed loop), XᵀX / XᵀY accumulation in f64, the readout solves in f64 (ridge by
// Cholesky; minimum-norm least squares by a complete orthogonal decomposition), and an
// RLS readout update. Jaeger's leaky formulation:
//
//   pre(t)  = (b + W_in·u(t) + W_back·y(t−1)) + W·x(t−1) + ν(t)
//   x(t)    = (1 − a)·x(t−1) + a·f(pre(t))          f = tanh, or identity when linear ≠ 0
//   z(t)    = [1; u(t); x(t); y(t−1)]               the parts `feats` selects (FEATURE_*), in
//                                                    this order: F = [1] + [I] + [N] + [O], f64
//   y(t)    = g(W_out·z(t)),  g ∈ {identity, tanh}
//
// y(t−1) is what `feedback` holds when step t starts: the teacher d(t−1) while teacher-forced,
// else the readout's own previous output (0 after a reset). The same value goes through W_back
// (fbOn) and into the readout (FEATURE_OUTPUT).
//
// Buffers (row-major; f32 unless marked f64; pointers are byte offsets):
//   wIn [I, N]  (column c of W_in is row c here: inputs are added as axpys over units)
//   wBack [O, N];  bias [N]
//   W: CSR  wVal [nnz] f32, wCol [nnz] i32, wRow [N + 1] i32   — or dense wDense [N, N]
//   state [N]  x(t−1) in, x(T−1) out;  feedback [O]  y(t−1) in, last fed-back value out
//   pre [N] scratch;  ynext [O] scratch (y(t) before it replaces y(t−1));  u [T, I];
//   teacher [T, O] (fed back after step t when given)
//   targets f64 [T, O] (regression targets, already in g⁻¹ space);  noise [T, N] or 0
//   states [T, N] out or 0;  outputs [T, O] out or 0 (y(t) from wOut)
//   wOut f64 [O, F];  xtx f64 [F, F] (upper triangle accumulated);  xty f64 [F, O]
//   zblk f64 [F, KB], dblk f64 [O, KB]: a block of KB feature/target columns, flushed as
//   one rank-KB update so XᵀX is read and written once per KB steps, not once per step.
//
// Summation orders are fixed and the same in the SIMD and the scalar build:
//   * pre: elementwise (b + u₀w₀ + u₁w₁ + … + y₀wb₀ + …), then + (W·x)ᵢ, then + νᵢ.
//     CSR rows in two partial sums (even / odd entry of the row, an odd last entry
//     goes to the first) combined as s₀ + s₁; dense rows in four interleaved partial sums
//     s₀..s₃ (k mod 4) combined as (s₀ + s₁) + (s₂ + s₃), then the tail in order.
//   * the readout y = W_out·z in f64 in feature order, starting from the bias weight (or 0).
//   * f64 dot products (XᵀX, Cholesky, RLS) in four partial sums (k mod 4)
//     combined as (s₀ + s₂) + (s₁ + s₃), then the tail in order; a f64x2 pair of
//     accumulators is exactly that split. XᵀX blocks are padded with zeros to KB.
import { add, ld, mul, st, vtanh } from "./lanes";

// @ts-ignore: decorator
@inline const KB: i32 = 64;

// Readout features (bits of `feats`); src/kernels/esn.ts READOUT_FEATURE must align with these.
// @ts-ignore: decorator
@inline const FEATURE_BIAS: i32 = 1;
// @ts-ignore: decorator
@inline const FEATURE_INPUT: i32 = 2;
// @ts-ignore: decorator
@inline const FEATURE_STATE: i32 = 4;
// @ts-ignore: decorator
@inline const FEATURE_OUTPUT: i32 = 8;

/** F: the number of readout features `feats` selects. */
// @ts-ignore: decorator
@inline function featureCount(feats: i32, N: i32, I: i32, O: i32): i32 {
  return (feats & FEATURE_BIAS ? 1 : 0) + (feats & FEATURE_INPUT ? I : 0) + (feats & FEATURE_STATE ? N : 0) + (feats & FEATURE_OUTPUT ? O : 0);
}

/** Steps per accumulation block (the zblk / dblk width). */
export function esn_block_steps(): i32 {
  return KB;
}

// ---- f32 helpers ----

/** Σ_k row[k]·x[k], k < n, four partial sums. */
// @ts-ignore: decorator
@inline function denseDot(row: usize, x: usize, n: i32): f32 {
  let k = 0;
  let total: f32;
  if (ASC_FEATURE_SIMD) {
    let acc = f32x4.splat(0);
    for (; k + 4 <= n; k += 4) {
      const o = <usize>k << 2;
      acc = f32x4.add(acc, f32x4.mul(v128.load(row + o), v128.load(x + o)));
    }
    total = (f32x4.extract_lane(acc, 0) + f32x4.extract_lane(acc, 1)) + (f32x4.extract_lane(acc, 2) + f32x4.extract_lane(acc, 3));
  } else {
    let s0: f32 = 0, s1: f32 = 0, s2: f32 = 0, s3: f32 = 0;
    for (; k + 4 <= n; k += 4) {
      const o = <usize>k << 2;
      s0 += load<f32>(row + o) * load<f32>(x + o);
      s1 += load<f32>(row + o + 4) * load<f32>(x + o + 4);
      s2 += load<f32>(row + o + 8) * load<f32>(x + o + 8);
      s3 += load<f32>(row + o + 12) * load<f32>(x + o + 12);
    }
    total = (s0 + s1) + (s2 + s3);
  }
  for (; k < n; k++) total += load<f32>(row + (<usize>k << 2)) * load<f32>(x + (<usize>k << 2));
  return total;
}

/** y[0..n) += alpha · x[0..n) */
// @ts-ignore: decorator
@inline function axpy(y: usize, alpha: f32, x: usize, n: i32): void {
  let j = 0;
  if (ASC_FEATURE_SIMD) {
    const va = f32x4.splat(alpha);
    for (; j + 4 <= n; j += 4) {
      const o = <usize>j << 2;
      v128.store(y + o, f32x4.add(v128.load(y + o), f32x4.mul(va, v128.load(x + o))));
    }
  }
  for (; j < n; j++) {
    const o = <usize>j << 2;
    store<f32>(y + o, load<f32>(y + o) + alpha * load<f32>(x + o));
  }
}

// @ts-ignore: decorator
@inline function leakLanes<T>(o: usize, x: usize, pre: usize, keep: T, leak: T): void {
  st<T>(x + o, add<T>(mul<T>(keep, ld<T>(x + o)), mul<T>(leak, vtanh<T>(ld<T>(pre + o)))));
}

/** The linear reservoir's update: x ← (1 − a)·x + a·pre. */
// @ts-ignore: decorator
@inline function leakLinearLanes<T>(o: usize, x: usize, pre: usize, keep: T, leak: T): void {
  st<T>(x + o, add<T>(mul<T>(keep, ld<T>(x + o)), mul<T>(leak, ld<T>(pre + o))));
}

// ---- f64 helpers ----

/** Σ_k a[k]·b[k] in f64, k < n: partial sums by k mod 4, combined (s₀ + s₂) + (s₁ + s₃), tail in order. */
// @ts-ignore: decorator
@inline function dot64(a: usize, b: usize, n: i32): f64 {
  let k = 0;
  let total: f64;
  if (ASC_FEATURE_SIMD) {
    let acc0 = f64x2.splat(0);
    let acc1 = f64x2.splat(0);
    for (; k + 4 <= n; k += 4) {
      const o = <usize>k << 3;
      acc0 = f64x2.add(acc0, f64x2.mul(v128.load(a + o), v128.load(b + o)));
      acc1 = f64x2.add(acc1, f64x2.mul(v128.load(a + o + 16), v128.load(b + o + 16)));
    }
    const s = f64x2.add(acc0, acc1);
    total = f64x2.extract_lane(s, 0) + f64x2.extract_lane(s, 1);
  } else {
    let s0: f64 = 0, s1: f64 = 0, s2: f64 = 0, s3: f64 = 0;
    for (; k + 4 <= n; k += 4) {
      const o = <usize>k << 3;
      s0 += load<f64>(a + o) * load<f64>(b + o);
      s1 += load<f64>(a + o + 8) * load<f64>(b + o + 8);
      s2 += load<f64>(a + o + 16) * load<f64>(b + o + 16);
      s3 += load<f64>(a + o + 24) * load<f64>(b + o + 24);
    }
    total = (s0 + s2) + (s1 + s3);
  }
  for (; k < n; k++) total += load<f64>(a + (<usize>k << 3)) * load<f64>(b + (<usize>k << 3));
  return total;
}

// ---- one reservoir step ----

// @ts-ignore: decorator
@inline function reservoirStep(
  state: usize, pre: usize, ut: usize, fb: usize, nu: usize,
  wIn: usize, wBack: usize, bias: usize, wVal: usize, wCol: usize, wRow: usize, wDense: usize,
  N: i32, I: i32, O: i32, leak: f32, dense: i32, fbOn: i32, linear: i32,
): void {
  const nb = <usize>N << 2;
  memory.copy(pre, bias, nb);
  for (let c = 0; c < I; c++) axpy(pre, load<f32>(ut + (<usize>c << 2)), wIn + <usize>c * nb, N);
  if (fbOn) for (let o = 0; o < O; o++) axpy(pre, load<f32>(fb + (<usize>o << 2)), wBack + <usize>o * nb, N);
  if (dense) {
    for (let i = 0; i < N; i++) {
      const p = pre + (<usize>i << 2);
      store<f32>(p, load<f32>(p) + denseDot(wDense + <usize>i * nb, state, N));
    }
  } else {
    let k = load<i32>(wRow);
    for (let i = 0; i < N; i++) {
      const end = load<i32>(wRow + (<usize>(i + 1) << 2));
      // Two partial sums (entries in even / odd position from the row start) break the add latency chain.
      let s0: f32 = 0, s1: f32 = 0;
      for (; k + 2 <= end; k += 2) {
        const q = <usize>k << 2;
        s0 += load<f32>(wVal + q) * load<f32>(state + (<usize>load<i32>(wCol + q) << 2));
        s1 += load<f32>(wVal + q + 4) * load<f32>(state + (<usize>load<i32>(wCol + q + 4) << 2));
      }
      if (k < end) {
        const q = <usize>k << 2;
        s0 += load<f32>(wVal + q) * load<f32>(state + (<usize>load<i32>(wCol + q) << 2));
        k++;
      }
      const p = pre + (<usize>i << 2);
      store<f32>(p, load<f32>(p) + (s0 + s1));
    }
  }
  if (nu) axpy(pre, 1, nu, N);
  const keep: f32 = 1 - leak;
  let j = 0;
  if (linear) {
    if (ASC_FEATURE_SIMD) {
      const vk = f32x4.splat(keep);
      const vl = f32x4.splat(leak);
      for (; j + 4 <= N; j += 4) leakLinearLanes<v128>(<usize>j << 2, state, pre, vk, vl);
    }
    for (; j < N; j++) leakLinearLanes<f32>(<usize>j << 2, state, pre, keep, leak);
    return;
  }
  if (ASC_FEATURE_SIMD) {
    const vk = f32x4.splat(keep);
    const vl = f32x4.splat(leak);
    for (; j + 4 <= N; j += 4) leakLanes<v128>(<usize>j << 2, state, pre, vk, vl);
  }
  for (; j < N; j++) leakLanes<f32>(<usize>j << 2, state, pre, keep, leak);
}

/** y_o = g(W_out[o, :]·z) in f64, z = the features of [1; u; x; y(t−1)] (`fb` holds y(t−1)), summed in feature order. */
// @ts-ignore: decorator
@inline function readoutOne(wOutRow: usize, ut: usize, state: usize, fb: usize, N: i32, I: i32, O: i32, feats: i32, outTanh: i32): f64 {
  let s: f64 = 0;
  let w = wOutRow;
  if (feats & FEATURE_BIAS) {
    s = load<f64>(w);
    w += 8;
  }
  if (feats & FEATURE_INPUT) {
    for (let c = 0; c < I; c++) s += load<f64>(w + (<usize>c << 3)) * <f64>load<f32>(ut + (<usize>c << 2));
    w += <usize>I << 3;
  }
  if (feats & FEATURE_STATE) {
    for (let i = 0; i < N; i++) s += load<f64>(w + (<usize>i << 3)) * <f64>load<f32>(state + (<usize>i << 2));
    w += <usize>N << 3;
  }
  if (feats & FEATURE_OUTPUT) {
    for (let o = 0; o < O; o++) s += load<f64>(w + (<usize>o << 3)) * <f64>load<f32>(fb + (<usize>o << 2));
  }
  return outTanh ? Math.tanh(s) : s;
}

/** z → dst[f·stride] (f64) for f = 0..F−1: the features of [1; u; x; y(t−1)] that `feats` selects. */
// @ts-ignore: decorator
@inline function writeFeatures(dst: usize, stride: usize, ut: usize, state: usize, fb: usize, N: i32, I: i32, O: i32, feats: i32): void {
  let p = dst;
  if (feats & FEATURE_BIAS) {
    store<f64>(p, 1);
    p += stride;
  }
  if (feats & FEATURE_INPUT) {
    for (let c = 0; c < I; c++) store<f64>(p + <usize>c * stride, <f64>load<f32>(ut + (<usize>c << 2)));
    p += <usize>I * stride;
  }
  if (feats & FEATURE_STATE) {
    for (let i = 0; i < N; i++) store<f64>(p + <usize>i * stride, <f64>load<f32>(state + (<usize>i << 2)));
    p += <usize>N * stride;
  }
  if (feats & FEATURE_OUTPUT) {
    for (let o = 0; o < O; o++) store<f64>(p + <usize>o * stride, <f64>load<f32>(fb + (<usize>o << 2)));
  }
}

// ---- XᵀX, XᵀY: rank-KB updates from a block of feature columns ----

/** C[i, j] += Σ_k A[i, k]·B[j, k] over one block, for a 2×4 tile (SIMD). Rows of A and B are KB f64. */
// @ts-ignore: decorator
@inline function tile2x4(c: usize, ldc: i32, a: usize, b: usize): void {
  let c00 = f64x2.splat(0), c01 = f64x2.splat(0), c02 = f64x2.splat(0), c03 = f64x2.splat(0);
  let c10 = f64x2.splat(0), c11 = f64x2.splat(0), c12 = f64x2.splat(0), c13 = f64x2.splat(0);
  // The rows' offsets are load immediates, which V8 folds into the addresses: two pointer steps
  // per k-pair instead of six address computations (+15–20 % on F = 1002).
  const end = a + (<usize>KB << 3);
  for (; a < end; a += 16, b += 16) {
    const a0 = v128.load(a), a1 = v128.load(a, KB << 3);
    const b0 = v128.load(b), b1 = v128.load(b, KB << 3), b2 = v128.load(b, KB << 4), b3 = v128.load(b, 3 * KB << 3);
    c00 = f64x2.add(c00, f64x2.mul(a0, b0)); c01 = f64x2.add(c01, f64x2.mul(a0, b1));
    c02 = f64x2.add(c02, f64x2.mul(a0, b2)); c03 = f64x2.add(c03, f64x2.mul(a0, b3));
    c10 = f64x2.add(c10, f64x2.mul(a1, b0)); c11 = f64x2.add(c11, f64x2.mul(a1, b1));
    c12 = f64x2.add(c12, f64x2.mul(a1, b2)); c13 = f64x2.add(c13, f64x2.mul(a1, b3));
  }
  const r1 = c + (<usize>ldc << 3);
  addPair(c, c00); addPair(c + 8, c01); addPair(c + 16, c02); addPair(c + 24, c03);
  addPair(r1, c10); addPair(r1 + 8, c11); addPair(r1 + 16, c12); addPair(r1 + 24, c13);
}

// @ts-ignore: decorator
@inline function addPair(p: usize, acc: v128): void {
  store<f64>(p, load<f64>(p) + (f64x2.extract_lane(acc, 0) + f64x2.extract_lane(acc, 1)));
}

/** Σ_k a[k]·b[k] over one block as even/odd partial sums — the order of one f64x2 accumulator. */
// @ts-ignore: decorator
@inline function blockDot(a: usize, b: usize): f64 {
  let even: f64 = 0, odd: f64 = 0;
  for (let k = 0; k < KB; k += 2) {
    const o = <usize>k << 3;
    even += load<f64>(a + o) * load<f64>(b + o);
    odd += load<f64>(a + o + 8) * load<f64>(b + o + 8);
  }
  return even + odd;
}

/**
 * Rows [rowStart, rowEnd) of XᵀX (upper triangle, plus the lower part of diagonal tiles) += Z·Zᵀ and
 * of XᵀY += Z·Dᵀ for one block; rowStart even. Rows go in pairs (i, i + 1) from an even i, so every
 * element is computed the same way whatever the row range: a split into ranges gives the bits of
 * the whole.
 */
function flushRows(xtx: usize, xty: usize, zblk: usize, dblk: usize, F: i32, O: i32, rowStart: i32, rowEnd: i32): void {
  const rb = <usize>KB << 3;
  for (let i = rowStart; i < rowEnd; i += 2) {
    const i2 = i + 2 <= rowEnd;
    let j = i & ~3;
    const rowC = xtx + (<usize>i * <usize>F << 3);
    if (ASC_FEATURE_SIMD && i2) {
      for (; j + 4 <= F; j += 4) tile2x4(rowC + (<usize>j << 3), F, zblk + <usize>i * rb, zblk + <usize>j * rb);
    }
    for (let r = i; r < i + 2 && r < rowEnd; r++) {
      const row = xtx + (<usize>r * <usize>F << 3);
      for (let jj = j; jj < F; jj++) {
        const p = row + (<usize>jj << 3);
        store<f64>(p, load<f64>(p) + blockDot(zblk + <usize>r * rb, zblk + <usize>jj * rb));
      }
    }
  }
  for (let i = rowStart; i < rowEnd; i++) {
    for (let o = 0; o < O; o++) {
      const p = xty + (<usize>(i * O + o) << 3);
      store<f64>(p, load<f64>(p) + blockDot(zblk + <usize>i * rb, dblk + <usize>o * rb));
    }
  }
}

/**
 * One block's share of XᵀX and XᵀY for rows [rowStart, rowEnd) (rowStart even): the accumulation
 * esn_collect does after every KB steps, for a block esn_collect left in zblk / dblk. Calls over
 * disjoint row ranges write disjoint parts of xtx and xty and may run at the same time.
 */
export function esn_flush_rows(xtx: usize, xty: usize, zblk: usize, dblk: usize, F: i32, O: i32, rowStart: i32, rowEnd: i32): void {
  flushRows(xtx, xty, zblk, dblk, F, O, rowStart, rowEnd);
}

// ---- state collection ----

/**
 * Drives the reservoir over T steps. Optional parts (pointer 0 = off): states out,
 * outputs out (readout with wOut), XᵀX/XᵀY accumulation for t ≥ washout, RLS
 * updates of wOut for t ≥ washout (rlsP ≠ 0; zvec f64 [F], pz f64 [F] scratch).
 * Feedback: y(t−1) is read from `feedback`; after step t, feedback ← teacher[t]
 * when teacher ≠ 0, else ← the readout y(t) (needs wOut). The readout of step t is
 * computed whenever outputs are asked for or y(t) must be fed back (through W_back, or
 * into the next step's features): all O outputs go to `ynext` first, so every one of
 * them reads the same y(t−1).
 * Block mode (xtx = 0, zblk ≠ 0, at most KB steps from `washout` on): the features and targets of
 * steps t ≥ washout go to the columns of zblk / dblk from 0 on, padded with zeros to KB, and are
 * not accumulated — esn_flush_rows does that, so a caller can split the accumulation into row ranges.
 */
export function esn_collect(
  states: usize, outputs: usize, xtx: usize, xty: usize, zblk: usize, dblk: usize,
  rlsP: usize, zvec: usize, pz: usize,
  state: usize, feedback: usize, pre: usize, ynext: usize,
  u: usize, teacher: usize, targets: usize, noise: usize,
  wIn: usize, wBack: usize, bias: usize, wVal: usize, wCol: usize, wRow: usize, wDense: usize, wOut: usize,
  T: i32, N: i32, I: i32, O: i32, washout: i32, leak: f32, dense: i32, outTanh: i32, fbOn: i32, forget: f64,
  feats: i32, linear: i32,
): void {
  const F = featureCount(feats, N, I, O);
  const nb = <usize>N << 2;
  const ob = <usize>O << 2;
  const rb = <usize>KB << 3;
  const ownOutput = !teacher && (fbOn || (feats & FEATURE_OUTPUT));
  let filled = 0;
  for (let t = 0; t < T; t++) {
    const ut = u + <usize>t * (<usize>I << 2);
    const nu = noise ? noise + <usize>t * nb : 0;
    reservoirStep(state, pre, ut, feedback, nu, wIn, wBack, bias, wVal, wCol, wRow, wDense, N, I, O, leak, dense, fbOn, linear);
    if (states) memory.copy(states + <usize>t * nb, state, nb);
    if (t >= washout && zblk) {
      const col = <usize>filled << 3;
      writeFeatures(zblk + col, rb, ut, state, feedback, N, I, O, feats);
      for (let o = 0; o < O; o++) store<f64>(dblk + <usize>o * rb + col, load<f64>(targets + (<usize>(t * O + o) << 3)));
      filled++;
      if (filled == KB && xtx) {
        flushRows(xtx, xty, zblk, dblk, F, O, 0, F);
        filled = 0;
      }
    }
    if (t >= washout && rlsP) rlsUpdate(wOut, rlsP, zvec, pz, ut, state, feedback, targets + (<usize>(t * O) << 3), N, I, O, feats, forget);
    if (outputs || ownOutput) {
      for (let o = 0; o < O; o++) {
        store<f32>(ynext + (<usize>o << 2), <f32>readoutOne(wOut + <usize>o * (<usize>F << 3), ut, state, feedback, N, I, O, feats, outTanh));
      }
      if (outputs) memory.copy(outputs + <usize>t * ob, ynext, ob);
      if (!teacher) memory.copy(feedback, ynext, ob);
    }
    if (teacher) memory.copy(feedback, teacher + <usize>t * ob, ob);
  }
  if (filled > 0 && filled < KB) {
    // Pad the partial block with zero columns: 0·0 adds nothing to any sum.
    for (let f = 0; f < F; f++) memory.fill(zblk + <usize>f * rb + (<usize>filled << 3), 0, <usize>(KB - filled) << 3);
    for (let o = 0; o < O; o++) memory.fill(dblk + <usize>o * rb + (<usize>filled << 3), 0, <usize>(KB - filled) << 3);
  }
  if (filled > 0 && xtx) flushRows(xtx, xty, zblk, dblk, F, O, 0, F);
}

/**
 * Closed loop for S steps (needs I = O): u(t) = y(t−1) (from `feedback`), which is
 * also fed back through W_back when fbOn and is the FEATURE_OUTPUT part of z(t);
 * y(t) = g(W_out·z(t)) → outputs[t], then → feedback.
 */
export function esn_generate(
  outputs: usize, state: usize, feedback: usize, pre: usize, noise: usize,
  wIn: usize, wBack: usize, bias: usize, wVal: usize, wCol: usize, wRow: usize, wDense: usize, wOut: usize,
  S: i32, N: i32, I: i32, O: i32, leak: f32, dense: i32, outTanh: i32, fbOn: i32, feats: i32, linear: i32,
): void {
  const F = featureCount(feats, N, I, O);
  const nb = <usize>N << 2;
  const ob = <usize>O << 2;
  for (let t = 0; t < S; t++) {
    const nu = noise ? noise + <usize>t * nb : 0;
    reservoirStep(state, pre, feedback, feedback, nu, wIn, wBack, bias, wVal, wCol, wRow, wDense, N, I, O, leak, dense, fbOn, linear);
    const yt = outputs + <usize>t * ob;
    for (let o = 0; o < O; o++) {
      store<f32>(yt + (<usize>o << 2), <f32>readoutOne(wOut + <usize>o * (<usize>F << 3), feedback, state, feedback, N, I, O, feats, outTanh));
    }
    memory.copy(feedback, yt, ob);
  }
}

// ---- RLS ----

/**
 * Recursive least squares with forgetting factor λ (Haykin): with z the features of step t,
 *   π = P·z,  k = π / (λ + zᵀπ),  e = d − W_out·z,  W_out[o, :] += e_o·kᵀ,  P ← (P − k·πᵀ)/λ.
 * d is in g⁻¹ space. P is symmetric, so P·z is computed as row dots.
 */
function rlsUpdate(wOut: usize, P: usize, z: usize, pz: usize, ut: usize, state: usize, y: usize, d: usize, N: i32, I: i32, O: i32, feats: i32, forget: f64): void {
  const F = featureCount(feats, N, I, O);
  const fb = <usize>F << 3;
  writeFeatures(z, 8, ut, state, y, N, I, O, feats);
  for (let i = 0; i < F; i++) store<f64>(pz + (<usize>i << 3), dot64(P + <usize>i * fb, z, F));
  const denom = forget + dot64(z, pz, F);
  const inv = 1 / denom;
  for (let o = 0; o < O; o++) {
    const row = wOut + <usize>o * fb;
    const e = load<f64>(d + (<usize>o << 3)) - dot64(row, z, F);
    const g = e * inv;
    for (let f = 0; f < F; f++) {
      const p = row + (<usize>f << 3);
      store<f64>(p, load<f64>(p) + g * load<f64>(pz + (<usize>f << 3)));
    }
  }
  const invForget = 1 / forget;
  for (let i = 0; i < F; i++) {
    const ki = load<f64>(pz + (<usize>i << 3)) * inv;
    const row = P + <usize>i * fb;
    let j = 0;
    if (ASC_FEATURE_SIMD) {
      const vk = f64x2.splat(ki);
      const vf = f64x2.splat(invForget);
      for (; j + 2 <= F; j += 2) {
        const p = row + (<usize>j << 3);
        v128.store(p, f64x2.mul(f64x2.sub(v128.load(p), f64x2.mul(vk, v128.load(pz + (<usize>j << 3)))), vf));
      }
    }
    for (; j < F; j++) {
      const p = row + (<usize>j << 3);
      store<f64>(p, (load<f64>(p) - ki * load<f64>(pz + (<usize>j << 3))) * invForget);
    }
  }
}

// ---- readout solves ----

/**
 * W_out = ((XᵀX + λ·D) \ XᵀY)ᵀ in f64, D = diag(0, 1, …, 1) when free = 1 (the bias
 * column, first, is not regularised) and D = I when free = 0 (no bias column). work
 * f64 [F, F], tmp f64 [F], perm i32 [F] are scratch; xtx (upper triangle) and xty are
 * left unchanged. wOut f64 [O, F] out.
 * λ > 0: Cholesky A = L·Lᵀ (row-oriented, dot products), then L·Lᵀ·w = b per output.
 * λ = 0, or a non-positive pivot: Cholesky with complete (diagonal) pivoting,
 * stopping at rank r where the largest remaining pivot ≤ F·ε·(largest diagonal);
 * the F − r features left out get weight 0 (a basic least-squares solution, not the
 * minimum-norm one: esn_pinv_solve gives that).
 * Returns r, plus 2³⁰ when the pivoted path ran.
 */
export function esn_ridge_solve(wOut: usize, work: usize, tmp: usize, perm: usize, xtx: usize, xty: usize, F: i32, O: i32, ridge: f64, free: i32): i32 {
  const fb = <usize>F << 3;
  loadSystem(work, xtx, F, ridge, free);
  if (ridge > 0 && cholesky(work, F)) {
    for (let o = 0; o < O; o++) {
      for (let i = 0; i < F; i++) store<f64>(tmp + (<usize>i << 3), load<f64>(xty + (<usize>(i * O + o) << 3)));
      triangularSolves(work, tmp, F, F);
      memory.copy(wOut + <usize>o * fb, tmp, fb);
    }
    return F;
  }
  loadSystem(work, xtx, F, ridge, free);
  const r = pivotedCholesky(work, perm, tmp, F);
  for (let o = 0; o < O; o++) {
    for (let i = 0; i < r; i++) {
      store<f64>(tmp + (<usize>i << 3), load<f64>(xty + (<usize>(load<i32>(perm + (<usize>i << 2)) * O + o) << 3)));
    }
    triangularSolves(work, tmp, F, r);
    const row = wOut + <usize>o * fb;
    memory.fill(row, 0, fb);
    for (let i = 0; i < r; i++) store<f64>(row + (<usize>load<i32>(perm + (<usize>i << 2)) << 3), load<f64>(tmp + (<usize>i << 3)));
  }
  return r | (1 << 30);
}

/**
 * The minimum-norm least-squares readout W_out = (X⁺·Y)ᵀ = ((XᵀX)⁺·XᵀY)ᵀ in f64, from the
 * accumulated XᵀX (upper triangle read) and XᵀY, by a complete orthogonal decomposition:
 *   1. Pivoted Cholesky  Pᵀ·XᵀX·P ≈ L·Lᵀ, L [F, r] lower trapezoidal, stopping at rank r when
 *      the largest remaining pivot ≤ F·ε·(largest diagonal) — the same pivots as Businger–Golub
 *      column-pivoted QR of X (largest remaining column norm first), reached through XᵀX.
 *   2. RZ of the upper trapezoidal Lᵀ = [T 0]·Z (LAPACK's xTZRZF/xLATRZ: for k = r−1 … 0 a
 *      Householder reflector on coordinates {k, r, …, F−1} zeroes row k beyond column r−1);
 *      T r×r upper triangular, Z = H₀·H₁⋯H_{r−1} orthogonal. No work when r = F.
 *   3. Pᵀ·XᵀX·P = Zᵀ·[TᵀT 0; 0 0]·Z, so w = P·Zᵀ·[(TᵀT)⁻¹·(Z·Pᵀ·b)₀..r−1; 0] per output b.
 * With r = F this is the λ = 0 path of esn_ridge_solve step for step (same bits).
 * work f64 [F, F], tmp f64 [2F] (b, then the reflectors' τ), perm i32 [F] scratch; wOut
 * f64 [O, F] out. Returns r.
 */
export function esn_pinv_solve(wOut: usize, work: usize, tmp: usize, perm: usize, xtx: usize, xty: usize, F: i32, O: i32): i32 {
  const fb = <usize>F << 3;
  const tau = tmp + fb;
  loadSystem(work, xtx, F, 0, 0);
  const r = pivotedCholesky(work, perm, tmp, F);
  // RZ: row k of Lᵀ is column k of L; its part beyond r−1 (L[r.., k]) becomes the reflector's tail.
  for (let k = r - 1; k >= 0; k--) {
    const diag = work + <usize>k * fb + (<usize>k << 3);
    let norm2: f64 = 0;
    for (let m = r; m < F; m++) {
      const v = load<f64>(work + <usize>m * fb + (<usize>k << 3));
      norm2 += v * v;
    }
    let t: f64 = 0;
    if (norm2 > 0) {
      const alpha = load<f64>(diag);
      const beta = alpha >= 0 ? -Math.sqrt(alpha * alpha + norm2) : Math.sqrt(alpha * alpha + norm2);
      t = (beta - alpha) / beta;
      const scale = 1 / (alpha - beta);
      for (let m = r; m < F; m++) {
        const q = work + <usize>m * fb + (<usize>k << 3);
        store<f64>(q, load<f64>(q) * scale);
      }
      store<f64>(diag, beta);
      // Rows i < k of Lᵀ (columns i of L): y ← y − τ·(y·v)·v on coordinates {k, r, …}, for all i at
      // once along the rows of L: g[i] = τ·(L[k, i] + Σ_m v_m·L[m, i]), then L[k, i] −= g[i] and
      // L[m, i] −= v_m·g[i]. g lives in tmp[0, k) (b is not loaded yet).
      const g = tmp;
      const rowK = work + <usize>k * fb;
      memory.copy(g, rowK, <usize>k << 3);
      for (let m = r; m < F; m++) axpy64(g, load<f64>(work + <usize>m * fb + (<usize>k << 3)), work + <usize>m * fb, k);
      for (let i = 0; i < k; i++) store<f64>(g + (<usize>i << 3), t * load<f64>(g + (<usize>i << 3)));
      axpy64(rowK, -1, g, k);
      for (let m = r; m < F; m++) axpy64(work + <usize>m * fb, -load<f64>(work + <usize>m * fb + (<usize>k << 3)), g, k);
    }
    store<f64>(tau + (<usize>k << 3), t);
  }
  for (let o = 0; o < O; o++) {
    // tmp ← Pᵀ·b, then Z·tmp = H₀(H₁(⋯H_{r−1}·tmp)).
    for (let i = 0; i < F; i++) {
      store<f64>(tmp + (<usize>i << 3), load<f64>(xty + (<usize>(load<i32>(perm + (<usize>i << 2)) * O + o) << 3)));
    }
    for (let k = r - 1; k >= 0; k--) applyReflector(work, tmp, tau, k, r, F);
    // (TᵀT)⁻¹ on the first r entries (Tᵀ is the leading r×r lower triangle of work); the rest is 0.
    triangularSolves(work, tmp, F, r);
    if (r < F) memory.fill(tmp + (<usize>r << 3), 0, <usize>(F - r) << 3);
    // Zᵀ·tmp = H_{r−1}(⋯H₀·tmp), then undo the pivoting.
    for (let k = 0; k < r; k++) applyReflector(work, tmp, tau, k, r, F);
    const row = wOut + <usize>o * fb;
    for (let i = 0; i < F; i++) store<f64>(row + (<usize>load<i32>(perm + (<usize>i << 2)) << 3), load<f64>(tmp + (<usize>i << 3)));
  }
  return r;
}

/** y[0..n) += alpha · x[0..n) in f64 (elementwise: the SIMD and scalar builds agree bit for bit). */
// @ts-ignore: decorator
@inline function axpy64(y: usize, alpha: f64, x: usize, n: i32): void {
  let j = 0;
  if (ASC_FEATURE_SIMD) {
    const va = f64x2.splat(alpha);
    for (; j + 2 <= n; j += 2) {
      const o = <usize>j << 3;
      v128.store(y + o, f64x2.add(v128.load(y + o), f64x2.mul(va, v128.load(x + o))));
    }
  }
  for (; j < n; j++) {
    const o = <usize>j << 3;
    store<f64>(y + o, load<f64>(y + o) + alpha * load<f64>(x + o));
  }
}

/** y ← H_k·y, H_k = I − τ_k·v·vᵀ with v = e_k + Σ_m L[m, k]·e_m (m = r … F−1). */
function applyReflector(work: usize, y: usize, tau: usize, k: i32, r: i32, F: i32): void {
  const t = load<f64>(tau + (<usize>k << 3));
  if (t == 0) return;
  const fb = <usize>F << 3;
  const yk = y + (<usize>k << 3);
  let dot = load<f64>(yk);
  for (let m = r; m < F; m++) dot += load<f64>(work + <usize>m * fb + (<usize>k << 3)) * load<f64>(y + (<usize>m << 3));
  const g = t * dot;
  store<f64>(yk, load<f64>(yk) - g);
  for (let m = r; m < F; m++) {
    const q = y + (<usize>m << 3);
    store<f64>(q, load<f64>(q) - g * load<f64>(work + <usize>m * fb + (<usize>k << 3)));
  }
}

/** work ← XᵀX symmetrised from its upper triangle, + λ on the diagonal from index `free` on. */
function loadSystem(work: usize, xtx: usize, F: i32, ridge: f64, free: i32): void {
  for (let i = 0; i < F; i++) {
    for (let j = i; j < F; j++) {
      const v = load<f64>(xtx + (<usize>(i * F + j) << 3));
      store<f64>(work + (<usize>(i * F + j) << 3), v);
      store<f64>(work + (<usize>(j * F + i) << 3), v);
    }
    if (i >= free) {
      const p = work + (<usize>(i * F + i) << 3);
      store<f64>(p, load<f64>(p) + ridge);
    }
  }
}

/**
 * In-place L (lower triangle, row-major) with A = L·Lᵀ; false on a non-positive pivot.
 * Rows are computed in pairs (i, i+1) so each earlier row j is read once for both
 * dot products; every element is the same dot64 as row by row, in the same order.
 */
function cholesky(a: usize, F: i32): bool {
  const fb = <usize>F << 3;
  let i = 0;
  for (; i + 2 <= F; i += 2) {
    const ri = a + <usize>i * fb;
    const rn = ri + fb;
    for (let j = 0; j < i; j++) {
      const rj = a + <usize>j * fb;
      const ljj = load<f64>(rj + (<usize>j << 3));
      const pi = ri + (<usize>j << 3);
      const pn = rn + (<usize>j << 3);
      store<f64>(pi, (load<f64>(pi) - dot64(ri, rj, j)) / ljj);
      store<f64>(pn, (load<f64>(pn) - dot64(rn, rj, j)) / ljj);
    }
    if (!choleskyDiagonal(ri, i)) return false;
    const lii = load<f64>(ri + (<usize>i << 3));
    const p = rn + (<usize>i << 3);
    store<f64>(p, (load<f64>(p) - dot64(rn, ri, i)) / lii);
    if (!choleskyDiagonal(rn, i + 1)) return false;
  }
  if (i < F) {
    const ri = a + <usize>i * fb;
    for (let j = 0; j < i; j++) {
      const rj = a + <usize>j * fb;
      const pi = ri + (<usize>j << 3);
      store<f64>(pi, (load<f64>(pi) - dot64(ri, rj, j)) / load<f64>(rj + (<usize>j << 3)));
    }
    if (!choleskyDiagonal(ri, i)) return false;
  }
  return true;
}

/** L[i, i] = sqrt(A[i, i] − Σ_k<i L[i, k]²); false if that is not a positive finite number. */
// @ts-ignore: decorator
@inline function choleskyDiagonal(ri: usize, i: i32): bool {
  const d = load<f64>(ri + (<usize>i << 3)) - dot64(ri, ri, i);
  if (!(d > 0) || !isFinite(d)) return false;
  store<f64>(ri + (<usize>i << 3), Math.sqrt(d));
  return true;
}

/** b ← (L·Lᵀ)⁻¹·b with L the leading r×r block of the lower triangle of `l` (row stride F). */
function triangularSolves(l: usize, b: usize, F: i32, r: i32): void {
  const fb = <usize>F << 3;
  for (let i = 0; i < r; i++) {
    const ri = l + <usize>i * fb;
    const p = b + (<usize>i << 3);
    store<f64>(p, (load<f64>(p) - dot64(ri, b, i)) / load<f64>(ri + (<usize>i << 3)));
  }
  for (let i = r - 1; i >= 0; i--) {
    let s = load<f64>(b + (<usize>i << 3));
    for (let k = i + 1; k < r; k++) s -= load<f64>(l + <usize>k * fb + (<usize>i << 3)) * load<f64>(b + (<usize>k << 3));
    store<f64>(b + (<usize>i << 3), s / load<f64>(l + <usize>i * fb + (<usize>i << 3)));
  }
}

/**
 * Outer-product Cholesky with diagonal pivoting on the full symmetric `a`; returns the rank.
 * col f64 [F] is scratch: column k of L is copied there so the trailing update runs along rows
 * (a contiguous axpy per row, f64x2 in the SIMD build: each element is the same a − l·l either way).
 */
function pivotedCholesky(a: usize, perm: usize, col: usize, F: i32): i32 {
  const fb = <usize>F << 3;
  for (let i = 0; i < F; i++) store<i32>(perm + (<usize>i << 2), i);
  let maxDiag: f64 = 0;
  for (let i = 0; i < F; i++) maxDiag = max(maxDiag, load<f64>(a + <usize>i * fb + (<usize>i << 3)));
  const tol = <f64>F * 2.220446049250313e-16 * maxDiag;
  for (let k = 0; k < F; k++) {
    let p = k;
    let best = load<f64>(a + <usize>k * fb + (<usize>k << 3));
    for (let i = k + 1; i < F; i++) {
      const d = load<f64>(a + <usize>i * fb + (<usize>i << 3));
      if (d > best) { best = d; p = i; }
    }
    if (!(best > tol)) return k;
    if (p != k) {
      for (let j = 0; j < F; j++) swap64(a + <usize>k * fb + (<usize>j << 3), a + <usize>p * fb + (<usize>j << 3));
      for (let i = 0; i < F; i++) swap64(a + <usize>i * fb + (<usize>k << 3), a + <usize>i * fb + (<usize>p << 3));
      const t = load<i32>(perm + (<usize>k << 2));
      store<i32>(perm + (<usize>k << 2), load<i32>(perm + (<usize>p << 2)));
      store<i32>(perm + (<usize>p << 2), t);
    }
    const lkk = Math.sqrt(best);
    store<f64>(a + <usize>k * fb + (<usize>k << 3), lkk);
    for (let i = k + 1; i < F; i++) {
      const q = a + <usize>i * fb + (<usize>k << 3);
      const lik = load<f64>(q) / lkk;
      store<f64>(q, lik);
      store<f64>(col + (<usize>i << 3), lik);
    }
    for (let i = k + 1; i < F; i++) {
      const lik = load<f64>(col + (<usize>i << 3));
      const ri = a + <usize>i * fb;
      let j = k + 1;
      if (ASC_FEATURE_SIMD) {
        const vl = f64x2.splat(lik);
        for (; j + 2 <= F; j += 2) {
          const q = ri + (<usize>j << 3);
          v128.store(q, f64x2.sub(v128.load(q), f64x2.mul(vl, v128.load(col + (<usize>j << 3)))));
        }
      }
      for (; j < F; j++) {
        const q = ri + (<usize>j << 3);
        store<f64>(q, load<f64>(q) - lik * load<f64>(col + (<usize>j << 3)));
      }
    }
  }
  return F;
}

// @ts-ignore: decorator
@inline function swap64(p: usize, q: usize): void {
  const t = load<f64>(p);
  store<f64>(p, load<f64>(q));
  store<f64>(q, t);
}
