// What a batch shard run on another thread needs besides the kernels: moving a shard's rows
// between a layer's full [T, B, F] buffers and the shard's own [T, Bs, F] buffers, and giving each
// instance its own GEMM edge tile.
//
// With the threaded build every instance (the main one and one per worker) shares one linear
// memory but has its own globals. Only the main instance allocates; a worker instance runs
// kernels on pointers it is given.
import { gemm_set_edge_tile } from "./gemm";

/**
 * dst[r·dstStride + j] = src[r·srcStride + j] for r < rows, j < length (f32, strides in floats).
 * Gathers a shard's rows out of a time-major buffer (rows = T, length = Bs·F, srcStride = B·F,
 * dstStride = Bs·F) or scatters them back (strides swapped).
 */
export function copy_rows_f32(dst: usize, src: usize, rows: i32, length: i32, dstStride: i32, srcStride: i32): void {
  const bytes = <usize>length << 2;
  for (let r = 0; r < rows; r++) {
    memory.copy(dst + (<usize>(r * dstStride) << 2), src + (<usize>(r * srcStride) << 2), bytes);
  }
}

/** Floats of per-instance scratch thread_init needs. */
export function thread_scratch_floats(): i32 {
  return 32;
}

/** Gives this instance its own GEMM edge tile (thread_scratch_floats() floats, 16-byte aligned) instead of the static one. */
export function thread_init(scratch: usize): void {
  gemm_set_edge_tile(scratch);
}
