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
    for (let i = 0; i < Tq; i++) {
      const row = a + (<usize>(i * Tv) << 2);
      let top: f32 = -Infinity;
      for (let j = 0; j < Tv; j++) if (!m || load<f32>(m + (<usize>j << 2)) != 0) top = max(top, load<f32>(row + (<usize>j << 2)));
      let sum: f64 = 0;
      for (let j = 0; j < Tv; j++) {
        const e: f32 = !m || load<f32>(m + (<usize>j << 2)) != 0 ? expScalar(load<f32>(row + (<usize>j << 2)) - top) : 0;
        store<f32>(row + (<usize>j << 2), e);
        sum += <f64>e;
      }
      for (let j = 0; j < Tv; j++) {
        const o = row + (<usize>j << 2);
        store<f32>(o, sum > 0 ? <f32>(<f64>load<f32>(o) / sum) : 0);
      }
    }
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
    // dA = dC·Vᵀ into dS; dV += Aᵀ·dC.
    gemm_f32(dS, dc, v, work, Tq, Tv, Dv, Dv, Dv, Tv, NO_TRANS, TRANS, 1, 0);
    gemm_f32(dValue + (<usize>(b * Tv * Dv) << 2), a, dc, work, Tv, Dv, Tq, Tv, Dv, Dv, TRANS, NO_TRANS, 1, 1);
    // dS = scale · A ⊙ (dA − Σ dA⊙A).
    for (let i = 0; i < Tq; i++) {
      const ar = a + (<usize>(i * Tv) << 2);
      const dr = dS + (<usize>(i * Tv) << 2);
      let dot: f64 = 0;
      for (let j = 0; j < Tv; j++) dot += <f64>load<f32>(dr + (<usize>j << 2)) * <f64>load<f32>(ar + (<usize>j << 2));
      const d32 = <f32>dot;
      for (let j = 0; j < Tv; j++) {
        const o = <usize>j << 2;
        store<f32>(dr + o, scale * (load<f32>(ar + o) * (load<f32>(dr + o) - d32)));
      }
    }
    gemm_f32(dQuery + (<usize>(b * Tq * D) << 2), dS, k, work, Tq, D, Tv, Tv, D, D, NO_TRANS, NO_TRANS, 1, 1);
    gemm_f32(dKey + (<usize>(b * Tv * D) << 2), dS, q, work, Tv, D, Tq, Tv, D, D, TRANS, NO_TRANS, 1, 1);
  }
}
