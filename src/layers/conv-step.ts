// What the convolutions over time share besides ConvLayer (convolution.ts): zeroing padded steps,
// and the streaming step of a causal one (Streaming in layer.ts; Conv1D 'causal' and a TDNN whose
// offsets are all ≤ 0). A causal convolution with taps t − R, t − R + d, …, t (K taps,
// (K − 1)·d = R) carries its last R input rows as its history, [R, B, C] time-major, oldest first
// (zeros before a stream starts, as predict's padding is). One step:
//   window [R + 1, B, C] ← history ++ x          (copies)
//   y [B, F] ← the conv kernel on the window as one image of height R + 1, width B, with the
//              layer's K × 1 kernel dilated by d, no padding, one output row (one call)
//   history ← window rows 1 … R                   (copy: the oldest row drops out)
// Why a shifted copy and not a ring buffer with a position: the history crosses into linear
// memory and back on every step anyway (the arrays are the user's), so shifting costs one more
// copy of the same size, while the window stays contiguous for the conv kernel, which then forms
// each output exactly as predict() does for that step (same taps, same values, same GEMM):
// stepping is bit-identical to predict on the same prefix. A ring would need a gather into a
// contiguous window (the same copy) or a kernel that wraps around.
import type { Backend } from '../engine/backend.js';
import { sizeProduct } from '../engine/sizes.js';
import { conv2dForwardF32, conv2dWorkFloats, type Conv2dGeometry } from '../kernels/conv.js';
import type { Workspace } from './parameters.js';

/** Zeroes the [C] rows of a [T, B, C] buffer whose [T, B] mask entry is 0 (padded steps). */
export function zeroPaddedRows(backend: Backend, ptr: number, mask: number, T: number, B: number, C: number): void {
  const heap = backend.heapF32();
  for (let r = 0; r < T * B; r++) if (heap[(mask >>> 2) + r] === 0) heap.fill(0, (ptr >>> 2) + r * C, (ptr >>> 2) + (r + 1) * C);
}

/** A causal convolution over time as its step sees it: K taps dilated by d reach R = (K − 1)·d steps back. */
export interface CausalConv {
  inChannels: number;
  outChannels: number;
  kernelSize: number;
  dilation: number;
  groups: number;
}

/** Steps of history: (K − 1)·d. */
export function historySteps(c: CausalConv): number {
  return (c.kernelSize - 1) * c.dilation;
}

function stepGeometry(c: CausalConv, B: number): Conv2dGeometry {
  return {
    batch: 1, height: historySteps(c) + 1, width: B, inChannels: c.inChannels, outHeight: 1, outWidth: B, outChannels: c.outChannels,
    kernelHeight: c.kernelSize, kernelWidth: 1, strideH: 1, strideW: 1, dilationH: c.dilation, dilationW: 1, padTop: 0, padLeft: 0, groups: c.groups,
  };
}

/** The workspace regions one step needs (a layer adds its own and lays them out together): window, cols, out [B, F]. */
export function causalStepRegions(backend: Backend, c: CausalConv, B: number): Record<string, bigint | number> {
  return {
    window: sizeProduct(historySteps(c) + 1, B, c.inChannels), cols: conv2dWorkFloats(backend, stepGeometry(c, B)), out: sizeProduct(B, c.outChannels),
  };
}

/**
 * One step (see the header) with the kernel at `w` ([K, C/groups, F]) and `bias` (or 0), after the
 * layer laid out causalStepRegions in `workspace`. Writes y (before the activation) into 'out' and
 * returns its pointer; updates the history at `history` ([R, B, C]) in place.
 */
export function causalConvStep(backend: Backend, workspace: Workspace, c: CausalConv, w: number, bias: number, x: number, B: number, history: number): number {
  const R = historySteps(c);
  const row = B * c.inChannels;
  const window = workspace.ptr('window');
  backend.copyFloats(window, history, R * row);
  backend.copyFloats(window + R * row * 4, x, row);
  const out = workspace.ptr('out');
  conv2dForwardF32(backend, { y: out, cols: workspace.ptr('cols'), x: window, w, bias, work: backend.gemmWork() }, stepGeometry(c, B));
  backend.copyFloats(history, window + row * 4, R * row);
  return out;
}
