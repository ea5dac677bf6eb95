// Lane-generic arithmetic: each function is instantiated for v128 (four f32
// lanes) and for f32 (one lane), so a cell's fused update is written once and
// the vector body, its scalar tail and the scalar build all run the same
// operations in the same order. Static `isVector<T>()` branches compile away.
import { C_FIFTH, C_HALF, C_ONE, C_ZERO, exp4, expScalar, sigmoid4, sigmoidScalar, tanh4, tanhScalar, vconst } from "./activations";

// @ts-ignore: decorator
@inline export function lanes<T>(): i32 {
  return isVector<T>() ? 4 : 1;
}

// Constants. Vector ones are loaded from a table (V8 rebuilds a v128 constant at every use).

// @ts-ignore: decorator
@inline export function zero<T>(): T {
  if (isVector<T>()) return vconst(C_ZERO);
  // @ts-ignore: T is f32 here
  return <f32>0;
}

// @ts-ignore: decorator
@inline export function one<T>(): T {
  if (isVector<T>()) return vconst(C_ONE);
  // @ts-ignore: T is f32 here
  return <f32>1;
}

// @ts-ignore: decorator
@inline function half<T>(): T {
  if (isVector<T>()) return vconst(C_HALF);
  // @ts-ignore: T is f32 here
  return <f32>0.5;
}

// @ts-ignore: decorator
@inline function fifth<T>(): T {
  if (isVector<T>()) return vconst(C_FIFTH);
  // @ts-ignore: T is f32 here
  return <f32>0.2;
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

/** x > hi ? hi : x — one instruction (f32x4.pmin); NaN in x passes through. */
// @ts-ignore: decorator
@inline export function upTo<T>(x: T, hi: T): T {
  if (isVector<T>()) return f32x4.pmin(x, hi);
  // @ts-ignore
  return hi < x ? hi : x;
}

/** x < lo ? lo : x — one instruction (f32x4.pmax); NaN in x passes through. */
// @ts-ignore: decorator
@inline export function atLeast<T>(x: T, lo: T): T {
  if (isVector<T>()) return f32x4.pmax(x, lo);
  // @ts-ignore
  return x < lo ? lo : x;
}

/** a where y > 0, else +0 (a mask, not a multiply: NaN in a does not leak through). */
// @ts-ignore: decorator
@inline export function wherePositive<T>(y: T, a: T): T {
  if (isVector<T>()) return v128.and(a, f32x4.gt(y, vconst(C_ZERO)));
  // @ts-ignore
  return y > 0 ? a : <f32>0;
}

/** a where 0 < y < 1, else +0. */
// @ts-ignore: decorator
@inline export function whereOpenUnit<T>(y: T, a: T): T {
  if (isVector<T>()) return v128.and(a, v128.and(f32x4.gt(y, vconst(C_ZERO)), f32x4.lt(y, vconst(C_ONE))));
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

/** Gate activation codes (the lstm and gru `kind` argument); src/kernels/codes.ts mirrors them. */
export const GATE_SIGMOID: i32 = 0;
export const GATE_HARD_SIGMOID: i32 = 1;

/** σ(x), or TF.js's hardSigmoid clip(0.2·x + 0.5, 0, 1). */
// @ts-ignore: decorator
@inline export function gate<T>(kind: i32, x: T): T {
  if (kind == GATE_SIGMOID) return vsigmoid<T>(x);
  return upTo<T>(atLeast<T>(add<T>(mul<T>(fifth<T>(), x), half<T>()), zero<T>()), one<T>());
}

/** dy · σ′ written with y = σ(x): y(1 − y), or 0.2 where 0 < y < 1. */
// @ts-ignore: decorator
@inline export function gateGrad<T>(kind: i32, y: T, dy: T): T {
  if (kind == GATE_SIGMOID) return mul<T>(dy, mul<T>(y, sub<T>(one<T>(), y)));
  return whereOpenUnit<T>(y, mul<T>(dy, fifth<T>()));
}

/** dy · (1 − y²), the tanh derivative from its output. */
// @ts-ignore: decorator
@inline export function tanhGrad<T>(y: T, dy: T): T {
  return mul<T>(dy, sub<T>(one<T>(), mul<T>(y, y)));
}
