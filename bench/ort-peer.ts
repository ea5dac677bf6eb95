// onnxruntime-web rows of bench:peers (issue #16): LSTM inference W1 and W4 through ORT's wasm
// execution provider on 1 and 2 threads, on graphs written by the library's own toONNX (the same
// model, weights and input as the rnn-wasm row). ORT fixes its thread count when its
// WebAssembly starts, once per process, so bench/peers.ts runs this file once per thread count,
// as a child process (`tsx bench/ort-peer.ts <threads> W1,W4`), and reads one JSON line of rows.
// In that process rnn-wasm's Sequential.predict is timed interleaved with session.run, round by
// round, so both see the same phase of a shared machine. ORT's output must equal predict within
// 1e-4 before anything is timed.
import * as ort from 'onnxruntime-web';
import { init } from '../src/engine/init.js';
import { LSTM } from '../src/layers/lstm.js';
import { Sequential } from '../src/models/sequential.js';
import { toONNX } from '../src/onnx/index.js';
import { randomFloat32 } from '../test/helpers/random.js';
import { CELL_WORKLOADS, cellFlops, type CellWorkload } from './workloads.js';

export interface OrtRow {
  id: string;
  workload: string;
  threads: number;
  ortMs: number;
  oursMs: number;
  gflops: number;
  call: string;
  note: string;
}

const ORT_VERSION = ort.env.versions.web ?? '?';
export const IMPL_ORT = (threads: number): string => `onnxruntime-web ${ORT_VERSION} wasm, ${threads} thread${threads > 1 ? 's' : ''}`;

/** Rounds × (≥ iterations calls and ≥ timeMs) of each task in turn after `warmup` calls each; medians. */
async function interleaved(tasks: (() => unknown)[], { warmup = 8, rounds = 5, iterations = 2, timeMs = 300 } = {}): Promise<number[]> {
  for (const task of tasks) for (let i = 0; i < warmup; i++) await task();
  const samples = tasks.map(() => [] as number[]);
  for (let round = 0; round < rounds; round++) {
    for (const [k, task] of tasks.entries()) {
      const started = performance.now();
      for (let n = 0; n < iterations || performance.now() - started < timeMs; n++) {
        const t0 = performance.now();
        await task();
        samples[k].push(performance.now() - t0);
      }
    }
  }
  return samples.map((s) => {
    s.sort((a, b) => a - b);
    const mid = s.length >> 1;
    return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
  });
}

async function benchWorkload(w: CellWorkload, threads: number): Promise<OrtRow> {
  const { B, T, I, H } = w;
  // The model of bench/peers.ts's rnn-wasm row: one LSTM layer returning every step, seed 1, the same input.
  const model = new Sequential({ inputSize: I, seed: 1, layers: [new LSTM({ units: H, returnSequences: true, gateActivation: 'sigmoid' })] });
  const x = { data: randomFloat32(B * T * I, 1), shape: [B, T, I] };
  const session = await ort.InferenceSession.create(toONNX(model), { executionProviders: ['wasm'], graphOptimizationLevel: 'all' });
  // ORT falls back to 1 thread where it cannot start workers: the row says what it ran on.
  if (ort.env.wasm.numThreads !== threads) throw new Error(`${w.id}: asked onnxruntime-web for ${threads} threads, it runs ${String(ort.env.wasm.numThreads)}`);
  const feeds = { input: new ort.Tensor('float32', x.data, [B, T, I]) };
  const run = async () => (await session.run(feeds)).output;
  const want = model.predict(x).data;
  const got = (await run()).data as Float32Array;
  let worst = 0;
  for (let i = 0; i < want.length; i++) worst = Math.max(worst, Math.abs(got[i] - want[i]));
  if (got.length !== want.length || !(worst <= 1e-4)) throw new Error(`${w.id} ${IMPL_ORT(threads)}: output differs from predict by ${worst} (${got.length} vs ${want.length} values)`);
  const ours = () => model.predict(x);
  const [oursMs, ortMs] = await interleaved([ours, run]);
  await session.release();
  model.dispose();
  return {
    id: w.id, workload: w.name, threads, ortMs, oursMs, gflops: cellFlops(w) / (ortMs * 1e6),
    call: `${IMPL_ORT(threads)} \`InferenceSession.create\` + \`session.run\``,
    note: `ort.env.wasm.numThreads = ${threads}; session = await ort.InferenceSession.create(toONNX(model), { executionProviders: ['wasm'], graphOptimizationLevel: 'all' }); await session.run({ input }) → output [B,T,H] as a Float32Array; ` +
      `the graph: Transpose → LSTM (W/R/B initializers) → Squeeze → Transpose; timed interleaved with rnn-wasm's predict in the same process (${oursMs.toFixed(3)} ms there): 5 rounds of ≥ 2 calls and ≥ 300 ms each, after 8 warmup calls each`,
  };
}

async function main(): Promise<void> {
  const threads = Number(process.argv[2] ?? '1');
  const ids = (process.argv[3] ?? 'W1,W4').split(',');
  ort.env.wasm.numThreads = threads;
  await init();
  const rows: OrtRow[] = [];
  for (const w of CELL_WORKLOADS.filter((c) => ids.includes(c.id))) rows.push(await benchWorkload(w, threads));
  console.log(JSON.stringify(rows));
}

if (import.meta.url === `file://${process.argv[1]}`) {
  try {
    await main();
    process.exit(0); // ORT's worker threads would keep the process alive
  } catch (error) {
    console.error(error);
    process.exit(1);
  }
}
