// rnn-wasm: the one WebAssembly module. Flat exports over pointers and sizes;
// no managed objects cross the boundary. Built twice from this source: with
// SIMD (ASC_FEATURE_SIMD) and scalar. Both builds sum in the same order, so
// their results are bit-identical.
export { alloc, free } from "./memory";
export { gemm_f32, gemm_work_floats, gemm_pack_b, gemm_packed_b_f32, gemm_packed_b_floats } from "./gemm";
// Codes that cross the boundary, exported as immutable i32 globals so TypeScript can check
// its copies (src/kernels/codes.ts) against the module (test/exports.test.ts).
export { NO_TRANS as GEMM_NO_TRANS, TRANS as GEMM_TRANS } from "./gemm";
export { BACKWARD_STEPS, BACKWARD_WEIGHTS } from "./cells";
export { GATE_SIGMOID, GATE_HARD_SIGMOID } from "./lanes";
export { RNN_TANH, RNN_RELU, RNN_SIGMOID, RNN_ELMAN, RNN_LINEAR, RNN_RESIDUAL, RNN_DIAGONAL } from "./rnn";
export { LSTM_STANDARD, LSTM_PEEPHOLE, LSTM_COUPLED, LSTM_NO_FORGET } from "./lstm";
export { GRU_RESET_AFTER, GRU_RESET_BEFORE } from "./gru";
export {
  exp_f32,
  sigmoid_f32,
  tanh_f32,
  relu_f32,
  sigmoid_backward_f32,
  tanh_backward_f32,
  relu_backward_f32,
} from "./activations";
export { rnn_forward_f32, rnn_backward_f32, rnn_packed_floats } from "./rnn";
export { lstm_forward_f32, lstm_backward_f32, lstm_packed_floats } from "./lstm";
export { gru_forward_f32, gru_backward_f32, gru_packed_floats } from "./gru";
export { esn_block_steps, esn_collect, esn_flush_rows, esn_generate, esn_pinv_solve, esn_ridge_solve } from "./esn";
// AR / ARX (assembly/ar.ts): the lagged design's normal equations, residuals, iterated forecasts (f64).
export { ar_gram_f64, ar_ssr_f64, ar_forecast_f64 } from "./ar";
export { log_softmax_f64, softmax_f32, softmax_temperature_f32, softmax_backward_f32, softmax_xent_f32, mse_f32 } from "./loss";
export { sgd_step_f32, adam_step_f32, rmsprop_step_f32, sum_squares_f32, scale_f32, clip_values_f32 } from "./optim";
export { add_bias_rows_f32, sum_rows_into_f32, embedding_forward_f32, embedding_backward_f32 } from "./dense";
export { reverse_time_f32, reverse_time_masked_f32, last_steps_f32, last_steps_backward_f32 } from "./sequence";
// Counter-based sampling (assembly/random.ts): Bernoulli, Gaussian and masking noise from (seed, i).
export { sample_bernoulli_f32, sample_gaussian_f32, mask_noise_f32 } from "./random";
// CTC (assembly/ctc.ts): the loss and its gradient by forward–backward in log space (f64), best-path decoding.
export { ctc_work_f64, ctc_loss_f32, ctc_greedy_f32 } from "./ctc";
// CTC prefix beam search (assembly/ctc.ts): the n best labellings per sequence, in log space (f64).
export { ctc_beam_work_floats, ctc_beam_f32 } from "./ctc";
// Dot-product attention (assembly/attention.ts): scores, masked softmax, weighted sum, and their backward.
export { attention_forward_f32, attention_backward_f32 } from "./attention";
// Additive attention (assembly/attention.ts): Σ scale⊙tanh(q + k) scores and their backward; softmax and context from given scores.
export { additive_scores_f32, additive_scores_backward_f32, attention_softmax_context_f32, attention_softmax_context_backward_f32 } from "./attention";
export { concat_rows_f32, split_rows_f32, add_scaled_f32, dropout_f32, multiply_f32, dropout_mask_f32, multiply_rows_f32 } from "./model";
// Normalizations of a TCN block (assembly/norm.ts): layer norm over channels, weight norm per filter.
export { layer_norm_forward_f32, layer_norm_backward_f32, weight_norm_forward_f32, weight_norm_backward_f32 } from "./norm";
// NARX tapped delay lines (assembly/narx.ts): one regressor row per closed-loop step, and its gradient.
export { narx_taps_f32, narx_taps_backward_f32 } from "./narx";
// Convolution (assembly/conv.ts): 2-D, channels-last, im2col + GEMM; 1-D is H = 1.
export { conv2d_work_floats, conv2d_forward_f32, conv2d_backward_f32 } from "./conv";
// Pooling (assembly/pool.ts): max (with arg-max), average, global; channels-last.
export {
  max_pool_forward_f32,
  max_pool_backward_f32,
  avg_pool_forward_f32,
  avg_pool_backward_f32,
  global_avg_pool_forward_f32,
  global_avg_pool_backward_f32,
  global_max_pool_forward_f32,
} from "./pool";
// Energy-based models (assembly/energy.ts): Hopfield learning rules, updates and energy (f64).
export {
  hopfield_hebbian_f64,
  hopfield_storkey_f64,
  hopfield_gram_f64,
  hopfield_project_f64,
  hopfield_update_f64,
  hopfield_sync_f64,
  hopfield_energy_f64,
} from "./energy";
// Boltzmann machine (assembly/boltzmann.ts): Gibbs sweeps with statistics, learning, energy, exact enumeration (f64).
export { boltzmann_gibbs_f64, boltzmann_learn_f64, boltzmann_energy_f64, boltzmann_exact_f64, boltzmann_kl_f64 } from "./boltzmann";
// Restricted Boltzmann machine (assembly/rbm.ts): CD/PCD steps, conditionals, Gibbs (f32); free energy, pseudo-likelihood, log Z, AIS (f64).
export {
  rbm_hidden_f32,
  rbm_visible_f32,
  rbm_reconstruct_f32,
  rbm_gibbs_f32,
  rbm_cd_scratch_floats,
  rbm_cd_step_f32,
  rbm_free_energy_f64,
  rbm_pseudo_likelihood_f64,
  rbm_log_partition_f64,
  rbm_ais_f64,
} from "./rbm";
// Deep Boltzmann machine (assembly/dbm.ts): a layer's conditional given its neighbours, the
// stochastic-approximation updates, exact log Z over h1 and the mean-field bound's terms.
export { dbm_conditional_f32, dbm_weight_update_f32, dbm_bias_update_f32, dbm_log_partition_f64, dbm_bound_terms_f64 } from "./dbm";
// Autoencoders (assembly/autoencoder.ts): the KL sparsity penalty and its gradient.
export { kl_sparsity_f32 } from "./autoencoder";
// Threads (assembly/threads.ts): shard gathers/scatters, per-instance scratch.
export { copy_rows_f32, thread_scratch_floats, thread_init } from "./threads";
// Attention inside EncoderDecoder (assembly/attention.ts, time-major): dot and additive (Bahdanau) scores, masked softmax with the weighted sum, and their backward.
export { seq_dot_scores_f32, seq_dot_scores_backward_f32, seq_attend_f32, seq_attend_backward_f32, seq_additive_scores_f32, seq_additive_scores_backward_f32 } from "./attention";
// Splitting over threads (src/kernels/split.ts): a block of bias-gradient columns; the convolution's im2col and col2im alone.
export { sum_rows_into_strided_f32 } from "./dense";
export { conv2d_im2col_f32, conv2d_col2im_f32 } from "./conv";
