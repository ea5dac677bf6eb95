// Bindings of assembly/ar.ts: the AR / ARX design's normal equations, residuals and
// iterated forecasts, all f64. Thin: no validation (src/forecast/ar.ts checks every size
// before it calls), one call per series. The solve is esnRidgeSolve (kernels/esn.ts), λ = 0.
//
//   ŷ(t) = c·w₀ + Σ_{k=1..p} φ_k·y(t − h − k + 1) + Σ_e β_e·x_e(t),   K = c + p + E
//
//   y f64 [n];  exog f64 [rows, E] (row t = x(t); pointer 0 when E = 0);  w f64 [K]
//   xtx f64 [K, K] (upper triangle ADDED to);  xty f64 [K] (added to);  z f64 [K] scratch
//   resid f64 [n − start] or 0;  out f64 [origins];  path f64 [steps] (the last origin's forecasts)
import type { Backend } from '../engine/backend.js';
import { exportsOf } from '../engine/exports.js';
import type { Ptr } from './codes.js';

/** The shape of the model: order p, E exogenous columns, lag offset h (1 = one step ahead), intercept. */
export interface ArDesign {
  order: number;
  exogenous: number;
  horizon: number;
  intercept: boolean;
}

/** xtx += Σ_t z(t)·z(t)ᵀ (upper triangle), xty += Σ_t z(t)·y(t), t = start … n − 1 (start ≥ h + p − 1). */
export function arGramF64(backend: Backend, ptrs: { xtx: Ptr; xty: Ptr; z: Ptr; y: Ptr; exog: Ptr }, rows: { start: number; n: number }, d: ArDesign): void {
  exportsOf(backend).ar_gram_f64(ptrs.xtx, ptrs.xty, ptrs.z, ptrs.y, ptrs.exog, rows.start, rows.n, d.order, d.exogenous, d.horizon, d.intercept ? 1 : 0);
}

/** Σ_t (y(t) − ŷ(t))², t = start … n − 1 in order; the residuals into resid when it is not 0. */
export function arSsrF64(backend: Backend, ptrs: { resid: Ptr; z: Ptr; y: Ptr; exog: Ptr; w: Ptr }, rows: { start: number; n: number }, d: ArDesign): number {
  return exportsOf(backend).ar_ssr_f64(ptrs.resid, ptrs.z, ptrs.y, ptrs.exog, ptrs.w, rows.start, rows.n, d.order, d.exogenous, d.horizon, d.intercept ? 1 : 0);
}

/**
 * out[r]: the forecast of y(o + steps) from origin o = first + r, iterated step by step with
 * its own forecasts fed back for lags past o; NaN where a lag it needs is before y[0]. path
 * [steps] ends holding the last origin's forecasts of o + 1 … o + steps.
 */
export function arForecastF64(
  backend: Backend, ptrs: { out: Ptr; path: Ptr; z: Ptr; y: Ptr; exog: Ptr; w: Ptr }, origins: { first: number; count: number; steps: number }, d: ArDesign,
): void {
  exportsOf(backend).ar_forecast_f64(
    ptrs.out, ptrs.path, ptrs.z, ptrs.y, ptrs.exog, ptrs.w, origins.first, origins.count, origins.steps, d.order, d.exogenous, d.horizon, d.intercept ? 1 : 0,
  );
}
