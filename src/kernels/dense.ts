// Bindings of assembly/dense.ts: the row-wise pieces of Dense and Embedding layers
// (their matrix products go through gemmF32). Thin: no validation (callers own their
// buffers and check ids).
// Convention: (backend, ptrs { outputs…, inputs… }, sizes…), as in assembly.
//
//   x [rows, cols], bias [cols];  src [rows, cols], dst [cols]
//   table, dTable [vocab, dim];  ids [n] i32 with 0 ≤ id < vocab;  out, dOut [n, dim]
import type { Backend } from '../engine/backend.js';
import { exportsOf } from '../engine/exports.js';
import type { Ptr } from './codes.js';

/** x[r, c] += bias[c]. */
export function addBiasRowsF32(backend: Backend, ptrs: { x: Ptr; bias: Ptr }, rows: number, cols: number): void {
  exportsOf(backend).add_bias_rows_f32(ptrs.x, ptrs.bias, rows, cols);
}

/** dst[c] += Σ_r src[r, c] (a bias gradient). */
export function sumRowsIntoF32(backend: Backend, ptrs: { dst: Ptr; src: Ptr }, rows: number, cols: number): void {
  exportsOf(backend).sum_rows_into_f32(ptrs.dst, ptrs.src, rows, cols);
}

/** out[r] = table[ids[r]]. */
export function embeddingForwardF32(backend: Backend, ptrs: { out: Ptr; table: Ptr; ids: Ptr }, n: number, dim: number): void {
  exportsOf(backend).embedding_forward_f32(ptrs.out, ptrs.table, ptrs.ids, n, dim);
}

/** dTable[ids[r]] += dOut[r], r = 0 … n − 1 in order. */
export function embeddingBackwardF32(backend: Backend, ptrs: { dTable: Ptr; dOut: Ptr; ids: Ptr }, n: number, dim: number): void {
  exportsOf(backend).embedding_backward_f32(ptrs.dTable, ptrs.dOut, ptrs.ids, n, dim);
}
