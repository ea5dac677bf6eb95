// The TCN block's kernels in plain TypeScript (f64): the oracle for assembly/norm.ts and the
// spatial-dropout and last-step kernels of assembly/model.ts and sequence.ts. Same layouts and
// the same meaning (see those headers), written as the equations; no f32 rounding.

type Floats = Float32Array | Float64Array;

/** Layer normalization of each row of x [rows, C]: y = gamma ⊙ (x − mean)/√(var + ε) + beta; returns xhat and rstd. */
export function layerNormReference(
  x: ArrayLike<number>, gamma: ArrayLike<number>, beta: ArrayLike<number>, rows: number, C: number, epsilon: number,
): { y: Float64Array; xhat: Float64Array; rstd: Float64Array } {
  const y = new Float64Array(rows * C);
  const xhat = new Float64Array(rows * C);
  const rstd = new Float64Array(rows);
  for (let r = 0; r < rows; r++) {
    let mean = 0;
    for (let c = 0; c < C; c++) mean += x[r * C + c] / C;
    let variance = 0;
    for (let c = 0; c < C; c++) variance += (x[r * C + c] - mean) ** 2 / C;
    rstd[r] = 1 / Math.sqrt(variance + epsilon);
    for (let c = 0; c < C; c++) {
      xhat[r * C + c] = (x[r * C + c] - mean) * rstd[r];
      y[r * C + c] = gamma[c] * xhat[r * C + c] + beta[c];
    }
  }
  return { y, xhat, rstd };
}

/** dX, dGamma, dBeta += the gradients of layerNormReference from dY: dX = rstd·(g − mean(g) − xhat·mean(g ⊙ xhat)), g = dY ⊙ gamma. */
export function layerNormBackwardReference(
  dX: Floats, dGamma: Floats, dBeta: Floats, dY: ArrayLike<number>, xhat: ArrayLike<number>, rstd: ArrayLike<number>,
  gamma: ArrayLike<number>, rows: number, C: number,
): void {
  for (let r = 0; r < rows; r++) {
    let meanG = 0;
    let meanGH = 0;
    for (let c = 0; c < C; c++) {
      meanG += (dY[r * C + c] * gamma[c]) / C;
      meanGH += (dY[r * C + c] * gamma[c] * xhat[r * C + c]) / C;
    }
    for (let c = 0; c < C; c++) {
      const i = r * C + c;
      dX[i] += rstd[r] * (dY[i] * gamma[c] - meanG - xhat[i] * meanGH);
      dGamma[c] += dY[i] * xhat[i];
      dBeta[c] += dY[i];
    }
  }
}

/** Weight normalization of a kernel v [R, F] per column: w[r, f] = g[f]·v[r, f]/‖v[:, f]‖; returns w and the norms. */
export function weightNormReference(v: ArrayLike<number>, g: ArrayLike<number>, R: number, F: number): { w: Float64Array; norm: Float64Array } {
  const w = new Float64Array(R * F);
  const norm = new Float64Array(F);
  for (let f = 0; f < F; f++) {
    let squares = 0;
    for (let r = 0; r < R; r++) squares += v[r * F + f] ** 2;
    norm[f] = Math.sqrt(squares);
    for (let r = 0; r < R; r++) w[r * F + f] = (g[f] * v[r * F + f]) / norm[f];
  }
  return { w, norm };
}

/** dV, dG += the gradients of weightNormReference from dW: dG = (dW·v)/‖v‖, dV = (g/‖v‖)·(dW − v·(dW·v)/‖v‖²) per column. */
export function weightNormBackwardReference(
  dV: Floats, dG: Floats, dW: ArrayLike<number>, v: ArrayLike<number>, g: ArrayLike<number>, R: number, F: number,
): void {
  for (let f = 0; f < F; f++) {
    let squares = 0;
    let along = 0;
    for (let r = 0; r < R; r++) {
      squares += v[r * F + f] ** 2;
      along += dW[r * F + f] * v[r * F + f];
    }
    const norm = Math.sqrt(squares);
    dG[f] += along / norm;
    for (let r = 0; r < R; r++) dV[r * F + f] += (g[f] / norm) * (dW[r * F + f] - (v[r * F + f] * along) / (norm * norm));
  }
}

/** lowbias32 (C. Wellons' integer hash), as assembly/model.ts computes it in u32 arithmetic. */
function lowbias32(v: number): number {
  v ^= v >>> 16;
  v = Math.imul(v, 0x7feb352d);
  v ^= v >>> 15;
  v = Math.imul(v, 0x846ca68b);
  v ^= v >>> 16;
  return v >>> 0;
}

/** The dropout mask for (seed, i): 0 when hash(i + seed·0x9E3779B9)/2³² < rate, else 1/(1 − rate) (as f32). */
export function dropoutMaskReference(n: number, rate: number, seed: number): Float32Array {
  const base = Math.imul(seed, 0x9e3779b9);
  const keep = Math.fround(1 / Math.fround(1 - Math.fround(rate)));
  return Float32Array.from({ length: n }, (_, i) => (lowbias32((base + i) | 0) < Math.fround(rate) * 2 ** 32 ? 0 : keep));
}

/** dst[r, i] = x[r, i]·m[i] over [rows, n]. */
export function multiplyRowsReference(x: ArrayLike<number>, m: ArrayLike<number>, rows: number, n: number): Float64Array {
  return Float64Array.from({ length: rows * n }, (_, k) => x[k] * m[k % n]);
}

/** The last t with mask[t, b] ≠ 0 (T − 1 without a mask; −1 when the sequence has no real step). */
export function lastStepReference(mask: ArrayLike<number> | null, T: number, B: number, b: number): number {
  if (!mask) return T - 1;
  for (let t = T - 1; t >= 0; t--) if (mask[t * B + b] !== 0) return t;
  return -1;
}

/** dst[b] = src[last step of b, b] (zeros for a sequence without a real step), from src [T, B, F]. */
export function lastStepsReference(src: ArrayLike<number>, mask: ArrayLike<number> | null, T: number, B: number, F: number): Float64Array {
  const dst = new Float64Array(B * F);
  for (let b = 0; b < B; b++) {
    const t = lastStepReference(mask, T, B, b);
    for (let f = 0; t >= 0 && f < F; f++) dst[b * F + f] = src[(t * B + b) * F + f];
  }
  return dst;
}

/** dSrc[last step of b, b] += dDst[b]. */
export function lastStepsBackwardReference(dSrc: Floats, dDst: ArrayLike<number>, mask: ArrayLike<number> | null, T: number, B: number, F: number): void {
  for (let b = 0; b < B; b++) {
    const t = lastStepReference(mask, T, B, b);
    for (let f = 0; t >= 0 && f < F; f++) dSrc[(t * B + b) * F + f] += dDst[b * F + f];
  }
}
