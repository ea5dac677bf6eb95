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
  x = min(max(x, EXP_LO), EXP_HI);
  const fx = nearest(x * LOG2E);
  const r = (x - fx * LN2_HI) - fx * LN2_LO;
  const z = r * r;
  let p = P0 * r + P1;
  p = p * r + P2;
  p = p * r + P3;
  p = p * r + P4;
  p = p * r + P5;
  const e = (p * z + r) + <f32>1;
  const scale = reinterpret<f32>((<i32>fx + 127) << 23);
  return e * scale;
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

// @ts-ignore: decorator
@inline export function exp4(x: v128): v128 {
  x = f32x4.min(f32x4.max(x, f32x4.splat(EXP_LO)), f32x4.splat(EXP_HI));
  const fx = f32x4.nearest(f32x4.mul(x, f32x4.splat(LOG2E)));
  const r = f32x4.sub(f32x4.sub(x, f32x4.mul(fx, f32x4.splat(LN2_HI))), f32x4.mul(fx, f32x4.splat(LN2_LO)));
  const z = f32x4.mul(r, r);
  let p = f32x4.add(f32x4.mul(f32x4.splat(P0), r), f32x4.splat(P1));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(P2));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(P3));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(P4));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(P5));
  const e = f32x4.add(f32x4.add(f32x4.mul(p, z), r), f32x4.splat(1));
  const n = i32x4.trunc_sat_f32x4_s(fx);
  const scale = i32x4.shl(i32x4.add(n, i32x4.splat(127)), 23);
  return f32x4.mul(e, scale);
}

// @ts-ignore: decorator
@inline export function sigmoid4(x: v128): v128 {
  const one = f32x4.splat(1);
  return f32x4.div(one, f32x4.add(one, exp4(f32x4.neg(x))));
}

// @ts-ignore: decorator
@inline export function tanh4(x: v128): v128 {
  const ax = f32x4.abs(x);
  const z = f32x4.mul(ax, ax);
  let p = f32x4.add(f32x4.mul(f32x4.splat(T0), z), f32x4.splat(T1));
  p = f32x4.add(f32x4.mul(p, z), f32x4.splat(T2));
  p = f32x4.add(f32x4.mul(p, z), f32x4.splat(T3));
  p = f32x4.add(f32x4.mul(p, z), f32x4.splat(T4));
  const small = f32x4.add(f32x4.mul(f32x4.mul(p, z), ax), ax);
  const one = f32x4.splat(1);
  const e = exp4(f32x4.add(ax, ax));
  const big = f32x4.sub(one, f32x4.div(f32x4.splat(2), f32x4.add(e, one)));
  const y = v128.bitselect(small, big, f32x4.lt(ax, f32x4.splat(TANH_SMALL)));
  const signMask = i32x4.splat(0x80000000);
  return v128.or(v128.andnot(y, signMask), v128.and(x, signMask));
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
  return f32x4.max(x, f32x4.splat(0));
}

// @ts-ignore: decorator
@inline function apply1(op: i32, x: f32): f32 {
  if (op == EXP) return expScalar(x);
  if (op == SIGMOID) return sigmoidScalar(x);
  if (op == TANH) return tanhScalar(x);
  return max<f32>(x, 0);
}

/** dy · f′ written with the output y: y(1 − y), 1 − y², or dy where y > 0 (exactly 0 elsewhere). */
// @ts-ignore: decorator
@inline function grad4(op: i32, y: v128, dy: v128): v128 {
  const one = f32x4.splat(1);
  if (op == SIGMOID) return f32x4.mul(dy, f32x4.mul(y, f32x4.sub(one, y)));
  if (op == TANH) return f32x4.mul(dy, f32x4.sub(one, f32x4.mul(y, y)));
  return v128.and(dy, f32x4.gt(y, f32x4.splat(0)));
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
