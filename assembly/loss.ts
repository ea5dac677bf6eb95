// Losses and the softmax, row by row over [rows, width] f32 buffers (rows = T·B
// positions of a time-major batch, or B for a last-step head). Losses return an
// f64 sum and write the gradient of scale × that sum.
//
//   softmax_f32(out, logits, rows, classes)
//   softmax_temperature_f32(out, logits, rows, classes, invTemperature)
//       out[r] = softmax(logits[r] · invTemperature), computed as exp((z − max z)·invT) / Σ.
//       out may alias logits.
//
//   log_softmax_f64(out, scratch, logits, rows, classes)
//       out f64 [rows, classes] = z − (m + log S) in f64, S = Σ_j exp(z_j − m) as softmax_f32 sums it;
//       scratch f32 [classes]. Log-probabilities to add up in f64 (beam search scores).
//
//   softmax_backward_f32(dLogits, probs, dProbs, rows, classes)
//       dLogits, probs, dProbs [rows, classes]: the gradient through p = softmax(z), accumulated:
//       dLogits[r] += p[r] ⊙ (dProbs[r] − Σ_j dProbs[r][j]·p[r][j])   (the dot in f64, fixed order)
//
//   softmax_xent_f32(dLogits, probs, logits, labels, mask, rows, classes, scale): f64
//       logits, probs, dLogits [rows, classes]; labels i32 [rows]; mask f32 [rows] or 0.
//       probs[r]   = softmax(logits[r])                         (the same bits as softmax_f32)
//       returns      Σ_r w_r · (logsumexp(z_r) − z_r[label_r])  (f64)
//       dLogits[r] = scale · w_r · (probs[r] − onehot(label_r))
//
//   mse_f32(dPred, pred, target, mask, rows, cols, scale): f64
//       pred, target, dPred [rows, cols]; mask f32 [rows] or 0.
//       returns      Σ_r w_r · Σ_c (pred − target)²              (f64)
//       dPred[r]   = scale · w_r · 2 · (pred[r] − target[r])
//
// w_r = mask[r] (a weight; 1 counts, 0 ignores), or 1 for every row when mask = 0.
// A row with w_r = 0 adds nothing to the loss (even if its values are NaN), gets a
// gradient of exactly 0, and its label is not read. dLogits / dPred = 0 skips the
// gradient (evaluation). Buffers of one row may alias: dLogits, probs and logits may
// all be one buffer, dPred may be pred (every value is read before it is overwritten).
//
// Softmax: m = max_j z_j (f32.max, exact, so order-free); e_j = exp(z_j − m) with the
// module's exp (activations.ts), f32; S = Σ_j e_j in f64 (reduce.ts order); p_j = e_j / S
// divided in f64 and rounded once to f32. The loss uses logsumexp(z) = m + log S, so it
// needs no clamp: −log p[label] = log S + m − z[label] ≥ 0 for finite logits. log is
// AssemblyScript's NativeMath.log (a software f64 log, the same in both builds).
// The f32 gradient multiplies once: coef = f32(scale·w_r), d_j = coef·(p_j − [j = label]).
// MSE: the loss terms are formed in f64 from the f32 values; d = f32(2·scale·w_r)·(pred − target) in f32.
import { exp4, expScalar } from "./activations";
import { sum64, sumSquaredDiff64 } from "./reduce";

/** max_j z[j] over one row. f32.max propagates NaN and orders ±0, so the order of the max does not change the value. */
// @ts-ignore: decorator
@inline function rowMax(z: usize, C: i32): f32 {
  let j = 0;
  let m: f32 = -Infinity;
  if (ASC_FEATURE_SIMD && C >= 4) {
    let mv = v128.load(z);
    for (j = 4; j + 4 <= C; j += 4) mv = f32x4.max(mv, v128.load(z + (<usize>j << 2)));
    m = max(max(f32x4.extract_lane(mv, 0), f32x4.extract_lane(mv, 1)), max(f32x4.extract_lane(mv, 2), f32x4.extract_lane(mv, 3)));
  }
  for (; j < C; j++) m = max(m, load<f32>(z + (<usize>j << 2)));
  return m;
}

/** e[j] = exp((z[j] − m)·invT) (the multiply only when `tempered`); e may alias z. */
// @ts-ignore: decorator
@inline function expRow(e: usize, z: usize, C: i32, m: f32, invT: f32, tempered: bool): void {
  let j = 0;
  if (ASC_FEATURE_SIMD) {
    const mv = f32x4.splat(m);
    const tv = f32x4.splat(invT);
    for (; j + 4 <= C; j += 4) {
      const o = <usize>j << 2;
      let d = f32x4.sub(v128.load(z + o), mv);
      if (tempered) d = f32x4.mul(d, tv);
      v128.store(e + o, exp4(d));
    }
  }
  for (; j < C; j++) {
    const o = <usize>j << 2;
    let d = load<f32>(z + o) - m;
    if (tempered) d *= invT;
    store<f32>(e + o, expScalar(d));
  }
}

/** p[j] = f32(p[j] / S), the quotient taken in f64. */
// @ts-ignore: decorator
@inline function normaliseRow(p: usize, C: i32, S: f64): void {
  let j = 0;
  if (ASC_FEATURE_SIMD) {
    const sv = f64x2.splat(S);
    for (; j + 4 <= C; j += 4) {
      const o = <usize>j << 2;
      const e = v128.load(p + o);
      const lo = f64x2.div(f64x2.promote_low_f32x4(e), sv);
      const hi = f64x2.div(f64x2.promote_low_f32x4(v128.shuffle<f32>(e, e, 2, 3, 2, 3)), sv);
      v128.store(p + o, v128.shuffle<f32>(f32x4.demote_f64x2_zero(lo), f32x4.demote_f64x2_zero(hi), 0, 1, 4, 5));
    }
  }
  for (; j < C; j++) {
    const o = <usize>j << 2;
    store<f32>(p + o, <f32>(<f64>load<f32>(p + o) / S));
  }
}

/** out = softmax of one row; returns S = Σ exp(z − m) (f64). */
// @ts-ignore: decorator
@inline function softmaxRow(out: usize, z: usize, C: i32, m: f32, invT: f32, tempered: bool): f64 {
  expRow(out, z, C, m, invT, tempered);
  const S = sum64(out, C);
  normaliseRow(out, C, S);
  return S;
}

/** d[j] = coef · x[j] (f32). */
// @ts-ignore: decorator
@inline function scaleRow(d: usize, x: usize, n: i32, coef: f32): void {
  let j = 0;
  if (ASC_FEATURE_SIMD) {
    const cv = f32x4.splat(coef);
    for (; j + 4 <= n; j += 4) {
      const o = <usize>j << 2;
      v128.store(d + o, f32x4.mul(cv, v128.load(x + o)));
    }
  }
  for (; j < n; j++) {
    const o = <usize>j << 2;
    store<f32>(d + o, coef * load<f32>(x + o));
  }
}

/** d[j] = coef · (a[j] − b[j]) (f32). */
// @ts-ignore: decorator
@inline function scaledDiffRow(d: usize, a: usize, b: usize, n: i32, coef: f32): void {
  let j = 0;
  if (ASC_FEATURE_SIMD) {
    const cv = f32x4.splat(coef);
    for (; j + 4 <= n; j += 4) {
      const o = <usize>j << 2;
      v128.store(d + o, f32x4.mul(cv, f32x4.sub(v128.load(a + o), v128.load(b + o))));
    }
  }
  for (; j < n; j++) {
    const o = <usize>j << 2;
    store<f32>(d + o, coef * (load<f32>(a + o) - load<f32>(b + o)));
  }
}

// @ts-ignore: decorator
@inline function rowWeight(mask: usize, r: i32): f32 {
  return mask ? load<f32>(mask + (<usize>r << 2)) : <f32>1;
}

export function log_softmax_f64(out: usize, scratch: usize, logits: usize, rows: i32, classes: i32): void {
  for (let r = 0; r < rows; r++) {
    const z = logits + (<usize>(r * classes) << 2);
    const m = rowMax(z, classes);
    expRow(scratch, z, classes, m, 1, false);
    const lse = <f64>m + Math.log(sum64(scratch, classes));
    const row = out + (<usize>(r * classes) << 3);
    for (let j = 0; j < classes; j++) store<f64>(row + (<usize>j << 3), <f64>load<f32>(z + (<usize>j << 2)) - lse);
  }
}

export function softmax_f32(out: usize, logits: usize, rows: i32, classes: i32): void {
  const rowBytes = <usize>classes << 2;
  for (let r = 0; r < rows; r++) {
    const z = logits + <usize>r * rowBytes;
    softmaxRow(out + <usize>r * rowBytes, z, classes, rowMax(z, classes), 1, false);
  }
}

export function softmax_temperature_f32(out: usize, logits: usize, rows: i32, classes: i32, invTemperature: f32): void {
  const rowBytes = <usize>classes << 2;
  for (let r = 0; r < rows; r++) {
    const z = logits + <usize>r * rowBytes;
    softmaxRow(out + <usize>r * rowBytes, z, classes, rowMax(z, classes), invTemperature, true);
  }
}

export function softmax_backward_f32(dLogits: usize, probs: usize, dProbs: usize, rows: i32, classes: i32): void {
  for (let r = 0; r < rows; r++) {
    const o = <usize>r * (<usize>classes << 2);
    let dot: f64 = 0;
    for (let j = 0; j < classes; j++) {
      const at = o + (<usize>j << 2);
      dot += <f64>load<f32>(dProbs + at) * <f64>load<f32>(probs + at);
    }
    const d = <f32>dot;
    // Scalar in both builds: the same operations, so SIMD and scalar give the same bits.
    for (let j = 0; j < classes; j++) {
      const at = o + (<usize>j << 2);
      store<f32>(dLogits + at, load<f32>(dLogits + at) + load<f32>(probs + at) * (load<f32>(dProbs + at) - d));
    }
  }
}

export function softmax_xent_f32(
  dLogits: usize, probs: usize, logits: usize, labels: usize, mask: usize,
  rows: i32, classes: i32, scale: f64,
): f64 {
  const rowBytes = <usize>classes << 2;
  let loss: f64 = 0;
  for (let r = 0; r < rows; r++) {
    const offset = <usize>r * rowBytes;
    const z = logits + offset;
    const p = probs + offset;
    const w = rowWeight(mask, r);
    const labelOffset: usize = w != 0 ? <usize>load<i32>(labels + (<usize>r << 2)) << 2 : 0;
    const zLabel = load<f32>(z + labelOffset); // read before probs (which may alias logits) is written
    const m = rowMax(z, classes);
    const S = softmaxRow(p, z, classes, m, 1, false);
    if (w != 0) loss += <f64>w * (Math.log(S) + (<f64>m - <f64>zLabel));
    if (!dLogits) continue;
    const d = dLogits + offset;
    if (w == 0) {
      memory.fill(d, 0, rowBytes);
      continue;
    }
    const coef = <f32>(scale * <f64>w);
    const pLabel = load<f32>(p + labelOffset); // read before dLogits (which may alias probs) is written
    scaleRow(d, p, classes, coef);
    store<f32>(d + labelOffset, coef * (pLabel - 1));
  }
  return loss;
}

export function mse_f32(
  dPred: usize, pred: usize, target: usize, mask: usize,
  rows: i32, cols: i32, scale: f64,
): f64 {
  const rowBytes = <usize>cols << 2;
  let loss: f64 = 0;
  for (let r = 0; r < rows; r++) {
    const offset = <usize>r * rowBytes;
    const w = rowWeight(mask, r);
    if (w != 0) loss += <f64>w * sumSquaredDiff64(pred + offset, target + offset, cols);
    if (!dPred) continue;
    if (w == 0) memory.fill(dPred + offset, 0, rowBytes);
    else scaledDiffRow(dPred + offset, pred + offset, target + offset, cols, <f32>(2 * scale * <f64>w));
  }
  return loss;
}
