// Bindings of assembly/lstm.ts: LSTM forward and BPTT backward over a whole batch
// of sequences. Thin: no validation (callers own their buffers).
// Convention: (backend, ptrs { outputs…, inputs… }, sizes…, codes…), as in assembly; 0 = no buffer.
//
// Buffers (f32, row-major, time-major); G = 4 gate blocks i, f, g, o (standard, peephole)
// or 3 blocks i, g, o (coupled, noForget), H columns each:
//   x [T, B, I];  wIh [I, G·H];  wHh [H, G·H];  bias [G·H];  peep [k·H] (peephole) or 0: the k gates of
//   `peepholes` (bits PEEP_I | PEEP_F | PEEP_O, default all three) in the order i, f, o
//   mask [T, B] or 0 (1 real step, 0 padded)
//   gates [T, B, G·H] activated gates (out);  hAll, cAll [T+1, B, H]: [0] = h0, c0 (in), [t+1] = h_t, c_t (out)
//   tanhC [T, B, H] tanh(c_t) (out, for backward)
//   packed: lstmPackedFloats(H, variant) floats of scratch;  work: the backend's GEMM workspace
// Backward (phase: src/kernels/phases.ts), all accumulating (+=): dX [T, B, I], dWIh [I, G·H], dWHh [H, G·H], dBias [G·H],
//   dPeep [k·H] (as peep) or 0; dh, dc [B, H] carry dh_T, dc_T in and dh_0, dc_0 out; dZ [T, B, G·H] scratch;
//   dhCarry [B, H] (masks); dOutput [T, B, H] or 0.
import type { Backend, KernelTarget } from '../engine/backend.js';
import { exportsOf } from '../engine/exports.js';
import { WHOLE, type BackwardPhase, type WeightPart } from './phases.js';
import { BACKWARD_PHASE, type GateActivationCode, type LstmVariantCode, type Ptr } from './codes.js';

/** Which gates have a peephole (a bit mask). */
export const PEEP_I = 1;
export const PEEP_F = 2;
export const PEEP_O = 4;
export const PEEP_ALL = PEEP_I | PEEP_F | PEEP_O;

/** The three gate pointers into a compact peephole block at `base` (0 where a gate has none, or base = 0). */
function peepPointers(base: Ptr, peepholes: number, H: number): [Ptr, Ptr, Ptr] {
  const out: [Ptr, Ptr, Ptr] = [0, 0, 0];
  if (!base) return out;
  let k = 0;
  [PEEP_I, PEEP_F, PEEP_O].forEach((bit, gate) => {
    if (peepholes & bit) out[gate] = base + 4 * H * k++;
  });
  return out;
}

export function lstmPackedFloats(backend: Backend, H: number, variant: LstmVariantCode): number {
  return exportsOf(backend).lstm_packed_floats(H, variant);
}

export function lstmForwardF32(
  backend: KernelTarget,
  ptrs: {
    gates: Ptr; hAll: Ptr; cAll: Ptr; tanhC: Ptr; packed: Ptr;
    x: Ptr; mask: Ptr; wIh: Ptr; wHh: Ptr; bias: Ptr; peep: Ptr; work: Ptr;
  },
  T: number, B: number, I: number, H: number, variant: LstmVariantCode, gate: GateActivationCode, peepholes = PEEP_ALL,
): void {
  exportsOf(backend).lstm_forward_f32(
    ptrs.gates, ptrs.hAll, ptrs.cAll, ptrs.tanhC, ptrs.packed,
    ptrs.x, ptrs.mask, ptrs.wIh, ptrs.wHh, ptrs.bias, ...peepPointers(ptrs.peep, peepholes, H), ptrs.work,
    T, B, I, H, variant, gate,
  );
}

export function lstmBackwardF32(
  backend: KernelTarget,
  ptrs: {
    dX: Ptr; dWIh: Ptr; dWHh: Ptr; dBias: Ptr; dPeep: Ptr;
    dh: Ptr; dc: Ptr; dZ: Ptr; packed: Ptr; dhCarry: Ptr;
    dOutput: Ptr; gates: Ptr; hAll: Ptr; cAll: Ptr; tanhC: Ptr;
    x: Ptr; mask: Ptr; wIh: Ptr; wHh: Ptr; peep: Ptr; work: Ptr;
  },
  T: number, B: number, I: number, H: number, variant: LstmVariantCode, gate: GateActivationCode, peepholes = PEEP_ALL, phase: BackwardPhase = 'all', part: WeightPart = WHOLE,
): void {
  exportsOf(backend).lstm_backward_f32(
    ptrs.dX, ptrs.dWIh, ptrs.dWHh, ptrs.dBias, ...peepPointers(ptrs.dPeep, peepholes, H),
    ptrs.dh, ptrs.dc, ptrs.dZ, ptrs.packed, ptrs.dhCarry,
    ptrs.dOutput, ptrs.gates, ptrs.hAll, ptrs.cAll, ptrs.tanhC,
    ptrs.x, ptrs.mask, ptrs.wIh, ptrs.wHh, ...peepPointers(ptrs.peep, peepholes, H), ptrs.work,
    T, B, I, H, variant, gate, BACKWARD_PHASE[phase], part.index, part.count,
  );
}
