// LSTM({ variant: 'peephole', peepholes }): peepholes on chosen gates only (the kernels against the
// reference are in cells.test.ts, which runs ['o'], ['i', 'f'] and ['f'] on both builds). Here: the
// options and their messages, the parameters and weight layouts of a partial set, saving, and that
// listing all three gates is the default to the bit.
import { beforeAll, describe, expect, it } from 'vitest';
import { init } from '../src/engine/init.js';
import { Dense } from '../src/layers/dense.js';
import { LSTM } from '../src/layers/lstm.js';
import { Sequential } from '../src/models/sequential.js';
import { expectSameBits, thrown } from './helpers/compare.js';
import { randomFloat32 } from './helpers/random.js';

beforeAll(async () => {
  await init();
});

describe('LSTM peepholes on chosen gates', () => {
  it('refuses bad options with the argument, what was expected and what was given', () => {
    expect(thrown(() => new LSTM({ inputSize: 2, units: 3, peepholes: ['o'] }))).toEqual({ type: 'RangeError', message: "LSTM: options.peepholes is for variant 'peephole', got variant 'standard'" });
    for (const bad of [[], ['o', 'o'], ['g'], 'o']) {
      expect(thrown(() => new LSTM({ inputSize: 2, units: 3, variant: 'peephole', peepholes: bad as never })).message).toMatch(/^LSTM: options.peepholes must be a non-empty list of distinct gates 'i', 'f', 'o', got /);
    }
  });

  it("['o'] has one [H] peephole: parameters, native / Keras / PyTorch keys, round trips", () => {
    const H = 3;
    const lstm = new LSTM({ inputSize: 2, units: H, variant: 'peephole', peepholes: ['o'], seed: 1 });
    const full = new LSTM({ inputSize: 2, units: H, variant: 'peephole', seed: 1 });
    const count = (layer: LSTM) => Object.values(layer.getWeights()).reduce((n, t) => n + t.data.length, 0);
    expect(count(full) - count(lstm)).toBe(2 * H);
    expect(lstm.getWeights().peephole.shape).toEqual([H]);
    expect(Object.keys(lstm.getWeights({ format: 'keras' })).sort()).toEqual(['bias', 'kernel', 'output_gate_peephole_weights', 'recurrent_kernel']);
    expect(Object.keys(lstm.getWeights({ format: 'pytorch' })).sort()).toEqual(['bias_hh', 'bias_ih', 'peephole_o', 'weight_hh', 'weight_ih']);
    const p = randomFloat32(H, 5);
    lstm.setWeights({ ...lstm.getWeights({ format: 'keras' }), output_gate_peephole_weights: { data: p, shape: [H] } }, { format: 'keras' });
    expectSameBits('peephole_o', lstm.getWeights({ format: 'pytorch' }).peephole_o.data, p);
    expect(thrown(() => lstm.setWeights({ ...lstm.getWeights({ format: 'pytorch' }), peephole_i: { data: p, shape: [H] } }, { format: 'pytorch' })).message).toMatch(/peephole_i/);
    lstm.dispose();
    full.dispose();
  });

  it("['i', 'f', 'o'] is the default to the bit; a partial set is saved and loaded", () => {
    const x = { data: randomFloat32(2 * 5 * 2, 3), shape: [2, 5, 2] };
    const make = (peepholes?: ('i' | 'f' | 'o')[]) =>
      new Sequential({ inputSize: 2, seed: 4, layers: [new LSTM({ units: 4, variant: 'peephole', peepholes }), new Dense({ units: 1 })] });
    const a = make();
    const b = make(['o', 'i', 'f']); // any order: the gates are kept in the order i, f, o
    const noise = randomFloat32(a.paramCount, 9, -0.3, 0.3);
    a.setParameters(a.getParameters().map((v, i) => v + noise[i]));
    b.setParameters(a.getParameters());
    expectSameBits('predict', b.predict(x).data, a.predict(x).data);
    const o = make(['o']);
    o.setParameters(o.getParameters().map((v, i) => v + noise[i]));
    const saved = JSON.parse(JSON.stringify(o.toJSON()));
    expect(saved.layers[0].config.peepholes).toEqual(['o']);
    const again = Sequential.fromJSON(saved);
    expectSameBits('reloaded', again.predict(x).data, o.predict(x).data);
    expect((again.layers[0] as LSTM).peepholes).toEqual(['o']);
    for (const m of [a, b, o, again]) m.dispose();
  });
});
