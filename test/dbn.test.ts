// The deep belief network (src/energy/dbn.ts): greedy pretraining is RBM on RBM bit for bit, the
// unrolled Sequential computes the stack's p(h | v), sampling, save/load, errors, and on the digits
// with 10 % of the labels a pretrained, fine-tuned network beats the same one from random weights.
import { describe, expect, it } from 'vitest';
import { DBN } from '../src/energy/dbn.js';
import { RBM } from '../src/energy/rbm.js';
import { Dense } from '../src/layers/dense.js';
import { Sequential } from '../src/models/sequential.js';
import { backendFor } from './helpers/backends.js';
import { expectSameBits, expectWithinBound, thrown } from './helpers/compare.js';
import { readDigits } from './helpers/digits.js';
import { makeRandom } from './helpers/random.js';

function binaryRows(N: number, V: number, seed: number): number[][] {
  const r = makeRandom(seed);
  // Two prototypes with 10 % noise: something to learn.
  const prototypes = [0, 1].map(() => Array.from({ length: V }, () => (r() < 0.5 ? 0 : 1)));
  return Array.from({ length: N }, (_, n) => prototypes[n % 2].map((b) => (r() < 0.1 ? 1 - b : b)));
}

describe('DBN', () => {
  it('pretrain is greedy: each RBM is trained on the p(h | v) of the one below, bit for bit as done by hand', async () => {
    const backend = await backendFor(true);
    const x = binaryRows(40, 12, 1);
    const dbn = new DBN({ layers: [12, 8, 6, 4], seed: 5, learningRate: 0.05, backend });
    const by = dbn.rbms.map((r) => RBM.fromJSON(r.toJSON(), { backend }));
    const logs: number[] = [];
    const histories = dbn.pretrain(x, { epochs: 3, batchSize: 8, onEpochEnd: ({ layer }) => void logs.push(layer) });
    expect(histories.map((h) => h.epochs)).toEqual([3, 3, 3]);
    expect(logs).toEqual([0, 0, 0, 1, 1, 1, 2, 2, 2]);
    // By hand: the same RBMs (same seeds), each fitted on the transform of the one below.
    let input: number[][] | { data: Float32Array; shape: [number, number] } = x;
    let top: Float32Array = new Float32Array(0);
    by.forEach((rbm, i) => {
      rbm.fit(input, { epochs: 3, batchSize: 8 });
      expectSameBits(`layer ${i}`, new Float32Array(rbm.toJSON().params), new Float32Array(dbn.rbms[i].toJSON().params));
      input = rbm.transform(input);
      top = input.data;
    });
    expectSameBits('transform', dbn.transform(x).data, top);
    for (const r of by) r.dispose();
    dbn.dispose();
  });

  it('toSequential: Dense(sigmoid) layers with the pretrained weights compute the stack\'s p(h | v); the DBN is not changed by fine-tuning', async () => {
    const backend = await backendFor(true);
    const x = binaryRows(10, 6, 2);
    const dbn = new DBN({ layers: [6, 5, 3], seed: 1, backend });
    dbn.pretrain(x, { epochs: 2, batchSize: 5 });
    const before = JSON.stringify(dbn);
    const model = dbn.toSequential();
    expect(model.layers.map((l) => (l as Dense).units)).toEqual([5, 3]);
    const out = model.predict({ data: Float32Array.from(x.flat()), shape: [10, 1, 6] });
    // The Dense sigmoid kernel and the RBM's scalar sigmoid agree within a few f32 ulps.
    expectWithinBound('predict vs transform', out.data, dbn.transform(x).data, 1e-6);
    model.compile({ loss: 'mse', optimizer: 'sgd' });
    await model.fit({ data: Float32Array.from(x.flat()), shape: [10, 1, 6] }, { data: new Float32Array(30).fill(0.5), shape: [10, 1, 3] }, { epochs: 2 });
    expect(JSON.stringify(dbn)).toBe(before);
    model.dispose();
    const headed = dbn.toSequential({ head: new Dense({ units: 2, activation: 'softmax', backend }) });
    expect(headed.layers.length).toBe(3);
    headed.dispose();
    dbn.dispose();
  });

  it('sample: through the top RBM, then down the directed layers; seeded; save/load round trip', async () => {
    const backend = await backendFor(false);
    const x = binaryRows(30, 8, 3);
    const dbn = new DBN({ layers: [8, 6, 4], seed: 2, backend });
    dbn.pretrain(x, { epochs: 5, batchSize: 5 });
    const a = dbn.sample(4, { steps: 20, seed: 7 });
    expect(a.samples.shape).toEqual([4, 8]);
    expect(a.samples.data.every((v) => v === 0 || v === 1)).toBe(true);
    expect(a.means.data.every((v) => v > 0 && v < 1)).toBe(true);
    const copy = DBN.fromJSON(JSON.stringify(dbn), { backend });
    expect(copy.toJSON()).toEqual(dbn.toJSON());
    const b = copy.sample(4, { steps: 20, seed: 7 });
    expectSameBits('samples after load', b.samples.data, a.samples.data);
    expectSameBits('means after load', b.means.data, a.means.data);
    copy.dispose();
    dbn.dispose();
    expect(thrown(() => dbn.transform(x))).toEqual({ type: 'Error', message: 'DBN.transform: the DBN has been disposed' });
  });

  it('bad input: full messages; a failed pretrain changes nothing', async () => {
    const backend = await backendFor(true);
    expect(thrown(() => new DBN({ layers: [4], backend }))).toEqual({ type: 'RangeError', message: 'DBN: options.layers must have at least 2 entries (visible and one hidden layer), got 1' });
    expect(thrown(() => new DBN({ layers: [4, 0], backend }))).toEqual({ type: 'RangeError', message: 'DBN: options.layers[1] must be in [1, 1048576], got 0' });
    expect(thrown(() => new DBN({ layers: 4 as never, backend }))).toEqual({ type: 'TypeError', message: 'DBN: options.layers must be an array of unit counts [visible, hidden₁, …], got 4' });
    expect(thrown(() => new DBN({ layers: [4, 2], learningRate: -1, backend }))).toEqual({ type: 'RangeError', message: 'DBN: options.learningRate must be > 0, got -1' });
    const dbn = new DBN({ layers: [3, 2, 2], seed: 1, backend });
    const before = dbn.toJSON();
    expect(thrown(() => dbn.pretrain([[0, 1, 2]]))).toEqual({ type: 'RangeError', message: "DBN.pretrain: x[0][2] must be in [0, 1] (visibleUnits 'bernoulli'), got 2" });
    expect(thrown(() => dbn.pretrain([[0, 1, 1]], { epochs: 0 }))).toEqual({ type: 'RangeError', message: 'DBN.pretrain: options.epochs must be ≥ 1, got 0' });
    expect(thrown(() => dbn.pretrain([[0, 1, 1]], { epoch: 3 } as never))).toEqual({
      type: 'RangeError', message: "DBN.pretrain: unknown option 'epoch' (known: epochs, batchSize, k, persistent, shuffle, onEpochEnd)",
    });
    expect(thrown(() => DBN.fromJSON({ ...before, rbms: before.rbms.slice(1) }, { backend }))).toEqual({ type: 'TypeError', message: 'DBN.fromJSON: rbms must be 2 saved RBMs, got Array(1)' });
    expect(dbn.toJSON()).toEqual(before);
    dbn.dispose();
  });

  it('digits with 10 % of the labels: pretrained and fine-tuned beats the same architecture from random weights in the same epochs', async () => {
    const backend = await backendFor(true);
    const { x, y, N } = readDigits();
    const test = 360; // the last writers, unseen in training
    const train = N - test;
    // Pretraining sees every training image, without labels; fine-tuning sees every 10th one, with its label.
    const dbn = new DBN({ layers: [64, 100, 100], seed: 1, learningRate: 0.02, momentum: 0.9, weightDecay: 1e-4, backend });
    const start = performance.now();
    dbn.pretrain({ data: x.subarray(0, train * 64), shape: [train, 64] }, { epochs: 30, batchSize: 10 });
    const seconds = (performance.now() - start) / 1000;
    const labelled = Math.round(train / 10);
    const xl = new Float32Array(labelled * 64);
    const yl = new Int32Array(labelled);
    for (let i = 0; i < labelled; i++) {
      xl.set(x.subarray(i * 640, i * 640 + 64), i * 64);
      yl[i] = y[i * 10];
    }
    const epochs = 20;
    const accuracy = async (model: Sequential): Promise<number> => {
      model.compile({ loss: 'crossEntropy', optimizer: { type: 'adam', learningRate: 0.003 } });
      await model.fit({ data: xl, shape: [labelled, 1, 64] }, { data: yl, shape: [labelled, 1] }, { epochs, batchSize: 16 });
      const result = model.evaluate({ data: x.subarray(train * 64), shape: [test, 1, 64] }, { data: y.subarray(train), shape: [test, 1] });
      model.dispose();
      return result.accuracy!;
    };
    const pretrained = await accuracy(dbn.toSequential({ head: new Dense({ units: 10, activation: 'softmax', backend }), seed: 2 }));
    const random = await accuracy(new Sequential({
      inputSize: 64, seed: 2, layers: [
        new Dense({ units: 100, activation: 'sigmoid', backend }), new Dense({ units: 100, activation: 'sigmoid', backend }), new Dense({ units: 10, activation: 'softmax', backend }),
      ],
    }));
    console.log(
      `DBN 64-100-100 (pretrained 30 epochs per layer on ${train} images in ${seconds.toFixed(1)} s) + softmax, fine-tuned ${epochs} epochs (Adam 0.003) on ${labelled} labelled: ` +
        `test accuracy ${pretrained.toFixed(3)}; the same network from random weights ${random.toFixed(3)}`,
    );
    expect(pretrained).toBeGreaterThan(random + 0.03);
    dbn.dispose();
  });
});
