// The HTML report of a forecast run: one self-contained file (inline CSS and SVG, no
// scripts, no fonts or images from anywhere) that reads well printed or on a phone.
import type { ForecastResult } from './results.js';
import { num, ratio } from './format.js';
import { escapeHtml as e, lineChart, type Line } from './svg.js';

const COLORS = { actual: '#222222', model: '#d62728', linear: '#1f77b4', persistence: '#999999' };
const BANDS = { train: '#f2f2f2', validation: '#fff6d5', test: '#e3f0fb', future: '#f3e6f7' };

export function renderReport(r: ForecastResult): string {
  const o = r.options;
  const name = r.trained.label;
  const [model, linear, persistence] = r.test;
  const verdict = verdictOf(model.rmse, linear.rmse, persistence.rmse);
  const T = r.T;
  const rowsOf = (part: string): ForecastResult['rows'] => r.rows.filter((x) => x.part === part);
  const test = rowsOf('test');
  const future = rowsOf('future');
  const held = [...rowsOf('validation'), ...test, ...future];
  const bands = [
    { from: 1, to: r.trainEnd, label: 'train', color: BANDS.train },
    { from: r.trainEnd + 1, to: r.validEnd, label: 'validation', color: BANDS.validation },
    { from: r.validEnd + 1, to: T, label: 'test', color: BANDS.test },
    ...(future.length ? [{ from: T + 1, to: T + future.length, label: 'future', color: BANDS.future }] : []),
  ];
  const series: Line = { name: `${o.target} (actual)`, color: COLORS.actual, width: 1.2, points: Array.from(r.series, (v, t) => [t + 1, v] as [number, number]) };
  const overview = lineChart({
    title: `${o.target}: the whole series and the ${r.options.model.toUpperCase()} forecasts (${o.horizon} step${o.horizon === 1 ? '' : 's'} ahead)`,
    xLabel: 'row', yLabel: o.target, bands,
    lines: [series, { name: name, color: COLORS.model, width: 1.2, points: held.map((x) => [x.target + 1, x.model]) }],
  });
  const zoom = lineChart({
    title: `Test part: actual vs forecasts (rows ${test[0].target + 1}–${T})`,
    xLabel: 'row', yLabel: o.target, height: 360,
    lines: [
      { name: 'actual', color: COLORS.actual, width: 2, points: test.map((x) => [x.target + 1, x.actual]) },
      { name: 'persistence', color: COLORS.persistence, dash: '2 3', points: test.map((x) => [x.target + 1, x.persistence]) },
      { name: 'linear AR', color: COLORS.linear, dash: '6 3', points: test.map((x) => [x.target + 1, x.linear]) },
      { name: name, color: COLORS.model, points: test.map((x) => [x.target + 1, x.model]) },
    ],
  });
  const span = Math.max(5, Math.round(test.length / 25));
  const rolling = (key: 'model' | 'linear' | 'persistence'): [number, number][] =>
    test.map((x, k) => {
      const from = Math.max(0, k - span + 1);
      let sum = 0;
      for (let j = from; j <= k; j++) sum += (test[j][key] - test[j].actual) ** 2;
      return [x.target + 1, Math.sqrt(sum / (k - from + 1))];
    });
  const errors = lineChart({
    title: `Test part: error over the last ${span} forecasts (rolling RMSE, log scale)`,
    xLabel: 'row', yLabel: `rolling RMSE (${o.target})`, logY: true, height: 280,
    lines: [
      { name: 'persistence', color: COLORS.persistence, points: rolling('persistence') },
      { name: 'linear AR', color: COLORS.linear, dash: '6 3', points: rolling('linear') },
      { name: name, color: COLORS.model, points: rolling('model') },
    ],
  });
  let training: string;
  const h = r.trained.history;
  const s = r.trained.search;
  if (h) {
    training = lineChart({
      title: 'Training: loss per epoch (MSE of the scaled target, log scale)',
      xLabel: 'epoch', yLabel: 'loss', logY: true, height: 300, integerX: true,
      marker: { x: h.bestEpoch + 1, label: `best validation, epoch ${h.bestEpoch + 1}${h.stoppedEarly ? ' (weights kept)' : ''}` },
      lines: [
        { name: 'training', color: '#1f77b4', dots: h.loss.length <= 60, points: h.loss.map((v, k) => [k + 1, v]) },
        { name: 'validation', color: '#ff7f0e', dots: h.valLoss.length <= 60, points: h.valLoss.map((v, k) => [k + 1, v]) },
      ],
    }) + `<p class="note">${h.loss.length} epochs${h.stoppedEarly ? `; early stopping after ${o.patience} epochs without a better validation loss, with the weights of epoch ${h.bestEpoch + 1} restored` : ''}. The training loss of an epoch is the mean over its batches while the weights were changing; the validation loss is measured at its end.</p>`;
  } else if (s) {
    const sorted = [...s.candidates].sort((a, b) => a.validationRmse - b.validationRmse);
    const show = sorted.slice(0, 8);
    training =
      `<p>An ESN trains only its linear readout, in closed form (ridge regression), so there is no loss curve. Instead, ${s.candidates.length} settings were each fitted on the training part and scored on the validation part; the best one was kept. Washout: ${s.washout} steps. The best ${show.length}:</p>` +
      table(['leak rate', 'spectral radius', 'input scaling', 'ridge', 'validation RMSE (scaled)'],
        show.map((c) => [String(c.leakRate), String(c.spectralRadius), String(c.inputScaling), String(c.ridge), num(c.validationRmse)]), [true, true, true, true, true],
        show.map((c) => c === s.chosen));
  } else training = '';
  const scoreRows = (scores: typeof r.test): string[][] => scores.map((x) => [x.name, num(x.rmse), num(x.nrmse), ratio(x.rmse, scores[2].rmse)]);
  const settings: [string, string][] = [
    ['data', `${e(o.file)}: ${T} rows`],
    ['target', `${e(o.target)}, ${o.horizon} step${o.horizon === 1 ? '' : 's'} ahead`],
    ['inputs per step', r.inputs.map(e).join(', ')],
    ['lookback', `${o.lookback} steps`],
    ['split (time order)', `train rows 1–${r.trainEnd} (${r.counts.train} windows), validation ${r.trainEnd + 1}–${r.validEnd} (${r.counts.validation}), test ${r.validEnd + 1}–${T} (${r.counts.test})`],
    ['scaling', 'each input standardised with the mean and standard deviation of the training rows only'],
    ['model', e(modelDescription(r))],
    ['training time', `${r.trained.seconds.toFixed(1)} s`],
    ['seed', String(o.seed)],
  ];
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Forecast of ${e(o.target)} — ${e(name)}</title>
<style>
  body { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; color: #222; max-width: 960px; margin: 24px auto; padding: 0 16px; line-height: 1.45; }
  h1 { font-size: 1.5em; margin-bottom: 0.2em; }
  h2 { font-size: 1.15em; margin-top: 1.8em; border-bottom: 1px solid #ddd; padding-bottom: 4px; }
  .sub { color: #555; margin-top: 0; }
  .verdict { font-size: 1.05em; padding: 10px 14px; border-left: 4px solid ${verdict.good ? '#2ca02c' : '#d62728'}; background: #fafafa; }
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
<h1>Forecast of ${e(o.target)}: ${e(name)}</h1>
<p class="sub">${e(o.file)} · ${o.horizon} step${o.horizon === 1 ? '' : 's'} ahead from the last ${o.lookback} · made by <code>rnn-wasm forecast</code></p>
<p class="verdict">${verdict.text}</p>
<h2>Test part: ${r.counts.test} forecasts</h2>
${table(['model', 'RMSE', 'NRMSE', 'RMSE ÷ persistence'], scoreRows(r.test), [false, true, true, true])}
<p class="note">RMSE in the units of ${e(o.target)}; NRMSE = RMSE ÷ standard deviation of the actual test values. Persistence forecasts the last value of the window; the linear AR model is least squares on the same ${o.lookback} × ${r.inputs.length} scaled inputs. On the validation part (used for ${r.trained.history ? 'early stopping' : 'choosing the settings'}): ${r.validation.map((x) => `${e(x.name)} ${num(x.rmse)}`).join(', ')}.</p>
${zoom}
${errors}
<h2>The whole series</h2>
${overview}
<h2>Training</h2>
${training}
<h2>Settings</h2>
<dl>${settings.map(([k, v]) => `<dt>${k}</dt><dd>${v}</dd>`).join('')}</dl>
<h2>Files</h2>
<p><code>forecast.csv</code>: one row per window — the target's row, the window's last row, its part, the actual value and the three forecasts (${future.length === 1 ? 'the last row forecasts' : `the last ${future.length} rows forecast`} past the end of the data). <code>model.json</code>: the network, the scaler and the settings, for <code>rnn-wasm predict model.json new.csv</code>.</p>
</body>
</html>
`;
}

function verdictOf(model: number, linear: number, persistence: number): { good: boolean; text: string } {
  const vsP = model / persistence;
  const vsL = model / linear;
  const beatsP = vsP < 1;
  const beatsL = vsL < 1;
  const pct = (ratio: number): string => `${Math.abs((1 - ratio) * 100).toFixed(ratio > 0.99 && ratio < 1.01 ? 1 : 0)} %`;
  const p = beatsP ? `${pct(vsP)} lower than persistence` : `${pct(vsP)} higher than persistence`;
  const l = beatsL ? `${pct(vsL)} lower than the linear AR model` : `${pct(vsL)} higher than the linear AR model`;
  const text = `The network's test RMSE is ${p} and ${l}: ${
    beatsP && beatsL ? 'it earns its keep.' : beatsP ? 'it beats the naive forecast, but a linear model does as well or better.' : 'it does not beat the naive forecast.'
  }`;
  return { good: beatsP && beatsL, text };
}

function modelDescription(r: ForecastResult): string {
  const o = r.options;
  if (r.trained.search) {
    const c = r.trained.search.chosen;
    return `Echo State Network, ${o.units} units, density 0.1, bias scaling 0.2, washout ${r.trained.search.washout}; chosen on validation: leak rate ${c.leakRate}, spectral radius ${c.spectralRadius}, input scaling ${c.inputScaling}, ridge ${c.ridge}`;
  }
  return `${o.model.toUpperCase()} (${o.units} units) → Dense(1); Adam, learning rate ${o.learningRate}, gradient norm clipped at 1, batch size ${o.batchSize}, up to ${o.epochs} epochs with early stopping (patience ${o.patience})`;
}

function table(header: string[], rows: string[][], numeric: boolean[], highlight?: boolean[]): string {
  const cell = (tag: string, text: string, c: number): string => `<${tag}${numeric[c] ? ' class="num"' : ''}>${e(text)}</${tag}>`;
  return `<table><thead><tr>${header.map((h, c) => cell('th', h, c)).join('')}</tr></thead><tbody>${rows
    .map((row, k) => `<tr${highlight?.[k] ? ' class="chosen"' : ''}>${row.map((x, c) => cell('td', x, c)).join('')}</tr>`)
    .join('')}</tbody></table>`;
}
