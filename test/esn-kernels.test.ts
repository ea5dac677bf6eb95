// ESN kernels (assembly/esn.ts) against the f64 reference (src/reference/esn.ts), on
// both builds, and the SIMD build against the scalar one bit for bit.
import { describe, expect, it } from 'vitest';
import { ridgeSolve } from '../src/esn/readout.js';
import { collectReference, featuresReference, readoutReference, ridgeSolveReference } from '../src/reference/esn.js';
import { backendFor, BUILDS } from './helpers/backends.js';
import { expectWithinBound } from './helpers/compare.js';
import { randomReservoir, runCollect, symmetricFromUpper, type KernelRun } from './helpers/esn.js';
import { makeRandom } from './helpers/random.js';

interface Case {
  N: number;
  I: number;
  O: number;
  T: number;
  washout: number;
  perRow: number;
  feedback: boolean;
  dense: boolean;
}

// Sizes around the vector width (4 f32, 2 f64) and the 64-step accumulation block.
const CASES: Case[] = [
  { N: 1, I: 1, O: 1, T: 5, washout: 0, perRow: 1, feedback: false, dense: true },
  { N: 3, I: 2, O: 1, T: 1, washout: 0, perRow: 2, feedback: true, dense: true },
  { N: 5, I: 1, O: 3, T: 9, washout: 3, perRow: 3, feedback: true, dense: false },
  { N: 17, I: 2, O: 2, T: 70, washout: 5, perRow: 4, feedback: true, dense: true },
  { N: 17, I: 2, O: 2, T: 70, washout: 5, perRow: 4, feedback: true, dense: false },
  { N: 64, I: 1, O: 1, T: 129, washout: 0, perRow: 8, feedback: false, dense: false },
  { N: 100, I: 3, O: 1, T: 64, washout: 1, perRow: 5, feedback: true, dense: false },
];

function data(c: Case, seed: number): { u: Float32Array; teacher: Float32Array; targets: Float64Array } {
  const next = makeRandom(seed);
  const u = Float32Array.from({ length: c.T * c.I }, () => next() * 2 - 1);
  const teacher = Float32Array.from({ length: c.T * c.O }, () => next() * 1.6 - 0.8);
  return { u, teacher, targets: Float64Array.from(teacher, (v) => Math.atanh(v)) };
}

function sameValues(label: string, a: ArrayLike<number>, b: ArrayLike<number>): void {
  expect(a.length, label).toBe(b.length);
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) throw new Error(`${label}: element ${i} differs: ${a[i]} vs ${b[i]}`);
}

describe('esn_collect vs the f64 reference', () => {
  const runs = new Map<string, KernelRun>();
  for (const build of BUILDS) {
    for (const c of CASES) {
      const label = `${build.name} N=${c.N} I=${c.I} O=${c.O} T=${c.T} washout=${c.washout} ${c.dense ? 'dense' : 'CSR'}${c.feedback ? ' feedback' : ''}`;
      it(label, async () => {
        const backend = await backendFor(build.simd);
        const r = randomReservoir(c.N, c.I, c.O, c.perRow, c.N * 31 + c.T, { feedback: c.feedback });
        const { u, teacher, targets } = data(c, c.N + 7);
        const F = 1 + c.I + c.N;
        const next = makeRandom(99);
        const wOut = Float64Array.from({ length: c.O * F }, () => (next() * 2 - 1) * 0.3);
        const got = runCollect(backend, r, u, c.T, { teacher, targets, wOut, washout: c.washout, dense: c.dense, tanhOutput: true });
        runs.set(`${build.name} ${label.slice(build.name.length)}`, got);
        const want = collectReference(r, u, teacher, targets, c.T, c.washout);
        // States: each step is a short f32 sum (≤ nnz + I + O + 2 terms, |terms| ≲ 3) rounded at
        // 2⁻²⁴ relative, tanh within 2 ulp, and the errors of x(t−1) shrink through W (ρ ≈ 0.6 here)
        // and the leak. Measured: |x_f32 − x_f64| ≤ 1.1e-7 over these cases; the bound is 10× that.
        expectWithinBound(`${label} states`, got.states, want.states, 1e-6);
        // XᵀX / XᵀY: f64 sums of exact products (f32·f32 fits f64), so against the same
        // sums formed from the kernel's own states only the order differs: relative ≈ T·2⁻⁵³.
        const mine = collectFromStates(got.states, u, targets, c);
        const xtx = symmetricFromUpper(got.xtx, F);
        expectWithinBound(`${label} XᵀX`, xtx, mine.xtx, Array.from(mine.xtxAbs, (v) => 1e-14 * (c.T + 1) * v + 1e-300));
        expectWithinBound(`${label} XᵀY`, got.xty, mine.xty, Array.from(mine.xtyAbs, (v) => 1e-14 * (c.T + 1) * v + 1e-300));
        // Outputs: the f64 readout of the kernel's own states, rounded to f32.
        for (let t = 0; t < c.T; t++) {
          const y = readoutReference(wOut, featuresReference(u.subarray(t * c.I, (t + 1) * c.I), got.states.subarray(t * c.N, (t + 1) * c.N)), c.O, true);
          expectWithinBound(`${label} outputs[${t}]`, got.outputs.subarray(t * c.O, (t + 1) * c.O), y, Array.from(y, (v) => 2 ** -23 * Math.abs(v) + 1e-30));
        }
        // Teacher forcing: after the sequence the fed-back value is the last teacher row.
        sameValues(`${label} feedback`, got.feedback, teacher.subarray((c.T - 1) * c.O));
      });
    }
  }
  it('SIMD and scalar builds give identical bits (states, outputs, XᵀX, XᵀY)', () => {
    let compared = 0;
    for (const [key, simd] of runs) {
      if (!key.startsWith('simd')) continue;
      const scalar = runs.get(key.replace(/^simd/, 'scalar'));
      if (!scalar) continue;
      sameValues(`${key} states`, simd.states, scalar.states);
      sameValues(`${key} outputs`, simd.outputs, scalar.outputs);
      sameValues(`${key} XᵀX`, simd.xtx, scalar.xtx);
      sameValues(`${key} XᵀY`, simd.xty, scalar.xty);
      compared++;
    }
    expect(compared).toBe(CASES.length);
  });
});

describe('esn_collect in block mode + esn_flush_rows (the accumulation fit() splits over threads)', () => {
  // The washout longer than a block, a last block of one step, F odd and even.
  const cases: Case[] = [...CASES, { N: 9, I: 2, O: 2, T: 200, washout: 70, perRow: 3, feedback: true, dense: false }];
  /** Row ranges cut at even rows: [0, 2), [2, ≈F/3), [≈F/3, ≈2F/3), [≈2F/3, F), the empty ones left out. */
  const ranges = (F: number): Array<{ start: number; end: number }> => {
    const cuts = [...new Set([0, 2, 2 * Math.floor(F / 6), 2 * Math.floor(F / 3), F])].filter((c) => c <= F).sort((a, b) => a - b);
    return cuts.slice(1).map((end, k) => ({ start: cuts[k], end }));
  };
  for (const build of BUILDS) {
    it(`${build.name}: give the bits of the accumulating call, for every row split`, async () => {
      const backend = await backendFor(build.simd);
      for (const c of cases) {
        const label = `N=${c.N} T=${c.T} washout=${c.washout}`;
        const r = randomReservoir(c.N, c.I, c.O, c.perRow, c.N * 31 + c.T, { feedback: c.feedback });
        const { u, teacher, targets } = data(c, c.N + 7);
        const F = 1 + c.I + c.N;
        const whole = runCollect(backend, r, u, c.T, { teacher, targets, washout: c.washout, dense: c.dense });
        for (const rowRanges of [[{ start: 0, end: F }], ranges(F)]) {
          const split = runCollect(backend, r, u, c.T, { teacher, targets, washout: c.washout, dense: c.dense, rowRanges });
          for (const key of ['states', 'outputs', 'xtx', 'xty', 'state', 'feedback'] as const) sameValues(`${label} ${rowRanges.length} ranges ${key}`, split[key], whole[key]);
        }
        expect(whole.xtx.some((v) => v !== 0)).toBe(true);
      }
    });
  }
});

function collectFromStates(states: Float32Array, u: Float32Array, targets: Float64Array, c: Case) {
  const F = 1 + c.I + c.N;
  const xtx = new Float64Array(F * F), xtxAbs = new Float64Array(F * F);
  const xty = new Float64Array(F * c.O), xtyAbs = new Float64Array(F * c.O);
  for (let t = c.washout; t < c.T; t++) {
    const z = featuresReference(u.subarray(t * c.I, (t + 1) * c.I), states.subarray(t * c.N, (t + 1) * c.N));
    for (let i = 0; i < F; i++) {
      for (let j = 0; j < F; j++) {
        xtx[i * F + j] += z[i] * z[j];
        xtxAbs[i * F + j] += Math.abs(z[i] * z[j]);
      }
      for (let o = 0; o < c.O; o++) {
        xty[i * c.O + o] += z[i] * targets[t * c.O + o];
        xtyAbs[i * c.O + o] += Math.abs(z[i] * targets[t * c.O + o]);
      }
    }
  }
  return { xtx, xtxAbs, xty, xtyAbs };
}

describe('esn_ridge_solve (f64)', () => {
  /** Z [T, F] with a bias column, a planted W [O, F], Y = Z·Wᵀ; returns ZᵀZ and ZᵀY. */
  function planted(T: number, F: number, O: number, seed: number, duplicate?: [number, number]) {
    const next = makeRandom(seed);
    const Z = new Float64Array(T * F);
    for (let t = 0; t < T; t++) {
      Z[t * F] = 1;
      for (let f = 1; f < F; f++) Z[t * F + f] = next() * 2 - 1;
      if (duplicate) Z[t * F + duplicate[1]] = Z[t * F + duplicate[0]];
    }
    const W = Float64Array.from({ length: O * F }, () => next() * 4 - 2);
    const Y = new Float64Array(T * O);
    for (let t = 0; t < T; t++) for (let o = 0; o < O; o++) for (let f = 0; f < F; f++) Y[t * O + o] += Z[t * F + f] * W[o * F + f];
    const xtx = new Float64Array(F * F), xty = new Float64Array(F * O);
    for (let t = 0; t < T; t++) {
      for (let i = 0; i < F; i++) {
        for (let j = 0; j < F; j++) xtx[i * F + j] += Z[t * F + i] * Z[t * F + j];
        for (let o = 0; o < O; o++) xty[i * O + o] += Z[t * F + i] * Y[t * O + o];
      }
    }
    return { Z, W, Y, xtx, xty };
  }

  for (const build of BUILDS) {
    for (const F of [1, 2, 5, 9, 33, 70]) {
      it(`${build.name}: recovers a planted readout F=${F} (λ = 0 pivoted, λ = 1e-12 Cholesky)`, async () => {
        const backend = await backendFor(build.simd);
        const O = 2;
        const { W, xtx, xty } = planted(3 * F + 10, F, O, F);
        const exact = ridgeSolve(backend, xtx, xty, F, O, 0);
        expect(exact.pivoted).toBe(true);
        expect(exact.rank).toBe(F);
        // Well-conditioned random features (cond(ZᵀZ) ≲ 1e3): f64 rounding, amplified by the condition number.
        expectWithinBound(`F=${F} λ=0`, exact.weights, W, 1e-9);
        const ridge = ridgeSolve(backend, xtx, xty, F, O, 1e-12);
        expect(ridge.pivoted).toBe(false);
        expectWithinBound(`F=${F} λ=1e-12`, ridge.weights, W, 1e-9);
      });
    }

    it(`${build.name}: λ > 0 matches the reference Cholesky, and the bias column is not regularised`, async () => {
      const backend = await backendFor(build.simd);
      const F = 24, O = 3;
      const { xtx, xty } = planted(60, F, O, 5);
      for (const lambda of [1e-6, 0.1, 10]) {
        const got = ridgeSolve(backend, xtx, xty, F, O, lambda).weights;
        const want = ridgeSolveReference(xtx, xty, F, O, lambda);
        expectWithinBound(`λ=${lambda}`, got, want, 1e-10);
      }
      // A huge λ shrinks every weight except the bias to ~0; the bias becomes the mean target.
      const big = ridgeSolve(backend, xtx, xty, F, O, 1e12).weights;
      for (let o = 0; o < O; o++) {
        for (let f = 1; f < F; f++) expect(Math.abs(big[o * F + f])).toBeLessThan(1e-6);
        expect(Math.abs(big[o * F])).toBeGreaterThan(1e-3);
      }
    });

    it(`${build.name}: λ = 0 copes with rank deficiency (a duplicated feature)`, async () => {
      const backend = await backendFor(build.simd);
      const F = 12, O = 2, T = 50;
      const { Z, Y, xtx, xty } = planted(T, F, O, 11, [3, 7]);
      const got = ridgeSolve(backend, xtx, xty, F, O, 0);
      expect(got.pivoted).toBe(true);
      expect(got.rank).toBe(F - 1);
      // The fit is exact although W is not unique: Z·wᵀ reproduces Y.
      let worst = 0;
      for (let t = 0; t < T; t++) {
        for (let o = 0; o < O; o++) {
          let y = 0;
          for (let f = 0; f < F; f++) y += Z[t * F + f] * got.weights[o * F + f];
          worst = Math.max(worst, Math.abs(y - Y[t * O + o]));
        }
      }
      expect(worst).toBeLessThan(1e-9);
      // Plain Cholesky on the singular system would divide by ~0; λ > 0 makes it regular again.
      const reg = ridgeSolve(backend, xtx, xty, F, O, 1e-8);
      expect(reg.weights.every(Number.isFinite)).toBe(true);
    });

    it(`${build.name}: SIMD-width edge sizes give the same bits on both builds`, async () => {
      const other = await backendFor(!build.simd);
      const backend = await backendFor(build.simd);
      for (const F of [3, 4, 5, 7, 8, 9, 17]) {
        const { xtx, xty } = planted(40, F, 1, 100 + F);
        sameValues(`F=${F}`, ridgeSolve(backend, xtx, xty, F, 1, 1e-3).weights, ridgeSolve(other, xtx, xty, F, 1, 1e-3).weights);
      }
    });
  }
});
