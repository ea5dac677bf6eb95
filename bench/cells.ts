// Recurrent workloads W1–W5: rnn-wasm (SIMD build) vs the plain-TS reference
// (the JS baseline, f64) on the same weights and data. Outputs are compared
// before timing. Peers (TF.js, brain.js) run in bench/peers.ts.
import { Bench } from 'tinybench';
import { randomFloat32 } from '../test/helpers/random.js';
import { Backend } from '../src/engine/backend.js';
import { GRU } from '../src/layers/gru.js';
import { LSTM } from '../src/layers/lstm.js';
import type { RecurrentLayer } from '../src/layers/recurrent.js';
import {
  gruBackwardReference, gruForwardReference, lstmBackwardReference, lstmForwardReference,
} from '../src/reference/recurrent.js';
import { CELL_WORKLOADS, cellFlops, type BenchRow, type CellWorkload } from './workloads.js';


function makeLayer(w: CellWorkload, backend: Backend): RecurrentLayer {
  return w.cell === 'LSTM'
    ? new LSTM({ inputSize: w.I, units: w.H, seed: 1, backend, checkFinite: false })
    : new GRU({ inputSize: w.I, units: w.H, seed: 1, backend, checkFinite: false });
}

/** The JS baseline: the f64 reference on the layer's weights, time-major data. */
function baseline(w: CellWorkload, layer: RecurrentLayer, xTimeMajor: Float64Array, dOut: Float64Array): () => Float64Array {
  const v = Object.fromEntries(Object.entries(layer.getWeights()).map(([k, t]) => [k, Float64Array.from(t.data)]));
  const d = { T: w.T, B: w.B, I: w.I, H: w.H };
  const zeros = new Float64Array(w.B * w.H);
  if (w.cell === 'LSTM') {
    const p = { weightIh: v.weightIh, weightHh: v.weightHh, bias: v.bias };
    return () => {
      const fwd = lstmForwardReference(p, d, 'standard', 'sigmoid', xTimeMajor, zeros, zeros);
      if (w.mode === 'train') {
        const g = lstmBackwardReference(p, d, 'standard', 'sigmoid', xTimeMajor, fwd, dOut, null, null);
        sgd(p.weightIh, g.dWeightIh); sgd(p.weightHh, g.dWeightHh); sgd(p.bias, g.dBias);
      }
      return fwd.hAll;
    };
  }
  const p = { weightIh: v.weightIh, weightHh: v.weightHh, biasIh: v.biasIh, biasHh: v.biasHh };
  return () => {
    const fwd = gruForwardReference(p, d, 'resetAfter', 'sigmoid', xTimeMajor, zeros);
    if (w.mode === 'train') {
      const g = gruBackwardReference(p, d, 'resetAfter', 'sigmoid', xTimeMajor, fwd, dOut, null);
      sgd(p.weightIh, g.dWeightIh); sgd(p.weightHh, g.dWeightHh); sgd(p.biasIh, g.dBiasIh); sgd(p.biasHh, g.dBiasHh);
    }
    return fwd.hAll;
  };
}

function sgd(w: Float64Array, g: Float64Array, rate = 0.01): void {
  for (let i = 0; i < w.length; i++) w[i] -= rate * g[i];
}

/** One training step as a user writes it today: forward, backward, w −= rate·dw (native layout). */
export function trainStep(layer: RecurrentLayer, x: { data: Float32Array; shape: number[] }, dOutput: { data: Float32Array; shape: number[] }, rate = 0.01): void {
  const { cache } = layer.forward(x);
  const { dWeights } = layer.backward(cache, { dOutput });
  const weights = layer.getWeights();
  for (const [k, t] of Object.entries(weights)) {
    const g = dWeights[k].data;
    for (let i = 0; i < t.data.length; i++) t.data[i] -= rate * g[i];
  }
  layer.setWeights(weights);
}

export async function benchCells(options: { baseline?: boolean } = {}): Promise<BenchRow[]> {
  const backend = await Backend.create({ simd: true });
  const rows: BenchRow[] = [];
  for (const w of CELL_WORKLOADS) {
    const { B, T, I, H } = w;
    const flops = cellFlops(w);
    const layer = makeLayer(w, backend);
    const x = { data: randomFloat32(B * T * I, 1), shape: [B, T, I] };
    const dOutput = { data: randomFloat32(B * T * H, 2, -0.01, 0.01), shape: [B, T, H] };
    const xTm = new Float64Array(T * B * I);
    const dTm = new Float64Array(T * B * H);
    for (let b = 0; b < B; b++) for (let t = 0; t < T; t++) {
      for (let i = 0; i < I; i++) xTm[(t * B + b) * I + i] = x.data[(b * T + t) * I + i];
      for (let j = 0; j < H; j++) dTm[(t * B + b) * H + j] = dOutput.data[(b * T + t) * H + j];
    }
    // Correctness first: the WASM forward against the reference on the same weights.
    const js = baseline(w, layer, xTm, dTm);
    if (options.baseline !== false) {
      const want = js();
      const got = layer.forward(x).output.data;
      for (let t = 0; t < T; t++) for (let b = 0; b < B; b++) for (let j = 0; j < H; j++) {
        const g = got[(b * T + t) * H + j];
        const r = want[((t + 1) * B + b) * H + j];
        if (!(Math.abs(g - r) <= 1e-4 + 1e-4 * Math.abs(r))) throw new Error(`${w.name}: wasm ${g} vs reference ${r} at t=${t} b=${b} j=${j}`);
      }
    }
    const fast = new Bench({ time: 1500, iterations: 5, warmupTime: 200, warmupIterations: 2 });
    fast.add('rnn-wasm (SIMD)', w.mode === 'inference' ? () => layer.forward(x) : () => trainStep(layer, x, dOutput));
    await fast.run();
    const wasmMs = (fast.tasks[0].result as { latency: { p50: number } }).latency.p50;
    rows.push({ workload: w.name, impl: 'rnn-wasm (SIMD)', medianMs: wasmMs, gflops: flops / (wasmMs * 1e6) });
    if (options.baseline !== false) {
      const slow = new Bench({ time: 0, iterations: w.id === 'W4' ? 50 : w.id === 'W5' ? 1 : 3, warmupTime: 0, warmupIterations: w.id === 'W4' ? 5 : 0 });
      slow.add('js-baseline (f64 reference)', js);
      await slow.run();
      const ms = (slow.tasks[0].result as { latency: { p50: number } }).latency.p50;
      rows.push({ workload: w.name, impl: 'js-baseline (f64 reference)', medianMs: ms, gflops: flops / (ms * 1e6) });
    }
    layer.dispose();
  }
  backend.dispose();
  return rows;
}

/** `peak`: the machine's WebAssembly SIMD mul+add GFLOP/s (bench/peak.mjs), for the "% of SIMD peak" column. */
export function cellsTable(rows: BenchRow[], peak: number): string {
  const lines = ['| workload | impl | median ms | GFLOP/s | % of SIMD peak | × JS baseline |', '|---|---|---:|---:|---:|---:|'];
  for (const w of [...new Set(rows.map((r) => r.workload))]) {
    const group = rows.filter((r) => r.workload === w);
    const base = group.find((r) => r.impl.startsWith('js-baseline'));
    for (const r of group) {
      lines.push(`| ${w} | ${r.impl} | ${r.medianMs.toFixed(3)} | ${r.gflops.toFixed(2)} | ${((100 * r.gflops) / peak).toFixed(0)} | ${base ? (base.medianMs / r.medianMs).toFixed(1) : '—'} |`);
    }
  }
  return lines.join('\n');
}
