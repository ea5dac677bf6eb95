// The batch-shard plan of a layer: which rows of a batch of B sequences each shard takes. It
// depends only on the problem's size, never on the thread count. A row's forward and its steps
// backward do not depend on the other rows, and the weight phase runs over all rows after the
// shards, so the results are the same bits for any plan and any thread count.

/** Rows a shard aims at: fewer rows per GEMM cost more than a second thread gains. */
export const SHARD_ROWS = 16;
/** At most this many shards (each has its own workspace and gradient block). */
export const MAX_SHARDS = 16;

export interface Shard {
  /** First row (sequence) of the batch. */
  start: number;
  rows: number;
}

/** Fewest rows of a shard when a batch smaller than 2·SHARD_ROWS is cut in two. */
export const MIN_SHARD_ROWS = 4;

/**
 * Batches of 2·SHARD_ROWS or more: ⌊B / SHARD_ROWS⌋ shards (at most MAX_SHARDS); from
 * 2·MIN_SHARD_ROWS up to that, two shards when the layer's work T·B·H·(I + H) reaches SPLIT_MIN_WORK
 * (measured, 2 threads against 1: B = 16, T = 64, I = 32, H = 128 forward 0.61×, train step 0.58×;
 * B = 8 0.67× / 0.72×; but B = 8, T = 32, I = 8, H = 32 1.7× slower); else one. Near-equal rows,
 * the larger first.
 */
export function shardPlan(B: number, work: number): Shard[] {
  const count = B >= 2 * SHARD_ROWS ? Math.min(MAX_SHARDS, Math.floor(B / SHARD_ROWS)) : B >= 2 * MIN_SHARD_ROWS && work >= SPLIT_MIN_WORK ? 2 : 1;
  const base = Math.floor(B / count);
  const extra = B % count;
  const plan: Shard[] = [];
  for (let k = 0, start = 0; k < count; k++) {
    const rows = base + (k < extra ? 1 : 0);
    plan.push({ start, rows });
    start += rows;
  }
  return plan;
}

/**
 * From this size of T·B·H·(I + H) (a recurrent layer's multiply-adds per gate block, each way) on,
 * a layer with threads splits its weight phase over them, and cuts a batch of fewer than
 * 2·SHARD_ROWS sequences into two shards: below it, waking a thread costs more than the work it
 * would take over.
 */
export const SPLIT_MIN_WORK = 1 << 19;
