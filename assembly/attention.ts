// Dot-product attention (Luong et al. 2015's "dot"/"general" score, Keras's Attention layer),
// batch-major as Keras calls it. For each sample b:
//   S = scale · Q·Kᵀ            Q [Tq, D], K [Tv, D]  → S [Tq, Tv]
//   A = softmax over Tv of S, with masked value steps (mask[b, v] = 0) given weight 0
//       (a row whose every step is masked gets all-zero weights)
//   C = A·V                     V [Tv, Dv]            → C [Tq, Dv]
//
//   attention_forward_f32(context [B, Tq, Dv], weights [B, Tq, Tv], query [B, Tq, D], key [B, Tv, D],
//                         value [B, Tv, Dv], mask [B, Tv] or 0, work, B, Tq, Tv, D, Dv, scale)
//   attention_backward_f32(dQuery [B, Tq, D], dKey [B, Tv, D], dValue [B, Tv, Dv], dS [Tq, Tv] scratch,
//                          dContext [B, Tq, Dv], weights, query, key, value, work, B, Tq, Tv, D, Dv, scale)
//     dA = dC·Vᵀ;  dV += Aᵀ·dC;  dS = scale · A ⊙ (dA − Σ_v dA⊙A) (row sums in f64);  dQ += dS·K;  dK += dSᵀ·Q
//     (gradients accumulate; masked steps have A = 0, so they get none).
// Softmax: m = the row's largest unmasked score, e = exp(S − m) with the module's exp, S = Σ e in f64,
// A = e / S divided in f64 — the order loss.ts uses, so both builds give the same bits.
import { gemm_f32, NO_TRANS, TRANS } from "./gemm";
import { expScalar } from "./activations";
import { add, mul, one, sub, vtanh } from "./lanes";

/**
 * One row of scores in place → its masked softmax over the Tv value steps: the largest real score
 * subtracted, f32 exponentials, their sum in f64 in order j = 0 … Tv−1. Value step j is real when
 * m is 0 or the f32 at m + j·mStride (bytes) is not 0; masked steps get weight exactly 0, and a row
 * with no real step gets all 0. Every attention kernel's softmax is this one.
 */
// @ts-ignore: decorator
@inline function maskedSoftmaxRow(row: usize, m: usize, mStride: usize, Tv: i32): void {
  let top: f32 = -Infinity;
  for (let j = 0; j < Tv; j++) if (!m || load<f32>(m + <usize>j * mStride) != 0) top = max(top, load<f32>(row + (<usize>j << 2)));
  let sum: f64 = 0;
  for (let j = 0; j < Tv; j++) {
    const e: f32 = !m || load<f32>(m + <usize>j * mStride) != 0 ? expScalar(load<f32>(row + (<usize>j << 2)) - top) : 0;
    store<f32>(row + (<usize>j << 2), e);
    sum += <f64>e;
  }
  for (let j = 0; j < Tv; j++) {
    const o = row + (<usize>j << 2);
    store<f32>(o, sum > 0 ? <f32>(<f64>load<f32>(o) / sum) : 0);
  }
}

/** One row of the softmax's backward in place: dr ← scale · a ⊙ (dr − Σ_j dr⊙a), the sum in f64 in order. */
// @ts-ignore: decorator
@inline function softmaxBackwardRow(ar: usize, dr: usize, Tv: i32, scale: f32): void {
  let dot: f64 = 0;
  for (let j = 0; j < Tv; j++) dot += <f64>load<f32>(dr + (<usize>j << 2)) * <f64>load<f32>(ar + (<usize>j << 2));
  const d32 = <f32>dot;
  for (let j = 0; j < Tv; j++) {
    const o = <usize>j << 2;
    store<f32>(dr + o, scale * (load<f32>(ar + o) * (load<f32>(dr + o) - d32)));
  }
}

/**
 * The attention backward from the weights on for one sample, shared by every attention kernel:
 * dA = dC·Vᵀ (into ds), dV += Aᵀ·dC, then each row ds ← scale · A ⊙ (dA − Σ dA⊙A). A and ds are
 * rows of Tv; dC, V and dV rows of Dv with leading dimension ldv (Dv batch-major, B·Dv time-major).
 */
// @ts-ignore: decorator
@inline function softmaxContextBackward(ds: usize, dv: usize, dc: usize, a: usize, v: usize, work: usize, Tq: i32, Tv: i32, Dv: i32, ldv: i32, scale: f32): void {
  gemm_f32(ds, dc, v, work, Tq, Tv, Dv, ldv, ldv, Tv, NO_TRANS, TRANS, 1, 0);
  gemm_f32(dv, a, dc, work, Tv, Dv, Tq, Tv, ldv, ldv, TRANS, NO_TRANS, 1, 1);
  for (let i = 0; i < Tq; i++) softmaxBackwardRow(a + (<usize>(i * Tv) << 2), ds + (<usize>(i * Tv) << 2), Tv, scale);
}

export function attention_forward_f32(
  context: usize, weights: usize, query: usize, key: usize, value: usize, mask: usize, work: usize,
  B: i32, Tq: i32, Tv: i32, D: i32, Dv: i32, scale: f32,
): void {
  for (let b = 0; b < B; b++) {
    const a = weights + (<usize>(b * Tq * Tv) << 2);
    const q = query + (<usize>(b * Tq * D) << 2);
    const k = key + (<usize>(b * Tv * D) << 2);
    const v = value + (<usize>(b * Tv * Dv) << 2);
    const c = context + (<usize>(b * Tq * Dv) << 2);
    const m = mask ? mask + (<usize>(b * Tv) << 2) : 0;
    gemm_f32(a, q, k, work, Tq, Tv, D, D, D, Tv, NO_TRANS, TRANS, scale, 0);
    for (let i = 0; i < Tq; i++) maskedSoftmaxRow(a + (<usize>(i * Tv) << 2), m, 4, Tv);
    gemm_f32(c, a, v, work, Tq, Dv, Tv, Tv, Dv, Dv, NO_TRANS, NO_TRANS, 1, 0);
  }
}

export function attention_backward_f32(
  dQuery: usize, dKey: usize, dValue: usize, dS: usize, dContext: usize,
  weights: usize, query: usize, key: usize, value: usize, work: usize,
  B: i32, Tq: i32, Tv: i32, D: i32, Dv: i32, scale: f32,
): void {
  for (let b = 0; b < B; b++) {
    const a = weights + (<usize>(b * Tq * Tv) << 2);
    const q = query + (<usize>(b * Tq * D) << 2);
    const k = key + (<usize>(b * Tv * D) << 2);
    const v = value + (<usize>(b * Tv * Dv) << 2);
    const dc = dContext + (<usize>(b * Tq * Dv) << 2);
    // dA = dC·Vᵀ into dS; dV += Aᵀ·dC; dS = scale · A ⊙ (dA − Σ dA⊙A).
    softmaxContextBackward(dS, dValue + (<usize>(b * Tv * Dv) << 2), dc, a, v, work, Tq, Tv, Dv, Dv, scale);
    gemm_f32(dQuery + (<usize>(b * Tq * D) << 2), dS, k, work, Tq, D, Tv, Tv, D, D, NO_TRANS, NO_TRANS, 1, 1);
    gemm_f32(dKey + (<usize>(b * Tv * D) << 2), dS, q, work, Tv, D, Tq, Tv, D, D, TRANS, NO_TRANS, 1, 1);
  }
}

// ---- Additive attention (Bahdanau et al. 2015's score; Keras's AdditiveAttention) ----
// The score of query step i against key step j is a sum over the D features:
//   S[b, i, j] = Σ_d scale[d] · tanh(Q[b, i, d] + K[b, j, d])      Q [B, Tq, D], K [B, Tv, D], scale [D]
// (scale = 0 as a pointer: every scale[d] is 1, Keras's use_scale = False). Bahdanau's
// vᵀ tanh(W·s + U·h) is this with Q = s·W and K = h·U computed beforehand (GEMMs) and scale = v.
//
//   additive_scores_f32(scores [B, Tq, Tv], query [B, Tq, D], key [B, Tv, D], scale [D] or 0, B, Tq, Tv, D)
//   additive_scores_backward_f32(dQuery [B, Tq, D], dKey [B, Tv, D], dScale [D] or 0, dScores [B, Tq, Tv],
//                                query, key, scale or 0, B, Tq, Tv, D)
//     with t = tanh(Q[b, i] + K[b, j]) recomputed (nothing saved) and g = dScores[b, i, j]:
//     dQ[b, i] += g·scale⊙(1 − t²);  dK[b, j] += g·scale⊙(1 − t²);  dScale += g·t   (accumulated, in the
//     order b, i, j; f32 element-wise, so the vector body and the scalar build do the same operations)
//   The sum over d has one order in both builds (reduce.ts's): four f64 partial sums s_q over d ≡ q
//   (mod 4) of the f32 terms scale[d]·t[d], combined as (s₀ + s₂) + (s₁ + s₃), then the tail in order.
//
// The rest of attention from given scores (any score function):
//   attention_softmax_context_f32(context [B, Tq, Dv], weights [B, Tq, Tv], value [B, Tv, Dv], mask [B, Tv] or 0,
//                                 work, B, Tq, Tv, Dv)
//     weights holds the scores on entry and the masked softmax over the value steps on return
//     (the same softmax as attention_forward_f32); context = weights·V.
//   attention_softmax_context_backward_f32(dScores [B, Tq, Tv], dValue [B, Tv, Dv], dContext [B, Tq, Dv],
//                                          weights, value, work, B, Tq, Tv, Dv)
//     dA = dC·Vᵀ;  dV += Aᵀ·dC;  dScores = A ⊙ (dA − Σ_v dA⊙A) (row sums in f64; written, not accumulated).

/** Σ_d scale[d]·tanh(q[d] + k[d]) in the fixed order above. */
// @ts-ignore: decorator
@inline function additiveScore(q: usize, k: usize, scale: usize, D: i32): f64 {
  let d = 0;
  let total: f64;
  if (ASC_FEATURE_SIMD) {
    let acc01 = f64x2.splat(0);
    let acc23 = f64x2.splat(0);
    for (; d + 4 <= D; d += 4) {
      const o = <usize>d << 2;
      let p = vtanh<v128>(f32x4.add(v128.load(q + o), v128.load(k + o)));
      if (scale) p = f32x4.mul(v128.load(scale + o), p);
      acc01 = f64x2.add(acc01, f64x2.promote_low_f32x4(p));
      acc23 = f64x2.add(acc23, f64x2.promote_low_f32x4(v128.shuffle<f32>(p, p, 2, 3, 2, 3)));
    }
    const s = f64x2.add(acc01, acc23);
    total = f64x2.extract_lane(s, 0) + f64x2.extract_lane(s, 1);
  } else {
    let s0: f64 = 0, s1: f64 = 0, s2: f64 = 0, s3: f64 = 0;
    for (; d + 4 <= D; d += 4) {
      const o = <usize>d << 2;
      s0 += <f64>additiveTerm(q, k, scale, o);
      s1 += <f64>additiveTerm(q, k, scale, o + 4);
      s2 += <f64>additiveTerm(q, k, scale, o + 8);
      s3 += <f64>additiveTerm(q, k, scale, o + 12);
    }
    total = (s0 + s2) + (s1 + s3);
  }
  for (; d < D; d++) total += <f64>additiveTerm(q, k, scale, <usize>d << 2);
  return total;
}

/** One f32 term scale[d]·tanh(q[d] + k[d]) at byte offset o. */
// @ts-ignore: decorator
@inline function additiveTerm(q: usize, k: usize, scale: usize, o: usize): f32 {
  const t = vtanh<f32>(load<f32>(q + o) + load<f32>(k + o));
  return scale ? load<f32>(scale + o) * t : t;
}

export function additive_scores_f32(scores: usize, query: usize, key: usize, scale: usize, B: i32, Tq: i32, Tv: i32, D: i32): void {
  for (let b = 0; b < B; b++) {
    const k0 = key + (<usize>(b * Tv * D) << 2);
    for (let i = 0; i < Tq; i++) {
      const q = query + (<usize>((b * Tq + i) * D) << 2);
      const row = scores + (<usize>((b * Tq + i) * Tv) << 2);
      for (let j = 0; j < Tv; j++) {
        store<f32>(row + (<usize>j << 2), <f32>additiveScore(q, k0 + (<usize>(j * D) << 2), scale, D));
      }
    }
  }
}

/** One feature block of the score's backward at byte offset o (T = v128 for four features, f32 for one). */
// @ts-ignore: decorator
@inline function additiveGrad<T>(dq: usize, dk: usize, dScale: usize, q: usize, k: usize, scale: usize, g: T, o: usize): void {
  const t = vtanh<T>(add<T>(load<T>(q + o), load<T>(k + o)));
  const gs = scale ? mul<T>(g, load<T>(scale + o)) : g;
  const u = mul<T>(gs, sub<T>(one<T>(), mul<T>(t, t)));
  store<T>(dq + o, add<T>(load<T>(dq + o), u));
  store<T>(dk + o, add<T>(load<T>(dk + o), u));
  if (dScale) store<T>(dScale + o, add<T>(load<T>(dScale + o), mul<T>(g, t)));
}

export function additive_scores_backward_f32(
  dQuery: usize, dKey: usize, dScale: usize, dScores: usize, query: usize, key: usize, scale: usize,
  B: i32, Tq: i32, Tv: i32, D: i32,
): void {
  for (let b = 0; b < B; b++) {
    for (let i = 0; i < Tq; i++) {
      const qOffset = <usize>((b * Tq + i) * D) << 2;
      const q = query + qOffset;
      const dq = dQuery + qOffset;
      const row = dScores + (<usize>((b * Tq + i) * Tv) << 2);
      for (let j = 0; j < Tv; j++) {
        const g = load<f32>(row + (<usize>j << 2));
        const kOffset = <usize>((b * Tv + j) * D) << 2;
        const k = key + kOffset;
        const dk = dKey + kOffset;
        let d = 0;
        if (ASC_FEATURE_SIMD) {
          const gv = f32x4.splat(g);
          for (; d + 4 <= D; d += 4) additiveGrad<v128>(dq, dk, dScale, q, k, scale, gv, <usize>d << 2);
        }
        for (; d < D; d++) additiveGrad<f32>(dq, dk, dScale, q, k, scale, g, <usize>d << 2);
      }
    }
  }
}

export function attention_softmax_context_f32(
  context: usize, weights: usize, value: usize, mask: usize, work: usize, B: i32, Tq: i32, Tv: i32, Dv: i32,
): void {
  for (let b = 0; b < B; b++) {
    const a = weights + (<usize>(b * Tq * Tv) << 2);
    const m = mask ? mask + (<usize>(b * Tv) << 2) : 0;
    for (let i = 0; i < Tq; i++) maskedSoftmaxRow(a + (<usize>(i * Tv) << 2), m, 4, Tv);
    gemm_f32(context + (<usize>(b * Tq * Dv) << 2), a, value + (<usize>(b * Tv * Dv) << 2), work, Tq, Dv, Tv, Tv, Dv, Dv, NO_TRANS, NO_TRANS, 1, 0);
  }
}

export function attention_softmax_context_backward_f32(
  dScores: usize, dValue: usize, dContext: usize, weights: usize, value: usize, work: usize, B: i32, Tq: i32, Tv: i32, Dv: i32,
): void {
  for (let b = 0; b < B; b++) {
    const a = weights + (<usize>(b * Tq * Tv) << 2);
    const v = value + (<usize>(b * Tv * Dv) << 2);
    const dc = dContext + (<usize>(b * Tq * Dv) << 2);
    const ds = dScores + (<usize>(b * Tq * Tv) << 2);
    softmaxContextBackward(ds, dValue + (<usize>(b * Tv * Dv) << 2), dc, a, v, work, Tq, Tv, Dv, Dv, 1);
  }
}

// ---- Attention inside EncoderDecoder (time-major; separate from the batch-major op above) ----
// Sequences as the model keeps them: query [Tq, B, D], key [Tv, B, D], value [Tv, B, Dv], context
// [Tq, B, Dv], source mask [Tv, B] (time-major, 1 real / 0 padding) or 0. Scores and weights are
// batch-major rows of Tv: row (b, i) at scores + (b·ldW + i·Tv)·4, so a decoder that runs one step
// at a time (Tq = 1) writes step t of a [B, Tt, Tv] buffer with scores + t·Tv·4 and ldW = Tt·Tv.
//
//   seq_dot_scores_f32(scores, query, key, work, B, Tq, Tv, D, ldW):  S_b = Q_b·K_bᵀ  (Luong's dot/general)
//   seq_dot_scores_backward_f32(dQuery +=, dKey +=, dScores, query, key, work, B, Tq, Tv, D, ldW):
//       dQ_b += dS_b·K_b;  dK_b += dS_bᵀ·Q_b
//   seq_attend_f32(context, weights (scores in, weights out), value, mask, work, B, Tq, Tv, Dv, ldW):
//       A = softmax over the real value steps (mask 0 → weight exactly 0; every step masked → all 0),
//       C_b = A_b·V_b. Softmax as attention_forward_f32 (largest real score subtracted, f64 sums).
//   seq_attend_backward_f32(dScores (out), dValue +=, dContext, weights, value, work, B, Tq, Tv, Dv, ldW):
//       dA_b = dC_b·V_bᵀ;  dV_b += A_bᵀ·dC_b;  dS = A ⊙ (dA − Σ_v dA⊙A) (row sums in f64)
//   seq_additive_scores_f32(scores, hidden [B, Tv, A], query [B, A], keys [Tv, B, A], v [A], B, Tv, A, ldW):
//       Bahdanau's score for one query step: hidden[b, j] = tanh(query[b] + keys[j, b]),
//       scores[b, j] = Σ_a v[a]·hidden[b, j, a] (f64 sum in order a = 0 … A−1)
//   seq_additive_scores_backward_f32(dQuery [B, A] +=, dKeys [Tv, B, A] +=, dV [A] +=, dScores, hidden, v, B, Tv, A, ldW):
//       g = dS[b, j]·v ⊙ (1 − hidden²);  dQuery[b] += Σ_j g;  dKeys[j, b] += g;  dV += dS[b, j]·hidden[b, j]
//       (elementwise, four lanes at a time on the SIMD build: the same operations per element, the
//       same bits; the scores' dot product is a scalar f64 loop on both builds)
import { tanh4, tanhScalar } from "./activations";

export function seq_dot_scores_f32(scores: usize, query: usize, key: usize, work: usize, B: i32, Tq: i32, Tv: i32, D: i32, ldW: i32): void {
  for (let b = 0; b < B; b++) {
    gemm_f32(scores + (<usize>(b * ldW) << 2), query + (<usize>(b * D) << 2), key + (<usize>(b * D) << 2), work, Tq, Tv, D, B * D, B * D, Tv, NO_TRANS, TRANS, 1, 0);
  }
}

export function seq_dot_scores_backward_f32(dQuery: usize, dKey: usize, dScores: usize, query: usize, key: usize, work: usize, B: i32, Tq: i32, Tv: i32, D: i32, ldW: i32): void {
  for (let b = 0; b < B; b++) {
    const ds = dScores + (<usize>(b * ldW) << 2);
    const o = <usize>(b * D) << 2;
    gemm_f32(dQuery + o, ds, key + o, work, Tq, D, Tv, Tv, B * D, B * D, NO_TRANS, NO_TRANS, 1, 1);
    gemm_f32(dKey + o, ds, query + o, work, Tv, D, Tq, Tv, B * D, B * D, TRANS, NO_TRANS, 1, 1);
  }
}

export function seq_attend_f32(context: usize, weights: usize, value: usize, mask: usize, work: usize, B: i32, Tq: i32, Tv: i32, Dv: i32, ldW: i32): void {
  for (let b = 0; b < B; b++) {
    const a = weights + (<usize>(b * ldW) << 2);
    const m = mask ? mask + (<usize>b << 2) : 0; // time-major [Tv, B]: step j of sample b at m + j·B·4
    for (let i = 0; i < Tq; i++) maskedSoftmaxRow(a + (<usize>(i * Tv) << 2), m, <usize>B << 2, Tv);
    gemm_f32(context + (<usize>(b * Dv) << 2), a, value + (<usize>(b * Dv) << 2), work, Tq, Dv, Tv, Tv, B * Dv, B * Dv, NO_TRANS, NO_TRANS, 1, 0);
  }
}

export function seq_attend_backward_f32(dScores: usize, dValue: usize, dContext: usize, weights: usize, value: usize, work: usize, B: i32, Tq: i32, Tv: i32, Dv: i32, ldW: i32): void {
  for (let b = 0; b < B; b++) {
    const a = weights + (<usize>(b * ldW) << 2);
    const ds = dScores + (<usize>(b * ldW) << 2);
    const o = <usize>(b * Dv) << 2;
    softmaxContextBackward(ds, dValue + o, dContext + o, a, value + o, work, Tq, Tv, Dv, B * Dv, 1);
  }
}

export function seq_additive_scores_f32(scores: usize, hidden: usize, query: usize, keys: usize, v: usize, B: i32, Tv: i32, A: i32, ldW: i32): void {
  for (let b = 0; b < B; b++) {
    const q = query + (<usize>(b * A) << 2);
    for (let j = 0; j < Tv; j++) {
      const k = keys + (<usize>((j * B + b) * A) << 2);
      const h = hidden + (<usize>((b * Tv + j) * A) << 2);
      let i = 0;
      if (ASC_FEATURE_SIMD) {
        for (; i + 4 <= A; i += 4) {
          const o = <usize>i << 2;
          v128.store(h + o, tanh4(f32x4.add(v128.load(q + o), v128.load(k + o))));
        }
      }
      for (; i < A; i++) {
        const o = <usize>i << 2;
        store<f32>(h + o, tanhScalar(load<f32>(q + o) + load<f32>(k + o)));
      }
      let s: f64 = 0;
      for (let i = 0; i < A; i++) s += <f64>(load<f32>(v + (<usize>i << 2)) * load<f32>(h + (<usize>i << 2)));
      store<f32>(scores + (<usize>(b * ldW + j) << 2), <f32>s);
    }
  }
}

export function seq_additive_scores_backward_f32(dQuery: usize, dKeys: usize, dV: usize, dScores: usize, hidden: usize, v: usize, B: i32, Tv: i32, A: i32, ldW: i32): void {
  for (let b = 0; b < B; b++) {
    const dq = dQuery + (<usize>(b * A) << 2);
    for (let j = 0; j < Tv; j++) {
      const g = load<f32>(dScores + (<usize>(b * ldW + j) << 2));
      const dk = dKeys + (<usize>((j * B + b) * A) << 2);
      const h = hidden + (<usize>((b * Tv + j) * A) << 2);
      let i = 0;
      if (ASC_FEATURE_SIMD) {
        const g4 = f32x4.splat(g);
        const one4 = f32x4.splat(1);
        for (; i + 4 <= A; i += 4) {
          const o = <usize>i << 2;
          const t = v128.load(h + o);
          const pre = f32x4.mul(f32x4.mul(g4, v128.load(v + o)), f32x4.sub(one4, f32x4.mul(t, t)));
          v128.store(dq + o, f32x4.add(v128.load(dq + o), pre));
          v128.store(dk + o, f32x4.add(v128.load(dk + o), pre));
          v128.store(dV + o, f32x4.add(v128.load(dV + o), f32x4.mul(g4, t)));
        }
      }
      for (; i < A; i++) {
        const o = <usize>i << 2;
        const t = load<f32>(h + o);
        const pre = g * load<f32>(v + o) * (1 - t * t);
        store<f32>(dq + o, load<f32>(dq + o) + pre);
        store<f32>(dk + o, load<f32>(dk + o) + pre);
        store<f32>(dV + o, load<f32>(dV + o) + g * t);
      }
    }
  }
}
