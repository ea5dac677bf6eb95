// Bindings of assembly/loss.ts: softmax and the losses, row by row. Thin: no
// validation (callers own their buffers and check labels).
// Convention: (backend, ptrs { outputs…, inputs… }, sizes…, scalars…), as in assembly; 0 = no buffer.
//
//   logits, probs, dLogits [rows, classes] f32;  labels [rows] i32;  mask [rows] f32 weights or 0
//   pred, target, dPred [rows, cols] f32
// The losses return the f64 sum Σ_r w_r·loss_r and write the gradient of scale × that sum
// (dLogits / dPred = 0 skips it). out may alias logits; dLogits, probs, logits may be one buffer.
import type { Backend } from '../engine/backend.js';
import { exportsOf } from '../engine/exports.js';
import type { Ptr } from './codes.js';

/** out[r] = softmax(logits[r]). */
export function softmaxF32(backend: Backend, ptrs: { out: Ptr; logits: Ptr }, rows: number, classes: number): void {
  exportsOf(backend).softmax_f32(ptrs.out, ptrs.logits, rows, classes);
}

/** out f64 [rows, classes] = log softmax(logits[r]) (scratch f32 [classes]). */
export function logSoftmaxF64(backend: Backend, ptrs: { out: Ptr; scratch: Ptr; logits: Ptr }, rows: number, classes: number): void {
  exportsOf(backend).log_softmax_f64(ptrs.out, ptrs.scratch, ptrs.logits, rows, classes);
}

/** out[r] = softmax(logits[r] · invTemperature). */
export function softmaxTemperatureF32(backend: Backend, ptrs: { out: Ptr; logits: Ptr }, rows: number, classes: number, invTemperature: number): void {
  exportsOf(backend).softmax_temperature_f32(ptrs.out, ptrs.logits, rows, classes, invTemperature);
}

/** dLogits[r] += probs[r] ⊙ (dProbs[r] − dProbs[r]·probs[r]): backward through a softmax. */
export function softmaxBackwardF32(backend: Backend, ptrs: { dLogits: Ptr; probs: Ptr; dProbs: Ptr }, rows: number, classes: number): void {
  exportsOf(backend).softmax_backward_f32(ptrs.dLogits, ptrs.probs, ptrs.dProbs, rows, classes);
}

/** probs = softmax(logits); returns Σ_r w_r·(−log probs[r][label_r]); dLogits = scale·w_r·(probs − onehot). */
export function softmaxXentF32(
  backend: Backend, ptrs: { dLogits: Ptr; probs: Ptr; logits: Ptr; labels: Ptr; mask: Ptr }, rows: number, classes: number, scale: number,
): number {
  return exportsOf(backend).softmax_xent_f32(ptrs.dLogits, ptrs.probs, ptrs.logits, ptrs.labels, ptrs.mask, rows, classes, scale);
}

/** Returns Σ_r w_r·Σ_c (pred − target)²; dPred = scale·w_r·2·(pred − target). */
export function mseF32(backend: Backend, ptrs: { dPred: Ptr; pred: Ptr; target: Ptr; mask: Ptr }, rows: number, cols: number, scale: number): number {
  return exportsOf(backend).mse_f32(ptrs.dPred, ptrs.pred, ptrs.target, ptrs.mask, rows, cols, scale);
}
