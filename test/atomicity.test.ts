// A call that fails leaves the object exactly as it was: every mutating public call
// checks (and allocates) first, then changes state. Each case makes a call fail
// and compares a snapshot (state, readout, weights, toJSON) before and after.
import { beforeAll, describe, expect, it } from 'vitest';
import { init } from '../src/engine/init.js';
import { EchoStateNetwork } from '../src/esn/esn.js';
import { Dense } from '../src/layers/dense.js';
import { GRU } from '../src/layers/gru.js';
import { LSTM } from '../src/layers/lstm.js';
import { Bidirectional } from '../src/layers/bidirectional.js';
import { Sequential } from '../src/models/sequential.js';

beforeAll(async () => {
  await init();
});

const series = (T: number, phase = 0) => ({ data: Float32Array.from({ length: T }, (_, t) => Math.sin(0.3 * t + phase)), shape: [T, 1] });

function snapshot(esn: EchoStateNetwork): unknown {
  return { state: esn.state, readout: esn.getReadout(), trained: esn.trained, json: JSON.stringify(esn.toJSON()) };
}

function trainedEsn(options: Record<string, unknown> = {}): EchoStateNetwork {
  const esn = new EchoStateNetwork({ inputSize: 1, units: 30, density: 0.2, spectralRadius: 0.9, washout: 5, seed: 4, ...options });
  esn.fit(series(60), series(60, 0.3));
  esn.run(series(7, 1)); // a state that is not zero
  return esn;
}

describe('EchoStateNetwork: a failed call changes nothing', () => {
  it('generate: a step count too large for one block, after a prefix (the prefix used to advance the state first)', () => {
    const esn = trainedEsn();
    const before = snapshot(esn);
    expect(() => esn.generate(2 ** 31 - 1, { prefix: series(5) })).toThrow(
      "EchoStateNetwork.generate: the output (steps 2147483647 × outputSize 1) needs 2147483647 floats (8589934588 bytes), more than one block of linear memory holds (at most 1073741808 bytes = 268435452 floats: the allocator's largest block is 2³⁰ − 16 bytes)",
    );
    expect(() => esn.generate(2 ** 31)).toThrow('EchoStateNetwork.generate: steps must be in [1, 2147483647], got 2147483648');
    expect(() => esn.generate(3, { prefix: [[1, 2]] })).toThrow(RangeError);
    expect(() => esn.generate(3, { warmup: 2 } as never)).toThrow(RangeError);
    expect(snapshot(esn)).toEqual(before);
    // And the calls that succeed still run from that state.
    const copy = EchoStateNetwork.fromJSON(esn.toJSON());
    expect(esn.generate(4, { prefix: series(5) })).toEqual(copy.generate(4, { prefix: series(5) }));
  });

  it('predict and run (they advance the state): bad input', () => {
    const esn = trainedEsn();
    const before = snapshot(esn);
    expect(() => esn.predict({ data: new Float32Array(6), shape: [3, 2] })).toThrow(RangeError);
    expect(() => esn.run([[1], [Number.NaN]])).toThrow(RangeError);
    expect(() => esn.run('x' as never)).toThrow(TypeError);
    expect(snapshot(esn)).toEqual(before);
  });

  it('fit: a bad sequence among several, and a bad size', () => {
    const esn = trainedEsn({ stateNoise: 1e-3 });
    const before = snapshot(esn);
    expect(() => esn.fit([series(20), series(4)], [series(20), series(4)])).toThrow(
      'EchoStateNetwork.fit: washout 5 must be less than the length of every sequence, but sequence 1 has 4 time steps',
    );
    expect(() => esn.fit(series(20), { data: new Float32Array(19), shape: [19, 1] })).toThrow(RangeError);
    expect(snapshot(esn)).toEqual(before);
    // The noise stream did not move either: the next fit equals a fit on a copy that never failed.
    const copy = EchoStateNetwork.fromJSON(esn.toJSON());
    const twin = trainedEsn({ stateNoise: 1e-3 });
    esn.fit(series(40, 2), series(40, 2.5));
    twin.fit(series(40, 2), series(40, 2.5));
    expect(esn.getReadout()).toEqual(twin.getReadout());
    copy.dispose();
  });

  it('fitOnline: bad options and bad targets', () => {
    const esn = trainedEsn();
    esn.fitOnline(series(30), series(30, 0.2));
    const before = snapshot(esn);
    expect(() => esn.fitOnline(series(10), series(10), { forgettingFactor: 2 })).toThrow(
      'EchoStateNetwork.fitOnline: options.forgettingFactor must be in (0, 1], got 2',
    );
    expect(() => esn.fitOnline(series(10), series(9))).toThrow(RangeError);
    expect(snapshot(esn)).toEqual(before);
  });

  it('fromJSON: a corrupt save builds nothing and touches no other model', () => {
    const esn = trainedEsn();
    const before = snapshot(esn);
    const json = esn.toJSON() as unknown as Record<string, unknown>;
    expect(() => EchoStateNetwork.fromJSON({ ...json, version: 99 })).toThrow();
    expect(snapshot(esn)).toEqual(before);
  });
});

describe('layers: a failed call changes nothing', () => {
  const x = { data: Float32Array.from({ length: 2 * 3 * 4 }, (_, i) => Math.cos(i)), shape: [2, 3, 4] };
  const dOutput = { data: new Float32Array(2 * 3 * 5).fill(0.5), shape: [2, 3, 5] };

  for (const Kind of [LSTM, GRU]) {
    it(`${Kind.name}: forward, backward and setWeights with bad input keep the weights and the last cache`, () => {
      const layer = new Kind({ inputSize: 4, units: 5, seed: 2 });
      const { cache, output } = layer.forward(x);
      const weights = layer.getWeights();
      const grads = layer.backward(cache, { dOutput });
      expect(() => layer.forward({ data: new Float32Array(6), shape: [1, 2, 3] })).toThrow(RangeError);
      expect(() => layer.forward(x, { lengths: [4, 1] })).toThrow(RangeError);
      expect(() => layer.backward(cache, { dOutput: { data: new Float32Array(4), shape: [1, 1, 4] } })).toThrow(RangeError);
      const bad = { ...weights, [Object.keys(weights)[0]]: { data: new Float32Array(1), shape: [1] } };
      expect(() => layer.setWeights(bad)).toThrow(RangeError);
      expect(layer.getWeights()).toEqual(weights);
      // The cache made before the failed calls is still valid and gives the same gradients.
      expect(layer.backward(cache, { dOutput })).toEqual(grads);
      expect(layer.forward(x).output).toEqual(output);
    });
  }

  it('a forward whose workspace cannot fit (batch × steps × units beyond one block) keeps the weights and the last cache', () => {
    const layer = new LSTM({ inputSize: 1, units: 128, seed: 3 });
    const small = { data: new Float32Array(2 * 3).fill(0.25), shape: [2, 3, 1] };
    const dOut = { data: new Float32Array(2 * 3 * 128).fill(0.1), shape: [2, 3, 128] };
    const { cache, output } = layer.forward(small);
    const weights = layer.getWeights();
    const grads = layer.backward(cache, { dOutput: dOut });
    expect(() => layer.forward({ data: new Float32Array(512 * 512), shape: [512, 512, 1] })).toThrow(
      /^LSTM\.forward: the workspace for a batch of 512 sequences × 512 time steps \(inputSize 1, units 128\) needs \d+ floats \(\d+ bytes\), more than one block of linear memory holds/,
    );
    expect(layer.getWeights()).toEqual(weights);
    expect(layer.backward(cache, { dOutput: dOut })).toEqual(grads);
    expect(layer.forward(small).output).toEqual(output);
  });

  it('Dense: setWeights with a bad shape keeps the weights', () => {
    const dense = new Dense({ inputSize: 3, units: 2, seed: 1 });
    const weights = dense.getWeights();
    expect(() => dense.setWeights({ weight: { data: new Float32Array(6), shape: [2, 3] }, bias: { data: new Float32Array(2), shape: [2] } })).toThrow(RangeError);
    expect(() => dense.setWeights({ weight: weights.weight, bias: { data: new Float32Array(3), shape: [3] } })).toThrow(RangeError);
    expect(dense.getWeights()).toEqual(weights);
  });

  it('a layer that fails to build in a model stays unbuilt and can be built again', () => {
    const lstm = new LSTM({ units: 20000 });
    expect(() => new Sequential({ inputSize: 4, layers: [lstm] })).toThrow(/^LSTM: the weights for inputSize 4 and units 20000 needs \d+ floats/);
    expect(lstm.built).toBe(false);
    expect(lstm.inputSize).toBe(0);
  });
});

describe('Bidirectional.setWeights', () => {
  it('validates both directions before writing either: a bad backward half leaves weights and caches as they were', () => {
    const model = new Sequential({ inputSize: 2, seed: 3, layers: [new Bidirectional({ layer: new GRU({ units: 2 }) }), new Dense({ units: 1 })] });
    const bi = model.layers[0] as Bidirectional;
    const before = model.getParameters();
    const x = { data: Float32Array.from({ length: 2 * 3 * 2 }, (_, i) => Math.sin(i)), shape: [2, 3, 2] };
    const { cache } = bi.forwardLayer.forward(x);
    const good = bi.getWeights();
    const bad = { ...good, 'backward/biasIh': { data: new Float32Array(1), shape: [1] } };
    expect(() => bi.setWeights(bad)).toThrow(/^GRU\.setWeights: weights\.biasIh has shape \[1\]/);
    expect(model.getParameters()).toEqual(before);
    expect(() => bi.forwardLayer.backward(cache, { dOutput: { data: new Float32Array(2 * 3 * 2), shape: [2, 3, 2] } })).not.toThrow();
    model.dispose();
  });
});
