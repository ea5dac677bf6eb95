// Models: gradients of whole stacks against central differences, masked batches
// against sequences run alone, clipping, NaN rollback, save/resume, streaming,
// memory, and option errors. The trained-quality tasks are in test/tasks.test.ts.
import { beforeAll, describe, expect, it } from 'vitest';
import { init } from '../src/engine/init.js';
import { Backend } from '../src/engine/backend.js';
import { GRU } from '../src/layers/gru.js';
import { LSTM } from '../src/layers/lstm.js';
import { SimpleRNN } from '../src/layers/simple-rnn.js';
import { Bidirectional } from '../src/layers/bidirectional.js';
import { Dense } from '../src/layers/dense.js';
import { Embedding } from '../src/layers/embedding.js';
import { Dropout } from '../src/layers/dropout.js';
import { NonFiniteError, Sequential } from '../src/models/sequential.js';
import { lookbackWindows } from '../src/models/windows.js';
import { expectSameBits } from './helpers/compare.js';
import { makeRandom, randomFloat32 } from './helpers/random.js';

let backend: Backend;
beforeAll(async () => {
  backend = await init();
});

const tensor = (data: Float32Array, shape: number[]) => ({ data, shape });
const labels = (n: number, classes: number, seed: number) => {
  const next = makeRandom(seed);
  return Array.from({ length: n }, () => Math.floor(next() * classes));
};

interface Case {
  name: string;
  make: () => Sequential;
  loss: 'mse' | 'crossEntropy';
  x: (N: number, T: number) => unknown;
  y: (N: number, T: number) => unknown;
  sequenceOutput: boolean;
}

const F = 3;
const cases: Case[] = [
  {
    name: 'LSTM → Dense softmax (per sequence, crossEntropy)',
    make: () => new Sequential({ inputSize: F, seed: 3, layers: [new LSTM({ units: 5 }), new Dense({ units: 4, activation: 'softmax' })] }),
    loss: 'crossEntropy',
    x: (N, T) => tensor(randomFloat32(N * T * F, 11), [N, T, F]),
    y: (N) => labels(N, 4, 5),
    sequenceOutput: false,
  },
  {
    name: 'Embedding → GRU (per step) → Dense linear (mse)',
    make: () => new Sequential({ seed: 4, layers: [new Embedding({ vocabSize: 7, units: 4 }), new GRU({ units: 6, returnSequences: true }), new Dense({ units: 2 })] }),
    loss: 'mse',
    x: (N, T) => ({ data: Float32Array.from(labels(N * T, 7, 9)), shape: [N, T] }),
    y: (N, T) => tensor(randomFloat32(N * T * 2, 12), [N, T, 2]),
    sequenceOutput: true,
  },
  {
    name: 'Bidirectional LSTM concat (per step) → Bidirectional GRU ave → Dense tanh → Dense sigmoid (mse)',
    make: () =>
      new Sequential({
        inputSize: F,
        seed: 5,
        layers: [
          new Bidirectional({ layer: new LSTM({ units: 4, returnSequences: true, variant: 'peephole' }) }),
          new Bidirectional({ layer: new GRU({ units: 3, variant: 'resetBefore' }), merge: 'ave' }),
          new Dense({ units: 5, activation: 'tanh' }),
          new Dense({ units: 2, activation: 'sigmoid' }),
        ],
      }),
    loss: 'mse',
    x: (N, T) => tensor(randomFloat32(N * T * F, 13), [N, T, F]),
    y: (N) => tensor(randomFloat32(N * 2, 14, 0, 1), [N, 2]),
    sequenceOutput: false,
  },
  {
    name: 'SimpleRNN (per step) → Bidirectional SimpleRNN sum (per step) → Dense relu → Dense softmax (per-step crossEntropy)',
    make: () =>
      new Sequential({
        inputSize: F,
        seed: 6,
        layers: [
          new SimpleRNN({ units: 4, returnSequences: true }),
          new Bidirectional({ layer: new SimpleRNN({ units: 3, returnSequences: true, activation: 'sigmoid' }), merge: 'sum' }),
          new Dense({ units: 6, activation: 'relu' }),
          new Dense({ units: 3, activation: 'softmax' }),
        ],
      }),
    loss: 'crossEntropy',
    x: (N, T) => tensor(randomFloat32(N * T * F, 15), [N, T, F]),
    y: (N, T) => ({ data: Float32Array.from(labels(N * T, 3, 16)), shape: [N, T] }),
    sequenceOutput: true,
  },
];

describe('gradients of whole models', () => {
  // Central differences on the f32 model: step 1e-2 makes the truncation error O(1e-4) and the
  // f32 rounding of the loss (summed in f64 from f32 terms, ~1e-7 relative) O(1e-5) after dividing
  // by the step; 2e-3 of the largest gradient bounds both.
  for (const c of cases) {
    it(`${c.name}: analytic = central differences`, () => {
      const model = c.make();
      model.compile({ loss: c.loss, optimizer: 'sgd' });
      const [N, T] = [3, 4];
      const x = c.x(N, T) as never;
      const y = c.y(N, T) as never;
      const { gradients } = model.computeGradients(x, y);
      const params = model.getParameters();
      const scale = Math.max(...gradients.map(Math.abs));
      expect(scale).toBeGreaterThan(1e-4);
      const next = makeRandom(77);
      let worst = 0;
      for (let k = 0; k < 60; k++) {
        const i = Math.floor(next() * params.length);
        const h = 1e-2;
        const plus = params.slice();
        plus[i] += h;
        model.setParameters(plus);
        const up = model.computeGradients(x, y).loss;
        const minus = params.slice();
        minus[i] -= h;
        model.setParameters(minus);
        const down = model.computeGradients(x, y).loss;
        worst = Math.max(worst, Math.abs((up - down) / (2 * h) - gradients[i]));
      }
      model.setParameters(params);
      expect(worst / scale).toBeLessThan(2e-3);
      model.dispose();
    });
  }
});

describe('masked batches', () => {
  for (const c of cases) {
    it(`${c.name}: same loss and gradients as each sequence alone`, () => {
      const model = c.make();
      model.compile({ loss: c.loss, optimizer: 'sgd' });
      const [N, T] = [3, 5];
      const lengths = [5, 2, 3];
      const x = c.x(N, T) as { data: Float32Array; shape: number[] };
      const y = c.y(N, T) as { data: Float32Array; shape: number[] } | number[];
      const batch = model.computeGradients(x, y, { lengths });
      const perStep = x.data.length / (N * T);
      const ys = Array.isArray(y) ? Float32Array.from(y) : y.data;
      const yPer = ys.length / N;
      const weights = c.sequenceOutput ? lengths : lengths.map(() => 1);
      const total = weights.reduce((a, b) => a + b, 0);
      const sum = new Float64Array(batch.gradients.length);
      let loss = 0;
      lengths.forEach((L, i) => {
        const xi = { data: x.data.slice(i * T * perStep, i * T * perStep + L * perStep), shape: [1, L, ...x.shape.slice(2)] };
        const yData = c.sequenceOutput ? ys.slice(i * yPer, i * yPer + (L * yPer) / T) : ys.slice(i * yPer, (i + 1) * yPer);
        const yShape = c.sequenceOutput ? [1, L, ...(c.loss === 'mse' ? [yPer / T] : [])] : [1, ...(c.loss === 'mse' ? [yPer] : [])];
        const alone = model.computeGradients(xi, { data: yData, shape: yShape });
        loss += (alone.loss * weights[i]) / total;
        alone.gradients.forEach((g, k) => (sum[k] += (g * weights[i]) / total));
      });
      expect(batch.loss).toBeCloseTo(loss, 5);
      const scale = Math.max(...batch.gradients.map(Math.abs));
      let worst = 0;
      batch.gradients.forEach((g, k) => (worst = Math.max(worst, Math.abs(g - sum[k]))));
      // Different summation order (batch rows vs separate calls): f32 rounding only.
      expect(worst / scale).toBeLessThan(1e-5);
      model.dispose();
    });
  }
});

describe('clipping', () => {
  it('by global norm: the applied gradient has norm θ when ‖g‖ > θ (SGD, lr 1)', async () => {
    const theta = 1e-3;
    const model = cases[0].make();
    model.compile({ loss: 'crossEntropy', optimizer: { type: 'sgd', learningRate: 1 }, clipNorm: theta });
    const before = model.getParameters();
    const [N, T] = [4, 3];
    await model.fit(cases[0].x(N, T) as never, cases[0].y(N, T) as never, { epochs: 1, batchSize: N, shuffle: false });
    expect(model.lastGradientNorm).toBeGreaterThan(theta * 10);
    const after = model.getParameters();
    let sq = 0;
    for (let i = 0; i < after.length; i++) sq += (after[i] - before[i]) ** 2;
    expect(Math.sqrt(sq) / theta).toBeCloseTo(1, 3);
    model.dispose();
  });

  it('by value: every applied gradient element is within ±clipValue', async () => {
    const model = cases[0].make();
    model.compile({ loss: 'crossEntropy', optimizer: { type: 'sgd', learningRate: 1 }, clipValue: 1e-4 });
    const before = model.getParameters();
    await model.fit(cases[0].x(4, 3) as never, cases[0].y(4, 3) as never, { epochs: 1, batchSize: 4, shuffle: false });
    const after = model.getParameters();
    let moved = 0;
    for (let i = 0; i < after.length; i++) {
      expect(Math.abs(after[i] - before[i])).toBeLessThanOrEqual(1e-4 * (1 + 1e-3) + Math.abs(before[i]) * 1e-7);
      if (after[i] !== before[i]) moved++;
    }
    expect(moved).toBeGreaterThan(after.length / 4);
    model.dispose();
  });

  it('an exploding IRNN (relu, identity recurrence) trains with clipNorm and diverges without', async () => {
    // Adding-problem-like regression over 60 steps: the identity recurrence with relu passes
    // gradients undamped, and a large learning rate makes the first updates blow the weights up.
    const [N, T] = [64, 60];
    const next = makeRandom(21);
    const x = new Float32Array(N * T * 2);
    const y = new Float32Array(N);
    for (let n = 0; n < N; n++) {
      const a = Math.floor(next() * T);
      const b = Math.floor(next() * T);
      for (let t = 0; t < T; t++) {
        const v = next();
        x[(n * T + t) * 2] = v;
        x[(n * T + t) * 2 + 1] = t === a || t === b ? 1 : 0;
        if (t === a || t === b) y[n] += v;
      }
    }
    const run = async (clipNorm?: number) => {
      const model = new Sequential({ inputSize: 2, seed: 1, layers: [new SimpleRNN({ units: 16, activation: 'relu' }), new Dense({ units: 1 })] });
      model.compile({ loss: 'mse', optimizer: { type: 'sgd', learningRate: 0.05 }, clipNorm });
      try {
        const history = await model.fit({ data: x, shape: [N, T, 2] }, { data: y, shape: [N, 1] }, { epochs: 30, batchSize: 16, seed: 2 });
        return history.loss;
      } catch (error) {
        if (error instanceof NonFiniteError) return [Infinity];
        throw error;
      } finally {
        model.dispose();
      }
    };
    const clipped = await run(1);
    const free = await run();
    expect(clipped[clipped.length - 1]).toBeLessThan(clipped[0] * 0.5);
    expect(Math.max(...free)).toBeGreaterThan(1e3 * clipped[0]);
  });
});

describe('robustness', () => {
  it('an overflowing update stops fit with the epoch and batch, and keeps the last good weights', async () => {
    // Targets of 1e30 give gradients near 1e29 (finite: the loss is summed in f64); a learning
    // rate of 1e10 then overflows f32 in the very first update, which must be undone.
    const model = new Sequential({ inputSize: F, seed: 12, layers: [new LSTM({ units: 4 }), new Dense({ units: 1 })] });
    model.compile({ loss: 'mse', optimizer: { type: 'sgd', learningRate: 1e10 } });
    const before = model.getParameters();
    const y = tensor(new Float32Array(8).fill(1e30), [8, 1]);
    const error = await model.fit(cases[0].x(8, 3) as never, y, { epochs: 2, batchSize: 4 }).catch((e) => e);
    expect(error).toBeInstanceOf(NonFiniteError);
    expect(error.message).toMatch(/overflow at epoch 0, batch 0; training stopped with the weights of the last good step/);
    expectSameBits('weights', model.getParameters(), before);
    expect(model.steps).toBe(0);
    model.dispose();
  });

  it('rejects bad options with messages naming them, and leaves the model unchanged', async () => {
    const model = cases[0].make();
    const x = cases[0].x(4, 3) as never;
    const y = cases[0].y(4, 3) as never;
    await expect(model.fit(x, y)).rejects.toThrow(/compile/);
    expect(() => model.compile({ loss: 'mse' })).toThrow(/softmax head/);
    expect(() => model.compile({ loss: 'hinge' as never })).toThrow(/options.loss must be one of 'mse', 'crossEntropy', 'ctc', got "hinge"/);
    expect(() => model.compile({ loss: 'crossEntropy', optimizer: { type: 'adam', learningRate: -1 } })).toThrow(/learningRate/);
    expect(() => model.compile({ loss: 'crossEntropy', optimizer: { type: 'sgd', nesterov: true } })).toThrow(/nesterov needs/);
    model.compile({ loss: 'crossEntropy' });
    const before = model.getParameters();
    await expect(model.fit(x, y, { epochs: 0 })).rejects.toThrow(/options.epochs/);
    await expect(model.fit(x, y, { batchSize: 2.5 })).rejects.toThrow(/options.batchSize/);
    await expect(model.fit(x, y, { validationSplit: 1 })).rejects.toThrow(/validationSplit/);
    await expect(model.fit(x, [0, 1, 2, 9])).rejects.toThrow(/y\[3\] is 9; labels must be integers 0 … 3/);
    await expect(model.fit(x, y, { lengths: [1, 2, 3] })).rejects.toThrow(/lengths must be an array of 4/);
    await expect(model.fit(x, y, { lengths: [1, 2, 3, 4] })).rejects.toThrow(/lengths\[3\]/);
    await expect(model.fit(x, y, { callbacks: { onEpoch: () => {} } as never })).rejects.toThrow(/unknown callback 'onEpoch'/);
    await expect(model.fit(tensor(new Float32Array(4 * 3 * 2), [4, 3, 2]), y)).rejects.toThrow(/inputSize/);
    await expect(model.fit(x, y, { epoch: 3 } as never)).rejects.toThrow(/unknown option 'epoch'/);
    expectSameBits('weights after failed calls', model.getParameters(), before);
    expect(() => new Sequential({ inputSize: 2, layers: [new LSTM({ units: 3 }), new Dense({ units: 2 }), new LSTM({ units: 3 })] })).toThrow(/LSTM needs sequences/);
    expect(() => new Sequential({ inputSize: 2, layers: [new LSTM({ units: 3 }), new LSTM({ units: 3 })] })).toThrow(/returnSequences: true/);
    expect(() => new Sequential({ inputSize: 2, layers: [new LSTM({ units: 3, inputSize: 4 })] })).toThrow(/inputSize 4 but the layer below gives 2/);
    expect(() => new Sequential({ layers: [new Dense({ units: 2 })] })).toThrow(/options.inputSize/);
    model.dispose();
    await expect(model.fit(x, y)).rejects.toThrow(/disposed/);
  });
});

describe('save and resume', () => {
  it('5 epochs, save, load, 5 more == 10 epochs straight, bit for bit (Adam, shuffling, clipping)', async () => {
    const make = () =>
      new Sequential({ inputSize: F, seed: 8, layers: [new LSTM({ units: 6, returnSequences: true }), new GRU({ units: 5 }), new Dense({ units: 3, activation: 'softmax' })] });
    const compile = { loss: 'crossEntropy', optimizer: { type: 'adam', learningRate: 0.01, schedule: { type: 'cosine', totalSteps: 40 } }, clipNorm: 0.5 } as const;
    const x = tensor(randomFloat32(40 * 4 * F, 31), [40, 4, F]);
    const y = labels(40, 3, 32);
    const straight = make();
    straight.compile(compile);
    await straight.fit(x, y, { epochs: 10, batchSize: 8 });
    const first = make();
    first.compile(compile);
    await first.fit(x, y, { epochs: 5, batchSize: 8 });
    const text = JSON.stringify(first.toJSON());
    first.dispose();
    const resumed = Sequential.fromJSON(text);
    expect(resumed.epochsTrained).toBe(5);
    await resumed.fit(x, y, { epochs: 5, batchSize: 8 });
    expect(resumed.steps).toBe(straight.steps);
    expectSameBits('weights', resumed.getParameters(), straight.getParameters());
    expectSameBits('predictions', resumed.predict(x).data, straight.predict(x).data);
    straight.dispose();
    resumed.dispose();
  });

  it('round-trips every layer type; rejects corrupted, truncated and mismatched files', () => {
    const model = cases[2].make();
    const saved = model.toJSON();
    const again = Sequential.fromJSON(saved);
    expectSameBits('weights', again.getParameters(), model.getParameters());
    const x = cases[2].x(2, 3) as never;
    expectSameBits('predictions', again.predict(x).data, model.predict(x).data);
    const text = JSON.stringify(saved);
    expect(() => Sequential.fromJSON(text.slice(0, text.length / 2))).toThrow(/Sequential.fromJSON: not JSON/);
    expect(() => Sequential.fromJSON({ ...saved, version: 99 })).toThrow(/version 99 is not supported/);
    expect(() => Sequential.fromJSON({ ...saved, format: 'x' })).toThrow(/not a saved Sequential/);
    const broken = JSON.parse(text);
    broken.layers[3].weights.bias.data = broken.layers[3].weights.bias.data.slice(4);
    expect(() => Sequential.fromJSON(broken)).toThrow(/layers\[3\].weights.bias is corrupted/);
    const wrong = JSON.parse(text);
    wrong.layers[2].config.units = 7;
    expect(() => Sequential.fromJSON(wrong)).toThrow(/Sequential.fromJSON/);
    const unknown = JSON.parse(text);
    unknown.layers[0].type = 'Conv3D';
    expect(() => Sequential.fromJSON(unknown)).toThrow(/type "Conv3D" is not a layer type/);
    model.dispose();
    again.dispose();
  });
});

describe('streaming', () => {
  it('step() over a sequence with explicit state == predict() on the whole sequence', () => {
    const model = new Sequential({ inputSize: F, seed: 9, layers: [new LSTM({ units: 5, returnSequences: true }), new GRU({ units: 4, returnSequences: true }), new Dense({ units: 2 })] });
    const [N, T] = [2, 6];
    const x = randomFloat32(N * T * F, 41);
    const whole = model.predict(tensor(x, [N, T, F])).data;
    const state = model.initialState(N);
    for (let t = 0; t < T; t++) {
      const xt = new Float32Array(N * F);
      for (let n = 0; n < N; n++) xt.set(x.subarray((n * T + t) * F, (n * T + t + 1) * F), n * F);
      const out = model.step(tensor(xt, [N, F]), state).data;
      for (let n = 0; n < N; n++) {
        for (let o = 0; o < 2; o++) expect(Math.abs(out[n * 2 + o] - whole[(n * T + t) * 2 + o])).toBeLessThan(1e-6);
      }
    }
    expect(state.layers[0]!.c!.some((v) => v !== 0)).toBe(true);
    expect(state.layers[2]).toBeNull();
    expect(() => model.step(tensor(new Float32Array(F), [1, F]), state)).toThrow(/batch/);
    const bi = cases[2].make();
    expect(() => bi.initialState()).toThrow(/Bidirectional/);
    model.dispose();
    bi.dispose();
  });
});

describe('memory', () => {
  it('2,000 training steps do not grow linear memory after the first epoch', async () => {
    const model = new Sequential({ inputSize: F, seed: 10, layers: [new LSTM({ units: 8, returnSequences: true }), new Dense({ units: 1 })] });
    model.compile({ loss: 'mse', optimizer: 'adam', clipNorm: 1 });
    const [N, T] = [40, 6];
    const x = tensor(randomFloat32(N * T * F, 51), [N, T, F]);
    const y = tensor(randomFloat32(N * T, 52), [N, T, 1]);
    const lengths = Array.from({ length: N }, (_, i) => 1 + (i % T));
    await model.fit(x, y, { epochs: 1, batchSize: 4, lengths });
    const after1 = backend.memoryBytes;
    const validationData = { x: tensor(x.data.slice(0, 8 * T * F), [8, T, F]), y: tensor(y.data.slice(0, 8 * T), [8, T, 1]), lengths: lengths.slice(0, 8) };
    await model.fit(x, y, { epochs: 199, batchSize: 4, lengths, validationData });
    expect(model.steps).toBe(2000);
    expect(backend.memoryBytes).toBe(after1);
    model.dispose();
  });
});

describe('helpers', () => {
  it('lookbackWindows builds [N, lookback, F] windows and the value horizon steps ahead', () => {
    const series = [[1, 10], [2, 20], [3, 30], [4, 40], [5, 50]];
    const { x, y } = lookbackWindows(series, { lookback: 2, horizon: 2, target: 1 });
    expect(x.shape).toEqual([2, 2, 2]);
    expect(Array.from(x.data)).toEqual([1, 10, 2, 20, 2, 20, 3, 30]);
    expect(Array.from(y.data)).toEqual([40, 50]);
    expect(() => lookbackWindows([1, 2], { lookback: 2 })).toThrow(/too short for lookback 2 and horizon 1/);
  });
});

describe('whole-model weights in Keras and PyTorch layouts', () => {
  it('getWeights/setWeights round-trip in every format, and a bad entry changes nothing', () => {
    const make = () =>
      new Sequential({
        inputSize: F,
        seed: 13,
        layers: [new Bidirectional({ layer: new LSTM({ units: 4, returnSequences: true }) }), new Bidirectional({ layer: new GRU({ units: 3 }), merge: 'ave' }), new Dense({ units: 5 }), new Dense({ units: 2 })],
      });
    const a = make();
    const b = make();
    b.setParameters(b.getParameters().map((v) => v + 0.25));
    const same = (label: string) =>
      a.getWeights().forEach((w, i) => Object.entries(w).forEach(([k, t]) => expectSameBits(`${label}: layers[${i}].${k}`, b.getWeights()[i][k].data, t.data)));
    for (const format of ['native', 'keras', 'pytorch'] as const) {
      b.setWeights(a.getWeights({ format }), { format });
      same(`weights via ${format}`);
      b.setParameters(b.getParameters().map((v) => v + 0.25));
    }
    const keys = Object.keys(a.getWeights({ format: 'pytorch' })[0]);
    expect(keys).toContain('weight_ih');
    expect(keys).toContain('weight_ih_reverse');
    const before = b.getParameters();
    const bad = a.getWeights({ format: 'keras' });
    delete (bad[3] as Record<string, unknown>).bias;
    expect(() => b.setWeights(bad, { format: 'keras' })).toThrow(/weights\[3\] \(Dense\)/);
    expectSameBits('weights after a rejected setWeights', b.getParameters(), before);
    a.dispose();
    b.dispose();
  });
});

describe('truncated BPTT and the event loop', () => {
  it('tbptt ≥ T is plain BPTT, bit for bit', async () => {
    const run = async (tbptt?: number) => {
      const model = new Sequential({ inputSize: F, seed: 14, layers: [new LSTM({ units: 5, returnSequences: true }), new Dense({ units: 2 })] });
      model.compile({ loss: 'mse', optimizer: 'adam' });
      await model.fit(tensor(randomFloat32(16 * 6 * F, 61), [16, 6, F]), tensor(randomFloat32(16 * 6 * 2, 62), [16, 6, 2]), { epochs: 3, batchSize: 8, tbptt });
      const params = model.getParameters();
      model.dispose();
      return params;
    };
    expectSameBits('tbptt 6 vs none', await run(6), await run());
  });

  it('tbptt k < T carries the state across windows: with (almost) no learning, the windows see the whole-sequence outputs', async () => {
    // A learning rate of 1e-30 leaves every weight as it was (the steps are below half an ulp of
    // the weights, and 1e-30-sized changes of zero biases are far below the tolerance), so each
    // window's loss is the loss of those steps in one forward over the whole sequence — true only
    // if window k starts from window k − 1's final state.
    const [N, T] = [8, 12];
    const x = tensor(randomFloat32(N * T * F, 63), [N, T, F]);
    const y = tensor(randomFloat32(N * T * 2, 64), [N, T, 2]);
    const model = new Sequential({ inputSize: F, seed: 15, layers: [new LSTM({ units: 6, returnSequences: true }), new GRU({ units: 4, returnSequences: true }), new Dense({ units: 2 })] });
    model.compile({ loss: 'mse', optimizer: { type: 'sgd', learningRate: 1e-30 } });
    const whole = model.evaluate(x, y).loss;
    const history = await model.fit(x, y, { epochs: 1, batchSize: N, shuffle: false, tbptt: 5 });
    expect(model.steps).toBe(3); // windows of 5, 5 and 2 steps
    expect(Math.abs(history.loss[0] - whole) / whole).toBeLessThan(1e-9); // measured: 0
    // Without the carried state (each window from a zero state) the windows' loss differs.
    const windowLoss = [[0, 5], [5, 10], [10, 12]].reduce((sum, [a, b]) => {
      const slice = (t: { data: Float32Array }, f: number) => {
        const out = new Float32Array(N * (b - a) * f);
        for (let n = 0; n < N; n++) out.set(t.data.subarray((n * T + a) * f, (n * T + b) * f), n * (b - a) * f);
        return out;
      };
      return sum + (model.evaluate(tensor(slice(x, F), [N, b - a, F]), tensor(slice(y, 2), [N, b - a, 2])).loss * (b - a)) / T;
    }, 0);
    expect(Math.abs(windowLoss - whole) / whole).toBeGreaterThan(2e-5); // measured 1.0e-4 (carried: 0)
    model.dispose();
  });

  it('fit lets timers run between batches', async () => {
    const model = new Sequential({ inputSize: F, seed: 16, layers: [new LSTM({ units: 32 }), new Dense({ units: 1 })] });
    model.compile({ loss: 'mse' });
    let ticks = 0;
    const timer = setInterval(() => ticks++, 5);
    const started = Date.now();
    await model.fit(tensor(randomFloat32(512 * 20 * F, 65), [512, 20, F]), tensor(randomFloat32(512, 66), [512, 1]), { epochs: 10, batchSize: 8 });
    clearInterval(timer);
    const elapsed = Date.now() - started;
    expect(elapsed).toBeGreaterThan(100);
    expect(ticks).toBeGreaterThan(elapsed / 50); // a timer every 5 ms gets through at least every ~50 ms
    model.dispose();
  });
});

describe('dropout', () => {
  it('zeroes about `rate` of the values while training and scales the rest; backward masks the same way; identity at inference', () => {
    const layer = new Dropout({ rate: 0.3, seed: 5 });
    layer.connect('test', { features: 50, sequence: true }, 0);
    const n = 4 * 5 * 50;
    const x = backend.fromArray(randomFloat32(n, 71, 0.5, 1));
    const dOut = backend.fromArray(new Float32Array(n).fill(2));
    const out = layer.modelForward(x.ptr, { T: 4, B: 5, mask: 0, training: true, noise: 7 });
    const heap = backend.heapF32();
    const y = heap.slice(out >>> 2, (out >>> 2) + n);
    const xs = x.read();
    const zeros = y.filter((v) => v === 0).length;
    expect(Math.abs(zeros / n - 0.3)).toBeLessThan(0.04); // 1000 draws: 3.3 standard deviations
    y.forEach((v, i) => expect(v === 0 || Math.abs(v - xs[i] / 0.7) <= 1e-6 * v).toBe(true));
    const dx = layer.modelBackward(dOut.ptr);
    const dX = backend.heapF32().slice(dx >>> 2, (dx >>> 2) + n);
    dX.forEach((v, i) => expect(v).toBe(y[i] === 0 ? 0 : Math.fround(2 * Math.fround(1 / 0.7))));
    // Another noise seed, another mask; the same seed, the same mask.
    const again = layer.modelForward(x.ptr, { T: 4, B: 5, mask: 0, training: true, noise: 7 });
    expectSameBits('same noise', backend.heapF32().slice(again >>> 2, (again >>> 2) + n), y);
    const other = layer.modelForward(x.ptr, { T: 4, B: 5, mask: 0, training: true, noise: 8 });
    expect(backend.heapF32().slice(other >>> 2, (other >>> 2) + n).some((v, i) => (v === 0) !== (y[i] === 0))).toBe(true);
    expect(layer.modelForward(x.ptr, { T: 4, B: 5, mask: 0, training: false })).toBe(x.ptr);
    expect(() => new Dropout({ rate: 1 })).toThrow(/options.rate must be a number in \[0, 1\), got 1/);
    for (const thing of [layer, x, dOut]) thing.dispose();
  });

  it('in a model: predict ignores it, training is seeded and resumes exactly', async () => {
    const make = (seed = 17) =>
      new Sequential({ inputSize: F, seed, layers: [new LSTM({ units: 8, returnSequences: true, seed: 1 }), new Dropout({ rate: 0.5 }), new GRU({ units: 6, seed: 2 }), new Dense({ units: 2, seed: 3 })] });
    const x = tensor(randomFloat32(24 * 4 * F, 72), [24, 4, F]);
    const y = tensor(randomFloat32(24 * 2, 73), [24, 2]);
    const plain = new Sequential({ inputSize: F, seed: 17, layers: [new LSTM({ units: 8, returnSequences: true, seed: 1 }), new GRU({ units: 6, seed: 2 }), new Dense({ units: 2, seed: 3 })] });
    const a = make();
    expectSameBits('predict without dropout', a.predict(x).data, plain.predict(x).data);
    const compile = { loss: 'mse', optimizer: 'adam' } as const;
    a.compile(compile);
    plain.compile(compile);
    await a.fit(x, y, { epochs: 4, batchSize: 8 });
    await plain.fit(x, y, { epochs: 4, batchSize: 8 });
    expect(a.getParameters().some((v, i) => v !== plain.getParameters()[i])).toBe(true); // dropout changed training
    const b = make();
    b.compile(compile);
    await b.fit(x, y, { epochs: 2, batchSize: 8 });
    const c = Sequential.fromJSON(JSON.stringify(b.toJSON()));
    await c.fit(x, y, { epochs: 2, batchSize: 8 });
    expectSameBits('2 + 2 epochs with dropout == 4', c.getParameters(), a.getParameters());
    for (const m of [a, b, c, plain]) m.dispose();
  });
});
