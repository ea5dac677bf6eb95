// Whole models against TensorFlow.js 4.x (cpu backend) on identical weights: a
// stack of Bidirectional LSTM (concat, every step) → Bidirectional GRU (sum,
// final state; reset-before, TF.js's form) → Dense tanh → Dense linear. Compared:
// predictions, then the weights after one SGD step on the MSE loss (TF.js's
// 'meanSquaredError' = mean over every element, as ours). Weights go from our
// getWeights({ format: 'keras' }) to TF.js's setWeights; gate activations are
// sigmoid on both sides (TF.js's default is hardSigmoid, so it is passed).
// Tolerance as in tfjs-parity.test.ts: f32 on both sides, rounded differently
// (TF.js's cpu matMul accumulates in f64): ≤ 2e-5 of the array's scale.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, expect, it } from 'vitest';
import { init } from '../src/engine/init.js';
import { GRU } from '../src/layers/gru.js';
import { LSTM } from '../src/layers/lstm.js';
import { Bidirectional } from '../src/layers/bidirectional.js';
import { Dense } from '../src/layers/dense.js';
import { Sequential } from '../src/models/sequential.js';
import { randomFloat32 } from './helpers/random.js';
import { expectCloseToScale } from './helpers/compare.js';

beforeAll(async () => {
  await init();
  await tf.setBackend('cpu');
});

it('Bidirectional LSTM → Bidirectional GRU → Dense → Dense: same predictions and the same weights after an SGD step as TF.js', async () => {
  const [N, T, F] = [4, 5, 3];
  const ours = new Sequential({
    inputSize: F,
    seed: 21,
    layers: [
      new Bidirectional({ layer: new LSTM({ units: 4, returnSequences: true }) }),
      new Bidirectional({ layer: new GRU({ units: 3, variant: 'resetBefore' }), merge: 'sum' }),
      new Dense({ units: 5, activation: 'tanh' }),
      new Dense({ units: 2 }),
    ],
  });
  // Random biases, so a bias layout mistake would show.
  const params = ours.getParameters();
  const noise = randomFloat32(params.length, 5, -0.3, 0.3);
  ours.setParameters(params.map((v, i) => v + noise[i]));

  const theirs = tf.sequential({
    layers: [
      tf.layers.bidirectional({ layer: tf.layers.lstm({ units: 4, returnSequences: true, recurrentActivation: 'sigmoid' }), mergeMode: 'concat', inputShape: [T, F] }),
      tf.layers.bidirectional({ layer: tf.layers.gru({ units: 3, recurrentActivation: 'sigmoid' }), mergeMode: 'sum' }),
      tf.layers.dense({ units: 5, activation: 'tanh' }),
      tf.layers.dense({ units: 2 }),
    ],
  });
  const order = [['kernel', 'recurrent_kernel', 'bias'], ['kernel', 'recurrent_kernel', 'bias'], ['kernel', 'bias'], ['kernel', 'bias']];
  const toTf = () =>
    ours.getWeights({ format: 'keras' }).flatMap((w, i) => {
      const names = i < 2 ? [...order[i].map((k) => `forward/${k}`), ...order[i].map((k) => `backward/${k}`)] : order[i];
      return names.map((k) => tf.tensor(w[k].data, w[k].shape));
    });
  theirs.setWeights(toTf());

  const x = randomFloat32(N * T * F, 6, -2, 2);
  const y = randomFloat32(N * 2, 7);
  const xt = tf.tensor3d(x, [N, T, F]);
  const yt = tf.tensor2d(y, [N, 2]);
  const predicted = (theirs.predict(xt) as tf.Tensor).dataSync() as Float32Array;
  expectCloseToScale('predictions', ours.predict({ data: x, shape: [N, T, F] }).data, predicted);

  const initial = toTf().map((w) => w.dataSync() as Float32Array);
  ours.compile({ loss: 'mse', optimizer: { type: 'sgd', learningRate: 0.5 } });
  await ours.fit({ data: x, shape: [N, T, F] }, { data: y, shape: [N, 2] }, { epochs: 1, batchSize: N, shuffle: false });
  theirs.compile({ loss: 'meanSquaredError', optimizer: tf.train.sgd(0.5) });
  await theirs.fit(xt, yt, { epochs: 1, batchSize: N, shuffle: false, verbose: 0 });
  const after = theirs.getWeights().map((w) => w.dataSync() as Float32Array);
  const mine = toTf().map((w) => w.dataSync() as Float32Array);
  mine.forEach((w, i) => expectCloseToScale(`weight ${i} after one step`, w, after[i]));
  // The step moved every layer's weights by far more than the tolerance.
  for (const i of [0, 6, 12, 14]) expect(Math.max(...after[i].map((v, k) => Math.abs(v - initial[i][k])))).toBeGreaterThan(1e-3);
  ours.dispose();
  theirs.dispose();
});
