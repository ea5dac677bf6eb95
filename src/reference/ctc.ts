// CTC in plain TypeScript, f64, for one sequence: the loss by the forward recursion in probability
// space, as Graves et al. (2006) write it (eqs. 5–8), its gradient by the forward–backward
// occupation probabilities (eqs. 9–16), the loss by brute force over every path (the definition:
// p(l|x) = Σ_{π: B(π) = l} Π_t y_t(π_t)), and best-path decoding. The oracle of assembly/ctc.ts.
// Probability space underflows for long inputs; the tests keep T small.

/** softmax of one step's scores. */
function softmax(z: ArrayLike<number>): number[] {
  const m = Math.max(...Array.from(z));
  const e = Array.from(z, (v) => Math.exp(v - m));
  const s = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / s);
}

/** l' = blank, l_1, blank, l_2, …, blank. */
function extend(labels: readonly number[], blank: number): number[] {
  const out = [blank];
  for (const l of labels) out.push(l, blank);
  return out;
}

/** logits [T][C] of one sequence → { loss: −ln p(l|x), gradient: d loss / d logits [T][C] }. */
export function ctcLoss(logits: readonly (readonly number[])[], labels: readonly number[], blank = 0): { loss: number; gradient: number[][] } {
  const T = logits.length;
  const y = logits.map(softmax);
  const lp = extend(labels, blank);
  const S = lp.length;
  const skip = (s: number): boolean => s >= 2 && lp[s] !== blank && lp[s] !== lp[s - 2];
  const alpha = Array.from({ length: T }, () => new Array<number>(S).fill(0));
  alpha[0][0] = y[0][lp[0]];
  if (S > 1) alpha[0][1] = y[0][lp[1]];
  for (let t = 1; t < T; t++) {
    for (let s = 0; s < S; s++) {
      const sum = alpha[t - 1][s] + (s >= 1 ? alpha[t - 1][s - 1] : 0) + (skip(s) ? alpha[t - 1][s - 2] : 0);
      alpha[t][s] = sum * y[t][lp[s]];
    }
  }
  const p = alpha[T - 1][S - 1] + (S > 1 ? alpha[T - 1][S - 2] : 0);
  // β_t(s): the suffix after step t from state s (step t's emission left out).
  const beta = Array.from({ length: T }, () => new Array<number>(S).fill(0));
  beta[T - 1][S - 1] = 1;
  if (S > 1) beta[T - 1][S - 2] = 1;
  for (let t = T - 2; t >= 0; t--) {
    for (let s = 0; s < S; s++) {
      let v = beta[t + 1][s] * y[t + 1][lp[s]];
      if (s + 1 < S) v += beta[t + 1][s + 1] * y[t + 1][lp[s + 1]];
      if (s + 2 < S && skip(s + 2)) v += beta[t + 1][s + 2] * y[t + 1][lp[s + 2]];
      beta[t][s] = v;
    }
  }
  const gradient = y.map((row, t) => {
    const occupation = new Array<number>(row.length).fill(0);
    for (let s = 0; s < S; s++) occupation[lp[s]] += alpha[t][s] * beta[t][s];
    return row.map((ytk, k) => (p > 0 ? ytk - occupation[k] / p : 0));
  });
  return { loss: -Math.log(p), gradient };
}

/** −ln p(l|x) by summing over all C^T paths that collapse to l (tiny T and C only). */
export function ctcLossBruteForce(logits: readonly (readonly number[])[], labels: readonly number[], blank = 0): number {
  const T = logits.length;
  const C = logits[0].length;
  const y = logits.map(softmax);
  let p = 0;
  for (const path of everyPath(T, C)) {
    if (collapse(path, blank).join() !== labels.join()) continue;
    p += path.reduce((prod, k, t) => prod * y[t][k], 1);
  }
  return -Math.log(p);
}

/** Every path of T steps over C classes (C^T of them), as one array rewritten in place. */
function* everyPath(T: number, C: number): Generator<readonly number[]> {
  const path = new Array<number>(T).fill(0);
  for (let index = 0; index < C ** T; index++) {
    let rest = index;
    for (let t = 0; t < T; t++) {
      path[t] = rest % C;
      rest = Math.floor(rest / C);
    }
    yield path;
  }
}

/** B(π): repeats merged, then blanks dropped. */
export function collapse(path: readonly number[], blank = 0): number[] {
  const out: number[] = [];
  path.forEach((k, t) => {
    if (k !== blank && (t === 0 || k !== path[t - 1])) out.push(k);
  });
  return out;
}

/** Best path: the arg-max of each step (the first on ties), collapsed. */
export function ctcGreedy(logits: readonly (readonly number[])[], blank = 0): number[] {
  return collapse(logits.map((z) => z.reduce((best, v, k) => (v > z[best] ? k : best), 0)), blank);
}

/** ln(e^a + e^b), −Infinity the identity. */
function logAdd(a: number, b: number): number {
  if (a === -Infinity) return b;
  if (b === -Infinity) return a;
  return Math.max(a, b) + Math.log1p(Math.exp(-Math.abs(a - b)));
}

/** log-softmax of one step's scores. */
function logSoftmax(z: ArrayLike<number>): number[] {
  const m = Math.max(...Array.from(z));
  const lse = m + Math.log(Array.from(z).reduce((s, v) => s + Math.exp(v - m), 0));
  return Array.from(z, (v) => v - lse);
}

/**
 * Prefix beam search (Graves 2012 §7.5; Hannun et al. 2014), log space, prefixes as arrays: each
 * prefix ℓ keeps p_b (alignments ending in blank) and p_nb (ending in ℓ's last label); per step
 * p_b(ℓ) ⊕= p(ℓ)·y(blank), p_nb(ℓ) ⊕= p_nb(ℓ)·y(last), p_nb(ℓ+c) ⊕= (c = last ? p_b(ℓ) : p(ℓ))·y(c);
 * equal prefixes merge; the W most probable survive (ties: the one reached first). The n best, best first.
 */
export function ctcPrefixBeamSearch(
  logits: readonly (readonly number[])[], beamWidth: number, n = beamWidth, blank = 0,
): { labels: number[][]; logProbabilities: number[] } {
  let beam: { prefix: number[]; pb: number; pnb: number }[] = [{ prefix: [], pb: 0, pnb: -Infinity }];
  for (const z of logits) {
    const y = logSoftmax(z);
    const next = new Map<string, { prefix: number[]; pb: number; pnb: number }>();
    const at = (prefix: number[]) => {
      const key = prefix.join(',');
      let entry = next.get(key);
      if (!entry) next.set(key, (entry = { prefix, pb: -Infinity, pnb: -Infinity }));
      return entry;
    };
    for (const { prefix, pb, pnb } of beam) {
      const p = logAdd(pb, pnb);
      const last = prefix.length > 0 ? prefix[prefix.length - 1] : -1;
      const same = at(prefix);
      same.pb = logAdd(same.pb, p + y[blank]);
      if (last >= 0) same.pnb = logAdd(same.pnb, pnb + y[last]);
      y.forEach((yc, c) => {
        if (c === blank) return;
        const longer = at([...prefix, c]);
        longer.pnb = logAdd(longer.pnb, (c === last ? pb : p) + yc);
      });
    }
    beam = [...next.values()]
      .map((e, order) => ({ ...e, total: logAdd(e.pb, e.pnb), order }))
      .filter((e) => e.total > -Infinity)
      .sort((a, b) => b.total - a.total || a.order - b.order)
      .slice(0, beamWidth);
  }
  const best = beam.slice(0, n);
  return { labels: best.map((e) => e.prefix), logProbabilities: best.map((e) => logAdd(e.pb, e.pnb)) };
}

/** Every labelling reachable in T steps with ln p(l|x) summed over all C^T paths (tiny T and C only), most probable first. */
export function ctcLabellingsBruteForce(logits: readonly (readonly number[])[], blank = 0): { labels: number[]; logProbability: number }[] {
  const T = logits.length;
  const C = logits[0].length;
  const y = logits.map(softmax);
  const sums = new Map<string, { labels: number[]; p: number }>();
  for (const path of everyPath(T, C)) {
    const labels = collapse(path, blank);
    const key = labels.join(',');
    const entry = sums.get(key) ?? { labels, p: 0 };
    entry.p += path.reduce((prod, k, t) => prod * y[t][k], 1);
    sums.set(key, entry);
  }
  return [...sums.values()].sort((a, b) => b.p - a.p).map((e) => ({ labels: e.labels, logProbability: Math.log(e.p) }));
}
