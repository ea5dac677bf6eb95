// Trains the LSTM of train.js in a Web Worker, posting progress to the page. The worker has its
// own copy of the library and its own WebAssembly instance and memory; nothing is shared with
// the page, and results come back as copies (or transferred buffers) through postMessage.
import * as rnn from '../../dist/index.js';
import { trainSineLSTM } from './train.js';

self.onmessage = async ({ data: { simd, steps, seed } }) => {
  try {
    const backend = await rnn.init(simd === undefined ? {} : { simd });
    const started = performance.now();
    const { losses, weights } = await trainSineLSTM(rnn, {
      backend, steps, seed, progressEvery: Math.max(1, Math.floor(steps / 50)),
      onProgress: (progress) => self.postMessage({ type: 'progress', ...progress }),
    });
    const ms = performance.now() - started;
    // Hand the arrays over instead of copying them (each buffer once).
    const transfer = [...new Set([losses.buffer, ...Object.values(weights).map((w) => w.buffer)])];
    self.postMessage({ type: 'done', simd: backend.simd, ms, losses, weights }, transfer);
  } catch (error) {
    self.postMessage({ type: 'error', message: String(error?.stack ?? error) });
  }
};
