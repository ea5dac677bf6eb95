// The reservoir: eigenvalues (complex QR on Hessenberg matrices), the spectral
// radius of the scaled W against an independent estimate, and determinism.
import { describe, expect, it } from 'vitest';
import { EchoStateNetwork } from '../src/esn/esn.js';
import { csrMatVec, denseEigenvalues, hessenbergEigenvalues, spectralRadiusOf, type Csr } from '../src/esn/eigen.js';
import { Random } from '../src/random.js';
import { backendFor, BUILDS } from './helpers/backends.js';
import { expectSameBits } from './helpers/compare.js';
import { makeRandom } from './helpers/random.js';

/**
 * ρ(W) without eigenvalues (Gelfand's formula): the average growth rate of ‖Wᵏx‖,
 * measured after a transient. A complex dominant pair makes ‖Wᵏx‖ oscillate by a
 * bounded factor c, so the error is ≈ log(c)/(steps); 20,000 steps suffice for 1e-3.
 */
function gelfandRadius(w: Csr, steps = 20000): number {
  const x = new Float64Array(w.n).fill(1);
  const y = new Float64Array(w.n);
  let log = 0;
  let logAtStart = 0;
  const start = steps / 5;
  for (let k = 0; k < steps; k++) {
    csrMatVec(w, x, y);
    let s = 0;
    for (const v of y) s += v * v;
    s = Math.sqrt(s);
    log += Math.log(s);
    for (let i = 0; i < w.n; i++) x[i] = y[i] / s;
    if (k === start - 1) logAtStart = log;
  }
  return Math.exp((log - logAtStart) / (steps - start));
}

function csrOf(model: EchoStateNetwork): Csr {
  const r = model.getReservoir();
  return { n: model.units, values: r.values, columns: r.columns, rowStart: r.rowStart };
}

describe('eigenvalues of Hessenberg matrices (complex shifted QR)', () => {
  it('finds ±2i of a rotation-scaling and the roots of a companion matrix', () => {
    const rot = hessenbergEigenvalues(Float64Array.of(0, -2, 2, 0), new Float64Array(4), 2);
    const ims = rot.map((e) => e.im).sort((a, b) => a - b);
    expect(ims[0]).toBeCloseTo(-2, 12);
    expect(ims[1]).toBeCloseTo(2, 12);
    rot.forEach((e) => expect(Math.abs(e.re)).toBeLessThan(1e-12));
    // (λ − 1)(λ − 2)(λ − 3) = λ³ − 6λ² + 11λ − 6, companion matrix (upper Hessenberg).
    const comp = Float64Array.of(6, -11, 6, 1, 0, 0, 0, 1, 0);
    const roots = hessenbergEigenvalues(comp, new Float64Array(9), 3).map((e) => e.re).sort();
    [1, 2, 3].forEach((want, i) => expect(roots[i]).toBeCloseTo(want, 9));
  });

  it('dense random matrices: Σλ = trace, Σλ² = trace(A²), and ρ agrees with Gelfand', () => {
    for (const n of [5, 17, 40]) {
      const next = makeRandom(n);
      const a = Float64Array.from({ length: n * n }, () => next() * 2 - 1);
      const eig = denseEigenvalues(a, n);
      expect(eig.length).toBe(n);
      let trace = 0, trace2 = 0;
      for (let i = 0; i < n; i++) {
        trace += a[i * n + i];
        for (let k = 0; k < n; k++) trace2 += a[i * n + k] * a[k * n + i];
      }
      const sum = eig.reduce((s, e) => s + e.re, 0);
      const sumIm = eig.reduce((s, e) => s + e.im, 0);
      const sum2 = eig.reduce((s, e) => s + e.re * e.re - e.im * e.im, 0);
      expect(Math.abs(sum - trace)).toBeLessThan(1e-9 * n);
      expect(Math.abs(sumIm)).toBeLessThan(1e-9 * n);
      expect(Math.abs(sum2 - trace2)).toBeLessThan(1e-8 * n);
      const rho = Math.max(...eig.map((e) => Math.hypot(e.re, e.im)));
      const csr: Csr = { n, values: a, columns: Int32Array.from({ length: n * n }, (_, k) => k % n), rowStart: Int32Array.from({ length: n + 1 }, (_, i) => i * n) };
      expect(Math.abs(rho / gelfandRadius(csr) - 1)).toBeLessThan(1e-3);
    }
  });

  it('a dominant complex pair (where power iteration oscillates) is measured right', () => {
    // W = small random part + a 2×2 rotation block with eigenvalues ±1.5i.
    const n = 60;
    const next = makeRandom(3);
    const a = Float64Array.from({ length: n * n }, () => (next() * 2 - 1) * 0.05);
    a[0 * n + 1] += 1.5;
    a[1 * n + 0] -= 1.5;
    const csr: Csr = { n, values: a, columns: Int32Array.from({ length: n * n }, (_, k) => k % n), rowStart: Int32Array.from({ length: n + 1 }, (_, i) => i * n) };
    const rho = spectralRadiusOf(csr, new Random(1, 5));
    const dense = Math.max(...denseEigenvalues(a, n).map((e) => Math.hypot(e.re, e.im)));
    expect(Math.abs(rho / dense - 1)).toBeLessThan(1e-9);
    expect(Math.abs(rho / gelfandRadius(csr) - 1)).toBeLessThan(1e-3);
    // Plain power iteration's Rayleigh-type ratio ‖Wx‖/‖x‖ keeps swinging instead of settling on ρ.
    let x = new Float64Array(n).fill(1);
    const y = new Float64Array(n);
    const ratios: number[] = [];
    for (let k = 0; k < 400; k++) {
      csrMatVec(csr, x, y);
      const nx = Math.hypot(...x), ny = Math.hypot(...y);
      ratios.push(ny / nx);
      x = y.map((v) => v / ny);
    }
    const tail = ratios.slice(300);
    expect(Math.max(...tail) - Math.min(...tail)).toBeGreaterThan(0.05);
  });
});

describe('reservoir construction', () => {
  const cases = [
    { units: 50, density: 0.2, spectralRadius: 0.9 },
    { units: 200, density: 0.05, spectralRadius: 1.25 },
    { units: 500, density: 0.02, spectralRadius: 0.95 }, // N > 256: truncated Arnoldi (m = 256)
  ];
  for (const c of cases) {
    it(`measured spectral radius within 1% of the request: N=${c.units}, density ${c.density}, sr ${c.spectralRadius}`, async () => {
      const backend = await backendFor(true);
      const model = new EchoStateNetwork({ inputSize: 1, seed: 42, backend, ...c });
      const rho = gelfandRadius(csrOf(model));
      console.log(`[esn] N=${c.units}: requested ρ ${c.spectralRadius}, measured (Gelfand) ${rho.toFixed(6)}, error ${((rho / c.spectralRadius - 1) * 100).toFixed(4)}%`);
      expect(Math.abs(rho / c.spectralRadius - 1)).toBeLessThan(0.01);
      // Row structure: exactly round(density·N) non-zeros per row, distinct columns.
      const r = model.getReservoir();
      const k = Math.round(c.density * c.units);
      for (let i = 0; i < c.units; i++) {
        expect(r.rowStart[i + 1] - r.rowStart[i]).toBe(k);
        const cols = Array.from(r.columns.subarray(r.rowStart[i], r.rowStart[i + 1]));
        expect(new Set(cols).size).toBe(k);
      }
      model.dispose();
    });
  }

  it('same seed ⇒ identical reservoir and outputs on both builds; another seed ⇒ another reservoir', async () => {
    const options = { inputSize: 2, outputSize: 2, units: 40, density: 0.2, spectralRadius: 0.9, feedbackScaling: 0.3, biasScaling: 0.2, inputDensity: 0.5, seed: 7 };
    const next = makeRandom(5);
    const u = Array.from({ length: 80 }, () => [next() - 0.5, next() - 0.5]);
    const d = u.map(([a, b], t) => [Math.sin(t / 5) * 0.5 + a * 0.1, b * 0.3]);
    const outputs: Float32Array[] = [];
    const reservoirs: ReturnType<EchoStateNetwork['getReservoir']>[] = [];
    for (const build of [...BUILDS, ...BUILDS]) {
      const model = new EchoStateNetwork({ ...options, backend: await backendFor(build.simd) });
      reservoirs.push(model.getReservoir());
      model.fit(u, d);
      outputs.push(Float32Array.from([...model.predict(u).data, ...model.generate(30).data]));
      model.dispose();
    }
    for (let k = 1; k < outputs.length; k++) {
      expectSameBits(`outputs run ${k}`, outputs[k], outputs[0]);
      expectSameBits(`W run ${k}`, reservoirs[k].values, reservoirs[0].values);
      expectSameBits(`W_in run ${k}`, reservoirs[k].inputWeights, reservoirs[0].inputWeights);
      expectSameBits(`W_back run ${k}`, reservoirs[k].feedbackWeights!, reservoirs[0].feedbackWeights!);
      expectSameBits(`bias run ${k}`, reservoirs[k].bias, reservoirs[0].bias);
    }
    const backend = await backendFor(true);
    const other = new EchoStateNetwork({ ...options, seed: 8, backend });
    expect(Array.from(other.getReservoir().values)).not.toEqual(Array.from(reservoirs[0].values));
    other.dispose();
    // One stream per matrix: changing the input scaling leaves W and the bias untouched.
    const scaled = new EchoStateNetwork({ ...options, inputScaling: 0.5, backend });
    expectSameBits('W with another inputScaling', scaled.getReservoir().values, reservoirs[0].values);
    expectSameBits('bias with another inputScaling', scaled.getReservoir().bias, reservoirs[0].bias);
    scaled.dispose();
  });

  it('input weights follow inputScaling and inputDensity', async () => {
    const backend = await backendFor(true);
    const model = new EchoStateNetwork({ inputSize: 4, units: 300, inputScaling: 0.25, inputDensity: 0.3, seed: 1, backend });
    const w = model.getReservoir().inputWeights;
    const nonZero = w.filter((v) => v !== 0).length / w.length;
    expect(Math.abs(nonZero - 0.3)).toBeLessThan(0.05);
    expect(Math.max(...w.map(Math.abs))).toBeLessThanOrEqual(0.25);
    model.dispose();
  });
});
