// What the no-bundler page and the bundled page do once they have the library: read the
// settings from the address (?build=scalar&steps=200&seed=1), train the small LSTM and the
// ESN of train.js, and write what happened into the page. The results stay on
// `window.example` (typed arrays) for anyone who wants to look, the browser tests included.
import { fitSineESN, trainSineLSTM } from './train.js';

/** Settings from a query string: build (simd | scalar | auto), LSTM steps and seed, ESN seed. */
export function settingsFromQuery(search, { steps = 200 } = {}) {
  const params = new URLSearchParams(search);
  const build = params.get('build') ?? 'auto';
  if (!['auto', 'simd', 'scalar'].includes(build)) throw new RangeError(`?build= must be simd, scalar or auto, got ${build}`);
  const number = (name, fallback) => {
    const text = params.get(name);
    if (text === null) return fallback;
    const value = Number(text);
    if (!Number.isInteger(value) || value < 1) throw new RangeError(`?${name}= must be a positive integer, got ${text}`);
    return value;
  };
  return {
    simd: build === 'auto' ? undefined : build === 'simd',
    lstm: { steps: number('steps', steps), seed: number('seed', 1) },
    esn: { seed: number('esnSeed', 1) },
  };
}

export async function runDemo(rnn, { status, log }) {
  const write = (line) => { log.textContent += `${line}\n`; };
  try {
    const settings = settingsFromQuery(location.search);
    const backend = await rnn.init(settings.simd === undefined ? {} : { simd: settings.simd });
    write(`WebAssembly build: ${backend.simd ? 'SIMD' : 'scalar'}`);
    status.textContent = 'Training…';
    let started = performance.now();
    const lstm = await trainSineLSTM(rnn, {
      ...settings.lstm, backend,
      progressEvery: Math.max(1, Math.floor(settings.lstm.steps / 4)),
      onProgress: ({ step, steps, loss }) => write(`LSTM step ${step}/${steps}: mean squared error ${loss.toExponential(3)}`),
    });
    write(`LSTM: ${settings.lstm.steps} SGD steps in ${(performance.now() - started).toFixed(0)} ms`);
    started = performance.now();
    const esn = fitSineESN(rnn, { ...settings.esn, backend });
    write(`ESN: fit, predict and generate in ${(performance.now() - started).toFixed(0)} ms; ` +
      `first forecast values ${Array.from(esn.forecast.subarray(0, 3), (v) => v.toFixed(4)).join(', ')}`);
    window.example = { settings, simd: backend.simd, lstm, esn };
    status.textContent = 'Done.';
  } catch (error) {
    window.example = { error: String(error?.stack ?? error) };
    status.textContent = `Failed: ${error}`;
    throw error;
  }
}
