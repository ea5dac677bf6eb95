// What crosses the boundary besides floats: pointers, and the integer codes that
// choose a variant inside a kernel. Each code is defined once in assembly/ as an
// exported i32 constant (a WebAssembly global of the module) and mirrored here;
// test/exports.test.ts checks every value below against the global named beside it,
// in both builds.
//
// The bindings (src/kernels/<family>.ts, one per assembly/<family>.ts) are the only
// callers of the module's exports outside src/engine/. Each is named after its export
// (lstm_forward_f32 → lstmForwardF32) and takes (backend, ptrs, sizes…, codes or
// scalars…): `ptrs` names every buffer as the assembly does, outputs first, then inputs,
// in the assembly's order. They do not validate: callers own their buffers. The public,
// validating kernels are gemm() and activation()/activationBackward().

/** A byte offset in a backend's linear memory (4-byte aligned for f32/i32 data); 0 = none. */
export type Ptr = number;

/** transA / transB of the GEMM kernels. assembly/gemm.ts NO_TRANS, TRANS (globals GEMM_NO_TRANS, GEMM_TRANS). */
export const GEMM_OP = { noTrans: 0, trans: 1 } as const;

/** The phase of a recurrent backward (a bit set). assembly/cells.ts BACKWARD_STEPS, BACKWARD_WEIGHTS; 'all' is both. */
export const BACKWARD_PHASE = { steps: 1, weights: 2, all: 3 } as const;

/** The SimpleRNN nonlinearity f. assembly/rnn.ts RNN_TANH, RNN_RELU, RNN_SIGMOID. */
export const RNN_ACTIVATION = { tanh: 0, relu: 1, sigmoid: 2 } as const;

/** The SimpleRNN recurrence. assembly/rnn.ts RNN_ELMAN, RNN_LINEAR, RNN_RESIDUAL, RNN_DIAGONAL. */
export const RNN_VARIANT = { elman: 0, linear: 1, residual: 2, diagonal: 3 } as const;

/** assembly/lstm.ts LSTM_STANDARD, LSTM_PEEPHOLE, LSTM_COUPLED, LSTM_NO_FORGET. */
export const LSTM_VARIANT = { standard: 0, peephole: 1, coupled: 2, noForget: 3 } as const;

/** assembly/gru.ts GRU_RESET_AFTER, GRU_RESET_BEFORE. */
export const GRU_VARIANT = { resetAfter: 0, resetBefore: 1 } as const;

/** The gate nonlinearity of the LSTM and GRU kernels. assembly/lanes.ts GATE_SIGMOID, GATE_HARD_SIGMOID. */
export const GATE_ACTIVATION = { sigmoid: 0, hardSigmoid: 1 } as const;

export type GemmOp = (typeof GEMM_OP)[keyof typeof GEMM_OP];
export type RnnActivationCode = (typeof RNN_ACTIVATION)[keyof typeof RNN_ACTIVATION];
export type RnnVariantCode = (typeof RNN_VARIANT)[keyof typeof RNN_VARIANT];
export type LstmVariantCode = (typeof LSTM_VARIANT)[keyof typeof LSTM_VARIANT];
export type GruVariantCode = (typeof GRU_VARIANT)[keyof typeof GRU_VARIANT];
export type GateActivationCode = (typeof GATE_ACTIVATION)[keyof typeof GATE_ACTIVATION];

/** Each code under the name of the module global it must equal (for test/exports.test.ts). */
export const CODE_GLOBALS: Readonly<Record<string, number>> = {
  GEMM_NO_TRANS: GEMM_OP.noTrans,
  GEMM_TRANS: GEMM_OP.trans,
  BACKWARD_STEPS: BACKWARD_PHASE.steps,
  BACKWARD_WEIGHTS: BACKWARD_PHASE.weights,
  RNN_TANH: RNN_ACTIVATION.tanh,
  RNN_RELU: RNN_ACTIVATION.relu,
  RNN_SIGMOID: RNN_ACTIVATION.sigmoid,
  RNN_ELMAN: RNN_VARIANT.elman,
  RNN_LINEAR: RNN_VARIANT.linear,
  RNN_RESIDUAL: RNN_VARIANT.residual,
  RNN_DIAGONAL: RNN_VARIANT.diagonal,
  LSTM_STANDARD: LSTM_VARIANT.standard,
  LSTM_PEEPHOLE: LSTM_VARIANT.peephole,
  LSTM_COUPLED: LSTM_VARIANT.coupled,
  LSTM_NO_FORGET: LSTM_VARIANT.noForget,
  GRU_RESET_AFTER: GRU_VARIANT.resetAfter,
  GRU_RESET_BEFORE: GRU_VARIANT.resetBefore,
  GATE_SIGMOID: GATE_ACTIVATION.sigmoid,
  GATE_HARD_SIGMOID: GATE_ACTIVATION.hardSigmoid,
};
