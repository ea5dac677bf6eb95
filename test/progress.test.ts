// 'rnn-wasm/node': the terminal progress bar for fit(), and that it stays out of the main bundle.
import { readFileSync } from 'node:fs';
import { Writable } from 'node:stream';
import { beforeAll, expect, it } from 'vitest';
import { init } from '../src/engine/init.js';
import { LSTM } from '../src/layers/lstm.js';
import { Dense } from '../src/layers/dense.js';
import { Sequential } from '../src/models/sequential.js';
import { progressBar } from '../src/node/index.js';

beforeAll(async () => {
  await init();
});

function fakeTerminal(): { stream: NodeJS.WriteStream; text: () => string } {
  let out = '';
  const stream = new Writable({
    write(chunk, _encoding, done) {
      out += chunk.toString();
      done();
    },
  }) as unknown as NodeJS.WriteStream;
  Object.assign(stream, { isTTY: true, columns: 120, cursorTo: () => true, clearLine: () => true, moveCursor: () => true });
  return { stream, text: () => out };
}

it('draws epoch, batch, loss and rate, and one line per epoch, on a terminal', async () => {
  const model = new Sequential({ inputSize: 2, seed: 1, layers: [new LSTM({ units: 4 }), new Dense({ units: 1 })] });
  model.compile({ loss: 'mse' });
  const x = { data: new Float32Array(40 * 3 * 2).map((_, i) => Math.sin(i)), shape: [40, 3, 2] };
  const y = { data: new Float32Array(40).map((_, i) => Math.cos(i)), shape: [40, 1] };
  const terminal = fakeTerminal();
  const history = await model.fit(x, y, { epochs: 2, batchSize: 8, validationSplit: 0.2, callbacks: progressBar({ stream: terminal.stream }) });
  const text = terminal.text();
  expect(text).toMatch(/epoch 2\/2 \|.*\| batch 4\/4 \| loss \d\.\d+ \| [\d.]+ batch\/s/);
  expect(text).toContain(`epoch 1/2: loss ${history.loss[0].toPrecision(4)}, valLoss ${history.valLoss[0].toPrecision(4)}`);
  model.dispose();
});

it('is not in the main bundle (cli-progress never reaches a browser bundle)', () => {
  const main = readFileSync(new URL('../dist/index.js', import.meta.url), 'utf8');
  expect(main).not.toMatch(/cli-progress/);
  expect(readFileSync(new URL('../dist/node.js', import.meta.url), 'utf8')).toMatch(/from 'cli-progress'/);
});

it('checks its options', () => {
  expect(() => progressBar({ epochLine: false } as never)).toThrow("progressBar: unknown option 'epochLine' (known: stream, epochLines)");
  expect(() => progressBar({ stream: 1 } as never)).toThrow('progressBar: options.stream must be a writable stream, got 1');
  expect(() => progressBar({ epochLines: 'no' } as never)).toThrow('progressBar: options.epochLines must be a boolean, got "no"');
});
