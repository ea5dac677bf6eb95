// Loss 'ctc' on a Sequential (src/models/ctc.ts + assembly/ctc.ts): the model's loss equals the
// f64 reference on its own outputs (PyTorch's 'mean' reduction), its gradients equal central
// differences through a whole GRU model, a bidirectional GRU learns to transcribe unsegmented
// sequences (best-path decoding), zeroInfinity, save/load, and every refusal with its message.
import { beforeAll, describe, expect, it } from 'vitest';
import { init } from '../src/engine/init.js';
import { Bidirectional } from '../src/layers/bidirectional.js';
import { Dense } from '../src/layers/dense.js';
import { GRU } from '../src/layers/gru.js';
import { EncoderDecoder } from '../src/models/encoder-decoder.js';
import { Sequential } from '../src/models/sequential.js';
import { ctcLoss } from '../src/reference/ctc.js';
import type { TensorLike } from '../src/tensor.js';
import { thrown } from './helpers/compare.js';
import { makeRandom } from './helpers/random.js';

beforeAll(async () => {
  await init();
});

/** A GRU over 3 features and a linear head over 4 classes (blank 0). */
function smallModel(seed = 3): Sequential {
  return new Sequential({ inputSize: 3, seed, layers: [new GRU({ units: 5, returnSequences: true }), new Dense({ units: 4 })] });
}

function randomInputs(N: number, T: number, F: number, seed: number): number[][][] {
  const r = makeRandom(seed);
  return Array.from({ length: N }, () => Array.from({ length: T }, () => Array.from({ length: F }, () => r() * 2 - 1)));
}

describe('loss ctc: values and gradients', () => {
  it("the model's loss is the reference's on the model's own logits, PyTorch's 'mean' reduction, with lengths", () => {
    const model = smallModel();
    model.compile({ loss: 'ctc', optimizer: 'sgd' });
    const x = randomInputs(3, 7, 3, 1);
    const y = [[1, 2, 2], [3], []];
    const lengths = [7, 4, 2];
    const { loss } = model.computeGradients(x, y, { lengths });
    const logits = model.forward(x, { lengths }).output;
    let want = 0;
    y.forEach((labels, b) => {
      const rows = Array.from({ length: lengths[b] }, (_, t) => Array.from(logits.data.subarray((b * 7 + t) * 4, (b * 7 + t + 1) * 4)));
      want += ctcLoss(rows, labels, 0).loss / Math.max(1, labels.length);
    });
    expect(Math.abs(loss - want / 3) / (want / 3)).toBeLessThan(1e-6);
    expect(model.evaluate(x, y as unknown as TensorLike, { lengths }).loss).toBeCloseTo(loss, 6);
    model.dispose();
  });

  it('gradients through a whole GRU model equal central differences (blank 2)', () => {
    const model = smallModel(9);
    model.compile({ loss: 'ctc', ctc: { blank: 2 }, optimizer: 'sgd' });
    const x = randomInputs(2, 6, 3, 4);
    const y = [[0, 1, 1], [3, 0]] as unknown as TensorLike;
    const { gradients } = model.computeGradients(x, y);
    const params = model.getParameters();
    const scale = Math.max(...gradients.map(Math.abs));
    const next = makeRandom(5);
    let worst = 0;
    for (let k = 0; k < 60; k++) {
      const i = Math.floor(next() * params.length);
      const p = params.slice();
      p[i] += 1e-2;
      model.setParameters(p);
      const up = model.computeGradients(x, y).loss;
      p[i] -= 2e-2;
      model.setParameters(p);
      const down = model.computeGradients(x, y).loss;
      worst = Math.max(worst, Math.abs((up - down) / 2e-2 - gradients[i]));
    }
    // f32 model, steps of 1e-2: the difference quotient carries O(h²) and rounding error ≈ 1e-3 of the scale.
    expect(worst / scale).toBeLessThan(5e-3);
    model.dispose();
  });
});

/** Unsegmented "speech": each label (1…3) sounds for 2–4 steps as a noisy one-hot, silence (class 0's feature) around and between. */
function transcriptionTask(N: number, seed: number): { x: number[][][]; y: number[][]; lengths: number[] } {
  const r = makeRandom(seed);
  const T = 24;
  const x: number[][][] = [];
  const y: number[][] = [];
  const lengths: number[] = [];
  for (let n = 0; n < N; n++) {
    const labels = Array.from({ length: 1 + Math.floor(r() * 4) }, () => 1 + Math.floor(r() * 3));
    const steps: number[] = [];
    for (let k = 0; k < labels.length; k++) {
      const gap = k > 0 && labels[k] === labels[k - 1] ? 1 + Math.floor(r() * 2) : Math.floor(r() * 2);
      for (let g = 0; g < gap; g++) steps.push(0);
      const duration = 2 + Math.floor(r() * 3);
      for (let d = 0; d < duration; d++) steps.push(labels[k]);
    }
    steps.push(0);
    const sample = Array.from({ length: T }, (_, t) => {
      const k = t < steps.length ? steps[t] : 0;
      return [0, 1, 2, 3].map((j) => (j === k ? 1 : 0) + 0.3 * (r() * 2 - 1));
    });
    x.push(sample);
    y.push(labels);
    lengths.push(steps.length);
  }
  return { x, y, lengths };
}

/** Levenshtein distance: the fewest insertions, deletions and substitutions that turn a into b. */
function editDistance(a: readonly number[], b: readonly number[]): number {
  let row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const next = [i];
    for (let j = 1; j <= b.length; j++) next[j] = Math.min(row[j] + 1, next[j - 1] + 1, row[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    row = next;
  }
  return row[b.length];
}

describe('loss ctc: training and decoding', () => {
  it('edit distance (for the label error rate)', () => {
    expect(editDistance([1, 2, 3], [1, 3])).toBe(1);
    expect(editDistance([], [2, 2])).toBe(2);
    expect(editDistance([1, 2], [2, 1])).toBe(2);
  });

  it('a bidirectional GRU learns to transcribe unsegmented, time-stretched, noisy sequences: label error rate < 2 % on held-out samples', async () => {
    const train = transcriptionTask(240, 1);
    const test = transcriptionTask(60, 2);
    const model = new Sequential({ inputSize: 4, seed: 5, layers: [new Bidirectional({ layer: new GRU({ units: 12, returnSequences: true }) }), new Dense({ units: 4, activation: 'softmax' })] });
    model.compile({ loss: 'ctc', optimizer: { type: 'adam', learningRate: 0.02 } });
    const before = model.evaluate(test.x, test.y, { lengths: test.lengths }).loss;
    const history = await model.fit(train.x, train.y, { lengths: train.lengths, epochs: 25, batchSize: 16 });
    const after = model.evaluate(test.x, test.y, { lengths: test.lengths }).loss;
    const decoded = model.decodeCTC(test.x, { lengths: test.lengths });
    const exact = decoded.filter((d, i) => d.join() === test.y[i].join()).length / test.y.length;
    // Label error rate: edit distance over the number of true labels.
    const errors = decoded.reduce((sum, d, i) => sum + editDistance(d, test.y[i]), 0);
    const labelErrorRate = errors / test.y.reduce((sum, l) => sum + l.length, 0);
    console.log(`ctc transcription: held-out loss ${before.toFixed(3)} → ${after.toFixed(3)}, label error rate ${(100 * labelErrorRate).toFixed(2)} %, exact transcripts ${(100 * exact).toFixed(1)} % (training loss ${history.loss[0].toFixed(3)} → ${history.loss[history.loss.length - 1].toFixed(3)})`);
    expect(after).toBeLessThan(before / 4);
    expect(labelErrorRate).toBeLessThan(0.02);
    expect(exact).toBeGreaterThanOrEqual(0.9);
    model.dispose();
  }, 60_000);
});

describe('loss ctc: options, saving, refusals', () => {
  it('zeroInfinity counts an infeasible sample as 0; without it the sample is refused with both numbers', () => {
    const x = randomInputs(2, 3, 3, 8);
    const y = [[1, 1, 1], [2]] as unknown as TensorLike; // three equal labels need 5 steps; there are 3
    const model = smallModel();
    model.compile({ loss: 'ctc', optimizer: 'sgd' });
    expect(thrown(() => model.computeGradients(x, y)).message).toBe(
      "Sequential.computeGradients: y[0] has 3 labels, which need at least 5 output steps (a blank between repeated labels); sample 0 has 3. Give longer inputs or compile with ctc: { zeroInfinity: true } to count such samples as 0",
    );
    model.compile({ loss: 'ctc', ctc: { zeroInfinity: true }, optimizer: 'sgd' });
    const both = model.computeGradients(x, y).loss;
    const alone = model.computeGradients([x[1]], [[2]]).loss;
    expect(both).toBeCloseTo(alone / 2, 6); // sample 0 adds 0 to the sum, and counts in the mean
    model.dispose();
  });

  it('save/load keeps the loss and its settings', () => {
    const model = smallModel();
    model.compile({ loss: 'ctc', ctc: { blank: 3, zeroInfinity: true }, optimizer: 'sgd' });
    const again = Sequential.fromJSON(JSON.parse(JSON.stringify(model.toJSON())));
    const x = randomInputs(2, 5, 3, 2);
    const y = [[1, 0], [2]] as unknown as TensorLike;
    expect(again.computeGradients(x, y).loss).toBe(model.computeGradients(x, y).loss);
    expect(again.decodeCTC(x)).toEqual(model.decodeCTC(x));
    model.dispose();
    again.dispose();
  });

  it('refuses what it cannot do, naming the argument', () => {
    const model = smallModel();
    const x = randomInputs(2, 5, 3, 2);
    expect(thrown(() => model.compile({ loss: 'ctc', ctc: { blank: 4 } })).message).toBe('Sequential.compile: options.ctc.blank is 4; it must be a class of the head, 0 … 3');
    expect(thrown(() => model.compile({ loss: 'mse', ctc: { blank: 1 } })).message).toBe("Sequential.compile: options.ctc is for loss 'ctc', got loss 'mse'");
    expect(thrown(() => model.decodeCTC(x)).message).toBe("Sequential.decodeCTC: compile({ loss: 'ctc' }) first (the blank class is a compile option), got no loss");
    model.compile({ loss: 'ctc' });
    expect(thrown(() => model.computeGradients(x, [[1], [0]])).message).toBe('Sequential.computeGradients: y[1][0] is 0; labels must be integers 0 … 3 (the head has 4 classes) other than the blank 0');
    expect(thrown(() => model.computeGradients(x, [[1]])).message).toBe('Sequential.computeGradients: y has 1 label sequences; x has 2 samples');
    expect(thrown(() => model.computeGradients(x, { data: new Float32Array(2), shape: [2, 1] })).message).toMatch(/^Sequential.computeGradients: y must be an array of 2 label sequences \(arrays of integers\) for loss 'ctc', got /);
    expect(thrown(() => model.computeGradients(x, [[1], [2]], { mask: [[1, 0, 1, 0, 0], [1, 1, 1, 1, 1]] })).message).toBe(
      "Sequential.computeGradients: loss 'ctc' reads each sample's first steps: options.mask[0] has a real step 2 after padding at step 1; give options.lengths",
    );
    const last = new Sequential({ inputSize: 3, layers: [new GRU({ units: 4 }), new Dense({ units: 3 })] });
    expect(thrown(() => last.compile({ loss: 'ctc' })).message).toBe("Sequential.compile: loss 'ctc' needs a last layer Dense with activation 'softmax' (or 'linear' logits) on every step (returnSequences: true before it), got Dense with activation 'linear' on the last step only");
    const seq2seq = new EncoderDecoder({
      seed: 1,
      encoder: { inputSize: 3, layers: [new GRU({ units: 4 })] },
      decoder: { inputSize: 3, layers: [new GRU({ units: 4, returnSequences: true }), new Dense({ units: 3 })] },
    });
    expect(thrown(() => seq2seq.compile({ loss: 'ctc' })).message).toBe("EncoderDecoder.compile: loss 'ctc' is for a Sequential whose last layer outputs every step; EncoderDecoder does not support it");
    model.dispose();
    last.dispose();
    seq2seq.dispose();
  });
});
