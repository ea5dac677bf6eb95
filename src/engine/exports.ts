// The module's exports and the one way to reach them. Only src/kernels/ (and
// the engine itself) may import this file: the dependency rules enforce it, and
// test/exports.test.ts checks the interface against both compiled binaries.

/** The module's exports: flat functions over pointers (byte offsets) and sizes. */
export interface WasmExports {
  memory: WebAssembly.Memory;
  alloc(bytes: number): number;
  free(ptr: number): void;
  gemm_work_floats(): number;
  gemm_f32(
    c: number, a: number, b: number, work: number,
    m: number, n: number, k: number, lda: number, ldb: number, ldc: number,
    transA: number, transB: number, alpha: number, beta: number,
  ): void;
  exp_f32(y: number, x: number, n: number): void;
  sigmoid_f32(y: number, x: number, n: number): void;
  tanh_f32(y: number, x: number, n: number): void;
  relu_f32(y: number, x: number, n: number): void;
  sigmoid_backward_f32(dx: number, y: number, dy: number, n: number): void;
  tanh_backward_f32(dx: number, y: number, dy: number, n: number): void;
  relu_backward_f32(dx: number, y: number, dy: number, n: number): void;
  rnn_packed_floats(H: number): number;
  lstm_packed_floats(H: number, variant: number): number;
  gru_packed_floats(H: number, variant: number): number;
  rnn_forward_f32(hAll: number, packed: number, x: number, mask: number, wIh: number, wHh: number, bias: number, work: number, T: number, B: number, I: number, H: number, kind: number): void;
  rnn_backward_f32(
    dX: number, dWIh: number, dWHh: number, dBias: number, dh: number, dZ: number, packed: number, dhCarry: number,
    dOutput: number, hAll: number, x: number, mask: number, wIh: number, wHh: number, work: number,
    T: number, B: number, I: number, H: number, kind: number,
  ): void;
  lstm_forward_f32(
    gates: number, hAll: number, cAll: number, tanhC: number, packed: number,
    x: number, mask: number, wIh: number, wHh: number, bias: number, peep: number, work: number,
    T: number, B: number, I: number, H: number, variant: number, kind: number,
  ): void;
  lstm_backward_f32(
    dX: number, dWIh: number, dWHh: number, dBias: number, dPeep: number,
    dh: number, dc: number, dZ: number, packed: number, dhCarry: number,
    dOutput: number, gates: number, hAll: number, cAll: number, tanhC: number,
    x: number, mask: number, wIh: number, wHh: number, peep: number, work: number,
    T: number, B: number, I: number, H: number, variant: number, kind: number,
  ): void;
  gru_forward_f32(
    gates: number, hAll: number, extra: number, zh: number, packed: number,
    x: number, mask: number, wIh: number, wHh: number, bIh: number, bHh: number, work: number,
    T: number, B: number, I: number, H: number, variant: number, kind: number,
  ): void;
  gru_backward_f32(
    dX: number, dWIh: number, dWHh: number, dBIh: number, dBHh: number,
    dh: number, dZ: number, dZh: number, drh: number, packed: number, dhCarry: number,
    dOutput: number, gates: number, hAll: number, extra: number,
    x: number, mask: number, wIh: number, wHh: number, work: number,
    T: number, B: number, I: number, H: number, variant: number, kind: number,
  ): void;
  concat_rows_f32(dst: number, left: number, right: number, rows: number, a: number, b: number): void;
  split_rows_f32(left: number, right: number, src: number, rows: number, a: number, b: number): void;
  add_scaled_f32(dst: number, left: number, right: number, n: number, scale: number): void;
  dropout_f32(out: number, mask: number, x: number, n: number, rate: number, seed: number): void;
  multiply_f32(dst: number, a: number, b: number, n: number): void;
  esn_block_steps(): number;
  esn_collect(
    states: number, outputs: number, xtx: number, xty: number, zblk: number, dblk: number,
    rlsP: number, zvec: number, pz: number, state: number, feedback: number, pre: number,
    u: number, teacher: number, targets: number, noise: number,
    wIn: number, wBack: number, bias: number, wVal: number, wCol: number, wRow: number, wDense: number, wOut: number,
    T: number, N: number, I: number, O: number, washout: number, leak: number, dense: number, outTanh: number, fbOn: number, forget: number,
  ): void;
  esn_generate(
    outputs: number, state: number, feedback: number, pre: number, noise: number,
    wIn: number, wBack: number, bias: number, wVal: number, wCol: number, wRow: number, wDense: number, wOut: number,
    S: number, N: number, I: number, O: number, leak: number, dense: number, outTanh: number, fbOn: number,
  ): void;
  esn_ridge_solve(wOut: number, work: number, tmp: number, perm: number, xtx: number, xty: number, F: number, O: number, ridge: number): number;
  // Training kernels (assembly/loss.ts, optim.ts, dense.ts, sequence.ts). labels and ids are i32 arrays; mask is f32 or 0.
  softmax_f32(out: number, logits: number, rows: number, classes: number): void;
  softmax_temperature_f32(out: number, logits: number, rows: number, classes: number, invTemperature: number): void;
  softmax_xent_f32(dLogits: number, probs: number, logits: number, labels: number, mask: number, rows: number, classes: number, scale: number): number;
  mse_f32(dPred: number, pred: number, target: number, mask: number, rows: number, cols: number, scale: number): number;
  sgd_step_f32(params: number, velocity: number, grads: number, n: number, learningRate: number, momentum: number, nesterov: number, weightDecay: number): void;
  adam_step_f32(
    params: number, m: number, v: number, grads: number, n: number,
    learningRate: number, beta1: number, beta2: number, epsilon: number, step: number, weightDecay: number, decoupled: number,
  ): void;
  rmsprop_step_f32(params: number, sq: number, grads: number, n: number, learningRate: number, rho: number, epsilon: number, weightDecay: number): void;
  sum_squares_f32(x: number, n: number): number;
  scale_f32(x: number, n: number, factor: number): void;
  clip_values_f32(x: number, n: number, limit: number): void;
  add_bias_rows_f32(x: number, bias: number, rows: number, cols: number): void;
  sum_rows_into_f32(dst: number, src: number, rows: number, cols: number): void;
  embedding_forward_f32(out: number, table: number, ids: number, n: number, dim: number): void;
  embedding_backward_f32(dTable: number, dOut: number, ids: number, n: number, dim: number): void;
  reverse_time_f32(dst: number, src: number, T: number, rowFloats: number): void;
  reverse_time_masked_f32(dst: number, src: number, mask: number, T: number, B: number, F: number): void;
}

const registry = new WeakMap<object, WasmExports>();

/** @internal Called once by each Backend for its instance. */
export function registerExports(backend: object, wasm: WasmExports): void {
  registry.set(backend, wasm);
}

/** @internal The raw exports of a backend's instance: for src/kernels/ only. */
export function exportsOf(backend: object): WasmExports {
  const wasm = registry.get(backend);
  if (!wasm) throw new Error('internal: not a Backend');
  return wasm;
}
