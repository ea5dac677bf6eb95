// `rnn-wasm predict model.json data.csv`: the saved forecaster on new rows. Same columns,
// same scaler, same windows (or, for an ESN, the same driven run from a zero state) as the
// forecast command, so on the file it was trained on it gives the forecast.csv values.
import { basename } from 'node:path';
import { AR, rmse } from '../index.js';
import { arOutputs } from './ar.js';
import { csvLine, numericColumns, readCsv, readText } from './csv.js';
import { CliError } from './errors.js';
import { checkWritable, writeFilesAtomically } from './files.js';
import { num } from './format.js';
import { readDates } from './dates.js';
import { MODEL_KINDS, directionAt, forecastWith } from './networks.js';
import { SAVED_FORMAT, type SavedForecaster } from './forecast.js';
import { allWindows, scaleColumns } from './series.js';

export interface PredictOptions {
  modelFile: string;
  dataFile: string;
  /** Where to write the CSV; null: standard output. */
  out: string | null;
  delimiter: string;
}

export function readForecaster(file: string): SavedForecaster {
  const text = readText(file);
  let json: SavedForecaster;
  try {
    json = JSON.parse(text) as SavedForecaster;
  } catch {
    throw new CliError(`${file}: not JSON, so not a model saved by rnn-wasm forecast`);
  }
  const bad = (what: string): never => {
    throw new CliError(`${file}: not a model saved by rnn-wasm forecast (${what})`);
  };
  if (json === null || typeof json !== 'object' || json.format !== SAVED_FORMAT) bad(`format is not "${SAVED_FORMAT}"`);
  if (json.version !== 1) bad(`version ${JSON.stringify(json.version)}; this rnn-wasm reads version 1`);
  if (!MODEL_KINDS.includes(json.model)) bad(`unknown model ${JSON.stringify(json.model)}`);
  if (json.task !== undefined && json.task !== 'value' && json.task !== 'direction') bad(`unknown task ${JSON.stringify(json.task)}`);
  if (json.strategy !== undefined && json.strategy !== 'direct' && json.strategy !== 'recursive') bad(`unknown strategy ${JSON.stringify(json.strategy)}`);
  if (json.date !== undefined && json.date !== null && typeof json.date !== 'string') bad('date must be a column name or null');
  if (!Array.isArray(json.inputs) || json.inputs.length === 0 || !json.inputs.every((s) => typeof s === 'string')) bad('inputs must be a list of column names');
  for (const key of ['lookback', 'horizon'] as const) if (!Number.isInteger(json[key]) || json[key] < 1) bad(`${key} must be a positive integer`);
  const F = json.inputs.length;
  const finiteList = (v: unknown): boolean => Array.isArray(v) && v.length === F && v.every((x) => typeof x === 'number' && Number.isFinite(x));
  if (!json.scaler || !finiteList(json.scaler.mean) || !finiteList(json.scaler.std) || json.scaler.std.some((s) => !(s > 0))) bad(`scaler must hold ${F} means and ${F} positive standard deviations`);
  if (json.network === null || typeof json.network !== 'object') bad('network is missing');
  return json;
}

export function predict(o: PredictOptions, log: (line: string) => void): { csv: string; count: number } {
  const saved = readForecaster(o.modelFile);
  const table = readCsv(o.dataFile, o.delimiter);
  const columns = numericColumns(table, saved.inputs);
  const T = table.rows.length;
  const L = saved.lookback;
  const h = saved.horizon;
  if (T < L) throw new CliError(`${o.dataFile}: ${T} data row${T === 1 ? '' : 's'} are too few for this model's lookback of ${L} (needs at least ${L})`);
  if (o.out) checkWritable([o.out]);
  const scaled = scaleColumns(columns, saved.scaler, { file: o.dataFile, names: saved.inputs });
  const F = saved.inputs.length;
  const windows = allWindows(scaled, T, F, L);
  const task = saved.task ?? 'value';
  const strategy = saved.strategy ?? 'direct';
  const dates = saved.date ? readDates(table, saved.date) : null;
  const problem = { scaled, T, F, lookback: L, windows, task, strategy, horizon: h };
  let forecasts: Float64Array;
  try {
    forecasts = saved.model === 'ar' ? arOutputs(AR.fromJSON(saved.network), problem) : forecastWith(saved.model, saved.network, problem);
  } catch (error) {
    throw new CliError(`${o.modelFile}: the saved network cannot be loaded (${(error as Error).message})`);
  }
  const unscale = (v: number): number => v * saved.scaler.std[0] + saved.scaler.mean[0];
  const target = columns[0];
  const dateColumn = dates ? ['date'] : [];
  let csv = csvLine(['row', ...dateColumn, 'origin_row', 'actual', saved.model, ...(task === 'direction' ? ['p_up'] : [])]);
  const actual: number[] = [];
  const predicted: number[] = [];
  forecasts.forEach((v, i) => {
    const origin = i + L - 1;
    const row = origin + h;
    const date = dates ? [row < T ? dates.values[row] : ''] : [];
    if (task === 'direction') {
      const label = directionAt(target, origin, h);
      const predictedClass = Number.isNaN(v) ? NaN : v > 0.5 ? 1 : 0;
      if (row < T) {
        actual.push(label);
        predicted.push(predictedClass);
      }
      csv += csvLine([row + 1, ...date, origin + 1, row < T ? label : '', Number.isNaN(predictedClass) ? '' : predictedClass, Number.isNaN(v) ? '' : v]);
      return;
    }
    const value = unscale(v);
    if (row < T) {
      actual.push(target[row]);
      predicted.push(value);
    }
    csv += csvLine([row + 1, ...date, origin + 1, row < T ? target[row] : '', value]);
  });
  const right = predicted.filter((c, k) => c === actual[k]).length;
  const score = !actual.length ? '' : task === 'direction' ? `; accuracy ${(right / actual.length).toFixed(3)} over the ${actual.length} whose direction is in the file` : `; RMSE ${num(rmse(predicted, actual))} over the ${actual.length} whose actual value is in the file`;
  log(`${basename(o.dataFile)}: ${forecasts.length} ${task === 'direction' ? 'directions' : 'forecasts'} of ${saved.target} ${h} step${h === 1 ? '' : 's'} ahead with the ${saved.model.toUpperCase()} of ${basename(o.modelFile)}${score}`);
  if (o.out) writeFilesAtomically([{ path: o.out, content: csv }]);
  return { csv, count: forecasts.length };
}
