// `rnn-wasm forecast data.csv --target COL …`: read, split in time order, scale on the
// training part, train a model, compare it on the test part with baselines, write the
// forecasts (CSV), a report (HTML) and the model (JSON).
//   --task value      the target's value; baselines persistence and the AR model (lib AR, order by AIC)
//   --task direction  up (1) or down/unchanged (0) `horizon` rows ahead; baselines "always the
//                     training majority" and "same direction as the last step"
import { basename, join, resolve } from 'node:path';
import { directionBaselines, directionMetrics, nrmse, rmse } from '../index.js';
import { trainAr } from './ar.js';
import { csvLine, numericColumns, readCsv } from './csv.js';
import { detectDates, nextDates, readDates, type DateColumn } from './dates.js';
import { CliError } from './errors.js';
import { checkWritable, writeFilesAtomically } from './files.js';
import { num, ratio, textTable } from './format.js';
import { directionAt, trainEsn, trainNarx, trainRecurrent, type ModelKind, type Problem } from './networks.js';
import type { DirectionScore, ForecastOptions, ForecastResult, ResultRow, Score, Strategy, Task } from './results.js';
import { renderReport } from './report.js';
import { allWindows, checkEnoughRows, fitScaler, partOf, scaleColumns, type Part, type Scaler } from './series.js';

export type { ForecastOptions, ForecastResult, Score } from './results.js';

/** The saved form that `predict` reads. */
export interface SavedForecaster {
  format: 'rnn-wasm/forecast';
  version: 1;
  model: ModelKind;
  target: string;
  /** Input columns in order; the first is the target. */
  inputs: string[];
  lookback: number;
  horizon: number;
  /** Absent in files of earlier versions: 'value'. */
  task?: Task;
  /** Absent in files of earlier versions: 'direct'. */
  strategy?: Strategy;
  /** The date column, if the data had one. */
  date?: string | null;
  scaler: Scaler;
  trainedOn: { file: string; rows: number; trainEnd: number; validEnd: number };
  network: unknown;
}

export const SAVED_FORMAT = 'rnn-wasm/forecast';

export async function forecast(o: ForecastOptions, log: (line: string) => void): Promise<ForecastResult> {
  const table = readCsv(o.file, o.delimiter);
  const inputs = [o.target, ...o.features.filter((f) => f !== o.target)];
  const columns = numericColumns(table, inputs);
  const dates: DateColumn | null = o.date ? readDates(table, o.date) : detectDates(table, inputs);
  const T = table.rows.length;
  const { trainEnd, validEnd } = checkEnoughRows(o.file, T, o.lookback, o.horizon, o.trainFraction, o.validFraction);
  const scaler = fitScaler(columns, trainEnd, { file: o.file, names: inputs });
  const targetColumn = columns[0];
  if (scaler.std[0] === 1 && isConstant(targetColumn, trainEnd)) {
    throw new CliError(`${o.file}: column "${o.target}" is constant over the training part (rows 1–${trainEnd}); there is nothing to learn`);
  }
  const F = inputs.length;
  const L = o.lookback;
  const h = o.horizon;
  const out = resolve(o.out);
  const files = { forecasts: join(out, 'forecast.csv'), report: join(out, 'report.html'), model: join(out, 'model.json') };
  checkWritable(Object.values(files)); // before training, not after
  const scaled = scaleColumns(columns, scaler, { file: o.file, names: inputs });
  const windows = allWindows(scaled, T, F, L);
  const N = windows.shape[0];
  const problem: Problem = { scaled, T, F, lookback: L, horizon: h, trainEnd, validEnd, windows, task: o.task, strategy: o.strategy, target: targetColumn };

  const what = o.task === 'direction' ? `the direction of ${o.target}` : o.target;
  const how = o.strategy === 'recursive' && h > 1 ? ' (a one-step model, iterated)' : '';
  log(`${basename(o.file)}: ${T} rows; inputs ${inputs.join(', ')}${dates ? `; dates in "${dates.column}"` : ''}; forecasting ${what} ${h} step${h === 1 ? '' : 's'} ahead from the last ${L}${how}`);
  const trained =
    o.model === 'ar' ? trainAr(problem)
    : o.model === 'esn' ? await trainEsn(problem, o)
    : o.model === 'narx' ? await trainNarx(problem, o)
    : await trainRecurrent(o.model, problem, o);
  log(trained.summary);

  const future = dates ? nextDates(dates, h) : [];
  const dateOf = (row: number): string => (!dates ? '' : row < T ? dates.values[row] : future[row - T]);
  const unscale = (v: number): number => v * scaler.std[0] + scaler.mean[0];
  const rows: ResultRow[] = [];
  let baselines: ForecastResult['baselines'];
  if (o.task === 'value') {
    // The AR baseline with the network's strategy (none when AR is the model).
    const ar = o.model === 'ar' ? null : trainAr(problem);
    baselines = [...(ar ? [{ key: 'linear_ar', name: ar.label }] : []), { key: 'persistence', name: 'persistence (last value)' }];
    for (let i = 0; i < N; i++) {
      const origin = i + L - 1;
      const target = origin + h;
      rows.push({
        target, origin, part: partOf(target, T, { trainEnd, validEnd }), date: dateOf(target),
        actual: target < T ? targetColumn[target] : NaN,
        model: unscale(trained.forecasts[i]),
        probability: NaN,
        baselines: [...(ar ? [unscale(ar.forecasts[i])] : []), targetColumn[origin]],
      });
    }
  } else {
    // Baselines from the target itself: the training windows' majority class, and the last step
    // (origin − 1 → origin) of each window, as [N, 2, 1] windows of the target in its own units.
    const labels = Array.from({ length: N }, (_, i) => directionAt(targetColumn, i + L - 1, h));
    const trainLabels = labels.filter((_, i) => i + L - 1 + h < trainEnd);
    const lastTwo = new Float64Array(N * 2);
    for (let i = 0; i < N; i++) {
      const origin = i + L - 1;
      lastTwo[2 * i] = targetColumn[Math.max(0, origin - 1)];
      lastTwo[2 * i + 1] = targetColumn[origin];
    }
    const base = directionBaselines({ data: lastTwo, shape: [N, 2, 1] }, { trainLabels });
    baselines = [
      { key: 'majority', name: `majority class of the training part (${base.majorityClass ? 'up' : 'down'})` },
      { key: 'last_step', name: 'same direction as the last step' },
    ];
    for (let i = 0; i < N; i++) {
      const origin = i + L - 1;
      const target = origin + h;
      const p = trained.forecasts[i];
      rows.push({
        target, origin, part: partOf(target, T, { trainEnd, validEnd }), date: dateOf(target),
        actual: labels[i],
        model: Number.isNaN(p) ? NaN : p > 0.5 ? 1 : 0,
        probability: p,
        baselines: [base.majority[i], base.lastStep[i]],
      });
    }
  }
  const chosen = (part: Part): ResultRow[] => rows.filter((r) => r.part === part);
  const valueScores = (part: Part): Score[] => {
    if (o.task !== 'value') return [];
    const picked = chosen(part);
    const actual = picked.map((r) => r.actual);
    const score = (key: string, name: string, predicted: number[]): Score => {
      let n = NaN;
      try {
        n = nrmse(predicted, actual);
      } catch {
        // the actual values are constant: NRMSE is undefined
      }
      return { key, name, rmse: rmse(predicted, actual), nrmse: n };
    };
    return [score('model', trained.label, picked.map((r) => r.model)), ...baselines.map((b, k) => score(b.key, b.name, picked.map((r) => r.baselines[k])))];
  };
  const directionScores = (part: Part): DirectionScore[] => {
    if (o.task !== 'direction') return [];
    const picked = chosen(part);
    const actual = picked.map((r) => r.actual);
    return [
      { key: 'model', name: trained.label, metrics: directionMetrics(picked.map((r) => r.model), actual) },
      ...baselines.map((b, k) => ({ key: b.key, name: b.name, metrics: directionMetrics(picked.map((r) => r.baselines[k]), actual) })),
    ];
  };
  const test = valueScores('test');
  const validation = valueScores('validation');
  const testDirection = directionScores('test');
  const validationDirection = directionScores('validation');
  const counts = {
    train: chosen('train').length,
    validation: chosen('validation').length,
    test: chosen('test').length,
    future: chosen('future').length,
  };
  const firstTest = rows.find((r) => r.part === 'test')!.target;
  const heading =
    `Test: ${counts.test} ${o.task === 'direction' ? 'directions' : 'forecasts'} of ${o.target}, rows ${firstTest + 1}–${T} ` +
    `(trained on rows 1–${trainEnd}, validated on ${trainEnd + 1}–${validEnd})${dates ? `, dated ${dates.values[firstTest]} – ${dates.values[T - 1]}` : ''}\n`;
  let text: string;
  if (o.task === 'value') {
    const persistence = test.find((s) => s.key === 'persistence')!.rmse;
    text = heading + textTable(
      [['model', 'RMSE', 'NRMSE', 'RMSE ÷ persistence'], ...test.map((s) => [s.name, num(s.rmse), num(s.nrmse), ratio(s.rmse, persistence)])],
      [false, true, true, true],
    );
  } else {
    const m = testDirection[0].metrics;
    text = heading + textTable(
      [['model', 'accuracy', 'balanced accuracy'], ...testDirection.map((s) => [s.name, s.metrics.accuracy.toFixed(3), s.metrics.balancedAccuracy.toFixed(3)])],
      [false, true, true],
    ) + `\n\nConfusion matrix of ${trained.label} on the test part (rows: actual, columns: predicted)\n` + textTable(
      [['', 'down', 'up'], ['down', String(m.confusion[0][0]), String(m.confusion[0][1])], ['up', String(m.confusion[1][0]), String(m.confusion[1][1])]],
      [false, true, true],
    );
  }

  const saved: SavedForecaster = {
    format: SAVED_FORMAT,
    version: 1,
    model: o.model,
    target: o.target,
    inputs,
    lookback: L,
    horizon: h,
    task: o.task,
    strategy: o.strategy,
    date: dates?.column ?? null,
    scaler,
    trainedOn: { file: basename(o.file), rows: T, trainEnd, validEnd },
    network: trained.json,
  };
  const blank = (v: number): number | string => (Number.isNaN(v) ? '' : v);
  const dateColumn = dates ? ['date'] : [];
  let csv: string;
  if (o.task === 'value') {
    // Columns: …, the model's forecast, persistence, linear_ar (when AR is not the model).
    const order = ['persistence', 'linear_ar'].filter((key) => baselines.some((b) => b.key === key));
    const index = order.map((key) => baselines.findIndex((b) => b.key === key));
    csv = csvLine(['row', ...dateColumn, 'origin_row', 'part', 'actual', o.model, ...order]);
    for (const r of rows) csv += csvLine([r.target + 1, ...(dates ? [r.date] : []), r.origin + 1, r.part, blank(r.actual), blank(r.model), ...index.map((k) => blank(r.baselines[k]))]);
  } else {
    csv = csvLine(['row', ...dateColumn, 'origin_row', 'part', 'actual', o.model, 'p_up', ...baselines.map((b) => b.key)]);
    for (const r of rows) csv += csvLine([r.target + 1, ...(dates ? [r.date] : []), r.origin + 1, r.part, blank(r.actual), blank(r.model), blank(r.probability), ...r.baselines]);
  }
  const result: ForecastResult = {
    options: o, inputs, T, trainEnd, validEnd, counts, trained, baselines, rows, test, validation, testDirection, validationDirection,
    table: text, files, series: targetColumn, dates: dates ? { column: dates.column, values: dates.values, next: future } : null,
  };
  writeFilesAtomically([
    { path: files.forecasts, content: csv },
    { path: files.report, content: renderReport(result) },
    { path: files.model, content: JSON.stringify(saved) },
  ]);
  return result;
}

function isConstant(c: Float64Array, rows: number): boolean {
  for (let t = 1; t < rows; t++) if (c[t] !== c[0]) return false;
  return true;
}

