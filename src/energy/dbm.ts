// The deep Boltzmann machine (Salakhutdinov & Hinton 2009) with two hidden layers of 0/1 units:
//
//   E(v, h1, h2) = −vᵀW1h1 − h1ᵀW2h2 − bvᵀv − b1ᵀh1 − b2ᵀh2          W1 [visible, h1], W2 [h1, h2]
//
// Every undirected layer's conditional given its neighbours is one WASM primitive (assembly/dbm.ts):
//   p(h1 = 1 | v, h2) = σ(vW1 + h2W2ᵀ + b1),  p(h2 = 1 | h1) = σ(h1W2 + b2),  p(v = 1 | h1) = σ(h1W1ᵀ + bv)
// with a scale on each neighbour's input and optional 0/1 sampling from the counter-based generator.
// Inference, the Gibbs chains, pretraining and mean-field are all calls of it.
//
// Pretraining (the paper's §3.1 "greedy layerwise pretraining of DBMs", as its code does it), CD-1
// on each RBM with mini-batches and the plain gradient ⟨·⟩_data − ⟨·⟩_reconstruction:
//   bottom RBM (v, h1), weights W1, the visible input counted twice bottom-up:
//       p(h1 | v) = σ(2·vW1 + b1ᵇ),   p(v | h1) = σ(h1W1ᵀ + bv)
//   top RBM (h1, h2), weights W2, h2 counted twice top-down, trained on p(h1 | v) = σ(2·vW1 + b1ᵇ):
//       p(h2 | h1) = σ(h1W2 + b2),    p(h1 | h2) = σ(2·h2W2ᵀ + b1ᵗ)
//   Positive phase with probabilities, one sampled hidden state, reconstructions as probabilities.
//   Composed, each RBM supplies half of h1's input (the halving the paper describes), so W1 and W2
//   are used as learned and h1's bias is the average of the two:  b1 = ½(b1ᵇ + b1ᵗ); bv comes from the
//   bottom RBM and b2 from the top one. p(h1 | v, h2) = σ(vW1 + h2W2ᵀ + b1) = ½ of each RBM's input.
//
// Training (fit, the paper's §3 / Algorithm 1): per mini-batch, the data term from mean-field
//   μ1 ← σ(2·vW1 + b1), μ2 ← σ(μ1W2 + b2) to start (the doubled recognition pass), then the fixed point
//   μ1 ← σ(vW1 + μ2W2ᵀ + b1), μ2 ← σ(μ1W2 + b2) until max |Δμ| < tolerance or the iteration limit;
// the model term from M persistent chains (fantasy particles), each Gibbs step
//   v ~ p(v | h1), h2 ~ p(h2 | h1), then h1 ~ p(h1 | v, h2);
// then the stochastic-approximation update with a constant learning rate ε:
//   W1 += ε(vᵀμ1/B − ṽᵀh̃1/M), W2 += ε(μ1ᵀμ2/B − h̃1ᵀh̃2/M), biases by the same means.
// The chains start in each fit() call from the data (v ~ Bernoulli(x) of random rows, then h1, h2
// sampled bottom-up with the doubled pass); they are not saved.
//
// variationalBound(x) = mean over rows of E_q[−E(v, h)] + H(q) − log Z with q the mean-field posterior
// and log Z exact (enumerating the 2^h1 states of h1, v and h2 summed out in closed form), all f64 in
// WASM; it is a lower bound on the mean log-likelihood.
//
// A failed call changes nothing; a non-finite weight during training stops it with NonFiniteError and
// the weights of the last good mini-batch. Seeds for the kernels are drawn per call from the model's
// own Random (src/random.ts); toJSON saves the options and weights, not the Random's position.
import { Backend, liveView, type F32Buffer } from '../engine/backend.js';
import { defaultBackend } from '../engine/init.js';
import { sizeProduct } from '../engine/sizes.js';
import { checkFinite, checkInt, checkOptions, describe } from '../errors.js';
import { dbmBiasUpdateF32, dbmBoundTermsF64, dbmConditionalF32, dbmLogPartitionF64, dbmWeightUpdateF32, type DbmParameterPtrs } from '../kernels/dbm.js';
import { addScaledF32 } from '../kernels/model.js';
import { sumSquaresF32 } from '../kernels/optim.js';
import { sampleBernoulliF32, sampleGaussianF32 } from '../kernels/random.js';
import { NonFiniteError } from '../models/training.js';
import { Random } from '../random.js';

export interface DBMOptions {
  /** Visible units (≥ 1). */
  visible: number;
  /** The two hidden layers' sizes [h1, h2] (each ≥ 1). */
  hidden: readonly [number, number] | readonly number[];
  /** Seeds the initial weights and every random draw (default 0). */
  seed?: number;
  backend?: Backend;
}

/** Rows of `visible` values in [0, 1]: number[][] or a flat { data, shape: [N, visible] }. */
export type DBMRowsLike = readonly ArrayLike<number>[] | { data: ArrayLike<number>; shape: readonly number[] };

export interface DBMPretrainOptions {
  /** Epochs for each of the two RBMs (default 10). */
  epochs?: number;
  /** Rows per mini-batch (default 10). */
  batchSize?: number;
  /** CD-1 learning rate (default 0.05). */
  learningRate?: number;
}

export interface DBMEpochLogs {
  /** 0-based. */
  epoch: number;
  /** The mean number of mean-field iterations per mini-batch. */
  meanFieldIterations: number;
  /** The largest final mean-field change of any mini-batch. */
  meanFieldChange: number;
}

export interface DBMFitOptions {
  /** Default 10. */
  epochs?: number;
  /** Rows per mini-batch (default 10). */
  batchSize?: number;
  /** ε of the stochastic-approximation update (default 0.01). */
  learningRate?: number;
  /** The most mean-field iterations per mini-batch (default 30). */
  meanFieldIterations?: number;
  /** Mean-field stops when max |Δμ| < tolerance (default 1e-5). */
  tolerance?: number;
  /** Persistent chains (fantasy particles) M (default 100). */
  chains?: number;
  /** Gibbs steps of the chains per mini-batch (default 5). */
  gibbsSteps?: number;
  /** Called after every epoch. */
  onEpochEnd?: (logs: DBMEpochLogs) => void;
}

export interface DBMMeanFieldOptions {
  /** The most iterations (default 100). */
  iterations?: number;
  /** Stop when max |Δμ| < tolerance (default 1e-6). */
  tolerance?: number;
}

export interface DBMMeanFieldResult {
  /** μ1 = q(h1 = 1 | v), rows × hidden[0], row-major. */
  h1: Float32Array;
  /** μ2 = q(h2 = 1 | v), rows × hidden[1]. */
  h2: Float32Array;
  /** Fixed-point iterations run. */
  iterations: number;
  /** The largest |Δμ| of the last iteration (over every row and unit of both layers). */
  change: number;
}

export interface DBMSampleOptions {
  /** Gibbs steps from a random h1 (default 1000). */
  gibbsSteps?: number;
  /** Default: the next draw of the model's own stream. */
  seed?: number;
}

export interface DBMWeights {
  /** [visible, h1] row-major. */
  w1: Float32Array;
  /** [h1, h2] row-major. */
  w2: Float32Array;
  bv: Float32Array;
  b1: Float32Array;
  b2: Float32Array;
}

export interface DBMJSON {
  format: 'rnn-wasm/dbm';
  version: 1;
  options: { visible: number; hidden: [number, number]; seed: number };
  weights: { w1: number[]; w2: number[]; bv: number[]; b1: number[]; b2: number[] };
}

const FORMAT = 'rnn-wasm/dbm';
/** Exact log Z enumerates 2^h1 states. */
export const DBM_MAX_EXACT_H1 = 20;
const NO = 0;

/** A layer's buffer and its width, for the conditional. */
interface Layer {
  ptr: number;
  units: number;
}

export class DBM {
  readonly visible: number;
  readonly hidden: readonly [number, number];
  readonly seed: number;
  readonly backend: Backend;
  #params: F32Buffer | null;
  #random: Random;
  /** Element offsets of W1, W2, bv, b1, b2 in #params. */
  readonly #offsets: { w1: number; w2: number; bv: number; b1: number; b2: number; total: number };

  constructor(options: DBMOptions) {
    const where = 'DBM';
    const o = checkOptions(where, options, ['visible', 'hidden', 'seed', 'backend']);
    this.visible = checkInt(where, 'options.visible', o.visible, 1, 1 << 20);
    if (!Array.isArray(o.hidden) || o.hidden.length !== 2) {
      throw new TypeError(`${where}: options.hidden must be an array of two layer sizes [h1, h2], got ${describe(o.hidden)}`);
    }
    const hidden = o.hidden as unknown[];
    this.hidden = [checkInt(where, 'options.hidden[0]', hidden[0], 1, 1 << 20), checkInt(where, 'options.hidden[1]', hidden[1], 1, 1 << 20)];
    this.seed = o.seed === undefined ? 0 : checkInt(where, 'options.seed', o.seed, -0x80000000, 0xffffffff);
    const backend = o.backend ?? defaultBackend();
    if (!(backend instanceof Backend)) throw new TypeError(`${where}: options.backend must be a Backend, got ${describe(o.backend)}`);
    this.backend = backend;
    const [nv, n1, n2] = [this.visible, ...this.hidden];
    const w2 = nv * n1;
    const bv = w2 + n1 * n2;
    const b1 = bv + nv;
    const b2 = b1 + n1;
    this.#offsets = { w1: 0, w2, bv, b1, b2, total: b2 + n2 };
    this.#params = backend.allocBlock(where, 'the weights', sizeProduct(1, nv * n1 + n1 * n2 + nv + n1 + n2));
    this.#random = new Random(this.seed);
    // Weights ~ N(0, 0.01²), biases 0.
    sampleGaussianF32(backend, { out: this.#params.ptr, mean: NO }, bv, 0.01, this.#random.nextUint32());
  }

  /** Copies of the weights and biases. */
  weights(): DBMWeights {
    const view = liveView(this.#live('DBM.weights'));
    const o = this.#offsets;
    return {
      w1: view.slice(o.w1, o.w2), w2: view.slice(o.w2, o.bv), bv: view.slice(o.bv, o.b1), b1: view.slice(o.b1, o.b2), b2: view.slice(o.b2, o.total),
    };
  }

  /**
   * Greedy layer-wise pretraining (header): `epochs` of CD-1 on the bottom RBM (input doubled), then
   * `epochs` on the top RBM (h2 doubled) trained on the bottom one's p(h1 | v); b1 = ½(b1ᵇ + b1ᵗ).
   */
  pretrain(x: DBMRowsLike, options: DBMPretrainOptions = {}): this {
    const where = 'DBM.pretrain';
    const params = this.#live(where);
    const o = checkOptions(where, options, ['epochs', 'batchSize', 'learningRate']);
    const epochs = o.epochs === undefined ? 10 : checkInt(where, 'options.epochs', o.epochs, 0);
    const batchSize = o.batchSize === undefined ? 10 : checkInt(where, 'options.batchSize', o.batchSize, 1);
    const rate = o.learningRate === undefined ? 0.05 : checkPositive(where, 'options.learningRate', o.learningRate);
    const rows = this.#readRows(where, 'x', x);
    const N = rows.length / this.visible;
    const random = this.#random.clone();
    const [nv, n1, n2] = [this.visible, ...this.hidden];
    const p = this.#ptrs(params);
    const B = Math.min(batchSize, N);
    this.#scratch(where, (alloc) => {
      const data = alloc(N * nv, 'the data');
      liveView(data).set(rows);
      const snapshot = alloc(this.#offsets.total, 'a copy of the weights');
      const h1Data = alloc(N * n1, "the top RBM's data");
      const b1Top = alloc(n1, "the top RBM's visible bias");
      this.backend.copyFloats(b1Top.ptr, p.b1, n1);
      const lo = alloc(B * Math.max(nv, n1), 'a batch');
      const hi = alloc(B * Math.max(n1, n2), 'a batch');
      const hiSample = alloc(B * Math.max(n1, n2), 'a batch');
      const loRecon = alloc(B * Math.max(nv, n1), 'a batch');
      const hiRecon = alloc(B * Math.max(n1, n2), 'a batch');
      // One CD-1 step of an RBM between `low` (visible side, from `source`) and `high`, with the
      // given weights [nl, nh] (bottom: W1; top: W2), biases, and the doubled side's scale.
      const cd1 = (source: F32Buffer, order: Int32Array, start: number, b: number, rbm: RbmSpec): void => {
        for (let r = 0; r < b; r++) this.backend.copyFloats(lo.ptr + 4 * r * rbm.nl, source.ptr + 4 * order[start + r] * rbm.nl, rbm.nl);
        const up = (out: number, low: number): void => {
          this.#cond({ ptr: out, units: rbm.nh }, NO, { ptr: low, units: rbm.nl }, rbm.w, null, NO, rbm.bh, b, rbm.upScale, 0);
        };
        up(hi.ptr, lo.ptr);
        sampleBernoulliF32(this.backend, { out: hiSample.ptr, p: hi.ptr }, b * rbm.nh, random.nextUint32());
        // Down: the low layer given the high one through Wᵀ (the high layer is the "above" neighbour).
        this.#cond({ ptr: loRecon.ptr, units: rbm.nl }, NO, null, NO, { ptr: hiSample.ptr, units: rbm.nh }, rbm.w, rbm.bl, b, 1, rbm.downScale);
        up(hiRecon.ptr, loRecon.ptr);
        const work = this.backend.gemmWork();
        dbmWeightUpdateF32(this.backend, { w: rbm.w, a: lo.ptr, b: hi.ptr, aModel: loRecon.ptr, bModel: hiRecon.ptr, work }, b, b, rbm.nl, rbm.nh, rate);
        dbmBiasUpdateF32(this.backend, { bias: rbm.bl, data: lo.ptr, model: loRecon.ptr }, b, b, rbm.nl, rate);
        dbmBiasUpdateF32(this.backend, { bias: rbm.bh, data: hi.ptr, model: hiRecon.ptr }, b, b, rbm.nh, rate);
      };
      const bottom: RbmSpec = { w: p.w1, bl: p.bv, bh: p.b1, nl: nv, nh: n1, upScale: 2, downScale: 1 };
      const top: RbmSpec = { w: p.w2, bl: b1Top.ptr, bh: p.b2, nl: n1, nh: n2, upScale: 1, downScale: 2 };
      const train = (source: F32Buffer, rbm: RbmSpec, which: string): void => {
        for (let epoch = 0; epoch < epochs; epoch++) {
          const order = shuffled(N, random);
          for (let start = 0, batch = 0; start < N; start += B, batch++) {
            this.backend.copyFloats(snapshot.ptr, params.ptr, this.#offsets.total);
            cd1(source, order, start, Math.min(B, N - start), rbm);
            if (!this.#finite(params) || !Number.isFinite(sumSquaresF32(this.backend, { x: b1Top.ptr }, n1))) {
              this.backend.copyFloats(params.ptr, snapshot.ptr, this.#offsets.total);
              throw new NonFiniteError(`${where}: non-finite weights in the ${which} at epoch ${epoch}, batch ${batch}; training stopped with the weights of the last good step`, epoch, batch);
            }
          }
        }
      };
      train(data, bottom, 'bottom RBM');
      // The top RBM's data: p(h1 | v) of the bottom RBM (input doubled), for every row.
      this.#cond({ ptr: h1Data.ptr, units: n1 }, NO, { ptr: data.ptr, units: nv }, p.w1, null, NO, p.b1, N, 2, 0);
      train(h1Data, top, 'top RBM');
      // Composition: h1 gets half of each RBM's input, b1 = ½(b1ᵇ + b1ᵗ).
      addScaledF32(this.backend, { dst: p.b1, left: p.b1, right: b1Top.ptr }, n1, 0.5);
    });
    this.#random = random;
    return this;
  }

  /**
   * Trains the whole DBM (header): mean-field data term, persistent-chain model term,
   * stochastic-approximation update. Returns the per-epoch logs.
   */
  fit(x: DBMRowsLike, options: DBMFitOptions = {}): DBMEpochLogs[] {
    const where = 'DBM.fit';
    const params = this.#live(where);
    const o = checkOptions(where, options, ['epochs', 'batchSize', 'learningRate', 'meanFieldIterations', 'tolerance', 'chains', 'gibbsSteps', 'onEpochEnd']);
    const epochs = o.epochs === undefined ? 10 : checkInt(where, 'options.epochs', o.epochs, 0);
    const batchSize = o.batchSize === undefined ? 10 : checkInt(where, 'options.batchSize', o.batchSize, 1);
    const rate = o.learningRate === undefined ? 0.01 : checkPositive(where, 'options.learningRate', o.learningRate);
    const iterations = o.meanFieldIterations === undefined ? 30 : checkInt(where, 'options.meanFieldIterations', o.meanFieldIterations, 1);
    const tolerance = o.tolerance === undefined ? 1e-5 : checkPositive(where, 'options.tolerance', o.tolerance);
    const M = o.chains === undefined ? 100 : checkInt(where, 'options.chains', o.chains, 1);
    const gibbsSteps = o.gibbsSteps === undefined ? 5 : checkInt(where, 'options.gibbsSteps', o.gibbsSteps, 1);
    if (o.onEpochEnd !== undefined && typeof o.onEpochEnd !== 'function') {
      throw new TypeError(`${where}: options.onEpochEnd must be a function, got ${describe(o.onEpochEnd)}`);
    }
    const onEpochEnd = o.onEpochEnd as ((logs: DBMEpochLogs) => void) | undefined;
    const rows = this.#readRows(where, 'x', x);
    const N = rows.length / this.visible;
    const random = this.#random.clone();
    const [nv, n1, n2] = [this.visible, ...this.hidden];
    const p = this.#ptrs(params);
    const B = Math.min(batchSize, N);
    const history: DBMEpochLogs[] = [];
    this.#scratch(where, (alloc) => {
      const data = alloc(N * nv, 'the data');
      liveView(data).set(rows);
      const snapshot = alloc(this.#offsets.total, 'a copy of the weights');
      const v = alloc(B * nv, 'a batch');
      const mf = [alloc(B * n1, 'μ1'), alloc(B * n2, 'μ2'), alloc(B * n1, 'μ1'), alloc(B * n2, 'μ2')];
      const chain = { v: alloc(M * nv, 'the chains'), h1: alloc(M * n1, 'the chains'), h2: alloc(M * n2, 'the chains') };
      // Chains from the data: v ~ Bernoulli(a random row), then h1, h2 sampled bottom-up (doubled pass).
      for (let m = 0; m < M; m++) this.backend.copyFloats(chain.v.ptr + 4 * m * nv, data.ptr + 4 * Math.floor(random.uniform() * N) * nv, nv);
      sampleBernoulliF32(this.backend, { out: chain.v.ptr, p: chain.v.ptr }, M * nv, random.nextUint32());
      this.#h1Given(chain.h1.ptr, NO, chain.v.ptr, NO, M, 2, random.nextUint32());
      this.#h2Given(chain.h2.ptr, NO, chain.h1.ptr, M, random.nextUint32());
      for (let epoch = 0; epoch < epochs; epoch++) {
        const order = shuffled(N, random);
        let iterationSum = 0;
        let worstChange = 0;
        let batches = 0;
        for (let start = 0; start < N; start += B, batches++) {
          const b = Math.min(B, N - start);
          for (let r = 0; r < b; r++) this.backend.copyFloats(v.ptr + 4 * r * nv, data.ptr + 4 * order[start + r] * nv, nv);
          this.backend.copyFloats(snapshot.ptr, params.ptr, this.#offsets.total);
          const field = this.#meanField(v.ptr, b, mf, iterations, tolerance);
          iterationSum += field.iterations;
          worstChange = Math.max(worstChange, field.change);
          for (let step = 0; step < gibbsSteps; step++) this.#gibbs(chain.v.ptr, chain.h1.ptr, chain.h2.ptr, M, random);
          const work = this.backend.gemmWork();
          const [mu1, mu2] = [field.mu1, field.mu2];
          dbmWeightUpdateF32(this.backend, { w: p.w1, a: v.ptr, b: mu1, aModel: chain.v.ptr, bModel: chain.h1.ptr, work }, b, M, nv, n1, rate);
          dbmWeightUpdateF32(this.backend, { w: p.w2, a: mu1, b: mu2, aModel: chain.h1.ptr, bModel: chain.h2.ptr, work }, b, M, n1, n2, rate);
          dbmBiasUpdateF32(this.backend, { bias: p.bv, data: v.ptr, model: chain.v.ptr }, b, M, nv, rate);
          dbmBiasUpdateF32(this.backend, { bias: p.b1, data: mu1, model: chain.h1.ptr }, b, M, n1, rate);
          dbmBiasUpdateF32(this.backend, { bias: p.b2, data: mu2, model: chain.h2.ptr }, b, M, n2, rate);
          if (!this.#finite(params)) {
            this.backend.copyFloats(params.ptr, snapshot.ptr, this.#offsets.total);
            throw new NonFiniteError(`${where}: non-finite weights at epoch ${epoch}, batch ${batches}; training stopped with the weights of the last good step`, epoch, batches);
          }
        }
        const logs: DBMEpochLogs = { epoch, meanFieldIterations: iterationSum / batches, meanFieldChange: worstChange };
        history.push(logs);
        onEpochEnd?.(logs);
      }
    });
    this.#random = random;
    return history;
  }

  /**
   * Mean-field posteriors q(h1 = 1 | v), q(h2 = 1 | v) of every row, with the iterations run and the
   * final largest change (the fixed point of μ1 = σ(vW1 + μ2W2ᵀ + b1), μ2 = σ(μ1W2 + b2)).
   */
  meanField(x: DBMRowsLike, options: DBMMeanFieldOptions = {}): DBMMeanFieldResult {
    const where = 'DBM.meanField';
    this.#live(where);
    const o = checkOptions(where, options, ['iterations', 'tolerance']);
    const iterations = o.iterations === undefined ? 100 : checkInt(where, 'options.iterations', o.iterations, 1);
    const tolerance = o.tolerance === undefined ? 1e-6 : checkPositive(where, 'options.tolerance', o.tolerance);
    const rows = this.#readRows(where, 'x', x);
    return this.#withMeanField(where, rows, iterations, tolerance, (field, N) => {
      const [n1, n2] = this.hidden;
      return {
        h1: this.backend.heapF32().slice(field.mu1 >>> 2, (field.mu1 >>> 2) + N * n1),
        h2: this.backend.heapF32().slice(field.mu2 >>> 2, (field.mu2 >>> 2) + N * n2),
        iterations: field.iterations,
        change: field.change,
      };
    });
  }

  /** The mean-field posteriors { h1, h2 } (rows × units each), with meanField's defaults. */
  transform(x: DBMRowsLike): { h1: Float32Array; h2: Float32Array } {
    const { h1, h2 } = this.meanField(x);
    return { h1, h2 };
  }

  /** log Z, exact: 2^h1 terms in f64 (h1 ≤ 20). */
  logPartition(): number {
    const where = 'DBM.logPartition';
    const params = this.#live(where);
    this.#checkExact(where);
    return dbmLogPartitionF64(this.backend, this.#ptrs(params), this.visible, this.hidden[0], this.hidden[1]);
  }

  /**
   * The mean-field variational lower bound on the mean log-likelihood of the rows (nats):
   * mean of E_q[−E(v, h)] + H(q), minus the exact log Z (h1 ≤ 20). Mean-field as meanField().
   */
  variationalBound(x: DBMRowsLike, options: DBMMeanFieldOptions = {}): number {
    const where = 'DBM.variationalBound';
    const params = this.#live(where);
    const o = checkOptions(where, options, ['iterations', 'tolerance']);
    const iterations = o.iterations === undefined ? 100 : checkInt(where, 'options.iterations', o.iterations, 1);
    const tolerance = o.tolerance === undefined ? 1e-6 : checkPositive(where, 'options.tolerance', o.tolerance);
    this.#checkExact(where);
    const rows = this.#readRows(where, 'x', x);
    const logZ = this.logPartition();
    return this.#withMeanField(where, rows, iterations, tolerance, (field, N, v) => {
      const terms = dbmBoundTermsF64(this.backend, { ...this.#ptrs(params), v, mu1: field.mu1, mu2: field.mu2 }, N, this.visible, this.hidden[0], this.hidden[1]);
      return terms / N - logZ;
    });
  }

  /** `n` visible samples (0/1, n × visible row-major) after `gibbsSteps` Gibbs steps from a random h1. */
  sample(n: number, options: DBMSampleOptions = {}): Float32Array {
    const where = 'DBM.sample';
    this.#live(where);
    checkInt(where, 'n', n, 1);
    const o = checkOptions(where, options, ['gibbsSteps', 'seed']);
    const steps = o.gibbsSteps === undefined ? 1000 : checkInt(where, 'options.gibbsSteps', o.gibbsSteps, 1);
    const seed = o.seed === undefined ? undefined : checkInt(where, 'options.seed', o.seed, -0x80000000, 0xffffffff);
    const own = this.#random.clone();
    const random = seed === undefined ? new Random(own.nextUint32()) : new Random(seed);
    const [nv, n1, n2] = [this.visible, ...this.hidden];
    const out = this.#scratch(where, (alloc) => {
      const v = alloc(n * nv, 'the chains');
      const h1 = alloc(n * n1, 'the chains');
      const h2 = alloc(n * n2, 'the chains');
      this.backend.fillFloats(h1.ptr, n * n1, 0.5);
      sampleBernoulliF32(this.backend, { out: h1.ptr, p: h1.ptr }, n * n1, random.nextUint32());
      for (let step = 0; step < steps; step++) this.#gibbs(v.ptr, h1.ptr, h2.ptr, n, random);
      return liveView(v).slice();
    });
    if (seed === undefined) this.#random = own;
    return out;
  }

  toJSON(): DBMJSON {
    const w = this.weights();
    return {
      format: FORMAT,
      version: 1,
      options: { visible: this.visible, hidden: [this.hidden[0], this.hidden[1]], seed: this.seed },
      weights: { w1: Array.from(w.w1), w2: Array.from(w.w2), bv: Array.from(w.bv), b1: Array.from(w.b1), b2: Array.from(w.b2) },
    };
  }

  static fromJSON(json: unknown, options: { backend?: Backend } = {}): DBM {
    const where = 'DBM.fromJSON';
    checkOptions(where, options, ['backend']);
    const j = (typeof json === 'string' ? JSON.parse(json) : json) as DBMJSON;
    if (j === null || typeof j !== 'object' || j.format !== FORMAT) throw new TypeError(`${where}: not a saved DBM (format must be '${FORMAT}')`);
    if (j.version !== 1) throw new RangeError(`${where}: version must be 1, got ${describe(j.version)}`);
    if (j.options === null || typeof j.options !== 'object') throw new TypeError(`${where}: options must be an object, got ${describe(j.options)}`);
    const { visible, hidden, seed } = j.options;
    const model = new DBM({ visible, hidden, seed, backend: options.backend });
    try {
      const w = j.weights as Record<string, unknown> | null;
      if (w === null || typeof w !== 'object') throw new TypeError(`${where}: weights must be an object { w1, w2, bv, b1, b2 }, got ${describe(w)}`);
      const o = model.#offsets;
      const view = new Float32Array(o.total);
      const parts = [['w1', o.w1, o.w2], ['w2', o.w2, o.bv], ['bv', o.bv, o.b1], ['b1', o.b1, o.b2], ['b2', o.b2, o.total]] as const;
      for (const [name, from, to] of parts) {
        const values = w[name];
        if (!Array.isArray(values) || values.length !== to - from || !values.every((a) => typeof a === 'number' && Number.isFinite(a))) {
          throw new TypeError(`${where}: weights.${name} must be ${to - from} finite numbers, got ${describe(values)}`);
        }
        view.set(values as number[], from);
      }
      liveView(model.#params!).set(view);
    } catch (error) {
      model.dispose();
      throw error;
    }
    return model;
  }

  dispose(): void {
    this.#params?.dispose();
    this.#params = null;
  }

  get disposed(): boolean {
    return this.#params === null;
  }

  // ---- the primitive and what is built on it ----

  /** out = σ(sb·below·wBelow + sa·above·wAboveᵀ + bias) [rows, out.units], sampled with a seed; returns max |out − old|. */
  #cond(out: Layer, old: number, below: Layer | null, wBelow: number, above: Layer | null, wAbove: number, bias: number, rows: number, sb: number, sa: number, seed?: number): number {
    return dbmConditionalF32(
      this.backend,
      { out: out.ptr, old, below: below?.ptr ?? NO, wBelow, above: above?.ptr ?? NO, wAbove, bias, work: this.backend.gemmWork() },
      { rows, below: below?.units ?? 0, units: out.units, above: above?.units ?? 0 },
      sb, sa, seed ?? 0, seed !== undefined,
    );
  }

  /** h1 | v (scaled by scaleV), h2 (when not NO). */
  #h1Given(out: number, old: number, v: number, h2: number, rows: number, scaleV: number, seed?: number): number {
    const p = this.#ptrs(this.#params!);
    const [nv, n1, n2] = [this.visible, ...this.hidden];
    return this.#cond({ ptr: out, units: n1 }, old, { ptr: v, units: nv }, p.w1, h2 === NO ? null : { ptr: h2, units: n2 }, p.w2, p.b1, rows, scaleV, 1, seed);
  }

  #h2Given(out: number, old: number, h1: number, rows: number, seed?: number): number {
    const p = this.#ptrs(this.#params!);
    return this.#cond({ ptr: out, units: this.hidden[1] }, old, { ptr: h1, units: this.hidden[0] }, p.w2, null, NO, p.b2, rows, 1, 0, seed);
  }

  /** One Gibbs step of `rows` chains, in place: v ~ p(v | h1), h2 ~ p(h2 | h1), then h1 ~ p(h1 | v, h2). */
  #gibbs(v: number, h1: number, h2: number, rows: number, random: Random): void {
    const p = this.#ptrs(this.#params!);
    this.#cond({ ptr: v, units: this.visible }, NO, null, NO, { ptr: h1, units: this.hidden[0] }, p.w1, p.bv, rows, 0, 1, random.nextUint32());
    this.#h2Given(h2, NO, h1, rows, random.nextUint32());
    this.#h1Given(h1, NO, v, h2, rows, 1, random.nextUint32());
  }

  /**
   * Mean-field for `rows` rows of v at pointer `v`, in the buffers mf = [μ1, μ2, μ1′, μ2′] (each ≥ rows
   * of its layer); returns the pointers holding the result.
   */
  #meanField(v: number, rows: number, mf: F32Buffer[], iterations: number, tolerance: number): { mu1: number; mu2: number; iterations: number; change: number } {
    let [mu1, mu2, next1, next2] = mf.map((b) => b.ptr);
    this.#h1Given(mu1, NO, v, NO, rows, 2);
    this.#h2Given(mu2, NO, mu1, rows);
    let change = Infinity;
    let it = 0;
    while (it < iterations && !(change < tolerance)) {
      const c1 = this.#h1Given(next1, mu1, v, mu2, rows, 1);
      const c2 = this.#h2Given(next2, mu2, next1, rows);
      change = Number.isNaN(c1) || Number.isNaN(c2) ? NaN : Math.max(c1, c2);
      [mu1, next1] = [next1, mu1];
      [mu2, next2] = [next2, mu2];
      it++;
    }
    return { mu1, mu2, iterations: it, change };
  }

  #withMeanField<T>(where: string, rows: Float32Array, iterations: number, tolerance: number, body: (field: { mu1: number; mu2: number; iterations: number; change: number }, N: number, v: number) => T): T {
    const N = rows.length / this.visible;
    const [n1, n2] = this.hidden;
    return this.#scratch(where, (alloc) => {
      const v = alloc(N * this.visible, 'the data');
      liveView(v).set(rows);
      const mf = [alloc(N * n1, 'μ1'), alloc(N * n2, 'μ2'), alloc(N * n1, 'μ1'), alloc(N * n2, 'μ2')];
      return body(this.#meanField(v.ptr, N, mf, iterations, tolerance), N, v.ptr);
    });
  }

  // ---- plumbing ----

  #ptrs(params: F32Buffer): DbmParameterPtrs {
    const o = this.#offsets;
    const at = (offset: number): number => params.ptr + 4 * offset;
    return { w1: at(o.w1), w2: at(o.w2), bv: at(o.bv), b1: at(o.b1), b2: at(o.b2) };
  }

  #finite(params: F32Buffer): boolean {
    return Number.isFinite(sumSquaresF32(this.backend, { x: params.ptr }, this.#offsets.total));
  }

  #checkExact(where: string): void {
    if (this.hidden[0] > DBM_MAX_EXACT_H1) {
      throw new RangeError(`${where}: the exact log Z enumerates 2^hidden[0] states of h1, so hidden[0] must be ≤ ${DBM_MAX_EXACT_H1}, got ${this.hidden[0]}`);
    }
  }

  #live(where: string): F32Buffer {
    if (this.#params === null) throw new Error(`${where}: the DBM has been disposed`);
    return this.#params;
  }

  /** f32 scratch blocks for one call, freed at its end (also when it throws). */
  #scratch<T>(where: string, body: (alloc: (n: number, what: string) => F32Buffer) => T): T {
    const owned: F32Buffer[] = [];
    try {
      return body((n, what) => {
        const b = this.backend.allocBlock(where, what, sizeProduct(Math.max(1, n)));
        owned.push(b);
        return b;
      });
    } finally {
      for (const b of owned) b.dispose();
    }
  }

  /** Rows as one Float32Array [N·visible], every value finite and in [0, 1]. */
  #readRows(where: string, name: string, x: DBMRowsLike): Float32Array {
    const nv = this.visible;
    let data: ArrayLike<number>;
    let N: number;
    if (Array.isArray(x)) {
      N = x.length;
      const flat = new Float32Array(N * nv);
      (x as ArrayLike<number>[]).forEach((row, r) => {
        if (row === null || typeof row !== 'object' || typeof row.length !== 'number') {
          throw new TypeError(`${where}: ${name}[${r}] must be an array of visible = ${nv} numbers, got ${describe(row)}`);
        }
        if (row.length !== nv) throw new RangeError(`${where}: ${name}[${r}] must have visible = ${nv} values, got ${row.length}`);
        for (let i = 0; i < nv; i++) flat[r * nv + i] = checkUnit(where, `${name}[${r}][${i}]`, row[i]);
      });
      data = flat;
    } else if (x !== null && typeof x === 'object' && 'data' in x && 'shape' in x) {
      const { shape } = x;
      if (!Array.isArray(shape) || shape.length !== 2 || shape[1] !== nv) {
        throw new RangeError(`${where}: ${name}.shape must be [N, visible = ${nv}], got ${JSON.stringify(shape)}`);
      }
      N = checkInt(where, `${name}.shape[0]`, shape[0], 1);
      if (x.data?.length !== N * nv) throw new RangeError(`${where}: ${name}.data must have N·visible = ${N * nv} values, got ${describe(x.data)}`);
      const flat = new Float32Array(N * nv);
      for (let i = 0; i < N * nv; i++) flat[i] = checkUnit(where, `${name}.data[${i}]`, x.data[i]);
      data = flat;
    } else {
      throw new TypeError(`${where}: ${name} must be an array of rows or { data, shape: [N, visible] }, got ${describe(x)}`);
    }
    if (N === 0) throw new RangeError(`${where}: ${name} must hold at least one row, got none`);
    return data as Float32Array;
  }
}

interface RbmSpec {
  w: number;
  bl: number;
  bh: number;
  nl: number;
  nh: number;
  upScale: number;
  downScale: number;
}

function checkPositive(where: string, name: string, value: unknown): number {
  const v = checkFinite(where, name, value);
  if (!(v > 0)) throw new RangeError(`${where}: ${name} must be > 0, got ${v}`);
  return v;
}

function checkUnit(where: string, name: string, value: unknown): number {
  if (typeof value !== 'number' || !(value >= 0 && value <= 1)) {
    throw new RangeError(`${where}: ${name} must be a number in [0, 1] (a Bernoulli unit's value or probability), got ${describe(value)}`);
  }
  return value;
}

/** 0 … n − 1 in a random order (Fisher–Yates with the given stream). */
function shuffled(n: number, random: Random): Int32Array {
  const order = new Int32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(random.uniform() * (i + 1));
    [order[i], order[j]] = [order[j], order[i]];
  }
  return order;
}
