// The AR model of the forecast command (as the model with --model ar, and as the linear
// baseline beside the networks): the library's AR on the scaled target, its order chosen by
// AIC among 1 … P on the training rows only, where P = the lookback (the same history the
// networks see), capped so that the fit has at least twice as many rows as coefficients.
//
// Direct strategy: a direct `horizon`-step model, y(t) on y(t − h) … y(t − h − p + 1), with the
// other input columns as exogenous regressors taken at the origin row t − h (the last row a
// forecaster has seen). Recursive: the one-step AR iterated `horizon` times (the target alone
// when horizon > 1). Direction task: up when the forecast is above the target at the origin.
import { AR } from '../index.js';
import { CliError } from './errors.js';
import type { ArInfo, Problem, Trained } from './networks.js';

/** Rows of the AR's exogenous columns: row t holds the features of row t − shift (rows t < shift repeat row 0 and are never read). */
function laggedFeatures(p: Pick<Problem, 'scaled' | 'T' | 'F'>, shift: number): Float64Array {
  const E = p.F - 1;
  const rows = p.T + shift;
  const out = new Float64Array(rows * E);
  for (let t = 0; t < rows; t++) {
    const from = Math.max(0, t - shift);
    for (let e = 0; e < E; e++) out[t * E + e] = p.scaled[from * p.F + 1 + e];
  }
  return out;
}

function targetSeries(p: Pick<Problem, 'scaled' | 'T' | 'F'>): Float64Array {
  return Float64Array.from({ length: p.T }, (_, t) => p.scaled[t * p.F]);
}

/** The AR's own horizon: 1 for the recursive strategy, the forecast horizon for the direct one. */
function arHorizon(p: Pick<Problem, 'horizon' | 'strategy'>): number {
  return p.strategy === 'recursive' ? 1 : p.horizon;
}

/** Largest order the training rows support with E exogenous columns (nobs ≥ 2·K), at most the lookback. */
function largestOrder(p: Problem, E: number): number {
  return Math.min(p.lookback, Math.floor((p.trainEnd - arHorizon(p) - E - 1) / 2));
}

export function trainAr(p: Problem): Trained {
  const started = performance.now();
  const h = arHorizon(p);
  const series = targetSeries(p);
  let E = p.F - 1;
  let dropped: string | null = null;
  if (E > 0 && largestOrder(p, E) < 1) {
    E = 0;
    dropped = `${p.F - 1} features need more training rows than there are`;
  }
  const fit = (exogenous: number): { ar: AR; maxOrder: number } => {
    const maxOrder = largestOrder(p, exogenous);
    if (maxOrder < 1) throw new CliError(`the training part (${p.trainEnd} rows) is too short for an AR model ${h} step${h === 1 ? '' : 's'} ahead`);
    const ar = new AR({ maxOrder, criterion: 'aic', horizon: h, exogenous });
    const train = series.subarray(0, p.trainEnd);
    ar.fit(train, exogenous ? { exogenous: { data: laggedFeatures(p, h).subarray(0, p.trainEnd * exogenous), shape: [p.trainEnd, exogenous] } } : {});
    return { ar, maxOrder };
  };
  let result: { ar: AR; maxOrder: number };
  try {
    result = fit(E);
  } catch (error) {
    if (E === 0 || !/rank-deficient/.test((error as Error).message)) throw error;
    E = 0;
    dropped = 'the features are constant or collinear over the training rows';
    result = fit(0);
  }
  const { ar, maxOrder } = result;
  const order = ar.order!;
  const forecasts = arOutputs(ar, p);
  const info: ArInfo = {
    order, maxOrder, criterion: 'aic', exogenous: E, dropped,
    candidates: ar.candidates!.map(({ order: q, aic, bic, sigma2 }) => ({ order: q, aic, bic, sigma2 })),
    params: Array.from(ar.params), standardErrors: Array.from(ar.standardErrors), sigma2: ar.sigma2, nobs: ar.nobs,
  };
  const seconds = (performance.now() - started) / 1000;
  const recursive = p.strategy === 'recursive' && p.horizon > 1 ? ', recursive' : '';
  return {
    kind: 'ar',
    label: `${E ? 'ARX' : 'AR'}(${order}${E ? `; ${E} feature${E === 1 ? '' : 's'}` : ''}), AIC over 1–${maxOrder}${recursive}`,
    json: ar.toJSON(),
    forecasts,
    seconds,
    ar: info,
    summary:
      `AR: order ${order} chosen by AIC among 1–${maxOrder} on the training rows (1–${p.trainEnd}), ${ar.nobs} rows fitted` +
      `${E ? ` with ${E} feature${E === 1 ? '' : 's'} at the origin row` : ''}${dropped ? ` (features left out: ${dropped})` : ''}; σ² ${ar.sigma2.toExponential(3)} (scaled)`,
  };
}

/** Per window (origins lookback − 1 … T − 1): the scaled forecast, or for direction the class (1 = above the origin's value). */
export function arOutputs(ar: AR, p: Pick<Problem, 'scaled' | 'T' | 'F' | 'lookback' | 'horizon' | 'strategy' | 'task'>): Float64Array {
  const series = targetSeries(p);
  const shift = arHorizon(p);
  const E = ar.exogenous;
  const exog = E > 0 ? { data: laggedFeatures(p, shift), shape: [p.T + shift, E] } : undefined;
  const byOrigin = ar.predict(series, { steps: p.horizon, ...(exog ? { exogenous: exog } : {}) });
  const N = p.T - p.lookback + 1;
  const out = new Float64Array(N);
  for (let i = 0; i < N; i++) {
    const o = i + p.lookback - 1;
    const v = byOrigin[o];
    out[i] = p.task === 'direction' ? (Number.isNaN(v) ? NaN : v > series[o] ? 1 : 0) : v;
  }
  return out;
}
