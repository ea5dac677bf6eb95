// Streaming convolutions: Sequential.step() through a causal Conv1D or a causal TDNN carries each
// layer's last R input rows as { history } in the user's state. Stepping B streams through T steps
// gives predict()'s outputs on the same prefix bit for bit: each step builds the same window of
// input rows (history ++ x, zeros before the start as predict's padding is) and runs the same conv
// kernel and GEMM over it, and every other layer (LSTM, Dense) computes a step's row in the same
// order whatever the number of rows. States are validated; refusals say why.
import { beforeAll, describe, expect, it } from 'vitest';
import { init } from '../src/engine/init.js';
import { Conv1D } from '../src/layers/conv1d.js';
import { TDNN } from '../src/layers/tdnn.js';
import { Dense } from '../src/layers/dense.js';
import { LSTM } from '../src/layers/lstm.js';
import { GRU } from '../src/layers/gru.js';
import { Embedding } from '../src/layers/embedding.js';
import { Dropout } from '../src/layers/dropout.js';
import { GlobalAveragePooling1D } from '../src/layers/global-pooling.js';
import { Sequential, type SequentialLayer } from '../src/models/sequential.js';
import { expectSameBits, thrown } from './helpers/compare.js';
import { randomFloat32 } from './helpers/random.js';

beforeAll(async () => {
  await init();
});

const t = (data: Float32Array, shape: number[]) => ({ data, shape });

/** Steps B streams of x [B, T, C] through model.step from initialState; checks every step against predict bit for bit. Returns the final state. */
function expectStepsEqualPredict(label: string, model: Sequential, x: Float32Array, B: number, T: number, C: number) {
  const O = model.outputSize;
  const whole = model.predict(t(x, [B, T, C])).data;
  const state = model.initialState(B);
  for (let s = 0; s < T; s++) {
    const xs = new Float32Array(B * C);
    for (let b = 0; b < B; b++) xs.set(x.subarray((b * T + s) * C, (b * T + s + 1) * C), b * C);
    const out = model.step(t(xs, [B, C]), state).data;
    const want = new Float32Array(B * O);
    for (let b = 0; b < B; b++) want.set(whole.subarray((b * T + s) * O, (b * T + s + 1) * O), b * O);
    expectSameBits(`${label}, step ${s}`, out, want);
  }
  return state;
}

describe('step() through causal convolutions = predict() on the same prefix, bit for bit', () => {
  const cases: { name: string; make: () => SequentialLayer[]; history: number[] }[] = [
    {
      name: 'Conv1D (causal, K 3, dilation 2, tanh) → LSTM → Dense',
      make: () => [new Conv1D({ filters: 4, kernelSize: 3, dilation: 2, activation: 'tanh' }), new LSTM({ units: 5, returnSequences: true }), new Dense({ units: 2 })],
      history: [4 * 3], // R = (K − 1)·d = 4 steps × C = 3 channels
    },
    {
      name: 'TDNN([-4, -1, 0], relu; sparse) → TDNN([-3, -1]; all behind) → Dense',
      make: () => [new TDNN({ units: 4, context: [-4, -1, 0], activation: 'relu' }), new TDNN({ units: 3, context: [-3, -1] }), new Dense({ units: 2 })],
      history: [4 * 3, 3 * 4], // R = −min(context)
    },
    {
      name: 'Conv1D (causal, groups 3, K 2) → GRU → Dropout → TDNN([-6, -3, 0], sigmoid) → Conv1D (K 1)',
      make: () => [new Conv1D({ filters: 6, kernelSize: 2, groups: 3 }), new GRU({ units: 4, returnSequences: true }), new Dropout({ rate: 0.3 }), new TDNN({ units: 3, context: [-6, -3, 0], activation: 'sigmoid' }), new Conv1D({ filters: 2, kernelSize: 1 })],
      history: [1 * 3, 6 * 4, 0],
    },
  ];
  for (const c of cases) {
    it(`${c.name}: B = 3 streams × 13 steps; initialState is zeros of B·R·C; the history holds the last R inputs`, () => {
      const [B, T, C] = [3, 13, 3];
      const model = new Sequential({ inputSize: C, seed: 5, layers: c.make() });
      model.setParameters(randomFloat32(model.getParameters().length, 6, -0.6, 0.6));
      const initial = model.initialState(B);
      const histories = initial.layers.filter((l) => l?.history !== undefined).map((l) => l!.history!);
      expect(histories.map((h) => h.length)).toEqual(c.history.map((n) => B * n));
      expect(histories.every((h) => h.every((v) => v === 0))).toBe(true);
      const x = randomFloat32(B * T * C, 7, -2, 2);
      const state = expectStepsEqualPredict(c.name, model, x, B, T, C);
      // The first layer's history is its last R input rows, [R, B, C] time-major, oldest first.
      const R = c.history[0] / C;
      const want = new Float32Array(R * B * C);
      for (let r = 0; r < R; r++) for (let b = 0; b < B; b++) want.set(x.subarray((b * T + T - R + r) * C, (b * T + T - R + r + 1) * C), (r * B + b) * C);
      expectSameBits('the first layer\'s history', state.layers[0]!.history!, want);
      model.dispose();
    });
  }

  it('generate() (one-hot tokens → causal Conv1D → LSTM → softmax Dense) picks the argmax of predict() on each prefix', () => {
    const V = 5;
    const model = new Sequential({ inputSize: V, seed: 3, layers: [new Conv1D({ filters: 6, kernelSize: 3, dilation: 2, activation: 'relu' }), new LSTM({ units: 8, returnSequences: true }), new Dense({ units: V, activation: 'softmax' })] });
    model.setParameters(randomFloat32(model.getParameters().length, 8, -1, 1));
    const prefix = [1, 4, 0];
    const tokens = [...prefix, ...model.generate({ prefix, length: 8 })];
    for (let n = prefix.length; n < tokens.length; n++) {
      const x = new Float32Array(n * V);
      tokens.slice(0, n).forEach((id, s) => (x[s * V + id] = 1));
      const probs = model.predict(t(x, [1, n, V])).data.subarray((n - 1) * V, n * V);
      expect(tokens[n]).toBe(probs.indexOf(Math.max(...probs)));
    }
    model.dispose();
  });
});

describe('streaming states and refusals', () => {
  const make = () => new Sequential({ inputSize: 2, seed: 1, layers: [new Conv1D({ filters: 3, kernelSize: 3 }), new LSTM({ units: 2, returnSequences: true }), new TDNN({ units: 2, context: [-1, 0] })] });

  it('state.layers[i].history is checked: a Float32Array of B·R·C values, finite; a refused step leaves the state as it was', () => {
    const model = make();
    const state = model.initialState(2);
    model.step([[1, 2], [3, 4]], state);
    const copy = state.layers.map((l) => ({ ...l }));
    const before = state.layers[0]!.history!.slice();
    state.layers[0]!.history![5] = NaN;
    expect(thrown(() => model.step([[1, 2], [3, 4]], state))).toEqual({ type: 'RangeError', message: 'Sequential.step: state.layers[0].history[5] is NaN; histories must be finite' });
    state.layers[0]!.history![5] = before[5];
    expectSameBits('history after the refused step', state.layers[0]!.history!, before);
    expect(state.layers.map((l) => ({ ...l }))).toEqual(copy);
    state.layers[2] = { history: new Float32Array(3) };
    expect(thrown(() => model.step([[1, 2], [3, 4]], state))).toEqual({
      type: 'TypeError',
      message: 'Sequential.step: state.layers[2].history must be a Float32Array of 4 values (batch 2 × 1 steps × 2 channels of layers[2] TDNN, as initialState() of this model gives it), got Float32Array(3)',
    });
    state.layers[2] = { h: new Float32Array(4) };
    expect(thrown(() => model.step([[1, 2], [3, 4]], state)).message).toBe('Sequential.step: state.layers[2].history must be a Float32Array of 4 values (batch 2 × 1 steps × 2 channels of layers[2] TDNN, as initialState() of this model gives it), got undefined');
    // A state of another model: here a model of the same layer kinds, with a longer kernel.
    const other = new Sequential({ inputSize: 2, seed: 1, layers: [new Conv1D({ filters: 3, kernelSize: 4 }), new LSTM({ units: 2, returnSequences: true }), new TDNN({ units: 2, context: [-1, 0] })] });
    expect(thrown(() => model.step([[1, 2]], other.initialState()))).toEqual({
      type: 'TypeError',
      message: 'Sequential.step: state.layers[0].history must be a Float32Array of 4 values (batch 1 × 2 steps × 2 channels of layers[0] Conv1D, as initialState() of this model gives it), got Float32Array(6)',
    });
    const recurrent = new Sequential({ inputSize: 2, layers: [new LSTM({ units: 2 })] });
    expect(thrown(() => model.step([[1, 2]], recurrent.initialState()))).toEqual({ type: 'TypeError', message: 'Sequential.step: state must come from initialState() of this model, got Object' });
    for (const m of [model, other, recurrent]) m.dispose();
  });

  it("refuses what cannot stream, saying why: 'same' Conv1D, a TDNN that looks ahead, tbptt over a convolution", async () => {
    const same = new Sequential({ inputSize: 2, layers: [new LSTM({ units: 2, returnSequences: true }), new Conv1D({ filters: 2, kernelSize: 3, dilation: 2, padding: 'same' })] });
    expect(thrown(() => same.initialState())).toEqual({
      type: 'RangeError',
      message: "Sequential.initialState: layers[1] is Conv1D and cannot run one step at a time: its padding 'same' centres the kernel, so its output at t reads steps up to t + 2, which a stream has not seen yet (padding 'causal' streams)",
    });
    const ahead = new Sequential({ inputSize: 2, layers: [new TDNN({ units: 2, context: [-2, 0, 2] })] });
    expect(thrown(() => ahead.step([[1, 2]], { batchSize: 1, layers: [{ history: new Float32Array(4) }] }))).toEqual({
      type: 'RangeError',
      message: 'Sequential.step: layers[0] is TDNN and cannot run one step at a time: its context [-2, 0, 2] looks 2 step(s) ahead: the output at t reads step t + 2, which a stream has not seen yet (a context of offsets ≤ 0 streams)',
    });
    // Layers that change the number of steps are refused by the model first (flows.test.ts); the layer says why too.
    const strided = new Conv1D({ filters: 2, kernelSize: 3, strides: 2, inputSize: 2 });
    const valid = new Conv1D({ filters: 2, kernelSize: 3, dilation: 2, padding: 'valid', inputSize: 2 });
    expect(strided.streaming.refusal).toBe('its strides 2 give one output step per 2 input steps, not one per step');
    expect(valid.streaming.refusal).toBe("its padding 'valid' gives 4 fewer output steps than input steps, not one per step (padding 'causal' streams)");
    strided.dispose();
    valid.dispose();
    const pointwise = new Sequential({ inputSize: 2, layers: [new Conv1D({ filters: 2, kernelSize: 1, padding: 'same' })] });
    expectSameBits("a 'same' Conv1D of one tap streams", pointwise.step([[1, 2]], pointwise.initialState()).data, pointwise.predict([[[1, 2]]]).data);
    const causal = make();
    causal.compile({ loss: 'mse', optimizer: 'sgd' });
    const x = t(randomFloat32(2 * 6 * 2, 3), [2, 6, 2]);
    const y = t(randomFloat32(2 * 6 * 2, 4), [2, 6, 2]);
    await expect(causal.fit(x, y, { tbptt: 3 })).rejects.toThrow(
      'Sequential.fit: options.tbptt cannot train layers[0] (Conv1D): it reads 2 steps × 2 channels before each step, and a window would start it from zeros instead of the previous window\'s steps (convolution histories are not carried across tbptt windows); train on whole sequences: a convolution only looks back its receptive field anyway',
    );
    same.compile({ loss: 'mse', optimizer: 'sgd' });
    await expect(same.fit(x, y, { tbptt: 3 })).rejects.toThrow(
      "Sequential.fit: layers[1] is Conv1D and cannot run one tbptt window at a time: its padding 'same' centres the kernel, so its output at t reads steps up to t + 2, which a stream has not seen yet (padding 'causal' streams)",
    );
    const pool = new Sequential({ inputSize: 2, layers: [new Conv1D({ filters: 2, kernelSize: 2 }), new GlobalAveragePooling1D()] });
    expect(thrown(() => pool.initialState()).message).toBe('Sequential.initialState: layers[1] is GlobalAveragePooling1D, which pools over the whole sequence; a step (or window) sees only part of it');
    const tokens = new Sequential({ layers: [new Embedding({ vocabSize: 4, units: 3 }), new TDNN({ units: 4, context: [-2, -1, 0], activation: 'tanh' }), new Dense({ units: 4, activation: 'softmax' })] });
    expect(tokens.initialState(2).layers.map((l) => (l ? Object.keys(l) : null))).toEqual([null, ['history'], null]);
    expect(tokens.generate({ prefix: [1, 2], length: 3 })).toHaveLength(3);
    for (const m of [same, ahead, pointwise, causal, pool, tokens]) m.dispose();
  });
});
