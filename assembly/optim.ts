// Optimizer steps and gradient clipping over one contiguous slab of n f32
// parameters, with the gradients and every state slab laid out the same way.
// PyTorch semantics (torch.optim.SGD, Adam/AdamW, RMSprop; dampening 0, no
// amsgrad, no maximize, RMSprop not centered and without momentum):
//
//   sgd_step_f32(params, velocity, grads, n, learningRate, momentum, nesterov, weightDecay)
//       g ← g + λ·p                  (when λ ≠ 0)
//       v ← μ·v + g                  (when μ ≠ 0; v starts at 0, so the first step stores g, PyTorch's rule)
//       g ← g + μ·v if nesterov, else g ← v
//       p ← p − lr·g
//     μ = 0: plain SGD, velocity is not touched (may be 0).
//
//   adam_step_f32(params, m, v, grads, n, learningRate, beta1, beta2, epsilon, step, weightDecay, decoupled)
//       p ← p·(1 − lr·λ)             (decoupled ≠ 0: AdamW)      g ← g + λ·p   (decoupled = 0: Adam, L2)
//       m ← β₁·m + (1 − β₁)·g
//       v ← β₂·v + (1 − β₂)·g²
//       p ← p − (lr / (1 − β₁ᵗ))·m / (√v / √(1 − β₂ᵗ) + ε)    = p − lr·m̂/(√v̂ + ε), PyTorch's grouping
//     step t ≥ 1 counts this call (1 on the first step).
//
//   rmsprop_step_f32(params, sq, grads, n, learningRate, rho, epsilon, weightDecay)
//       g ← g + λ·p;  s ← ρ·s + (1 − ρ)·g²;  p ← p − lr·g / (√s + ε)
//
//   sum_squares_f32(x, n): f64      Σ x² in f64 (reduce.ts order); NaN or +Inf if any element is non-finite
//   scale_f32(x, n, factor)          x ← factor·x
//   clip_values_f32(x, n, limit)     x ← min(max(x, −limit), limit); NaN stays NaN
//
// Hyperparameters come in as f64. Everything derived from them (1 − β, the bias
// corrections β^t with NativeMath.pow, lr / (1 − β₁ᵗ), √(1 − β₂ᵗ), 1 − lr·λ) is computed
// in f64 once per call and rounded to f32 once, as PyTorch does with Python floats.
// The element updates are f32, one operation at a time in the order written above,
// with no fused multiply-add: the SIMD body, its scalar tail and the scalar build
// run the same code (lanes.ts), so both builds give identical bits.
import { add, ld, mul, st, sub, upTo, atLeast } from "./lanes";
import { sumSquares64 } from "./reduce";

// @ts-ignore: decorator
@inline function splat<T>(x: f32): T {
  // @ts-ignore: T is v128 or f32
  if (isVector<T>()) return f32x4.splat(x);
  // @ts-ignore
  return x;
}

// @ts-ignore: decorator
@inline function div<T>(a: T, b: T): T {
  if (isVector<T>()) return f32x4.div(a, b);
  // @ts-ignore
  return a / b;
}

// @ts-ignore: decorator
@inline function vsqrt<T>(x: T): T {
  if (isVector<T>()) return f32x4.sqrt(x);
  // @ts-ignore
  return sqrt<f32>(x);
}

// ---- SGD ----

// @ts-ignore: decorator
@inline function sgdLanes<T>(
  o: usize, params: usize, velocity: usize, grads: usize,
  lr: T, mu: T, wd: T, decay: bool, useMomentum: bool, nesterov: bool,
): void {
  const p = ld<T>(params + o);
  let g = ld<T>(grads + o);
  if (decay) g = add<T>(g, mul<T>(wd, p));
  if (useMomentum) {
    const v = add<T>(mul<T>(mu, ld<T>(velocity + o)), g);
    st<T>(velocity + o, v);
    g = nesterov ? add<T>(g, mul<T>(mu, v)) : v;
  }
  st<T>(params + o, sub<T>(p, mul<T>(lr, g)));
}

export function sgd_step_f32(
  params: usize, velocity: usize, grads: usize, n: i32,
  learningRate: f64, momentum: f64, nesterov: i32, weightDecay: f64,
): void {
  const lr = <f32>learningRate, mu = <f32>momentum, wd = <f32>weightDecay;
  const decay = weightDecay != 0;
  const useMomentum = momentum != 0;
  const useNesterov = useMomentum && nesterov != 0;
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    const lrv = splat<v128>(lr), muv = splat<v128>(mu), wdv = splat<v128>(wd);
    for (; i + 4 <= n; i += 4) sgdLanes<v128>(<usize>i << 2, params, velocity, grads, lrv, muv, wdv, decay, useMomentum, useNesterov);
  }
  for (; i < n; i++) sgdLanes<f32>(<usize>i << 2, params, velocity, grads, lr, mu, wd, decay, useMomentum, useNesterov);
}

// ---- Adam / AdamW ----

// @ts-ignore: decorator
@inline const WEIGHT_DECAY_NONE: i32 = 0;
// @ts-ignore: decorator
@inline const WEIGHT_DECAY_L2: i32 = 1;
// @ts-ignore: decorator
@inline const WEIGHT_DECAY_DECOUPLED: i32 = 2;

// @ts-ignore: decorator
@inline function adamLanes<T>(
  o: usize, params: usize, m: usize, v: usize, grads: usize,
  stepSize: T, beta1: T, oneMinusBeta1: T, beta2: T, oneMinusBeta2: T, sqrtCorrection2: T, eps: T,
  wd: T, shrink: T, decayMode: i32,
): void {
  let p = ld<T>(params + o);
  let g = ld<T>(grads + o);
  if (decayMode == WEIGHT_DECAY_DECOUPLED) p = mul<T>(p, shrink);
  else if (decayMode == WEIGHT_DECAY_L2) g = add<T>(g, mul<T>(wd, p));
  const mt = add<T>(mul<T>(beta1, ld<T>(m + o)), mul<T>(oneMinusBeta1, g));
  const vt = add<T>(mul<T>(beta2, ld<T>(v + o)), mul<T>(oneMinusBeta2, mul<T>(g, g)));
  st<T>(m + o, mt);
  st<T>(v + o, vt);
  const denom = add<T>(div<T>(vsqrt<T>(vt), sqrtCorrection2), eps);
  st<T>(params + o, sub<T>(p, div<T>(mul<T>(stepSize, mt), denom)));
}

export function adam_step_f32(
  params: usize, m: usize, v: usize, grads: usize, n: i32,
  learningRate: f64, beta1: f64, beta2: f64, epsilon: f64, step: i32, weightDecay: f64, decoupled: i32,
): void {
  const correction1 = 1 - Math.pow(beta1, <f64>step);
  const correction2 = 1 - Math.pow(beta2, <f64>step);
  const stepSize = <f32>(learningRate / correction1);
  const sqrtCorrection2 = <f32>Math.sqrt(correction2);
  const b1 = <f32>beta1, c1 = <f32>(1 - beta1), b2 = <f32>beta2, c2 = <f32>(1 - beta2), eps = <f32>epsilon;
  const wd = <f32>weightDecay;
  const shrink = <f32>(1 - learningRate * weightDecay);
  const decayMode = weightDecay == 0 ? WEIGHT_DECAY_NONE : decoupled ? WEIGHT_DECAY_DECOUPLED : WEIGHT_DECAY_L2;
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    const sv = splat<v128>(stepSize), b1v = splat<v128>(b1), c1v = splat<v128>(c1), b2v = splat<v128>(b2), c2v = splat<v128>(c2);
    const qv = splat<v128>(sqrtCorrection2), ev = splat<v128>(eps), wdv = splat<v128>(wd), shv = splat<v128>(shrink);
    for (; i + 4 <= n; i += 4) adamLanes<v128>(<usize>i << 2, params, m, v, grads, sv, b1v, c1v, b2v, c2v, qv, ev, wdv, shv, decayMode);
  }
  for (; i < n; i++) adamLanes<f32>(<usize>i << 2, params, m, v, grads, stepSize, b1, c1, b2, c2, sqrtCorrection2, eps, wd, shrink, decayMode);
}

// ---- RMSprop ----

// @ts-ignore: decorator
@inline function rmspropLanes<T>(
  o: usize, params: usize, sq: usize, grads: usize,
  lr: T, rho: T, oneMinusRho: T, eps: T, wd: T, decay: bool,
): void {
  const p = ld<T>(params + o);
  let g = ld<T>(grads + o);
  if (decay) g = add<T>(g, mul<T>(wd, p));
  const s = add<T>(mul<T>(rho, ld<T>(sq + o)), mul<T>(oneMinusRho, mul<T>(g, g)));
  st<T>(sq + o, s);
  st<T>(params + o, sub<T>(p, div<T>(mul<T>(lr, g), add<T>(vsqrt<T>(s), eps))));
}

export function rmsprop_step_f32(
  params: usize, sq: usize, grads: usize, n: i32,
  learningRate: f64, rho: f64, epsilon: f64, weightDecay: f64,
): void {
  const lr = <f32>learningRate, r = <f32>rho, c = <f32>(1 - rho), eps = <f32>epsilon, wd = <f32>weightDecay;
  const decay = weightDecay != 0;
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    const lrv = splat<v128>(lr), rv = splat<v128>(r), cv = splat<v128>(c), ev = splat<v128>(eps), wdv = splat<v128>(wd);
    for (; i + 4 <= n; i += 4) rmspropLanes<v128>(<usize>i << 2, params, sq, grads, lrv, rv, cv, ev, wdv, decay);
  }
  for (; i < n; i++) rmspropLanes<f32>(<usize>i << 2, params, sq, grads, lr, r, c, eps, wd, decay);
}

// ---- clipping ----

export function sum_squares_f32(x: usize, n: i32): f64 {
  return sumSquares64(x, n);
}

export function scale_f32(x: usize, n: i32, factor: f32): void {
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    const fv = splat<v128>(factor);
    for (; i + 4 <= n; i += 4) {
      const o = <usize>i << 2;
      st<v128>(x + o, mul<v128>(ld<v128>(x + o), fv));
    }
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    st<f32>(x + o, mul<f32>(ld<f32>(x + o), factor));
  }
}

export function clip_values_f32(x: usize, n: i32, limit: f32): void {
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    const hi = splat<v128>(limit), lo = splat<v128>(-limit);
    for (; i + 4 <= n; i += 4) {
      const o = <usize>i << 2;
      st<v128>(x + o, upTo<v128>(atLeast<v128>(ld<v128>(x + o), lo), hi));
    }
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    st<f32>(x + o, upTo<f32>(atLeast<f32>(ld<f32>(x + o), -limit), limit));
  }
}
