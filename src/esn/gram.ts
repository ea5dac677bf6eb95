// XᵀX and XᵀY for fit(): the states of every training sequence collected and their Gram sums
// accumulated in f64 (the upper triangle of XᵀX [F, F] and XᵀY [F, O], in linear memory).
//
// One thread: one esnCollect call per sequence, which accumulates every block of KB steps as it
// fills (assembly/esn.ts flushRows over all rows).
//
// Threads: the sequence is collected block by block (esnCollect's block mode: one call per KB
// steps, the first call also running the washout), and a block's accumulation is split into the
// row ranges of gramRowPlan(F), one esnFlushRows program each. The recurrence is serial, so while
// one thread collects block b + 1 into one zblk / dblk pair the others accumulate block b from the
// other pair: each round of runShards is [collect b + 1, flush b over range 0, range 1, …]. Every
// program writes only its own buffers (the collect: the loop state and its pair; a flush: its rows
// of XᵀX and XᵀY), each element of XᵀX gets the same block sums in the same block order as on one
// thread, and a row's sum does not depend on the range it falls in: the bits are those of the
// one-thread path, for every thread count.
import type { Backend, F32Buffer } from '../engine/backend.js';
import { sizeProduct } from '../engine/sizes.js';
import { ShardProgram } from '../engine/threads.js';
import { esnBlockSteps, esnCollect, esnFlushRows, type CollectInputs, type LoopPointers, type ReservoirPointers, type ReservoirSizes } from '../kernels/esn.js';
import type { BufferSet } from './buffers.js';

/** Rows [start, end) of XᵀX (and XᵀY); start is even. */
export interface RowRange {
  start: number;
  end: number;
}

/** Upper-triangle entries a range aims at: a block's share below this costs less than handing it to another thread. */
export const RANGE_ENTRIES = 1 << 15;
/** At most this many ranges. */
export const MAX_RANGES = 16;

/**
 * The row ranges a block's accumulation is split into. It depends only on F, never on the thread
 * count: ⌊F(F + 1)/2 / RANGE_ENTRIES⌋ ranges (1 to MAX_RANGES) of near-equal area — row i of the
 * upper triangle holds F − i entries — cut at even rows (the kernel takes rows in pairs).
 */
export function gramRowPlan(F: number): RowRange[] {
  const total = (F * (F + 1)) / 2;
  const count = Math.max(1, Math.min(MAX_RANGES, Math.floor(total / RANGE_ENTRIES)));
  const plan: RowRange[] = [];
  let start = 0;
  let area = 0; // entries of rows [0, r)
  for (let r = 0, k = 1; k < count && r < F; r += 2) {
    if (area >= (k * total) / count) {
      if (r > start) plan.push({ start, end: r });
      start = r;
      k++;
    }
    area += (F - r) + (r + 1 < F ? F - r - 1 : 0);
  }
  plan.push({ start, end: F });
  return plan;
}

/** The Gram sums of a fit: allocated in `buffers`, accumulated sequence by sequence with add(), completed by finish(). */
export class GramAccumulator {
  /** f64 [F, F], upper triangle accumulated. */
  readonly xtx: F32Buffer;
  /** f64 [F, O]. */
  readonly xty: F32Buffer;
  readonly #backend: Backend;
  readonly #KB: number;
  /** Two zblk / dblk pairs with threads (one collected while the other is accumulated), else one. */
  readonly #zblk: F32Buffer[] = [];
  readonly #dblk: F32Buffer[] = [];
  /** With threads: the flush programs of each pair, one per row range. */
  readonly #flushes: ShardProgram[][] = [];
  /** The pair holding a collected block not yet accumulated, or −1. */
  #pending = -1;

  constructor(backend: Backend, buffers: BufferSet, F: number, O: number, features: string) {
    this.#backend = backend;
    const KB = (this.#KB = esnBlockSteps(backend));
    this.xtx = buffers.f64(sizeProduct(F, F), `XᵀX [F, F] for ${features}`);
    this.xty = buffers.f64(sizeProduct(F, O), `XᵀY [F, outputSize] for ${features}`);
    const plan = gramRowPlan(F);
    const pairs = backend.threads.count > 1 && plan.length > 1 ? 2 : 1;
    for (let p = 0; p < pairs; p++) {
      this.#zblk.push(buffers.f64(sizeProduct(F, KB), `a block of ${KB} feature rows for ${features}`));
      this.#dblk.push(buffers.f64(sizeProduct(O, KB), `a block of ${KB} target rows`));
    }
    if (pairs === 2) {
      for (let p = 0; p < pairs; p++) {
        this.#flushes.push(plan.map(({ start, end }) => {
          const program = new ShardProgram();
          esnFlushRows(program, this.xtx.ptr, this.xty.ptr, this.#zblk[p].ptr, this.#dblk[p].ptr, { features: F, outputSize: O, rowStart: start, rowEnd: end });
          return program;
        }));
      }
    }
  }

  /**
   * Drives the reservoir over one teacher-forced sequence from `loop` (inputs: the pointers of its
   * T steps) and accumulates the features and targets of its steps from `washout` on.
   */
  add(loop: LoopPointers, inputs: CollectInputs, w: ReservoirPointers, sizes: ReservoirSizes & { timeSteps: number; washout: number }): void {
    const run = { ...sizes, forgettingFactor: 1 };
    if (this.#flushes.length === 0) {
      esnCollect(this.#backend, { xtx: this.xtx.ptr, xty: this.xty.ptr, zblk: this.#zblk[0].ptr, dblk: this.#dblk[0].ptr }, loop, inputs, w, run);
      return;
    }
    const { timeSteps: T, washout, units: N, inputSize: I, outputSize: O } = sizes;
    for (let from = 0; from < T;) {
      const steps = Math.min(T - from, (from === 0 ? washout : 0) + this.#KB);
      const pair = this.#pending === 0 ? 1 : 0;
      const collect = new ShardProgram();
      const at = {
        u: inputs.u + from * I * 4, teacher: inputs.teacher ? inputs.teacher + from * O * 4 : 0,
        targets: inputs.targets ? inputs.targets + from * O * 8 : 0, noise: inputs.noise ? inputs.noise + from * N * 4 : 0,
      };
      esnCollect(collect, { zblk: this.#zblk[pair].ptr, dblk: this.#dblk[pair].ptr }, loop, at, w, { ...run, timeSteps: steps, washout: from === 0 ? washout : 0 });
      this.#backend.runShards(this.#pending < 0 ? [collect] : [collect, ...this.#flushes[this.#pending]]);
      this.#pending = pair;
      from += steps;
    }
  }

  /** Accumulates the last collected block: XᵀX and XᵀY are complete. */
  finish(): void {
    if (this.#pending < 0) return;
    this.#backend.runShards(this.#flushes[this.#pending]);
    this.#pending = -1;
  }
}
