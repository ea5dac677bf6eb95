// The deep belief network (Hinton, Osindero & Teh 2006): a stack of RBMs trained greedily, "stack by
// stack" — the first on the data, each next one on the previous one's p(h | v) — so that the top two
// layers form an undirected RBM and the layers below it are directed, generating downward through
// p(v | h). For classification the stack unrolls into a feed-forward network of Dense(sigmoid) layers
// with the pretrained weights (Dense's native layout [inputSize, units] is the RBM's W [visible, hidden],
// and each Dense bias is the RBM's hidden bias), plus a head, fine-tuned by the ordinary fit.
//
// Layer i is an RBM(layers[i] → layers[i + 1]); only the first may have gaussian visible units. Each RBM
// draws its seed from the DBN's own stream, so the same seed gives the same network bit for bit.
// All arithmetic is the RBMs' (WebAssembly); this file orchestrates.
import { Backend, liveView } from '../engine/backend.js';
import { defaultBackend } from '../engine/init.js';
import { checkInt, checkOptions, describe, readSeed } from '../errors.js';
import { sampleBernoulliF32 } from '../kernels/random.js';
import { Dense } from '../layers/dense.js';
import { Sequential, type SequentialLayer } from '../models/sequential.js';
import { Random } from '../random.js';
import { RBM, type Matrix, type RBMEpochLogs, type RBMHistory, type RBMJSON, type RBMOptions, type RowsLike, type VisibleUnits } from './rbm.js';

/** learningRate, momentum, weightDecay and sparsity are every RBM's (defaults as RBM's); visibleUnits the first RBM's (every higher layer is bernoulli). */
export interface DBNOptions extends Pick<RBMOptions, 'visibleUnits' | 'seed' | 'learningRate' | 'momentum' | 'weightDecay' | 'sparsity' | 'backend'> {
  /** Unit counts from the data up: [visible, hidden₁, hidden₂, …] (at least 2 entries). */
  layers: readonly number[];
}

export interface DBNPretrainOptions {
  /** Epochs per layer (default 10). */
  epochs?: number;
  batchSize?: number;
  k?: number;
  persistent?: boolean;
  shuffle?: boolean;
  /** Called after each epoch of each layer (layer 0 is the RBM on the data); return false to stop that layer. */
  onEpochEnd?: (logs: RBMEpochLogs & { layer: number }) => void | boolean;
}

export interface DBNJSON {
  format: 'rnn-wasm/dbn';
  version: 1;
  options: { layers: number[]; visibleUnits: VisibleUnits; seed: number };
  rbms: RBMJSON[];
}

const FORMAT = 'rnn-wasm/dbn';
const OPTION_KEYS = ['layers', 'visibleUnits', 'seed', 'learningRate', 'momentum', 'weightDecay', 'sparsity', 'backend'] as const;

export class DBN {
  readonly layers: readonly number[];
  readonly visibleUnits: VisibleUnits;
  readonly seed: number;
  readonly backend: Backend;
  #rbms: RBM[];
  #random: Random;

  constructor(options: DBNOptions) {
    const where = 'DBN';
    const o = checkOptions(where, options, OPTION_KEYS);
    if (!Array.isArray(o.layers)) throw new TypeError(`${where}: options.layers must be an array of unit counts [visible, hidden₁, …], got ${describe(o.layers)}`);
    if (o.layers.length < 2) throw new RangeError(`${where}: options.layers must have at least 2 entries (visible and one hidden layer), got ${o.layers.length}`);
    const layers = (o.layers as unknown[]).map((n, i) => checkInt(where, `options.layers[${i}]`, n, 1, 1 << 20));
    this.seed = readSeed(where, 'options.seed', o.seed);
    const backend = o.backend ?? defaultBackend();
    if (!(backend instanceof Backend)) throw new TypeError(`${where}: options.backend must be a Backend, got ${describe(o.backend)}`);
    this.backend = backend;
    this.layers = layers;
    const seeds = new Random(this.seed, 3);
    const rbms: RBM[] = [];
    try {
      for (let i = 0; i + 1 < layers.length; i++) {
        rbms.push(new RBM({
          visible: layers[i], hidden: layers[i + 1], visibleUnits: i === 0 ? (o.visibleUnits as VisibleUnits | undefined) : 'bernoulli', seed: seeds.nextUint32(),
          ...(o.learningRate === undefined ? {} : { learningRate: o.learningRate as number }),
          ...(o.momentum === undefined ? {} : { momentum: o.momentum as number }),
          ...(o.weightDecay === undefined ? {} : { weightDecay: o.weightDecay as number }),
          ...(o.sparsity === undefined ? {} : { sparsity: o.sparsity as { target: number; cost: number } }),
          backend,
        }));
      }
    } catch (error) {
      for (const r of rbms) r.dispose();
      throw error instanceof Error ? Object.assign(error, { message: error.message.replace(/^RBM:/, `${where}:`) }) : error;
    }
    this.#rbms = rbms;
    this.visibleUnits = rbms[0].visibleUnits;
    this.#random = new Random(this.seed);
  }

  /** The RBMs from the data up (live objects: training one changes the DBN). */
  get rbms(): readonly RBM[] {
    this.#live('DBN.rbms');
    return this.#rbms;
  }

  /**
   * Greedy layer-wise pretraining: RBM 0 on x, then each RBM on the p(h | v) of the one below.
   * Returns each layer's history.
   */
  pretrain(x: RowsLike, options: DBNPretrainOptions = {}): RBMHistory[] {
    const where = 'DBN.pretrain';
    this.#live(where);
    const o = checkOptions(where, options, ['epochs', 'batchSize', 'k', 'persistent', 'shuffle', 'onEpochEnd']);
    const { onEpochEnd, ...fitOptions } = o;
    if (onEpochEnd !== undefined && typeof onEpochEnd !== 'function') throw new TypeError(`${where}: options.onEpochEnd must be a function, got ${describe(onEpochEnd)}`);
    const callback = onEpochEnd as DBNPretrainOptions['onEpochEnd'];
    // Validates x (and the options, by a first fit) before any layer changes: layer 0's fit checks both.
    let input: RowsLike = x;
    const histories: RBMHistory[] = [];
    this.#rbms.forEach((rbm, layer) => {
      let history: RBMHistory;
      try {
        history = rbm.fit(input, { ...fitOptions, ...(callback ? { onEpochEnd: (logs: RBMEpochLogs) => callback({ ...logs, layer }) } : {}) });
      } catch (error) {
        // The first fit checks x and the options before anything changes: name the call the user made.
        if (layer === 0 && error instanceof Error) error.message = error.message.replace(/^RBM\.fit:/, `${where}:`);
        throw error;
      }
      histories.push(history);
      if (layer + 1 < this.#rbms.length) {
        const { data, shape } = rbm.transform(input);
        input = { data, shape };
      }
    });
    return histories;
  }

  /** The top layer's p(h | v), propagated up through every RBM: [N, layers.at(-1)]. */
  transform(x: RowsLike): Matrix {
    this.#live('DBN.transform');
    let m: Matrix = this.#rbms[0].transform(x);
    for (let i = 1; i < this.#rbms.length; i++) m = this.#rbms[i].transform(m);
    return m;
  }

  /**
   * A Sequential of Dense(sigmoid) layers with the pretrained weights (layer i: weight = W_i, bias = a_i),
   * then `head` (e.g. new Dense({ units: 10, activation: 'softmax' })) if given; compile and fit it as any
   * model. The DBN is not changed by training the Sequential.
   */
  toSequential(options: { head?: SequentialLayer; seed?: number } = {}): Sequential {
    const where = 'DBN.toSequential';
    this.#live(where);
    const o = checkOptions(where, options, ['head', 'seed']);
    const seed = readSeed(where, 'options.seed', o.seed, this.seed);
    const dense = this.#rbms.map((rbm) => new Dense({ units: rbm.hidden, activation: 'sigmoid', backend: this.backend }));
    const layers: SequentialLayer[] = [...dense, ...(o.head === undefined ? [] : [o.head as SequentialLayer])];
    let model: Sequential;
    try {
      model = new Sequential({ inputSize: this.layers[0], seed, layers });
    } catch (error) {
      for (const d of dense) d.dispose();
      throw error;
    }
    try {
      this.#rbms.forEach((rbm, i) => {
        const { weights, hiddenBias } = rbm.getWeights();
        dense[i].setWeights({ weight: { data: Float32Array.from(weights.flat()), shape: [rbm.visible, rbm.hidden] }, bias: { data: Float32Array.from(hiddenBias), shape: [rbm.hidden] } });
      });
    } catch (error) {
      model.dispose();
      throw error;
    }
    return model;
  }

  /**
   * n samples: `steps` Gibbs steps (default 1000) in the top RBM from noise, then down through the directed
   * layers, each sampling v ~ p(v | h) of its RBM. Returns the bottom layer's samples and its p(v | h)
   * (smoother pictures).
   */
  sample(n: number, options: { steps?: number; seed?: number } = {}): { samples: Matrix; means: Matrix } {
    const where = 'DBN.sample';
    this.#live(where);
    checkInt(where, 'n', n, 1, 1 << 20);
    const o = checkOptions(where, options, ['steps', 'seed']);
    const steps = o.steps === undefined ? 1000 : checkInt(where, 'options.steps', o.steps, 1);
    const seed = o.seed === undefined ? this.#random.nextUint32() : readSeed(where, 'options.seed', o.seed);
    const random = new Random(seed);
    const top = this.#rbms[this.#rbms.length - 1];
    let h: Matrix = top.sample(n, { steps, seed: random.nextUint32() }).samples;
    let means = h;
    for (let i = this.#rbms.length - 2; i >= 0; i--) {
      means = this.#rbms[i].visibleMeans(h);
      h = this.#bernoulli(means, random.nextUint32(), i === 0 && this.visibleUnits === 'gaussian');
    }
    return { samples: h, means };
  }

  toJSON(): DBNJSON {
    this.#live('DBN.toJSON');
    return { format: FORMAT, version: 1, options: { layers: [...this.layers], visibleUnits: this.visibleUnits, seed: this.seed }, rbms: this.#rbms.map((r) => r.toJSON()) };
  }

  static fromJSON(json: unknown, options: { backend?: Backend } = {}): DBN {
    const where = 'DBN.fromJSON';
    checkOptions(where, options, ['backend']);
    const j = (typeof json === 'string' ? JSON.parse(json) : json) as DBNJSON;
    if (j === null || typeof j !== 'object' || j.format !== FORMAT) throw new TypeError(`${where}: not a saved DBN (format must be '${FORMAT}')`);
    if (j.version !== 1) throw new RangeError(`${where}: version must be 1, got ${describe(j.version)}`);
    const dbn = new DBN({ ...j.options, backend: options.backend });
    try {
      if (!Array.isArray(j.rbms) || j.rbms.length !== dbn.#rbms.length) throw new TypeError(`${where}: rbms must be ${dbn.#rbms.length} saved RBMs, got ${describe(j.rbms)}`);
      const loaded = j.rbms.map((r) => RBM.fromJSON(r, { backend: dbn.backend }));
      loaded.forEach((r, i) => {
        const want = dbn.#rbms[i];
        if (r.visible !== want.visible || r.hidden !== want.hidden || r.visibleUnits !== want.visibleUnits) {
          for (const l of loaded) l.dispose();
          throw new RangeError(`${where}: rbms[${i}] is ${r.visible}→${r.hidden} (${r.visibleUnits}), expected ${want.visible}→${want.hidden} (${want.visibleUnits})`);
        }
      });
      for (const r of dbn.#rbms) r.dispose();
      dbn.#rbms = loaded;
    } catch (error) {
      dbn.dispose();
      throw error;
    }
    return dbn;
  }

  dispose(): void {
    for (const r of this.#rbms) r.dispose();
    this.#rbms = [];
  }

  get disposed(): boolean {
    return this.#rbms.length === 0;
  }

  #live(where: string): void {
    if (this.#rbms.length === 0) throw new Error(`${where}: the DBN has been disposed`);
  }

  /** Bernoulli samples of probabilities m (or m itself for gaussian units, whose mean is the picture). */
  #bernoulli(m: Matrix, seed: number, gaussian: boolean): Matrix {
    if (gaussian) return m;
    const b = this.backend.allocBlock('DBN.sample', 'the samples', Math.max(1, m.data.length));
    try {
      liveView(b).set(m.data);
      sampleBernoulliF32(this.backend, { out: b.ptr, p: b.ptr }, m.data.length, seed);
      return { data: liveView(b).slice(), shape: m.shape };
    } finally {
      b.dispose();
    }
  }
}
