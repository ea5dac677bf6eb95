// Elementwise activations and their derivatives, f32, vectorised (f32x4) with
// a scalar tail that follows the same formulas in the same order, so the SIMD
// and the scalar builds give identical bits.
//
//   exp_f32(y, x, n)                 y = exp(x)
//   sigmoid_f32(y, x, n)             y = 1 / (1 + exp(−x))
//   tanh_f32(y, x, n)                y = tanh(x)
//   relu_f32(y, x, n)                y = max(x, 0)            (NaN stays NaN)
//   sigmoid_backward_f32(dx, y, dy, n)   dx += dy · y·(1 − y)
//   tanh_backward_f32(dx, y, dy, n)      dx += dy · (1 − y²)
//   relu_backward_f32(dx, y, dy, n)      dx += y > 0 ? dy : 0
// Derivatives take the forward *outputs* y, which the cells keep for backward.
// All buffers are n f32; y may alias x, dx may alias nothing else.
//
// exp is ported from Cephes `expf.c` (Stephen L. Moshier, 1984–2000):
// x = n·ln2 + r with n = round(x·log2 e) and a two-part (Cody–Waite) ln2 so r
// is exact, exp(r) ≈ 1 + r + r²·P(r) with Cephes' degree-5 minimax P on
// |r| ≤ ln2/2, and 2ⁿ built in the exponent bits. Inputs are clamped to
// [EXP_LO, EXP_HI] so 2ⁿ stays a normal float: exp saturates at exp(88) ≈ 1.65e38
// above and at exp(−87.3) ≈ 1.2e−38 below. NaN propagates.
// tanh is Cephes `tanhf.c`: an odd minimax polynomial for |x| < 0.625,
// 1 − 2/(exp(2|x|) + 1) with the sign of x above.

// @ts-ignore: decorator
@inline const EXP_HI: f32 = 88.0;
// @ts-ignore: decorator
@inline const EXP_LO: f32 = -87.3;
// @ts-ignore: decorator
@inline const LOG2E: f32 = 1.44269504088896341;
// 1.5·2²³ + 127. Adding it to y (|y| < 2²²) rounds y to the nearest integer n and leaves
// n + 127 in the low mantissa bits, so (bits << 23) is the float 2ⁿ for n in [−126, 127].
// @ts-ignore: decorator
@inline const ROUND_MAGIC: f32 = 12583039.0;
// @ts-ignore: decorator
@inline const LN2_HI: f32 = 0.693359375;
// @ts-ignore: decorator
@inline const LN2_LO: f32 = -2.12194440e-4;
// @ts-ignore: decorator
@inline const P0: f32 = 1.9875691500e-4;
// @ts-ignore: decorator
@inline const P1: f32 = 1.3981999507e-3;
// @ts-ignore: decorator
@inline const P2: f32 = 8.3334519073e-3;
// @ts-ignore: decorator
@inline const P3: f32 = 4.1665795894e-2;
// @ts-ignore: decorator
@inline const P4: f32 = 1.6666665459e-1;
// @ts-ignore: decorator
@inline const P5: f32 = 5.0000001201e-1;
// @ts-ignore: decorator
@inline const T0: f32 = -5.70498872745e-3;
// @ts-ignore: decorator
@inline const T1: f32 = 2.06390887954e-2;
// @ts-ignore: decorator
@inline const T2: f32 = -5.37397155531e-2;
// @ts-ignore: decorator
@inline const T3: f32 = 1.33314422036e-1;
// @ts-ignore: decorator
@inline const T4: f32 = -3.33332819422e-1;
// @ts-ignore: decorator
@inline const TANH_SMALL: f32 = 0.625;

// ---- scalar forms (the readable version; also the tails of the SIMD loops) ----

// @ts-ignore: decorator
@inline export function expScalar(x: f32): f32 {
  x = clampScalar(x, EXP_LO, EXP_HI);
  const k = x * LOG2E + ROUND_MAGIC; // rounds x·log2 e to the nearest integer n (ties to even)
  const fx = k - ROUND_MAGIC;
  const r = (x - fx * LN2_HI) - fx * LN2_LO;
  const z = r * r;
  let p = P0 * r + P1;
  p = p * r + P2;
  p = p * r + P3;
  p = p * r + P4;
  p = p * r + P5;
  const e = (p * z + r) + <f32>1;
  const scale = reinterpret<f32>(reinterpret<i32>(k) << 23); // 2ⁿ: see ROUND_MAGIC
  return e * scale;
}

/** lo ≤ x ≤ hi with NaN passed through (the scalar twin of f32x4.pmax/pmin). */
// @ts-ignore: decorator
@inline export function clampScalar(x: f32, lo: f32, hi: f32): f32 {
  x = x < lo ? lo : x;
  return hi < x ? hi : x;
}

// @ts-ignore: decorator
@inline export function sigmoidScalar(x: f32): f32 {
  return <f32>1 / (<f32>1 + expScalar(-x));
}

// @ts-ignore: decorator
@inline export function tanhScalar(x: f32): f32 {
  // Computed on |x|, then given the sign of x (so tanh(−0) = −0).
  const ax = abs(x);
  let y: f32;
  if (ax < TANH_SMALL) {
    const z = ax * ax;
    let p = T0 * z + T1;
    p = p * z + T2;
    p = p * z + T3;
    p = p * z + T4;
    y = (p * z) * ax + ax;
  } else {
    y = <f32>1 - <f32>2 / (expScalar(ax + ax) + <f32>1);
  }
  return copysign<f32>(y, x);
}

// ---- vector forms ----

// Each constant of exp4 four times over, in the order exp4 reads them.
export const EXP_TABLE: usize = memory.data<f32>([
  EXP_LO, EXP_LO, EXP_LO, EXP_LO, EXP_HI, EXP_HI, EXP_HI, EXP_HI,
  LOG2E, LOG2E, LOG2E, LOG2E, ROUND_MAGIC, ROUND_MAGIC, ROUND_MAGIC, ROUND_MAGIC,
  LN2_HI, LN2_HI, LN2_HI, LN2_HI, LN2_LO, LN2_LO, LN2_LO, LN2_LO,
  P0, P0, P0, P0, P1, P1, P1, P1, P2, P2, P2, P2, P3, P3, P3, P3, P4, P4, P4, P4, P5, P5, P5, P5,
  1, 1, 1, 1,
  // more constants, used by sigmoid4, tanh4 and lanes.ts (offsets in the C_* names below)
  0, 0, 0, 0, 0.5, 0.5, 0.5, 0.5, 2, 2, 2, 2, 0.2, 0.2, 0.2, 0.2,
  TANH_SMALL, TANH_SMALL, TANH_SMALL, TANH_SMALL,
  T0, T0, T0, T0, T1, T1, T1, T1, T2, T2, T2, T2, T3, T3, T3, T3, T4, T4, T4, T4,
  -0.0, -0.0, -0.0, -0.0,
], 16);

/** Byte offsets of vector constants in EXP_TABLE (also read by lanes.ts). */
// @ts-ignore: decorator
@inline export const C_ONE: usize = 192;
// @ts-ignore: decorator
@inline export const C_ZERO: usize = 208;
// @ts-ignore: decorator
@inline export const C_HALF: usize = 224;
// @ts-ignore: decorator
@inline export const C_TWO: usize = 240;
// @ts-ignore: decorator
@inline export const C_FIFTH: usize = 256;
// @ts-ignore: decorator
@inline const C_TANH_SMALL: usize = 272;
// @ts-ignore: decorator
@inline const C_T0: usize = 288;
// @ts-ignore: decorator
@inline const C_SIGN: usize = 368;

/** A vector constant from the table: one 16-byte load instead of rebuilding it. */
// @ts-ignore: decorator
@inline export function vconst(offset: usize): v128 {
  return v128.load(EXP_TABLE + offset);
}

// @ts-ignore: decorator
@inline export function exp4(x: v128): v128 {
  // pmax(a, b) = a < b ? b : a and pmin(a, b) = b < a ? b : a are single instructions
  // (min/max are not); with x first, NaN in x passes through. Constants are loaded
  // from a table: V8 rebuilds a v128 constant from immediates at every use.
  const t = EXP_TABLE;
  x = f32x4.pmin(f32x4.pmax(x, v128.load(t, 0)), v128.load(t, 16));
  const magic = v128.load(t, 48);
  const k = f32x4.add(f32x4.mul(x, v128.load(t, 32)), magic);
  const fx = f32x4.sub(k, magic);
  const r = f32x4.sub(f32x4.sub(x, f32x4.mul(fx, v128.load(t, 64))), f32x4.mul(fx, v128.load(t, 80)));
  const z = f32x4.mul(r, r);
  let p = f32x4.add(f32x4.mul(v128.load(t, 96), r), v128.load(t, 112));
  p = f32x4.add(f32x4.mul(p, r), v128.load(t, 128));
  p = f32x4.add(f32x4.mul(p, r), v128.load(t, 144));
  p = f32x4.add(f32x4.mul(p, r), v128.load(t, 160));
  p = f32x4.add(f32x4.mul(p, r), v128.load(t, 176));
  const e = f32x4.add(f32x4.add(f32x4.mul(p, z), r), v128.load(t, 192));
  return f32x4.mul(e, i32x4.shl(k, 23));
}

// @ts-ignore: decorator
@inline export function sigmoid4(x: v128): v128 {
  const one = vconst(C_ONE);
  return f32x4.div(one, f32x4.add(one, exp4(f32x4.neg(x))));
}

// @ts-ignore: decorator
@inline export function tanh4(x: v128): v128 {
  const sign = vconst(C_SIGN);
  const ax = v128.andnot(x, sign);
  const z = f32x4.mul(ax, ax);
  let p = f32x4.add(f32x4.mul(vconst(C_T0), z), vconst(C_T0 + 16));
  p = f32x4.add(f32x4.mul(p, z), vconst(C_T0 + 32));
  p = f32x4.add(f32x4.mul(p, z), vconst(C_T0 + 48));
  p = f32x4.add(f32x4.mul(p, z), vconst(C_T0 + 64));
  const small = f32x4.add(f32x4.mul(f32x4.mul(p, z), ax), ax);
  const one = vconst(C_ONE);
  const e = exp4(f32x4.add(ax, ax));
  const big = f32x4.sub(one, f32x4.div(vconst(C_TWO), f32x4.add(e, one)));
  const y = v128.bitselect(small, big, f32x4.lt(ax, vconst(C_TANH_SMALL)));
  return v128.or(v128.andnot(y, sign), v128.and(x, sign));
}

// ---- kernels: one loop shape, specialised per activation at compile time ----

// @ts-ignore: decorator
@inline const EXP: i32 = 0;
// @ts-ignore: decorator
@inline const SIGMOID: i32 = 1;
// @ts-ignore: decorator
@inline const TANH: i32 = 2;
// @ts-ignore: decorator
@inline const RELU: i32 = 3;

// @ts-ignore: decorator
@inline function apply4(op: i32, x: v128): v128 {
  if (op == EXP) return exp4(x);
  if (op == SIGMOID) return sigmoid4(x);
  if (op == TANH) return tanh4(x);
  return f32x4.pmax(x, vconst(C_ZERO)); // x < 0 ? 0 : x, NaN passed through
}

// @ts-ignore: decorator
@inline function apply1(op: i32, x: f32): f32 {
  if (op == EXP) return expScalar(x);
  if (op == SIGMOID) return sigmoidScalar(x);
  if (op == TANH) return tanhScalar(x);
  return x < 0 ? <f32>0 : x;
}

/** dy · f′ written with the output y: y(1 − y), 1 − y², or dy where y > 0 (exactly 0 elsewhere). */
// @ts-ignore: decorator
@inline function grad4(op: i32, y: v128, dy: v128): v128 {
  const one = vconst(C_ONE);
  if (op == SIGMOID) return f32x4.mul(dy, f32x4.mul(y, f32x4.sub(one, y)));
  if (op == TANH) return f32x4.mul(dy, f32x4.sub(one, f32x4.mul(y, y)));
  return v128.and(dy, f32x4.gt(y, vconst(C_ZERO)));
}

// @ts-ignore: decorator
@inline function grad1(op: i32, y: f32, dy: f32): f32 {
  if (op == SIGMOID) return dy * (y * (<f32>1 - y));
  if (op == TANH) return dy * (<f32>1 - y * y);
  return y > 0 ? dy : 0;
}

// @ts-ignore: decorator
@inline function forward(op: i32, y: usize, x: usize, n: i32): void {
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    for (; i + 4 <= n; i += 4) {
      const o = <usize>i << 2;
      v128.store(y + o, apply4(op, v128.load(x + o)));
    }
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    store<f32>(y + o, apply1(op, load<f32>(x + o)));
  }
}

// @ts-ignore: decorator
@inline function backward(op: i32, dx: usize, y: usize, dy: usize, n: i32): void {
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    for (; i + 4 <= n; i += 4) {
      const o = <usize>i << 2;
      v128.store(dx + o, f32x4.add(v128.load(dx + o), grad4(op, v128.load(y + o), v128.load(dy + o))));
    }
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    store<f32>(dx + o, load<f32>(dx + o) + grad1(op, load<f32>(y + o), load<f32>(dy + o)));
  }
}

export function exp_f32(y: usize, x: usize, n: i32): void {
  forward(EXP, y, x, n);
}

export function sigmoid_f32(y: usize, x: usize, n: i32): void {
  forward(SIGMOID, y, x, n);
}

export function tanh_f32(y: usize, x: usize, n: i32): void {
  forward(TANH, y, x, n);
}

export function relu_f32(y: usize, x: usize, n: i32): void {
  forward(RELU, y, x, n);
}

export function sigmoid_backward_f32(dx: usize, y: usize, dy: usize, n: i32): void {
  backward(SIGMOID, dx, y, dy, n);
}

export function tanh_backward_f32(dx: usize, y: usize, dy: usize, n: i32): void {
  backward(TANH, dx, y, dy, n);
}

export function relu_backward_f32(dx: usize, y: usize, dy: usize, n: i32): void {
  backward(RELU, dx, y, dy, n);
}
