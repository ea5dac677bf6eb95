// Ownership and life cycle: a layer belongs to at most one model (or Bidirectional) and is
// disposed through it; a model is locked while it trains, reads stay allowed from callbacks.
import { beforeAll, describe, expect, it } from 'vitest';
import { init } from '../src/engine/init.js';
import { Bidirectional } from '../src/layers/bidirectional.js';
import { Dense } from '../src/layers/dense.js';
import { Dropout } from '../src/layers/dropout.js';
import { Embedding } from '../src/layers/embedding.js';
import { GRU } from '../src/layers/gru.js';
import { LSTM } from '../src/layers/lstm.js';
import { EncoderDecoder } from '../src/models/encoder-decoder.js';
import { Sequential } from '../src/models/sequential.js';
import { thrown } from './helpers/compare.js';

beforeAll(async () => {
  await init();
});

const x = { data: Float32Array.from({ length: 6 * 3 * 2 }, (_, i) => Math.sin(i)), shape: [6, 3, 2] };
const y = { data: Float32Array.from({ length: 6 }, (_, i) => Math.cos(i)), shape: [6, 1] };


describe('a layer belongs to at most one model', () => {
  it('a layer of one model cannot be given to another; the second constructor changes nothing', () => {
    const lstm = new LSTM({ units: 3 });
    const one = new Sequential({ inputSize: 2, seed: 1, layers: [lstm, new Dense({ units: 1 })] });
    const before = one.getParameters();
    const fresh = new Dense({ units: 1 });
    expect(thrown(() => new Sequential({ inputSize: 2, layers: [lstm, fresh] }))).toEqual({
      type: 'Error',
      message: 'Sequential: options.layers[0] (LSTM) already belongs to a Sequential; a layer belongs to at most one model (make a new layer for this one)',
    });
    expect(thrown(() => new EncoderDecoder({ encoder: { inputSize: 2, layers: [lstm] }, decoder: { inputSize: 3, layers: [new LSTM({ units: 3, returnSequences: true })] } }))).toEqual({
      type: 'Error',
      message: 'EncoderDecoder: options.encoder.layers[0] (LSTM) already belongs to a Sequential; a layer belongs to at most one model (make a new layer for this one)',
    });
    expect(thrown(() => new Bidirectional({ layer: lstm }))).toEqual({
      type: 'Error',
      message: 'Bidirectional: options.layer (LSTM) already belongs to a Sequential; a layer belongs to at most one model (make a new layer for this one)',
    });
    expect(one.getParameters()).toEqual(before);
    // The layer that was not taken is still free and usable.
    const two = new Sequential({ inputSize: 3, layers: [fresh] });
    expect(two.predict({ data: new Float32Array(3), shape: [1, 1, 3] }).shape).toEqual([1, 1, 1]);
    one.dispose();
    two.dispose();
  });

  it('a Bidirectional owns its layer: the layer cannot also be given to a model or another Bidirectional', () => {
    const gru = new GRU({ units: 2, returnSequences: true });
    const bi = new Bidirectional({ layer: gru });
    expect(thrown(() => new Bidirectional({ layer: gru })).message).toBe(
      'Bidirectional: options.layer (GRU) already belongs to a Bidirectional; a layer belongs to at most one model (make a new layer for this one)',
    );
    expect(thrown(() => new Sequential({ inputSize: 2, layers: [bi, gru] })).message).toBe(
      'Sequential: options.layers[1] (GRU) already belongs to a Bidirectional; a layer belongs to at most one model (make a new layer for this one)',
    );
    expect(thrown(() => gru.dispose()).message).toBe('GRU.dispose: this layer belongs to a Bidirectional; dispose the owner instead (it disposes its layers)');
    const model = new Sequential({ inputSize: 2, layers: [bi] });
    expect(thrown(() => bi.dispose()).message).toBe('Bidirectional.dispose: this layer belongs to a Sequential; dispose the owner instead (it disposes its layers)');
    expect(thrown(() => bi.backwardLayer!.dispose()).message).toBe('GRU.dispose: this layer belongs to a Bidirectional; dispose the owner instead (it disposes its layers)');
    model.dispose();
    expect([bi.disposed, gru.disposed, bi.backwardLayer!.disposed]).toEqual([true, true, true]);
  });

  it('an owned layer is disposed through its model; layer.dispose() on it throws and changes nothing', () => {
    const layers = [new Embedding({ vocabSize: 5, units: 2 }), new LSTM({ units: 3 }), new Dropout({ rate: 0.5 }), new Dense({ units: 2 })];
    const model = new Sequential({ seed: 2, layers });
    const ids = { data: new Float32Array([1, 2, 3]), shape: [1, 3] };
    const out = model.predict(ids);
    for (const layer of layers) {
      expect(thrown(() => layer.dispose()).message).toBe(`${layer.kind}.dispose: this layer belongs to a Sequential; dispose the owner instead (it disposes its layers)`);
    }
    expect(layers.map((l) => l.disposed)).toEqual([false, false, false, false]);
    expect(model.predict(ids)).toEqual(out);
    model.dispose();
    expect(layers.map((l) => l.disposed)).toEqual([true, true, true, true]);
    layers.forEach((l) => l.dispose()); // already disposed: a no-op
  });

  it('a layer given to a constructor that then throws stays free and usable', () => {
    const lstm = new LSTM({ units: 3, inputSize: 2, seed: 5 });
    const dense = new Dense({ units: 1, inputSize: 7 }); // does not fit after the LSTM: the constructor throws after connecting lstm
    const weights = lstm.getWeights();
    expect(() => new Sequential({ inputSize: 2, layers: [lstm, dense] })).toThrow(/Dense has inputSize 7 but the layer below gives 3/);
    expect(lstm.ownership.owner).toBe(null);
    expect(dense.ownership.owner).toBe(null);
    expect(lstm.getWeights()).toEqual(weights);
    const model = new Sequential({ inputSize: 2, layers: [lstm, new Dense({ units: 1 })] });
    expect(model.getWeights()[0]).toEqual(weights);
    model.dispose();
    dense.dispose();
  });
});

describe('a model is locked while it trains', () => {
  const make = () => {
    const model = new Sequential({ inputSize: 2, seed: 3, layers: [new GRU({ units: 3 }), new Dense({ units: 1 })] });
    model.compile({ loss: 'mse', optimizer: 'adam' });
    return model;
  };
  const locked = (where: string) => `${where}: this model is training (a fit is running); it can change only after fit settles — from fit's callbacks, only reads (predict, evaluate, getWeights, getParameters, toJSON …) are allowed`;

  it('every mutating call and dispose from a callback throws, and training goes on unchanged', async () => {
    const reference = make();
    await reference.fit(x, y, { epochs: 2, batchSize: 2 });
    const model = make();
    const errors: { type: string; message: string }[] = [];
    const mutations: [string, () => unknown][] = [
      ['Sequential.compile', () => model.compile({ loss: 'mse' })],
      ['Sequential.setWeights', () => model.setWeights(model.getWeights())],
      ['Sequential.setParameters', () => model.setParameters(model.getParameters())],
      ['Sequential.applyGradients', () => model.applyGradients(new Float32Array(model.paramCount))],
      ['Sequential.forward', () => model.forward(x)],
      ['Sequential.computeGradients', () => model.computeGradients(x, y)],
      ['Sequential.dispose', () => model.dispose()],
      ['GRU.setWeights', () => model.layers[0].setWeights(model.layers[0].getWeights())],
      ['GRU.forward', () => (model.layers[0] as GRU).forward(x)],
      ['Dense.setWeights', () => model.layers[1].setWeights(model.layers[1].getWeights())],
    ];
    await model.fit(x, y, {
      epochs: 2,
      batchSize: 2,
      callbacks: {
        onBatchEnd: () => {
          for (const [, fn] of mutations) errors.push(thrown(fn));
        },
      },
    });
    expect(errors.slice(0, mutations.length)).toEqual(mutations.map(([where]) => ({ type: 'Error', message: locked(where) })));
    expect(errors.length).toBe(mutations.length * 6);
    // fit itself: a second fit is refused while one runs.
    const running = model.fit(x, y, { epochs: 1 });
    await expect(model.fit(x, y)).rejects.toThrow(locked('Sequential.fit'));
    expect(() => model.dispose()).toThrow(locked('Sequential.dispose'));
    await running;
    // Nothing a refused call tried took effect: the same weights as a run without callbacks, one epoch on.
    await reference.fit(x, y, { epochs: 1 });
    expect(model.getParameters()).toEqual(reference.getParameters());
    model.dispose();
    reference.dispose();
    expect(model.disposed).toBe(true);
  });

  it('reads from callbacks are allowed and do not change training', async () => {
    const reference = make();
    await reference.fit(x, y, { epochs: 2, batchSize: 4 });
    const model = make();
    const seen: number[] = [];
    await model.fit(x, y, {
      epochs: 2,
      batchSize: 4,
      callbacks: {
        onBatchEnd: () => {
          seen.push(model.predict(x).data[0], model.evaluate(x, y).loss, model.getParameters()[0]);
          model.getWeights();
          Sequential.fromJSON(model.toJSON()).dispose();
        },
        onEpochEnd: () => {
          model.evaluate(x, y, { batchSize: 1 });
        },
      },
    });
    expect(seen.length).toBe(3 * 4);
    expect(seen.every(Number.isFinite)).toBe(true);
    expect(model.getParameters()).toEqual(reference.getParameters());
    model.dispose();
    reference.dispose();
  });
});
