// The computations the browser suite runs twice, in Node and in Chromium, to compare bit for bit.
// Plain ESM with no imports of the library: the caller passes the module it loaded
// (dist/index.js in Node and on the no-bundler page), so the same file serves both sides.
// Every result is returned as { type, hex } of its raw bytes, so that nothing is rounded or
// reformatted on the way out of the browser.
import { fitSineESN, trainSineLSTM } from '../../examples/browser/train.js';

/** Each recurrent cell and form the package has. */
export const CELLS = [
  { name: 'SimpleRNN tanh', make: (rnn, o) => new rnn.SimpleRNN({ ...o, activation: 'tanh' }) },
  { name: 'SimpleRNN relu', make: (rnn, o) => new rnn.SimpleRNN({ ...o, activation: 'relu' }) },
  { name: 'SimpleRNN sigmoid', make: (rnn, o) => new rnn.SimpleRNN({ ...o, activation: 'sigmoid' }) },
  ...['standard', 'peephole', 'coupled', 'noForget'].flatMap((variant) => ['sigmoid', 'hardSigmoid'].map((gateActivation) => ({
    name: `LSTM ${variant} ${gateActivation}`,
    make: (rnn, o) => new rnn.LSTM({ ...o, variant, gateActivation }),
  }))),
  ...['resetAfter', 'resetBefore'].flatMap((variant) => ['sigmoid', 'hardSigmoid'].map((gateActivation) => ({
    name: `GRU ${variant} ${gateActivation}`,
    make: (rnn, o) => new rnn.GRU({ ...o, variant, gateActivation }),
  }))),
];

/** Shapes: odd sizes leave SIMD tails; B = 1 takes the GEMV-shaped path. */
export const SHAPES = [
  { B: 3, T: 5, I: 5, H: 9 },
  { B: 1, T: 4, I: 3, H: 17 },
];

/** Seeded uniform floats in [lo, hi) from an integer generator (mulberry32): the same bits in every engine. */
export function seededFloats(length, seed, lo = -1, hi = 1) {
  let a = seed >>> 0;
  const out = new Float32Array(length);
  for (let i = 0; i < length; i++) {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    const u = ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    out[i] = lo + (hi - lo) * u;
  }
  return out;
}

/**
 * The raw bytes of a typed array as hex, tagged with its element type.
 * @param {Float32Array | Float64Array} array
 * @returns {{ type: 'f32' | 'f64', hex: string }}
 */
export function bytesOf(array) {
  const type = array instanceof Float64Array ? 'f64' : array instanceof Float32Array ? 'f32' : null;
  if (type === null) throw new TypeError(`bytesOf: expected a Float32Array or Float64Array, got ${Object.prototype.toString.call(array)}`);
  const bytes = new Uint8Array(array.buffer, array.byteOffset, array.byteLength);
  let hex = '';
  for (let i = 0; i < bytes.length; i++) hex += bytes[i].toString(16).padStart(2, '0');
  return { type, hex };
}

/**
 * Forward and backward of every cell on `backend`: output, final state, dInput,
 * dInitialState and every dWeight, with an initial state and gradients arriving both at
 * every step and at the final state. Returns { 'name | quantity': { type, hex } }.
 */
export function cellResults(rnn, backend) {
  const results = {};
  let seed = 100;
  for (const shape of SHAPES) {
    const { B, T, I, H } = shape;
    const tag = `B=${B} T=${T} I=${I} H=${H}`;
    for (const cell of CELLS) {
      const layer = cell.make(rnn, { inputSize: I, units: H, seed: 7, backend });
      try {
        const hasC = cell.name.startsWith('LSTM');
        const x = { data: seededFloats(B * T * I, seed++), shape: [B, T, I] };
        const initialState = { h: { data: seededFloats(B * H, seed++, -0.5, 0.5), shape: [B, H] } };
        if (hasC) initialState.c = { data: seededFloats(B * H, seed++), shape: [B, H] };
        const { output, finalState, cache } = layer.forward(x, { initialState });
        const dFinalState = { h: { data: seededFloats(B * H, seed++), shape: [B, H] } };
        if (hasC) dFinalState.c = { data: seededFloats(B * H, seed++), shape: [B, H] };
        const dOutput = { data: seededFloats(B * T * H, seed++), shape: [B, T, H] };
        const { dInput, dInitialState, dWeights } = layer.backward(cache, { dOutput, dFinalState });
        const key = (what) => `${cell.name} ${tag} | ${what}`;
        results[key('output')] = bytesOf(output.data);
        for (const [name, state] of Object.entries(finalState)) results[key(`finalState.${name}`)] = bytesOf(state.data);
        results[key('dInput')] = bytesOf(dInput.data);
        for (const [name, state] of Object.entries(dInitialState)) results[key(`dInitialState.${name}`)] = bytesOf(state.data);
        for (const [name, grad] of Object.entries(dWeights)) results[key(`dWeights.${name}`)] = bytesOf(grad.data);
      } finally {
        layer.dispose();
      }
    }
  }
  return results;
}

/** The settings of the two training runs (train.js) that the tests use on every page. */
export const TRAINING = { lstm: { steps: 60, seed: 3 }, esn: { seed: 2 } };

/** The small LSTM trained by SGD and the ESN fit/predict/generate, on `backend`. */
export async function trainingResults(rnn, backend, settings = TRAINING) {
  const lstm = await trainSineLSTM(rnn, { ...settings.lstm, backend });
  const esn = settings.esn ? fitSineESN(rnn, { ...settings.esn, backend }) : undefined;
  return encodeTraining({ lstm, esn });
}

/**
 * Training results as { name: bytes }.
 * @param {{ lstm: { losses: Float32Array, weights: Record<string, Float32Array> }, esn?: Record<string, Float32Array | Float64Array> }} training
 */
export function encodeTraining({ lstm, esn }) {
  const results = { 'LSTM training | losses': bytesOf(lstm.losses) };
  for (const [name, w] of Object.entries(lstm.weights)) results[`LSTM training | ${name}`] = bytesOf(w);
  if (esn) for (const [name, values] of Object.entries(esn)) results[`ESN | ${name}`] = bytesOf(values);
  return results;
}

/** A tied, denoising, sparse Autoencoder trained 3 epochs (the noise drawn in WASM): its parameters and reconstructions. */
export async function autoencoderResults(rnn, backend) {
  const x = { data: seededFloats(24 * 12, 41, 0, 1), shape: [24, 12] };
  const ae = new rnn.Autoencoder({
    inputSize: 12, encoder: [8, 4], activation: 'tanh', codeActivation: 'sigmoid', outputActivation: 'sigmoid', tied: true,
    denoising: { noise: 'gaussian', level: 0.2 }, sparsity: { target: 0.2, weight: 0.1 }, seed: 6, backend,
  });
  try {
    ae.compile({ loss: 'mse', optimizer: { type: 'adam', learningRate: 0.01 } });
    const history = await ae.fit(x, { epochs: 3, batchSize: 8 });
    return {
      'Autoencoder | losses': bytesOf(Float64Array.from(history.loss)),
      'Autoencoder | parameters': bytesOf(ae.getParameters()),
      'Autoencoder | reconstruction': bytesOf(ae.predict(x).data),
    };
  } finally {
    ae.dispose();
  }
}

/** Everything above for one build (`simd` true or false), in a backend of its own. */
export async function runWorkloads(rnn, { simd }) {
  const backend = await rnn.Backend.create({ simd });
  try {
    return { simd: backend.simd, results: { ...cellResults(rnn, backend), ...(await trainingResults(rnn, backend)), ...(await autoencoderResults(rnn, backend)) } };
  } finally {
    backend.dispose();
  }
}
