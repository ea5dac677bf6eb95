// Autoregressive (AR / ARX) kernels in f64: the normal equations of a lagged design,
// its residuals, and iterated forecasts. The least-squares solve itself is
// esn_ridge_solve (assembly/esn.ts) with λ = 0: a pivoted Cholesky of XᵀX.
//
// The model, with lag offset h (1 = the usual AR; h > 1 = a direct h-step model),
// order p, E exogenous columns and an intercept flag c ∈ {0, 1}:
//
//   ŷ(t) = c·w₀ + Σ_{k=1..p} φ_k·y(t − h − k + 1) + Σ_{e=1..E} β_e·x_e(t)
//   z(t) = [1 (if c); y(t−h), y(t−h−1), …, y(t−h−p+1); x_1(t), …, x_E(t)]
//   K    = c + p + E features;  w = [w₀ (if c); φ_1 … φ_p; β_1 … β_E]  (statsmodels' order)
//
// Buffers (row-major, all f64; pointers are byte offsets):
//   y [n]  the series;  exog [rows, E] (row t = x(t)) or 0 when E = 0
//   z [K]  scratch;  xtx [K, K] (upper triangle accumulated);  xty [K]
//   w [K]  the coefficients;  resid [n − start] or 0;  out [origins];  path [steps] (forecast)
//
// Summation orders are fixed and the same in the SIMD and the scalar build: every
// XᵀX / Xᵀy entry is summed over t in increasing order (the SIMD loop adds two
// entries of a row at once, each still over t in order, without fusing), and ŷ(t)
// is summed in feature order (w₀, then the lags, then the exogenous columns).

/** ŷ for one row: the intercept, then φ_k·(lag k), then β_e·x_e, in that order. */
// @ts-ignore: decorator
@inline function predictRow(w: usize, lags: usize, xrow: usize, p: i32, E: i32, c: i32): f64 {
  let s: f64 = c ? load<f64>(w) : 0;
  const wl = w + (<usize>c << 3);
  for (let k = 0; k < p; k++) s += load<f64>(wl + (<usize>k << 3)) * load<f64>(lags + (<usize>k << 3));
  const we = wl + (<usize>p << 3);
  for (let e = 0; e < E; e++) s += load<f64>(we + (<usize>e << 3)) * load<f64>(xrow + (<usize>e << 3));
  return s;
}

/** z ← z(t) (see the header); t − h − p + 1 ≥ 0 is the caller's business. */
// @ts-ignore: decorator
@inline function fillFeatures(z: usize, y: usize, exog: usize, t: i32, p: i32, E: i32, h: i32, c: i32): void {
  if (c) store<f64>(z, 1);
  const zl = z + (<usize>c << 3);
  for (let k = 0; k < p; k++) store<f64>(zl + (<usize>k << 3), load<f64>(y + (<usize>(t - h - k) << 3)));
  const ze = zl + (<usize>p << 3);
  const xrow = exog + (<usize>t * <usize>E << 3);
  for (let e = 0; e < E; e++) store<f64>(ze + (<usize>e << 3), load<f64>(xrow + (<usize>e << 3)));
}

/**
 * Adds z(t)·z(t)ᵀ (upper triangle) to xtx [K, K] and z(t)·y(t) to xty [K] for
 * t = start … n − 1 (needs start ≥ h + p − 1). z [K] is scratch.
 */
export function ar_gram_f64(xtx: usize, xty: usize, z: usize, y: usize, exog: usize, start: i32, n: i32, p: i32, E: i32, h: i32, c: i32): void {
  const K = c + p + E;
  const kb = <usize>K << 3;
  for (let t = start; t < n; t++) {
    fillFeatures(z, y, exog, t, p, E, h, c);
    const yt = load<f64>(y + (<usize>t << 3));
    for (let i = 0; i < K; i++) {
      const zi = load<f64>(z + (<usize>i << 3));
      const row = xtx + <usize>i * kb;
      let j = i;
      if (ASC_FEATURE_SIMD) {
        const vi = f64x2.splat(zi);
        for (; j + 2 <= K; j += 2) {
          const q = row + (<usize>j << 3);
          v128.store(q, f64x2.add(v128.load(q), f64x2.mul(vi, v128.load(z + (<usize>j << 3)))));
        }
      }
      for (; j < K; j++) {
        const q = row + (<usize>j << 3);
        store<f64>(q, load<f64>(q) + zi * load<f64>(z + (<usize>j << 3)));
      }
      const b = xty + (<usize>i << 3);
      store<f64>(b, load<f64>(b) + zi * yt);
    }
  }
}

/**
 * Residuals e(t) = y(t) − ŷ(t) for t = start … n − 1 into resid [n − start] (when
 * resid ≠ 0); returns Σ e(t)², summed over t in order. z [K] is scratch.
 */
export function ar_ssr_f64(resid: usize, z: usize, y: usize, exog: usize, w: usize, start: i32, n: i32, p: i32, E: i32, h: i32, c: i32): f64 {
  let ssr: f64 = 0;
  for (let t = start; t < n; t++) {
    // The lags of t, nearest first, into z: y(t − h), …, y(t − h − p + 1).
    for (let k = 0; k < p; k++) store<f64>(z + (<usize>k << 3), load<f64>(y + (<usize>(t - h - k) << 3)));
    const e = load<f64>(y + (<usize>t << 3)) - predictRow(w, z, exog + (<usize>t * <usize>E << 3), p, E, c);
    if (resid) store<f64>(resid + (<usize>(t - start) << 3), e);
    ssr += e * e;
  }
  return ssr;
}

/**
 * Iterated forecasts from each origin o = first … first + origins − 1: the values at
 * o + 1, …, o + steps go into path [steps], and the last of them into out[o − first].
 * A lag at index i is y(i) when i ≤ o (data), path[i − o − 1] when i > o (the
 * recursion), and NaN when i < 0 (history too short; the NaN then runs into whatever
 * depends on it, and nothing else). After the call, path holds the last origin's
 * forecasts. Reads y[0 … o] and exog rows up to o + steps. z [p] is scratch.
 */
export function ar_forecast_f64(out: usize, path: usize, z: usize, y: usize, exog: usize, w: usize, first: i32, origins: i32, steps: i32, p: i32, E: i32, h: i32, c: i32): void {
  for (let r = 0; r < origins; r++) {
    const o = first + r;
    for (let s = 1; s <= steps; s++) {
      const t = o + s;
      for (let k = 0; k < p; k++) {
        const i = t - h - k;
        const v: f64 = i < 0 ? NaN : i <= o ? load<f64>(y + (<usize>i << 3)) : load<f64>(path + (<usize>(i - o - 1) << 3));
        store<f64>(z + (<usize>k << 3), v);
      }
      store<f64>(path + (<usize>(s - 1) << 3), predictRow(w, z, exog + (<usize>t * <usize>E << 3), p, E, c));
    }
    store<f64>(out + (<usize>r << 3), load<f64>(path + (<usize>(steps - 1) << 3)));
  }
}
