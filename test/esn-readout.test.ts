// The ESN readout as the course writes it (issue #13): features [1; u(n); x(n); y(n−1)] with
// y(n−1) teacher-forced while fitting and the model's own output afterwards, the minimum-norm
// 'pinv' solver, and the reservoir non-linearity as an option (tanh, identity). Kernels against
// the f64 reference on both builds (SIMD = scalar bit for bit); the solves against a Jacobi SVD;
// the model end to end; the default readout against what the code gave before (bit for bit).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { EchoStateNetwork, type EchoStateNetworkOptions } from '../src/esn/esn.js';
import { pinvSolve, ridgeSolve } from '../src/esn/readout.js';
import type { ReadoutFeature } from '../src/kernels/esn.js';
import {
  collectReference, featureCountReference, featuresReference, generateReference, jacobiSvdReference, pinvSolveReference,
  predictReference, readoutReference, reservoirStepReference, ridgeSolveReference, rlsStepReference, type ReservoirReference,
} from '../src/reference/esn.js';
import { backendFor, BUILDS } from './helpers/backends.js';
import { expectSameBits, expectWithinBound, thrown } from './helpers/compare.js';
import { randomReservoir, runCollect, symmetricFromUpper, type KernelRun } from './helpers/esn.js';
import { goldenRuns, type GoldenRun } from './helpers/esn-golden.js';
import { makeRandom } from './helpers/random.js';

const ALL: ReadoutFeature[] = ['bias', 'input', 'state', 'output'];

function sameValues(label: string, a: ArrayLike<number>, b: ArrayLike<number>): void {
  expect(a.length, label).toBe(b.length);
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) throw new Error(`${label}: element ${i} differs: ${a[i]} vs ${b[i]}`);
}

function referenceOf(model: EchoStateNetwork): ReservoirReference {
  const r = model.getReservoir();
  return {
    units: model.units, inputSize: model.inputSize, outputSize: model.outputSize, leakRate: model.leakRate, activation: model.activation,
    wIn: r.inputWeights, wBack: r.feedbackWeights, bias: r.bias, values: r.values, columns: r.columns, rowStart: r.rowStart,
  };
}

const norm = (w: ArrayLike<number>): number => Math.sqrt(Array.from(w).reduce((s, v) => s + v * v, 0));

/** ‖Z·wᵀ − Y‖ (Frobenius) for a design Z [T, F], W [O, F], Y [T, O]. */
function residual(Z: ArrayLike<number>, W: ArrayLike<number>, Y: ArrayLike<number>, T: number, F: number, O: number): number {
  let s = 0;
  for (let t = 0; t < T; t++) {
    for (let o = 0; o < O; o++) {
      let y = 0;
      for (let f = 0; f < F; f++) y += Z[t * F + f] * W[o * F + f];
      s += (y - Y[t * O + o]) ** 2;
    }
  }
  return Math.sqrt(s);
}

function normalEquations(Z: ArrayLike<number>, Y: ArrayLike<number>, T: number, F: number, O: number): { xtx: Float64Array; xty: Float64Array } {
  const xtx = new Float64Array(F * F), xty = new Float64Array(F * O);
  for (let t = 0; t < T; t++) {
    for (let i = 0; i < F; i++) {
      for (let j = 0; j < F; j++) xtx[i * F + j] += Z[t * F + i] * Z[t * F + j];
      for (let o = 0; o < O; o++) xty[i * O + o] += Z[t * F + i] * Y[t * O + o];
    }
  }
  return { xtx, xty };
}

describe('the default readout [1; u; x] gives the same bits as before', () => {
  const golden = JSON.parse(readFileSync(new URL('./fixtures/esn-golden.json', import.meta.url), 'utf8')) as GoldenRun[];
  const compare = (label: string, got: GoldenRun[]): void => {
    expect(got.map((g) => g.name)).toEqual(golden.map((g) => g.name));
    got.forEach((g, k) => {
      for (const part of ['readout', 'predict', 'generate', 'run', 'online'] as const) sameValues(`${label} ${g.name} ${part}`, g[part], golden[k][part]);
    });
  };
  for (const build of BUILDS) {
    it(`${build.name}: fit / predict / generate / run / fitOnline of four configurations equal the runs recorded at 7c004a1`, async () => {
      compare(build.name, goldenRuns(await backendFor(build.simd)));
    });
  }

  it("readout { features: ['state', 'input', 'bias'] } (any order), solver 'ridge' and activation 'tanh' given explicitly change nothing", async () => {
    const backend = await backendFor(true);
    compare('explicit', goldenRuns(backend, { readout: { features: ['state', 'input', 'bias'] }, solver: 'ridge', activation: 'tanh' }));
  });

  it('the 0.1.0 fixture model is rebuilt from its options and data with the saved readout and predictions, bit for bit', async () => {
    const backend = await backendFor(true);
    const read = (name: string): unknown => JSON.parse(readFileSync(new URL(`./fixtures/v0.1.0/${name}`, import.meta.url), 'utf8'));
    const saved = read('esn.json') as { readout: { weights: number[] } };
    // The script that wrote the fixture (test/fixtures/v0.1.0/make.mjs.txt), with today's code.
    const esn = new EchoStateNetwork({ inputSize: 1, units: 20, spectralRadius: 0.9, leakRate: 0.5, density: 0.3, ridge: 1e-6, washout: 5, seed: 2, backend });
    const u = Array.from({ length: 60 }, (_, t) => [Math.sin(t / 3)]);
    esn.fit(u, Array.from({ length: 60 }, (_, t) => [Math.sin((t + 1) / 3)]));
    sameValues('readout', esn.getReadout(), saved.readout.weights);
    sameValues('predict', esn.predict(u.slice(0, 10)).data, read('esn.predict.json') as number[]);
    // The loaded file is a ridge readout over [1; u; x] with a tanh reservoir.
    const loaded = EchoStateNetwork.fromJSON(read('esn.json'), { backend });
    expect([loaded.readout.features, loaded.solver, loaded.activation]).toEqual([['bias', 'input', 'state'], 'ridge', 'tanh']);
    for (const m of [esn, loaded]) m.dispose();
  });
});

interface KernelCase {
  features: ReadoutFeature[];
  N: number;
  I: number;
  O: number;
  T: number;
  washout: number;
  feedback: boolean;
  dense: boolean;
  linear: boolean;
}

// Every feature subset the loop treats differently, around the vector widths and the 64-step block.
const KERNEL_CASES: KernelCase[] = [
  { features: ALL, N: 5, I: 1, O: 1, T: 9, washout: 2, feedback: false, dense: true, linear: false },
  { features: ALL, N: 17, I: 2, O: 3, T: 70, washout: 5, feedback: true, dense: false, linear: false },
  { features: ['state', 'output'], N: 9, I: 3, O: 2, T: 66, washout: 0, feedback: true, dense: true, linear: false },
  { features: ['output'], N: 3, I: 1, O: 2, T: 7, washout: 1, feedback: false, dense: false, linear: false },
  { features: ['input', 'state'], N: 8, I: 2, O: 1, T: 20, washout: 3, feedback: false, dense: false, linear: false },
  { features: ['bias', 'input', 'state'], N: 16, I: 1, O: 1, T: 40, washout: 4, feedback: true, dense: true, linear: true },
  { features: ALL, N: 33, I: 2, O: 2, T: 129, washout: 7, feedback: true, dense: false, linear: true },
];

describe('esn_collect with readout features and a linear reservoir vs the f64 reference', () => {
  const runs = new Map<string, KernelRun>();
  for (const build of BUILDS) {
    for (const c of KERNEL_CASES) {
      const name = `[${c.features.join(',')}] N=${c.N} I=${c.I} O=${c.O} T=${c.T} washout=${c.washout} ${c.dense ? 'dense' : 'CSR'}${c.feedback ? ' feedback' : ''}${c.linear ? ' identity' : ''}`;
      it(`${build.name} ${name}`, async () => {
        const backend = await backendFor(build.simd);
        // A linear reservoir has no tanh to bound it: W at a radius of about 0.5 keeps it stable.
        const r: ReservoirReference = {
          ...randomReservoir(c.N, c.I, c.O, 4, c.N * 13 + c.T, { feedback: c.feedback, scale: c.linear ? 0.25 : undefined }),
          activation: c.linear ? 'identity' : 'tanh',
        };
        const next = makeRandom(c.N + c.T);
        const u = Float32Array.from({ length: c.T * c.I }, () => next() * 2 - 1);
        const teacher = Float32Array.from({ length: c.T * c.O }, () => next() * 1.6 - 0.8);
        const targets = Float64Array.from(teacher);
        const F = featureCountReference(r, c.features);
        // |W_out| ≤ 0.3 over at most two outputs keeps the loop through y(t−1) contracting.
        const wOut = Float64Array.from({ length: c.O * F }, () => (next() * 2 - 1) * 0.3);
        const got = runCollect(backend, r, u, c.T, { teacher, targets, wOut, washout: c.washout, dense: c.dense, features: c.features });
        const driven = runCollect(backend, r, u, c.T, { wOut, dense: c.dense, features: c.features });
        runs.set(`${build.name} ${name}`, got);
        runs.set(`${build.name} ${name} driven`, driven);
        const want = collectReference(r, u, teacher, targets, c.T, c.washout, undefined, c.features);
        // States: f32 steps against f64 (as in esn-kernels.test.ts, measured ≤ 1.1e-7 there); 10× margin.
        expectWithinBound(`${name} states`, got.states, want.states, 1e-6);
        // XᵀX / XᵀY against the same sums formed from the kernel's own states and the teacher's y(t−1):
        // exact f32·f32 products in f64, only the order differs (≈ T·2⁻⁵³ relative).
        const mine = { xtx: new Float64Array(F * F), xty: new Float64Array(F * c.O), abs: new Float64Array(F * F), absY: new Float64Array(F * c.O) };
        for (let t = c.washout; t < c.T; t++) {
          const prev = t === 0 ? new Float32Array(c.O) : teacher.subarray((t - 1) * c.O, t * c.O);
          const z = featuresReference(u.subarray(t * c.I, (t + 1) * c.I), got.states.subarray(t * c.N, (t + 1) * c.N), prev, c.features);
          expect(z.length).toBe(F);
          for (let i = 0; i < F; i++) {
            for (let j = 0; j < F; j++) {
              mine.xtx[i * F + j] += z[i] * z[j];
              mine.abs[i * F + j] += Math.abs(z[i] * z[j]);
            }
            for (let o = 0; o < c.O; o++) {
              mine.xty[i * c.O + o] += z[i] * targets[t * c.O + o];
              mine.absY[i * c.O + o] += Math.abs(z[i] * targets[t * c.O + o]);
            }
          }
        }
        expectWithinBound(`${name} XᵀX`, symmetricFromUpper(got.xtx, F), mine.xtx, Array.from(mine.abs, (v) => 1e-14 * (c.T + 1) * v + 1e-300));
        expectWithinBound(`${name} XᵀY`, got.xty, mine.xty, Array.from(mine.absY, (v) => 1e-14 * (c.T + 1) * v + 1e-300));
        // Teacher-forced outputs: the f64 readout of the kernel's states with y(t−1) = d(t−1), rounded to f32.
        for (let t = 0; t < c.T; t++) {
          const prev = t === 0 ? new Float32Array(c.O) : teacher.subarray((t - 1) * c.O, t * c.O);
          const y = readoutReference(wOut, featuresReference(u.subarray(t * c.I, (t + 1) * c.I), got.states.subarray(t * c.N, (t + 1) * c.N), prev, c.features), c.O, false);
          expectWithinBound(`${name} outputs[${t}]`, got.outputs.subarray(t * c.O, (t + 1) * c.O), y, Array.from(y, (v) => 2 ** -24 * Math.abs(v) + 1e-30));
        }
        // Driven: y(t−1) is the kernel's own previous output (and goes through W_back). The f64 reference
        // runs the same loop; f32 states (≈1e-7) and f32 outputs through a contracting loop. Measured ≤ 1.4e-7; 10× that.
        const ref = predictReference(r, wOut, false, new Float64Array(c.N), new Float64Array(c.O), u, c.T, c.features);
        expectWithinBound(`${name} driven outputs`, driven.outputs, ref, 1.5e-6);
        sameValues(`${name} driven: the last output is the fed-back value`, driven.feedback, driven.outputs.subarray((c.T - 1) * c.O));
      });
    }
  }
  it('SIMD and scalar builds give identical bits (states, outputs, XᵀX, XᵀY; teacher-forced and driven)', () => {
    let compared = 0;
    for (const [key, simd] of runs) {
      if (!key.startsWith('simd')) continue;
      const scalar = runs.get(key.replace(/^simd/, 'scalar'))!;
      sameValues(`${key} states`, simd.states, scalar.states);
      sameValues(`${key} outputs`, simd.outputs, scalar.outputs);
      sameValues(`${key} XᵀX`, simd.xtx, scalar.xtx);
      sameValues(`${key} XᵀY`, simd.xty, scalar.xty);
      compared++;
    }
    expect(compared).toBe(2 * KERNEL_CASES.length);
  });
});

describe('the reference: a linear reservoir is the linear recurrence x(t) = A·x(t−1) + B·u(t) + c', () => {
  it('with A = (1 − a)·I + a·W, B = a·W_inᵀ, c = a·b (f64, to rounding)', () => {
    const N = 12, I = 2, T = 30, a = 0.6;
    const r: ReservoirReference = { ...randomReservoir(N, I, 1, 3, 7, { leakRate: a, scale: 0.3 }), activation: 'identity' };
    const A = new Float64Array(N * N);
    for (let i = 0; i < N; i++) {
      A[i * N + i] = 1 - a;
      for (let k = r.rowStart[i]; k < r.rowStart[i + 1]; k++) A[i * N + r.columns[k]] += a * r.values[k];
    }
    const next = makeRandom(3);
    const u = Float64Array.from({ length: T * I }, () => next() * 2 - 1);
    const x = new Float64Array(N);
    let lin = new Float64Array(N);
    for (let t = 0; t < T; t++) {
      reservoirStepReference(r, x, u.subarray(t * I, (t + 1) * I), [0]);
      const nextLin = new Float64Array(N);
      for (let i = 0; i < N; i++) {
        let s = a * r.bias[i];
        for (let j = 0; j < N; j++) s += A[i * N + j] * lin[j];
        for (let c = 0; c < I; c++) s += a * r.wIn[c * N + i] * u[t * I + c];
        nextLin[i] = s;
      }
      lin = nextLin;
      expectWithinBound(`x(${t})`, x, lin, 1e-13);
    }
  });
});

describe('readout solves (f64, in WASM)', () => {
  /** A design with a bias column and random columns, `dependent` of them linear combinations of others, and a zero column. */
  function deficient(T: number, F: number, O: number, seed: number) {
    const next = makeRandom(seed);
    const Z = new Float64Array(T * F);
    for (let t = 0; t < T; t++) {
      Z[t * F] = 1;
      for (let f = 1; f < F; f++) Z[t * F + f] = next() * 2 - 1;
      Z[t * F + 4] = Z[t * F + 2]; // a duplicate
      Z[t * F + 6] = Z[t * F + 1] - 2 * Z[t * F + 3] + 0.5 * Z[t * F]; // a combination (with the bias)
      Z[t * F + F - 1] = 0; // a feature that never moves
    }
    const Y = Float64Array.from({ length: T * O }, () => next() * 2 - 1);
    return { Z, Y, ...normalEquations(Z, Y, T, F, O), rank: F - 3 };
  }

  it('the Jacobi SVD reference: A·V = U·Σ with orthonormal V, and its pseudo-inverse solves a full-rank system', () => {
    const next = makeRandom(1);
    const m = 9, n = 5;
    const A = Float64Array.from({ length: m * n }, () => next() * 2 - 1);
    const { sigma, v, av } = jacobiSvdReference(A, m, n);
    for (let p = 0; p < n; p++) {
      for (let q = 0; q < n; q++) {
        let vv = 0, uu = 0;
        for (let k = 0; k < n; k++) vv += v[k * n + p] * v[k * n + q];
        for (let k = 0; k < m; k++) uu += av[k * n + p] * av[k * n + q];
        expect(Math.abs(vv - (p === q ? 1 : 0))).toBeLessThan(1e-14);
        expect(Math.abs(uu - (p === q ? sigma[p] ** 2 : 0))).toBeLessThan(1e-13);
      }
    }
    const w = Float64Array.from({ length: n }, () => next());
    const y = new Float64Array(m);
    for (let t = 0; t < m; t++) for (let f = 0; f < n; f++) y[t] += A[t * n + f] * w[f];
    expectWithinBound('planted', pinvSolveReference(A, y, m, n, 1).weights, w, 1e-13);
  });

  for (const build of BUILDS) {
    it(`${build.name}: 'pinv' on a rank-deficient design is X⁺·Y: minimal norm, the least-squares residual (= ridge's as λ → 0)`, async () => {
      const backend = await backendFor(build.simd);
      for (const [T, F, O] of [[40, 9, 2], [60, 23, 1], [12, 10, 3]] as const) {
        const label = `T=${T} F=${F} O=${O}`;
        const { Z, Y, xtx, xty, rank } = deficient(T, F, O, T + F);
        const got = pinvSolve(backend, xtx, xty, F, O);
        const want = pinvSolveReference(Z, Y, T, F, O);
        expect([got.rank, want.rank], label).toEqual([rank, rank]);
        // Both are X⁺Y in f64; through XᵀX the error is ≈ cond(XᵀX)·ε = cond(X)²·ε relative on the range of X
        // (cond ≲ 30 here; measured ≤ 2.3e-15 of the largest weight).
        const scale = Math.max(...want.weights.map(Math.abs));
        expectWithinBound(`${label} W_out = X⁺Y`, got.weights, want.weights, 1e-12 * scale);
        // The basic solution (ridge, λ = 0) and ridge with a small λ fit as well; pinv has the smallest norm.
        const basic = ridgeSolve(backend, xtx, xty, F, O, 0);
        expect(basic.rank).toBe(rank);
        const small = ridgeSolve(backend, xtx, xty, F, O, 1e-9);
        const rPinv = residual(Z, got.weights, Y, T, F, O);
        const rSvd = residual(Z, want.weights, Y, T, F, O);
        for (const [name, w] of [['basic', basic.weights], ['ridge λ=1e-9', small.weights]] as const) {
          expect(Math.abs(residual(Z, w, Y, T, F, O) - rPinv), `${label} ${name} residual`).toBeLessThan(1e-8 * rPinv);
        }
        expect(Math.abs(rPinv - rSvd)).toBeLessThan(1e-12 * rPinv);
        // Per output row: ‖w_pinv‖ ≤ ‖w‖ for every least-squares w; the basic one is strictly larger here.
        for (let o = 0; o < O; o++) {
          const row = (w: Float64Array): Float64Array => w.subarray(o * F, (o + 1) * F);
          expect(norm(row(got.weights))).toBeLessThanOrEqual(norm(row(basic.weights)) * (1 + 1e-12));
          expect(norm(row(got.weights))).toBeLessThan(norm(row(basic.weights)) - 1e-6);
          expect(norm(row(got.weights))).toBeLessThanOrEqual(norm(row(small.weights)) * (1 + 1e-9));
        }
        // The dependent directions get nothing: the zero feature's weight is exactly 0, the duplicate pair is split evenly.
        for (let o = 0; o < O; o++) {
          expect(got.weights[o * F + F - 1]).toBe(0);
          expect(Math.abs(got.weights[o * F + 2] - got.weights[o * F + 4])).toBeLessThan(1e-12 * scale);
        }
      }
    });

    it(`${build.name}: full rank: 'pinv' = ridge with λ = 0 bit for bit; bias-free ridge regularises every column`, async () => {
      const backend = await backendFor(build.simd);
      const next = makeRandom(8);
      for (const F of [1, 2, 5, 17]) {
        const T = 3 * F + 4, O = 2;
        const Z = Float64Array.from({ length: T * F }, () => next() * 2 - 1);
        const Y = Float64Array.from({ length: T * O }, () => next() * 2 - 1);
        const { xtx, xty } = normalEquations(Z, Y, T, F, O);
        const pinv = pinvSolve(backend, xtx, xty, F, O);
        expect(pinv.rank).toBe(F);
        sameValues(`F=${F} pinv vs λ = 0`, pinv.weights, ridgeSolve(backend, xtx, xty, F, O, 0).weights);
        expectWithinBound(`F=${F} pinv vs SVD`, pinv.weights, pinvSolveReference(Z, Y, T, F, O).weights, 1e-12 * Math.max(1, ...pinv.weights.map(Math.abs)));
        for (const lambda of [1e-3, 1]) {
          const got = ridgeSolve(backend, xtx, xty, F, O, lambda, false).weights;
          expectWithinBound(`F=${F} λ=${lambda} no bias column`, got, ridgeSolveReference(xtx, xty, F, O, lambda, false), 1e-12);
        }
      }
    });

    it(`${build.name}: the solves give the same bits on both builds`, async () => {
      const other = await backendFor(!build.simd);
      const backend = await backendFor(build.simd);
      for (const F of [7, 9, 17]) {
        const { xtx, xty } = deficient(30, F, 2, F);
        sameValues(`F=${F} pinv`, pinvSolve(backend, xtx, xty, F, 2).weights, pinvSolve(other, xtx, xty, F, 2).weights);
        sameValues(`F=${F} ridge, no bias column`, ridgeSolve(backend, xtx, xty, F, 2, 1e-3, false).weights, ridgeSolve(other, xtx, xty, F, 2, 1e-3, false).weights);
      }
    });
  }
});

describe("EchoStateNetwork with readout features ['bias', 'input', 'state', 'output']", () => {
  const options = (extra: Partial<EchoStateNetworkOptions> = {}): EchoStateNetworkOptions => ({
    inputSize: 1, units: 10, density: 0.5, biasScaling: 0.3, seed: 3, readout: { features: ALL }, ...extra,
  });

  it('a square, full-rank design (T − washout = F): the readout reproduces the teacher, teacher-forced and in its own closed loop', async () => {
    const backend = await backendFor(true);
    const T = 13; // F = 1 + 1 + 10 + 1
    const u = Array.from({ length: T }, (_, t) => [Math.sin(t / 2)]);
    const d = Array.from({ length: T }, (_, t) => [0.5 * Math.cos(t / 3) + (0.1 * t) / T]);
    for (const solver of ['pinv', 'ridge'] as const) {
      const esn = new EchoStateNetwork({ ...options({ solver }), ...(solver === 'ridge' ? { ridge: 0 } : {}), backend });
      esn.fit(u, d);
      // Teacher-forced: z(n) = [1, u(n), x(n), d(n−1)] from the states of a run from rest (no feedback:
      // the states do not depend on y), in f64.
      esn.resetState();
      const states = esn.run(u).data;
      const w = esn.getReadout();
      const Z = new Float64Array(T * 13);
      for (let t = 0; t < T; t++) Z.set(featuresReference(u[t], states.subarray(t * 10, (t + 1) * 10), [t === 0 ? 0 : Math.fround(d[t - 1][0])], ALL), t * 13);
      const forced = new Float64Array(T);
      for (let t = 0; t < T; t++) forced[t] = Math.abs(readoutReference(w, Z.subarray(t * 13, (t + 1) * 13), 1, false)[0] - Math.fround(d[t][0]));
      // A square solve through XᵀX in f64: ‖δw‖ ≲ F·ε·cond(X)²·‖w‖, so |X·δw| ≤ σ_max·F·ε·cond(X)²·‖w‖.
      // (cond(X) ≈ 1.8e3 here: the bound is 6.0e-7; measured 1.4e-8, both solvers.)
      const sv = jacobiSvdReference(Z, T, 13).sigma;
      const sMax = Math.max(...sv), cond = sMax / Math.min(...sv);
      const forcedBound = sMax * 13 * 2 ** -52 * cond ** 2 * norm(w);
      expect(Math.max(...forced), solver).toBeLessThanOrEqual(forcedBound);
      // predict() from rest feeds back its own f32 output as y(n−1). Its error e(n) against the f32 teacher is the
      // f64 residual, the rounding to f32 (½ ulp ≤ 2⁻²⁴·|y|) and the previous error through the weight w_y of y(n−1):
      // e(n) ≤ forced(n) + 2⁻²⁴·(|d(n)| + forced(n)) + |w_y|·e(n−1),  e(−1) = 0  (≤ 5.2e-8 here; measured: 0,
      // every output rounds to the f32 teacher).
      esn.resetState();
      const y = esn.predict(u).data;
      let bound = 0;
      for (let t = 0; t < T; t++) {
        const dt = Math.fround(d[t][0]);
        bound = forced[t] + 2 ** -24 * (Math.abs(dt) + forced[t]) + Math.abs(w[12]) * bound;
        expect(Math.abs(y[t] - dt), `${solver} y(${t})`).toBeLessThanOrEqual(bound);
      }
      esn.dispose();
    }
  });

  it("one-step-ahead with u(n) = d(n−1): 'input' and 'output' are one column; pinv splits it, λ = 0 keeps one (same residual)", async () => {
    const backend = await backendFor(true);
    const s = Array.from({ length: 201 }, (_, t) => Math.sin(t / 5) * Math.cos(t / 11));
    const u = s.slice(0, 200).map((v) => [v]), d = s.slice(1).map((v) => [v]);
    const pinv = new EchoStateNetwork({ ...options({ solver: 'pinv', washout: 10, units: 20 }), backend }).fit(u, d);
    const basic = new EchoStateNetwork({ ...options({ ridge: 0, washout: 10, units: 20 }), backend }).fit(u, d);
    const wp = pinv.getReadout(), wb = basic.getReadout();
    const F = 1 + 1 + 20 + 1;
    // Minimum norm: equal weights on the identical columns; the basic solution puts 0 on one of them.
    expect(Math.abs(wp[1] - wp[F - 1])).toBeLessThan(1e-9 * Math.max(...wp.map(Math.abs)));
    expect(wb[1] === 0 || wb[F - 1] === 0).toBe(true);
    expect(norm(wp)).toBeLessThan(norm(wb));
    // The same fit: the design from the states, with y(n−1) = d(n−1) = u(n), against the reference SVD.
    pinv.resetState();
    const states = pinv.run(u).data;
    const rows = 190, Z = new Float64Array(rows * F), Y = new Float64Array(rows);
    for (let t = 10; t < 200; t++) {
      Z.set(featuresReference([Math.fround(s[t])], states.subarray(t * 20, (t + 1) * 20), [Math.fround(s[t])], ALL), (t - 10) * F);
      Y[t - 10] = Math.fround(s[t + 1]);
    }
    const ref = pinvSolveReference(Z, Y, rows, F, 1);
    expect(ref.rank).toBe(F - 1);
    // Accumulated XᵀX (another summation order) and the solve through it: ≈ cond(X)²·ε relative on the weights
    // (measured 2.5e-10 of the largest weight).
    expectWithinBound('pinv = X⁺Y', wp, ref.weights, 1e-8 * Math.max(...ref.weights.map(Math.abs)));
    const rp = residual(Z, wp, Y, rows, F, 1), rb = residual(Z, wb, Y, rows, F, 1);
    expect(Math.abs(rp - rb)).toBeLessThan(1e-10 * rp); // measured 2.8e-15 relative
    for (const m of [pinv, basic]) m.dispose();
  });

  for (const build of BUILDS) {
    it(`${build.name}: feedback, several outputs, tanh output: fit, predict and generate follow the f64 reference`, async () => {
      const backend = await backendFor(build.simd);
      const esn = new EchoStateNetwork({
        inputSize: 2, outputSize: 2, units: 24, density: 0.5, spectralRadius: 0.8, leakRate: 0.5, feedbackScaling: 0.2, biasScaling: 0.1,
        ridge: 1e-3, washout: 4, outputActivation: 'tanh', seed: 5, readout: { features: ALL }, backend,
      });
      const next = makeRandom(4);
      const seqs = [35, 20].map((T) => {
        const u = Array.from({ length: T }, (_, t) => [Math.sin(t / 4), Math.cos(t / 6)]);
        const d = u.map(([a, b], t) => [0.5 * Math.tanh(a + 0.4 * b), 0.3 * Math.sin(t / 3) + 0.05 * (next() - 0.5)]);
        return { u, d };
      });
      esn.fit(seqs.map((q) => q.u), seqs.map((q) => q.d));
      const r = referenceOf(esn);
      const F = 1 + 2 + 24 + 2;
      const xtx = new Float64Array(F * F), xty = new Float64Array(F * 2);
      for (const q of seqs) {
        const teacher = q.d.flat();
        const one = collectReference(r, q.u.flat(), teacher, teacher.map(Math.atanh), q.u.length, 4, undefined, ALL);
        one.xtx.forEach((v, k) => (xtx[k] += v));
        one.xty.forEach((v, k) => (xty[k] += v));
      }
      // f32 states (≈1e-7) move XᵀX by ≈1e-7 relative; λ = 1e-3 amplifies that mildly (as in esn-model.test.ts).
      expectWithinBound('W_out', esn.getReadout(), ridgeSolveReference(xtx, xty, F, 2, 1e-3), 1e-4);
      // After fit, y(n−1) is the last target: generate continues from it, in the reference too.
      const w = esn.getReadout();
      const x = Float64Array.from(esn.state);
      const wantGen = generateReference(r, w, true, x, Float64Array.from(seqs[1].d[seqs[1].d.length - 1]), 12, ALL);
      const gen = esn.generate(12).data;
      expectWithinBound('generate', gen, wantGen, 1e-4);
      // predict continues from where generate stopped: its state and its last output as y(n−1).
      const probe = Array.from({ length: 15 }, (_, t) => [Math.cos(t / 2), 0.5]);
      const wantPred = predictReference(r, w, true, Float64Array.from(esn.state), Float64Array.from(gen.subarray(22)), probe.flat(), 15, ALL);
      expectWithinBound('predict', esn.predict(probe).data, wantPred, 1e-4);
      esn.dispose();
    });
  }

  it('run() keeps y(n−1) current: predict, run, predict equal one predict over the whole input, bit for bit', async () => {
    const backend = await backendFor(true);
    const u = Array.from({ length: 60 }, (_, t) => [Math.sin(t / 4)]);
    const a = new EchoStateNetwork({ ...options({ washout: 5 }), backend }).fit(u, u.map(([v]) => [0.7 * v]));
    const b = EchoStateNetwork.fromJSON(a.toJSON(), { backend });
    const probe = Array.from({ length: 30 }, (_, t) => [Math.cos(t / 3)]);
    const whole = a.predict(probe).data;
    const first = b.predict(probe.slice(0, 10)).data;
    b.run(probe.slice(10, 20));
    const last = b.predict(probe.slice(20)).data;
    expectSameBits('first part', first, whole.subarray(0, 10));
    expectSameBits('after run()', last, whole.subarray(20));
    // Without the carried y(n−1) (a reset feedback) the last part differs: the test can fail.
    const c = EchoStateNetwork.fromJSON(a.toJSON(), { backend });
    c.run(probe.slice(0, 20));
    const json = c.toJSON();
    json.state.feedback = [0];
    const d = EchoStateNetwork.fromJSON(json, { backend });
    expect(Array.from(d.predict(probe.slice(20)).data)).not.toEqual(Array.from(last));
    for (const m of [a, b, c, d]) m.dispose();
  });

  for (const build of BUILDS) {
    it(`${build.name}: fitOnline (RLS) with y(n−1) = d(n−1) equals the reference RLS`, async () => {
      const backend = await backendFor(build.simd);
      const esn = new EchoStateNetwork({ ...options({ washout: 3, units: 12 }), backend });
      const twin = new EchoStateNetwork({ ...options({ washout: 3, units: 12 }), backend });
      const T = 50;
      const u = Array.from({ length: T }, (_, t) => [Math.fround(Math.sin(t / 3))]);
      const d = u.map(([v], t) => [Math.fround(0.5 * v + 0.2 * Math.cos(t / 2))]);
      esn.fitOnline(u.slice(0, 20), d.slice(0, 20), { forgettingFactor: 0.99, delta: 0.1 });
      esn.fitOnline(u.slice(20), d.slice(20), { forgettingFactor: 0.99, delta: 0.1 });
      const states = twin.run(u).data; // no feedback: the states do not depend on the readout
      const F = 1 + 1 + 12 + 1;
      const w = new Float64Array(F);
      const P = new Float64Array(F * F);
      for (let i = 0; i < F; i++) P[i * F + i] = 10;
      for (let t = 3; t < T; t++) rlsStepReference(w, P, featuresReference(u[t], states.subarray(t * 12, (t + 1) * 12), d[t - 1], ALL), d[t], 1, 0.99);
      // Same f32 inputs, f64 arithmetic in another order (as in esn-model.test.ts).
      expectWithinBound('RLS W_out', esn.getReadout(), w, 1e-8 * Math.max(...w.map(Math.abs)));
      esn.dispose();
      twin.dispose();
    });
  }
});

describe("activation 'identity': a linear reservoir", () => {
  it('states follow the f64 reference and obey superposition (bias 0): x(u₁ + u₂) = x(u₁) + x(u₂)', async () => {
    const backend = await backendFor(true);
    const esn = new EchoStateNetwork({ inputSize: 2, units: 30, density: 0.2, spectralRadius: 0.7, leakRate: 0.8, activation: 'identity', seed: 6, backend });
    const next = makeRandom(2);
    const T = 80;
    const u1 = Array.from({ length: T }, () => [Math.fround(next() - 0.5), Math.fround(next() - 0.5)]);
    const u2 = Array.from({ length: T }, () => [Math.fround(next() - 0.5), Math.fround(next() - 0.5)]);
    const both = u1.map(([a, b], t) => [a + u2[t][0], b + u2[t][1]]);
    const s1 = esn.run(u1).data;
    esn.resetState();
    const s2 = esn.run(u2).data;
    esn.resetState();
    const s12 = esn.run(both).data;
    const want = collectReference(referenceOf(esn), both.flat(), new Float64Array(T), new Float64Array(T), T, T).states;
    // f32 steps with ρ(A) < 1: errors stay at the level of a few roundings of |x| ≲ 2 (measured 1.3e-7 against
    // the reference, 2.1e-7 for the superposition); 10×.
    expectWithinBound('states', s12, want, 2e-6);
    expectWithinBound('superposition', s12, Float32Array.from(s1, (v, k) => v + s2[k]), 2e-6);
    // States are not confined to (−1, 1) as with tanh: scaled inputs scale the states.
    esn.resetState();
    const big = esn.run(both.map(([a, b]) => [40 * a, 40 * b])).data;
    expect(Math.max(...big.map(Math.abs))).toBeGreaterThan(1.5);
    expectWithinBound('homogeneity', big, Float32Array.from(s12, (v) => 40 * v), 40 * 2e-6);
    esn.dispose();
  });

  it('fits a linear system exactly: an identity reservoir with N ≥ its order recovers a linear filter of the input', async () => {
    const backend = await backendFor(true);
    // d(n) = 0.5·u(n) − 0.3·u(n−1) + 0.2·u(n−2): linear in u, so a linear reservoir's states span it.
    const next = makeRandom(11);
    const u = Array.from({ length: 300 }, () => [next() - 0.5]);
    const d = u.map(([v], t) => [0.5 * v - 0.3 * (t > 0 ? u[t - 1][0] : 0) + 0.2 * (t > 1 ? u[t - 2][0] : 0)]);
    const linear = new EchoStateNetwork({ inputSize: 1, units: 20, density: 0.3, spectralRadius: 0.5, activation: 'identity', ridge: 1e-12, washout: 20, seed: 2, backend }).fit(u, d);
    const tanh = new EchoStateNetwork({ inputSize: 1, units: 20, density: 0.3, spectralRadius: 0.5, inputScaling: 3, ridge: 1e-12, washout: 20, seed: 2, backend }).fit(u, d);
    const err = (m: EchoStateNetwork): number => {
      m.resetState();
      const y = m.predict(u).data;
      let worst = 0;
      for (let t = 20; t < 300; t++) worst = Math.max(worst, Math.abs(y[t] - d[t][0]));
      return worst;
    };
    const eLinear = err(linear), eTanh = err(tanh);
    expect(eLinear).toBeLessThan(1e-4);
    expect(eTanh).toBeGreaterThan(10 * eLinear);
    for (const m of [linear, tanh]) m.dispose();
  });
});

describe('an unstable linear reservoir', () => {
  it('fit and fitOnline refuse overflowing states (instead of a zero readout) and leave the model as it was', async () => {
    const backend = await backendFor(true);
    const u = Array.from({ length: 800 }, (_, t) => [Math.sin(t)]);
    for (const extra of [{}, { ridge: 0 }, { solver: 'pinv' }] as const) {
      const esn = new EchoStateNetwork({ inputSize: 1, units: 20, spectralRadius: 3, activation: 'identity', seed: 1, backend, ...extra });
      const before = JSON.stringify(esn.toJSON());
      expect(thrown(() => esn.fit(u, u))).toEqual({
        type: 'RangeError',
        message: "EchoStateNetwork.fit: the reservoir states are not finite (XᵀX[2][2] is NaN): the reservoir is unstable (activation 'identity' has nothing to bound it: keep spectralRadius below 1); the model is unchanged",
      });
      expect(thrown(() => esn.fitOnline(u, u)).message).toMatch(/^EchoStateNetwork.fitOnline: the reservoir states are not finite \(x\[0\] is (NaN|-?Infinity)\): the reservoir is unstable/);
      expect(JSON.stringify(esn.toJSON())).toBe(before);
      expect(esn.trained).toBe(false);
      esn.dispose();
    }
  });
});

describe('saving the new options', () => {
  it('toJSON carries readout.features, solver and activation; fromJSON continues with identical bits', async () => {
    const backend = await backendFor(true);
    const u = Array.from({ length: 80 }, (_, t) => [0.8 * Math.sin(t / 5)]);
    const esn = new EchoStateNetwork({
      inputSize: 1, units: 25, feedbackScaling: 0.1, washout: 5, seed: 4, activation: 'identity', spectralRadius: 0.6, solver: 'pinv',
      readout: { features: ['output', 'state', 'bias'] }, backend,
    });
    expect(esn.readout.features).toEqual(['bias', 'state', 'output']);
    expect(esn.ridge).toBe(0);
    esn.fit(u.slice(0, 79), u.slice(1));
    const json = JSON.parse(JSON.stringify(esn.toJSON()));
    expect(json.options).toMatchObject({ readout: { features: ['bias', 'state', 'output'] }, solver: 'pinv', activation: 'identity', ridge: 0 });
    expect(json.readout.weights.length).toBe(1 + 25 + 1);
    const loaded = EchoStateNetwork.fromJSON(json, { backend });
    expectSameBits('predict after load', loaded.predict(u).data, esn.predict(u).data);
    expectSameBits('generate after load', loaded.generate(10).data, esn.generate(10).data);
    // The file's readout length follows its features.
    json.readout.weights.push(0);
    expect(() => EchoStateNetwork.fromJSON(json, { backend })).toThrow('EchoStateNetwork.fromJSON: readout.weights has 28 values but the options need 27');
    for (const m of [esn, loaded]) m.dispose();
  });
});

describe('bad readout options: one clear message each, nothing built', () => {
  it('names the option, what was expected and what was given', async () => {
    const backend = await backendFor(true);
    const base = { inputSize: 1, units: 8, backend };
    const W = 'EchoStateNetwork';
    const known = "'bias', 'input', 'state', 'output'";
    const cases: [object, string, string][] = [
      [{ readout: { features: ['bias', 'inputs'] } }, 'RangeError', `${W}: options.readout.features[1] must be one of ${known}, got "inputs"`],
      [{ readout: { features: ['state', 'output', 'state'] } }, 'RangeError', `${W}: options.readout.features lists "state" twice (at 0 and 2)`],
      [{ readout: { features: [] } }, 'RangeError', `${W}: options.readout.features is empty; give at least one of ${known}`],
      [{ readout: { features: 'state' } }, 'TypeError', `${W}: options.readout.features must be an array of feature names (${known}), got "state"`],
      [{ readout: { features: [1] } }, 'RangeError', `${W}: options.readout.features[0] must be one of ${known}, got 1`],
      // eslint-disable-next-line no-sparse-arrays -- a hole is checked like any other entry
      [{ readout: { features: [, 'state'] } }, 'RangeError', `${W}: options.readout.features[0] must be one of ${known}, got undefined`],
      [{ readout: { feature: ['state'] } }, 'RangeError', `${W}: options.readout has an unknown key 'feature' (known: features)`],
      [{ readout: ['state'] }, 'TypeError', `${W}: options.readout must be an object, got Array(1)`],
      [{ solver: 'lstsq' }, 'RangeError', `${W}: options.solver must be one of 'ridge', 'pinv', got "lstsq"`],
      [{ solver: 'pinv', ridge: 1e-6 }, 'RangeError', `${W}: options.ridge (0.000001) is not read by solver 'pinv' (the minimum-norm least-squares solution has no penalty); leave ridge out, or use solver 'ridge'`],
      [{ activation: 'relu' }, 'RangeError', `${W}: options.activation must be one of 'tanh', 'identity', got "relu"`],
    ];
    for (const [extra, type, message] of cases) expect(thrown(() => new EchoStateNetwork({ ...base, ...extra }))).toEqual({ type, message });
    // ridge 0 with 'pinv' is accepted (what toJSON writes), and solver 'ridge' with λ = 0 is the basic solution.
    for (const extra of [{ solver: 'pinv', ridge: 0 }, { solver: 'ridge', ridge: 0 }] as const) new EchoStateNetwork({ ...base, ...extra }).dispose();
  });

  it('a saved file with a bad feature list is refused with the same message', async () => {
    const backend = await backendFor(true);
    const esn = new EchoStateNetwork({ inputSize: 1, units: 8, seed: 1, backend });
    const json = JSON.parse(JSON.stringify(esn.toJSON()));
    json.options.readout = { features: ['bias', 'bias'] };
    expect(thrown(() => EchoStateNetwork.fromJSON(json, { backend }))).toEqual({
      type: 'RangeError', message: 'EchoStateNetwork.fromJSON: options.readout.features lists "bias" twice (at 0 and 1)',
    });
    esn.dispose();
  });
});

describe('sizes with the output feature', () => {
  it('the readout size check counts outputSize columns', async () => {
    const backend = await backendFor(true);
    expect(() => new EchoStateNetwork({ inputSize: 1, outputSize: 40000, units: 4000, density: 0.001, spectralRadius: 0, readout: { features: ['state', 'output'] }, backend })).toThrow(
      'EchoStateNetwork: the readout W_out [outputSize, units + outputSize] for outputSize 40000 and 44000 features needs 1760000000 f64 values',
    );
  });
});
