// A workspace keeps its layout while a caller's sizes stay the same (issue #16, W4 latency: laying
// out the regions anew on every call cost more than the arithmetic of a short sequence). These
// tests change the sizes, the mask, the targets and the loss between calls, and check every call
// against a fresh layer or model, bit for bit.
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { init } from '../src/engine/init.js';
import type { Backend } from '../src/engine/backend.js';
import { Workspace } from '../src/layers/parameters.js';
import { Dense } from '../src/layers/dense.js';
import { Embedding } from '../src/layers/embedding.js';
import { GRU } from '../src/layers/gru.js';
import { LSTM } from '../src/layers/lstm.js';
import { SimpleRNN } from '../src/layers/simple-rnn.js';
import { Sequential } from '../src/models/sequential.js';
import { expectSameBits } from './helpers/compare.js';
import { randomFloat32 } from './helpers/random.js';

let backend: Backend;
beforeAll(async () => {
  backend = await init();
});

const batch = (B: number, T: number, F: number, seed = 1) => ({ data: randomFloat32(B * T * F, seed), shape: [B, T, F] });

describe('Workspace.laidOutFor', () => {
  it('holds for the key of the current layout only; a layout without key, another key or dispose ends it', () => {
    const work = new Workspace(backend);
    expect(work.laidOutFor('a')).toBe(false);
    work.layout({ x: 4 }, 'test', 'the workspace', 'a');
    expect(work.laidOutFor('a')).toBe(true);
    expect(work.laidOutFor('b')).toBe(false);
    work.layout({ x: 8 }, 'test', 'the workspace', 'b');
    expect([work.laidOutFor('a'), work.laidOutFor('b')]).toEqual([false, true]);
    work.layout({ x: 8 });
    expect(work.laidOutFor('b')).toBe(false);
    work.layout({ x: 8 }, 'test', 'the workspace', 'b');
    work.dispose();
    expect(work.laidOutFor('b')).toBe(false);
  });

  it('a layout that fails keeps the key of the one before', () => {
    const work = new Workspace(backend);
    work.layout({ x: 4 }, 'test', 'the workspace', 'a');
    expect(() => work.layout({ x: 2n ** 40n }, 'test', 'the workspace', 'huge')).toThrow(RangeError);
    expect([work.laidOutFor('a'), work.laidOutFor('huge')]).toEqual([true, false]);
    work.dispose();
  });
});

describe('recurrent layers across batch shapes', () => {
  const cells: Record<string, (seed: number) => LSTM | GRU | SimpleRNN> = {
    LSTM: (seed) => new LSTM({ inputSize: 3, units: 5, seed }),
    GRU: (seed) => new GRU({ inputSize: 3, units: 5, seed }),
    SimpleRNN: (seed) => new SimpleRNN({ inputSize: 3, units: 5, seed }),
  };
  // (B, T) in an order that shrinks, grows and comes back: each call must be a fresh layer's.
  const shapes: [number, number][] = [[1, 6], [3, 2], [1, 6], [2, 9], [1, 1], [1, 6], [3, 2], [3, 5], [1, 6]];

  it.each(Object.keys(cells))('%s: forward and backward of each shape are a fresh layer’s', (kind) => {
    const make = cells[kind];
    const layer = make(4);
    shapes.forEach(([B, T], k) => {
      const x = batch(B, T, 3, 10 + k);
      const dOutput = batch(B, T, 5, 20 + k);
      const fresh = make(4);
      const want = fresh.forward(x);
      const got = layer.forward(x);
      expectSameBits(`${kind} (${B}, ${T}) output`, got.output.data, want.output.data);
      expectSameBits(`${kind} (${B}, ${T}) final h`, got.finalState.h!.data, want.finalState.h!.data);
      const dWant = fresh.backward(want.cache, { dOutput });
      const dGot = layer.backward(got.cache, { dOutput });
      expectSameBits(`${kind} (${B}, ${T}) dInput`, dGot.dInput.data, dWant.dInput.data);
      expectSameBits(`${kind} (${B}, ${T}) dWeightHh`, dGot.dWeights.weightHh.data, dWant.dWeights.weightHh.data);
      fresh.dispose();
    });
    layer.dispose();
  });
});

describe('Sequential across batch shapes, masks, targets and losses', () => {
  const make = () => new Sequential({ inputSize: 3, seed: 5, layers: [new LSTM({ units: 4, returnSequences: true }), new Dense({ units: 3 })] });

  it('predict of each shape, with and without a mask, is a fresh model’s', () => {
    const model = make();
    const calls: [number, number, number[] | undefined][] = [[1, 5, undefined], [4, 3, [3, 1, 2, 3]], [1, 5, undefined], [4, 3, undefined], [1, 5, [2]], [1, 2, undefined], [1, 5, undefined], [2, 7, undefined], [1, 5, undefined]];
    calls.forEach(([N, T, lengths], k) => {
      const x = batch(N, T, 3, 30 + k);
      const fresh = make();
      const options = lengths ? { lengths } : {};
      expectSameBits(`predict call ${k} (${N}, ${T})`, model.predict(x, options).data, fresh.predict(x, options).data);
      fresh.dispose();
    });
    model.dispose();
  });

  it('evaluate and fit steps with the loss compiled anew, a mask, and predict between them, match a fresh model', async () => {
    const N = 4;
    const T = 3;
    const x = batch(N, T, 3, 40);
    const classes = [0, 2, 1, 1, 2, 0, 0, 1, 2, 2, 1, 0]; // [N, T]
    const labels = { data: Float32Array.from(classes), shape: [N, T] };
    const oneHot = { data: new Float32Array(N * T * 3).map((_, i) => (classes[Math.floor(i / 3)] === i % 3 ? 1 : 0)), shape: [N, T, 3] };
    const model = make();
    const fresh = make();
    // crossEntropy stages one label per row, mse three floats: the target region changes size with the
    // loss, and a masked batch has a mask region; consecutive calls differ in nothing else.
    const steps: ['crossEntropy' | 'mse', typeof labels, { lengths?: number[] }][] = [['crossEntropy', labels, {}], ['mse', oneHot, {}], ['mse', oneHot, { lengths: [3, 1, 2, 2] }], ['mse', oneHot, {}], ['crossEntropy', labels, {}]];
    for (const [k, [loss, y, options]] of steps.entries()) {
      const label = `step ${k} (${loss}${'lengths' in options ? ', masked' : ''})`;
      model.compile({ loss, optimizer: { type: 'sgd', learningRate: 0.1 } });
      fresh.compile({ loss, optimizer: { type: 'sgd', learningRate: 0.1 } });
      expect(model.evaluate(x, y, options), label).toEqual(fresh.evaluate(x, y, options));
      const [got, want] = [await model.fit(x, y, { ...options, epochs: 1, batchSize: N, shuffle: false }), await fresh.fit(x, y, { ...options, epochs: 1, batchSize: N, shuffle: false })];
      expect(got.loss, label).toEqual(want.loss);
      expectSameBits(`${label}: parameters after fit`, model.getParameters(), fresh.getParameters());
    }
    expectSameBits('predict after the fits', model.predict(x).data, fresh.predict(x).data);
    model.predict(batch(1, 2, 3, 41));
    expectSameBits('predict after another shape', model.predict(x).data, fresh.predict(x).data);
    model.dispose();
    fresh.dispose();
  });

  describe('lays out anew exactly when something its regions depend on changed', () => {
    afterEach(() => vi.restoreAllMocks());

    it('the batch, the steps, targets or not, the loss and the mask; not for a repeated call', async () => {
      const layout = vi.spyOn(Workspace.prototype, 'layout');
      const count = (where: string) => layout.mock.calls.filter((call) => call[1] === where).length;
      const model = make();
      const [N, T] = [4, 3];
      const x = batch(N, T, 3, 50);
      const labels = { data: Float32Array.from({ length: N * T }, (_, i) => i % 3), shape: [N, T] };
      const oneHot = { data: new Float32Array(N * T * 3).map((_, i) => (Math.floor(i / 3) % 3 === i % 3 ? 1 : 0)), shape: [N, T, 3] };
      // [call, layouts of the model's workspace, layouts of the LSTM's (its regions depend on T and B only)]
      const calls: [string, () => unknown, number, number][] = [
        ['evaluate (crossEntropy)', () => (model.compile({ loss: 'crossEntropy', optimizer: 'sgd' }), model.evaluate(x, labels)), 1, 1],
        ['evaluate again', () => model.evaluate(x, labels), 0, 0],
        ['fit, the same batch', () => model.fit(x, labels, { epochs: 1, batchSize: N, shuffle: false }), 0, 0],
        ['evaluate (mse)', () => (model.compile({ loss: 'mse', optimizer: 'sgd' }), model.evaluate(x, oneHot)), 1, 0],
        ['evaluate (mse), masked', () => model.evaluate(x, oneHot, { lengths: [3, 1, 2, 3] }), 1, 0],
        ['evaluate (mse), masked again', () => model.evaluate(x, oneHot, { lengths: [1, 1, 2, 3] }), 0, 0],
        ['evaluate (mse), unmasked', () => model.evaluate(x, oneHot), 1, 0],
        ['predict', () => model.predict(x), 1, 0],
        ['predict again', () => model.predict(x), 0, 0],
        ['predict, fewer steps', () => model.predict(batch(N, T - 1, 3, 51)), 1, 1],
        ['predict, fewer samples', () => model.predict(batch(N - 1, T - 1, 3, 52)), 1, 1],
        ['predict, the same shape', () => model.predict(batch(N - 1, T - 1, 3, 53)), 0, 0],
      ];
      for (const [name, call, want, wantLSTM] of calls) {
        const [before, lstmBefore] = [count('Sequential'), count('LSTM')];
        await call();
        expect(count('Sequential') - before, name).toBe(want);
        expect(count('LSTM') - lstmBefore, `${name}: the LSTM layer`).toBe(wantLSTM);
      }
      model.dispose();
    });
  });
});

describe('one sample (its steps are contiguous: one copy in and one out)', () => {
  const rowOf = (data: Float32Array, n: number, b: number) => data.slice((b * data.length) / n, ((b + 1) * data.length) / n);

  it('LSTM.forward of each sequence alone gives its rows of the batch, with and without lengths', () => {
    const lstm = new LSTM({ inputSize: 3, units: 5, seed: 6 });
    const [N, T] = [3, 4];
    const x = batch(N, T, 3, 60);
    const lengths = [4, 2, 3];
    for (const withLengths of [false, true]) {
      const all = lstm.forward(x, withLengths ? { lengths } : {});
      for (let b = 0; b < N; b++) {
        const one = lstm.forward({ data: rowOf(x.data, N, b), shape: [1, T, 3] }, withLengths ? { lengths: [lengths[b]] } : {});
        expectSameBits(`sample ${b}${withLengths ? ' (lengths)' : ''}: output`, one.output.data, rowOf(all.output.data, N, b));
        expectSameBits(`sample ${b}${withLengths ? ' (lengths)' : ''}: final c`, one.finalState.c!.data, rowOf(all.finalState.c!.data, N, b));
      }
    }
    lstm.dispose();
  });

  it('Sequential.predict of each sample alone gives its rows of the batch: features with a mask, and token ids', () => {
    const [N, T] = [3, 5];
    const floats = new Sequential({ inputSize: 3, seed: 7, layers: [new GRU({ units: 4, returnSequences: true }), new Dense({ units: 2 })] });
    const ids = new Sequential({ seed: 8, layers: [new Embedding({ vocabSize: 6, units: 3 }), new LSTM({ units: 4, returnSequences: true })] });
    const x = batch(N, T, 3, 61);
    const tokens = { data: Float32Array.from({ length: N * T }, (_, i) => (i * 7) % 6), shape: [N, T] };
    const lengths = [5, 2, 4];
    const allFloats = floats.predict(x, { lengths });
    const allIds = ids.predict(tokens);
    for (let b = 0; b < N; b++) {
      expectSameBits(`features, sample ${b}`, floats.predict({ data: rowOf(x.data, N, b), shape: [1, T, 3] }, { lengths: [lengths[b]] }).data, rowOf(allFloats.data, N, b));
      expectSameBits(`token ids, sample ${b}`, ids.predict({ data: rowOf(tokens.data, N, b), shape: [1, T] }).data, rowOf(allIds.data, N, b));
    }
    floats.dispose();
    ids.dispose();
  });
});
