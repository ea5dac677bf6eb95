// Layer behaviour around the kernels: initialisation, weight formats, a
// hand-derived GRU case, bad input, stale caches, memory.
import { beforeAll, describe, expect, it } from 'vitest';
import { Backend } from '../src/engine/backend.js';
import { GRU } from '../src/layers/gru.js';
import { LSTM } from '../src/layers/lstm.js';
import { SimpleRNN } from '../src/layers/simple-rnn.js';
import { init } from '../src/engine/init.js';
import { expectSameBits } from './helpers/compare.js';
import { ALL_CELLS, caseName, makeLayer } from './helpers/cells.js';
import { randomFloat32 } from './helpers/random.js';

let backend: Backend;
beforeAll(async () => {
  backend = await init();
});

const batch = (B: number, T: number, I: number, seed = 1) => ({ data: randomFloat32(B * T * I, seed), shape: [B, T, I] });

describe('initialisation', () => {
  it('orthogonal recurrent weights (W·Wᵀ = I), Glorot-bounded input weights, forget bias 1', () => {
    const [I, H] = [5, 6];
    const lstm = new LSTM({ inputSize: I, units: H, seed: 9 });
    const w = lstm.getWeights();
    const U = w.weightHh.data; // [H, 4H]
    for (let a = 0; a < H; a++) {
      for (let b = 0; b < H; b++) {
        let dot = 0;
        for (let k = 0; k < 4 * H; k++) dot += U[a * 4 * H + k] * U[b * 4 * H + k];
        expect(Math.abs(dot - (a === b ? 1 : 0))).toBeLessThan(1e-5);
      }
    }
    const limit = Math.sqrt(6 / (I + 4 * H));
    expect(w.weightIh.data.every((v) => Math.abs(v) <= limit)).toBe(true);
    expect(Math.max(...w.weightIh.data.map(Math.abs))).toBeGreaterThan(limit * 0.8);
    const bias = w.bias.data;
    expect(Array.from(bias.subarray(H, 2 * H))).toEqual(new Array(H).fill(1));
    expect([...bias.subarray(0, H), ...bias.subarray(2 * H)].every((v) => v === 0)).toBe(true);
    expect(new LSTM({ inputSize: 2, units: 3, forgetBias: 0 }).getWeights().bias.data.every((v) => v === 0)).toBe(true);
  });

  it('identity recurrent weights for the relu SimpleRNN (IRNN)', () => {
    const w = new SimpleRNN({ inputSize: 2, units: 4, activation: 'relu' }).getWeights().weightHh.data;
    expect(Array.from(w)).toEqual([1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1]);
  });

  it('same seed ⇒ identical bits; another seed ⇒ other weights', () => {
    for (const c of ALL_CELLS) {
      const a = makeLayer(c, 3, 5, backend, 42).getWeights();
      const b = makeLayer(c, 3, 5, backend, 42).getWeights();
      const d = makeLayer(c, 3, 5, backend, 43).getWeights();
      for (const k of Object.keys(a)) expectSameBits(`${caseName(c)} ${k}`, a[k].data, b[k].data);
      expect(Array.from(a.weightIh.data)).not.toEqual(Array.from(d.weightIh.data));
    }
  });
});

describe('weight formats', () => {
  for (const c of ALL_CELLS) {
    for (const format of ['pytorch', 'keras'] as const) {
      if (c.cell === 'GRU' && c.variant === 'resetBefore' && format === 'pytorch') continue;
      if (c.cell === 'SimpleRNN' && c.variant && c.variant !== 'elman') continue; // native only (recurrences.test.ts checks the refusal)
      it(`${caseName(c)}: ${format} out and back in gives the same model`, () => {
        const a = makeLayer(c, 3, 5, backend, 1);
        const b = makeLayer(c, 3, 5, backend, 2);
        b.setWeights(a.getWeights({ format }), { format });
        const x = batch(2, 4, 3);
        expectSameBits('output', b.forward(x).output.data, a.forward(x).output.data);
        a.dispose();
        b.dispose();
      });
    }
  }

  it('PyTorch LSTM: weights transposed, the two biases summed on import', () => {
    const lstm = new LSTM({ inputSize: 2, units: 3, seed: 4 });
    const native = lstm.getWeights();
    const torch = lstm.getWeights({ format: 'pytorch' });
    expect(torch.weight_ih.shape).toEqual([12, 2]);
    expect(torch.weight_ih.data[1 * 2 + 0]).toBe(native.weightIh.data[0 * 12 + 1]); // [g·H+j, i] = [i, g·H+j]
    expect(torch.bias_hh.data.every((v) => v === 0)).toBe(true);
    const bias_ih = new Float32Array(12).fill(0.25);
    const bias_hh = new Float32Array(12).fill(0.5);
    lstm.setWeights({ ...torch, bias_ih: { data: bias_ih, shape: [12] }, bias_hh: { data: bias_hh, shape: [12] } }, { format: 'pytorch' });
    expect(Array.from(lstm.getWeights().bias.data)).toEqual(new Array(12).fill(0.75));
  });

  it('Keras GRU: gate blocks z, r, h and bias [2, 3H] (reset-after) or [3H] (reset-before)', () => {
    const H = 2;
    const gru = new GRU({ inputSize: 1, units: H, seed: 5 });
    const native = gru.getWeights().weightIh.data; // r, z, n
    const keras = gru.getWeights({ format: 'keras' });
    expect(Array.from(keras.kernel.data)).toEqual([...native.slice(H, 2 * H), ...native.slice(0, H), ...native.slice(2 * H)]);
    expect(keras.bias.shape).toEqual([2, 3 * H]);
    expect(new GRU({ inputSize: 1, units: H, variant: 'resetBefore' }).getWeights({ format: 'keras' }).bias.shape).toEqual([3 * H]);
  });

  it('gradients come back in the requested layout', () => {
    const lstm = new LSTM({ inputSize: 2, units: 3, seed: 6 });
    const x = batch(2, 3, 2);
    const dOutput = { data: randomFloat32(2 * 3 * 3, 9), shape: [2, 3, 3] };
    const native = lstm.backward(lstm.forward(x).cache, { dOutput }).dWeights;
    const torch = lstm.backward(lstm.forward(x).cache, { dOutput, format: 'pytorch' }).dWeights;
    for (let r = 0; r < 12; r++) for (let i = 0; i < 2; i++) expect(torch.weight_ih.data[r * 2 + i]).toBe(native.weightIh.data[i * 12 + r]);
    expectSameBits('d bias_ih', torch.bias_ih.data, native.bias.data);
    expectSameBits('d bias_hh', torch.bias_hh.data, native.bias.data); // each bias's gradient is the sum's
  });
});

describe('a hand-derived reset-after GRU step (PyTorch layout)', () => {
  // I = H = 1. All r/z weights 0, so r = z = σ(0) = 1/2. W_in = W_hn = 1, b_hn = 1, x = h0 = 1.
  //   reset-after:  n = tanh(x·W_in + r·(h0·W_hn + b_hn)) = tanh(1 + ½·2) = tanh 2
  //                 h1 = z·h0 + (1 − z)·n = ½ + ½·tanh 2
  //   ∂h1/∂x  = (1 − z)(1 − n²)·W_in          = ½(1 − tanh²2)
  //   ∂h1/∂h0 = z + (1 − z)(1 − n²)·r·W_hn     = ½ + ¼(1 − tanh²2)
  // A reset-before GRU with the same numbers (its b_hn does not exist) gives n = tanh(1 + ½) instead.
  it('matches the numbers derived by hand', () => {
    const gru = new GRU({ inputSize: 1, units: 1 });
    const w = (values: number[]) => ({ data: Float32Array.from(values), shape: [3, 1] });
    gru.setWeights({ weight_ih: w([0, 0, 1]), weight_hh: w([0, 0, 1]), bias_ih: { data: new Float32Array(3), shape: [3] }, bias_hh: { data: Float32Array.of(0, 0, 1), shape: [3] } }, { format: 'pytorch' });
    const { output, cache } = gru.forward([[[1]]], { initialState: { h: [[1]] } });
    const t2 = Math.tanh(2);
    expect(output.data[0]).toBeCloseTo(0.5 + 0.5 * t2, 6); // 0.98201379
    const { dInput, dInitialState } = gru.backward(cache, { dOutput: [[[1]]] });
    expect(dInput.data[0]).toBeCloseTo(0.5 * (1 - t2 * t2), 6); // 0.03532541
    expect(dInitialState.h!.data[0]).toBeCloseTo(0.5 + 0.25 * (1 - t2 * t2), 6); // 0.51766271
    const before = new GRU({ inputSize: 1, units: 1, variant: 'resetBefore' });
    before.setWeights({ kernel: [[0, 0, 1]], recurrent_kernel: [[0, 0, 1]], bias: [0, 0, 0] }, { format: 'keras' });
    expect(before.forward([[[1]]], { initialState: { h: [[1]] } }).output.data[0]).toBeCloseTo(0.5 + 0.5 * Math.tanh(1.5), 6);
  });
});

describe('bad input gets a clear error and changes nothing', () => {
  it('constructor options', () => {
    expect(() => new LSTM({ inputSize: 0, units: 3 })).toThrow('LSTM: options.inputSize must be ≥ 1, got 0');
    expect(() => new LSTM({ inputSize: 2, units: 3, variant: 'mystery' as 'standard' })).toThrow(
      "LSTM: options.variant must be one of 'standard', 'peephole', 'coupled', 'noForget', got \"mystery\"",
    );
    expect(() => new GRU({ inputSize: 2, units: 3, gateActivation: 'relu' as 'sigmoid' })).toThrow(/options.gateActivation must be 'sigmoid' or 'hardSigmoid'/);
    expect(() => new SimpleRNN({ inputSize: 2, units: 3, activation: 'gelu' as 'tanh' })).toThrow(/options.activation must be one of/);
    expect(() => new LSTM({ inputSize: 2, units: 3, unit: 4 } as never)).toThrow("LSTM: unknown option 'unit'");
  });

  it('inputs of the wrong shape, ragged, empty or not finite', () => {
    const lstm = new LSTM({ inputSize: 3, units: 2 });
    expect(() => lstm.forward([[[1, 2, 3], [1, 2]]])).toThrow('LSTM.forward: x[0][1] has 2 values but inputSize is 3');
    expect(() => lstm.forward([[[1, 2, 3]], [[1, 2, 3], [4, 5, 6]]])).toThrow('LSTM.forward: x[1] has length 2 but x[0] has 1 (ragged time steps)');
    expect(() => lstm.forward({ data: new Float32Array(16), shape: [2, 2, 4] })).toThrow('LSTM.forward: x.shape[2] (inputSize) is 4 but must be 3');
    expect(() => lstm.forward({ data: new Float32Array(0), shape: [2, 0, 3] })).toThrow('LSTM.forward: x has no time steps (dimension 1 is 0)');
    expect(() => lstm.forward([[[1, NaN, 3]]])).toThrow('LSTM.forward: x holds NaN at [0][0][1]; inputs must be finite');
    expect(() => lstm.forward([[[1, 2, 3]]], { initialState: { h: [[1, 2, 3]] } })).toThrow('LSTM.forward: options.initialState.h[0] has 3 values but units is 2');
    expect(() => lstm.forward([[[1, 2, 3]]], { initialState: { x: [[1, 2]] } as never })).toThrow("options.initialState.x is not a state of LSTM (states: h, c)");
    const lax = new LSTM({ inputSize: 1, units: 1, checkFinite: false });
    expect(lax.forward([[[NaN]]]).output.data[0]).toBeNaN();
  });

  it('backward with a stale or foreign cache, wrong dOutput, unknown format', () => {
    const gru = new GRU({ inputSize: 1, units: 2 });
    const other = new GRU({ inputSize: 1, units: 2 });
    const first = gru.forward([[[1], [2]]]);
    expect(() => other.backward(first.cache)).toThrow(/cache must be the cache returned by this layer's forward\(\)/);
    expect(() => gru.backward(first.cache, { dOutput: [[[1, 2]]] })).toThrow('GRU.backward: options.dOutput[0] has 1 values but time steps is 2');
    expect(() => gru.backward(first.cache, { format: 'onnx' as 'keras' })).toThrow("GRU.backward: format must be one of 'native', 'pytorch', 'keras', got \"onnx\"");
    gru.forward([[[3]]]);
    expect(() => gru.backward(first.cache)).toThrow('GRU.backward: cache is stale: forward() or setWeights() was called on this layer after the forward() that made it');
  });

  it('setWeights with a wrong shape, a missing or unknown key, or NaN leaves the weights as they were', () => {
    const lstm = new LSTM({ inputSize: 2, units: 3, seed: 3 });
    const before = lstm.getWeights();
    const bad = { ...before, bias: { data: new Float32Array(11), shape: [11] } };
    expect(() => lstm.setWeights(bad)).toThrow('LSTM.setWeights: weights.bias has shape [11] (11 values) but must be [12]');
    const { bias: _drop, ...missing } = before;
    expect(() => lstm.setWeights(missing)).toThrow('LSTM.setWeights: weights.bias is missing (expected shape [12])');
    expect(() => lstm.setWeights({ ...before, kernel: before.weightIh })).toThrow("weights.kernel is not a 'native' weight of this layer");
    const nan = { ...before, weightHh: { data: before.weightHh.data.map((v, i) => (i === 5 ? NaN : v)), shape: before.weightHh.shape } };
    expect(() => lstm.setWeights(nan)).toThrow('LSTM.setWeights: weights.weightHh holds NaN at index 5; weights must be finite');
    const after = lstm.getWeights();
    for (const k of Object.keys(before)) expectSameBits(k, after[k].data, before[k].data);
    expect(() => new GRU({ inputSize: 1, units: 1, variant: 'resetBefore' }).getWeights({ format: 'pytorch' })).toThrow(
      /format 'pytorch' needs variant 'resetAfter'/,
    );
  });

  it('a disposed layer says so', () => {
    const rnn = new SimpleRNN({ inputSize: 1, units: 1 });
    rnn.dispose();
    rnn.dispose();
    expect(() => rnn.forward([[[1]]])).toThrow('SimpleRNN.forward: this layer was disposed');
  });
});

describe('memory', () => {
  it('training steps do not grow memory once the workspace is sized; dispose frees for reuse', async () => {
    const own = await Backend.create();
    const lstm = new LSTM({ inputSize: 4, units: 8, backend: own });
    const x = batch(5, 7, 4);
    const dOutput = { data: randomFloat32(5 * 7 * 8, 2), shape: [5, 7, 8] };
    lstm.backward(lstm.forward(x).cache, { dOutput });
    const bytes = own.memoryBytes;
    for (let i = 0; i < 300; i++) {
      lstm.backward(lstm.forward(x).cache, { dOutput });
      lstm.forward(batch(3, 2, 4)); // smaller batches reuse the workspace
    }
    expect(own.memoryBytes).toBe(bytes);
    for (let i = 0; i < 50; i++) {
      const layer = new GRU({ inputSize: 4, units: 8, backend: own });
      layer.backward(layer.forward(x).cache, { dOutput });
      layer.dispose();
    }
    expect(own.memoryBytes).toBe(bytes);
  });
});
