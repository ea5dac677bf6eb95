// Splitting a large kernel call over a backend's threads by its outputs.
//
// gemm_f32 sums every element of C on its own, in increasing k within KC slices, whatever the
// shape of the call (assembly/gemm.ts): so C computed by blocks of its rows, or of its columns,
// holds exactly the bits of the single call, for any cut. The same holds for a bias gradient's
// column sums (each column summed in increasing rows: assembly/dense.ts) and for a convolution
// cut along its output rows (each output row is one row of its GEMM) or, in its backward, along
// dW's columns and dX's channels (conv2dBackward below). So a large product is cut into one part
// per thread, each part recorded into a ShardProgram (each writes only its own block), and
// Backend.runShards runs them: every thread count gives the bits of one thread
// (test/threads-split.test.ts). Small products stay one call: below MIN_SPLIT_FLOPS handing the
// work over costs more than the second thread gains.
import type { Backend } from '../engine/backend.js';
import { ShardProgram, THREAD_GEMM_WORK } from '../engine/threads.js';
import { GEMM_OP, type GemmOp, type Ptr } from './codes.js';
import { conv2dBackwardF32, conv2dCol2imF32, conv2dForwardF32, conv2dIm2colF32, conv2dWorkFloats, type Conv2dGeometry } from './conv.js';
import { addBiasRowsF32, sumRowsIntoF32, sumRowsIntoStridedF32 } from './dense.js';
import { gemmF32 } from './gemm.js';

/**
 * Floating-point operations of one round of parts from which it is split (one call below).
 * Measured on a shared 2-core machine (AMD EPYC, Node 20; best of interleaved runs, 2 threads
 * against 1): a Dense forward of 4.2 MFLOP took 0.73×, of 2.1 MFLOP 0.80× but 1.34× in the
 * median on the busy machine, of 1.0 MFLOP 1.5×; a convolution forward of 4.7 MFLOP 0.69×, its
 * backward (two rounds) 1.02×, of 12.6 MFLOP 0.82×.
 */
export const MIN_SPLIT_FLOPS = 4e6;

/** One part's calls, recorded into `program`. */
export type Part = (program: ShardProgram) => void;

/** A block [start, start + size) of an output axis. */
export interface Block {
  start: number;
  size: number;
}

/** [0, extent) cut into at most `parts` near-equal blocks whose starts are multiples of `align` (none empty). */
export function blocks(extent: number, parts: number, align = 1): Block[] {
  const units = Math.ceil(extent / align);
  const count = Math.max(1, Math.min(parts, units));
  const out: Block[] = [];
  for (let k = 0, start = 0; k < count; k++) {
    const end = Math.min(extent, Math.round((units * (k + 1)) / count) * align);
    out.push({ start, size: end - start });
    start = end;
  }
  return out;
}

/** Parts to cut a product of `flops` into on `backend`: its thread count, or 1 (one call) on one thread or below MIN_SPLIT_FLOPS. */
export function splitParts(backend: Backend, flops: number): number {
  return backend.threads.count > 1 && flops >= MIN_SPLIT_FLOPS ? backend.threads.count : 1;
}

/**
 * Runs lists of parts that may all run at once: program k holds part k of every list (a list may
 * be shorter), and the programs run with runShards. Every part must write only its own block.
 */
export function runParts(backend: Backend, lists: ReadonlyArray<readonly Part[]>): void {
  const count = Math.max(0, ...lists.map((list) => list.length));
  const programs: ShardProgram[] = [];
  for (let k = 0; k < count; k++) {
    const program = new ShardProgram();
    for (const list of lists) list[k]?.(program);
    programs.push(program);
  }
  backend.runShards(programs);
}

/** One gemm_f32 call: C [m, n] (row stride ldc) = alpha·op(A)·op(B) + beta·C (see kernels/gemm.ts). */
export interface GemmCall {
  c: Ptr;
  a: Ptr;
  b: Ptr;
  m: number;
  n: number;
  k: number;
  lda: number;
  ldb: number;
  ldc: number;
  transA: GemmOp;
  transB: GemmOp;
  alpha: number;
  beta: number;
}

/** Rows `block` of C (rows i of C are rows i of op(A): A[i·lda] as stored, A[i] transposed). */
export function gemmRowsPart(call: GemmCall, block: Block): Part {
  const { c, a, b, n, k, lda, ldb, ldc, transA, transB, alpha, beta } = call;
  return (program) => gemmF32(program, {
    c: c + block.start * ldc * 4, a: a + block.start * (transA === GEMM_OP.trans ? 1 : lda) * 4, b, work: THREAD_GEMM_WORK,
  }, block.size, n, k, lda, ldb, ldc, transA, transB, alpha, beta);
}

/** Columns `block` of C (columns j of C are columns j of op(B): B[j] as stored, B[j·ldb] transposed). */
export function gemmColumnsPart(call: GemmCall, block: Block): Part {
  const { c, a, b, m, k, lda, ldb, ldc, transA, transB, alpha, beta } = call;
  return (program) => gemmF32(program, {
    c: c + block.start * 4, a, b: b + block.start * (transB === GEMM_OP.trans ? ldb : 1) * 4, work: THREAD_GEMM_WORK,
  }, m, block.size, k, lda, ldb, ldc, transA, transB, alpha, beta);
}

/**
 * `call` cut into up to `parts` blocks of C's rows ('rows', blocks of 4: the micro-kernel's
 * height), of its columns ('columns', blocks of 8: its width), or along the longer side ('longer').
 */
export function gemmParts(call: GemmCall, parts: number, by: 'rows' | 'columns' | 'longer'): Part[] {
  if (by === 'rows' || (by === 'longer' && call.m >= call.n)) return blocks(call.m, parts, 4).map((block) => gemmRowsPart(call, block));
  return blocks(call.n, parts, 8).map((block) => gemmColumnsPart(call, block));
}

/** One gemm_f32 call, cut into `parts` (gemmParts) when parts > 1. */
export function gemmSplit(backend: Backend, call: GemmCall, parts: number, by: 'rows' | 'columns' | 'longer'): void {
  if (parts > 1) {
    runParts(backend, [gemmParts(call, parts, by)]);
    return;
  }
  const { c, a, b, m, n, k, lda, ldb, ldc, transA, transB, alpha, beta } = call;
  gemmF32(backend, { c, a, b, work: backend.gemmWork() }, m, n, k, lda, ldb, ldc, transA, transB, alpha, beta);
}

// ---- feed-forward layers (Dense, TiedDense) ----

/**
 * A feed-forward layer's forward: C [m, n] = op(A)·op(B) (`call`), then `bias` (0: none) added to
 * every row and `after` (e.g. the activation) on each block of rows: one call each, or with
 * parts > 1 one part per block of C's rows.
 */
export function denseForward(backend: Backend, call: GemmCall, bias: Ptr, parts: number, after?: (target: ShardProgram | Backend, block: Block) => void): void {
  const { c, m, n } = call;
  if (parts === 1) {
    gemmSplit(backend, call, 1, 'rows');
    if (bias) addBiasRowsF32(backend, { x: c, bias }, m, n);
    after?.(backend, { start: 0, size: m });
    return;
  }
  runParts(backend, [blocks(m, parts, 4).map((block) => (program: ShardProgram) => {
    gemmRowsPart(call, block)(program);
    if (bias) biasRowsPart({ x: c, bias }, n, block)(program);
    after?.(program, block);
  })]);
}

/**
 * A feed-forward layer's backward: dW (`dW`, accumulating), dBias += the column sums of dZ
 * [rows, cols] (null: no bias) and dX (`dX`): one call each, or with parts > 1 all three cut at
 * once, in one round (dW along its longer side, dBias by columns, dX by rows).
 */
export function denseBackward(
  backend: Backend, dW: GemmCall, dBias: { dst: Ptr; src: Ptr; rows: number; cols: number } | null, dX: GemmCall, parts: number,
): void {
  if (parts === 1) {
    gemmSplit(backend, dW, 1, 'rows');
    if (dBias) sumRowsIntoF32(backend, dBias, dBias.rows, dBias.cols);
    gemmSplit(backend, dX, 1, 'rows');
    return;
  }
  runParts(backend, [
    gemmParts(dW, parts, 'longer'),
    dBias ? columnSumParts(dBias, dBias.rows, dBias.cols, parts) : [],
    gemmParts(dX, parts, 'rows'),
  ]);
}

/** dst[c] += Σ_r src[r, c] (src [rows, cols]) cut into up to `parts` blocks of columns. */
export function columnSumParts(ptrs: { dst: Ptr; src: Ptr }, rows: number, cols: number, parts: number): Part[] {
  return blocks(cols, parts, 4).map(({ start, size }) => (program: ShardProgram) =>
    sumRowsIntoStridedF32(program, { dst: ptrs.dst + start * 4, src: ptrs.src + start * 4 }, rows, size, cols));
}

/** x[r, c] += bias[c] for the rows of `block` (x [rows, cols]). */
export function biasRowsPart(ptrs: { x: Ptr; bias: Ptr }, cols: number, block: Block): Part {
  return (program) => addBiasRowsF32(program, { x: ptrs.x + block.start * cols * 4, bias: ptrs.bias }, block.size, cols);
}

// ---- convolutions ----

/** Multiply–adds ×2 of one convolution's forward: 2·N·OH·OW · KH·KW·Cin/groups · Cout. */
function conv2dFlops(g: Conv2dGeometry): number {
  return 2 * g.batch * g.outHeight * g.outWidth * g.kernelHeight * g.kernelWidth * (g.inChannels / g.groups) * g.outChannels;
}

/**
 * Parts a convolution's forward or backward over geometry `g` runs in on `backend` (1: the single
 * kernel call). The backward's two rounds each cost a hand-over, and its im2col and col2im run as
 * calls of their own: it is split from twice the forward's size.
 */
export function conv2dParts(backend: Backend, g: Conv2dGeometry, pass: 'forward' | 'backward'): number {
  return splitParts(backend, pass === 'forward' ? conv2dFlops(g) : conv2dFlops(g) / 2);
}

/**
 * Floats of the `cols` scratch conv2dForward / conv2dBackward need on `backend`: the kernel's own
 * (one group's im2col matrix: a split forward's parts use its blocks of rows), or for a split
 * backward (`parts` > 1) every group's im2col matrix and, after it, every group's dCols:
 * 2 · N·OH·OW · KH·KW·Cin.
 */
export function conv2dWorkspaceFloats(backend: Backend, g: Conv2dGeometry, parts = conv2dParts(backend, g, 'backward')): number {
  if (parts === 1) return conv2dWorkFloats(backend, g);
  return 2 * g.batch * g.outHeight * g.outWidth * g.kernelHeight * g.kernelWidth * g.inChannels;
}

/**
 * The output rows [l0·OW, l1·OW) of a convolution (output lines l = n·OH + oh, l0 ≤ l < l1) as
 * kernel calls: whole images as a batch, and a part of an image as the geometry of that image with
 * OH = the lines taken and padTop moved up by oh0·strideH (the kernel computes each row's taps from
 * oh·strideH − padTop alone, so that gives exactly those rows). `image` is the image's first
 * input element, `row` the first output row (of y, cols, dY).
 */
function lineBlocks(g: Conv2dGeometry, l0: number, l1: number): Array<{ geometry: Conv2dGeometry; image: number; row: number }> {
  const out = [];
  const OH = g.outHeight;
  for (let l = l0; l < l1;) {
    const n = Math.floor(l / OH);
    const oh = l - n * OH;
    const image = n * g.height * g.width * g.inChannels;
    if (oh === 0 && l + OH <= l1) {
      const images = Math.floor((l1 - l) / OH);
      out.push({ geometry: { ...g, batch: images }, image, row: l * g.outWidth });
      l += images * OH;
    } else {
      const lines = Math.min(OH - oh, l1 - l);
      out.push({ geometry: { ...g, batch: 1, outHeight: lines, padTop: g.padTop - oh * g.strideH }, image, row: l * g.outWidth });
      l += lines;
    }
  }
  return out;
}

/** conv2dForwardF32's pointers, cols sized by conv2dWorkspaceFloats; `work` is the backend's (a split uses each thread's own). */
type ForwardPtrs = Parameters<typeof conv2dForwardF32>[1];
type BackwardPtrs = Parameters<typeof conv2dBackwardF32>[1];

/**
 * y = bias + x ⋆ w: one conv2dForwardF32 call, or with `parts` > 1 one call per block of output
 * lines (the same GEMM rows: the same bits). `after(program, rows)` may record more work on a
 * part's block of y (start row, rows), e.g. the activation.
 */
export function conv2dForward(
  backend: Backend, ptrs: ForwardPtrs, g: Conv2dGeometry, parts = conv2dParts(backend, g, 'forward'),
  after?: (target: ShardProgram | Backend, block: Block) => void,
): void {
  const M = g.batch * g.outHeight * g.outWidth;
  if (parts === 1) {
    conv2dForwardF32(backend, ptrs, g);
    after?.(backend, { start: 0, size: M });
    return;
  }
  const Kg = g.kernelHeight * g.kernelWidth * (g.inChannels / g.groups);
  const C = g.outChannels;
  runParts(backend, [blocks(g.batch * g.outHeight, parts).map(({ start, size }) => (program: ShardProgram) => {
    for (const { geometry, image, row } of lineBlocks(g, start, start + size)) {
      conv2dForwardF32(program, {
        y: ptrs.y + row * C * 4, cols: ptrs.cols + row * Kg * 4, x: ptrs.x + image * 4, w: ptrs.w, bias: ptrs.bias, work: THREAD_GEMM_WORK,
      }, geometry);
    }
    after?.(program, { start: start * g.outWidth, size: size * g.outWidth });
  })]);
}

/**
 * dX += ∂L/∂x, dW += ∂L/∂w, dBias += ∂L/∂bias from dY (a 0 pointer skips that gradient): one
 * conv2dBackwardF32 call, or with `parts` > 1 two rounds of parts, every element summed as the
 * single call sums it:
 *   1. by blocks of output lines: each group's im2col rows into cols_g and dCols_g rows = dY_g·w_gᵀ
 *      (GEMM rows); by blocks of channels: dBias.
 *   2. with at least as many groups as parts, by blocks of groups: dW_g += cols_gᵀ·dY_g and col2im
 *      of dCols_g into dX, whole; otherwise, for every group, by blocks of dW_g (GEMM rows or
 *      columns) and of the group's input channels (col2im adds each dX element's terms in the
 *      order of m, kh, kw, whichever channels a call covers).
 * cols holds conv2dWorkspaceFloats floats: cols_g for every group, then dCols_g for every group.
 */
export function conv2dBackward(backend: Backend, ptrs: BackwardPtrs, g: Conv2dGeometry, parts = conv2dParts(backend, g, 'backward')): void {
  if (parts === 1) {
    conv2dBackwardF32(backend, ptrs, g);
    return;
  }
  const G = g.groups;
  const M = g.batch * g.outHeight * g.outWidth;
  const Cg = g.inChannels / G;
  const Og = g.outChannels / G;
  const Kg = g.kernelHeight * g.kernelWidth * Cg;
  const C = g.outChannels;
  const cols = (group: number, row = 0): number => ptrs.cols + (group * M + row) * Kg * 4;
  const dCols = (group: number, row = 0): number => ptrs.cols + (G * M + group * M + row) * Kg * 4;
  const { dX, dW, dBias, dY, x, w } = ptrs;
  // 1. im2col and dCols by blocks of output lines; dBias by blocks of channels.
  const lines = blocks(g.batch * g.outHeight, parts).map(({ start, size }) => (program: ShardProgram) => {
    for (const { geometry, image, row } of lineBlocks(g, start, start + size)) {
      const rows = geometry.batch * geometry.outHeight * geometry.outWidth;
      for (let group = 0; group < G; group++) {
        if (dW) conv2dIm2colF32(program, { cols: cols(group, row), x: x + image * 4 }, group, geometry);
        // dCols_g [rows, Kg] = dY_g [rows, Og] (lda C) · w_gᵀ (w_g [Kg, Og], ldb C)
        if (dX) gemmF32(program, { c: dCols(group, row), a: dY + (row * C + group * Og) * 4, b: w + group * Og * 4, work: THREAD_GEMM_WORK }, rows, Kg, Og, C, C, Kg, GEMM_OP.noTrans, GEMM_OP.trans, 1, 0);
      }
    }
  });
  runParts(backend, [lines, dBias ? columnSumParts({ dst: dBias, src: dY }, M, C, parts) : []]);
  // 2. dW and col2im.
  const dWCall = (group: number): GemmCall => ({
    // dW_g [Kg, Og] (ldc C) += cols_gᵀ · dY_g [M, Og] (ldb C)
    c: dW + group * Og * 4, a: cols(group), b: dY + group * Og * 4, m: Kg, n: Og, k: M, lda: Kg, ldb: C, ldc: C,
    transA: GEMM_OP.trans, transB: GEMM_OP.noTrans, alpha: 1, beta: 1,
  });
  const col2im = (program: ShardProgram, group: number, block: Block): void =>
    conv2dCol2imF32(program, { dX, dCols: dCols(group) }, group, block.start, block.size, g);
  if (G >= parts) {
    runParts(backend, [blocks(G, parts).map(({ start, size }) => (program: ShardProgram) => {
      for (let group = start; group < start + size; group++) {
        if (dW) gemmRowsPart(dWCall(group), { start: 0, size: Kg })(program);
        if (dX) col2im(program, group, { start: 0, size: Cg });
      }
    })]);
    return;
  }
  const lists: Part[][] = [];
  for (let group = 0; group < G; group++) {
    if (dW) lists.push(gemmParts(dWCall(group), parts, 'longer'));
    if (dX) lists.push(blocks(Cg, parts, 4).map((block) => (program: ShardProgram) => col2im(program, group, block)));
  }
  runParts(backend, lists);
}
