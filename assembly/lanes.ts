// Lane-generic arithmetic: each function is instantiated for v128 (four f32
// lanes) and for f32 (one lane), so a cell's fused update is written once and
// the vector body, its scalar tail and the scalar build all run the same
// operations in the same order. Static `isVector<T>()` branches compile away.
import { exp4, expScalar, sigmoid4, sigmoidScalar, tanh4, tanhScalar } from "./activations";

// @ts-ignore: decorator
@inline export function lanes<T>(): i32 {
  return isVector<T>() ? 4 : 1;
}

// @ts-ignore: decorator
@inline export function splat<T>(c: f32): T {
  if (isVector<T>()) return f32x4.splat(c);
  // @ts-ignore: T is f32 here
  return c;
}

// @ts-ignore: decorator
@inline export function ld<T>(ptr: usize): T {
  return load<T>(ptr);
}

// @ts-ignore: decorator
@inline export function st<T>(ptr: usize, v: T): void {
  store<T>(ptr, v);
}

// @ts-ignore: decorator
@inline export function add<T>(a: T, b: T): T {
  if (isVector<T>()) return f32x4.add(a, b);
  // @ts-ignore
  return a + b;
}

// @ts-ignore: decorator
@inline export function sub<T>(a: T, b: T): T {
  if (isVector<T>()) return f32x4.sub(a, b);
  // @ts-ignore
  return a - b;
}

// @ts-ignore: decorator
@inline export function mul<T>(a: T, b: T): T {
  if (isVector<T>()) return f32x4.mul(a, b);
  // @ts-ignore
  return a * b;
}

// @ts-ignore: decorator
@inline export function vmin<T>(a: T, b: T): T {
  if (isVector<T>()) return f32x4.min(a, b);
  // @ts-ignore
  return min<f32>(a, b);
}

// @ts-ignore: decorator
@inline export function vmax<T>(a: T, b: T): T {
  if (isVector<T>()) return f32x4.max(a, b);
  // @ts-ignore
  return max<f32>(a, b);
}

/** a where y > 0, else +0 (a mask, not a multiply: NaN in a does not leak through). */
// @ts-ignore: decorator
@inline export function wherePositive<T>(y: T, a: T): T {
  if (isVector<T>()) return v128.and(a, f32x4.gt(y, f32x4.splat(0)));
  // @ts-ignore
  return y > 0 ? a : <f32>0;
}

/** a where 0 < y < 1, else +0. */
// @ts-ignore: decorator
@inline export function whereOpenUnit<T>(y: T, a: T): T {
  if (isVector<T>()) return v128.and(a, v128.and(f32x4.gt(y, f32x4.splat(0)), f32x4.lt(y, f32x4.splat(1))));
  // @ts-ignore
  return y > 0 && y < 1 ? a : <f32>0;
}

// @ts-ignore: decorator
@inline export function vexp<T>(x: T): T {
  if (isVector<T>()) return exp4(x);
  // @ts-ignore
  return expScalar(x);
}

// @ts-ignore: decorator
@inline export function vsigmoid<T>(x: T): T {
  if (isVector<T>()) return sigmoid4(x);
  // @ts-ignore
  return sigmoidScalar(x);
}

// @ts-ignore: decorator
@inline export function vtanh<T>(x: T): T {
  if (isVector<T>()) return tanh4(x);
  // @ts-ignore
  return tanhScalar(x);
}

// ---- gate nonlinearities, chosen by a kind code, and derivatives from outputs ----

// @ts-ignore: decorator
@inline export const GATE_SIGMOID: i32 = 0;
// @ts-ignore: decorator
@inline export const GATE_HARD_SIGMOID: i32 = 1;

/** σ(x), or TF.js's hardSigmoid clip(0.2·x + 0.5, 0, 1). */
// @ts-ignore: decorator
@inline export function gate<T>(kind: i32, x: T): T {
  if (kind == GATE_SIGMOID) return vsigmoid<T>(x);
  return vmin<T>(vmax<T>(add<T>(mul<T>(splat<T>(0.2), x), splat<T>(0.5)), splat<T>(0)), splat<T>(1));
}

/** dy · σ′ written with y = σ(x): y(1 − y), or 0.2 where 0 < y < 1. */
// @ts-ignore: decorator
@inline export function gateGrad<T>(kind: i32, y: T, dy: T): T {
  if (kind == GATE_SIGMOID) return mul<T>(dy, mul<T>(y, sub<T>(splat<T>(1), y)));
  return whereOpenUnit<T>(y, mul<T>(dy, splat<T>(0.2)));
}

/** dy · (1 − y²), the tanh derivative from its output. */
// @ts-ignore: decorator
@inline export function tanhGrad<T>(y: T, dy: T): T {
  return mul<T>(dy, sub<T>(splat<T>(1), mul<T>(y, y)));
}
