// Threads (issue #16) for the products that are not recurrent: a large GEMM, a convolution or a
// Dense layer is cut by its outputs (src/kernels/split.ts). First the claim it rests on, on both
// builds without threads (the parts then run one after the other): a GEMM cut into blocks of C's
// rows or columns, and a convolution cut along output lines / dW blocks / input channels, give the
// bits of the single call. Then layers and a fit on backends with 1, 2 and 3 threads.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { Backend } from '../src/engine/backend.js';
import { GEMM_OP } from '../src/kernels/codes.js';
import { conv2dBackwardF32, conv2dForwardF32, convAxis, type Conv2dGeometry } from '../src/kernels/conv.js';
import { gemmF32 } from '../src/kernels/gemm.js';
import { sumRowsIntoF32 } from '../src/kernels/dense.js';
import { blocks, columnSumParts, conv2dBackward, conv2dForward, conv2dWorkspaceFloats, gemmParts, runParts, type GemmCall } from '../src/kernels/split.js';
import { Conv1D } from '../src/layers/conv1d.js';
import { Conv2D } from '../src/layers/conv2d.js';
import { Dense } from '../src/layers/dense.js';
import { TCN } from '../src/layers/tcn.js';
import { TDNN } from '../src/layers/tdnn.js';
import { Autoencoder } from '../src/models/autoencoder.js';
import type { AnyLayer } from '../src/models/saving.js';
import { Sequential } from '../src/models/sequential.js';
import { expectSameBits } from './helpers/compare.js';
import { randomFloat32 } from './helpers/random.js';

let builds: Array<{ name: string; backend: Backend }> = [];

beforeAll(async () => {
  builds = [
    { name: 'simd', backend: await Backend.create({ simd: true }) },
    { name: 'scalar', backend: await Backend.create({ simd: false }) },
  ];
});

afterAll(() => {
  for (const { backend } of builds) backend.dispose();
});

describe('blocks', () => {
  it('cut [0, extent) into near-equal aligned blocks, in order, none empty', () => {
    expect(blocks(10, 3)).toEqual([{ start: 0, size: 3 }, { start: 3, size: 4 }, { start: 7, size: 3 }]);
    expect(blocks(45, 2, 8)).toEqual([{ start: 0, size: 24 }, { start: 24, size: 21 }]);
    expect(blocks(5, 3, 4)).toEqual([{ start: 0, size: 4 }, { start: 4, size: 1 }]);
    expect(blocks(1, 4)).toEqual([{ start: 0, size: 1 }]);
  });
});

/** Copies `data` into a fresh block of `backend`; returns its pointer. */
function put(backend: Backend, data: Float32Array): number {
  return backend.fromArray(data).ptr;
}

function read(backend: Backend, ptr: number, n: number): Float32Array {
  return backend.heapF32().slice(ptr >>> 2, (ptr >>> 2) + n);
}

describe('a GEMM cut into blocks of C', () => {
  // Sizes not multiples of 4 or 8, k across two KC = 256 slices, M = 1 (the row kernel), M ≤ 16
  // (B read in place), n across NC = 1024 and NC_WIDE = 192 (A packed broadcast).
  const SHAPES = [[37, 45, 300], [13, 29, 7], [1, 19, 260], [70, 1030, 9], [21, 200, 33]] as const;
  it.each(['simd', 'scalar'])('gives the bits of one call for 2 and 3 blocks of rows or columns, every transpose, beta 0 and 1 (%s)', (build) => {
    const backend = builds.find((b) => b.name === build)!.backend;
    let checked = 0;
    for (const [m, n, k] of SHAPES) {
      for (const transA of [GEMM_OP.noTrans, GEMM_OP.trans]) {
        for (const transB of [GEMM_OP.noTrans, GEMM_OP.trans]) {
          for (const [alpha, beta] of [[1, 0], [1, 1], [0.5, 1]] as const) {
            const lda = (transA ? m : k) + 3;
            const ldb = (transB ? k : n) + 1;
            const ldc = n + 2;
            const a = put(backend, randomFloat32((transA ? k : m) * lda, 1));
            const b = put(backend, randomFloat32((transB ? n : k) * ldb, 2));
            const c0 = randomFloat32(m * ldc, 3);
            const whole = put(backend, c0);
            gemmF32(backend, { c: whole, a, b, work: backend.gemmWork() }, m, n, k, lda, ldb, ldc, transA, transB, alpha, beta);
            const want = read(backend, whole, m * ldc);
            for (const by of ['rows', 'columns'] as const) {
              for (const parts of [2, 3]) {
                const c = put(backend, c0);
                const call: GemmCall = { c, a, b, m, n, k, lda, ldb, ldc, transA, transB, alpha, beta };
                runParts(backend, [gemmParts(call, parts, by)]);
                expectSameBits(`${m}×${n}×${k} transA ${transA} transB ${transB} alpha ${alpha} beta ${beta} by ${parts} ${by}`, read(backend, c, m * ldc), want);
                checked++;
              }
            }
          }
        }
      }
    }
    expect(checked).toBe(SHAPES.length * 4 * 3 * 4);
  });

  it('column sums cut into blocks of columns give the bits of one call', () => {
    for (const { backend } of builds) {
      const src = put(backend, randomFloat32(301 * 23, 4));
      const start = randomFloat32(23, 5);
      const whole = put(backend, start);
      sumRowsIntoF32(backend, { dst: whole, src }, 301, 23);
      const split = put(backend, start);
      runParts(backend, [columnSumParts({ dst: split, src }, 301, 23, 3)]);
      expectSameBits('column sums', read(backend, split, 23), read(backend, whole, 23));
    }
  });
});

/** A time-major Conv1D's geometry (one image T × B, kernel K × 1 along time), as the layer builds it. */
function conv1d(T: number, B: number, C: number, F: number, K: number, options: { d?: number; s?: number; groups?: number; padding?: 'causal' | 'same' | 'valid' } = {}): Conv2dGeometry {
  const { d = 1, s = 1, groups = 1, padding = 'causal' } = options;
  const { out, padBefore } = convAxis(padding, T, K, s, d);
  return {
    batch: 1, height: T, width: B, inChannels: C, outHeight: out, outWidth: B, outChannels: F, kernelHeight: K, kernelWidth: 1,
    strideH: s, strideW: 1, dilationH: d, dilationW: 1, padTop: padBefore, padLeft: 0, groups,
  };
}

function conv2d(N: number, H: number, W: number, C: number, F: number, K: number, s: number, padding: 'valid' | 'same', groups = 1): Conv2dGeometry {
  const r = convAxis(padding, H, K, s, 1);
  const c = convAxis(padding, W, K, s, 1);
  return {
    batch: N, height: H, width: W, inChannels: C, outHeight: r.out, outWidth: c.out, outChannels: F, kernelHeight: K, kernelWidth: K,
    strideH: s, strideW: s, dilationH: 1, dilationW: 1, padTop: r.padBefore, padLeft: c.padBefore, groups,
  };
}

const CONVS: Array<{ name: string; g: Conv2dGeometry }> = [
  { name: 'Conv1D causal dilated', g: conv1d(23, 5, 6, 10, 3, { d: 2 }) },
  { name: 'Conv1D same strided', g: conv1d(22, 3, 5, 9, 4, { s: 3, padding: 'same' }) },
  { name: 'Conv1D valid, 2 groups', g: conv1d(19, 4, 6, 12, 3, { groups: 2, padding: 'valid' }) },
  { name: 'Conv1D depthwise (6 groups)', g: conv1d(17, 3, 6, 6, 5, { groups: 6, d: 3 }) },
  { name: 'Conv2D 3 images same strided', g: conv2d(3, 9, 7, 4, 11, 3, 2, 'same') },
  { name: 'Conv2D 2 images valid, 2 groups', g: conv2d(2, 8, 6, 4, 6, 3, 1, 'valid', 2) },
];

describe.each(CONVS)('$name cut over output lines, dW blocks and input channels', ({ g }) => {
  it.each(['simd', 'scalar'])('gives the bits of one call, forward and backward, 2 and 3 parts (%s)', (build) => {
    const backend = builds.find((b) => b.name === build)!.backend;
    const M = g.batch * g.outHeight * g.outWidth;
    const nx = g.batch * g.height * g.width * g.inChannels;
    const nw = g.kernelHeight * g.kernelWidth * (g.inChannels / g.groups) * g.outChannels;
    const x = put(backend, randomFloat32(nx, 1));
    const w = put(backend, randomFloat32(nw, 2, -0.3, 0.3));
    const bias = put(backend, randomFloat32(g.outChannels, 3));
    const dY = put(backend, randomFloat32(M * g.outChannels, 4));
    const [dX0, dW0, dB0] = [randomFloat32(nx, 5), randomFloat32(nw, 6), randomFloat32(g.outChannels, 7)];
    const run = (parts: number): Float32Array[] => {
      const cols = backend.allocF32(conv2dWorkspaceFloats(backend, g, parts)).ptr;
      const y = backend.allocF32(M * g.outChannels).ptr;
      const [dX, dW, dBias] = [put(backend, dX0), put(backend, dW0), put(backend, dB0)];
      const work = backend.gemmWork();
      if (parts === 0) {
        conv2dForwardF32(backend, { y, cols, x, w, bias, work }, g);
        conv2dBackwardF32(backend, { dX, dW, dBias, cols, dY, x, w, work }, g);
      } else {
        conv2dForward(backend, { y, cols, x, w, bias, work }, g, parts);
        conv2dBackward(backend, { dX, dW, dBias, cols, dY, x, w, work }, g, parts);
      }
      return [read(backend, y, M * g.outChannels), read(backend, dX, nx), read(backend, dW, nw), read(backend, dBias, g.outChannels)];
    };
    const want = run(0);
    for (const parts of [1, 2, 3]) {
      run(parts).forEach((got, i) => expectSameBits(`${parts} parts: ${['y', 'dX', 'dW', 'dBias'][i]}`, got, want[i]));
    }
    // Only dX, only dW: the pieces skip what they are not asked for.
    const cols = backend.allocF32(conv2dWorkspaceFloats(backend, g, 2)).ptr;
    const dX = put(backend, dX0);
    conv2dBackward(backend, { dX, dW: 0, dBias: 0, cols, dY, x, w, work: backend.gemmWork() }, g, 2);
    expectSameBits('dX alone', read(backend, dX, nx), want[1]);
    const dW = put(backend, dW0);
    conv2dBackward(backend, { dX: 0, dW, dBias: 0, cols, dY, x, w, work: backend.gemmWork() }, g, 3);
    expectSameBits('dW alone', read(backend, dW, nw), want[2]);
  });
});

// ---- layers on backends with 1, 2 and 3 threads ----

const COUNTS = [1, 2, 3] as const;

describe('layers on 1, 2 and 3 threads', () => {
  let threaded: Backend[] = [];
  beforeAll(async () => {
    threaded = await Promise.all(COUNTS.map((threads) => Backend.create({ threads })));
  });
  afterAll(() => {
    for (const backend of threaded) backend.dispose();
  });

  // In every case the convolutions' and Dense's forward products are at least 8 MFLOP (above
  // MIN_SPLIT_FLOPS = 4 MFLOP for a forward and twice it for a convolution's backward), except the
  // second Conv2D (one call), TCN's residual 1×1 (one call) and its first convolution (6 MFLOP: a
  // split forward, one backward call). `splits`: the rounds of parts this takes on 2 and 3 threads
  // (a split forward is one, a convolution's backward two, a Dense's backward one).
  const N = 16;
  const CASES: Array<{ name: string; input: number[]; splits: number; layers: (backend: Backend) => AnyLayer[] }> = [
    { name: 'Conv1D causal dilated relu', input: [128, 24], splits: 3, layers: (backend) => [new Conv1D({ filters: 32, kernelSize: 3, dilation: 2, activation: 'relu', backend })] },
    { name: "Conv1D 'same' strided tanh", input: [128, 24], splits: 3, layers: (backend) => [new Conv1D({ filters: 40, kernelSize: 5, strides: 2, padding: 'same', activation: 'tanh', backend })] },
    { name: "Conv1D 'valid' 2 groups sigmoid", input: [128, 32], splits: 3, layers: (backend) => [new Conv1D({ filters: 48, kernelSize: 3, groups: 2, padding: 'valid', activation: 'sigmoid', backend })] },
    { name: 'Conv1D 4 groups, no bias', input: [192, 32], splits: 3, layers: (backend) => [new Conv1D({ filters: 64, kernelSize: 3, groups: 4, useBias: false, backend })] },
    { name: "Conv2D 'same' relu → strided 'valid'", input: [16, 16, 8], splits: 3, layers: (backend) => [
      new Conv2D({ filters: 16, kernelSize: 3, padding: 'same', activation: 'relu', backend }), new Conv2D({ filters: 8, kernelSize: 3, strides: 2, backend }),
    ] },
    { name: 'Dense tanh → Dense', input: [64, 64], splits: 4, layers: (backend) => [new Dense({ units: 72, activation: 'tanh', backend }), new Dense({ units: 40, backend })] },
    { name: 'TCN (weight norm, 2 blocks)', input: [128, 16], splits: 10, layers: (backend) => [new TCN({ filters: 32, dilations: [1, 2], normalization: 'weight', backend })] },
    { name: 'TDNN [−2, 0, 2]', input: [128, 24], splits: 3, layers: (backend) => [new TDNN({ units: 32, context: [-2, 0, 2], activation: 'relu', backend })] },
  ];

  it.each(CASES)('$name: forward and backward give the same bits', ({ input, splits, layers }) => {
    const x = { data: randomFloat32(N * input.reduce((a, b) => a * b, 1), 1), shape: [N, ...input] };
    const results = threaded.map((backend) => {
      const model = input.length === 3
        ? new Sequential({ inputShape: [input[0], input[1], input[2]], seed: 7, layers: layers(backend) })
        : new Sequential({ inputSize: input[1], seed: 7, layers: layers(backend) });
      const runShards = vi.spyOn(backend, 'runShards');
      try {
        const forward = model.forward(x);
        const dOutput = { data: randomFloat32(forward.output.data.length, 2), shape: forward.output.shape };
        const backward = model.backward(forward.cache, { dOutput });
        return { splits: runShards.mock.calls.length, output: forward.output.data, dInput: backward.dInput!.data, gradients: backward.gradients.flat };
      } finally {
        runShards.mockRestore();
        model.dispose();
      }
    });
    expect(results.map((r) => r.splits)).toEqual([0, splits, splits]);
    for (let k = 1; k < results.length; k++) {
      for (const name of ['output', 'dInput', 'gradients'] as const) expectSameBits(`${COUNTS[k]} threads: ${name}`, results[k][name], results[0][name]);
    }
  });

  it('a tied autoencoder (Dense and TiedDense) computes the same loss and gradients', () => {
    const x = { data: randomFloat32(512 * 96, 3, 0, 1), shape: [512, 96] };
    const results = threaded.map((backend) => {
      const ae = new Autoencoder({ inputSize: 96, encoder: [64], tied: true, seed: 5, backend });
      ae.compile({ loss: 'mse' });
      const runShards = vi.spyOn(backend, 'runShards');
      try {
        return { ...ae.computeGradients(x), splits: runShards.mock.calls.length };
      } finally {
        runShards.mockRestore();
        ae.dispose();
      }
    });
    expect(results.map((r) => r.splits)).toEqual([0, 4, 4]); // each layer's forward and backward
    for (let k = 1; k < results.length; k++) {
      expect(results[k].loss).toBe(results[0].loss);
      expectSameBits(`${COUNTS[k]} threads: gradients`, results[k].gradients, results[0].gradients);
    }
  });

  it('a fit of Conv1D → Dense → Dense gives the same losses and parameters (Adam, 3 epochs, batches of 32)', async () => {
    const [M, T, C] = [64, 128, 16];
    const xs = { data: randomFloat32(M * T * C, 4), shape: [M, T, C] };
    const ys = { data: randomFloat32(M * T * 2, 5), shape: [M, T, 2] };
    const results = [];
    for (const backend of threaded) {
      const model = new Sequential({
        inputSize: C, seed: 9,
        layers: [new Conv1D({ filters: 32, kernelSize: 3, dilation: 2, activation: 'relu', backend }), new Dense({ units: 64, activation: 'tanh', backend }), new Dense({ units: 2, backend })],
      });
      model.compile({ loss: 'mse', optimizer: 'adam' });
      const history = await model.fit(xs, ys, { epochs: 3, batchSize: 32 });
      results.push({ loss: Float32Array.from(history.loss), parameters: model.getParameters() });
      model.dispose();
    }
    for (let k = 1; k < results.length; k++) {
      expectSameBits(`${COUNTS[k]} threads: loss`, results[k].loss, results[0].loss);
      expectSameBits(`${COUNTS[k]} threads: parameters`, results[k].parameters, results[0].parameters);
    }
  });
});
