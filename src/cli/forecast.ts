// `rnn-wasm forecast data.csv --target COL …`: read, split in time order, scale on the
// training part, train a network, compare it on the test part with persistence and a
// linear autoregressive model, write the forecasts (CSV), a report (HTML) and the model (JSON).
import { basename, join, resolve } from 'node:path';
import { nrmse, rmse } from '../index.js';
import { csvLine, numericColumns, readCsv } from './csv.js';
import { CliError } from './errors.js';
import { checkWritable, writeFilesAtomically } from './files.js';
import { num, ratio, textTable } from './format.js';
import { applyLinear, fitLinear } from './linear.js';
import { trainEsn, trainRecurrent, type ModelKind, type Problem } from './networks.js';
import type { ForecastOptions, ForecastResult, Score } from './results.js';
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
  scaler: Scaler;
  trainedOn: { file: string; rows: number; trainEnd: number; validEnd: number };
  network: unknown;
}

export const SAVED_FORMAT = 'rnn-wasm/forecast';

export async function forecast(o: ForecastOptions, log: (line: string) => void): Promise<ForecastResult> {
  const table = readCsv(o.file, o.delimiter);
  const inputs = [o.target, ...o.features.filter((f) => f !== o.target)];
  const columns = numericColumns(table, inputs);
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
  const problem: Problem = { scaled, T, F, lookback: L, horizon: h, trainEnd, validEnd, windows };

  // Baselines on the same windows. Linear AR: least squares on the training windows.
  const p = L * F;
  const trainWindows = trainEnd - L - h + 1;
  const trainTargets = new Float64Array(trainWindows);
  for (let i = 0; i < trainWindows; i++) trainTargets[i] = scaled[(i + L - 1 + h) * F];
  const weights = fitLinear(windows.data, trainTargets, trainWindows, p);

  log(`${basename(o.file)}: ${T} rows; inputs ${inputs.join(', ')}; forecasting ${o.target} ${h} step${h === 1 ? '' : 's'} ahead from the last ${L}`);
  const trained = o.model === 'esn' ? await trainEsn(problem, o) : await trainRecurrent(o.model, problem, o);
  log(trained.summary);

  const unscale = (v: number): number => v * scaler.std[0] + scaler.mean[0];
  const rows: ForecastResult['rows'] = [];
  for (let i = 0; i < N; i++) {
    const origin = i + L - 1;
    const target = origin + h;
    rows.push({
      target,
      origin,
      part: partOf(target, T, { trainEnd, validEnd }),
      actual: target < T ? targetColumn[target] : NaN,
      model: unscale(trained.forecasts[i]),
      persistence: targetColumn[origin],
      linear: unscale(applyLinear(weights, windows.data, i, p)),
    });
  }
  const scores = (part: Part): Score[] => {
    const chosen = rows.filter((r) => r.part === part);
    const actual = chosen.map((r) => r.actual);
    const score = (name: string, key: 'model' | 'persistence' | 'linear'): Score => {
      const predicted = chosen.map((r) => r[key]);
      let n = NaN;
      try {
        n = nrmse(predicted, actual);
      } catch {
        // the actual values are constant: NRMSE is undefined
      }
      return { name, rmse: rmse(predicted, actual), nrmse: n };
    };
    return [score(trained.label, 'model'), score(`linear AR (${L}×${F} inputs)`, 'linear'), score('persistence (last value)', 'persistence')];
  };
  const test = scores('test');
  const validation = scores('validation');
  const counts = {
    train: rows.filter((r) => r.part === 'train').length,
    validation: rows.filter((r) => r.part === 'validation').length,
    test: rows.filter((r) => r.part === 'test').length,
    future: rows.filter((r) => r.part === 'future').length,
  };
  const firstTest = rows.find((r) => r.part === 'test')!.target;
  const persistence = test[2].rmse;
  const text =
    `Test: ${counts.test} forecasts of ${o.target}, rows ${firstTest + 1}–${T} (trained on rows 1–${trainEnd}, validated on ${trainEnd + 1}–${validEnd})\n` +
    textTable(
      [['model', 'RMSE', 'NRMSE', 'RMSE ÷ persistence'], ...test.map((s) => [s.name, num(s.rmse), num(s.nrmse), ratio(s.rmse, persistence)])],
      [false, true, true, true],
    );

  const saved: SavedForecaster = {
    format: SAVED_FORMAT,
    version: 1,
    model: o.model,
    target: o.target,
    inputs,
    lookback: L,
    horizon: h,
    scaler,
    trainedOn: { file: basename(o.file), rows: T, trainEnd, validEnd },
    network: trained.json,
  };
  const modelColumn = o.model;
  let csv = csvLine(['row', 'origin_row', 'part', 'actual', modelColumn, 'persistence', 'linear_ar']);
  for (const r of rows) csv += csvLine([r.target + 1, r.origin + 1, r.part, Number.isNaN(r.actual) ? '' : r.actual, r.model, r.persistence, r.linear]);
  const result: ForecastResult = { options: o, inputs, T, trainEnd, validEnd, counts, trained, rows, test, validation, table: text, files, series: targetColumn };
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
