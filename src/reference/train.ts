// Training kernels in plain TypeScript (f64): the oracle for assembly/loss.ts,
// optim.ts, dense.ts and sequence.ts. Same layouts and the same meaning; none
// of the kernels' f32 rounding or summation order. Loss references return the
// f64 sum Σ_r w_r·loss_r and write the gradient of scale × that sum.

type Floats = Float32Array | Float64Array;

/** w_r: the mask's weight for row r, 1 without a mask. */
const weightOf = (mask: ArrayLike<number> | null, r: number): number => (mask ? mask[r] : 1);

/** out[r] = softmax(logits[r] · invTemperature), row-wise over [rows, classes]. */
export function softmaxReference(logits: ArrayLike<number>, out: Floats, rows: number, classes: number, invTemperature = 1): void {
  for (let r = 0; r < rows; r++) {
    const o = r * classes;
    let m = -Infinity;
    for (let j = 0; j < classes; j++) m = Math.max(m, logits[o + j]);
    let sum = 0;
    for (let j = 0; j < classes; j++) sum += Math.exp((logits[o + j] - m) * invTemperature);
    for (let j = 0; j < classes; j++) out[o + j] = Math.exp((logits[o + j] - m) * invTemperature) / sum;
  }
}

/** dLogits[r] += p[r] ⊙ (dProbs[r] − Σ_j dProbs[r][j]·p[r][j]): backward through p = softmax(z). */
export function softmaxBackwardReference(dLogits: Floats, probs: ArrayLike<number>, dProbs: ArrayLike<number>, rows: number, classes: number): void {
  for (let r = 0; r < rows; r++) {
    const o = r * classes;
    let dot = 0;
    for (let j = 0; j < classes; j++) dot += dProbs[o + j] * probs[o + j];
    for (let j = 0; j < classes; j++) dLogits[o + j] += probs[o + j] * (dProbs[o + j] - dot);
  }
}

/** log Σ_j exp(z_j) of one row, max-shifted. */
export function logSumExpReference(logits: ArrayLike<number>, offset: number, classes: number): number {
  let m = -Infinity;
  for (let j = 0; j < classes; j++) m = Math.max(m, logits[offset + j]);
  let sum = 0;
  for (let j = 0; j < classes; j++) sum += Math.exp(logits[offset + j] - m);
  return m + Math.log(sum);
}

/**
 * Softmax cross-entropy: probs = softmax(logits); returns Σ_r w_r·(logsumexp(z_r) − z_r[label_r]);
 * dLogits = scale·w_r·(probs − onehot(label_r)) (null skips it). Masked rows (w_r = 0) are not read.
 */
export function softmaxCrossEntropyReference(
  logits: ArrayLike<number>, labels: ArrayLike<number>, mask: ArrayLike<number> | null,
  probs: Floats | null, dLogits: Floats | null, rows: number, classes: number, scale: number,
): number {
  let loss = 0;
  for (let r = 0; r < rows; r++) {
    const o = r * classes;
    const w = weightOf(mask, r);
    const lse = logSumExpReference(logits, o, classes);
    for (let j = 0; j < classes; j++) {
      const p = Math.exp(logits[o + j] - lse);
      if (probs) probs[o + j] = p;
      if (dLogits) dLogits[o + j] = w === 0 ? 0 : scale * w * (p - (j === labels[r] ? 1 : 0));
    }
    if (w !== 0) loss += w * (lse - logits[o + labels[r]]);
  }
  return loss;
}

/** Mean squared error: returns Σ_r w_r·Σ_c (pred − target)²; dPred = scale·w_r·2·(pred − target). */
export function meanSquaredErrorReference(
  pred: ArrayLike<number>, target: ArrayLike<number>, mask: ArrayLike<number> | null,
  dPred: Floats | null, rows: number, cols: number, scale: number,
): number {
  let loss = 0;
  for (let r = 0; r < rows; r++) {
    const w = weightOf(mask, r);
    for (let c = 0; c < cols; c++) {
      const i = r * cols + c;
      const diff = pred[i] - target[i];
      if (w !== 0) loss += w * diff * diff;
      if (dPred) dPred[i] = w === 0 ? 0 : scale * w * 2 * diff;
    }
  }
  return loss;
}

export interface SgdReferenceOptions {
  learningRate: number;
  momentum: number;
  nesterov: boolean;
  weightDecay: number;
}

/** One torch.optim.SGD step (dampening 0), in place; velocity starts at 0. */
export function sgdStepReference(params: Floats, velocity: Floats, grads: ArrayLike<number>, o: SgdReferenceOptions): void {
  for (let i = 0; i < params.length; i++) {
    let g = grads[i];
    if (o.weightDecay !== 0) g = g + o.weightDecay * params[i];
    if (o.momentum !== 0) {
      velocity[i] = o.momentum * velocity[i] + g;
      g = o.nesterov ? g + o.momentum * velocity[i] : velocity[i];
    }
    params[i] = params[i] - o.learningRate * g;
  }
}

export interface AdamReferenceOptions {
  learningRate: number;
  beta1: number;
  beta2: number;
  epsilon: number;
  /** 1 on the first step. */
  step: number;
  weightDecay: number;
  /** AdamW: p ← p·(1 − lr·λ) instead of g ← g + λ·p. */
  decoupled: boolean;
}

/** One torch.optim.Adam / AdamW step, in place; m and v start at 0. */
export function adamStepReference(params: Floats, m: Floats, v: Floats, grads: ArrayLike<number>, o: AdamReferenceOptions): void {
  const correction1 = 1 - o.beta1 ** o.step;
  const correction2 = 1 - o.beta2 ** o.step;
  for (let i = 0; i < params.length; i++) {
    let g = grads[i];
    if (o.decoupled) params[i] = params[i] * (1 - o.learningRate * o.weightDecay);
    else g = g + o.weightDecay * params[i];
    m[i] = o.beta1 * m[i] + (1 - o.beta1) * g;
    v[i] = o.beta2 * v[i] + (1 - o.beta2) * g * g;
    const mHat = m[i] / correction1;
    const vHat = v[i] / correction2;
    params[i] = params[i] - (o.learningRate * mHat) / (Math.sqrt(vHat) + o.epsilon);
  }
}

export interface RmspropReferenceOptions {
  learningRate: number;
  rho: number;
  epsilon: number;
  weightDecay: number;
}

/** One torch.optim.RMSprop step (alpha = rho, not centered, no momentum), in place; sq starts at 0. */
export function rmspropStepReference(params: Floats, sq: Floats, grads: ArrayLike<number>, o: RmspropReferenceOptions): void {
  for (let i = 0; i < params.length; i++) {
    const g = grads[i] + o.weightDecay * params[i];
    sq[i] = o.rho * sq[i] + (1 - o.rho) * g * g;
    params[i] = params[i] - (o.learningRate * g) / (Math.sqrt(sq[i]) + o.epsilon);
  }
}

export function sumSquaresReference(x: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += x[i] * x[i];
  return s;
}

export function scaleReference(x: Floats, factor: number): void {
  for (let i = 0; i < x.length; i++) x[i] = factor * x[i];
}

/** Clamp to [−limit, limit]; NaN stays NaN. */
export function clipValuesReference(x: Floats, limit: number): void {
  for (let i = 0; i < x.length; i++) x[i] = Number.isNaN(x[i]) ? NaN : Math.min(Math.max(x[i], -limit), limit);
}

/** x[r, c] += bias[c]. */
export function addBiasRowsReference(x: Floats, bias: ArrayLike<number>, rows: number, cols: number): void {
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) x[r * cols + c] += bias[c];
}

/** dst[c] += Σ_r src[r, c]. */
export function sumRowsIntoReference(dst: Floats, src: ArrayLike<number>, rows: number, cols: number): void {
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) dst[c] += src[r * cols + c];
}

/** out[r] = table[ids[r]]. */
export function embeddingForwardReference(out: Floats, table: ArrayLike<number>, ids: ArrayLike<number>, dim: number): void {
  for (let r = 0; r < ids.length; r++) for (let c = 0; c < dim; c++) out[r * dim + c] = table[ids[r] * dim + c];
}

/** dTable[ids[r]] += dOut[r], r in increasing order. */
export function embeddingBackwardReference(dTable: Floats, dOut: ArrayLike<number>, ids: ArrayLike<number>, dim: number): void {
  for (let r = 0; r < ids.length; r++) for (let c = 0; c < dim; c++) dTable[ids[r] * dim + c] += dOut[r * dim + c];
}

/** dst[t] = src[T − 1 − t], steps of rowFloats. */
export function reverseTimeReference(dst: Floats, src: ArrayLike<number>, T: number, rowFloats: number): void {
  for (let t = 0; t < T; t++) for (let i = 0; i < rowFloats; i++) dst[t * rowFloats + i] = src[(T - 1 - t) * rowFloats + i];
}

/** Leading non-zero entries of mask[:, b] for mask [T, B]. */
export function sequenceLengthReference(mask: ArrayLike<number>, T: number, B: number, b: number): number {
  let length = 0;
  while (length < T && mask[length * B + b] !== 0) length++;
  return length;
}

/** dst[t, b] = src[L_b − 1 − t, b] for t < L_b, else 0; [T, B, F]. */
export function reverseTimeMaskedReference(dst: Floats, src: ArrayLike<number>, mask: ArrayLike<number>, T: number, B: number, F: number): void {
  for (let b = 0; b < B; b++) {
    const length = sequenceLengthReference(mask, T, B, b);
    for (let t = 0; t < T; t++) {
      for (let f = 0; f < F; f++) dst[(t * B + b) * F + f] = t < length ? src[((length - 1 - t) * B + b) * F + f] : 0;
    }
  }
}
