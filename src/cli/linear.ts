// The linear autoregressive baseline: ridge least squares on the same flattened lookback
// windows the networks see, in f64. w = (XᵀX + λ·D)⁻¹ Xᵀy with a bias column that is not
// penalised (D = diag(1, …, 1, 0)) and λ = 1e-6 · mean diag(XᵀX): a nudge that keeps the
// solve well-posed when features are collinear (Open/High/Low/Close), small enough not to
// bias a well-conditioned fit.

/** Fits y ≈ X·w + b. X is [n, p] row-major (f32 windows); returns w [p] then b. */
export function fitLinear(X: Float32Array, y: ArrayLike<number>, n: number, p: number): Float64Array {
  const q = p + 1;
  const A = new Float64Array(q * q); // XᵀX with the bias column last
  const b = new Float64Array(q);
  const z = new Float64Array(q);
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < p; k++) z[k] = X[i * p + k];
    z[p] = 1;
    const yi = y[i];
    for (let r = 0; r < q; r++) {
      const zr = z[r];
      if (zr === 0) continue;
      b[r] += zr * yi;
      for (let c = 0; c <= r; c++) A[r * q + c] += zr * z[c];
    }
  }
  let trace = 0;
  for (let k = 0; k < p; k++) trace += A[k * q + k];
  let lambda = 1e-6 * (trace / p || 1);
  // Cholesky of the lower triangle; if a pivot is not positive (exactly collinear columns
  // and a too-small λ), try again with a ten times larger λ.
  for (;;) {
    const L = cholesky(A, q, lambda, p);
    if (L) return solveCholesky(L, b, q);
    lambda *= 10;
  }
}

/** The prediction of fitLinear's weights for window i of X [n, p]. */
export function applyLinear(w: Float64Array, X: Float32Array, i: number, p: number): number {
  let s = w[p];
  for (let k = 0; k < p; k++) s += w[k] * X[i * p + k];
  return s;
}

function cholesky(A: Float64Array, q: number, lambda: number, penalised: number): Float64Array | null {
  const L = new Float64Array(q * q);
  for (let j = 0; j < q; j++) {
    let d = A[j * q + j] + (j < penalised ? lambda : 0);
    for (let k = 0; k < j; k++) d -= L[j * q + k] * L[j * q + k];
    if (!(d > 0)) return null;
    const root = Math.sqrt(d);
    L[j * q + j] = root;
    for (let i = j + 1; i < q; i++) {
      let s = A[i * q + j];
      for (let k = 0; k < j; k++) s -= L[i * q + k] * L[j * q + k];
      L[i * q + j] = s / root;
    }
  }
  return L;
}

function solveCholesky(L: Float64Array, b: Float64Array, q: number): Float64Array {
  const t = new Float64Array(q);
  for (let i = 0; i < q; i++) {
    let s = b[i];
    for (let k = 0; k < i; k++) s -= L[i * q + k] * t[k];
    t[i] = s / L[i * q + i];
  }
  const w = new Float64Array(q);
  for (let i = q - 1; i >= 0; i--) {
    let s = t[i];
    for (let k = i + 1; k < q; k++) s -= L[k * q + i] * w[k];
    w[i] = s / L[i * q + i];
  }
  return w;
}
