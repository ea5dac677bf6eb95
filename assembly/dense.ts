// Dense heads and embeddings: the row-wise pieces a Dense or Embedding layer adds
// around gemm_f32 (the matrix products go through gemm_f32 itself).
//
//   add_bias_rows_f32(x, bias, rows, cols)       x[r, c] += bias[c]             x [rows, cols], bias [cols]
//   sum_rows_into_f32(dst, src, rows, cols)      dst[c] += Σ_r src[r, c]         (bias gradient; cells.ts addColumnSums,
//                                                                               summed in increasing r)
//   sum_rows_into_strided_f32(dst, src, rows, cols, ld)   the same over src [rows, ld], columns < cols
//                                                                               (a block of a bias gradient's columns)
//   embedding_forward_f32(out, table, ids, n, dim)    out[r] = table[ids[r]]     out [n, dim], table [vocab, dim], ids i32 [n]
//   embedding_backward_f32(dTable, dOut, ids, n, dim) dTable[ids[r]] += dOut[r], r = 0, 1, …, n − 1 in that order
//
// ids are trusted (the TypeScript side checks 0 ≤ id < vocab). Every element is one
// f32 add per row in a fixed row order, so both builds give identical bits.
import { addColumnSums, addRow } from "./cells";


export function add_bias_rows_f32(x: usize, bias: usize, rows: i32, cols: i32): void {
  const rowBytes = <usize>cols << 2;
  for (let r = 0; r < rows; r++) addRow(x + <usize>r * rowBytes, bias, cols);
}

export function sum_rows_into_f32(dst: usize, src: usize, rows: i32, cols: i32): void {
  addColumnSums(dst, src, rows, cols, cols);
}

/** dst[c] += Σ_r src[r·ld + c] for c < cols, summed in increasing r: sum_rows_into_f32 on a block of columns (ld ≥ cols). */
export function sum_rows_into_strided_f32(dst: usize, src: usize, rows: i32, cols: i32, ld: i32): void {
  addColumnSums(dst, src, rows, cols, ld);
}

export function embedding_forward_f32(out: usize, table: usize, ids: usize, n: i32, dim: i32): void {
  const rowBytes = <usize>dim << 2;
  for (let r = 0; r < n; r++) {
    const id = <usize>load<i32>(ids + (<usize>r << 2));
    memory.copy(out + <usize>r * rowBytes, table + id * rowBytes, rowBytes);
  }
}

export function embedding_backward_f32(dTable: usize, dOut: usize, ids: usize, n: i32, dim: i32): void {
  const rowBytes = <usize>dim << 2;
  for (let r = 0; r < n; r++) {
    const id = <usize>load<i32>(ids + (<usize>r << 2));
    addRow(dTable + id * rowBytes, dOut + <usize>r * rowBytes, dim);
  }
}
