// The restricted Boltzmann machine (src/energy/rbm.ts): kernels vs the f64 reference and vs
// enumeration on both builds (SIMD = scalar bit for bit), the CD-k/PCD-k update vs the reference on
// fixed seeds, bars-and-stripes by exact likelihood, the digits (pseudo-likelihood, features for a
// softmax head), AIS vs the exact log Z, determinism, save/load, errors.
import { describe, expect, it } from 'vitest';
import { liveF64, liveView, type Backend, type F32Buffer } from '../src/engine/backend.js';
import { RBM } from '../src/energy/rbm.js';
import {
  RBM_CHAIN, rbmCdScratchFloats, rbmCdStepF32, rbmFreeEnergyF64, rbmGibbsF32, rbmHiddenF32, rbmLogPartitionF64, rbmPseudoLikelihoodF64,
  rbmReconstructF32, rbmVisibleF32,
} from '../src/kernels/rbm.js';
import * as ref from '../src/reference/rbm.js';
import { Dense } from '../src/layers/dense.js';
import { Sequential } from '../src/models/sequential.js';
import { backendFor, BUILDS } from './helpers/backends.js';
import { expectSameBits, expectWithinBound, thrown } from './helpers/compare.js';
import { readDigits } from './helpers/digits.js';
import { makeRandom, randomFloat32 } from './helpers/random.js';

/** W [V, H] | b [V] | a [H] as f32, and the same values as the reference's f64 parameters. */
function makeParams(V: number, H: number, seed: number, scale = 1): { flat: Float32Array; p: ref.RbmParams } {
  const flat = randomFloat32(V * H + V + H, seed, -scale, scale);
  return { flat, p: toRef(flat, V, H) };
}

function toRef(flat: Float32Array, V: number, H: number): ref.RbmParams {
  return { W: Float64Array.from(flat.subarray(0, V * H)), b: Float64Array.from(flat.subarray(V * H, V * H + V)), a: Float64Array.from(flat.subarray(V * H + V)), V, H };
}

function binaryRows(N: number, V: number, seed: number): Float32Array {
  const r = makeRandom(seed);
  return Float32Array.from({ length: N * V }, () => (r() < 0.5 ? 0 : 1));
}

function f32(backend: Backend, values: ArrayLike<number> | number): F32Buffer {
  const n = typeof values === 'number' ? values : values.length;
  const b = backend.allocF32(Math.max(1, n));
  if (typeof values !== 'number') liveView(b).set(values);
  return b;
}

/** All bars-and-stripes patterns on a 3×3 grid: 14 distinct (all-0 and all-1 are both bars and stripes). */
function barsAndStripes(): number[][] {
  const seen = new Set<string>();
  for (let m = 0; m < 8; m++) {
    const bit = (k: number): number => (m >> k) & 1;
    seen.add([0, 1, 2].flatMap((r) => [bit(r), bit(r), bit(r)]).join(''));
    seen.add([0, 1, 2].flatMap(() => [bit(0), bit(1), bit(2)]).join(''));
  }
  return [...seen].map((s) => [...s].map(Number));
}

describe.each(BUILDS)('RBM kernels ($name build)', ({ simd }) => {
  const V = 5;
  const H = 4;
  const N = 3;

  it('p(h | v), p(v | h) and F(v) equal the reference and the enumeration of E(v, h)', async () => {
    const backend = await backendFor(simd);
    const { flat, p } = makeParams(V, H, 11);
    const v = binaryRows(N, V, 12);
    const h = binaryRows(N, H, 13);
    const [params, vb, hb, ph, mv, out, pre] = [f32(backend, flat), f32(backend, v), f32(backend, h), f32(backend, N * H), f32(backend, N * V), f32(backend, 2 * N), f32(backend, 2 * H)];
    rbmHiddenF32(backend, { ph: ph.ptr, v: vb.ptr, params: params.ptr }, { N, V, H });
    expectWithinBound('p(h | v) vs reference', liveView(ph), ref.hiddenProbabilities(p, v, N), 1e-6);
    for (const gaussian of [false, true]) {
      rbmVisibleF32(backend, { mv: mv.ptr, h: hb.ptr, params: params.ptr }, { N, V, H }, gaussian);
      expectWithinBound(`mean of p(v | h) (${gaussian ? 'gaussian' : 'bernoulli'})`, liveView(mv), ref.visibleMeans(p, h, N, gaussian), 2e-6);
      rbmFreeEnergyF64(backend, { out: out.ptr, pre: pre.ptr, v: vb.ptr, params: params.ptr }, { N, V, H }, gaussian);
      const row = (r: number): Float32Array => v.subarray(r * V, (r + 1) * V);
      expectWithinBound(`F(v) (${gaussian ? 'gaussian' : 'bernoulli'})`, liveF64(out).slice(0, N), Array.from({ length: N }, (_, r) => ref.freeEnergy(p, row(r), gaussian)), 1e-12);
    }
    // The enumeration over h: p(h_j = 1 | v) = Σ_h h_j e^{−E} / Σ_h e^{−E}, F(v) = −log Σ_h e^{−E(v, h)}.
    const hs = Array.from({ length: 2 ** H }, (_, t) => ref.bitsOf(t, H));
    const vs = Array.from({ length: 2 ** V }, (_, t) => ref.bitsOf(t, V));
    for (let r = 0; r < N; r++) {
      const row = Array.from(v.subarray(r * V, (r + 1) * V));
      const weights = hs.map((hh) => Math.exp(-ref.energy(p, row, hh, false)));
      const z = weights.reduce((s, w) => s + w, 0);
      const marginal = Array.from({ length: H }, (_, j) => hs.reduce((s, hh, t) => s + hh[j] * weights[t], 0) / z);
      expectWithinBound(`p(h | v) vs enumeration, row ${r}`, ref.hiddenProbabilities(p, row, 1), marginal, 1e-12);
      expect(ref.freeEnergy(p, row, false)).toBeCloseTo(-Math.log(z), 12);
      const hrow = Array.from(h.subarray(r * H, (r + 1) * H));
      const wv = vs.map((vv) => Math.exp(-ref.energy(p, vv, hrow, false)));
      const zv = wv.reduce((s, w) => s + w, 0);
      const pv = Array.from({ length: V }, (_, i) => vs.reduce((s, vv, t) => s + vv[i] * wv[t], 0) / zv);
      expectWithinBound(`p(v | h) vs enumeration, row ${r}`, ref.visibleMeans(p, hrow, 1, false), pv, 1e-12);
    }
    // Gaussian: F(v) = −log Σ_h e^{−E(v, h)} too.
    const row0 = Array.from(v.subarray(0, V));
    const zg = hs.reduce((s, hh) => s + Math.exp(-ref.energy(p, row0, hh, true)), 0);
    expect(ref.freeEnergy(p, row0, true)).toBeCloseTo(-Math.log(zg), 12);
    for (const b of [params, vb, hb, ph, mv, out, pre]) b.dispose();
  });

  it('log Z by Gray-code enumeration equals the direct sums (either layer enumerated; gaussian integrated)', async () => {
    const backend = await backendFor(simd);
    for (const [Vs, Hs] of [[5, 7], [7, 5], [1, 1]]) {
      const { flat, p } = makeParams(Vs, Hs, 21 + Vs);
      const [params, x] = [f32(backend, flat), f32(backend, 2 * Math.max(Vs, Hs))];
      const want = ref.logPartition(p);
      // Joint enumeration over (v, h) checks the reference itself.
      let joint = 0;
      for (let t = 0; t < 2 ** Vs; t++) for (let u = 0; u < 2 ** Hs; u++) joint += Math.exp(-ref.energy(p, ref.bitsOf(t, Vs), ref.bitsOf(u, Hs), false));
      expect(want).toBeCloseTo(Math.log(joint), 11);
      for (const enumerateVisible of [true, false]) {
        const got = rbmLogPartitionF64(backend, { x: x.ptr, params: params.ptr }, Vs, Hs, enumerateVisible, false);
        expect(Math.abs(got - want)).toBeLessThan(1e-11 * Math.abs(want) + 1e-12);
      }
      const gaussian = rbmLogPartitionF64(backend, { x: x.ptr, params: params.ptr }, Vs, Hs, false, true);
      expect(Math.abs(gaussian - ref.logPartitionGaussian(p))).toBeLessThan(1e-11 * Math.abs(gaussian));
      params.dispose();
      x.dispose();
    }
    // The reference's gaussian integral against a quadrature for V = 1: Z = Σ_h ∫ e^{−E(v, h)} dv.
    const { p } = makeParams(1, 3, 5);
    let z = 0;
    const step = 1e-2;
    for (let v = -30; v <= 30; v += step) {
      for (let t = 0; t < 8; t++) z += Math.exp(-ref.energy(p, [v], ref.bitsOf(t, 3), true)) * step;
    }
    expect(ref.logPartitionGaussian(p)).toBeCloseTo(Math.log(z), 8);
  });

  it("the pseudo-likelihood equals the reference (scikit-learn's score_samples: one flipped unit per row)", async () => {
    const backend = await backendFor(simd);
    const { flat, p } = makeParams(V, H, 31);
    const rows = 9;
    const v = randomFloat32(rows * V, 32, 0, 1); // probabilities are valid data, as in scikit-learn
    const [params, vb, out, pre] = [f32(backend, flat), f32(backend, v), f32(backend, 2 * rows), f32(backend, 2 * H)];
    rbmPseudoLikelihoodF64(backend, { out: out.ptr, pre: pre.ptr, v: vb.ptr, params: params.ptr }, { N: rows, V, H }, 77);
    expectWithinBound('pseudo-likelihood', liveF64(out).slice(0, rows), ref.pseudoLikelihood(p, v, rows, 77), 1e-11);
    for (const b of [params, vb, out, pre]) b.dispose();
  });

  const CASES = [
    { name: 'CD-1', k: 1, persistent: false, gaussian: false, sparsity: false },
    { name: 'CD-3 with sparsity', k: 3, persistent: false, gaussian: false, sparsity: true },
    { name: 'PCD-2', k: 2, persistent: true, gaussian: false, sparsity: false },
    { name: 'CD-1, gaussian visible units', k: 1, persistent: false, gaussian: true, sparsity: false },
  ];
  it.each(CASES)('the $name update equals the f64 reference on fixed seeds (three steps: momentum, decay, chains)', async ({ k, persistent, gaussian, sparsity }) => {
    const backend = await backendFor(simd);
    const [Vs, Hs, B] = [6, 5, 4];
    const { flat, p } = makeParams(Vs, Hs, 41, 0.5);
    const state: ref.CdState = { params: p, dW: new Float64Array(Vs * Hs), db: new Float64Array(Vs), da: new Float64Array(Hs), chain: new Float64Array(B * Hs), q: new Float64Array(Hs).fill(0.1) };
    const params = f32(backend, flat);
    const velocity = f32(backend, flat.length);
    const chain = f32(backend, B * Hs);
    const q = f32(backend, new Float32Array(Hs).fill(0.1));
    const scratch = f32(backend, rbmCdScratchFloats(backend, B, Vs, Hs));
    const settings = {
      k, gaussian, learningRate: 0.3, momentum: 0.5, weightDecay: 0.01, sparsityTarget: 0.1, sparsityCost: sparsity ? 0.5 : 0, mode: 0, seed: 0,
    };
    for (let step = 0; step < 3; step++) {
      const v0 = gaussian ? randomFloat32(B * Vs, 50 + step, -2, 2) : binaryRows(B, Vs, 50 + step);
      const vb = f32(backend, v0);
      const mode = persistent ? (step === 0 ? RBM_CHAIN.persistentStart : RBM_CHAIN.persistent) : RBM_CHAIN.cd;
      const s = { ...settings, mode, seed: 1000 + step };
      const got = rbmCdStepF32(backend, { params: params.ptr, velocity: velocity.ptr, chain: chain.ptr, q: q.ptr, scratch: scratch.ptr, v0: vb.ptr }, { B, V: Vs, H: Hs }, s);
      const want = ref.cdStep(state, v0, B, s);
      expect(Math.abs(got - want)).toBeLessThan(1e-5 * Math.max(1, want));
      const r = toRef(liveView(params), Vs, Hs);
      // f32 products and sigmoids vs f64: a few ulps of the O(1) terms, over three steps.
      expectWithinBound(`W after step ${step + 1}`, r.W, p.W, 2e-6);
      expectWithinBound(`b after step ${step + 1}`, r.b, p.b, 2e-6);
      expectWithinBound(`a after step ${step + 1}`, r.a, p.a, 2e-6);
      if (persistent) expectWithinBound(`chains after step ${step + 1}`, liveView(chain), state.chain, 0);
      vb.dispose();
    }
    // Not every update is trivial: the parameters moved.
    expect(Math.max(...toRef(liveView(params), Vs, Hs).W.map((w, i) => Math.abs(w - flat[i])))).toBeGreaterThan(0.01);
    for (const b of [params, velocity, chain, q, scratch]) b.dispose();
  });

  it('an update that would make a parameter non-finite is refused: NaN returned, parameters unchanged', async () => {
    const backend = await backendFor(simd);
    const [Vs, Hs, B] = [3, 2, 2];
    const flat = new Float32Array(Vs * Hs + Vs + Hs).fill(3e38);
    const params = f32(backend, flat);
    const velocity = f32(backend, flat.length);
    const [chain, q, scratch, vb] = [f32(backend, B * Hs), f32(backend, Hs), f32(backend, rbmCdScratchFloats(backend, B, Vs, Hs)), f32(backend, [1, 1, 1, 1, 1, 1])];
    const e = rbmCdStepF32(backend, { params: params.ptr, velocity: velocity.ptr, chain: chain.ptr, q: q.ptr, scratch: scratch.ptr, v0: vb.ptr }, { B, V: Vs, H: Hs }, {
      k: 1, mode: 0, gaussian: true, learningRate: 10, momentum: 0, weightDecay: 1, sparsityTarget: 0, sparsityCost: 0, seed: 1,
    });
    expect(e).toBeNaN();
    expectSameBits('parameters', liveView(params).slice(), flat);
    for (const b of [params, velocity, chain, q, scratch, vb]) b.dispose();
  });
});

describe('RBM kernels: SIMD = scalar bit for bit', () => {
  it('CD-2 and PCD steps, Gibbs, reconstruction and the f64 sums at sizes that exercise the SIMD GEMM edges', async () => {
    const results = [];
    for (const { simd } of BUILDS) {
      const backend = await backendFor(simd);
      const [V, H, B] = [17, 9, 5];
      const { flat } = makeParams(V, H, 61, 0.3);
      const params = f32(backend, flat);
      const velocity = f32(backend, flat.length);
      const [chain, q, scratch] = [f32(backend, B * H), f32(backend, new Float32Array(H).fill(0.2)), f32(backend, rbmCdScratchFloats(backend, B, V, H))];
      const errors = [];
      for (let step = 0; step < 4; step++) {
        const vb = f32(backend, binaryRows(B, V, 70 + step));
        errors.push(rbmCdStepF32(backend, { params: params.ptr, velocity: velocity.ptr, chain: chain.ptr, q: q.ptr, scratch: scratch.ptr, v0: vb.ptr }, { B, V, H }, {
          k: 2, mode: step === 0 ? 2 : step < 2 ? 1 : 0, gaussian: step === 3, learningRate: 0.1, momentum: 0.9, weightDecay: 1e-3, sparsityTarget: 0.2, sparsityCost: 0.1, seed: 7 + step,
        }));
        vb.dispose();
      }
      const N = 7;
      const v = f32(backend, binaryRows(N, V, 80));
      const [mv, ph, out, pre] = [f32(backend, N * V), f32(backend, N * H), f32(backend, 2 * N), f32(backend, 2 * H)];
      const recon = rbmReconstructF32(backend, { mv: mv.ptr, ph: ph.ptr, v: v.ptr, params: params.ptr }, { N, V, H }, false);
      const reconstruction = liveView(mv).slice();
      rbmGibbsF32(backend, { v: v.ptr, mv: mv.ptr, ph: ph.ptr, params: params.ptr }, { N, V, H }, 3, false, 5);
      const gibbs = liveView(v).slice();
      rbmPseudoLikelihoodF64(backend, { out: out.ptr, pre: pre.ptr, v: v.ptr, params: params.ptr }, { N, V, H }, 9);
      const x = f32(backend, 2 * V);
      const logZ = rbmLogPartitionF64(backend, { x: x.ptr, params: params.ptr }, V, H, false, false);
      results.push({ params: liveView(params).slice(), chain: liveView(chain).slice(), errors, recon, reconstruction, gibbs, pl: new Float32Array(liveF64(out).slice(0, N)), logZ });
      for (const b of [params, velocity, chain, q, scratch, v, mv, ph, out, pre, x]) b.dispose();
    }
    const [a, b] = results;
    expectSameBits('parameters', a.params, b.params);
    expectSameBits('chains', a.chain, b.chain);
    expectSameBits('reconstruction', a.reconstruction, b.reconstruction);
    expectSameBits('gibbs samples', a.gibbs, b.gibbs);
    expect(Object.is(a.recon, b.recon) && a.errors.every((e, i) => Object.is(e, b.errors[i])) && Object.is(a.logZ, b.logZ)).toBe(true);
    expectSameBits('pseudo-likelihood', a.pl, b.pl);
  });
});

describe('RBM model', () => {
  it('bars-and-stripes 3×3: exact average log-likelihood ≥ −3.0 nats (optimum −ln 14 ≈ −2.64); AIS agrees with the exact log Z', async () => {
    const backend = await backendFor(true);
    const patterns = barsAndStripes();
    expect(patterns.length).toBe(14);
    // 16 hidden units, CD-5, batches of 14 over the 14 patterns repeated 10 times (10 updates per epoch):
    // 300 epochs at learning rate 0.1, momentum 0.5, then 100 at 0.01.
    const rbm = new RBM({ visible: 9, hidden: 16, seed: 1, learningRate: 0.1, momentum: 0.5, backend });
    const uniform = rbm.logLikelihood(patterns);
    const data = Array.from({ length: 10 }, () => patterns).flat();
    rbm.fit(data, { epochs: 300, batchSize: 14, k: 5 });
    rbm.learningRate = 0.01;
    const history = rbm.fit(data, { epochs: 100, batchSize: 14, k: 5 });
    const ll = rbm.logLikelihood(patterns);
    const exact = rbm.logPartition();
    // Every pattern's probability; the mass outside the 14 patterns.
    const inside = patterns.reduce((s, v) => s + Math.exp(-rbm.freeEnergy([v])[0] - exact), 0);
    console.log(`bars and stripes 3×3: mean log-likelihood ${uniform.toFixed(3)} → ${ll.toFixed(3)} nats (optimum ${(-Math.log(14)).toFixed(3)}), mass on the 14 patterns ${inside.toFixed(3)}, reconstruction error ${history.reconstructionError.at(-1)!.toFixed(4)}`);
    expect(ll).toBeGreaterThanOrEqual(-3.0);
    expect(ll).toBeLessThanOrEqual(-Math.log(14) + 1e-9);
    // AIS (100 chains, 2,000 equally spaced β, base rates from the data) against the exact log Z.
    const ais = rbm.estimateLogPartition({ chains: 100, betas: 2000, seed: 3, data: patterns });
    console.log(`AIS log Z ${ais.logZ.toFixed(4)} ± ${ais.standardError.toFixed(4)} vs exact ${exact.toFixed(4)}`);
    expect(Math.abs(ais.logZ - exact)).toBeLessThan(0.1);
    expect(ais.standardError).toBeGreaterThan(0);
    expect(ais.standardError).toBeLessThan(0.1);
    rbm.dispose();
  });

  it('AIS on an untrained random model (base rates zero) is within 0.05 nats of the exact log Z', async () => {
    const backend = await backendFor(false);
    const rbm = new RBM({ visible: 12, hidden: 10, seed: 4, backend });
    const r = makeRandom(5);
    const w = rbm.getWeights();
    rbm.setWeights({ weights: w.weights.map((row) => row.map(() => r() * 2 - 1)), visibleBias: w.visibleBias.map(() => r() - 0.5), hiddenBias: w.hiddenBias.map(() => r() - 0.5) });
    const exact = rbm.logPartition();
    const ais = rbm.estimateLogPartition({ chains: 200, betas: 1000, seed: 6 });
    console.log(`random 12×10 model: AIS log Z ${ais.logZ.toFixed(4)} ± ${ais.standardError.toFixed(4)} vs exact ${exact.toFixed(4)}`);
    expect(Math.abs(ais.logZ - exact)).toBeLessThan(0.05);
    rbm.dispose();
  });

  it('digits: the pseudo-likelihood rises over training, and RBM features beat raw pixels under the same softmax head', async () => {
    const backend = await backendFor(true);
    const { x, y, N } = readDigits();
    const test = 360; // the last writers, unseen in training
    const train = N - test;
    // The training images and their 1-pixel shifts (scikit-learn's RBM example "nudges" the digits the same way).
    const shifts = [[0, 0], [1, 0], [-1, 0], [0, 1], [0, -1]];
    const T = train * shifts.length;
    const xtr = new Float32Array(T * 64);
    const ytr = new Int32Array(T);
    shifts.forEach(([dr, dc], s) => {
      for (let n = 0; n < train; n++) {
        ytr[s * train + n] = y[n];
        for (let r = 0; r < 8; r++) {
          for (let c = 0; c < 8; c++) {
            const [fr, fc] = [r - dr, c - dc];
            if (fr >= 0 && fr < 8 && fc >= 0 && fc < 8) xtr[(s * train + n) * 64 + r * 8 + c] = x[n * 64 + fr * 8 + fc];
          }
        }
      }
    });
    const held = { data: x.subarray(train * 64), shape: [test, 64] };
    const rbm = new RBM({ visible: 64, hidden: 200, seed: 1, learningRate: 0.02, momentum: 0.9, weightDecay: 1e-4, backend });
    const pl = [rbm.pseudoLikelihood(held, { seed: 9 }).reduce((s, v) => s + v, 0) / test];
    const epochs = 15;
    const start = performance.now();
    const history = rbm.fit({ data: xtr, shape: [T, 64] }, {
      epochs, batchSize: 10, onEpochEnd: () => void pl.push(rbm.pseudoLikelihood(held, { seed: 9 }).reduce((s, v) => s + v, 0) / test),
    });
    const seconds = (performance.now() - start) / 1000;
    expect(history.epochs).toBe(epochs);
    expect(pl.length).toBe(epochs + 1);
    expect(history.reconstructionError.at(-1)!).toBeLessThan(history.reconstructionError[0]);
    // Held-out pseudo-likelihood (same flipped units each time): up from the start and from the first epoch.
    expect(pl.at(-1)!).toBeGreaterThan(pl[0] + 10);
    expect(pl.at(-1)!).toBeGreaterThan(pl[1]);
    const head = async (inputs: number, xa: Float32Array, xb: Float32Array): Promise<number> => {
      const model = new Sequential({ inputSize: inputs, seed: 2, layers: [new Dense({ units: 10, activation: 'softmax', backend })] });
      model.compile({ loss: 'crossEntropy', optimizer: { type: 'adam', learningRate: 0.01 } });
      await model.fit({ data: xa, shape: [T, 1, inputs] }, { data: ytr, shape: [T, 1] }, { epochs: 10, batchSize: 32 });
      const { accuracy } = model.evaluate({ data: xb, shape: [test, 1, inputs] }, { data: y.subarray(train), shape: [test, 1] });
      model.dispose();
      return accuracy!;
    };
    const raw = await head(64, xtr, x.subarray(train * 64));
    const features = await head(200, rbm.transform({ data: xtr, shape: [T, 64] }).data, rbm.transform(held).data);
    console.log(
      `digits RBM (64→200, CD-1, ${epochs} epochs over ${T} images in ${seconds.toFixed(1)} s): held-out pseudo-likelihood ${pl.map((v) => v.toFixed(1)).join(' → ')}; ` +
        `softmax head (10 epochs, Adam 0.01): raw pixels ${raw.toFixed(3)}, RBM features ${features.toFixed(3)}`,
    );
    expect(features).toBeGreaterThan(raw + 0.02);
    rbm.dispose();
  });
});

describe('RBM API', () => {
  const rows = (n: number, V: number, seed: number): number[][] => {
    const flat = binaryRows(n, V, seed);
    return Array.from({ length: n }, (_, r) => Array.from(flat.subarray(r * V, (r + 1) * V)));
  };

  it('the same seed gives the same bits (fit with CD and PCD, gibbs, sample, pseudo-likelihood), on both builds alike', async () => {
    const run = async (simd: boolean): Promise<Float32Array[]> => {
      const backend = await backendFor(simd);
      const rbm = new RBM({ visible: 7, hidden: 5, seed: 3, momentum: 0.5, sparsity: { target: 0.2, cost: 0.1 }, backend });
      const data = rows(23, 7, 4);
      const h1 = rbm.fit(data, { epochs: 3, batchSize: 5 });
      const h2 = rbm.fit(data, { epochs: 2, batchSize: 5, k: 2, persistent: true });
      const out = [
        new Float32Array(rbm.toJSON().params), Float32Array.from([...h1.reconstructionError, ...h2.reconstructionError]),
        rbm.gibbs(data, 2).data, rbm.sample(3, { steps: 10 }).means.data, new Float32Array(rbm.pseudoLikelihood(data)),
      ];
      rbm.dispose();
      return out;
    };
    const [a, b, c] = [await run(true), await run(true), await run(false)];
    a.forEach((x, i) => {
      expectSameBits(`run ${i} (same seed)`, x, b[i]);
      expectSameBits(`run ${i} (scalar build)`, x, c[i]);
    });
    // A different seed gives other initial weights.
    const backend = await backendFor(true);
    const [s3, s4] = [new RBM({ visible: 7, hidden: 5, seed: 3, backend }), new RBM({ visible: 7, hidden: 5, seed: 4, backend })];
    expect(s3.toJSON().params).not.toEqual(s4.toJSON().params);
    s3.dispose();
    s4.dispose();
  });

  it('PCD and CD-k both train; gaussian visible units train on standardised data; logPartition integrates them', async () => {
    const backend = await backendFor(true);
    // Three prototypes with 10 % of the bits flipped: structure that a model can learn.
    const prototypes = rows(3, 8, 7);
    const noise = makeRandom(17);
    const data = Array.from({ length: 60 }, (_, n) => prototypes[n % 3].map((b) => (noise() < 0.1 ? 1 - b : b)));
    for (const persistent of [false, true]) {
      const rbm = new RBM({ visible: 8, hidden: 6, seed: 1, learningRate: 0.05, backend });
      const before = rbm.logLikelihood(data);
      const h = rbm.fit(data, { epochs: 30, batchSize: 10, k: persistent ? 1 : 3, persistent });
      expect(rbm.logLikelihood(data)).toBeGreaterThan(before + 0.1);
      expect(h.reconstructionError.at(-1)!).toBeLessThan(h.reconstructionError[0]);
      rbm.dispose();
    }
    // Two gaussian clusters at ±1.5 in 4 dimensions; the model's log-likelihood must rise.
    const r = makeRandom(8);
    const gauss = Array.from({ length: 80 }, (_, n) => Array.from({ length: 4 }, () => (n % 2 ? 1.5 : -1.5) + 0.3 * (r() - 0.5)));
    const g = new RBM({ visible: 4, hidden: 3, visibleUnits: 'gaussian', seed: 2, learningRate: 0.01, backend });
    const before = g.logLikelihood(gauss);
    const hist = g.fit(gauss, { epochs: 40, batchSize: 10 });
    const after = g.logLikelihood(gauss);
    console.log(`gaussian RBM 4→3: mean log-likelihood ${before.toFixed(3)} → ${after.toFixed(3)}, reconstruction error ${hist.reconstructionError[0].toFixed(3)} → ${hist.reconstructionError.at(-1)!.toFixed(3)}`);
    expect(after).toBeGreaterThan(before + 1);
    expect(g.reconstruct(gauss).shape).toEqual([80, 4]);
    expect(g.sample(2, { steps: 5, seed: 1 }).samples.shape).toEqual([2, 4]);
    g.dispose();
  });

  it('save/load round trip, and getWeights/setWeights in the layout of scikit-learn (components_ = Wᵀ)', async () => {
    const backend = await backendFor(true);
    const rbm = new RBM({ visible: 6, hidden: 4, seed: 5, learningRate: 0.2, momentum: 0.3, weightDecay: 0.001, sparsity: { target: 0.1, cost: 0.2 }, backend });
    const data = rows(20, 6, 9);
    rbm.fit(data, { epochs: 2, batchSize: 4 });
    const copy = RBM.fromJSON(JSON.stringify(rbm), { backend });
    expect(copy.toJSON()).toEqual(rbm.toJSON());
    expectSameBits('transform after load', copy.transform(data).data, rbm.transform(data).data);
    expect(Array.from(copy.freeEnergy(data))).toEqual(Array.from(rbm.freeEnergy(data)));
    // scikit-learn: components_ [hidden, visible], intercept_visible_, intercept_hidden_.
    const components = [[1, 0, -1, 0.5, 0, 0], [0, 2, 0, 0, 0, -0.5], [0.25, 0, 0, 0, 1, 0], [0, 0, 0, -1, 0, 1]];
    const interceptVisible = [0.1, -0.1, 0, 0.2, 0, -0.3];
    const interceptHidden = [0.5, 0, -0.5, 0.25];
    copy.setWeights({ weights: Array.from({ length: 6 }, (_, i) => components.map((row) => row[i])), visibleBias: interceptVisible, hiddenBias: interceptHidden });
    const v = [1, 0, 1, 1, 0, 0];
    const want = interceptHidden.map((a, j) => 1 / (1 + Math.exp(-(a + components[j].reduce((s, w, i) => s + w * v[i], 0)))));
    expectWithinBound('p(h | v) of imported weights', copy.transform([v]).data, want, 1e-6);
    expect(copy.getWeights().weights[1][0]).toBe(0);
    expect(copy.getWeights().weights[2][0]).toBe(-1);
    rbm.dispose();
    copy.dispose();
    expect(thrown(() => copy.transform(data))).toEqual({ type: 'Error', message: 'RBM.transform: the RBM has been disposed' });
  });

  it('bad input: full messages, and a failed call changes nothing (parameters and random stream)', async () => {
    const backend = await backendFor(true);
    const rbm = new RBM({ visible: 3, hidden: 2, seed: 1, backend });
    const twin = new RBM({ visible: 3, hidden: 2, seed: 1, backend });
    const before = rbm.toJSON();
    expect(thrown(() => new RBM({ visible: 0, hidden: 2, backend }))).toEqual({ type: 'RangeError', message: 'RBM: options.visible must be in [1, 1048576], got 0' });
    expect(thrown(() => new RBM({ visible: 3, hidden: 2, visibleUnits: 'binary' as never, backend }))).toEqual({
      type: 'RangeError', message: "RBM: options.visibleUnits must be one of 'bernoulli', 'gaussian', got \"binary\"",
    });
    expect(thrown(() => new RBM({ visible: 3, hidden: 2, learningRate: 0, backend }))).toEqual({ type: 'RangeError', message: 'RBM: options.learningRate must be > 0, got 0' });
    expect(thrown(() => new RBM({ visible: 3, hidden: 2, momentum: 1, backend }))).toEqual({ type: 'RangeError', message: 'RBM: options.momentum must be in [0, 1), got 1' });
    expect(thrown(() => new RBM({ visible: 3, hidden: 2, sparsity: { target: 1, cost: 1 }, backend }))).toEqual({ type: 'RangeError', message: 'RBM: options.sparsity.target must be in (0, 1), got 1' });
    expect(thrown(() => new RBM({ visible: 3, hidden: 2, hiddenUnits: 5, backend } as never))).toEqual({
      type: 'RangeError', message: "RBM: unknown option 'hiddenUnits' (known: visible, hidden, visibleUnits, seed, learningRate, momentum, weightDecay, sparsity, backend)",
    });
    expect(thrown(() => rbm.fit([[0, 1]]))).toEqual({ type: 'RangeError', message: 'RBM.fit: x[0] must have visible = 3 values, got 2' });
    expect(thrown(() => rbm.fit([[0, 1, 0], [0, 1.5, 0]]))).toEqual({ type: 'RangeError', message: "RBM.fit: x[1][1] must be in [0, 1] (visibleUnits 'bernoulli'), got 1.5" });
    expect(thrown(() => rbm.fit([[0, NaN, 0]]))).toEqual({ type: 'RangeError', message: 'RBM.fit: x[0][1] must be a finite number, got NaN' });
    expect(thrown(() => rbm.fit({ data: [0, 1, 0, 1], shape: [2, 2] }))).toEqual({ type: 'RangeError', message: 'RBM.fit: x.shape must be [rows, visible = 3], got [2,2]' });
    expect(thrown(() => rbm.fit({ data: [0, 1, 0, 1], shape: [2, 3] }))).toEqual({ type: 'RangeError', message: 'RBM.fit: x.data must have rows·visible = 6 values, got Array(4)' });
    expect(thrown(() => rbm.fit([]))).toEqual({ type: 'RangeError', message: 'RBM.fit: x must hold at least one row, got none' });
    expect(thrown(() => rbm.fit([[0, 1, 0]], { epochs: 0 }))).toEqual({ type: 'RangeError', message: 'RBM.fit: options.epochs must be ≥ 1, got 0' });
    expect(thrown(() => rbm.fit([[0, 1, 0]], { persistent: 1 as never }))).toEqual({ type: 'TypeError', message: 'RBM.fit: options.persistent must be a boolean, got 1' });
    expect(thrown(() => rbm.fit([[0, 1, 0]], { batch: 3 } as never))).toEqual({
      type: 'RangeError', message: "RBM.fit: unknown option 'batch' (known: epochs, batchSize, k, persistent, shuffle, pseudoLikelihood, onEpochEnd, callbacks)",
    });
    expect(thrown(() => rbm.transform([[0, 1, 2]]))).toEqual({ type: 'RangeError', message: "RBM.transform: x[0][2] must be in [0, 1] (visibleUnits 'bernoulli'), got 2" });
    expect(thrown(() => rbm.pseudoLikelihood([[0, 1, Infinity]]))).toEqual({ type: 'RangeError', message: 'RBM.pseudoLikelihood: x[0][2] must be a finite number, got Infinity' });
    expect(thrown(() => rbm.sample(0))).toEqual({ type: 'RangeError', message: 'RBM.sample: n must be in [1, 1048576], got 0' });
    expect(thrown(() => rbm.estimateLogPartition({ betas: [0, 0.5, 0.4, 1] }))).toEqual({
      type: 'RangeError', message: 'RBM.estimateLogPartition: options.betas must increase strictly from 0 to 1 (at least 2 values), got [0, 0.5, 0.4, 1]',
    });
    expect(thrown(() => rbm.setWeights({ weights: [[0, 0], [0, 0]], visibleBias: [0, 0, 0], hiddenBias: [0, 0] }))).toEqual({
      type: 'RangeError', message: 'RBM.setWeights: weights.weights must have 3 rows, got 2',
    });
    expect(thrown(() => rbm.setWeights({ weights: [[0, 0], [0, 0], [0, 0]], visibleBias: [0, 0, 0], hiddenBias: [0, NaN] }))).toEqual({
      type: 'RangeError', message: 'RBM.setWeights: weights.hiddenBias[1] must be a finite number, got NaN',
    });
    expect(thrown(() => RBM.fromJSON({ format: 'rnn-wasm/hopfield' }))).toEqual({ type: 'TypeError', message: "RBM.fromJSON: not a saved RBM (format must be 'rnn-wasm/rbm')" });
    expect(thrown(() => RBM.fromJSON({ ...before, params: [1, 2] }, { backend }))).toEqual({ type: 'TypeError', message: 'RBM.fromJSON: params must be 11 finite numbers, got Array(2)' });
    // Nothing changed: the parameters, and the stream (the next draws equal the twin's).
    expect(rbm.toJSON()).toEqual(before);
    expectSameBits('stream after failed calls', rbm.sample(2, { steps: 3 }).samples.data, twin.sample(2, { steps: 3 }).samples.data);
    // Gaussian units: pseudo-likelihood, AIS and too large an enumeration are refused in words.
    const g = new RBM({ visible: 2, hidden: 21, visibleUnits: 'gaussian', backend });
    expect(thrown(() => g.pseudoLikelihood([[0, 5]]))).toEqual({ type: 'RangeError', message: "RBM.pseudoLikelihood: the pseudo-likelihood is defined for visibleUnits 'bernoulli', this model has 'gaussian'" });
    expect(thrown(() => g.estimateLogPartition())).toEqual({
      type: 'RangeError', message: "RBM.estimateLogPartition: AIS is implemented for visibleUnits 'bernoulli', this model has 'gaussian' (logPartition() is exact for hidden ≤ 20)",
    });
    expect(thrown(() => g.logPartition())).toEqual({
      type: 'RangeError', message: 'RBM.logPartition: exact enumeration needs at most 2^20 states, got 2^21 (hidden = 21 (gaussian visible units: the hidden layer is enumerated)); use estimateLogPartition()',
    });
    const big = new RBM({ visible: 21, hidden: 22, backend });
    expect(thrown(() => big.logPartition())).toEqual({ type: 'RangeError', message: 'RBM.logPartition: exact enumeration needs at most 2^20 states, got 2^21 (min(visible, hidden) = 21); use estimateLogPartition()' });
    for (const m of [rbm, twin, g, big]) m.dispose();
  });

  it('a diverging fit stops with an error and keeps the last good parameters', async () => {
    const backend = await backendFor(true);
    const rbm = new RBM({ visible: 2, hidden: 2, visibleUnits: 'gaussian', seed: 1, learningRate: 1e3, momentum: 0.9, backend });
    const data = [[1e3, -1e3], [-1e3, 1e3], [5e2, 5e2]];
    const error = thrown(() => rbm.fit(data, { epochs: 50, batchSize: 1 }));
    expect(error.type).toBe('Error');
    expect(error.message).toMatch(
      /^RBM\.fit: training diverged at epoch \d+, batch \d+ \(an update would have made a parameter non-finite\); the parameters are those of the last good update: lower options\.learningRate or standardise the data$/,
    );
    expect(rbm.toJSON().params.every((p) => Number.isFinite(p))).toBe(true);
    rbm.dispose();
  });
});
