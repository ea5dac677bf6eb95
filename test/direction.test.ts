// Direction (up/down): lookbackWindows on every kind of series (the library's own
// mackeyGlass Float64Array included) and its direction labels; directionMetrics and
// directionBaselines on known cases; a small GRU classifier that beats both baselines on
// OHLCV-like windows whose next move is readable from the volume.
import { beforeAll, describe, expect, it } from 'vitest';
import { init } from '../src/engine/init.js';
import { mackeyGlass } from '../src/esn/data.js';
import { directionBaselines, directionMetrics } from '../src/forecast/direction.js';
import { Dense } from '../src/layers/dense.js';
import { GRU } from '../src/layers/gru.js';
import { Sequential } from '../src/models/sequential.js';
import { lookbackWindows } from '../src/models/windows.js';
import { thrown } from './helpers/compare.js';
import { makeRandom } from './helpers/random.js';

describe('lookbackWindows', () => {
  it('labels directions: closes 10, 11, 10, 9, 12 → up, down, down, up; an unchanged value is down', () => {
    const { x, y } = lookbackWindows([10, 11, 10, 9, 12], { lookback: 1, labels: 'direction' });
    expect(y.shape).toEqual([4]);
    expect(Array.from(y.data)).toEqual([1, 0, 0, 1]);
    expect(Array.from(x.data)).toEqual([10, 11, 10, 9]);
    // Longer windows compare the target ahead with the window's last value; horizon 2 looks two ahead.
    expect(Array.from(lookbackWindows([10, 11, 10, 9, 12], { lookback: 2, labels: 'direction' }).y.data)).toEqual([0, 0, 1]);
    expect(Array.from(lookbackWindows([10, 11, 10, 9, 12], { lookback: 1, horizon: 2, labels: 'direction' }).y.data)).toEqual([0, 0, 1]);
    expect(Array.from(lookbackWindows([5, 5, 6, 6], { lookback: 1, labels: 'direction' }).y.data)).toEqual([0, 1, 0]);
    // Rows of OHLC-like features: the target column decides (Close = feature 3).
    const rows = [[1, 2, 0, 10], [1, 2, 0, 11], [9, 9, 9, 10], [0, 0, 0, 9], [5, 5, 5, 12]];
    expect(Array.from(lookbackWindows(rows, { lookback: 1, target: 3, labels: 'direction' }).y.data)).toEqual([1, 0, 0, 1]);
    // Compared in the input's precision: 1 + 1e-12 is up even though float32 rounds it to 1.
    expect(Array.from(lookbackWindows([1, 1 + 1e-12], { lookback: 1, labels: 'direction' }).y.data)).toEqual([1]);
  });

  it("accepts the library's mackeyGlass (Float64Array), Float32Array, rows of typed arrays and { data, shape }: the same windows", () => {
    const series = mackeyGlass(40, { discard: 100 });
    const fromArray = lookbackWindows(Array.from(series), { lookback: 5, horizon: 2 });
    for (const input of [series, Float32Array.from(series), { data: series, shape: [40] }, { data: series, shape: [40, 1] }, Array.from(series, (v) => Float64Array.of(v))]) {
      const w = lookbackWindows(input, { lookback: 5, horizon: 2 });
      expect(w.x.shape).toEqual([34, 5, 1]);
      expect(w.x.data).toEqual(fromArray.x.data);
      if (input instanceof Float32Array) continue; // targets rounded from f32 values: the same f32s here
      expect(w.y.data).toEqual(fromArray.y.data);
    }
    const two = lookbackWindows({ data: Float64Array.from({ length: 10 }, (_, k) => k), shape: [5, 2] }, { lookback: 2, target: 1 });
    expect(Array.from(two.x.data)).toEqual([0, 1, 2, 3, 2, 3, 4, 5, 4, 5, 6, 7]);
    expect(Array.from(two.y.data)).toEqual([5, 7, 9]);
  });

  it('refuses bad series and options with a message naming them', () => {
    const cases: [() => unknown, string, string][] = [
      [() => lookbackWindows('abc' as never, { lookback: 1 }), 'TypeError', 'lookbackWindows: series must be numbers (an array or typed array), rows of feature arrays, or { data, shape: [T, F] }, got "abc"'],
      [() => lookbackWindows(Float64Array.of(1, NaN, 3), { lookback: 1 }), 'RangeError', 'lookbackWindows: series[1] is NaN; values must be finite'],
      [() => lookbackWindows([[1, 2], [3]], { lookback: 1 }), 'TypeError', 'lookbackWindows: series[1] must be an array of 2 numbers, got Array(1)'],
      [() => lookbackWindows({ data: [1, 2, 3], shape: [2, 2] }, { lookback: 1 }), 'RangeError', 'lookbackWindows: series.data has 3 values but shape [2, 2] needs 4'],
      [() => lookbackWindows([1, 2, 3], { lookback: 1, labels: 'sign' as 'value' }), 'RangeError', "lookbackWindows: options.labels must be one of 'value', 'direction', got \"sign\""],
      [() => lookbackWindows([1, 2, 3], { lookback: 1, step: 2 } as never), 'RangeError', "lookbackWindows: unknown option 'step' (known: lookback, horizon, target, labels)"],
      [() => lookbackWindows([1, 2], { lookback: 2 }), 'RangeError', 'lookbackWindows: a series of 2 steps is too short for lookback 2 and horizon 1 (needs at least 3)'],
    ];
    for (const [fn, type, message] of cases) expect(thrown(fn)).toEqual({ type, message });
  });
});

describe('directionMetrics and directionBaselines', () => {
  it('counts a known case: accuracy, balanced accuracy, confusion[actual][predicted], recall', () => {
    const actual = [1, 1, 1, 1, 1, 1, 0, 0, 0, 0];
    const predicted = [1, 1, 1, 1, 1, 0, 1, 1, 0, 0];
    const m = directionMetrics(predicted, actual);
    expect(m.confusion).toEqual([[2, 2], [1, 5]]);
    expect(m.accuracy).toBe(0.7);
    expect(m.recall).toEqual([0.5, 5 / 6]);
    expect(m.balancedAccuracy).toBeCloseTo((0.5 + 5 / 6) / 2, 15);
    // Always "up" scores the share of ups in accuracy but only 0.5 in balanced accuracy.
    expect(directionMetrics(new Array(10).fill(1), actual)).toMatchObject({ accuracy: 0.6, balancedAccuracy: 0.5 });
    // A class absent from `actual` is left out of the balanced mean.
    expect(directionMetrics([1, 0], [1, 1])).toMatchObject({ accuracy: 0.5, balancedAccuracy: 0.5, recall: [NaN, 0.5] });
  });

  it('baselines: the majority class of the training labels (a tie is down) and the last step of each window', () => {
    const { x } = lookbackWindows([10, 11, 10, 9, 12, 12, 13], { lookback: 2, labels: 'direction' });
    const b = directionBaselines(x, { trainLabels: [1, 1, 0] });
    expect(b.majorityClass).toBe(1);
    expect(b.majority).toEqual([1, 1, 1, 1, 1]);
    expect(b.lastStep).toEqual([1, 0, 0, 1, 0]); // 10→11 up, 11→10 down, 10→9 down, 9→12 up, 12→12 unchanged = down
    expect(directionBaselines(x, { trainLabels: [1, 0] }).majorityClass).toBe(0);
    expect(thrown(() => directionBaselines(lookbackWindows([1, 2, 3], { lookback: 1 }).x, { trainLabels: [1] }))).toEqual({
      type: 'RangeError', message: "directionBaselines: the last step's direction needs windows of at least 2 steps, got lookback 1",
    });
    expect(thrown(() => directionMetrics([1, 2], [1, 0]))).toEqual({ type: 'RangeError', message: 'directionMetrics: predicted[1] must be 0 (down) or 1 (up), got 2' });
    expect(thrown(() => directionMetrics([1], [1, 0]))).toEqual({ type: 'RangeError', message: 'directionMetrics: predicted has 1 labels but actual has 2' });
  });
});

/**
 * Daily Open, High, Low, Close, Volume of a made-up instrument whose next move is up when
 * today's volume is above its median and down otherwise (10 % of days break the rule), with
 * moves of random size: the last step says nothing about the next one, the volume does.
 */
function ohlcv(days: number, seed: number): number[][] {
  const next = makeRandom(seed);
  const rows: number[][] = [];
  let close = 100;
  let volume = 1e6;
  for (let t = 0; t < days; t++) {
    const open = close * (1 + (next() - 0.5) * 0.004);
    const move = 0.002 + 0.01 * next();
    const up = volume > 1e6 !== next() < 0.1;
    close *= up ? 1 + move : 1 - move;
    volume = 1e6 * Math.exp((next() - 0.5) * 1.2);
    rows.push([open, Math.max(open, close) * 1.003, Math.min(open, close) * 0.997, close, volume]);
  }
  return rows;
}

describe('a direction classifier', () => {
  beforeAll(async () => {
    await init();
  });

  it('a small GRU with softmax cross-entropy beats "always the majority" and "same as the last step"', async () => {
    const rows = ohlcv(900, 17);
    // Standardise each column on the training part (the first 600 days) — monotone, so directions are kept.
    const trainDays = 600;
    const mean = [0, 1, 2, 3, 4].map((f) => rows.slice(0, trainDays).reduce((s, r) => s + r[f], 0) / trainDays);
    const std = [0, 1, 2, 3, 4].map((f) => Math.sqrt(rows.slice(0, trainDays).reduce((s, r) => s + (r[f] - mean[f]) ** 2, 0) / trainDays));
    const scaled = rows.map((r) => r.map((v, f) => (v - mean[f]) / std[f]));
    const lookback = 5;
    const { x, y } = lookbackWindows(scaled, { lookback, target: 3, labels: 'direction' });
    const N = y.data.length;
    const nTrain = trainDays - lookback; // windows whose next day is in the training part
    const per = lookback * 5;
    const part = (from: number, to: number) => ({
      x: { data: x.data.slice(from * per, to * per), shape: [to - from, lookback, 5] },
      y: { data: y.data.slice(from, to), shape: [to - from] },
    });
    const train = part(0, nTrain);
    const test = part(nTrain, N);
    const model = new Sequential({ inputSize: 5, seed: 3, layers: [new GRU({ units: 8 }), new Dense({ units: 2, activation: 'softmax' })] });
    try {
      model.compile({ loss: 'crossEntropy', optimizer: { type: 'adam', learningRate: 0.02 } });
      await model.fit(train.x, train.y, { epochs: 15, batchSize: 32, seed: 3 });
      const probabilities = model.predict(test.x).data;
      const predicted = Array.from({ length: test.y.data.length }, (_, i) => (probabilities[2 * i + 1] > probabilities[2 * i] ? 1 : 0));
      const actual = Array.from(test.y.data);
      const ours = directionMetrics(predicted, actual);
      const base = directionBaselines(test.x, { trainLabels: Array.from(train.y.data), target: 3 });
      const majority = directionMetrics(base.majority, actual);
      const lastStep = directionMetrics(base.lastStep, actual);
      // Observed (deterministic): GRU 0.887 accuracy / 0.887 balanced, majority 0.510 / 0.500, last step 0.520 / 0.520.
      expect(ours.accuracy).toBeGreaterThan(0.8);
      expect(ours.accuracy).toBeGreaterThan(majority.accuracy + 0.2);
      expect(ours.accuracy).toBeGreaterThan(lastStep.accuracy + 0.2);
      expect(ours.balancedAccuracy).toBeGreaterThan(Math.max(majority.balancedAccuracy, lastStep.balancedAccuracy) + 0.2);
      expect(ours.count).toBe(N - nTrain);
    } finally {
      model.dispose();
    }
  });
});
