// The model layer's overhead (issue: models): one epoch of W2-shaped training
// (1,024 sequences, T = 64, I = 32, LSTM H = 128, batch 32, MSE on every step,
// plain SGD) three ways, interleaved:
//   kernels    the layer's time-major pointer path per batch: forward, backward (no copies to
//              JS, no loss, no update) — the floor every way has to pay;
//   layer API  what a user writes with the bare layer: forward() and backward() per batch with a
//              precomputed dOutput, and an SGD update through getWeights/setWeights in JS;
//   fit        Sequential.fit, one epoch: staging (shuffled), forward, MSE loss and gradient,
//              backward, global norm, SGD update, all in WASM.
import { Backend } from '../src/engine/backend.js';
import { LSTM } from '../src/layers/lstm.js';
import { Sequential } from '../src/models/sequential.js';
import { randomFloat32 } from '../test/helpers/random.js';
import { trainStep } from './cells.js';
import { interleavedMedians } from './measure.js';

export interface ModelBenchRow {
  way: string;
  medianMs: number;
}

export async function benchModels(): Promise<ModelBenchRow[]> {
  const backend = await Backend.create({ simd: true });
  const [N, B, T, I, H] = [1024, 32, 64, 32, 128];
  const x = randomFloat32(N * T * I, 1);
  const y = randomFloat32(N * T * H, 2, -0.5, 0.5);
  const batches = N / B;
  const batchX = Array.from({ length: batches }, (_, b) => ({ data: x.subarray(b * B * T * I, (b + 1) * B * T * I), shape: [B, T, I] }));
  const dOutput = { data: randomFloat32(B * T * H, 3, -0.01, 0.01), shape: [B, T, H] };

  const kernelLayer = new LSTM({ inputSize: I, units: H, backend, returnSequences: true });
  const xTm = backend.fromArray(randomFloat32(T * B * I, 4));
  const dTm = backend.fromArray(dOutput.data);
  const apiLayer = new LSTM({ inputSize: I, units: H, backend });
  const model = new Sequential({ inputSize: I, seed: 1, layers: [new LSTM({ units: H, returnSequences: true, backend })] });
  model.compile({ loss: 'mse', optimizer: { type: 'sgd', learningRate: 0.01 } });
  const data = { data: x, shape: [N, T, I] };
  const targets = { data: y, shape: [N, T, H] };

  const medians = await interleavedMedians(
    [
      {
        name: 'kernels',
        run: () => {
          for (let b = 0; b < batches; b++) {
            kernelLayer.forwardFrom(xTm.ptr, T, B);
            kernelLayer.backwardFrom(dTm.ptr);
          }
        },
      },
      { name: 'layer API', run: () => batchX.forEach((xb) => trainStep(apiLayer, xb, dOutput)) },
      { name: 'fit', run: async () => { await model.fit(data, targets, { epochs: 1, batchSize: B }); } },
    ],
    { rounds: 3, time: 1500, iterations: 2 },
  );
  for (const thing of [kernelLayer, apiLayer, model, xTm, dTm]) thing.dispose();
  backend.dispose();
  return [...medians].map(([way, medianMs]) => ({ way, medianMs }));
}

export function modelsTable(rows: ModelBenchRow[]): string {
  const floor = rows.find((r) => r.way === 'kernels')!.medianMs;
  const lines = ['| one epoch, W2 shape (1,024 × 64 steps, batch 32) | median ms | × kernels |', '|---|---:|---:|'];
  for (const r of rows) lines.push(`| ${r.way} | ${r.medianMs.toFixed(0)} | ${(r.medianMs / floor).toFixed(2)} |`);
  return lines.join('\n');
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { init } = await import('../src/engine/init.js');
  await init();
  console.log(modelsTable(await benchModels()));
}
