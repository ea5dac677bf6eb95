// Error bounds for f32 kernels checked against f64 references.
//
// GEMM: each element of C = alpha·Σ_p a_ip·b_pj + beta·c_ij is a length-k dot
// product in f32, then scaled and added. The standard bound (Higham, Accuracy
// and Stability of Numerical Algorithms, §3.1) is
//   |ĉ − c| ≤ γ_{k+2} · (|alpha|·Σ_p |a_ip|·|b_pj| + |beta|·|c_ij|),  γ_n = n·u/(1 − n·u), u = 2⁻²⁴,
// plus the rounding of the f32 inputs themselves, which are exact here (the
// reference reads the same f32 values). The bound is rigorous, so a failure is
// a bug, not noise.
const U = 2 ** -24;

export function gamma(n: number): number {
  return (n * U) / (1 - n * U);
}

/** Per-element bound for C = alpha·A·B + beta·C0 with A [m,k], B [k,n] row-major, packed. */
export function gemmErrorBound(
  a: ArrayLike<number>,
  b: ArrayLike<number>,
  m: number,
  n: number,
  k: number,
  alpha: number,
  beta = 0,
  c0?: ArrayLike<number>,
): Float64Array {
  const bound = new Float64Array(m * n);
  const g = gamma(k + 2);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let p = 0; p < k; p++) s += Math.abs(a[i * k + p] * b[p * n + j]);
      const c = c0 ? Math.abs(beta * c0[i * n + j]) : 0;
      bound[i * n + j] = g * (Math.abs(alpha) * s + c) + Number.MIN_VALUE;
    }
  }
  return bound;
}
