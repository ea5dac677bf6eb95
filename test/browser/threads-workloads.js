// Threads in both engines (issue #16): an LSTM and a GRU forward and backward over a batch of two
// shards (B = 37, masked) and a short fit of LSTM → Dense on a backend with `threads` threads,
// every number as hex bits. Plain JS: Node and the Chromium page import the same file.

function hex(values) {
  const bytes = new Uint8Array(Float32Array.from(values).buffer);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

function data(n, seed) {
  return Float32Array.from({ length: n }, (_, i) => Math.sin((i + 1) * 0.37 + seed));
}

export async function threadsResults(rnn, threads) {
  const backend = await rnn.Backend.create({ threads });
  const out = { threads: backend.threads.count, reason: backend.threads.reason, results: {} };
  const B = 37, T = 5, I = 4, H = 6;
  const x = { data: data(B * T * I, 1), shape: [B, T, I] };
  const dOutput = { data: data(B * T * H, 2), shape: [B, T, H] };
  const lengths = Array.from({ length: B }, (_, b) => 1 + ((b * 3) % T));
  for (const [name, Layer] of [['LSTM', rnn.LSTM], ['GRU', rnn.GRU]]) {
    const layer = new Layer({ inputSize: I, units: H, seed: 3, backend });
    const forward = layer.forward(x, { lengths });
    const backward = layer.backward(forward.cache, { dOutput });
    out.results[`${name}.output`] = hex(forward.output.data);
    out.results[`${name}.dInput`] = hex(backward.dInput.data);
    for (const [k, v] of Object.entries(backward.dWeights)) out.results[`${name}.d${k}`] = hex(v.data);
    layer.dispose();
  }
  const N = 64;
  const model = new rnn.Sequential({ inputSize: I, seed: 4, layers: [new rnn.LSTM({ units: 8, backend }), new rnn.Dense({ units: 2, backend })] });
  model.compile({ loss: 'mse', optimizer: 'adam' });
  const history = await model.fit({ data: data(N * T * I, 5), shape: [N, T, I] }, { data: data(N * 2, 6), shape: [N, 2] }, { epochs: 2, batchSize: 64, shuffle: false });
  out.results['fit.loss'] = hex(history.loss);
  out.results['fit.parameters'] = hex(model.getParameters());
  model.dispose();
  backend.dispose();
  return out;
}
