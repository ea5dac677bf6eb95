// The phases of a recurrent backward (the `phase` code of rnn/lstm/gru_backward_f32, src/kernels/codes.ts
// BACKWARD_PHASE): 'all' is the whole BPTT; 'steps' only the T steps backward (dZ and the state
// gradients: what a batch shard runs on its own rows); 'weights' only the weight and bias gradients
// and dX from a dZ of every row, in one call or in parts (WeightPart).
import type { BACKWARD_PHASE } from './codes.js';

export type BackwardPhase = keyof typeof BACKWARD_PHASE;

/**
 * Which part of the weight phase a call computes: part `index` of `count`. Each part owns whole
 * columns of every weight gradient and whole rows of dX, and GEMM sums each element in the same
 * order whichever block holds it, so the results are the same bits for every count.
 */
export interface WeightPart {
  index: number;
  count: number;
}

/** All of the weight phase in one call. */
export const WHOLE: WeightPart = Object.freeze({ index: 0, count: 1 });
