// f64 sums over f32 arrays, for losses and gradient norms.
//
//   sum64(a, n)                  Σ_i a[i]
//   sumSquares64(a, n)           Σ_i a[i]²
//   sumSquaredDiff64(a, b, n)    Σ_i (a[i] − b[i])²
// Every term is formed in f64 from the f32 inputs (a² of an f32 cannot overflow f64,
// so ±Inf and NaN come only from non-finite inputs, and propagate).
//
// One summation order for both builds: four partial sums s_q = Σ term_i over
// i ≡ q (mod 4), i < n − n mod 4, combined as (s₀ + s₂) + (s₁ + s₃), then the n mod 4
// tail terms added in increasing i. The SIMD build keeps (s₀, s₁) and (s₂, s₃) in two
// f64x2 accumulators, whose sum is (s₀ + s₂, s₁ + s₃); the scalar build keeps four
// f64 locals. Same additions, same order, same bits (the convention of esn.ts's dot64).

// @ts-ignore: decorator
@inline const SUM: i32 = 0;
// @ts-ignore: decorator
@inline const SQUARES: i32 = 1;
// @ts-ignore: decorator
@inline const SQUARED_DIFF: i32 = 2;

/** The f64 term for element i: a, a² or (a − b)². */
// @ts-ignore: decorator
@inline function term(kind: i32, a: usize, b: usize, o: usize): f64 {
  let x = <f64>load<f32>(a + o);
  if (kind == SQUARED_DIFF) x -= <f64>load<f32>(b + o);
  return kind == SUM ? x : x * x;
}

/** Lanes 2, 3 of an f32x4 moved to lanes 0, 1 (for promote_low). */
// @ts-ignore: decorator
@inline function highHalf(v: v128): v128 {
  return v128.shuffle<f32>(v, v, 2, 3, 2, 3);
}

// @ts-ignore: decorator
@inline function reduce64(kind: i32, a: usize, b: usize, n: i32): f64 {
  let i = 0;
  let total: f64;
  if (ASC_FEATURE_SIMD) {
    let acc01 = f64x2.splat(0); // (s₀, s₁)
    let acc23 = f64x2.splat(0); // (s₂, s₃)
    for (; i + 4 <= n; i += 4) {
      const o = <usize>i << 2;
      const va = v128.load(a + o);
      let lo = f64x2.promote_low_f32x4(va);
      let hi = f64x2.promote_low_f32x4(highHalf(va));
      if (kind == SQUARED_DIFF) {
        const vb = v128.load(b + o);
        lo = f64x2.sub(lo, f64x2.promote_low_f32x4(vb));
        hi = f64x2.sub(hi, f64x2.promote_low_f32x4(highHalf(vb)));
      }
      if (kind != SUM) {
        lo = f64x2.mul(lo, lo);
        hi = f64x2.mul(hi, hi);
      }
      acc01 = f64x2.add(acc01, lo);
      acc23 = f64x2.add(acc23, hi);
    }
    const s = f64x2.add(acc01, acc23);
    total = f64x2.extract_lane(s, 0) + f64x2.extract_lane(s, 1);
  } else {
    let s0: f64 = 0, s1: f64 = 0, s2: f64 = 0, s3: f64 = 0;
    for (; i + 4 <= n; i += 4) {
      const o = <usize>i << 2;
      s0 += term(kind, a, b, o);
      s1 += term(kind, a, b, o + 4);
      s2 += term(kind, a, b, o + 8);
      s3 += term(kind, a, b, o + 12);
    }
    total = (s0 + s2) + (s1 + s3);
  }
  for (; i < n; i++) total += term(kind, a, b, <usize>i << 2);
  return total;
}

export function sum64(a: usize, n: i32): f64 {
  return reduce64(SUM, a, 0, n);
}

export function sumSquares64(a: usize, n: i32): f64 {
  return reduce64(SQUARES, a, 0, n);
}

export function sumSquaredDiff64(a: usize, b: usize, n: i32): f64 {
  return reduce64(SQUARED_DIFF, a, b, n);
}
