// TypeScript side of assembly/gemm.ts: the bindings (thin, no validation), and the
// public gemm() that validates, stages its operands and makes one call.
//
// Bindings, convention (backend, ptrs { outputs…, inputs… }, sizes…, codes…, scalars…):
//   C [m, ldc] = alpha·op(A)·op(B) + beta·C, row-major f32; op(A) [m, k], op(B) [k, n].
//   A is [m, lda] (NO_TRANS) or [k, lda] (TRANS); B is [k, ldb] or [n, ldb]; lda, ldb, ldc ≥ the columns used.
//   work: gemmWorkFloats() floats of scratch (Backend.gemmWork()).
//   packedB: gemmPackedBFloats(k, n) floats holding op(B) [k, n] packed by gemmPackB, reused across calls.
import type { Backend, KernelTarget } from '../engine/backend.js';
import { checkBoolean, checkFinite, checkInt, checkOptions, describe } from '../errors.js';
import { checkNoOverlap, operandLength, resolveBackend, withOperands, type Operand } from './operands.js';
import { exportsOf } from '../engine/exports.js';
import { GEMM_OP, type GemmOp, type Ptr } from './codes.js';

export function gemmWorkFloats(backend: Backend): number {
  return exportsOf(backend).gemm_work_floats();
}

export function gemmF32(
  backend: KernelTarget, ptrs: { c: Ptr; a: Ptr; b: Ptr; work: Ptr },
  m: number, n: number, k: number, lda: number, ldb: number, ldc: number,
  transA: GemmOp, transB: GemmOp, alpha: number, beta: number,
): void {
  exportsOf(backend).gemm_f32(ptrs.c, ptrs.a, ptrs.b, ptrs.work, m, n, k, lda, ldb, ldc, transA, transB, alpha, beta);
}

export function gemmPackedBFloats(backend: Backend, k: number, n: number): number {
  return exportsOf(backend).gemm_packed_b_floats(k, n);
}

/** Packs op(B) [k, n] (B, ldb, transB as for gemmF32) into `dst` for gemmPackedBF32. */
export function gemmPackB(backend: Backend, ptrs: { dst: Ptr; b: Ptr }, ldb: number, transB: GemmOp, k: number, n: number): void {
  exportsOf(backend).gemm_pack_b(ptrs.dst, ptrs.b, ldb, transB, k, n);
}

/** gemmF32 with op(B) already packed: the same sums in the same order. */
export function gemmPackedBF32(
  backend: Backend, ptrs: { c: Ptr; a: Ptr; packedB: Ptr; work: Ptr },
  m: number, n: number, k: number, lda: number, ldc: number, transA: GemmOp, alpha: number, beta: number,
): void {
  exportsOf(backend).gemm_packed_b_f32(ptrs.c, ptrs.a, ptrs.packedB, ptrs.work, m, n, k, lda, ldc, transA, alpha, beta);
}

export interface GemmOptions {
  /** Use Aᵀ: A is stored [k, lda] instead of [m, lda]. Default false. */
  transA?: boolean;
  /** Use Bᵀ: B is stored [n, ldb] instead of [k, ldb]. Default false. */
  transB?: boolean;
  /** Default 1. */
  alpha?: number;
  /** Default 0 (C's previous contents are ignored, NaN included). */
  beta?: number;
  /** Row strides in elements; default the packed width (k or m for A, n or k for B, n for C). */
  lda?: number;
  ldb?: number;
  ldc?: number;
  /** First element of each matrix in its array; default 0. */
  aOffset?: number;
  bOffset?: number;
  cOffset?: number;
  /** Backend for Float32Array operands; default the one F32Buffer operands belong to, else init()'s. */
  backend?: Backend;
}

const WHERE = 'gemm';
const GEMM_OPTIONS = ['transA', 'transB', 'alpha', 'beta', 'lda', 'ldb', 'ldc', 'aOffset', 'bOffset', 'cOffset', 'backend'] as const;

/** Elements a row-major [rows, cols] matrix with row stride ld spans. */
function extent(rows: number, cols: number, ld: number): number {
  return (rows - 1) * ld + cols;
}

/** A row stride: default `min`, else an integer ≥ min (the message says why). */
function leadingDimension(name: string, value: unknown, min: number, minName: string, transName?: string, trans?: boolean): number {
  if (value === undefined) return min;
  if (typeof value === 'number' && Number.isInteger(value) && value >= min && value <= 0x7fffffff) return value;
  const why = transName === undefined ? `n = ${min}` : `${minName} = ${min} when ${transName} is ${trans}`;
  if (typeof value !== 'number') throw new TypeError(`${WHERE}: options.${name} must be an integer, got ${describe(value)}`);
  throw new RangeError(`${WHERE}: options.${name} must be an integer ≥ ${why}, got ${value}`);
}

function checkFits(name: string, length: number, offset: number, span: number, shape: () => string): void {
  if (offset + span > length) {
    throw new RangeError(`${WHERE}: ${name} has ${length} elements but ${shape()} from ${name}Offset ${offset} needs ${offset + span}`);
  }
}

/**
 * C = alpha · op(A) · op(B) + beta · C, row-major, f32. op(A) is [m, k], op(B)
 * is [k, n], C is [m, n]. C is updated in place (a Float32Array C is copied
 * back). C must not share memory with A or B.
 */
export function gemm(m: number, n: number, k: number, a: Operand, b: Operand, c: Operand, options: GemmOptions = {}): void {
  checkOptions(WHERE, options, GEMM_OPTIONS);
  checkInt(WHERE, 'm', m, 1);
  checkInt(WHERE, 'n', n, 1);
  checkInt(WHERE, 'k', k, 1);
  const transA = checkBoolean(WHERE, 'options.transA', options.transA ?? false);
  const transB = checkBoolean(WHERE, 'options.transB', options.transB ?? false);
  const alpha = checkFinite(WHERE, 'options.alpha', options.alpha ?? 1);
  const beta = checkFinite(WHERE, 'options.beta', options.beta ?? 0);
  const aRows = transA ? k : m;
  const aCols = transA ? m : k;
  const bRows = transB ? n : k;
  const bCols = transB ? k : n;
  const lda = leadingDimension('lda', options.lda, aCols, transA ? 'm' : 'k', 'transA', transA);
  const ldb = leadingDimension('ldb', options.ldb, bCols, transB ? 'k' : 'n', 'transB', transB);
  const ldc = leadingDimension('ldc', options.ldc, n, 'n');
  const aOffset = options.aOffset === undefined ? 0 : checkInt(WHERE, 'options.aOffset', options.aOffset, 0);
  const bOffset = options.bOffset === undefined ? 0 : checkInt(WHERE, 'options.bOffset', options.bOffset, 0);
  const cOffset = options.cOffset === undefined ? 0 : checkInt(WHERE, 'options.cOffset', options.cOffset, 0);
  const aSpan = extent(aRows, aCols, lda);
  const bSpan = extent(bRows, bCols, ldb);
  const cSpan = extent(m, n, ldc);
  checkFits('a', operandLength(WHERE, 'a', a), aOffset, aSpan, () => `op(A) [m=${m}, k=${k}] with transA=${transA}, lda=${lda}`);
  checkFits('b', operandLength(WHERE, 'b', b), bOffset, bSpan, () => `op(B) [k=${k}, n=${n}] with transB=${transB}, ldb=${ldb}`);
  checkFits('c', operandLength(WHERE, 'c', c), cOffset, cSpan, () => `C [m=${m}, n=${n}] with ldc=${ldc}`);
  const backend = resolveBackend(WHERE, ['a', 'b', 'c'], [a, b, c], options.backend);
  const uses = [
    { name: 'c', value: c, offset: cOffset, span: cSpan, output: true },
    { name: 'a', value: a, offset: aOffset, span: aSpan, output: false },
    { name: 'b', value: b, offset: bOffset, span: bSpan, output: false },
  ];
  checkNoOverlap(WHERE, uses);
  const work = backend.gemmWork(); // before staging: may allocate
  withOperands(backend, uses, ([cPtr, aPtr, bPtr]) => {
    const op = (trans: boolean): GemmOp => (trans ? GEMM_OP.trans : GEMM_OP.noTrans);
    gemmF32(backend, { c: cPtr, a: aPtr, b: bPtr, work }, m, n, k, lda, ldb, ldc, op(transA), op(transB), alpha, beta);
  }, WHERE);
}
