// Convolution workloads (issue #12: C1–C3) against TensorFlow.js on its fastest public path
// (tf.sequential + predict / trainOnBatch), wasm backend (XNNPACK, SIMD, one thread) and cpu
// backend, and what TF.js cannot run, with its own error message. Run by `npm run bench:peers`
// after the recurrent rows (or alone: `tsx bench/conv-peers.ts`).
//
// Correctness before timing: TF.js gets rnn-wasm's weights (keras layout) and its predictions
// must match ours within 1e-4 of their scale; a train step must give the same loss (relative
// 1e-5) and the same weight change (1e-3 of its largest element) as our first fit step.
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { init } from '../src/engine/init.js';
import { Conv1D } from '../src/layers/conv1d.js';
import { Sequential } from '../src/models/sequential.js';
import type { Weights } from '../src/layers/formats.js';
import { randomFloat32 } from '../test/helpers/random.js';
import { machineLine } from './gemm.js';
import { interleavedMedians, type Task } from './measure.js';
import type { BenchRow } from './workloads.js';

export interface ConvPeerRow extends BenchRow {
  /** How the row was run, or why the peer could not run it. */
  note: string;
}

interface ConvWorkload {
  id: string;
  name: string;
  mode: 'inference' | 'train';
  flops: number;
  /** rnn-wasm's model, compiled; x and y as rnn-wasm and TF.js take them. */
  ours: () => Sequential;
  theirs: () => tf.Sequential;
  x: { data: Float32Array; shape: number[] };
  y: { data: Float32Array; shape: number[] };
  /** Keras weights of ours → TF.js's setWeights order. */
  kerasOrder: (w: Weights[]) => Weights[string][];
  /** What TF.js is given, if not the same model (e.g. 'same' for a causal row). */
  peerNote?: string;
}

const LEARNING_RATE = 0.01;
const [B, T, C, K, D] = [32, 256, 64, 3, 4];
const C1_FLOPS = 2 * B * T * C * K * C;

function c1(padding: 'same' | 'causal', dilation: number, mode: 'inference' | 'train'): ConvWorkload {
  const x = { data: randomFloat32(B * T * C, 1), shape: [B, T, C] };
  const y = { data: randomFloat32(B * T * C, 2, -0.5, 0.5), shape: [B, T, C] };
  return {
    id: `C1${mode === 'train' ? 't' : 'f'}${padding === 'causal' ? 'c' : ''}${dilation === 1 ? '-d1' : ''}`,
    name: `C1 Conv1D K=${K} dilation ${dilation} ${padding} B=${B} T=${T} ${C}→${C} ${mode === 'train' ? 'train step' : 'forward'}`,
    mode, flops: mode === 'train' ? 3 * C1_FLOPS : C1_FLOPS, x, y,
    ours: () => {
      const m = new Sequential({ inputSize: C, seed: 1, layers: [new Conv1D({ filters: C, kernelSize: K, padding, dilation })] });
      m.compile({ loss: 'mse', optimizer: { type: 'sgd', learningRate: LEARNING_RATE } });
      return m;
    },
    theirs: () => tf.sequential({ layers: [tf.layers.conv1d({ filters: C, kernelSize: K, padding, dilationRate: dilation, inputShape: [T, C] })] }),
    kerasOrder: (w) => [w[0].kernel, w[0].bias],
  };
}

export const CONV_WORKLOADS: ConvWorkload[] = [
  c1('same', D, 'inference'),
  c1('causal', D, 'inference'),
  c1('causal', D, 'train'),
  c1('same', D, 'train'),
  c1('same', 1, 'train'),
];

function scaleOf(values: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < values.length; i++) s = Math.max(s, Math.abs(values[i]));
  return s;
}

function checkClose(label: string, got: ArrayLike<number>, want: ArrayLike<number>, relative: number): void {
  const scale = scaleOf(want);
  for (let i = 0; i < want.length; i++) {
    if (!(Math.abs(got[i] - want[i]) <= relative * scale)) throw new Error(`${label}[${i}]: ${got[i]} vs rnn-wasm ${want[i]} (> ${relative} of scale ${scale})`);
  }
}

const firstLine = (error: unknown) => String((error as Error).message ?? error).split('\n')[0];

/** Every row of one workload: rnn-wasm, then TF.js wasm and cpu (timed, or the reason it cannot run). */
async function benchWorkload(w: ConvWorkload): Promise<ConvPeerRow[]> {
  const ours = w.ours();
  const fitOptions = { epochs: 1, batchSize: w.x.shape[0], shuffle: false };
  const keras = ours.getWeights({ format: 'keras' });
  let want: Float32Array;
  let firstLoss = NaN;
  let stepped: Weights[] = [];
  if (w.mode === 'inference') want = ours.predict(w.x).data;
  else {
    firstLoss = (await ours.fit(w.x, w.y, fitOptions)).loss[0];
    stepped = ours.getWeights({ format: 'keras' });
    ours.setWeights(keras, { format: 'keras' });
    want = new Float32Array(0);
  }
  const oursRun = w.mode === 'inference' ? () => void ours.predict(w.x) : async () => { await ours.fit(w.x, w.y, fitOptions); };
  const tasks: Task[] = [{ name: 'rnn-wasm', run: oursRun }];
  const rows: ConvPeerRow[] = [];
  const cannot: ConvPeerRow[] = [];
  const made: { model: tf.Sequential; tensors: tf.Tensor[] }[] = [];
  for (const backend of ['wasm', 'cpu'] as const) {
    await tf.setBackend(backend);
    const impl = `TF.js ${tf.version.tfjs} ${backend}${backend === 'wasm' ? ' (XNNPACK, SIMD, 1 thread)' : ''}`;
    try {
      const model = w.theirs();
      model.setWeights(w.kerasOrder(keras).map((t) => tf.tensor(t.data, t.shape)));
      model.compile({ loss: 'meanSquaredError', optimizer: tf.train.sgd(LEARNING_RATE) });
      const x = tf.tensor(w.x.data, w.x.shape);
      const y = tf.tensor(w.y.data, w.y.shape);
      made.push({ model, tensors: [x, y] });
      const infer = () => {
        const out = model.predict(x) as tf.Tensor;
        const data = out.dataSync();
        out.dispose();
        return data;
      };
      const train = async () => (await model.trainOnBatch(x, y)) as number;
      if (w.mode === 'inference') checkClose(`${w.id} ${impl} output`, infer(), want, 1e-4);
      else {
        infer(); // a forward first, so a layer TF.js cannot run names itself rather than the target's shape
        const loss = await train();
        if (!(Math.abs(loss - firstLoss) <= 1e-5 * Math.abs(firstLoss))) throw new Error(`${w.id} ${impl}: first loss ${loss} vs rnn-wasm ${firstLoss}`);
        const after = model.getWeights().map((t) => t.dataSync());
        w.kerasOrder(keras).forEach((before, k) => {
          const mine = w.kerasOrder(stepped)[k].data;
          checkClose(`${w.id} ${impl} Δweight ${k}`, after[k].map((v, i) => v - before.data[i]), mine.map((v, i) => v - before.data[i]), 1e-3);
        });
      }
      // TF.js cpu is timed on its own (its kernels take seconds); wasm interleaved with rnn-wasm.
      const run = w.mode === 'inference' ? () => void infer() : train;
      if (backend === 'wasm') tasks.push({ name: impl, run });
      else {
        const ms = (await interleavedMedians([{ name: impl, run }], { rounds: 1, time: 0, iterations: 3 })).get(impl)!;
        rows.push({ workload: w.name, impl, medianMs: ms, gflops: w.flops / (ms * 1e6), note: `${w.mode === 'inference' ? 'model.predict(x) + dataSync()' : 'await model.trainOnBatch(x, y), SGD 0.01, MSE'}; 3 timed calls${w.peerNote ? `; ${w.peerNote}` : ''}` });
      }
    } catch (error) {
      if (/rnn-wasm/.test(firstLine(error))) throw error; // a mismatch is a bug to fix, not a capability
      cannot.push({ workload: w.name, impl, medianMs: NaN, gflops: NaN, note: `cannot run: "${firstLine(error)}"` });
    }
  }
  await tf.setBackend('wasm');
  const medians = await interleavedMedians(tasks, { rounds: 5, time: 300, iterations: 2 });
  const ms = medians.get('rnn-wasm')!;
  const head: ConvPeerRow[] = [{ workload: w.name, impl: 'rnn-wasm (SIMD)', medianMs: ms, gflops: w.flops / (ms * 1e6), note: w.mode === 'inference' ? 'Sequential.predict(x): staging, one conv call, output copied out' : 'await fit(x, y, one batch): staging, forward, MSE, backward (dX, dW, dBias), SGD 0.01' }];
  for (const t of tasks.slice(1)) {
    const m = medians.get(t.name)!;
    head.push({ workload: w.name, impl: t.name, medianMs: m, gflops: w.flops / (m * 1e6), note: `${w.mode === 'inference' ? 'model.predict(x) + dataSync()' : 'await model.trainOnBatch(x, y), SGD 0.01, MSE'}; interleaved with rnn-wasm, 5 rounds` });
  }
  for (const { model, tensors } of made) {
    tf.dispose(tensors);
    model.dispose();
  }
  ours.dispose();
  return [...head, ...rows, ...cannot];
}

export async function benchConvPeers(): Promise<ConvPeerRow[]> {
  const rows: ConvPeerRow[] = [];
  for (const w of CONV_WORKLOADS) {
    rows.push(...(await benchWorkload(w)));
    console.error(`${w.id} done`);
  }
  return rows;
}

export function convPeersTable(rows: ConvPeerRow[]): string {
  const lines = ['| workload | impl | median ms | GFLOP/s | × rnn-wasm | how / why not |', '|---|---|---:|---:|---:|---|'];
  for (const workload of [...new Set(rows.map((r) => r.workload))]) {
    const group = rows.filter((r) => r.workload === workload);
    const ours = group[0];
    for (const r of group) {
      const ran = Number.isFinite(r.medianMs);
      lines.push(`| ${workload} | ${r.impl} | ${ran ? r.medianMs.toFixed(r.medianMs < 10 ? 3 : 1) : '—'} | ${ran ? r.gflops.toFixed(2) : '—'} | ${ran ? (r.medianMs / ours.medianMs).toFixed(2) : '—'} | ${r.note} |`);
    }
  }
  return lines.join('\n');
}

if (process.argv[1]?.endsWith('conv-peers.ts')) {
  try {
    await init();
    console.log(`Machine: ${machineLine()}\n`);
    console.log(convPeersTable(await benchConvPeers()));
  } catch (error) {
    // Printed here: TF.js's wasm module rethrows unhandled errors and Node would print a line of its minified source.
    console.error(error);
    process.exit(1);
  }
}
