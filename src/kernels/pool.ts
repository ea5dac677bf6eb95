// Bindings of assembly/pool.ts: max / average pooling over channels-last images and
// global average / max pooling. Thin: no validation, one call per batch.
// Convention: (backend, ptrs { outputs…, inputs… }, sizes…), as in assembly; the windowed
// kernels take their twelve sizes as one named PoolShape, in the assembly's order.
//
//   x, dX [N, H, W, C] f32;  y, dY [N, OH, OW, C] f32;  argmax i32 [N, OH, OW, C], the flat
//   index into x of each output's winning cell (−1: empty window).  Global: x, dX [N, S, C]
//   with S = H·W, y, dY, argmax [N, C].  Backward ADDS into dX.
import type { Backend } from '../engine/backend.js';
import { exportsOf } from '../engine/exports.js';
import type { Ptr } from './codes.js';

/** The geometry of a windowed pooling call (every field an integer ≥ 0; sizes and strides ≥ 1). */
export interface PoolShape {
  N: number;
  H: number;
  W: number;
  C: number;
  /** Output rows and columns. */
  OH: number;
  OW: number;
  poolH: number;
  poolW: number;
  strideH: number;
  strideW: number;
  /** Rows and columns of padding before the first real cell (padded cells are not counted). */
  padTop: number;
  padLeft: number;
}

/** Keras / TF.js padding modes. */
export type PoolPadding = 'valid' | 'same';

/**
 * Output size and padding before the first cell along one axis, as TensorFlow computes them:
 * 'valid': out = ⌊(size − pool) / stride⌋ + 1 (no padding; 0 when pool > size);
 * 'same':  out = ⌈size / stride⌉, total padding max((out − 1)·stride + pool − size, 0), of which
 *          ⌊total / 2⌋ goes before (the extra one after). Every 'same' window holds a real cell.
 */
export function poolAxis(size: number, pool: number, stride: number, padding: PoolPadding): { out: number; padBefore: number } {
  if (padding === 'valid') return { out: Math.max(0, Math.floor((size - pool) / stride) + 1), padBefore: 0 };
  const out = Math.ceil(size / stride);
  const total = Math.max((out - 1) * stride + pool - size, 0);
  return { out, padBefore: Math.floor(total / 2) };
}

/** The PoolShape of x [N, H, W, C] pooled with (poolH, poolW), strides (strideH, strideW) and a padding mode. */
export function poolShape(
  N: number, H: number, W: number, C: number,
  poolH: number, poolW: number, strideH: number, strideW: number, padding: PoolPadding,
): PoolShape {
  const rows = poolAxis(H, poolH, strideH, padding);
  const cols = poolAxis(W, poolW, strideW, padding);
  return { N, H, W, C, OH: rows.out, OW: cols.out, poolH, poolW, strideH, strideW, padTop: rows.padBefore, padLeft: cols.padBefore };
}

/** y = max over each window (first cell in scan order on ties); argmax = its flat index into x. */
export function maxPoolForwardF32(backend: Backend, ptrs: { y: Ptr; argmax: Ptr; x: Ptr }, s: PoolShape): void {
  exportsOf(backend).max_pool_forward_f32(
    ptrs.y, ptrs.argmax, ptrs.x, s.N, s.H, s.W, s.C, s.OH, s.OW, s.poolH, s.poolW, s.strideH, s.strideW, s.padTop, s.padLeft,
  );
}

/** dX[argmax[i]] += dY[i], i < count in order (count = N·OH·OW·C, or N·C after global max pooling). */
export function maxPoolBackwardF32(backend: Backend, ptrs: { dX: Ptr; dY: Ptr; argmax: Ptr }, count: number): void {
  exportsOf(backend).max_pool_backward_f32(ptrs.dX, ptrs.dY, ptrs.argmax, count);
}

/** y = (Σ of the window's real cells) / their count. */
export function avgPoolForwardF32(backend: Backend, ptrs: { y: Ptr; x: Ptr }, s: PoolShape): void {
  exportsOf(backend).avg_pool_forward_f32(
    ptrs.y, ptrs.x, s.N, s.H, s.W, s.C, s.OH, s.OW, s.poolH, s.poolW, s.strideH, s.strideW, s.padTop, s.padLeft,
  );
}

/** dX[cell] += dY / count for every real cell of every window. */
export function avgPoolBackwardF32(backend: Backend, ptrs: { dX: Ptr; dY: Ptr }, s: PoolShape): void {
  exportsOf(backend).avg_pool_backward_f32(
    ptrs.dX, ptrs.dY, s.N, s.H, s.W, s.C, s.OH, s.OW, s.poolH, s.poolW, s.strideH, s.strideW, s.padTop, s.padLeft,
  );
}

/** y[n, c] = (Σ_s x[n, s, c]) / S over x [N, S, C]. */
export function globalAvgPoolForwardF32(backend: Backend, ptrs: { y: Ptr; x: Ptr }, N: number, S: number, C: number): void {
  exportsOf(backend).global_avg_pool_forward_f32(ptrs.y, ptrs.x, N, S, C);
}

/** dX[n, s, c] += dY[n, c] / S. */
export function globalAvgPoolBackwardF32(backend: Backend, ptrs: { dX: Ptr; dY: Ptr }, N: number, S: number, C: number): void {
  exportsOf(backend).global_avg_pool_backward_f32(ptrs.dX, ptrs.dY, N, S, C);
}

/** y[n, c] = max_s x[n, s, c] (first s on ties); argmax = (n·S + s)·C + c. */
export function globalMaxPoolForwardF32(backend: Backend, ptrs: { y: Ptr; argmax: Ptr; x: Ptr }, N: number, S: number, C: number): void {
  exportsOf(backend).global_max_pool_forward_f32(ptrs.y, ptrs.argmax, ptrs.x, N, S, C);
}

/** dX[argmax[i]] += dY[i] over the N·C outputs of global max pooling (max_pool_backward_f32). */
export function globalMaxPoolBackwardF32(backend: Backend, ptrs: { dX: Ptr; dY: Ptr; argmax: Ptr }, N: number, C: number): void {
  exportsOf(backend).max_pool_backward_f32(ptrs.dX, ptrs.dY, ptrs.argmax, N * C);
}
