// The module's exports and the one way to reach them. Only src/kernels/ (and
// the engine itself) may import this file: the dependency rules enforce it, and
// test/exports.test.ts checks the interface against both compiled binaries.

/** The module's exports: flat functions over pointers (byte offsets) and sizes, and the codes as i32 globals. */
export interface WasmExports {
  memory: WebAssembly.Memory;
  // Codes (assembly/gemm.ts, cells.ts, lanes.ts, rnn.ts, lstm.ts, gru.ts); src/kernels/codes.ts mirrors their values.
  GEMM_NO_TRANS: WebAssembly.Global;
  GEMM_TRANS: WebAssembly.Global;
  BACKWARD_STEPS: WebAssembly.Global;
  BACKWARD_WEIGHTS: WebAssembly.Global;
  GATE_SIGMOID: WebAssembly.Global;
  GATE_HARD_SIGMOID: WebAssembly.Global;
  RNN_TANH: WebAssembly.Global;
  RNN_RELU: WebAssembly.Global;
  RNN_SIGMOID: WebAssembly.Global;
  RNN_ELMAN: WebAssembly.Global;
  RNN_LINEAR: WebAssembly.Global;
  RNN_RESIDUAL: WebAssembly.Global;
  RNN_DIAGONAL: WebAssembly.Global;
  LSTM_STANDARD: WebAssembly.Global;
  LSTM_PEEPHOLE: WebAssembly.Global;
  LSTM_COUPLED: WebAssembly.Global;
  LSTM_NO_FORGET: WebAssembly.Global;
  GRU_RESET_AFTER: WebAssembly.Global;
  GRU_RESET_BEFORE: WebAssembly.Global;
  alloc(bytes: number): number;
  free(ptr: number): void;
  gemm_work_floats(): number;
  gemm_f32(
    c: number, a: number, b: number, work: number,
    m: number, n: number, k: number, lda: number, ldb: number, ldc: number,
    transA: number, transB: number, alpha: number, beta: number,
  ): void;
  gemm_packed_b_floats(k: number, n: number): number;
  gemm_pack_b(dst: number, b: number, ldb: number, transB: number, k: number, n: number): void;
  gemm_packed_b_f32(
    c: number, a: number, packedB: number, work: number,
    m: number, n: number, k: number, lda: number, ldc: number, transA: number, alpha: number, beta: number,
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
  rnn_forward_f32(hAll: number, act: number, packed: number, x: number, mask: number, wIh: number, wHh: number, bias: number, work: number, T: number, B: number, I: number, H: number, kind: number, variant: number): void;
  rnn_backward_f32(
    dX: number, dWIh: number, dWHh: number, dBias: number, dh: number, dZ: number, packed: number, dhCarry: number,
    dOutput: number, hAll: number, act: number, x: number, mask: number, wIh: number, wHh: number, work: number,
    T: number, B: number, I: number, H: number, kind: number, variant: number, phase: number, part: number, parts: number,
  ): void;
  lstm_forward_f32(
    gates: number, hAll: number, cAll: number, tanhC: number, packed: number,
    x: number, mask: number, wIh: number, wHh: number, bias: number, peepI: number, peepF: number, peepO: number, work: number,
    T: number, B: number, I: number, H: number, variant: number, kind: number,
  ): void;
  lstm_backward_f32(
    dX: number, dWIh: number, dWHh: number, dBias: number, dPeepI: number, dPeepF: number, dPeepO: number,
    dh: number, dc: number, dZ: number, packed: number, dhCarry: number,
    dOutput: number, gates: number, hAll: number, cAll: number, tanhC: number,
    x: number, mask: number, wIh: number, wHh: number, peepI: number, peepF: number, peepO: number, work: number,
    T: number, B: number, I: number, H: number, variant: number, kind: number, phase: number, part: number, parts: number,
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
    T: number, B: number, I: number, H: number, variant: number, kind: number, phase: number, part: number, parts: number,
  ): void;
  concat_rows_f32(dst: number, left: number, right: number, rows: number, a: number, b: number): void;
  split_rows_f32(left: number, right: number, src: number, rows: number, a: number, b: number): void;
  add_scaled_f32(dst: number, left: number, right: number, n: number, scale: number): void;
  dropout_f32(out: number, mask: number, x: number, n: number, rate: number, seed: number): void;
  multiply_f32(dst: number, a: number, b: number, n: number): void;
  narx_taps_f32(
    row: number, xs: number, history: number, delays: number,
    step: number, B: number, I: number, O: number, nx: number, ny: number, xLead: number, yLead: number,
  ): void;
  narx_taps_backward_f32(dOut: number, dRow: number, delays: number, step: number, B: number, I: number, O: number, nx: number, ny: number): void;
  dropout_mask_f32(mask: number, n: number, rate: number, seed: number): void;
  multiply_rows_f32(dst: number, x: number, m: number, rows: number, n: number): void;
  // Normalizations (assembly/norm.ts).
  layer_norm_forward_f32(y: number, xhat: number, rstd: number, x: number, gamma: number, beta: number, rows: number, C: number, epsilon: number): void;
  layer_norm_backward_f32(dX: number, dGamma: number, dBeta: number, dY: number, xhat: number, rstd: number, gamma: number, rows: number, C: number): void;
  weight_norm_forward_f32(w: number, norm: number, v: number, g: number, R: number, F: number): void;
  weight_norm_backward_f32(dV: number, dG: number, dW: number, v: number, g: number, norm: number, R: number, F: number): void;
  esn_block_steps(): number;
  esn_collect(
    states: number, outputs: number, xtx: number, xty: number, zblk: number, dblk: number,
    rlsP: number, zvec: number, pz: number, state: number, feedback: number, pre: number, ynext: number,
    u: number, teacher: number, targets: number, noise: number,
    wIn: number, wBack: number, bias: number, wVal: number, wCol: number, wRow: number, wDense: number, wOut: number,
    T: number, N: number, I: number, O: number, washout: number, leak: number, dense: number, outTanh: number, fbOn: number, forget: number,
    feats: number, linear: number,
  ): void;
  esn_generate(
    outputs: number, state: number, feedback: number, pre: number, noise: number,
    wIn: number, wBack: number, bias: number, wVal: number, wCol: number, wRow: number, wDense: number, wOut: number,
    S: number, N: number, I: number, O: number, leak: number, dense: number, outTanh: number, fbOn: number, feats: number, linear: number,
  ): void;
  esn_ridge_solve(wOut: number, work: number, tmp: number, perm: number, xtx: number, xty: number, F: number, O: number, ridge: number, free: number): number;
  esn_pinv_solve(wOut: number, work: number, tmp: number, perm: number, xtx: number, xty: number, F: number, O: number): number;
  esn_flush_rows(xtx: number, xty: number, zblk: number, dblk: number, F: number, O: number, rowStart: number, rowEnd: number): void;
  ar_gram_f64(xtx: number, xty: number, z: number, y: number, exog: number, start: number, n: number, p: number, E: number, h: number, c: number): void;
  ar_ssr_f64(resid: number, z: number, y: number, exog: number, w: number, start: number, n: number, p: number, E: number, h: number, c: number): number;
  ar_forecast_f64(
    out: number, path: number, z: number, y: number, exog: number, w: number, first: number, origins: number, steps: number, p: number, E: number, h: number, c: number,
  ): void;
  // Hopfield network (assembly/energy.ts), f64; order is i32.
  hopfield_hebbian_f64(w: number, xi: number, N: number, scale: number): void;
  hopfield_storkey_f64(w: number, h: number, xi: number, N: number, scale: number): void;
  hopfield_gram_f64(g: number, xi: number, P: number, N: number): void;
  hopfield_project_f64(w: number, b: number, xi: number, N: number, P: number): void;
  hopfield_update_f64(s: number, w: number, order: number, count: number, N: number, theta: number, binary: number): number;
  hopfield_sync_f64(next: number, s: number, prev: number, w: number, N: number, theta: number, binary: number): number;
  hopfield_energy_f64(s: number, w: number, N: number, theta: number): number;
  // Boltzmann machine (assembly/boltzmann.ts), f64; clamp is i32 or 0, stats/mask/clamped/free may be 0.
  boltzmann_gibbs_f64(
    states: number, stats: number, w: number, b: number, clamp: number, C: number, N: number, sweeps: number, invT: number, scale: number, seed: number,
  ): void;
  boltzmann_learn_f64(w: number, b: number, clamped: number, free: number, mask: number, N: number, rate: number, decay: number): void;
  boltzmann_energy_f64(s: number, w: number, b: number, N: number): number;
  boltzmann_exact_f64(logp: number, p: number, clamped: number, free: number, q: number, w: number, b: number, V: number, H: number): number;
  boltzmann_kl_f64(q: number, logp: number, n: number): number;
  sample_bernoulli_f32(out: number, p: number, n: number, seed: number): void;
  sample_gaussian_f32(out: number, mean: number, n: number, std: number, seed: number): void;
  mask_noise_f32(out: number, x: number, n: number, level: number, seed: number): void;
  // Deep Boltzmann machine (assembly/dbm.ts); 0 for a missing neighbour or old.
  dbm_conditional_f32(
    out: number, old: number, below: number, wBelow: number, above: number, wAbove: number, bias: number, work: number,
    B: number, nb: number, n: number, na: number, scaleBelow: number, scaleAbove: number, seed: number, sample: number,
  ): number;
  dbm_weight_update_f32(w: number, a: number, b: number, aModel: number, bModel: number, work: number, B: number, M: number, na: number, nb: number, rate: number): void;
  dbm_bias_update_f32(bias: number, data: number, model: number, B: number, M: number, n: number, rate: number): void;
  dbm_log_partition_f64(w1: number, w2: number, bv: number, b1: number, b2: number, nv: number, n1: number, n2: number): number;
  dbm_bound_terms_f64(
    v: number, mu1: number, mu2: number, w1: number, w2: number, bv: number, b1: number, b2: number, B: number, nv: number, n1: number, n2: number,
  ): number;
  ctc_work_f64(T: number, C: number, maxL: number): number;
  ctc_loss_f32(dLogits: number, losses: number, logits: number, labels: number, labelLengths: number, inputLengths: number, scales: number, work: number, T: number, B: number, C: number, maxL: number, blank: number): void;
  ctc_greedy_f32(decoded: number, decodedLengths: number, logits: number, inputLengths: number, T: number, B: number, C: number, blank: number): void;
  ctc_beam_work_floats(T: number, C: number, W: number): number;
  ctc_beam_f32(
    decoded: number, decodedLengths: number, logProbs: number, found: number, logits: number, inputLengths: number, work: number,
    T: number, B: number, C: number, blank: number, W: number, n: number,
  ): void;
  // Restricted Boltzmann machine (assembly/rbm.ts): params f32 [V·H + V + H] = W | b | a; f64 outputs where named.
  rbm_hidden_f32(ph: number, v: number, params: number, work: number, N: number, V: number, H: number): void;
  rbm_visible_f32(mv: number, h: number, params: number, work: number, N: number, V: number, H: number, gaussian: number): void;
  rbm_reconstruct_f32(mv: number, ph: number, v: number, params: number, work: number, N: number, V: number, H: number, gaussian: number): number;
  rbm_gibbs_f32(v: number, mv: number, ph: number, params: number, work: number, N: number, V: number, H: number, steps: number, gaussian: number, seed: number): void;
  rbm_cd_scratch_floats(B: number, V: number, H: number): number;
  rbm_cd_step_f32(
    params: number, velocity: number, chain: number, q: number, scratch: number, work: number, v0: number,
    B: number, V: number, H: number, k: number, mode: number, gaussian: number,
    learningRate: number, momentum: number, weightDecay: number, sparsityTarget: number, sparsityCost: number, seed: number,
  ): number;
  rbm_free_energy_f64(out: number, pre: number, v: number, params: number, N: number, V: number, H: number, gaussian: number): void;
  rbm_pseudo_likelihood_f64(out: number, pre: number, v: number, params: number, N: number, V: number, H: number, seed: number): void;
  rbm_log_partition_f64(x: number, params: number, V: number, H: number, enumerateVisible: number, gaussian: number): number;
  rbm_ais_f64(
    logw: number, v: number, hs: number, pre: number, params: number, bA: number, betas: number, M: number, V: number, H: number, K: number, seed: number,
  ): void;
  // Autoencoders (assembly/autoencoder.ts); dH may be 0 (value only).
  kl_sparsity_f32(dH: number, h: number, rows: number, units: number, rho: number, beta: number): number;
  // Threads (assembly/threads.ts): shard rows in and out, per-instance scratch.
  copy_rows_f32(dst: number, src: number, rows: number, length: number, dstStride: number, srcStride: number): void;
  thread_scratch_floats(): number;
  thread_init(scratch: number): void;
  // Splitting over threads (src/kernels/split.ts): a block of columns' sums; im2col and col2im (channels c0 … c0 + cn − 1 of group g).
  sum_rows_into_strided_f32(dst: number, src: number, rows: number, cols: number, ld: number): void;
  conv2d_im2col_f32(
    cols: number, x: number, g: number, N: number, H: number, W: number, Cin: number, OH: number, OW: number, KH: number, KW: number,
    strideH: number, strideW: number, dilationH: number, dilationW: number, padTop: number, padLeft: number, groups: number,
  ): void;
  conv2d_col2im_f32(
    dX: number, dCols: number, g: number, c0: number, cn: number, N: number, H: number, W: number, Cin: number, OH: number, OW: number,
    KH: number, KW: number, strideH: number, strideW: number, dilationH: number, dilationW: number, padTop: number, padLeft: number, groups: number,
  ): void;
  // Training kernels (assembly/loss.ts, optim.ts, dense.ts, sequence.ts). labels and ids are i32 arrays; mask is f32 or 0.
  log_softmax_f64(out: number, scratch: number, logits: number, rows: number, classes: number): void;
  attention_forward_f32(context: number, weights: number, query: number, key: number, value: number, mask: number, work: number, B: number, Tq: number, Tv: number, D: number, Dv: number, scale: number): void;
  attention_backward_f32(dQuery: number, dKey: number, dValue: number, dS: number, dContext: number, weights: number, query: number, key: number, value: number, work: number, B: number, Tq: number, Tv: number, D: number, Dv: number, scale: number): void;
  additive_scores_f32(scores: number, query: number, key: number, scale: number, B: number, Tq: number, Tv: number, D: number): void;
  additive_scores_backward_f32(dQuery: number, dKey: number, dScale: number, dScores: number, query: number, key: number, scale: number, B: number, Tq: number, Tv: number, D: number): void;
  attention_softmax_context_f32(context: number, weights: number, value: number, mask: number, work: number, B: number, Tq: number, Tv: number, Dv: number): void;
  attention_softmax_context_backward_f32(dScores: number, dValue: number, dContext: number, weights: number, value: number, work: number, B: number, Tq: number, Tv: number, Dv: number): void;
  softmax_f32(out: number, logits: number, rows: number, classes: number): void;
  softmax_temperature_f32(out: number, logits: number, rows: number, classes: number, invTemperature: number): void;
  softmax_backward_f32(dLogits: number, probs: number, dProbs: number, rows: number, classes: number): void;
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
  last_steps_f32(dst: number, src: number, mask: number, T: number, B: number, F: number): void;
  last_steps_backward_f32(dSrc: number, dDst: number, mask: number, T: number, B: number, F: number): void;
  // Convolution (assembly/conv.ts): 2-D channels-last by im2col + GEMM; conv2d_work_floats returns f64.
  conv2d_work_floats(N: number, OH: number, OW: number, KH: number, KW: number, Cin: number, groups: number): number;
  conv2d_forward_f32(
    y: number, cols: number, x: number, w: number, bias: number, work: number,
    N: number, H: number, W: number, Cin: number, OH: number, OW: number, Cout: number, KH: number, KW: number,
    strideH: number, strideW: number, dilationH: number, dilationW: number, padTop: number, padLeft: number, groups: number,
  ): void;
  conv2d_backward_f32(
    dX: number, dW: number, dBias: number, cols: number, dY: number, x: number, w: number, work: number,
    N: number, H: number, W: number, Cin: number, OH: number, OW: number, Cout: number, KH: number, KW: number,
    strideH: number, strideW: number, dilationH: number, dilationW: number, padTop: number, padLeft: number, groups: number,
  ): void;
  // Pooling (assembly/pool.ts): channels-last x [N, H, W, C]; argmax is an i32 array.
  max_pool_forward_f32(
    y: number, argmax: number, x: number, N: number, H: number, W: number, C: number, OH: number, OW: number,
    poolH: number, poolW: number, strideH: number, strideW: number, padTop: number, padLeft: number,
  ): void;
  max_pool_backward_f32(dX: number, dY: number, argmax: number, count: number): void;
  avg_pool_forward_f32(
    y: number, x: number, N: number, H: number, W: number, C: number, OH: number, OW: number,
    poolH: number, poolW: number, strideH: number, strideW: number, padTop: number, padLeft: number,
  ): void;
  avg_pool_backward_f32(
    dX: number, dY: number, N: number, H: number, W: number, C: number, OH: number, OW: number,
    poolH: number, poolW: number, strideH: number, strideW: number, padTop: number, padLeft: number,
  ): void;
  global_avg_pool_forward_f32(y: number, x: number, N: number, S: number, C: number): void;
  global_avg_pool_backward_f32(dX: number, dY: number, N: number, S: number, C: number): void;
  global_max_pool_forward_f32(y: number, argmax: number, x: number, N: number, S: number, C: number): void;
  // Attention inside EncoderDecoder (assembly/attention.ts, time-major); mask may be 0.
  seq_dot_scores_f32(scores: number, query: number, key: number, work: number, B: number, Tq: number, Tv: number, D: number, ldW: number): void;
  seq_dot_scores_backward_f32(dQuery: number, dKey: number, dScores: number, query: number, key: number, work: number, B: number, Tq: number, Tv: number, D: number, ldW: number): void;
  seq_attend_f32(context: number, weights: number, value: number, mask: number, work: number, B: number, Tq: number, Tv: number, Dv: number, ldW: number): void;
  seq_attend_backward_f32(dScores: number, dValue: number, dContext: number, weights: number, value: number, work: number, B: number, Tq: number, Tv: number, Dv: number, ldW: number): void;
  seq_additive_scores_f32(scores: number, hidden: number, query: number, keys: number, v: number, B: number, Tv: number, A: number, ldW: number): void;
  seq_additive_scores_backward_f32(dQuery: number, dKeys: number, dV: number, dScores: number, hidden: number, v: number, B: number, Tv: number, A: number, ldW: number): void;
}

/**
 * Every function export with its arity, and every global: what test/exports.test.ts checks
 * against both compiled binaries. The type checks below tie this table to WasmExports, so
 * the interface, the table and the binaries cannot drift apart.
 */
export const EXPORTED_FUNCTIONS = {
  alloc: 1, free: 1,
  gemm_work_floats: 0, gemm_f32: 14, gemm_packed_b_floats: 2, gemm_pack_b: 6, gemm_packed_b_f32: 12,
  exp_f32: 3, sigmoid_f32: 3, tanh_f32: 3, relu_f32: 3, sigmoid_backward_f32: 4, tanh_backward_f32: 4, relu_backward_f32: 4,
  rnn_packed_floats: 1, rnn_forward_f32: 15, rnn_backward_f32: 25,
  lstm_packed_floats: 2, lstm_forward_f32: 20, lstm_backward_f32: 34,
  gru_packed_floats: 2, gru_forward_f32: 18, gru_backward_f32: 29,
  concat_rows_f32: 6, split_rows_f32: 6, add_scaled_f32: 5, dropout_f32: 6, multiply_f32: 4, dropout_mask_f32: 4, multiply_rows_f32: 5,
  layer_norm_forward_f32: 9, layer_norm_backward_f32: 9, weight_norm_forward_f32: 6, weight_norm_backward_f32: 8,
  narx_taps_f32: 12, narx_taps_backward_f32: 9,
  esn_block_steps: 0, esn_collect: 37, esn_generate: 23, esn_ridge_solve: 10, esn_pinv_solve: 8, esn_flush_rows: 8,
  ar_gram_f64: 11, ar_ssr_f64: 11, ar_forecast_f64: 13,
  hopfield_hebbian_f64: 4, hopfield_storkey_f64: 5, hopfield_gram_f64: 4, hopfield_project_f64: 5,
  hopfield_update_f64: 7, hopfield_sync_f64: 7, hopfield_energy_f64: 4,
  boltzmann_gibbs_f64: 11, boltzmann_learn_f64: 8, boltzmann_energy_f64: 4, boltzmann_exact_f64: 9, boltzmann_kl_f64: 3,
  sample_bernoulli_f32: 4, sample_gaussian_f32: 5, mask_noise_f32: 5,
  dbm_conditional_f32: 16, dbm_weight_update_f32: 11, dbm_bias_update_f32: 7, dbm_log_partition_f64: 8, dbm_bound_terms_f64: 12,
  ctc_work_f64: 3, ctc_loss_f32: 13, ctc_greedy_f32: 8,
  ctc_beam_work_floats: 3, ctc_beam_f32: 13,
  rbm_hidden_f32: 7, rbm_visible_f32: 8, rbm_reconstruct_f32: 9, rbm_gibbs_f32: 11, rbm_cd_scratch_floats: 3, rbm_cd_step_f32: 19,
  rbm_free_energy_f64: 8, rbm_pseudo_likelihood_f64: 8, rbm_log_partition_f64: 6, rbm_ais_f64: 12,
  attention_forward_f32: 13, attention_backward_f32: 16,
  additive_scores_f32: 8, additive_scores_backward_f32: 11, attention_softmax_context_f32: 9, attention_softmax_context_backward_f32: 10,
  log_softmax_f64: 5, softmax_f32: 4, softmax_temperature_f32: 5, softmax_backward_f32: 5, softmax_xent_f32: 8, mse_f32: 7,
  sgd_step_f32: 8, adam_step_f32: 12, rmsprop_step_f32: 8, sum_squares_f32: 2, scale_f32: 3, clip_values_f32: 3,
  add_bias_rows_f32: 4, sum_rows_into_f32: 4, embedding_forward_f32: 5, embedding_backward_f32: 5,
  reverse_time_f32: 4, reverse_time_masked_f32: 6, last_steps_f32: 6, last_steps_backward_f32: 6,
  conv2d_work_floats: 7, conv2d_forward_f32: 22, conv2d_backward_f32: 24,
  max_pool_forward_f32: 15, max_pool_backward_f32: 4, avg_pool_forward_f32: 14, avg_pool_backward_f32: 14,
  global_avg_pool_forward_f32: 5, global_avg_pool_backward_f32: 5, global_max_pool_forward_f32: 6,
  kl_sparsity_f32: 6,
  copy_rows_f32: 6, thread_scratch_floats: 0, thread_init: 1,
  sum_rows_into_strided_f32: 5, conv2d_im2col_f32: 18, conv2d_col2im_f32: 20,
  seq_dot_scores_f32: 9, seq_dot_scores_backward_f32: 11, seq_attend_f32: 10, seq_attend_backward_f32: 11,
  seq_additive_scores_f32: 9, seq_additive_scores_backward_f32: 10,
} as const;

export const EXPORTED_GLOBALS = [
  'GEMM_NO_TRANS', 'GEMM_TRANS', 'BACKWARD_STEPS', 'BACKWARD_WEIGHTS', 'GATE_SIGMOID', 'GATE_HARD_SIGMOID', 'RNN_TANH', 'RNN_RELU', 'RNN_SIGMOID', 'RNN_ELMAN', 'RNN_LINEAR', 'RNN_RESIDUAL', 'RNN_DIAGONAL',
  'LSTM_STANDARD', 'LSTM_PEEPHOLE', 'LSTM_COUPLED', 'LSTM_NO_FORGET', 'GRU_RESET_AFTER', 'GRU_RESET_BEFORE',
] as const;

// ---- compile-time ties between WasmExports and the tables ----
type FunctionName = { [K in keyof WasmExports]: WasmExports[K] extends (...args: never[]) => unknown ? K : never }[keyof WasmExports];
type GlobalName = { [K in keyof WasmExports]: WasmExports[K] extends WebAssembly.Global ? K : never }[keyof WasmExports];
type InterfaceArities = { [K in FunctionName]: WasmExports[K] extends (...args: infer P) => unknown ? P['length'] : never };
type TableArities = { -readonly [K in keyof typeof EXPORTED_FUNCTIONS]: (typeof EXPORTED_FUNCTIONS)[K] };
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
/** Fails to compile when a function is missing from either side or its parameter count differs. */
const functionsMatch: Same<InterfaceArities, TableArities> = true;
/** Fails to compile when a global is missing from either side. */
const globalsMatch: Same<GlobalName, (typeof EXPORTED_GLOBALS)[number]> = true;
void functionsMatch;
void globalsMatch;

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
