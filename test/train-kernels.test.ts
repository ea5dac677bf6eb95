// Training kernels (losses, optimizers, clipping, dense/embedding pieces, time
// reversal) on both builds:
//   1. the f64 loss references against central differences;
//   2. every kernel against its f64 reference at sizes around the vector width;
//   3. the SIMD and the scalar build bit for bit (f64 loss sums included);
//   4. optimizer steps against values derived by hand from PyTorch's formulas;
//   5. masks, NaN propagation, aliasing, unaligned pointers and argument checks.
//
// Tolerances (f32 kernel vs f64 reference, |got − want| ≤ rtol·|want| + atol):
//   softmax / probs   rtol 1e-5: exp is within 1 ULP (activations.test.ts), z − max rounds to
//                     2⁻²⁴·|z − max| ≤ 6e-7 relative in exp for |z| ≤ 5, one rounding of e/S.
//   xent / MSE loss   rtol 1e-5 of the sum (f64 sums of terms each good to a few f32 ULPs).
//   gradients         rtol 1e-5 plus atol 1e-6·|scale·w| for xent: p − 1 at the label loses the
//                     relative accuracy of p where p ≈ 1, keeping its absolute accuracy.
//   optimizers        rtol 1e-5, atol 1e-6 after three steps: a handful of f32 roundings per step.
//   sums of rows      Higham's γ_n·Σ|terms| for f32 sums of n + 1 terms (rigorous).
//   sumSquares        rtol 1e-12: f64 squares of f32 values are exact, only the f64 additions round.
// Data movement (reverse, embedding forward) and x·factor, clamp are compared exactly.
import { describe, expect, it } from 'vitest';
import type { Backend } from '../src/engine/backend.js';
import {
  addBiasRows, adamStep, clipValues, embeddingBackward, embeddingForward, meanSquaredError, reverseTime,
  reverseTimeMasked, rmspropStep, scaleInPlace, sgdStep, softmax, softmaxBackward, softmaxCrossEntropy, sumRowsInto, sumSquares,
} from './helpers/train-kernels.js';
import {
  addBiasRowsReference, adamStepReference, clipValuesReference, embeddingBackwardReference, embeddingForwardReference,
  meanSquaredErrorReference, reverseTimeMaskedReference, reverseTimeReference, rmspropStepReference, sgdStepReference,
  softmaxBackwardReference, softmaxCrossEntropyReference, softmaxReference, sumRowsIntoReference, sumSquaresReference,
} from '../src/reference/train.js';
import { BUILDS, backendFor } from './helpers/backends.js';
import { expectSameBits, expectWithinBound } from './helpers/compare.js';
import { checkGradients, randomF64 } from './helpers/gradcheck.js';
import { makeRandom, randomFloat32 } from './helpers/random.js';
import { gamma } from './helpers/tolerance.js';
import { softmaxXentF32 } from '../src/kernels/loss.js';

const SIZES = [1, 2, 3, 4, 5, 7, 8, 9, 17, 33];

function expectClose(label: string, got: ArrayLike<number>, want: ArrayLike<number>, rtol: number, atol = 0): void {
  expectWithinBound(label, got, want, Float64Array.from(want, (w) => rtol * Math.abs(w) + atol));
}

function expectNumberClose(label: string, got: number, want: number, rtol: number): void {
  expect(Math.abs(got - want), `${label}: ${got} vs ${want}`).toBeLessThanOrEqual(rtol * Math.abs(want) + 1e-300);
}

function randomLabels(rows: number, classes: number, seed: number): Int32Array {
  const next = makeRandom(seed);
  return Int32Array.from({ length: rows }, () => Math.floor(next() * classes));
}

/** Masks that exercise weights: none, 0/1 with both kinds, fractional. */
function masksFor(rows: number): (Float32Array | null)[] {
  return [
    null,
    Float32Array.from({ length: rows }, (_, r) => (r % 3 === 1 ? 0 : 1)),
    Float32Array.from({ length: rows }, (_, r) => [1, 0.5, 0, 2][r % 4]),
  ];
}

const maskName = (mask: Float32Array | null): string => (mask === null ? 'no mask' : `mask ${Array.from(mask.slice(0, 4)).join(',')}`);

describe('f64 loss references against central differences', () => {
  it('softmax cross-entropy: dLogits is the gradient of scale · Σ w·loss (masked rows included)', () => {
    const rows = 4, classes = 5, scale = 0.7;
    const next = makeRandom(3);
    const logits = randomF64(rows * classes, next, 3);
    const labels = [2, 0, 4, 1];
    const mask = [1, 0, 0.5, 2];
    const dLogits = new Float64Array(rows * classes);
    softmaxCrossEntropyReference(logits, labels, mask, null, dLogits, rows, classes, scale);
    checkGradients('xent', { logits }, { logits: dLogits },
      () => scale * softmaxCrossEntropyReference(logits, labels, mask, null, null, rows, classes, scale), { tolerance: 1e-8 });
  });

  it('softmax backward: dLogits is the gradient of Σ softmax(logits)·R', () => {
    const rows = 3, classes = 5;
    const next = makeRandom(9);
    const logits = randomF64(rows * classes, next, 3);
    const R = randomF64(rows * classes, next, 2);
    const probs = new Float64Array(rows * classes);
    softmaxReference(logits, probs, rows, classes);
    const dLogits = new Float64Array(rows * classes);
    softmaxBackwardReference(dLogits, probs, R, rows, classes);
    checkGradients('softmax backward', { logits }, { logits: dLogits }, () => {
      const p = new Float64Array(rows * classes);
      softmaxReference(logits, p, rows, classes);
      return p.reduce((sum, v, i) => sum + v * R[i], 0);
    }, { tolerance: 1e-8 });
  });

  it('MSE: dPred is the gradient of scale · Σ w·Σ (pred − target)²', () => {
    const rows = 3, cols = 4, scale = 1.3;
    const next = makeRandom(4);
    const pred = randomF64(rows * cols, next, 2);
    const target = randomF64(rows * cols, next, 2);
    const mask = [0.5, 0, 1];
    const dPred = new Float64Array(rows * cols);
    meanSquaredErrorReference(pred, target, mask, dPred, rows, cols, scale);
    checkGradients('mse', { pred }, { pred: dPred },
      () => scale * meanSquaredErrorReference(pred, target, mask, null, rows, cols, scale), { tolerance: 1e-8 });
  });
});

describe.each(BUILDS)('training kernels on the $name build vs the f64 reference', ({ simd }) => {
  it('softmax, with and without a temperature', async () => {
    const backend = await backendFor(simd);
    for (const classes of SIZES) {
      const rows = 3;
      const logits = randomFloat32(rows * classes, classes, -5, 5);
      for (const temperature of [1, 0.5, 3]) {
        const out = new Float32Array(rows * classes);
        softmax(rows, classes, logits, out, { backend, temperature });
        const want = new Float64Array(rows * classes);
        softmaxReference(logits, want, rows, classes, 1 / temperature);
        expectClose(`softmax C=${classes} T=${temperature}`, out, want, 1e-5, 1e-12);
      }
    }
  });

  it('softmax backward accumulates p ⊙ (dp − dp·p); SIMD and scalar give the same bits', async () => {
    const backend = await backendFor(simd);
    const other = await backendFor(!simd);
    for (const classes of SIZES) {
      const rows = 3;
      const probs = new Float32Array(rows * classes);
      softmax(rows, classes, randomFloat32(rows * classes, classes, -4, 4), probs, { backend });
      const dProbs = randomFloat32(rows * classes, classes + 1);
      const start = randomFloat32(rows * classes, classes + 2);
      const got = start.slice();
      softmaxBackward(rows, classes, probs, dProbs, got, { backend });
      const want = Float64Array.from(start);
      softmaxBackwardReference(want, probs, dProbs, rows, classes);
      // f32 products and one f32 subtraction after an f64 dot: a few ulps of max(|dp|, |start|).
      expectClose(`softmax backward C=${classes}`, got, want, 1e-6, 1e-6);
      const again = start.slice();
      softmaxBackward(rows, classes, probs, dProbs, again, { backend: other });
      expectSameBits(`softmax backward C=${classes}, both builds`, got, again);
    }
  });

  it('softmax cross-entropy: probs, dLogits and the loss', async () => {
    const backend = await backendFor(simd);
    for (const classes of SIZES) {
      const rows = 6;
      const logits = randomFloat32(rows * classes, 10 + classes, -5, 5);
      const labels = randomLabels(rows, classes, 20 + classes);
      for (const mask of masksFor(rows)) {
        const label = `xent C=${classes} ${maskName(mask)}`;
        const scale = 0.37;
        const probs = new Float32Array(rows * classes);
        const dLogits = new Float32Array(rows * classes);
        const loss = softmaxCrossEntropy(rows, classes, logits, labels, probs, dLogits, { backend, mask, scale });
        const wantProbs = new Float64Array(rows * classes);
        const wantD = new Float64Array(rows * classes);
        const wantSum = softmaxCrossEntropyReference(logits, labels, mask, wantProbs, wantD, rows, classes, scale);
        expectClose(`${label} probs`, probs, wantProbs, 1e-5, 1e-12);
        expectClose(`${label} dLogits`, dLogits, wantD, 1e-5, 1e-6 * scale * 2);
        expectNumberClose(`${label} loss`, loss, scale * wantSum, 1e-5);
      }
    }
  });

  it('MSE: the loss and dPred', async () => {
    const backend = await backendFor(simd);
    for (const cols of SIZES) {
      const rows = 5;
      const pred = randomFloat32(rows * cols, 30 + cols, -2, 2);
      const target = randomFloat32(rows * cols, 40 + cols, -2, 2);
      for (const mask of masksFor(rows)) {
        const label = `mse cols=${cols} ${maskName(mask)}`;
        const scale = 0.21;
        const dPred = new Float32Array(rows * cols);
        const loss = meanSquaredError(rows, cols, pred, target, dPred, { backend, mask, scale });
        const wantD = new Float64Array(rows * cols);
        const wantSum = meanSquaredErrorReference(pred, target, mask, wantD, rows, cols, scale);
        expectClose(`${label} dPred`, dPred, wantD, 1e-5, 1e-12);
        expectNumberClose(`${label} loss`, loss, scale * wantSum, 1e-5);
      }
    }
  });

  it('the default scale is the mean over counted rows (and over columns for MSE)', async () => {
    const backend = await backendFor(simd);
    const rows = 4, classes = 3;
    const logits = randomFloat32(rows * classes, 5);
    const labels = Int32Array.of(0, 1, 2, 0);
    const mask = Float32Array.of(1, 0, 1, 1);
    const probs = new Float32Array(rows * classes);
    const loss = softmaxCrossEntropy(rows, classes, logits, labels, probs, null, { backend, mask });
    const sum = softmaxCrossEntropyReference(logits, labels, mask, null, null, rows, classes, 1);
    expectNumberClose('xent mean', loss, sum / 3, 1e-5);
    const pred = randomFloat32(rows * classes, 6);
    const target = randomFloat32(rows * classes, 7);
    const mse = meanSquaredError(rows, classes, pred, target, null, { backend, mask });
    expectNumberClose('mse mean', mse, meanSquaredErrorReference(pred, target, mask, null, rows, classes, 1) / 9, 1e-5);
    expect(softmaxCrossEntropy(rows, classes, logits, labels, probs, null, { backend, mask: new Float32Array(rows) })).toBe(0);
  });

  const sgdCases = [
    { learningRate: 0.1, momentum: 0, nesterov: false, weightDecay: 0 },
    { learningRate: 0.05, momentum: 0.9, nesterov: false, weightDecay: 0 },
    { learningRate: 0.05, momentum: 0.9, nesterov: true, weightDecay: 0.01 },
    { learningRate: 0.2, momentum: 0, nesterov: false, weightDecay: 0.1 },
  ];
  it('SGD over three steps: params and velocity', async () => {
    const backend = await backendFor(simd);
    for (const n of SIZES) {
      for (const o of sgdCases) {
        const label = `sgd n=${n} ${JSON.stringify(o)}`;
        const params = randomFloat32(n, 50 + n);
        const velocity = new Float32Array(n);
        const wantP = Float64Array.from(params);
        const wantV = new Float64Array(n);
        for (let step = 1; step <= 3; step++) {
          const grads = randomFloat32(n, 60 + n * step);
          sgdStep(params, velocity, grads, { backend, ...o });
          sgdStepReference(wantP, wantV, grads, o);
          expectClose(`${label} step ${step} params`, params, wantP, 1e-5, 1e-6);
          expectClose(`${label} step ${step} velocity`, velocity, wantV, 1e-5, 1e-6);
        }
      }
    }
  });

  const adamCases = [
    { learningRate: 1e-2, beta1: 0.9, beta2: 0.999, epsilon: 1e-8, weightDecay: 0, decoupled: false },
    { learningRate: 3e-2, beta1: 0.8, beta2: 0.99, epsilon: 1e-6, weightDecay: 0.05, decoupled: false },
    { learningRate: 3e-2, beta1: 0.9, beta2: 0.999, epsilon: 1e-8, weightDecay: 0.1, decoupled: true },
  ];
  it('Adam and AdamW over three steps: params, m and v', async () => {
    const backend = await backendFor(simd);
    for (const n of SIZES) {
      for (const o of adamCases) {
        const label = `adam n=${n} ${JSON.stringify(o)}`;
        const params = randomFloat32(n, 70 + n);
        const m = new Float32Array(n), v = new Float32Array(n);
        const wantP = Float64Array.from(params), wantM = new Float64Array(n), wantV = new Float64Array(n);
        for (let step = 1; step <= 3; step++) {
          const grads = randomFloat32(n, 80 + n * step);
          adamStep(params, m, v, grads, { backend, step, ...o });
          adamStepReference(wantP, wantM, wantV, grads, { step, ...o });
          expectClose(`${label} step ${step} params`, params, wantP, 1e-5, 1e-6);
          expectClose(`${label} step ${step} m`, m, wantM, 1e-5, 1e-7);
          expectClose(`${label} step ${step} v`, v, wantV, 1e-5, 1e-9);
        }
      }
    }
  });

  it('RMSprop over three steps: params and the square average', async () => {
    const backend = await backendFor(simd);
    for (const n of SIZES) {
      for (const o of [{ learningRate: 1e-2, rho: 0.99, epsilon: 1e-8, weightDecay: 0 }, { learningRate: 1e-3, rho: 0.9, epsilon: 1e-7, weightDecay: 0.1 }]) {
        const label = `rmsprop n=${n} ${JSON.stringify(o)}`;
        const params = randomFloat32(n, 90 + n);
        const sq = new Float32Array(n);
        const wantP = Float64Array.from(params), wantS = new Float64Array(n);
        for (let step = 1; step <= 3; step++) {
          const grads = randomFloat32(n, 100 + n * step);
          rmspropStep(params, sq, grads, { backend, ...o });
          rmspropStepReference(wantP, wantS, grads, o);
          expectClose(`${label} step ${step} params`, params, wantP, 1e-5, 1e-6);
          expectClose(`${label} step ${step} sq`, sq, wantS, 1e-5, 1e-9);
        }
      }
    }
  });

  it('sum of squares, scale and clip', async () => {
    const backend = await backendFor(simd);
    for (const n of [...SIZES, 4099]) {
      const x = randomFloat32(n, 110 + n, -3, 3);
      expectNumberClose(`sumSquares n=${n}`, sumSquares(x, { backend }), sumSquaresReference(x), 1e-12);
      const scaled = x.slice();
      scaleInPlace(scaled, 0.3, { backend });
      expectSameBits(`scale n=${n}`, scaled, Float32Array.from(x, (v) => Math.fround(0.3) * v));
      const clipped = x.slice();
      clipValues(clipped, 1.25, { backend });
      const want = Float64Array.from(x);
      clipValuesReference(want, 1.25);
      expectSameBits(`clip n=${n}`, clipped, Float32Array.from(want));
    }
  });

  it('bias rows, row sums, embeddings, time reversal', async () => {
    const backend = await backendFor(simd);
    for (const cols of SIZES) {
      for (const rows of [1, 3, 17]) {
        const x = randomFloat32(rows * cols, 120 + cols + rows);
        const bias = randomFloat32(cols, 130 + cols);
        const got = x.slice();
        addBiasRows(rows, cols, bias, got, { backend });
        const want = Float64Array.from(x);
        addBiasRowsReference(want, bias, rows, cols);
        expectClose(`bias rows=${rows} cols=${cols}`, got, want, 1e-7, 1e-7);

        const dst = randomFloat32(cols, 140 + cols);
        const sums = dst.slice();
        sumRowsInto(rows, cols, x, sums, { backend });
        const wantSums = Float64Array.from(dst);
        sumRowsIntoReference(wantSums, x, rows, cols);
        // Higham's bound for a sum of rows + 1 f32 terms: γ_{rows}·Σ|terms|.
        const absSums = Float64Array.from(dst, Math.abs);
        sumRowsIntoReference(absSums, x.map(Math.abs), rows, cols);
        expectWithinBound(`row sums rows=${rows} cols=${cols}`, sums, wantSums, Float64Array.from(absSums, (a) => gamma(rows) * a + 1e-30));

        const T = rows;
        const reversed = new Float32Array(rows * cols);
        reverseTime(T, cols, x, reversed, { backend });
        const wantReversed = new Float32Array(rows * cols);
        reverseTimeReference(wantReversed, x, T, cols);
        expectSameBits(`reverse T=${T} rowFloats=${cols}`, reversed, wantReversed);
      }
      const vocab = 5, n = 9;
      const table = randomFloat32(vocab * cols, 150 + cols);
      const ids = Int32Array.of(3, 0, 3, 4, 1, 3, 0, 2, 3); // repeats: backward accumulates
      const out = new Float32Array(n * cols);
      embeddingForward(n, cols, table, ids, out, { backend });
      const wantOut = new Float32Array(n * cols);
      embeddingForwardReference(wantOut, table, ids, cols);
      expectSameBits(`embedding forward dim=${cols}`, out, wantOut);
      const dOut = randomFloat32(n * cols, 160 + cols);
      const dTable = randomFloat32(vocab * cols, 170 + cols);
      const wantTable = Float64Array.from(dTable);
      embeddingBackward(n, cols, dOut, ids, dTable, { backend });
      embeddingBackwardReference(wantTable, dOut, ids, cols);
      expectClose(`embedding backward dim=${cols}`, dTable, wantTable, 1e-5, 1e-6 * 5);
    }
  });

  it('masked time reversal: each sequence reversed within its length, padding zeroed, its own inverse', async () => {
    const backend = await backendFor(simd);
    for (const F of [1, 3, 4, 5, 8, 9, 17]) {
      const T = 5, B = 4;
      const lengths = [5, 3, 1, 0];
      const mask = new Float32Array(T * B);
      for (let t = 0; t < T; t++) for (let b = 0; b < B; b++) mask[t * B + b] = t < lengths[b] ? 1 : 0;
      const src = randomFloat32(T * B * F, 180 + F);
      const dst = new Float32Array(T * B * F).fill(NaN); // every element must be written
      reverseTimeMasked(T, B, F, src, mask, dst, { backend });
      const want = new Float32Array(T * B * F);
      reverseTimeMaskedReference(want, src, mask, T, B, F);
      expectSameBits(`reverse masked F=${F}`, dst, want);
      const back = new Float32Array(T * B * F);
      reverseTimeMasked(T, B, F, dst, mask, back, { backend });
      const valid = Float32Array.from(src, (v, i) => (mask[Math.floor(i / F)] === 1 ? v : 0));
      expectSameBits(`reverse masked twice F=${F}`, back, valid);
    }
  });
});

describe('SIMD and scalar training kernels', () => {
  it('give bit-identical results, f64 sums included', async () => {
    const builds: Backend[] = [await backendFor(true), await backendFor(false)];
    const rows = 37, classes = 33, n = 4099;
    const logits = randomFloat32(rows * classes, 1, -20, 20);
    const labels = randomLabels(rows, classes, 2);
    const mask = masksFor(rows)[2];
    const pred = randomFloat32(rows * classes, 3, -5, 5);
    const target = randomFloat32(rows * classes, 4, -5, 5);
    const x = wideRange(n, 5);
    const grads = [6, 7, 8].map((seed) => randomFloat32(n, seed));
    const runs = builds.map((backend) => {
      const r: Record<string, Float32Array | number> = {};
      const probs = new Float32Array(rows * classes), dLogits = new Float32Array(rows * classes);
      r.xent = softmaxCrossEntropy(rows, classes, logits, labels, probs, dLogits, { backend, mask });
      Object.assign(r, { probs, dLogits });
      const hot = new Float32Array(rows * classes);
      softmax(rows, classes, logits, hot, { backend, temperature: 0.7 });
      r.softmaxT = hot;
      const dPred = new Float32Array(rows * classes);
      r.mse = meanSquaredError(rows, classes, pred, target, dPred, { backend, mask });
      r.dPred = dPred;
      r.sumSquares = sumSquares(x, { backend });
      const p1 = x.slice(), v1 = new Float32Array(n);
      const p2 = x.slice(), m2 = new Float32Array(n), v2 = new Float32Array(n);
      const p3 = x.slice(), s3 = new Float32Array(n);
      grads.forEach((g, i) => {
        sgdStep(p1, v1, g, { backend, learningRate: 0.1, momentum: 0.9, nesterov: true, weightDecay: 0.01 });
        adamStep(p2, m2, v2, g, { backend, learningRate: 0.01, step: i + 1, weightDecay: 0.1, decoupled: i === 1 });
        rmspropStep(p3, s3, g, { backend, learningRate: 0.01, weightDecay: 0.01 });
      });
      Object.assign(r, { p1, v1, p2, m2, v2, p3, s3 });
      const scaled = x.slice();
      scaleInPlace(scaled, 0.123, { backend });
      clipValues(scaled, 1, { backend });
      r.scaled = scaled;
      const sums = new Float32Array(classes);
      sumRowsInto(rows, classes, pred, sums, { backend });
      r.sums = sums;
      const dTable = new Float32Array(5 * classes);
      embeddingBackward(rows, classes, pred, Int32Array.from(labels, (l) => l % 5), dTable, { backend });
      r.dTable = dTable;
      return r;
    });
    for (const key of Object.keys(runs[0])) {
      const [a, b] = [runs[0][key], runs[1][key]];
      if (typeof a === 'number') expect(Object.is(a, b), `${key}: ${a} vs ${String(b)}`).toBe(true);
      else expectSameBits(key, a, b as Float32Array);
    }
  });
});

/** Σ terms in reduce.ts's documented order: partial sums by i mod 4, (s₀ + s₂) + (s₁ + s₃), then the tail. */
function documentedOrderSum(terms: ArrayLike<number>): number {
  const body = terms.length - (terms.length % 4);
  const s = [0, 0, 0, 0];
  for (let i = 0; i < body; i++) s[i % 4] += terms[i];
  let total = (s[0] + s[2]) + (s[1] + s[3]);
  for (let i = body; i < terms.length; i++) total += terms[i];
  return total;
}

/** f32 values whose squares span 2⁻⁶⁰ … 2⁶⁰, so every f64 addition rounds and any other order shows. */
function wideRange(n: number, seed: number): Float32Array {
  const next = makeRandom(seed);
  return Float32Array.from({ length: n }, () => (next() * 2 - 1) * 2 ** Math.floor(next() * 61 - 30));
}

describe.each(BUILDS)('f64 sums on the $name build', ({ simd }) => {
  it('follow the documented order exactly (sumSquares, the MSE loss)', async () => {
    const backend = await backendFor(simd);
    for (const n of [...SIZES, 4099]) {
      const x = wideRange(n, 190 + n);
      expect(sumSquares(x, { backend }), `sumSquares n=${n}`).toBe(documentedOrderSum(Array.from(x, (v) => v * v)));
      const target = wideRange(n, 200 + n);
      const want = documentedOrderSum(Array.from(x, (v, i) => (v - target[i]) ** 2));
      expect(meanSquaredError(1, n, x, target, null, { backend, scale: 1 }), `mse n=${n}`).toBe(want);
    }
  });
});

describe.each(BUILDS)('optimizer steps on the $name build vs values derived by hand from PyTorch', ({ simd }) => {
  // Three steps with constant gradients; p₀ and g differ per element. Sums written out from
  // torch.optim's update rules (dampening 0, velocity starting from the first gradient).
  const handClose = (label: string, got: Float32Array, want: number[]) =>
    expectWithinBound(label, got, want, want.map((w) => 1e-6 * Math.max(1, Math.abs(w))));

  it('SGD with momentum 0.9, lr 0.1: p₃ = p₀ − 0.1·g·(1 + 1.9 + 2.71)', async () => {
    const backend = await backendFor(simd);
    // v₁ = g, v₂ = 0.9g + g = 1.9g, v₃ = 0.9·1.9g + g = 2.71g
    const params = Float32Array.of(1, -2, 0.5), velocity = new Float32Array(3), grads = Float32Array.of(1, -2, 0.25);
    for (let s = 0; s < 3; s++) sgdStep(params, velocity, grads, { backend, learningRate: 0.1, momentum: 0.9 });
    handClose('sgd momentum params', params, [1 - 0.561, -2 + 1.122, 0.5 - 0.14025]);
    handClose('sgd momentum velocity', velocity, [2.71, -5.42, 0.6775]);
  });

  it('SGD with Nesterov momentum 0.9, lr 0.1: p₃ = p₀ − 0.1·g·(1.9 + 2.71 + 3.439)', async () => {
    const backend = await backendFor(simd);
    // the step uses g + 0.9·v_t: g + 0.9g = 1.9g, g + 0.9·1.9g = 2.71g, g + 0.9·2.71g = 3.439g
    const params = Float32Array.of(1, -2, 0.5), velocity = new Float32Array(3), grads = Float32Array.of(1, -2, 0.25);
    for (let s = 0; s < 3; s++) sgdStep(params, velocity, grads, { backend, learningRate: 0.1, momentum: 0.9, nesterov: true });
    handClose('sgd nesterov params', params, [1 - 0.8049, -2 + 1.6098, 0.5 - 0.201225]);
  });

  it('SGD with weight decay 0.5, lr 0.1, zero gradient: p shrinks by 0.95 a step', async () => {
    const backend = await backendFor(simd);
    const params = Float32Array.of(2, -1), grads = new Float32Array(2);
    for (let s = 0; s < 3; s++) sgdStep(params, null, grads, { backend, learningRate: 0.1, weightDecay: 0.5 });
    handClose('sgd weight decay', params, [2 * 0.857375, -0.857375]);
  });

  // Adam, β₁ = 0.5, β₂ = 0.75, gradients c, −c, 2c:
  //   m₁ = 0.5c          v₁ = 0.25c²                                 m̂₁ = c        v̂₁ = c²
  //   m₂ = −0.25c        v₂ = 0.1875c² + 0.25c² = 0.4375c²            m̂₂ = −c/3     v̂₂ = 0.4375c²/0.4375 = c²
  //   m₃ = 0.875c        v₃ = 0.328125c² + c² = 1.328125c² = (85/64)c²  m̂₃ = c      v̂₃ = (85/64)/(37/64)·c² = (85/37)c²
  const c = [1, -0.5, 3];
  const eps = 1e-8, lr = 0.1;
  const updates = c.map((ci) => {
    const a = Math.abs(ci);
    return [lr * ci / (a + eps), lr * (-ci / 3) / (a + eps), lr * ci / (a * Math.sqrt(85 / 37) + eps)];
  });
  const adamRun = async (weightDecay: number, decoupled: boolean) => {
    const backend = await backendFor(simd);
    const params = Float32Array.of(1, -2, 0.5), m = new Float32Array(3), v = new Float32Array(3);
    [1, -1, 2].forEach((k, i) => {
      adamStep(params, m, v, Float32Array.from(c, (ci) => k * ci), { backend, learningRate: lr, beta1: 0.5, beta2: 0.75, epsilon: eps, step: i + 1, weightDecay, decoupled });
    });
    return { params, m, v };
  };

  it('Adam: m̂ and v̂ as derived, p₃ = p₀ − Σ lr·m̂/(√v̂ + ε)', async () => {
    const { params, m, v } = await adamRun(0, false);
    handClose('adam params', params, [1, -2, 0.5].map((p0, i) => p0 - updates[i][0] - updates[i][1] - updates[i][2]));
    expect(Array.from(m)).toEqual(c.map((ci) => 0.875 * ci)); // exact: every product is exact in f32
    expect(Array.from(v)).toEqual(c.map((ci) => 1.328125 * ci * ci));
  });

  it('AdamW, weight decay 0.2: p ← 0.98·p before each update, moments unchanged', async () => {
    const { params, m } = await adamRun(0.2, true);
    handClose('adamw params', params, [1, -2, 0.5].map((p0, i) => ((p0 * 0.98 - updates[i][0]) * 0.98 - updates[i][1]) * 0.98 - updates[i][2]));
    expect(Array.from(m)).toEqual(c.map((ci) => 0.875 * ci));
  });

  it('Adam with L2 weight decay 0.5 on a zero gradient: g = 0.5·p, and v̂ = m̂² on step 1', async () => {
    const backend = await backendFor(simd);
    // step 1: g = 0.5·2 = 1, m̂ = 1, v̂ = 1, p₁ = 2 − 0.1/(1 + ε)
    const params = Float32Array.of(2), m = new Float32Array(1), v = new Float32Array(1);
    adamStep(params, m, v, new Float32Array(1), { backend, learningRate: 0.1, beta1: 0.5, beta2: 0.75, epsilon: eps, step: 1, weightDecay: 0.5 });
    handClose('adam L2 params', params, [2 - 0.1 / (1 + eps)]);
    handClose('adam L2 m', m, [0.5]);
    handClose('adam L2 v', v, [0.25]);
  });

  it('RMSprop, ρ = 0.5, lr 0.1: s = 0.5c², 0.75c², 0.875c²', async () => {
    const backend = await backendFor(simd);
    const params = Float32Array.of(1, -2, 0.5), sq = new Float32Array(3), grads = Float32Array.from(c);
    for (let s = 0; s < 3; s++) rmspropStep(params, sq, grads, { backend, learningRate: 0.1, rho: 0.5, epsilon: eps });
    const want = [1, -2, 0.5].map((p0, i) => {
      const a = Math.abs(c[i]);
      return p0 - 0.1 * c[i] * (1 / (a * Math.sqrt(0.5) + eps) + 1 / (a * Math.sqrt(0.75) + eps) + 1 / (a * Math.sqrt(0.875) + eps));
    });
    handClose('rmsprop params', params, want);
    expect(Array.from(sq)).toEqual(c.map((ci) => 0.875 * ci * ci));
  });
});

describe.each(BUILDS)('masks, non-finite values, aliasing and arguments on the $name build', ({ simd }) => {
  it('masked rows add nothing to the loss and get a zero gradient, even when NaN or mislabelled', async () => {
    const backend = await backendFor(simd);
    const rows = 6, classes = 7, scale = 0.25;
    const logits = randomFloat32(rows * classes, 9, -4, 4);
    const labels = randomLabels(rows, classes, 10);
    const mask = Float32Array.of(1, 0, 1, 1, 0, 1);
    const kept = [0, 2, 3, 5];
    for (let j = 0; j < classes; j++) logits[1 * classes + j] = NaN; // a masked row full of NaN
    labels[4] = -1; // a masked row with a label out of range (allowed: it is not read)
    const probs = new Float32Array(rows * classes), dLogits = new Float32Array(rows * classes).fill(7);
    const loss = softmaxCrossEntropy(rows, classes, logits, labels, probs, dLogits, { backend, mask, scale });
    // The same rows without a mask: the same additions in the same order.
    const subLogits = new Float32Array(kept.flatMap((r) => Array.from(logits.subarray(r * classes, (r + 1) * classes))));
    const subProbs = new Float32Array(kept.length * classes), subD = new Float32Array(kept.length * classes);
    const subLoss = softmaxCrossEntropy(kept.length, classes, subLogits, Int32Array.from(kept, (r) => labels[r]), subProbs, subD, { backend, scale });
    expect(loss).toBe(subLoss);
    kept.forEach((r, i) => expectSameBits(`dLogits row ${r}`, dLogits.subarray(r * classes, (r + 1) * classes), subD.subarray(i * classes, (i + 1) * classes)));
    for (const r of [1, 4]) expect(Array.from(dLogits.subarray(r * classes, (r + 1) * classes))).toEqual(new Array(classes).fill(0));

    const pred = randomFloat32(rows * classes, 11), target = randomFloat32(rows * classes, 12);
    pred[1 * classes + 3] = NaN;
    const dPred = new Float32Array(rows * classes).fill(7);
    const mse = meanSquaredError(rows, classes, pred, target, dPred, { backend, mask, scale });
    const pick = (a: Float32Array) => new Float32Array(kept.flatMap((r) => Array.from(a.subarray(r * classes, (r + 1) * classes))));
    const subDPred = new Float32Array(kept.length * classes);
    expect(mse).toBe(meanSquaredError(kept.length, classes, pick(pred), pick(target), subDPred, { backend, scale }));
    expectSameBits('dPred kept rows', pick(dPred), subDPred);
    for (const r of [1, 4]) expect(Array.from(dPred.subarray(r * classes, (r + 1) * classes))).toEqual(new Array(classes).fill(0));
  });

  it('a row of weight 0.5 counts half', async () => {
    const backend = await backendFor(simd);
    const logits = randomFloat32(2 * 5, 13), labels = Int32Array.of(1, 3);
    const probs = new Float32Array(10), d1 = new Float32Array(10), d2 = new Float32Array(10);
    const full = softmaxCrossEntropy(2, 5, logits, labels, probs, d1, { backend, mask: Float32Array.of(0, 1), scale: 1 });
    const half = softmaxCrossEntropy(2, 5, logits, labels, probs, d2, { backend, mask: Float32Array.of(0, 0.5), scale: 1 });
    expect(half).toBe(full / 2);
    expectSameBits('half gradient', d2, d1.map((v) => v / 2));
  });

  it('sumSquares propagates NaN and Inf from the vector body and from the tail; f32 extremes do not overflow', async () => {
    const backend = await backendFor(simd);
    for (const at of [0, 3, 5, 8]) {
      const x = randomFloat32(9, 14);
      x[at] = NaN;
      expect(sumSquares(x, { backend }), `NaN at ${at}`).toBeNaN();
      x[at] = -Infinity;
      expect(sumSquares(x, { backend }), `-Inf at ${at}`).toBe(Infinity);
      x[(at + 1) % 9] = NaN;
      expect(sumSquares(x, { backend }), `Inf and NaN at ${at}`).toBeNaN();
    }
    const big = new Float32Array(9).fill(3e38);
    expectNumberClose('f32 extremes', sumSquares(big, { backend }), 9 * Math.fround(3e38) ** 2, 1e-15);
  });

  it('softmax and the cross-entropy probs agree bit for bit; softmax works in place; temperature limits', async () => {
    const backend = await backendFor(simd);
    const rows = 3, classes = 9;
    const logits = randomFloat32(rows * classes, 15, -30, 30);
    const a = new Float32Array(rows * classes), b = new Float32Array(rows * classes);
    softmax(rows, classes, logits, a, { backend });
    softmaxCrossEntropy(rows, classes, logits, new Int32Array(rows), b, null, { backend });
    expectSameBits('softmax vs xent probs', a, b);
    const inPlace = logits.slice();
    softmax(rows, classes, inPlace, inPlace, { backend });
    expectSameBits('softmax in place', inPlace, a);
    // A very low temperature picks the max; a very high one is uniform.
    const cold = new Float32Array(rows * classes), hot = new Float32Array(rows * classes);
    softmax(rows, classes, logits, cold, { backend, temperature: 1e-3 });
    softmax(rows, classes, logits, hot, { backend, temperature: 1e6 });
    for (let r = 0; r < rows; r++) {
      const row = Array.from(logits.subarray(r * classes, (r + 1) * classes));
      const argmax = row.indexOf(Math.max(...row));
      expect(cold[r * classes + argmax]).toBe(1);
      for (let j = 0; j < classes; j++) expect(hot[r * classes + j]).toBeCloseTo(1 / classes, 5);
    }
  });

  it('kernels read unaligned pointers (an odd float offset) and give the same bits', async () => {
    const backend = await backendFor(simd);
    const rows = 3, classes = 7, n = rows * classes;
    const logits = randomFloat32(n, 16, -3, 3), labels = Int32Array.of(0, 6, 3);
    const alignedProbs = new Float32Array(n), alignedD = new Float32Array(n);
    const want = softmaxCrossEntropy(rows, classes, logits, labels, alignedProbs, alignedD, { backend, scale: 1 });
    const block = backend.allocF32(4 * n + 8);
    const view = () => new Float32Array(backend.memoryBuffer, block.ptr, 4 * n + 8);
    const base = block.ptr + 4; // one float past a 16-byte boundary
    view().set(logits, 1);
    const labelsPtr = backend.alloc(4 * rows);
    new Int32Array(backend.memoryBuffer, labelsPtr, rows).set(labels);
    const probsPtr = base + 4 * n, dPtr = base + 8 * n + 4; // misaligned by 1 and 2 floats more
    const got = softmaxXentF32(backend, { dLogits: dPtr, probs: probsPtr, logits: base, labels: labelsPtr, mask: 0 }, rows, classes, 1);
    expect(got).toBe(want);
    expectSameBits('unaligned probs', view().slice(1 + n, 1 + 2 * n), alignedProbs);
    expectSameBits('unaligned dLogits', view().slice(2 + 2 * n, 2 + 3 * n), alignedD);
    backend.free(labelsPtr);
    block.dispose();
  });

  it('the cross-entropy kernel lets dLogits, probs and logits be one buffer', async () => {
    const backend = await backendFor(simd);
    const rows = 4, classes = 6, n = rows * classes;
    const logits = randomFloat32(n, 17, -3, 3), labels = Int32Array.of(5, 0, 2, 2);
    const probs = new Float32Array(n), d = new Float32Array(n);
    const want = softmaxCrossEntropy(rows, classes, logits, labels, probs, d, { backend, scale: 0.5 });
    const buffer = backend.fromArray(logits);
    const labelsPtr = backend.alloc(4 * rows);
    new Int32Array(backend.memoryBuffer, labelsPtr, rows).set(labels);
    const got = softmaxXentF32(backend, { dLogits: buffer.ptr, probs: buffer.ptr, logits: buffer.ptr, labels: labelsPtr, mask: 0 }, rows, classes, 0.5);
    expect(got * 0.5).toBe(want);
    expectSameBits('aliased dLogits', buffer.read(), d);
    backend.free(labelsPtr);
    buffer.dispose();
  });
});

describe('argument checks of the training wrappers', () => {
  it('name the argument, what was expected and what was given', async () => {
    const backend = await backendFor(true);
    const f = (n: number) => new Float32Array(n);
    expect(() => softmaxCrossEntropy(2, 3, f(6), Int32Array.of(0, 3), f(6), null, { backend }))
      .toThrow('softmaxCrossEntropy: labels[1] must be a class index in [0, 2], got 3');
    expect(() => softmaxCrossEntropy(2, 3, f(5), Int32Array.of(0, 1), f(6), null, { backend }))
      .toThrow('softmaxCrossEntropy: logits has 5 elements but [rows=2, classes=3] needs 6');
    expect(() => softmaxCrossEntropy(2, 3, f(6), Int32Array.of(0, 1), f(6), null, { backend, mask: Float32Array.of(1, -1) }))
      .toThrow('softmaxCrossEntropy: options.mask[1] must be a finite weight ≥ 0, got -1');
    expect(() => softmaxCrossEntropy(2, 3, f(6), [0, 1] as unknown as Int32Array, f(6), null, { backend }))
      .toThrow('softmaxCrossEntropy: labels must be an Int32Array, got Array(2)');
    expect(() => meanSquaredError(2, 2, f(4), f(4), f(4), { backend, scale: NaN }))
      .toThrow('meanSquaredError: options.scale must be a finite number, got NaN');
    expect(() => softmax(1, 2, f(2), f(2), { backend, temperature: 0 })).toThrow('softmax: options.temperature must be > 0, got 0');
    expect(() => sgdStep(f(3), f(2), f(3), { backend, learningRate: 0.1, momentum: 0.9 }))
      .toThrow('sgdStep: velocity has 2 elements but params has 3');
    expect(() => sgdStep(f(3), null, f(3), { backend, learningRate: 0.1, nesterov: true }))
      .toThrow('sgdStep: options.nesterov needs options.momentum > 0, got momentum 0');
    expect(() => adamStep(f(3), f(3), f(3), f(3), { backend, learningRate: 0.1, step: 0 }))
      .toThrow('adamStep: options.step must be ≥ 1, got 0');
    expect(() => adamStep(f(3), f(3), f(3), f(3), { backend, learningRate: 0.1, step: 1, beta1: 1 }))
      .toThrow('adamStep: options.beta1 must be in [0, 1), got 1');
    const shared = f(3);
    expect(() => rmspropStep(shared, shared, f(3), { backend, learningRate: 0.1 }))
      .toThrow('rmspropStep: params must not overlap sq (they share memory)');
    expect(() => embeddingForward(2, 2, f(6), Int32Array.of(0, 3), f(4), { backend }))
      .toThrow('embeddingForward: ids[1] must be in [0, 2] (table rows), got 3');
    expect(() => reverseTimeMasked(3, 1, 1, f(3), Float32Array.of(1, 0, 1), f(3), { backend }))
      .toThrow('reverseTimeMasked: mask[:, 0] is not post-padded (a 1 at t = 2 follows a 0)');
    expect(() => clipValues(f(3), -1, { backend })).toThrow('clipValues: limit must be ≥ 0, got -1');
  });
});
