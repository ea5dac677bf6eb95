// The batch-shard plan of a layer: which rows of a batch of B sequences each shard takes. It
// depends only on B, never on the thread count, so a layer computes the same shards (and sums the
// shards' gradients in the same order) whether one thread runs them all or several share them:
// the results are bit-identical for every thread count.

/** Rows a shard aims at: fewer rows per GEMM cost more than a second thread gains. */
export const SHARD_ROWS = 16;
/** At most this many shards (each has its own workspace and gradient block). */
export const MAX_SHARDS = 16;

export interface Shard {
  /** First row (sequence) of the batch. */
  start: number;
  rows: number;
}

/** Batches below 2·SHARD_ROWS are one shard; larger ones ⌊B / SHARD_ROWS⌋ shards (at most MAX_SHARDS) of near-equal rows, the larger first. */
export function shardPlan(B: number): Shard[] {
  const count = B < 2 * SHARD_ROWS ? 1 : Math.min(MAX_SHARDS, Math.floor(B / SHARD_ROWS));
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
 * From this size of T·B·H·(I + H) (the multiply-adds of the weight phase per gate block) on, a
 * recurrent layer with threads splits its weight phase over them: below it, waking a thread costs
 * more than the products it would take over.
 */
export const WEIGHT_SPLIT_MIN = 1 << 19;
