// The convolution kernels (assembly/conv.ts through src/kernels/conv.ts) on both builds:
//   1. the course's worked example (9×9 image ⋆ 3×3 edge kernel, 'valid') exactly;
//   2. the f64 reference's backward against central differences;
//   3. forward and backward against the f64 reference over awkward shapes (odd sizes, K > T
//      with causal padding, stride > kernel, dilation with stride, groups and depthwise, 1-D
//      and 2-D, more than one GEMM block), gradients accumulating onto non-zero buffers;
//   4. the SIMD and the scalar build bit for bit (and unaligned buffers bit for bit);
//   5. the geometry checks and the padding formulas;
//   6. parity with TensorFlow.js (tf.conv1d / conv2d / depthwiseConv2d on the cpu backend).
//
// Tolerances, f32 kernel vs f64 reference: rigorous γ bounds (Higham §3.1, test/helpers/
// tolerance.ts), per element |got − want| ≤ γ_n · Σ|terms|, where Σ|terms| is the reference run
// on absolute values (|x|, |w|, |bias|, |dY|, |start of the d* buffer|) and n counts the f32
// roundings along the longest chain:
//   y      n = Kg + 2  (a dot of Kg = KH·KW·Cin/groups taps, one add onto the bias per KC slice)
//   dW     n = M + 2   (a dot over M = N·OH·OW positions, added onto dW)
//   dX     n = Og + KH·KW + 2  (dCols is a dot of Og = Cout/groups terms; col2im adds up to KH·KW
//                      of them onto dX)
//   dBias  n = M + 2   (M adds onto dBias)
// A failure is therefore a bug, not noise. The worked example uses small integers, exact in f32:
// compared exactly.
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Backend } from '../src/engine/backend.js';
import {
  checkConv2dGeometry, conv2dBackwardF32, conv2dForwardF32, conv2dWorkFloats, convAxis, type Conv2dGeometry, type ConvPadding,
} from '../src/kernels/conv.js';
import { conv2dBackwardReference, conv2dForwardReference } from '../src/reference/conv.js';
import { BUILDS, backendFor } from './helpers/backends.js';
import { expectCloseToScale, expectSameBits, expectWithinBound, thrown } from './helpers/compare.js';
import { checkGradients, randomF64 } from './helpers/gradcheck.js';
import { makeRandom, randomFloat32 } from './helpers/random.js';
import { gamma } from './helpers/tolerance.js';

interface Shape {
  name: string;
  batch: number;
  height: number;
  width: number;
  inChannels: number;
  outChannels: number;
  kernel: [number, number];
  stride?: [number, number];
  dilation?: [number, number];
  padding: ConvPadding;
  groups?: number;
  bias?: boolean;
}

/** The geometry of a shape; 'causal' pads the width (time) axis only, the height axis is 'valid'. */
function geometryOf(s: Shape): Conv2dGeometry {
  const [sh, sw] = s.stride ?? [1, 1];
  const [dh, dw] = s.dilation ?? [1, 1];
  const rows = convAxis(s.padding === 'causal' ? 'valid' : s.padding, s.height, s.kernel[0], sh, dh);
  const cols = convAxis(s.padding, s.width, s.kernel[1], sw, dw);
  return {
    batch: s.batch, height: s.height, width: s.width, inChannels: s.inChannels,
    outHeight: rows.out, outWidth: cols.out, outChannels: s.outChannels,
    kernelHeight: s.kernel[0], kernelWidth: s.kernel[1], strideH: sh, strideW: sw, dilationH: dh, dilationW: dw,
    padTop: rows.padBefore, padLeft: cols.padBefore, groups: s.groups ?? 1,
  };
}

const sizes = (g: Conv2dGeometry) => ({
  x: g.batch * g.height * g.width * g.inChannels,
  w: g.kernelHeight * g.kernelWidth * (g.inChannels / g.groups) * g.outChannels,
  y: g.batch * g.outHeight * g.outWidth * g.outChannels,
  M: g.batch * g.outHeight * g.outWidth,
  Kg: g.kernelHeight * g.kernelWidth * (g.inChannels / g.groups),
});

interface ConvRun {
  y: Float32Array;
  dX: Float32Array;
  dW: Float32Array;
  dBias: Float32Array;
}

interface ConvInputs {
  x: Float32Array;
  w: Float32Array;
  bias: Float32Array | null;
  dY: Float32Array;
  /** Starting values of dX, dW, dBias (the kernels accumulate onto them). */
  dX0: Float32Array;
  dW0: Float32Array;
  dBias0: Float32Array;
}

/**
 * Forward, then backward, on `backend`, every buffer in its own block; `shift` floats of
 * offset into each block (1 = pointers not 16-byte aligned).
 */
function runConv(backend: Backend, g: Conv2dGeometry, inputs: ConvInputs, shift = 0): ConvRun {
  checkConv2dGeometry('runConv', g);
  const block = (values: ArrayLike<number>) => {
    const buffer = backend.allocF32(values.length + shift + 1);
    buffer.write(values, shift);
    return buffer;
  };
  const n = sizes(g);
  const x = block(inputs.x), w = block(inputs.w), dY = block(inputs.dY);
  const bias = inputs.bias ? block(inputs.bias) : null;
  const y = block(new Float32Array(n.y).fill(Number.NaN)); // forward must overwrite every element
  const dX = block(inputs.dX0), dW = block(inputs.dW0), dBias = block(inputs.dBias0);
  const cols = backend.allocF32(Math.max(1, conv2dWorkFloats(backend, g)) + shift);
  const work = backend.gemmWork();
  const at = (b: { ptr: number }) => b.ptr + 4 * shift;
  try {
    conv2dForwardF32(backend, { y: at(y), cols: at(cols), x: at(x), w: at(w), bias: bias ? at(bias) : 0, work }, g);
    conv2dBackwardF32(backend, {
      dX: at(dX), dW: at(dW), dBias: bias ? at(dBias) : 0, cols: at(cols), dY: at(dY), x: at(x), w: at(w), work,
    }, g);
    const read = (b: { read(): Float32Array }, length: number) => b.read().slice(shift, shift + length);
    return { y: read(y, n.y), dX: read(dX, n.x), dW: read(dW, n.w), dBias: read(dBias, g.outChannels) };
  } finally {
    for (const b of [x, w, dY, bias, y, dX, dW, dBias, cols]) b?.dispose();
  }
}

function randomInputs(g: Conv2dGeometry, seed: number, withBias = true): ConvInputs {
  const n = sizes(g);
  return {
    x: randomFloat32(n.x, seed), w: randomFloat32(n.w, seed + 1), bias: withBias ? randomFloat32(g.outChannels, seed + 2) : null,
    dY: randomFloat32(n.y, seed + 3), dX0: randomFloat32(n.x, seed + 4), dW0: randomFloat32(n.w, seed + 5),
    dBias0: withBias ? randomFloat32(g.outChannels, seed + 6) : new Float32Array(g.outChannels),
  };
}

/** The f64 reference (values and, run on absolute values, the Σ|terms| the bounds scale). */
function reference(g: Conv2dGeometry, inputs: ConvInputs, absolute = false): { y: Float64Array; dX: Float64Array; dW: Float64Array; dBias: Float64Array } {
  const f = (a: ArrayLike<number>) => Float64Array.from(a, (v) => (absolute ? Math.abs(v) : v));
  const x = f(inputs.x), w = f(inputs.w), dY = f(inputs.dY);
  const bias = inputs.bias ? f(inputs.bias) : null;
  const y = new Float64Array(sizes(g).y);
  conv2dForwardReference(g, x, w, bias, y);
  const dX = f(inputs.dX0), dW = f(inputs.dW0), dBias = f(inputs.dBias0);
  conv2dBackwardReference(g, x, w, dY, dX, dW, bias ? dBias : null);
  return { y, dX, dW, dBias };
}

function expectMatchesReference(label: string, g: Conv2dGeometry, inputs: ConvInputs, got: ConvRun): void {
  const want = reference(g, inputs);
  const abs = reference(g, inputs, true);
  const n = sizes(g);
  const bound = (a: Float64Array, terms: number) => Float64Array.from(a, (v) => gamma(terms) * v + Number.MIN_VALUE);
  const KK = g.kernelHeight * g.kernelWidth;
  expectWithinBound(`${label} y`, got.y, want.y, bound(abs.y, n.Kg + 2));
  expectWithinBound(`${label} dX`, got.dX, want.dX, bound(abs.dX, g.outChannels / g.groups + KK + 2));
  expectWithinBound(`${label} dW`, got.dW, want.dW, bound(abs.dW, n.M + 2));
  expectWithinBound(`${label} dBias`, got.dBias, want.dBias, bound(abs.dBias, n.M + 2));
}

// 1-D shapes are height 1, kernel height 1.
const conv1d = (name: string, N: number, T: number, Cin: number, Cout: number, K: number, padding: ConvPadding,
  { stride = 1, dilation = 1, groups = 1, bias = true } = {}): Shape => ({
  name: `1-D ${name}: N=${N} T=${T} ${Cin}→${Cout} K=${K} s=${stride} d=${dilation} g=${groups} ${padding}${bias ? '' : ' no bias'}`,
  batch: N, height: 1, width: T, inChannels: Cin, outChannels: Cout, kernel: [1, K], stride: [1, stride], dilation: [1, dilation],
  padding, groups, bias,
});

const SHAPES: Shape[] = [
  conv1d('dilated causal', 3, 17, 5, 7, 3, 'causal', { dilation: 4 }),
  conv1d('K > T causal', 2, 2, 3, 2, 5, 'causal'),
  conv1d('dilated K > T causal', 1, 3, 1, 1, 3, 'causal', { dilation: 2 }),
  conv1d('stride > kernel', 2, 17, 9, 3, 2, 'valid', { stride: 3 }),
  conv1d('dilation with stride', 3, 9, 2, 5, 3, 'same', { stride: 2, dilation: 2 }),
  conv1d('grouped', 2, 7, 9, 6, 3, 'same', { groups: 3 }),
  conv1d('depthwise ×2', 2, 9, 5, 10, 3, 'causal', { groups: 5 }),
  conv1d('no bias', 1, 5, 4, 8, 1, 'valid', { bias: false }),
  // Kg = 297 > 256 (two KC slices of the GEMM), M = 140 > 64 (three MC blocks), Cout = 17 (a ragged NR panel).
  conv1d('several GEMM blocks', 2, 70, 33, 17, 9, 'same'),
  { name: '2-D same 3×3', batch: 2, height: 7, width: 9, inChannels: 3, outChannels: 5, kernel: [3, 3], padding: 'same' },
  { name: '2-D valid, strides (2, 3), dilations (2, 1)', batch: 1, height: 9, width: 17, inChannels: 2, outChannels: 17,
    kernel: [3, 2], stride: [2, 3], dilation: [2, 1], padding: 'valid' },
  { name: '2-D depthwise 3×3 stride 2', batch: 3, height: 5, width: 7, inChannels: 7, outChannels: 7, kernel: [3, 3],
    stride: [2, 2], padding: 'same', groups: 7 },
  { name: '2-D grouped 1×5', batch: 2, height: 3, width: 9, inChannels: 4, outChannels: 6, kernel: [1, 5], padding: 'valid', groups: 2 },
  { name: '2-D kernel 2×2 stride 2 no bias', batch: 1, height: 8, width: 5, inChannels: 1, outChannels: 3, kernel: [2, 2],
    stride: [2, 2], padding: 'same', bias: false },
];

// ---- 1. the worked example ----

const IMAGE = [
  [0, 2, 3, 3, 5, 6, 1, 2, 3],
  [0, 1, 4, 3, 5, 1, 1, 0, 5],
  [3, 2, 0, 1, 4, 5, 2, 1, 6],
  [4, 1, 1, 2, 0, 1, 3, 0, 3],
  [0, 1, 3, 2, 1, 1, 1, 2, 2],
  [1, 0, 2, 0, 2, 2, 0, 2, 0],
  [1, 2, 0, 5, 0, 2, 1, 4, 0],
  [0, 3, 2, 4, 1, 0, 4, 3, 0],
  [1, 1, 1, 2, 3, 0, 3, 0, 0],
];
const EDGE_KERNEL = [[1, 2, 1], [0, 0, 0], [-1, -2, -1]];

describe('the worked example: a 9×9 image ⋆ [[1,2,1],[0,0,0],[−1,−2,−1]], valid, stride 1', () => {
  const g = geometryOf({ name: 'example', batch: 1, height: 9, width: 9, inChannels: 1, outChannels: 1, kernel: [3, 3], padding: 'valid' });
  const x = Float32Array.from(IMAGE.flat());
  const w = Float32Array.from(EDGE_KERNEL.flat()); // [KH, KW, 1, 1]

  it('the reference gives the 7×7 map that starts 0, 8, 8 and ends with 6', () => {
    expect([g.outHeight, g.outWidth]).toEqual([7, 7]);
    const y = new Float64Array(49);
    conv2dForwardReference(g, x, w, null, y);
    expect(Array.from(y.slice(0, 3))).toEqual([0, 8, 8]);
    expect(y[48]).toBe(6);
  });

  it.each(BUILDS)('the $name build gives the same map exactly', async ({ simd }) => {
    const backend = await backendFor(simd);
    const want = new Float64Array(49);
    conv2dForwardReference(g, x, w, null, want);
    const zeros = (n: number) => new Float32Array(n);
    const got = runConv(backend, g, { x, w, bias: null, dY: zeros(49), dX0: zeros(81), dW0: zeros(9), dBias0: zeros(1) });
    expect(Array.from(got.y.slice(0, 3))).toEqual([0, 8, 8]);
    expect(got.y[48]).toBe(6);
    expect(Array.from(got.y)).toEqual(Array.from(want));
  });
});

// ---- 2. the reference's backward against central differences ----

describe('f64 reference backward against central differences of L = Σ y⊙R', () => {
  const small = SHAPES.filter((s) => sizes(geometryOf(s)).x <= 400);
  it.each(small)('$name', (shape) => {
    const g = geometryOf(shape);
    const n = sizes(g);
    const next = makeRandom(77 + n.x);
    const x = randomF64(n.x, next), w = randomF64(n.w, next), bias = randomF64(g.outChannels, next), R = randomF64(n.y, next);
    const dX = new Float64Array(n.x), dW = new Float64Array(n.w), dBias = new Float64Array(g.outChannels);
    conv2dBackwardReference(g, x, w, R, dX, dW, dBias);
    const loss = () => {
      const y = new Float64Array(n.y);
      conv2dForwardReference(g, x, w, bias, y);
      return y.reduce((s, v, i) => s + v * R[i], 0);
    };
    // L is linear in each argument: central differences are exact up to f64 rounding of L (≈ 1e-16·|terms|/ε).
    checkGradients(shape.name, { x, w, bias }, { x: dX, w: dW, bias: dBias }, loss, { epsilon: 1e-3, tolerance: 1e-9 });
  });
});

// ---- 3, 4. WASM against the reference; SIMD = scalar ----

describe.each(BUILDS)('convolution kernels on the $name build vs the f64 reference', ({ simd }) => {
  it.each(SHAPES)('$name: forward, and backward accumulating onto non-zero dX, dW, dBias', async (shape) => {
    const backend = await backendFor(simd);
    const g = geometryOf(shape);
    const inputs = randomInputs(g, 11 + sizes(g).x, shape.bias ?? true);
    expectMatchesReference(shape.name, g, inputs, runConv(backend, g, inputs));
  });
});

describe('the SIMD and the scalar build give the same bits', () => {
  it.each(SHAPES)('$name (and unaligned buffers the same bits as aligned ones)', async (shape) => {
    const g = geometryOf(shape);
    const inputs = randomInputs(g, 5 + sizes(g).w, shape.bias ?? true);
    const a = runConv(await backendFor(true), g, inputs);
    const b = runConv(await backendFor(false), g, inputs);
    const c = runConv(await backendFor(true), g, inputs, 1);
    for (const key of ['y', 'dX', 'dW', 'dBias'] as const) {
      expectSameBits(`${shape.name} ${key}, simd vs scalar`, a[key], b[key]);
      expectSameBits(`${shape.name} ${key}, aligned vs unaligned`, a[key], c[key]);
    }
  });
});

// ---- 5. geometry ----

describe('padding formulas and geometry checks', () => {
  it('convAxis gives Keras output lengths and padding before', () => {
    expect(convAxis('valid', 9, 3, 1, 1)).toEqual({ out: 7, padBefore: 0 });
    expect(convAxis('valid', 17, 2, 3, 1)).toEqual({ out: 6, padBefore: 0 });
    expect(convAxis('valid', 2, 5, 1, 1)).toEqual({ out: 0, padBefore: 0 });
    expect(convAxis('same', 9, 3, 2, 2)).toEqual({ out: 5, padBefore: 2 });
    expect(convAxis('same', 8, 2, 2, 1)).toEqual({ out: 4, padBefore: 0 });
    expect(convAxis('same', 7, 4, 1, 1)).toEqual({ out: 7, padBefore: 1 }); // total 3: 1 before, 2 after (TF)
    expect(convAxis('causal', 2, 5, 1, 1)).toEqual({ out: 2, padBefore: 4 });
    expect(convAxis('causal', 17, 3, 1, 4)).toEqual({ out: 17, padBefore: 8 });
  });

  it('every shape above passes; bad ones throw naming the size and both numbers', () => {
    for (const s of SHAPES) checkConv2dGeometry('conv', geometryOf(s));
    const good = geometryOf(SHAPES[0]);
    expect(thrown(() => checkConv2dGeometry('conv', { ...good, groups: 2 }))).toEqual({
      type: 'RangeError', message: 'conv: inChannels 5 is not divisible by groups 2',
    });
    expect(thrown(() => checkConv2dGeometry('conv', { ...good, inChannels: 6, groups: 2 }))).toEqual({
      type: 'RangeError', message: 'conv: outChannels 7 is not divisible by groups 2',
    });
    expect(thrown(() => checkConv2dGeometry('conv', { ...good, padLeft: 9 }))).toEqual({
      type: 'RangeError', message: 'conv: padLeft 9 > effective kernel width − 1 = 8',
    });
    expect(thrown(() => checkConv2dGeometry('conv', { ...good, outWidth: 27 }))).toEqual({
      type: 'RangeError',
      message: 'conv: outWidth 27 does not fit width 17 with padLeft 8, kernel 3, stride 1, dilation 4 (implied padding after 10, expected in [0, 8])',
    });
    expect(thrown(() => checkConv2dGeometry('conv', { ...good, outWidth: 0 }))).toEqual({
      type: 'RangeError', message: 'conv: outWidth must be a positive integer, got 0',
    });
    expect(thrown(() => checkConv2dGeometry('conv', { ...good, padTop: -1 }))).toEqual({
      type: 'RangeError', message: 'conv: padTop must be an integer ≥ 0, got -1',
    });
    // 'valid' with a too-short output: the implied padding after is ≤ −stride.
    const valid = geometryOf(conv1d('v', 1, 17, 1, 1, 2, 'valid', { stride: 3 }));
    expect(thrown(() => checkConv2dGeometry('conv', { ...valid, outWidth: 5 })).message).toContain('implied padding after -3, expected in [-2, 1]');
  });
});

// ---- 6. TensorFlow.js ----
// Tolerance: expectCloseToScale, |ours − tfjs| ≤ 2e-5·max|tfjs| (+1e-7). Both sides read the
// same f32 inputs; TF.js's cpu conv accumulates in its own order (and rounds to f32 per op),
// ours in the GEMM's, so they differ by a few f32 ulps of sums of ≤ 27·N·OH·OW terms whose
// magnitude is bounded by the array's largest element times a small factor. A layout or
// padding mistake is off by O(0.1).

describe('parity with TensorFlow.js (cpu backend): outputs and the input and kernel gradients of Σ y⊙R', () => {
  let tensorsBefore = 0;
  beforeAll(async () => {
    await tf.setBackend('cpu');
    tensorsBefore = tf.memory().numTensors;
  });
  afterAll(() => {
    expect(tf.memory().numTensors).toBe(tensorsBefore);
  });

  /** Runs ours (SIMD build) and TF.js's `op` with the same numbers; bias is added to TF.js's output. */
  async function compare(
    shape: Shape, seed: number, gradients: boolean,
    op: (x: tf.Tensor, w: tf.Tensor) => tf.Tensor, xShape: number[], wShape: number[],
    tfInput: (x: Float32Array) => { values: Float32Array; shape: number[]; crop: (dx: Float32Array) => Float32Array } = (x) => ({ values: x, shape: xShape, crop: (d) => d }),
  ): Promise<void> {
    const g = geometryOf(shape);
    const n = sizes(g);
    const inputs = randomInputs(g, seed, true);
    const zero = { dX0: new Float32Array(n.x), dW0: new Float32Array(n.w), dBias0: new Float32Array(g.outChannels) };
    const ours = runConv(await backendFor(true), g, { ...inputs, ...zero });
    const staged = tfInput(inputs.x);
    const xT = tf.tensor(staged.values, staged.shape);
    const wT = tf.tensor(inputs.w, wShape);
    const bT = tf.tensor1d(inputs.bias!);
    const R = tf.tensor(inputs.dY, [g.batch, ...(shape.height === 1 && xShape.length === 3 ? [] : [g.outHeight]), g.outWidth, g.outChannels]);
    const y = tf.tidy(() => tf.add(op(xT, wT), bT));
    const yData = y.dataSync() as Float32Array;
    let dxData: Float32Array | null = null, dwData: Float32Array | null = null;
    if (gradients) {
      const grads = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(op(a, b), R)));
      const [dx, dw] = grads([xT, wT]);
      [dxData, dwData] = [dx.dataSync() as Float32Array, dw.dataSync() as Float32Array];
      tf.dispose([dx, dw]);
    }
    tf.dispose([xT, wT, bT, R, y]);
    expectCloseToScale(`${shape.name} y`, ours.y, yData);
    if (dxData && dwData) {
      expectCloseToScale(`${shape.name} dX`, ours.dX, staged.crop(dxData));
      expectCloseToScale(`${shape.name} dW`, ours.dW, dwData);
    }
  }

  it('conv1d, same, 5→4 channels, K = 3', async () => {
    const s = conv1d('tf same', 2, 9, 5, 4, 3, 'same');
    await compare(s, 301, true, (x, w) => tf.conv1d(x as tf.Tensor3D, w as tf.Tensor3D, 1, 'same'), [2, 9, 5], [3, 5, 4]);
  });

  it('conv1d, valid, stride 2', async () => {
    const s = conv1d('tf valid stride 2', 3, 17, 3, 7, 4, 'valid', { stride: 2 });
    await compare(s, 302, true, (x, w) => tf.conv1d(x as tf.Tensor3D, w as tf.Tensor3D, 2, 'valid'), [3, 17, 3], [4, 3, 7]);
  });

  /** TF.js has no causal padding in conv1d: its input is padded on the left by hand, and dX cropped back. */
  const causalInput = (N: number, T: number, C: number, pad: number) => (x: Float32Array) => {
    const padded = new Float32Array(N * (T + pad) * C);
    for (let n = 0; n < N; n++) padded.set(x.subarray(n * T * C, (n + 1) * T * C), (n * (T + pad) + pad) * C);
    const crop = (d: Float32Array) => {
      const out = new Float32Array(N * T * C);
      for (let n = 0; n < N; n++) out.set(d.subarray((n * (T + pad) + pad) * C, (n + 1) * (T + pad) * C), n * T * C);
      return out;
    };
    return { values: padded, shape: [N, T + pad, C], crop };
  };

  it('conv1d, causal with K = 4 > T = 3 (input padded by hand)', async () => {
    const s = conv1d('tf causal K > T', 2, 3, 3, 5, 4, 'causal');
    await compare(s, 303, true, (x, w) => tf.conv1d(x as tf.Tensor3D, w as tf.Tensor3D, 1, 'valid'), [2, 3, 3], [4, 3, 5], causalInput(2, 3, 3, 3));
  });

  it('conv1d, causal with dilation 2: outputs only (TF.js 4 has no conv gradient for dilation > 1)', async () => {
    const s = conv1d('tf causal dilated', 2, 7, 3, 5, 3, 'causal', { dilation: 2 });
    await compare(s, 307, false, (x, w) => tf.conv1d(x as tf.Tensor3D, w as tf.Tensor3D, 1, 'valid', 'NWC', 2), [2, 7, 3], [3, 3, 5], causalInput(2, 7, 3, 4));
  });

  it('conv2d, same, 3×3, stride 2', async () => {
    const s: Shape = { name: 'tf conv2d', batch: 2, height: 7, width: 6, inChannels: 3, outChannels: 5, kernel: [3, 3], stride: [2, 2], padding: 'same' };
    await compare(s, 304, true, (x, w) => tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, 2, 'same'), [2, 7, 6, 3], [3, 3, 3, 5]);
  });

  it('conv2d, valid, dilation 2 × 1: outputs only (TF.js 4 has no conv2d gradient for dilation > 1)', async () => {
    const s: Shape = { name: 'tf conv2d dilated', batch: 1, height: 9, width: 5, inChannels: 2, outChannels: 3, kernel: [2, 3], dilation: [2, 1], padding: 'valid' };
    await compare(s, 305, false, (x, w) => tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, 1, 'valid', 'NHWC', [2, 1]), [1, 9, 5, 2], [2, 3, 2, 3]);
  });

  it('depthwise (groups = Cin, multiplier 2) = tf.depthwiseConv2d: the same weights in memory', async () => {
    const s: Shape = { name: 'tf depthwise', batch: 2, height: 5, width: 6, inChannels: 3, outChannels: 6, kernel: [3, 3], padding: 'same', groups: 3 };
    // Ours [KH, KW, 1, Cin·mult] with co = c·mult + m is TF.js's [KH, KW, Cin, mult].
    await compare(s, 306, true, (x, w) => tf.depthwiseConv2d(x as tf.Tensor4D, w as tf.Tensor4D, 1, 'same'), [2, 5, 6, 3], [3, 3, 3, 2]);
  });
});
