// The recurrent workloads every cell benchmark runs (issue: W1–W5), shared by
// bench/cells.ts (rnn-wasm and the JS baseline) and bench/peers.ts (TF.js, brain.js).

export interface CellWorkload {
  id: string;
  name: string;
  cell: 'LSTM' | 'GRU';
  /** 'inference' = forward only; 'train' = forward + backward + one SGD step. */
  mode: 'inference' | 'train';
  B: number;
  T: number;
  I: number;
  H: number;
}

export const CELL_WORKLOADS: CellWorkload[] = [
  { id: 'W1', name: 'W1 LSTM inference B=32 T=64 I=32 H=128', cell: 'LSTM', mode: 'inference', B: 32, T: 64, I: 32, H: 128 },
  { id: 'W2', name: 'W2 LSTM train step B=32 T=64 I=32 H=128', cell: 'LSTM', mode: 'train', B: 32, T: 64, I: 32, H: 128 },
  { id: 'W3i', name: 'W3 GRU inference B=32 T=64 I=32 H=128', cell: 'GRU', mode: 'inference', B: 32, T: 64, I: 32, H: 128 },
  { id: 'W3t', name: 'W3 GRU train step B=32 T=64 I=32 H=128', cell: 'GRU', mode: 'train', B: 32, T: 64, I: 32, H: 128 },
  { id: 'W4', name: 'W4 LSTM inference B=1 T=32 I=8 H=32', cell: 'LSTM', mode: 'inference', B: 1, T: 32, I: 8, H: 32 },
  { id: 'W5', name: 'W5 LSTM train step B=64 T=128 I=64 H=256', cell: 'LSTM', mode: 'train', B: 64, T: 128, I: 64, H: 256 },
];

/** 2·G·H·(I+H) flops per sample-step forward; backward counts twice that. */
export function cellFlops(w: CellWorkload): number {
  const G = w.cell === 'LSTM' ? 4 : 3;
  const forward = 2 * G * w.H * (w.I + w.H) * w.B * w.T;
  return w.mode === 'inference' ? forward : 3 * forward;
}

export interface BenchRow {
  workload: string;
  impl: string;
  medianMs: number;
  gflops: number;
}
