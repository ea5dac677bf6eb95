// CTC (assembly/ctc.ts) against its references (src/reference/ctc.ts): the recursion against the
// definition (brute force over every path), the reference gradient against central differences,
// the kernel's losses and gradients against the reference on both builds (SIMD = scalar bit for
// bit), log space on a long input against an exact count of alignments, infeasible inputs, padded
// steps, and best-path decoding.
import { describe, expect, it } from 'vitest';
import { liveF64, liveI32, liveView, type Backend, type F32Buffer } from '../src/engine/backend.js';
import { ctcGreedyF32, ctcLossF32, ctcWorkF64 } from '../src/kernels/ctc.js';
import { collapse, ctcGreedy, ctcLoss, ctcLossBruteForce } from '../src/reference/ctc.js';
import { backendFor, BUILDS } from './helpers/backends.js';
import { expectSameBits } from './helpers/compare.js';
import { makeRandom } from './helpers/random.js';

function randomLogits(T: number, C: number, seed: number, spread = 2): number[][] {
  const r = makeRandom(seed);
  return Array.from({ length: T }, () => Array.from({ length: C }, () => Math.fround((r() * 2 - 1) * spread)));
}

describe('CTC reference', () => {
  const cases: { T: number; C: number; labels: number[] }[] = [
    { T: 1, C: 3, labels: [] },
    { T: 1, C: 3, labels: [2] },
    { T: 3, C: 3, labels: [1, 2] },
    { T: 4, C: 3, labels: [1, 1] }, // a repeat needs a blank between
    { T: 5, C: 4, labels: [3, 1, 3] },
    { T: 6, C: 3, labels: [] },
    { T: 6, C: 3, labels: [2, 2, 1] },
  ];
  it.each(cases)('the recursion equals the sum over every path (T = $T, C = $C, l = $labels)', ({ T, C, labels }) => {
    const logits = randomLogits(T, C, 10 * T + labels.length);
    const { loss } = ctcLoss(logits, labels);
    expect(Math.abs(loss - ctcLossBruteForce(logits, labels)) / Math.abs(loss)).toBeLessThan(1e-12);
  });

  it('infeasible: a repeated label in too few steps has probability 0', () => {
    expect(ctcLoss(randomLogits(2, 3, 1), [1, 1]).loss).toBe(Infinity);
    expect(ctcLossBruteForce(randomLogits(2, 3, 1), [1, 1])).toBe(Infinity);
  });

  it('the gradient equals central differences of the loss (T = 5, C = 4, l = 3 1 3; blank = 2)', () => {
    const logits = randomLogits(5, 4, 3);
    const labels = [3, 1, 3];
    const { gradient } = ctcLoss(logits, labels, 2);
    let worst = 0;
    const h = 1e-6;
    for (let t = 0; t < 5; t++) {
      for (let k = 0; k < 4; k++) {
        const plus = logits.map((row) => [...row]);
        const minus = logits.map((row) => [...row]);
        plus[t][k] += h;
        minus[t][k] -= h;
        const numeric = (ctcLoss(plus, labels, 2).loss - ctcLoss(minus, labels, 2).loss) / (2 * h);
        worst = Math.max(worst, Math.abs(numeric - gradient[t][k]));
      }
    }
    expect(worst).toBeLessThan(1e-8);
  });
});

interface Batch {
  logits: number[][][]; // [B][T][C], steps past inputLengths[b] arbitrary
  labels: number[][];
  inputLengths: number[];
  T: number;
  C: number;
}

function makeBatch(seed: number): Batch {
  const T = 9;
  const C = 5;
  const inputLengths = [9, 6, 3];
  const labels = [[1, 2, 2, 4], [3], [4, 4]];
  return { logits: [0, 1, 2].map((b) => randomLogits(T, C, seed + b)), labels, inputLengths, T, C };
}

function runKernel(backend: Backend, batch: Batch, scales: number[], blank: number, gradient = true): { losses: Float64Array; dLogits: Float32Array } {
  const { logits, labels, inputLengths, T, C } = batch;
  const B = logits.length;
  const maxL = Math.max(1, ...labels.map((l) => l.length));
  const held: F32Buffer[] = [];
  const buffer = (n: number): F32Buffer => {
    const b = backend.allocF32(Math.max(1, n));
    held.push(b);
    return b;
  };
  try {
    const z = buffer(T * B * C);
    const dz = buffer(T * B * C);
    const losses = buffer(2 * B);
    const lab = buffer(B * maxL);
    const labelLengths = buffer(B);
    const lengths = buffer(B);
    const scale = buffer(B);
    const work = buffer(2 * ctcWorkF64(backend, T, C, maxL));
    const zv = liveView(z);
    for (let t = 0; t < T; t++) for (let b = 0; b < B; b++) zv.set(logits[b][t], (t * B + b) * C);
    liveView(dz).fill(Number.NaN); // every element is written
    labels.forEach((l, b) => liveI32(lab).set(l, b * maxL));
    liveI32(labelLengths).set(labels.map((l) => l.length));
    liveI32(lengths).set(inputLengths);
    liveView(scale).set(scales);
    ctcLossF32(backend, { dLogits: gradient ? dz.ptr : 0, losses: losses.ptr, logits: z.ptr, labels: lab.ptr, labelLengths: labelLengths.ptr, inputLengths: lengths.ptr, scales: scale.ptr, work: work.ptr }, T, B, C, maxL, blank);
    return { losses: liveF64(losses).slice(0, B), dLogits: liveView(dz).slice() };
  } finally {
    for (const b of held) b.dispose();
  }
}

describe.each(BUILDS)('CTC kernel ($name)', ({ simd }) => {
  it('losses and gradients equal the reference for sequences of different lengths; padded steps get 0', async () => {
    const backend = await backendFor(simd);
    const batch = makeBatch(100);
    const scales = [1, 0.5, 2];
    const { losses, dLogits } = runKernel(backend, batch, scales, 0);
    let worstLoss = 0;
    let worstGradient = 0;
    batch.logits.forEach((logits, b) => {
      const Tb = batch.inputLengths[b];
      const want = ctcLoss(logits.slice(0, Tb), batch.labels[b], 0);
      worstLoss = Math.max(worstLoss, Math.abs(losses[b] - want.loss) / want.loss);
      for (let t = 0; t < batch.T; t++) {
        for (let k = 0; k < batch.C; k++) {
          const got = dLogits[(t * 3 + b) * batch.C + k];
          if (t >= Tb) expect(got).toBe(0);
          else worstGradient = Math.max(worstGradient, Math.abs(got - scales[b] * want.gradient[t][k]));
        }
      }
    });
    // f64 throughout; the logits are f32 values, so only summation order differs: 1e-12.
    expect(worstLoss).toBeLessThan(1e-12);
    // Each gradient is rounded once to f32 from an f64 value of magnitude ≤ 2: half an ulp of 2 is 1.2e-7.
    expect(worstGradient).toBeLessThan(2.5e-7);
  });

  it('another blank index; no gradient when dLogits is 0', async () => {
    const backend = await backendFor(simd);
    const batch = makeBatch(7);
    batch.labels = [[0, 1, 0, 1], [3], []];
    const { losses } = runKernel(backend, batch, [1, 1, 1], 2, false);
    batch.logits.forEach((logits, b) => {
      const want = ctcLoss(logits.slice(0, batch.inputLengths[b]), batch.labels[b], 2).loss;
      expect(Math.abs(losses[b] - want) / want).toBeLessThan(1e-12);
    });
  });

  it('infeasible sequences: loss +Infinity and a zero gradient (the others unaffected)', async () => {
    const backend = await backendFor(simd);
    const batch = makeBatch(3);
    batch.labels = [[1, 2, 2, 4], [3, 3, 3, 3], [4, 4]]; // sequence 1: 4 repeats need 7 steps, it has 6
    const { losses, dLogits } = runKernel(backend, batch, [1, 1, 1], 0);
    expect(losses[1]).toBe(Infinity);
    expect(Number.isFinite(losses[0]) && Number.isFinite(losses[2])).toBe(true);
    for (let t = 0; t < batch.T; t++) for (let k = 0; k < batch.C; k++) expect(dLogits[(t * 3 + 1) * batch.C + k]).toBe(0);
  });

  it('scores 800 apart (the probabilities underflow): the log-space path gives the finite loss 800 − ln T', async () => {
    const backend = await backendFor(simd);
    const T = 9;
    const C = 3;
    // Blank scores 0, the others −800: every path emits label 2 exactly once among blanks (T ways),
    // p = T·e^−800 to within e^−800 relative, so the loss is 800 − ln T.
    const logits = Array.from({ length: T }, () => [0, -800, -800]);
    const batch: Batch = { logits: [logits, logits], labels: [[2], []], inputLengths: [T, T], T, C };
    const { losses, dLogits } = runKernel(backend, batch, [1, 1], 0);
    expect(Math.abs(losses[0] - (800 - Math.log(T)))).toBeLessThan(1e-9);
    expect(Math.abs(losses[1])).toBe(0); // an empty transcript: all blanks, probability 1 (rounded)
    // The gradient pulls label 2 up by 1/T at every step (its posterior), blank down as much.
    for (let t = 0; t < T; t++) {
      expect(dLogits[(t * 2) * C + 2]).toBeCloseTo(-1 / T, 6);
      expect(dLogits[(t * 2) * C + 0]).toBeCloseTo(1 / T, 6);
    }
  });

  it('log space: T = 400 with uniform scores matches an exact count of alignments', async () => {
    const backend = await backendFor(simd);
    const T = 400;
    const C = 6;
    const labels = [1, 2, 2, 3, 5, 5, 5, 4, 1];
    const batch: Batch = { logits: [Array.from({ length: T }, () => new Array<number>(C).fill(0.25))], labels: [labels], inputLengths: [T], T, C };
    const { losses } = runKernel(backend, batch, [1], 0);
    // p = N / C^T with N the number of paths that collapse to l, counted exactly with BigInt.
    const lp = [0, ...labels.flatMap((l) => [l, 0])];
    let alpha: bigint[] = lp.map((_, s) => (s < 2 ? 1n : 0n));
    for (let t = 1; t < T; t++) {
      alpha = lp.map((k, s) => alpha[s] + (s >= 1 ? alpha[s - 1] : 0n) + (s >= 2 && k !== 0 && k !== lp[s - 2] ? alpha[s - 2] : 0n));
    }
    const N = alpha[lp.length - 1] + alpha[lp.length - 2];
    const digits = N.toString();
    const lnN = Math.log(Number(digits.slice(0, 17))) + (digits.length - 17) * Math.LN10;
    const want = T * Math.log(C) - lnN;
    expect(Math.abs(losses[0] - want) / want).toBeLessThan(1e-12);
  });
});

describe('CTC kernel: SIMD = scalar, greedy decoding', () => {
  it('the same bits from both builds', async () => {
    const [a, b] = await Promise.all([backendFor(true), backendFor(false)]);
    const batch = makeBatch(55);
    const ra = runKernel(a, batch, [1, 0.25, 3], 0);
    const rb = runKernel(b, batch, [1, 0.25, 3], 0);
    expectSameBits('losses', new Float32Array(ra.losses.buffer), new Float32Array(rb.losses.buffer)); // the f64 bits, as pairs of words
    expectSameBits('dLogits', ra.dLogits, rb.dLogits);
  });

  it.each(BUILDS)('best path = the reference ($name), repeats merged only when adjacent', async ({ simd }) => {
    const backend = await backendFor(simd);
    const T = 12;
    const B = 3;
    const C = 4;
    const sequences = [0, 1, 2].map((b) => randomLogits(T, C, 200 + b, 3));
    // A path with a repeat split by a blank: 1 1 0 1 2 2 → 1 1 2.
    sequences[2] = [1, 1, 0, 1, 2, 2].map((k) => [0, 1, 2, 3].map((j) => (j === k ? 5 : 0)));
    const lengths = [12, 7, 6];
    const z = backend.allocF32(T * B * C);
    const decoded = backend.allocF32(B * T);
    const decodedLengths = backend.allocF32(B);
    const inputLengths = backend.allocF32(B);
    try {
      for (let b = 0; b < B; b++) for (let t = 0; t < lengths[b]; t++) liveView(z).set(sequences[b][t], (t * B + b) * C);
      liveI32(inputLengths).set(lengths);
      ctcGreedyF32(backend, { decoded: decoded.ptr, decodedLengths: decodedLengths.ptr, logits: z.ptr, inputLengths: inputLengths.ptr }, T, B, C, 0);
      for (let b = 0; b < B; b++) {
        const n = liveI32(decodedLengths)[b];
        expect(Array.from(liveI32(decoded).subarray(b * T, b * T + n))).toEqual(ctcGreedy(sequences[b].slice(0, lengths[b])));
      }
      expect(ctcGreedy(sequences[2])).toEqual([1, 1, 2]);
      expect(collapse([0, 3, 3, 0, 0, 3])).toEqual([3, 3]);
    } finally {
      for (const buf of [z, decoded, decodedLengths, inputLengths]) buf.dispose();
    }
  });
});
