// Trained quality of a small CNN: the UCI 8×8 handwritten digits (test/helpers/digits.ts reads
// test/data/digits.csv.gz, 1,797 images, vendored with its licence in test/data/README.md). The
// split is fixed: the last 360 images are the test set. The file is in the order of its writers,
// so these are digits of people the network never saw (harder than a shuffled split: the same
// network without the shifted copies and dropout below stops at ≈ 96 %). Training sees each of
// the first 1,437 images and four copies shifted by one pixel (up, down, left, right).
import { beforeAll, expect, it } from 'vitest';
import { init } from '../src/engine/init.js';
import { Conv2D } from '../src/layers/conv2d.js';
import { Dense } from '../src/layers/dense.js';
import { Dropout } from '../src/layers/dropout.js';
import { Flatten } from '../src/layers/flatten.js';
import { MaxPooling2D } from '../src/layers/pooling.js';
import { Sequential } from '../src/models/sequential.js';
import { readDigits } from './helpers/digits.js';

beforeAll(async () => {
  await init();
});

/** Each image and its four copies shifted by one pixel (zeros shifted in). */
function withShifts(x: Float32Array, y: Int32Array, N: number): { x: Float32Array; y: Int32Array } {
  const shifts = [[0, 0], [1, 0], [-1, 0], [0, 1], [0, -1]];
  const out = new Float32Array(N * shifts.length * 64);
  const labels = new Int32Array(N * shifts.length);
  for (let i = 0; i < N; i++) {
    shifts.forEach(([dr, dc], s) => {
      const at = (i * shifts.length + s) * 64;
      labels[i * shifts.length + s] = y[i];
      for (let r = 0; r < 8; r++) {
        for (let c = 0; c < 8; c++) {
          const [from, to] = [r - dr, c - dc];
          if (from >= 0 && from < 8 && to >= 0 && to < 8) out[at + r * 8 + c] = x[i * 64 + from * 8 + to];
        }
      }
    });
  }
  return { x: out, y: labels };
}

it('a small CNN (Conv2D → MaxPooling2D → Conv2D → MaxPooling2D → Flatten → Dense softmax) reaches ≥ 97 % on digits of unseen writers', async () => {
  const { x, y, N } = readDigits();
  expect(N).toBe(1797);
  const test = 360;
  const train = N - test;
  const shifted = withShifts(x.subarray(0, train * 64), y.subarray(0, train), train);
  const model = new Sequential({
    inputShape: [8, 8, 1], seed: 1, layers: [
      new Conv2D({ filters: 16, kernelSize: 3, padding: 'same', activation: 'relu' }), // 8×8×16
      new MaxPooling2D(), // 4×4×16
      new Conv2D({ filters: 32, kernelSize: 3, padding: 'same', activation: 'relu' }), // 4×4×32
      new MaxPooling2D(), // 2×2×32
      new Flatten(),
      new Dropout({ rate: 0.25 }),
      new Dense({ units: 10, activation: 'softmax' }),
    ],
  });
  const [epochs, batchSize] = [8, 32];
  const samples = shifted.y.length;
  model.compile({ loss: 'crossEntropy', optimizer: { type: 'adam', learningRate: 0.01, schedule: { type: 'cosine', totalSteps: epochs * Math.ceil(samples / batchSize) } } });
  const start = performance.now();
  const history = await model.fit({ data: shifted.x, shape: [samples, 8, 8, 1] }, { data: shifted.y, shape: [samples] }, { epochs, batchSize });
  const seconds = (performance.now() - start) / 1000;
  const { accuracy } = model.evaluate({ data: x.subarray(train * 64), shape: [test, 8, 8, 1] }, { data: y.subarray(train), shape: [test] });
  console.log(`digits CNN: test accuracy ${accuracy!.toFixed(4)} (${Math.round(accuracy! * test)}/${test}) after ${epochs} epochs over ${samples} images in ${seconds.toFixed(1)} s; training loss ${history.loss[0].toFixed(3)} → ${history.loss[epochs - 1].toFixed(3)}`);
  expect(history.loss[epochs - 1]).toBeLessThan(history.loss[0]);
  expect(accuracy).toBeGreaterThanOrEqual(0.97);
  model.dispose();
});
