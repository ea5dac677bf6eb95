// Bindings of assembly/attention.ts: dot-product attention over a batch, forward and backward.
// Thin: no validation. Batch-major: query [B, Tq, D], key [B, Tv, D], value [B, Tv, Dv],
// mask [B, Tv] or 0, weights [B, Tq, Tv], context [B, Tq, Dv]; dS [Tq, Tv] scratch; work: the GEMM workspace.
import type { Backend } from '../engine/backend.js';
import { exportsOf } from '../engine/exports.js';
import type { Ptr } from './codes.js';

/** weights = masked softmax(scale·Q·Kᵀ) over the value steps; context = weights·V. */
export function attentionForwardF32(
  backend: Backend, ptrs: { context: Ptr; weights: Ptr; query: Ptr; key: Ptr; value: Ptr; mask: Ptr; work: Ptr },
  B: number, Tq: number, Tv: number, D: number, Dv: number, scale: number,
): void {
  exportsOf(backend).attention_forward_f32(ptrs.context, ptrs.weights, ptrs.query, ptrs.key, ptrs.value, ptrs.mask, ptrs.work, B, Tq, Tv, D, Dv, scale);
}

/** dQuery, dKey, dValue += the gradients of the context's loss (dContext), from the forward's weights. */
export function attentionBackwardF32(
  backend: Backend,
  ptrs: { dQuery: Ptr; dKey: Ptr; dValue: Ptr; dS: Ptr; dContext: Ptr; weights: Ptr; query: Ptr; key: Ptr; value: Ptr; work: Ptr },
  B: number, Tq: number, Tv: number, D: number, Dv: number, scale: number,
): void {
  exportsOf(backend).attention_backward_f32(ptrs.dQuery, ptrs.dKey, ptrs.dValue, ptrs.dS, ptrs.dContext, ptrs.weights, ptrs.query, ptrs.key, ptrs.value, ptrs.work, B, Tq, Tv, D, Dv, scale);
}
