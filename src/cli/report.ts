// The HTML report of a forecast run: one self-contained file (inline CSS and SVG, no
// scripts, no fonts or images from anywhere) that reads well printed or on a phone.
// Value task: errors against persistence and the AR model; direction task: accuracy,
// balanced accuracy and the confusion matrix against the two direction baselines.
import type { DirectionScore, ForecastResult, ResultRow, Score } from './results.js';
import { num, ratio } from './format.js';
import { TCN_KERNEL_SIZE, tcnDilations } from './networks.js';
import { escapeHtml as e, lineChart, type Line } from './svg.js';

const COLORS = { actual: '#222222', model: '#d62728', linear_ar: '#1f77b4', persistence: '#999999', majority: '#999999', last_step: '#1f77b4' } as const;
const DASHES: Record<string, string> = { linear_ar: '6 3', persistence: '2 3', majority: '2 3', last_step: '6 3' };
const BANDS = { train: '#f2f2f2', validation: '#fff6d5', test: '#e3f0fb', future: '#f3e6f7' };

export function renderReport(r: ForecastResult): string {
  const o = r.options;
  const name = r.trained.label;
  const T = r.T;
  const rowsOf = (part: string): ResultRow[] => r.rows.filter((x) => x.part === part);
  const test = rowsOf('test');
  const future = rowsOf('future');
  const held = [...rowsOf('validation'), ...test, ...future];
  const direction = o.task === 'direction';
  // The x axis: data rows, labelled with their dates when the data has a date column.
  const dateOfRow = (row: number): string => {
    if (!r.dates) return String(row);
    const k = Math.round(row) - 1;
    return k < 0 ? '' : k < T ? r.dates.values[k] : (r.dates.next[k - T] ?? '');
  };
  const axis = r.dates ? { xLabel: `date (${r.dates.column})`, xTickLabel: dateOfRow } : { xLabel: 'row' };
  const bands = [
    { from: 1, to: r.trainEnd, label: 'train', color: BANDS.train },
    { from: r.trainEnd + 1, to: r.validEnd, label: 'validation', color: BANDS.validation },
    { from: r.validEnd + 1, to: T, label: 'test', color: BANDS.test },
    ...(future.length ? [{ from: T + 1, to: T + future.length, label: 'future', color: BANDS.future }] : []),
  ];
  const ahead = `${o.horizon} step${o.horizon === 1 ? '' : 's'} ahead${o.strategy === 'recursive' && o.horizon > 1 ? ' (recursive)' : ''}`;
  const series: Line = { name: `${o.target} (actual)`, color: COLORS.actual, width: 1.2, points: Array.from(r.series, (v, t) => [t + 1, v] as [number, number]) };
  const overview = lineChart({
    title: direction ? `${o.target}: the whole series and its parts` : `${o.target}: the whole series and the ${o.model.toUpperCase()} forecasts (${ahead})`,
    ...axis, yLabel: o.target, bands,
    lines: direction ? [series] : [series, { name, color: COLORS.model, width: 1.2, points: held.map((x) => [x.target + 1, x.model]) }],
  });
  const colorOf = (key: string): string => COLORS[key as keyof typeof COLORS] ?? '#777777';
  const span = Math.max(5, Math.round(test.length / 25));
  const rolling = (value: (x: ResultRow) => number, measure: (x: ResultRow, v: number) => number, root: boolean): [number, number][] =>
    test.map((x, k) => {
      const from = Math.max(0, k - span + 1);
      let sum = 0;
      for (let j = from; j <= k; j++) sum += measure(test[j], value(test[j]));
      const mean = sum / (k - from + 1);
      return [x.target + 1, root ? Math.sqrt(mean) : mean];
    });
  let body: string;
  if (!direction) {
    const zoom = lineChart({
      title: `Test part: actual vs forecasts (rows ${test[0].target + 1}–${T})`,
      ...axis, yLabel: o.target, height: 360,
      lines: [
        { name: 'actual', color: COLORS.actual, width: 2, points: test.map((x) => [x.target + 1, x.actual]) },
        ...r.baselines.map((b, k) => ({ name: b.key === 'linear_ar' ? 'AR' : b.key, color: colorOf(b.key), dash: DASHES[b.key], points: test.map((x) => [x.target + 1, x.baselines[k]] as [number, number]) })),
        { name, color: COLORS.model, points: test.map((x) => [x.target + 1, x.model]) },
      ],
    });
    const squared = (x: ResultRow, v: number): number => (v - x.actual) ** 2;
    const errors = lineChart({
      title: `Test part: error over the last ${span} forecasts (rolling RMSE, log scale)`,
      ...axis, yLabel: `rolling RMSE (${o.target})`, logY: true, height: 280,
      lines: [
        ...r.baselines.map((b, k) => ({ name: b.key === 'linear_ar' ? 'AR' : b.key, color: colorOf(b.key), dash: DASHES[b.key], points: rolling((x) => x.baselines[k], squared, true) })),
        { name, color: COLORS.model, points: rolling((x) => x.model, squared, true) },
      ],
    });
    const persistence = r.test.find((s) => s.key === 'persistence')!;
    const linear = r.test.find((s) => s.key === 'linear_ar');
    const scoreRows = (scores: Score[]): string[][] => scores.map((x) => [x.name, num(x.rmse), num(x.nrmse), ratio(x.rmse, persistence.rmse)]);
    body = `<p class="verdict">${valueVerdict(r.test[0].rmse, linear?.rmse ?? null, persistence.rmse, o.model === 'ar')}</p>
<h2>Test part: ${r.counts.test} forecasts</h2>
${table(['model', 'RMSE', 'NRMSE', 'RMSE ÷ persistence'], scoreRows(r.test), [false, true, true, true])}
<p class="note">RMSE in the units of ${e(o.target)}; NRMSE = RMSE ÷ standard deviation of the actual test values. Persistence forecasts the last value of the window${linear ? `; the AR model is the library's <code>AR</code> on the scaled target${r.inputs.length > 1 ? ' (the other inputs as exogenous columns at the origin row)' : ''}, its order chosen by AIC on the training rows` : ''}. On the validation part (used for ${r.trained.history ? 'early stopping' : r.trained.search ? 'choosing the settings' : 'nothing: the AR order is chosen on the training rows'}): ${r.validation.map((x) => `${e(x.name)} ${num(x.rmse)}`).join(', ')}.</p>
${zoom}
${errors}`;
  } else {
    const [model, ...bases] = r.testDirection;
    const m = model.metrics;
    const hit = (x: ResultRow, v: number): number => (v === x.actual ? 1 : 0);
    const accuracy = lineChart({
      title: `Test part: accuracy over the last ${span} directions (rolling)`,
      ...axis, yLabel: 'rolling accuracy', height: 280,
      lines: [
        ...r.baselines.map((b, k) => ({ name: b.key.replace('_', ' '), color: colorOf(b.key), dash: DASHES[b.key], points: rolling((x) => x.baselines[k], hit, false) })),
        { name, color: COLORS.model, points: rolling((x) => x.model, hit, false) },
      ],
    });
    const scoreRows = (scores: DirectionScore[]): string[][] =>
      scores.map((x) => [x.name, x.metrics.accuracy.toFixed(3), x.metrics.balancedAccuracy.toFixed(3), ...x.metrics.recall.map((v) => (Number.isNaN(v) ? 'n/a' : v.toFixed(3)))]);
    const best = Math.max(...bases.map((b) => b.metrics.balancedAccuracy));
    body = `<p class="verdict">${directionVerdict(m.balancedAccuracy, best)}</p>
<h2>Test part: ${r.counts.test} directions</h2>
${table(['model', 'accuracy', 'balanced accuracy', 'recall down', 'recall up'], scoreRows(r.testDirection), [false, true, true, true, true])}
<p class="note">Up = the target ${o.horizon} step${o.horizon === 1 ? '' : 's'} ahead is strictly above the window's last value; down = below or unchanged. Balanced accuracy is the mean of the two recalls (0.5 for any constant guess), so it does not reward always answering the commoner class. On the validation part: ${r.validationDirection.map((x) => `${e(x.name)} ${x.metrics.accuracy.toFixed(3)}`).join(', ')}.</p>
<h2>Confusion matrix (test part)</h2>
<table class="confusion"><thead><tr><th>actual ↓ / predicted →</th><th class="num">down</th><th class="num">up</th><th class="num">total</th></tr></thead><tbody>
<tr><th>down</th><td class="num">${m.confusion[0][0]}</td><td class="num">${m.confusion[0][1]}</td><td class="num">${m.confusion[0][0] + m.confusion[0][1]}</td></tr>
<tr><th>up</th><td class="num">${m.confusion[1][0]}</td><td class="num">${m.confusion[1][1]}</td><td class="num">${m.confusion[1][0] + m.confusion[1][1]}</td></tr>
</tbody></table>
${accuracy}`;
  }
  const training = trainingSection(r);
  const settings: [string, string][] = [
    ['data', `${e(o.file)}: ${T} rows${r.dates ? `, dates in "${e(r.dates.column)}" (${e(r.dates.values[0])} – ${e(r.dates.values[T - 1])})` : ''}`],
    ['task', direction ? `direction of ${e(o.target)} (up / down or unchanged), ${ahead}` : `value of ${e(o.target)}, ${ahead}`],
    ['inputs per step', r.inputs.map(e).join(', ')],
    ['lookback', `${o.lookback} steps`],
    ['split (time order)', `train rows 1–${r.trainEnd} (${r.counts.train} windows), validation ${r.trainEnd + 1}–${r.validEnd} (${r.counts.validation}), test ${r.validEnd + 1}–${T} (${r.counts.test})`],
    ['scaling', 'each input standardised with the mean and standard deviation of the training rows only'],
    ['model', e(modelDescription(r))],
    ['training time', `${r.trained.seconds.toFixed(1)} s`],
    ['seed', String(o.seed)],
  ];
  const futureNote = future.length === 1 ? 'the last row forecasts' : `the last ${future.length} rows forecast`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${direction ? 'Direction' : 'Forecast'} of ${e(o.target)} — ${e(name)}</title>
<style>
  body { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; color: #222; max-width: 960px; margin: 24px auto; padding: 0 16px; line-height: 1.45; }
  h1 { font-size: 1.5em; margin-bottom: 0.2em; }
  h2 { font-size: 1.15em; margin-top: 1.8em; border-bottom: 1px solid #ddd; padding-bottom: 4px; }
  .sub { color: #555; margin-top: 0; }
  .verdict { font-size: 1.05em; padding: 10px 14px; border-left: 4px solid #888; background: #fafafa; }
  table { border-collapse: collapse; margin: 8px 0; }
  th, td { padding: 4px 12px; border-bottom: 1px solid #e5e5e5; text-align: left; }
  td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
  tr.chosen td { font-weight: 600; background: #fff6d5; }
  .note { color: #555; font-size: 0.92em; }
  dl { display: grid; grid-template-columns: max-content 1fr; gap: 4px 16px; }
  dt { color: #555; }
  dd { margin: 0; }
  code { background: #f4f4f4; padding: 1px 4px; border-radius: 3px; }
</style>
</head>
<body>
<h1>${direction ? 'Direction' : 'Forecast'} of ${e(o.target)}: ${e(name)}</h1>
<p class="sub">${e(o.file)} · ${ahead} from the last ${o.lookback} · made by <code>rnn-wasm forecast</code></p>
${body}
<h2>The whole series</h2>
${overview}
<h2>Training</h2>
${training}
<h2>Settings</h2>
<dl>${settings.map(([k, v]) => `<dt>${k}</dt><dd>${v}</dd>`).join('')}</dl>
<h2>Files</h2>
<p><code>forecast.csv</code>: one row per window — the target's row${r.dates ? ' and date' : ''}, the window's last row, its part, the actual ${direction ? 'direction (1 up, 0 down or unchanged), the predicted class, p_up and the baselines\' classes' : 'value and the forecasts'} (${futureNote} past the end of the data${r.dates ? ', dated by continuing the rows\' usual step' : ''}). <code>model.json</code>: the model, the scaler and the settings, for <code>rnn-wasm predict model.json new.csv</code>.</p>
</body>
</html>
`;
}

function trainingSection(r: ForecastResult): string {
  const o = r.options;
  const h = r.trained.history;
  const s = r.trained.search;
  const a = r.trained.ar;
  if (h) {
    return lineChart({
      title: `Training: loss per epoch (${o.task === 'direction' ? 'cross-entropy' : 'MSE of the scaled target'}, log scale)`,
      xLabel: 'epoch', yLabel: 'loss', logY: true, height: 300, integerX: true,
      marker: { x: h.bestEpoch + 1, label: `best validation, epoch ${h.bestEpoch + 1}${h.stoppedEarly ? ' (weights kept)' : ''}` },
      lines: [
        { name: 'training', color: '#1f77b4', dots: h.loss.length <= 60, points: h.loss.map((v, k) => [k + 1, v]) },
        { name: 'validation', color: '#ff7f0e', dots: h.valLoss.length <= 60, points: h.valLoss.map((v, k) => [k + 1, v]) },
      ],
    }) + `<p class="note">${h.loss.length} epochs${h.stoppedEarly ? `; early stopping after ${o.patience} epochs without a better validation loss, with the weights of epoch ${h.bestEpoch + 1} restored` : ''}. The training loss of an epoch is the mean over its batches while the weights were changing; the validation loss is measured at its end.</p>`;
  }
  if (s) {
    const sorted = [...s.candidates].sort((x, y) => x.validationRmse - y.validationRmse);
    const show = sorted.slice(0, 8);
    return (
      `<p>An ESN trains only its linear readout, in closed form (ridge regression), so there is no loss curve. Instead, ${s.candidates.length} settings were each fitted on the training part and scored on the validation part${o.task === 'direction' ? ' (RMSE of the output against the 0/1 classes; the class is output > 0.5)' : ''}; the best one was kept. Washout: ${s.washout} steps. The best ${show.length}:</p>` +
      table(['leak rate', 'spectral radius', 'input scaling', 'ridge', 'validation RMSE (scaled)'],
        show.map((c) => [String(c.leakRate), String(c.spectralRadius), String(c.inputScaling), String(c.ridge), num(c.validationRmse)]), [true, true, true, true, true],
        show.map((c) => c === s.chosen))
    );
  }
  if (a) {
    const names = ['constant', ...Array.from({ length: a.order }, (_, k) => `φ${k + 1} (y lag ${k + (o.strategy === 'recursive' ? 1 : o.horizon)})`), ...r.inputs.slice(1, 1 + a.exogenous).map((f) => `β (${f} at the origin)`)];
    return (
      `<p>The AR model is fitted by least squares in f64 (the library's <code>AR</code>), in closed form. Its order was chosen among 1–${a.maxOrder} by AIC, every order fitted on the same training rows; the chosen one was then refitted on all of them (${a.nobs} rows). σ² = SSR / nobs = ${num(a.sigma2)} (scaled target).${a.dropped ? ` The features were left out: ${e(a.dropped)}.` : ''}</p>` +
      table(['order', 'AIC', 'BIC', 'σ² (scaled)'], a.candidates.map((c) => [String(c.order), num(c.aic), num(c.bic), num(c.sigma2)]), [true, true, true, true], a.candidates.map((c) => c.order === a.order)) +
      `<p>Coefficients (scaled units) with their standard errors:</p>` +
      table(['coefficient', 'value', 'standard error'], names.map((n, k) => [n, num(a.params[k]), num(a.standardErrors[k])]), [false, true, true])
    );
  }
  return '';
}

function valueVerdict(model: number, linear: number | null, persistence: number, isAr: boolean): string {
  const pct = (ratio: number): string => `${Math.abs((1 - ratio) * 100).toFixed(ratio > 0.99 && ratio < 1.01 ? 1 : 0)} %`;
  const vsP = model / persistence;
  const p = vsP < 1 ? `${pct(vsP)} lower than persistence` : `${pct(vsP)} higher than persistence`;
  if (isAr || linear === null) return `The AR model's test RMSE is ${p}: ${vsP < 1 ? 'it beats the naive forecast.' : 'it does not beat the naive forecast.'}`;
  const vsL = model / linear;
  const l = vsL < 1 ? `${pct(vsL)} lower than the AR model` : `${pct(vsL)} higher than the AR model`;
  const beatsP = vsP < 1;
  const beatsL = vsL < 1;
  return `The network's test RMSE is ${p} and ${l}: ${
    beatsP && beatsL ? 'it earns its keep.' : beatsP ? 'it beats the naive forecast, but the AR model does as well or better.' : 'it does not beat the naive forecast.'
  }`;
}

function directionVerdict(model: number, bestBaseline: number): string {
  const d = model - bestBaseline;
  return `Balanced accuracy ${model.toFixed(3)} against ${bestBaseline.toFixed(3)} for the better baseline: ${
    d > 0.02 ? 'the model calls the direction better than the baselines.' : d > -0.02 ? 'no better than the baselines; the direction may simply not be predictable from these inputs.' : 'worse than a baseline.'
  }`;
}

function modelDescription(r: ForecastResult): string {
  const o = r.options;
  if (r.trained.search) {
    const c = r.trained.search.chosen;
    return `Echo State Network, ${o.units} units, density 0.1, bias scaling 0.2, washout ${r.trained.search.washout}; chosen on validation: leak rate ${c.leakRate}, spectral radius ${c.spectralRadius}, input scaling ${c.inputScaling}, ridge ${c.ridge}`;
  }
  if (r.trained.ar) return `${r.trained.label}; least squares in f64${o.task === 'direction' ? '; up when the forecast is above the origin\'s value' : ''}`;
  const head = o.task === 'direction' ? 'Dense(2, softmax), cross-entropy' : 'Dense(1), MSE';
  const training = `Adam, learning rate ${o.learningRate}, gradient norm clipped at 1, batch size ${o.batchSize}, up to ${o.epochs} epochs with early stopping (patience ${o.patience})`;
  if (o.model === 'narx') {
    return `NARX: feedback delays 1–${o.lookback} of the target${r.inputs.length > 1 ? `, input delays 1–${o.lookback} of ${r.inputs.slice(1).join(', ')}` : ''} → Dense(${o.units}, tanh) → Dense(1), MSE, trained in open loop (the true past values fed back)${o.horizon > 1 ? `; each forecast is a closed-loop run of ${o.horizon} steps (its own outputs fed back)` : ''}; ${training}`;
  }
  if (o.model === 'tcn') {
    return `TCN (${o.units} filters, kernel size ${TCN_KERNEL_SIZE}, dilations ${tcnDilations(o.lookback).join(', ')}, weight normalization, receptive field ${1 + 2 * (TCN_KERNEL_SIZE - 1) * tcnDilations(o.lookback).reduce((a, b) => a + b, 0)}) → ${head}; ${training}`;
  }
  return `${o.model.toUpperCase()} (${o.units} units) → ${head}; Adam, learning rate ${o.learningRate}, gradient norm clipped at 1, batch size ${o.batchSize}, up to ${o.epochs} epochs with early stopping (patience ${o.patience})`;
}

function table(header: string[], rows: string[][], numeric: boolean[], highlight?: boolean[]): string {
  const cell = (tag: string, text: string, c: number): string => `<${tag}${numeric[c] ? ' class="num"' : ''}>${e(text)}</${tag}>`;
  return `<table><thead><tr>${header.map((h, c) => cell('th', h, c)).join('')}</tr></thead><tbody>${rows
    .map((row, k) => `<tr${highlight?.[k] ? ' class="chosen"' : ''}>${row.map((x, c) => cell('td', x, c)).join('')}</tr>`)
    .join('')}</tbody></table>`;
}
