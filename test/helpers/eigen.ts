// Eigenvalues of a symmetric matrix by the cyclic Jacobi method (f64): rotate away each
// off-diagonal element in turn until the off-diagonal mass is negligible. For the tests' PCA
// baselines (a 64 × 64 covariance converges in a handful of sweeps).

/** The eigenvalues of the symmetric n × n matrix `a` (row-major; not modified), largest first. */
export function symmetricEigenvalues(a: ArrayLike<number>, n: number, { tolerance = 1e-14, maxSweeps = 100 } = {}): Float64Array {
  const m = Float64Array.from(a);
  let total = 0;
  for (let i = 0; i < n * n; i++) total += m[i] * m[i];
  for (let sweep = 0; sweep < maxSweeps; sweep++) {
    let off = 0;
    for (let p = 0; p < n; p++) for (let q = p + 1; q < n; q++) off += 2 * m[p * n + q] ** 2;
    if (off <= tolerance * tolerance * total) break;
    for (let p = 0; p < n; p++) {
      for (let q = p + 1; q < n; q++) {
        const apq = m[p * n + q];
        if (apq === 0) continue;
        // The rotation (c, s) that zeroes m[p, q]: tan 2θ = 2·apq / (aqq − app), the smaller root.
        const theta = (m[q * n + q] - m[p * n + p]) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        // m ← Jᵀ m J on rows/columns p and q.
        for (let k = 0; k < n; k++) {
          const mkp = m[k * n + p];
          const mkq = m[k * n + q];
          m[k * n + p] = c * mkp - s * mkq;
          m[k * n + q] = s * mkp + c * mkq;
        }
        for (let k = 0; k < n; k++) {
          const mpk = m[p * n + k];
          const mqk = m[q * n + k];
          m[p * n + k] = c * mpk - s * mqk;
          m[q * n + k] = s * mpk + c * mqk;
        }
      }
    }
  }
  return Float64Array.from({ length: n }, (_, i) => m[i * n + i]).sort((x, y) => y - x);
}

/** The covariance (divided by N) of the rows of x [N, F], centred on the column means. */
export function covariance(x: ArrayLike<number>, N: number, F: number): Float64Array {
  const mean = new Float64Array(F);
  for (let r = 0; r < N; r++) for (let j = 0; j < F; j++) mean[j] += x[r * F + j] / N;
  const c = new Float64Array(F * F);
  for (let r = 0; r < N; r++) {
    for (let i = 0; i < F; i++) {
      const di = x[r * F + i] - mean[i];
      for (let j = i; j < F; j++) c[i * F + j] += (di * (x[r * F + j] - mean[j])) / N;
    }
  }
  for (let i = 0; i < F; i++) for (let j = 0; j < i; j++) c[i * F + j] = c[j * F + i];
  return c;
}
