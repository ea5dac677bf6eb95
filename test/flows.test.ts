// What flows between the layers of a Sequential besides sequences of fixed length: images
// [N, height, width, channels] (inputShape, Flatten), and sequences whose number of steps changes
// at a layer ('valid' or strided Conv1D): shapes, TF.js parity, whole-model gradients, saving,
// and the clear errors where a flow cannot go.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { init } from '../src/engine/init.js';
import { Conv1D } from '../src/layers/conv1d.js';
import { Dense } from '../src/layers/dense.js';
import { Flatten } from '../src/layers/flatten.js';
import { LSTM } from '../src/layers/lstm.js';
import { GlobalAveragePooling1D } from '../src/layers/global-pooling.js';
import { Sequential } from '../src/models/sequential.js';
import { expectCloseToScale, expectSameBits, thrown } from './helpers/compare.js';
import { randomFloat32 } from './helpers/random.js';
import { gradientError } from './helpers/model-checks.js';

beforeAll(async () => {
  await init();
  await tf.setBackend('cpu');
});

const t = (data: Float32Array, shape: number[]) => ({ data, shape });

describe('images: inputShape and Flatten', () => {
  it('Flatten → Dense on [N, H, W, C] images = Dense on the same floats as one step of H·W·C (bit for bit), forward, training and dInput', async () => {
    const [N, H, W, C] = [5, 3, 4, 2];
    const image = new Sequential({ inputShape: [H, W, C], seed: 3, layers: [new Flatten(), new Dense({ units: 4, activation: 'tanh' }), new Dense({ units: 2 })] });
    const flat = new Sequential({ inputSize: H * W * C, seed: 3, layers: [new Dense({ units: 4, activation: 'tanh' }), new Dense({ units: 2 })] });
    flat.setWeights(image.getWeights().slice(1));
    expect(image.inputShape).toEqual([H, W, C]);
    expect(image.inputSize).toBe(H * W * C);
    expect(image.outputShape).toBeNull();
    const x = randomFloat32(N * H * W * C, 1, -1, 1);
    const mine = image.predict(t(x, [N, H, W, C]));
    expect(mine.shape).toEqual([N, 2]);
    expectSameBits('predictions', mine.data, flat.predict(t(x, [N, 1, H * W * C])).data);
    const y = randomFloat32(N * 2, 2);
    for (const m of [image, flat]) m.compile({ loss: 'mse', optimizer: { type: 'adam', learningRate: 0.01 } });
    await image.fit(t(x, [N, H, W, C]), t(y, [N, 2]), { epochs: 3, batchSize: 2, shuffle: false });
    await flat.fit(t(x, [N, 1, H * W * C]), t(y, [N, 1, 2]), { epochs: 3, batchSize: 2, shuffle: false });
    expectSameBits('parameters after 3 epochs', image.getParameters(), flat.getParameters());
    const { cache } = image.forward(t(x, [N, H, W, C]));
    const back = image.backward(cache, { dOutput: t(randomFloat32(N * 2, 3), [N, 2]) });
    expect(back.dInput!.shape).toEqual([N, H, W, C]);
    const { cache: c2 } = flat.forward(t(x, [N, 1, H * W * C]));
    expectSameBits('dInput', back.dInput!.data, flat.backward(c2, { dOutput: t(randomFloat32(N * 2, 3), [N, 1, 2]) }).dInput!.data);
    const again = Sequential.fromJSON(image.toJSON());
    expect(again.inputShape).toEqual([H, W, C]);
    expectSameBits('after save/load', again.predict(t(x, [N, H, W, C])).data, image.predict(t(x, [N, H, W, C])).data);
    for (const m of [image, flat, again]) m.dispose();
  });

  it('clear errors where images cannot go', () => {
    const image = () => new Sequential({ inputShape: [2, 2, 1], layers: [new Flatten(), new Dense({ units: 1 })] });
    expect(thrown(() => new Sequential({ inputShape: [2, 2, 1], layers: [new Dense({ units: 1 })] })).message)
      .toBe('Sequential: layers[0]: Dense needs feature vectors as input, but gets images [2, 2, 1] (put a Flatten or a global pooling before it)');
    expect(thrown(() => new Sequential({ inputShape: [2, 2, 1], layers: [new LSTM({ units: 1 })] })).type).toBe('RangeError');
    expect(thrown(() => new Sequential({ inputSize: 3, layers: [new Flatten()] })).message)
      .toBe('Sequential: layers[0]: Flatten needs images [height, width, channels] as input, but gets sequences (their length varies: use returnSequences: false or a GlobalAveragePooling1D)');
    expect(thrown(() => new Sequential({ inputSize: 3, inputShape: [1, 1, 3], layers: [new Flatten()] })).message)
      .toBe('Sequential: give options.inputSize (sequences) or options.inputShape (images), not both');
    expect(thrown(() => new Sequential({ inputShape: [2, 0, 1] as unknown as [number, number, number], layers: [new Flatten()] })).message)
      .toMatch(/^Sequential: options.inputShape\[1\] must be ≥ 1, got 0/);
    const m = image();
    expect(thrown(() => m.predict(t(new Float32Array(8), [2, 2, 1, 2]))).message).toMatch(/^Sequential.predict: x/);
    expect(thrown(() => m.predict(t(new Float32Array(8), [2, 2, 2, 1]), { lengths: [1, 1] })).message)
      .toBe('Sequential.predict: options.lengths is for sequences; this model reads images (inputShape [2, 2, 1])');
    expect(thrown(() => m.initialState()).message).toBe('Sequential.initialState: this model reads images (inputShape [2, 2, 1]), which have no time steps to stream');
    m.dispose();
  });
});

describe("sequences that change length: 'valid' and strided Conv1D", () => {
  // As in conv1d.test.ts: ≤ 2e-5 of each array's scale against TF.js's cpu backend on identical weights.
  for (const c of [
    { padding: 'valid' as const, strides: 1, dilation: 2, T: 9, out: 5 },
    { padding: 'valid' as const, strides: 2, dilation: 1, T: 9, out: 4 },
    { padding: 'same' as const, strides: 2, dilation: 1, T: 9, out: 5 },
    { padding: 'same' as const, strides: 3, dilation: 1, T: 7, out: 3 },
  ]) {
    it(`'${c.padding}', strides ${c.strides}, dilation ${c.dilation}: ${c.T} steps → ${c.out}, predictions${c.dilation === 1 ? ' and the weights after one SGD step' : ''} = TF.js`, async () => {
      const [N, C, F, K] = [3, 4, 5, 3];
      const ours = new Sequential({ inputSize: C, seed: 6, layers: [new Conv1D({ filters: F, kernelSize: K, padding: c.padding, strides: c.strides, dilation: c.dilation, activation: 'relu' }), new Dense({ units: 2 })] });
      const params = ours.getParameters();
      const noise = randomFloat32(params.length, 7, -0.3, 0.3);
      ours.setParameters(params.map((v, i) => v + noise[i]));
      const theirs = tf.sequential({
        layers: [
          tf.layers.conv1d({ filters: F, kernelSize: K, padding: c.padding, strides: c.strides, dilationRate: c.dilation, activation: 'relu', inputShape: [c.T, C] }),
          tf.layers.dense({ units: 2 }),
        ],
      });
      const keras = ours.getWeights({ format: 'keras' });
      theirs.setWeights([keras[0].kernel, keras[0].bias, keras[1].kernel, keras[1].bias].map((w) => tf.tensor(w.data, w.shape)));
      const x = randomFloat32(N * c.T * C, 8, -2, 2);
      const xt = tf.tensor3d(x, [N, c.T, C]);
      const mine = ours.predict(t(x, [N, c.T, C]));
      expect(mine.shape).toEqual([N, c.out, 2]);
      expectCloseToScale('predictions', mine.data, (theirs.predict(xt) as tf.Tensor).dataSync() as Float32Array);
      if (c.dilation === 1) {
        const y = randomFloat32(N * c.out * 2, 9);
        ours.compile({ loss: 'mse', optimizer: { type: 'sgd', learningRate: 0.5 } });
        await ours.fit(t(x, [N, c.T, C]), t(y, [N, c.out, 2]), { epochs: 1, batchSize: N, shuffle: false });
        theirs.compile({ loss: 'meanSquaredError', optimizer: tf.train.sgd(0.5) });
        await theirs.fit(xt, tf.tensor3d(y, [N, c.out, 2]), { epochs: 1, batchSize: N, shuffle: false, verbose: 0 });
        const after = ours.getWeights({ format: 'keras' });
        const mineW = [after[0].kernel, after[0].bias, after[1].kernel, after[1].bias].map((w) => w.data);
        theirs.getWeights().forEach((w, i) => expectCloseToScale(`weight ${i} after one step`, mineW[i], w.dataSync() as Float32Array));
      }
      ours.dispose();
      theirs.dispose();
    });
  }

  it("strided causal Conv1D → 'valid' Conv1D → LSTM → Dense: every gradient = central differences; save/load keeps strides", () => {
    // f32 model, step 1e-2, error ≤ 2e-3 of the largest gradient, as in conv1d.test.ts.
    const [N, T, C] = [2, 11, 3];
    const model = new Sequential({
      inputSize: C, seed: 5, layers: [
        new Conv1D({ filters: 4, kernelSize: 3, strides: 2, activation: 'tanh' }), // 11 → 6 steps
        new Conv1D({ filters: 3, kernelSize: 2, padding: 'valid', dilation: 2, activation: 'tanh' }), // 6 → 4
        new LSTM({ units: 3, returnSequences: true }),
        new Dense({ units: 2 }),
      ],
    });
    model.compile({ loss: 'mse', optimizer: 'sgd' });
    const x = t(randomFloat32(N * T * C, 10), [N, T, C]);
    const y = t(randomFloat32(N * 4 * 2, 11), [N, 4, 2]);
    expect(model.predict(x).shape).toEqual([N, 4, 2]);
    const { error, scale } = gradientError(model, x, y, { samples: 60 });
    expect(scale).toBeGreaterThan(1e-3);
    expect(error).toBeLessThan(2e-3); // worst / scale
    const again = Sequential.fromJSON(model.toJSON());
    expect((again.layers[0] as Conv1D).strides).toBe(2);
    expectSameBits('after save/load', again.predict(x).data, model.predict(x).data);
    model.dispose();
    again.dispose();
  });

  it("'valid' Conv1D → GlobalAveragePooling1D → Dense over batches of different lengths; clear errors", () => {
    const model = new Sequential({ inputSize: 2, seed: 1, layers: [new Conv1D({ filters: 3, kernelSize: 4, padding: 'valid' }), new GlobalAveragePooling1D(), new Dense({ units: 1 })] });
    expect(model.predict(t(randomFloat32(2 * 4 * 2, 1), [2, 4, 2])).shape).toEqual([2, 1]);
    expect(model.predict(t(randomFloat32(2 * 9 * 2, 1), [2, 9, 2])).shape).toEqual([2, 1]);
    expect(thrown(() => model.predict(t(new Float32Array(2 * 3 * 2), [2, 3, 2]))).message)
      .toBe("Sequential.predict: layers[0] (Conv1D): a 'valid' Conv1D with kernelSize 4 and dilation 1 needs at least 4 time steps, got 3");
    expect(thrown(() => model.predict(t(new Float32Array(2 * 5 * 2), [2, 5, 2]), { lengths: [5, 4] })).message)
      .toBe('Sequential.predict: layers[0] (Conv1D) changes the number of time steps, so options.lengths cannot follow the sequences through it; give sequences of equal length');
    expect(thrown(() => model.initialState()).message).toBe('Sequential.initialState: layers[0] (Conv1D) changes the number of time steps; step() and tbptt run one step (or window) at a time');
    expect(thrown(() => new Conv1D({ filters: 1, kernelSize: 1, strides: 0 })).message).toBe('Conv1D: options.strides must be ≥ 1, got 0');
    model.dispose();
  });
});
