// Loss 'ctc' of a Sequential (connectionist temporal classification, Graves et al. 2006): what the
// model needs beyond its usual data path. Targets are label sequences of any length (not aligned
// with the steps); each sample's input length comes from options.lengths (or is every step). The
// loss and its gradient are assembly/ctc.ts's; the reduction is PyTorch's 'mean': the mean over
// the batch of each sample's −ln p(l|x) divided by its number of labels (at least 1).
import type { Backend, F32Buffer } from '../engine/backend.js';
import { describe } from '../errors.js';
import { ctcBeamF32, ctcBeamWorkFloats, ctcGreedyF32, ctcLossF32, ctcWorkF64 } from '../kernels/ctc.js';
import type { Workspace } from '../layers/parameters.js';
import type { CTCSettings } from './training.js';

/** Label sequences read once: labels [N, maxL] (each row padded with 0s), lengths [N]. */
export interface LabelSequences {
  labels: Int32Array;
  lengths: Int32Array;
  maxL: number;
}

/** y of loss 'ctc': N arrays of labels in [0, O) other than the blank, of any lengths (0 allowed). */
export function readLabelSequences(where: string, name: string, value: unknown, N: number, O: number, blank: number): LabelSequences {
  if (!Array.isArray(value)) throw new TypeError(`${where}: ${name} must be an array of ${N} label sequences (arrays of integers) for loss 'ctc', got ${describe(value)}`);
  if (value.length !== N) throw new RangeError(`${where}: ${name} has ${value.length} label sequences; x has ${N} samples`);
  const rows = value.map((row: unknown, i) => {
    if (!Array.isArray(row) && !ArrayBuffer.isView(row)) throw new TypeError(`${where}: ${name}[${i}] must be an array of labels, got ${describe(row)}`);
    return row as ArrayLike<unknown>;
  });
  const maxL = Math.max(1, ...rows.map((r) => r.length));
  const labels = new Int32Array(N * maxL);
  const lengths = new Int32Array(N);
  rows.forEach((row, i) => {
    for (let k = 0; k < row.length; k++) {
      const label = row[k];
      if (typeof label !== 'number' || !Number.isInteger(label) || label < 0 || label >= O || label === blank) {
        throw new RangeError(`${where}: ${name}[${i}][${k}] is ${describe(label)}; labels must be integers 0 … ${O - 1} (the head has ${O} classes) other than the blank ${blank}`);
      }
      labels[i * maxL + k] = label;
    }
    lengths[i] = row.length;
  });
  return { labels, lengths, maxL };
}

/** Each sample's input length: the real steps of a prefix mask (options.lengths), else all T. */
export function inputLengthsOf(where: string, mask: Float32Array | null, N: number, T: number): Int32Array {
  const lengths = new Int32Array(N).fill(T);
  if (!mask) return lengths;
  for (let i = 0; i < N; i++) {
    let n = 0;
    while (n < T && mask[i * T + n] === 1) n++;
    for (let t = n; t < T; t++) {
      if (mask[i * T + t] !== 0) throw new RangeError(`${where}: loss 'ctc' reads each sample's first steps: options.mask[${i}] has a real step ${t} after padding at step ${n}; give options.lengths`);
    }
    lengths[i] = n;
  }
  return lengths;
}

/** Steps the labels need: one per label plus one blank between equal neighbours. */
export function stepsNeeded(labels: Int32Array, at: number, L: number): number {
  let needed = L;
  for (let k = 1; k < L; k++) if (labels[at + k] === labels[at + k - 1]) needed++;
  return needed;
}

/** Refuses samples no alignment can produce, unless zeroInfinity. */
export function checkFeasible(where: string, name: string, y: LabelSequences, inputLengths: Int32Array, settings: CTCSettings): void {
  if (settings.zeroInfinity) return;
  for (let i = 0; i < inputLengths.length; i++) {
    const needed = stepsNeeded(y.labels, i * y.maxL, y.lengths[i]);
    if (needed > inputLengths[i]) {
      throw new RangeError(`${where}: ${name}[${i}] has ${y.lengths[i]} labels, which need at least ${needed} output steps (a blank between repeated labels); sample ${i} has ${inputLengths[i]}. Give longer inputs or compile with ctc: { zeroInfinity: true } to count such samples as 0`);
    }
  }
}

/** The workspace regions (floats) of a batch: labels, lengths, scales, losses (f64), the kernel's work (f64). */
export function ctcRegions(backend: Backend, B: number, maxL: number, T: number, O: number): Record<string, number> {
  return { target: B * maxL, ctcLabelLengths: B, ctcInputLengths: B, ctcScales: B, ctcLosses: 2 * B, ctcWork: 2 * ctcWorkF64(backend, T, O, maxL) };
}

/** Copies the batch's labels, lengths and scales (1/(B·max(1, L))) into the workspace. */
export function stageLabels(backend: Backend, work: Workspace, y: LabelSequences, inputLengths: Int32Array, rows: ArrayLike<number>): void {
  const heap = backend.heapF32();
  const ints = new Int32Array(heap.buffer);
  const B = rows.length;
  const labels = work.ptr('target') >>> 2;
  const labelLengths = work.ptr('ctcLabelLengths') >>> 2;
  const lengths = work.ptr('ctcInputLengths') >>> 2;
  const scales = work.ptr('ctcScales') >>> 2;
  for (let b = 0; b < B; b++) {
    const i = rows[b];
    ints.set(y.labels.subarray(i * y.maxL, (i + 1) * y.maxL), labels + b * y.maxL);
    ints[labelLengths + b] = y.lengths[i];
    ints[lengths + b] = inputLengths[i];
    heap[scales + b] = 1 / (B * Math.max(1, y.lengths[i]));
  }
}

/** The staged batch's mean loss; with `dLoss` ≠ 0, its gradient w.r.t. the logits at `out` written there. */
export function ctcBatchLoss(backend: Backend, work: Workspace, out: number, dLoss: number, B: number, T: number, O: number, maxL: number, settings: CTCSettings): number {
  ctcLossF32(backend, {
    dLogits: dLoss, losses: work.ptr('ctcLosses'), logits: out, labels: work.ptr('target'), labelLengths: work.ptr('ctcLabelLengths'),
    inputLengths: work.ptr('ctcInputLengths'), scales: work.ptr('ctcScales'), work: work.ptr('ctcWork'),
  }, T, B, O, maxL, settings.blank);
  const losses = new Float64Array(backend.heapF32().buffer, work.ptr('ctcLosses'), B);
  const ints = new Int32Array(backend.heapF32().buffer, work.ptr('ctcLabelLengths'), B);
  let sum = 0;
  for (let b = 0; b < B; b++) {
    const loss = losses[b];
    // zeroInfinity: an infeasible sample (p = 0) counts 0; its gradient is 0 already.
    sum += loss === Infinity && settings.zeroInfinity ? 0 : loss / Math.max(1, ints[b]);
  }
  return sum / B;
}

/** Best-path decoding of the staged batch's output at `out` ([T, B, O]) into `decoded` from sample `first` on. */
export function ctcGreedyBatch(backend: Backend, work: Workspace, out: number, inputLengths: Int32Array, first: number, B: number, T: number, O: number, blank: number, decoded: number[][]): void {
  const ints = new Int32Array(backend.heapF32().buffer);
  const lengths = work.ptr('ctcInputLengths') >>> 2;
  for (let b = 0; b < B; b++) ints[lengths + b] = inputLengths[first + b];
  ctcGreedyF32(backend, { decoded: work.ptr('ctcDecoded'), decodedLengths: work.ptr('ctcDecodedLengths'), logits: out, inputLengths: work.ptr('ctcInputLengths') }, T, B, O, blank);
  const heap = new Int32Array(backend.heapF32().buffer);
  const at = work.ptr('ctcDecoded') >>> 2;
  const counts = work.ptr('ctcDecodedLengths') >>> 2;
  for (let b = 0; b < B; b++) decoded.push(Array.from(heap.subarray(at + b * T, at + b * T + heap[counts + b])));
}

/** One sample's labellings from prefix beam search, most probable first, with their log-probabilities. */
export interface CTCHypotheses {
  labels: number[][];
  logProbabilities: number[];
}

/**
 * Prefix beam search (beamWidth W ≥ 2; W = 1: best path with its log-probability) over the staged
 * batch's logits at `logits` ([T, B, O]), samples `first` … `first + B − 1`, appended to `results`.
 * The kernel's buffers live for this call only.
 */
export function ctcBeamBatch(
  backend: Backend, logits: number, inputLengths: Int32Array, first: number, B: number, T: number, O: number, blank: number, W: number, n: number,
  results: CTCHypotheses[],
): void {
  const held: F32Buffer[] = [];
  try {
    const alloc = (floats: number): F32Buffer => {
      const b = backend.allocF32(Math.max(1, floats));
      held.push(b);
      return b;
    };
    const decoded = alloc(B * n * T);
    const decodedLengths = alloc(B * n);
    const logProbs = alloc(2 * B * n);
    const found = alloc(B);
    const lengths = alloc(B);
    const work = alloc(ctcBeamWorkFloats(backend, T, O, W));
    new Int32Array(backend.heapF32().buffer, lengths.ptr, B).set(inputLengths.subarray(first, first + B));
    ctcBeamF32(backend, {
      decoded: decoded.ptr, decodedLengths: decodedLengths.ptr, logProbs: logProbs.ptr, found: found.ptr, logits, inputLengths: lengths.ptr, work: work.ptr,
    }, T, B, O, blank, W, n);
    const buffer = backend.heapF32().buffer;
    const labels = new Int32Array(buffer, decoded.ptr, B * n * T);
    const counts = new Int32Array(buffer, decodedLengths.ptr, B * n);
    const scores = new Float64Array(buffer, logProbs.ptr, B * n);
    const founds = new Int32Array(buffer, found.ptr, B);
    for (let b = 0; b < B; b++) {
      const rows = Array.from({ length: founds[b] }, (_, r) => b * n + r);
      results.push({
        labels: rows.map((row) => Array.from(labels.subarray(row * T, row * T + counts[row]))),
        logProbabilities: rows.map((row) => scores[row]),
      });
    }
  } finally {
    for (const b of held) b.dispose();
  }
}
