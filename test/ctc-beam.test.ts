// CTC prefix beam search (assembly/ctc.ts ctc_beam_f32, Sequential.decodeCTC({ beamWidth })): the
// plain-TS reference against brute force (every labelling's probability summed over all C^T
// alignments: a beam as wide as the number of prefixes finds the most probable labelling with its
// exact ln p, also where best path does not), the repeated-label rule, the kernel against the
// reference on both builds (several widths, blanks, lengths, an empty input), SIMD = scalar bits,
// beamWidth 1 = best path, and the model's decodeCTC with a softmax head, lengths and refusals.
import { beforeAll, describe, expect, it } from 'vitest';
import type { Backend } from '../src/engine/backend.js';
import { init } from '../src/engine/init.js';
import { Dense } from '../src/layers/dense.js';
import { GRU } from '../src/layers/gru.js';
import { ctcBeamBatch, type CTCHypotheses } from '../src/models/ctc.js';
import { Sequential } from '../src/models/sequential.js';
import { collapse, ctcGreedy, ctcLabellingsBruteForce, ctcLoss, ctcPrefixBeamSearch } from '../src/reference/ctc.js';
import { backendFor, BUILDS } from './helpers/backends.js';
import { expectSameBits, thrown } from './helpers/compare.js';
import { makeRandom } from './helpers/random.js';

beforeAll(async () => {
  await init();
});

type Logits = number[][];
const randomLogits = (T: number, C: number, r: () => number, spread = 3): Logits =>
  Array.from({ length: T }, () => Array.from({ length: C }, () => Math.fround((r() * 2 - 1) * spread)));
const fromProbabilities = (rows: number[][]): Logits => rows.map((row) => row.map((p) => Math.fround(Math.log(p))));

/** The kernel over sequences of different lengths (each padded to T with junk), blank, width W, n best. */
function runKernel(backend: Backend, sequences: Logits[], C: number, blank: number, W: number, n: number): CTCHypotheses[] {
  const B = sequences.length;
  const T = Math.max(1, ...sequences.map((s) => s.length));
  const logits = backend.allocF32(T * B * C).fill(123); // padding steps: never read
  try {
    const heap = backend.heapF32();
    sequences.forEach((s, b) => s.forEach((row, t) => heap.set(row, (logits.ptr >>> 2) + (t * B + b) * C)));
    const results: CTCHypotheses[] = [];
    ctcBeamBatch(backend, logits.ptr, Int32Array.from(sequences.map((s) => s.length)), 0, B, T, C, blank, W, n, results);
    return results;
  } finally {
    logits.dispose();
  }
}

describe('prefix beam search reference vs brute force', () => {
  it('T = 2, y = (0.6, 0.4) twice: best path gives "" (0.36) but [1] has probability 0.64, and the beam finds it', () => {
    const logits = fromProbabilities([[0.6, 0.4], [0.6, 0.4]]);
    expect(ctcGreedy(logits)).toEqual([]);
    const all = ctcLabellingsBruteForce(logits);
    expect(all.map((e) => e.labels)).toEqual([[1], []]);
    expect(Math.exp(all[0].logProbability)).toBeCloseTo(0.64, 6);
    const beam = ctcPrefixBeamSearch(logits, 2);
    expect(beam.labels).toEqual([[1], []]);
    beam.logProbabilities.forEach((lp, i) => expect(Math.abs(lp - all[i].logProbability)).toBeLessThan(1e-12));
  });

  it('on 120 random T = 5, C = 3 inputs a beam as wide as the prefixes (63) returns every labelling, in order, with its exact ln p; best path is wrong on some of them', () => {
    const r = makeRandom(17);
    let disagreements = 0;
    for (let trial = 0; trial < 120; trial++) {
      const logits = randomLogits(5, 3, r, 1.5);
      const all = ctcLabellingsBruteForce(logits);
      const beam = ctcPrefixBeamSearch(logits, 63);
      expect(beam.labels[0]).toEqual(all[0].labels);
      // Every prefix of length ≤ 5 over 2 labels survives, so the scores are exact: equal to brute force and to the forward recursion.
      for (const [i, labels] of beam.labels.entries()) {
        const exact = all.find((e) => e.labels.join() === labels.join());
        expect(Math.abs(beam.logProbabilities[i] - exact!.logProbability)).toBeLessThan(1e-12);
        if (labels.length > 0) expect(Math.abs(beam.logProbabilities[i] + ctcLoss(logits, labels).loss)).toBeLessThan(1e-12);
      }
      if (ctcGreedy(logits).join() !== all[0].labels.join()) disagreements++;
    }
    expect(disagreements).toBeGreaterThan(4);
  });

  it('the repeated-label rule: 1 0 1 is [1, 1], 1 1 1 is [1] (a repeat needs a blank between)', () => {
    const sharp = (path: number[]) => path.map((k) => [0, 1, 2].map((j) => (j === k ? 4 : 0)));
    for (const [path, want] of [[[1, 0, 1], [1, 1]], [[1, 1, 1], [1]], [[2, 1, 1, 0, 1], [2, 1, 1]]] as const) {
      const logits = sharp([...path]);
      expect(collapse([...path])).toEqual(want);
      expect(ctcLabellingsBruteForce(logits)[0].labels).toEqual(want);
      expect(ctcPrefixBeamSearch(logits, 8).labels[0]).toEqual(want);
    }
  });
});

describe.each(BUILDS)('prefix beam search kernel ($name)', ({ simd }) => {
  it('equals the reference: widths 2, 3, 8, n ≤ W, blanks 0 and 2, sequences of lengths 9, 6, 1 and 0', async () => {
    const backend = await backendFor(simd);
    const C = 5;
    for (const blank of [0, 2]) {
      for (const W of [2, 3, 8]) {
        const r = makeRandom(100 * W + blank);
        const sequences = [9, 6, 1, 0].map((T) => randomLogits(T, C, r));
        const n = Math.min(W, 3);
        const got = runKernel(backend, sequences, C, blank, W, n);
        sequences.forEach((s, b) => {
          const want = s.length === 0 ? { labels: [[]], logProbabilities: [0] } : ctcPrefixBeamSearch(s, W, n, blank);
          expect(got[b].labels).toEqual(want.labels);
          got[b].logProbabilities.forEach((lp, i) => expect(Math.abs(lp - want.logProbabilities[i])).toBeLessThan(1e-12));
        });
      }
    }
  });

  it('the classic case and the repeated-label rule; a wide beam gives brute force\'s ranking', async () => {
    const backend = await backendFor(simd);
    const [classic] = runKernel(backend, [fromProbabilities([[0.6, 0.4], [0.6, 0.4]])], 2, 0, 4, 2);
    expect(classic.labels).toEqual([[1], []]);
    expect(classic.logProbabilities.map(Math.exp).map((p) => Math.round(p * 1e6) / 1e6)).toEqual([0.64, 0.36]);
    const [best] = runKernel(backend, [fromProbabilities([[0.6, 0.4], [0.6, 0.4]])], 2, 0, 1, 1);
    expect(best).toEqual({ labels: [[]], logProbabilities: [expect.closeTo(Math.log(0.36), 6)] });
    const [repeat] = runKernel(backend, [[1, 0, 1].map((k) => [0, 1, 2].map((j) => (j === k ? 4 : 0)))], 3, 0, 8, 1);
    expect(repeat.labels).toEqual([[1, 1]]);
    const r = makeRandom(5);
    const logits = randomLogits(5, 3, r, 1.5);
    const [wide] = runKernel(backend, [logits], 3, 0, 63, 63);
    const all = ctcLabellingsBruteForce(logits);
    expect(wide.labels).toEqual(all.map((e) => e.labels));
    wide.logProbabilities.forEach((lp, i) => expect(Math.abs(lp - all[i].logProbability)).toBeLessThan(1e-12));
  });

  it('beamWidth 1 is best path (labels = the reference\'s, log-probability = Σ_t max ln y_t)', async () => {
    const backend = await backendFor(simd);
    const r = makeRandom(8);
    const sequences = [12, 7, 3].map((T) => randomLogits(T, 4, r));
    const got = runKernel(backend, sequences, 4, 0, 1, 1);
    sequences.forEach((s, b) => {
      expect(got[b].labels).toEqual([ctcGreedy(s)]);
      const bestPath = s.reduce((sum, z) => {
        const m = Math.max(...z);
        return sum + m - (m + Math.log(z.reduce((t, v) => t + Math.exp(v - m), 0)));
      }, 0);
      expect(Math.abs(got[b].logProbabilities[0] - bestPath)).toBeLessThan(1e-9);
    });
  });
});

describe('prefix beam search: both builds, the model', () => {
  it('SIMD = scalar bit for bit (T = 60, C = 8, W = 10)', async () => {
    const [a, b] = await Promise.all([backendFor(true), backendFor(false)]);
    const r = makeRandom(77);
    const sequences = [60, 45].map((T) => randomLogits(T, 8, r));
    const ra = runKernel(a, sequences, 8, 0, 10, 10);
    const rb = runKernel(b, sequences, 8, 0, 10, 10);
    expect(ra.map((h) => h.labels)).toEqual(rb.map((h) => h.labels));
    expectSameBits('log-probabilities', new Float32Array(Float64Array.from(ra.flatMap((h) => h.logProbabilities)).buffer), new Float32Array(Float64Array.from(rb.flatMap((h) => h.logProbabilities)).buffer));
  });

  it('decodeCTC({ beamWidth }) on a softmax head: the reference on the model\'s log-probabilities, with lengths; beamWidth 1 = decodeCTC()', () => {
    const model = new Sequential({ inputSize: 3, seed: 4, layers: [new GRU({ units: 6, returnSequences: true }), new Dense({ units: 4, activation: 'softmax' })] });
    model.compile({ loss: 'ctc', ctc: { blank: 3 }, optimizer: 'sgd' });
    const r = makeRandom(6);
    const x = Array.from({ length: 3 }, () => Array.from({ length: 10 }, () => Array.from({ length: 3 }, () => r() * 4 - 2)));
    const lengths = [10, 7, 4];
    const got = model.decodeCTC(x, { beamWidth: 5, n: 3, lengths, batchSize: 2 });
    const probabilities = model.predict(x, { lengths });
    lengths.forEach((T, b) => {
      const logits = Array.from({ length: T }, (_, t) => Array.from(probabilities.data.subarray((b * 10 + t) * 4, (b * 10 + t + 1) * 4), Math.log));
      const want = ctcPrefixBeamSearch(logits, 5, 3, 3);
      expect(got[b].labels).toEqual(want.labels);
      // The reference reads ln(f32 softmax), the kernel the logits: equal to f32 rounding.
      got[b].logProbabilities.forEach((lp, i) => expect(Math.abs(lp - want.logProbabilities[i])).toBeLessThan(1e-4));
    });
    const greedy = model.decodeCTC(x, { lengths });
    expect(model.decodeCTC(x, { beamWidth: 1, lengths }).map((h) => h.labels[0])).toEqual(greedy);
    model.dispose();
  });

  it('refuses bad options, naming them', () => {
    const model = new Sequential({ inputSize: 2, seed: 1, layers: [new GRU({ units: 3, returnSequences: true }), new Dense({ units: 3 })] });
    const x = [[[0, 1], [1, 0]]];
    model.compile({ loss: 'mse', optimizer: 'sgd' });
    expect(thrown(() => model.decodeCTC(x, { beamWidth: 2 })).message).toBe("Sequential.decodeCTC: compile({ loss: 'ctc' }) first (the blank class is a compile option), got loss 'mse'");
    model.compile({ loss: 'ctc', optimizer: 'sgd' });
    expect(thrown(() => model.decodeCTC(x, { beamWidth: 0 })).message).toBe('Sequential.decodeCTC: options.beamWidth must be ≥ 1, got 0');
    expect(thrown(() => model.decodeCTC(x, { beamWidth: 2, n: 3 })).message).toBe('Sequential.decodeCTC: options.n must be in [1, 2], got 3');
    expect(thrown(() => model.decodeCTC(x, { n: 2 } as never)).message).toBe('Sequential.decodeCTC: options.n is the number of labellings prefix beam search returns; give options.beamWidth too');
    expect(thrown(() => model.decodeCTC(x, { beam: 2 } as never)).message).toMatch(/^Sequential.decodeCTC: unknown option 'beam'/);
    model.dispose();
  });
});
