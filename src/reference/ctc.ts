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
  const path = new Array<number>(T).fill(0);
  for (let index = 0; index < C ** T; index++) {
    let rest = index;
    for (let t = 0; t < T; t++) {
      path[t] = rest % C;
      rest = Math.floor(rest / C);
    }
    if (collapse(path, blank).join() !== labels.join()) continue;
    p += path.reduce((prod, k, t) => prod * y[t][k], 1);
  }
  return -Math.log(p);
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
