// Stage two of the gradient checks: every WASM cell (both builds) against the
// f64 reference — outputs, final states and every gradient — over awkward
// sizes B ∈ {1, 3, 17}, T ∈ {1, 2, 5}, I, H ∈ {1, 3, 8, 17, 33}.
//
// Tolerance: |got − want| ≤ 1e-4·|want| + 1e-5·max|want| (+1e-6). The f32 kernel
// rounds every product and sum (u = 6e-8) through dot products of length up to
// 4·33 and recurrences of 5 steps; gradients are sums of T·B such terms, so an
// element near zero can carry an absolute error proportional to the array's
// scale rather than its own — hence the second term.
import { describe, expect, it } from 'vitest';
import { BUILDS, backendFor } from './helpers/backends.js';
import { expectSameBits, expectWithinBound } from './helpers/compare.js';
import { ALL_CELLS, caseName, cellData, makeLayer, runLayer, runReference } from './helpers/cells.js';

const BS = [1, 3, 17];
const TS = [1, 2, 5];
const SIZES = [1, 3, 8, 17, 33];
const SHAPES = Array.from({ length: 10 }, (_, i) => ({ B: BS[i % 3], T: TS[(i + 1) % 3], I: SIZES[i % 5], H: SIZES[(2 * i + 1) % 5] }));

function bound(want: ArrayLike<number>): Float64Array {
  let max = 0;
  for (let i = 0; i < want.length; i++) max = Math.max(max, Math.abs(want[i]));
  return Float64Array.from(want, (w) => 1e-4 * Math.abs(w) + 1e-5 * max + 1e-6);
}

function expectClose(label: string, got: ArrayLike<number>, want: ArrayLike<number>): void {
  expectWithinBound(label, got, want, bound(want));
}

describe.each(BUILDS)('cells on the $name build vs the f64 reference', ({ simd }) => {
  for (const c of ALL_CELLS) {
    it(caseName(c), async () => {
      const backend = await backendFor(simd);
      let seed = 100;
      for (const d of SHAPES) {
        const label = `${caseName(c)} B=${d.B} T=${d.T} I=${d.I} H=${d.H}`;
        const layer = makeLayer(c, d.I, d.H, backend, seed);
        const data = cellData(d, (seed += 10));
        const got = runLayer(layer, c, d, data);
        const want = runReference(layer, c, d, data);
        expectClose(`${label} output`, got.output, want.output);
        for (const k of Object.keys(want.finalState)) expectClose(`${label} finalState.${k}`, got.finalState[k], want.finalState[k]);
        expectClose(`${label} dInput`, got.dInput, want.dInput);
        for (const k of Object.keys(want.dInitialState)) expectClose(`${label} dInitialState.${k}`, got.dInitialState[k], want.dInitialState[k]);
        expect(Object.keys(got.dWeights).sort()).toEqual(Object.keys(want.dWeights).sort());
        for (const k of Object.keys(want.dWeights)) expectClose(`${label} dWeights.${k}`, got.dWeights[k], want.dWeights[k]);
        layer.dispose();
      }
    });
  }
});

describe('SIMD and scalar cells', () => {
  it('give bit-identical outputs and gradients', async () => {
    const simd = await backendFor(true);
    const scalar = await backendFor(false);
    const d = { B: 3, T: 5, I: 7, H: 9 };
    for (const c of ALL_CELLS) {
      const data = cellData(d, 7);
      const a = runLayer(makeLayer(c, d.I, d.H, simd), c, d, data);
      const b = runLayer(makeLayer(c, d.I, d.H, scalar), c, d, data);
      expectSameBits(`${caseName(c)} output`, a.output, b.output);
      expectSameBits(`${caseName(c)} dInput`, a.dInput, b.dInput);
      for (const k of Object.keys(a.dWeights)) expectSameBits(`${caseName(c)} d${k}`, a.dWeights[k], b.dWeights[k]);
    }
  });

  it('give bit-identical outputs, states and gradients with a mask', async () => {
    const simd = await backendFor(true);
    const scalar = await backendFor(false);
    const d = { B: 3, T: 5, I: 7, H: 9 };
    // [B, T]: post-padded; padded in the middle, at the start and at the end; one real step.
    const mask = Float32Array.of(1, 1, 1, 0, 0, 0, 1, 0, 1, 0, 0, 0, 1, 0, 0);
    for (const c of ALL_CELLS) {
      const data = cellData(d, 8);
      const a = runLayer(makeLayer(c, d.I, d.H, simd), c, d, data, mask);
      const b = runLayer(makeLayer(c, d.I, d.H, scalar), c, d, data, mask);
      const name = `${caseName(c)} masked`;
      expectSameBits(`${name} output`, a.output, b.output);
      for (const k of Object.keys(a.finalState)) expectSameBits(`${name} finalState.${k}`, a.finalState[k], b.finalState[k]);
      expectSameBits(`${name} dInput`, a.dInput, b.dInput);
      for (const k of Object.keys(a.dInitialState)) expectSameBits(`${name} dInitialState.${k}`, a.dInitialState[k], b.dInitialState[k]);
      for (const k of Object.keys(a.dWeights)) expectSameBits(`${name} d${k}`, a.dWeights[k], b.dWeights[k]);
    }
  });
});
