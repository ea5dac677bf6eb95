// `rnn-wasm text corpus.txt`: a character-level language model (Embedding → LSTM over every
// step → softmax over the characters), trained on the file, then sampled.
import { join, resolve } from 'node:path';
import { Dense, Embedding, LSTM, Sequential, type SequentialJSON } from '../index.js';
import { readText } from './csv.js';
import { CliError } from './errors.js';
import { checkWritable, writeFilesAtomically } from './files.js';
import { progressBar } from './progress.js';

export interface TextOptions {
  file: string;
  epochs: number;
  units: number;
  embedding: number;
  seqLength: number;
  batchSize: number;
  learningRate: number;
  length: number;
  temperature: number;
  prefix: string | null;
  seed: number;
  out: string | null;
  progress: boolean;
}

export interface TextResult {
  vocabulary: string[];
  characters: number;
  sample: string;
  validationBits: number | null;
  trainBits: number;
  seconds: number;
  epochs: number;
}

export async function trainText(o: TextOptions, log: (line: string) => void): Promise<TextResult> {
  const text = readText(o.file).replace(/\r\n?/g, '\n');
  if (text.trim() === '') throw new CliError(`${o.file}: the file is empty`);
  const chars = Array.from(text);
  const vocabulary = [...new Set(chars)].sort();
  if (vocabulary.length < 2) throw new CliError(`${o.file}: holds only one distinct character; there is nothing to learn`);
  const S = o.seqLength;
  if (chars.length < 2 * S + 1) throw new CliError(`${o.file}: ${chars.length} characters are too few for --seq-length ${S} (needs at least ${2 * S + 1})`);
  const index = new Map(vocabulary.map((c, i) => [c, i]));
  const prefix = o.prefix ?? chars[0];
  for (const c of Array.from(prefix)) {
    if (!index.has(c)) throw new CliError(`--prefix: the character ${JSON.stringify(c)} does not occur in ${o.file}`);
  }
  if (o.out) checkWritable([join(resolve(o.out), 'text-model.json'), join(resolve(o.out), 'sample.txt')]);
  const ids = Int32Array.from(chars, (c) => index.get(c)!);
  const V = vocabulary.length;
  // Non-overlapping sequences; targets are the inputs shifted by one character.
  const n = Math.floor((ids.length - 1) / S);
  const x = new Float32Array(n * S);
  const y = new Float32Array(n * S);
  for (let i = 0; i < n; i++) {
    for (let t = 0; t < S; t++) {
      x[i * S + t] = ids[i * S + t];
      y[i * S + t] = ids[i * S + t + 1];
    }
  }
  const held = n >= 10 ? Math.max(1, Math.round(n * 0.1)) : 0;
  const trainN = n - held;
  const started = performance.now();
  const model = new Sequential({
    seed: o.seed,
    layers: [new Embedding({ vocabSize: V, units: o.embedding }), new LSTM({ units: o.units, returnSequences: true }), new Dense({ units: V, activation: 'softmax' })],
  });
  try {
    model.compile({ loss: 'crossEntropy', optimizer: { type: 'adam', learningRate: o.learningRate }, clipNorm: 1 });
    log(`${o.file}: ${chars.length} characters, ${V} distinct; ${trainN} training sequences of ${S}${held ? `, ${held} held out` : ''}; LSTM ${o.units} units`);
    const bar = progressBar('text |{bar}| epoch {epoch}/{epochs}  loss {loss} bits/char  ETA {eta_formatted}', o.progress);
    let perEpoch = 1;
    const history = await model.fit(
      { data: x.slice(0, trainN * S), shape: [trainN, S] },
      { data: y.slice(0, trainN * S), shape: [trainN, S] },
      {
        epochs: o.epochs,
        batchSize: o.batchSize,
        seed: o.seed,
        validationData: held ? { x: { data: x.slice(trainN * S), shape: [held, S] }, y: { data: y.slice(trainN * S), shape: [held, S] } } : undefined,
        callbacks: {
          onTrainBegin: ({ epochs, batches }) => {
            perEpoch = batches;
            bar.start(epochs * batches, { epoch: '1', epochs: String(epochs), loss: '–' });
          },
          onBatchEnd: ({ epoch, batch, loss }) => bar.update(epoch * perEpoch + batch + 1, { epoch: String(epoch + 1), epochs: String(o.epochs), loss: (loss / Math.LN2).toFixed(2) }),
        },
      },
    );
    bar.stop();
    const seconds = (performance.now() - started) / 1000;
    const trainBits = history.loss[history.loss.length - 1] / Math.LN2;
    const validationBits = held ? history.valLoss[history.valLoss.length - 1] / Math.LN2 : null;
    log(`trained ${history.epochs} epochs in ${seconds.toFixed(1)} s: ${trainBits.toFixed(2)} bits/char on the training text${validationBits === null ? '' : `, ${validationBits.toFixed(2)} on the held-out tenth`} (uniform guessing: ${Math.log2(V).toFixed(2)})`);
    const generated = model.generate({ prefix: Array.from(prefix, (c) => index.get(c)!), length: o.length, temperature: o.temperature, seed: o.seed });
    const sample = prefix + generated.map((id) => vocabulary[id]).join('');
    if (o.out) {
      const dir = resolve(o.out);
      const saved: { format: string; version: number; vocabulary: string[]; network: SequentialJSON } = { format: 'rnn-wasm/text', version: 1, vocabulary, network: model.toJSON() };
      writeFilesAtomically([
        { path: join(dir, 'text-model.json'), content: JSON.stringify(saved) },
        { path: join(dir, 'sample.txt'), content: sample + '\n' },
      ]);
    }
    return { vocabulary, characters: chars.length, sample, validationBits, trainBits, seconds, epochs: history.epochs };
  } finally {
    model.dispose();
  }
}
