// 2-D convolution (cross-correlation, as Keras and PyTorch compute it), channels-last,
// forward and backward, by im2col + the packed GEMM of gemm.ts. 1-D is the case H = 1,
// KH = 1 (strideH = dilationH = 1, padTop = 0): the same kernels, no copy.
//
// Sizes: N images; input H × W × Cin; output OH × OW × Cout; kernel KH × KW; stride (sh, sw);
// dilation (dh, dw); zero padding padTop, padLeft (the bottom/right padding is whatever OH, OW
// imply: the caller chooses 'valid' / 'same' / 'causal' and checks the geometry in TypeScript);
// groups G with Cg = Cin / G input and Og = Cout / G output channels per group (depthwise:
// G = Cin). M = N·OH·OW output positions; Kg = KH·KW·Cg taps per output of a group.
//
// Buffers (f32, row-major, channels-last):
//   x [N, H, W, Cin]          w [KH, KW, Cg, Cout] (Keras' layout when G = 1; output channel
//   bias [Cout] or 0          co belongs to group g = co / Og and reads input channels g·Cg …)
//   y [N, OH, OW, Cout] = [M, Cout]
//   cols [M, Kg]: caller's workspace, conv2d_work_floats(N, OH, OW, KH, KW, Cin, G) floats;
//     row (n, oh, ow), column (kh·KW + kw)·Cg + c of group g holds
//     x[n, oh·sh − padTop + kh·dh, ow·sw − padLeft + kw·dw, g·Cg + c], or 0 in the padding.
//   work: the GEMM scratch (gemm_work_floats()).
//
// Forward, per group g (columns g·Og … of y and w):
//   y[m, co] = bias[co] + Σ_{kh, kw, c} cols_g[m, (kh·KW + kw)·Cg + c] · w[kh, kw, c, co]
//   = fill y with bias (or 0), then y_g += cols_g · w_g (gemm_f32, beta = 1).
// Forward saves nothing but its inputs: backward rebuilds cols from x.
//
// Backward from dY [M, Cout]; every gradient ACCUMULATES (+=) into its buffer, and a 0
// pointer skips it (dX of a first layer, dBias of a layer without bias):
//   dBias[co] += Σ_m dY[m, co]                    (summed in increasing m)
//   dW_g      += cols_gᵀ · dY_g                   (gemm_f32, TRANS, beta = 1)
//   dCols_g    = dY_g · w_gᵀ  (in cols, beta = 0)  then col2im:
//   dX[n, ih, iw, g·Cg + c] += dCols_g[m, (kh·KW + kw)·Cg + c] for every in-bounds tap,
//     in increasing m, then kh, kw, c — one f32 add each.
//
// Both builds give identical bits: im2col is data movement, the GEMM sums in one order in
// both builds, col2im and the bias sums are single f32 adds in a fixed order (vector body and
// scalar tail do the same add).
//
// Why im2col + GEMM rather than a direct kernel: on C1 (Conv1D K = 3, dilation 4, causal,
// B = 32, T = 256, 64 → 64 channels; 201 MFLOP), Node 20, SIMD build, 2 shared cores, medians
// of 15 runs over three runs of the script: im2col + GEMM forward 6.2–7.2 ms (28–33 GFLOP/s), a
// direct implicit-GEMM kernel with the same 4×8 register tile 6.0–6.2 ms (32–34 GFLOP/s),
// backward (dX, dW, dBias) 12.7–13.2 ms (30–32 GFLOP/s for its 403 MFLOP). The direct kernel
// gains at most a few percent (within the noise of a shared machine) and would need its own
// scalar twin and its own backward; im2col reuses the one GEMM both builds already agree on.
// Grouped and depthwise convolutions run one GEMM per group (n = Cout/groups columns): correct,
// not yet fast for depthwise.
import { gemm_f32, NO_TRANS, TRANS } from "./gemm";
import { addColumnSums, addRow, fillRows } from "./cells";

/** Floats of the `cols` workspace: one group's im2col matrix [N·OH·OW, KH·KW·Cin/groups]. f64 so that no size overflows. */
export function conv2d_work_floats(N: i32, OH: i32, OW: i32, KH: i32, KW: i32, Cin: i32, groups: i32): f64 {
  return <f64>N * <f64>OH * <f64>OW * <f64>KH * <f64>KW * <f64>(Cin / groups);
}

/**
 * cols [M, Kg] ← the taps of group g (see the header). Rows in the padding are zero-filled.
 */
function im2col(
  cols: usize, x: usize, g: i32,
  N: i32, H: i32, W: i32, Cin: i32, OH: i32, OW: i32, KH: i32, KW: i32,
  sh: i32, sw: i32, dh: i32, dw: i32, padTop: i32, padLeft: i32, Cg: i32,
): void {
  const tapBytes = <usize>Cg << 2;
  const channel0 = <usize>(g * Cg) << 2;
  let out = cols;
  for (let n = 0; n < N; n++) {
    const image = x + (<usize>n * <usize>H * <usize>W * <usize>Cin << 2);
    for (let oh = 0; oh < OH; oh++) {
      for (let ow = 0; ow < OW; ow++) {
        for (let kh = 0; kh < KH; kh++) {
          const ih = oh * sh - padTop + kh * dh;
          const rowInside = ih >= 0 && ih < H;
          for (let kw = 0; kw < KW; kw++) {
            const iw = ow * sw - padLeft + kw * dw;
            if (rowInside && iw >= 0 && iw < W) {
              memory.copy(out, image + ((<usize>ih * <usize>W + <usize>iw) * <usize>Cin << 2) + channel0, tapBytes);
            } else {
              memory.fill(out, 0, tapBytes);
            }
            out += tapBytes;
          }
        }
      }
    }
  }
}


/**
 * dX (channels c0 … c0 + cn − 1 of group g) += col2im(dCols), in increasing m, kh, kw, c; taps in
 * the padding are dropped. The whole group is c0 = 0, cn = Cg.
 */
function col2im(
  dX: usize, dCols: usize, g: i32, c0: i32, cn: i32,
  N: i32, H: i32, W: i32, Cin: i32, OH: i32, OW: i32, KH: i32, KW: i32,
  sh: i32, sw: i32, dh: i32, dw: i32, padTop: i32, padLeft: i32, Cg: i32,
): void {
  const tapBytes = <usize>Cg << 2;
  const channel0 = <usize>(g * Cg + c0) << 2;
  let src = dCols + (<usize>c0 << 2);
  for (let n = 0; n < N; n++) {
    const image = dX + (<usize>n * <usize>H * <usize>W * <usize>Cin << 2);
    for (let oh = 0; oh < OH; oh++) {
      for (let ow = 0; ow < OW; ow++) {
        for (let kh = 0; kh < KH; kh++) {
          const ih = oh * sh - padTop + kh * dh;
          const rowInside = ih >= 0 && ih < H;
          for (let kw = 0; kw < KW; kw++) {
            const iw = ow * sw - padLeft + kw * dw;
            if (rowInside && iw >= 0 && iw < W) {
              addRow(image + ((<usize>ih * <usize>W + <usize>iw) * <usize>Cin << 2) + channel0, src, cn);
            }
            src += tapBytes;
          }
        }
      }
    }
  }
}

export function conv2d_forward_f32(
  y: usize, cols: usize, x: usize, w: usize, bias: usize, work: usize,
  N: i32, H: i32, W: i32, Cin: i32, OH: i32, OW: i32, Cout: i32, KH: i32, KW: i32,
  sh: i32, sw: i32, dh: i32, dw: i32, padTop: i32, padLeft: i32, groups: i32,
): void {
  const M = N * OH * OW;
  const Cg = Cin / groups;
  const Og = Cout / groups;
  const Kg = KH * KW * Cg;
  if (bias) fillRows(y, bias, M, Cout);
  else memory.fill(y, 0, <usize>M * <usize>Cout << 2);
  for (let g = 0; g < groups; g++) {
    im2col(cols, x, g, N, H, W, Cin, OH, OW, KH, KW, sh, sw, dh, dw, padTop, padLeft, Cg);
    const column0 = <usize>(g * Og) << 2;
    // y_g [M, Og] (ldc Cout) += cols_g [M, Kg] · w_g [Kg, Og] (ldb Cout)
    gemm_f32(y + column0, cols, w + column0, work, M, Og, Kg, Kg, Cout, Cout, NO_TRANS, NO_TRANS, 1, 1);
  }
}

export function conv2d_backward_f32(
  dX: usize, dW: usize, dBias: usize, cols: usize, dY: usize, x: usize, w: usize, work: usize,
  N: i32, H: i32, W: i32, Cin: i32, OH: i32, OW: i32, Cout: i32, KH: i32, KW: i32,
  sh: i32, sw: i32, dh: i32, dw: i32, padTop: i32, padLeft: i32, groups: i32,
): void {
  const M = N * OH * OW;
  const Cg = Cin / groups;
  const Og = Cout / groups;
  const Kg = KH * KW * Cg;
  if (dBias) addColumnSums(dBias, dY, M, Cout, Cout);
  for (let g = 0; g < groups; g++) {
    const column0 = <usize>(g * Og) << 2;
    if (dW) {
      im2col(cols, x, g, N, H, W, Cin, OH, OW, KH, KW, sh, sw, dh, dw, padTop, padLeft, Cg);
      // dW_g [Kg, Og] (ldc Cout) += cols_gᵀ · dY_g [M, Og] (ldb Cout)
      gemm_f32(dW + column0, cols, dY + column0, work, Kg, Og, M, Kg, Cout, Cout, TRANS, NO_TRANS, 1, 1);
    }
    if (dX) {
      // dCols_g [M, Kg] = dY_g [M, Og] (lda Cout) · w_gᵀ (w_g is [Kg, Og], ldb Cout)
      gemm_f32(cols, dY + column0, w + column0, work, M, Kg, Og, Cout, Cout, Kg, NO_TRANS, TRANS, 1, 0);
      col2im(dX, cols, g, 0, Cg, N, H, W, Cin, OH, OW, KH, KW, sh, sw, dh, dw, padTop, padLeft, Cg);
    }
  }
}

// ---- the pieces of the backward, for a split over threads (src/kernels/split.ts) ----
//
// A caller that splits a convolution over threads runs im2col and col2im itself around its own
// GEMM calls. Output rows are cut along image rows: rows oh0 … oh1 − 1 of image n are the
// geometry with N = 1, OH = oh1 − oh0, padTop − oh0·sh (possibly negative) and x at image n,
// which gives exactly those rows of cols (the taps are computed from oh·sh − padTop alone).

/** cols_g [N·OH·OW, KH·KW·Cg] ← group g's taps (the im2col matrix of the header; rows in the padding zero-filled). */
export function conv2d_im2col_f32(
  cols: usize, x: usize, g: i32,
  N: i32, H: i32, W: i32, Cin: i32, OH: i32, OW: i32, KH: i32, KW: i32,
  sh: i32, sw: i32, dh: i32, dw: i32, padTop: i32, padLeft: i32, groups: i32,
): void {
  im2col(cols, x, g, N, H, W, Cin, OH, OW, KH, KW, sh, sw, dh, dw, padTop, padLeft, Cin / groups);
}

/**
 * dX[…, g·Cg + c] += col2im(dCols_g) for the channels c0 ≤ c < c0 + cn of group g, in increasing
 * m, kh, kw, c (dCols_g [N·OH·OW, KH·KW·Cg]): for those channels, the same adds in the same order
 * as conv2d_backward_f32's, so splitting a group's channels gives the same bits.
 */
export function conv2d_col2im_f32(
  dX: usize, dCols: usize, g: i32, c0: i32, cn: i32,
  N: i32, H: i32, W: i32, Cin: i32, OH: i32, OW: i32, KH: i32, KW: i32,
  sh: i32, sw: i32, dh: i32, dw: i32, padTop: i32, padLeft: i32, groups: i32,
): void {
  col2im(dX, dCols, g, c0, cn, N, H, W, Cin, OH, OW, KH, KW, sh, sw, dh, dw, padTop, padLeft, Cin / groups);
}
