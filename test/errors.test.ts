// Bad input gets an error naming the argument, what was expected and what was
// given; a failed call changes nothing.
import { beforeAll, describe, expect, it } from 'vitest';
import { Backend } from '../src/engine/backend.js';
import { activation, activationBackward } from '../src/kernels/activations.js';
import { gemm } from '../src/kernels/gemm.js';
import { init } from '../src/engine/init.js';
import { GRU } from '../src/layers/gru.js';
import { LSTM } from '../src/layers/lstm.js';
import { SimpleRNN } from '../src/layers/simple-rnn.js';
import { Bidirectional } from '../src/layers/bidirectional.js';
import { Dense } from '../src/layers/dense.js';
import { Embedding } from '../src/layers/embedding.js';
import { EncoderDecoder } from '../src/models/encoder-decoder.js';
import { Sequential } from '../src/models/sequential.js';
import { rmse, nrmse, rsquare } from '../src/esn/data.js';
import { thrown } from './helpers/compare.js';

const f32 = (n: number, v = 1) => new Float32Array(n).fill(v);

beforeAll(async () => {
  await init();
});

describe('gemm rejects bad input', () => {
  it('sizes that are not positive integers', () => {
    expect(() => gemm(0, 2, 2, f32(4), f32(4), f32(4))).toThrow('gemm: m must be ≥ 1, got 0');
    expect(() => gemm(2, -3, 2, f32(4), f32(4), f32(4))).toThrow('gemm: n must be ≥ 1, got -3');
    expect(() => gemm(2, 2, 1.5, f32(4), f32(4), f32(4))).toThrow('gemm: k must be an integer, got 1.5');
    expect(() => gemm(2, 2, NaN, f32(4), f32(4), f32(4))).toThrow('gemm: k must be an integer, got NaN');
    expect(() => gemm('2' as unknown as number, 2, 2, f32(4), f32(4), f32(4))).toThrow(TypeError);
  });

  it('buffers too small for the shape, with both numbers', () => {
    expect(() => gemm(3, 4, 5, f32(14), f32(20), f32(12))).toThrow(
      'gemm: a has 14 elements but op(A) [m=3, k=5] with transA=false, lda=5 from aOffset 0 needs 15',
    );
    expect(() => gemm(3, 4, 5, f32(15), f32(20), f32(12), { transB: true, bOffset: 1 })).toThrow(
      'gemm: b has 20 elements but op(B) [k=5, n=4] with transB=true, ldb=5 from bOffset 1 needs 21',
    );
    expect(() => gemm(3, 4, 5, f32(15), f32(20), f32(13), { ldc: 5 })).toThrow(
      'gemm: c has 13 elements but C [m=3, n=4] with ldc=5 from cOffset 0 needs 14',
    );
  });

  it('leading dimensions below the matrix width', () => {
    expect(() => gemm(3, 4, 5, f32(15), f32(20), f32(12), { lda: 4 })).toThrow(
      'gemm: options.lda must be an integer ≥ k = 5 when transA is false, got 4',
    );
    expect(() => gemm(3, 4, 5, f32(15), f32(20), f32(12), { transA: true, lda: 2 })).toThrow(
      'gemm: options.lda must be an integer ≥ m = 3 when transA is true, got 2',
    );
    expect(() => gemm(3, 4, 5, f32(15), f32(20), f32(12), { ldc: 3.5 })).toThrow(
      'gemm: options.ldc must be an integer ≥ n = 4, got 3.5',
    );
  });

  it('wrong types and option values', () => {
    expect(() => gemm(1, 1, 1, [1] as unknown as Float32Array, f32(1), f32(1))).toThrow(
      'gemm: a must be a Float32Array or an F32Buffer, got Array(1)',
    );
    expect(() => gemm(1, 1, 1, f32(1), new Float64Array(1) as unknown as Float32Array, f32(1))).toThrow(
      'gemm: b must be a Float32Array or an F32Buffer, got Float64Array(1)',
    );
    expect(() => gemm(1, 1, 1, f32(1), f32(1), f32(1), { transA: 1 as unknown as boolean })).toThrow(
      'gemm: options.transA must be a boolean, got 1',
    );
    expect(() => gemm(1, 1, 1, f32(1), f32(1), f32(1), { alpha: NaN })).toThrow('gemm: options.alpha must be a finite number, got NaN');
    expect(() => gemm(1, 1, 1, f32(1), f32(1), f32(1), { aOffset: -1 })).toThrow('gemm: options.aOffset must be ≥ 0, got -1');
  });

  it('detached buffers', () => {
    const a = f32(4);
    structuredClone(a.buffer, { transfer: [a.buffer] }); // detaches a
    expect(() => gemm(2, 2, 2, a, f32(4), f32(4))).toThrow(/gemm: a is a detached Float32Array/);
    // An empty but attached array is not "detached": it is too small.
    expect(() => gemm(1, 1, 1, new Float32Array(0), f32(1), f32(1))).toThrow('gemm: a has 0 elements');
  });

  it('operands of different backends, and C overlapping A', async () => {
    const one = await Backend.create();
    const two = await Backend.create();
    const a = one.allocF32(4);
    const b = two.allocF32(4);
    expect(() => gemm(2, 2, 2, a, b, f32(4))).toThrow('gemm: b and a are F32Buffers of different backends');
    const shared = f32(8);
    expect(() => gemm(2, 2, 2, shared, f32(4), shared.subarray(2, 6))).toThrow('gemm: c must not overlap a (they share memory)');
    const big = one.allocF32(16);
    expect(() => gemm(2, 2, 2, big, f32(4), big, { cOffset: 3 })).toThrow(/c must not overlap a/);
    // Disjoint parts of one buffer are fine.
    gemm(2, 2, 2, big, f32(4), big, { cOffset: 4 });
    one.dispose();
    two.dispose();
  });

  it('a failed call leaves C unchanged', () => {
    const c = Float32Array.from([1, 2, 3, 4]);
    expect(() => gemm(2, 2, 3, f32(6), f32(5), c)).toThrow(/b has 5 elements/);
    expect(Array.from(c)).toEqual([1, 2, 3, 4]);
  });
});

describe('unknown option keys are rejected, with the known ones listed', () => {
  it('gemm', () => {
    expect(() => gemm(1, 1, 1, f32(1), f32(1), f32(1), { transpose: true } as never)).toThrow(
      "gemm: unknown option 'transpose' (known: transA, transB, alpha, beta, lda, ldb, ldc, aOffset, bOffset, cOffset, backend)",
    );
  });

  it.each([
    ['SimpleRNN', () => new SimpleRNN({ inputSize: 2, units: 3 })],
    ['LSTM', () => new LSTM({ inputSize: 2, units: 3 })],
    ['GRU', () => new GRU({ inputSize: 2, units: 3 })],
  ] as const)('%s forward and backward', (kind, make) => {
    const layer = make();
    const x = [[[1, 2], [3, 4]]];
    expect(() => layer.forward(x, { lenghts: [2] } as never)).toThrow(
      `${kind}.forward: unknown option 'lenghts' (known: initialState, mask, lengths)`,
    );
    const { cache } = layer.forward(x);
    expect(() => layer.backward(cache, { dOutputs: [] } as never)).toThrow(
      `${kind}.backward: unknown option 'dOutputs' (known: dOutput, dFinalState, format)`,
    );
    layer.dispose();
  });
});

describe('activations reject bad input', () => {
  it('unknown names and mismatched lengths', () => {
    expect(() => activation('gelu' as 'tanh', f32(2), f32(2))).toThrow(
      "activation: activation must be one of 'sigmoid', 'tanh', 'relu', 'exp', got \"gelu\"",
    );
    expect(() => activation('tanh', f32(3), f32(2))).toThrow('activation: y has 2 elements but x has 3');
    expect(() => activation('tanh', f32(2), f32(2), { backnd: 1 } as never)).toThrow("activation: unknown option 'backnd' (known: backend)");
    expect(() => activationBackward('tanh', f32(2), f32(2), f32(2), { simd: true } as never)).toThrow("activationBackward: unknown option 'simd' (known: backend)");
    expect(() => activationBackward('exp' as 'tanh', f32(2), f32(2), f32(2))).toThrow(/activationBackward: activation must be one of/);
    expect(() => activationBackward('relu', f32(2), f32(3), f32(2))).toThrow('activationBackward: dy has 3 elements but y has 2');
    const y = f32(4);
    expect(() => activationBackward('tanh', y, f32(4), y)).toThrow('activationBackward: dx must not overlap y (they share memory)');
  });
});


describe('null, primitives and wrong element types get messages naming the argument', () => {
  it('every layer\'s setWeights: weights that are not an object of named weights', () => {
    const layers = [
      new LSTM({ inputSize: 2, units: 3 }), new GRU({ inputSize: 2, units: 3 }), new SimpleRNN({ inputSize: 2, units: 3 }),
      new Dense({ inputSize: 2, units: 1 }), new Embedding({ vocabSize: 4, units: 2, seed: 1 }),
    ];
    const keys = ['weightIh, weightHh, bias', 'weightIh, weightHh, biasIh, biasHh', 'weightIh, weightHh, bias', 'weight, bias', 'table'];
    layers.forEach((layer, i) => {
      const before = layer.getWeights();
      for (const [given, shown] of [[null, 'null'], [undefined, 'undefined'], [5, '5'], ['w', '"w"'], [[], 'Array(0)']] as const) {
        expect(thrown(() => layer.setWeights(given as never))).toEqual({
          type: 'TypeError',
          message: `${layer.kind}.setWeights: weights must be an object of named weights (${keys[i]}), got ${shown}`,
        });
      }
      expect(layer.getWeights()).toEqual(before);
      layer.dispose();
    });
    const bi = new Bidirectional({ layer: new LSTM({ units: 2, returnSequences: true }) });
    const model = new Sequential({ inputSize: 2, layers: [bi, new Dense({ units: 1 })] });
    expect(thrown(() => bi.setWeights(null as never))).toEqual({ type: 'TypeError', message: 'Bidirectional.setWeights: weights must be an object, got null' });
    expect(thrown(() => model.setWeights(null as never))).toEqual({
      type: 'TypeError', message: 'Sequential.setWeights: weights must be an array of 2 entries (one per layer), got null',
    });
    expect(thrown(() => model.setWeights([model.getWeights()[0], null] as never))).toEqual({
      type: 'TypeError', message: 'Sequential.setWeights: weights[1] (Dense): Dense.setWeights: weights must be an object of named weights (weight, bias), got null',
    });
    model.dispose();
  });

  it('nested options objects are named as what they are', async () => {
    const model = new Sequential({ inputSize: 2, layers: [new Dense({ units: 1 })] });
    const compile = (optimizer: unknown) => thrown(() => model.compile({ loss: 'mse', optimizer: optimizer as never }));
    const names = "'sgd', 'adam', 'rmsprop'";
    expect(compile(5)).toEqual({ type: 'TypeError', message: `Sequential.compile: options.optimizer must be one of ${names} or an object { type, learningRate, … }, got 5` });
    expect(compile(null)).toEqual({ type: 'TypeError', message: `Sequential.compile: options.optimizer must be one of ${names} or an object { type, learningRate, … }, got null` });
    expect(compile(['adam'])).toEqual({ type: 'TypeError', message: `Sequential.compile: options.optimizer must be one of ${names} or an object { type, learningRate, … }, got Array(1)` });
    expect(compile('adamw')).toEqual({ type: 'RangeError', message: `Sequential.compile: optimizer.type must be one of ${names}, got "adamw"` });
    expect(compile({ type: 'adam', lr: 0.1 })).toEqual({
      type: 'RangeError',
      message: "Sequential.compile: options.optimizer has an unknown key 'lr' (known: type, learningRate, momentum, nesterov, beta1, beta2, rho, epsilon, weightDecay, decoupledWeightDecay, schedule)",
    });
    expect(compile({ type: 'adam', schedule: 3 })).toEqual({ type: 'TypeError', message: 'Sequential.compile: options.optimizer.schedule must be an object, got 3' });
    expect(model.toJSON().training).toBe(undefined); // nothing was compiled
    model.compile({ loss: 'mse' });
    const x = [[[1, 2]]];
    const y = [[[1]]];
    await expect(model.fit(x, y, { earlyStopping: 5 as never })).rejects.toThrow(new TypeError('Sequential.fit: options.earlyStopping must be an object, got 5'));
    await expect(model.fit(x, y, { earlyStopping: { patiense: 2 } as never })).rejects.toThrow(
      new RangeError("Sequential.fit: options.earlyStopping has an unknown key 'patiense' (known: monitor, patience, minDelta, restoreBestWeights)"),
    );
    await expect(model.fit(x, y, { validationData: { x, y, z: 1 } as never })).rejects.toThrow(
      new RangeError("Sequential.fit: options.validationData has an unknown key 'z' (known: x, y, lengths, mask)"),
    );
    expect(model.steps).toBe(0);
    model.dispose();
    const ed = new EncoderDecoder({ encoder: { inputSize: 1, layers: [new GRU({ units: 2 })] }, decoder: { inputSize: 1, layers: [new GRU({ units: 2, returnSequences: true }), new Dense({ units: 1 })] } });
    expect(thrown(() => ed.setWeights({ ...ed.getWeights(), extra: [] } as never))).toEqual({
      type: 'RangeError', message: "EncoderDecoder.setWeights: weights has an unknown key 'extra' (known: encoder, decoder)",
    });
    ed.dispose();
    expect(thrown(() => new EncoderDecoder({ encoder: 3, decoder: {} } as never))).toEqual({ type: 'TypeError', message: 'EncoderDecoder: options.encoder must be an object, got 3' });
  });

  it('metrics: values that are not numbers are a TypeError naming the element', () => {
    expect(thrown(() => rmse(['a'] as never, ['b'] as never))).toEqual({ type: 'TypeError', message: 'rmse: predicted[0] must be a number, got "a"' });
    expect(thrown(() => nrmse([1, 2], [1, '2'] as never))).toEqual({ type: 'TypeError', message: 'nrmse: target[1] must be a number, got "2"' });
    expect(thrown(() => rsquare([1, null] as never, [1, 2]))).toEqual({ type: 'TypeError', message: 'rsquare: predicted[1] must be a number, got null' });
    expect(thrown(() => rmse('ab' as never, 'ab' as never))).toEqual({ type: 'TypeError', message: 'rmse: predicted must be an array of numbers, got "ab"' });
    expect(thrown(() => rmse([1, NaN], [1, 2]))).toEqual({ type: 'RangeError', message: 'rmse: non-finite value at index 1 (predicted NaN, target 2)' });
  });

  it('Sequential.step: states must be finite; a refused step leaves the state as it was', () => {
    const model = new Sequential({ inputSize: 2, seed: 1, layers: [new LSTM({ units: 2, returnSequences: true }), new GRU({ units: 3 })] });
    const state = model.initialState(2);
    model.step([[1, 2], [3, 4]], state);
    state.layers[1]!.h![4] = NaN;
    const copy = state.layers.map((l) => ({ h: l!.h!.slice(), c: l!.c?.slice() }));
    expect(thrown(() => model.step([[1, 2], [3, 4]], state))).toEqual({ type: 'RangeError', message: 'Sequential.step: state.layers[1].h[4] is NaN; states must be finite' });
    state.layers[1]!.h![4] = 0;
    state.layers[0]!.c![1] = -Infinity;
    expect(thrown(() => model.step([[1, 2], [3, 4]], state))).toEqual({ type: 'RangeError', message: 'Sequential.step: state.layers[0].c[1] is -Infinity; states must be finite' });
    expect(state.layers.map((l) => ({ h: l!.h!.slice(), c: l!.c?.slice() }))).toEqual(copy.map((c, i) => (i === 0 ? { ...c, c: Float32Array.from(c.c!, (v, k) => (k === 1 ? -Infinity : v)) } : { ...c, h: Float32Array.from(c.h, (v, k) => (k === 4 ? 0 : v)) })));
    model.dispose();
  });
});
