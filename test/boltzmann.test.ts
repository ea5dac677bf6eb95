// The Boltzmann machine (src/energy/boltzmann.ts): kernels vs the f64 reference on both builds
// (SIMD = scalar bit for bit), the exact statistics as the gradient of KL(data ‖ model) against
// central differences, the sampler against the exact statistics, the 4-2-4 encoder, determinism,
// save/load, bad input. (The same bits in Chromium as in Node: test/browser.test.ts, with the other
// energy-based models.)
import { describe, expect, it } from 'vitest';
import { liveF64, liveI32, type Backend, type F32Buffer } from '../src/engine/backend.js';
import { BoltzmannMachine } from '../src/energy/boltzmann.js';
import { boltzmannEnergyF64, boltzmannExactF64, boltzmannGibbsF64, boltzmannKlF64, boltzmannLearnF64 } from '../src/kernels/boltzmann.js';
import * as ref from '../src/reference/boltzmann.js';
import { backendFor, BUILDS } from './helpers/backends.js';
import { thrown } from './helpers/compare.js';
import { makeRandom } from './helpers/random.js';

function f64(backend: Backend, values: ArrayLike<number> | number): F32Buffer {
  const n = typeof values === 'number' ? values : values.length;
  const b = backend.allocF32(2 * Math.max(1, n));
  if (typeof values !== 'number') liveF64(b).set(values);
  return b;
}

/** A random symmetric W with a zero diagonal (entries uniform in ±scale) and biases. */
function randomMachine(N: number, seed: number, scale = 1): { w: number[][]; b: number[] } {
  const r = makeRandom(seed);
  const w = Array.from({ length: N }, () => new Array<number>(N).fill(0));
  for (let i = 0; i < N; i++) for (let j = i + 1; j < N; j++) w[i][j] = w[j][i] = scale * (2 * r() - 1);
  return { w, b: Array.from({ length: N }, () => scale * (2 * r() - 1)) };
}

/** The upper triangle (j ≥ i) of a flat N×N matrix, row by row. */
function upper(m: ArrayLike<number>, N: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < N; i++) for (let j = i; j < N; j++) out.push(m[i * N + j]);
  return out;
}

function worstDiff(got: ArrayLike<number>, want: ArrayLike<number>): number {
  expect(got.length).toBe(want.length);
  let worst = 0;
  for (let i = 0; i < got.length; i++) worst = Math.max(worst, Math.abs(got[i] - want[i]));
  return worst;
}

function expectSymmetricZeroDiagonal(w: Float64Array, N: number): void {
  for (let i = 0; i < N; i++) {
    expect(w[i * N + i]).toBe(0);
    for (let j = 0; j < i; j++) expect(w[i * N + j]).toBe(w[j * N + i]);
  }
}

// The 4-2-4 encoder's data: input group = output group = one of the four one-hot vectors.
const ENCODER = [0, 1, 2, 3].map((k) => {
  const oneHot = [0, 1, 2, 3].map((i) => (i === k ? 1 : 0));
  return [...oneHot, ...oneHot];
});

describe('Boltzmann machine kernels vs the f64 reference', () => {
  const V = 4;
  const H = 3;
  const N = V + H;
  const { w, b } = randomMachine(N, 3);

  async function runAll(simd: boolean): Promise<Float64Array[]> {
    const backend = await backendFor(simd);
    const outputs: Float64Array[] = [];
    const wBuf = f64(backend, w.flat());
    const bBuf = f64(backend, b);
    // Gibbs sweeps: 5 chains, units 1 and 4 clamped, at T = 1.3, then with statistics at T = 1.
    const C = 5;
    const r = makeRandom(8);
    const start = Array.from({ length: C }, () => Array.from({ length: N }, () => (r() < 0.5 ? 1 : 0)));
    const states = f64(backend, start.flat());
    const stats = f64(backend, N * N);
    const clamp = backend.allocF32(N);
    liveI32(clamp).set([0, 1, 0, 0, 1, 0, 0]);
    const clampRef = [false, true, false, false, true, false, false];
    const refStates = start.map((s) => [...s]);
    const refStats = Array.from({ length: N }, () => new Array<number>(N).fill(0));
    const args = { states: states.ptr, stats: 0, w: wBuf.ptr, b: bBuf.ptr, clamp: clamp.ptr };
    boltzmannGibbsF64(backend, args, C, N, 3, 1 / 1.3, 0, 77);
    ref.gibbs(refStates, null, w, b, clampRef, 3, 1 / 1.3, 0, 77);
    expect(Array.from(liveF64(states))).toEqual(refStates.flat());
    boltzmannGibbsF64(backend, { ...args, stats: stats.ptr }, C, N, 6, 1, 1 / 30, 0xfffffff0);
    ref.gibbs(refStates, refStats, w, b, clampRef, 6, 1, 1 / 30, 0xfffffff0);
    expect(Array.from(liveF64(states))).toEqual(refStates.flat());
    refStates.forEach((s, c) => expect([s[1], s[4]]).toEqual([start[c][1], start[c][4]])); // the clamped units kept their values
    expect(worstDiff(upper(liveF64(stats), N), upper(refStats.flat(), N))).toBeLessThanOrEqual(1e-15);
    outputs.push(liveF64(states).slice(), liveF64(stats).slice());
    // invT = 0: every free unit a fair coin, whatever the weights (about half of 2000 draws on).
    const many = f64(backend, 400 * N);
    boltzmannGibbsF64(backend, { ...args, states: many.ptr, clamp: 0 }, 400, N, 1, 0, 0, 5);
    const on = liveF64(many).reduce((a, v) => a + v, 0);
    expect(Math.abs(on / (400 * N) - 0.5)).toBeLessThan(0.03);
    // Energy of each chain's state.
    const energies = refStates.map((s, c) => {
      const e = boltzmannEnergyF64(backend, states.ptr + c * N * 8, wBuf.ptr, bBuf.ptr, N);
      expect(Math.abs(e - ref.energy(w, b, s))).toBeLessThanOrEqual(1e-14);
      return e;
    });
    outputs.push(new Float64Array(energies));
    // The learning step, with and without a connection mask (w_02 and w_35 unconnected).
    const free = randomMachine(N, 9, 0.5).w.map((row, i) => row.map((v, j) => (i === j ? 0.3 : Math.abs(v))));
    const freeBuf = f64(backend, free.flat());
    const unconnected = (i: number, j: number): boolean => i === j || [i, j].sort().join() === '0,2' || [i, j].sort().join() === '3,5';
    const mask = Array.from({ length: N }, (_, i) => Array.from({ length: N }, (_, j) => (unconnected(i, j) ? 0 : 1)));
    const maskBuf = f64(backend, mask.flat());
    for (const withMask of [false, true]) {
      const wRef = w.map((row) => [...row]);
      const bRef = [...b];
      // The kernel reads the upper triangles: mirror the reference's statistics the same way.
      const sym = refStats.map((row, i) => row.map((_, j) => refStats[Math.min(i, j)][Math.max(i, j)]));
      ref.learn(wRef, bRef, sym, free, withMask ? mask : null, 0.7, 0.01);
      liveF64(wBuf).set(w.flat());
      liveF64(bBuf).set(b);
      boltzmannLearnF64(backend, { w: wBuf.ptr, b: bBuf.ptr, clamped: stats.ptr, free: freeBuf.ptr, mask: withMask ? maskBuf.ptr : 0 }, N, 0.7, 0.01);
      expect(worstDiff(liveF64(wBuf), wRef.flat())).toBeLessThanOrEqual(1e-15);
      expect(worstDiff(liveF64(bBuf), bRef)).toBeLessThanOrEqual(1e-15);
      expectSymmetricZeroDiagonal(liveF64(wBuf), N);
      if (withMask) expect([liveF64(wBuf)[2], liveF64(wBuf)[3 * N + 5]]).toEqual([w[0][2], w[3][5]]);
      outputs.push(liveF64(wBuf).slice(), liveF64(bBuf).slice());
    }
    liveF64(wBuf).set(w.flat());
    liveF64(bBuf).set(b);
    // Exact enumeration: log p(v), log Z, the free and clamped statistics.
    const q = Array.from({ length: 2 ** V }, (_, v) => (v % 3 === 0 ? 1 + v : 0));
    const qSum = q.reduce((a, c) => a + c, 0);
    const qn = q.map((x) => x / qSum);
    const logp = f64(backend, 2 ** V);
    const pBuf = f64(backend, 2 ** V);
    const clampedBuf = f64(backend, N * N);
    const freeExact = f64(backend, N * N);
    const qBuf = f64(backend, qn);
    const logZ = boltzmannExactF64(backend, { logp: logp.ptr, p: pBuf.ptr, clamped: clampedBuf.ptr, free: freeExact.ptr, q: qBuf.ptr, w: wBuf.ptr, b: bBuf.ptr }, V, H);
    const want = ref.exact(w, b, V, qn);
    expect(Math.abs(logZ - want.logZ)).toBeLessThanOrEqual(1e-13);
    expect(worstDiff(liveF64(logp), want.logp)).toBeLessThanOrEqual(1e-13);
    expect(worstDiff(liveF64(pBuf), want.logp.map(Math.exp))).toBeLessThanOrEqual(1e-15);
    const kl = boltzmannKlF64(backend, qBuf.ptr, logp.ptr, 2 ** V);
    expect(Math.abs(kl - ref.klDivergence(qn, want.logp))).toBeLessThanOrEqual(1e-13);
    expect(worstDiff(liveF64(freeExact), want.free.flat())).toBeLessThanOrEqual(1e-14);
    expect(worstDiff(liveF64(clampedBuf), want.clamped.flat())).toBeLessThanOrEqual(1e-14);
    outputs.push(liveF64(logp).slice(), liveF64(pBuf).slice(), liveF64(freeExact).slice(), liveF64(clampedBuf).slice(), new Float64Array([logZ, kl]));
    for (const buffer of [wBuf, bBuf, states, stats, clamp, many, freeBuf, maskBuf, logp, pBuf, clampedBuf, freeExact, qBuf]) buffer.dispose();
    return outputs;
  }

  it('match the reference on both builds, and SIMD = scalar bit for bit', async () => {
    const [simd, scalar] = [await runAll(BUILDS[0].simd), await runAll(BUILDS[1].simd)];
    expect(simd.length).toBe(scalar.length);
    simd.forEach((out, k) => expect(new Uint8Array(out.buffer)).toEqual(new Uint8Array(scalar[k].buffer)));
  });

  it('exact statistics: clamped − free = −∂KL(data ‖ model)/∂w_ij and −∂KL/∂b_i (central differences of the exact KL)', async () => {
    const backend = await backendFor(false);
    const [v, h] = [3, 2];
    const n = v + h;
    const { w: w0, b: b0 } = randomMachine(n, 21, 0.8);
    const r = makeRandom(22);
    const raw = Array.from({ length: 2 ** v }, () => r());
    const q = raw.map((x) => x / raw.reduce((a, c) => a + c, 0));
    const wBuf = f64(backend, w0.flat());
    const bBuf = f64(backend, b0);
    const logp = f64(backend, 2 ** v);
    const clamped = f64(backend, n * n);
    const free = f64(backend, n * n);
    const qBuf = f64(backend, q);
    const kl = (w: number[][], b: number[]): number => {
      liveF64(wBuf).set(w.flat());
      liveF64(bBuf).set(b);
      boltzmannExactF64(backend, { logp: logp.ptr, p: 0, clamped: 0, free: 0, q: 0, w: wBuf.ptr, b: bBuf.ptr }, v, h);
      return boltzmannKlF64(backend, qBuf.ptr, logp.ptr, 2 ** v);
    };
    liveF64(wBuf).set(w0.flat());
    boltzmannExactF64(backend, { logp: logp.ptr, p: 0, clamped: clamped.ptr, free: free.ptr, q: qBuf.ptr, w: wBuf.ptr, b: bBuf.ptr }, v, h);
    const diff = Array.from(liveF64(clamped), (c, k) => c - liveF64(free)[k]);
    const eps = 1e-5;
    let worst = 0;
    let largest = 0;
    for (let i = 0; i < n; i++) {
      for (let j = i; j < n; j++) {
        const perturbed = (delta: number): number => {
          const w = w0.map((row) => [...row]);
          const b = [...b0];
          if (i === j) b[i] += delta;
          else w[i][j] = w[j][i] = w0[i][j] + delta;
          return kl(w, b);
        };
        const numeric = -(perturbed(eps) - perturbed(-eps)) / (2 * eps);
        worst = Math.max(worst, Math.abs(numeric - diff[i * n + j]));
        largest = Math.max(largest, Math.abs(numeric));
      }
    }
    expect(largest).toBeGreaterThan(0.05); // the check has something to compare
    expect(worst).toBeLessThan(1e-9); // 2.2e-11 measured
    for (const buffer of [wBuf, bBuf, logp, clamped, free, qBuf]) buffer.dispose();
  });

  it('sampled statistics (many chains at T = 1) agree with the exact ones', async () => {
    const backend = await backendFor(true);
    const [v, h] = [3, 2];
    const n = v + h;
    const { w, b } = randomMachine(n, 31, 1);
    const wBuf = f64(backend, w.flat());
    const bBuf = f64(backend, b);
    const C = 2000;
    const states = f64(backend, C * n);
    const stats = f64(backend, n * n);
    const args = { states: states.ptr, stats: 0, w: wBuf.ptr, b: bBuf.ptr, clamp: 0 };
    boltzmannGibbsF64(backend, args, C, n, 1, 0, 0, 1);
    boltzmannGibbsF64(backend, args, C, n, 20, 1, 0, 2);
    boltzmannGibbsF64(backend, { ...args, stats: stats.ptr }, C, n, 10, 1, 1 / (C * 10), 3);
    const exact = ref.exact(w, b, v, null);
    // 20 000 correlated samples: a standard error of at most ~0.01 per entry.
    expect(worstDiff(upper(liveF64(stats), n), upper(exact.free.flat(), n))).toBeLessThan(0.03);
    for (const buffer of [wBuf, bBuf, states, stats]) buffer.dispose();
  });
});

describe('BoltzmannMachine', () => {
  const inputOnly = (pattern: readonly number[]): (number | null)[] => [...pattern.slice(0, 4), null, null, null, null];

  it('learns the 4-2-4 encoder: exact KL(data ‖ model) from ≈ 4.2 to < 0.25 nats, and completion from the inputs recovers every output', async () => {
    const backend = await backendFor(true);
    for (const seed of [1, 2, 3]) {
      const bm = new BoltzmannMachine({ visible: 8, hidden: 2, seed, backend });
      const before = bm.klDivergence(ENCODER);
      expect(before).toBeGreaterThan(3.5); // about ln(256/4) = 4.16 for the near-uniform start
      bm.fit(ENCODER, { epochs: 500, learningRate: 0.5, chains: 10 });
      const after = bm.klDivergence(ENCODER);
      // Seeds 1–10 reach 0.05–0.13 nats after 500 epochs; the minimum is 0.
      expect(after, `seed ${seed}`).toBeLessThan(0.25);
      const p = bm.probabilities();
      expect(p.reduce((a, c) => a + c, 0)).toBeCloseTo(1, 12);
      const index = (row: readonly number[]): number => row.reduce((x, s, i) => x + s * 2 ** i, 0);
      expect(ENCODER.reduce((a, row) => a + p[index(row)], 0)).toBeGreaterThan(0.9); // 0.96 for seeds 1–10
      for (const row of ENCODER) {
        const { visible, activity } = bm.complete(inputOnly(row), { seed: 5 });
        expect(visible, `seed ${seed}, pattern ${row.join('')}`).toEqual(row);
        expect(activity.slice(0, 4)).toEqual(row.slice(0, 4));
      }
      // Samples of the free-running machine are mostly the four data vectors.
      const samples = bm.sample(200, { seed: 9 });
      const hits = samples.filter((s) => ENCODER.some((row) => row.every((x, i) => x === s[i]))).length;
      expect(hits).toBeGreaterThan(170); // 189–195 for seeds 1–10
      expectSymmetricZeroDiagonal(bm.weights(), 10);
      bm.dispose();
    }
  });

  it('keeps unconnected pairs at zero (Ackley et al.’s encoder wiring: no direct input–output weights)', async () => {
    const backend = await backendFor(false);
    const group = (i: number): number => (i < 4 ? 0 : i < 8 ? 1 : 2);
    const connections = Array.from({ length: 10 }, (_, i) => Array.from({ length: 10 }, (_, j) => (i === j || group(i) + group(j) === 1 ? 0 : 1)));
    const bm = new BoltzmannMachine({ visible: 8, hidden: 2, connections, seed: 4, backend });
    const before = bm.klDivergence(ENCODER);
    bm.fit(ENCODER, { epochs: 100 });
    const w = bm.weights();
    for (let i = 0; i < 4; i++) for (let j = 4; j < 8; j++) expect([w[i * 10 + j], w[j * 10 + i]]).toEqual([0, 0]);
    expect(w[8 * 10 + 9]).not.toBe(0);
    expectSymmetricZeroDiagonal(w, 10);
    expect(bm.klDivergence(ENCODER)).toBeLessThan(before - 2); // it learns through the hidden units
    const copy = BoltzmannMachine.fromJSON(bm.toJSON(), { backend });
    expect(copy.toJSON()).toEqual(bm.toJSON());
    copy.dispose();
    bm.dispose();
  });

  it('exact results agree with the reference: probabilities, log Z, energy', async () => {
    const backend = await backendFor(true);
    const bm = new BoltzmannMachine({ visible: 3, hidden: 3, seed: 2, backend });
    bm.fit([[1, 0, 1], [0, 1, 1]], { epochs: 20 });
    const N = 6;
    const flat = bm.weights();
    const w = Array.from({ length: N }, (_, i) => Array.from(flat.subarray(i * N, (i + 1) * N)));
    const b = Array.from(bm.biases());
    const want = ref.exact(w, b, 3, null);
    expect(Math.abs(bm.logPartition() - want.logZ)).toBeLessThan(1e-13);
    expect(worstDiff(bm.probabilities(), want.logp.map(Math.exp))).toBeLessThan(1e-14);
    const s = [1, 0, 1, 1, 0, 1];
    expect(Math.abs(bm.energy(s) - ref.energy(w, b, s))).toBeLessThan(1e-14);
    expect(Math.abs(bm.klDivergence([[1, 0, 1], [0, 1, 1]]) - ref.klDivergence([0, 0, 0, 0, 0, 0.5, 0.5, 0], want.logp))).toBeLessThan(1e-13);
    bm.dispose();
  });

  it('is deterministic: the same seed gives the same bits, on either build; saves and loads', async () => {
    const runs: Float64Array[] = [];
    for (const build of [BUILDS[0], BUILDS[1], BUILDS[0]]) {
      const backend = await backendFor(build.simd);
      const bm = new BoltzmannMachine({ visible: 8, hidden: 2, seed: 11, backend });
      bm.fit(ENCODER, { epochs: 30, anneal: [{ temperature: 3, sweeps: 1 }, { temperature: 1, sweeps: 2 }], sweeps: 4 });
      const sample = bm.sample(5);
      runs.push(new Float64Array([...bm.weights(), ...bm.biases(), ...sample.flat()]));
      bm.dispose();
    }
    expect(new Uint8Array(runs[1].buffer)).toEqual(new Uint8Array(runs[0].buffer));
    expect(new Uint8Array(runs[2].buffer)).toEqual(new Uint8Array(runs[0].buffer));
    const backend = await backendFor(true);
    const a = new BoltzmannMachine({ visible: 8, hidden: 2, seed: 11, backend });
    const b = new BoltzmannMachine({ visible: 8, hidden: 2, seed: 12, backend });
    expect(a.weights()).not.toEqual(b.weights());
    a.fit(ENCODER, { epochs: 20 });
    // Save and load: the same parameters, exact results and seeded completions.
    const copy = BoltzmannMachine.fromJSON(JSON.stringify(a.toJSON()), { backend });
    expect(copy.weights()).toEqual(a.weights());
    expect(copy.biases()).toEqual(a.biases());
    expect([copy.visible, copy.hidden, copy.units, copy.seed]).toEqual([8, 2, 10, 11]);
    expect(copy.logPartition()).toBe(a.logPartition());
    expect(copy.complete(inputOnly(ENCODER[2]), { seed: 3 })).toEqual(a.complete(inputOnly(ENCODER[2]), { seed: 3 }));
    expect(copy.sample(4, { seed: 8 })).toEqual(a.sample(4, { seed: 8 }));
    expect(a.sample(4, { seed: 8 })).not.toEqual(a.sample(4, { seed: 9 }));
    for (const m of [a, b, copy]) m.dispose();
    expect(a.disposed).toBe(true);
    expect(thrown(() => a.sample(1))).toEqual({ type: 'Error', message: 'BoltzmannMachine.sample: the machine has been disposed' });
  });

  it('refuses bad arguments with full messages, changing nothing', async () => {
    const backend = await backendFor(false);
    const bm = new BoltzmannMachine({ visible: 3, hidden: 1, seed: 1, backend });
    const [w, b] = [bm.weights(), bm.biases()];
    const cases: [() => unknown, string, string][] = [
      [() => new BoltzmannMachine({ visible: 0, hidden: 2, backend }), 'RangeError', 'BoltzmannMachine: options.visible must be in [1, 2048], got 0'],
      [() => new BoltzmannMachine({ visible: 1, hidden: 0, backend }), 'RangeError', 'BoltzmannMachine: options.visible + options.hidden must be ≥ 2, got 1'],
      [() => new BoltzmannMachine({ visible: 2000, hidden: 100, backend }), 'RangeError', 'BoltzmannMachine: options.visible + options.hidden must be ≤ 2048, got 2100'],
      [() => new BoltzmannMachine({ visible: 3, backend } as never), 'TypeError', 'BoltzmannMachine: options.hidden must be an integer, got undefined'],
      [() => new BoltzmannMachine({ visible: 2, hidden: 0, connections: [[0, 1], [0, 0]], backend }), 'RangeError',
        'BoltzmannMachine: options.connections must be symmetric; [0][1] is 1 but [1][0] is 0'],
      [() => new BoltzmannMachine({ visible: 2, hidden: 0, connections: [[1, 1], [1, 0]], backend }), 'RangeError',
        'BoltzmannMachine: options.connections[0][0] must be 0 (no unit connects to itself), got 1'],
      [() => bm.fit([[1, 0, 1], [1, 0.5, 0]]), 'RangeError', 'BoltzmannMachine.fit: patterns[1][1] must be 0 or 1, got 0.5'],
      [() => bm.fit([[1, 0, NaN]]), 'RangeError', 'BoltzmannMachine.fit: patterns[0][2] must be 0 or 1, got NaN'],
      [() => bm.fit([[1, 0]]), 'RangeError', 'BoltzmannMachine.fit: patterns[0] must have visible = 3 values, got 2'],
      [() => bm.fit([]), 'RangeError', 'BoltzmannMachine.fit: patterns must hold at least one pattern, got none'],
      [() => bm.fit({ data: [1, 0, 1], shape: [1, 4] }), 'RangeError', 'BoltzmannMachine.fit: patterns.shape must be [P, visible = 3], got [1,4]'],
      [() => bm.fit([[1, 0, 1]], { learningRate: -1 }), 'RangeError', 'BoltzmannMachine.fit: options.learningRate must be > 0, got -1'],
      [() => bm.fit([[1, 0, 1]], { anneal: [{ temperature: 0, sweeps: 1 }] }), 'RangeError', 'BoltzmannMachine.fit: options.anneal[0].temperature must be > 0, got 0'],
      [() => bm.fit([[1, 0, 1]], { anneal: [{ temperature: 1, steps: 1 } as never] }), 'RangeError',
        "BoltzmannMachine.fit: options.anneal[0] has an unknown key 'steps' (known: temperature, sweeps)"],
      [() => bm.fit([[1, 0, 1]], { epoch: 3 } as never), 'RangeError',
        "BoltzmannMachine.fit: unknown option 'epoch' (known: epochs, learningRate, chains, anneal, sweeps, weightDecay, onEpochEnd)"],
      [() => bm.complete([1, null]), 'RangeError', 'BoltzmannMachine.complete: partial must have visible = 3 values, got 2'],
      [() => bm.complete([1, null, 2]), 'RangeError', 'BoltzmannMachine.complete: partial[2] must be 0, 1, or null (unknown), got 2'],
      [() => bm.sample(0), 'RangeError', 'BoltzmannMachine.sample: n must be in [1, 536870911], got 0'],
      [() => bm.energy([1, 0, 1]), 'RangeError', 'BoltzmannMachine.energy: state must have units = 4 values, got 3'],
      [() => bm.klDivergence([[1, 1, -1]]), 'RangeError', 'BoltzmannMachine.klDivergence: patterns[0][2] must be 0 or 1, got -1'],
      [() => BoltzmannMachine.fromJSON({ format: 'rnn-wasm/hopfield' }), 'TypeError', "BoltzmannMachine.fromJSON: not a saved Boltzmann machine (format must be 'rnn-wasm/boltzmann')"],
      [() => BoltzmannMachine.fromJSON({ ...bm.toJSON(), weights: [...w].map((v, k) => (k === 1 ? v + 1 : v)) }, { backend }), 'RangeError',
        `BoltzmannMachine.fromJSON: weights must be symmetric; w_0,1 = ${w[1] + 1} but w_1,0 = ${w[4]}`],
    ];
    for (const [call, type, message] of cases) expect(thrown(call)).toEqual({ type, message });
    const big = new BoltzmannMachine({ visible: 15, hidden: 6, backend });
    expect(thrown(() => big.logPartition())).toEqual({
      type: 'RangeError',
      message: 'BoltzmannMachine.logPartition: exact results enumerate all 2^(visible + hidden) states, so visible + hidden must be ≤ 20, got 21',
    });
    big.dispose();
    expect(bm.weights()).toEqual(w);
    expect(bm.biases()).toEqual(b);
    bm.dispose();
  });
});

