// The pooling layers in a Sequential: MaxPooling1D/2D, AveragePooling1D/2D,
// GlobalAveragePooling2D, GlobalMaxPooling2D. TF.js parity on identical weights (predictions and
// the weights after one SGD step), which cell gets the gradient on ties, gradients through a whole
// model against central differences, save/load, and clear errors.
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { init } from '../src/engine/init.js';
import { Conv1D } from '../src/layers/conv1d.js';
import { Conv2D } from '../src/layers/conv2d.js';
import { Dense } from '../src/layers/dense.js';
import { Flatten } from '../src/layers/flatten.js';
import { LSTM } from '../src/layers/lstm.js';
import { GlobalAveragePooling1D, GlobalAveragePooling2D, GlobalMaxPooling2D } from '../src/layers/global-pooling.js';
import { AveragePooling1D, AveragePooling2D, MaxPooling1D, MaxPooling2D } from '../src/layers/pooling.js';
import { Sequential, type SequentialLayer } from '../src/models/sequential.js';
import { expectSameBits, thrown } from './helpers/compare.js';
import { compareWithTfjs, gradientError, worstVsTfjs } from './helpers/model-checks.js';
import { randomFloat32 } from './helpers/random.js';

beforeAll(async () => {
  await init();
  await tf.setBackend('cpu');
});

const t = (data: Float32Array, shape: number[]) => ({ data, shape });

afterAll(() => console.log(`pooling vs TF.js, worst |ours − theirs| / scale: predictions ${worstVsTfjs.predictions.toExponential(2)}, weights after one SGD step ${worstVsTfjs.weights.toExponential(2)}`));

describe('pooling against TensorFlow.js (after a convolution, on identical weights)', () => {
  // ≤ 2e-5 of each array's scale (f32 on both sides). Average pooling with 'same' padding and
  // clipped windows compares predictions only: TF.js's forward divides by the real cells, as ours,
  // but its gradient by the whole window (pinned in pool-kernels.test.ts), so it is not the
  // gradient of its own forward; ours is (central differences below).
  const [N, H, W, C, F] = [3, 7, 6, 2, 3];
  const images = [
    { name: 'MaxPooling2D (2×2, valid)', ours: () => new MaxPooling2D(), theirs: () => tf.layers.maxPooling2d({ poolSize: 2 }), out: [3, 3], train: true },
    { name: "MaxPooling2D ([3, 2], strides [2, 1], 'same')", ours: () => new MaxPooling2D({ poolSize: [3, 2], strides: [2, 1], padding: 'same' }), theirs: () => tf.layers.maxPooling2d({ poolSize: [3, 2], strides: [2, 1], padding: 'same' }), out: [4, 6], train: true },
    { name: 'AveragePooling2D (2×2, valid)', ours: () => new AveragePooling2D(), theirs: () => tf.layers.averagePooling2d({ poolSize: 2 }), out: [3, 3], train: true },
    { name: 'AveragePooling2D (3×3, strides [1, 2], valid)', ours: () => new AveragePooling2D({ poolSize: 3, strides: [1, 2] }), theirs: () => tf.layers.averagePooling2d({ poolSize: 3, strides: [1, 2] }), out: [5, 2], train: true },
    { name: "AveragePooling2D (3×3, strides 2, 'same': clipped windows)", ours: () => new AveragePooling2D({ poolSize: 3, strides: 2, padding: 'same' }), theirs: () => tf.layers.averagePooling2d({ poolSize: 3, strides: 2, padding: 'same' }), out: [4, 3], train: false },
  ];
  for (const c of images) {
    it(`${c.name}: ${c.out.join('×')} out; predictions${c.train ? ' and one SGD step' : ''}`, async () => {
      const ours = new Sequential({ inputShape: [H, W, C], seed: 3, layers: [new Conv2D({ filters: F, kernelSize: 3, padding: 'same', activation: 'tanh' }), c.ours(), new Flatten(), new Dense({ units: 2 })] });
      expect(ours.layers[1].kind).toBe(c.name.split(' ')[0]);
      const theirs = tf.sequential({
        layers: [tf.layers.conv2d({ filters: F, kernelSize: 3, padding: 'same', activation: 'tanh', inputShape: [H, W, C] }), c.theirs(), tf.layers.flatten(), tf.layers.dense({ units: 2 })],
      });
      expect(theirs.layers[1].outputShape).toEqual([null, ...c.out, F]);
      await compareWithTfjs(ours, theirs, randomFloat32(N * H * W * C, 23, -2, 2), [N, H, W, C], [N, 2], c.train);
    });
  }

  for (const c of [
    { name: 'GlobalAveragePooling2D', ours: () => new GlobalAveragePooling2D(), theirs: () => tf.layers.globalAveragePooling2d({}) },
    { name: 'GlobalMaxPooling2D', ours: () => new GlobalMaxPooling2D(), theirs: () => tf.layers.globalMaxPooling2d({}) },
  ]) {
    it(`${c.name}: [B, H, W, C] → [B, C]; predictions and one SGD step`, async () => {
      const ours = new Sequential({ inputShape: [H, W, C], seed: 4, layers: [new Conv2D({ filters: F, kernelSize: 2, activation: 'relu' }), c.ours(), new Dense({ units: 2 })] });
      const theirs = tf.sequential({
        layers: [tf.layers.conv2d({ filters: F, kernelSize: 2, activation: 'relu', inputShape: [H, W, C] }), c.theirs(), tf.layers.dense({ units: 2 })],
      });
      await compareWithTfjs(ours, theirs, randomFloat32(N * H * W * C, 24, -2, 2), [N, H, W, C], [N, 2], true);
    });
  }

  const T = 9;
  const sequences = [
    { name: 'MaxPooling1D (2, valid)', ours: () => new MaxPooling1D(), theirs: () => tf.layers.maxPooling1d({ poolSize: 2 }), out: 4, train: true },
    { name: "MaxPooling1D (3, strides 2, 'same')", ours: () => new MaxPooling1D({ poolSize: 3, strides: 2, padding: 'same' }), theirs: () => tf.layers.maxPooling1d({ poolSize: 3, strides: 2, padding: 'same' }), out: 5, train: true },
    { name: 'AveragePooling1D (3, strides 1, valid)', ours: () => new AveragePooling1D({ poolSize: 3, strides: 1 }), theirs: () => tf.layers.averagePooling1d({ poolSize: 3, strides: 1 }), out: 7, train: true },
    { name: "AveragePooling1D (2, 'same': the last window clipped)", ours: () => new AveragePooling1D({ padding: 'same' }), theirs: () => tf.layers.averagePooling1d({ poolSize: 2, padding: 'same' }), out: 5, train: false },
  ];
  for (const c of sequences) {
    it(`${c.name}: ${T} steps → ${c.out}; predictions${c.train ? ' and one SGD step' : ''}`, async () => {
      const ours = new Sequential({ inputSize: C, seed: 5, layers: [new Conv1D({ filters: F, kernelSize: 3, padding: 'same', activation: 'tanh' }), c.ours(), new Dense({ units: 2 })] });
      const theirs = tf.sequential({
        layers: [tf.layers.conv1d({ filters: F, kernelSize: 3, padding: 'same', activation: 'tanh', inputShape: [T, C] }), c.theirs(), tf.layers.dense({ units: 2 })],
      });
      await compareWithTfjs(ours, theirs, randomFloat32(N * T * C, 25, -2, 2), [N, T, C], [N, c.out, 2], c.train);
    });
  }
});

describe('which cell gets the gradient', () => {
  /** dInput of a one-layer model for dOutput = 1 everywhere. */
  function routed(model: Sequential, x: Float32Array, shape: number[]): Float32Array {
    const { output, cache } = model.forward(t(x, shape));
    return model.backward(cache, { dOutput: t(new Float32Array(output.data.length).fill(1), output.shape) }).dInput!.data;
  }

  it('MaxPooling2D: on ties, the first cell of the window in row-major order; AveragePooling2D: every real cell, 1/count each', () => {
    // Two 2×2 windows of a 2×4 image: all equal (→ top-left), and 1 | 7 / 7 7 (→ the top-right 7).
    const x = Float32Array.from([5, 5, 1, 7, 5, 5, 7, 7]);
    const max = new Sequential({ inputShape: [2, 4, 1], layers: [new MaxPooling2D()] });
    expect(Array.from(max.predict(t(x, [1, 2, 4, 1])).data)).toEqual([5, 7]);
    expect(Array.from(routed(max, x, [1, 2, 4, 1]))).toEqual([1, 0, 0, 1, 0, 0, 0, 0]);
    // 'same' 2×2 windows with strides 2 over 3×3: the right and bottom windows are clipped (2, 2 and 1 real cells).
    const avg = new Sequential({ inputShape: [3, 3, 1], layers: [new AveragePooling2D({ padding: 'same' })] });
    const x3 = Float32Array.from([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(Array.from(avg.predict(t(x3, [1, 3, 3, 1])).data)).toEqual([3, 4.5, 7.5, 9]);
    expect(Array.from(routed(avg, x3, [1, 3, 3, 1]))).toEqual([0.25, 0.25, 0.5, 0.25, 0.25, 0.5, 0.5, 0.5, 1]);
    max.dispose();
    avg.dispose();
  });

  it('MaxPooling1D: on ties, the earliest step of the window; each sequence pooled on its own', () => {
    // Two sequences of 4 steps (x is [N, T, C]): [3, 3, 1, 2] and [0, 5, 5, 5].
    const model = new Sequential({ inputSize: 1, layers: [new MaxPooling1D()] });
    const x = Float32Array.from([3, 3, 1, 2, 0, 5, 5, 5]);
    const y = model.predict(t(x, [2, 4, 1]));
    expect(y.shape).toEqual([2, 2, 1]);
    expect(Array.from(y.data)).toEqual([3, 2, 5, 5]);
    expect(Array.from(routed(model, x, [2, 4, 1]))).toEqual([1, 0, 0, 1, 0, 1, 1, 0]);
    model.dispose();
  });

  it('GlobalMaxPooling2D: the first cell (row-major) that holds the maximum; GlobalAveragePooling2D: 1/(H·W) to every cell', () => {
    const x = Float32Array.from([1, 9, 2, 9, 9, 0]); // [2, 3, 1]: 9 at (0, 1), (1, 0), (1, 1)
    const max = new Sequential({ inputShape: [2, 3, 1], layers: [new GlobalMaxPooling2D()] });
    expect(Array.from(max.predict(t(x, [1, 2, 3, 1])).data)).toEqual([9]);
    expect(Array.from(routed(max, x, [1, 2, 3, 1]))).toEqual([0, 1, 0, 0, 0, 0]);
    const avg = new Sequential({ inputShape: [2, 3, 1], layers: [new GlobalAveragePooling2D()] });
    expect(avg.predict(t(x, [1, 2, 3, 1])).data[0]).toBe(Math.fround(30 / 6));
    expect(Array.from(routed(avg, x, [1, 2, 3, 1]))).toEqual(new Array(6).fill(Math.fround(1 / 6)));
    max.dispose();
    avg.dispose();
  });
});

describe('pooling in a Sequential', () => {
  it("Conv1D → MaxPooling1D → AveragePooling1D ('same', clipped) → LSTM → Dense: every gradient = central differences", () => {
    // f32 model, error ≤ 2e-3 of the largest gradient, as in conv1d.test.ts; steps of 3e-3, small
    // enough that no step swaps the winner of a max-pool window (see conv2d.test.ts).
    const [N, T, C] = [2, 12, 3];
    const model = new Sequential({
      inputSize: C, seed: 6, layers: [
        new Conv1D({ filters: 4, kernelSize: 3, activation: 'tanh' }), // 12 steps
        new MaxPooling1D({ poolSize: 3, strides: 2 }), // 5
        new AveragePooling1D({ poolSize: 3, strides: 2, padding: 'same' }), // 3, the windows at both ends clipped
        new LSTM({ units: 3, returnSequences: true }),
        new Dense({ units: 2 }),
      ],
    });
    model.compile({ loss: 'mse', optimizer: 'sgd' });
    const x = t(randomFloat32(N * T * C, 26), [N, T, C]);
    const y = t(randomFloat32(N * 3 * 2, 27), [N, 3, 2]);
    expect(model.predict(x).shape).toEqual([N, 3, 2]);
    const { error, scale } = gradientError(model, x, y, { seed: 28, step: 3e-3 });
    expect(scale).toBeGreaterThan(1e-3);
    expect(error).toBeLessThan(2e-3);
    model.dispose();
  });

  it('save/load keeps every option and gives the same predictions bit for bit', () => {
    const sequence = new Sequential({
      inputSize: 2, seed: 7, layers: [
        new Conv1D({ filters: 3, kernelSize: 2 }), new MaxPooling1D({ poolSize: 3, strides: 1, padding: 'same' }), new AveragePooling1D({ poolSize: 2 }),
        new GlobalAveragePooling1D(), new Dense({ units: 2 }),
      ],
    });
    const image = new Sequential({
      inputShape: [6, 5, 2], seed: 8, layers: [
        new Conv2D({ filters: 3, kernelSize: 2, padding: 'same' }), new AveragePooling2D({ poolSize: [2, 3], strides: [1, 2], padding: 'same' }),
        new MaxPooling2D({ poolSize: 2 }), new Conv2D({ filters: 2, kernelSize: 1 }), new GlobalMaxPooling2D(), new Dense({ units: 2 }),
      ],
    });
    const image2 = new Sequential({ inputShape: [6, 5, 2], seed: 9, layers: [new Conv2D({ filters: 3, kernelSize: 2 }), new GlobalAveragePooling2D(), new Dense({ units: 1 })] });
    const inputs = [t(randomFloat32(2 * 8 * 2, 29), [2, 8, 2]), t(randomFloat32(2 * 6 * 5 * 2, 30), [2, 6, 5, 2]), t(randomFloat32(2 * 6 * 5 * 2, 31), [2, 6, 5, 2])];
    [sequence, image, image2].forEach((model, k) => {
      const again = Sequential.fromJSON(JSON.parse(JSON.stringify(model.toJSON())));
      expect(again.layers.map((l) => [l.kind, l.config()])).toEqual(model.layers.map((l) => [l.kind, l.config()]));
      expectSameBits(`model ${k} after save/load`, again.predict(inputs[k]).data, model.predict(inputs[k]).data);
      again.dispose();
      model.dispose();
    });
  });

  it('the options and their defaults', () => {
    const p2 = new MaxPooling2D({ poolSize: [3, 2] });
    expect([p2.poolSize, p2.strides, p2.padding]).toEqual([[3, 2], [3, 2], 'valid']);
    expect(new AveragePooling2D().config()).toEqual({ poolSize: [2, 2], strides: [2, 2], padding: 'valid' });
    expect(new MaxPooling1D({ poolSize: 3 }).config()).toEqual({ poolSize: 3, strides: 3, padding: 'valid' });
    expect(new AveragePooling1D({ strides: 1, padding: 'same' }).config()).toEqual({ poolSize: 2, strides: 1, padding: 'same' });
    expect(new GlobalMaxPooling2D().getWeights()).toEqual({});
  });

  it('clear errors', () => {
    const layers = (...l: SequentialLayer[]) => l;
    expect(thrown(() => new Sequential({ inputShape: [3, 5, 1], layers: layers(new MaxPooling2D({ poolSize: 4 })) })).message)
      .toBe("Sequential: layers[0]: MaxPooling2D's pool 4×4 is larger than its input 3×5 with padding 'valid'");
    expect(thrown(() => new Sequential({ inputShape: [3, 5, 1], layers: layers(new AveragePooling2D({ poolSize: [2, 6] })) })).message)
      .toBe("Sequential: layers[0]: AveragePooling2D's pool 2×6 is larger than its input 3×5 with padding 'valid'");
    const seq = new Sequential({ inputSize: 2, layers: [new MaxPooling1D({ poolSize: 3 }), new GlobalAveragePooling1D()] });
    expect(thrown(() => seq.predict(t(new Float32Array(2 * 2 * 2), [2, 2, 2]))).message)
      .toBe("Sequential.predict: layers[0] (MaxPooling1D): a 'valid' MaxPooling1D with poolSize 3 needs at least 3 time steps, got 2");
    expect(thrown(() => seq.predict(t(new Float32Array(2 * 4 * 2), [2, 4, 2]), { lengths: [4, 3] })).message)
      .toBe('Sequential.predict: layers[0] (MaxPooling1D) changes the number of time steps, so options.lengths cannot follow the sequences through it; give sequences of equal length');
    expect(thrown(() => seq.initialState()).message)
      .toBe('Sequential.initialState: layers[0] (MaxPooling1D) changes the number of time steps; step() and tbptt run one step (or window) at a time');
    seq.dispose();
    expect(thrown(() => new MaxPooling1D({ strides: 0 })).message).toBe('MaxPooling1D: options.strides must be ≥ 1, got 0');
    expect(thrown(() => new MaxPooling2D({ strides: [1, 0] })).message).toBe('MaxPooling2D: options.strides[1] must be ≥ 1, got 0');
    expect(thrown(() => new AveragePooling2D({ poolSize: 0 })).message).toBe('AveragePooling2D: options.poolSize must be ≥ 1, got 0');
    expect(thrown(() => new AveragePooling1D({ padding: 'causal' as 'same' })).message).toBe('AveragePooling1D: options.padding must be one of \'valid\', \'same\', got "causal"');
    expect(thrown(() => new MaxPooling2D({ pool: 2 } as never)).message).toMatch(/^MaxPooling2D: unknown option 'pool'/);
    expect(thrown(() => new Sequential({ inputShape: [4, 4, 1], layers: layers(new MaxPooling1D()) })).message)
      .toBe('Sequential: layers[0]: MaxPooling1D needs sequences of feature vectors as input, but gets images (use MaxPooling2D)');
    expect(thrown(() => new Sequential({ inputSize: 3, layers: layers(new AveragePooling2D()) })).message)
      .toBe('Sequential: layers[0]: AveragePooling2D needs images [height, width, channels] as input, but gets sequences (use AveragePooling1D)');
    expect(thrown(() => new Sequential({ inputSize: 3, layers: layers(new LSTM({ units: 2 }), new MaxPooling1D()) })).message)
      .toBe('Sequential: layers[1]: MaxPooling1D needs sequences of feature vectors as input, but gets one vector per sequence (set returnSequences: true on the layer below)');
    expect(thrown(() => new Sequential({ inputSize: 3, layers: layers(new GlobalMaxPooling2D()) })).message)
      .toBe('Sequential: layers[0]: GlobalMaxPooling2D needs images [height, width, channels] as input, but gets sequences (use GlobalMaxPooling1D)');
    expect(thrown(() => new Sequential({ inputShape: [2, 2, 1], layers: layers(new GlobalAveragePooling2D(), new GlobalAveragePooling2D()) })).message)
      .toBe('Sequential: layers[1]: GlobalAveragePooling2D needs images [height, width, channels] as input, but gets vectors');
    expect(thrown(() => new MaxPooling2D().setWeights({ kernel: [] })).message).toBe('MaxPooling2D.setWeights: a MaxPooling2D layer has no weights; expected {}, got Object');
  });
});
