// Whole-model forward/backward (Sequential.forward, backward, applyGradients):
// equal bit for bit to running the layers one by one; gradients of a stacked
// bidirectional LSTM with non-zero initial states against central differences;
// the same numbers as TensorFlow.js for a stacked bidirectional LSTM/GRU with
// initialState; a custom loss written in JS trains to the built-in path's weights.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { init } from '../src/engine/init.js';
import { GRU } from '../src/layers/gru.js';
import { LSTM } from '../src/layers/lstm.js';
import { Bidirectional } from '../src/layers/bidirectional.js';
import { Dense } from '../src/layers/dense.js';
import { Dropout } from '../src/layers/dropout.js';
import { Embedding } from '../src/layers/embedding.js';
import { Sequential, type ModelStates } from '../src/models/sequential.js';
import type { Tensor } from '../src/tensor.js';
import { expectSameBits, expectCloseToScale } from './helpers/compare.js';
import { makeRandom, randomFloat32 } from './helpers/random.js';

beforeAll(async () => {
  await init();
  await tf.setBackend('cpu');
});

const t = (data: Float32Array, shape: number[]): Tensor => ({ data, shape });

describe('Sequential.forward / backward', () => {
  it('equals the layers run one by one, bit for bit (outputs, final states, dInput, dInitialStates, every gradient)', () => {
    const [N, T, F] = [3, 5, 4];
    const model = new Sequential({
      inputSize: F,
      seed: 3,
      layers: [new LSTM({ units: 6, returnSequences: true, variant: 'peephole' }), new GRU({ units: 5, returnSequences: true })],
    });
    const [lstm, gru] = model.layers as [LSTM, GRU];
    const x = randomFloat32(N * T * F, 1);
    const h0 = randomFloat32(N * 6, 2, -0.5, 0.5);
    const c0 = randomFloat32(N * 6, 3, -0.5, 0.5);
    const g0 = randomFloat32(N * 5, 4, -0.5, 0.5);
    const dOut = randomFloat32(N * T * 5, 5);
    const dh = randomFloat32(N * 5, 6);
    const dhL = randomFloat32(N * 6, 7);
    const dcL = randomFloat32(N * 6, 8);

    const f = model.forward(t(x, [N, T, F]), { initialStates: [{ h: t(h0, [N, 6]), c: t(c0, [N, 6]) }, { h: t(g0, [N, 5]) }] });
    const b = model.backward(f.cache, { dOutput: t(dOut, [N, T, 5]), dFinalStates: [{ h: t(dhL, [N, 6]), c: t(dcL, [N, 6]) }, { h: t(dh, [N, 5]) }] });

    const l1 = lstm.forward(t(x, [N, T, F]), { initialState: { h: t(h0, [N, 6]), c: t(c0, [N, 6]) } });
    const l2 = gru.forward(l1.output, { initialState: { h: t(g0, [N, 5]) } });
    expectSameBits('output', f.output.data, l2.output.data);
    const states = f.finalStates as { h: Tensor; c?: Tensor }[];
    expectSameBits('final h of layer 0', states[0].h.data, l1.finalState.h!.data);
    expectSameBits('final c of layer 0', states[0].c!.data, l1.finalState.c!.data);
    expectSameBits('final h of layer 1', states[1].h.data, l2.finalState.h!.data);
    const g2 = gru.backward(l2.cache, { dOutput: t(dOut, [N, T, 5]), dFinalState: { h: t(dh, [N, 5]) } });
    const g1 = lstm.backward(l1.cache, { dOutput: g2.dInput, dFinalState: { h: t(dhL, [N, 6]), c: t(dcL, [N, 6]) } });
    expectSameBits('dInput', b.dInput!.data, g1.dInput.data);
    const dInit = b.dInitialStates as { h: Tensor; c?: Tensor }[];
    expectSameBits('dh0 of layer 0', dInit[0].h.data, g1.dInitialState.h!.data);
    expectSameBits('dc0 of layer 0', dInit[0].c!.data, g1.dInitialState.c!.data);
    expectSameBits('dh0 of layer 1', dInit[1].h.data, g2.dInitialState.h!.data);
    const perLayer = b.gradients.toWeights();
    for (const [k, w] of Object.entries(g1.dWeights)) expectSameBits(`d${k} of layer 0`, perLayer[0][k].data, w.data);
    for (const [k, w] of Object.entries(g2.dWeights)) expectSameBits(`d${k} of layer 1`, perLayer[1][k].data, w.data);
    // PyTorch names and layout: the same gradients, transposed.
    const torch = b.gradients.toWeights({ format: 'pytorch' });
    expect(Object.keys(torch[1]).sort()).toEqual(['bias_hh', 'bias_ih', 'weight_hh', 'weight_ih']);
    expect(torch[1].weight_hh.shape).toEqual([15, 5]);
    model.dispose();
  });

  it('a model without initialStates starts from zeros, as predict does; predict takes initialStates too', () => {
    const [N, T, F] = [2, 4, 3];
    const model = new Sequential({ inputSize: F, seed: 9, layers: [new LSTM({ units: 4, returnSequences: true }), new Dense({ units: 2 })] });
    const x = t(randomFloat32(N * T * F, 11), [N, T, F]);
    expectSameBits('forward = predict', model.forward(x).output.data, model.predict(x).data);
    const h = t(randomFloat32(N * 4, 12), [N, 4]);
    const withState = model.forward(x, { initialStates: [{ h }, null] }).output.data;
    expectSameBits('forward = predict with initialStates', withState, model.predict(x, { initialStates: [{ h }, null], batchSize: 1 }).data);
    expect(Array.from(withState)).not.toEqual(Array.from(model.predict(x).data));
    model.dispose();
  });

  // Central differences on the f32 model, as in models.test.ts: step 1e-2, error ≤ 2e-3 of the largest gradient.
  it('stacked bidirectional LSTM with non-zero initial states: every gradient = central differences', () => {
    const [N, T, F] = [2, 4, 3];
    const model = new Sequential({
      inputSize: F,
      seed: 17,
      layers: [
        new Bidirectional({ layer: new LSTM({ units: 3, returnSequences: true }) }),
        new Bidirectional({ layer: new LSTM({ units: 2 }), merge: 'sum' }),
      ],
    });
    const x = randomFloat32(N * T * F, 21);
    const init = (seed: number, H: number) => ({ h: randomFloat32(N * H, seed, -0.8, 0.8), c: randomFloat32(N * H, seed + 1, -0.8, 0.8) });
    const states = [{ forward: init(30, 3), backward: init(32, 3) }, { forward: init(34, 2), backward: init(36, 2) }];
    const asInput = (): ModelStates<Tensor> => states.map((s) => ({
      forward: { h: t(s.forward.h, [N, s.forward.h.length / N]), c: t(s.forward.c, [N, s.forward.c.length / N]) },
      backward: { h: t(s.backward.h, [N, s.backward.h.length / N]), c: t(s.backward.c, [N, s.backward.c.length / N]) },
    }));
    // The fake loss Σ out·R + Σ finalStates·S (a random upstream gradient for every output and final state).
    const R = randomFloat32(N * 2, 40);
    const S = states.map((s, i) => ({
      forward: { h: randomFloat32(s.forward.h.length, 50 + i), c: randomFloat32(s.forward.c.length, 60 + i) },
      backward: { h: randomFloat32(s.backward.h.length, 70 + i), c: randomFloat32(s.backward.c.length, 80 + i) },
    }));
    const dot = (a: Float32Array, b: Float32Array) => a.reduce((sum, v, i) => sum + v * b[i], 0);
    const loss = (): number => {
      const f = model.forward(t(x, [N, T, F]), { initialStates: asInput() });
      let sum = dot(f.output.data, R);
      f.finalStates.forEach((layer, i) => {
        const l = layer as { forward: { h: Tensor; c: Tensor }; backward: { h: Tensor; c: Tensor } };
        for (const d of ['forward', 'backward'] as const) sum += dot(l[d].h.data, S[i][d].h) + dot(l[d].c.data, S[i][d].c);
      });
      return sum;
    };
    const f = model.forward(t(x, [N, T, F]), { initialStates: asInput() });
    const dFinalStates = S.map((s) => ({
      forward: { h: t(s.forward.h, [N, s.forward.h.length / N]), c: t(s.forward.c, [N, s.forward.c.length / N]) },
      backward: { h: t(s.backward.h, [N, s.backward.h.length / N]), c: t(s.backward.c, [N, s.backward.c.length / N]) },
    }));
    const b = model.backward(f.cache, { dOutput: t(R, [N, 2]), dFinalStates });
    const h = 1e-2;
    const numeric = (values: Float32Array, i: number): number => {
      const saved = values[i];
      values[i] = saved + h;
      const up = loss();
      values[i] = saved - h;
      const down = loss();
      values[i] = saved;
      return (up - down) / (2 * h);
    };
    const probes: [string, Float32Array, Float32Array][] = [['x', x, b.dInput!.data]];
    const dInit = b.dInitialStates as { forward: { h: Tensor; c: Tensor }; backward: { h: Tensor; c: Tensor } }[];
    states.forEach((s, i) => {
      for (const d of ['forward', 'backward'] as const) {
        probes.push([`h0 of layer ${i} ${d}`, s[d].h, dInit[i][d].h.data], [`c0 of layer ${i} ${d}`, s[d].c, dInit[i][d].c.data]);
      }
    });
    let worst = { error: 0, label: '' };
    let scale = 0;
    for (const [label, values, analytic] of probes) {
      for (let i = 0; i < values.length; i++) {
        const error = Math.abs(numeric(values, i) - analytic[i]);
        scale = Math.max(scale, Math.abs(analytic[i]));
        if (error > worst.error) worst = { error, label: `${label}[${i}]` };
      }
    }
    // Parameters: a random sample of 60, through setParameters.
    const params = model.getParameters();
    const grads = b.gradients.flat;
    const next = makeRandom(5);
    for (let k = 0; k < 60; k++) {
      const i = Math.floor(next() * params.length);
      const p = params.slice();
      p[i] += h;
      model.setParameters(p);
      const up = loss();
      p[i] -= 2 * h;
      model.setParameters(p);
      const down = loss();
      model.setParameters(params);
      const error = Math.abs((up - down) / (2 * h) - grads[i]);
      scale = Math.max(scale, Math.abs(grads[i]));
      if (error > worst.error) worst = { error, label: `parameter ${i}` };
    }
    expect(scale).toBeGreaterThan(0.1);
    expect(worst.error / scale, `worst: ${worst.label}`).toBeLessThan(2e-3);
    model.dispose();
  });

  it('a softmax head: backward takes the gradient w.r.t. the probabilities (central differences)', () => {
    const [N, T, F, V] = [2, 3, 2, 4];
    const model = new Sequential({ inputSize: F, seed: 4, layers: [new GRU({ units: 3, returnSequences: true }), new Dense({ units: V, activation: 'softmax' })] });
    const x = t(randomFloat32(N * T * F, 2), [N, T, F]);
    const R = randomFloat32(N * T * V, 3);
    const loss = () => model.forward(x).output.data.reduce((sum, p, i) => sum + p * R[i], 0);
    const f = model.forward(x);
    expect(f.output.data.slice(0, V).reduce((a, b) => a + b, 0)).toBeCloseTo(1, 6);
    const grads = model.backward(f.cache, { dOutput: t(R, [N, T, V]) }).gradients.flat;
    const params = model.getParameters();
    const h = 1e-2;
    let worst = 0;
    const scale = Math.max(...grads.map(Math.abs));
    for (let i = 0; i < params.length; i++) {
      const p = params.slice();
      p[i] += h;
      model.setParameters(p);
      const up = loss();
      p[i] -= 2 * h;
      model.setParameters(p);
      const down = loss();
      worst = Math.max(worst, Math.abs((up - down) / (2 * h) - grads[i]));
    }
    model.setParameters(params);
    expect(scale).toBeGreaterThan(1e-2);
    expect(worst / scale).toBeLessThan(2e-3);
    model.dispose();
  });

  it('stale caches, shapes and options are refused with clear messages; nothing changes', () => {
    const model = new Sequential({ inputSize: 2, seed: 1, layers: [new Bidirectional({ layer: new GRU({ units: 2 }) }), new Dense({ units: 1 })] });
    const x = t(randomFloat32(2 * 3 * 2, 1), [2, 3, 2]);
    const f = model.forward(x);
    const before = model.getParameters();
    expect(() => model.backward(f.cache, { dOutput: t(new Float32Array(3), [3, 1]) })).toThrow('Sequential.backward: options.dOutput.shape[0] (batch) is 3 but must be 2');
    expect(() => model.forward(x, { initialStates: [{ h: t(new Float32Array(4), [2, 2]) }, null] })).toThrow(
      "Sequential.forward: options.initialStates[0].h is not a state of layers[0] (Bidirectional; give { forward, backward })",
    );
    expect(() => model.forward(x, { initialStates: [null, { h: t(new Float32Array(2), [2, 1]) }] })).toThrow('Sequential.forward: options.initialStates[1] must be null: layers[1] (Dense) has no state');
    expect(() => model.forward(x, { lenghts: [1, 2] } as never)).toThrow("Sequential.forward: unknown option 'lenghts' (known: lengths, mask, initialStates, training)");
    expect(() => model.backward(f.cache, { dOutputs: 1 } as never)).toThrow("Sequential.backward: unknown option 'dOutputs' (known: dOutput, dFinalStates)");
    model.predict(x);
    expect(() => model.backward(f.cache)).toThrow('Sequential.backward: cache is stale: the model ran forward again or its weights changed after the forward() that made it');
    expect(() => model.step([[1, 2]], model.initialState())).toThrow(/layers\[0\] is Bidirectional: its backward direction reads the sequence from the last step/);
    expect(model.getParameters()).toEqual(before);
    expect(() => model.applyGradients(new Float32Array(model.paramCount))).toThrow('Sequential.applyGradients: call compile({ optimizer }) first');
    model.compile({ loss: 'mse', optimizer: 'sgd' });
    expect(() => model.applyGradients(new Float32Array(3))).toThrow(`Sequential.applyGradients: gradients must be a Float32Array of ${model.paramCount} parameters, got Float32Array(3)`);
    expect(model.getParameters()).toEqual(before);
    model.dispose();
  });

  it('token models: dInput is null, gradients reach the Embedding; training: true applies dropout', () => {
    const model = new Sequential({ seed: 2, layers: [new Embedding({ vocabSize: 5, units: 3 }), new Dropout({ rate: 0.5 }), new LSTM({ units: 2 }), new Dense({ units: 1 })] });
    const ids = [[1, 2, 3], [4, 0, 1]];
    const plain = model.forward(ids);
    expect(model.forward(ids).output.data).toEqual(plain.output.data);
    const noisy = model.forward(ids, { training: true });
    expect(Array.from(noisy.output.data)).not.toEqual(Array.from(plain.output.data));
    const b = model.backward(noisy.cache, { dOutput: [[1], [1]] });
    expect(b.dInput).toBeNull();
    expect(Math.max(...b.gradients.toWeights()[0].table.data.map(Math.abs))).toBeGreaterThan(0);
    model.dispose();
  });
});

describe('a custom loss', () => {
  it('Huber written in JS on forward()’s output trains to the weights of the built-in MSE where the two coincide', async () => {
    // With δ larger than every residual, Huber(r) = r²/2, so its gradient is half of MSE's: SGD at
    // twice the learning rate takes the same steps. Both sides run 5 full-batch updates.
    const [N, T, F, O] = [6, 4, 3, 2];
    const make = () => new Sequential({ inputSize: F, seed: 8, layers: [new Bidirectional({ layer: new LSTM({ units: 3, returnSequences: true }) }), new GRU({ units: 4 }), new Dense({ units: O })] });
    const x = t(randomFloat32(N * T * F, 31), [N, T, F]);
    const y = randomFloat32(N * O, 32);
    const builtIn = make();
    builtIn.compile({ loss: 'mse', optimizer: { type: 'sgd', learningRate: 0.1 } });
    await builtIn.fit(x, t(y, [N, O]), { epochs: 5, batchSize: N, shuffle: false });

    const custom = make();
    custom.compile({ loss: 'mse', optimizer: { type: 'sgd', learningRate: 0.2 } });
    const delta = 1e6;
    for (let step = 0; step < 5; step++) {
      const { output, cache } = custom.forward(x);
      const dOutput = output.data.map((p, i) => {
        const r = p - y[i];
        return (Math.abs(r) <= delta ? r : delta * Math.sign(r)) / (N * O); // d/dp of the mean Huber loss
      });
      const { gradients } = custom.backward(cache, { dOutput: t(dOutput, [N, O]) });
      custom.applyGradients(gradients);
    }
    const a = builtIn.getParameters();
    const b = custom.getParameters();
    const moved = Math.max(...a.map((v, i) => Math.abs(v - make().getParameters()[i])));
    expect(moved).toBeGreaterThan(1e-3);
    const worst = Math.max(...a.map((v, i) => Math.abs(v - b[i])));
    // The MSE kernel sums in f64 and scales 2(p − y) by 1/(N·O) in f32; the JS loss rounds r/(N·O) once: a few ulps per step.
    expect(worst).toBeLessThan(1e-6);
    builtIn.dispose();
    custom.dispose();
  });
});

describe('TensorFlow.js parity with initial states', () => {
  // Tolerance as in tfjs-models.test.ts: ≤ 2e-5 of each array's scale (f32 on both sides, TF.js's cpu matMul sums in f64).
  it('Bidirectional LSTM (every step) → Bidirectional GRU (reset-before, final state): outputs, final states and gradients w.r.t. x and every initial state', () => {
    const [N, T, F] = [3, 5, 2];
    const ours = new Sequential({
      inputSize: F,
      seed: 13,
      layers: [
        new Bidirectional({ layer: new LSTM({ units: 4, returnSequences: true }) }),
        new Bidirectional({ layer: new GRU({ units: 3, variant: 'resetBefore' }), merge: 'sum' }),
      ],
    });
    const params = ours.getParameters();
    const noise = randomFloat32(params.length, 14, -0.3, 0.3);
    ours.setParameters(params.map((v, i) => v + noise[i]));
    const lstmTf = tf.layers.bidirectional({ layer: tf.layers.lstm({ units: 4, returnSequences: true, returnState: true, recurrentActivation: 'sigmoid' }), mergeMode: 'concat' });
    const gruTf = tf.layers.bidirectional({ layer: tf.layers.gru({ units: 3, returnState: true, recurrentActivation: 'sigmoid' }), mergeMode: 'sum' });
    const x = randomFloat32(N * T * F, 15, -2, 2);
    const s = (seed: number, H: number) => randomFloat32(N * H, seed, -0.9, 0.9);
    const init = { lf: [s(16, 4), s(17, 4)], lb: [s(18, 4), s(19, 4)], gf: s(20, 3), gb: s(21, 3) };
    const R = randomFloat32(N * 3, 22);
    const tfStates = [init.lf[0], init.lf[1], init.lb[0], init.lb[1], init.gf, init.gb].map((v) => tf.tensor2d(v, [N, v.length / N]));
    const run = (xt: tf.Tensor, states: tf.Tensor[]) => {
      const first = lstmTf.apply(xt, { initialState: states.slice(0, 4) }) as tf.Tensor[];
      const second = gruTf.apply(first[0], { initialState: states.slice(4, 6) }) as tf.Tensor[];
      return { first, second };
    };
    const xt = tf.tensor3d(x, [N, T, F]);
    run(xt, tfStates); // builds the layers
    const keras = ours.getWeights({ format: 'keras' });
    const names = ['kernel', 'recurrent_kernel', 'bias'];
    lstmTf.setWeights([...names.map((k) => `forward/${k}`), ...names.map((k) => `backward/${k}`)].map((k) => tf.tensor(keras[0][k].data, keras[0][k].shape)));
    gruTf.setWeights([...names.map((k) => `forward/${k}`), ...names.map((k) => `backward/${k}`)].map((k) => tf.tensor(keras[1][k].data, keras[1][k].shape)));
    const { first, second } = run(xt, tfStates);

    const initialStates: ModelStates<Tensor> = [
      { forward: { h: t(init.lf[0], [N, 4]), c: t(init.lf[1], [N, 4]) }, backward: { h: t(init.lb[0], [N, 4]), c: t(init.lb[1], [N, 4]) } },
      { forward: { h: t(init.gf, [N, 3]) }, backward: { h: t(init.gb, [N, 3]) } },
    ];
    const f = ours.forward(t(x, [N, T, F]), { initialStates });
    expectCloseToScale('output', f.output.data, second[0].dataSync() as Float32Array);
    const finals = f.finalStates as { forward: Record<string, Tensor>; backward: Record<string, Tensor> }[];
    expectCloseToScale('LSTM forward final h', finals[0].forward.h.data, first[1].dataSync() as Float32Array);
    expectCloseToScale('LSTM forward final c', finals[0].forward.c.data, first[2].dataSync() as Float32Array);
    expectCloseToScale('LSTM backward final h', finals[0].backward.h.data, first[3].dataSync() as Float32Array);
    expectCloseToScale('LSTM backward final c', finals[0].backward.c.data, first[4].dataSync() as Float32Array);
    expectCloseToScale('GRU forward final h', finals[1].forward.h.data, second[1].dataSync() as Float32Array);
    expectCloseToScale('GRU backward final h', finals[1].backward.h.data, second[2].dataSync() as Float32Array);

    const b = ours.backward(f.cache, { dOutput: t(R, [N, 3]) });
    const Rt = tf.tensor2d(R, [N, 3]);
    const grads = tf.grads((...inputs: tf.Tensor[]) => tf.sum(tf.mul(run(inputs[0], inputs.slice(1)).second[0], Rt)))([xt, ...tfStates]);
    expectCloseToScale('dInput', b.dInput!.data, grads[0].dataSync() as Float32Array);
    const d = b.dInitialStates as { forward: Record<string, Tensor>; backward: Record<string, Tensor> }[];
    const ourInit = [d[0].forward.h, d[0].forward.c, d[0].backward.h, d[0].backward.c, d[1].forward.h, d[1].backward.h];
    ourInit.forEach((g, i) => expectCloseToScale(`dInitialState ${i}`, g.data, grads[i + 1].dataSync() as Float32Array));
    ours.dispose();
  });
});
