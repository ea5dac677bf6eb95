// Two small, seeded training runs that the browser examples share (plain ESM, no build step):
// the no-bundler page, the bundled page and the Web Worker all call these, and the tests
// run the same functions in Node and in Chromium and compare the results bit for bit.
//
// The library comes in as an argument (`rnn`: the module namespace, or any object holding the
// classes used), so the same file works whether rnn-wasm was imported from a URL, from a bundle
// or inside a worker.

/**
 * A sine wave cut into `batchSize` windows of `timeSteps + 1` samples at different phases:
 * inputs [B, T, 1] are s(t), targets [B, T] are s(t + 1).
 */
export function sineWindows(batchSize, timeSteps, { frequency = 0.3, phaseStep = 0.7 } = {}) {
  const inputs = new Float32Array(batchSize * timeSteps);
  const targets = new Float32Array(batchSize * timeSteps);
  for (let b = 0; b < batchSize; b++) {
    for (let t = 0; t < timeSteps; t++) {
      inputs[b * timeSteps + t] = 0.8 * Math.sin(frequency * t + phaseStep * b);
      targets[b * timeSteps + t] = 0.8 * Math.sin(frequency * (t + 1) + phaseStep * b);
    }
  }
  return { inputs, targets };
}

/**
 * Next-step prediction of a sine wave: an LSTM and a linear read-out on every step, trained
 * with Sequential.fit (MSE, SGD with momentum, one batch of all windows per step, no shuffling).
 * fit yields to the event loop between batches, so a page stays responsive even on the main
 * thread; a Worker keeps it smooth for long runs. `onProgress({ step, steps, loss })` is called
 * every `progressEvery` steps and after the last one.
 * Returns { losses: Float32Array (one per step), weights: { parameters: Float32Array } }.
 */
export async function trainSineLSTM(rnn, options = {}) {
  const {
    backend, units = 16, batchSize = 8, timeSteps = 24, steps = 100, learningRate = 0.1, seed = 1,
    progressEvery = 10, onProgress,
  } = options;
  const B = batchSize, T = timeSteps;
  const { inputs, targets } = sineWindows(B, T);
  const where = backend ? { backend } : {};
  const model = new rnn.Sequential({
    inputSize: 1, seed,
    layers: [new rnn.LSTM({ units, returnSequences: true, ...where }), new rnn.Dense({ units: 1, ...where })],
  });
  try {
    model.compile({ loss: 'mse', optimizer: { type: 'sgd', learningRate, momentum: 0.5 }, clipNorm: 5 });
    const history = await model.fit({ data: inputs, shape: [B, T, 1] }, { data: targets, shape: [B, T, 1] }, {
      epochs: steps, batchSize: B, shuffle: false,
      callbacks: {
        onEpochEnd: ({ epoch, loss }) => {
          if (onProgress && ((epoch + 1) % progressEvery === 0 || epoch === steps - 1)) onProgress({ step: epoch + 1, steps, loss });
        },
      },
    });
    return { losses: Float32Array.from(history.loss), weights: { parameters: model.getParameters() } };
  } finally {
    model.dispose();
  }
}

/**
 * An Echo State Network fitted to one-step-ahead prediction of a sine wave (fixed seed), then
 * driven on the next `testSteps` inputs and run in closed loop for `generateSteps` steps.
 * Returns { prediction: Float32Array, forecast: Float32Array, readout: Float64Array }.
 */
export function fitSineESN(rnn, options = {}) {
  const { backend, units = 100, trainSteps = 600, testSteps = 50, generateSteps = 100, seed = 1 } = options;
  const series = new Float32Array(trainSteps + testSteps + 1);
  for (let t = 0; t < series.length; t++) series[t] = 0.5 * Math.sin(0.2 * t) + 0.3 * Math.sin(0.311 * t);
  const esn = new rnn.EchoStateNetwork({
    inputSize: 1, units, density: 0.1, spectralRadius: 0.95, leakRate: 0.5, inputScaling: 0.5,
    biasScaling: 0.1, ridge: 1e-6, washout: 50, seed, ...(backend ? { backend } : {}),
  });
  try {
    esn.fit({ data: series.subarray(0, trainSteps), shape: [trainSteps, 1] },
      { data: series.subarray(1, trainSteps + 1), shape: [trainSteps, 1] });
    const readout = esn.getReadout();
    const prediction = esn.predict({ data: series.subarray(trainSteps, trainSteps + testSteps), shape: [testSteps, 1] }).data;
    const forecast = esn.generate(generateSteps).data;
    return { prediction, forecast, readout };
  } finally {
    esn.dispose();
  }
}
