// The restricted Boltzmann machine (Smolensky 1986; Hinton 2002): V visible and H hidden units in a
// bipartite graph, trained by contrastive divergence (CD-k) or persistent CD (PCD, Tieleman 2008).
// The vocabulary follows scikit-learn's BernoulliRBM where it has one: transform = p(h | v),
// gibbs, pseudoLikelihood = score_samples.
//
//   E(v, h) = −vᵀWh − bᵀv − aᵀh             visibleUnits 'bernoulli' (v ∈ [0, 1]: probabilities are valid data)
//   E(v, h) = ½‖v − b‖² − vᵀWh − aᵀh        visibleUnits 'gaussian' (unit variance: standardise the data first)
//   p(h_j = 1 | v) = σ(a_j + (vW)_j);   p(v_i = 1 | h) = σ(b_i + (Wh)_i)  or  v_i | h ~ N(b_i + (Wh)_i, 1)
//   F(v) = −log Σ_h e^{−E(v, h)} = −bᵀv − Σ_j softplus(a_j + (vW)_j)   (gaussian: ½‖v − b‖² − Σ_j …)
//
// Layout: W is [visible, hidden] row-major (w_ij joins visible i and hidden j), b [visible] the visible
// bias, a [hidden] the hidden bias. scikit-learn's BernoulliRBM stores components_ [hidden, visible]
// = Wᵀ, intercept_visible_ = b, intercept_hidden_ = a: setWeights({ weights: transpose(components_),
// visibleBias: intercept_visible_, hiddenBias: intercept_hidden_ }) imports one.
//
// Training (one WASM call per mini-batch, assembly/rbm.ts rbm_cd_step_f32): the positive statistics
// use the data and p(h | v0); a hidden sample h0 ~ p(h | v0) starts the chain (CD), or the persistent
// chains continue from their last hidden samples (PCD: one chain per batch row, kept across batches
// and epochs of a fit, started from the first batch's h0); each of the k Gibbs steps samples v from
// p(v | h) (gaussian: with its unit noise), then computes p(h | v) and samples h; the negative
// statistics use the last sampled v and its p(h | v). Updates: Δ ← momentum·Δ + lr·(gradient −
// weightDecay·W) (no decay on biases), and with sparsity { target, cost } the hidden biases and the
// weights are pulled toward mean activity `target` (q ← 0.9·q + 0.1·batch mean, Hinton 2010 §11).
// The reconstruction error of fit's history is Σ_i (v − mean of p(v | h0))² per sample, averaged over
// the epoch (h0 sampled); reconstructionError(x) is the deterministic mean-field one.
//
// Initialisation: W ~ N(0, 0.01²) (scikit-learn, Hinton 2010), biases zero. All arithmetic is in WASM;
// this file validates, marshals, draws the per-call seeds from the model's own Random and loops over
// epochs and batches.
import { Backend, liveF64, liveView, type F32Buffer } from '../engine/backend.js';
import { defaultBackend } from '../engine/init.js';
import { sizeProduct } from '../engine/sizes.js';
import { checkBoolean, checkFinite, checkInt, checkOneOf, checkOptions, describe, readSeed } from '../errors.js';
import {
  RBM_CHAIN, rbmAisF64, rbmCdScratchFloats, rbmCdStepF32, rbmFreeEnergyF64, rbmGibbsF32, rbmHiddenF32, rbmLogPartitionF64,
  rbmPseudoLikelihoodF64, rbmReconstructF32, rbmVisibleF32,
} from '../kernels/rbm.js';
import { sumRowsIntoF32 } from '../kernels/dense.js';
import { sampleBernoulliF32, sampleGaussianF32 } from '../kernels/random.js';
import { Random } from '../random.js';

export type VisibleUnits = 'bernoulli' | 'gaussian';

export interface RBMOptions {
  /** Visible units V (≥ 1). */
  visible: number;
  /** Hidden units H (≥ 1). */
  hidden: number;
  /** 'bernoulli' (default; data in [0, 1]) or 'gaussian' (unit variance; standardise the data). */
  visibleUnits?: VisibleUnits;
  /** Seeds the initial weights and every draw of fit/gibbs/sample that gives no seed of its own (default 0). */
  seed?: number;
  /** Default 0.1 (scikit-learn's). */
  learningRate?: number;
  /** Default 0. */
  momentum?: number;
  /** L2 decay on the weights (not the biases), default 0. */
  weightDecay?: number;
  /** Pulls each hidden unit's mean activity toward `target` with strength `cost` (Hinton 2010 §11). */
  sparsity?: { target: number; cost: number };
  backend?: Backend;
}

export interface RBMEpochLogs {
  /** 0-based. */
  epoch: number;
  reconstructionError: number;
  /** When fit's pseudoLikelihood option is true: the mean over the training data. */
  pseudoLikelihood?: number;
}

export interface RBMFitOptions {
  /** Default 10. */
  epochs?: number;
  /** Default 10 (scikit-learn's). */
  batchSize?: number;
  /** Gibbs steps per update (default 1). */
  k?: number;
  /** PCD instead of CD (default false). */
  persistent?: boolean;
  /** Reshuffle the rows every epoch (default true). */
  shuffle?: boolean;
  /** Also compute the mean pseudo-likelihood of the training data after each epoch (bernoulli only; default false). */
  pseudoLikelihood?: boolean;
  /** Called after each epoch; return false to stop. */
  onEpochEnd?: (logs: RBMEpochLogs) => void | boolean;
  callbacks?: { onEpochEnd?: (logs: RBMEpochLogs) => void | boolean };
}

export interface RBMHistory {
  /** Per epoch: Σ_i (v − mean of p(v | h0))² per sample. */
  reconstructionError: number[];
  /** Per epoch, when asked for. */
  pseudoLikelihood: number[];
  epochs: number;
  stoppedEarly: boolean;
}

export interface RBMWeights {
  /** W [visible][hidden]. */
  weights: number[][];
  visibleBias: number[];
  hiddenBias: number[];
}

export interface RBMJSON {
  format: 'rnn-wasm/rbm';
  version: 1;
  options: {
    visible: number; hidden: number; visibleUnits: VisibleUnits; seed: number;
    learningRate: number; momentum: number; weightDecay: number; sparsity: { target: number; cost: number } | null;
  };
  /** W row-major [V·H] then b [V] then a [H], as f32 values. */
  params: number[];
}

/** Rows as number[][] or a flat { data, shape: [N, visible] }. */
export type RowsLike = readonly (ArrayLike<number>)[] | { data: ArrayLike<number>; shape: readonly number[] };

/** A [rows, cols] matrix returned to the user: flat data plus shape and rows(). */
export interface Matrix {
  data: Float32Array;
  shape: [number, number];
}

type EpochCallback = (logs: RBMEpochLogs) => void | boolean;

const FORMAT = 'rnn-wasm/rbm';
const OPTION_KEYS = ['visible', 'hidden', 'visibleUnits', 'seed', 'learningRate', 'momentum', 'weightDecay', 'sparsity', 'backend'] as const;
const FIT_KEYS = ['epochs', 'batchSize', 'k', 'persistent', 'shuffle', 'pseudoLikelihood', 'onEpochEnd', 'callbacks'] as const;
/** The most states logPartition() enumerates: 2²⁰. */
const MAX_ENUMERATED_UNITS = 20;

export class RBM {
  readonly visible: number;
  readonly hidden: number;
  readonly visibleUnits: VisibleUnits;
  readonly seed: number;
  readonly backend: Backend;
  learningRate: number;
  momentum: number;
  weightDecay: number;
  sparsity: { target: number; cost: number } | null;
  /** W | b | a, f32. */
  #params: F32Buffer | null;
  #random: Random;

  constructor(options: RBMOptions) {
    const where = 'RBM';
    const o = checkOptions(where, options, OPTION_KEYS);
    this.visible = checkInt(where, 'options.visible', o.visible, 1, 1 << 20);
    this.hidden = checkInt(where, 'options.hidden', o.hidden, 1, 1 << 20);
    this.visibleUnits = o.visibleUnits === undefined ? 'bernoulli' : checkOneOf(where, 'options.visibleUnits', o.visibleUnits, ['bernoulli', 'gaussian'] as const);
    this.seed = readSeed(where, 'options.seed', o.seed);
    this.learningRate = o.learningRate === undefined ? 0.1 : checkPositive(where, 'options.learningRate', o.learningRate);
    this.momentum = o.momentum === undefined ? 0 : checkUnit(where, 'options.momentum', o.momentum, false);
    this.weightDecay = o.weightDecay === undefined ? 0 : checkNonNegative(where, 'options.weightDecay', o.weightDecay);
    this.sparsity = o.sparsity === undefined || o.sparsity === null ? null : readSparsity(where, o.sparsity);
    const backend = o.backend ?? defaultBackend();
    if (!(backend instanceof Backend)) throw new TypeError(`${where}: options.backend must be a Backend, got ${describe(o.backend)}`);
    this.backend = backend;
    this.#random = new Random(this.seed);
    const V = this.visible;
    const H = this.hidden;
    this.#params = backend.allocBlock(where, 'the parameters', sizeProduct(V, H) + BigInt(V + H));
    // W ~ N(0, 0.01²) from its own stream; biases zero.
    sampleGaussianF32(backend, { out: this.#params.ptr, mean: 0 }, V * H, 0.01, new Random(this.seed, 1).nextUint32());
  }

  get gaussian(): boolean {
    return this.visibleUnits === 'gaussian';
  }

  /** The parameter count V·H + V + H. */
  get parameterCount(): number {
    return this.visible * this.hidden + this.visible + this.hidden;
  }

  /**
   * Trains by CD-k or PCD-k on mini-batches; returns the history. If an update would make a parameter
   * non-finite, fit stops with an Error and keeps the parameters of the last good update.
   */
  fit(x: RowsLike, options: RBMFitOptions = {}): RBMHistory {
    const where = 'RBM.fit';
    const params = this.#live(where);
    const o = checkOptions(where, options, FIT_KEYS);
    const epochs = o.epochs === undefined ? 10 : checkInt(where, 'options.epochs', o.epochs, 1);
    const batchSize = o.batchSize === undefined ? 10 : checkInt(where, 'options.batchSize', o.batchSize, 1, 1 << 16);
    const k = o.k === undefined ? 1 : checkInt(where, 'options.k', o.k, 1, 1 << 16);
    const persistent = o.persistent === undefined ? false : checkBoolean(where, 'options.persistent', o.persistent);
    const shuffle = o.shuffle === undefined ? true : checkBoolean(where, 'options.shuffle', o.shuffle);
    const withPL = o.pseudoLikelihood === undefined ? false : checkBoolean(where, 'options.pseudoLikelihood', o.pseudoLikelihood);
    if (withPL && this.gaussian) throw new RangeError(`${where}: options.pseudoLikelihood needs visibleUnits 'bernoulli', got 'gaussian'`);
    const onEpochEnd = o.onEpochEnd === undefined ? undefined : checkFunction<EpochCallback>(where, 'options.onEpochEnd', o.onEpochEnd);
    let callbackEnd: EpochCallback | undefined;
    if (o.callbacks !== undefined) {
      const c = checkOptions(where, o.callbacks, ['onEpochEnd'], 'options.callbacks');
      callbackEnd = c.onEpochEnd === undefined ? undefined : checkFunction<EpochCallback>(where, 'options.callbacks.onEpochEnd', c.onEpochEnd);
    }
    const { data, rows: N } = this.#readRows(where, 'x', x);
    const V = this.visible;
    const H = this.hidden;
    const B = Math.min(batchSize, N);
    const history: RBMHistory = { reconstructionError: [], pseudoLikelihood: [], epochs: 0, stoppedEarly: false };
    const random = this.#random;
    this.#scratch(where, (alloc) => {
      const batch = alloc(B * V, 'a mini-batch');
      const velocity = alloc(this.parameterCount, 'the velocities');
      const chain = alloc(B * H, 'the persistent chains');
      const q = alloc(H, 'the mean hidden activities');
      const scratch = alloc(rbmCdScratchFloats(this.backend, B, V, H), 'the CD workspace');
      const plOut = withPL ? alloc(2 * N, 'the pseudo-likelihoods') : null;
      const pre = withPL ? alloc(2 * H, 'the hidden inputs') : null;
      const all = withPL ? alloc(N * V, 'the data') : null;
      if (all) liveView(all).set(data);
      if (this.sparsity) liveView(q).fill(this.sparsity.target);
      const order = Array.from({ length: N }, (_, i) => i);
      let chainStarted = false;
      for (let epoch = 0; epoch < epochs; epoch++) {
        if (shuffle) {
          for (let i = N - 1; i > 0; i--) {
            const j = Math.floor(random.uniform() * (i + 1));
            [order[i], order[j]] = [order[j], order[i]];
          }
        }
        let error = 0;
        for (let start = 0; start < N; start += B) {
          const b = Math.min(B, N - start);
          const view = liveView(batch);
          for (let r = 0; r < b; r++) view.set(data.subarray(order[start + r] * V, (order[start + r] + 1) * V), r * V);
          const mode = !persistent ? RBM_CHAIN.cd : chainStarted ? RBM_CHAIN.persistent : RBM_CHAIN.persistentStart;
          const e = rbmCdStepF32(
            this.backend,
            { params: params.ptr, velocity: velocity.ptr, chain: chain.ptr, q: q.ptr, scratch: scratch.ptr, v0: batch.ptr },
            { B: b, V, H },
            {
              k, mode, gaussian: this.gaussian, learningRate: this.learningRate, momentum: this.momentum, weightDecay: this.weightDecay,
              sparsityTarget: this.sparsity?.target ?? 0, sparsityCost: this.sparsity?.cost ?? 0, seed: random.nextUint32(),
            },
          );
          // A first partial batch starts only its own chains; the full batches after it start the rest.
          if (persistent && b === B) chainStarted = true;
          if (!Number.isFinite(e)) {
            throw new Error(
              `${where}: training diverged at epoch ${epoch + 1}, batch ${start / B + 1} (an update would have made a parameter non-finite); ` +
                'the parameters are those of the last good update: lower options.learningRate or standardise the data',
            );
          }
          error += e;
        }
        const logs: RBMEpochLogs = { epoch, reconstructionError: error / N };
        history.reconstructionError.push(logs.reconstructionError);
        if (withPL) {
          rbmPseudoLikelihoodF64(this.backend, { out: plOut!.ptr, pre: pre!.ptr, v: all!.ptr, params: params.ptr }, { N, V, H }, random.nextUint32());
          logs.pseudoLikelihood = mean(liveF64(plOut!).subarray(0, N));
          history.pseudoLikelihood.push(logs.pseudoLikelihood);
        }
        history.epochs = epoch + 1;
        const stop = [onEpochEnd?.(logs), callbackEnd?.(logs)].includes(false);
        if (stop && epoch + 1 < epochs) {
          history.stoppedEarly = true;
          break;
        }
      }
    });
    return history;
  }

  /** p(h = 1 | v) for each row: [N, hidden]. */
  transform(x: RowsLike): Matrix {
    const where = 'RBM.transform';
    const params = this.#live(where);
    const { data, rows: N } = this.#readRows(where, 'x', x);
    return this.#scratch(where, (alloc) => {
      const v = alloc(N * this.visible, 'the input');
      const ph = alloc(N * this.hidden, 'the hidden probabilities');
      liveView(v).set(data);
      rbmHiddenF32(this.backend, { ph: ph.ptr, v: v.ptr, params: params.ptr }, { N, V: this.visible, H: this.hidden });
      return { data: liveView(ph).slice(), shape: [N, this.hidden] };
    });
  }

  /** The mean of p(v | h) for given hidden values [N, hidden] (samples or probabilities in [0, 1]). */
  visibleMeans(h: RowsLike): Matrix {
    const where = 'RBM.visibleMeans';
    const params = this.#live(where);
    const { data, rows: N } = readMatrix(where, 'h', h, this.hidden, 'hidden', 'hidden units are binary');
    return this.#scratch(where, (alloc) => {
      const hb = alloc(N * this.hidden, 'the hidden values');
      const mv = alloc(N * this.visible, 'the visible means');
      liveView(hb).set(data);
      rbmVisibleF32(this.backend, { mv: mv.ptr, h: hb.ptr, params: params.ptr }, { N, V: this.visible, H: this.hidden }, this.gaussian);
      return { data: liveView(mv).slice(), shape: [N, this.visible] };
    });
  }

  /** Mean-field reconstruction: the mean of p(v | h = p(h | v)), [N, visible]. */
  reconstruct(x: RowsLike): Matrix {
    return this.#reconstruct('RBM.reconstruct', x).matrix;
  }

  /** Mean over rows of Σ_i (v_i − reconstruct(v)_i)². */
  reconstructionError(x: RowsLike): number {
    const r = this.#reconstruct('RBM.reconstructionError', x);
    return r.sum / r.matrix.shape[0];
  }

  /**
   * `steps` block-Gibbs steps (h ~ p(h | v), then v ~ p(v | h)) from each row of v; returns the final
   * visible samples (scikit-learn's gibbs with steps = 1). seed: this call's draws (default: the next
   * draw of the model's own stream).
   */
  gibbs(v: RowsLike, options: { steps?: number; seed?: number } | number = {}): Matrix {
    const where = 'RBM.gibbs';
    const params = this.#live(where);
    const o = typeof options === 'number' ? { steps: options } : checkOptions(where, options, ['steps', 'seed']);
    const steps = o.steps === undefined ? 1 : checkInt(where, 'steps', o.steps, 1);
    const seed = o.seed === undefined ? undefined : readSeed(where, 'options.seed', o.seed);
    const { data, rows: N } = this.#readRows(where, 'v', v);
    const s = seed ?? this.#random.nextUint32();
    return this.#gibbs(where, params, data, N, steps, s).samples;
  }

  /**
   * n samples: chains started from uniform random visible states (bernoulli: p = ½; gaussian: N(0, 1)),
   * run for `steps` Gibbs steps (default 1000). Returns the final samples and the means of the last
   * p(v | h) (smoother pictures).
   */
  sample(n: number, options: { steps?: number; seed?: number } = {}): { samples: Matrix; means: Matrix } {
    const where = 'RBM.sample';
    const params = this.#live(where);
    checkInt(where, 'n', n, 1, 1 << 20);
    const o = checkOptions(where, options, ['steps', 'seed']);
    const steps = o.steps === undefined ? 1000 : checkInt(where, 'options.steps', o.steps, 1);
    const seed = o.seed === undefined ? this.#random.nextUint32() : readSeed(where, 'options.seed', o.seed);
    const start = this.#scratch(where, (alloc) => {
      const v = alloc(n * this.visible, 'the start states');
      if (this.gaussian) sampleGaussianF32(this.backend, { out: v.ptr, mean: 0 }, n * this.visible, 1, new Random(seed, 2).nextUint32());
      else {
        liveView(v).fill(0.5);
        sampleBernoulliF32(this.backend, { out: v.ptr, p: v.ptr }, n * this.visible, new Random(seed, 2).nextUint32());
      }
      return liveView(v).slice();
    });
    return this.#gibbs(where, params, start, n, steps, seed);
  }

  /** F(v) per row (f64). */
  freeEnergy(v: RowsLike): Float64Array {
    const where = 'RBM.freeEnergy';
    const params = this.#live(where);
    const { data, rows: N } = this.#readRows(where, 'v', v);
    return this.#scratch(where, (alloc) => {
      const vb = alloc(N * this.visible, 'the input');
      const out = alloc(2 * N, 'the free energies');
      const pre = alloc(2 * this.hidden, 'the hidden inputs');
      liveView(vb).set(data);
      rbmFreeEnergyF64(this.backend, { out: out.ptr, pre: pre.ptr, v: vb.ptr, params: params.ptr }, { N, V: this.visible, H: this.hidden }, this.gaussian);
      return liveF64(out).slice(0, N);
    });
  }

  /**
   * scikit-learn's score_samples: per row, V·log σ(F(ṽ) − F(v)) where ṽ is v with one randomly chosen
   * unit replaced by 1 − v_i (a stochastic proxy of V·log p(v_i | v_rest)). Bernoulli visible units only.
   */
  pseudoLikelihood(x: RowsLike, options: { seed?: number } = {}): Float64Array {
    const where = 'RBM.pseudoLikelihood';
    const params = this.#live(where);
    if (this.gaussian) throw new RangeError(`${where}: the pseudo-likelihood is defined for visibleUnits 'bernoulli', this model has 'gaussian'`);
    const o = checkOptions(where, options, ['seed']);
    const { data, rows: N } = this.#readRows(where, 'x', x);
    const seed = o.seed === undefined ? this.#random.nextUint32() : readSeed(where, 'options.seed', o.seed);
    return this.#scratch(where, (alloc) => {
      const vb = alloc(N * this.visible, 'the input');
      const out = alloc(2 * N, 'the pseudo-likelihoods');
      const pre = alloc(2 * this.hidden, 'the hidden inputs');
      liveView(vb).set(data);
      rbmPseudoLikelihoodF64(this.backend, { out: out.ptr, pre: pre.ptr, v: vb.ptr, params: params.ptr }, { N, V: this.visible, H: this.hidden }, seed);
      return liveF64(out).slice(0, N);
    });
  }

  /**
   * log Z exactly, by enumerating the smaller layer (2^min(visible, hidden) ≤ 2²⁰ states). Gaussian visible
   * units: the hidden layer is enumerated (hidden ≤ 20) and the visible units are integrated analytically.
   */
  logPartition(): number {
    const where = 'RBM.logPartition';
    const params = this.#live(where);
    const V = this.visible;
    const H = this.hidden;
    const enumerateVisible = !this.gaussian && V < H;
    const n = enumerateVisible ? V : H;
    if (n > MAX_ENUMERATED_UNITS) {
      const what = this.gaussian ? `hidden = ${H} (gaussian visible units: the hidden layer is enumerated)` : `min(visible, hidden) = ${n}`;
      throw new RangeError(`${where}: exact enumeration needs at most 2^${MAX_ENUMERATED_UNITS} states, got 2^${n} (${what}); use estimateLogPartition()`);
    }
    return this.#scratch(where, (alloc) => {
      const x = alloc(2 * Math.max(V, H), 'the layer inputs');
      return rbmLogPartitionF64(this.backend, { x: x.ptr, params: params.ptr }, V, H, enumerateVisible, this.gaussian);
    });
  }

  /**
   * log Z by annealed importance sampling (Salakhutdinov & Murray 2008), bernoulli visible units. The
   * base model has no weights and visible biases from `data` (log-odds of its column means, clipped to
   * [0.001, 0.999]) or zero without data. `betas`: a count K of equally spaced inverse temperatures
   * from 0 to 1 (default 1000) or the increasing list itself. Returns log Ẑ and its standard error
   * (delta method over the chains' importance weights).
   */
  estimateLogPartition(options: { chains?: number; betas?: number | readonly number[]; seed?: number; data?: RowsLike } = {}): {
    logZ: number; standardError: number; logWeights: Float64Array;
  } {
    const where = 'RBM.estimateLogPartition';
    const params = this.#live(where);
    if (this.gaussian) throw new RangeError(`${where}: AIS is implemented for visibleUnits 'bernoulli', this model has 'gaussian' (logPartition() is exact for hidden ≤ 20)`);
    const o = checkOptions(where, options, ['chains', 'betas', 'seed', 'data']);
    const M = o.chains === undefined ? 100 : checkInt(where, 'options.chains', o.chains, 2, 1 << 20);
    let betas: number[];
    if (o.betas === undefined || typeof o.betas === 'number') {
      const K = o.betas === undefined ? 1000 : checkInt(where, 'options.betas', o.betas, 2, 1 << 24);
      betas = Array.from({ length: K }, (_, i) => i / (K - 1));
    } else if (Array.isArray(o.betas)) {
      betas = o.betas.map((b, i) => checkFinite(where, `options.betas[${i}]`, b));
      if (betas.length < 2 || betas[0] !== 0 || betas[betas.length - 1] !== 1 || betas.some((b, i) => i > 0 && b <= betas[i - 1])) {
        throw new RangeError(`${where}: options.betas must increase strictly from 0 to 1 (at least 2 values), got [${betas.slice(0, 5).join(', ')}${betas.length > 5 ? ', …' : ''}]`);
      }
    } else {
      throw new TypeError(`${where}: options.betas must be a count or an array of numbers, got ${describe(o.betas)}`);
    }
    if (o.seed !== undefined) readSeed(where, 'options.seed', o.seed);
    const V = this.visible;
    const H = this.hidden;
    const baseBias = new Float32Array(V);
    if (o.data !== undefined) {
      const { data, rows } = this.#readRows(where, 'options.data', o.data as RowsLike);
      // The column sums in WASM (sum_rows_into_f32, rows in order); the V log-odds here.
      const sums = this.#scratch(where, (alloc) => {
        const x = alloc(rows * V, 'the data');
        const dst = alloc(V, 'the column sums');
        liveView(x).set(data);
        sumRowsIntoF32(this.backend, { dst: dst.ptr, src: x.ptr }, rows, V);
        return liveView(dst).slice();
      });
      sums.forEach((m, i) => {
        const p = Math.min(0.999, Math.max(0.001, m / rows));
        baseBias[i] = Math.log(p / (1 - p));
      });
    }
    const K = betas.length;
    const seed = o.seed === undefined ? this.#random.nextUint32() : (o.seed as number);
    return this.#scratch(where, (alloc) => {
      const logw = alloc(2 * M, 'the log-weights');
      const v = alloc(2 * V, 'a chain state');
      const hs = alloc(2 * H, 'a hidden state');
      const pre = alloc(2 * H, 'the hidden inputs');
      const bA = alloc(V, 'the base biases');
      const bs = alloc(2 * K, 'the inverse temperatures');
      liveView(bA).set(baseBias);
      liveF64(bs).set(betas);
      rbmAisF64(this.backend, { logw: logw.ptr, v: v.ptr, hs: hs.ptr, pre: pre.ptr, params: params.ptr, bA: bA.ptr, betas: bs.ptr }, { M, V, H, K }, seed);
      const w = liveF64(logw).slice(0, M);
      let logZ0 = H * Math.LN2;
      for (let i = 0; i < V; i++) logZ0 += Math.max(baseBias[i], 0) + Math.log1p(Math.exp(-Math.abs(baseBias[i])));
      const top = Math.max(...w);
      const scaled = Array.from(w, (x) => Math.exp(x - top));
      const meanScaled = scaled.reduce((s, x) => s + x, 0) / M;
      const variance = scaled.reduce((s, x) => s + (x - meanScaled) ** 2, 0) / (M - 1);
      return { logZ: logZ0 + top + Math.log(meanScaled), standardError: Math.sqrt(variance / M) / meanScaled, logWeights: w };
    });
  }

  /** The exact mean log-likelihood Σ log p(v) / N = −mean F(v) − log Z (needs logPartition()). */
  logLikelihood(x: RowsLike): number {
    const logZ = this.logPartition();
    return -mean(this.freeEnergy(x)) - logZ;
  }

  /** A copy of the parameters as arrays: W [visible][hidden], b, a. */
  getWeights(): RBMWeights {
    const p = liveView(this.#live('RBM.getWeights'));
    const V = this.visible;
    const H = this.hidden;
    return {
      weights: Array.from({ length: V }, (_, i) => Array.from(p.subarray(i * H, (i + 1) * H))),
      visibleBias: Array.from(p.subarray(V * H, V * H + V)),
      hiddenBias: Array.from(p.subarray(V * H + V, V * H + V + H)),
    };
  }

  /** Sets every parameter (all checked first; nothing changes on error). */
  setWeights(weights: RBMWeights): this {
    const where = 'RBM.setWeights';
    const params = this.#live(where);
    const o = checkOptions(where, weights, ['weights', 'visibleBias', 'hiddenBias'], 'weights');
    const V = this.visible;
    const H = this.hidden;
    const flat = new Float32Array(this.parameterCount);
    const { data } = readMatrix(where, 'weights.weights', o.weights as RowsLike, H, 'hidden', null, V);
    flat.set(data);
    flat.set(readVector(where, 'weights.visibleBias', o.visibleBias, V, 'visible'), V * H);
    flat.set(readVector(where, 'weights.hiddenBias', o.hiddenBias, H, 'hidden'), V * H + V);
    liveView(params).set(flat);
    return this;
  }

  toJSON(): RBMJSON {
    const params = liveView(this.#live('RBM.toJSON'));
    return {
      format: FORMAT,
      version: 1,
      options: {
        visible: this.visible, hidden: this.hidden, visibleUnits: this.visibleUnits, seed: this.seed,
        learningRate: this.learningRate, momentum: this.momentum, weightDecay: this.weightDecay, sparsity: this.sparsity && { ...this.sparsity },
      },
      params: Array.from(params),
    };
  }

  static fromJSON(json: unknown, options: { backend?: Backend } = {}): RBM {
    const where = 'RBM.fromJSON';
    checkOptions(where, options, ['backend']);
    const j = (typeof json === 'string' ? JSON.parse(json) : json) as RBMJSON;
    if (j === null || typeof j !== 'object' || j.format !== FORMAT) throw new TypeError(`${where}: not a saved RBM (format must be '${FORMAT}')`);
    if (j.version !== 1) throw new RangeError(`${where}: version must be 1, got ${describe(j.version)}`);
    const { sparsity, ...rest } = j.options;
    const rbm = new RBM({ ...rest, ...(sparsity ? { sparsity } : {}), backend: options.backend });
    const n = rbm.parameterCount;
    if (!Array.isArray(j.params) || j.params.length !== n || !j.params.every((v) => typeof v === 'number' && Number.isFinite(v))) {
      rbm.dispose();
      throw new TypeError(`${where}: params must be ${n} finite numbers, got ${describe(j.params)}`);
    }
    liveView(rbm.#params!).set(j.params);
    return rbm;
  }

  dispose(): void {
    this.#params?.dispose();
    this.#params = null;
  }

  get disposed(): boolean {
    return this.#params === null;
  }

  #live(where: string): F32Buffer {
    if (this.#params === null) throw new Error(`${where}: the RBM has been disposed`);
    return this.#params;
  }

  #reconstruct(where: string, x: RowsLike): { matrix: Matrix; sum: number } {
    const params = this.#live(where);
    const { data, rows: N } = this.#readRows(where, 'x', x);
    return this.#scratch(where, (alloc) => {
      const v = alloc(N * this.visible, 'the input');
      const mv = alloc(N * this.visible, 'the reconstruction');
      const ph = alloc(N * this.hidden, 'the hidden probabilities');
      liveView(v).set(data);
      const sum = rbmReconstructF32(this.backend, { mv: mv.ptr, ph: ph.ptr, v: v.ptr, params: params.ptr }, { N, V: this.visible, H: this.hidden }, this.gaussian);
      return { matrix: { data: liveView(mv).slice(), shape: [N, this.visible] }, sum };
    });
  }

  #gibbs(where: string, params: F32Buffer, start: Float32Array, N: number, steps: number, seed: number): { samples: Matrix; means: Matrix } {
    return this.#scratch(where, (alloc) => {
      const v = alloc(N * this.visible, 'the chain states');
      const mv = alloc(N * this.visible, 'the visible means');
      const ph = alloc(N * this.hidden, 'the hidden states');
      liveView(v).set(start);
      rbmGibbsF32(this.backend, { v: v.ptr, mv: mv.ptr, ph: ph.ptr, params: params.ptr }, { N, V: this.visible, H: this.hidden }, steps, this.gaussian, seed);
      return { samples: { data: liveView(v).slice(), shape: [N, this.visible] }, means: { data: liveView(mv).slice(), shape: [N, this.visible] } };
    });
  }

  /** Rows of `visible` values: finite, and in [0, 1] for bernoulli visible units. */
  #readRows(where: string, name: string, x: RowsLike): { data: Float32Array; rows: number } {
    return readMatrix(where, name, x, this.visible, 'visible', this.gaussian ? null : "visibleUnits 'bernoulli'");
  }

  /** Scratch blocks for one call (f32 counts; f64 users ask for twice), freed at its end, also when it throws. */
  #scratch<T>(where: string, body: (alloc: (n: number, what: string) => F32Buffer) => T): T {
    const owned: F32Buffer[] = [];
    try {
      return body((n, what) => {
        const b = this.backend.allocBlock(where, what, Math.max(1, n));
        owned.push(b);
        return b;
      });
    } finally {
      for (const b of owned) b.dispose();
    }
  }
}

function mean(values: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < values.length; i++) s += values[i];
  return s / values.length;
}

function checkFunction<T>(where: string, name: string, value: unknown): T {
  if (typeof value !== 'function') throw new TypeError(`${where}: ${name} must be a function, got ${describe(value)}`);
  return value as T;
}

function checkPositive(where: string, name: string, value: unknown): number {
  const v = checkFinite(where, name, value);
  if (v <= 0) throw new RangeError(`${where}: ${name} must be > 0, got ${v}`);
  return v;
}

function checkNonNegative(where: string, name: string, value: unknown): number {
  const v = checkFinite(where, name, value);
  if (v < 0) throw new RangeError(`${where}: ${name} must be ≥ 0, got ${v}`);
  return v;
}

/** A number in [0, 1) (or [0, 1] when closed). */
function checkUnit(where: string, name: string, value: unknown, closed: boolean): number {
  const v = checkFinite(where, name, value);
  if (v < 0 || (closed ? v > 1 : v >= 1)) throw new RangeError(`${where}: ${name} must be in [0, 1${closed ? ']' : ')'}, got ${v}`);
  return v;
}

function readSparsity(where: string, value: unknown): { target: number; cost: number } {
  const o = checkOptions(where, value, ['target', 'cost'], 'options.sparsity');
  const target = checkFinite(where, 'options.sparsity.target', o.target);
  if (target <= 0 || target >= 1) throw new RangeError(`${where}: options.sparsity.target must be in (0, 1), got ${target}`);
  return { target, cost: checkNonNegative(where, 'options.sparsity.cost', o.cost) };
}

function readVector(where: string, name: string, value: unknown, n: number, what: string): Float32Array {
  if (value === null || typeof value !== 'object' || typeof (value as { length?: unknown }).length !== 'number') {
    throw new TypeError(`${where}: ${name} must be an array of ${what} = ${n} numbers, got ${describe(value)}`);
  }
  const a = value as ArrayLike<number>;
  if (a.length !== n) throw new RangeError(`${where}: ${name} must have ${what} = ${n} values, got ${a.length}`);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = checkFinite(where, `${name}[${i}]`, a[i]);
  return out;
}

/**
 * Rows of `cols` finite values (in [0, 1] when `unit` gives the reason), as number[][] or { data, shape: [rows, cols] };
 * `rowsWanted` fixes the row count. Returns them flat.
 */
function readMatrix(where: string, name: string, x: RowsLike, cols: number, what: string, unit: string | null, rowsWanted?: number): { data: Float32Array; rows: number } {
  let rows: number;
  let get: (r: number, c: number) => unknown;
  if (Array.isArray(x)) {
    rows = x.length;
    x.forEach((row: unknown, r) => {
      if (row === null || typeof row !== 'object' || typeof (row as { length?: unknown }).length !== 'number') {
        throw new TypeError(`${where}: ${name}[${r}] must be an array of ${what} = ${cols} numbers, got ${describe(row)}`);
      }
      if ((row as ArrayLike<number>).length !== cols) throw new RangeError(`${where}: ${name}[${r}] must have ${what} = ${cols} values, got ${(row as ArrayLike<number>).length}`);
    });
    get = (r, c) => (x[r] as ArrayLike<number>)[c];
  } else if (x !== null && typeof x === 'object' && 'data' in x && 'shape' in x) {
    const { data, shape } = x;
    if (!Array.isArray(shape) || shape.length !== 2 || shape[1] !== cols) {
      throw new RangeError(`${where}: ${name}.shape must be [rows, ${what} = ${cols}], got ${JSON.stringify(shape)}`);
    }
    rows = checkInt(where, `${name}.shape[0]`, shape[0], 1);
    if (data === null || typeof data !== 'object' || data.length !== rows * cols) {
      throw new RangeError(`${where}: ${name}.data must have rows·${what} = ${rows * cols} values, got ${describe(data)}`);
    }
    get = (r, c) => data[r * cols + c];
  } else {
    throw new TypeError(`${where}: ${name} must be an array of rows or { data, shape: [rows, ${what}] }, got ${describe(x)}`);
  }
  if (rows === 0) throw new RangeError(`${where}: ${name} must hold at least one row, got none`);
  if (rowsWanted !== undefined && rows !== rowsWanted) throw new RangeError(`${where}: ${name} must have ${rowsWanted} rows, got ${rows}`);
  const out = new Float32Array(rows * cols);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      const v = get(r, c);
      if (typeof v !== 'number' || !Number.isFinite(v)) throw new RangeError(`${where}: ${name}[${r}][${c}] must be a finite number, got ${describe(v)}`);
      if (unit !== null && (v < 0 || v > 1)) throw new RangeError(`${where}: ${name}[${r}][${c}] must be in [0, 1] (${unit}), got ${v}`);
      out[r * cols + c] = v;
    }
  }
  return { data: out, rows };
}
