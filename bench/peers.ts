// Peer benchmark: rnn-wasm against TensorFlow.js (wasm backend, SIMD, one
// thread; and the pure-JS cpu backend), onnxruntime-web (wasm, 1 and 2 threads, LSTM
// inference W1 and W4 on graphs from toONNX: bench/ort-peer.ts) and brain.js on the recurrent workloads
// W1–W5 (bench/workloads.ts). One run on one machine, every implementation on
// one thread, median of tinybench samples. Prints a Markdown table and writes
// bench/results/peers.json.
//
// rnn-wasm and TF.js both run at the model level, through their fastest public
// path, on a model of one recurrent layer returning every step:
//   inference   rnn-wasm Sequential.predict(x)      TF.js tf.sequential(...).predict(x) + dataSync()
//   train step  rnn-wasm Sequential.fit, one batch  TF.js model.trainOnBatch(x, y)
// compiled with compile({ loss: 'mse', optimizer: sgd 0.01 }) and compile({
// optimizer: tf.train.sgd(0.01), loss: 'meanSquaredError' }): both losses are
// the mean over all B·T·H elements of (output − target)².
// rnn-wasm and TF.js wasm are timed interleaved, round by round (see RoundPlan),
// so a slow phase of a shared machine touches both alike; the TF.js cpu and
// brain.js rows are timed on their own afterwards, with few iterations.
//
// Correctness before timing: the TF.js model gets rnn-wasm's weights (keras
// layout, model.layers[0].setWeights) and its predict output must match ours
// within 1e-4; for training, the loss that the first trainOnBatch returns must
// match the loss of our first one-batch fit (relative 1e-5), and so must the
// weight change of that first SGD step (within 1e-4 of its largest element, plus
// two units in the last place of the weight).
// brain.js has its own parameterisation (separate gate matrices plus an H→I
// output layer), so it cannot be given the same weights; its results are only
// checked to be finite and of the right size.
//
// `npm run bench:peers` (= build, then `tsx bench/peers.ts`). About 7 minutes on
// a 2-core machine; the TF.js cpu, brain.js and W5 rows use few iterations.
import { writeChart } from './chart.js';
import { benchConvPeers, convPeersTable } from './conv-peers.js';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { OrtRow } from './ort-peer.js';
import * as tf from '@tensorflow/tfjs';
import { getThreadsCount } from '@tensorflow/tfjs-backend-wasm';
import { Bench } from 'tinybench';
import { init } from '../src/engine/init.js';
import { GRU } from '../src/layers/gru.js';
import { LSTM } from '../src/layers/lstm.js';
import { Sequential } from '../src/models/sequential.js';
import type { Tensor } from '../src/tensor.js';
import { randomFloat32 } from '../test/helpers/random.js';
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
 * The first train step's loss (a mean of B·T·H squares, summed in f64 by
 * rnn-wasm and in f32 by TF.js) may differ by this much relative to it.
 */
const LOSS_TOLERANCE = 1e-5;
/**
 * The first SGD step's weight change (0.01 × gradient) is compared relative to
 * each tensor's largest change: f32 sums of B·T terms in different orders differ
 * by about √(B·T)·u·max ≈ 3e-6·max; 1e-4 leaves room and still catches any
 * layout, gate or loss-scaling mistake (errors of O(max)). The change is read
 * back as w₁ − w₀ with w₁ rounded to f32 on each side, so each element is also
 * allowed 2⁻²²·|w₁| (two units in the last place of the weight): the mean loss
 * over B·T·H elements makes some steps smaller than that rounding.
 */
const STEP_TOLERANCE = 1e-4;

const IMPL_WASM = 'rnn-wasm (SIMD)';
const IMPL_TF_WASM = `TF.js ${tf.version.tfjs} wasm (SIMD)`;
const IMPL_TF_CPU = `TF.js ${tf.version.tfjs} cpu`;
const IMPL_BRAIN = `brain.js ${BRAIN_VERSION}`;

/** The exact call each row times, named in the table (impl column) and in peers.json. */
function call(impl: string, w: CellWorkload): string {
  if (impl === IMPL_WASM) return w.mode === 'inference' ? `${impl} \`Sequential\` + \`predict\`` : `${impl} \`Sequential\` + \`fit\` (1 batch)`;
  if (impl === IMPL_TF_WASM || impl === IMPL_TF_CPU) return w.mode === 'inference' ? `${impl} \`tf.sequential\` + \`predict\`` : `${impl} \`tf.sequential\` + \`trainOnBatch\``;
  return impl;
}

interface TimingPlan {
  iterations: number;
  warmupIterations: number;
  /** Time budget per task in ms (0: just the iterations). */
  timeMs: number;
}

/**
 * rnn-wasm and TF.js wasm are timed interleaved: `rounds` rounds, each running
 * rnn-wasm then TF.js for at least `iterations` calls and `timeMs` ms, after
 * `warmup` untimed calls of each; the median is over all samples of a task. A
 * slow phase of the shared machine then touches both alike.
 */
interface RoundPlan {
  warmup: number;
  rounds: number;
  iterations: number;
  timeMs: number;
}

/**
 * TF.js's first calls of a model are several times slower than later ones (its
 * JavaScript warms up over about 5–10 calls): 8 warmup calls, except on W5,
 * whose TF.js wasm train step takes about 15 s.
 */
function interleavedPlan(w: CellWorkload): RoundPlan {
  return w.id === 'W5' ? { warmup: 1, rounds: 3, iterations: 1, timeMs: 0 } : { warmup: 8, rounds: 5, iterations: 2, timeMs: 300 };
}

async function interleavedMedianMs(plan: RoundPlan, runs: (() => unknown)[]): Promise<number[]> {
  const call = async (run: () => unknown) => {
    const result = run();
    if (result instanceof Promise) await result;
  };
  for (const run of runs) for (let i = 0; i < plan.warmup; i++) await call(run);
  const samples = runs.map(() => [] as number[]);
  for (let round = 0; round < plan.rounds; round++) {
    for (const [k, run] of runs.entries()) {
      const started = performance.now();
      for (let n = 0; n < plan.iterations || performance.now() - started < plan.timeMs; n++) {
        const t0 = performance.now();
        await call(run);
        samples[k].push(performance.now() - t0);
      }
    }
  }
  return samples.map((values) => {
    values.sort((a, b) => a - b);
    const mid = values.length >> 1;
    return values.length % 2 ? values[mid] : (values[mid - 1] + values[mid]) / 2;
  });
}

/** TF.js cpu runs W1–W3 in seconds and the W5 train step in about a minute: one sample there. */
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

async function medianMs(name: string, plan: TimingPlan, run: () => unknown): Promise<number> {
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
  const r: PeerRow = { workload: w.name, impl: call(impl, w), medianMs: ms, gflops: cellFlops(w) / (ms * 1e6) };
  if (note) r.note = note;
  return r;
}

/** What every implementation is given, and what rnn-wasm computed from it. */
interface Prepared {
  w: CellWorkload;
  x: Float32Array; // [B, T, I]
  y: Float32Array; // targets [B, T, H] (train workloads)
  keras: Record<string, Tensor>; // initial weights, keras layout
  output: Float32Array | null; // rnn-wasm predict, [B, T, H] (inference workloads)
  firstLoss: number; // loss of rnn-wasm's first train step (train workloads)
  firstStep: Record<string, Tensor> | null; // weights after that step, keras layout
  /** rnn-wasm's timed call (predict, or fit of one batch), timed interleaved with TF.js wasm. */
  ours: () => unknown;
  oursNote: string;
  model: Sequential;
}

function makeOurs(w: CellWorkload): Sequential {
  // GRU: TF.js and brain.js apply the reset gate before the recurrent matmul, so
  // rnn-wasm runs its 'resetBefore' variant here (bench/cells.ts times 'resetAfter').
  const layer = w.cell === 'LSTM'
    ? new LSTM({ units: w.H, returnSequences: true, gateActivation: 'sigmoid' })
    : new GRU({ units: w.H, returnSequences: true, variant: 'resetBefore', gateActivation: 'sigmoid' });
  const model = new Sequential({ inputSize: w.I, seed: 1, layers: [layer] });
  model.compile({ loss: 'mse', optimizer: { type: 'sgd', learningRate: LEARNING_RATE } });
  return model;
}

// ---- rnn-wasm ----

async function prepareOurs(w: CellWorkload): Promise<Prepared> {
  const { B, T, I, H } = w;
  const model = makeOurs(w);
  const x = { data: randomFloat32(B * T * I, 1), shape: [B, T, I] };
  const y = { data: randomFloat32(B * T * H, 2, -0.5, 0.5), shape: [B, T, H] };
  const fitOptions = { epochs: 1, batchSize: B, shuffle: false };
  const keras = model.layers[0].getWeights({ format: 'keras' });
  const inference = w.mode === 'inference';
  const prepared: Prepared = {
    w, x: x.data, y: y.data, keras, output: null, firstLoss: NaN, firstStep: null, model,
    ours: inference ? () => model.predict(x) : async () => { await model.fit(x, y, fitOptions); },
    oursNote: inference
      ? 'model.predict(x) on a Sequential of one layer (returnSequences), output copied out [B,T,H]'
      : `await model.fit(x, y, { epochs: 1, batchSize: ${B}, shuffle: false }) = one batch: input/target validation, staging, forward, MSE and its gradient, backward (also computes dInput), global norm, SGD 0.01 update`,
  };
  if (inference) prepared.output = model.predict(x).data;
  else {
    prepared.firstLoss = (await model.fit(x, y, fitOptions)).loss[0];
    prepared.firstStep = model.layers[0].getWeights({ format: 'keras' });
  }
  return prepared;
}

// ---- TensorFlow.js ----

function makeTfjsModel(w: CellWorkload): tf.Sequential {
  // Zero initialisers: the weights are overwritten with rnn-wasm's right away
  // (TF.js's orthogonal initialiser takes seconds at H = 256).
  const args = {
    units: w.H, returnSequences: true, activation: 'tanh', recurrentActivation: 'sigmoid',
    kernelInitializer: 'zeros', recurrentInitializer: 'zeros', biasInitializer: 'zeros',
  } as const;
  const inputShape = [w.T, w.I];
  return tf.sequential({ layers: [w.cell === 'LSTM' ? tf.layers.lstm({ ...args, inputShape }) : tf.layers.gru({ ...args, inputShape })] });
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
  if (got.length !== want.length) throw new Error(`${label}: ${got.length} outputs, rnn-wasm gives ${want.length}`);
  const { index, diff } = worstDifference(got, want);
  if (!(diff <= OUTPUT_TOLERANCE)) {
    throw new Error(`${label}: output[${index}] is ${got[index]}, rnn-wasm gives ${want[index]} (|difference| ${diff} > ${OUTPUT_TOLERANCE})`);
  }
}

/** The first SGD step's change of one weight tensor (after − before), TF.js's against rnn-wasm's. */
function checkStep(label: string, before: ArrayLike<number>, afterGot: ArrayLike<number>, afterWant: ArrayLike<number>): void {
  const got = Float64Array.from(afterGot, (v, i) => v - before[i]);
  const want = Float64Array.from(afterWant, (v, i) => v - before[i]);
  let scale = 0;
  for (let i = 0; i < want.length; i++) scale = Math.max(scale, Math.abs(want[i]));
  if (!(scale > 0)) throw new Error(`${label}: rnn-wasm's first step changed nothing`);
  for (let i = 0; i < want.length; i++) {
    const allowed = STEP_TOLERANCE * scale + 2 ** -22 * Math.max(Math.abs(afterGot[i]), Math.abs(afterWant[i]));
    if (!(Math.abs(got[i] - want[i]) <= allowed)) {
      throw new Error(`${label}[${i}] changed by ${got[i]}, rnn-wasm's by ${want[i]} (|difference| ${Math.abs(got[i] - want[i])} > ${STEP_TOLERANCE}·max ${scale} + 2⁻²²·|w|)`);
    }
  }
}

/** TF.js's row; on the wasm backend also rnn-wasm's, timed interleaved with it. */
async function benchTfjs(backend: 'wasm' | 'cpu', p: Prepared): Promise<PeerRow[]> {
  const { w } = p;
  const { B, T, I, H } = w;
  const impl = backend === 'wasm' ? IMPL_TF_WASM : IMPL_TF_CPU;
  const label = `${w.id} ${impl}`;
  const tensorsBefore = tf.memory().numTensors;
  const model = makeTfjsModel(w);
  const names = ['kernel', 'recurrent_kernel', 'bias'];
  const initial = names.map((name) => tf.tensor(p.keras[name].data, p.keras[name].shape));
  model.layers[0].setWeights(initial); // kernel [I, G·H], recurrent_kernel [H, G·H], bias [G·H]
  tf.dispose(initial);
  const optimizer = tf.train.sgd(LEARNING_RATE);
  model.compile({ optimizer, loss: 'meanSquaredError' });
  const x = tf.tensor3d(p.x, [B, T, I]);
  const y = tf.tensor3d(p.y, [B, T, H]);
  // predict returns a new tensor: dataSync() waits for the result, dispose() frees it.
  const infer = () => {
    const out = model.predict(x, { batchSize: B }) as tf.Tensor;
    const data = out.dataSync();
    out.dispose();
    return data;
  };
  // trainOnBatch resolves to the loss as a number (it has read the loss back from the backend).
  const trainStep = async () => (await model.trainOnBatch(x, y)) as number; // async: tinybench awaits only async functions

  // Correctness first, on both backends and every workload.
  if (w.mode === 'inference') checkOutput(label, infer(), p.output!);
  else {
    const loss = await trainStep();
    if (!(Math.abs(loss - p.firstLoss) <= LOSS_TOLERANCE * Math.abs(p.firstLoss))) {
      throw new Error(`${label}: first trainOnBatch loss ${loss}, rnn-wasm's first fit step ${p.firstLoss} (relative difference > ${LOSS_TOLERANCE})`);
    }
    model.layers[0].getWeights().forEach((t, k) => checkStep(`${label} Δ${names[k]}`, p.keras[names[k]].data, t.dataSync(), p.firstStep![names[k]].data));
  }

  const tfRun = w.mode === 'inference' ? () => void infer() : trainStep;
  const plan = backend === 'wasm' ? interleavedPlan(w) : tfjsCpuPlan(w);
  const [oursMs, ms] = backend === 'wasm'
    ? await interleavedMedianMs(plan as RoundPlan, [p.ours, tfRun])
    : [NaN, await medianMs(label, plan as TimingPlan, tfRun)];
  tf.dispose([x, y]);
  model.dispose();
  optimizer.dispose(); // passed in, so the model does not own it
  if (tf.memory().numTensors !== tensorsBefore) throw new Error(`${label}: ${tf.memory().numTensors - tensorsBefore} tensors leaked`);

  const notes: string[] = [];
  notes.push(w.mode === 'inference'
    ? `model.predict(x, { batchSize: ${B} }) + dataSync() + dispose() on tf.sequential([tf.layers.${w.cell.toLowerCase()}({ units, returnSequences: true, inputShape })])`
    : `await model.trainOnBatch(x, y) after model.compile({ optimizer: tf.train.sgd(${LEARNING_RATE}), loss: 'meanSquaredError' })`);
  if (w.cell === 'GRU') notes.push('GRU reset-before (TF.js has no reset-after)');
  if (backend === 'wasm') {
    const r = plan as RoundPlan;
    const how = `rnn-wasm and TF.js wasm timed interleaved: ${r.rounds} rounds of ≥ ${r.iterations} call${r.iterations > 1 ? 's' : ''}${r.timeMs ? ` and ≥ ${r.timeMs} ms` : ''} each, after ${r.warmup} warmup call${r.warmup > 1 ? 's' : ''} each`;
    notes.push(how);
    return [row(w, IMPL_WASM, oursMs, `${p.oursNote}; ${how}`), row(w, impl, ms, notes.join('; '))];
  }
  const t = plan as TimingPlan;
  if (t.iterations < 5) notes.push(`${t.iterations} timed iteration${t.iterations > 1 ? 's' : ''}${t.warmupIterations ? ` after ${t.warmupIterations} warmup` : ', no warmup beyond the checked first step'}`);
  return [row(w, impl, ms, notes.join('; '))];
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
    const ours = group.find((r) => r.impl.startsWith(IMPL_WASM))!;
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

  // PEERS_ONLY=W1,W3t (workload ids) and PEERS_QUICK=1 (TF.js wasm only) are for
  // trying changes; such a partial run prints its table but writes no results.
  const only = process.env.PEERS_ONLY?.split(',');
  const quick = process.env.PEERS_QUICK === '1';
  const workloads = CELL_WORKLOADS.filter((w) => !only || only.includes(w.id));
  const rows: PeerRow[] = [];
  const prepared: Prepared[] = [];
  for (const w of workloads) {
    prepared.push(await prepareOurs(w));
  }

  await tf.setBackend('wasm');
  const simd = await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT');
  const threads = getThreadsCount();
  if (!simd || threads !== 1) throw new Error(`TF.js wasm backend: SIMD ${String(simd)}, ${threads} threads; this bench compares SIMD on one thread`);
  for (const p of prepared) {
    const [ours, theirs] = await benchTfjs('wasm', p);
    rows.push(ours, theirs);
    console.error(`${p.w.id} ${IMPL_WASM}: ${ours.medianMs.toFixed(3)} ms, ${IMPL_TF_WASM}: ${theirs.medianMs.toFixed(3)} ms`);
  }
  // onnxruntime-web (issue #16): W1 and W4 on 1 and 2 threads, each thread count in a process of its own (bench/ort-peer.ts).
  const ortIds = prepared.map((p) => p.w.id).filter((id) => id === 'W1' || id === 'W4');
  for (const threads of ortIds.length ? [1, 2] : []) {
    const script = fileURLToPath(new URL('./ort-peer.ts', import.meta.url));
    const out = execFileSync(process.execPath, ['--import', 'tsx', script, String(threads), ortIds.join(',')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
    for (const r of JSON.parse(out.trim().split('\n').pop()!) as OrtRow[]) {
      rows.push({ workload: r.workload, impl: r.call, medianMs: r.ortMs, gflops: r.gflops, note: r.note });
      console.error(`${r.id} ${r.call}: ${r.ortMs.toFixed(3)} ms (rnn-wasm interleaved in its process: ${r.oursMs.toFixed(3)} ms)`);
    }
  }
  await tf.setBackend('cpu');
  for (const p of quick ? [] : prepared) {
    rows.push(...(await benchTfjs('cpu', p)));
    console.error(`${p.w.id} ${IMPL_TF_CPU}: ${rows[rows.length - 1].medianMs.toFixed(1)} ms`);
  }
  for (const p of quick ? [] : prepared) {
    rows.push(await benchBrain(p));
    console.error(`${p.w.id} ${IMPL_BRAIN}: ${rows[rows.length - 1].medianMs.toFixed(1)} ms`);
  }
  for (const p of prepared) p.model.dispose();

  const order = CELL_WORKLOADS.map((w) => w.name);
  rows.sort((a, b) => order.indexOf(a.workload) - order.indexOf(b.workload)); // stable: impl order kept
  console.log(`Machine: ${machineLine()}`);
  console.log(`TF.js wasm backend: SIMD binary, ${threads} thread (Node has no multithreaded build support here)\n`);
  console.log('A model of one recurrent layer (returnSequences) vs peers, one thread each, median of tinybench samples (flops: 2·G·H·(I+H) per sample-step forward, twice that backward).');
  console.log('rnn-wasm and TF.js both through their model API: Sequential.predict vs tf.sequential predict; Sequential.fit of one batch vs trainOnBatch, MSE loss and SGD 0.01 on both.');
  console.log("× rnn-wasm = this row's median / rnn-wasm's median (how many times rnn-wasm's time; below 1: faster than rnn-wasm). LSTM and GRU use sigmoid gates; GRU is reset-before everywhere.\n");
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
  const convRows = only ? [] : await benchConvPeers();
  if (convRows.length > 0) {
    console.log('\nConvolutions (issue #12, C1–C3), through each library\'s model API; "cannot run" quotes the peer\'s own error:\n');
    console.log(convPeersTable(convRows));
  }
  if (only || quick) console.error('\nPartial run (PEERS_ONLY / PEERS_QUICK): bench/results not written');
  else {
    writeFileSync(new URL('peers.json', results), JSON.stringify(rows, null, 2) + '\n');
    writeFileSync(new URL('conv-peers.json', results), JSON.stringify(convRows, null, 2) + '\n');
    writeChart();
  }
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
