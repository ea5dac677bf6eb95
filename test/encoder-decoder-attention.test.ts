// Attention inside EncoderDecoder (Bahdanau; Luong dot and general): the whole model's gradient
// against central differences (with source and target masks, encoder included), the weights'
// invariants (sum 1 over the real source steps, exactly 0 on padding), 'none' unchanged, save/load,
// beam 1 = greedy through attention, SIMD = scalar bit for bit, and the reversal task (length 20,
// vocabulary 10) with and without attention.
import { beforeAll, describe, expect, it } from 'vitest';
import { init } from '../src/engine/init.js';
import type { Backend } from '../src/engine/backend.js';
import { GRU } from '../src/layers/gru.js';
import { LSTM } from '../src/layers/lstm.js';
import { SimpleRNN } from '../src/layers/simple-rnn.js';
import { Dense } from '../src/layers/dense.js';
import { Embedding } from '../src/layers/embedding.js';
import { EncoderDecoder, type AttentionKind } from '../src/models/encoder-decoder.js';
import { backendFor } from './helpers/backends.js';
import { expectSameBits, thrown } from './helpers/compare.js';
import { makeRandom, randomFloat32 } from './helpers/random.js';

beforeAll(async () => {
  await init();
});

const KINDS: AttentionKind[] = ['bahdanau', 'luong-dot', 'luong-general'];
const tokens = (N: number, T: number, vocab: number, seed: number) => {
  const next = makeRandom(seed);
  return { data: Float32Array.from({ length: N * T }, () => Math.floor(next() * vocab)), shape: [N, T] };
};

/** A token model: Embedding → LSTM → GRU ⇒ Embedding → LSTM → GRU → softmax (two layers, both state kinds). */
const tokenModel = (attention: AttentionKind, backend?: Backend) => new EncoderDecoder({
  seed: 3,
  attention,
  encoder: { layers: [new Embedding({ vocabSize: 5, units: 3, backend }), new LSTM({ units: 4, returnSequences: true, backend }), new GRU({ units: 3, backend })] },
  decoder: {
    startToken: 5,
    layers: [new Embedding({ vocabSize: 6, units: 3, backend }), new LSTM({ units: 4, returnSequences: true, backend }), new GRU({ units: 3, returnSequences: true, backend }), new Dense({ units: 5, activation: 'softmax', backend })],
  },
});

/** A vector model: SimpleRNN ⇒ SimpleRNN → Dense tanh (mse). */
const vectorModel = (attention: AttentionKind) => new EncoderDecoder({
  seed: 4,
  attention,
  encoder: { inputSize: 3, layers: [new SimpleRNN({ units: 4 })] },
  decoder: { inputSize: 2, startVector: [0.5, -0.25], layers: [new SimpleRNN({ units: 4, returnSequences: true }), new Dense({ units: 2, activation: 'tanh' })] },
});

const encoderFloats = (model: EncoderDecoder) => model.encoderLayers.reduce((n, layer) => n + layer.paramFloats, 0);

describe('gradients with attention', () => {
  // Central differences on the f32 model as in test/encoder-decoder.test.ts: step 1e-2 (truncation
  // O(1e-4), f32 rounding of the loss O(1e-5) after the division), 2e-3 of the largest gradient.
  // Probes alternate between the encoder and the rest (decoder and attention weights), and every
  // attention weight is probed too.
  for (const kind of KINDS) {
    for (const vectors of [false, true]) {
      it(`${kind}, ${vectors ? 'vectors (SimpleRNN)' : 'tokens (LSTM → GRU)'}: analytic = central differences, padded sources and targets`, () => {
        const model = vectors ? vectorModel(kind) : tokenModel(kind);
        model.compile({ loss: vectors ? 'mse' : 'crossEntropy', optimizer: 'sgd' });
        const [N, Ts, Tt] = [3, 5, 4];
        const source = vectors ? { data: randomFloat32(N * Ts * 3, 13), shape: [N, Ts, 3] } : tokens(N, Ts, 5, 11);
        const target = vectors ? { data: randomFloat32(N * Tt * 2, 14, -0.9, 0.9), shape: [N, Tt, 2] } : tokens(N, Tt, 5, 12);
        const options = { sourceLengths: [5, 2, 3], targetLengths: [4, 1, 3] };
        // Bahdanau, token model: small initial embeddings make near-equal encoder outputs, so near-uniform
        // weights whose gradients are ~1e-8: larger weights make the scores depend on the source.
        if (!vectors && kind === 'bahdanau') model.setParameters(model.getParameters().map((x) => x * 4));
        const { gradients } = model.computeGradients(source, target, options);
        const params = model.getParameters();
        const E = encoderFloats(model);
        const attentionFloats = (model.getWeights().attention ?? []).reduce((n, w) => n + Object.values(w).reduce((m, t) => m + t.data.length, 0), 0);
        expect(attentionFloats).toBeGreaterThan(0);
        const scale = Math.max(...gradients.map(Math.abs));
        expect(scale).toBeGreaterThan(1e-4);
        expect(Math.max(...gradients.subarray(params.length - attentionFloats).map(Math.abs))).toBeGreaterThan(1e-3 * scale);
        const next = makeRandom(77);
        const probes: number[] = [];
        for (let k = 0; k < 40; k++) probes.push(k % 2 === 0 ? Math.floor(next() * E) : E + Math.floor(next() * (params.length - E)));
        for (let k = 0; k < 16; k++) probes.push(params.length - attentionFloats + Math.floor(next() * attentionFloats));
        let worst = 0;
        let at = -1;
        for (const i of probes) {
          const h = 1e-2;
          const plus = params.slice();
          plus[i] += h;
          model.setParameters(plus);
          const up = model.computeGradients(source, target, options).loss;
          const minus = params.slice();
          minus[i] -= h;
          model.setParameters(minus);
          const down = model.computeGradients(source, target, options).loss;
          const err = Math.abs((up - down) / (2 * h) - gradients[i]);
          if (err > worst) [worst, at] = [err, i];
        }
        model.setParameters(params);
        expect(worst / scale, `worst at parameter ${at} of ${params.length}`).toBeLessThan(2e-3);
        model.dispose();
      });
    }
  }
});
