// Bindings of assembly/narx.ts: a NARX model's tapped delay lines (the regressor row
// of one step from the input and output histories, and its gradient back into the
// outputs). Thin: no validation (the model owns its buffers and keeps the taps in range).
// Convention: (backend, ptrs { outputs…, inputs… }, sizes…), as in assembly.
//
//   row [B, nx·I + ny·O];  xs [Tx, B, I] and history [Ty, B, O] time-major;  delays i32 [nx + ny]
//   dOut [S, B, O];  dRow [B, nx·I + ny·O]
import type { Backend } from '../engine/backend.js';
import { exportsOf } from '../engine/exports.js';
import type { Ptr } from './codes.js';

/** row[b] = [xs[step + xLead − d, b] for the nx input delays d, history[step + yLead − e, b] for the ny feedback delays e]. */
export function narxTapsF32(
  backend: Backend, ptrs: { row: Ptr; xs: Ptr; history: Ptr; delays: Ptr },
  step: number, B: number, I: number, O: number, nx: number, ny: number, xLead: number, yLead: number,
): void {
  exportsOf(backend).narx_taps_f32(ptrs.row, ptrs.xs, ptrs.history, ptrs.delays, step, B, I, O, nx, ny, xLead, yLead);
}

/** dOut[step − e_k, b] += the feedback part k of dRow[b], for every feedback delay e_k ≤ step. */
export function narxTapsBackwardF32(
  backend: Backend, ptrs: { dOut: Ptr; dRow: Ptr; delays: Ptr },
  step: number, B: number, I: number, O: number, nx: number, ny: number,
): void {
  exportsOf(backend).narx_taps_backward_f32(ptrs.dOut, ptrs.dRow, ptrs.delays, step, B, I, O, nx, ny);
}
