// AR / ARX (src/forecast/ar.ts): the kernels of assembly/ar.ts against the plain f64
// reference (src/reference/ar.ts) on both builds and bit for bit between them; a simulated
// AR(2) (coefficients, AIC/BIC order choice, equality with a plain normal-equations solve,
// σ², standard errors, the criteria of every candidate); iterated forecasts against the
// recursion; ARX and direct h-step models; save/load; every error.
import { beforeAll, describe, expect, it } from 'vitest';
import { init } from '../src/engine/init.js';
import { liveF64, type Backend, type F32Buffer } from '../src/engine/backend.js';
import { AR } from '../src/forecast/ar.js';
import { arForecastF64, arGramF64, arSsrF64, type ArDesign } from '../src/kernels/ar.js';
import {
  referenceArFit, referenceArForecast, referenceFeatures, referenceNormalEquations, type ReferenceArDesign,
} from '../src/reference/ar.js';
import { backendFor, BUILDS } from './helpers/backends.js';
import { thrown } from './helpers/compare.js';
import { makeRandom } from './helpers/random.js';

/** A seeded standard normal generator (Box–Muller over the tests' xorshift). */
function normal(seed: number): () => number {
  const next = makeRandom(seed);
  return () => {
    let u = 0;
    while (u === 0) u = next();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * next());
  };
}

/** y(t) = c + Σ φ_k·y(t − k) + Σ β_e·x_e(t) + σ·ε(t), from zeros, after a burn-in of 200. */
function simulate(n: number, phi: number[], seed: number, o: { c?: number; beta?: number[]; x?: Float64Array; sigma?: number } = {}): Float64Array {
  const eps = normal(seed);
  const E = o.beta?.length ?? 0;
  const burn = 200;
  const y = new Float64Array(n + burn);
  for (let t = 0; t < n + burn; t++) {
    let v = (o.c ?? 0) + (o.sigma ?? 1) * eps();
    for (let k = 1; k <= phi.length; k++) if (t - k >= 0) v += phi[k - 1] * y[t - k];
    if (t >= burn) for (let e = 0; e < E; e++) v += o.beta![e] * o.x![(t - burn) * E + e];
    y[t] = v;
  }
  return y.slice(burn);
}

function f64(backend: Backend, values: ArrayLike<number> | number): F32Buffer {
  const n = typeof values === 'number' ? values : values.length;
  const b = backend.allocBlock('test', 'f64', 2 * Math.max(1, n));
  if (typeof values !== 'number') liveF64(b).set(values);
  return b;
}

function closeTo(label: string, got: ArrayLike<number>, want: ArrayLike<number>, relative: number): void {
  expect(got.length, label).toBe(want.length);
  let scale = 0;
  for (let i = 0; i < want.length; i++) scale = Math.max(scale, Math.abs(want[i]));
  for (let i = 0; i < want.length; i++) {
    if (!(Math.abs(got[i] - want[i]) <= relative * scale)) throw new Error(`${label}[${i}]: ${got[i]} vs ${want[i]} (scale ${scale}, relative ${relative})`);
  }
}

// Kernel cases: K = c + p + E around the f64x2 width (1, 2, 3, 4, 5, 9), lag offsets 1 and 3.
const KERNEL_CASES: (ReferenceArDesign & { n: number })[] = [
  { order: 1, exogenous: 0, horizon: 1, intercept: false, n: 7 },
  { order: 1, exogenous: 0, horizon: 1, intercept: true, n: 9 },
  { order: 2, exogenous: 1, horizon: 1, intercept: false, n: 20 },
  { order: 3, exogenous: 1, horizon: 2, intercept: true, n: 33 },
  { order: 3, exogenous: 2, horizon: 1, intercept: false, n: 40 },
  { order: 5, exogenous: 3, horizon: 3, intercept: true, n: 65 },
];

describe('AR kernels (assembly/ar.ts) against the f64 reference, both builds', () => {
  const results = new Map<string, Float64Array[]>();
  for (const build of BUILDS) {
    it.each(KERNEL_CASES)(`${build.name}: p $order, E $exogenous, h $horizon, intercept $intercept, n $n`, async (d) => {
      const backend = await backendFor(build.simd);
      const next = makeRandom(11 + d.order * 7 + d.exogenous);
      const y = Float64Array.from({ length: d.n }, () => next() * 2 - 1);
      const steps = 4;
      const exog = Float64Array.from({ length: (d.n + steps) * d.exogenous }, () => next() * 2 - 1);
      const K = (d.intercept ? 1 : 0) + d.order + d.exogenous;
      const w = Float64Array.from({ length: K }, () => next() - 0.5);
      const start = d.horizon + d.order - 1;
      const design: ArDesign = d;
      const buffers = [f64(backend, K * K), f64(backend, K), f64(backend, K), f64(backend, y), f64(backend, exog), f64(backend, w), f64(backend, d.n), f64(backend, d.n), f64(backend, steps)];
      const [xtx, xty, z, yb, xb, wb, resid, out, path] = buffers;
      try {
        const exogPtr = d.exogenous ? xb.ptr : 0;
        arGramF64(backend, { xtx: xtx.ptr, xty: xty.ptr, z: z.ptr, y: yb.ptr, exog: exogPtr }, { start, n: d.n }, design);
        const ref = referenceNormalEquations(y, exog, start, d.n, d);
        // Same products, summed over t in the same order: equal, not merely close.
        const upper = liveF64(xtx).slice();
        for (let i = 0; i < K; i++) for (let j = i; j < K; j++) expect(upper[i * K + j], `ZᵀZ[${i}, ${j}]`).toBe(ref.A[i][j]);
        expect(Array.from(liveF64(xty).subarray(0, K))).toEqual(ref.b);
        const ssr = arSsrF64(backend, { resid: resid.ptr, z: z.ptr, y: yb.ptr, exog: exogPtr, w: wb.ptr }, { start, n: d.n }, design);
        let refSsr = 0;
        const refResid: number[] = [];
        for (let t = start; t < d.n; t++) {
          const zt = referenceFeatures(y, exog, t, d);
          const e = y[t] - zt.reduce((s, v, k) => s + w[k] * v, 0);
          refResid.push(e);
          refSsr += e * e;
        }
        expect(Array.from(liveF64(resid).subarray(0, d.n - start))).toEqual(refResid);
        expect(ssr).toBe(refSsr);
        // Forecasts from every origin; origins with too short a history give NaN.
        arForecastF64(backend, { out: out.ptr, path: path.ptr, z: z.ptr, y: yb.ptr, exog: exogPtr, w: wb.ptr }, { first: 0, count: d.n, steps }, design);
        const got = liveF64(out).slice(0, d.n);
        for (let o = 0; o < d.n; o++) {
          const want = referenceArForecast(y, exog, w, o, steps, d);
          expect(Object.is(got[o], want[steps - 1]) || got[o] === want[steps - 1], `origin ${o}: ${got[o]} vs ${want[steps - 1]}`).toBe(true);
          if (d.horizon === 1) expect(Number.isNaN(got[o])).toBe(o < d.order - 1); // the first p − 1 origins lack lags
        }
        expect(Array.from(liveF64(path).subarray(0, steps))).toEqual(referenceArForecast(y, exog, w, d.n - 1, steps, d));
        const key = JSON.stringify(d);
        const all = [upper, liveF64(xty).slice(0, K), liveF64(resid).slice(0, d.n - start), got, Float64Array.of(ssr)];
        const other = results.get(key);
        if (other) all.forEach((a, k) => expect(a, `SIMD vs scalar, part ${k}`).toEqual(other[k]));
        else results.set(key, all);
      } finally {
        for (const b of buffers) b.dispose();
      }
    });
  }
});

describe('AR', () => {
  let y: Float64Array;
  beforeAll(async () => {
    await init();
    y = simulate(10_000, [0.6, -0.3], 2024, { c: 0.5 });
  });

  it('recovers a simulated AR(2) (φ = 0.6, −0.3, n = 10,000) and AIC and BIC both choose order 2 of 1…8', () => {
    for (const criterion of ['aic', 'bic'] as const) {
      const ar = new AR({ maxOrder: 8, criterion }).fit(y);
      expect(ar.order).toBe(2);
      const [phi1, phi2] = ar.coefficients;
      expect(Math.abs(phi1 - 0.6)).toBeLessThan(0.03);
      expect(Math.abs(phi2 + 0.3)).toBeLessThan(0.03);
      expect(ar.constant).toBeCloseTo(0.5, 1);
      // Every candidate, on the common sample t = 8 … n − 1: the reference's criteria.
      const cands = ar.candidates!;
      expect(cands.map((c) => c.order)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
      for (const c of cands) {
        const ref = referenceArFit(y, null, 8, y.length, { order: c.order, exogenous: 0, horizon: 1, intercept: true });
        expect(c.nobs).toBe(10_000 - 8);
        closeTo(`order ${c.order} criteria`, [c.aic, c.bic, c.sigma2], [ref.aic, ref.bic, ref.sigma2], 1e-12);
      }
      const best = cands.reduce((a, b) => (b[criterion] < a[criterion] ? b : a));
      expect(best.order).toBe(2);
    }
  });

  it('equals a plain normal-equations solve in f64 (1e-9): coefficients, σ², standard errors, llf, AIC, BIC', () => {
    const ar = new AR({ maxOrder: 8 }).fit(y);
    // The chosen order is refitted on its own sample, t = 2 … n − 1.
    const ref = referenceArFit(y, null, 2, y.length, { order: 2, exogenous: 0, horizon: 1, intercept: true });
    expect(ar.nobs).toBe(ref.nobs);
    closeTo('params', ar.params, ref.coefficients, 1e-9);
    closeTo('standard errors', ar.standardErrors, ref.standardErrors, 1e-9);
    closeTo('σ², SSR', [ar.sigma2, ar.ssr], [ref.sigma2, ref.ssr], 1e-9);
    closeTo('llf, AIC, BIC', [ar.llf, ar.aic, ar.bic], [ref.llf, ref.aic, ref.bic], 1e-12);
    // σ² is SSR / nobs (not nobs − K), and the standard errors are the OLS ones at that σ².
    expect(ar.sigma2).toBe(ar.ssr / ar.nobs);
    expect(ar.sigma2).toBeGreaterThan(0.95);
    expect(ar.sigma2).toBeLessThan(1.05);
    // The textbook large-sample standard error of φ in an AR(2): sqrt((1 − φ₂²)/n) ≈ 0.0095.
    expect(ar.standardErrors[1]).toBeCloseTo(Math.sqrt((1 - 0.09) / 10_000), 3);
  });

  it('forecasts by the recursion, from the end of the series and from every origin', () => {
    const ar = new AR({ order: 3 }).fit(y);
    const w = ar.params;
    const d = { order: 3, exogenous: 0, horizon: 1, intercept: true };
    const steps = 25;
    const want = referenceArForecast(y, null, w, y.length - 1, steps, d);
    expect(Array.from(ar.forecast(steps))).toEqual(want);
    // Far ahead the forecast tends to the process mean c / (1 − Σφ).
    const mean = ar.constant / (1 - ar.coefficients.reduce((a, b) => a + b, 0));
    expect(ar.forecast(200)[199]).toBeCloseTo(mean, 6);
    const head = y.subarray(0, 300);
    for (const k of [1, 4]) {
      const predicted = ar.predict(head, { steps: k });
      for (let o = 0; o < 300; o++) {
        const r = referenceArForecast(head, null, w, o, k, d)[k - 1];
        if (Number.isNaN(r)) expect(predicted[o]).toBeNaN();
        else expect(predicted[o]).toBe(r);
      }
      expect(Number.isNaN(predicted[1]) && !Number.isNaN(predicted[2])).toBe(true); // order 3: the first origin with 3 values is 2
    }
  });

  it('ARX recovers a planted exogenous coefficient, and forecasts with the future exogenous values', () => {
    const n = 3000;
    const xn = normal(5);
    const x = Float64Array.from({ length: n + 10 }, () => xn());
    const yx = simulate(n, [0.5], 6, { beta: [2], x, sigma: 0.5 });
    const ar = new AR({ maxOrder: 4, exogenous: 1 }).fit(yx, { exogenous: x.subarray(0, n) });
    expect(ar.order).toBe(1);
    expect(Math.abs(ar.exogenousCoefficients[0] - 2)).toBeLessThan(0.03);
    expect(Math.abs(ar.coefficients[0] - 0.5)).toBeLessThan(0.03);
    const ref = referenceArFit(yx, x, 1, n, { order: 1, exogenous: 1, horizon: 1, intercept: true });
    closeTo('ARX params', ar.params, ref.coefficients, 1e-9);
    closeTo('ARX standard errors', ar.standardErrors, ref.standardErrors, 1e-9);
    // Rows as arrays and { data, shape } give the same fit.
    const rows = Array.from(x.subarray(0, n), (v) => [v]);
    expect(new AR({ order: 1, exogenous: 1 }).fit(yx, { exogenous: rows }).params).toEqual(new AR({ order: 1, exogenous: 1 }).fit(yx, { exogenous: { data: x.subarray(0, n), shape: [n, 1] } }).params);
    const future = x.subarray(n, n + 10);
    const f = ar.forecast(10, { exogenous: future });
    const all = Float64Array.from([...yx]);
    expect(Array.from(f)).toEqual(referenceArForecast(all, x, ar.params, n - 1, 10, { order: 1, exogenous: 1, horizon: 1, intercept: true }));
  });

  it('a direct h-step model regresses y(t) on y(t − h) …, without an intercept if asked', () => {
    const h = 3;
    const y = simulate(10_000, [0.6, -0.3], 7); // zero mean: no intercept needed
    const ar = new AR({ order: 2, horizon: h, intercept: false }).fit(y);
    const ref = referenceArFit(y, null, h + 1, y.length, { order: 2, exogenous: 0, horizon: h, intercept: false });
    closeTo('direct params', ar.params, ref.coefficients, 1e-9);
    expect(ar.constant).toBe(0);
    expect(ar.params.length).toBe(2);
    // 3 steps ahead of an AR(2) the best linear forecast from y(t − 3), y(t − 4) is the first row of
    // [[φ₁, φ₂], [1, 0]]³: (φ₁³ + 2φ₁φ₂, φ₁²φ₂ + φ₂²) = (−0.144, −0.018).
    expect(Math.abs(ar.coefficients[0] + 0.144)).toBeLessThan(0.03);
    expect(Math.abs(ar.coefficients[1] + 0.018)).toBeLessThan(0.03);
    // h steps from the end need only data; 2h steps iterate once.
    const f = ar.forecast(2 * h);
    expect(Array.from(f)).toEqual(referenceArForecast(y, null, ar.params, y.length - 1, 2 * h, { order: 2, exogenous: 0, horizon: h, intercept: false }));
    expect(ar.predict(y.subarray(0, 10), { steps: h })[0]).toBeNaN(); // origin 0 has one value; lag 2 of its target is before it
    expect(ar.predict(y.subarray(0, 10), { steps: h })[1]).not.toBeNaN();
  });

  it('saves and loads: same statistics, same forecasts bit for bit; an unfitted model too', () => {
    const ar = new AR({ maxOrder: 5, criterion: 'bic', exogenous: 0 }).fit(y.subarray(0, 2000));
    const again = AR.fromJSON(JSON.stringify(ar.toJSON()));
    expect(again.order).toBe(ar.order);
    expect(again.criterion).toBe('bic');
    expect(again.params).toEqual(ar.params);
    expect(again.standardErrors).toEqual(ar.standardErrors);
    expect([again.sigma2, again.aic, again.bic, again.llf, again.nobs]).toEqual([ar.sigma2, ar.aic, ar.bic, ar.llf, ar.nobs]);
    expect(again.candidates).toEqual(ar.candidates);
    expect(again.forecast(12)).toEqual(ar.forecast(12));
    const blank = AR.fromJSON(new AR({ order: 2, horizon: 2 }).toJSON());
    expect([blank.fitted, blank.order, blank.horizon]).toEqual([false, 2, 2]);
    // Refitting replaces the fit; a failed fit leaves it as it was.
    const before = ar.params;
    expect(() => ar.fit([1, 2, 3])).toThrow(RangeError);
    expect(ar.params).toEqual(before);
  });

  it('a noise-free sine (an exact recursion of order 2): the search stops at the first rank-deficient order', () => {
    const sine = Array.from({ length: 500 }, (_, t) => Math.sin(t / 8));
    const ar = new AR({ maxOrder: 8 }).fit(sine);
    expect(ar.order).toBe(2);
    expect(ar.candidates!.map((c) => c.order)).toEqual([1, 2]); // order 3 is rank-deficient, and so is every higher one
    closeTo('sine recursion', ar.coefficients, [2 * Math.cos(1 / 8), -1], 1e-9);
    expect(ar.sigma2).toBeLessThan(1e-25);
    expect(thrown(() => new AR({ order: 3 }).fit(sine)).message).toMatch(/^AR\.fit: the design of order 3 is rank-deficient \(rank 3 of 4 columns\)/);
  });

  it('a saved file carries llf, AIC and BIC for its readers; they must agree with σ² (an exact fit saves them as null)', () => {
    const ar = new AR({ maxOrder: 3 }).fit(y.subarray(0, 500));
    const json = ar.toJSON();
    const tampered = { ...json, fitted: { ...json.fitted!, aic: json.fitted!.aic + 1 } };
    expect(thrown(() => AR.fromJSON(tampered)).message).toMatch(/^AR\.fromJSON: fitted\.aic is [-\d.e+]+ but σ², nobs and the order give [-\d.e+]+$/);
    const candidates = json.fitted!.candidates!.map((c, k) => (k === 1 ? { ...c, sigma2: c.sigma2 * 2 } : c));
    expect(thrown(() => AR.fromJSON({ ...json, fitted: { ...json.fitted!, candidates } })).message).toMatch(/^AR\.fromJSON: fitted\.candidates\[1\]\.aic is /);
    // σ² = 0: the likelihood is unbounded, JSON writes −Infinity as null, and it loads back.
    const exact = JSON.parse(JSON.stringify({ ...json, fitted: { ...json.fitted!, ssr: 0, sigma2: 0, llf: Infinity, aic: -Infinity, bic: -Infinity } })) as unknown;
    const loaded = AR.fromJSON(exact);
    expect([loaded.aic, loaded.bic, loaded.llf]).toEqual([-Infinity, -Infinity, Infinity]);
  });

  it('refuses bad options, data and files with a message naming the argument', async () => {
    await init();
    const fitted = new AR({ order: 2 }).fit(y.subarray(0, 100));
    const cases: [() => unknown, string, string][] = [
      [() => new AR({}), 'RangeError', 'AR: give exactly one of options.order (a fixed order) and options.maxOrder (choose the order by AIC/BIC), got neither'],
      [() => new AR({ order: 2, maxOrder: 3 }), 'RangeError', 'AR: give exactly one of options.order (a fixed order) and options.maxOrder (choose the order by AIC/BIC), got both'],
      [() => new AR({ order: 0 }), 'RangeError', 'AR: options.order must be in [1, 100000], got 0'],
      [() => new AR({ maxOrder: 2.5 }), 'RangeError', 'AR: options.maxOrder must be an integer, got 2.5'],
      [() => new AR({ maxOrder: 3, criterion: 'hqic' as 'aic' }), 'RangeError', "AR: options.criterion must be one of 'aic', 'bic', got \"hqic\""],
      [() => new AR({ order: 3, criterion: 'aic' }), 'RangeError', 'AR: options.criterion chooses among orders, so it needs options.maxOrder (a fixed options.order 3 has nothing to choose)'],
      [() => new AR({ order: 1, exogenous: -1 }), 'RangeError', 'AR: options.exogenous must be in [0, 100000], got -1'],
      [() => new AR({ order: 1, intercept: 1 as unknown as boolean }), 'TypeError', 'AR: options.intercept must be a boolean, got 1'],
      [() => new AR({ order: 1, lags: 2 } as never), 'RangeError', "AR: unknown option 'lags' (known: order, maxOrder, criterion, exogenous, intercept, horizon, backend)"],
      [() => new AR({ order: 2 }).fit('abc' as never), 'TypeError', 'AR.fit: series must be an array or typed array of numbers, got "abc"'],
      [() => new AR({ order: 2 }).fit([1, 2, NaN, 4]), 'RangeError', 'AR.fit: series[2] is NaN; values must be finite'],
      [() => new AR({ order: 2 }).fit([1, 2, 3, 4, 5]), 'RangeError', 'AR.fit: a series of 5 values is too short for order 2: the fit uses the values from index 2 on and needs more of them than its 3 coefficients (at least 6 values)'],
      [() => new AR({ maxOrder: 4, horizon: 2 }).fit([1, 2, 3, 4, 5, 6, 7, 8, 9]), 'RangeError', 'AR.fit: a series of 9 values is too short for maxOrder 4 with horizon 2: the fit uses the values from index 5 on and needs more of them than its 5 coefficients (at least 11 values)'],
      [() => new AR({ order: 1 }).fit(new Array(20).fill(3)), 'RangeError', 'AR.fit: the design of order 1 is rank-deficient (rank 1 of 2 columns): the series is constant or follows an exact linear recursion, or exogenous columns are constant or collinear'],
      [() => new AR({ order: 1, exogenous: 1 }).fit(y.subarray(0, 50)), 'TypeError', 'AR.fit: options.exogenous is required: the model has 1 exogenous column'],
      [() => new AR({ order: 1, exogenous: 2 }).fit(y.subarray(0, 50), { exogenous: y.subarray(0, 50) }), 'TypeError', 'AR.fit: options.exogenous is a flat array of numbers, but the model has 2 exogenous columns: give rows [T][2]'],
      [() => new AR({ order: 1, exogenous: 1 }).fit(y.subarray(0, 50), { exogenous: y.subarray(0, 49) }), 'RangeError', 'AR.fit: options.exogenous has 49 rows but the series has 50'],
      [() => new AR({ order: 1, exogenous: 2 }).fit(y.subarray(0, 3), { exogenous: [[1, 2], [3], [4, 5]] }), 'RangeError', 'AR.fit: options.exogenous[1] has 1 values but the model has 2 exogenous columns'],
      [() => new AR({ order: 1 }).fit(y.subarray(0, 50), { exogenous: [[1]] }), 'RangeError', 'AR.fit: options.exogenous was given, but the model has no exogenous columns (construct it with { exogenous: E })'],
      [() => new AR({ order: 1 }).forecast(3), 'Error', 'AR.forecast: the model is not fitted yet (call fit first)'],
      [() => new AR({ order: 1 }).params, 'Error', 'AR.params: the model is not fitted yet (call fit first)'],
      [() => fitted.forecast(0), 'RangeError', 'AR.forecast: steps must be in [1, 100000000], got 0'],
      [() => fitted.predict(y.subarray(0, 10), { steps: 1.5 }), 'RangeError', 'AR.predict: options.steps must be an integer, got 1.5'],
      [() => new AR({ order: 1, exogenous: 1 }).fit(y.subarray(0, 50), { exogenous: y.subarray(0, 50) }).forecast(3, { exogenous: [1, 2] }), 'RangeError', 'AR.forecast: options.exogenous has 2 rows but needs at least 3'],
      [() => AR.fromJSON({ format: 'rnn-wasm/sequential', version: 1 }), 'TypeError', "AR.fromJSON: not a saved AR model (format must be 'rnn-wasm/ar', got \"rnn-wasm/sequential\")"],
      [() => AR.fromJSON({ ...fitted.toJSON(), fitted: { ...fitted.toJSON().fitted, params: [1, 2] } }), 'RangeError', 'AR.fromJSON: fitted.params has 2 values but the model needs 3'],
      [() => AR.fromJSON({ ...fitted.toJSON(), fitted: { ...fitted.toJSON().fitted, tail: [1, 'x'] } }), 'TypeError', 'AR.fromJSON: fitted.tail[1] must be a finite number, got "x"'],
      [() => AR.fromJSON({ ...fitted.toJSON(), fitted: { ...fitted.toJSON().fitted, order: 3 } }), 'RangeError', 'AR.fromJSON: fitted.order is 3 but options.order is 2'],
    ];
    for (const [fn, type, message] of cases) expect(thrown(fn)).toEqual({ type, message });
    expect(thrown(() => AR.fromJSON('{')).message).toMatch(/^AR\.fromJSON: not JSON \(/); // the rest is the engine's wording
  });
});
