// Attention inside EncoderDecoder (issue #15's translation-shaped workload): one training step
// (forward, backward, Adam) on B = 32 pairs of 30 source and 30 target tokens, vocabulary 1,000,
// Embedding 128 → GRU 256 on both sides, a softmax head over the 1,000 tokens — without attention
// and with each kind. Checks that every model's loss and gradient are finite first. Interleaved
// medians; the goal is attention ≤ 30 % over 'none'.
import { Backend } from '../src/engine/backend.js';
import { Dense } from '../src/layers/dense.js';
import { Embedding } from '../src/layers/embedding.js';
import { GRU } from '../src/layers/gru.js';
import { EncoderDecoder, type AttentionKind } from '../src/models/encoder-decoder.js';
import { makeRandom } from '../test/helpers/random.js';
import { interleavedMedians } from './measure.js';

const [B, T, V, E, H] = [32, 30, 1000, 128, 256];
export const ATTENTION_NAME = `EncoderDecoder train step B=${B} source/target ${T} vocab ${V} GRU ${H}`;
const KINDS: AttentionKind[] = ['none', 'luong-dot', 'luong-general', 'bahdanau'];

export interface AttentionRow {
  attention: AttentionKind;
  medianMs: number;
  /** Median time over the 'none' row's. */
  overhead: number;
}

export async function benchAttention(): Promise<AttentionRow[]> {
  const backend = await Backend.create({ simd: true });
  const next = makeRandom(15);
  const ids = () => ({ data: Float32Array.from({ length: B * T }, () => Math.floor(next() * V)), shape: [B, T] });
  const source = ids();
  const target = ids();
  const models = KINDS.map((attention) => {
    const model = new EncoderDecoder({
      seed: 1,
      attention,
      encoder: { layers: [new Embedding({ vocabSize: V, units: E, backend }), new GRU({ units: H, backend })] },
      decoder: { startToken: 0, layers: [new Embedding({ vocabSize: V, units: E, backend }), new GRU({ units: H, returnSequences: true, backend }), new Dense({ units: V, activation: 'softmax', backend })] },
    });
    model.compile({ loss: 'crossEntropy', optimizer: { type: 'adam', learningRate: 1e-3 } });
    const { loss, gradients } = model.computeGradients(source, target);
    if (!Number.isFinite(loss) || gradients.some((g) => !Number.isFinite(g))) throw new Error(`${ATTENTION_NAME} ${attention}: a non-finite loss or gradient`);
    return { attention, model };
  });
  const medians = await interleavedMedians(models.map(({ attention, model }) => ({
    name: attention,
    run: async () => {
      await model.fit(source, target, { epochs: 1, batchSize: B, shuffle: false });
    },
  })), { rounds: 3, time: 300 });
  for (const { model } of models) model.dispose();
  const base = medians.get('none')!;
  return KINDS.map((attention) => ({ attention, medianMs: medians.get(attention)!, overhead: medians.get(attention)! / base - 1 }));
}

export function attentionTable(rows: AttentionRow[]): string {
  return ['| workload | attention | median ms | over none |', '|---|---|---:|---:|',
    ...rows.map((r) => `| ${ATTENTION_NAME} | ${r.attention} | ${r.medianMs.toFixed(1)} | ${r.attention === 'none' ? '—' : `${(100 * r.overhead).toFixed(0)} %`} |`)].join('\n');
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(attentionTable(await benchAttention()));
}
