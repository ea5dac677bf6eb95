// The Hopfield network (src/energy/hopfield.ts): kernels vs the f64 reference on both builds
// (SIMD = scalar bit for bit), associative recall, monotone energy, the capacity of the Hebbian
// and Storkey rules, the pseudo-inverse rule on correlated patterns, binary states, errors.
import { describe, expect, it } from 'vitest';
import { liveF64, liveI32, type Backend, type F32Buffer } from '../src/engine/backend.js';
import { Hopfield } from '../src/energy/hopfield.js';
import {
  hopfieldEnergyF64, hopfieldGramF64, hopfieldHebbianF64, hopfieldProjectF64, hopfieldStorkeyF64, hopfieldSyncF64, hopfieldUpdateF64,
} from '../src/kernels/energy.js';
import { esnRidgeSolve } from '../src/kernels/esn.js';
import * as ref from '../src/reference/energy.js';
import { backendFor, BUILDS } from './helpers/backends.js';
import { thrown } from './helpers/compare.js';
import { makeRandom } from './helpers/random.js';

function randomPatterns(P: number, N: number, seed: number, low = -1): number[][] {
  const r = makeRandom(seed);
  return Array.from({ length: P }, () => Array.from({ length: N }, () => (r() < 0.5 ? low : 1)));
}

/** `pattern` with `flips` distinct bits flipped (bipolar or binary). */
function corrupt(pattern: readonly number[], flips: number, seed: number, low = -1): number[] {
  const r = makeRandom(seed);
  const out = [...pattern];
  const picked = new Set<number>();
  while (picked.size < flips) picked.add(Math.floor(r() * pattern.length));
  for (const i of picked) out[i] = out[i] === 1 ? low : 1;
  return out;
}

function f64(backend: Backend, values: ArrayLike<number> | number): F32Buffer {
  const n = typeof values === 'number' ? values : values.length;
  const b = backend.allocF32(2 * Math.max(1, n));
  if (typeof values !== 'number') liveF64(b).set(values);
  return b;
}

function expectClose(got: ArrayLike<number>, want: ArrayLike<number>, tol: number): number {
  expect(got.length).toBe(want.length);
  let worst = 0;
  for (let i = 0; i < got.length; i++) worst = Math.max(worst, Math.abs(got[i] - want[i]));
  expect(worst).toBeLessThanOrEqual(tol);
  return worst;
}

function expectSymmetricZeroDiagonal(w: Float64Array, N: number): void {
  for (let i = 0; i < N; i++) {
    expect(w[i * N + i]).toBe(0);
    for (let j = 0; j < i; j++) expect(w[i * N + j]).toBe(w[j * N + i]);
  }
}

function isFixedPoint(net: Hopfield, pattern: readonly number[]): boolean {
  const r = net.recall(pattern, { maxSweeps: 1, seed: 1 });
  return r.converged && r.state.every((v, i) => v === pattern[i]);
}

describe('Hopfield kernels vs the f64 reference', () => {
  const N = 23;
  const patterns = randomPatterns(4, N, 11);
  const probe = corrupt(patterns[0], 6, 12);

  /** Every kernel's output on one build, as raw f64 bits, and the reference checks. */
  async function runAll(simd: boolean): Promise<Float64Array[]> {
    const backend = await backendFor(simd);
    const outputs: Float64Array[] = [];
    const w = f64(backend, N * N);
    const h = f64(backend, N);
    const xi = f64(backend, N);
    // Hebb, then Storkey on top: both against the reference.
    const wh = ref.zeros(N);
    for (const p of patterns) {
      liveF64(xi).set(p);
      hopfieldHebbianF64(backend, w.ptr, xi.ptr, N, 1 / N);
      ref.hebbian(wh, p);
    }
    expectClose(liveF64(w), wh.flat(), 1e-15);
    outputs.push(liveF64(w).slice());
    const ws = ref.zeros(N);
    liveF64(w).fill(0);
    for (const p of patterns) {
      liveF64(xi).set(p);
      hopfieldStorkeyF64(backend, w.ptr, h.ptr, xi.ptr, N, 1 / N);
      ref.storkey(ws, p);
    }
    expectClose(liveF64(w), ws.flat(), 1e-14);
    expectSymmetricZeroDiagonal(liveF64(w), N);
    outputs.push(liveF64(w).slice());
    // Pseudo-inverse: Gram, the solver, the projection.
    const P = patterns.length;
    const all = f64(backend, patterns.flat());
    const g = f64(backend, P * P);
    const b = f64(backend, N * P);
    const work = f64(backend, P * P);
    const tmp = f64(backend, 2 * P);
    const perm = backend.allocF32(P);
    hopfieldGramF64(backend, g.ptr, all.ptr, P, N);
    const { rank } = esnRidgeSolve(backend, b.ptr, work.ptr, tmp.ptr, perm.ptr, g.ptr, all.ptr, { features: P, outputSize: N, ridge: 0, biasColumn: false });
    expect(rank).toBe(P);
    hopfieldProjectF64(backend, w.ptr, b.ptr, all.ptr, N, P);
    const wp = ref.pseudoinverse(patterns);
    expectClose(liveF64(w), wp.flat(), 1e-13);
    expectSymmetricZeroDiagonal(liveF64(w), N);
    outputs.push(liveF64(w).slice());
    // Updates on the Hebbian weights: unit by unit (identical states), energy after each.
    liveF64(w).set(wh.flat());
    const s = f64(backend, probe);
    const order = backend.allocF32(N);
    const r = makeRandom(5);
    const sRef = [...probe];
    const theta = 0.05;
    const energies: number[] = [];
    for (let t = 0; t < 3 * N; t++) {
      const i = Math.floor(r() * N);
      liveI32(order)[0] = i;
      hopfieldUpdateF64(backend, s.ptr, w.ptr, order.ptr, 1, N, theta, false);
      ref.updateUnit(wh, sRef, i, theta, false);
      expect(Array.from(liveF64(s))).toEqual(sRef);
      const e = hopfieldEnergyF64(backend, s.ptr, w.ptr, N, theta);
      expect(Math.abs(e - ref.energy(wh, sRef, theta))).toBeLessThanOrEqual(1e-13);
      energies.push(e);
    }
    outputs.push(new Float64Array(energies));
    // A synchronous step.
    const next = f64(backend, N);
    liveF64(s).set(probe);
    const { changed, cycle } = hopfieldSyncF64(backend, next.ptr, s.ptr, 0, w.ptr, N, theta, false);
    const want = ref.syncStep(wh, probe, theta, false);
    expect(Array.from(liveF64(next))).toEqual(want);
    expect(changed).toBe(want.filter((v, i) => v !== probe[i]).length);
    expect(cycle).toBe(false);
    for (const buffer of [w, h, xi, all, g, b, work, tmp, perm, s, order, next]) buffer.dispose();
    return outputs;
  }

  it('match the reference on both builds, and SIMD = scalar bit for bit', async () => {
    const [simd, scalar] = [await runAll(BUILDS[0].simd), await runAll(BUILDS[1].simd)];
    expect(simd.length).toBe(scalar.length);
    simd.forEach((out, k) => expect(new Uint8Array(out.buffer)).toEqual(new Uint8Array(scalar[k].buffer)));
  });
});

describe('Hopfield', () => {
  const N = 100;

  it('recalls each of 5 random patterns exactly from probes with 10 % of the bits flipped (async)', async () => {
    const backend = await backendFor(true);
    const patterns = randomPatterns(5, N, 1);
    for (const rule of ['hebbian', 'storkey', 'pseudoinverse'] as const) {
      const net = new Hopfield({ size: N, rule, backend }).store(patterns);
      patterns.forEach((p, k) => {
        const result = net.recall(corrupt(p, 10, 100 + k), { seed: k });
        expect(result.state, `${rule}, pattern ${k}`).toEqual(p);
        expect(result.converged).toBe(true);
        expect(result.cycle).toBe(false);
        expect(result.energyTrace).toHaveLength(result.sweeps + 1);
      });
      net.dispose();
    }
  });

  it('never raises the energy under async updates (every sweep of energyTrace, and every unit update by the reference)', async () => {
    const backend = await backendFor(false);
    // 20 patterns overload the Hebbian network: recall wanders through many flips before it settles.
    const patterns = randomPatterns(20, N, 2);
    const net = new Hopfield({ size: N, threshold: 0.1, backend }).store(patterns);
    const w = net.weights();
    const wRows = Array.from({ length: N }, (_, i) => Array.from(w.subarray(i * N, (i + 1) * N)));
    let sweepsSeen = 0;
    let drops = 0;
    for (let k = 0; k < 5; k++) {
      const probe = randomPatterns(1, N, 50 + k)[0];
      const result = net.recall(probe, { seed: k });
      expect(result.energyTrace[0]).toBe(net.energy(probe));
      expect(result.energyTrace[result.sweeps]).toBe(net.energy(result.state));
      for (let t = 1; t < result.energyTrace.length; t++) {
        expect(result.energyTrace[t]).toBeLessThanOrEqual(result.energyTrace[t - 1]);
        if (result.energyTrace[t] < result.energyTrace[t - 1]) drops++;
      }
      sweepsSeen += result.sweeps;
      // Unit by unit in the reference (f64, energy recomputed from scratch after each update).
      const s = [...probe];
      let e = ref.energy(wRows, s, 0.1);
      const r = makeRandom(900 + k);
      for (let t = 0; t < 20 * N; t++) {
        ref.updateUnit(wRows, s, Math.floor(r() * N), 0.1, false);
        const next = ref.energy(wRows, s, 0.1);
        expect(next).toBeLessThanOrEqual(e + 1e-12);
        e = next;
      }
    }
    expect(sweepsSeen).toBeGreaterThan(10); // the traces had something to check
    expect(drops).toBeGreaterThan(5);
    net.dispose();
  });

  it('with 15 patterns (0.15 N, past the 0.138 N capacity) Storkey keeps all 15 as fixed points, Hebb does not', async () => {
    const backend = await backendFor(true);
    const patterns = randomPatterns(15, N, 1); // seed 1: Hebb keeps 11 of the 15
    const hebbian = new Hopfield({ size: N, rule: 'hebbian', backend }).store(patterns);
    const storkey = new Hopfield({ size: N, rule: 'storkey', backend });
    for (const p of patterns) storkey.store([p]); // one at a time: Storkey is incremental
    const fixedHebb = patterns.filter((p) => isFixedPoint(hebbian, p)).length;
    const fixedStorkey = patterns.filter((p) => isFixedPoint(storkey, p)).length;
    expect(fixedStorkey).toBe(15);
    expect(fixedHebb).toBe(11);
    expectSymmetricZeroDiagonal(hebbian.weights(), N);
    expectSymmetricZeroDiagonal(storkey.weights(), N);
    hebbian.dispose();
    storkey.dispose();
  });

  it('stores correlated, linearly independent patterns exactly with the pseudo-inverse rule', async () => {
    const backend = await backendFor(false);
    // 30 patterns, each the prototype with 10 of 100 bits flipped: overlaps ≈ 0.64, far beyond Hebb.
    const proto = randomPatterns(1, N, 4)[0];
    const patterns = Array.from({ length: 30 }, (_, k) => corrupt(proto, 10, 200 + k));
    const pinv = new Hopfield({ size: N, rule: 'pseudoinverse', backend });
    pinv.store(patterns.slice(0, 10)).store({ data: patterns.slice(10).flat(), shape: [20, N] }); // recomputed from all 30
    expect(pinv.patternCount).toBe(30);
    for (const p of patterns) expect(isFixedPoint(pinv, p)).toBe(true);
    const w = pinv.weights();
    expectSymmetricZeroDiagonal(w, N);
    const hebbian = new Hopfield({ size: N, backend }).store(patterns);
    expect(patterns.filter((p) => isFixedPoint(hebbian, p)).length).toBeLessThan(30);
    // A dependent pattern (a copy) is refused and changes nothing.
    expect(thrown(() => pinv.store([patterns[3]]))).toEqual({
      type: 'RangeError',
      message: 'Hopfield.store: the pseudo-inverse rule needs linearly independent patterns; the 31 patterns stored and given have rank 30',
    });
    expect(pinv.weights()).toEqual(w);
    expect(pinv.patternCount).toBe(30);
    pinv.dispose();
    hebbian.dispose();
  });

  it('runs binary (0/1) states', async () => {
    const backend = await backendFor(true);
    const patterns = randomPatterns(3, N, 5, 0);
    const net = new Hopfield({ size: N, states: 'binary', backend }).store(patterns);
    patterns.forEach((p, k) => {
      const result = net.recall(corrupt(p, 8, 300 + k, 0), { seed: k });
      expect(result.state).toEqual(p);
      expect(result.state.every((v) => v === 0 || v === 1)).toBe(true);
    });
    const s = patterns[0];
    const w = net.weights();
    let quad = 0;
    for (let i = 0; i < N; i++) for (let j = 0; j < N; j++) quad += w[i * N + j] * s[i] * s[j];
    expect(net.energy(s)).toBeCloseTo(-0.5 * quad, 12);
    net.dispose();
  });

  it('sync updates: converge on a stored pattern, and report a 2-cycle as not converged', async () => {
    const backend = await backendFor(false);
    const patterns = randomPatterns(5, N, 6);
    const net = new Hopfield({ size: N, backend }).store(patterns);
    const result = net.recall(corrupt(patterns[1], 10, 7), { mode: 'sync' });
    expect(result.state).toEqual(patterns[1]);
    expect(result.converged).toBe(true);
    // Two units with w₁₂ = −½: from (1, 1) both flip, then both flip back.
    const pair = new Hopfield({ size: 2, backend }).store([[1, -1]]);
    expect(Array.from(pair.weights())).toEqual([0, -0.5, -0.5, 0]);
    const cycling = pair.recall([1, 1], { mode: 'sync' });
    expect(cycling).toEqual({ state: [1, 1], sweeps: 2, converged: false, cycle: true, energyTrace: [0.5, 0.5, 0.5] });
    // Asynchronously the same probe settles in one of the two stored states (±(1, −1)).
    const settled = pair.recall([1, 1], { seed: 3 });
    expect(settled.converged).toBe(true);
    expect(settled.state[0]).toBe(-settled.state[1]);
    net.dispose();
    pair.dispose();
  });

  it('recall is seeded, and saves and loads', async () => {
    const backend = await backendFor(true);
    const net = new Hopfield({ size: N, rule: 'storkey', threshold: 0.02, seed: 9, backend }).store(randomPatterns(8, N, 8));
    const probe = randomPatterns(1, N, 80)[0];
    expect(net.recall(probe, { seed: 4 })).toEqual(net.recall(probe, { seed: 4 }));
    const copy = Hopfield.fromJSON(JSON.stringify(net.toJSON()), { backend });
    expect(copy.weights()).toEqual(net.weights());
    expect([copy.rule, copy.threshold, copy.seed, copy.patternCount]).toEqual(['storkey', 0.02, 9, 8]);
    expect(copy.recall(probe)).toEqual(new Hopfield({ size: N, rule: 'storkey', threshold: 0.02, seed: 9, backend }).store(randomPatterns(8, N, 8)).recall(probe));
    copy.dispose();
    net.dispose();
    expect(net.disposed).toBe(true);
    expect(thrown(() => net.recall(probe))).toEqual({ type: 'Error', message: 'Hopfield.recall: the network has been disposed' });
  });

  it('refuses bad arguments with full messages, changing nothing', async () => {
    const backend = await backendFor(false);
    const net = new Hopfield({ size: 4, backend }).store([[1, -1, 1, -1]]);
    const w = net.weights();
    expect(thrown(() => new Hopfield({ size: 1, backend }))).toEqual({ type: 'RangeError', message: 'Hopfield: options.size must be in [2, 46340], got 1' });
    expect(thrown(() => new Hopfield({ size: 4, rule: 'oja' as never, backend }))).toEqual({
      type: 'RangeError', message: "Hopfield: options.rule must be one of 'hebbian', 'storkey', 'pseudoinverse', got \"oja\"",
    });
    expect(thrown(() => net.store([[1, -1, 1]]))).toEqual({ type: 'RangeError', message: 'Hopfield.store: patterns[0] must have size = 4 values, got 3' });
    expect(thrown(() => net.store([[1, 1, 1, 1], [1, 0, 1, -1]]))).toEqual({
      type: 'RangeError', message: 'Hopfield.store: patterns[1][1] must be -1 or 1 (states: bipolar), got 0',
    });
    expect(thrown(() => net.store({ data: [1, 1, 1, 1], shape: [1, 3] }))).toEqual({
      type: 'RangeError', message: 'Hopfield.store: patterns.shape must be [P, size = 4], got [1,3]',
    });
    expect(thrown(() => net.store([]))).toEqual({ type: 'RangeError', message: 'Hopfield.store: patterns must hold at least one pattern, got none' });
    expect(thrown(() => net.recall([1, 1, 1]))).toEqual({ type: 'RangeError', message: 'Hopfield.recall: probe must have size = 4 values, got 3' });
    expect(thrown(() => net.recall([1, 1, 1, 1], { maxSweeps: 0 }))).toEqual({ type: 'RangeError', message: 'Hopfield.recall: options.maxSweeps must be ≥ 1, got 0' });
    expect(thrown(() => net.recall([1, 1, 1, 1], { mode: 'parallel' as never }))).toEqual({
      type: 'RangeError', message: "Hopfield.recall: options.mode must be one of 'async', 'sync', got \"parallel\"",
    });
    expect(thrown(() => net.energy([1, 1, 1, 0.5]))).toEqual({ type: 'RangeError', message: 'Hopfield.energy: state[3] must be -1 or 1 (states: bipolar), got 0.5' });
    const binary = new Hopfield({ size: 3, states: 'binary', backend });
    expect(thrown(() => binary.store([[0, 1, -1]]))).toEqual({ type: 'RangeError', message: 'Hopfield.store: patterns[0][2] must be 0 or 1 (states: binary), got -1' });
    expect(net.weights()).toEqual(w);
    expect(net.patternCount).toBe(1);
    net.dispose();
    binary.dispose();
  });
});
