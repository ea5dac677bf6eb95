// rnn-wasm public surface. Internals stay reachable by path for tests.
export { init } from './init.js';
export { Backend, F32Buffer, type BackendOptions } from './backend.js';
export { simdSupported } from './wasm/loader.js';
export { gemm, type GemmOptions } from './kernels/gemm.js';
export { activation, activationBackward, type Activation } from './kernels/activations.js';
export type { Operand } from './kernels/operands.js';
