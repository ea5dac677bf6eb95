// GEMM, row-major, single precision:
//
//   C[M, N] = alpha · op(A)[M, K] · op(B)[K, N] + beta · C[M, N]
//
//   op(A) = A   when transA = 0: A is [M, lda], lda ≥ K, element (i, k) at A[i·lda + k]
//   op(A) = Aᵀ  when transA ≠ 0: A is [K, lda], lda ≥ M, element (i, k) at A[k·lda + i]
//   op(B) = B   when transB = 0: B is [K, ldb], ldb ≥ N, element (k, j) at B[k·ldb + j]
//   op(B) = Bᵀ  when transB ≠ 0: B is [N, ldb], ldb ≥ K, element (k, j) at B[j·ldb + k]
//   C is [M, ldc], ldc ≥ N.
//   work: GEMM_WORK_FLOATS f32 of scratch owned by the caller (gemm_work_floats()).
//
// Blocking (Goto & van de Geijn, "Anatomy of high-performance matrix
// multiplication", 2008): for each KC-deep slice of K, op(B) is packed into
// NR-wide column panels (KC·NR floats each, zero-padded), and for each MC-tall
// block of rows op(A) is packed into MR-tall row panels (KC·MR floats each,
// zero-padded). Packing is where the transposes are absorbed, so all four
// transpose cases run the same micro-kernel over the same packed layout.
// The micro-kernel keeps an MR×NR tile of C in registers (8 f32x4) and, per k,
// broadcasts MR values of A against two f32x4 of B. 4×8 is the largest tile V8
// keeps in registers here: its scheduler issues a step's six loads ahead of the
// arithmetic, so 8 accumulators + 6 operands + 1 product fill the 15 usable XMM
// registers (unrolling k, or a 6×8 / 4×12 tile, spills accumulators to the stack).
// When a block of op(B) is at least NC_WIDE columns wide, the SIMD build packs A
// already broadcast (four copies of each value, AW = 4): the kernel then reads A
// with plain vector loads whose offsets fold into the address (load32_splat's do
// not: three address additions per k), 28 instead of 31 instructions per k for
// the same 16 multiplies and adds, +5–15 % on the large shapes. Narrower blocks
// re-read a packed panel too few times to pay for the 4× larger packing (at N = 64
// and 128 the broadcast packing lost 3–20 %).
//
// Summation order, identical in the SIMD and the scalar build: for every
// element, acc = Σ_k a·b in increasing k within a KC slice (f32, no FMA), then
// C ← C + alpha·acc once per slice; beta is applied first (beta = 0 writes
// zeros, so NaN/Inf already in C do not survive, as in BLAS).
//
// When op(B) = B and M is small, B is not re-used enough to pay for packing:
// full panels are read straight from B with row stride ldb (only a ragged
// last panel is packed). When M = 1, A is read in place by a 1×NR kernel
// instead of being packed; the SIMD build runs two panels at a time (rowKernel2).
// The values and their order are the same either way.

/** transA / transB codes: use the matrix as stored (NO_TRANS) or its transpose (TRANS). Exported as the globals GEMM_NO_TRANS, GEMM_TRANS. */
export const NO_TRANS: i32 = 0;
export const TRANS: i32 = 1;

// @ts-ignore: decorator
@inline export const MR: i32 = 4;
// @ts-ignore: decorator
@inline export const NR: i32 = 8;
// @ts-ignore: decorator
@inline const KC: i32 = 256;
// @ts-ignore: decorator
@inline const MC: i32 = 64;
// @ts-ignore: decorator
@inline const NC: i32 = 1024;
/** Below this many rows, op(B) = B is read in place instead of packed. */
// @ts-ignore: decorator
@inline const DIRECT_B_MAX_M: i32 = 16;

/** Most floats per packed A value: the SIMD build may store each one broadcast to four lanes (packAWide). */
// @ts-ignore: decorator
@inline const AW: i32 = ASC_FEATURE_SIMD ? 4 : 1;
/** From this many columns in a block on, the SIMD build packs A broadcast (each panel is then re-read ≥ NC_WIDE / NR times). */
// @ts-ignore: decorator
@inline const NC_WIDE: i32 = 192;

/** Floats of scratch the caller must pass as `work`: one packed B block + one packed A block. */
export const GEMM_WORK_FLOATS: i32 = KC * NC + MC * KC * AW;

/** Exported so TypeScript sizes the workspace from the module itself. */
export function gemm_work_floats(): i32 {
  return GEMM_WORK_FLOATS;
}

// A 4×8 staging tile for ragged edges (static data, not an allocation). A global, so that each
// instance sharing one memory across threads stages in its own tile (assembly/threads.ts).
let EDGE_TILE: usize = memory.data(MR * NR * 4, 16);

/** Moves this instance's edge tile to `tile` (MR·NR floats, 16-byte aligned). */
export function gemm_set_edge_tile(tile: usize): void {
  EDGE_TILE = tile;
}

/** C[m, n] (row stride ldc) ← beta · C; beta = 0 stores zeros. */
function scaleC(c: usize, m: i32, n: i32, ldc: i32, beta: f32): void {
  if (beta == 1) return;
  for (let i = 0; i < m; i++) {
    const row = c + (<usize>i * <usize>ldc << 2);
    let j = 0;
    if (ASC_FEATURE_SIMD) {
      if (beta == 0) {
        const z = f32x4.splat(0);
        for (; j + 4 <= n; j += 4) v128.store(row + (<usize>j << 2), z);
      } else {
        const vb = f32x4.splat(beta);
        for (; j + 4 <= n; j += 4) {
          const p = row + (<usize>j << 2);
          v128.store(p, f32x4.mul(v128.load(p), vb));
        }
      }
    }
    for (; j < n; j++) {
      const p = row + (<usize>j << 2);
      store<f32>(p, beta == 0 ? <f32>0 : load<f32>(p) * beta);
    }
  }
}

/**
 * Stores the transpose of the 4×4 block whose rows are r0..r3: column q of the
 * block (lane q of every row) goes to out + q·stride.
 */
// @ts-ignore: decorator
@inline function storeTransposed4x4(out: usize, stride: usize, r0: v128, r1: v128, r2: v128, r3: v128): void {
  const t0 = v128.shuffle<f32>(r0, r1, 0, 4, 1, 5);
  const t1 = v128.shuffle<f32>(r2, r3, 0, 4, 1, 5);
  const t2 = v128.shuffle<f32>(r0, r1, 2, 6, 3, 7);
  const t3 = v128.shuffle<f32>(r2, r3, 2, 6, 3, 7);
  v128.store(out, v128.shuffle<f32>(t0, t1, 0, 1, 4, 5));
  v128.store(out + stride, v128.shuffle<f32>(t0, t1, 2, 3, 6, 7));
  v128.store(out + 2 * stride, v128.shuffle<f32>(t2, t3, 0, 1, 4, 5));
  v128.store(out + 3 * stride, v128.shuffle<f32>(t2, t3, 2, 3, 6, 7));
}

/**
 * Packs op(A)[i0 : i0+mc, k0 : k0+kc] into row panels of MR:
 * dst[(p·kc + k)·MR + r] = op(A)(i0 + p·MR + r, k0 + k), zero where the row is past mc.
 */
function packANarrow(dst: usize, a: usize, lda: i32, transA: i32, i0: i32, k0: i32, mc: i32, kc: i32): void {
  for (let p = 0; p < mc; p += MR) {
    const mr = min(MR, mc - p);
    const panel = dst + (<usize>p * <usize>kc << 2);
    const row0 = i0 + p;
    if (transA) {
      // op(A)(i, k) = A[k·lda + i]: MR consecutive floats per k.
      for (let k = 0; k < kc; k++) {
        const src = a + ((<usize>(k0 + k) * <usize>lda + <usize>row0) << 2);
        const out = panel + (<usize>k * MR << 2);
        if (ASC_FEATURE_SIMD && mr == MR) {
          v128.store(out, v128.load(src));
        } else {
          for (let r = 0; r < MR; r++) {
            store<f32>(out + (<usize>r << 2), r < mr ? load<f32>(src + (<usize>r << 2)) : <f32>0);
          }
        }
      }
    } else {
      // op(A)(i, k) = A[i·lda + k]: MR rows, transposed 4×4 at a time.
      let k = 0;
      if (ASC_FEATURE_SIMD && mr == MR) {
        const s0 = a + ((<usize>row0 * <usize>lda + <usize>k0) << 2);
        const ldaBytes = <usize>lda << 2;
        for (; k + 4 <= kc; k += 4) {
          const off = <usize>k << 2;
          storeTransposed4x4(panel + (<usize>k * MR << 2), MR << 2,
            v128.load(s0 + off), v128.load(s0 + ldaBytes + off),
            v128.load(s0 + 2 * ldaBytes + off), v128.load(s0 + 3 * ldaBytes + off));
        }
      }
      for (; k < kc; k++) {
        const out = panel + (<usize>k * MR << 2);
        for (let r = 0; r < MR; r++) {
          const v: f32 = r < mr ? load<f32>(a + ((<usize>(row0 + r) * <usize>lda + <usize>(k0 + k)) << 2)) : 0;
          store<f32>(out + (<usize>r << 2), v);
        }
      }
    }
  }
}

/**
 * SIMD build only. Packs op(A)[i0 : i0+mc, k0 : k0+kc] into row panels of MR, each value
 * broadcast to four lanes: dst[((p·kc + k)·MR + r)·4 + lane] = op(A)(i0 + p·MR + r, k0 + k),
 * zero where the row is past mc.
 */
function packAWide(dst: usize, a: usize, lda: i32, transA: i32, i0: i32, k0: i32, mc: i32, kc: i32): void {
  if (!ASC_FEATURE_SIMD) return;
  // op(A)(i, k) = A[k·lda + i] when transposed, A[i·lda + k] otherwise.
  const rowStep: usize = transA ? 4 : <usize>lda << 2;
  const kStep: usize = transA ? <usize>lda << 2 : 4;
  for (let p = 0; p < mc; p += MR) {
    const mr = min(MR, mc - p);
    const panel = dst + (<usize>p * <usize>kc << 4);
    const src0 = a + <usize>(i0 + p) * rowStep + <usize>k0 * kStep;
    for (let k = 0; k < kc; k++) {
      const src = src0 + <usize>k * kStep;
      const out = panel + (<usize>k * MR << 4);
      for (let r = 0; r < MR; r++) {
        v128.store(out + (<usize>r << 4), r < mr ? v128.load32_splat(src + <usize>r * rowStep) : f32x4.splat(0));
      }
    }
  }
}

/**
 * Packs op(B)[k0 : k0+kc, j0 : j0+nc] into column panels of NR:
 * dst[(p·kc + k)·NR + c] = op(B)(k0 + k, j0 + p·NR + c), zero where the column is past nc.
 */
function packB(dst: usize, b: usize, ldb: i32, transB: i32, k0: i32, j0: i32, kc: i32, nc: i32): void {
  for (let p = 0; p < nc; p += NR) {
    const nr = min(NR, nc - p);
    const panel = dst + (<usize>p * <usize>kc << 2);
    const col0 = j0 + p;
    if (!transB) {
      // op(B)(k, j) = B[k·ldb + j]: NR consecutive floats per k.
      for (let k = 0; k < kc; k++) {
        const src = b + ((<usize>(k0 + k) * <usize>ldb + <usize>col0) << 2);
        const out = panel + (<usize>k * NR << 2);
        if (ASC_FEATURE_SIMD && nr == NR) {
          v128.store(out, v128.load(src));
          v128.store(out, v128.load(src, 16), 16);
        } else {
          for (let c = 0; c < NR; c++) {
            store<f32>(out + (<usize>c << 2), c < nr ? load<f32>(src + (<usize>c << 2)) : <f32>0);
          }
        }
      }
    } else {
      // op(B)(k, j) = B[j·ldb + k]: NR rows of B, transposed 4×4 at a time.
      let k = 0;
      if (ASC_FEATURE_SIMD && nr == NR) {
        const ldbBytes = <usize>ldb << 2;
        const s0 = b + ((<usize>col0 * <usize>ldb + <usize>k0) << 2);
        const s4 = s0 + 4 * ldbBytes;
        for (; k + 4 <= kc; k += 4) {
          const off = <usize>k << 2;
          const out = panel + (<usize>k * NR << 2);
          // Rows col0..col0+3 fill lanes 0..3 of each packed k-row, rows col0+4..+7 lanes 4..7.
          storeTransposed4x4(out, NR << 2,
            v128.load(s0 + off), v128.load(s0 + ldbBytes + off),
            v128.load(s0 + 2 * ldbBytes + off), v128.load(s0 + 3 * ldbBytes + off));
          storeTransposed4x4(out + 16, NR << 2,
            v128.load(s4 + off), v128.load(s4 + ldbBytes + off),
            v128.load(s4 + 2 * ldbBytes + off), v128.load(s4 + 3 * ldbBytes + off));
        }
      }
      for (; k < kc; k++) {
        const out = panel + (<usize>k * NR << 2);
        for (let c = 0; c < NR; c++) {
          const v: f32 = c < nr ? load<f32>(b + ((<usize>(col0 + c) * <usize>ldb + <usize>(k0 + k)) << 2)) : 0;
          store<f32>(out + (<usize>c << 2), v);
        }
      }
    }
  }
}

/**
 * The micro-kernel: acc[MR, NR] = Σ_{k < kc} pa[(k·MR + r)·aw] · pb[k·bStride + c], then
 * C[r, c] += alpha · acc[r, c] for r < mr, c < nr.
 * pa: packed A panel, aw = 4 when packed broadcast (packAWide), else 1; pb: B panel rows `bStride` bytes apart (NR·4 when packed,
 * ldb·4 when read in place); c: C at the tile's top-left, rows ldcBytes apart.
 */
function microKernel(kc: i32, pa: usize, pb: usize, bStride: usize, c: usize, ldcBytes: usize, alpha: f32, mr: i32, nr: i32, aw: i32): void {
  if (ASC_FEATURE_SIMD) {
    let c00 = f32x4.splat(0), c01 = f32x4.splat(0);
    let c10 = f32x4.splat(0), c11 = f32x4.splat(0);
    let c20 = f32x4.splat(0), c21 = f32x4.splat(0);
    let c30 = f32x4.splat(0), c31 = f32x4.splat(0);
    if (aw == 4) {
      for (let k = 0; k < kc; k++) {
        const b0 = v128.load(pb);
        const b1 = v128.load(pb, 16);
        let av = v128.load(pa);
        c00 = f32x4.add(c00, f32x4.mul(av, b0));
        c01 = f32x4.add(c01, f32x4.mul(av, b1));
        av = v128.load(pa, 16);
        c10 = f32x4.add(c10, f32x4.mul(av, b0));
        c11 = f32x4.add(c11, f32x4.mul(av, b1));
        av = v128.load(pa, 32);
        c20 = f32x4.add(c20, f32x4.mul(av, b0));
        c21 = f32x4.add(c21, f32x4.mul(av, b1));
        av = v128.load(pa, 48);
        c30 = f32x4.add(c30, f32x4.mul(av, b0));
        c31 = f32x4.add(c31, f32x4.mul(av, b1));
        pa += MR << 4;
        pb += bStride;
      }
    } else {
      for (let k = 0; k < kc; k++) {
        const b0 = v128.load(pb);
        const b1 = v128.load(pb, 16);
        let av = v128.load32_splat(pa);
        c00 = f32x4.add(c00, f32x4.mul(av, b0));
        c01 = f32x4.add(c01, f32x4.mul(av, b1));
        av = v128.load32_splat(pa, 4);
        c10 = f32x4.add(c10, f32x4.mul(av, b0));
        c11 = f32x4.add(c11, f32x4.mul(av, b1));
        av = v128.load32_splat(pa, 8);
        c20 = f32x4.add(c20, f32x4.mul(av, b0));
        c21 = f32x4.add(c21, f32x4.mul(av, b1));
        av = v128.load32_splat(pa, 12);
        c30 = f32x4.add(c30, f32x4.mul(av, b0));
        c31 = f32x4.add(c31, f32x4.mul(av, b1));
        pa += MR << 2;
        pb += bStride;
      }
    }
    const va = f32x4.splat(alpha);
    if (mr == MR && nr == NR) {
      let p = c;
      v128.store(p, f32x4.add(v128.load(p), f32x4.mul(va, c00)));
      v128.store(p, f32x4.add(v128.load(p, 16), f32x4.mul(va, c01)), 16);
      p += ldcBytes;
      v128.store(p, f32x4.add(v128.load(p), f32x4.mul(va, c10)));
      v128.store(p, f32x4.add(v128.load(p, 16), f32x4.mul(va, c11)), 16);
      p += ldcBytes;
      v128.store(p, f32x4.add(v128.load(p), f32x4.mul(va, c20)));
      v128.store(p, f32x4.add(v128.load(p, 16), f32x4.mul(va, c21)), 16);
      p += ldcBytes;
      v128.store(p, f32x4.add(v128.load(p), f32x4.mul(va, c30)));
      v128.store(p, f32x4.add(v128.load(p, 16), f32x4.mul(va, c31)), 16);
      return;
    }
    // Ragged tile: stage alpha·acc, then add the valid part.
    v128.store(EDGE_TILE, f32x4.mul(va, c00), 0);
    v128.store(EDGE_TILE, f32x4.mul(va, c01), 16);
    v128.store(EDGE_TILE, f32x4.mul(va, c10), 32);
    v128.store(EDGE_TILE, f32x4.mul(va, c11), 48);
    v128.store(EDGE_TILE, f32x4.mul(va, c20), 64);
    v128.store(EDGE_TILE, f32x4.mul(va, c21), 80);
    v128.store(EDGE_TILE, f32x4.mul(va, c30), 96);
    v128.store(EDGE_TILE, f32x4.mul(va, c31), 112);
    for (let r = 0; r < mr; r++) {
      const row = c + <usize>r * ldcBytes;
      const tile = EDGE_TILE + (<usize>(r * NR) << 2);
      for (let j = 0; j < nr; j++) {
        const q = row + (<usize>j << 2);
        store<f32>(q, load<f32>(q) + load<f32>(tile + (<usize>j << 2)));
      }
    }
  } else {
    // Scalar: one column of the tile at a time, MR running sums.
    for (let j = 0; j < nr; j++) {
      let s0: f32 = 0, s1: f32 = 0, s2: f32 = 0, s3: f32 = 0;
      let qa = pa;
      let qb = pb + (<usize>j << 2);
      for (let k = 0; k < kc; k++) {
        const bv = load<f32>(qb);
        s0 += load<f32>(qa) * bv;
        s1 += load<f32>(qa, 4) * bv;
        s2 += load<f32>(qa, 8) * bv;
        s3 += load<f32>(qa, 12) * bv;
        qa += MR << 2;
        qb += bStride;
      }
      const q = c + (<usize>j << 2);
      store<f32>(q, load<f32>(q) + alpha * s0);
      if (mr > 1) store<f32>(q + ldcBytes, load<f32>(q + ldcBytes) + alpha * s1);
      if (mr > 2) store<f32>(q + 2 * ldcBytes, load<f32>(q + 2 * ldcBytes) + alpha * s2);
      if (mr > 3) store<f32>(q + 3 * ldcBytes, load<f32>(q + 3 * ldcBytes) + alpha * s3);
    }
  }
}

/**
 * The M = 1 (GEMV-shaped) micro-kernel: acc[NR] = Σ_{k < kc} A(k) · pb[k·bStride + c], read
 * in place from A with byte stride aStride (no packing), then C[c] += alpha · acc[c] for c < nr.
 * Same products, same order as microKernel's first row.
 */
function rowKernel(kc: i32, a: usize, aStride: usize, pb: usize, bStride: usize, c: usize, alpha: f32, nr: i32): void {
  if (ASC_FEATURE_SIMD) {
    let c0 = f32x4.splat(0), c1 = f32x4.splat(0);
    for (let k = 0; k < kc; k++) {
      const av = v128.load32_splat(a);
      c0 = f32x4.add(c0, f32x4.mul(av, v128.load(pb)));
      c1 = f32x4.add(c1, f32x4.mul(av, v128.load(pb, 16)));
      a += aStride;
      pb += bStride;
    }
    const va = f32x4.splat(alpha);
    if (nr == NR) {
      v128.store(c, f32x4.add(v128.load(c), f32x4.mul(va, c0)));
      v128.store(c, f32x4.add(v128.load(c, 16), f32x4.mul(va, c1)), 16);
      return;
    }
    v128.store(EDGE_TILE, f32x4.mul(va, c0), 0);
    v128.store(EDGE_TILE, f32x4.mul(va, c1), 16);
    for (let j = 0; j < nr; j++) {
      const q = c + (<usize>j << 2);
      store<f32>(q, load<f32>(q) + load<f32>(EDGE_TILE + (<usize>j << 2)));
    }
  } else {
    for (let j = 0; j < nr; j++) {
      let s: f32 = 0;
      let qa = a;
      let qb = pb + (<usize>j << 2);
      for (let k = 0; k < kc; k++) {
        s += load<f32>(qa) * load<f32>(qb);
        qa += aStride;
        qb += bStride;
      }
      const q = c + (<usize>j << 2);
      store<f32>(q, load<f32>(q) + alpha * s);
    }
  }
}

/**
 * SIMD build only. rowKernel over two full panels at once (2·NR columns): panel q at pb + q·panelBytes,
 * its rows bStride bytes apart; every column's sum is rowKernel's (the same products, in the same
 * order). One A load serves four accumulators instead of two. Measured on the recurrent step
 * (M = 1, K = 32, N = 128, B packed): ~8 % faster than one panel at a time; in place with a long
 * row stride (N = 512, K = 128) 2×, as each row of B is read 64 bytes at a time. Four panels at a
 * time were slower on the packed layout (its panels are kc·NR floats apart).
 */
function rowKernel2(kc: i32, a: usize, aStride: usize, pb: usize, panelBytes: usize, bStride: usize, c: usize, alpha: f32): void {
  if (!ASC_FEATURE_SIMD) return;
  let c0 = f32x4.splat(0), c1 = f32x4.splat(0), c2 = f32x4.splat(0), c3 = f32x4.splat(0);
  let p0 = pb;
  let p1 = pb + panelBytes;
  for (let k = 0; k < kc; k++) {
    const av = v128.load32_splat(a);
    c0 = f32x4.add(c0, f32x4.mul(av, v128.load(p0)));
    c1 = f32x4.add(c1, f32x4.mul(av, v128.load(p0, 16)));
    c2 = f32x4.add(c2, f32x4.mul(av, v128.load(p1)));
    c3 = f32x4.add(c3, f32x4.mul(av, v128.load(p1, 16)));
    a += aStride;
    p0 += bStride;
    p1 += bStride;
  }
  const va = f32x4.splat(alpha);
  v128.store(c, f32x4.add(v128.load(c), f32x4.mul(va, c0)));
  v128.store(c, f32x4.add(v128.load(c, 16), f32x4.mul(va, c1)), 16);
  v128.store(c, f32x4.add(v128.load(c, 32), f32x4.mul(va, c2)), 32);
  v128.store(c, f32x4.add(v128.load(c, 48), f32x4.mul(va, c3)), 48);
}

/**
 * C[:, jc : jc+nc] += alpha · op(A)[:, pc : pc+kc] · (one kc×nc block of op(B)).
 * The block's first `nDirect` columns are read in place from `direct` (row stride
 * ldbBytes, full NR panels only); the rest are NR-wide packed panels at `packed`
 * (kc·NR floats apart). `packedA` is scratch for one MC×kc block of A.
 */
function multiplyBlock(
  c: usize, ldc: i32, a: usize, lda: i32, transA: i32, m: i32, pc: i32, kc: i32, jc: i32, nc: i32,
  direct: usize, ldbBytes: usize, nDirect: i32, packed: usize, packedA: usize, alpha: f32,
): void {
  const ldcBytes = <usize>ldc << 2;
  if (m == 1) {
    // One row of A, read in place: op(A)(0, k) is A[k·lda] when transposed, else A[k].
    const aStride: usize = transA ? <usize>lda << 2 : 4;
    const aRow = a + <usize>pc * aStride;
    let jr = 0;
    if (ASC_FEATURE_SIMD) {
      // Pairs of full panels, all read in place or all packed (only a ragged last panel is packed when B is read in place).
      const fullEnd = nDirect > 0 ? nDirect : nc - nc % NR;
      const panelBytes: usize = nDirect > 0 ? <usize>NR << 2 : <usize>kc * NR << 2;
      const bStride: usize = nDirect > 0 ? ldbBytes : NR << 2;
      const base = nDirect > 0 ? direct : packed;
      for (; jr + 2 * NR <= fullEnd; jr += 2 * NR) {
        rowKernel2(kc, aRow, aStride, base + <usize>jr / NR * panelBytes, panelBytes, bStride, c + (<usize>(jc + jr) << 2), alpha);
      }
    }
    for (; jr < nc; jr += NR) {
      const inPlace = jr < nDirect;
      const pb = inPlace ? direct + (<usize>jr << 2) : packed + (<usize>(jr - nDirect) * <usize>kc << 2);
      rowKernel(kc, aRow, aStride, pb, inPlace ? ldbBytes : NR << 2, c + (<usize>(jc + jr) << 2), alpha, min(NR, nc - jr));
    }
    return;
  }
  const aw = nc >= NC_WIDE ? AW : 1;
  for (let ic = 0; ic < m; ic += MC) {
    const mc = min(MC, m - ic);
    if (aw == 1) packANarrow(packedA, a, lda, transA, ic, pc, mc, kc);
    else packAWide(packedA, a, lda, transA, ic, pc, mc, kc);
    for (let jr = 0; jr < nc; jr += NR) {
      const nr = min(NR, nc - jr);
      const inPlace = jr < nDirect;
      const pb = inPlace ? direct + (<usize>jr << 2) : packed + (<usize>(jr - nDirect) * <usize>kc << 2);
      const bStride: usize = inPlace ? ldbBytes : NR << 2;
      for (let ir = 0; ir < mc; ir += MR) {
        const pa = packedA + (<usize>ir * <usize>kc * <usize>aw << 2);
        const cTile = c + ((<usize>(ic + ir) * <usize>ldc + <usize>(jc + jr)) << 2);
        microKernel(kc, pa, pb, bStride, cTile, ldcBytes, alpha, min(MR, mc - ir), nr, aw);
      }
    }
  }
}

/**
 * C = alpha·op(A)·op(B) + beta·C. See the header for layouts. Trusts its
 * arguments: the TypeScript wrapper validates sizes, strides and extents.
 */
export function gemm_f32(
  c: usize, a: usize, b: usize, work: usize,
  m: i32, n: i32, k: i32, lda: i32, ldb: i32, ldc: i32,
  transA: i32, transB: i32, alpha: f32, beta: f32,
): void {
  scaleC(c, m, n, ldc, beta);
  if (alpha == 0 || k == 0) return;
  const packedB = work;
  const packedA = work + (<usize>(KC * NC) << 2);
  const ldbBytes = <usize>ldb << 2;
  const directB = !transB && m <= DIRECT_B_MAX_M;
  for (let jc = 0; jc < n; jc += NC) {
    const nc = min(NC, n - jc);
    const nDirect = directB ? nc - nc % NR : 0; // columns read in place
    for (let pc = 0; pc < k; pc += KC) {
      const kc = min(KC, k - pc);
      if (nDirect < nc) packB(packedB, b, ldb, transB, pc, jc + nDirect, kc, nc - nDirect);
      const direct = b + ((<usize>pc * <usize>ldb + <usize>jc) << 2);
      multiplyBlock(c, ldc, a, lda, transA, m, pc, kc, jc, nc, direct, ldbBytes, nDirect, packedB, packedA, alpha);
    }
  }
}

// ---- op(B) packed once, used many times (a recurrent weight across time steps) ----

// @ts-ignore: decorator
@inline function paddedColumns(n: i32): i32 {
  return (n + NR - 1) / NR * NR;
}

/** Floats gemm_pack_b writes for op(B) [k, n]. */
export function gemm_packed_b_floats(k: i32, n: i32): i32 {
  return k * paddedColumns(n);
}

/**
 * Packs op(B) [k, n] (same B, ldb, transB as gemm_f32) for gemm_packed_b_f32:
 * KC-deep slices one after another, each as NR-wide panels (kc·NR floats apart).
 */
export function gemm_pack_b(dst: usize, b: usize, ldb: i32, transB: i32, k: i32, n: i32): void {
  const sliceFloats = <usize>paddedColumns(n);
  for (let pc = 0; pc < k; pc += KC) {
    packB(dst + (<usize>pc * sliceFloats << 2), b, ldb, transB, pc, 0, min(KC, k - pc), n);
  }
}

/** C = alpha·op(A)·op(B) + beta·C with op(B) already packed by gemm_pack_b. Same sums, same order as gemm_f32. */
export function gemm_packed_b_f32(
  c: usize, a: usize, packedB: usize, work: usize,
  m: i32, n: i32, k: i32, lda: i32, ldc: i32, transA: i32, alpha: f32, beta: f32,
): void {
  scaleC(c, m, n, ldc, beta);
  if (alpha == 0 || k == 0) return;
  const packedA = work + (<usize>(KC * NC) << 2);
  const sliceFloats = <usize>paddedColumns(n);
  for (let pc = 0; pc < k; pc += KC) {
    const kc = min(KC, k - pc);
    const slice = packedB + (<usize>pc * sliceFloats << 2);
    for (let jc = 0; jc < n; jc += NC) {
      multiplyBlock(c, ldc, a, lda, transA, m, pc, kc, jc, min(NC, n - jc), 0, 0, 0, slice + (<usize>jc * <usize>kc << 2), packedA, alpha);
    }
  }
}
