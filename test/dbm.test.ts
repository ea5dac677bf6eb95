// The deep Boltzmann machine (src/energy/dbm.ts): its kernels vs the f64 reference on both builds
// (SIMD = scalar bit for bit), mean-field convergence and its fixed point, the exact log Z vs brute
// force, the variational bound below the exact log-likelihood, the bound rising with pretraining and
// training on 3×3 bars-and-stripes, determinism, save/load, bad input and the NaN stop.
import { describe, expect, it } from 'vitest';
import type { Backend, F32Buffer } from '../src/engine/backend.js';
import { DBM, type DBMEpochLogs } from '../src/energy/dbm.js';
import { dbmBiasUpdateF32, dbmBoundTermsF64, dbmConditionalF32, dbmLogPartitionF64, dbmWeightUpdateF32 } from '../src/kernels/dbm.js';
import { NonFiniteError } from '../src/models/training.js';
import * as ref from '../src/reference/dbm.js';
import { sampleBernoulli, uniform } from '../src/reference/random.js';
import { Random } from '../src/random.js';
import { backendFor, BUILDS } from './helpers/backends.js';
import { expectSameBits, thrown } from './helpers/compare.js';
import { makeRandom, randomFloat32 } from './helpers/random.js';

/** The 14 distinct 3×3 bars-and-stripes patterns (all-off and all-on are both bars and stripes). */
function barsAndStripes(): number[][] {
  const seen = new Map<string, number[]>();
  for (let m = 0; m < 8; m++) {
    const line = [0, 1, 2].map((i) => (m >> i) & 1);
    for (const p of [line.flatMap((a) => [a, a, a]), [0, 1, 2].flatMap(() => line)]) seen.set(p.join(''), p);
  }
  return [...seen.values()];
}

function allStates(n: number): number[][] {
  return Array.from({ length: 2 ** n }, (_, s) => Array.from({ length: n }, (_, j) => (s >> j) & 1));
}

function worstDifference(got: ArrayLike<number>, want: ArrayLike<number>): number {
  expect(got.length).toBe(want.length);
  let worst = 0;
  for (let i = 0; i < got.length; i++) worst = Math.max(worst, Math.abs(got[i] - want[i]));
  return worst;
}

function params(dbm: DBM): ref.DbmParams {
  return { nv: dbm.visible, n1: dbm.hidden[0], n2: dbm.hidden[1], ...dbm.weights() };
}

/** A DBM with the given weights (random ±scale when not given), through fromJSON. */
function dbmWith(backend: Backend, nv: number, n1: number, n2: number, scale: number, seed: number): DBM {
  const r = (n: number, s: number): number[] => Array.from(randomFloat32(n, s, -scale, scale));
  return DBM.fromJSON(
    {
      format: 'rnn-wasm/dbm', version: 1, options: { visible: nv, hidden: [n1, n2], seed },
      weights: { w1: r(nv * n1, seed + 1), w2: r(n1 * n2, seed + 2), bv: r(nv, seed + 3), b1: r(n1, seed + 4), b2: r(n2, seed + 5) },
    },
    { backend },
  );
}

/** The model's Fisher–Yates shuffle, drawing from `random` as it does. */
function shuffledLike(n: number, random: Random): number[] {
  const order = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(random.uniform() * (i + 1));
    [order[i], order[j]] = [order[j], order[i]];
  }
  return order;
}

function f32(backend: Backend, values: ArrayLike<number> | number): F32Buffer {
  return typeof values === 'number' ? backend.allocF32(Math.max(1, values)) : backend.fromArray(values);
}

describe.each(BUILDS)('DBM kernels vs the f64 reference ($name)', ({ simd }) => {
  // Odd sizes: SIMD bodies and scalar tails, GEMM edges.
  const [B, nb, n, na] = [5, 7, 11, 6];
  const below = randomFloat32(B * nb, 1, 0, 1);
  const wBelow = randomFloat32(nb * n, 2);
  const above = randomFloat32(B * na, 3, 0, 1);
  const wAbove = randomFloat32(n * na, 4);
  const bias = randomFloat32(n, 5);
  const old = randomFloat32(B * n, 6, 0, 1);

  it('the conditional: both neighbours, one, none; scales; the change; sampling', async () => {
    const backend = await backendFor(simd);
    const bufs = [below, wBelow, above, wAbove, bias, old].map((a) => f32(backend, a));
    const [pb, pwb, pa, pwa, pbias, pold] = bufs.map((b) => b.ptr);
    const out = f32(backend, B * n);
    const work = backend.gemmWork();
    const cases = [
      { name: 'both', useBelow: true, useAbove: true, sb: 1, sa: 1 },
      { name: 'below doubled', useBelow: true, useAbove: false, sb: 2, sa: 0 },
      { name: 'above doubled', useBelow: false, useAbove: true, sb: 0, sa: 2 },
      { name: 'bias only', useBelow: false, useAbove: false, sb: 1, sa: 1 },
    ];
    try {
      for (const c of cases) {
        const g = { rows: B, below: c.useBelow ? nb : 0, units: n, above: c.useAbove ? na : 0 };
        const ptrs = { out: out.ptr, old: pold, below: c.useBelow ? pb : 0, wBelow: pwb, above: c.useAbove ? pa : 0, wAbove: pwa, bias: pbias, work };
        const change = dbmConditionalF32(backend, ptrs, g, c.sb, c.sa, 0, false);
        const got = out.read();
        const want = ref.conditional(c.useBelow ? below : null, wBelow, c.useAbove ? above : null, wAbove, bias, B, nb, n, na, c.sb, c.sa);
        expect(worstDifference(got, want), c.name).toBeLessThan(2e-6);
        // The change is max |out − old| of the f32 values, in f64.
        let expected = 0;
        got.forEach((p, i) => (expected = Math.max(expected, Math.abs(p - old[i]))));
        expect(change, c.name).toBe(expected);
        // Sampled with a seed: the same probabilities thresholded by u(seed, i).
        const seed = 0xdeadbeef;
        expect(dbmConditionalF32(backend, { ...ptrs, old: 0 }, g, c.sb, c.sa, seed, true), c.name).toBe(0);
        const sampled = out.read();
        expect(Array.from(sampled), c.name).toEqual(Array.from(got, (p, i) => (uniform(seed, i) < p ? 1 : 0)));
      }
    } finally {
      for (const b of [...bufs, out]) b.dispose();
    }
  });

  it('the weight and bias updates', async () => {
    const backend = await backendFor(simd);
    const [M, nA, nB] = [9, 7, 13];
    const a = randomFloat32(B * nA, 11, 0, 1);
    const b = randomFloat32(B * nB, 12, 0, 1);
    const aModel = randomFloat32(M * nA, 13, 0, 1);
    const bModel = randomFloat32(M * nB, 14, 0, 1);
    const w0 = randomFloat32(nA * nB, 15);
    const bias0 = randomFloat32(nB, 16);
    const bufs = [w0, a, b, aModel, bModel, bias0].map((x) => f32(backend, x));
    const [w, pa, pb, paM, pbM, bias] = bufs;
    try {
      dbmWeightUpdateF32(backend, { w: w.ptr, a: pa.ptr, b: pb.ptr, aModel: paM.ptr, bModel: pbM.ptr, work: backend.gemmWork() }, B, M, nA, nB, 0.3);
      expect(worstDifference(w.read(), ref.weightUpdate(w0, a, b, aModel, bModel, B, M, nA, nB, 0.3))).toBeLessThan(2e-6);
      dbmBiasUpdateF32(backend, { bias: bias.ptr, data: pb.ptr, model: pbM.ptr }, B, M, nB, 0.3);
      expect(worstDifference(bias.read(), ref.biasUpdate(bias0, b, bModel, B, M, nB, 0.3))).toBeLessThan(1e-6);
    } finally {
      for (const x of bufs) x.dispose();
    }
  });

  it('log Z over h1 and the bound terms, f64', async () => {
    const backend = await backendFor(simd);
    const dbm = dbmWith(backend, 6, 5, 3, 1.5, 21);
    try {
      const p = params(dbm);
      const bufs = [p.w1, p.w2, p.bv, p.b1, p.b2].map((x) => f32(backend, x));
      const [w1, w2, bv, b1, b2] = bufs.map((x) => x.ptr);
      const rows = 4;
      const v = randomFloat32(rows * 6, 22, 0, 1).map((x) => (x < 0.5 ? 0 : 1));
      const mu1 = randomFloat32(rows * 5, 23, 0, 1);
      const mu2 = randomFloat32(rows * 3, 24, 0, 1);
      mu1[0] = 0; // H(q) at the ends: 0·ln 0 = 0
      mu2[1] = 1;
      const more = [v, mu1, mu2].map((x) => f32(backend, x));
      try {
        const logZ = dbmLogPartitionF64(backend, { w1, w2, bv, b1, b2 }, 6, 5, 3);
        expect(Math.abs(logZ - ref.logPartition(p))).toBeLessThan(1e-12 * Math.abs(logZ));
        expect(Math.abs(logZ - ref.logPartitionBruteForce(p))).toBeLessThan(1e-11 * Math.abs(logZ));
        const terms = dbmBoundTermsF64(backend, { w1, w2, bv, b1, b2, v: more[0].ptr, mu1: more[1].ptr, mu2: more[2].ptr }, rows, 6, 5, 3);
        expect(Math.abs(terms - ref.boundTerms(p, v, mu1, mu2, rows))).toBeLessThan(1e-12 * Math.abs(terms));
      } finally {
        for (const x of [...bufs, ...more]) x.dispose();
      }
    } finally {
      dbm.dispose();
    }
  });
});

describe('DBM kernels: SIMD = scalar bit for bit', () => {
  it('every kernel, on the same inputs', async () => {
    const results = [];
    for (const { simd } of BUILDS) {
      const backend = await backendFor(simd);
      const [B, nb, n, na, M] = [6, 9, 13, 5, 7];
      const ins = [randomFloat32(B * nb, 31, 0, 1), randomFloat32(nb * n, 32), randomFloat32(B * na, 33, 0, 1), randomFloat32(n * na, 34), randomFloat32(n, 35)];
      const bufs = ins.map((x) => f32(backend, x));
      const out = f32(backend, B * n);
      const sampled = f32(backend, B * n);
      const work = backend.gemmWork();
      const g = { rows: B, below: nb, units: n, above: na };
      const ptrs = { old: 0, below: bufs[0].ptr, wBelow: bufs[1].ptr, above: bufs[2].ptr, wAbove: bufs[3].ptr, bias: bufs[4].ptr, work };
      dbmConditionalF32(backend, { ...ptrs, out: out.ptr }, g, 2, 1, 0, false);
      dbmConditionalF32(backend, { ...ptrs, out: sampled.ptr }, g, 2, 1, 77, true);
      // W [nb, n] += updates from (below, out) against (model rows).
      const model = [randomFloat32(M * nb, 36, 0, 1), randomFloat32(M * n, 37, 0, 1)].map((x) => f32(backend, x));
      dbmWeightUpdateF32(backend, { w: bufs[1].ptr, a: bufs[0].ptr, b: out.ptr, aModel: model[0].ptr, bModel: model[1].ptr, work }, B, M, nb, n, 0.1);
      dbmBiasUpdateF32(backend, { bias: bufs[4].ptr, data: out.ptr, model: model[1].ptr }, B, M, n, 0.1);
      results.push({ out: out.read(), sampled: sampled.read(), w: bufs[1].read(), bias: bufs[4].read() });
      for (const x of [...bufs, ...model, out, sampled]) x.dispose();
    }
    const [a, b] = results;
    expectSameBits('conditional', a.out, b.out);
    expectSameBits('sampled', a.sampled, b.sampled);
    expectSameBits('weight update', a.w, b.w);
    expectSameBits('bias update', a.bias, b.bias);
  });
});

describe('DBM', () => {
  it('mean-field converges to a fixed point of the mean-field equations', async () => {
    const backend = await backendFor(true);
    // Weights of ±1: strong couplings, so convergence takes more than a few steps.
    const dbm = dbmWith(backend, 12, 10, 6, 1, 41);
    try {
      const r = makeRandom(42);
      const x = Array.from({ length: 8 }, () => Array.from({ length: 12 }, () => (r() < 0.5 ? 0 : 1)));
      const tolerance = 1e-6;
      const mf = dbm.meanField(x, { iterations: 200, tolerance });
      console.log(`mean-field: ${mf.iterations} iterations to max |Δμ| = ${mf.change.toExponential(2)} (tolerance ${tolerance})`);
      expect(mf.change).toBeLessThan(tolerance);
      expect(mf.iterations).toBeGreaterThan(2);
      expect(mf.iterations).toBeLessThan(200);
      // The fixed point: μ1 = σ(vW1 + μ2W2ᵀ + b1), μ2 = σ(μ1W2 + b2), in f64, to within the tolerance.
      const p = params(dbm);
      const flat = x.flat();
      expect(worstDifference(mf.h1, ref.conditional(flat, p.w1, mf.h2, p.w2, p.b1, 8, 12, 10, 6, 1, 1))).toBeLessThan(2 * tolerance);
      expect(worstDifference(mf.h2, ref.conditional(mf.h1, p.w2, null, [], p.b2, 8, 10, 6, 0, 1, 1))).toBeLessThan(2 * tolerance);
      // And the reference's own iteration reaches the same point.
      const want = ref.meanField(p, flat, 8, 200, 1e-12);
      expect(worstDifference(mf.h1, want.mu1)).toBeLessThan(1e-5);
      expect(worstDifference(mf.h2, want.mu2)).toBeLessThan(1e-5);
      // An iteration limit is respected and reported.
      const capped = dbm.meanField(x, { iterations: 2, tolerance });
      expect(capped.iterations).toBe(2);
      expect(capped.change).toBeGreaterThan(tolerance);
      // transform() gives the same posteriors.
      const t = dbm.transform(x);
      expectSameBits('transform h1', t.h1, mf.h1);
      expectSameBits('transform h2', t.h2, mf.h2);
    } finally {
      dbm.dispose();
    }
  });

  it('exact log Z matches brute force over (v, h1, h2); the bound is below the exact log-likelihood', async () => {
    const backend = await backendFor(true);
    const dbm = dbmWith(backend, 4, 3, 2, 2, 51);
    try {
      const p = params(dbm);
      const brute = ref.logPartitionBruteForce(p);
      expect(Math.abs(dbm.logPartition() - brute)).toBeLessThan(1e-12 * Math.abs(brute));
      let worstGap = Infinity;
      for (const v of allStates(4)) {
        const bound = dbm.variationalBound([v]);
        const exact = ref.logLikelihood(p, v, brute);
        expect(bound).toBeLessThanOrEqual(exact);
        worstGap = Math.min(worstGap, exact - bound);
      }
      // The probabilities of all 16 states sum to 1 (the brute-force log-likelihood is a distribution).
      expect(allStates(4).reduce((s, v) => s + Math.exp(ref.logLikelihood(p, v, brute)), 0)).toBeCloseTo(1, 12);
      expect(worstGap).toBeGreaterThanOrEqual(0);
    } finally {
      dbm.dispose();
    }
  });

  it('on 3×3 bars-and-stripes the variational bound rises with pretraining, then with training', async () => {
    const backend = await backendFor(true);
    const x = barsAndStripes();
    expect(x).toHaveLength(14);
    const dbm = new DBM({ visible: 9, hidden: [10, 6], seed: 1, backend });
    try {
      const start = dbm.variationalBound(x);
      dbm.pretrain(x, { epochs: 500, batchSize: 7, learningRate: 0.1 });
      const pretrained = dbm.variationalBound(x);
      const logs = dbm.fit(x, { epochs: 1000, batchSize: 7, learningRate: 0.05, chains: 50 });
      const trained = dbm.variationalBound(x);
      const p = params(dbm);
      const logZ = ref.logPartition(p);
      const exact = x.reduce((s, v) => s + ref.logLikelihoodOverH1(p, v, logZ), 0) / x.length;
      console.log(
        `bars-and-stripes bound: ${start.toFixed(3)} (start) → ${pretrained.toFixed(3)} (pretrained) → ${trained.toFixed(3)} (trained); ` +
          `exact mean log-likelihood ${exact.toFixed(3)}, optimum ${(-Math.log(14)).toFixed(3)}; last epoch mean-field ${logs.at(-1)!.meanFieldIterations} iterations`,
      );
      expect(start).toBeCloseTo(-9 * Math.log(2), 1); // small random weights: ≈ uniform over 2⁹
      expect(pretrained).toBeGreaterThan(start + 0.5);
      expect(trained).toBeGreaterThan(pretrained + 1);
      expect(trained).toBeGreaterThan(-3.2);
      expect(trained).toBeLessThanOrEqual(exact);
      expect(exact).toBeLessThan(-Math.log(14));
      expect(logs).toHaveLength(1000);
      expect(logs.every((l) => l.meanFieldChange < 1e-5)).toBe(true);
      // Samples from the trained model are mostly bars and stripes.
      const samples = dbm.sample(200, { gibbsSteps: 200, seed: 3 });
      const patterns = new Set(x.map((v) => v.join('')));
      let hits = 0;
      for (let s = 0; s < 200; s++) if (patterns.has(Array.from(samples.subarray(9 * s, 9 * s + 9)).join(''))) hits++;
      console.log(`samples that are bars or stripes: ${hits} of 200 (chance: 14 of 512)`);
      expect(hits).toBeGreaterThan(100);
    } finally {
      dbm.dispose();
    }
  });

  it('pretrain() is the header\'s CD-1 with doubling, composed with b1 = ½(b1ᵇ + b1ᵗ) (one batch, one epoch, vs the reference)', async () => {
    const backend = await backendFor(true);
    const [N, nv, n1, n2, rate, seed] = [6, 5, 4, 3, 0.5, 5];
    const r0 = makeRandom(61);
    const rows = Array.from({ length: N }, () => Array.from({ length: nv }, () => (r0() < 0.5 ? 0 : 1)));
    const dbm = new DBM({ visible: nv, hidden: [n1, n2], seed, backend });
    try {
      const w = dbm.weights();
      // The model's draws, in its order: the initial weights' seed, then per RBM a shuffle and a sampling seed.
      const random = new Random(seed);
      random.nextUint32();
      const batch = (source: ArrayLike<number>[], width: number): Float64Array => {
        const order = shuffledLike(N, random);
        return Float64Array.from(order.flatMap((i) => Array.from(source[i]).slice(0, width)));
      };
      const v = batch(rows, nv);
      const h0 = ref.conditional(v, w.w1, null, [], w.b1, N, nv, n1, 0, 2, 0);
      const v1 = ref.conditional(null, [], sampleBernoulli(h0, random.nextUint32()), w.w1, w.bv, N, 0, nv, n1, 0, 1);
      const h1 = ref.conditional(v1, w.w1, null, [], w.b1, N, nv, n1, 0, 2, 0);
      const w1 = ref.weightUpdate(w.w1, v, h0, v1, h1, N, N, nv, n1, rate);
      const bv = ref.biasUpdate(w.bv, v, v1, N, N, nv, rate);
      const b1Bottom = ref.biasUpdate(w.b1, h0, h1, N, N, n1, rate);
      const data = ref.conditional(rows.flat(), w1, null, [], b1Bottom, N, nv, n1, 0, 2, 0);
      const d = batch(Array.from({ length: N }, (_, i) => data.subarray(i * n1, (i + 1) * n1)), n1);
      const g0 = ref.conditional(d, w.w2, null, [], w.b2, N, n1, n2, 0, 1, 0);
      const d1 = ref.conditional(null, [], sampleBernoulli(g0, random.nextUint32()), w.w2, w.b1, N, 0, n1, n2, 0, 2);
      const g1 = ref.conditional(d1, w.w2, null, [], w.b2, N, n1, n2, 0, 1, 0);
      const w2 = ref.weightUpdate(w.w2, d, g0, d1, g1, N, N, n1, n2, rate);
      const b1Top = ref.biasUpdate(w.b1, d, d1, N, N, n1, rate);
      const b2 = ref.biasUpdate(w.b2, g0, g1, N, N, n2, rate);
      dbm.pretrain(rows, { epochs: 1, batchSize: N, learningRate: rate });
      const got = dbm.weights();
      expect(worstDifference(got.w1, w1)).toBeLessThan(1e-5);
      expect(worstDifference(got.bv, bv)).toBeLessThan(1e-5);
      expect(worstDifference(got.w2, w2)).toBeLessThan(1e-5);
      expect(worstDifference(got.b2, b2)).toBeLessThan(1e-5);
      expect(worstDifference(got.b1, b1Bottom.map((b, j) => (b + b1Top[j]) / 2))).toBeLessThan(1e-5);
      // The updates were not trivial.
      expect(worstDifference(got.w1, w.w1)).toBeGreaterThan(1e-3);
      expect(worstDifference(got.w2, w.w2)).toBeGreaterThan(1e-3);
      // No epochs: nothing changes (b1 = ½(b1 + b1) exactly).
      const before = dbm.weights();
      dbm.pretrain(rows, { epochs: 0 });
      for (const k of ['w1', 'w2', 'bv', 'b1', 'b2'] as const) expectSameBits(k, dbm.weights()[k], before[k]);
    } finally {
      dbm.dispose();
    }
  });

  it('fit() is the header\'s mean-field + persistent chains + stochastic approximation (one batch, one epoch, vs the reference)', async () => {
    const backend = await backendFor(true);
    const [N, nv, n1, n2, M, steps, rate, seed] = [6, 5, 4, 3, 4, 2, 0.5, 9];
    const r0 = makeRandom(71);
    const rows = Array.from({ length: N }, () => Array.from({ length: nv }, () => (r0() < 0.5 ? 0 : 1)));
    const dbm = dbmWith(backend, nv, n1, n2, 1, seed);
    try {
      const w = dbm.weights();
      const p = params(dbm);
      const random = new Random(seed); // fromJSON: the stream of a new DBM with the saved seed, after its initial weights' draw
      random.nextUint32();
      const picks = Array.from({ length: M }, () => Math.floor(random.uniform() * N));
      let cv = sampleBernoulli(picks.flatMap((i) => rows[i]), random.nextUint32());
      let ch1 = ref.conditional(cv, w.w1, null, [], w.b1, M, nv, n1, 0, 2, 0, random.nextUint32());
      let ch2 = ref.conditional(ch1, w.w2, null, [], w.b2, M, n1, n2, 0, 1, 0, random.nextUint32());
      const order = shuffledLike(N, random);
      const v = Float64Array.from(order.flatMap((i) => rows[i]));
      const { mu1, mu2 } = ref.meanField(p, v, N, 30, 1e-5);
      for (let s = 0; s < steps; s++) {
        cv = ref.conditional(null, [], ch1, w.w1, w.bv, M, 0, nv, n1, 0, 1, random.nextUint32());
        ch2 = ref.conditional(ch1, w.w2, null, [], w.b2, M, n1, n2, 0, 1, 0, random.nextUint32());
        ch1 = ref.conditional(cv, w.w1, ch2, w.w2, w.b1, M, nv, n1, n2, 1, 1, random.nextUint32());
      }
      dbm.fit(rows, { epochs: 1, batchSize: N, learningRate: rate, chains: M, gibbsSteps: steps });
      const got = dbm.weights();
      expect(worstDifference(got.w1, ref.weightUpdate(w.w1, v, mu1, cv, ch1, N, M, nv, n1, rate))).toBeLessThan(1e-5);
      expect(worstDifference(got.w2, ref.weightUpdate(w.w2, mu1, mu2, ch1, ch2, N, M, n1, n2, rate))).toBeLessThan(1e-5);
      expect(worstDifference(got.bv, ref.biasUpdate(w.bv, v, cv, N, M, nv, rate))).toBeLessThan(1e-5);
      expect(worstDifference(got.b1, ref.biasUpdate(w.b1, mu1, ch1, N, M, n1, rate))).toBeLessThan(1e-5);
      expect(worstDifference(got.b2, ref.biasUpdate(w.b2, mu2, ch2, N, M, n2, rate))).toBeLessThan(1e-5);
      expect(worstDifference(got.w1, w.w1)).toBeGreaterThan(0.01);
    } finally {
      dbm.dispose();
    }
  });

  it('same seed, same bits, on both builds; sample() with a seed repeats', async () => {
    const x = barsAndStripes();
    const runs = [];
    for (const { simd } of [...BUILDS, BUILDS[0]]) {
      const backend = await backendFor(simd);
      const dbm = new DBM({ visible: 9, hidden: [6, 4], seed: 7, backend });
      dbm.pretrain(x, { epochs: 5, batchSize: 4 });
      dbm.fit(x, { epochs: 5, batchSize: 4, chains: 10, gibbsSteps: 2 });
      runs.push({ w: dbm.weights(), s: dbm.sample(5, { gibbsSteps: 10, seed: 9 }), bound: dbm.variationalBound(x) });
      dbm.dispose();
    }
    for (const run of runs.slice(1)) {
      for (const k of ['w1', 'w2', 'bv', 'b1', 'b2'] as const) expectSameBits(k, run.w[k], runs[0].w[k]);
      expectSameBits('samples', run.s, runs[0].s);
      expect(run.bound).toBe(runs[0].bound);
    }
    const backend = await backendFor(true);
    const other = new DBM({ visible: 9, hidden: [6, 4], seed: 8, backend });
    try {
      expect(Array.from(other.weights().w1)).not.toEqual(Array.from(runs[0].w.w1));
    } finally {
      other.dispose();
    }
  });

  it('fit() reports every epoch to onEpochEnd and returns the same logs', async () => {
    const backend = await backendFor(true);
    const dbm = new DBM({ visible: 9, hidden: [5, 3], seed: 4, backend });
    try {
      const seen: DBMEpochLogs[] = [];
      const history = dbm.fit(barsAndStripes(), { epochs: 3, batchSize: 5, chains: 8, meanFieldIterations: 50, tolerance: 1e-4, onEpochEnd: (logs) => seen.push(logs) });
      expect(seen).toEqual(history);
      expect(history.map((l) => l.epoch)).toEqual([0, 1, 2]);
      for (const l of history) {
        expect(l.meanFieldChange).toBeLessThan(1e-4);
        expect(l.meanFieldIterations).toBeGreaterThanOrEqual(1);
        expect(l.meanFieldIterations).toBeLessThan(50);
      }
    } finally {
      dbm.dispose();
    }
  });

  it('save and load', async () => {
    const backend = await backendFor(true);
    const x = barsAndStripes();
    const dbm = new DBM({ visible: 9, hidden: [6, 4], seed: 3, backend });
    dbm.pretrain(x, { epochs: 20, batchSize: 7 });
    const text = JSON.stringify(dbm);
    const loaded = DBM.fromJSON(text, { backend });
    try {
      expect(loaded.visible).toBe(9);
      expect(loaded.hidden).toEqual([6, 4]);
      for (const k of ['w1', 'w2', 'bv', 'b1', 'b2'] as const) expectSameBits(k, loaded.weights()[k], dbm.weights()[k]);
      expect(loaded.variationalBound(x)).toBe(dbm.variationalBound(x));
      expectSameBits('transform', loaded.transform(x).h2, dbm.transform(x).h2);
      expect(JSON.parse(text).format).toBe('rnn-wasm/dbm');
      expect(thrown(() => DBM.fromJSON({ ...JSON.parse(text), format: 'rnn-wasm/rbm' }))).toEqual({
        type: 'TypeError', message: "DBM.fromJSON: not a saved DBM (format must be 'rnn-wasm/dbm')",
      });
      const bad = JSON.parse(text);
      bad.weights.w2 = bad.weights.w2.slice(1);
      expect(thrown(() => DBM.fromJSON(bad, { backend }))).toEqual({ type: 'TypeError', message: 'DBM.fromJSON: weights.w2 must be 24 finite numbers, got Array(23)' });
    } finally {
      dbm.dispose();
      loaded.dispose();
    }
  });

  it('bad input: full messages, and a failed call changes nothing', async () => {
    const backend = await backendFor(true);
    const dbm = new DBM({ visible: 3, hidden: [2, 2], seed: 1, backend });
    const before = dbm.weights();
    const x = [[0, 1, 1], [1, 0, 0]];
    const cases: [() => unknown, string, string][] = [
      [() => new DBM({ visible: 0, hidden: [2, 2], backend }), 'RangeError', 'DBM: options.visible must be in [1, 1048576], got 0'],
      [() => new DBM({ visible: 3, hidden: [2], backend }), 'TypeError', 'DBM: options.hidden must be an array of two layer sizes [h1, h2], got Array(1)'],
      [() => new DBM({ visible: 3, hidden: [2, 1.5], backend }), 'RangeError', 'DBM: options.hidden[1] must be an integer, got 1.5'],
      [() => new DBM({ visible: 3, hidden: [2, 2], layers: 2 } as never), 'RangeError', "DBM: unknown option 'layers' (known: visible, hidden, seed, backend)"],
      [() => dbm.fit([[0, 1]]), 'RangeError', 'DBM.fit: x[0] must have visible = 3 values, got 2'],
      [() => dbm.fit([[0, 1, 2]]), 'RangeError', 'DBM.fit: x[0][2] must be a number in [0, 1] (a Bernoulli unit\'s value or probability), got 2'],
      [() => dbm.fit([[0, NaN, 1]]), 'RangeError', 'DBM.fit: x[0][1] must be a number in [0, 1] (a Bernoulli unit\'s value or probability), got NaN'],
      [() => dbm.fit([]), 'RangeError', 'DBM.fit: x must hold at least one row, got none'],
      [() => dbm.fit({ data: [0, 1, 1], shape: [1, 4] }), 'RangeError', 'DBM.fit: x.shape must be [N, visible = 3], got [1,4]'],
      [() => dbm.fit({ data: [0, 1], shape: [1, 3] }), 'RangeError', 'DBM.fit: x.data must have N·visible = 3 values, got Array(2)'],
      [() => dbm.fit(new Float32Array(3) as never), 'TypeError', 'DBM.fit: x must be an array of rows or { data, shape: [N, visible] }, got Float32Array(3)'],
      [() => dbm.fit(x, { learningRate: -1 }), 'RangeError', 'DBM.fit: options.learningRate must be > 0, got -1'],
      [() => dbm.fit(x, { chains: 0 }), 'RangeError', 'DBM.fit: options.chains must be ≥ 1, got 0'],
      [() => dbm.fit(x, { onEpochEnd: 3 as never }), 'TypeError', 'DBM.fit: options.onEpochEnd must be a function, got 3'],
      [() => dbm.pretrain(x, { batchSize: 0 }), 'RangeError', 'DBM.pretrain: options.batchSize must be ≥ 1, got 0'],
      [() => dbm.meanField(x, { tolerance: 0 }), 'RangeError', 'DBM.meanField: options.tolerance must be > 0, got 0'],
      [() => dbm.sample(0), 'RangeError', 'DBM.sample: n must be ≥ 1, got 0'],
    ];
    for (const [fn, type, message] of cases) {
      const t = thrown(fn);
      expect(t.type).toBe(type);
      if (message) expect(t.message).toBe(message);
    }
    const big = new DBM({ visible: 2, hidden: [21, 1], backend });
    expect(thrown(() => big.logPartition())).toEqual({
      type: 'RangeError', message: 'DBM.logPartition: the exact log Z enumerates 2^hidden[0] states of h1, so hidden[0] must be ≤ 20, got 21',
    });
    expect(thrown(() => big.variationalBound([[0, 1]])).message).toBe(
      'DBM.variationalBound: the exact log Z enumerates 2^hidden[0] states of h1, so hidden[0] must be ≤ 20, got 21',
    );
    big.dispose();
    const after = dbm.weights();
    for (const k of ['w1', 'w2', 'bv', 'b1', 'b2'] as const) expectSameBits(k, after[k], before[k]);
    dbm.dispose();
    expect(dbm.disposed).toBe(true);
    expect(thrown(() => dbm.transform(x))).toEqual({ type: 'Error', message: 'DBM.meanField: the DBM has been disposed' });
  });

  it('non-finite weights stop training with the weights of the last good step', async () => {
    const backend = await backendFor(true);
    const x = barsAndStripes();
    const dbm = new DBM({ visible: 9, hidden: [4, 3], seed: 2, backend });
    const before = dbm.weights();
    try {
      const error = (() => {
        try {
          // ε = 1e300 rounds to an infinite f32 step: the first update is non-finite.
          dbm.fit(x, { learningRate: 1e300, batchSize: 7 });
        } catch (e) {
          return e;
        }
        return null;
      })();
      expect(error).toBeInstanceOf(NonFiniteError);
      expect((error as Error).message).toMatch(/^DBM\.fit: non-finite weights at epoch \d+, batch \d+; training stopped with the weights of the last good step$/);
      expect((error as NonFiniteError).epoch).toBe(0);
      expect((error as NonFiniteError).batch).toBe(0);
      const w = dbm.weights();
      for (const k of ['w1', 'w2', 'bv', 'b1', 'b2'] as const) expectSameBits(k, w[k], before[k]);
      expect(Number.isFinite(dbm.logPartition())).toBe(true);
    } finally {
      dbm.dispose();
    }
  });
});

