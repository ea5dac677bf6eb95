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

// Additive attention (assembly/attention.ts): scores [B, Tq, Tv] = Σ_d scale[d]·tanh(Q[b, i, d] + K[b, j, d]),
// scale [D] or 0 (all ones); then the masked softmax and context from given scores, and their backward.

/** scores = Σ_d scale ⊙ tanh(query_i + key_j). */
export function additiveScoresF32(backend: Backend, ptrs: { scores: Ptr; query: Ptr; key: Ptr; scale: Ptr }, B: number, Tq: number, Tv: number, D: number): void {
  exportsOf(backend).additive_scores_f32(ptrs.scores, ptrs.query, ptrs.key, ptrs.scale, B, Tq, Tv, D);
}

/** dQuery, dKey (and dScale unless 0) += the gradients of the scores' loss (dScores). */
export function additiveScoresBackwardF32(
  backend: Backend, ptrs: { dQuery: Ptr; dKey: Ptr; dScale: Ptr; dScores: Ptr; query: Ptr; key: Ptr; scale: Ptr },
  B: number, Tq: number, Tv: number, D: number,
): void {
  exportsOf(backend).additive_scores_backward_f32(ptrs.dQuery, ptrs.dKey, ptrs.dScale, ptrs.dScores, ptrs.query, ptrs.key, ptrs.scale, B, Tq, Tv, D);
}

/** weights (scores on entry) = masked softmax over the value steps; context = weights·V. */
export function attentionSoftmaxContextF32(
  backend: Backend, ptrs: { context: Ptr; weights: Ptr; value: Ptr; mask: Ptr; work: Ptr }, B: number, Tq: number, Tv: number, Dv: number,
): void {
  exportsOf(backend).attention_softmax_context_f32(ptrs.context, ptrs.weights, ptrs.value, ptrs.mask, ptrs.work, B, Tq, Tv, Dv);
}

/** dScores = the scores' gradient (written); dValue += Aᵀ·dContext. */
export function attentionSoftmaxContextBackwardF32(
  backend: Backend, ptrs: { dScores: Ptr; dValue: Ptr; dContext: Ptr; weights: Ptr; value: Ptr; work: Ptr }, B: number, Tq: number, Tv: number, Dv: number,
): void {
  exportsOf(backend).attention_softmax_context_backward_f32(ptrs.dScores, ptrs.dValue, ptrs.dContext, ptrs.weights, ptrs.value, ptrs.work, B, Tq, Tv, Dv);
}

// ---- Attention inside EncoderDecoder: time-major sequences (query [Tq, B, D], key [Tv, B, D],
// value [Tv, B, Dv], context [Tq, B, Dv], mask [Tv, B] or 0); scores/weights rows of Tv, sample b's
// block at + b·ldW floats. Bahdanau: hidden [B, Tv, A], query [B, A], keys [Tv, B, A], v [A].

/** scores_b = Q_b·K_bᵀ. */
export function seqDotScoresF32(backend: Backend, ptrs: { scores: Ptr; query: Ptr; key: Ptr; work: Ptr }, B: number, Tq: number, Tv: number, D: number, ldW: number): void {
  exportsOf(backend).seq_dot_scores_f32(ptrs.scores, ptrs.query, ptrs.key, ptrs.work, B, Tq, Tv, D, ldW);
}

/** dQuery += dS·K, dKey += dSᵀ·Q. */
export function seqDotScoresBackwardF32(backend: Backend, ptrs: { dQuery: Ptr; dKey: Ptr; dScores: Ptr; query: Ptr; key: Ptr; work: Ptr }, B: number, Tq: number, Tv: number, D: number, ldW: number): void {
  exportsOf(backend).seq_dot_scores_backward_f32(ptrs.dQuery, ptrs.dKey, ptrs.dScores, ptrs.query, ptrs.key, ptrs.work, B, Tq, Tv, D, ldW);
}

/** weights = masked softmax of the scores in place; context = weights·V. */
export function seqAttendF32(backend: Backend, ptrs: { context: Ptr; weights: Ptr; value: Ptr; mask: Ptr; work: Ptr }, B: number, Tq: number, Tv: number, Dv: number, ldW: number): void {
  exportsOf(backend).seq_attend_f32(ptrs.context, ptrs.weights, ptrs.value, ptrs.mask, ptrs.work, B, Tq, Tv, Dv, ldW);
}

/** dScores = the scores' gradient (overwritten); dValue += Aᵀ·dC. */
export function seqAttendBackwardF32(backend: Backend, ptrs: { dScores: Ptr; dValue: Ptr; dContext: Ptr; weights: Ptr; value: Ptr; work: Ptr }, B: number, Tq: number, Tv: number, Dv: number, ldW: number): void {
  exportsOf(backend).seq_attend_backward_f32(ptrs.dScores, ptrs.dValue, ptrs.dContext, ptrs.weights, ptrs.value, ptrs.work, B, Tq, Tv, Dv, ldW);
}

/** Bahdanau's scores for one query step: hidden = tanh(query + keys), scores = hidden·v. */
export function seqAdditiveScoresF32(backend: Backend, ptrs: { scores: Ptr; hidden: Ptr; query: Ptr; keys: Ptr; v: Ptr }, B: number, Tv: number, A: number, ldW: number): void {
  exportsOf(backend).seq_additive_scores_f32(ptrs.scores, ptrs.hidden, ptrs.query, ptrs.keys, ptrs.v, B, Tv, A, ldW);
}

/** dQuery, dKeys, dV += the gradients of the additive scores from dScores. */
export function seqAdditiveScoresBackwardF32(backend: Backend, ptrs: { dQuery: Ptr; dKeys: Ptr; dV: Ptr; dScores: Ptr; hidden: Ptr; v: Ptr }, B: number, Tv: number, A: number, ldW: number): void {
  exportsOf(backend).seq_additive_scores_backward_f32(ptrs.dQuery, ptrs.dKeys, ptrs.dV, ptrs.dScores, ptrs.hidden, ptrs.v, B, Tv, A, ldW);
}
