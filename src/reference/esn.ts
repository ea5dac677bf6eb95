// Echo State Network in plain TypeScript, f64 throughout: the oracle for
// assembly/esn.ts in tests and the JS baseline in benchmarks. One line per
// equation (Jaeger's leaky ESN):
//
//   x(t) = (1 − a)·x(t−1) + a·f(W_in·u(t) + W·x(t−1) + W_back·y(t−1) + b + ν(t)),   f = tanh or identity
//   z(t) = the chosen parts of [1; u(t); x(t); y(t−1)],   y(t) = g(W_out·z(t))
//   W_out = ((XᵀX + λ·diag(0, 1, …, 1)) \ XᵀY)ᵀ        (bias column not regularised)
//   W_out = (X⁺·Y)ᵀ, X⁺ = V·Σ⁺·Uᵀ from a one-sided Jacobi SVD of the design X   ('pinv')
//
// y(t−1) is the teacher d(t−1) while collecting for a fit, the previous output otherwise, 0 at
// the start. Layouts match the kernels: wIn [I, N], wBack [O, N], W in CSR, wOut [O, F],
// F = 1 + I + N for the default features.

export interface ReservoirReference {
  units: number; // N
  inputSize: number; // I
  outputSize: number; // O
  leakRate: number;
  wIn: ArrayLike<number>; // [I, N]
  wBack: ArrayLike<number> | null; // [O, N], null = no feedback
  bias: ArrayLike<number>; // [N]
  values: ArrayLike<number>;
  columns: ArrayLike<number>;
  rowStart: ArrayLike<number>;
  /** f: 'tanh' (default) or 'identity' (a linear reservoir). */
  activation?: 'tanh' | 'identity';
}

/** The parts of [1; u; x; y(t−1)] a readout can see, in column order. */
export type FeatureReference = 'bias' | 'input' | 'state' | 'output';
const DEFAULT_FEATURES: readonly FeatureReference[] = ['bias', 'input', 'state'];

/** F for these features. */
export function featureCountReference(r: { units: number; inputSize: number; outputSize: number }, features: readonly FeatureReference[] = DEFAULT_FEATURES): number {
  return (features.includes('bias') ? 1 : 0) + (features.includes('input') ? r.inputSize : 0) + (features.includes('state') ? r.units : 0) + (features.includes('output') ? r.outputSize : 0);
}

/** One reservoir step: x ← (1 − a)·x + a·f(W_in·u + W·x + W_back·y + b + ν). */
export function reservoirStepReference(r: ReservoirReference, x: Float64Array, u: ArrayLike<number>, y: ArrayLike<number>, noise?: ArrayLike<number>): void {
  const { units: N, inputSize: I, outputSize: O, leakRate: a } = r;
  const pre = new Float64Array(N);
  for (let i = 0; i < N; i++) {
    let s = r.bias[i];
    for (let c = 0; c < I; c++) s += r.wIn[c * N + i] * u[c];
    if (r.wBack) for (let o = 0; o < O; o++) s += r.wBack[o * N + i] * y[o];
    for (let k = r.rowStart[i]; k < r.rowStart[i + 1]; k++) s += r.values[k] * x[r.columns[k]];
    pre[i] = s + (noise ? noise[i] : 0);
  }
  const f = r.activation === 'identity' ? (v: number): number => v : Math.tanh;
  for (let i = 0; i < N; i++) x[i] = (1 - a) * x[i] + a * f(pre[i]);
}

/** z = the chosen parts of [1; u; x; yPrev], in that order (default [1; u; x]). */
export function featuresReference(
  u: ArrayLike<number>, x: ArrayLike<number>, yPrev: ArrayLike<number> = [], features: readonly FeatureReference[] = DEFAULT_FEATURES,
): Float64Array {
  const z: number[] = [];
  if (features.includes('bias')) z.push(1);
  if (features.includes('input')) z.push(...Array.from(u));
  if (features.includes('state')) z.push(...Array.from(x));
  if (features.includes('output')) z.push(...Array.from(yPrev));
  return Float64Array.from(z);
}

export function readoutReference(wOut: ArrayLike<number>, z: Float64Array, O: number, tanhOutput: boolean): Float64Array {
  const F = z.length;
  const y = new Float64Array(O);
  for (let o = 0; o < O; o++) {
    let s = 0;
    for (let f = 0; f < F; f++) s += wOut[o * F + f] * z[f];
    y[o] = tanhOutput ? Math.tanh(s) : s;
  }
  return y;
}

export interface CollectReferenceResult {
  /** [T, N] */
  states: Float64Array;
  /** [F, F], full (symmetric) */
  xtx: Float64Array;
  /** [F, O] */
  xty: Float64Array;
}

/**
 * Teacher-forced state collection over one sequence from x = 0, y(−1) = 0:
 * u [T, I], teacher [T, O] (fed back, and y(t−1) of the 'output' feature), targets [T, O]
 * (regression targets, already through g⁻¹). Steps t < washout are not accumulated.
 */
export function collectReference(
  r: ReservoirReference, u: ArrayLike<number>, teacher: ArrayLike<number>, targets: ArrayLike<number>, T: number, washout: number,
  noise?: ArrayLike<number>, features: readonly FeatureReference[] = DEFAULT_FEATURES,
): CollectReferenceResult {
  const { units: N, inputSize: I, outputSize: O } = r;
  const F = featureCountReference(r, features);
  const x = new Float64Array(N);
  let y = new Float64Array(O);
  const states = new Float64Array(T * N);
  const xtx = new Float64Array(F * F);
  const xty = new Float64Array(F * O);
  for (let t = 0; t < T; t++) {
    const ut = sliceOf(u, t * I, I);
    reservoirStepReference(r, x, ut, y, noise ? sliceOf(noise, t * N, N) : undefined);
    states.set(x, t * N);
    if (t >= washout) {
      const z = featuresReference(ut, x, y, features);
      for (let i = 0; i < F; i++) {
        for (let j = 0; j < F; j++) xtx[i * F + j] += z[i] * z[j];
        for (let o = 0; o < O; o++) xty[i * O + o] += z[i] * targets[t * O + o];
      }
    }
    y = Float64Array.from(sliceOf(teacher, t * O, O));
  }
  return { states, xtx, xty };
}

/**
 * W_out [O, F] = ((XᵀX + λ·D) \ XᵀY)ᵀ by Cholesky (λ > 0, or a full-rank XᵀX); D = diag(0, 1, …, 1)
 * with a bias column first (not regularised), else I.
 */
export function ridgeSolveReference(xtx: ArrayLike<number>, xty: ArrayLike<number>, F: number, O: number, ridge: number, biasColumn = true): Float64Array {
  const L = new Float64Array(F * F);
  for (let i = 0; i < F; i++) {
    for (let j = 0; j <= i; j++) {
      let s = xtx[i * F + j] + (i === j && (i > 0 || !biasColumn) ? ridge : 0);
      for (let k = 0; k < j; k++) s -= L[i * F + k] * L[j * F + k];
      if (i === j) {
        if (!(s > 0)) throw new Error(`ridgeSolveReference: matrix not positive definite at ${i}`);
        L[i * F + i] = Math.sqrt(s);
      } else L[i * F + j] = s / L[j * F + j];
    }
  }
  const wOut = new Float64Array(O * F);
  for (let o = 0; o < O; o++) {
    const b = new Float64Array(F);
    for (let i = 0; i < F; i++) b[i] = xty[i * O + o];
    for (let i = 0; i < F; i++) {
      let s = b[i];
      for (let k = 0; k < i; k++) s -= L[i * F + k] * b[k];
      b[i] = s / L[i * F + i];
    }
    for (let i = F - 1; i >= 0; i--) {
      let s = b[i];
      for (let k = i + 1; k < F; k++) s -= L[k * F + i] * b[k];
      b[i] = s / L[i * F + i];
    }
    wOut.set(b, o * F);
  }
  return wOut;
}

/**
 * One-sided Jacobi SVD (Hestenes) of A [m, n]: columns are rotated pairwise until orthogonal;
 * then A·V = U·Σ with σ_j the column norms. Returns Σ [n] and V [n, n] and A·V [m, n].
 */
export function jacobiSvdReference(a: ArrayLike<number>, m: number, n: number): { sigma: Float64Array; v: Float64Array; av: Float64Array } {
  const av = Float64Array.from(a);
  const v = new Float64Array(n * n);
  for (let j = 0; j < n; j++) v[j * n + j] = 1;
  const col = (mat: Float64Array, rows: number, p: number, q: number): number => {
    let s = 0;
    for (let k = 0; k < rows; k++) s += mat[k * n + p] * mat[k * n + q];
    return s;
  };
  const rotate = (mat: Float64Array, rows: number, p: number, q: number, c: number, s: number): void => {
    for (let k = 0; k < rows; k++) {
      const ap = mat[k * n + p], aq = mat[k * n + q];
      mat[k * n + p] = c * ap - s * aq;
      mat[k * n + q] = s * ap + c * aq;
    }
  };
  for (let sweep = 0; sweep < 100; sweep++) {
    let rotated = false;
    for (let p = 0; p < n - 1; p++) {
      for (let q = p + 1; q < n; q++) {
        const alpha = col(av, m, p, p), beta = col(av, m, q, q), gamma = col(av, m, p, q);
        if (Math.abs(gamma) <= 1e-15 * Math.sqrt(alpha * beta) || gamma === 0) continue;
        rotated = true;
        const zeta = (beta - alpha) / (2 * gamma);
        const t = (zeta >= 0 ? 1 : -1) / (Math.abs(zeta) + Math.sqrt(1 + zeta * zeta));
        const c = 1 / Math.sqrt(1 + t * t);
        rotate(av, m, p, q, c, c * t);
        rotate(v, n, p, q, c, c * t);
      }
    }
    if (!rotated) break;
  }
  const sigma = new Float64Array(n);
  for (let j = 0; j < n; j++) sigma[j] = Math.sqrt(col(av, m, j, j));
  return { sigma, v, av };
}

/**
 * The minimum-norm least-squares W_out [O, F] = (X⁺·Y)ᵀ for a design X [T, F] and targets Y [T, O]:
 * X⁺·y = Σ_j v_j·(a_jᵀ·y)/σ_j² over σ_j > max(T, F)·ε·σ_max (a_j = X·v_j = σ_j·u_j).
 */
export function pinvSolveReference(x: ArrayLike<number>, y: ArrayLike<number>, T: number, F: number, O: number): { weights: Float64Array; rank: number } {
  const { sigma, v, av } = jacobiSvdReference(x, T, F);
  const tol = Math.max(T, F) * 2.220446049250313e-16 * Math.max(...sigma);
  const weights = new Float64Array(O * F);
  let rank = 0;
  for (let j = 0; j < F; j++) {
    if (!(sigma[j] > tol)) continue;
    rank++;
    for (let o = 0; o < O; o++) {
      let ay = 0;
      for (let t = 0; t < T; t++) ay += av[t * F + j] * y[t * O + o];
      for (let f = 0; f < F; f++) weights[o * F + f] += (v[f * F + j] * ay) / (sigma[j] * sigma[j]);
    }
  }
  return { weights, rank };
}

/**
 * Driven run from state x and fed-back y (both updated in place): u [T, I] → outputs [T, O].
 * Without wOut the outputs are not computed and y stays as given.
 */
export function predictReference(
  r: ReservoirReference, wOut: ArrayLike<number>, tanhOutput: boolean, x: Float64Array, y: Float64Array, u: ArrayLike<number>, T: number,
  features: readonly FeatureReference[] = DEFAULT_FEATURES,
): Float64Array {
  const { inputSize: I, outputSize: O } = r;
  const out = new Float64Array(T * O);
  for (let t = 0; t < T; t++) {
    const ut = sliceOf(u, t * I, I);
    reservoirStepReference(r, x, ut, y);
    const yt = readoutReference(wOut, featuresReference(ut, x, y, features), O, tanhOutput);
    out.set(yt, t * O);
    y.set(yt);
  }
  return out;
}

/** Closed loop (I = O): u(t) = y(t−1), fed back through W_back too; S steps. */
export function generateReference(
  r: ReservoirReference, wOut: ArrayLike<number>, tanhOutput: boolean, x: Float64Array, y: Float64Array, S: number,
  features: readonly FeatureReference[] = DEFAULT_FEATURES,
): Float64Array {
  const O = r.outputSize;
  const out = new Float64Array(S * O);
  for (let t = 0; t < S; t++) {
    const ut = y.slice();
    reservoirStepReference(r, x, ut, y);
    const yt = readoutReference(wOut, featuresReference(ut, x, y, features), O, tanhOutput);
    out.set(yt, t * O);
    y.set(yt);
  }
  return out;
}

/** One RLS step (Haykin; forgetting factor λ): π = P·z, k = π/(λ + zᵀπ), W += (d − W·z)·kᵀ, P ← (P − k·πᵀ)/λ. */
export function rlsStepReference(wOut: Float64Array, P: Float64Array, z: Float64Array, d: ArrayLike<number>, O: number, forget: number): void {
  const F = z.length;
  const pi = new Float64Array(F);
  for (let i = 0; i < F; i++) for (let j = 0; j < F; j++) pi[i] += P[i * F + j] * z[j];
  let denom = forget;
  for (let i = 0; i < F; i++) denom += z[i] * pi[i];
  for (let o = 0; o < O; o++) {
    let e = d[o];
    for (let f = 0; f < F; f++) e -= wOut[o * F + f] * z[f];
    for (let f = 0; f < F; f++) wOut[o * F + f] += (e * pi[f]) / denom;
  }
  for (let i = 0; i < F; i++) for (let j = 0; j < F; j++) P[i * F + j] = (P[i * F + j] - (pi[i] / denom) * pi[j]) / forget;
}

function sliceOf(a: ArrayLike<number>, start: number, length: number): Float64Array {
  const out = new Float64Array(length);
  for (let i = 0; i < length; i++) out[i] = a[start + i];
  return out;
}
