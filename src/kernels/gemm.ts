// TypeScript side of assembly/gemm.ts: validate, then one call.
import type { Backend } from '../backend.js';
import { checkBoolean, checkFinite, checkInt, describe } from '../errors.js';
import { checkNoOverlap, operandLength, resolveBackend, withOperands, type Operand } from './operands.js';

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

/** Elements a row-major [rows, cols] matrix with row stride ld spans. */
function extent(rows: number, cols: number, ld: number): number {
  return (rows - 1) * ld + cols;
}

/**
 * C = alpha · op(A) · op(B) + beta · C, row-major, f32. op(A) is [m, k], op(B)
 * is [k, n], C is [m, n]. C is updated in place (a Float32Array C is copied
 * back). C must not share memory with A or B.
 */
export function gemm(m: number, n: number, k: number, a: Operand, b: Operand, c: Operand, options: GemmOptions = {}): void {
  if (options === null || typeof options !== 'object') {
    throw new TypeError(`${WHERE}: options must be an object, got ${describe(options)}`);
  }
  checkInt(WHERE, 'm', m, 1);
  checkInt(WHERE, 'n', n, 1);
  checkInt(WHERE, 'k', k, 1);
  const transA = checkBoolean(WHERE, 'options.transA', options.transA ?? false);
  const transB = checkBoolean(WHERE, 'options.transB', options.transB ?? false);
  const alpha = checkFinite(WHERE, 'options.alpha', options.alpha ?? 1);
  const beta = checkFinite(WHERE, 'options.beta', options.beta ?? 0);
  const aCols = transA ? m : k;
  const bCols = transB ? k : n;
  const aRows = transA ? k : m;
  const bRows = transB ? n : k;
  const lda = checkInt(WHERE, `options.lda (transA=${transA}: at least ${transA ? 'm' : 'k'} = ${aCols})`, options.lda ?? aCols, aCols);
  const ldb = checkInt(WHERE, `options.ldb (transB=${transB}: at least ${transB ? 'k' : 'n'} = ${bCols})`, options.ldb ?? bCols, bCols);
  const ldc = checkInt(WHERE, `options.ldc (at least n = ${n})`, options.ldc ?? n, n);
  const aOffset = checkInt(WHERE, 'options.aOffset', options.aOffset ?? 0, 0);
  const bOffset = checkInt(WHERE, 'options.bOffset', options.bOffset ?? 0, 0);
  const cOffset = checkInt(WHERE, 'options.cOffset', options.cOffset ?? 0, 0);

  const spans = {
    a: { length: operandLength(WHERE, 'a', a), offset: aOffset, span: extent(aRows, aCols, lda), shape: `op(A) [m=${m}, k=${k}] with transA=${transA}, lda=${lda}` },
    b: { length: operandLength(WHERE, 'b', b), offset: bOffset, span: extent(bRows, bCols, ldb), shape: `op(B) [k=${k}, n=${n}] with transB=${transB}, ldb=${ldb}` },
    c: { length: operandLength(WHERE, 'c', c), offset: cOffset, span: extent(m, n, ldc), shape: `C [m=${m}, n=${n}] with ldc=${ldc}` },
  };
  for (const [name, s] of Object.entries(spans)) {
    if (s.offset + s.span > s.length) {
      throw new RangeError(
        `${WHERE}: ${name} has ${s.length} elements but ${s.shape} from ${name}Offset ${s.offset} needs ${s.offset + s.span}`,
      );
    }
  }
  const backend = resolveBackend(WHERE, { a, b, c }, options.backend);
  const uses = [
    { name: 'c', value: c, offset: cOffset, span: spans.c.span, output: true },
    { name: 'a', value: a, offset: aOffset, span: spans.a.span, output: false },
    { name: 'b', value: b, offset: bOffset, span: spans.b.span, output: false },
  ];
  checkNoOverlap(WHERE, uses);
  const work = backend.gemmWork(); // before staging: may allocate
  withOperands(backend, uses, ([cPtr, aPtr, bPtr]) => {
    backend.wasm.gemm_f32(cPtr, aPtr, bPtr, work, m, n, k, lda, ldb, ldc, transA ? 1 : 0, transB ? 1 : 0, alpha, beta);
  });
}
