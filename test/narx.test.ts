// NARX: the tapped-delay kernels against their reference on both builds, the
// open-loop design (delayWindows), open- and closed-loop runs against an f64
// re-computation from the weights, gradients through the feedback loop against
// central differences, trained quality (NARMA-10 against a least-squares ARX(10),
// closed-loop simulation of a known NARX system, closed-loop fine-tuning), saving,
// and the errors.
//
// Figures measured when these tests were written (Node 22, SIMD build):
//   NARMA-10, 1,450 training / 500 test steps, one-step (open loop) test NRMSE:
//     ARX(10) by least squares 0.340, NARX (10 + 10 taps, 20 tanh units, 60 epochs) 0.155.
//   y_t = 0.5·y_{t−1} − 0.3·tanh(y_{t−2}) + 0.8·x_{t−1}, trained in open loop: 50-step
//     closed-loop RMSE ≤ 0.021 (the series' RMS is 0.56).
//   The same with measurement noise U(−0.3, 0.3): 50-step closed-loop RMSE 0.080 after
//     open-loop training; 5 more epochs in closed loop (windows of 20 steps) 0.036.
import { beforeAll, describe, expect, it } from 'vitest';
import { init } from '../src/engine/init.js';
import type { Backend } from '../src/engine/backend.js';
import { NARX, type NARXActivation } from '../src/forecast/narx.js';
import { delayWindows } from '../src/forecast/delays.js';
import { narxTapsBackwardF32, narxTapsF32 } from '../src/kernels/narx.js';
import { narxTapsBackwardReference, narxTapsReference } from '../src/reference/narx.js';
import { narma10, nrmse, rmse } from '../src/esn/data.js';
import { Random } from '../src/random.js';
import { BUILDS, backendFor } from './helpers/backends.js';
import { expectSameBits, expectWithinBound, thrown } from './helpers/compare.js';
import { randomFloat32 } from './helpers/random.js';
import { applyLinear, leastSquares } from './helpers/least-squares.js';

let backend: Backend;
beforeAll(async () => {
  backend = await init();
});

/** Runs `fn` with f32 copies of `arrays` in linear memory (and an i32 copy of `delays`); returns the arrays read back. */
function inMemory(b: Backend, arrays: Record<string, Float32Array>, delays: number[], fn: (ptrs: Record<string, number>, delaysPtr: number) => void): Record<string, Float32Array> {
  const ptrs: Record<string, number> = {};
  for (const [name, values] of Object.entries(arrays)) {
    ptrs[name] = b.alloc(Math.max(16, values.length * 4));
    b.heapF32().set(values, ptrs[name] >>> 2);
  }
  const delaysPtr = b.alloc(Math.max(16, delays.length * 4));
  new Int32Array(b.memoryBuffer, delaysPtr, delays.length).set(delays);
  try {
    fn(ptrs, delaysPtr);
    return Object.fromEntries(Object.entries(arrays).map(([name, values]) => [name, b.heapF32().slice(ptrs[name] >>> 2, (ptrs[name] >>> 2) + values.length)]));
  } finally {
    for (const ptr of Object.values(ptrs)) b.free(ptr);
    b.free(delaysPtr);
  }
}

describe('tapped-delay kernels (assembly/narx.ts) against the reference, both builds', () => {
  const shapes = [
    { B: 1, I: 1, O: 1, dx: [0], dy: [1] },
    { B: 3, I: 2, O: 3, dx: [0, 2, 5], dy: [1, 2, 4] },
    { B: 2, I: 5, O: 4, dx: [1, 3], dy: [2, 3, 7] },
    { B: 3, I: 0, O: 5, dx: [], dy: [1, 4] },
    { B: 1, I: 9, O: 1, dx: [0, 1, 2, 3], dy: [] },
  ];
  for (const { B, I, O, dx, dy } of shapes) {
    it(`B ${B}, I ${I}, O ${O}, delays [${dx.join(',')}] / [${dy.join(',')}]`, async () => {
      const xLead = Math.max(0, ...dx);
      const yLead = Math.max(0, ...dy);
      const h = 9;
      const F = dx.length * I + dy.length * O;
      const xs = randomFloat32(Math.max(1, (xLead + h) * B * I), 3);
      const history = randomFloat32((yLead + h) * B * O, 4);
      const dRow = randomFloat32(B * F, 5);
      const dOut0 = randomFloat32(h * B * O, 6);
      const outs: Record<string, Float32Array>[] = [];
      for (const build of BUILDS) {
        const b = await backendFor(build.simd);
        const rows: Float32Array[] = [];
        let dOut = dOut0;
        for (let s = 0; s < h; s++) {
          const got = inMemory(b, { row: new Float32Array(B * F), xs, history }, [...dx, ...dy], (p, delays) =>
            narxTapsF32(b, { row: p.row, xs: p.xs, history: p.history, delays }, s, B, I, O, dx.length, dy.length, xLead, yLead));
          const want = new Float32Array(B * F);
          narxTapsReference(want, xs, history, dx, dy, s, B, I, O, xLead, yLead);
          expectSameBits(`${build.name} row of step ${s}`, got.row, want); // pure copies: exact
          rows.push(got.row);
          const back = inMemory(b, { dOut, dRow }, [...dx, ...dy], (p, delays) =>
            narxTapsBackwardF32(b, { dOut: p.dOut, dRow: p.dRow, delays }, s, B, I, O, dx.length, dy.length));
          const ref = Float64Array.from(dOut);
          narxTapsBackwardReference(ref, dRow, dx, dy, s, B, I, O);
          // Distinct delays: each element gets at most one f32 add per call, so the f32 result is the rounded f64 one.
          expectSameBits(`${build.name} dOut after step ${s}`, back.dOut, Float32Array.from(ref));
          dOut = back.dOut;
        }
        outs.push({ rows: Float32Array.from(rows.flatMap((r) => Array.from(r))), dOut });
      }
      expectSameBits('SIMD vs scalar rows', outs[0].rows, outs[1].rows);
      expectSameBits('SIMD vs scalar dOut', outs[0].dOut, outs[1].dOut);
      if (dy.length > 0) expect(outs[0].dOut).not.toEqual(dOut0); // the feedback gradient went somewhere
    });
  }
});

describe('delayWindows', () => {
  it('builds the open-loop design row by row and says which steps are lost', () => {
    const y = [[10, 20], [11, 21], [12, 22], [13, 23], [14, 24]];
    const x = Float64Array.of(0.5, 1.5, 2.5, 3.5, 4.5);
    const w = delayWindows(y, x, { inputDelays: [0, 2], feedbackDelays: 1 });
    expect(w.lostSteps).toBe(2);
    expect(w.columns).toEqual(['x[t][0]', 'x[t-2][0]', 'y[t-1][0]', 'y[t-1][1]']);
    expect(w.inputs.shape).toEqual([3, 4]);
    expect(Array.from(w.inputs.data)).toEqual([2.5, 0.5, 11, 21, 3.5, 1.5, 12, 22, 4.5, 2.5, 13, 23]);
    expect(w.targets.shape).toEqual([3, 2]);
    expect(Array.from(w.targets.data)).toEqual([12, 22, 13, 23, 14, 24]);
    // A series alone (NAR), counts for delays, { data, shape } input.
    const nar = delayWindows({ data: Float32Array.of(1, 2, 3, 4), shape: [4] }, null, { feedbackDelays: 3 });
    expect(nar.lostSteps).toBe(3);
    expect(Array.from(nar.inputs.data)).toEqual([3, 2, 1]);
    expect(Array.from(nar.targets.data)).toEqual([4]);
    expect(nar.columns).toEqual(['y[t-1][0]', 'y[t-2][0]', 'y[t-3][0]']);
  });

  it('refuses what it cannot window, naming the argument', () => {
    expect(thrown(() => delayWindows([1, 2, 3], [1, 2], {}))).toEqual({ type: 'RangeError', message: 'delayWindows: exogenous has 2 time steps but series has 3; they must be aligned step for step' });
    expect(thrown(() => delayWindows([1, 2], null, { feedbackDelays: [1, 2] }))).toEqual({ type: 'RangeError', message: 'delayWindows: a series of 2 steps leaves no row for a largest delay of 2 (needs at least 3 steps)' });
    expect(thrown(() => delayWindows([1, 2, 3], null, { inputDelays: [0] }))).toEqual({ type: 'RangeError', message: 'delayWindows: options.inputDelays [0] need an exogenous series, but exogenous is null' });
    expect(thrown(() => delayWindows([1, 2, 3], [1, 2, 3], { inputDelays: [2, 1] }))).toEqual({ type: 'RangeError', message: 'delayWindows: options.inputDelays must be strictly increasing, got [2, 1] (options.inputDelays[1] = 1 after 2)' });
    expect(thrown(() => delayWindows([1, 2, 3], null, { feedbackDelays: [0, 1] }))).toEqual({ type: 'RangeError', message: 'delayWindows: options.feedbackDelays[0] must be in [1, 1048576], got 0' });
    expect(thrown(() => delayWindows([1, NaN, 3], null, {}))).toEqual({ type: 'RangeError', message: 'delayWindows: series[1] is NaN; values must be finite' });
    expect(thrown(() => delayWindows([1, 2, 3], null, { feedbackDelays: 0 }))).toEqual({ type: 'RangeError', message: 'delayWindows: no taps: give options.inputDelays or options.feedbackDelays' });
    expect(thrown(() => delayWindows('abc' as never, null))).toEqual({ type: 'TypeError', message: 'delayWindows: series must be a series: an array or typed array of numbers (one channel), [T][channels] arrays or { data, shape: [T, channels] }, got "abc"' });
    expect(thrown(() => delayWindows([1, 2, 3], null, { lag: 1 } as never))).toEqual({ type: 'RangeError', message: "delayWindows: unknown option 'lag' (known: inputDelays, feedbackDelays)" });
  });
});

// ---- an f64 re-computation of the model from its weights ----

const act: Record<NARXActivation, (v: number) => number> = {
  tanh: Math.tanh, relu: (v) => Math.max(0, v), sigmoid: (v) => 1 / (1 + Math.exp(-v)), linear: (v) => v,
};

/** f(row) in f64 from getWeights(). */
function mlp(model: NARX, row: ArrayLike<number>): Float64Array {
  const weights = model.getWeights();
  let v = Float64Array.from(row);
  model.layers.forEach((layer, i) => {
    const W = weights[i].weight.data;
    const b = weights[i].bias.data;
    const [I, U] = weights[i].weight.shape;
    const f = act[i === model.layers.length - 1 ? model.outputActivation : model.activation];
    v = Float64Array.from({ length: U }, (_, u) => {
      let s = b[u];
      for (let k = 0; k < I; k++) s += v[k] * W[k * U + u];
      return f(s);
    });
  });
  return v;
}

/** The closed loop in f64: y [L, O] true outputs, then `steps` of the model's own. */
function simulateF64(model: NARX, x: Float32Array | null, y: Float32Array, L: number, steps: number): Float64Array {
  const I = model.inputSize;
  const O = model.outputSize;
  const h = new Float64Array((L + steps) * O);
  h.set(y.subarray(0, L * O));
  for (let t = L; t < L + steps; t++) {
    const row: number[] = [];
    for (const d of model.inputDelays) for (let i = 0; i < I; i++) row.push(x![(t - d) * I + i]);
    for (const e of model.feedbackDelays) for (let o = 0; o < O; o++) row.push(h[(t - e) * O + o]);
    h.set(mlp(model, row), t * O);
  }
  return h.subarray(L * O);
}

const series = (T: number, C: number, seed: number, scale = 1) => ({ data: randomFloat32(T * C, seed, -scale, scale), shape: [T, C] });

describe('open and closed loop against an f64 re-computation', () => {
  it('predict is the MLP on delayWindows rows; simulate is the recursion on its own outputs', () => {
    const model = new NARX({ inputDelays: [0, 2], feedbackDelays: [1, 3], inputSize: 2, outputSize: 2, hidden: [6, 4], activation: 'tanh', outputActivation: 'linear', seed: 4 });
    const x = series(30, 2, 1);
    const y = series(30, 2, 2, 0.5);
    const p = model.predict(x, y, { batchSize: 7 });
    const w = delayWindows(y, x, { inputDelays: [0, 2], feedbackDelays: [1, 3] });
    expect(p.shape).toEqual([27, 2]);
    expect(model.lostSteps).toBe(3);
    expect(model.columns).toEqual(w.columns);
    const want = Float64Array.from({ length: 27 * 2 }, (_, k) => mlp(model, w.inputs.data.subarray(Math.floor(k / 2) * 8, Math.floor(k / 2) * 8 + 8))[k % 2]);
    // f32 layers vs f64: a few roundings per layer on O(1) values.
    expectWithinBound('open loop', p.data, want, 1e-5);
    const sim = model.simulate(x, { initial: { data: y.data.subarray(0, 10 * 2), shape: [10, 2] }, steps: 20 });
    expect(sim.shape).toEqual([20, 2]);
    // Errors of a few f32 roundings per step feed back; this map contracts (|f′| < 1 at these weights), so they stay small.
    expectWithinBound('closed loop', sim.data, simulateF64(model, x.data, y.data, 10, 20), 1e-4);
    // The first simulated step reads only true values: it is the open-loop prediction of that step, bit for bit.
    expectSameBits('first closed-loop step = open-loop step', sim.data.subarray(0, 2), p.data.subarray((10 - 3) * 2, (10 - 3) * 2 + 2));
    model.dispose();
  });

  it('a series alone (NAR, no input taps) simulates from its history; steps may run past x by the smallest input delay', () => {
    const nar = new NARX({ inputDelays: 0, feedbackDelays: 4, hidden: [5], seed: 2 });
    const y = Float32Array.from({ length: 12 }, (_, t) => Math.sin(t / 2));
    const sim = nar.simulate(null, { initial: y, steps: 6 });
    expectWithinBound('NAR', sim.data, simulateF64(nar, null, y, 12, 6), 1e-4);
    nar.dispose();
    const lagged = new NARX({ inputDelays: [2, 3], feedbackDelays: [1], hidden: [3], seed: 5 });
    const x = randomFloat32(10, 8);
    const yy = randomFloat32(6, 9);
    // x reaches step 9; with delays ≥ 2 the steps 6 … 11 read x up to step 9.
    const run = lagged.simulate(x, { initial: yy, steps: 6 });
    expectWithinBound('lagged', run.data, simulateF64(lagged, x, yy, 6, 6), 1e-4);
    expect(lagged.simulate(x, { initial: yy }).shape).toEqual([4, 1]); // default: up to x's last step
    lagged.dispose();
  });

  it('the closed-loop training loss is the mean squared error of simulate over the same windows', () => {
    const model = new NARX({ inputDelays: [1], feedbackDelays: [1, 2], hidden: [4], seed: 9 });
    model.compile({ loss: 'mse', optimizer: 'sgd' });
    const x = randomFloat32(25, 1);
    const y = randomFloat32(25, 2, -0.5, 0.5);
    model.closeLoop({ horizon: 8, stride: 5 });
    const { loss } = model.evaluate(x, y);
    let sum = 0;
    let count = 0;
    for (let start = 2; start + 8 <= 25; start += 5) {
      const sim = model.simulate(x.subarray(0, start + 8), { initial: y.subarray(0, start) });
      for (let s = 0; s < 8; s++) sum += (sim.data[s] - y[start + s]) ** 2;
      count += 8;
    }
    expect(Math.abs(loss - sum / count)).toBeLessThan(1e-6 * (sum / count));
    model.dispose();
  });
});

describe('gradients against central differences (f32 model)', () => {
  // As test/models.test.ts: step 1e-2 makes the truncation error O(1e-4) and the f32 rounding of the
  // loss O(1e-5) after dividing by the step; 2e-3 of the largest gradient bounds both.
  const cases: { name: string; make: () => NARX; closed: { horizon?: number; stride?: number } | null; step?: number; gain?: number; x: unknown; y: unknown }[] = [
    {
      name: 'closed loop, 2 inputs, 2 outputs, taps [0, 2] / [1, 3], tanh → linear, windows of 6 steps',
      make: () => new NARX({ inputDelays: [0, 2], feedbackDelays: [1, 3], inputSize: 2, outputSize: 2, hidden: [5], seed: 11 }),
      closed: { horizon: 6, stride: 3 },
      x: series(16, 2, 21),
      y: series(16, 2, 22, 0.7),
    },
    {
      name: 'closed loop, a series alone, relu → tanh → sigmoid, the whole series as one window',
      make: () => new NARX({ inputDelays: 0, feedbackDelays: 3, hidden: [6, 4], activation: 'relu', outputActivation: 'sigmoid', seed: 12 }),
      closed: {},
      // A step of 1e-2 crosses ReLU kinks (one-sided slopes differ there); 1e-3 stays within 2e-3 (measured 2e-4).
      step: 1e-3,
      // Glorot weights ×2: through a sigmoid head the feedback path is otherwise a small share of the
      // gradient (dropping it moves the worst element by 2e-2 of the scale, ×2: by 0.2).
      gain: 2,
      x: null,
      y: randomFloat32(14, 23, 0, 1),
    },
    {
      name: 'open loop, taps [1] / [1, 2], sigmoid → tanh',
      make: () => new NARX({ inputDelays: [1], feedbackDelays: [1, 2], hidden: [5], activation: 'sigmoid', outputActivation: 'tanh', seed: 13 }),
      closed: null,
      x: randomFloat32(20, 24),
      y: randomFloat32(20, 25, -0.8, 0.8),
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const model = c.make();
      model.compile({ loss: 'mse', optimizer: 'sgd' });
      const [x, y] = [c.x as Float32Array | null, c.y as Float32Array];
      if (c.gain) model.setParameters(model.getParameters().map((v) => v * c.gain!));
      const open = model.computeGradients(x, y).gradients;
      if (c.closed) model.closeLoop(c.closed);
      const { gradients } = model.computeGradients(x, y);
      const params = model.getParameters();
      const scale = Math.max(...gradients.map(Math.abs));
      expect(scale).toBeGreaterThan(1e-3);
      if (c.closed) {
        // The closed-loop gradient is not the open-loop one: the feedback path carries gradient.
        let diff = 0;
        gradients.forEach((g, i) => (diff = Math.max(diff, Math.abs(g - open[i]))));
        expect(diff / scale).toBeGreaterThan(0.05);
      }
      let worst = 0;
      for (let i = 0; i < params.length; i++) {
        const step = c.step ?? 1e-2;
        const plus = params.slice();
        plus[i] += step;
        model.setParameters(plus);
        const up = model.computeGradients(x, y).loss;
        const minus = params.slice();
        minus[i] -= step;
        model.setParameters(minus);
        const down = model.computeGradients(x, y).loss;
        worst = Math.max(worst, Math.abs((up - down) / (2 * step) - gradients[i]));
      }
      model.setParameters(params);
      expect(worst / scale).toBeLessThan(2e-3);
      model.dispose();
    });
  }
});

// ---- trained quality ----

/** y_t = 0.5·y_{t−1} − 0.3·tanh(y_{t−2}) + 0.8·x_{t−1}, x ~ U(−1, 1); measured with noise U(−noise, noise). */
function knownSystem(T: number, seed: number, noise = 0): { x: Float64Array; y: Float64Array; measured: Float64Array } {
  const random = new Random(seed, 1);
  const x = Float64Array.from({ length: T }, () => random.range(-1, 1));
  const y = new Float64Array(T);
  for (let t = 2; t < T; t++) y[t] = 0.5 * y[t - 1] - 0.3 * Math.tanh(y[t - 2]) + 0.8 * x[t - 1];
  const measured = Float64Array.from(y, (v) => v + noise * random.range(-1, 1));
  return { x, y, measured };
}

/** The worst and the mean RMSE of 50-step closed-loop runs against the noise-free outputs, from six starts. */
function closedLoopError(model: NARX, test: { x: Float64Array; y: Float64Array }): { worst: number; mean: number } {
  let worst = 0;
  let sum = 0;
  const starts = [10, 50, 90, 130, 170, 210];
  for (const start of starts) {
    const sim = model.simulate(test.x.subarray(0, start + 50), { initial: test.y.subarray(0, start) });
    const e = rmse(sim.data, test.y.subarray(start, start + 50));
    worst = Math.max(worst, e);
    sum += e;
  }
  return { worst, mean: sum / starts.length };
}

describe('trained quality', () => {
  it('NARMA-10, open loop: NARX beats a least-squares ARX(10) on the same split', async () => {
    const { inputs, targets } = narma10(2000, 1);
    const u = inputs.subarray(50); // past the start-up transient
    const y = targets.subarray(50);
    const split = 1450;
    const taps = { inputDelays: 10, feedbackDelays: 10 };
    const train = delayWindows(y.subarray(0, split), u.subarray(0, split), taps);
    const test = delayWindows(y.subarray(split), u.subarray(split), taps);
    const F = train.inputs.shape[1];
    const w = leastSquares(train.inputs.data, train.targets.data, train.inputs.shape[0], F);
    const arx = nrmse(applyLinear(test.inputs.data, w, test.inputs.shape[0], F), test.targets.data);
    const model = new NARX({ ...taps, hidden: [20], seed: 3 });
    model.compile({ loss: 'mse', optimizer: { type: 'adam', learningRate: 0.01 } });
    await model.fit(u.subarray(0, split), y.subarray(0, split), { epochs: 60, batchSize: 32 });
    const narx = nrmse(model.predict(u.subarray(split), y.subarray(split)).data, test.targets.data);
    console.log(`NARMA-10 one-step test NRMSE: ARX(10) ${arx.toFixed(3)}, NARX ${narx.toFixed(3)}`);
    expect(arx).toBeGreaterThan(0.25); // the product u(t)·u(t−9) is beyond a linear model
    expect(arx).toBeLessThan(0.45);
    expect(narx).toBeLessThan(0.6 * arx);
    model.dispose();
  });

  it('a known NARX system trained in open loop stays within 0.05 RMSE over 50 closed-loop steps', async () => {
    const train = knownSystem(1000, 1);
    const test = knownSystem(300, 2);
    const model = new NARX({ inputDelays: [1], feedbackDelays: [1, 2], hidden: [8], seed: 1 });
    model.compile({ loss: 'mse', optimizer: { type: 'adam', learningRate: 0.01 } });
    await model.fit(train.x, train.y, { epochs: 40 });
    const { worst } = closedLoopError(model, test);
    const rms = Math.sqrt(test.y.reduce((s, v) => s + v * v, 0) / test.y.length);
    console.log(`known NARX system: worst 50-step closed-loop RMSE ${worst.toFixed(4)} (series RMS ${rms.toFixed(2)})`);
    expect(rms).toBeGreaterThan(0.4);
    expect(worst).toBeLessThan(0.05); // measured 0.021: under 10% of the series' RMS
    model.dispose();
  });

  it('closeLoop() fine-tuning lowers the closed-loop error (noisy measurements), more than the same epochs in open loop', async () => {
    const train = knownSystem(1000, 1, 0.3);
    const test = knownSystem(300, 2);
    const model = new NARX({ inputDelays: [1], feedbackDelays: [1, 2], hidden: [8], seed: 1 });
    model.compile({ loss: 'mse', optimizer: { type: 'adam', learningRate: 0.01 } });
    await model.fit(train.x, train.measured, { epochs: 40 });
    const before = closedLoopError(model, test).mean;
    const saved = JSON.stringify(model.toJSON());
    // The same 5 epochs, from the same weights, in each loop.
    const open = NARX.fromJSON(saved);
    open.compile({ loss: 'mse', optimizer: { type: 'adam', learningRate: 0.003 } });
    await open.fit(train.x, train.measured, { epochs: 5 });
    const openAfter = closedLoopError(open, test).mean;
    model.closeLoop({ horizon: 20 });
    expect(model.loop).toBe('closed');
    model.compile({ loss: 'mse', optimizer: { type: 'adam', learningRate: 0.003 } });
    const history = await model.fit(train.x, train.measured, { epochs: 5 });
    const after = closedLoopError(model, test).mean;
    console.log(`closed-loop RMSE with noisy training data: ${before.toFixed(4)} after open loop; 5 more epochs open ${openAfter.toFixed(4)}, closed ${after.toFixed(4)}`);
    expect(history.loss[4]).toBeLessThan(history.loss[0]);
    expect(after).toBeLessThan(0.7 * before);
    expect(after).toBeLessThan(0.85 * openAfter);
    model.dispose();
    open.dispose();
  });
});

describe('saving, loading, errors', () => {
  it('toJSON/fromJSON: the same outputs bit for bit, the loop mode kept, training resumes exactly', async () => {
    const model = new NARX({ inputDelays: [0, 1], feedbackDelays: [1, 2], inputSize: 2, hidden: [5], activation: 'relu', seed: 6 });
    model.compile({ loss: 'mse', optimizer: { type: 'adam', learningRate: 0.01 }, clipNorm: 1 });
    const x = series(40, 2, 41);
    const y = randomFloat32(40, 42, -0.5, 0.5);
    await model.fit(x, y, { epochs: 2, batchSize: 8 });
    model.closeLoop({ horizon: 10, stride: 4 });
    const json = JSON.parse(JSON.stringify(model.toJSON())) as ReturnType<NARX['toJSON']>;
    expect(json.format).toBe('rnn-wasm/narx');
    expect(json.loop).toBe('closed');
    expect(json.horizon).toBe(10);
    const again = NARX.fromJSON(json);
    expect(again.loop).toBe('closed');
    expect(again.closedLoopWindows).toEqual({ horizon: 10, stride: 4 });
    expect(again.epochsTrained).toBe(2);
    expectSameBits('parameters', again.getParameters(), model.getParameters());
    expectSameBits('predict', again.predict(x, y).data, model.predict(x, y).data);
    const init = { initial: y.subarray(0, 5), steps: 30 };
    expectSameBits('simulate', again.simulate(x, init).data, model.simulate(x, init).data);
    await model.fit(x, y, { epochs: 1, batchSize: 4 });
    await again.fit(x, y, { epochs: 1, batchSize: 4 });
    expectSameBits('after one more closed-loop epoch each', again.getParameters(), model.getParameters());
    // An open-loop model saves no window fields.
    model.openLoop();
    const open = model.toJSON();
    expect(open.loop).toBe('open');
    expect('horizon' in open).toBe(false);
    // Corrupted files are refused whole.
    expect(thrown(() => NARX.fromJSON({ ...json, loop: 'sideways' })).message).toBe("NARX.fromJSON: loop must be one of 'open', 'closed', got \"sideways\"");
    expect(thrown(() => NARX.fromJSON({ ...json, hidden: [5, 5] })).message).toBe('NARX.fromJSON: layers has 2 entries but hidden [5, 5] needs 3 (the hidden layers and the output layer)');
    expect(thrown(() => NARX.fromJSON({ ...json, feedbackDelays: [1, 1] })).message).toBe('NARX.fromJSON: options.feedbackDelays must be strictly increasing, got [1, 1] (options.feedbackDelays[1] = 1 after 1)');
    expect(thrown(() => NARX.fromJSON({ ...open, horizon: 3 })).message).toBe("NARX.fromJSON: horizon and stride are closed-loop fields, but loop is 'open'");
    expect(thrown(() => NARX.fromJSON({ ...json, inputDelays: [0, 1, 2] })).message).toMatch(/^NARX\.fromJSON: layers\[0\]\.weights: Dense\.setWeights: /);
    model.dispose();
    again.dispose();
  });

  it('validation: validationSplit holds out the last windows, validationData is { x, y } (x null for a series alone)', async () => {
    const nar = new NARX({ inputDelays: 0, feedbackDelays: 2, hidden: [4], seed: 3 });
    nar.compile({ loss: 'mse', optimizer: { type: 'adam', learningRate: 0.01 } });
    const y = Float32Array.from({ length: 60 }, (_, t) => Math.sin(t / 3));
    nar.closeLoop({ horizon: 5, stride: 5 }); // 58 steps after the lost 2: 11 windows, the last 2 held out
    const split = await nar.fit(null, y, { epochs: 2, validationSplit: 0.2, shuffle: false });
    const held = nar.evaluate(null, y.subarray(45)); // windows starting at 47 and 52, after 2 lost steps of the slice
    expect(split.valLoss[1]).toBeCloseTo(held.loss, 6);
    const given = await nar.fit(null, y.subarray(0, 40), { epochs: 1, validationData: { x: null, y: y.subarray(40) } });
    expect(given.valLoss[0]).toBeCloseTo(nar.evaluate(null, y.subarray(40)).loss, 6);
    nar.dispose();
  });

  it('clear errors, and a failed call changes nothing', () => {
    const t = (fn: () => unknown) => thrown(fn);
    expect(t(() => new NARX({ hidden: 10 as never }))).toEqual({ type: 'TypeError', message: 'NARX: options.hidden must be an array of unit counts (e.g. [10]), got 10' });
    expect(t(() => new NARX({ hidden: [0] }))).toEqual({ type: 'RangeError', message: 'NARX: options.hidden[0] must be ≥ 1, got 0' });
    expect(t(() => new NARX({ activation: 'softmax' as never }))).toEqual({ type: 'RangeError', message: "NARX: options.activation must be one of 'tanh', 'relu', 'sigmoid', 'linear', got \"softmax\"" });
    expect(t(() => new NARX({ inputDelays: [], feedbackDelays: 0 }))).toEqual({ type: 'RangeError', message: 'NARX: no taps: options.inputDelays and options.feedbackDelays are both empty' });
    expect(t(() => new NARX({ inputDelays: 0, inputSize: 2 }))).toEqual({ type: 'RangeError', message: 'NARX: options.inputSize is 2 but there are no input taps (options.inputDelays is empty); omit it for a model of the series alone' });
    expect(t(() => new NARX({ lags: 2 } as never))).toEqual({ type: 'RangeError', message: "NARX: unknown option 'lags' (known: inputDelays, feedbackDelays, inputSize, outputSize, hidden, activation, outputActivation, seed, backend)" });
    const model = new NARX({ inputDelays: [0, 1], feedbackDelays: [1, 2, 3], outputSize: 2, hidden: [3], seed: 1 });
    expect(t(() => model.compile({ loss: 'crossEntropy' }))).toEqual({ type: 'RangeError', message: "NARX.compile: options.loss must be 'mse' for a NARX (it regresses the series' next value), got 'crossEntropy'" });
    const x = randomFloat32(10, 1);
    const y = series(10, 2, 2);
    expect(t(() => model.predict(x, randomFloat32(10, 3)))).toEqual({ type: 'RangeError', message: 'NARX.predict: y is one channel (a flat array of 10 values) but the model has 2 channels there; give [T][2] arrays or { data, shape: [T, 2] }' });
    expect(t(() => model.predict(x.subarray(0, 9), y))).toEqual({ type: 'RangeError', message: 'NARX.predict: x has 9 time steps but y has 10; they must be aligned step for step' });
    expect(t(() => model.predict(null, y))).toEqual({ type: 'TypeError', message: 'NARX.predict: x (the exogenous series) is missing; the model has input taps [0, 1]' });
    expect(t(() => model.predict(x.subarray(0, 3), series(3, 2, 4)))).toEqual({ type: 'RangeError', message: 'NARX.predict: y has 3 steps, which leaves none after the 3 the taps need (the largest delay); give at least 4' });
    expect(t(() => model.simulate(x, { initial: series(2, 2, 5) }))).toEqual({ type: 'RangeError', message: 'NARX.simulate: options.initial has 2 steps but the model needs at least 3 (its largest delay) before the first simulated step' });
    expect(t(() => model.simulate(x, { initial: series(4, 2, 5), steps: 7 }))).toEqual({ type: 'RangeError', message: 'NARX.simulate: x has 10 steps but 7 steps after 4 initial ones read x up to step 10 (needs at least 11)' });
    expect(t(() => model.simulate(x, { initial: series(10, 2, 5) }))).toEqual({ type: 'RangeError', message: 'NARX.simulate: x has 10 steps, none after the 10 initial ones; give options.steps, or x beyond the initial steps' });
    expect(t(() => model.simulate(x, {} as never))).toEqual({ type: 'TypeError', message: 'NARX.simulate: options.initial is missing (the true outputs y_0 … y_{L−1} before the run, L ≥ 3)' });
    expect(t(() => model.closeLoop({ horizon: 0 }))).toEqual({ type: 'RangeError', message: 'NARX.closeLoop: options.horizon must be ≥ 1, got 0' });
    expect(model.loop).toBe('open'); // unchanged by the failed call
    model.compile({ loss: 'mse' });
    model.closeLoop({ horizon: 8 });
    expect(t(() => model.evaluate(x, y))).toEqual({ type: 'RangeError', message: "NARX.evaluate: closed-loop windows of 8 steps (closeLoop's horizon) need at least 11 steps of y (3 before the first window), got 10" });
    const before = model.getParameters();
    const withNaN = y.data.slice();
    withNaN[5] = NaN;
    expect(t(() => model.computeGradients(x, { data: withNaN, shape: [10, 2] }))).toEqual({ type: 'RangeError', message: 'NARX.computeGradients: y holds NaN at [2][1]; inputs must be finite' });
    expectSameBits('unchanged', model.getParameters(), before);
    const nar = new NARX({ inputDelays: 0, feedbackDelays: 2, hidden: [], seed: 1 });
    expect(t(() => nar.simulate(x, { initial: [1, 2] }))).toEqual({ type: 'RangeError', message: 'NARX.simulate: x must be null: the model has no input taps (options.inputDelays is empty), got Float32Array(10)' });
    expect(t(() => nar.simulate(null, { initial: [1, 2] }))).toEqual({ type: 'TypeError', message: 'NARX.simulate: options.steps is missing (the model has no input taps, so x cannot say how far to run)' });
    model.dispose();
    nar.dispose();
    expect(t(() => model.predict(x, y))).toEqual({ type: 'Error', message: 'NARX.predict: this model was disposed' });
    expect(backend.disposed).toBe(false);
  });
});
