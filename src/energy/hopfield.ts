// The Hopfield network (Hopfield 1982): N fully connected units, symmetric weights with a zero
// diagonal, states ±1 (bipolar) or 0/1 (binary); stored patterns are (ideally) fixed points that
// attract nearby states, so recall from a corrupted probe is associative memory.
//
//   update   s_i ← high if h_i > θ, low if h_i < θ, unchanged if h_i = θ;  h_i = Σ_j w_ij·s_j
//   energy   E(s) = −½·sᵀWs + θ·Σ_i s_i   (never rises under asynchronous updates)
//   rules    (patterns ξ taken as ±1; binary 0/1 patterns map to 2ξ − 1, as in Hopfield 1982)
//            hebbian        W += (1/N)·ξξᵀ per pattern, accumulated over store() calls
//            storkey        Storkey (1997), one pattern at a time, accumulated
//            pseudoinverse  W = ξᵀ(ξξᵀ)⁻¹ξ over all stored patterns (the projection rule), recomputed
//                           on each store(); every linearly independent pattern is a fixed point
//
// All arithmetic runs in WASM (assembly/energy.ts, f64); the pseudo-inverse's P×P solve is the
// ESN readout's pivoted Cholesky (esn_ridge_solve with λ = 0), which also reports the rank.
// This file validates, marshals, draws the update orders and decides when to stop.
import { Backend, liveF64, liveI32, type F32Buffer } from '../engine/backend.js';
import { defaultBackend } from '../engine/init.js';
import { sizeProduct } from '../engine/sizes.js';
import { checkFinite, checkInt, checkOneOf, checkOptions, describe } from '../errors.js';
import {
  hopfieldEnergyF64, hopfieldGramF64, hopfieldHebbianF64, hopfieldProjectF64, hopfieldStorkeyF64, hopfieldSyncF64, hopfieldUpdateF64,
} from '../kernels/energy.js';
import { esnRidgeSolve } from '../kernels/esn.js';
import { Random } from '../random.js';

export type HopfieldStates = 'bipolar' | 'binary';
export type HopfieldRule = 'hebbian' | 'storkey' | 'pseudoinverse';

export interface HopfieldOptions {
  /** The number of units N (≥ 2). */
  size: number;
  /** ±1 (default) or 0/1 units. */
  states?: HopfieldStates;
  /** The learning rule (default 'hebbian'). */
  rule?: HopfieldRule;
  /** θ, the same for every unit (default 0). */
  threshold?: number;
  /** Seeds the update orders of recall() calls that give no seed of their own (default 0). */
  seed?: number;
  backend?: Backend;
}

export interface RecallOptions {
  /** 'async' (default): one sweep updates every unit once in a seeded random order; 'sync': all units at once. */
  mode?: 'async' | 'sync';
  /** The most sweeps (sync: steps) to run (default 100, ≥ 1). */
  maxSweeps?: number;
  /** Seeds this call's update orders (async); default: the next draw of the network's own stream. */
  seed?: number;
}

export interface RecallResult {
  /** The final state. */
  state: number[];
  /** Sweeps run (the last one, when converged, changed nothing). */
  sweeps: number;
  /** A sweep changed no unit: the state is a fixed point. */
  converged: boolean;
  /** Sync only: the state alternates between two states (a 2-cycle); converged is then false. */
  cycle: boolean;
  /** E(s) of the probe, then after every sweep: sweeps + 1 entries. */
  energyTrace: number[];
}

/** Patterns as rows: number[][] or a flat { data, shape: [P, size] }. */
export type PatternsLike = readonly (ArrayLike<number>)[] | { data: ArrayLike<number>; shape: readonly number[] };

export interface HopfieldJSON {
  format: 'rnn-wasm/hopfield';
  version: 1;
  options: { size: number; states: HopfieldStates; rule: HopfieldRule; threshold: number; seed: number };
  /** Stored patterns, ±1, in the order stored. */
  patterns: number[][];
  /** W row-major, N·N values. */
  weights: number[];
}

const FORMAT = 'rnn-wasm/hopfield';
const OPTION_KEYS = ['size', 'states', 'rule', 'threshold', 'seed', 'backend'] as const;

export class Hopfield {
  readonly size: number;
  readonly states: HopfieldStates;
  readonly rule: HopfieldRule;
  readonly threshold: number;
  readonly seed: number;
  readonly backend: Backend;
  #weights: F32Buffer | null;
  /** Stored patterns, bipolar. */
  #patterns: number[][] = [];
  #random: Random;

  constructor(options: HopfieldOptions) {
    const where = 'Hopfield';
    const o = checkOptions(where, options, OPTION_KEYS);
    this.size = checkInt(where, 'options.size', o.size, 2, 46340);
    this.states = o.states === undefined ? 'bipolar' : checkOneOf(where, 'options.states', o.states, ['bipolar', 'binary'] as const);
    this.rule = o.rule === undefined ? 'hebbian' : checkOneOf(where, 'options.rule', o.rule, ['hebbian', 'storkey', 'pseudoinverse'] as const);
    this.threshold = o.threshold === undefined ? 0 : checkFinite(where, 'options.threshold', o.threshold);
    this.seed = o.seed === undefined ? 0 : checkInt(where, 'options.seed', o.seed, -0x80000000, 0xffffffff);
    const backend = o.backend ?? defaultBackend();
    if (!(backend instanceof Backend)) throw new TypeError(`${where}: options.backend must be a Backend, got ${describe(o.backend)}`);
    this.backend = backend;
    this.#random = new Random(this.seed);
    this.#weights = backend.allocBlock(where, 'the weights', sizeProduct(2, this.size, this.size));
  }

  /** The number of patterns stored so far. */
  get patternCount(): number {
    return this.#patterns.length;
  }

  /**
   * Stores patterns (rows of `size` values, ±1 or 0/1 as `states` says). Hebbian and Storkey add
   * to the weights; the pseudo-inverse rule recomputes W from every pattern stored so far and
   * refuses patterns that are linearly dependent on the others (nothing changes then).
   */
  store(patterns: PatternsLike): this {
    const where = 'Hopfield.store';
    const w = this.#live(where);
    const rows = this.#readPatterns(where, patterns);
    const N = this.size;
    if (this.rule === 'pseudoinverse') {
      const all = [...this.#patterns, ...rows];
      this.#project(where, all, w);
      this.#patterns = all;
      return this;
    }
    this.#scratch(where, (alloc) => {
      const xi = alloc(N, 'a pattern');
      const h = alloc(N, 'the fields');
      for (const row of rows) {
        liveF64(xi).set(row);
        if (this.rule === 'hebbian') hopfieldHebbianF64(this.backend, w.ptr, xi.ptr, N, 1 / N);
        else hopfieldStorkeyF64(this.backend, w.ptr, h.ptr, xi.ptr, N, 1 / N);
      }
    });
    this.#patterns.push(...rows);
    return this;
  }

  /** Runs the network from `probe` until a sweep changes nothing or maxSweeps sweeps have run. */
  recall(probe: ArrayLike<number>, options: RecallOptions = {}): RecallResult {
    const where = 'Hopfield.recall';
    const w = this.#live(where);
    const o = checkOptions(where, options, ['mode', 'maxSweeps', 'seed']);
    const mode = o.mode === undefined ? 'async' : checkOneOf(where, 'options.mode', o.mode, ['async', 'sync'] as const);
    const maxSweeps = o.maxSweeps === undefined ? 100 : checkInt(where, 'options.maxSweeps', o.maxSweeps, 1);
    const seed = o.seed === undefined ? undefined : checkInt(where, 'options.seed', o.seed, -0x80000000, 0xffffffff);
    const s0 = this.#readState(where, 'probe', probe);
    const N = this.size;
    const binary = this.states === 'binary';
    const random = seed === undefined ? new Random(this.#random.nextUint32()) : new Random(seed);
    return this.#scratch(where, (alloc) => {
      const buffers = [alloc(N, 'the state'), alloc(N, 'the state'), alloc(N, 'the state')];
      liveF64(buffers[0]).set(s0);
      const energy = (b: F32Buffer): number => hopfieldEnergyF64(this.backend, b.ptr, w.ptr, N, this.threshold);
      const energyTrace = [energy(buffers[0])];
      let sweeps = 0;
      let converged = false;
      let cycle = false;
      if (mode === 'async') {
        const order = this.backend.allocBlock(where, 'the update order', N);
        try {
          while (sweeps < maxSweeps && !converged) {
            const view = liveI32(order);
            for (let i = 0; i < N; i++) view[i] = i;
            for (let i = N - 1; i > 0; i--) {
              const j = Math.floor(random.uniform() * (i + 1));
              [view[i], view[j]] = [view[j], view[i]];
            }
            const changed = hopfieldUpdateF64(this.backend, buffers[0].ptr, w.ptr, order.ptr, N, N, this.threshold, binary);
            sweeps++;
            energyTrace.push(energy(buffers[0]));
            converged = changed === 0;
          }
        } finally {
          order.dispose();
        }
        return { state: Array.from(liveF64(buffers[0])), sweeps, converged, cycle, energyTrace };
      }
      // Sync: cur → next; prev is the state before cur (none at the first step).
      let [prev, cur, next] = buffers;
      [prev, cur] = [cur, prev]; // cur holds the probe
      while (sweeps < maxSweeps && !converged && !cycle) {
        const r = hopfieldSyncF64(this.backend, next.ptr, cur.ptr, sweeps === 0 ? 0 : prev.ptr, w.ptr, N, this.threshold, binary);
        sweeps++;
        energyTrace.push(energy(next));
        converged = r.changed === 0;
        cycle = !converged && r.cycle;
        [prev, cur, next] = [cur, next, prev];
      }
      return { state: Array.from(liveF64(cur)), sweeps, converged, cycle, energyTrace };
    });
  }

  /** E(s) = −½·sᵀWs + θ·Σ s. */
  energy(state: ArrayLike<number>): number {
    const where = 'Hopfield.energy';
    const w = this.#live(where);
    const s = this.#readState(where, 'state', state);
    return this.#scratch(where, (alloc) => {
      const b = alloc(this.size, 'the state');
      liveF64(b).set(s);
      return hopfieldEnergyF64(this.backend, b.ptr, w.ptr, this.size, this.threshold);
    });
  }

  /** A copy of W, row-major [N·N]. */
  weights(): Float64Array {
    return liveF64(this.#live('Hopfield.weights')).slice();
  }

  toJSON(): HopfieldJSON {
    return {
      format: FORMAT,
      version: 1,
      options: { size: this.size, states: this.states, rule: this.rule, threshold: this.threshold, seed: this.seed },
      patterns: this.#patterns.map((p) => [...p]),
      weights: Array.from(this.weights()),
    };
  }

  static fromJSON(json: unknown, options: { backend?: Backend } = {}): Hopfield {
    const where = 'Hopfield.fromJSON';
    checkOptions(where, options, ['backend']);
    const j = (typeof json === 'string' ? JSON.parse(json) : json) as HopfieldJSON;
    if (j === null || typeof j !== 'object' || j.format !== FORMAT) throw new TypeError(`${where}: not a saved Hopfield network (format must be '${FORMAT}')`);
    if (j.version !== 1) throw new RangeError(`${where}: version must be 1, got ${describe(j.version)}`);
    const net = new Hopfield({ ...j.options, backend: options.backend });
    const N = net.size;
    try {
      if (!Array.isArray(j.weights) || j.weights.length !== N * N || !j.weights.every((v) => typeof v === 'number' && Number.isFinite(v))) {
        throw new TypeError(`${where}: weights must be ${N * N} finite numbers, got ${describe(j.weights)}`);
      }
      if (!Array.isArray(j.patterns)) throw new TypeError(`${where}: patterns must be an array, got ${describe(j.patterns)}`);
      const rows = j.patterns.length === 0 ? [] : net.#readPatterns(where, j.patterns.map((p) => p.map((v) => (net.states === 'binary' ? (v + 1) / 2 : v))));
      liveF64(net.#weights!).set(j.weights);
      net.#patterns = rows;
    } catch (error) {
      net.dispose();
      throw error;
    }
    return net;
  }

  dispose(): void {
    this.#weights?.dispose();
    this.#weights = null;
  }

  get disposed(): boolean {
    return this.#weights === null;
  }

  #live(where: string): F32Buffer {
    if (this.#weights === null) throw new Error(`${where}: the network has been disposed`);
    return this.#weights;
  }

  /** f64 scratch blocks for one call, freed at its end (also when it throws). */
  #scratch<T>(where: string, body: (alloc: (n: number, what: string) => F32Buffer) => T): T {
    const owned: F32Buffer[] = [];
    try {
      return body((n, what) => {
        const b = this.backend.allocBlock(where, what, sizeProduct(2, Math.max(1, n)));
        owned.push(b);
        return b;
      });
    } finally {
      for (const b of owned) b.dispose();
    }
  }

  /** W = ξᵀ(ξξᵀ)⁻¹ξ (zero diagonal) into w; throws, leaving w unchanged, when ξ's rows are dependent. */
  #project(where: string, all: number[][], w: F32Buffer): void {
    const N = this.size;
    const P = all.length;
    if (P > N) throw new RangeError(`${where}: the pseudo-inverse rule stores at most size = ${N} linearly independent patterns, got ${P}`);
    this.#scratch(where, (alloc) => {
      const xi = alloc(P * N, 'the patterns');
      const gram = alloc(P * P, 'the Gram matrix');
      const b = alloc(N * P, 'ξᵀ(ξξᵀ)⁻¹');
      const work = alloc(P * P, 'the solver work');
      const tmp = alloc(2 * P, 'the solver work');
      const perm = this.backend.allocBlock(where, 'the pivots', P);
      try {
        const view = liveF64(xi);
        all.forEach((row, p) => view.set(row, p * N));
        hopfieldGramF64(this.backend, gram.ptr, xi.ptr, P, N);
        // (ξξᵀ)·Bᵀ = ξ: the solver's W_out [O, F] = [N, P] is B = ξᵀ(ξξᵀ)⁻¹.
        const { rank } = esnRidgeSolve(this.backend, b.ptr, work.ptr, tmp.ptr, perm.ptr, gram.ptr, xi.ptr, { features: P, outputSize: N, ridge: 0, biasColumn: false });
        if (rank < P) throw new RangeError(`${where}: the pseudo-inverse rule needs linearly independent patterns; the ${P} patterns stored and given have rank ${rank}`);
        hopfieldProjectF64(this.backend, w.ptr, b.ptr, xi.ptr, N, P);
      } finally {
        perm.dispose();
      }
    });
  }

  #readState(where: string, name: string, value: ArrayLike<number>): number[] {
    if (value === null || typeof value !== 'object' || typeof (value as { length?: unknown }).length !== 'number') {
      throw new TypeError(`${where}: ${name} must be an array of ${this.size} numbers, got ${describe(value)}`);
    }
    if (value.length !== this.size) throw new RangeError(`${where}: ${name} must have size = ${this.size} values, got ${value.length}`);
    const [low, text] = this.states === 'binary' ? [0, '0 or 1 (states: binary)'] : [-1, '-1 or 1 (states: bipolar)'];
    const out = new Array<number>(this.size);
    for (let i = 0; i < this.size; i++) {
      const v = value[i];
      if (v !== 1 && v !== low) throw new RangeError(`${where}: ${name}[${i}] must be ${text}, got ${describe(v)}`);
      out[i] = v;
    }
    return out;
  }

  /** Rows as bipolar number[]. */
  #readPatterns(where: string, patterns: PatternsLike): number[][] {
    const N = this.size;
    let rows: ArrayLike<number>[];
    if (Array.isArray(patterns)) {
      rows = patterns as ArrayLike<number>[];
    } else if (patterns !== null && typeof patterns === 'object' && 'data' in patterns && 'shape' in patterns) {
      const { data, shape } = patterns;
      if (!Array.isArray(shape) || shape.length !== 2 || shape[1] !== N) {
        throw new RangeError(`${where}: patterns.shape must be [P, size = ${N}], got ${JSON.stringify(shape)}`);
      }
      const P = checkInt(where, 'patterns.shape[0]', shape[0], 1);
      if (data?.length !== P * N) throw new RangeError(`${where}: patterns.data must have P·size = ${P * N} values, got ${describe(data)}`);
      rows = Array.from({ length: P }, (_, p) => Array.prototype.slice.call(data, p * N, (p + 1) * N) as number[]);
    } else {
      throw new TypeError(`${where}: patterns must be an array of rows or { data, shape: [P, size] }, got ${describe(patterns)}`);
    }
    if (rows.length === 0) throw new RangeError(`${where}: patterns must hold at least one pattern, got none`);
    return rows.map((row, p) => {
      const s = this.#readState(where, `patterns[${p}]`, row);
      return this.states === 'binary' ? s.map((v) => 2 * v - 1) : s;
    });
  }
}
