// The Echo State Network's fit on threads (issue #16): the accumulation of XᵀX / XᵀY split into
// row ranges (src/esn/gram.ts) gives the bits of one thread for 1, 2 and 3 threads — the Gram sums,
// the readout (ridge and pinv), the state after the fit and the states a run collects afterwards;
// a failure in a worker leaves the model unchanged; repeated fits do not grow memory.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Backend, liveF64, liveView } from '../src/engine/backend.js';
import { BufferSet } from '../src/esn/buffers.js';
import { EchoStateNetwork, type EchoStateNetworkOptions } from '../src/esn/esn.js';
import { GramAccumulator, gramRowPlan, MAX_RANGES, RANGE_ENTRIES } from '../src/esn/gram.js';
import { readoutFeatureMask } from '../src/kernels/esn.js';
import { expectSameBits } from './helpers/compare.js';
import { randomReservoir } from './helpers/esn.js';
import { makeRandom } from './helpers/random.js';

const COUNTS = [1, 2, 3] as const;

/** Same bits, f64 (expectSameBits is for f32): Object.is tells −0 from 0; NaN payloads do not occur here. */
function sameF64(label: string, got: Float64Array, want: Float64Array): void {
  expect(got.length, label).toBe(want.length);
  for (let i = 0; i < got.length; i++) if (!Object.is(got[i], want[i])) throw new Error(`${label}: element ${i} differs: ${got[i]} vs ${want[i]}`);
}
let backends: Backend[] = [];

beforeAll(async () => {
  backends = await Promise.all(COUNTS.map((threads) => Backend.create({ threads })));
});

afterAll(() => {
  for (const backend of backends) backend.dispose();
});

describe('the row plan of XᵀX', () => {
  const area = (F: number, { start, end }: { start: number; end: number }): number => {
    let sum = 0;
    for (let i = start; i < end; i++) sum += F - i;
    return sum;
  };

  it('depends only on F: one range below 2·RANGE_ENTRIES entries, else near-equal areas cut at even rows', () => {
    expect(gramRowPlan(1)).toEqual([{ start: 0, end: 1 }]);
    expect(gramRowPlan(255)).toEqual([{ start: 0, end: 255 }]); // 32,640 entries
    for (const F of [362, 363, 602, 1002, 1003, 2002, 5000]) {
      const plan = gramRowPlan(F);
      const total = (F * (F + 1)) / 2;
      expect(plan.length, `F=${F}`).toBe(Math.min(MAX_RANGES, Math.floor(total / RANGE_ENTRIES)));
      plan.forEach((r, k) => {
        expect(r.start, `F=${F} range ${k}`).toBe(k === 0 ? 0 : plan[k - 1].end);
        expect(r.start % 2).toBe(0);
        expect(r.end).toBeGreaterThan(r.start);
        // Balanced within one row pair (2F entries) of the mean.
        expect(Math.abs(area(F, r) - total / plan.length), `F=${F} range ${k}`).toBeLessThanOrEqual(2 * F);
      });
      expect(plan.at(-1)!.end).toBe(F);
    }
  });
});

/** A reservoir F = 1 + 2 + 400 + 2 = 405 features: 2 row ranges; and F = 1 + 1 + 700 = 702: 7. */
const SETUPS: Array<{ name: string; options: EchoStateNetworkOptions; lengths: number[] }> = [
  {
    name: 'N=400, I=2, O=2, feedback, state noise, features [1; u; x; y(t−1)], three sequences',
    options: {
      inputSize: 2, outputSize: 2, units: 400, density: 0.02, spectralRadius: 0.9, leakRate: 0.7, feedbackScaling: 0.2, stateNoise: 1e-3,
      ridge: 1e-6, washout: 70, seed: 4, readout: { features: ['bias', 'input', 'state', 'output'] },
    },
    // A sequence shorter than the washout plus one block, one with a ragged last block, one of whole blocks.
    lengths: [100, 300, 70 + 3 * 64],
  },
  {
    name: 'N=700, I=1, O=1, one sequence, solver pinv',
    options: { inputSize: 1, units: 700, density: 0.01, spectralRadius: 0.95, ridge: 0, solver: 'pinv', washout: 10, seed: 8 },
    lengths: [400],
  },
];

function sequences(lengths: number[], I: number, O: number): { u: number[][][]; d: number[][][] } {
  const next = makeRandom(17);
  const u = lengths.map((T) => Array.from({ length: T }, () => Array.from({ length: I }, () => next() * 2 - 1)));
  const d = u.map((seq) => seq.map((row, t) => Array.from({ length: O }, (_, o) => Math.sin(0.3 * t + o) * 0.5 + 0.2 * row[0])));
  return { u, d };
}

describe('EchoStateNetwork.fit on 1, 2 and 3 threads', () => {
  for (const setup of SETUPS) {
    it(`gives the same bits: ${setup.name}`, () => {
      const I = setup.options.inputSize, O = setup.options.outputSize ?? 1;
      const { u, d } = sequences(setup.lengths, I, O);
      const probe = u[0].slice(0, 50);
      // One reservoir (its spectral radius is estimated once), loaded on each backend.
      const saved = new EchoStateNetwork({ ...setup.options, backend: backends[0] });
      const json = saved.toJSON();
      saved.dispose();
      const results = backends.map((backend) => {
        const esn = EchoStateNetwork.fromJSON(json, { backend });
        esn.fit(u, d);
        const out = { readout: esn.getReadout(), state: esn.state, predicted: esn.predict(probe).data, states: esn.run(probe).data };
        esn.dispose();
        return out;
      });
      const F = results[0].readout.length / O;
      expect(gramRowPlan(F).length).toBeGreaterThan(1);
      expect(results[0].readout.some((v) => v !== 0)).toBe(true);
      for (let k = 1; k < COUNTS.length; k++) {
        const label = `${COUNTS[k]} threads`;
        sameF64(`${label} readout`, results[k].readout, results[0].readout);
        expectSameBits(`${label} state after fit`, results[k].state, results[0].state);
        expectSameBits(`${label} predict after fit`, results[k].predicted, results[0].predicted);
        expectSameBits(`${label} run after fit`, results[k].states, results[0].states);
      }
    });
  }

  it('XᵀX and XᵀY themselves are the same bits (GramAccumulator, F = 603 in 5 ranges)', () => {
    const N = 600, I = 2, O = 1, T = 333, washout = 20;
    const r = randomReservoir(N, I, O, 6, 5);
    const next = makeRandom(6);
    const u = Float32Array.from({ length: T * I }, () => next() * 2 - 1);
    const targets = Float64Array.from({ length: T * O }, () => next() - 0.5);
    const grams = backends.map((backend) => {
      const s = new BufferSet(backend);
      try {
        const F = 1 + I + N;
        const gram = new GramAccumulator(backend, s, F, O, `F = ${F}`);
        const state = s.f32(N);
        const loop = { state: state.ptr, feedback: s.f32(O).ptr, pre: s.f32(N).ptr, ynext: s.f32(O).ptr };
        const w = {
          wIn: s.f32(r.wIn).ptr, wBack: 0, bias: s.f32(r.bias).ptr, wVal: s.f32(r.values).ptr, wCol: s.i32(r.columns).ptr, wRow: s.i32(r.rowStart).ptr,
          wDense: 0, wOut: 0,
        };
        const inputs = { u: s.f32(u).ptr, targets: s.f64(targets).ptr };
        const sizes = {
          units: N, inputSize: I, outputSize: O, leakRate: r.leakRate, dense: false, tanhOutput: false,
          features: readoutFeatureMask(['bias', 'input', 'state']), linear: false, washout,
        };
        gram.add(loop, inputs, w, { ...sizes, timeSteps: T });
        gram.add(loop, inputs, w, { ...sizes, timeSteps: 150 }); // continues from the state the first left
        gram.finish();
        expect(gramRowPlan(F).length).toBe(5);
        return { xtx: liveF64(gram.xtx).slice(), xty: liveF64(gram.xty).slice(), state: liveView(state).slice() };
      } finally {
        s.dispose();
      }
    });
    expect(grams[0].xtx[0]).toBe(T - washout + 150 - washout);
    for (let k = 1; k < COUNTS.length; k++) {
      sameF64(`${COUNTS[k]} threads XᵀX`, grams[k].xtx, grams[0].xtx);
      sameF64(`${COUNTS[k]} threads XᵀY`, grams[k].xty, grams[0].xty);
      expectSameBits(`${COUNTS[k]} threads the reservoir state`, grams[k].state, grams[0].state);
    }
  });

  it('a failure in a worker is an ordinary error and leaves the model unchanged; repeated fits do not grow memory', () => {
    const backend = backends[1];
    const { u, d } = sequences([300], 1, 1);
    const esn = new EchoStateNetwork({ inputSize: 1, units: 400, density: 0.02, washout: 10, seed: 2, backend });
    esn.fit(u, d);
    const readout = esn.getReadout(), state = esn.state;
    backend.injectThreadFault(1);
    expect(() => esn.fit(u.map((q) => q.map((row) => [row[0] * 0.5])), d)).toThrow(/^rnn-wasm: a (worker thread|shard) failed/);
    sameF64('readout after the failed fit', esn.getReadout(), readout);
    expectSameBits('state after the failed fit', esn.state, state);
    esn.fit(u, d);
    sameF64('readout of a fit after the failure', esn.getReadout(), readout);
    const bytes = backend.memoryBytes;
    for (let i = 0; i < 5; i++) esn.fit(u, d);
    expect(backend.memoryBytes).toBe(bytes);
    esn.dispose();
  });
});
