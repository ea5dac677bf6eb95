// AR / ARX by ordinary least squares in plain f64 TypeScript: the oracle of test/ar.test.ts.
// Reads like the equations; nothing here is fast.
//
//   ŷ(t) = c·w₀ + Σ_{k=1..p} φ_k·y(t − h − k + 1) + Σ_e β_e·x_e(t)
//   z(t) = [1 (if c); y(t−h) … y(t−h−p+1); x(t)],   K = c + p + E
//   w    = (ZᵀZ)⁻¹·Zᵀy over t = start … n − 1,   nobs = n − start
//   σ²   = SSR / nobs;  se_k = sqrt(σ²·[(ZᵀZ)⁻¹]_kk)
//   llf  = −nobs/2·(ln(2π·σ²) + 1);  AIC = −2·llf + 2·(K + 1);  BIC = −2·llf + ln(nobs)·(K + 1)

export interface ReferenceArDesign {
  order: number;
  exogenous: number;
  horizon: number;
  intercept: boolean;
}

export interface ReferenceArFit {
  coefficients: number[];
  ssr: number;
  nobs: number;
  sigma2: number;
  standardErrors: number[];
  llf: number;
  aic: number;
  bic: number;
}

/** z(t) for one row t. */
export function referenceFeatures(y: ArrayLike<number>, exog: ArrayLike<number> | null, t: number, d: ReferenceArDesign): number[] {
  const z: number[] = [];
  if (d.intercept) z.push(1);
  for (let k = 1; k <= d.order; k++) z.push(y[t - d.horizon - k + 1]);
  for (let e = 0; e < d.exogenous; e++) z.push(exog![t * d.exogenous + e]);
  return z;
}

/** ZᵀZ (full, symmetric) and Zᵀy over t = start … n − 1, each entry summed over t in order. */
export function referenceNormalEquations(y: ArrayLike<number>, exog: ArrayLike<number> | null, start: number, n: number, d: ReferenceArDesign): { A: number[][]; b: number[] } {
  const K = (d.intercept ? 1 : 0) + d.order + d.exogenous;
  const A = Array.from({ length: K }, () => new Array<number>(K).fill(0));
  const b = new Array<number>(K).fill(0);
  for (let t = start; t < n; t++) {
    const z = referenceFeatures(y, exog, t, d);
    for (let i = 0; i < K; i++) {
      for (let j = i; j < K; j++) A[i][j] += z[i] * z[j];
      b[i] += z[i] * y[t];
    }
  }
  for (let i = 0; i < K; i++) for (let j = 0; j < i; j++) A[i][j] = A[j][i];
  return { A, b };
}

/** A = L·Lᵀ (plain Cholesky, no pivoting); throws if A is not positive definite. */
export function referenceCholesky(A: number[][]): number[][] {
  const K = A.length;
  const L = Array.from({ length: K }, () => new Array<number>(K).fill(0));
  for (let j = 0; j < K; j++) {
    let d = A[j][j];
    for (let k = 0; k < j; k++) d -= L[j][k] * L[j][k];
    if (!(d > 0)) throw new Error(`referenceCholesky: pivot ${j} is ${d}`);
    L[j][j] = Math.sqrt(d);
    for (let i = j + 1; i < K; i++) {
      let s = A[i][j];
      for (let k = 0; k < j; k++) s -= L[i][k] * L[j][k];
      L[i][j] = s / L[j][j];
    }
  }
  return L;
}

/** x with L·Lᵀ·x = b. */
export function referenceCholeskySolve(L: number[][], b: number[]): number[] {
  const K = L.length;
  const u = new Array<number>(K).fill(0);
  for (let i = 0; i < K; i++) {
    let s = b[i];
    for (let k = 0; k < i; k++) s -= L[i][k] * u[k];
    u[i] = s / L[i][i];
  }
  const x = new Array<number>(K).fill(0);
  for (let i = K - 1; i >= 0; i--) {
    let s = u[i];
    for (let k = i + 1; k < K; k++) s -= L[k][i] * x[k];
    x[i] = s / L[i][i];
  }
  return x;
}

/** The least-squares fit on rows start … n − 1 with every statistic of the header. */
export function referenceArFit(y: ArrayLike<number>, exog: ArrayLike<number> | null, start: number, n: number, d: ReferenceArDesign): ReferenceArFit {
  const { A, b } = referenceNormalEquations(y, exog, start, n, d);
  const L = referenceCholesky(A);
  const w = referenceCholeskySolve(L, b);
  let ssr = 0;
  for (let t = start; t < n; t++) {
    const z = referenceFeatures(y, exog, t, d);
    let yhat = 0;
    for (let k = 0; k < z.length; k++) yhat += w[k] * z[k];
    ssr += (y[t] - yhat) ** 2;
  }
  const nobs = n - start;
  const sigma2 = ssr / nobs;
  const K = w.length;
  const standardErrors = w.map((_, k) => {
    const unit = new Array<number>(K).fill(0);
    unit[k] = 1;
    return Math.sqrt(sigma2 * referenceCholeskySolve(L, unit)[k]); // [(ZᵀZ)⁻¹]_kk
  });
  const llf = (-nobs / 2) * (Math.log(2 * Math.PI * sigma2) + 1);
  return { coefficients: w, ssr, nobs, sigma2, standardErrors, llf, aic: -2 * llf + 2 * (K + 1), bic: -2 * llf + Math.log(nobs) * (K + 1) };
}

/**
 * The forecasts of y(o + 1) … y(o + steps) from origin o: the model's equation applied step by
 * step, with the data for lags at or before o and the forecasts already made for lags after it.
 */
export function referenceArForecast(y: ArrayLike<number>, exog: ArrayLike<number> | null, w: ArrayLike<number>, o: number, steps: number, d: ReferenceArDesign): number[] {
  const path: number[] = [];
  const value = (i: number): number => (i < 0 ? NaN : i <= o ? y[i] : path[i - o - 1]);
  for (let t = o + 1; t <= o + steps; t++) {
    let yhat = d.intercept ? w[0] : 0;
    const c = d.intercept ? 1 : 0;
    for (let k = 1; k <= d.order; k++) yhat += w[c + k - 1] * value(t - d.horizon - k + 1);
    for (let e = 0; e < d.exogenous; e++) yhat += w[c + d.order + e] * exog![t * d.exogenous + e];
    path.push(yhat);
  }
  return path;
}
