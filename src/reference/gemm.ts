// Plain-TypeScript GEMM: the oracle in tests and the JS baseline in benchmarks.
//   C[M, N] = alpha · op(A)[M, K] · op(B)[K, N] + beta · C
// Same layouts as assembly/gemm.ts. Sums in f64 (JS numbers) whatever the array type.

type Floats = Float32Array | Float64Array;

export interface GemmReferenceArgs {
  transA: boolean;
  transB: boolean;
  m: number;
  n: number;
  k: number;
  alpha: number;
  beta: number;
  a: Floats;
  lda: number;
  b: Floats;
  ldb: number;
  c: Floats;
  ldc: number;
  aOffset?: number;
  bOffset?: number;
  cOffset?: number;
}

export function gemmReference(args: GemmReferenceArgs): void {
  const { transA, transB, m, n, k, alpha, beta, a, lda, b, ldb, c, ldc } = args;
  const aOffset = args.aOffset ?? 0;
  const bOffset = args.bOffset ?? 0;
  const cOffset = args.cOffset ?? 0;
  // op(A)(i, p) = a[aOffset + i·aRow + p·aCol]; op(B)(p, j) = b[bOffset + p·bRow + j·bCol]
  const aRow = transA ? 1 : lda;
  const aCol = transA ? lda : 1;
  const bRow = transB ? 1 : ldb;
  const bCol = transB ? ldb : 1;
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let sum = 0;
      for (let p = 0; p < k; p++) {
        sum += a[aOffset + i * aRow + p * aCol] * b[bOffset + p * bRow + j * bCol];
      }
      const ci = cOffset + i * ldc + j;
      c[ci] = alpha * sum + (beta === 0 ? 0 : beta * c[ci]);
    }
  }
}
