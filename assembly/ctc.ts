// Connectionist temporal classification (Graves, Fernández, Gomez & Schmidhuber 2006): the loss
// −ln p(l | x) of a label sequence l under per-step class scores, summed over every alignment
// (a path of one class per step that collapses to l once repeats are merged and blanks dropped),
// by the forward–backward recursions in log space, in f64; and best-path (greedy) decoding.
//
//   ctc_loss_f32(dLogits [T, B, C] or 0, losses f64 [B], logits [T, B, C], labels i32 [B, maxL],
//                labelLengths i32 [B], inputLengths i32 [B], scales f32 [B], work f64 [ctc_work_f64(T, C, maxL)],
//                T, B, C, maxL, blank)
//     logits: unnormalised scores, time-major (step t of sequence b is row t·B + b); the loss applies
//       the log-softmax itself. Sequence b uses steps 0 … inputLengths[b] − 1 and labels
//       labels[b, 0 … labelLengths[b] − 1] (each in [0, C), none = blank; TypeScript checks).
//     losses[b] = −ln p(l_b | x_b); +Infinity when no alignment exists (the input too short).
//     dLogits[t, b, :] = scales[b]·(softmax(z_{t,b}) − γ_t), γ_t(k) = Σ_{s: l'_s = k} α_t(s)·β_t(s) / p,
//       the posterior probability of class k at step t; 0 for t ≥ inputLengths[b], and 0 for every
//       step of a sequence whose p is 0 (PyTorch's zero_infinity; TypeScript refuses such input
//       unless asked for that). Written, not accumulated.
//   ctc_work_f64(T, C, maxL): f64 values of `work`: log-softmax [T, C], α and β [T, S], γ [C];
//     S = 2·maxL + 1.
//   ctc_greedy_f32(decoded i32 [B, T], decodedLengths i32 [B], logits [T, B, C], inputLengths i32 [B], T, B, C, blank)
//     Best path: the arg-max class of each step (the first on ties), repeats merged, blanks dropped.
//
// l' is l with a blank before, between and after its labels (S = 2L + 1 states). In log space:
//   α_0(0) = y_0(blank), α_0(1) = y_0(l_1), α_t(s) = y_t(l'_s) · (α_{t−1}(s) + α_{t−1}(s−1) + [skip] α_{t−1}(s−2))
//   β_{T−1}(S−1) = β_{T−1}(S−2) = 1, β_t(s) = Σ_{s' ∈ {s, s+1, s+2 if skip}} β_{t+1}(s')·y_{t+1}(l'_{s'})
//   (this β leaves out step t's own emission, so α_t(s)·β_t(s) sums the paths through s at t)
//   skip into s: l'_s ≠ blank and l'_s ≠ l'_{s−2};  p = α_{T−1}(S−1) + α_{T−1}(S−2)  (α_{T−1}(0) when L = 0)
// Two paths compute this. The fast one works with probabilities, α and β rescaled to sum 1 at each
// step (scaledSequence: a few multiply-adds per state, one exp per class and step); when a rescaling
// underflows — scores more than ~700 apart, or no alignment — the sequence is recomputed in log
// space (logSpaceSequence: log-add-exp per state; the loss is then finite however far apart the
// scores are, or +Infinity with a zero gradient when no alignment exists). Both are exact in f64 to
// rounding. Every sum has a fixed order, so the SIMD and scalar builds give the same bits.

// @ts-ignore: decorator
@inline function logAdd(a: f64, b: f64): f64 {
  if (a == -Infinity) return b;
  if (b == -Infinity) return a;
  return a > b ? a + Math.log1p(Math.exp(b - a)) : b + Math.log1p(Math.exp(a - b));
}

/** l'_s: blank at even s, label (s − 1)/2 at odd s. */
// @ts-ignore: decorator
@inline function extended(labels: usize, s: i32, blank: i32): i32 {
  return (s & 1) == 0 ? blank : load<i32>(labels + (<usize>(s >> 1) << 2));
}

export function ctc_work_f64(T: i32, C: i32, maxL: i32): i32 {
  return T * C + 2 * T * (2 * maxL + 1) + C;
}

export function ctc_loss_f32(
  dLogits: usize, losses: usize, logits: usize, labels: usize, labelLengths: usize, inputLengths: usize,
  scales: usize, work: usize, T: i32, B: i32, C: i32, maxL: i32, blank: i32,
): void {
  for (let b = 0; b < B; b++) {
    const Tb = load<i32>(inputLengths + (<usize>b << 2));
    const L = load<i32>(labelLengths + (<usize>b << 2));
    const lab = labels + (<usize>(b * maxL) << 2);
    const scale = <f64>load<f32>(scales + (<usize>b << 2));
    for (let t = Tb; dLogits != 0 && t < T; t++) memory.fill(dLogits + (<usize>((t * B + b) * C) << 2), 0, <usize>C << 2);
    if (!scaledSequence(dLogits, losses, logits, lab, work, b, Tb, L, T, B, C, maxL, blank, scale)) {
      logSpaceSequence(dLogits, losses, logits, lab, work, b, Tb, L, T, B, C, maxL, blank, scale);
    }
  }
}

/** The first step's address of sequence b's row t in a [T, B, C] f32 batch. */
// @ts-ignore: decorator
@inline function rowOf(base: usize, t: i32, b: i32, B: i32, C: i32): usize {
  return base + (<usize>((t * B + b) * C) << 2);
}

/**
 * The fast path: probabilities, with α and β rescaled to sum 1 at every step (Rabiner's scaling):
 * ln p = Σ_t ln c_t over α's scale factors c_t, and γ_t(k) = Σ_{s: l'_s = k} α̂_t(s)β̂_t(s) / Σ_s α̂_t(s)β̂_t(s).
 * Returns false when a scale factor underflows to 0 (scores so far apart that a step's every
 * reachable state has probability below 2⁻¹⁰⁷⁴ of the previous one, or no alignment at all); the
 * log-space path then recomputes the sequence's loss and gradient from the start.
 */
function scaledSequence(
  dLogits: usize, losses: usize, logits: usize, lab: usize, work: usize,
  b: i32, Tb: i32, L: i32, T: i32, B: i32, C: i32, maxL: i32, blank: i32, scale: f64,
): bool {
  const Smax = 2 * maxL + 1;
  const S = 2 * L + 1;
  const y = work;                                             // [T, C] probabilities
  const alpha = y + (<usize>(T * C) << 3);                    // [T, Smax]
  const beta = alpha + (<usize>(T * Smax) << 3);              // [T, Smax]
  const gamma = beta + (<usize>(T * Smax) << 3);              // [C]
  for (let t = 0; t < Tb; t++) {
    const z = rowOf(logits, t, b, B, C);
    let m: f64 = -Infinity;
    for (let k = 0; k < C; k++) m = max(m, <f64>load<f32>(z + (<usize>k << 2)));
    let sum: f64 = 0;
    const row = y + (<usize>(t * C) << 3);
    for (let k = 0; k < C; k++) {
      const e = Math.exp(<f64>load<f32>(z + (<usize>k << 2)) - m);
      store<f64>(row + (<usize>k << 3), e);
      sum += e;
    }
    const inverse = 1 / sum;
    for (let k = 0; k < C; k++) store<f64>(row + (<usize>k << 3), load<f64>(row + (<usize>k << 3)) * inverse);
  }
  // α̂, forward; ln p = Σ ln c_t.
  let logProb: f64 = 0;
  let c: f64 = 0;
  for (let s = 0; s < S; s++) {
    const v: f64 = s < 2 ? load<f64>(y + (<usize>extended(lab, s, blank) << 3)) : 0;
    store<f64>(alpha + (<usize>s << 3), v);
    c += v;
  }
  for (let t = 0; ; ) {
    if (!(c > 0)) return false;
    const cur = alpha + (<usize>(t * Smax) << 3);
    const inverse = 1 / c;
    for (let s = 0; s < S; s++) store<f64>(cur + (<usize>s << 3), load<f64>(cur + (<usize>s << 3)) * inverse);
    logProb += Math.log(c);
    if (++t == Tb) break;
    const next = alpha + (<usize>(t * Smax) << 3);
    const row = y + (<usize>(t * C) << 3);
    c = 0;
    for (let s = 0; s < S; s++) {
      const k = extended(lab, s, blank);
      let a = load<f64>(cur + (<usize>s << 3));
      if (s >= 1) a += load<f64>(cur + (<usize>(s - 1) << 3));
      if (s >= 2 && k != blank && k != extended(lab, s - 2, blank)) a += load<f64>(cur + (<usize>(s - 2) << 3));
      const v = a * load<f64>(row + (<usize>k << 3));
      store<f64>(next + (<usize>s << 3), v);
      c += v;
    }
  }
  // The end: the last step's final two states (one when L = 0), as a fraction of the rescaled total.
  const last = alpha + (<usize>((Tb - 1) * Smax) << 3);
  const ending: f64 = L == 0 ? load<f64>(last) : load<f64>(last + (<usize>(S - 1) << 3)) + load<f64>(last + (<usize>(S - 2) << 3));
  if (!(ending > 0)) return false;
  logProb += Math.log(ending);
  store<f64>(losses + (<usize>b << 3), -logProb);
  if (dLogits == 0) return true;
  // β̂, backward (step t's own emission left out), rescaled to sum 1 per step.
  const end = beta + (<usize>((Tb - 1) * Smax) << 3);
  for (let s = 0; s < S; s++) store<f64>(end + (<usize>s << 3), s >= S - 2 ? 1 : 0);
  for (let t = Tb - 2; t >= 0; t--) {
    const next = beta + (<usize>((t + 1) * Smax) << 3);
    const cur = beta + (<usize>(t * Smax) << 3);
    const row = y + (<usize>((t + 1) * C) << 3);
    let total: f64 = 0;
    for (let s = 0; s < S; s++) {
      let v = load<f64>(next + (<usize>s << 3)) * load<f64>(row + (<usize>extended(lab, s, blank) << 3));
      if (s + 1 < S) v += load<f64>(next + (<usize>(s + 1) << 3)) * load<f64>(row + (<usize>extended(lab, s + 1, blank) << 3));
      if (s + 2 < S) {
        const k2 = extended(lab, s + 2, blank);
        if (k2 != blank && k2 != extended(lab, s, blank)) v += load<f64>(next + (<usize>(s + 2) << 3)) * load<f64>(row + (<usize>k2 << 3));
      }
      store<f64>(cur + (<usize>s << 3), v);
      total += v;
    }
    if (!(total > 0)) return false;
    const inverse = 1 / total;
    for (let s = 0; s < S; s++) store<f64>(cur + (<usize>s << 3), load<f64>(cur + (<usize>s << 3)) * inverse);
  }
  // dz = scale·(y − γ).
  for (let t = 0; t < Tb; t++) {
    for (let k = 0; k < C; k++) store<f64>(gamma + (<usize>k << 3), 0);
    const a = alpha + (<usize>(t * Smax) << 3);
    const bt = beta + (<usize>(t * Smax) << 3);
    let total: f64 = 0;
    for (let s = 0; s < S; s++) {
      const g = gamma + (<usize>extended(lab, s, blank) << 3);
      const v = load<f64>(a + (<usize>s << 3)) * load<f64>(bt + (<usize>s << 3));
      store<f64>(g, load<f64>(g) + v);
      total += v;
    }
    if (!(total > 0)) return false;
    const inverse = 1 / total;
    const row = y + (<usize>(t * C) << 3);
    const d = rowOf(dLogits, t, b, B, C);
    for (let k = 0; k < C; k++) {
      store<f32>(d + (<usize>k << 2), <f32>(scale * (load<f64>(row + (<usize>k << 3)) - load<f64>(gamma + (<usize>k << 3)) * inverse)));
    }
  }
  return true;
}

/** The robust path, all in log space (for scores far apart, and for sequences with no alignment: loss +Infinity, zero gradient). */
function logSpaceSequence(
  dLogits: usize, losses: usize, logits: usize, lab: usize, work: usize,
  b: i32, Tb: i32, L: i32, T: i32, B: i32, C: i32, maxL: i32, blank: i32, scale: f64,
): void {
  const Smax = 2 * maxL + 1;
  const S = 2 * L + 1;
  const logp = work;                                          // [T, C]
  const alpha = logp + (<usize>(T * C) << 3);                 // [T, Smax]
  const beta = alpha + (<usize>(T * Smax) << 3);              // [T, Smax]
  const gamma = beta + (<usize>(T * Smax) << 3);              // [C]
  // Log-softmax of each step: z − (m + log Σ exp(z − m)).
  for (let t = 0; t < Tb; t++) {
    const z = logits + (<usize>((t * B + b) * C) << 2);
    let m: f64 = -Infinity;
    for (let k = 0; k < C; k++) m = max(m, <f64>load<f32>(z + (<usize>k << 2)));
    let sum: f64 = 0;
    for (let k = 0; k < C; k++) sum += Math.exp(<f64>load<f32>(z + (<usize>k << 2)) - m);
    const lse = m + Math.log(sum);
    const row = logp + (<usize>(t * C) << 3);
    for (let k = 0; k < C; k++) store<f64>(row + (<usize>k << 3), <f64>load<f32>(z + (<usize>k << 2)) - lse);
  }
  // α, forward.
  for (let s = 0; s < S; s++) {
    const v: f64 = s < 2 ? load<f64>(logp + (<usize>extended(lab, s, blank) << 3)) : -Infinity;
    store<f64>(alpha + (<usize>s << 3), v);
  }
  for (let t = 1; t < Tb; t++) {
    const prev = alpha + (<usize>((t - 1) * Smax) << 3);
    const cur = alpha + (<usize>(t * Smax) << 3);
    const row = logp + (<usize>(t * C) << 3);
    for (let s = 0; s < S; s++) {
      const k = extended(lab, s, blank);
      let a = load<f64>(prev + (<usize>s << 3));
      if (s >= 1) a = logAdd(a, load<f64>(prev + (<usize>(s - 1) << 3)));
      if (s >= 2 && k != blank && k != extended(lab, s - 2, blank)) a = logAdd(a, load<f64>(prev + (<usize>(s - 2) << 3)));
      store<f64>(cur + (<usize>s << 3), a == -Infinity ? a : a + load<f64>(row + (<usize>k << 3)));
    }
  }
  const last = alpha + (<usize>((Tb - 1) * Smax) << 3);
  const logProb = L == 0 ? load<f64>(last) : logAdd(load<f64>(last + (<usize>(S - 1) << 3)), load<f64>(last + (<usize>(S - 2) << 3)));
  store<f64>(losses + (<usize>b << 3), -logProb);
  if (dLogits == 0) return;
  if (logProb == -Infinity) {
    for (let t = 0; t < Tb; t++) memory.fill(dLogits + (<usize>((t * B + b) * C) << 2), 0, <usize>C << 2);
    return;
  }
  // β, backward (without step t's own emission).
  const end = beta + (<usize>((Tb - 1) * Smax) << 3);
  for (let s = 0; s < S; s++) store<f64>(end + (<usize>s << 3), s >= S - 2 ? 0 : -Infinity);
  for (let t = Tb - 2; t >= 0; t--) {
    const next = beta + (<usize>((t + 1) * Smax) << 3);
    const cur = beta + (<usize>(t * Smax) << 3);
    const row = logp + (<usize>((t + 1) * C) << 3);
    for (let s = 0; s < S; s++) {
      let v = load<f64>(next + (<usize>s << 3)) + load<f64>(row + (<usize>extended(lab, s, blank) << 3));
      if (s + 1 < S) v = logAdd(v, load<f64>(next + (<usize>(s + 1) << 3)) + load<f64>(row + (<usize>extended(lab, s + 1, blank) << 3)));
      if (s + 2 < S) {
        const k2 = extended(lab, s + 2, blank);
        if (k2 != blank && k2 != extended(lab, s, blank)) v = logAdd(v, load<f64>(next + (<usize>(s + 2) << 3)) + load<f64>(row + (<usize>k2 << 3)));
      }
      store<f64>(cur + (<usize>s << 3), v);
    }
  }
  // dz = scale·(softmax − γ).
  for (let t = 0; t < Tb; t++) {
    for (let k = 0; k < C; k++) store<f64>(gamma + (<usize>k << 3), -Infinity);
    const a = alpha + (<usize>(t * Smax) << 3);
    const bt = beta + (<usize>(t * Smax) << 3);
    for (let s = 0; s < S; s++) {
      const g = gamma + (<usize>extended(lab, s, blank) << 3);
      store<f64>(g, logAdd(load<f64>(g), load<f64>(a + (<usize>s << 3)) + load<f64>(bt + (<usize>s << 3))));
    }
    const row = logp + (<usize>(t * C) << 3);
    const d = dLogits + (<usize>((t * B + b) * C) << 2);
    for (let k = 0; k < C; k++) {
      const posterior = Math.exp(load<f64>(gamma + (<usize>k << 3)) - logProb);
      store<f32>(d + (<usize>k << 2), <f32>(scale * (Math.exp(load<f64>(row + (<usize>k << 3))) - posterior)));
    }
  }
}

/** The first index of the largest of the C scores at z (f32): a best-path step. */
// @ts-ignore: decorator
@inline function argmaxRow(z: usize, C: i32): i32 {
  let best = 0;
  let top = load<f32>(z);
  for (let k = 1; k < C; k++) {
    const v = load<f32>(z + (<usize>k << 2));
    if (v > top) {
      top = v;
      best = k;
    }
  }
  return best;
}

export function ctc_greedy_f32(decoded: usize, decodedLengths: usize, logits: usize, inputLengths: usize, T: i32, B: i32, C: i32, blank: i32): void {
  for (let b = 0; b < B; b++) {
    const Tb = load<i32>(inputLengths + (<usize>b << 2));
    const out = decoded + (<usize>(b * T) << 2);
    let n = 0;
    let previous = -1;
    for (let t = 0; t < Tb; t++) {
      const z = logits + (<usize>((t * B + b) * C) << 2);
      const best = argmaxRow(z, C);
      if (best != blank && best != previous) store<i32>(out + (<usize>(n++) << 2), best);
      previous = best;
    }
    store<i32>(decodedLengths + (<usize>b << 2), n);
  }
}

// ---- Prefix beam search (Graves 2012 §7.5, Hannun et al. 2014) ----
//
//   ctc_beam_work_floats(T, C, W): the 4-byte values of `work` (f64 arrays first; `work` 8-byte aligned)
//   ctc_beam_f32(decoded i32 [B, n, T], decodedLengths i32 [B, n], logProbs f64 [B, n], found i32 [B],
//                logits [T, B, C], inputLengths i32 [B], work, T, B, C, blank, W, n)
//     For each sequence, the n most probable labellings found by keeping the W best prefixes at every
//     step, best first (found[b] ≤ n of them: fewer when fewer distinct prefixes exist). A prefix ℓ
//     carries two log-probabilities over the alignments of steps 0 … t that collapse to it: p_b (the
//     last step blank) and p_nb (the last step ℓ's last label). With y = the step's log-softmax:
//       stay:   p_b⁺(ℓ) ⊕= (p_b ⊕ p_nb)(ℓ) + y(blank);   p_nb⁺(ℓ) ⊕= p_nb(ℓ) + y(last(ℓ))   (a repeat merges)
//       extend: p_nb⁺(ℓ + c) ⊕= (c = last(ℓ) ? p_b(ℓ) : (p_b ⊕ p_nb)(ℓ)) + y(c)   for every label c ≠ blank
//               (a repeated label needs a blank between, so only ℓ's blank-ending mass extends by it)
//     ⊕ = log-add-exp, in f64. Equal prefixes reached from different beams are one candidate (merged);
//     the W candidates with the largest p_b ⊕ p_nb survive (ties: the one found first). logProbs[b, r]
//     is the surviving prefix's p_b ⊕ p_nb: ln p(ℓ | x) when no alignment of ℓ was pruned on the way
//     (always, for a beam as wide as the number of prefixes), a lower bound otherwise.
//     W = 1 is best-path decoding (ctc_greedy_f32's labels: the arg-max of each step's logits, the first
//     on ties, repeats merged, blanks dropped) with the best path's log-probability Σ_t y_t(arg max).
//   Prefixes live in a tree (a node per prefix: parent, last label, first child, next sibling), so a
//   prefix is one node and merging is comparing node ids; at most W nodes are made per step.

/** f64 log-softmax of one step's f32 scores into out [C]. */
function logSoftmaxRow(out: usize, z: usize, C: i32): void {
  let m: f64 = -Infinity;
  for (let k = 0; k < C; k++) m = max(m, <f64>load<f32>(z + (<usize>k << 2)));
  let sum: f64 = 0;
  for (let k = 0; k < C; k++) sum += Math.exp(<f64>load<f32>(z + (<usize>k << 2)) - m);
  const lse = m + Math.log(sum);
  for (let k = 0; k < C; k++) store<f64>(out + (<usize>k << 3), <f64>load<f32>(z + (<usize>k << 2)) - lse);
}

export function ctc_beam_work_floats(T: i32, C: i32, W: i32): i32 {
  const nodes = 1 + T * W;
  return 2 * (C + 2 * W + 3 * W * C) + (2 * W + 3 * W * C + 5 * nodes);
}

// @ts-ignore: decorator
@inline function i32At(base: usize, i: i32): usize {
  return base + (<usize>i << 2);
}

// @ts-ignore: decorator
@inline function f64At(base: usize, i: i32): usize {
  return base + (<usize>i << 3);
}

export function ctc_beam_f32(
  decoded: usize, decodedLengths: usize, logProbs: usize, found: usize, logits: usize, inputLengths: usize, work: usize,
  T: i32, B: i32, C: i32, blank: i32, W: i32, n: i32,
): void {
  const WC = W * C;
  const nodeMax = 1 + T * W;
  const lp = work;                                   // f64 [C]
  const beamPb = f64At(lp, C);                       // f64 [W]
  const beamPnb = f64At(beamPb, W);                  // f64 [W]
  const candPb = f64At(beamPnb, W);                  // f64 [W·C]
  const candPnb = f64At(candPb, WC);                 // f64 [W·C]
  const candTotal = f64At(candPnb, WC);              // f64 [W·C]
  const beamNode = f64At(candTotal, WC);             // i32 [W]
  const candNode = i32At(beamNode, W);               // i32 [W·C]: the prefix's node, or −1 (a new prefix)
  const candParent = i32At(candNode, WC);            // i32 [W·C]: a new prefix's parent node
  const candLabel = i32At(candParent, WC);           // i32 [W·C]: a new prefix's last label
  const selected = i32At(candLabel, WC);             // i32 [W]: surviving candidates, best first
  const nodeParent = i32At(selected, W);             // i32 [nodeMax]
  const nodeLabel = i32At(nodeParent, nodeMax);      // i32 [nodeMax]
  const nodeChild = i32At(nodeLabel, nodeMax);       // i32 [nodeMax]: first child or −1
  const nodeSibling = i32At(nodeChild, nodeMax);     // i32 [nodeMax]: next sibling or −1
  const nodeSlot = i32At(nodeSibling, nodeMax);      // i32 [nodeMax]: its candidate this step, or −1
  for (let b = 0; b < B; b++) {
    const Tb = load<i32>(i32At(inputLengths, b));
    const out = decoded + (<usize>(b * n * T) << 2);
    if (W == 1) {
      // Best path.
      let count = 0;
      let previous = -1;
      let total: f64 = 0;
      for (let t = 0; t < Tb; t++) {
        const z = logits + (<usize>((t * B + b) * C) << 2);
        const best = argmaxRow(z, C);
        logSoftmaxRow(lp, z, C);
        total += load<f64>(f64At(lp, best));
        if (best != blank && best != previous) store<i32>(i32At(out, count++), best);
        previous = best;
      }
      store<i32>(i32At(decodedLengths, b * n), count);
      store<f64>(f64At(logProbs, b * n), total);
      store<i32>(i32At(found, b), 1);
      continue;
    }
    // The empty prefix: the root, with p_b = ln 1.
    store<i32>(nodeParent, -1);
    store<i32>(nodeLabel, -1);
    store<i32>(nodeChild, -1);
    store<i32>(nodeSibling, -1);
    store<i32>(nodeSlot, -1);
    let nodes = 1;
    store<i32>(beamNode, 0);
    store<f64>(beamPb, 0);
    store<f64>(beamPnb, -Infinity);
    let size = 1;
    for (let t = 0; t < Tb; t++) {
      logSoftmaxRow(lp, logits + (<usize>((t * B + b) * C) << 2), C);
      const yBlank = load<f64>(f64At(lp, blank));
      let candidates = 0;
      for (let e = 0; e < size; e++) {
        const p = load<i32>(i32At(beamNode, e));
        const pb = load<f64>(f64At(beamPb, e));
        const pnb = load<f64>(f64At(beamPnb, e));
        const both = logAdd(pb, pnb);
        const last = load<i32>(i32At(nodeLabel, p));
        // Stay: ℓ itself (a blank, or its last label repeated).
        let slot = load<i32>(i32At(nodeSlot, p));
        if (slot < 0) {
          slot = candidates++;
          store<i32>(i32At(nodeSlot, p), slot);
          store<i32>(i32At(candNode, slot), p);
          store<f64>(f64At(candPb, slot), -Infinity);
          store<f64>(f64At(candPnb, slot), -Infinity);
        }
        store<f64>(f64At(candPb, slot), logAdd(load<f64>(f64At(candPb, slot)), both + yBlank));
        if (last >= 0) store<f64>(f64At(candPnb, slot), logAdd(load<f64>(f64At(candPnb, slot)), pnb + load<f64>(f64At(lp, last))));
        // Extend: ℓ + c.
        for (let c = 0; c < C; c++) {
          if (c == blank) continue;
          const from = c == last ? pb : both;
          if (from == -Infinity) continue;
          let q = load<i32>(i32At(nodeChild, p));
          while (q >= 0 && load<i32>(i32At(nodeLabel, q)) != c) q = load<i32>(i32At(nodeSibling, q));
          let s = q >= 0 ? load<i32>(i32At(nodeSlot, q)) : -1;
          if (s < 0) {
            s = candidates++;
            store<i32>(i32At(candNode, s), q);
            store<i32>(i32At(candParent, s), p);
            store<i32>(i32At(candLabel, s), c);
            store<f64>(f64At(candPb, s), -Infinity);
            store<f64>(f64At(candPnb, s), -Infinity);
            if (q >= 0) store<i32>(i32At(nodeSlot, q), s);
          }
          store<f64>(f64At(candPnb, s), logAdd(load<f64>(f64At(candPnb, s)), from + load<f64>(f64At(lp, c))));
        }
      }
      // Keep the W best (insertion into a sorted list; a tie keeps the earlier candidate first).
      let kept = 0;
      for (let s = 0; s < candidates; s++) {
        const node = load<i32>(i32At(candNode, s));
        if (node >= 0) store<i32>(i32At(nodeSlot, node), -1);
        const total = logAdd(load<f64>(f64At(candPb, s)), load<f64>(f64At(candPnb, s)));
        store<f64>(f64At(candTotal, s), total);
        if (total == -Infinity) continue;
        if (kept == W && !(total > load<f64>(f64At(candTotal, load<i32>(i32At(selected, W - 1)))))) continue;
        let at = kept < W ? kept++ : W - 1;
        while (at > 0 && total > load<f64>(f64At(candTotal, load<i32>(i32At(selected, at - 1))))) {
          store<i32>(i32At(selected, at), load<i32>(i32At(selected, at - 1)));
          at--;
        }
        store<i32>(i32At(selected, at), s);
      }
      // The new beam; a surviving new prefix becomes a node.
      for (let e = 0; e < kept; e++) {
        const s = load<i32>(i32At(selected, e));
        let node = load<i32>(i32At(candNode, s));
        if (node < 0) {
          node = nodes++;
          const parent = load<i32>(i32At(candParent, s));
          store<i32>(i32At(nodeParent, node), parent);
          store<i32>(i32At(nodeLabel, node), load<i32>(i32At(candLabel, s)));
          store<i32>(i32At(nodeChild, node), -1);
          store<i32>(i32At(nodeSibling, node), load<i32>(i32At(nodeChild, parent)));
          store<i32>(i32At(nodeSlot, node), -1);
          store<i32>(i32At(nodeChild, parent), node);
        }
        store<i32>(i32At(beamNode, e), node);
        store<f64>(f64At(beamPb, e), load<f64>(f64At(candPb, s)));
        store<f64>(f64At(beamPnb, e), load<f64>(f64At(candPnb, s)));
      }
      size = kept;
    }
    // The n best, labels read from the tree back to the root.
    const count = min(n, size);
    for (let r = 0; r < count; r++) {
      let length = 0;
      for (let v = load<i32>(i32At(beamNode, r)); v > 0; v = load<i32>(i32At(nodeParent, v))) length++;
      const row = out + (<usize>(r * T) << 2);
      let at = length;
      for (let v = load<i32>(i32At(beamNode, r)); v > 0; v = load<i32>(i32At(nodeParent, v))) store<i32>(i32At(row, --at), load<i32>(i32At(nodeLabel, v)));
      store<i32>(i32At(decodedLengths, b * n + r), length);
      store<f64>(f64At(logProbs, b * n + r), logAdd(load<f64>(f64At(beamPb, r)), load<f64>(f64At(beamPnb, r))));
    }
    store<i32>(i32At(found, b), count);
  }
}
