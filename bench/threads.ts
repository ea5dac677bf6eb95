// Threads (issue #16): W1, W2 and W5 on a backend with 1 thread and one with 2, interleaved
// medians (bench/measure.ts). The outputs of both are compared bit for bit before timing (the shard
// plan depends only on the batch size). Run alone: `npx tsx bench/threads.ts`; bench/run.ts runs it too.
import { randomFloat32 } from '../test/helpers/random.js';
import { Backend } from '../src/engine/backend.js';
import { LSTM } from '../src/layers/lstm.js';
import { trainStep } from './cells.js';
import { interleavedMedians } from './measure.js';
import { CELL_WORKLOADS, cellFlops } from './workloads.js';

export interface ThreadsRow {
  workload: string;
  threads: number;
  medianMs: number;
  gflops: number;
}

export async function benchThreads(counts: readonly number[] = [1, 2]): Promise<ThreadsRow[]> {
  const backends = await Promise.all(counts.map((threads) => Backend.create({ threads })));
  for (const b of backends) if (b.threads.reason) console.log(`threads ${b.threads.requested}: ${b.threads.reason}`);
  const rows: ThreadsRow[] = [];
  for (const w of CELL_WORKLOADS.filter((c) => ['W1', 'W2', 'W5'].includes(c.id))) {
    const { B, T, I, H } = w;
    const x = { data: randomFloat32(B * T * I, 1), shape: [B, T, I] };
    const dOutput = { data: randomFloat32(B * T * H, 2, -0.01, 0.01), shape: [B, T, H] };
    const layers = backends.map((backend) => new LSTM({ inputSize: I, units: H, seed: 1, backend, checkFinite: false }));
    // Correctness first: every thread count gives the same bits.
    const outputs = layers.map((layer) => layer.forward(x).output.data);
    for (let k = 1; k < outputs.length; k++) {
      if (!outputs[k].every((v, i) => Object.is(v, outputs[0][i]))) throw new Error(`${w.name}: threads ${counts[k]} differs from threads ${counts[0]}`);
    }
    const tasks = layers.map((layer, k) => ({
      name: String(counts[k]),
      run: w.mode === 'inference' ? () => layer.forward(x) : () => trainStep(layer, x, dOutput),
    }));
    const slow = w.id === 'W5';
    const medians = await interleavedMedians(tasks, { rounds: slow ? 3 : 5, time: slow ? 600 : 200, iterations: 2 });
    counts.forEach((threads) => {
      const ms = medians.get(String(threads))!;
      rows.push({ workload: w.name, threads, medianMs: ms, gflops: cellFlops(w) / (ms * 1e6) });
    });
    for (const layer of layers) layer.dispose();
  }
  for (const b of backends) b.dispose();
  return rows;
}

export function threadsTable(rows: ThreadsRow[]): string {
  const lines = ['| workload | threads | median ms | GFLOP/s | × 1 thread |', '|---|---:|---:|---:|---:|'];
  for (const w of [...new Set(rows.map((r) => r.workload))]) {
    const group = rows.filter((r) => r.workload === w);
    const one = group.find((r) => r.threads === 1);
    for (const r of group) lines.push(`| ${w} | ${r.threads} | ${r.medianMs.toFixed(2)} | ${r.gflops.toFixed(2)} | ${one ? (one.medianMs / r.medianMs).toFixed(2) : '—'} |`);
  }
  return lines.join('\n');
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(threadsTable(await benchThreads()));
}
