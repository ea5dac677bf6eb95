// Checks of a whole Sequential used by the convolution and pooling tests: gradients against
// central differences, and parity with a TF.js model on identical weights.
import * as tf from '@tensorflow/tfjs';
import { expect } from 'vitest';
import type { Sequential } from '../../src/models/sequential.js';
import type { Tensor } from '../../src/tensor.js';
import { expectCloseToScale } from './compare.js';
import { makeRandom, randomFloat32 } from './random.js';

/**
 * The worst |central difference − computeGradients| over `samples` parameters drawn from `seed`,
 * relative to the largest gradient (`scale`), with steps ±`step`. An f32 model wants steps of
 * 1e-2 … 1e-3 (smaller ones drown in the loss's rounding); a max pooling wants the small end, so
 * that no step swaps the winner of a window. The parameters are restored.
 */
export function gradientError(model: Sequential, x: Tensor, y: Tensor, { samples = 80, seed = 12, step = 1e-2 } = {}): { error: number; scale: number } {
  const { gradients } = model.computeGradients(x, y);
  const params = model.getParameters();
  const scale = Math.max(...gradients.map(Math.abs));
  const next = makeRandom(seed);
  let worst = 0;
  for (let k = 0; k < samples; k++) {
    const i = Math.floor(next() * params.length);
    const p = params.slice();
    p[i] += step;
    model.setParameters(p);
    const up = model.computeGradients(x, y).loss;
    p[i] -= 2 * step;
    model.setParameters(p);
    const down = model.computeGradients(x, y).loss;
    worst = Math.max(worst, Math.abs((up - down) / (2 * step) - gradients[i]));
  }
  model.setParameters(params);
  return { error: worst / scale, scale };
}

/** The worst difference of each kind of comparison with TF.js so far, relative to the array's scale (for the closing note). */
export const worstVsTfjs = { predictions: 0, weights: 0 };

function close(kind: 'predictions' | 'weights', label: string, got: Float32Array, want: Float32Array): void {
  expectCloseToScale(label, got, want); // ≤ 2e-5 of the array's scale: f32 on both sides
  const scale = want.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
  worstVsTfjs[kind] = Math.max(worstVsTfjs[kind], got.reduce((m, v, i) => Math.max(m, Math.abs(v - want[i])), 0) / scale);
}

/** Every layer's Keras weights in TF.js's getWeights order (kernel, then bias, layer by layer). */
const kerasList = (model: Sequential): Float32Array[] => model.getWeights({ format: 'keras' }).flatMap((w) => Object.values(w).map((v) => v.data));

/**
 * Our model and TF.js's on the same weights (ours perturbed from its seed by `noiseSeed`, so biases
 * are not zero): predictions, then, when `train`, the weights after one SGD step (learning rate 0.5)
 * of MSE on one batch of random targets. Disposes both models.
 */
export async function compareWithTfjs(ours: Sequential, theirs: tf.Sequential, x: Float32Array, xShape: number[], yShape: number[], train: boolean, noiseSeed = 21): Promise<void> {
  const params = ours.getParameters();
  const noise = randomFloat32(params.length, noiseSeed, -0.3, 0.3);
  ours.setParameters(params.map((v, i) => v + noise[i]));
  const before = kerasList(ours);
  theirs.setWeights(theirs.getWeights().map((w, i) => tf.tensor(before[i], w.shape)));
  const xt = tf.tensor(x, xShape);
  const mine = ours.predict({ data: x, shape: xShape });
  expect(mine.shape).toEqual(yShape);
  close('predictions', 'predictions', mine.data, (theirs.predict(xt) as tf.Tensor).dataSync() as Float32Array);
  if (train) {
    const y = randomFloat32(mine.data.length, noiseSeed + 1);
    ours.compile({ loss: 'mse', optimizer: { type: 'sgd', learningRate: 0.5 } });
    await ours.fit({ data: x, shape: xShape }, { data: y, shape: yShape }, { epochs: 1, batchSize: xShape[0], shuffle: false });
    theirs.compile({ loss: 'meanSquaredError', optimizer: tf.train.sgd(0.5) });
    await theirs.fit(xt, tf.tensor(y, yShape), { epochs: 1, batchSize: xShape[0], shuffle: false, verbose: 0 });
    const after = kerasList(ours);
    theirs.getWeights().forEach((w, i) => close('weights', `weight ${i} after one step`, after[i], w.dataSync() as Float32Array));
    expect(Math.max(...after[0].map((v, i) => Math.abs(v - before[0][i])))).toBeGreaterThan(1e-3); // the step moved the first kernel
  }
  ours.dispose();
  theirs.dispose();
}
