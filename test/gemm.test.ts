// WASM GEMM (both builds) against the f64 reference, over every transpose
// case, sizes that break vector code, block boundaries (KC = 256, MC = 64,
// NC = 1024, MR = 4, NR = 8), alpha/beta, leading dimensions and unaligned
// offsets. Tolerance: the rigorous f32 dot-product bound of helpers/tolerance.ts.
import { describe, expect, it } from 'vitest';
import { gemm, gemmPackB, gemmPackedBF32, gemmPackedBFloats } from '../src/kernels/gemm.js';
import { GEMM_OP } from '../src/kernels/codes.js';
import { gemmReference } from '../src/reference/gemm.js';
import { BUILDS, backendFor } from './helpers/backends.js';
import { expectSameBits, expectWithinBound } from './helpers/compare.js';
import { randomFloat32 } from './helpers/random.js';
import { gemmErrorBound } from './helpers/tolerance.js';

const SENTINEL = 12345.5;

interface Case {
  m: number;
  n: number;
  k: number;
  transA: boolean;
  transB: boolean;
  alpha?: number;
  beta?: number;
  pad?: number; // extra columns in lda/ldb/ldc
  offset?: number; // first element of each matrix in its array
}

interface Prepared {
  a: Float32Array;
  b: Float32Array;
  c: Float32Array;
  lda: number;
  ldb: number;
  ldc: number;
  offset: number;
  want: Float64Array;
  bound: Float64Array;
  cIndex: (i: number, j: number) => number;
}

/** Lays op(A), op(B), C0 out in storage as the case asks, and computes the f64 answer and its bound. */
function prepare(t: Case, seed: number): Prepared {
  const { m, n, k, transA, transB } = t;
  const alpha = t.alpha ?? 1;
  const beta = t.beta ?? 0;
  const pad = t.pad ?? 0;
  const offset = t.offset ?? 0;
  const opA = randomFloat32(m * k, seed); // [m, k]
  const opB = randomFloat32(k * n, seed + 1); // [k, n]
  const c0 = randomFloat32(m * n, seed + 2); // [m, n]
  const lda = (transA ? m : k) + pad;
  const ldb = (transB ? k : n) + pad;
  const ldc = n + pad;
  const a = new Float32Array(offset + (transA ? k : m) * lda + 3).fill(SENTINEL);
  const b = new Float32Array(offset + (transB ? n : k) * ldb + 3).fill(SENTINEL);
  const c = new Float32Array(offset + m * ldc + 3).fill(SENTINEL);
  for (let i = 0; i < m; i++) for (let p = 0; p < k; p++) a[offset + (transA ? p * lda + i : i * lda + p)] = opA[i * k + p];
  for (let p = 0; p < k; p++) for (let j = 0; j < n; j++) b[offset + (transB ? j * ldb + p : p * ldb + j)] = opB[p * n + j];
  const cIndex = (i: number, j: number) => offset + i * ldc + j;
  for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) c[cIndex(i, j)] = c0[i * n + j];
  const want = Float64Array.from(c0);
  gemmReference({ transA: false, transB: false, m, n, k, alpha, beta, a: opA, lda: k, b: opB, ldb: n, c: want, ldc: n });
  const bound = gemmErrorBound(opA, opB, m, n, k, alpha, beta, c0);
  return { a, b, c, lda, ldb, ldc, offset, want, bound, cIndex };
}

function checkResult(label: string, t: Case, p: Prepared, c: Float32Array): void {
  const got = new Float64Array(t.m * t.n);
  for (let i = 0; i < t.m; i++) for (let j = 0; j < t.n; j++) got[i * t.n + j] = c[p.cIndex(i, j)];
  expectWithinBound(label, got, p.want, p.bound);
  // Nothing outside C's m×n elements was written (padding columns, before the offset, after the end).
  const inside = new Uint8Array(c.length);
  for (let i = 0; i < t.m; i++) for (let j = 0; j < t.n; j++) inside[p.cIndex(i, j)] = 1;
  for (let x = 0; x < c.length; x++) {
    if (!inside[x] && c[x] !== SENTINEL) throw new Error(`${label}: wrote outside C at element ${x}`);
  }
}

const AWKWARD = [1, 2, 3, 4, 5, 7, 8, 9, 16, 17, 33, 65];
const TRANSPOSES = [
  [false, false],
  [false, true],
  [true, false],
  [true, true],
] as const;

function cases(): Case[] {
  const out: Case[] = [];
  const shapes: [number, number, number][] = [];
  AWKWARD.forEach((s, i) => {
    shapes.push([s, s, s]);
    shapes.push([s, AWKWARD[(i + 4) % 12], AWKWARD[(i + 8) % 12]]);
    shapes.push([AWKWARD[(i + 5) % 12], s, AWKWARD[(i + 2) % 12]]);
    shapes.push([AWKWARD[(i + 9) % 12], AWKWARD[(i + 7) % 12], s]);
  });
  shapes.push([32, 512, 160], [1, 128, 40], [70, 20, 300], [3, 1030, 5], [17, 9, 513], [66, 1033, 257]);
  // One row (the SIMD build runs pairs of full 8-column panels, then single ones): 2, 3, 5 and 6 panels, K across KC.
  shapes.push([1, 16, 1], [1, 24, 7], [1, 40, 300], [1, 47, 9]);
  for (const [m, n, k] of shapes) for (const [transA, transB] of TRANSPOSES) out.push({ m, n, k, transA, transB });
  return out;
}

describe.each(BUILDS)('gemm on the $name build', ({ simd }) => {
  it('matches the f64 reference for every transpose case over awkward sizes and block boundaries', async () => {
    const backend = await backendFor(simd);
    let seed = 1;
    for (const t of cases()) {
      const p = prepare(t, (seed += 3));
      gemm(t.m, t.n, t.k, p.a, p.b, p.c, { transA: t.transA, transB: t.transB, backend });
      checkResult(`m=${t.m} n=${t.n} k=${t.k} transA=${t.transA} transB=${t.transB}`, t, p, p.c);
    }
  });

  it('handles alpha, beta, padded leading dimensions and unaligned offsets', async () => {
    const backend = await backendFor(simd);
    const scalings = [
      [1, 0],
      [0.5, 1],
      [-2, 0.25],
      [0, 2],
      [1.5, -1],
    ];
    let seed = 1000;
    for (const [alpha, beta] of scalings) {
      for (const [transA, transB] of TRANSPOSES) {
        for (const [m, n, k] of [
          [5, 9, 7],
          [33, 17, 65],
          [4, 8, 300],
        ]) {
          for (const [pad, offset] of [
            [0, 1],
            [3, 3],
            [5, 0],
          ]) {
            const t: Case = { m, n, k, transA, transB, alpha, beta, pad, offset };
            const p = prepare(t, (seed += 3));
            gemm(m, n, k, p.a, p.b, p.c, {
              transA, transB, alpha, beta, backend,
              lda: p.lda, ldb: p.ldb, ldc: p.ldc, aOffset: offset, bOffset: offset, cOffset: offset,
            });
            checkResult(`alpha=${alpha} beta=${beta} m=${m} n=${n} k=${k} tA=${transA} tB=${transB} pad=${pad} off=${offset}`, t, p, p.c);
          }
        }
      }
    }
  });

  it('beta = 0 ignores NaN and Inf already in C (BLAS convention); NaN in A propagates', async () => {
    const backend = await backendFor(simd);
    const a = randomFloat32(6 * 5, 7);
    const b = randomFloat32(5 * 9, 8);
    const c = new Float32Array(6 * 9).fill(NaN);
    c[3] = Infinity;
    gemm(6, 9, 5, a, b, c, { backend });
    expect(c.every(Number.isFinite)).toBe(true);
    a[0] = NaN; // row 0 of A
    gemm(6, 9, 5, a, b, c, { backend });
    for (let j = 0; j < 9; j++) expect(c[j]).toBeNaN();
    expect(c.slice(9).every(Number.isFinite)).toBe(true);
  });

  it('gives the same bits with F32Buffer operands (zero copy) as with Float32Arrays', async () => {
    const backend = await backendFor(simd);
    const [m, n, k] = [13, 21, 34];
    const a = randomFloat32(m * k, 1);
    const b = randomFloat32(n * k, 2);
    const c = new Float32Array(m * n);
    gemm(m, n, k, a, b, c, { transB: true, backend });
    const [ab, bb, cb] = [backend.fromArray(a), backend.fromArray(b), backend.allocF32(m * n)];
    gemm(m, n, k, ab, bb, cb, { transB: true });
    expectSameBits('F32Buffer vs Float32Array', cb.read(), c);
    for (const x of [ab, bb, cb]) x.dispose();
  });
});

describe.each(BUILDS)('op(B) packed once on the $name build', ({ simd }) => {
  it('gemmPackedBF32 gives gemm’s bits: one row and more, pairs of panels and ragged ones, K across KC', async () => {
    const backend = await backendFor(simd);
    const work = backend.gemmWork();
    let seed = 7000;
    for (const [m, n, k] of [[1, 128, 32], [1, 47, 300], [1, 24, 5], [1, 8, 3], [2, 40, 9], [5, 17, 33]]) {
      for (const transB of [false, true]) {
        const label = `m=${m} n=${n} k=${k} transB=${transB}`;
        const a = randomFloat32(m * k, (seed += 3));
        const b = randomFloat32(k * n, seed + 1);
        const c0 = randomFloat32(m * n, seed + 2);
        const want = c0.slice();
        gemm(m, n, k, a, b, want, { transB, alpha: 0.75, beta: 0.5, backend });
        const [ab, bb, cb] = [backend.fromArray(a), backend.fromArray(b), backend.fromArray(c0)];
        const packed = backend.allocF32(gemmPackedBFloats(backend, k, n));
        gemmPackB(backend, { dst: packed.ptr, b: bb.ptr }, transB ? k : n, transB ? GEMM_OP.trans : GEMM_OP.noTrans, k, n);
        gemmPackedBF32(backend, { c: cb.ptr, a: ab.ptr, packedB: packed.ptr, work }, m, n, k, k, n, GEMM_OP.noTrans, 0.75, 0.5);
        expectSameBits(label, cb.read(), want);
        for (const x of [ab, bb, cb, packed]) x.dispose();
      }
    }
  });
});

describe('SIMD and scalar builds', () => {
  it('give bit-identical results (same products, same summation order)', async () => {
    const simd = await backendFor(true);
    const scalar = await backendFor(false);
    let seed = 5000;
    // Plus blocks ≥ 192 columns wide (the SIMD build packs A broadcast there) with ragged rows, all transposes.
    // And one-row products over pairs of panels and a ragged rest.
    const wide = [[37, 200, 45], [5, 260, 300], [1, 40, 300], [1, 47, 9], [1, 128, 32]].flatMap(([m, n, k]) => TRANSPOSES.map(([transA, transB]) => ({ m, n, k, transA, transB })));
    for (const t of [...cases().filter((_, i) => i % 3 === 0), ...wide]) {
      const p = prepare({ ...t, alpha: 0.75, beta: 0.5 }, (seed += 3));
      const c1 = p.c.slice();
      const c2 = p.c.slice();
      const opts = { transA: t.transA, transB: t.transB, alpha: 0.75, beta: 0.5 };
      gemm(t.m, t.n, t.k, p.a, p.b, c1, { ...opts, backend: simd });
      gemm(t.m, t.n, t.k, p.a, p.b, c2, { ...opts, backend: scalar });
      expectSameBits(`m=${t.m} n=${t.n} k=${t.k} tA=${t.transA} tB=${t.transB}`, c1, c2);
    }
  });
});
