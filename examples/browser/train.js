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
 * Next-step prediction of a sine wave with an LSTM and a linear read-out, trained with
 * plain SGD on the mean squared error through the layer API: forward, the loss gradient
 * in JavaScript, backward, and `w −= learningRate·dw` via getWeights/setWeights.
 * Synchronous; call it in a Worker for long runs. `onProgress({ step, steps, loss })` is called
 * every `progressEvery` steps and after the last one.
 * Returns { losses: Float32Array, weights: { name: Float32Array } (LSTM + head) }.
 */
export function trainSineLSTM(rnn, options = {}) {
  const {
    backend, units = 16, batchSize = 8, timeSteps = 24, steps = 100, learningRate = 0.1, seed = 1,
    progressEvery = 10, onProgress,
  } = options;
  const B = batchSize, T = timeSteps, H = units;
  const { inputs, targets } = sineWindows(B, T);
  const x = { data: inputs, shape: [B, T, 1] };
  const lstm = new rnn.LSTM({ inputSize: 1, units: H, seed, ...(backend ? { backend } : {}) });
  // The read-out y = h·headWeight + headBias, in plain JavaScript (f64 arithmetic, f32 storage).
  const headWeight = new Float32Array(H).fill(0.1);
  const headBias = new Float32Array(1);
  const losses = new Float32Array(steps);
  const dOutput = new Float32Array(B * T * H);
  try {
    for (let step = 0; step < steps; step++) {
      const { output, cache } = lstm.forward(x);
      const h = output.data; // [B, T, H]
      let loss = 0;
      const dHeadWeight = new Float64Array(H);
      let dHeadBias = 0;
      const scale = 2 / (B * T);
      for (let n = 0; n < B * T; n++) {
        let y = headBias[0];
        for (let k = 0; k < H; k++) y += h[n * H + k] * headWeight[k];
        const error = y - targets[n];
        loss += error * error;
        const dy = scale * error; // ∂loss/∂y for loss = mean(error²)
        dHeadBias += dy;
        for (let k = 0; k < H; k++) {
          dHeadWeight[k] += dy * h[n * H + k];
          dOutput[n * H + k] = dy * headWeight[k];
        }
      }
      losses[step] = loss / (B * T);
      const { dWeights } = lstm.backward(cache, { dOutput: { data: dOutput, shape: [B, T, H] } });
      const weights = lstm.getWeights();
      for (const name of Object.keys(weights)) {
        const w = weights[name].data, dw = dWeights[name].data;
        for (let i = 0; i < w.length; i++) w[i] -= learningRate * dw[i];
      }
      lstm.setWeights(weights);
      for (let k = 0; k < H; k++) headWeight[k] -= learningRate * dHeadWeight[k];
      headBias[0] -= learningRate * dHeadBias;
      if (onProgress && ((step + 1) % progressEvery === 0 || step === steps - 1)) {
        onProgress({ step: step + 1, steps, loss: losses[step] });
      }
    }
    const weights = /** @type {Record<string, Float32Array>} */ ({});
    for (const [name, tensor] of Object.entries(lstm.getWeights())) weights[name] = tensor.data;
    weights.headWeight = headWeight;
    weights.headBias = headBias;
    return { losses, weights };
  } finally {
    lstm.dispose();
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
