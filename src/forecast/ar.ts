// AR / ARX: the autoregressive model of the course notes, fitted by ordinary least squares
// (conditional maximum likelihood, as statsmodels' AutoReg), with order selection by AIC or
// BIC, σ², coefficient standard errors and iterated forecasts.
//
//   y(t) = w₀ + Σ_{k=1..p} φ_k·y(t − h − k + 1) + Σ_{e=1..E} β_e·x_e(t) + ε(t)
//
// h = 1 is the usual AR(p); h > 1 is a *direct* h-step model (the nearest lag is h steps back).
// x_e(t) are exogenous columns at the same time t as the target (statsmodels' convention:
// "endog[i] is regressed on exog[i]"); to use x(t − 1) instead, shift the column yourself.
// K = [intercept] + p + E coefficients, in statsmodels' order: w₀, φ_1 … φ_p, β_1 … β_E.
//
// Estimation (all f64, all in WebAssembly; TypeScript only checks and marshals):
//   * ZᵀZ and Zᵀy of the lagged design over t = start … n − 1 (assembly/ar.ts ar_gram_f64),
//     start = h + p − 1 (the first t whose lags all exist), nobs = n − start;
//   * the normal equations solved by esn_ridge_solve with λ = 0 (assembly/esn.ts): a Cholesky
//     with complete (diagonal) pivoting of ZᵀZ, for the right-hand sides [Zᵀy | I] at once, so
//     the same factorisation gives w and (ZᵀZ)⁻¹. Why this solve and not a QR: it is already in
//     the module and tested, the design has few columns (K ≤ a few dozen) and many rows, so the
//     K×K Gram matrix is accumulated in one pass without storing Z, and for the designs an AR
//     sees (lags of a stationary series, standardised exogenous columns) κ(ZᵀZ) is far from
//     1/ε. The pivoting reveals a rank-deficient design (a constant series, collinear columns),
//     which fit() then refuses instead of returning an arbitrary solution;
//   * residuals and SSR = Σ e(t)² in one more pass (ar_ssr_f64).
//
// Statistics (statsmodels AutoRegResults, version 0.14):
//   σ²   = SSR / nobs                       (the maximum-likelihood divisor, not nobs − K)
//   se_k = sqrt(σ² · [(ZᵀZ)⁻¹]_kk)          (cov_params: OLS's, rescaled to the divisor nobs)
//   llf  = −nobs/2 · (ln(2π·σ²) + 1)
//   AIC  = −2·llf + 2·(K + 1)               (K coefficients + σ²; AutoRegResults' df_model + 1)
//   BIC  = −2·llf + ln(nobs)·(K + 1)
//
// Order selection (maxOrder P, as statsmodels' ar_select_order with ic='aic'|'bic'): every
// order p = 1 … P is fitted on the same rows t = h + P − 1 … n − 1 (hold_back = P), so the
// criteria compare like with like; the smallest criterion wins (a tie goes to the smaller
// order). The chosen order is then refitted on its own, longer sample (t from h + p − 1), as
// ar_select_order's returned model is (hold_back = None). An order whose design is
// rank-deficient (an exact linear recursion: a noise-free sine is one of order 2) ends the
// search, since every higher order holds the same columns; `candidates` lists the orders fitted.
// Two differences from statsmodels:
// order 0 (the mean alone) is not a candidate here, and ar_select_order's table counts the
// parameters as OLS does (K − 1 with a constant): its criteria are ours minus 2 (AIC) or minus
// ln(nobs) (BIC) for every candidate alike, so the choice is the same.
import { Backend, liveF64, type F32Buffer } from '../engine/backend.js';
import { defaultBackend } from '../engine/init.js';
import { sizeProduct } from '../engine/sizes.js';
import { checkBoolean, checkInt, checkOneOf, checkOptions, describe } from '../errors.js';
import { arForecastF64, arGramF64, arSsrF64, type ArDesign } from '../kernels/ar.js';
import { esnRidgeSolve } from '../kernels/esn.js';
import { readFields, readSaved, type Schema } from '../saved-file.js';
import { readColumns, readSeries, type ColumnsLike, type SeriesLike } from './series.js';

export type ARCriterion = 'aic' | 'bic';

export interface AROptions {
  /** A fixed order p ≥ 1 (give this or maxOrder). */
  order?: number;
  /** Choose the order among 1 … maxOrder by `criterion` (give this or order). */
  maxOrder?: number;
  /** 'aic' (default) or 'bic'; only with maxOrder. */
  criterion?: ARCriterion;
  /** Number of exogenous columns x(t), used at the target's time t (default 0: a plain AR). */
  exogenous?: number;
  /** Fit a constant w₀ (default true). */
  intercept?: boolean;
  /** Steps between the target and its nearest lag (default 1; h > 1: a direct h-step model). */
  horizon?: number;
  backend?: Backend;
}

/** One candidate of an order selection, fitted on the common sample. */
export interface ARCandidate {
  order: number;
  aic: number;
  bic: number;
  sigma2: number;
  nobs: number;
}

export interface ARFitOptions {
  /** The exogenous columns, one row per value of the series: rows [n][E], { data, shape: [n, E] }, or a flat array when E = 1. */
  exogenous?: ColumnsLike;
}

export interface ARForecastOptions {
  /** The exogenous columns over the forecast steps: at least `steps` rows. */
  exogenous?: ColumnsLike;
}

export interface ARPredictOptions {
  /** How far ahead from each origin (default 1); steps > horizon iterate the model. */
  steps?: number;
  /** The exogenous columns: at least one row per value of the series (rows past its end serve the last origins). */
  exogenous?: ColumnsLike;
}

/** The saved form (toJSON / fromJSON). */
export interface ARJSON {
  format: typeof FORMAT;
  version: typeof VERSION;
  /** order (fixed) or maxOrder and criterion (selected), and the rest of the constructor's options. */
  options: { order?: number; maxOrder?: number; criterion?: ARCriterion; exogenous: number; intercept: boolean; horizon: number };
  fitted: ARFitted | null;
}

interface ARFitted {
  order: number;
  /** w₀ (if intercept), φ_1 … φ_p, β_1 … β_E. */
  params: number[];
  standardErrors: number[];
  ssr: number;
  nobs: number;
  sigma2: number;
  llf: number;
  aic: number;
  bic: number;
  candidates: ARCandidate[] | null;
  /** The last h + p − 1 values of the series fitted: where forecast() starts. */
  tail: number[];
}

const FORMAT = 'rnn-wasm/ar';
const VERSION = 1;
const OPTION_KEYS = ['order', 'maxOrder', 'criterion', 'exogenous', 'intercept', 'horizon', 'backend'] as const;

/** Linear memory for one call, freed at its end (also when it throws). */
class Scratch {
  #buffers: F32Buffer[] = [];
  constructor(readonly backend: Backend, readonly where: string) {}

  /** f64 [n], zero-filled, or a copy of `values`. */
  f64(values: ArrayLike<number> | number, what: string): F32Buffer {
    const n = Math.max(1, typeof values === 'number' ? values : values.length);
    const buffer = this.backend.allocBlock(this.where, what, sizeProduct(2, n));
    this.#buffers.push(buffer);
    if (typeof values !== 'number') liveF64(buffer).set(values);
    return buffer;
  }

  i32(n: number, what: string): F32Buffer {
    const buffer = this.backend.allocBlock(this.where, what, Math.max(1, n));
    this.#buffers.push(buffer);
    return buffer;
  }

  dispose(): void {
    for (const b of this.#buffers) b.dispose();
    this.#buffers = [];
  }
}

function withScratch<T>(backend: Backend, where: string, body: (s: Scratch) => T): T {
  const s = new Scratch(backend, where);
  try {
    return body(s);
  } finally {
    s.dispose();
  }
}

/** One least-squares fit on rows start … n − 1. */
interface Solved {
  params: Float64Array;
  inverseDiagonal: Float64Array;
  ssr: number;
  nobs: number;
}

export class AR {
  /** The fixed order, or null when the order is selected (see `order` after fit). */
  readonly fixedOrder: number | null;
  readonly maxOrder: number | null;
  readonly criterion: ARCriterion;
  readonly exogenous: number;
  readonly intercept: boolean;
  readonly horizon: number;
  readonly backend: Backend;
  #fitted: ARFitted | null = null;

  constructor(options: AROptions) {
    const where = 'AR';
    const o = checkOptions(where, options, OPTION_KEYS);
    if ((o.order === undefined) === (o.maxOrder === undefined)) {
      throw new RangeError(`${where}: give exactly one of options.order (a fixed order) and options.maxOrder (choose the order by AIC/BIC), got ${o.order === undefined ? 'neither' : 'both'}`);
    }
    this.fixedOrder = o.order === undefined ? null : checkInt(where, 'options.order', o.order, 1, 100_000);
    this.maxOrder = o.maxOrder === undefined ? null : checkInt(where, 'options.maxOrder', o.maxOrder, 1, 100_000);
    if (o.criterion !== undefined && this.maxOrder === null) throw new RangeError(`${where}: options.criterion chooses among orders, so it needs options.maxOrder (a fixed options.order ${this.fixedOrder} has nothing to choose)`);
    this.criterion = o.criterion === undefined ? 'aic' : checkOneOf(where, 'options.criterion', o.criterion, ['aic', 'bic'] as const);
    this.exogenous = o.exogenous === undefined ? 0 : checkInt(where, 'options.exogenous', o.exogenous, 0, 100_000);
    this.intercept = o.intercept === undefined ? true : checkBoolean(where, 'options.intercept', o.intercept);
    this.horizon = o.horizon === undefined ? 1 : checkInt(where, 'options.horizon', o.horizon, 1, 100_000);
    const backend = o.backend ?? defaultBackend();
    if (!(backend instanceof Backend)) throw new TypeError(`${where}: options.backend must be a Backend, got ${describe(o.backend)}`);
    this.backend = backend;
  }

  /** Whether fit() has run (or a fitted model was loaded). */
  get fitted(): boolean {
    return this.#fitted !== null;
  }

  /** The order in use: the fixed one, or the one selected by the last fit (null before it). */
  get order(): number | null {
    return this.#fitted?.order ?? this.fixedOrder;
  }

  /** All K coefficients: w₀ (if intercept), φ_1 … φ_p, β_1 … β_E (statsmodels' params order). */
  get params(): Float64Array {
    return Float64Array.from(this.#need('params').params);
  }

  /** w₀ (0 without an intercept). */
  get constant(): number {
    const f = this.#need('constant');
    return this.intercept ? f.params[0] : 0;
  }

  /** φ_1 … φ_p. */
  get coefficients(): Float64Array {
    const f = this.#need('coefficients');
    const c = this.intercept ? 1 : 0;
    return Float64Array.from(f.params.slice(c, c + f.order));
  }

  /** β_1 … β_E. */
  get exogenousCoefficients(): Float64Array {
    const f = this.#need('exogenousCoefficients');
    const c = this.intercept ? 1 : 0;
    return Float64Array.from(f.params.slice(c + f.order));
  }

  /** Standard errors of params, in the same order. */
  get standardErrors(): Float64Array {
    return Float64Array.from(this.#need('standardErrors').standardErrors);
  }

  /** Residual variance SSR / nobs. */
  get sigma2(): number {
    return this.#need('sigma2').sigma2;
  }

  /** Sum of squared residuals of the fit. */
  get ssr(): number {
    return this.#need('ssr').ssr;
  }

  /** Rows of the fit: n − (h + p − 1). */
  get nobs(): number {
    return this.#need('nobs').nobs;
  }

  /** Gaussian log-likelihood, conditional on the first h + p − 1 values. */
  get llf(): number {
    return this.#need('llf').llf;
  }

  get aic(): number {
    return this.#need('aic').aic;
  }

  get bic(): number {
    return this.#need('bic').bic;
  }

  /** Every order tried by the last selecting fit, on the common sample (null with a fixed order). */
  get candidates(): ARCandidate[] | null {
    return this.#need('candidates').candidates?.map((c) => ({ ...c })) ?? null;
  }

  /**
   * Fits the model to `series` (at least h + P − 1 + K + 1 values for the largest order P tried).
   * With maxOrder, first chooses the order (see the header). Replaces any earlier fit; a failed
   * fit changes nothing.
   */
  fit(series: SeriesLike, options: ARFitOptions = {}): this {
    const where = 'AR.fit';
    const o = checkOptions(where, options, ['exogenous']);
    const y = readSeries(where, 'series', series);
    const n = y.length;
    const exog = this.#readExogenous(where, o.exogenous, n, 'exactly');
    const orders = this.maxOrder === null ? [this.fixedOrder!] : Array.from({ length: this.maxOrder }, (_, k) => k + 1);
    const P = orders[orders.length - 1];
    const h = this.horizon;
    const c = this.intercept ? 1 : 0;
    const E = this.exogenous;
    const start = h + P - 1;
    const K = c + P + E;
    if (n - start < K + 1) {
      const what = this.maxOrder === null ? `order ${P}` : `maxOrder ${P}`;
      throw new RangeError(
        `${where}: a series of ${n} values is too short for ${what}${h > 1 ? ` with horizon ${h}` : ''}${E > 0 ? ` and ${E} exogenous column${E === 1 ? '' : 's'}` : ''}: ` +
          `the fit uses the values from index ${start} on and needs more of them than its ${K} coefficients (at least ${start + K + 1} values)`,
      );
    }
    const fitted = withScratch(this.backend, where, (s) => {
      const yBuf = s.f64(y, 'the series');
      const xBuf = exog ? s.f64(exog, 'the exogenous columns') : null;
      let order = P;
      let candidates: ARCandidate[] | null = null;
      if (this.maxOrder !== null) {
        candidates = [];
        for (const p of orders) {
          const r = this.#solve(s, yBuf, xBuf, start, n, p);
          // A rank-deficient order ends the search: every higher order holds the same columns.
          if ('rank' in r) {
            if (p === 1) throw rankError(where, p, r.rank, r.K);
            break;
          }
          const sigma2 = r.ssr / r.nobs;
          const { aic, bic } = criteria(sigma2, r.nobs, r.params.length);
          candidates.push({ order: p, aic, bic, sigma2, nobs: r.nobs });
        }
        let best = candidates[0];
        for (const cand of candidates) if (cand[this.criterion] < best[this.criterion]) best = cand;
        order = best.order;
      }
      const own = h + order - 1;
      const r = this.#solve(s, yBuf, xBuf, own, n, order);
      if ('rank' in r) throw rankError(where, order, r.rank, r.K);
      const sigma2 = r.ssr / r.nobs;
      const stats = criteria(sigma2, r.nobs, r.params.length);
      const standardErrors = Array.from(r.inverseDiagonal, (v) => Math.sqrt(sigma2 * v));
      return {
        order, params: Array.from(r.params), standardErrors, ssr: r.ssr, nobs: r.nobs, sigma2, llf: stats.llf, aic: stats.aic, bic: stats.bic,
        candidates, tail: Array.from(y.subarray(n - own)),
      } satisfies ARFitted;
    });
    this.#fitted = fitted;
    return this;
  }

  /**
   * The next `steps` values after the series fitted, iterated: each forecast becomes a lag of
   * the next (ŷ(n), ŷ(n + 1), …). A model with exogenous columns needs their values over the
   * forecast steps (at least `steps` rows).
   */
  forecast(steps: number, options: ARForecastOptions = {}): Float64Array {
    const where = 'AR.forecast';
    const f = this.#need(where);
    checkInt(where, 'steps', steps, 1, 100_000_000);
    const o = checkOptions(where, options, ['exogenous']);
    const exog = this.#readExogenous(where, o.exogenous, steps, 'at least');
    const L = f.tail.length;
    const E = this.exogenous;
    return withScratch(this.backend, where, (s) => {
      const y = s.f64(f.tail, 'the last values of the series');
      let x: F32Buffer | null = null;
      if (exog) {
        x = s.f64((L + steps) * E, 'the exogenous columns');
        liveF64(x).set(exog.subarray(0, steps * E), L * E); // row t of the buffer is x(t); rows before L are not read
      }
      const out = s.f64(1, 'the forecast');
      const path = s.f64(steps, 'the forecasts');
      const z = s.f64(f.order, 'scratch');
      const w = s.f64(f.params, 'the coefficients');
      arForecastF64(this.backend, { out: out.ptr, path: path.ptr, z: z.ptr, y: y.ptr, exog: x?.ptr ?? 0, w: w.ptr }, { first: L - 1, count: 1, steps }, this.#design(f.order));
      return liveF64(path).slice(0, steps);
    });
  }

  /**
   * Forecasts from every origin of `series`: out[o] is the forecast of series[o + steps] made
   * from series[0 … o] (and the exogenous rows up to o + steps), iterated when steps > horizon.
   * NaN where the history before o is too short, or the exogenous rows do not reach o + steps.
   * With steps = 1, out[t − 1] is the fitted value of t.
   */
  predict(series: SeriesLike, options: ARPredictOptions = {}): Float64Array {
    const where = 'AR.predict';
    const f = this.#need(where);
    const o = checkOptions(where, options, ['steps', 'exogenous']);
    const steps = o.steps === undefined ? 1 : checkInt(where, 'options.steps', o.steps, 1, 100_000_000);
    const y = readSeries(where, 'series', series);
    const n = y.length;
    const exog = this.#readExogenous(where, o.exogenous, n, 'at least');
    const out = new Float64Array(n).fill(NaN);
    const count = exog ? Math.min(n, exog.length / this.exogenous - steps) : n;
    if (count <= 0) return out;
    withScratch(this.backend, where, (s) => {
      const yBuf = s.f64(y, 'the series');
      const x = exog ? s.f64(exog, 'the exogenous columns') : null;
      const outBuf = s.f64(count, 'the forecasts');
      const path = s.f64(steps, 'scratch');
      const z = s.f64(f.order, 'scratch');
      const w = s.f64(f.params, 'the coefficients');
      arForecastF64(this.backend, { out: outBuf.ptr, path: path.ptr, z: z.ptr, y: yBuf.ptr, exog: x?.ptr ?? 0, w: w.ptr }, { first: 0, count, steps }, this.#design(f.order));
      out.set(liveF64(outBuf).subarray(0, count));
    });
    return out;
  }

  toJSON(): ARJSON {
    const f = this.#fitted;
    return {
      format: FORMAT,
      version: VERSION,
      options: {
        ...(this.maxOrder === null ? { order: this.fixedOrder! } : { maxOrder: this.maxOrder, criterion: this.criterion }),
        exogenous: this.exogenous, intercept: this.intercept, horizon: this.horizon,
      },
      fitted: f ? { ...f, params: [...f.params], standardErrors: [...f.standardErrors], tail: [...f.tail], candidates: f.candidates?.map((c) => ({ ...c })) ?? null } : null,
    };
  }

  static fromJSON(json: unknown, options: { backend?: Backend } = {}): AR {
    const where = 'AR.fromJSON';
    checkOptions(where, options, ['backend']);
    const j = readFields(where, '', readSaved<ARJSON>(where, json, { format: FORMAT, version: VERSION, what: 'AR model' }), FILE) as unknown as ARJSON;
    const opts = readFields(where, 'options', j.options, OPTIONS) as unknown as ARJSON['options'];
    // The constructor checks the combination (exactly one of order and maxOrder; criterion with maxOrder).
    const model = new AR({ ...opts, backend: options.backend });
    if (j.fitted === null) return model;
    const f = readFields(where, 'fitted', j.fitted, FITTED) as unknown as ARFitted;
    if (model.fixedOrder !== null && f.order !== model.fixedOrder) throw new RangeError(`${where}: fitted.order is ${f.order} but options.order is ${model.fixedOrder}`);
    if (model.maxOrder !== null && f.order > model.maxOrder) throw new RangeError(`${where}: fitted.order is ${f.order}, more than options.maxOrder ${model.maxOrder}`);
    const K = (model.intercept ? 1 : 0) + f.order + model.exogenous;
    const list = (name: string, value: unknown, length: number): number[] => {
      if (!Array.isArray(value)) throw new TypeError(`${where}: fitted.${name} must be an array of ${length} numbers, got ${describe(value)}`);
      if (value.length !== length) throw new RangeError(`${where}: fitted.${name} has ${value.length} values but the model needs ${length}`);
      value.forEach((v: unknown, k) => {
        if (typeof v !== 'number' || !Number.isFinite(v)) throw new TypeError(`${where}: fitted.${name}[${k}] must be a finite number, got ${describe(v)}`);
      });
      return [...(value as number[])];
    };
    if (!(f.sigma2 >= 0) || !(f.ssr >= 0)) throw new RangeError(`${where}: fitted.sigma2 and fitted.ssr must be ≥ 0, got ${f.sigma2} and ${f.ssr}`);
    const stats = criteria(f.sigma2, f.nobs, K);
    checkCriteria(where, 'fitted', f, stats);
    const candidates = f.candidates === null ? null : readCandidates(where, f.candidates, (order) => (model.intercept ? 1 : 0) + order + model.exogenous);
    const fitted: ARFitted = {
      order: f.order,
      params: list('params', f.params, K),
      standardErrors: list('standardErrors', f.standardErrors, K),
      ssr: f.ssr, nobs: f.nobs, sigma2: f.sigma2, ...stats,
      candidates,
      tail: list('tail', f.tail, model.horizon + f.order - 1),
    };
    if ((fitted.candidates === null) !== (model.maxOrder === null)) throw new RangeError(`${where}: fitted.candidates must be present exactly when options.maxOrder is`);
    model.#fitted = fitted;
    return model;
  }

  #design(order: number): ArDesign {
    return { order, exogenous: this.exogenous, horizon: this.horizon, intercept: this.intercept };
  }

  #need(where: string): ARFitted {
    if (!this.#fitted) throw new Error(`${where.startsWith('AR.') ? where : `AR.${where}`}: the model is not fitted yet (call fit first)`);
    return this.#fitted;
  }

  /** The exogenous columns as f64 rows, checked against the model's E and the rows needed. */
  #readExogenous(where: string, value: unknown, rows: number, how: 'exactly' | 'at least'): Float64Array | null {
    const E = this.exogenous;
    if (E === 0) {
      if (value !== undefined) throw new RangeError(`${where}: options.exogenous was given, but the model has no exogenous columns (construct it with { exogenous: E })`);
      return null;
    }
    if (value === undefined) throw new TypeError(`${where}: options.exogenous is required: the model has ${E} exogenous column${E === 1 ? '' : 's'}`);
    const x = readColumns(where, 'options.exogenous', value, E);
    if (how === 'exactly' ? x.rows !== rows : x.rows < rows) {
      throw new RangeError(`${where}: options.exogenous has ${x.rows} rows but ${how === 'exactly' ? 'the series has' : 'needs at least'} ${rows}`);
    }
    return x.data;
  }

  /** Least squares of order p on rows start … n − 1: coefficients, diag((ZᵀZ)⁻¹), SSR; or the rank of a rank-deficient design. */
  #solve(s: Scratch, y: F32Buffer, x: F32Buffer | null, start: number, n: number, p: number): Solved | { rank: number; K: number } {
    const d = this.#design(p);
    const K = (this.intercept ? 1 : 0) + p + this.exogenous;
    const O = 1 + K; // right-hand sides: Zᵀy, then the K unit vectors
    const xtx = s.f64(K * K, 'ZᵀZ');
    const xty = s.f64(K, 'Zᵀy');
    const z = s.f64(K, 'scratch');
    arGramF64(this.backend, { xtx: xtx.ptr, xty: xty.ptr, z: z.ptr, y: y.ptr, exog: x?.ptr ?? 0 }, { start, n }, d);
    const rhs = s.f64(K * O, 'the right-hand sides');
    const wOut = s.f64(O * K, 'the solutions');
    const work = s.f64(K * K, 'the factor');
    const tmp = s.f64(K, 'scratch');
    const perm = s.i32(K, 'the pivots');
    {
      const b = liveF64(rhs);
      const g = liveF64(xty);
      for (let i = 0; i < K; i++) {
        b[i * O] = g[i];
        b[i * O + 1 + i] = 1;
      }
    }
    const { rank } = esnRidgeSolve(this.backend, wOut.ptr, work.ptr, tmp.ptr, perm.ptr, xtx.ptr, rhs.ptr, { features: K, outputSize: O, ridge: 0, biasColumn: false }); // λ = 0: nothing is regularised, biasColumn is moot
    if (rank < K) return { rank, K };
    const solutions = liveF64(wOut);
    const params = solutions.slice(0, K);
    const inverseDiagonal = new Float64Array(K);
    for (let k = 0; k < K; k++) inverseDiagonal[k] = solutions[(1 + k) * K + k];
    const ssr = arSsrF64(this.backend, { resid: 0, z: z.ptr, y: y.ptr, exog: x?.ptr ?? 0, w: wOut.ptr }, { start, n }, d);
    return { params, inverseDiagonal, ssr, nobs: n - start };
  }
}

/** llf, AIC, BIC of a fit with K coefficients and σ² = SSR / nobs (see the header); ±Infinity when σ² = 0 (an exact fit). */
function criteria(sigma2: number, nobs: number, K: number): { llf: number; aic: number; bic: number } {
  const llf = (-nobs / 2) * (Math.log(2 * Math.PI * sigma2) + 1);
  return { llf, aic: -2 * llf + 2 * (K + 1), bic: -2 * llf + Math.log(nobs) * (K + 1) };
}

function rankError(where: string, order: number, rank: number, K: number): RangeError {
  return new RangeError(
    `${where}: the design of order ${order} is rank-deficient (rank ${rank} of ${K} columns): ` +
      'the series is constant or follows an exact linear recursion, or exogenous columns are constant or collinear',
  );
}

/**
 * The statistics derived from σ² (a saved file carries them for its readers; JSON writes an
 * infinite one as null): recomputed, and the file's must agree.
 */
function checkCriteria(where: string, name: string, saved: { llf?: unknown; aic: unknown; bic: unknown }, derived: { llf: number; aic: number; bic: number }): void {
  for (const key of ['llf', 'aic', 'bic'] as const) {
    if (key === 'llf' && !('llf' in saved)) continue;
    const v = saved[key];
    const ok = Number.isFinite(derived[key]) ? v === derived[key] : v === null;
    if (!ok) throw new RangeError(`${where}: ${name}.${key} is ${describe(v)} but σ², nobs and the order give ${derived[key]}`);
  }
}

function readCandidates(where: string, value: unknown, coefficients: (order: number) => number): ARCandidate[] {
  if (!Array.isArray(value)) throw new TypeError(`${where}: fitted.candidates must be an array, got ${describe(value)}`);
  return value.map((c, k) => {
    const name = `fitted.candidates[${k}]`;
    const r = readFields(where, name, c, CANDIDATE) as unknown as ARCandidate;
    if (!(r.sigma2 >= 0)) throw new RangeError(`${where}: ${name}.sigma2 must be ≥ 0, got ${r.sigma2}`);
    const stats = criteria(r.sigma2, r.nobs, coefficients(r.order));
    checkCriteria(where, name, r, stats);
    return { order: r.order, aic: stats.aic, bic: stats.bic, sigma2: r.sigma2, nobs: r.nobs };
  });
}

const FILE: Schema = { format: { kind: 'any' }, version: { kind: 'any' }, options: { kind: 'object' }, fitted: { kind: 'object', nullable: true } };
const OPTIONS: Schema = {
  order: { kind: 'integer', min: 1, max: 100_000, optional: true }, maxOrder: { kind: 'integer', min: 1, max: 100_000, optional: true },
  criterion: { kind: 'string', optional: true }, exogenous: { kind: 'integer', min: 0, max: 100_000 }, intercept: { kind: 'boolean' }, horizon: { kind: 'integer', min: 1, max: 100_000 },
};
const FITTED: Schema = {
  order: { kind: 'integer', min: 1, max: 100_000 }, params: { kind: 'array' }, standardErrors: { kind: 'array' },
  ssr: { kind: 'number' }, nobs: { kind: 'integer', min: 1 }, sigma2: { kind: 'number' }, llf: { kind: 'any' }, aic: { kind: 'any' }, bic: { kind: 'any' },
  candidates: { kind: 'array', nullable: true }, tail: { kind: 'array' },
};
const CANDIDATE: Schema = { order: { kind: 'integer', min: 1, max: 100_000 }, aic: { kind: 'any' }, bic: { kind: 'any' }, sigma2: { kind: 'number' }, nobs: { kind: 'integer', min: 1 } };
