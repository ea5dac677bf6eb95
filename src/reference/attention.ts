// Dot-product attention in plain TypeScript, f64, one sample, as the equations read:
// S = scale·Q·Kᵀ, A = softmax over the value steps (masked steps 0; an all-masked row all 0), C = A·V;
// backward: dA = dC·Vᵀ, dV = Aᵀ·dC, dS = scale·A⊙(dA − Σ_v dA⊙A), dQ = dS·K, dK = dSᵀ·Q.
type M = number[][];

export function attentionForward(q: M, k: M, v: M, mask: readonly number[] | null, scale: number): { weights: M; context: M } {
  const weights = q.map((qi) => {
    const s = k.map((kj) => scale * qi.reduce((sum, x, d) => sum + x * kj[d], 0));
    const live = s.map((_, j) => !mask || mask[j] !== 0);
    const top = Math.max(...s.filter((_, j) => live[j]));
    const e = s.map((x, j) => (live[j] ? Math.exp(x - top) : 0));
    const total = e.reduce((a, b) => a + b, 0);
    return e.map((x) => (total > 0 ? x / total : 0));
  });
  const context = weights.map((a) => v[0].map((_, d) => a.reduce((sum, w, j) => sum + w * v[j][d], 0)));
  return { weights, context };
}

export function attentionBackward(q: M, k: M, v: M, weights: M, dContext: M, scale: number): { dQuery: M; dKey: M; dValue: M } {
  const dA = dContext.map((dc) => v.map((vj) => dc.reduce((sum, x, d) => sum + x * vj[d], 0)));
  const dValue = v.map((vj, j) => vj.map((_, d) => weights.reduce((sum, a, i) => sum + a[j] * dContext[i][d], 0)));
  const dS = weights.map((a, i) => {
    const dot = a.reduce((sum, w, j) => sum + w * dA[i][j], 0);
    return a.map((w, j) => scale * w * (dA[i][j] - dot));
  });
  const dQuery = q.map((qi, i) => qi.map((_, d) => dS[i].reduce((sum, s, j) => sum + s * k[j][d], 0)));
  const dKey = k.map((kj, j) => kj.map((_, d) => dS.reduce((sum, row, i) => sum + row[j] * q[i][d], 0)));
  return { dQuery, dKey, dValue };
}

// Additive attention (Keras's AdditiveAttention, Bahdanau's score), f64, one sample:
// S_ij = Σ_d scale_d·tanh(q_id + k_jd), A = masked softmax over the value steps, C = A·V;
// backward: dA = dC·Vᵀ, dV = Aᵀ·dC, dS = A⊙(dA − Σ_v dA⊙A), u_ijd = dS_ij·scale_d·(1 − tanh²(q_id + k_jd)),
// dQ_i = Σ_j u_ij, dK_j = Σ_i u_ij, dScale_d = Σ_ij dS_ij·tanh(q_id + k_jd). scale null: all ones.
export function additiveAttentionForward(q: M, k: M, v: M, mask: readonly number[] | null, scale: readonly number[] | null): { scores: M; weights: M; context: M } {
  const s = (d: number): number => (scale ? scale[d] : 1);
  const scores = q.map((qi) => k.map((kj) => qi.reduce((sum, x, d) => sum + s(d) * Math.tanh(x + kj[d]), 0)));
  const weights = scores.map((row) => {
    const live = row.map((_, j) => !mask || mask[j] !== 0);
    const top = Math.max(...row.filter((_, j) => live[j]));
    const e = row.map((x, j) => (live[j] ? Math.exp(x - top) : 0));
    const total = e.reduce((a, b) => a + b, 0);
    return e.map((x) => (total > 0 ? x / total : 0));
  });
  const context = weights.map((a) => v[0].map((_, d) => a.reduce((sum, w, j) => sum + w * v[j][d], 0)));
  return { scores, weights, context };
}

export function additiveAttentionBackward(
  q: M, k: M, v: M, weights: M, dContext: M, scale: readonly number[] | null,
): { dQuery: M; dKey: M; dValue: M; dScale: number[] } {
  const s = (d: number): number => (scale ? scale[d] : 1);
  const dA = dContext.map((dc) => v.map((vj) => dc.reduce((sum, x, d) => sum + x * vj[d], 0)));
  const dValue = v.map((vj, j) => vj.map((_, d) => weights.reduce((sum, a, i) => sum + a[j] * dContext[i][d], 0)));
  const dS = weights.map((a, i) => {
    const dot = a.reduce((sum, w, j) => sum + w * dA[i][j], 0);
    return a.map((w, j) => w * (dA[i][j] - dot));
  });
  const u = (i: number, j: number, d: number): number => dS[i][j] * s(d) * (1 - Math.tanh(q[i][d] + k[j][d]) ** 2);
  const dQuery = q.map((qi, i) => qi.map((_, d) => k.reduce((sum, _kj, j) => sum + u(i, j, d), 0)));
  const dKey = k.map((kj, j) => kj.map((_, d) => q.reduce((sum, _qi, i) => sum + u(i, j, d), 0)));
  const dScale = q[0].map((_, d) => q.reduce((sum, qi, i) => sum + k.reduce((t, kj, j) => t + dS[i][j] * Math.tanh(qi[d] + kj[d]), 0), 0));
  return { dQuery, dKey, dValue, dScale };
}

/**
 * Bahdanau's additive score for one query (EncoderDecoder's 'bahdanau' attention), in f64:
 * hidden_j = tanh(query + key_j), score_j = v·hidden_j; and its backward from dScores.
 */
export function additiveScores(query: readonly number[], keys: M, v: readonly number[]): { scores: number[]; hidden: M } {
  const hidden = keys.map((k) => k.map((x, a) => Math.tanh(query[a] + x)));
  return { scores: hidden.map((h) => h.reduce((s, x, a) => s + v[a] * x, 0)), hidden };
}

export function additiveScoresBackward(hidden: M, v: readonly number[], dScores: readonly number[]): { dQuery: number[]; dKeys: M; dV: number[] } {
  const dKeys = hidden.map((h, j) => h.map((x, a) => dScores[j] * v[a] * (1 - x * x)));
  const dQuery = v.map((_, a) => dKeys.reduce((s, row) => s + row[a], 0));
  const dV = v.map((_, a) => hidden.reduce((s, h, j) => s + dScores[j] * h[a], 0));
  return { dQuery, dKeys, dV };
}
