// Ordinary least squares in f64 for test baselines (the linear ARX the NARX tests
// compare against): the normal equations (AᵀA)·w = Aᵀb solved by Cholesky, with an
// intercept column. Plain TypeScript, independent of the library.

/** Coefficients [F + 1] (the last is the intercept) minimising Σ_r (a_r·w + w₀ − b_r)² over rows [N, F] of `a`. */
export function leastSquares(a: ArrayLike<number>, b: ArrayLike<number>, N: number, F: number): Float64Array {
  const K = F + 1;
  const ata = new Float64Array(K * K);
  const atb = new Float64Array(K);
  const row = new Float64Array(K);
  for (let r = 0; r < N; r++) {
    for (let j = 0; j < F; j++) row[j] = a[r * F + j];
    row[F] = 1;
    for (let i = 0; i < K; i++) {
      atb[i] += row[i] * b[r];
      for (let j = 0; j <= i; j++) ata[i * K + j] += row[i] * row[j];
    }
  }
  // Cholesky AᵀA = L·Lᵀ (lower triangle in place), then L·z = Aᵀb, Lᵀ·w = z.
  for (let j = 0; j < K; j++) {
    let d = ata[j * K + j];
    for (let k = 0; k < j; k++) d -= ata[j * K + k] ** 2;
    if (!(d > 0)) throw new Error(`leastSquares: the design is rank-deficient (pivot ${j} is ${d})`);
    const l = Math.sqrt(d);
    ata[j * K + j] = l;
    for (let i = j + 1; i < K; i++) {
      let s = ata[i * K + j];
      for (let k = 0; k < j; k++) s -= ata[i * K + k] * ata[j * K + k];
      ata[i * K + j] = s / l;
    }
  }
  const w = Float64Array.from(atb);
  for (let i = 0; i < K; i++) {
    for (let k = 0; k < i; k++) w[i] -= ata[i * K + k] * w[k];
    w[i] /= ata[i * K + i];
  }
  for (let i = K - 1; i >= 0; i--) {
    for (let k = i + 1; k < K; k++) w[i] -= ata[k * K + i] * w[k];
    w[i] /= ata[i * K + i];
  }
  return w;
}

/** a_r·w + w₀ for every row. */
export function applyLinear(a: ArrayLike<number>, w: ArrayLike<number>, N: number, F: number): Float64Array {
  return Float64Array.from({ length: N }, (_, r) => {
    let s = w[F];
    for (let j = 0; j < F; j++) s += a[r * F + j] * w[j];
    return s;
  });
}
