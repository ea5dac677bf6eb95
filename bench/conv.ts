// `npm run bench:conv`: the convolution kernels on issue #12's C1 shape — Conv1D K=3, dilation 4,
// causal, B=32, T=256, 64→64 channels — forward and backward (dX, dW, dBias), WASM SIMD vs WASM
// scalar vs the f64 JS reference, interleaved medians; and the SIMD build on a backend with 2 threads
// (kernels/split.ts: the convolution cut by output lines, dW blocks and input channels), whose
// results must equal the 1-thread SIMD bits. The layers (and so C2/C3 and the TF.js rows of the
// issue) come with the layers. Checks every result against the reference first.
import { mkdirSync, writeFileSync } from 'node:fs';
import { Backend, liveView } from '../src/engine/backend.js';
import { convAxis, type Conv2dGeometry } from '../src/kernels/conv.js';
import { conv2dBackward, conv2dForward, conv2dWorkspaceFloats } from '../src/kernels/split.js';
import { conv2dBackwardReference, conv2dForwardReference } from '../src/reference/conv.js';
import { randomFloat32 } from '../test/helpers/random.js';
import { machineLine } from './gemm.js';
import { interleavedMedians } from './measure.js';
import { measurePeak } from './peak.mjs';
import type { BenchRow } from './workloads.js';

const [B, T, C, K, D] = [32, 256, 64, 3, 4];
const axis = convAxis('causal', T, K, 1, D);
const g: Conv2dGeometry = {
  batch: B, height: 1, width: T, inChannels: C, outHeight: 1, outWidth: axis.out, outChannels: C,
  kernelHeight: 1, kernelWidth: K, strideH: 1, strideW: 1, dilationH: 1, dilationW: D, padTop: 0, padLeft: axis.padBefore, groups: 1,
};
const FORWARD_FLOPS = 2 * B * axis.out * C * K * C;
const NAME = `C1 Conv1D K=${K} dilation ${D} causal B=${B} T=${T} ${C}→${C}`;

const x = randomFloat32(B * T * C, 1);
const w = randomFloat32(K * C * C, 2, -0.2, 0.2);
const bias = randomFloat32(C, 3);
const dY = randomFloat32(B * axis.out * C, 4);

async function wasmTasks(simd: boolean, threads = 1): Promise<{ forward: () => void; backward: () => void; y: Float32Array; dW: Float32Array; dX: Float32Array }> {
  const backend = await Backend.create(threads > 1 ? { threads } : { simd });
  if (backend.threads.count !== threads) throw new Error(`${NAME}: asked for ${threads} threads, got ${backend.threads.count}: ${backend.threads.reason}`);
  const buf = (values: Float32Array | number) => (typeof values === 'number' ? backend.allocF32(values) : backend.fromArray(values));
  const [xb, wb, bb, dyb] = [buf(x), buf(w), buf(bias), buf(dY)];
  const [yb, dxb, dwb, dbb, cols] = [buf(B * axis.out * C), buf(B * T * C), buf(K * C * C), buf(C), buf(conv2dWorkspaceFloats(backend, g))];
  const work = backend.gemmWork();
  const forward = () => conv2dForward(backend, { y: yb.ptr, cols: cols.ptr, x: xb.ptr, w: wb.ptr, bias: bb.ptr, work }, g);
  const backward = () => conv2dBackward(backend, { dX: dxb.ptr, dW: dwb.ptr, dBias: dbb.ptr, cols: cols.ptr, dY: dyb.ptr, x: xb.ptr, w: wb.ptr, work }, g);
  forward();
  dwb.fill(0);
  dxb.fill(0);
  backward();
  return { forward, backward, y: liveView(yb).slice(), dW: liveView(dwb).slice(), dX: liveView(dxb).slice() };
}

export async function benchConv(): Promise<BenchRow[]> {
  const simd = await wasmTasks(true);
  const scalar = await wasmTasks(false);
  const threaded = await wasmTasks(true, 2);
  for (const key of ['y', 'dW', 'dX'] as const) {
    if (!threaded[key].every((v, i) => Object.is(v, simd[key][i]))) throw new Error(`${NAME}: ${key} on 2 threads differs from 1 thread`);
  }
  const yRef = new Float64Array(B * axis.out * C);
  const jsForward = () => conv2dForwardReference(g, x, w, bias, yRef);
  const dWRef = new Float64Array(K * C * C);
  const dXRef = new Float64Array(B * T * C);
  const dBRef = new Float64Array(C);
  const jsBackward = () => conv2dBackwardReference(g, x, w, dY, dXRef, dWRef, dBRef);
  jsForward();
  jsBackward();
  // Correctness first: outputs within 1e-4 relative + 1e-4 (sums of K·C = 192 f32 products), dW within 1e-3 of its scale (sums of B·T = 8192).
  const scaleW = dWRef.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
  for (const [label, run] of [['simd', simd], ['scalar', scalar]] as const) {
    run.y.forEach((v, i) => {
      if (!(Math.abs(v - yRef[i]) <= 1e-4 + 1e-4 * Math.abs(yRef[i]))) throw new Error(`${NAME} ${label}: y[${i}] ${v} vs reference ${yRef[i]}`);
    });
    run.dW.forEach((v, i) => {
      if (!(Math.abs(v - dWRef[i]) <= 1e-3 * scaleW)) throw new Error(`${NAME} ${label}: dW[${i}] ${v} vs reference ${dWRef[i]}`);
    });
  }
  const medians = await interleavedMedians([
    { name: 'forward wasm-simd', run: simd.forward },
    { name: 'forward wasm-scalar', run: scalar.forward },
    { name: 'backward wasm-simd', run: simd.backward },
    { name: 'backward wasm-scalar', run: scalar.backward },
    { name: 'forward wasm-simd-2-threads', run: threaded.forward },
    { name: 'backward wasm-simd-2-threads', run: threaded.backward },
  ], { rounds: 5, time: 300 });
  const slow = await interleavedMedians([{ name: 'forward js-baseline', run: jsForward }, { name: 'backward js-baseline', run: jsBackward }], { rounds: 1, time: 0, iterations: 3 });
  const rows: BenchRow[] = [];
  for (const pass of ['forward', 'backward'] as const) {
    const flops = pass === 'forward' ? FORWARD_FLOPS : 2 * FORWARD_FLOPS; // dX and dW: one GEMM each
    for (const impl of ['wasm-simd', 'wasm-simd-2-threads', 'wasm-scalar', 'js-baseline']) {
      const ms = (impl === 'js-baseline' ? slow : medians).get(`${pass} ${impl}`)!;
      rows.push({ workload: `${NAME} ${pass}`, impl, medianMs: ms, gflops: flops / (ms * 1e6) });
    }
  }
  return rows;
}

/** `peak`: the machine's WebAssembly SIMD mul+add GFLOP/s (bench/peak.mjs), for a "% of peak" column. */
export function convTable(rows: BenchRow[], peak: number): string {
  const lines = ['| workload | impl | median ms | GFLOP/s | % of SIMD peak | × JS baseline |', '|---|---|---:|---:|---:|---:|'];
  for (const r of rows) {
    const base = rows.find((b) => b.workload === r.workload && b.impl === 'js-baseline')!;
    lines.push(`| ${r.workload} | ${r.impl} | ${r.medianMs.toFixed(3)} | ${r.gflops.toFixed(2)} | ${((100 * r.gflops) / peak).toFixed(0)} | ${(base.medianMs / r.medianMs).toFixed(1)} |`);
  }
  return lines.join('\n');
}

const results = new URL('./results/', import.meta.url);
if (process.argv[1]?.endsWith('conv.ts')) {
  console.log(`Machine: ${machineLine()}\n`);
  const peak = await measurePeak();
  const rows = await benchConv();
  console.log(`WebAssembly SIMD mul+add peak of this machine: ${peak.toFixed(1)} GFLOP/s (bench/peak.mjs)\n`);
  console.log(convTable(rows, peak));
  mkdirSync(results, { recursive: true });
  writeFileSync(new URL('conv.json', results), JSON.stringify({ peakGflops: peak, rows }, null, 2) + '\n');
}
