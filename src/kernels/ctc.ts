// Bindings of assembly/ctc.ts: the CTC loss with its gradient, and best-path decoding. Thin: no
// validation (the caller checks lengths, label ranges and feasibility first).
//
//   logits, dLogits f32 [T, B, C] time-major;  labels i32 [B, maxL] (row b: its labels, then padding);
//   labelLengths, inputLengths i32 [B];  scales f32 [B];  losses f64 [B];  work f64 [ctcWorkF64(T, C, maxL)]
//   decoded i32 [B, T], decodedLengths i32 [B]
import type { Backend } from '../engine/backend.js';
import { exportsOf } from '../engine/exports.js';
import type { Ptr } from './codes.js';

/** f64 values of the CTC loss's work buffer. */
export function ctcWorkF64(backend: Backend, T: number, C: number, maxL: number): number {
  return exportsOf(backend).ctc_work_f64(T, C, maxL);
}

/** losses[b] = −ln p(l_b | x_b) (+Infinity if infeasible); dLogits = scales[b]·(softmax − posterior), or skipped when 0. */
export function ctcLossF32(
  backend: Backend,
  ptrs: { dLogits: Ptr; losses: Ptr; logits: Ptr; labels: Ptr; labelLengths: Ptr; inputLengths: Ptr; scales: Ptr; work: Ptr },
  T: number, B: number, C: number, maxL: number, blank: number,
): void {
  exportsOf(backend).ctc_loss_f32(ptrs.dLogits, ptrs.losses, ptrs.logits, ptrs.labels, ptrs.labelLengths, ptrs.inputLengths, ptrs.scales, ptrs.work, T, B, C, maxL, blank);
}

/** Best-path decoding: arg-max per step, repeats merged, blanks dropped. */
export function ctcGreedyF32(backend: Backend, ptrs: { decoded: Ptr; decodedLengths: Ptr; logits: Ptr; inputLengths: Ptr }, T: number, B: number, C: number, blank: number): void {
  exportsOf(backend).ctc_greedy_f32(ptrs.decoded, ptrs.decodedLengths, ptrs.logits, ptrs.inputLengths, T, B, C, blank);
}

/** The 4-byte values of prefix beam search's work buffer (f64 arrays first: 8-byte aligned). */
export function ctcBeamWorkFloats(backend: Backend, T: number, C: number, W: number): number {
  return exportsOf(backend).ctc_beam_work_floats(T, C, W);
}

/**
 * Prefix beam search: per sequence the n best labellings (decoded i32 [B, n, T], decodedLengths i32 [B, n]),
 * their log-probabilities (logProbs f64 [B, n]) and how many were found (found i32 [B]); W = 1 is best path.
 */
export function ctcBeamF32(
  backend: Backend,
  ptrs: { decoded: Ptr; decodedLengths: Ptr; logProbs: Ptr; found: Ptr; logits: Ptr; inputLengths: Ptr; work: Ptr },
  T: number, B: number, C: number, blank: number, W: number, n: number,
): void {
  exportsOf(backend).ctc_beam_f32(ptrs.decoded, ptrs.decodedLengths, ptrs.logProbs, ptrs.found, ptrs.logits, ptrs.inputLengths, ptrs.work, T, B, C, blank, W, n);
}
