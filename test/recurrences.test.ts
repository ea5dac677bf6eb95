// SimpleRNN({ variant: 'linear' | 'residual' | 'diagonal' }) (issue #15): the kernels against the f64
// reference are in cells.test.ts (both builds, masks, SIMD = scalar) and the reference against
// central differences in reference-gradients.test.ts. Here: the task the linear recurrence is for,
// the parameters and layouts of each form, saving, streaming, and the refusals.
import { beforeAll, describe, expect, it } from 'vitest';
import { init } from '../src/engine/init.js';
import { Dense } from '../src/layers/dense.js';
import { SimpleRNN, type SimpleRNNVariant } from '../src/layers/simple-rnn.js';
import { Sequential } from '../src/models/sequential.js';
import { expectSameBits, thrown } from './helpers/compare.js';
import { makeRandom, randomFloat32 } from './helpers/random.js';

beforeAll(async () => {
  await init();
});

/** n sequences of T steps, each with 10 events of ±1 at random steps and 0 elsewhere; the target is their sum / 10 (variance 0.1). */
function countingTask(n: number, T: number, seed: number) {
  const r = makeRandom(seed);
  const x = new Float32Array(n * T);
  const y = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    let sum = 0;
    for (let k = 0; k < 10; k++) {
      const v = r() < 0.5 ? -1 : 1;
      x[i * T + Math.floor(r() * T)] += v;
      sum += v;
    }
    y[i] = sum / 10;
  }
  return { x: { data: x, shape: [n, T, 1] }, y: { data: y, shape: [n, 1] } };
}

describe('SimpleRNN recurrences', () => {
  it('the linear recurrence counts signed events over T = 500 steps; the tanh Elman RNN cannot (it stays at the mean)', async () => {
    const train = countingTask(256, 500, 1);
    const test = countingTask(64, 500, 2);
    const mse: Record<string, number> = {};
    for (const variant of ['linear', 'elman'] as const) {
      const m = new Sequential({ inputSize: 1, seed: 2, layers: [new SimpleRNN({ units: 8, variant }), new Dense({ units: 1 })] });
      m.compile({ loss: 'mse', optimizer: { type: 'adam', learningRate: 0.01 }, clipNorm: 1 });
      await m.fit(train.x, train.y, { epochs: 100, batchSize: 32 });
      mse[variant] = m.evaluate(test.x, test.y).loss;
      m.dispose();
    }
    console.log(`counting over T = 500: held-out MSE linear ${mse.linear.toFixed(4)}, tanh Elman ${mse.elman.toFixed(4)} (predicting the mean: ≈ 0.1)`);
    expect(mse.linear).toBeLessThan(0.01);
    expect(mse.elman).toBeGreaterThan(0.08);
  }, 60_000);

  it('holds W_hh [H, H] (elman, residual), u [H] (diagonal) or nothing (linear); only the Elman form has Keras/PyTorch layouts', () => {
    const shapes: Record<SimpleRNNVariant, number[] | undefined> = { elman: [4, 4], residual: [4, 4], diagonal: [4], linear: undefined };
    for (const variant of Object.keys(shapes) as SimpleRNNVariant[]) {
      const layer = new SimpleRNN({ inputSize: 3, units: 4, variant, seed: 1 });
      expect(layer.getWeights().weightHh?.shape).toEqual(shapes[variant]);
      if (variant === 'elman') expect(Object.keys(layer.getWeights({ format: 'keras' })).sort()).toEqual(['bias', 'kernel', 'recurrent_kernel']);
      else expect(thrown(() => layer.getWeights({ format: 'pytorch' })).message).toBe(`SimpleRNN.getWeights: SimpleRNN variant '${variant}' has no PyTorch counterpart; use format 'native'`);
      layer.dispose();
    }
    expect(thrown(() => new SimpleRNN({ inputSize: 3, units: 4, variant: 'gated' as never })).message).toBe("SimpleRNN: options.variant must be one of 'elman', 'linear', 'residual', 'diagonal', got \"gated\"");
  });

  it.each(['linear', 'residual', 'diagonal'] as const)('%s: saved and loaded to the bit; step() streams the same bits as predict', (variant) => {
    const x = { data: randomFloat32(2 * 6 * 3, 4, -1, 1), shape: [2, 6, 3] };
    const m = new Sequential({ inputSize: 3, seed: 5, layers: [new SimpleRNN({ units: 5, variant, returnSequences: true }), new Dense({ units: 2 })] });
    const noise = randomFloat32(m.paramCount, 6, -0.2, 0.2);
    m.setParameters(m.getParameters().map((v, i) => v + noise[i]));
    const saved = JSON.parse(JSON.stringify(m.toJSON()));
    expect(saved.layers[0].config.variant).toBe(variant);
    const again = Sequential.fromJSON(saved);
    const out = m.predict(x).data;
    expectSameBits('reloaded', again.predict(x).data, out);
    const state = m.initialState(2);
    for (let t = 0; t < 6; t++) {
      const xt = Float32Array.from({ length: 2 * 3 }, (_, k) => x.data[(Math.floor(k / 3) * 6 + t) * 3 + (k % 3)]);
      const yt = m.step({ data: xt, shape: [2, 3] }, state).data;
      for (let b = 0; b < 2; b++) expectSameBits(`step ${t}`, yt.subarray(b * 2, b * 2 + 2), out.subarray((b * 6 + t) * 2, (b * 6 + t) * 2 + 2));
    }
    m.dispose();
    again.dispose();
  });
});
