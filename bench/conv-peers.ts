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
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { Conv1D } from '../src/layers/conv1d.js';
import { Conv2D } from '../src/layers/conv2d.js';
import { Dense } from '../src/layers/dense.js';
import { Flatten } from '../src/layers/flatten.js';
import { LSTM } from '../src/layers/lstm.js';
import { TCN } from '../src/layers/tcn.js';
import { MaxPooling2D } from '../src/layers/pooling.js';
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
  /** 'train': one step on x, y; 'epoch': one pass over `epoch` in batches (the check still runs one step on x, y). */
  mode: 'inference' | 'train' | 'epoch';
  flops: number;
  /** rnn-wasm's model, compiled; x and y as rnn-wasm and TF.js take them. */
  ours: () => Sequential;
  /** TF.js's model; absent when TF.js cannot build it (`notRun` says why). */
  theirs?: () => tf.Sequential;
  notRun?: string;
  /** Other rnn-wasm models on the same data, timed interleaved with the first (e.g. an LSTM of equal parameter count). */
  also?: { impl: string; model: () => Sequential; flops: number }[];
  x: { data: Float32Array; shape: number[] };
  y: { data: Float32Array; shape: number[] };
  /** Keras weights of ours → TF.js's setWeights order. */
  kerasOrder: (w: Weights[]) => Weights[string][];
  /** What TF.js is given, if not the same model (e.g. 'same' for a causal row). */
  peerNote?: string;
  /** rnn-wasm's loss and TF.js's for the same model ('mse' unless said). */
  loss?: { ours: 'mse' | 'crossEntropy'; theirs: string; y: { data: Float32Array; shape: number[] }; relative: number };
  epoch?: { x: { data: Float32Array; shape: number[] }; y: { data: Float32Array; shape: number[] }; theirsY: { data: Float32Array; shape: number[] }; batchSize: number };
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

/** The UCI digits (test/data/digits.csv.gz): pixels / 16 as [N, 8, 8, 1], labels, and one-hot labels for TF.js. */
function readDigits(): { x: Float32Array; labels: Float32Array; oneHot: Float32Array; N: number } {
  const rows = gunzipSync(readFileSync(new URL('../test/data/digits.csv.gz', import.meta.url))).toString('utf8').trim().split('\n');
  const N = rows.length;
  const [x, labels, oneHot] = [new Float32Array(N * 64), new Float32Array(N), new Float32Array(N * 10)];
  rows.forEach((line, i) => {
    const values = line.split(',').map(Number);
    for (let k = 0; k < 64; k++) x[i * 64 + k] = values[k] / 16;
    labels[i] = values[64];
    oneHot[i * 10 + values[64]] = 1;
  });
  return { x, labels, oneHot, N };
}

/** C3: the digits CNN of test/digits.test.ts (without its dropout), one epoch over the 1,437 training images, batches of 32, SGD. */
function c3(): ConvWorkload {
  const d = readDigits();
  const train = d.N - 360;
  const batch = 32;
  const part = (a: Float32Array, per: number, n: number) => a.slice(0, n * per);
  // Forward flops per image: conv 8·8·16·9·1·2 + conv 4·4·32·9·16·2 + dense 128·10·2; a train step is 3× forward.
  const perImage = 8 * 8 * 16 * 9 * 2 + 4 * 4 * 32 * 9 * 16 * 2 + 128 * 10 * 2;
  return {
    id: 'C3', name: `C3 digits CNN (Conv2D 16 → pool → Conv2D 32 → pool → Dense 10) one epoch, ${train} images, batches of ${batch}`,
    mode: 'epoch', flops: 3 * perImage * train,
    x: { data: part(d.x, 64, batch), shape: [batch, 8, 8, 1] }, y: { data: part(d.labels, 1, batch), shape: [batch] },
    loss: { ours: 'crossEntropy', theirs: 'categoricalCrossentropy', y: { data: part(d.oneHot, 10, batch), shape: [batch, 10] }, relative: 1e-4 },
    epoch: { x: { data: part(d.x, 64, train), shape: [train, 8, 8, 1] }, y: { data: part(d.labels, 1, train), shape: [train] }, theirsY: { data: part(d.oneHot, 10, train), shape: [train, 10] }, batchSize: batch },
    ours: () => {
      const m = new Sequential({
        inputShape: [8, 8, 1], seed: 1, layers: [
          new Conv2D({ filters: 16, kernelSize: 3, padding: 'same', activation: 'relu' }), new MaxPooling2D(),
          new Conv2D({ filters: 32, kernelSize: 3, padding: 'same', activation: 'relu' }), new MaxPooling2D(),
          new Flatten(), new Dense({ units: 10, activation: 'softmax' }),
        ],
      });
      m.compile({ loss: 'crossEntropy', optimizer: { type: 'sgd', learningRate: LEARNING_RATE } });
      return m;
    },
    theirs: () => tf.sequential({
      layers: [
        tf.layers.conv2d({ filters: 16, kernelSize: 3, padding: 'same', activation: 'relu', inputShape: [8, 8, 1] }), tf.layers.maxPooling2d({ poolSize: 2 }),
        tf.layers.conv2d({ filters: 32, kernelSize: 3, padding: 'same', activation: 'relu' }), tf.layers.maxPooling2d({ poolSize: 2 }),
        tf.layers.flatten(), tf.layers.dense({ units: 10, activation: 'softmax' }),
      ],
    }),
    kerasOrder: (w) => [w[0].kernel, w[0].bias, w[2].kernel, w[2].bias, w[5].kernel, w[5].bias],
    // the first batch's loss: softmax + log in f32 on both sides, TF.js clipping probabilities at 1e-7
  };
}

/** C2: a TCN (64 filters, K = 3, dilations 1…32, keras-tcn's defaults otherwise) train step, and an LSTM with as many parameters on the same data. */
function c2(): ConvWorkload {
  const dilations = [1, 2, 4, 8, 16, 32];
  const x = { data: randomFloat32(B * T * C, 5), shape: [B, T, C] };
  const y = { data: randomFloat32(B * T * C, 6, -0.5, 0.5), shape: [B, T, C] };
  // Two K·C·C convolutions per block; a train step is 3× forward.
  const tcnFlops = 3 * 2 * B * T * dilations.length * 2 * K * C * C;
  // 4·H·(C + H + 1) ≈ the TCN's 6·2·(K·C·C + C) = 148,224 parameters: H = 163 gives 148,656.
  const H = 163;
  const lstmFlops = 3 * 2 * 4 * H * (C + H) * B * T;
  const compiled = (m: Sequential) => {
    m.compile({ loss: 'mse', optimizer: { type: 'sgd', learningRate: LEARNING_RATE } });
    return m;
  };
  return {
    id: 'C2', name: `C2 TCN 64 filters K=${K} dilations 1–32 (148,224 parameters) train step B=${B} T=${T} ${C}→${C}`,
    mode: 'train', flops: tcnFlops, x, y,
    ours: () => compiled(new Sequential({ inputSize: C, seed: 1, layers: [new TCN({ filters: C, kernelSize: K, dilations, returnSequences: true })] })),
    kerasOrder: () => [],
    notRun: "TF.js's conv1d has no causal padding and no gradient for dilation > 1 (see C1), and keras-tcn is Python only",
    also: [{ impl: `rnn-wasm LSTM H=${H} (148,656 parameters), same data`, flops: lstmFlops, model: () => compiled(new Sequential({ inputSize: C, seed: 1, layers: [new LSTM({ units: H, returnSequences: true }), new Dense({ units: C })] })) }],
  };
}

export const CONV_WORKLOADS: ConvWorkload[] = [
  c1('same', D, 'inference'),
  c1('causal', D, 'inference'),
  c1('causal', D, 'train'),
  c1('same', D, 'train'),
  c1('same', 1, 'train'),
  c2(),
  c3(),
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

function theirCall(w: ConvWorkload): string {
  if (w.mode === 'inference') return 'model.predict(x) + dataSync()';
  const loss = w.loss?.theirs ?? 'meanSquaredError';
  return w.epoch ? `await model.trainOnBatch(x, y) for each of the epoch's batches in order, SGD 0.01, ${loss}` : `await model.trainOnBatch(x, y), SGD 0.01, ${loss}`;
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
  const epoch = w.epoch;
  const oursRun = w.mode === 'inference'
    ? () => void ours.predict(w.x)
    : epoch ? async () => { await ours.fit(epoch.x, epoch.y, { epochs: 1, batchSize: epoch.batchSize, shuffle: false }); } : async () => { await ours.fit(w.x, w.y, fitOptions); };
  const tasks: Task[] = [{ name: 'rnn-wasm', run: oursRun }];
  const rows: ConvPeerRow[] = [];
  const cannot: ConvPeerRow[] = [];
  const made: { model: tf.Sequential | null; tensors: tf.Tensor[]; dispose?: () => void }[] = [];
  for (const alt of w.also ?? []) {
    const m = alt.model();
    made.push({ model: null, tensors: [], dispose: () => m.dispose() });
    tasks.push({ name: alt.impl, run: async () => { await m.fit(w.x, w.y, fitOptions); } });
  }
  const theirs = w.theirs;
  for (const backend of theirs ? (['wasm', 'cpu'] as const) : []) {
    await tf.setBackend(backend);
    const impl = `TF.js ${tf.version.tfjs} ${backend}${backend === 'wasm' ? ' (XNNPACK, SIMD, 1 thread)' : ''}`;
    try {
      const model = theirs!();
      model.setWeights(w.kerasOrder(keras).map((t) => tf.tensor(t.data, t.shape)));
      model.compile({ loss: w.loss?.theirs ?? 'meanSquaredError', optimizer: tf.train.sgd(LEARNING_RATE) });
      const x = tf.tensor(w.x.data, w.x.shape);
      const theirY = w.loss?.y ?? w.y;
      const y = tf.tensor(theirY.data, theirY.shape);
      // An epoch as TF.js's fastest public path runs it: trainOnBatch over the same batches, in order.
      const batches: [tf.Tensor, tf.Tensor][] = [];
      if (epoch) {
        const [n, size] = [epoch.x.shape[0], epoch.batchSize];
        const [perX, perY] = [epoch.x.data.length / n, epoch.theirsY.data.length / n];
        for (let at = 0; at < n; at += size) {
          const to = Math.min(n, at + size);
          batches.push([tf.tensor(epoch.x.data.subarray(at * perX, to * perX), [to - at, ...epoch.x.shape.slice(1)]), tf.tensor(epoch.theirsY.data.subarray(at * perY, to * perY), [to - at, ...epoch.theirsY.shape.slice(1)])]);
        }
      }
      made.push({ model, tensors: [x, y, ...batches.flat()] });
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
        if (!(Math.abs(loss - firstLoss) <= (w.loss?.relative ?? 1e-5) * Math.abs(firstLoss))) throw new Error(`${w.id} ${impl}: first loss ${loss} vs rnn-wasm ${firstLoss}`);
        const after = model.getWeights().map((t) => t.dataSync());
        w.kerasOrder(keras).forEach((before, k) => {
          const mine = w.kerasOrder(stepped)[k].data;
          checkClose(`${w.id} ${impl} Δweight ${k}`, after[k].map((v, i) => v - before.data[i]), mine.map((v, i) => v - before.data[i]), 1e-3);
        });
      }
      // TF.js cpu is timed on its own (its kernels take seconds); wasm interleaved with rnn-wasm.
      const trainEpoch = async () => {
        for (const [bx, by] of batches) await model.trainOnBatch(bx, by);
      };
      const run = w.mode === 'inference' ? () => void infer() : epoch ? trainEpoch : train;
      if (backend === 'wasm') tasks.push({ name: impl, run });
      else {
        const ms = (await interleavedMedians([{ name: impl, run }], { rounds: 1, time: 0, iterations: 3 })).get(impl)!;
        rows.push({ workload: w.name, impl, medianMs: ms, gflops: w.flops / (ms * 1e6), note: `${theirCall(w)}; 3 timed calls${w.peerNote ? `; ${w.peerNote}` : ''}` });
      }
    } catch (error) {
      if (/rnn-wasm/.test(firstLine(error))) throw error; // a mismatch is a bug to fix, not a capability
      cannot.push({ workload: w.name, impl, medianMs: NaN, gflops: NaN, note: `cannot run: "${firstLine(error)}"` });
    }
  }
  await tf.setBackend('wasm');
  const medians = await interleavedMedians(tasks, { rounds: 5, time: 300, iterations: 2 });
  const ms = medians.get('rnn-wasm')!;
  const ourCall = w.mode === 'inference'
    ? 'Sequential.predict(x): staging, one conv call, output copied out'
    : epoch ? `await fit(x, y, { epochs: 1, batchSize: ${epoch.batchSize}, shuffle: false }), ${w.loss?.ours ?? 'mse'}, SGD 0.01` : 'await fit(x, y, one batch): staging, forward, MSE, backward (dX, dW, dBias), SGD 0.01';
  const head: ConvPeerRow[] = [{ workload: w.name, impl: 'rnn-wasm (SIMD)', medianMs: ms, gflops: w.flops / (ms * 1e6), note: ourCall }];
  for (const alt of w.also ?? []) {
    const m = medians.get(alt.impl)!;
    head.push({ workload: w.name, impl: alt.impl, medianMs: m, gflops: alt.flops / (m * 1e6), note: `${ourCall}; interleaved with the first row, 5 rounds` });
  }
  if (w.notRun) head.push({ workload: w.name, impl: `TF.js ${tf.version.tfjs}`, medianMs: NaN, gflops: NaN, note: `not run: ${w.notRun}` });
  for (const t of tasks.slice(1 + (w.also?.length ?? 0))) {
    const m = medians.get(t.name)!;
    head.push({ workload: w.name, impl: t.name, medianMs: m, gflops: w.flops / (m * 1e6), note: `${theirCall(w)}; interleaved with rnn-wasm, 5 rounds` });
  }
  for (const { model, tensors, dispose } of made) {
    tf.dispose(tensors);
    model?.dispose();
    dispose?.();
  }
  ours.dispose();
  return [...head, ...rows, ...cannot];
}

export async function benchConvPeers(): Promise<ConvPeerRow[]> {
  const rows: ConvPeerRow[] = [];
  // CONV_ONLY=C3,C1f (workload ids) runs some rows only, for trying changes.
  const only = process.env.CONV_ONLY?.split(',');
  for (const w of CONV_WORKLOADS.filter((c) => !only || only.includes(c.id))) {
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
