// Peer benchmark: rnn-wasm against TensorFlow.js (wasm backend, SIMD, one
// thread; and the pure-JS cpu backend) and brain.js on the recurrent workloads
// W1–W5 (bench/workloads.ts). One run on one machine, every implementation on
// one thread, median of tinybench samples. Prints a Markdown table and writes
// bench/results/peers.json.
//
// Correctness before timing: TF.js layers get rnn-wasm's weights (keras layout)
// and must reproduce its outputs within 1e-4 (and, on the wasm backend for W2
// and W3's train step, its weight gradients). brain.js has its own parameterisation
// (separate gate matrices plus an H→I output layer), so it cannot be given the
// same weights; its results are only checked to be finite and of the right size.
//
// `npm run bench:peers` (= build, then `tsx bench/peers.ts`). About 7 minutes on
// a 2-core machine; the TF.js cpu, brain.js and W5 rows use few iterations.
import { writeChart } from './chart.js';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import * as tf from '@tensorflow/tfjs';
import { getThreadsCount } from '@tensorflow/tfjs-backend-wasm';
import { Bench } from 'tinybench';
import { init } from '../src/engine/init.js';
import { GRU } from '../src/layers/gru.js';
import { LSTM } from '../src/layers/lstm.js';
import type { RecurrentLayer } from '../src/layers/recurrent.js';
import type { Tensor } from '../src/tensor.js';
import { randomFloat32 } from '../test/helpers/random.js';
import { trainStep } from './cells.js';
import { machineLine } from './gemm.js';
import { CELL_WORKLOADS, cellFlops, type BenchRow, type CellWorkload } from './workloads.js';

const require = createRequire(import.meta.url);
const brain = require('brain.js') as typeof import('brain.js');
const BRAIN_VERSION = (require('brain.js/package.json') as { version: string }).version;

export interface PeerRow extends BenchRow {
  note?: string;
}

const LEARNING_RATE = 0.01;
/** Largest |rnn-wasm − TF.js| allowed on an output element before timing. */
const OUTPUT_TOLERANCE = 1e-4;
/**
 * Gradients (T = 64 steps, B = 32 sequences summed) are compared relative to
 * each tensor's largest element: f32 sums of B·T terms in different orders
 * differ by about √(B·T)·u·max ≈ 3e-6·max (measured: 1.2e-6·max); 1e-4 leaves
 * room and still catches any layout or gate mistake (errors of O(max)).
 */
const GRADIENT_TOLERANCE = 1e-4;

const IMPL_WASM = 'rnn-wasm (SIMD)';
const IMPL_TF_WASM = `TF.js ${tf.version.tfjs} wasm (SIMD)`;
const IMPL_TF_CPU = `TF.js ${tf.version.tfjs} cpu`;
const IMPL_BRAIN = `brain.js ${BRAIN_VERSION}`;

interface TimingPlan {
  iterations: number;
  warmupIterations: number;
  /** Time budget per task in ms (0: just the iterations). */
  timeMs: number;
}

/** rnn-wasm, and TF.js wasm on W1–W4: as bench/cells.ts. */
const DEFAULT_PLAN: TimingPlan = { iterations: 5, warmupIterations: 2, timeMs: 1500 };

/** TF.js wasm takes ~15 s for a W5 train step. */
function tfjsWasmPlan(w: CellWorkload): TimingPlan {
  return w.id === 'W5' ? { iterations: 3, warmupIterations: 1, timeMs: 0 } : DEFAULT_PLAN;
}

/** TF.js cpu runs W1–W3 in 1.5–5.5 s and the W5 train step in ~50 s: one sample there. */
function tfjsCpuPlan(w: CellWorkload): TimingPlan {
  if (w.id === 'W4') return { iterations: 30, warmupIterations: 5, timeMs: 0 };
  if (w.id === 'W5') return { iterations: 1, warmupIterations: 0, timeMs: 0 };
  return { iterations: 3, warmupIterations: 1, timeMs: 0 };
}

/** brain.js: ~40 ms per W1 sequence forward, ~0.75 s per W5 sequence trained. */
function brainPlan(w: CellWorkload): TimingPlan {
  if (w.id === 'W4') return { iterations: 20, warmupIterations: 3, timeMs: 0 };
  if (w.id === 'W5') return { iterations: 1, warmupIterations: 0, timeMs: 0 };
  return { iterations: w.mode === 'train' ? 2 : 3, warmupIterations: 1, timeMs: 0 };
}

async function medianMs(name: string, plan: TimingPlan, run: () => void): Promise<number> {
  const bench = new Bench({
    time: plan.timeMs,
    iterations: plan.iterations,
    warmup: plan.warmupIterations > 0,
    warmupIterations: plan.warmupIterations,
    warmupTime: 0,
    throws: true,
  });
  bench.add(name, run);
  await bench.run();
  return (bench.tasks[0].result as { latency: { p50: number } }).latency.p50;
}

function row(w: CellWorkload, impl: string, ms: number, note?: string): PeerRow {
  const r: PeerRow = { workload: w.name, impl, medianMs: ms, gflops: cellFlops(w) / (ms * 1e6) };
  if (note) r.note = note;
  return r;
}

/** What every implementation is given, and what rnn-wasm computed from it before any training step. */
interface Prepared {
  w: CellWorkload;
  x: Float32Array; // [B, T, I]
  dOutput: Float32Array; // [B, T, H]
  keras: Record<string, Tensor>; // initial weights, keras layout
  output: Float32Array; // rnn-wasm forward, [B, T, H]
  dWeights: Record<string, Tensor> | null; // rnn-wasm gradients of Σ output⊙dOutput, keras layout (train workloads)
}

function makeOurs(w: CellWorkload): RecurrentLayer {
  // GRU: TF.js and brain.js apply the reset gate before the recurrent matmul, so
  // rnn-wasm runs its 'resetBefore' variant here (bench/cells.ts times 'resetAfter').
  return w.cell === 'LSTM'
    ? new LSTM({ inputSize: w.I, units: w.H, seed: 1, gateActivation: 'sigmoid' })
    : new GRU({ inputSize: w.I, units: w.H, seed: 1, variant: 'resetBefore', gateActivation: 'sigmoid' });
}

// ---- rnn-wasm ----

async function benchOurs(w: CellWorkload): Promise<{ prepared: Prepared; row: PeerRow }> {
  const { B, T, I, H } = w;
  const layer = makeOurs(w);
  const x = { data: randomFloat32(B * T * I, 1), shape: [B, T, I] };
  const dOutput = { data: randomFloat32(B * T * H, 2, -0.01, 0.01), shape: [B, T, H] };
  const keras = layer.getWeights({ format: 'keras' });
  const forward = layer.forward(x);
  const dWeights = w.mode === 'train' ? layer.backward(forward.cache, { dOutput, format: 'keras' }).dWeights : null;
  const prepared: Prepared = { w, x: x.data, dOutput: dOutput.data, keras, output: forward.output.data, dWeights };
  const ms = await medianMs(IMPL_WASM, DEFAULT_PLAN, w.mode === 'inference' ? () => layer.forward(x) : () => trainStep(layer, x, dOutput, LEARNING_RATE));
  layer.dispose();
  const note = w.mode === 'inference'
    ? 'layer.forward(x), output copied out [B,T,H]'
    : "forward + backward(cache, { dOutput }) + SGD w −= 0.01·dw via getWeights/setWeights('native') (the update path the API offers today; backward also computes dInput)";
  return { prepared, row: row(w, IMPL_WASM, ms, note) };
}

// ---- TensorFlow.js ----

function makeTfjsLayer(w: CellWorkload): tf.layers.Layer {
  // Zero initialisers: the weights are overwritten with rnn-wasm's right away
  // (TF.js's orthogonal initialiser takes seconds at H = 256).
  const args = {
    units: w.H, returnSequences: true, activation: 'tanh', recurrentActivation: 'sigmoid',
    kernelInitializer: 'zeros', recurrentInitializer: 'zeros', biasInitializer: 'zeros',
  } as const;
  return w.cell === 'LSTM' ? tf.layers.lstm(args) : tf.layers.gru(args);
}

function worstDifference(got: ArrayLike<number>, want: ArrayLike<number>): { index: number; diff: number } {
  let index = -1;
  let diff = 0;
  for (let i = 0; i < want.length; i++) {
    const d = Math.abs(got[i] - want[i]);
    if (!(d <= diff)) {
      diff = d;
      index = i;
    }
  }
  return { index, diff };
}

function checkOutput(label: string, got: ArrayLike<number>, want: ArrayLike<number>): void {
  const { index, diff } = worstDifference(got, want);
  if (!(diff <= OUTPUT_TOLERANCE)) {
    throw new Error(`${label}: output[${index}] is ${got[index]}, rnn-wasm gives ${want[index]} (|difference| ${diff} > ${OUTPUT_TOLERANCE})`);
  }
}

function checkGradient(label: string, got: ArrayLike<number>, want: ArrayLike<number>): void {
  let scale = 0;
  for (let i = 0; i < want.length; i++) scale = Math.max(scale, Math.abs(want[i]));
  const { index, diff } = worstDifference(got, want);
  if (!(diff <= GRADIENT_TOLERANCE * scale)) {
    throw new Error(`${label}[${index}] is ${got[index]}, rnn-wasm gives ${want[index]} (|difference| ${diff} > ${GRADIENT_TOLERANCE}·max ${scale})`);
  }
}

async function benchTfjs(backend: 'wasm' | 'cpu', p: Prepared): Promise<PeerRow> {
  const { w } = p;
  const { B, T, I, H } = w;
  const impl = backend === 'wasm' ? IMPL_TF_WASM : IMPL_TF_CPU;
  const label = `${w.id} ${impl}`;
  const tensorsBefore = tf.memory().numTensors;
  const layer = makeTfjsLayer(w);
  tf.tidy(() => {
    layer.apply(tf.zeros([1, 1, I])); // builds kernel [I, G·H], recurrent_kernel [H, G·H], bias [G·H]
    layer.setWeights([p.keras.kernel, p.keras.recurrent_kernel, p.keras.bias].map((t) => tf.tensor(t.data, t.shape)));
  });
  const x = tf.tensor3d(p.x, [B, T, I]);
  const dOutput = tf.tensor3d(p.dOutput, [B, T, H]);
  const variables = layer.trainableWeights.map((v) => v.read() as tf.Variable); // kernel, recurrent_kernel, bias
  const loss = () => tf.sum<tf.Scalar>(tf.mul(layer.apply(x) as tf.Tensor, dOutput));
  const infer = () => tf.tidy(() => (layer.apply(x) as tf.Tensor).dataSync());

  // Correctness first: outputs everywhere but W5 on the cpu backend (one forward
  // takes ~17 s there); gradients on the wasm backend for W2 and W3 (W5's would
  // cost another 15 s and adds nothing the smaller train workloads do not check).
  if (backend === 'wasm' || w.id !== 'W5') checkOutput(label, infer(), p.output);
  if (backend === 'wasm' && p.dWeights && w.id !== 'W5') {
    const { value, grads } = tf.variableGrads(loss, variables);
    ['kernel', 'recurrent_kernel', 'bias'].forEach((name, k) => checkGradient(`${label} d${name}`, grads[variables[k].name].dataSync(), p.dWeights![name].data));
    tf.dispose([value, ...Object.values(grads)]);
  }

  const optimizer = tf.train.sgd(LEARNING_RATE);
  const tfTrainStep = () => {
    const { value, grads } = tf.variableGrads(loss, variables);
    optimizer.applyGradients(grads);
    value.dataSync();
    tf.dispose([value, ...Object.values(grads)]);
  };
  const plan = backend === 'wasm' ? tfjsWasmPlan(w) : tfjsCpuPlan(w);
  const ms = await medianMs(label, plan, w.mode === 'inference' ? () => void infer() : tfTrainStep);
  optimizer.dispose();
  tf.dispose([x, dOutput]);
  layer.dispose();
  if (tf.memory().numTensors !== tensorsBefore) throw new Error(`${label}: ${tf.memory().numTensors - tensorsBefore} tensors leaked`);

  const notes: string[] = [];
  notes.push(w.mode === 'inference'
    ? 'layer.apply(x) (returnSequences) + dataSync()'
    : 'tf.variableGrads of Σ output⊙dOut w.r.t. kernel, recurrent_kernel, bias + tf.train.sgd(0.01).applyGradients');
  if (w.cell === 'GRU') notes.push('GRU reset-before (TF.js has no reset-after)');
  if (w.id === 'W5') {
    notes.push(backend === 'cpu'
      ? `${plan.iterations} timed iteration, no warmup; output not checked (one forward takes ~17 s)`
      : `${plan.iterations} timed iterations after ${plan.warmupIterations} warmup; output checked, gradients not (checked on W2, W3)`);
  }
  return row(w, impl, ms, notes.join('; '));
}

// ---- brain.js ----

type BrainNet = InstanceType<typeof brain.recurrent.LSTMTimeStep>;

function brainSequences(p: Prepared): number[][][] {
  const { B, T, I } = p.w;
  return Array.from({ length: B }, (_, b) => Array.from({ length: T }, (_, t) => Array.from(p.x.subarray((b * T + t) * I, (b * T + t + 1) * I))));
}

async function benchBrain(p: Prepared): Promise<PeerRow> {
  const { w } = p;
  const { B, T, I, H } = w;
  const label = `${w.id} ${IMPL_BRAIN}`;
  const Net = w.cell === 'LSTM' ? brain.recurrent.LSTMTimeStep : brain.recurrent.GRUTimeStep;
  const net: BrainNet = new Net({ inputSize: I, hiddenLayers: [H], outputSize: I });
  const sequences = brainSequences(p);
  const trainOptions = { iterations: 1, learningRate: LEARNING_RATE, log: false };
  // Untimed: builds the model and its T per-step equations.
  const first = net.train([sequences[0]], trainOptions);
  if (!Number.isFinite(first.error)) throw new Error(`${label}: training error ${first.error}`);
  const prediction = net.run(sequences[0]) as number[];
  if (prediction.length !== I || !Array.from(prediction).every(Number.isFinite)) {
    throw new Error(`${label}: run() returned ${prediction.length} values (want ${I} finite)`);
  }
  const plan = brainPlan(w);
  const run = w.mode === 'inference'
    ? () => { for (const sequence of sequences) net.run(sequence); }
    : () => { net.train(sequences, trainOptions); };
  const ms = await medianMs(label, plan, run);
  const cell = w.cell === 'GRU' ? 'GRUTimeStep (reset-before, sigmoid gates)' : 'LSTMTimeStep';
  const note = w.mode === 'inference'
    ? `${cell}: B = ${B} × net.run(one sequence of T = ${T} steps), one sequence at a time (no batching); each step also runs brain.js's H→I output layer`
    : `${cell}: net.train(B = ${B} sequences, { iterations: 1 }) = ${B} × (forward over T − 1 = ${T - 1} steps predicting the next step + BPTT + RMSprop update with clipping), batch size 1, plus an H→I output layer; GFLOP/s uses the workload's nominal flop count`;
  return row(w, IMPL_BRAIN, ms, plan.iterations < 3 ? `${note}; ${plan.iterations} timed iteration${plan.iterations > 1 ? 's' : ''}` : note);
}

// ---- report ----

function peersTable(rows: PeerRow[]): string {
  const lines = ['| workload | impl | median ms | GFLOP/s | × rnn-wasm |', '|---|---|---:|---:|---:|'];
  for (const workload of [...new Set(rows.map((r) => r.workload))]) {
    const group = rows.filter((r) => r.workload === workload);
    const ours = group.find((r) => r.impl === IMPL_WASM)!;
    for (const r of group) {
      const times = r.medianMs / ours.medianMs;
      lines.push(`| ${workload} | ${r.impl} | ${r.medianMs.toFixed(r.medianMs < 10 ? 3 : 1)} | ${r.gflops.toFixed(2)} | ${times.toFixed(times < 10 ? 2 : 0)} |`);
    }
  }
  return lines.join('\n');
}

async function main(): Promise<void> {
  const started = performance.now();
  const results = new URL('./results/', import.meta.url);
  mkdirSync(results, { recursive: true });
  await init();

  const rows: PeerRow[] = [];
  const prepared: Prepared[] = [];
  for (const w of CELL_WORKLOADS) {
    const ours = await benchOurs(w);
    prepared.push(ours.prepared);
    rows.push(ours.row);
    console.error(`${w.id} ${IMPL_WASM}: ${ours.row.medianMs.toFixed(3)} ms`);
  }

  await tf.setBackend('wasm');
  const simd = await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT');
  const threads = getThreadsCount();
  if (!simd || threads !== 1) throw new Error(`TF.js wasm backend: SIMD ${String(simd)}, ${threads} threads; this bench compares SIMD on one thread`);
  for (const p of prepared) {
    rows.push(await benchTfjs('wasm', p));
    console.error(`${p.w.id} ${IMPL_TF_WASM}: ${rows[rows.length - 1].medianMs.toFixed(3)} ms`);
  }
  await tf.setBackend('cpu');
  for (const p of prepared) {
    rows.push(await benchTfjs('cpu', p));
    console.error(`${p.w.id} ${IMPL_TF_CPU}: ${rows[rows.length - 1].medianMs.toFixed(1)} ms`);
  }
  for (const p of prepared) {
    rows.push(await benchBrain(p));
    console.error(`${p.w.id} ${IMPL_BRAIN}: ${rows[rows.length - 1].medianMs.toFixed(1)} ms`);
  }

  const order = CELL_WORKLOADS.map((w) => w.name);
  rows.sort((a, b) => order.indexOf(a.workload) - order.indexOf(b.workload)); // stable: impl order kept
  console.log(`Machine: ${machineLine()}`);
  console.log(`TF.js wasm backend: SIMD binary, ${threads} thread (Node has no multithreaded build support here)\n`);
  console.log('Recurrent layers vs peers, one thread each, median of tinybench samples (flops: 2·G·H·(I+H) per sample-step forward, twice that backward).');
  console.log("× rnn-wasm = this row's median / rnn-wasm's median (how many times rnn-wasm's time). LSTM and GRU use sigmoid gates; GRU is reset-before everywhere.\n");
  console.log(peersTable(rows));
  console.log('\nWhat each row measures:\n');
  const byNote = new Map<string, { impl: string; note: string; ids: string[] }>();
  for (const r of rows) {
    if (!r.note) continue;
    const key = `${r.impl}\u0000${r.note}`;
    const id = CELL_WORKLOADS.find((w) => w.name === r.workload)!.id;
    const entry = byNote.get(key) ?? { impl: r.impl, note: r.note, ids: [] };
    entry.ids.push(id);
    byNote.set(key, entry);
  }
  for (const { impl, note, ids } of byNote.values()) console.log(`- ${impl}, ${ids.join(', ')}: ${note}`);
  writeFileSync(new URL('peers.json', results), JSON.stringify(rows, null, 2) + '\n');
  writeChart();
  console.error(`\nbench:peers took ${((performance.now() - started) / 1000).toFixed(0)} s`);
}

try {
  await main();
} catch (error) {
  // Printed here: TF.js's wasm module rethrows unhandled rejections from its own
  // handler, and Node would then print a line of its minified source instead.
  console.error(error);
  process.exit(1);
}
