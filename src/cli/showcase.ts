// `rnn-wasm showcase` (what `npm start` runs): two series the project generates itself,
// each forecast by an ESN, an LSTM, an AR model (order by AIC) and a NARX through the forecast
// command, with the tables printed and the reports' paths at the end.
import { join, relative, resolve } from 'node:path';
import type { Io } from './io.js';
import { writeFilesAtomically } from './files.js';
import { forecast, type ForecastResult } from './forecast.js';
import { ratio, textTable } from './format.js';
import { forecastOptions } from './options.js';
import { mackeyGlassCsv, marketCsv } from './synthetic.js';

export async function showcase(o: { out: string; quick: boolean }, io: Io): Promise<void> {
  const dir = resolve(o.out);
  const shown = (path: string): string => relative(process.cwd(), path) || '.';
  const mg = join(dir, 'mackey-glass.csv');
  const market = join(dir, 'market.csv');
  writeFilesAtomically([
    { path: mg, content: mackeyGlassCsv(o.quick ? 400 : 2000) },
    { path: market, content: marketCsv(o.quick ? 400 : 1500) },
  ]);
  io.stdout(`Generated ${shown(mg)} (Mackey–Glass, τ = 17) and ${shown(market)} (a made-up daily OHLCV series).\n`);
  const runs: { title: string; file: string; args: string[] }[] = [];
  const quick = (model: string): string[] => (!o.quick || model === 'ar' ? [] : model === 'esn' ? ['--units', '50'] : ['--epochs', '3', '--units', '8']);
  const models = ['esn', 'lstm', 'ar', 'narx'];
  for (const model of models) {
    runs.push({
      title: `Mackey–Glass, ${model.toUpperCase()}, 5 steps ahead`,
      file: mg,
      args: [shown(mg), '--target', 'value', '--lookback', '20', '--horizon', '5', '--model', model, '--out', shown(join(dir, `mackey-glass-${model}`)), ...quick(model)],
    });
  }
  for (const model of models) {
    runs.push({
      title: `Market-like series, ${model.toUpperCase()}, next day's Close`,
      file: market,
      args: [shown(market), '--target', 'Close', '--features', 'Open,High,Low,Volume', '--lookback', '20', '--horizon', '1', '--model', model, '--out', shown(join(dir, `market-${model}`)), ...quick(model)],
    });
  }
  const results: { title: string; result: ForecastResult }[] = [];
  for (const run of runs) {
    io.stdout(`\n== ${run.title}\n$ rnn-wasm forecast ${run.args.join(' ')}\n`);
    const options = forecastOptions(run.args);
    const result = await forecast(options, (line) => io.stderr(line + '\n'));
    io.stdout(`${result.table}\nreport: ${shown(result.files.report)}\n`);
    results.push({ title: run.title, result });
  }
  const summary = textTable(
    [
      ['series', 'model', 'RMSE ÷ persistence', 'RMSE ÷ AR', 'training s', 'report'],
      ...results.map(({ result }) => {
        const score = (key: string): number => result.test.find((s) => s.key === key)?.rmse ?? NaN;
        const model = score('model');
        return [
          result.options.target === 'value' ? 'Mackey–Glass' : 'market Close',
          result.trained.label,
          ratio(model, score('persistence')),
          result.options.model === 'ar' ? '—' : ratio(model, score('linear_ar')),
          result.trained.seconds.toFixed(1),
          shown(result.files.report),
        ];
      }),
    ],
    [false, false, true, true, true, false],
  );
  io.stdout(`\n== Summary (test part; below 1 means the model's error is smaller)\n${summary}\n\nOpen a report in a browser, e.g. file://${results[0].result.files.report}\n`);
}
