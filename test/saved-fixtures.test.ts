// Files saved by rnn-wasm 0.1.0 (test/fixtures/v0.1.0, made by make.mjs.txt there)
// still load, predict what they predicted then, and resume training.
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { init, Sequential, EncoderDecoder, EchoStateNetwork } from '../src/index.js';

const dir = new URL('./fixtures/v0.1.0/', import.meta.url);
const read = (name: string): unknown => JSON.parse(readFileSync(new URL(name, dir), 'utf8'));

const x = [[[0.1, 0.2], [0.3, -0.1], [0.5, 0.4]], [[-0.2, 0.1], [0.0, 0.3], [0.2, -0.5]]];

beforeAll(async () => {
  await init();
});

describe('files saved by version 0.1.0', () => {
  it('Sequential: loads, predicts the saved predictions bit for bit, and trains on', async () => {
    const model = Sequential.fromJSON(read('sequential.json'));
    expect(Array.from(model.predict(x).data)).toEqual(read('sequential.predict.json'));
    expect(model.epochsTrained).toBe(2);
    const history = await model.fit(x, [[0.5], [-0.3]], { epochs: 1, batchSize: 2 });
    expect(Number.isFinite(history.loss[0])).toBe(true);
    model.dispose();
  });

  it('EncoderDecoder: loads and decodes the saved tokens', () => {
    const model = EncoderDecoder.fromJSON(read('encoder-decoder.json'));
    expect(Array.from(model.predict([[1, 2, 3]], { length: 3 }).data)).toEqual(read('encoder-decoder.predict.json'));
    model.dispose();
  });

  it('EchoStateNetwork: loads and predicts the saved outputs bit for bit', () => {
    const esn = EchoStateNetwork.fromJSON(read('esn.json'));
    const u = Array.from({ length: 10 }, (_, t) => [Math.sin(t / 3)]);
    expect(Array.from(esn.predict(u).data)).toEqual(read('esn.predict.json'));
    esn.dispose();
  });
});
