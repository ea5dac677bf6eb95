// Bindings of assembly/conv.ts: 2-D convolution (cross-correlation), channels-last, forward and
// backward over a whole batch; 1-D is the case H = KH = 1. Thin: no validation beyond
// checkConv2dGeometry, which callers run once per shape before any call.
// Convention: (backend, ptrs { outputs…, inputs… }, geometry), as in assembly; 0 = no buffer.
//
// Buffers (f32, row-major, channels-last), Cg = Cin / groups, Og = Cout / groups:
//   x [N, H, W, Cin];  w [KH, KW, Cg, Cout] (Keras' kernel layout when groups = 1);  bias [Cout] or 0
//   y [N, OH, OW, Cout]
//   cols: conv2dWorkFloats(backend, g) floats of scratch (one group's im2col matrix);
//   work: the backend's GEMM workspace (Backend.gemmWork()).
// Forward writes y (= bias + x ⋆ w); it saves nothing: backward reads x again.
// Backward from dY [N, OH, OW, Cout], all accumulating (+=), each skipped when its pointer is 0:
//   dX [N, H, W, Cin], dW [KH, KW, Cg, Cout], dBias [Cout].
// The pieces a split over threads runs itself (src/kernels/split.ts): im2col of group g into
// cols_g [N·OH·OW, KH·KW·Cg], and col2im of channels c0 … c0 + cn − 1 of group g from dCols_g.
// (Layers call conv2dForward / conv2dBackward of split.ts, which make one of these calls or split
// a large one over the backend's threads.)
import type { Backend, KernelTarget } from '../engine/backend.js';
import { exportsOf } from '../engine/exports.js';
import type { Ptr } from './codes.js';

/** Every size of one convolution. Padding after (bottom, right) is implied by OH, OW. */
export interface Conv2dGeometry {
  batch: number;
  height: number;
  width: number;
  inChannels: number;
  outHeight: number;
  outWidth: number;
  outChannels: number;
  kernelHeight: number;
  kernelWidth: number;
  strideH: number;
  strideW: number;
  dilationH: number;
  dilationW: number;
  padTop: number;
  padLeft: number;
  groups: number;
}

export type ConvPadding = 'valid' | 'same' | 'causal';

/**
 * Output length and padding before one axis, as Keras/TF compute them:
 *   valid:  out = ⌊(n − e)/s⌋ + 1, no padding (e = (k − 1)·d + 1, the effective kernel);
 *   same:   out = ⌈n/s⌉, total padding max((out − 1)·s + e − n, 0), ⌊total/2⌋ before;
 *   causal: out = ⌊(n − 1)/s⌋ + 1, padding (k − 1)·d before, none after (1-D, time axis).
 * `out` is 0 when 'valid' finds no complete window; checkConv2dGeometry rejects it.
 */
export function convAxis(padding: ConvPadding, size: number, kernel: number, stride: number, dilation: number): { out: number; padBefore: number } {
  const effective = (kernel - 1) * dilation + 1;
  if (padding === 'valid') return { out: size >= effective ? Math.floor((size - effective) / stride) + 1 : 0, padBefore: 0 };
  if (padding === 'causal') return { out: Math.floor((size - 1) / stride) + 1, padBefore: effective - 1 };
  const out = Math.ceil(size / stride);
  return { out, padBefore: Math.floor(Math.max((out - 1) * stride + effective - size, 0) / 2) };
}

/**
 * Throws a RangeError naming the first size that is not what the kernels assume: positive
 * integers (pads ≥ 0), channels divisible by groups, and along each axis padding on either
 * side of at most e − 1 (so every window overlaps the input), with the output the largest
 * number of windows that fit (the implied padding after, (out − 1)·s + e − n − padBefore,
 * more than −s).
 */
export function checkConv2dGeometry(where: string, g: Conv2dGeometry): void {
  const positive = ['batch', 'height', 'width', 'inChannels', 'outHeight', 'outWidth', 'outChannels', 'kernelHeight',
    'kernelWidth', 'strideH', 'strideW', 'dilationH', 'dilationW', 'groups'] as const;
  for (const name of positive) {
    const v = g[name];
    if (!Number.isInteger(v) || v < 1 || v > 0x7fffffff) throw new RangeError(`${where}: ${name} must be a positive integer, got ${v}`);
  }
  for (const name of ['padTop', 'padLeft'] as const) {
    const v = g[name];
    if (!Number.isInteger(v) || v < 0 || v > 0x7fffffff) throw new RangeError(`${where}: ${name} must be an integer ≥ 0, got ${v}`);
  }
  if (g.inChannels % g.groups !== 0) throw new RangeError(`${where}: inChannels ${g.inChannels} is not divisible by groups ${g.groups}`);
  if (g.outChannels % g.groups !== 0) throw new RangeError(`${where}: outChannels ${g.outChannels} is not divisible by groups ${g.groups}`);
  const axes = [
    ['height', g.height, g.kernelHeight, g.strideH, g.dilationH, g.padTop, g.outHeight, 'padTop', 'outHeight'],
    ['width', g.width, g.kernelWidth, g.strideW, g.dilationW, g.padLeft, g.outWidth, 'padLeft', 'outWidth'],
  ] as const;
  for (const [axis, size, kernel, stride, dilation, before, out, beforeName, outName] of axes) {
    const effective = (kernel - 1) * dilation + 1;
    if (before > effective - 1) {
      throw new RangeError(`${where}: ${beforeName} ${before} > effective kernel ${axis} − 1 = ${effective - 1}`);
    }
    const after = (out - 1) * stride + effective - size - before;
    if (after > effective - 1 || after <= -stride) {
      throw new RangeError(
        `${where}: ${outName} ${out} does not fit ${axis} ${size} with ${beforeName} ${before}, kernel ${kernel}, stride ${stride}, ` +
        `dilation ${dilation} (implied padding after ${after}, expected in [${1 - stride}, ${effective - 1}])`,
      );
    }
  }
}

/** Floats of the `cols` scratch: N·OH·OW · KH·KW·Cin/groups. */
export function conv2dWorkFloats(backend: Backend, g: Conv2dGeometry): number {
  return exportsOf(backend).conv2d_work_floats(g.batch, g.outHeight, g.outWidth, g.kernelHeight, g.kernelWidth, g.inChannels, g.groups);
}

/** y = bias + x ⋆ w (cross-correlation), one call for the batch. */
export function conv2dForwardF32(
  backend: KernelTarget, ptrs: { y: Ptr; cols: Ptr; x: Ptr; w: Ptr; bias: Ptr; work: Ptr }, g: Conv2dGeometry,
): void {
  exportsOf(backend).conv2d_forward_f32(
    ptrs.y, ptrs.cols, ptrs.x, ptrs.w, ptrs.bias, ptrs.work,
    g.batch, g.height, g.width, g.inChannels, g.outHeight, g.outWidth, g.outChannels, g.kernelHeight, g.kernelWidth,
    g.strideH, g.strideW, g.dilationH, g.dilationW, g.padTop, g.padLeft, g.groups,
  );
}

/** dX += ∂L/∂x, dW += ∂L/∂w, dBias += ∂L/∂bias from dY = ∂L/∂y; a 0 pointer skips that gradient. */
export function conv2dBackwardF32(
  backend: KernelTarget, ptrs: { dX: Ptr; dW: Ptr; dBias: Ptr; cols: Ptr; dY: Ptr; x: Ptr; w: Ptr; work: Ptr }, g: Conv2dGeometry,
): void {
  exportsOf(backend).conv2d_backward_f32(
    ptrs.dX, ptrs.dW, ptrs.dBias, ptrs.cols, ptrs.dY, ptrs.x, ptrs.w, ptrs.work,
    g.batch, g.height, g.width, g.inChannels, g.outHeight, g.outWidth, g.outChannels, g.kernelHeight, g.kernelWidth,
    g.strideH, g.strideW, g.dilationH, g.dilationW, g.padTop, g.padLeft, g.groups,
  );
}

/** cols_g ← the im2col matrix of group g over geometry `g` (which may be a block of output rows: see assembly/conv.ts). */
export function conv2dIm2colF32(target: KernelTarget, ptrs: { cols: Ptr; x: Ptr }, group: number, g: Conv2dGeometry): void {
  exportsOf(target).conv2d_im2col_f32(
    ptrs.cols, ptrs.x, group, g.batch, g.height, g.width, g.inChannels, g.outHeight, g.outWidth, g.kernelHeight, g.kernelWidth,
    g.strideH, g.strideW, g.dilationH, g.dilationW, g.padTop, g.padLeft, g.groups,
  );
}

/** dX (channels c0 … c0 + cn − 1 of group `group`) += col2im(dCols_g), in the order conv2dBackwardF32 adds them. */
export function conv2dCol2imF32(target: KernelTarget, ptrs: { dX: Ptr; dCols: Ptr }, group: number, c0: number, cn: number, g: Conv2dGeometry): void {
  exportsOf(target).conv2d_col2im_f32(
    ptrs.dX, ptrs.dCols, group, c0, cn, g.batch, g.height, g.width, g.inChannels, g.outHeight, g.outWidth, g.kernelHeight, g.kernelWidth,
    g.strideH, g.strideW, g.dilationH, g.dilationW, g.padTop, g.padLeft, g.groups,
  );
}
