// Bindings of assembly/rnn.ts: SimpleRNN (Elman, linear, residual, diagonal) forward and BPTT backward over a
// whole batch of sequences. Thin: no validation (callers own their buffers).
// Convention: (backend, ptrs { outputs…, inputs… }, sizes…, codes…), as in assembly; 0 = no buffer.
//
// Buffers (f32, row-major, time-major):
//   x [T, B, I];  wIh [I, H];  wHh [H, H] (Elman, residual), u [H] (diagonal) or 0 (linear);  bias [H]
//   mask [T, B] or 0 (1 real step, 0 padded);  act [T, B, H] the activations (linear, residual) or 0
//   hAll [T+1, B, H]: hAll[0] = h0 (in), hAll[t+1] = h_t (out; pre-activations computed in place)
//   packed: rnnPackedFloats(H) floats of scratch;  work: the backend's GEMM workspace
// Backward (phase: src/kernels/phases.ts), all accumulating (+=): dX [T, B, I], dWIh [I, H], dWHh [H, H], dBias [H];
//   dh [B, H] carries dh_T in and dh_0 out; dZ [T, B, H] scratch; dhCarry [B, H] (masks);
//   dOutput [T, B, H] or 0.
import type { Backend, KernelTarget } from '../engine/backend.js';
import { exportsOf } from '../engine/exports.js';
import { WHOLE, type BackwardPhase, type WeightPart } from './phases.js';
import { BACKWARD_PHASE, type Ptr, type RnnActivationCode, type RnnVariantCode } from './codes.js';

export function rnnPackedFloats(backend: Backend, H: number): number {
  return exportsOf(backend).rnn_packed_floats(H);
}

export function rnnForwardF32(
  backend: KernelTarget,
  ptrs: { hAll: Ptr; act: Ptr; packed: Ptr; x: Ptr; mask: Ptr; wIh: Ptr; wHh: Ptr; bias: Ptr; work: Ptr },
  T: number, B: number, I: number, H: number, activation: RnnActivationCode, variant: RnnVariantCode,
): void {
  exportsOf(backend).rnn_forward_f32(ptrs.hAll, ptrs.act, ptrs.packed, ptrs.x, ptrs.mask, ptrs.wIh, ptrs.wHh, ptrs.bias, ptrs.work, T, B, I, H, activation, variant);
}

export function rnnBackwardF32(
  backend: KernelTarget,
  ptrs: {
    dX: Ptr; dWIh: Ptr; dWHh: Ptr; dBias: Ptr; dh: Ptr; dZ: Ptr; packed: Ptr; dhCarry: Ptr;
    dOutput: Ptr; hAll: Ptr; act: Ptr; x: Ptr; mask: Ptr; wIh: Ptr; wHh: Ptr; work: Ptr;
  },
  T: number, B: number, I: number, H: number, activation: RnnActivationCode, variant: RnnVariantCode, phase: BackwardPhase = 'all', part: WeightPart = WHOLE,
): void {
  exportsOf(backend).rnn_backward_f32(
    ptrs.dX, ptrs.dWIh, ptrs.dWHh, ptrs.dBias, ptrs.dh, ptrs.dZ, ptrs.packed, ptrs.dhCarry,
    ptrs.dOutput, ptrs.hAll, ptrs.act, ptrs.x, ptrs.mask, ptrs.wIh, ptrs.wHh, ptrs.work,
    T, B, I, H, activation, variant, BACKWARD_PHASE[phase], part.index, part.count,
  );
}
