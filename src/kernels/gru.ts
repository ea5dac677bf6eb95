// Bindings of assembly/gru.ts: GRU forward and BPTT backward over a whole batch of
// sequences. Thin: no validation (callers own their buffers).
// Convention: (backend, ptrs { outputs…, inputs… }, sizes…, codes…), as in assembly; 0 = no buffer.
//
// Buffers (f32, row-major, time-major); gate blocks r, z, n, H columns each:
//   x [T, B, I];  wIh [I, 3H];  wHh [H, 3H];  bIh [3H];  bHh [3H] (resetAfter) or 0
//   mask [T, B] or 0 (1 real step, 0 padded)
//   gates [T, B, 3H] activated r, z, n (out);  hAll [T+1, B, H]: [0] = h0 (in), [t+1] = h_t (out)
//   extra [T, B, H] (out, for backward): resetAfter h_{t−1}·W_hn + b_hn, resetBefore r⊙h_{t−1}
//   zh [B, 3H] scratch;  packed: gruPackedFloats(H, variant) floats;  work: the backend's GEMM workspace
// Backward (phase: src/kernels/phases.ts), all accumulating (+=): dX [T, B, I], dWIh [I, 3H], dWHh [H, 3H], dBIh [3H], dBHh [3H] or 0;
//   dh [B, H] carries dh_T in and dh_0 out; dZ [T, B, 3H] and dZh [T, B, 3H] (resetAfter) scratch;
//   drh [B, H] scratch; dhCarry [B, H] (masks); dOutput [T, B, H] or 0.
import type { Backend, KernelTarget } from '../engine/backend.js';
import { exportsOf } from '../engine/exports.js';
import { WHOLE, type BackwardPhase, type WeightPart } from './phases.js';
import { BACKWARD_PHASE, type GateActivationCode, type GruVariantCode, type Ptr } from './codes.js';

export function gruPackedFloats(backend: Backend, H: number, variant: GruVariantCode): number {
  return exportsOf(backend).gru_packed_floats(H, variant);
}

export function gruForwardF32(
  backend: KernelTarget,
  ptrs: {
    gates: Ptr; hAll: Ptr; extra: Ptr; zh: Ptr; packed: Ptr;
    x: Ptr; mask: Ptr; wIh: Ptr; wHh: Ptr; bIh: Ptr; bHh: Ptr; work: Ptr;
  },
  T: number, B: number, I: number, H: number, variant: GruVariantCode, gate: GateActivationCode,
): void {
  exportsOf(backend).gru_forward_f32(
    ptrs.gates, ptrs.hAll, ptrs.extra, ptrs.zh, ptrs.packed,
    ptrs.x, ptrs.mask, ptrs.wIh, ptrs.wHh, ptrs.bIh, ptrs.bHh, ptrs.work,
    T, B, I, H, variant, gate,
  );
}

export function gruBackwardF32(
  backend: KernelTarget,
  ptrs: {
    dX: Ptr; dWIh: Ptr; dWHh: Ptr; dBIh: Ptr; dBHh: Ptr;
    dh: Ptr; dZ: Ptr; dZh: Ptr; drh: Ptr; packed: Ptr; dhCarry: Ptr;
    dOutput: Ptr; gates: Ptr; hAll: Ptr; extra: Ptr;
    x: Ptr; mask: Ptr; wIh: Ptr; wHh: Ptr; work: Ptr;
  },
  T: number, B: number, I: number, H: number, variant: GruVariantCode, gate: GateActivationCode, phase: BackwardPhase = 'all', part: WeightPart = WHOLE,
): void {
  exportsOf(backend).gru_backward_f32(
    ptrs.dX, ptrs.dWIh, ptrs.dWHh, ptrs.dBIh, ptrs.dBHh,
    ptrs.dh, ptrs.dZ, ptrs.dZh, ptrs.drh, ptrs.packed, ptrs.dhCarry,
    ptrs.dOutput, ptrs.gates, ptrs.hAll, ptrs.extra,
    ptrs.x, ptrs.mask, ptrs.wIh, ptrs.wHh, ptrs.work,
    T, B, I, H, variant, gate, BACKWARD_PHASE[phase], part.index, part.count,
  );
}
