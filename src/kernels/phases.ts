// The phases of a recurrent backward (assembly/cells.ts BACKWARD_STEPS, BACKWARD_WEIGHTS): 'all' is
// the whole BPTT; 'steps' only the T steps backward (dZ and the state gradients: what a batch shard
// runs on its own rows); 'weights' only the weight and bias gradients and dX from a dZ of every row.
export type BackwardPhase = 'all' | 'steps' | 'weights';

export const BACKWARD_EXPORT = {
  all: { rnn: 'rnn_backward_f32', lstm: 'lstm_backward_f32', gru: 'gru_backward_f32' },
  steps: { rnn: 'rnn_backward_steps_f32', lstm: 'lstm_backward_steps_f32', gru: 'gru_backward_steps_f32' },
  weights: { rnn: 'rnn_backward_weights_f32', lstm: 'lstm_backward_weights_f32', gru: 'gru_backward_weights_f32' },
} as const;

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
