// Forecasting with the library API: an LSTM on lookback windows and an Echo State Network,
// both against persistence (tomorrow = today), on a Mackey–Glass series.
// Run: node examples/forecast.mjs   (after npm run build; about 10 s)
import { init, Sequential, LSTM, Dense, EchoStateNetwork, lookbackWindows, mackeyGlass, rmse } from 'rnn-wasm';

await init();

// 800 samples of Mackey–Glass (τ = 17), scaled to mean 0 and standard deviation 1 using the
// first 600 only: the model must not learn anything from the test part.
const series = Array.from(mackeyGlass(800, { discard: 500 }));
const train = 600;
const mean = series.slice(0, train).reduce((a, b) => a + b, 0) / train;
const std = Math.sqrt(series.slice(0, train).reduce((a, b) => a + (b - mean) ** 2, 0) / train);
const scaled = series.map((v) => (v - mean) / std);

// Windows of 20 steps, each with the value 5 steps after its end as target.
const lookback = 20;
const horizon = 5;
const { x, y } = lookbackWindows(scaled, { lookback, horizon });
const N = y.shape[0];
const firstTest = train - lookback - horizon + 1; // the first window whose target is past the training part
const take = (t, from, to) => {
  const per = t.data.length / t.shape[0];
  return { data: t.data.slice(from * per, to * per), shape: [to - from, ...t.shape.slice(1)] };
};

const model = new Sequential({ inputSize: 1, seed: 1, layers: [new LSTM({ units: 16 }), new Dense({ units: 1 })] });
model.compile({ loss: 'mse', optimizer: { type: 'adam', learningRate: 0.01 }, clipNorm: 1 });
const history = await model.fit(take(x, 0, firstTest), take(y, 0, firstTest), {
  epochs: 20,
  batchSize: 32,
  validationSplit: 0.15, // the last 15 % of the training windows
  earlyStopping: { patience: 5 },
});
console.log(`LSTM: ${history.epochs} epochs, last training loss ${history.loss.at(-1).toExponential(2)}`);

const actual = Array.from(take(y, firstTest, N).data, (v) => v * std + mean);
const lstm = Array.from(model.predict(take(x, firstTest, N)).data, (v) => v * std + mean);
// Persistence: the last value of each window.
const persistence = actual.map((_, i) => series[firstTest + i + lookback - 1]);

// The ESN needs no windows: it reads the series step by step and keeps its own state.
// Input: the value at t; target: the value at t + horizon, for every target in the training part.
const esn = new EchoStateNetwork({ inputSize: 1, units: 200, spectralRadius: 1.2, leakRate: 0.6, inputScaling: 0.2, biasScaling: 0.2, ridge: 1e-8, washout: 100, seed: 1 });
esn.fit(scaled.slice(0, train - horizon).map((v) => [v]), scaled.slice(horizon, train).map((v) => [v]));
esn.resetState();
const driven = esn.predict(scaled.map((v) => [v])).data; // driven[t] forecasts t + horizon
const echo = actual.map((_, i) => driven[firstTest + i + lookback - 1] * std + mean);

console.log(`test RMSE over ${actual.length} forecasts, ${horizon} steps ahead:`);
console.log(`  persistence ${rmse(persistence, actual).toFixed(4)}`);
console.log(`  LSTM        ${rmse(lstm, actual).toFixed(4)}`);
console.log(`  ESN         ${rmse(echo, actual).toFixed(4)}`);
model.dispose();
esn.dispose();
