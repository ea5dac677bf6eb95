// Optimizer state is checked like the weights: an update that makes a moment overflow is undone
// (weights and moments) and stops with NonFiniteError; a saved file with non-finite optimizer
// state is refused before anything is allocated.
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { Backend } from '../src/engine/backend.js';
import { init } from '../src/engine/init.js';
import { Dense } from '../src/layers/dense.js';
import { GRU } from '../src/layers/gru.js';
import { NonFiniteError, Sequential } from '../src/models/sequential.js';
import type { OptimizerType } from '../src/models/optimizer.js';

beforeAll(async () => {
  await init();
});

const make = (optimizer: OptimizerType, backend?: Backend) => {
  const model = new Sequential({ inputSize: 2, seed: 4, layers: [new GRU({ units: 3, backend }), new Dense({ units: 1, backend })] });
  model.compile({ loss: 'mse', optimizer: { type: optimizer, learningRate: 0.01 } });
  return model;
};

/** The optimizer state as saved (base64 per slab), and the step count. */
const stateOf = (model: Sequential) => {
  const t = model.toJSON().training!;
  return { steps: t.steps, optimizerState: t.optimizerState };
};

const thrown = (fn: () => unknown) => {
  try {
    fn();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a throw');
};

describe('an update that makes the optimizer state overflow', () => {
  // g = 1e20: g² = 1e40 overflows f32, so v (Adam) and sq (RMSProp) become +Inf while the step
  // lr·m/(√v + ε) is 0 and every weight stays finite. The gradient norm (Σg² in f64) is finite.
  it.each([
    ['adam', "the optimizer's v (second moment)"],
    ['rmsprop', "the optimizer's sq (mean square)"],
  ] as const)('%s: applyGradients stops with NonFiniteError and keeps the last good weights and moments', (type, what) => {
    const model = make(type);
    const n = model.paramCount;
    model.applyGradients(new Float32Array(n).fill(0.5)); // one good step: non-zero moments
    const weights = model.getParameters();
    const state = stateOf(model);
    const error = thrown(() => model.applyGradients(new Float32Array(n).fill(1e20)));
    expect(error).toBeInstanceOf(NonFiniteError);
    expect(error.message).toBe(`Sequential.applyGradients: the update made ${what} overflow at epoch 0, batch 1; training stopped with the weights of the last good step`);
    expect(model.getParameters()).toEqual(weights);
    expect(stateOf(model)).toEqual(state);
    // The model still learns: the next finite update goes through.
    model.applyGradients(new Float32Array(n).fill(0.5));
    expect(model.steps).toBe(2);
    expect(model.getParameters().every(Number.isFinite)).toBe(true);
    expect(model.toJSON().training!.optimizerState).not.toEqual(state.optimizerState);
    model.dispose();
  });

  it('fit stops with NonFiniteError naming epoch and batch, and keeps the last good weights and moments', async () => {
    // Targets of 1e20: dLoss/dBias of the head ≈ 2e20 (the loss is summed in f64), so g² overflows f32.
    const model = make('rmsprop');
    const x = { data: new Float32Array(4 * 2 * 2).fill(0.5), shape: [4, 2, 2] };
    await model.fit(x, { data: new Float32Array(4).fill(0.5), shape: [4, 1] }, { epochs: 1, batchSize: 2, shuffle: false });
    const weights = model.getParameters();
    const state = stateOf(model);
    expect(state.steps).toBe(2);
    const error = await model.fit(x, { data: new Float32Array(4).fill(1e20), shape: [4, 1] }, { epochs: 1, batchSize: 2, shuffle: false }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NonFiniteError);
    expect((error as NonFiniteError).message).toBe("Sequential.fit: the update made the optimizer's sq (mean square) overflow at epoch 1, batch 0; training stopped with the weights of the last good step");
    expect([(error as NonFiniteError).epoch, (error as NonFiniteError).batch]).toEqual([1, 0]);
    expect(model.getParameters()).toEqual(weights);
    expect(stateOf(model)).toEqual(state);
    model.dispose();
  });
});

describe('saved optimizer state must be finite', () => {
  const withState = (json: ReturnType<Sequential['toJSON']>, k: number, index: number, value: number) => {
    const bytes = Buffer.from(json.training!.optimizerState[k], 'base64');
    const floats = new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
    floats[index] = value;
    json.training!.optimizerState[k] = Buffer.from(floats.buffer).toString('base64');
    return json;
  };

  it.each([Infinity, -Infinity, NaN])('refuses %s in optimizerState, and frees everything it made', async (value) => {
    const backend = await Backend.create();
    const model = make('adam', backend);
    model.applyGradients(new Float32Array(model.paramCount).fill(0.5));
    const json = withState(model.toJSON(), 1, 3, value);
    model.dispose();
    const alloc = vi.spyOn(backend, 'alloc');
    const free = vi.spyOn(backend, 'free');
    expect(() => Sequential.fromJSON(json, { backend })).toThrow(
      new RangeError(`Sequential.fromJSON: training.optimizerState[1] holds ${value} at index 3; optimizer state must be finite`),
    );
    // Every block the failed load allocated was freed again (the optimizer's slabs were never made).
    expect(free.mock.calls.length).toBe(alloc.mock.calls.length);
    expect(alloc.mock.calls.length).toBeGreaterThan(0); // the layers and the model's slabs
    backend.dispose();
  });

  it('refuses non-finite or non-integer steps', () => {
    const model = make('adam');
    const json = model.toJSON();
    model.dispose();
    for (const steps of [Infinity, NaN, -1, 1.5]) {
      expect(() => Sequential.fromJSON({ ...json, training: { ...json.training!, steps } })).toThrow(
        new RangeError(`Sequential.fromJSON: training.steps must be ${Number.isInteger(steps) ? '≥ 0' : 'an integer'}, got ${steps}`),
      );
    }
  });

  it('loads finite saved state exactly', () => {
    const model = make('adam');
    model.applyGradients(new Float32Array(model.paramCount).fill(0.5));
    const json = model.toJSON();
    const again = Sequential.fromJSON(json);
    expect(stateOf(again)).toEqual(stateOf(model));
    model.dispose();
    again.dispose();
  });
});
