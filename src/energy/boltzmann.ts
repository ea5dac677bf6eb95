// The Boltzmann machine (Ackley, Hinton & Sejnowski 1985): N = visible + hidden stochastic 0/1
// units, fully connected (or as `connections` says), symmetric weights with a zero diagonal, biases.
//
//   energy    E(s) = −Σ_{i<j} w_ij·s_i·s_j − Σ_i b_i·s_i;   p(s) = e^{−E(s)}/Z at temperature 1
//   units     p(s_i = 1 | rest) = σ((Σ_j w_ij·s_j + b_i)/T)   (Gibbs sampling at temperature T)
//   annealing a schedule of { temperature, sweeps } stages, ending at T = 1 by default; statistics
//             and samples are then taken at T = 1, the model's own distribution
//   learning  Δw_ij = ε·(⟨s_i·s_j⟩_clamped − ⟨s_i·s_j⟩_free), Δb_i = ε·(⟨s_i⟩_clamped − ⟨s_i⟩_free):
//             the clamped phase fixes the visible units to each pattern and anneals the hidden ones,
//             the free phase anneals every unit; both estimate the co-occurrences by sampling. This is
//             the negative gradient of KL(data ‖ model) over the visible units.
//   exact     for visible + hidden ≤ 20: p(v) = Σ_h p(v, h), log Z and KL by enumerating all states.
//
// All arithmetic runs in WASM (assembly/boltzmann.ts, f64; uniforms from assembly/random.ts's
// counter-based generator, a fresh 32-bit seed per kernel call drawn from the machine's own seeded
// stream). This file validates, marshals and orchestrates the phases.
import { Backend, liveF64, liveI32, type F32Buffer } from '../engine/backend.js';
import { defaultBackend } from '../engine/init.js';
import { sizeProduct } from '../engine/sizes.js';
import { checkFinite, checkInt, checkOptions, describe } from '../errors.js';
import { boltzmannEnergyF64, boltzmannExactF64, boltzmannGibbsF64, boltzmannKlF64, boltzmannLearnF64 } from '../kernels/boltzmann.js';
import { Random } from '../random.js';
import type { PatternsLike } from './hopfield.js';

/** One stage of an annealing schedule: `sweeps` Gibbs sweeps at `temperature`. */
export interface AnnealStage {
  temperature: number;
  sweeps: number;
}

export interface BoltzmannOptions {
  /** Visible units V (≥ 1). */
  visible: number;
  /** Hidden units H (≥ 0). V + H ≤ 2048. */
  hidden: number;
  /**
   * Which pairs are connected: an N×N symmetric matrix of 0/1 with a zero diagonal (N = V + H, units
   * visible first); w_ij of an unconnected pair stays 0. Default: every pair.
   */
  connections?: readonly (ArrayLike<number>)[];
  /** Seeds the initial weights and every sampling call that gives no seed of its own (default 0). */
  seed?: number;
  backend?: Backend;
}

export interface SamplingOptions {
  /** The annealing schedule run before samples are taken (default BoltzmannMachine.DEFAULT_ANNEAL). */
  anneal?: readonly AnnealStage[];
  /** Seeds this call (default: the next draw of the machine's own stream). */
  seed?: number;
}

export interface FitOptions {
  /** Epochs, each a clamped and a free phase and one weight update (default 100). */
  epochs?: number;
  /** ε (default 0.5). */
  learningRate?: number;
  /** Chains per pattern in the clamped phase; the free phase runs patterns·chains chains (default 10). */
  chains?: number;
  /** The schedule of each phase (default BoltzmannMachine.DEFAULT_ANNEAL). */
  anneal?: readonly AnnealStage[];
  /** Sweeps at T = 1 after the schedule over which the statistics are averaged (default 10). */
  sweeps?: number;
  /** Weight decay: Δw_ij −= ε·decay·w_ij (default 0). */
  weightDecay?: number;
  /** Called after every epoch; return false to stop. */
  onEpochEnd?: (logs: { epoch: number }) => void | boolean;
}

export interface CompleteOptions extends SamplingOptions {
  /** Chains run from the same partial vector (default 10). */
  chains?: number;
  /** Sweeps at T = 1 after the schedule over which each unit's activity is averaged (default 10). */
  sweeps?: number;
}

export interface CompleteResult {
  /** The visible vector: the known values, and for each unknown unit 1 when its activity is > ½. */
  visible: number[];
  /** Per visible unit, the fraction of samples (chains × sweeps) in which it was on; known units give their value. */
  activity: number[];
}

export interface BoltzmannJSON {
  format: 'rnn-wasm/boltzmann';
  version: 1;
  options: { visible: number; hidden: number; seed: number; connections: number[][] | null };
  /** W row-major, N·N values. */
  weights: number[];
  /** b, N values. */
  biases: number[];
}

const FORMAT = 'rnn-wasm/boltzmann';
const OPTION_KEYS = ['visible', 'hidden', 'connections', 'seed', 'backend'] as const;
/** The most units of a machine (W is N² f64 values: 32 MiB at 2048). */
const MAX_UNITS = 2048;
/** The most units for exact results: 2²⁰ states. */
const MAX_EXACT_UNITS = 20;
/** The standard deviation of the initial weights. */
const INIT_STD = 0.1;

export class BoltzmannMachine {
  /**
   * Ackley, Hinton & Sejnowski's (1985) schedule for the 4-2-4 encoder — 2 sweeps at 20, 2 at 15,
   * 2 at 12, 4 at 10, statistics at 10 — with the temperatures divided by 10, so that it ends at the
   * model's T = 1.
   */
  static readonly DEFAULT_ANNEAL: readonly AnnealStage[] = Object.freeze([
    { temperature: 2, sweeps: 2 }, { temperature: 1.5, sweeps: 2 }, { temperature: 1.2, sweeps: 2 }, { temperature: 1, sweeps: 4 },
  ].map((s) => Object.freeze(s)));

  readonly visible: number;
  readonly hidden: number;
  /** visible + hidden. */
  readonly units: number;
  readonly seed: number;
  readonly backend: Backend;
  #w: F32Buffer | null;
  #b: F32Buffer | null;
  #mask: F32Buffer | null = null;
  #connections: number[][] | null;
  #random: Random;

  constructor(options: BoltzmannOptions) {
    const where = 'BoltzmannMachine';
    const o = checkOptions(where, options, OPTION_KEYS);
    this.visible = checkInt(where, 'options.visible', o.visible, 1, MAX_UNITS);
    this.hidden = checkInt(where, 'options.hidden', o.hidden, 0, MAX_UNITS);
    const N = this.visible + this.hidden;
    if (N > MAX_UNITS) throw new RangeError(`${where}: options.visible + options.hidden must be ≤ ${MAX_UNITS}, got ${N}`);
    if (N < 2) throw new RangeError(`${where}: options.visible + options.hidden must be ≥ 2, got ${N}`);
    this.units = N;
    this.seed = o.seed === undefined ? 0 : checkInt(where, 'options.seed', o.seed, -0x80000000, 0xffffffff);
    const backend = o.backend ?? defaultBackend();
    if (!(backend instanceof Backend)) throw new TypeError(`${where}: options.backend must be a Backend, got ${describe(o.backend)}`);
    this.backend = backend;
    this.#connections = o.connections === undefined ? null : readConnections(where, o.connections, N);
    this.#random = new Random(this.seed);
    this.#w = backend.allocBlock(where, 'the weights', sizeProduct(2, N, N));
    this.#b = backend.allocBlock(where, 'the biases', sizeProduct(2, N));
    try {
      if (this.#connections) {
        this.#mask = backend.allocBlock(where, 'the connections', sizeProduct(2, N, N));
        liveF64(this.#mask).set(this.#connections.flat());
      }
      // Small symmetric random weights (the hidden units need them to differ), zero biases.
      const w = liveF64(this.#w);
      const init = new Random(this.seed, 1);
      for (let i = 0; i < N; i++) {
        for (let j = i + 1; j < N; j++) {
          const v = this.#connections && this.#connections[i][j] === 0 ? 0 : INIT_STD * init.normal();
          w[i * N + j] = v;
          w[j * N + i] = v;
        }
      }
    } catch (error) {
      this.dispose();
      throw error;
    }
  }

  /**
   * Learns the distribution of `patterns` (rows of `visible` values, 0 or 1) by Ackley, Hinton &
   * Sejnowski's rule, the statistics of both phases estimated by annealed Gibbs sampling.
   */
  fit(patterns: PatternsLike, options: FitOptions = {}): { epochs: number; stoppedEarly: boolean } {
    const where = 'BoltzmannMachine.fit';
    const { w, b } = this.#live(where);
    const o = checkOptions(where, options, ['epochs', 'learningRate', 'chains', 'anneal', 'sweeps', 'weightDecay', 'onEpochEnd']);
    const epochs = o.epochs === undefined ? 100 : checkInt(where, 'options.epochs', o.epochs, 1);
    const rate = o.learningRate === undefined ? 0.5 : checkPositive(where, 'options.learningRate', o.learningRate);
    const chains = o.chains === undefined ? 10 : checkInt(where, 'options.chains', o.chains, 1);
    const anneal = readAnneal(where, o.anneal);
    const sweeps = o.sweeps === undefined ? 10 : checkInt(where, 'options.sweeps', o.sweeps, 1);
    const decay = o.weightDecay === undefined ? 0 : checkFinite(where, 'options.weightDecay', o.weightDecay);
    if (decay < 0) throw new RangeError(`${where}: options.weightDecay must be ≥ 0, got ${decay}`);
    const onEpochEnd = o.onEpochEnd;
    if (onEpochEnd !== undefined && typeof onEpochEnd !== 'function') throw new TypeError(`${where}: options.onEpochEnd must be a function, got ${describe(onEpochEnd)}`);
    const rows = this.#readPatterns(where, patterns);
    const N = this.units;
    const C = rows.length * chains;
    return this.#scratch(where, (alloc) => {
      const states = alloc(C * N, 'the chains');
      const clampedStats = alloc(N * N, 'the clamped statistics');
      const freeStats = alloc(N * N, 'the free statistics');
      const clamp = alloc(N, 'the clamped units');
      liveI32(clamp).fill(1, 0, this.visible);
      let epoch = 0;
      let stoppedEarly = false;
      while (epoch < epochs) {
        // Clamped phase: chain c holds pattern ⌊c / chains⌋ on the visible units, the hidden ones from a uniform random state.
        const view = liveF64(states);
        rows.forEach((row, p) => {
          for (let k = 0; k < chains; k++) view.set(row, (p * chains + k) * N);
        });
        liveF64(clampedStats).fill(0);
        this.#run(states, clampedStats, clamp, C, anneal, sweeps, this.#random, true);
        // Free phase: every unit from a uniform random state.
        liveF64(freeStats).fill(0);
        this.#run(states, freeStats, 0, C, anneal, sweeps, this.#random, true);
        boltzmannLearnF64(this.backend, { w: w.ptr, b: b.ptr, clamped: clampedStats.ptr, free: freeStats.ptr, mask: this.#mask?.ptr ?? 0 }, N, rate, decay);
        epoch++;
        if ((onEpochEnd as FitOptions['onEpochEnd'])?.({ epoch }) === false) {
          stoppedEarly = epoch < epochs;
          break;
        }
      }
      return { epochs: epoch, stoppedEarly };
    });
  }

  /** `n` visible vectors, each the final state of a chain annealed from a uniform random state. */
  sample(n: number, options: SamplingOptions = {}): number[][] {
    const where = 'BoltzmannMachine.sample';
    this.#live(where);
    const N = this.units;
    checkInt(where, 'n', n, 1, Math.floor(0x7fffffff / N));
    const o = checkOptions(where, options, ['anneal', 'seed']);
    const anneal = readAnneal(where, o.anneal);
    const random = this.#callRandom(where, o.seed);
    return this.#scratch(where, (alloc) => {
      const states = alloc(n * N, 'the chains');
      this.#run(states, null, 0, n, anneal, 0, random, true);
      const view = liveF64(states);
      return Array.from({ length: n }, (_, c) => Array.from(view.subarray(c * N, c * N + this.visible)));
    });
  }

  /**
   * Clamps the known visible units and infers the rest: `partial` has `visible` entries, 0 or 1 for
   * a known unit and null (or NaN) for an unknown one. Chains anneal the unknown and hidden units,
   * then count how often each unit is on over `sweeps` sweeps at T = 1.
   */
  complete(partial: ArrayLike<number | null>, options: CompleteOptions = {}): CompleteResult {
    const where = 'BoltzmannMachine.complete';
    this.#live(where);
    const o = checkOptions(where, options, ['anneal', 'seed', 'chains', 'sweeps']);
    const anneal = readAnneal(where, o.anneal);
    const N = this.units;
    const chains = o.chains === undefined ? 10 : checkInt(where, 'options.chains', o.chains, 1, Math.floor(0x7fffffff / N));
    const sweeps = o.sweeps === undefined ? 10 : checkInt(where, 'options.sweeps', o.sweeps, 1);
    if (partial === null || typeof partial !== 'object' || typeof (partial as { length?: unknown }).length !== 'number') {
      throw new TypeError(`${where}: partial must be an array of ${this.visible} values (0, 1, or null for unknown), got ${describe(partial)}`);
    }
    if (partial.length !== this.visible) throw new RangeError(`${where}: partial must have visible = ${this.visible} values, got ${partial.length}`);
    const known: boolean[] = [];
    const values: number[] = [];
    for (let i = 0; i < this.visible; i++) {
      const v = partial[i];
      const unknown = v === null || v === undefined || Number.isNaN(v);
      if (!unknown && v !== 0 && v !== 1) throw new RangeError(`${where}: partial[${i}] must be 0, 1, or null (unknown), got ${describe(v)}`);
      known.push(!unknown);
      values.push(unknown ? 0 : v);
    }
    const random = this.#callRandom(where, o.seed);
    return this.#scratch(where, (alloc) => {
      const states = alloc(chains * N, 'the chains');
      const stats = alloc(N * N, 'the statistics');
      const clamp = alloc(N, 'the clamped units');
      const view = liveF64(states);
      for (let c = 0; c < chains; c++) view.set(values, c * N);
      liveI32(clamp).set(known.map((k) => (k ? 1 : 0)));
      this.#run(states, stats, clamp, chains, anneal, sweeps, random, true);
      const s = liveF64(stats);
      const activity = values.map((v, i) => (known[i] ? v : s[i * N + i]));
      return { visible: activity.map((a, i) => (known[i] ? values[i] : a > 0.5 ? 1 : 0)), activity };
    });
  }

  /** E(s) for a full state of `units` values (visible first), each 0 or 1. */
  energy(state: ArrayLike<number>): number {
    const where = 'BoltzmannMachine.energy';
    const { w, b } = this.#live(where);
    const s = this.#readRow(where, 'state', state, this.units);
    return this.#scratch(where, (alloc) => {
      const buffer = alloc(this.units, 'the state');
      liveF64(buffer).set(s);
      return boltzmannEnergyF64(this.backend, buffer.ptr, w.ptr, b.ptr, this.units);
    });
  }

  /** Exact p(v) for every visible vector v, indexed by Σ_i v_i·2ⁱ (hidden units summed out). */
  probabilities(): Float64Array {
    return this.#exact('BoltzmannMachine.probabilities', null).p;
  }

  /** Exact log Z = log Σ_s e^{−E(s)} over all 2^units states. */
  logPartition(): number {
    return this.#exact('BoltzmannMachine.logPartition', null).logZ;
  }

  /**
   * Exact KL(data ‖ model) = Σ_v q(v)·log(q(v)/p(v)) in nats, q the empirical distribution of
   * `patterns` (rows of `visible` values, 0 or 1; repeated rows weigh more).
   */
  klDivergence(patterns: PatternsLike): number {
    const where = 'BoltzmannMachine.klDivergence';
    this.#live(where);
    this.#checkExact(where);
    const rows = this.#readPatterns(where, patterns);
    const q = new Float64Array(2 ** this.visible);
    const counts = new Float64Array(q.length);
    for (const row of rows) counts[row.reduce((x, v, i) => x + v * 2 ** i, 0)]++;
    counts.forEach((c, v) => (q[v] = c / rows.length));
    return this.#exact(where, q).kl;
  }

  /** A copy of W, row-major [units·units]. */
  weights(): Float64Array {
    return liveF64(this.#live('BoltzmannMachine.weights').w).slice();
  }

  /** A copy of b [units]. */
  biases(): Float64Array {
    return liveF64(this.#live('BoltzmannMachine.biases').b).slice();
  }

  toJSON(): BoltzmannJSON {
    return {
      format: FORMAT,
      version: 1,
      options: { visible: this.visible, hidden: this.hidden, seed: this.seed, connections: this.#connections?.map((r) => [...r]) ?? null },
      weights: Array.from(this.weights()),
      biases: Array.from(this.biases()),
    };
  }

  static fromJSON(json: unknown, options: { backend?: Backend } = {}): BoltzmannMachine {
    const where = 'BoltzmannMachine.fromJSON';
    checkOptions(where, options, ['backend']);
    const j = (typeof json === 'string' ? JSON.parse(json) : json) as BoltzmannJSON;
    if (j === null || typeof j !== 'object' || j.format !== FORMAT) throw new TypeError(`${where}: not a saved Boltzmann machine (format must be '${FORMAT}')`);
    if (j.version !== 1) throw new RangeError(`${where}: version must be 1, got ${describe(j.version)}`);
    const o = j.options;
    if (o === null || typeof o !== 'object') throw new TypeError(`${where}: options must be an object, got ${describe(o)}`);
    const machine = new BoltzmannMachine({
      visible: o.visible, hidden: o.hidden, seed: o.seed, backend: options.backend, ...(o.connections === null ? {} : { connections: o.connections }),
    });
    const N = machine.units;
    try {
      const finite = (v: unknown, n: number): boolean => Array.isArray(v) && v.length === n && v.every((x) => typeof x === 'number' && Number.isFinite(x));
      if (!finite(j.weights, N * N)) throw new TypeError(`${where}: weights must be ${N * N} finite numbers, got ${describe(j.weights)}`);
      if (!finite(j.biases, N)) throw new TypeError(`${where}: biases must be ${N} finite numbers, got ${describe(j.biases)}`);
      for (let i = 0; i < N; i++) {
        if (j.weights[i * N + i] !== 0) throw new RangeError(`${where}: weights[${i * N + i}] (w_${i}${i}, the diagonal) must be 0, got ${j.weights[i * N + i]}`);
        for (let k = i + 1; k < N; k++) {
          const [a, c] = [j.weights[i * N + k], j.weights[k * N + i]];
          if (a !== c) throw new RangeError(`${where}: weights must be symmetric; w_${i},${k} = ${a} but w_${k},${i} = ${c}`);
          if (machine.#connections && machine.#connections[i][k] === 0 && a !== 0) {
            throw new RangeError(`${where}: w_${i},${k} must be 0 (units ${i} and ${k} are not connected), got ${a}`);
          }
        }
      }
      liveF64(machine.#w!).set(j.weights);
      liveF64(machine.#b!).set(j.biases);
    } catch (error) {
      machine.dispose();
      throw error;
    }
    return machine;
  }

  dispose(): void {
    this.#w?.dispose();
    this.#b?.dispose();
    this.#mask?.dispose();
    this.#w = null;
    this.#b = null;
    this.#mask = null;
  }

  get disposed(): boolean {
    return this.#w === null;
  }

  /** The schedule (no statistics), then `sweeps` sweeps at T = 1 into stats (when sweeps > 0). */
  #run(states: F32Buffer, stats: F32Buffer | null, clamp: F32Buffer | 0, C: number, anneal: readonly AnnealStage[], sweeps: number, random: Random, randomStart = false): void {
    const { w, b } = this.#live('BoltzmannMachine');
    const N = this.units;
    const args = { states: states.ptr, stats: 0, w: w.ptr, b: b.ptr, clamp: clamp === 0 ? 0 : clamp.ptr };
    if (randomStart) boltzmannGibbsF64(this.backend, args, C, N, 1, 0, 0, random.nextUint32()); // T = ∞: every free unit a fair coin
    for (const stage of anneal) boltzmannGibbsF64(this.backend, args, C, N, stage.sweeps, 1 / stage.temperature, 0, random.nextUint32());
    if (stats && sweeps > 0) boltzmannGibbsF64(this.backend, { ...args, stats: stats.ptr }, C, N, sweeps, 1, 1 / (C * sweeps), random.nextUint32());
  }

  /** Exact p(v) [2^visible] and log Z; with a data distribution q [2^visible], also KL(q ‖ p). */
  #exact(where: string, q: Float64Array | null): { p: Float64Array; logZ: number; kl: number } {
    const { w, b } = this.#live(where);
    this.#checkExact(where);
    const n = 2 ** this.visible;
    return this.#scratch(where, (alloc) => {
      const logp = alloc(n, 'log p(v)');
      const p = alloc(n, 'p(v)');
      const logZ = boltzmannExactF64(this.backend, { logp: logp.ptr, p: p.ptr, clamped: 0, free: 0, q: 0, w: w.ptr, b: b.ptr }, this.visible, this.hidden);
      let kl = NaN;
      if (q) {
        const qBuffer = alloc(n, 'the data distribution');
        liveF64(qBuffer).set(q);
        kl = boltzmannKlF64(this.backend, qBuffer.ptr, logp.ptr, n);
      }
      return { p: liveF64(p).slice(), logZ, kl };
    });
  }

  #checkExact(where: string): void {
    if (this.units > MAX_EXACT_UNITS) {
      throw new RangeError(`${where}: exact results enumerate all 2^(visible + hidden) states, so visible + hidden must be ≤ ${MAX_EXACT_UNITS}, got ${this.units}`);
    }
  }

  #callRandom(where: string, seed: unknown): Random {
    return seed === undefined ? new Random(this.#random.nextUint32()) : new Random(checkInt(where, 'options.seed', seed, -0x80000000, 0xffffffff));
  }

  #live(where: string): { w: F32Buffer; b: F32Buffer } {
    if (this.#w === null || this.#b === null) throw new Error(`${where}: the machine has been disposed`);
    return { w: this.#w, b: this.#b };
  }

  /** f64 scratch blocks for one call, freed at its end (also when it throws). */
  #scratch<T>(where: string, body: (alloc: (n: number, what: string) => F32Buffer) => T): T {
    const owned: F32Buffer[] = [];
    try {
      return body((n, what) => {
        const block = this.backend.allocBlock(where, what, sizeProduct(2, Math.max(1, n)));
        owned.push(block);
        return block;
      });
    } finally {
      for (const block of owned) block.dispose();
    }
  }

  #readRow(where: string, name: string, value: ArrayLike<number>, n: number): number[] {
    if (value === null || typeof value !== 'object' || typeof (value as { length?: unknown }).length !== 'number') {
      throw new TypeError(`${where}: ${name} must be an array of ${n} values (0 or 1), got ${describe(value)}`);
    }
    const label = n === this.units ? 'units' : 'visible';
    if (value.length !== n) throw new RangeError(`${where}: ${name} must have ${label} = ${n} values, got ${value.length}`);
    const out = new Array<number>(n);
    for (let i = 0; i < n; i++) {
      const v = value[i];
      if (v !== 0 && v !== 1) throw new RangeError(`${where}: ${name}[${i}] must be 0 or 1, got ${describe(v)}`);
      out[i] = v;
    }
    return out;
  }

  /** Rows of `visible` values, 0 or 1. */
  #readPatterns(where: string, patterns: PatternsLike): number[][] {
    const V = this.visible;
    let rows: ArrayLike<number>[];
    if (Array.isArray(patterns)) {
      rows = patterns as ArrayLike<number>[];
    } else if (patterns !== null && typeof patterns === 'object' && 'data' in patterns && 'shape' in patterns) {
      const { data, shape } = patterns;
      if (!Array.isArray(shape) || shape.length !== 2 || shape[1] !== V) {
        throw new RangeError(`${where}: patterns.shape must be [P, visible = ${V}], got ${JSON.stringify(shape)}`);
      }
      const P = checkInt(where, 'patterns.shape[0]', shape[0], 1);
      if (data?.length !== P * V) throw new RangeError(`${where}: patterns.data must have P·visible = ${P * V} values, got ${describe(data)}`);
      rows = Array.from({ length: P }, (_, p) => Array.prototype.slice.call(data, p * V, (p + 1) * V) as number[]);
    } else {
      throw new TypeError(`${where}: patterns must be an array of rows or { data, shape: [P, visible] }, got ${describe(patterns)}`);
    }
    if (rows.length === 0) throw new RangeError(`${where}: patterns must hold at least one pattern, got none`);
    return rows.map((row, p) => this.#readRow(where, `patterns[${p}]`, row, V));
  }
}

function checkPositive(where: string, name: string, value: unknown): number {
  const v = checkFinite(where, name, value);
  if (v <= 0) throw new RangeError(`${where}: ${name} must be > 0, got ${v}`);
  return v;
}

function readAnneal(where: string, value: unknown): readonly AnnealStage[] {
  if (value === undefined) return BoltzmannMachine.DEFAULT_ANNEAL;
  if (!Array.isArray(value)) throw new TypeError(`${where}: options.anneal must be an array of { temperature, sweeps }, got ${describe(value)}`);
  return value.map((stage: unknown, k) => {
    const name = `options.anneal[${k}]`;
    const s = checkOptions(where, stage, ['temperature', 'sweeps'], name);
    return { temperature: checkPositive(where, `${name}.temperature`, s.temperature), sweeps: checkInt(where, `${name}.sweeps`, s.sweeps, 1) };
  });
}

function readConnections(where: string, value: unknown, N: number): number[][] {
  if (!Array.isArray(value) || value.length !== N) {
    throw new RangeError(`${where}: options.connections must be ${N} rows of ${N} values (0 or 1; N = visible + hidden), got ${describe(value)}`);
  }
  const rows = value.map((row: unknown, i) => {
    if (row === null || typeof row !== 'object' || (row as ArrayLike<number>).length !== N) {
      throw new RangeError(`${where}: options.connections[${i}] must have ${N} values, got ${describe(row)}`);
    }
    return Array.from(row as ArrayLike<number>);
  });
  for (let i = 0; i < N; i++) {
    for (let j = 0; j < N; j++) {
      const v = rows[i][j];
      if (v !== 0 && v !== 1) throw new RangeError(`${where}: options.connections[${i}][${j}] must be 0 or 1, got ${describe(v)}`);
      if (i === j && v !== 0) throw new RangeError(`${where}: options.connections[${i}][${i}] must be 0 (no unit connects to itself), got 1`);
      if (v !== rows[j][i]) throw new RangeError(`${where}: options.connections must be symmetric; [${i}][${j}] is ${v} but [${j}][${i}] is ${describe(rows[j][i])}`);
    }
  }
  return rows;
}
