// Bindings of assembly/dense.ts: the row-wise pieces of Dense and Embedding layers
// (their matrix products go through gemmF32). Thin: no validation (callers own their
// buffers and check ids).
// Convention: (backend, ptrs { outputs…, inputs… }, sizes…), as in assembly.
//
//   x [rows, cols], bias [cols];  src [rows, cols] (or [rows, ld] for the strided sums), dst [cols]
//   table, dTable [vocab, dim];  ids [n] i32 with 0 ≤ id < vocab;  out, dOut [n, dim]
import type { Backend, KernelTarget } from '../engine/backend.js';
import { exportsOf } from '../engine/exports.js';
import type { Ptr } from './codes.js';

/** x[r, c] += bias[c]. */
export function addBiasRowsF32(backend: KernelTarget, ptrs: { x: Ptr; bias: Ptr }, rows: number, cols: number): void {
  exportsOf(backend).add_bias_rows_f32(ptrs.x, ptrs.bias, rows, cols);
}

/** dst[c] += Σ_r src[r, c] (a bias gradient). */
export function sumRowsIntoF32(backend: Backend, ptrs: { dst: Ptr; src: Ptr }, rows: number, cols: number): void {
  exportsOf(backend).sum_rows_into_f32(ptrs.dst, ptrs.src, rows, cols);
}

/** dst[c] += Σ_r src[r·ld + c], c < cols (a block of a bias gradient's columns; ld ≥ cols). */
export function sumRowsIntoStridedF32(target: KernelTarget, ptrs: { dst: Ptr; src: Ptr }, rows: number, cols: number, ld: number): void {
  exportsOf(target).sum_rows_into_strided_f32(ptrs.dst, ptrs.src, rows, cols, ld);
}

/** out[r] = table[ids[r]]. */
export function embeddingForwardF32(backend: Backend, ptrs: { out: Ptr; table: Ptr; ids: Ptr }, n: number, dim: number): void {
  exportsOf(backend).embedding_forward_f32(ptrs.out, ptrs.table, ptrs.ids, n, dim);
}

/** dTable[ids[r]] += dOut[r], r = 0 … n − 1 in order. */
export function embeddingBackwardF32(backend: Backend, ptrs: { dTable: Ptr; dOut: Ptr; ids: Ptr }, n: number, dim: number): void {
  exportsOf(backend).embedding_backward_f32(ptrs.dTable, ptrs.dOut, ptrs.ids, n, dim);
}
