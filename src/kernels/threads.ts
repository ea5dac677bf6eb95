// Bindings of assembly/threads.ts: moving a batch shard's rows in and out of a layer's full
// buffers. Thin: no validation (callers own their buffers).
//   copyRowsF32: dst[r·dstStride + j] = src[r·srcStride + j], r < rows, j < length (floats)
import type { KernelTarget } from '../engine/backend.js';
import { exportsOf } from '../engine/exports.js';
import type { Ptr } from './codes.js';

export function copyRowsF32(target: KernelTarget, ptrs: { dst: Ptr; src: Ptr }, rows: number, length: number, dstStride: number, srcStride: number): void {
  exportsOf(target).copy_rows_f32(ptrs.dst, ptrs.src, rows, length, dstStride, srcStride);
}
