// W4 latency (issue #16): LSTM inference B=1 T=32 I=8 H=32, rnn-wasm against onnxruntime-web on
// 1 thread, interleaved round by round in one process (what bench/ort-peer.ts does for W4, without
// the rest of bench:peers). Rows: Sequential.predict with returnSequences true (the bench:peers
// row) and false (last state), LSTM.forward, and ORT's session.run on the first model's toONNX
// graph. ORT's output must equal predict within 1e-4 before anything is timed.
//
// `nice npx tsx bench/w4.ts [rounds] [W4|W1]` (default 7 rounds of ≥ 300 ms and ≥ 3 calls per task,
// W4; W1 checks that a change for W4 costs the large batch nothing). Prints each row's median over
// all calls, the median of its per-round medians, and the round medians.
import * as ort from 'onnxruntime-web';
import { init } from '../src/engine/init.js';
import { LSTM } from '../src/layers/lstm.js';
import { Sequential } from '../src/models/sequential.js';
import { toONNX } from '../src/onnx/index.js';
import { randomFloat32 } from '../test/helpers/random.js';
import { CELL_WORKLOADS } from './workloads.js';

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

async function main(): Promise<void> {
  const rounds = Number(process.argv[2] ?? '7');
  const id = process.argv[3] ?? 'W4';
  const w = CELL_WORKLOADS.find((c) => c.id === id)!;
  const { B, T, I, H } = w;
  ort.env.wasm.numThreads = 1;
  await init();
  const sequences = new Sequential({ inputSize: I, seed: 1, layers: [new LSTM({ units: H, returnSequences: true, gateActivation: 'sigmoid' })] });
  const last = new Sequential({ inputSize: I, seed: 1, layers: [new LSTM({ units: H, returnSequences: false, gateActivation: 'sigmoid' })] });
  const layer = new LSTM({ inputSize: I, units: H, seed: 1, gateActivation: 'sigmoid' });
  const x = { data: randomFloat32(B * T * I, 1), shape: [B, T, I] };
  const session = await ort.InferenceSession.create(toONNX(sequences), { executionProviders: ['wasm'], graphOptimizationLevel: 'all' });
  const feeds = { input: new ort.Tensor('float32', x.data, [B, T, I]) };
  const run = async () => (await session.run(feeds)).output;
  const want = sequences.predict(x).data;
  const got = (await run()).data as Float32Array;
  let worst = 0;
  for (let i = 0; i < want.length; i++) worst = Math.max(worst, Math.abs(got[i] - want[i]));
  if (got.length !== want.length || !(worst <= 1e-4)) throw new Error(`ORT output differs from predict by ${worst}`);
  const tasks: [string, () => unknown][] = [
    ['Sequential.predict (returnSequences: true)', () => sequences.predict(x)],
    ['Sequential.predict (returnSequences: false)', () => last.predict(x)],
    ['LSTM.forward', () => layer.forward(x)],
    ['onnxruntime-web 1 thread session.run', run],
  ];
  for (const [, task] of tasks) {
    const started = performance.now();
    for (let i = 0; i < 8 || performance.now() - started < 300; i++) await task(); // warm up: ≥ 8 calls and 300 ms each
  }
  const samples = tasks.map(() => [] as number[]);
  const perRound = tasks.map(() => [] as number[]);
  for (let round = 0; round < rounds; round++) {
    for (const [k, [, task]] of tasks.entries()) {
      const started = performance.now();
      const these: number[] = [];
      while (performance.now() - started < 300 || these.length < 3) {
        const t0 = performance.now();
        const result = task();
        if (result instanceof Promise) await result;
        these.push(performance.now() - t0);
      }
      samples[k].push(...these);
      perRound[k].push(median(these));
    }
  }
  console.log(`${w.name}, ${rounds} interleaved rounds of ≥ 300 ms and ≥ 3 calls per task (ms per call: median of all calls; median of round medians; round medians)`);
  tasks.forEach(([name], k) => {
    console.log(`${name.padEnd(46)} ${median(samples[k]).toFixed(4)}  ${median(perRound[k]).toFixed(4)}  [${perRound[k].map((v) => v.toFixed(4)).join(' ')}]`);
  });
  await session.release();
}

await main();
process.exit(0); // ORT's runtime may keep the process alive
