// Masks for variable-length batches: forward(x, { mask }) / forward(x, { lengths }).
// A padded step (mask 0) keeps the state; in backward it adds nothing to any gradient
// and passes the gradient arriving at its state straight to the previous state.
//
// 1. Every cell (both builds) against the f64 reference with masks — random 0/1 patterns
//    (not prefixes; some sequences wholly padded) and post-padded lengths — over sizes that
//    break vector code. Tolerance as in cells.test.ts.
// 2. The property masks exist for: a masked batch of sequences of different lengths gives
//    what running each sequence alone at its own length gives (outputs at real steps, final
//    states, dInput, dInitialState), and the sum of their dWeights.
// 3. lengths and the equivalent mask give the same bits; an all-ones mask gives the bits of
//    no mask; a masked forward leaves no trace in the next unmasked one.
// 4. Bad masks and lengths get clear errors and change nothing.
import { describe, expect, it } from 'vitest';
import type { Backend } from '../src/engine/backend.js';
import { LSTM } from '../src/layers/lstm.js';
import { BUILDS, backendFor } from './helpers/backends.js';
import { expectSameBits, expectWithinBound } from './helpers/compare.js';
import { ALL_CELLS, caseName, cellData, makeLayer, runLayer, runReference, type CellCase, type CellData, type CellRun } from './helpers/cells.js';
import { makeRandom } from './helpers/random.js';

const HS = [1, 3, 4, 5, 8, 9];
const BS = [1, 3];
const TS = [1, 2, 5];
const IS = [1, 2, 7];
const SHAPES = HS.flatMap((H, h) => BS.flatMap((B) => TS.map((T, t) => ({ B, T, I: IS[(h + t) % 3], H }))));

/** Random 0/1 entries [B, T] (about two thirds real): any pattern, including rows with no real step. */
function randomMask(B: number, T: number, seed: number): Float32Array {
  const next = makeRandom(seed);
  return Float32Array.from({ length: B * T }, () => (next() < 0.67 ? 1 : 0));
}

/** [B, T] mask of the first lengths[b] steps. */
function lengthsMask(lengths: number[], T: number): Float32Array {
  const mask = new Float32Array(lengths.length * T);
  lengths.forEach((L, b) => mask.fill(1, b * T, b * T + L));
  return mask;
}

/** rtol·|want| + scale·max|want| + floor, per element. */
function scaledBound(want: ArrayLike<number>, rtol: number, scale: number, floor: number): Float64Array {
  let max = 0;
  for (let i = 0; i < want.length; i++) max = Math.max(max, Math.abs(want[i]));
  return Float64Array.from(want, (w) => rtol * Math.abs(w) + scale * max + floor);
}

/** f32 kernel vs f64 reference: the bound of cells.test.ts (see there for why). */
function expectClose(label: string, got: ArrayLike<number>, want: ArrayLike<number>): void {
  expectWithinBound(label, got, want, scaledBound(want, 1e-4, 1e-5, 1e-6));
}

/** dInput at every padded step (t, b) is exactly +0. */
function expectPaddedDInputZero(label: string, dInput: Float32Array, mask: Float32Array, B: number, T: number, I: number): void {
  for (let b = 0; b < B; b++) {
    for (let t = 0; t < T; t++) {
      if (mask[b * T + t] !== 0) continue;
      for (let i = 0; i < I; i++) {
        const v = dInput[(b * T + t) * I + i];
        if (!Object.is(v, 0)) throw new Error(`${label}: dInput[${b}][${t}][${i}] at a padded step is ${v}, not 0`);
      }
    }
  }
}

describe.each(BUILDS)('masked cells on the $name build vs the f64 reference', ({ simd }) => {
  for (const c of ALL_CELLS) {
    it(caseName(c), async () => {
      const backend = await backendFor(simd);
      let seed = 500;
      for (const d of SHAPES) {
        const lengths = Array.from({ length: d.B }, (_, b) => 1 + ((b * 2 + d.H) % d.T));
        for (const [kind, mask] of [['random mask', randomMask(d.B, d.T, seed)], ['lengths', lengthsMask(lengths, d.T)]] as const) {
          const label = `${caseName(c)} B=${d.B} T=${d.T} I=${d.I} H=${d.H} ${kind} ${Array.from(mask).join('')}`;
          const layer = makeLayer(c, d.I, d.H, backend, seed);
          const data = cellData(d, (seed += 10));
          const got = runLayer(layer, c, d, data, mask);
          const want = runReference(layer, c, d, data, mask);
          expectClose(`${label} output`, got.output, want.output);
          for (const k of Object.keys(want.finalState)) expectClose(`${label} finalState.${k}`, got.finalState[k], want.finalState[k]);
          expectClose(`${label} dInput`, got.dInput, want.dInput);
          expectPaddedDInputZero(label, got.dInput, mask, d.B, d.T, d.I);
          for (const k of Object.keys(want.dInitialState)) expectClose(`${label} dInitialState.${k}`, got.dInitialState[k], want.dInitialState[k]);
          expect(Object.keys(got.dWeights).sort()).toEqual(Object.keys(want.dWeights).sort());
          for (const k of Object.keys(want.dWeights)) expectClose(`${label} dWeights.${k}`, got.dWeights[k], want.dWeights[k]);
          layer.dispose();
        }
      }
    });
  }
});

/** Sequence b of a [B, T, F] batch, its first L steps, as a batch of one. */
function slice(data: Float32Array, b: number, T: number, F: number, L: number): Float32Array {
  return data.slice(b * T * F, (b * T + L) * F);
}

/** Runs sequence b alone at length L: its gradient at the final state is dh_T plus dOutput at its padded steps. */
function runAlone(layer: ReturnType<typeof makeLayer>, c: CellCase, data: CellData, b: number, L: number, T: number, I: number, H: number): CellRun {
  const dhT = slice(data.dhT, b, 1, H, 1);
  for (let t = L; t < T; t++) for (let j = 0; j < H; j++) dhT[j] += data.dOut[(b * T + t) * H + j];
  const one: CellData = {
    x: slice(data.x, b, T, I, L), h0: slice(data.h0, b, 1, H, 1), c0: slice(data.c0, b, 1, H, 1),
    dOut: slice(data.dOut, b, T, H, L), dhT, dcT: slice(data.dcT, b, 1, H, 1),
  };
  return runLayer(layer, c, { B: 1, T: L, I, H }, one);
}

// Tolerance for batch vs alone: |Δ| ≤ 1e-5·|want| + 1e-6·max|want| (+1e-7). Both sides are the
// same f32 kernels, but not the same sums: a batch of 1 takes the GEMM's one-row path, dWeights
// are one f32 sum over all T·B rows against B separate sums added afterwards, and the carried
// gradient dh_T + Σ dOutput (padded steps) is rounded in another order. Each differs by a few
// ulps, which up to 6 recurrent steps can grow; an element that is a small sum of larger terms
// is off by ulps of the array's scale rather than its own — hence the second term. Measured
// worst: 0.14× this bound (a SimpleRNN relu dInput, relative error 4e-6).
function expectNear(label: string, got: ArrayLike<number>, want: ArrayLike<number>): void {
  expectWithinBound(label, got, want, scaledBound(want, 1e-5, 1e-6, 1e-7));
}

const PROPERTY_CASES = [
  { T: 5, I: 3, H: 5, lengths: [5, 2, 4] },
  { T: 6, I: 7, H: 9, lengths: [3, 6, 1, 6] },
];

describe.each(BUILDS)('a masked batch is its sequences run alone ($name build)', ({ simd }) => {
  for (const c of ALL_CELLS) {
    it(caseName(c), async () => {
      const backend = await backendFor(simd);
      for (const { T, I, H, lengths } of PROPERTY_CASES) {
        const B = lengths.length;
        const label = `${caseName(c)} T=${T} I=${I} H=${H} lengths=${lengths.join(',')}`;
        const layer = makeLayer(c, I, H, backend, 21);
        const data = cellData({ B, T, I, H }, 77);
        const batch = runLayer(layer, c, { B, T, I, H }, data, lengthsMask(lengths, T));
        const sums: Record<string, Float64Array> = Object.fromEntries(Object.entries(batch.dWeights).map(([k, v]) => [k, new Float64Array(v.length)]));
        lengths.forEach((L, b) => {
          const alone = runAlone(layer, c, data, b, L, T, I, H);
          const at = `${label} sequence ${b} (length ${L})`;
          expectNear(`${at} output`, batch.output.subarray(b * T * H, (b * T + L) * H), alone.output);
          const last = batch.output.subarray((b * T + L - 1) * H, (b * T + L) * H);
          for (let t = L; t < T; t++) expectSameBits(`${at} output at padded step ${t}`, batch.output.subarray((b * T + t) * H, (b * T + t + 1) * H), last);
          expectSameBits(`${at} finalState.h is the output at the last real step`, batch.finalState.h.subarray(b * H, (b + 1) * H), last);
          for (const k of Object.keys(alone.finalState)) expectNear(`${at} finalState.${k}`, batch.finalState[k].subarray(b * H, (b + 1) * H), alone.finalState[k]);
          expectNear(`${at} dInput`, batch.dInput.subarray(b * T * I, (b * T + L) * I), alone.dInput);
          for (const k of Object.keys(alone.dInitialState)) expectNear(`${at} dInitialState.${k}`, batch.dInitialState[k].subarray(b * H, (b + 1) * H), alone.dInitialState[k]);
          for (const k of Object.keys(sums)) alone.dWeights[k].forEach((v, i) => (sums[k][i] += v));
        });
        expectPaddedDInputZero(label, batch.dInput, lengthsMask(lengths, T), B, T, I);
        for (const k of Object.keys(sums)) expectNear(`${label} dWeights.${k} vs the sum over sequences`, batch.dWeights[k], sums[k]);
        layer.dispose();
      }
    });
  }
});

function expectSameRun(label: string, a: CellRun, b: CellRun): void {
  expectSameBits(`${label} output`, a.output, b.output);
  for (const k of Object.keys(a.finalState)) expectSameBits(`${label} finalState.${k}`, a.finalState[k], b.finalState[k]);
  expectSameBits(`${label} dInput`, a.dInput, b.dInput);
  for (const k of Object.keys(a.dInitialState)) expectSameBits(`${label} dInitialState.${k}`, a.dInitialState[k], b.dInitialState[k]);
  for (const k of Object.keys(a.dWeights)) expectSameBits(`${label} dWeights.${k}`, a.dWeights[k], b.dWeights[k]);
}

describe('lengths, mask and no mask', () => {
  const d = { B: 3, T: 4, I: 3, H: 5 };
  const lengths = [4, 1, 3];

  it('lengths give the bits of the equivalent mask', async () => {
    const backend = await backendFor(true);
    for (const c of ALL_CELLS) {
      const layer = makeLayer(c, d.I, d.H, backend, 8);
      const data = cellData(d, 31);
      const viaMask = runLayer(layer, c, d, data, lengthsMask(lengths, d.T));
      expectSameRun(`${caseName(c)} lengths vs mask`, runLayer(layer, c, d, data, lengths), viaMask);
      layer.dispose();
    }
  });

  it('a mask as nested arrays [B][T] is read as { data, shape } is', async () => {
    const layer = makeLayer(ALL_CELLS[0], d.I, d.H, await backendFor(true), 8);
    const x = { data: cellData(d, 31).x, shape: [d.B, d.T, d.I] };
    const nested = Array.from({ length: d.B }, (_, b) => Array.from({ length: d.T }, (_, t) => (t < lengths[b] ? 1 : 0)));
    const want = layer.forward(x, { mask: { data: lengthsMask(lengths, d.T), shape: [d.B, d.T] } }).output.data;
    expectSameBits('output', layer.forward(x, { mask: nested }).output.data, want);
    layer.dispose();
  });

  it('an all-ones mask gives the bits of no mask, on both builds', async () => {
    for (const { simd } of BUILDS) {
      const backend = await backendFor(simd);
      for (const c of ALL_CELLS) {
        const layer = makeLayer(c, d.I, d.H, backend, 9);
        const data = cellData(d, 41);
        expectSameRun(`${caseName(c)} simd=${simd} all-ones mask vs none`, runLayer(layer, c, d, data, new Float32Array(d.B * d.T).fill(1)), runLayer(layer, c, d, data));
        layer.dispose();
      }
    }
  });

  it('a masked forward leaves no trace in the next unmasked one', async () => {
    const backend = await backendFor(true);
    for (const c of ALL_CELLS) {
      const layer = makeLayer(c, d.I, d.H, backend, 10);
      const data = cellData(d, 51);
      const before = runLayer(layer, c, d, data);
      runLayer(layer, c, d, data, lengthsMask(lengths, d.T));
      expectSameRun(`${caseName(c)} unmasked after masked`, runLayer(layer, c, d, data), before);
      layer.dispose();
    }
  });
});

describe('bad masks and lengths get a clear error and change nothing', () => {
  let backend: Backend;
  const x = [[[1], [2], [3]], [[4], [5], [6]]]; // B = 2, T = 3, I = 1

  it('errors name the option, what was expected and what was given', async () => {
    backend = await backendFor(true);
    const lstm = new LSTM({ inputSize: 1, units: 2, backend });
    const f = (options: object) => () => lstm.forward(x, options);
    expect(f({ mask: [[1, 1, 1], [1, 0, 0]], lengths: [3, 1] })).toThrow('LSTM.forward: give options.mask or options.lengths, not both');
    expect(f({ mask: [[1, 1, 1]] })).toThrow('LSTM.forward: options.mask has 1 values but batch is 2');
    expect(f({ mask: [[1, 1], [1, 1]] })).toThrow('LSTM.forward: options.mask[0] has 2 values but time steps is 3');
    expect(f({ mask: { data: new Float32Array(6), shape: [3, 2] } })).toThrow('LSTM.forward: options.mask.shape[0] (batch) is 3 but must be 2');
    expect(f({ mask: { data: new Float32Array(6), shape: [2, 3, 1] } })).toThrow('LSTM.forward: options.mask.shape must be 2 non-negative integers [batch, time steps], got [2,3,1]');
    expect(f({ mask: [1, 1, 1] })).toThrow('LSTM.forward: options.mask must be nested arrays of depth 2 [batch][time steps], got depth 1');
    expect(f({ mask: [[1, 1, 1], [1, 0.5, 0]] })).toThrow('LSTM.forward: options.mask holds 0.5 at [1][1]; mask entries must be 0 or 1');
    expect(f({ mask: { data: Float32Array.of(1, 1, 2, 1, 1, 1), shape: [2, 3] } })).toThrow('LSTM.forward: options.mask holds 2 at [0][2]; mask entries must be 0 or 1');
    expect(f({ mask: [[1, 1, 1], [1, -1, 0]] })).toThrow('options.mask holds -1 at [1][1]; mask entries must be 0 or 1');
    expect(f({ mask: [[1, NaN, 1], [1, 1, 1]] })).toThrow('LSTM.forward: options.mask holds NaN at [0][1]; inputs must be finite');
    expect(f({ mask: [[1, true, 1], [1, 1, 1]] })).toThrow('LSTM.forward: options.mask[0][1] must be a number, got boolean');
    expect(f({ mask: 'all' })).toThrow('LSTM.forward: options.mask must be nested arrays or { data, shape }, got "all"');
    expect(f({ lengths: [3] })).toThrow('LSTM.forward: options.lengths has 1 entries but the batch has 2 sequences');
    expect(f({ lengths: [3, 0] })).toThrow('LSTM.forward: options.lengths[1] must be an integer in [1, 3] (the time steps of x), got 0');
    expect(f({ lengths: [4, 1] })).toThrow('LSTM.forward: options.lengths[0] must be an integer in [1, 3] (the time steps of x), got 4');
    expect(f({ lengths: [1.5, 1] })).toThrow('options.lengths[0] must be an integer in [1, 3] (the time steps of x), got 1.5');
    expect(f({ lengths: [3, '2'] })).toThrow(TypeError);
    expect(f({ lengths: [3, '2'] })).toThrow('options.lengths[1] must be an integer in [1, 3] (the time steps of x), got "2"');
    expect(f({ lengths: 3 })).toThrow('LSTM.forward: options.lengths must be an array of 2 integers (one per sequence), got 3');
    lstm.dispose();
  });

  it('a failed forward leaves the previous cache usable and the results unchanged', async () => {
    backend = await backendFor(true);
    const lstm = new LSTM({ inputSize: 1, units: 2, backend, seed: 4 });
    const first = lstm.forward(x, { lengths: [3, 2] });
    const dOutput = { data: Float32Array.from({ length: 12 }, (_, i) => (i % 5) - 2), shape: [2, 3, 2] };
    const want = lstm.backward(first.cache, { dOutput });
    expect(() => lstm.forward(x, { lengths: [3, 5] })).toThrow(/options.lengths\[1\]/);
    expect(() => lstm.forward([[[1], [2]]], { mask: [[1, 0.25]] })).toThrow(/options.mask holds 0.25/);
    const again = lstm.backward(first.cache, { dOutput });
    expectSameBits('dInput', again.dInput.data, want.dInput.data);
    for (const k of Object.keys(want.dWeights)) expectSameBits(k, again.dWeights[k].data, want.dWeights[k].data);
    lstm.dispose();
  });
});
