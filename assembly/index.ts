// rnn-wasm: the one WebAssembly module. Flat exports over pointers and sizes;
// no managed objects cross the boundary. Built twice from this source: with
// SIMD (ASC_FEATURE_SIMD) and scalar. Both builds sum in the same order, so
// their results are bit-identical.
export { alloc, free } from "./memory";
export { gemm_f32, gemm_work_floats, gemm_pack_b, gemm_packed_b_f32, gemm_packed_b_floats } from "./gemm";
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
export { esn_block_steps, esn_collect, esn_generate, esn_ridge_solve } from "./esn";
export { fillRows as fill_rows_f32, addColumnSums as add_column_sums_f32 } from "./cells";
export { concat_rows_f32, split_rows_f32, add_scaled_f32 } from "./model";
