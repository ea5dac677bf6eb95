// Conv1D as a layer of a Sequential: TF.js parity on identical weights (the causal form as
// TF.js's zeroPadding1d + 'valid' conv1d, since its conv1d has no causal padding), gradients of a
// whole model against central differences, causality, masks, weight layouts, saving, and a task.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { init } from '../src/engine/init.js';
import { Conv1D } from '../src/layers/conv1d.js';
import { Dense } from '../src/layers/dense.js';
import { LSTM } from '../src/layers/lstm.js';
import { GlobalAveragePooling1D, GlobalMaxPooling1D } from '../src/layers/global-pooling.js';
import { Sequential } from '../src/models/sequential.js';
import { expectCloseToScale, expectSameBits } from './helpers/compare.js';
import { makeRandom, randomFloat32 } from './helpers/random.js';
import { gradientError } from './helpers/model-checks.js';

beforeAll(async () => {
  await init();
  await tf.setBackend('cpu');
});

const t = (data: Float32Array, shape: number[]) => ({ data, shape });

describe('Conv1D against TensorFlow.js', () => {
  // Tolerance as in tfjs-models.test.ts: ≤ 2e-5 of each array's scale (f32 on both sides, TF.js's cpu sums in f64).
  // TF.js's conv1d has no causal padding and no groups: the causal cases give it the input with
  // (K − 1)·d zero steps prepended and 'valid' padding (groups are checked against TF.js's
  // depthwiseConv2d in conv-kernels.test.ts); it has no gradient for dilation > 1, so the dilated
  // case compares predictions only.
  for (const c of [
    { name: "'same', relu", padding: 'same' as const, dilation: 1, activation: 'relu' as const },
    { name: "'causal', tanh", padding: 'causal' as const, dilation: 1, activation: 'tanh' as const },
    { name: "'causal', dilation 2", padding: 'causal' as const, dilation: 2, activation: 'linear' as const },
  ]) {
    it(`${c.name}: predictions${c.dilation === 1 ? ', and the weights after one SGD step' : ''}`, async () => {
      const [N, T, C, F, K] = [3, 9, 4, 6, 3];
      const ours = new Sequential({ inputSize: C, seed: 3, layers: [new Conv1D({ filters: F, kernelSize: K, padding: c.padding, dilation: c.dilation, activation: c.activation }), new Dense({ units: 2 })] });
      const params = ours.getParameters();
      const noise = randomFloat32(params.length, 4, -0.3, 0.3);
      ours.setParameters(params.map((v, i) => v + noise[i]));
      const pad = c.padding === 'causal' ? (K - 1) * c.dilation : 0;
      const theirs = tf.sequential({
        layers: [
          tf.layers.conv1d({ filters: F, kernelSize: K, padding: pad ? 'valid' : 'same', dilationRate: c.dilation, activation: c.activation, inputShape: [T + pad, C] }),
          tf.layers.dense({ units: 2 }),
        ],
      });
      const keras = ours.getWeights({ format: 'keras' });
      theirs.setWeights([keras[0].kernel, keras[0].bias, keras[1].kernel, keras[1].bias].map((w) => tf.tensor(w.data, w.shape)));
      const x = randomFloat32(N * T * C, 5, -2, 2);
      const padded = new Float32Array(N * (T + pad) * C);
      for (let n = 0; n < N; n++) padded.set(x.subarray(n * T * C, (n + 1) * T * C), (n * (T + pad) + pad) * C);
      const xt = tf.tensor3d(padded, [N, T + pad, C]);
      expectCloseToScale('predictions', ours.predict(t(x, [N, T, C])).data, (theirs.predict(xt) as tf.Tensor).dataSync() as Float32Array);
      if (c.dilation === 1) {
        const y = randomFloat32(N * T * 2, 6);
        ours.compile({ loss: 'mse', optimizer: { type: 'sgd', learningRate: 0.5 } });
        await ours.fit(t(x, [N, T, C]), t(y, [N, T, 2]), { epochs: 1, batchSize: N, shuffle: false });
        theirs.compile({ loss: 'meanSquaredError', optimizer: tf.train.sgd(0.5) });
        await theirs.fit(xt, tf.tensor3d(y, [N, T, 2]), { epochs: 1, batchSize: N, shuffle: false, verbose: 0 });
        const after = ours.getWeights({ format: 'keras' });
        const mine = [after[0].kernel, after[0].bias, after[1].kernel, after[1].bias].map((w) => w.data);
        theirs.getWeights().forEach((w, i) => expectCloseToScale(`weight ${i} after one step`, mine[i], w.dataSync() as Float32Array));
        expect(Math.max(...mine[0].map((v, i) => Math.abs(v - keras[0].kernel.data[i])))).toBeGreaterThan(1e-3);
      }
      ours.dispose();
      theirs.dispose();
    });
  }
});

describe('Conv1D in a Sequential', () => {
  it('Conv1D (causal, dilation 2) → LSTM → Dense: every gradient = central differences', () => {
    // f32 model, step 1e-2, error ≤ 2e-3 of the largest gradient, as in models.test.ts.
    const [N, T, C] = [2, 7, 3];
    const model = new Sequential({ inputSize: C, seed: 9, layers: [new Conv1D({ filters: 4, kernelSize: 3, dilation: 2, activation: 'tanh' }), new LSTM({ units: 3 }), new Dense({ units: 2 })] });
    model.compile({ loss: 'mse', optimizer: 'sgd' });
    const x = t(randomFloat32(N * T * C, 10), [N, T, C]);
    const y = t(randomFloat32(N * 2, 11), [N, 2]);
    const { error, scale } = gradientError(model, x, y, { samples: 80 });
    expect(scale).toBeGreaterThan(1e-3);
    expect(error).toBeLessThan(2e-3); // worst / scale
    model.dispose();
  });

  it('is causal: changing steps after t leaves every output up to t bit-identical; the receptive field is (K − 1)·d + 1', () => {
    const [T, C] = [16, 2];
    const conv = new Conv1D({ filters: 3, kernelSize: 3, dilation: 3 });
    const model = new Sequential({ inputSize: C, seed: 1, layers: [conv] });
    expect(conv.receptiveField).toBe(7);
    const x = randomFloat32(T * C, 2);
    const base = model.predict(t(x, [1, T, C])).data;
    for (const after of [0, 5, 12]) {
      const changed = x.slice();
      for (let i = (after + 1) * C; i < changed.length; i++) changed[i] += 1;
      const out = model.predict(t(changed, [1, T, C])).data;
      expectSameBits(`outputs up to t = ${after}`, out.subarray(0, (after + 1) * 3), base.subarray(0, (after + 1) * 3));
      expect(out[(after + 1) * 3]).not.toBe(base[(after + 1) * 3]);
    }
    // The earliest input step that changes output t is t − 6.
    const probe = x.slice();
    probe[(15 - 7) * C] += 1;
    expectSameBits('step 15 does not see step 8', model.predict(t(probe, [1, T, C])).data.subarray(15 * 3), base.subarray(15 * 3));
    probe[(15 - 7) * C] -= 1;
    probe[(15 - 6) * C] += 1;
    expect(model.predict(t(probe, [1, T, C])).data[15 * 3]).not.toBe(base[15 * 3]);
    model.dispose();
  });

  it("'same' with a mask: each sequence's real steps equal the sequence run alone (padded steps are zeroed, not read)", () => {
    const [T, C] = [6, 2];
    const model = new Sequential({ inputSize: C, seed: 4, layers: [new Conv1D({ filters: 3, kernelSize: 3, padding: 'same' }), new Dense({ units: 1 })] });
    const x = randomFloat32(2 * T * C, 5);
    const lengths = [6, 4];
    const batch = model.predict(t(x, [2, T, C]), { lengths }).data;
    for (let b = 0; b < 2; b++) {
      const alone = model.predict(t(x.slice(b * T * C, (b * T + lengths[b]) * C), [1, lengths[b], C])).data;
      expectSameBits(`sequence ${b}`, batch.subarray(b * T, b * T + lengths[b]), alone);
    }
    model.dispose();
  });

  it('weights in every layout, saving and loading, and clear errors', () => {
    const model = new Sequential({ inputSize: 4, seed: 2, layers: [new Conv1D({ filters: 6, kernelSize: 2, groups: 2 }), new Dense({ units: 1 })] });
    const torch = model.getWeights({ format: 'pytorch' });
    expect(torch[0].weight.shape).toEqual([6, 2, 2]);
    const keras = model.getWeights({ format: 'keras' });
    expect(keras[0].kernel.shape).toEqual([2, 2, 6]);
    // PyTorch weight[f][c][k] is the native kernel[k][c][f].
    expect(torch[0].weight.data[(5 * 2 + 1) * 2 + 1]).toBe(keras[0].kernel.data[(1 * 2 + 1) * 6 + 5]);
    const other = new Sequential({ inputSize: 4, seed: 7, layers: [new Conv1D({ filters: 6, kernelSize: 2, groups: 2 }), new Dense({ units: 1 })] });
    other.setWeights(torch, { format: 'pytorch' });
    expectSameBits('pytorch round trip', other.getParameters(), model.getParameters());
    const x = t(randomFloat32(2 * 5 * 4, 3), [2, 5, 4]);
    const again = Sequential.fromJSON(JSON.parse(JSON.stringify(model.toJSON())));
    expectSameBits('saved and loaded', again.predict(x).data, model.predict(x).data);
    // A causal Conv1D streams (test/conv-streaming.test.ts): one step from zero history is predict's first step.
    expectSameBits('step = predict at t = 0', model.step([[1, 2, 3, 4]], model.initialState()).data, model.predict(t(Float32Array.of(1, 2, 3, 4), [1, 1, 4])).data);
    expect(() => new Conv1D({ filters: 3, kernelSize: 2, groups: 2 })).toThrow('Conv1D: options.filters 3 is not divisible by options.groups 2');
    expect(() => new Conv1D({ filters: 4, kernelSize: 0 })).toThrow('Conv1D: options.kernelSize must be ≥ 1, got 0');
    expect(() => new Conv1D({ filters: 4, kernelSize: 2, padding: 'full' as 'same' })).toThrow("Conv1D: options.padding must be one of 'causal', 'same', 'valid', got \"full\"");
    expect(() => new Sequential({ inputSize: 3, layers: [new Conv1D({ filters: 4, kernelSize: 2, groups: 2 })] })).toThrow("Sequential: layers[0]: Conv1D's 3 input channels are not divisible by options.groups 2");
    for (const m of [model, other, again]) m.dispose();
  });

  it('learns y_t = x_{t−2} − 0.5·x_{t−1} from the past alone (causal, linear): MSE < 1e-4', async () => {
    const [N, T] = [64, 20];
    const next = makeRandom(21);
    const x = Float32Array.from({ length: N * T }, () => next() * 2 - 1);
    const y = x.map((_, i) => {
      const s = i % T;
      return (s >= 2 ? x[i - 2] : 0) - 0.5 * (s >= 1 ? x[i - 1] : 0);
    });
    const model = new Sequential({ inputSize: 1, seed: 5, layers: [new Conv1D({ filters: 1, kernelSize: 3 })] });
    model.compile({ loss: 'mse', optimizer: { type: 'adam', learningRate: 0.05 } });
    await model.fit(t(x, [N, T, 1]), t(y, [N, T, 1]), { epochs: 60, batchSize: 16 });
    const { loss } = model.evaluate(t(x, [N, T, 1]), t(y, [N, T, 1]));
    expect(loss).toBeLessThan(1e-4);
    const kernel = model.getWeights()[0].weight.data; // taps t−2, t−1, t
    expect(Array.from(kernel).map((v) => Math.round(v * 100) / 100)).toEqual([1, -0.5, 0]);
    model.dispose();
  });
});

describe('GlobalAveragePooling1D / GlobalMaxPooling1D', () => {
  for (const Pool of [GlobalAveragePooling1D, GlobalMaxPooling1D]) {
    const name = Pool.name;
    it(`${name}: Conv1D → ${name} → Dense softmax, the same predictions and weights after one SGD step as TF.js`, async () => {
      const [N, T, C, F] = [4, 7, 3, 5];
      const ours = new Sequential({ inputSize: C, seed: 6, layers: [new Conv1D({ filters: F, kernelSize: 3, padding: 'same', activation: 'relu' }), new Pool(), new Dense({ units: 3, activation: 'softmax' })] });
      const theirs = tf.sequential({
        layers: [
          tf.layers.conv1d({ filters: F, kernelSize: 3, padding: 'same', activation: 'relu', inputShape: [T, C] }),
          Pool === GlobalAveragePooling1D ? tf.layers.globalAveragePooling1d() : tf.layers.globalMaxPooling1d(),
          tf.layers.dense({ units: 3, activation: 'softmax' }),
        ],
      });
      const keras = ours.getWeights({ format: 'keras' });
      theirs.setWeights([keras[0].kernel, keras[0].bias, keras[2].kernel, keras[2].bias].map((w) => tf.tensor(w.data, w.shape)));
      const x = randomFloat32(N * T * C, 7, -2, 2);
      const xt = tf.tensor3d(x, [N, T, C]);
      expectCloseToScale('predictions', ours.predict(t(x, [N, T, C])).data, (theirs.predict(xt) as tf.Tensor).dataSync() as Float32Array);
      const labels = [0, 2, 1, 2];
      ours.compile({ loss: 'crossEntropy', optimizer: { type: 'sgd', learningRate: 0.5 } });
      await ours.fit(t(x, [N, T, C]), labels, { epochs: 1, batchSize: N, shuffle: false });
      theirs.compile({ loss: 'categoricalCrossentropy', optimizer: tf.train.sgd(0.5) });
      await theirs.fit(xt, tf.oneHot(tf.tensor1d(labels, 'int32'), 3), { epochs: 1, batchSize: N, shuffle: false, verbose: 0 });
      const after = ours.getWeights({ format: 'keras' });
      const mine = [after[0].kernel, after[0].bias, after[2].kernel, after[2].bias].map((w) => w.data);
      theirs.getWeights().forEach((w, i) => expectCloseToScale(`weight ${i} after one step`, mine[i], w.dataSync() as Float32Array));
      ours.dispose();
      theirs.dispose();
    });

    it(`${name}: gradients = central differences; a padded batch = each sequence alone; save/load; step() refuses`, () => {
      const [N, T, C] = [3, 6, 2];
      const model = new Sequential({ inputSize: C, seed: 8, layers: [new Conv1D({ filters: 4, kernelSize: 2, activation: 'tanh' }), new Pool(), new Dense({ units: 2 })] });
      model.compile({ loss: 'mse', optimizer: 'sgd' });
      const x = t(randomFloat32(N * T * C, 9), [N, T, C]);
      const y = t(randomFloat32(N * 2, 10), [N, 2]);
      const { gradients } = model.computeGradients(x, y);
      const params = model.getParameters();
      const scale = Math.max(...gradients.map(Math.abs));
      let worst = 0;
      for (let i = 0; i < params.length; i++) {
        const p = params.slice();
        p[i] += 1e-2;
        model.setParameters(p);
        const up = model.computeGradients(x, y).loss;
        p[i] -= 2e-2;
        model.setParameters(p);
        const down = model.computeGradients(x, y).loss;
        worst = Math.max(worst, Math.abs((up - down) / 2e-2 - gradients[i]));
      }
      model.setParameters(params);
      expect(worst / scale).toBeLessThan(2e-3); // f32 model, step 1e-2, as in models.test.ts
      const lengths = [6, 3, 5];
      const batch = model.predict(x, { lengths }).data;
      for (let b = 0; b < N; b++) {
        const alone = model.predict(t(x.data.slice(b * T * C, (b * T + lengths[b]) * C), [1, lengths[b], C])).data;
        expectCloseToScale(`sequence ${b}`, batch.subarray(b * 2, b * 2 + 2), alone, 1e-6); // the mean's 1/T then T/length rounds once more than 1/length
      }
      const grads = model.computeGradients(x, y, { lengths }).gradients;
      const again = Sequential.fromJSON(JSON.parse(JSON.stringify(model.toJSON())));
      expectSameBits('saved and loaded', again.predict(x).data, model.predict(x).data);
      expect(grads.every(Number.isFinite)).toBe(true);
      const recurrent = new Sequential({ inputSize: C, layers: [new LSTM({ units: 2, returnSequences: true }), new Pool()] });
      expect(() => recurrent.initialState()).toThrow(`Sequential.initialState: layers[1] is ${name}, which pools over the whole sequence; a step (or window) sees only part of it`);
      recurrent.dispose();
      model.dispose();
      again.dispose();
    });
  }
});
