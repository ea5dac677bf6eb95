// Pooling over channels-last images (Keras / TF.js layout): max and average pooling
// with a window, strides and padding, and global average / max pooling. A sequence
// [N, T, C] is an image with H = 1 (or H = T, W = 1: the layer chooses; both work).
//
// Buffers (f32 unless marked i32; row-major, C fastest):
//   x       [N, H, W, C]     input
//   y       [N, OH, OW, C]   output
//   argmax  i32 [N, OH, OW, C]   max pooling only: what forward saves for backward, the flat
//                            index ((n·H + ih)·W + iw)·C + c into x of the cell that won, or −1
//                            for an empty window. N·H·W·C must fit an i32 (the caller checks).
//   dX      [N, H, W, C]     gradient w.r.t. x: backward ADDS into it (zero it first for a
//                            plain gradient)
//   dY      [N, OH, OW, C]   gradient w.r.t. y
// Global pooling: x [N, S, C] with S = H·W cells, y and argmax [N, C], dX [N, S, C], dY [N, C].
//
// Window of output (oh, ow): rows oh·strideH − padTop + [0, poolH), columns
// ow·strideW − padLeft + [0, poolW), clipped to the image. The caller computes OH, OW,
// padTop, padLeft for 'valid' or 'same' (src/kernels/pool.ts poolGeometry). Padded cells
// are not cells: max ignores them and average divides by the number of real cells in the
// window (count), as Keras / TF.js / TensorFlow do (TF.js cpu avgPool sums the clipped
// window and divides by its count). A window with no real cell (only reachable with
// padding larger than 'same' makes) gives y = 0, argmax = −1 and no gradient.
//
//   max_pool_forward_f32(y, argmax, x, N, H, W, C, OH, OW, poolH, poolW, strideH, strideW, padTop, padLeft)
//       y = max over the window; ties go to the FIRST cell in scan order (row-major over
//       the window: ih, then iw), as TF.js (strict >) does. A NaN is never chosen over an
//       earlier value (x > best is false), so a NaN counts only when it is the first cell
//       (TF.js cpu starts from −Infinity and so skips that one too: the only difference).
//   max_pool_backward_f32(dX, dY, argmax, count)
//       dX[argmax[i]] += dY[i] for i = 0, 1, …, count − 1 in that order (count = N·OH·OW·C;
//       N·C for global max); entries −1 are skipped. Scalar: a scatter has no lanes to share.
//   avg_pool_forward_f32(y, x, N, H, W, C, OH, OW, poolH, poolW, strideH, strideW, padTop, padLeft)
//       y = (Σ window x, summed in scan order) / count.
//   avg_pool_backward_f32(dX, dY, N, H, W, C, OH, OW, poolH, poolW, strideH, strideW, padTop, padLeft)
//       for each output in (n, oh, ow) order: g = dY / count; dX[cell] += g for every real
//       cell of its window, in scan order. Saves nothing: the window is recomputed.
//   global_avg_pool_forward_f32(y, x, N, S, C)     y[n, c] = (Σ_s x[n, s, c]) / S
//   global_avg_pool_backward_f32(dX, dY, N, S, C)  dX[n, s, c] += dY[n, c] / S
//   global_max_pool_forward_f32(y, argmax, x, N, S, C)
//       y[n, c] = max_s x[n, s, c], first s on ties; argmax the flat index (n·S + s)·C + c.
//       Its backward is max_pool_backward_f32 with count = N·C.
// The global forms are the windowed ones with H = S, W = 1 and one window covering it all.
//
// SIMD runs over channels, four at a time, with a scalar tail (lanes.ts pattern): each lane
// does exactly what the scalar code does for its channel, in the same order (a comparison
// and a select for max; the same left-to-right f32 sum and one IEEE division for average),
// so both builds give identical bits. Nothing here allocates.
import { add, ld, st, zero } from "./lanes";

// @ts-ignore: decorator
@inline function divide<T>(a: T, b: T): T {
  if (isVector<T>()) return f32x4.div(a, b);
  // @ts-ignore
  return a / b;
}

// @ts-ignore: decorator
@inline function splat<T>(v: f32): T {
  if (isVector<T>()) return f32x4.splat(v);
  // @ts-ignore: T is f32 here
  return v;
}

/** Byte offset of x[ih, iw, c] in one image of width W and C channels. */
// @ts-ignore: decorator
@inline function cellBytes(ih: i32, iw: i32, c: i32, W: i32, C: i32): usize {
  return <usize>((ih * W + iw) * C + c) << 2;
}

/** y[c, c + lanes) = (Σ over the window's cells of x) / count. */
// @ts-ignore: decorator
@inline function averageLanes<T>(y: usize, image: usize, c: i32, ih0: i32, ih1: i32, iw0: i32, iw1: i32, W: i32, C: i32, count: f32): void {
  let sum = zero<T>();
  for (let ih = ih0; ih < ih1; ih++) {
    for (let iw = iw0; iw < iw1; iw++) sum = add<T>(sum, ld<T>(image + cellBytes(ih, iw, c, W, C)));
  }
  st<T>(y + (<usize>c << 2), divide<T>(sum, splat<T>(count)));
}

/** dX[cell, c, c + lanes) += dY[c, c + lanes) / count for every cell of the window. */
// @ts-ignore: decorator
@inline function spreadLanes<T>(dImage: usize, dy: usize, c: i32, ih0: i32, ih1: i32, iw0: i32, iw1: i32, W: i32, C: i32, count: f32): void {
  const g = divide<T>(ld<T>(dy + (<usize>c << 2)), splat<T>(count));
  for (let ih = ih0; ih < ih1; ih++) {
    for (let iw = iw0; iw < iw1; iw++) {
      const p = dImage + cellBytes(ih, iw, c, W, C);
      st<T>(p, add<T>(ld<T>(p), g));
    }
  }
}

/** Four channels of one max-pool window: best value and its flat index; a later cell wins only if strictly greater. */
// @ts-ignore: decorator
@inline function maxLanes4(y: usize, argmax: usize, image: usize, base: i32, c: i32, ih0: i32, ih1: i32, iw0: i32, iw1: i32, W: i32, C: i32): void {
  const iota = i32x4(0, 1, 2, 3);
  const first = (ih0 * W + iw0) * C + c;
  let best = v128.load(image + (<usize>first << 2));
  let at = i32x4.add(i32x4.splat(base + first), iota);
  for (let ih = ih0; ih < ih1; ih++) {
    for (let iw = iw0; iw < iw1; iw++) {
      const i = (ih * W + iw) * C + c;
      const v = v128.load(image + (<usize>i << 2));
      const greater = f32x4.gt(v, best);
      best = v128.bitselect(v, best, greater);
      at = v128.bitselect(i32x4.add(i32x4.splat(base + i), iota), at, greater);
    }
  }
  v128.store(y + (<usize>c << 2), best);
  v128.store(argmax + (<usize>c << 2), at);
}

/** One channel of one max-pool window: maxLanes4 for a single lane. */
// @ts-ignore: decorator
@inline function maxLanes1(y: usize, argmax: usize, image: usize, base: i32, c: i32, ih0: i32, ih1: i32, iw0: i32, iw1: i32, W: i32, C: i32): void {
  const first = (ih0 * W + iw0) * C + c;
  let best = load<f32>(image + (<usize>first << 2));
  let at = base + first;
  for (let ih = ih0; ih < ih1; ih++) {
    for (let iw = iw0; iw < iw1; iw++) {
      const i = (ih * W + iw) * C + c;
      const v = load<f32>(image + (<usize>i << 2));
      if (v > best) {
        best = v;
        at = base + i;
      }
    }
  }
  store<f32>(y + (<usize>c << 2), best);
  store<i32>(argmax + (<usize>c << 2), at);
}

// @ts-ignore: decorator
@inline function windowStart(o: i32, stride: i32, pad: i32): i32 {
  return o * stride - pad;
}

export function max_pool_forward_f32(
  y: usize, argmax: usize, x: usize,
  N: i32, H: i32, W: i32, C: i32, OH: i32, OW: i32,
  poolH: i32, poolW: i32, strideH: i32, strideW: i32, padTop: i32, padLeft: i32,
): void {
  const imageFloats = H * W * C;
  const rowBytes = <usize>C << 2;
  for (let n = 0; n < N; n++) {
    const base = n * imageFloats;
    const image = x + (<usize>base << 2);
    for (let oh = 0; oh < OH; oh++) {
      const top = windowStart(oh, strideH, padTop);
      const ih0 = max(top, 0), ih1 = min(top + poolH, H);
      for (let ow = 0; ow < OW; ow++) {
        const left = windowStart(ow, strideW, padLeft);
        const iw0 = max(left, 0), iw1 = min(left + poolW, W);
        const o = <usize>((n * OH + oh) * OW + ow) * rowBytes;
        if (ih0 >= ih1 || iw0 >= iw1) {
          memory.fill(y + o, 0, rowBytes);
          memory.fill(argmax + o, 0xff, rowBytes); // −1 in every i32
          continue;
        }
        let c = 0;
        if (ASC_FEATURE_SIMD) {
          for (; c + 4 <= C; c += 4) maxLanes4(y + o, argmax + o, image, base, c, ih0, ih1, iw0, iw1, W, C);
        }
        for (; c < C; c++) maxLanes1(y + o, argmax + o, image, base, c, ih0, ih1, iw0, iw1, W, C);
      }
    }
  }
}

export function max_pool_backward_f32(dX: usize, dY: usize, argmax: usize, count: i32): void {
  for (let i = 0; i < count; i++) {
    const at = load<i32>(argmax + (<usize>i << 2));
    if (at < 0) continue;
    const p = dX + (<usize>at << 2);
    store<f32>(p, load<f32>(p) + load<f32>(dY + (<usize>i << 2)));
  }
}

export function avg_pool_forward_f32(
  y: usize, x: usize,
  N: i32, H: i32, W: i32, C: i32, OH: i32, OW: i32,
  poolH: i32, poolW: i32, strideH: i32, strideW: i32, padTop: i32, padLeft: i32,
): void {
  const imageBytes = <usize>(H * W * C) << 2;
  const rowBytes = <usize>C << 2;
  for (let n = 0; n < N; n++) {
    const image = x + <usize>n * imageBytes;
    for (let oh = 0; oh < OH; oh++) {
      const top = windowStart(oh, strideH, padTop);
      const ih0 = max(top, 0), ih1 = min(top + poolH, H);
      for (let ow = 0; ow < OW; ow++) {
        const left = windowStart(ow, strideW, padLeft);
        const iw0 = max(left, 0), iw1 = min(left + poolW, W);
        const out = y + <usize>((n * OH + oh) * OW + ow) * rowBytes;
        if (ih0 >= ih1 || iw0 >= iw1) {
          memory.fill(out, 0, rowBytes);
          continue;
        }
        const count = <f32>((ih1 - ih0) * (iw1 - iw0));
        let c = 0;
        if (ASC_FEATURE_SIMD) {
          for (; c + 4 <= C; c += 4) averageLanes<v128>(out, image, c, ih0, ih1, iw0, iw1, W, C, count);
        }
        for (; c < C; c++) averageLanes<f32>(out, image, c, ih0, ih1, iw0, iw1, W, C, count);
      }
    }
  }
}

export function avg_pool_backward_f32(
  dX: usize, dY: usize,
  N: i32, H: i32, W: i32, C: i32, OH: i32, OW: i32,
  poolH: i32, poolW: i32, strideH: i32, strideW: i32, padTop: i32, padLeft: i32,
): void {
  const imageBytes = <usize>(H * W * C) << 2;
  const rowBytes = <usize>C << 2;
  for (let n = 0; n < N; n++) {
    const dImage = dX + <usize>n * imageBytes;
    for (let oh = 0; oh < OH; oh++) {
      const top = windowStart(oh, strideH, padTop);
      const ih0 = max(top, 0), ih1 = min(top + poolH, H);
      for (let ow = 0; ow < OW; ow++) {
        const left = windowStart(ow, strideW, padLeft);
        const iw0 = max(left, 0), iw1 = min(left + poolW, W);
        if (ih0 >= ih1 || iw0 >= iw1) continue;
        const dy = dY + <usize>((n * OH + oh) * OW + ow) * rowBytes;
        const count = <f32>((ih1 - ih0) * (iw1 - iw0));
        let c = 0;
        if (ASC_FEATURE_SIMD) {
          for (; c + 4 <= C; c += 4) spreadLanes<v128>(dImage, dy, c, ih0, ih1, iw0, iw1, W, C, count);
        }
        for (; c < C; c++) spreadLanes<f32>(dImage, dy, c, ih0, ih1, iw0, iw1, W, C, count);
      }
    }
  }
}

export function global_avg_pool_forward_f32(y: usize, x: usize, N: i32, S: i32, C: i32): void {
  avg_pool_forward_f32(y, x, N, S, 1, C, 1, 1, S, 1, 1, 1, 0, 0);
}

export function global_avg_pool_backward_f32(dX: usize, dY: usize, N: i32, S: i32, C: i32): void {
  avg_pool_backward_f32(dX, dY, N, S, 1, C, 1, 1, S, 1, 1, 1, 0, 0);
}

export function global_max_pool_forward_f32(y: usize, argmax: usize, x: usize, N: i32, S: i32, C: i32): void {
  max_pool_forward_f32(y, argmax, x, N, S, 1, C, 1, 1, S, 1, 1, 1, 0, 0);
}
