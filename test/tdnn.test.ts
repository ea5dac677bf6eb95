// TDNN (time-delay neural network layer): against its f64 reference read as the equation, on both
// builds; TF.js parity for evenly spaced contexts (tf conv1d with dilationRate on an input padded by
// hand); gradients of whole models against central differences (dense and expanded kernels, masks);
// causality and the receptive field measured; masks; weight layouts; saving; errors; and the
// trained-quality task of issue #12: y_t = x_{t−3}·x_{t−1} is learnt with context −3..0 and not
// with −1..0.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { init } from '../src/engine/init.js';
import { TDNN } from '../src/layers/tdnn.js';
import { Dense } from '../src/layers/dense.js';
import { LSTM } from '../src/layers/lstm.js';
import { Embedding } from '../src/layers/embedding.js';
import { Sequential } from '../src/models/sequential.js';
import { LAYER_TYPES } from '../src/models/saving.js';
import { tdnnForwardReference } from '../src/reference/tdnn.js';
import { BUILDS, backendFor } from './helpers/backends.js';
import { expectCloseToScale, expectSameBits, expectWithinBound, thrown } from './helpers/compare.js';
import { makeRandom, randomFloat32 } from './helpers/random.js';
import { gamma } from './helpers/tolerance.js';

beforeAll(async () => {
  await init();
  await tf.setBackend('cpu');
});

const t = (data: Float32Array, shape: number[]) => ({ data, shape });

/** Contexts that exercise every lattice: evenly spaced around 0, sparse, causal, all behind, all ahead, single offsets. */
const CONTEXTS = [[-2, 0, 2], [-1, 0, 1], [-3, 0, 3], [-6, -3, 0], [-4, -1, 0], [-4, -1, 1], [-3, -1], [2, 4], [0], [-5], [1], [-3, -2, -1, 0]];

describe('TDNN against the reference y[t] = f(b + Σ_j W_j · x[t + context_j])', () => {
  for (const { name, simd } of BUILDS) {
    it(`${name} build: every context, T from 2 (windows longer than the sequence) to 9; SIMD = scalar bit for bit`, async () => {
      // Linear: rigorous bound γ_{K·C+2}·(|b| + Σ|w·x|) (the lattice kernel sums K·C products, the
      // zero taps exactly). tanh on top: 1-Lipschitz, plus its kernel's 1 ULP and the rounding to f32.
      const backend = await backendFor(simd);
      const other = await backendFor(!simd);
      const [N, C, F] = [3, 3, 5];
      for (const context of CONTEXTS) {
        for (const T of [2, 9]) {
          for (const activation of ['linear', 'tanh'] as const) {
            const label = `context [${context.join(', ')}], T ${T}, ${activation}`;
            const run = (b: typeof backend) => {
              const model = new Sequential({ inputSize: C, seed: 3, layers: [new TDNN({ units: F, context, activation, backend: b })] });
              model.setParameters(randomFloat32(model.getParameters().length, 4));
              const x = randomFloat32(N * T * C, 5, -2, 2);
              const y = model.predict(t(x, [N, T, C])).data;
              const w = model.getWeights()[0];
              model.dispose();
              return { x, y, w };
            };
            const { x, y, w } = run(backend);
            expectSameBits(`${label}: SIMD = scalar`, y, run(other).y);
            const want = tdnnForwardReference(x, N, T, C, w.weight.data, w.bias.data, F, context, activation);
            const abs = tdnnForwardReference(x.map(Math.abs), N, T, C, w.weight.data.map(Math.abs), w.bias.data.map(Math.abs), F, context, 'linear');
            const span = Math.max(context.at(-1)!, 0) - Math.min(context[0], 0) + 1; // lattice taps ≤ span
            const bound = Float64Array.from(abs, (v, i) => gamma(span * C + 2) * v + (activation === 'tanh' ? 2 ** -22 * Math.abs(want[i]) : 0) + Number.MIN_VALUE);
            expectWithinBound(label, y, want, bound);
          }
        }
      }
    });
  }
});

describe('TDNN against TensorFlow.js (conv1d with dilationRate, zero padding added by hand)', () => {
  // Tolerance as in tfjs-models.test.ts: ≤ 2e-5 of each array's scale (f32 on both sides, TF.js's cpu sums in f64).
  // An evenly spaced context with spacing d is conv1d(dilationRate d) on the input with −min zero
  // steps before and max after, 'valid'. TF.js has no gradient for dilationRate > 1: spacing 2
  // compares predictions only; spacing 1 also the weights after one SGD step.
  for (const c of [
    { context: [-2, 0, 2], activation: 'relu' as const },
    { context: [-1, 0, 1], activation: 'tanh' as const },
    { context: [-2, -1, 0], activation: 'linear' as const },
  ]) {
    const spacing = c.context[1] - c.context[0];
    it(`context [${c.context.join(', ')}], ${c.activation}: predictions${spacing === 1 ? ', and the weights after one SGD step' : ''}`, async () => {
      const [N, T, C, F] = [3, 8, 4, 5];
      const before = -c.context[0];
      const after = Math.max(c.context.at(-1)!, 0);
      const ours = new Sequential({ inputSize: C, seed: 3, layers: [new TDNN({ units: F, context: c.context, activation: c.activation }), new Dense({ units: 2 })] });
      const params = ours.getParameters();
      const noise = randomFloat32(params.length, 4, -0.3, 0.3);
      ours.setParameters(params.map((v, i) => v + noise[i]));
      const P = T + before + after;
      const theirs = tf.sequential({
        layers: [
          tf.layers.conv1d({ filters: F, kernelSize: c.context.length, dilationRate: spacing, padding: 'valid', activation: c.activation, inputShape: [P, C] }),
          tf.layers.dense({ units: 2 }),
        ],
      });
      const keras = ours.getWeights({ format: 'keras' });
      expect(keras[0].kernel.shape).toEqual([3, C, F]);
      theirs.setWeights([keras[0].kernel, keras[0].bias, keras[1].kernel, keras[1].bias].map((w) => tf.tensor(w.data, w.shape)));
      const x = randomFloat32(N * T * C, 5, -2, 2);
      const padded = new Float32Array(N * P * C);
      for (let n = 0; n < N; n++) padded.set(x.subarray(n * T * C, (n + 1) * T * C), (n * P + before) * C);
      const xt = tf.tensor3d(padded, [N, P, C]);
      expectCloseToScale('predictions', ours.predict(t(x, [N, T, C])).data, (theirs.predict(xt) as tf.Tensor).dataSync() as Float32Array);
      if (spacing === 1) {
        const y = randomFloat32(N * T * 2, 6);
        ours.compile({ loss: 'mse', optimizer: { type: 'sgd', learningRate: 0.5 } });
        await ours.fit(t(x, [N, T, C]), t(y, [N, T, 2]), { epochs: 1, batchSize: N, shuffle: false });
        theirs.compile({ loss: 'meanSquaredError', optimizer: tf.train.sgd(0.5) });
        await theirs.fit(xt, tf.tensor3d(y, [N, T, 2]), { epochs: 1, batchSize: N, shuffle: false, verbose: 0 });
        const mine = ours.getWeights({ format: 'keras' });
        const flat = [mine[0].kernel, mine[0].bias, mine[1].kernel, mine[1].bias].map((w) => w.data);
        theirs.getWeights().forEach((w, i) => expectCloseToScale(`weight ${i} after one step`, flat[i], w.dataSync() as Float32Array));
        expect(Math.max(...flat[0].map((v, i) => Math.abs(v - keras[0].kernel.data[i])))).toBeGreaterThan(1e-3); // the step moved the kernel
      }
      ours.dispose();
      theirs.dispose();
    });
  }
});

/** Worst |central difference − gradient| over `count` parameters (all when count ≥ their number), and the gradients' scale. */
function centralDifferences(model: Sequential, x: { data: Float32Array; shape: number[] }, y: { data: Float32Array; shape: number[] }, options: { lengths?: number[] }, count: number, seed: number) {
  const { gradients } = model.computeGradients(x, y, options);
  const params = model.getParameters();
  const next = makeRandom(seed);
  const indices = count >= params.length ? params.map((_, i) => i) : Array.from({ length: count }, () => Math.floor(next() * params.length));
  let worst = 0;
  for (const i of indices) {
    const p = params.slice();
    p[i] += 1e-2;
    model.setParameters(p);
    const up = model.computeGradients(x, y, options).loss;
    p[i] -= 2e-2;
    model.setParameters(p);
    const down = model.computeGradients(x, y, options).loss;
    worst = Math.max(worst, Math.abs((up - down) / 2e-2 - gradients[i]));
  }
  model.setParameters(params);
  return { worst, scale: Math.max(...gradients.map(Math.abs)) };
}

describe('TDNN in a Sequential', () => {
  // f32 models, step 1e-2, error ≤ 2e-3 of the largest gradient, as in models.test.ts.
  it('TDNN([-4, -1, 1], tanh; a sparse kernel with zero taps) → LSTM → Dense, masked: every gradient = central differences', () => {
    const [N, T, C] = [2, 7, 3];
    const model = new Sequential({ inputSize: C, seed: 9, layers: [new TDNN({ units: 4, context: [-4, -1, 1], activation: 'tanh' }), new LSTM({ units: 3 }), new Dense({ units: 2 })] });
    model.compile({ loss: 'mse', optimizer: 'sgd' });
    const { worst, scale } = centralDifferences(model, t(randomFloat32(N * T * C, 10), [N, T, C]), t(randomFloat32(N * 2, 11), [N, 2]), { lengths: [7, 4] }, 200, 12);
    expect(scale).toBeGreaterThan(1e-3);
    expect(worst / scale).toBeLessThan(2e-3);
    model.dispose();
  });

  it('TDNN([-2, 0, 2], sigmoid) → TDNN([-3], linear) → Dense, every step a target: every gradient = central differences', () => {
    const [N, T, C] = [3, 6, 2];
    const model = new Sequential({ inputSize: C, seed: 4, layers: [new TDNN({ units: 3, context: [-2, 0, 2], activation: 'sigmoid' }), new TDNN({ units: 3, context: [-3] }), new Dense({ units: 2 })] });
    model.compile({ loss: 'mse', optimizer: 'sgd' });
    const { worst, scale } = centralDifferences(model, t(randomFloat32(N * T * C, 13), [N, T, C]), t(randomFloat32(N * T * 2, 14), [N, T, 2]), {}, Infinity, 15);
    expect(scale).toBeGreaterThan(1e-3);
    expect(worst / scale).toBeLessThan(2e-3);
    model.dispose();
  });

  it('reads exactly its offsets: the input steps that change output t are t + context (measured), the receptive field max − min + 1; causal contexts bit for bit', () => {
    const [T, C, F] = [14, 2, 3];
    for (const context of [[-4, -1, 0], [-3, -1], [-2, 0, 2], [2, 4], [-5]]) {
      const layer = new TDNN({ units: F, context, activation: 'tanh' });
      const model = new Sequential({ inputSize: C, seed: 1, layers: [layer] });
      expect(layer.receptiveField).toBe(context.at(-1)! - context[0] + 1);
      const x = randomFloat32(T * C, 2);
      const base = model.predict(t(x, [1, T, C])).data;
      const at = 7;
      const seen: number[] = [];
      for (let s = 0; s < T; s++) {
        const probe = x.slice();
        probe[s * C] += 1;
        probe[s * C + 1] -= 1;
        const out = model.predict(t(probe, [1, T, C])).data;
        let changed = false;
        for (let f = 0; f < F; f++) if (out[at * F + f] !== base[at * F + f]) changed = true;
        if (changed) seen.push(s - at);
        if (context.at(-1)! <= 0) {
          // Causal: every output before s is bit-identical.
          expectSameBits(`context [${context.join(', ')}]: outputs before step ${s}`, out.subarray(0, s * F), base.subarray(0, s * F));
        }
      }
      expect(seen).toEqual(context);
      expect(seen.at(-1)! - seen[0] + 1).toBe(layer.receptiveField);
      model.dispose();
    }
  });

  it('with a mask and look-ahead, each sequence\'s real steps equal the sequence run alone (padded steps are zeroed, not read)', () => {
    const [T, C] = [7, 2];
    for (const context of [[-1, 0, 2], [-2, 0]]) {
      const model = new Sequential({ inputSize: C, seed: 4, layers: [new TDNN({ units: 3, context }), new Dense({ units: 1 })] });
      const x = randomFloat32(2 * T * C, 5);
      const lengths = [7, 4];
      const batch = model.predict(t(x, [2, T, C]), { lengths }).data;
      for (let b = 0; b < 2; b++) {
        const alone = model.predict(t(x.slice(b * T * C, (b * T + lengths[b]) * C), [1, lengths[b], C])).data;
        expectSameBits(`context [${context.join(', ')}], sequence ${b}`, batch.subarray(b * T, b * T + lengths[b]), alone);
      }
      model.dispose();
    }
  });

  it('weights in every layout (PyTorch: nn.Conv1d\'s [units, C_in, numOffsets], column j for context[j]), saving and loading', () => {
    const [N, T, C, F] = [2, 6, 3, 4];
    const context = [-4, -1, 0];
    const model = new Sequential({ inputSize: C, seed: 2, layers: [new TDNN({ units: F, context, activation: 'relu' }), new Dense({ units: 1 })] });
    const torch = model.getWeights({ format: 'pytorch' });
    const keras = model.getWeights({ format: 'keras' });
    expect(torch[0].weight.shape).toEqual([F, C, 3]);
    expect(keras[0].kernel.shape).toEqual([3, C, F]);
    expect(Object.keys(model.getWeights()[0])).toEqual(['weight', 'bias']);
    // PyTorch weight[f][c][j] is the native kernel[j][c][f]: it multiplies x[t + context[j]][c] into output f.
    expect(torch[0].weight.data[(3 * C + 1) * 3 + 2]).toBe(keras[0].kernel.data[(2 * C + 1) * F + 3]);
    const x = t(randomFloat32(N * T * C, 3), [N, T, C]);
    const w = torch[0].weight.data;
    const fromTorch = new Float32Array(3 * C * F);
    for (let f = 0; f < F; f++) for (let c = 0; c < C; c++) for (let j = 0; j < 3; j++) fromTorch[(j * C + c) * F + f] = w[(f * C + c) * 3 + j];
    const hidden = tdnnForwardReference(x.data, N, T, C, fromTorch, torch[0].bias.data, F, context, 'relu');
    const dense = model.getWeights()[1];
    const want = new Float64Array(N * T);
    for (let r = 0; r < N * T; r++) {
      want[r] = dense.bias.data[0];
      for (let f = 0; f < F; f++) want[r] += hidden[r * F + f] * dense.weight.data[f];
    }
    expectCloseToScale('the PyTorch layout read as the equation', model.predict(x).data, Float32Array.from(want), 1e-6);
    const other = new Sequential({ inputSize: C, seed: 7, layers: [new TDNN({ units: F, context, activation: 'relu' }), new Dense({ units: 1 })] });
    other.setWeights(torch, { format: 'pytorch' });
    expectSameBits('pytorch round trip', other.getParameters(), model.getParameters());
    other.setWeights(keras, { format: 'keras' });
    expectSameBits('keras round trip', other.getParameters(), model.getParameters());
    const json = JSON.parse(JSON.stringify(model.toJSON()));
    expect(json.layers[0].config).toEqual({ units: F, context, activation: 'relu', useBias: true, inputSize: C, seed: (model.layers[0] as TDNN).seed });
    const again = Sequential.fromJSON(json);
    expectSameBits('saved and loaded', again.predict(x).data, model.predict(x).data);
    expect((again.layers[0] as TDNN).context).toEqual(context);
    const noBias = new TDNN({ units: 2, context: [0, 1], useBias: false, inputSize: 2 });
    expect(Object.keys(noBias.getWeights({ format: 'pytorch' }))).toEqual(['weight']);
    noBias.dispose();
    for (const m of [model, other, again]) m.dispose();
  });

  it('clear errors', () => {
    expect(thrown(() => new TDNN({ units: 4, context: 3 as never }))).toEqual({ type: 'TypeError', message: 'TDNN: options.context must be a non-empty array of strictly increasing integer time offsets (e.g. [-2, 0, 2]), got 3' });
    expect(thrown(() => new TDNN({ units: 4, context: [] }))).toEqual({ type: 'RangeError', message: 'TDNN: options.context must be a non-empty array of strictly increasing integer time offsets (e.g. [-2, 0, 2]), got Array(0)' });
    expect(thrown(() => new TDNN({ units: 4, context: [-1, 0.5] }))).toEqual({ type: 'RangeError', message: 'TDNN: options.context[1] must be an integer, got 0.5' });
    expect(thrown(() => new TDNN({ units: 4, context: [-1, '0'] as never }))).toEqual({ type: 'TypeError', message: 'TDNN: options.context[1] must be an integer, got "0"' });
    expect(thrown(() => new TDNN({ units: 4, context: [0, 2, 2] }))).toEqual({ type: 'RangeError', message: 'TDNN: options.context must be strictly increasing, but context[2] = 2 follows context[1] = 2' });
    expect(thrown(() => new TDNN({ units: 4, context: [1, -1] }))).toEqual({ type: 'RangeError', message: 'TDNN: options.context must be strictly increasing, but context[1] = -1 follows context[0] = 1' });
    expect(thrown(() => new TDNN({ units: 4, context: [-70000, 0] }))).toEqual({ type: 'RangeError', message: 'TDNN: options.context[0] must be in [-65535, 65535], got -70000' });
    expect(thrown(() => new TDNN({ units: 0, context: [0] }))).toEqual({ type: 'RangeError', message: 'TDNN: options.units must be ≥ 1, got 0' });
    expect(thrown(() => new TDNN({ units: 2, context: [0], activation: 'softmax' as never }))).toEqual({ type: 'RangeError', message: "TDNN: options.activation must be one of 'linear', 'relu', 'tanh', 'sigmoid', got \"softmax\"" });
    expect(thrown(() => new TDNN({ units: 2, context: [0], dilation: 2 } as never))).toEqual({ type: 'RangeError', message: "TDNN: unknown option 'dilation' (known: units, context, activation, useBias, inputSize, seed, backend)" });
    expect(thrown(() => new Sequential({ layers: [new Embedding({ vocabSize: 5, units: 2 }), new LSTM({ units: 2 }), new TDNN({ units: 2, context: [0] })] }))).toEqual({
      type: 'RangeError', message: 'Sequential: layers[2]: TDNN needs sequences of feature vectors as input, but gets one vector per sequence (set returnSequences: true on the layer below)',
    });
    const layer = new TDNN({ units: 2, context: [-1, 0], inputSize: 3 });
    expect(thrown(() => layer.setWeights({ weight: [[[1, 2]]] }))).toEqual({ type: 'RangeError', message: 'TDNN.setWeights: weights.weight has shape [1, 1, 2] (2 values) but must be [2, 3, 2]' });
    expect(thrown(() => new Sequential({ inputSize: 4, layers: [layer] }))).toEqual({ type: 'RangeError', message: 'Sequential: layers[0]: TDNN has inputSize 3 but the layer below gives 4 features' });
    layer.dispose();
    const unbuilt = new TDNN({ units: 2, context: [0] });
    expect(thrown(() => unbuilt.getWeights())).toEqual({ type: 'Error', message: 'TDNN.getWeights: this layer has no weights yet: give options.inputSize, or use it in a Sequential' });
    unbuilt.dispose();
    expect(Object.keys(LAYER_TYPES)).toContain('TDNN');
    expect(thrown(() => new Sequential({ inputSize: 1, layers: [{ kind: 'TDNN' } as never] }))).toEqual({
      type: 'TypeError', message: `Sequential: options.layers[0] must be a layer (${Object.keys(LAYER_TYPES).join(', ')}), got Object`,
    });
  });
});

describe('TDNN learns what its context sees (issue #12)', () => {
  it('y_t = x_{t−3}·x_{t−1}: context −3..0 reaches held-out MSE < 1e-3; context −1..0 cannot (> 10× that, ≈ the variance)', async () => {
    // TDNN(context, 16 tanh) → TDNN([0], 1 linear); Adam 0.01, 100 epochs of 256 sequences × 24 steps.
    // A product needs the nonlinearity: 16 tanh units of two inputs fit it well. Predicting 0
    // scores E[x²]² = 1/9 on steps t ≥ 3, ≈ 0.1 over all steps; without x_{t−3} nothing better exists.
    const [N, T] = [256, 24];
    const next = makeRandom(31);
    const make = () => {
      const x = Float32Array.from({ length: N * T }, () => next() * 2 - 1);
      const y = x.map((_, i) => (i % T >= 3 ? x[i - 3] * x[i - 1] : 0));
      return { x: t(x, [N, T, 1]), y: t(y, [N, T, 1]) };
    };
    const train = make();
    const test = make();
    const mse: number[] = [];
    for (const context of [[-3, -2, -1, 0], [-1, 0]]) {
      const model = new Sequential({ inputSize: 1, seed: 1, layers: [new TDNN({ units: 16, context, activation: 'tanh' }), new TDNN({ units: 1, context: [0] })] });
      model.compile({ loss: 'mse', optimizer: { type: 'adam', learningRate: 0.01 } });
      await model.fit(train.x, train.y, { epochs: 100, batchSize: 32 });
      mse.push(model.evaluate(test.x, test.y).loss);
      model.dispose();
    }
    console.log(`TDNN y_t = x_{t−3}·x_{t−1}: held-out MSE ${mse[0].toExponential(3)} (context −3..0), ${mse[1].toExponential(3)} (context −1..0)`);
    expect(mse[0]).toBeLessThan(1e-3);
    expect(mse[1]).toBeGreaterThan(10 * mse[0]);
    expect(mse[1]).toBeGreaterThan(0.05);
  });
});
