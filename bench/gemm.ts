// GEMM benchmark: WASM SIMD (all four transpose cases) vs WASM scalar vs the
// plain-TS baseline (src/reference), on the same operands. Every
// implementation's output is checked against the f64 reference before it is
// timed. Prints a table and writes bench/results/gemm.json.
import os from 'node:os';
import { randomFloat32 } from '../test/helpers/random.js';
import { Backend, type F32Buffer } from '../src/engine/backend.js';
import { gemm } from '../src/kernels/gemm.js';
import { gemmReference } from '../src/reference/gemm.js';
import { gemmErrorBound } from '../test/helpers/tolerance.js';
import { interleavedMedians } from './measure.js';

interface Workload {
  name: string;
  m: number;
  k: number;
  n: number;
}

const WORKLOADS: Workload[] = [
  { name: '64³', m: 64, k: 64, n: 64 },
  { name: '128³', m: 128, k: 128, n: 128 },
  { name: '256³', m: 256, k: 256, n: 256 },
  { name: '512³', m: 512, k: 512, n: 512 },
  { name: 'LSTM M=32 K=160 N=512', m: 32, k: 160, n: 512 },
  { name: 'LSTM step M=1 K=40 N=128', m: 1, k: 40, n: 128 },
  // The layers' shapes (issue #16): M = B rows, K = H or I, N = G·H; the recurrent step itself runs
  // gemm_packed_b_f32 (B packed once per sequence), which uses the same blocks and micro-kernel.
  { name: 'W1 LSTM step M=32 K=128 N=512', m: 32, k: 128, n: 512 },
  { name: 'W1 LSTM input projection M=2048 K=32 N=512', m: 2048, k: 32, n: 512 },
  { name: 'W3 GRU step M=32 K=128 N=384', m: 32, k: 128, n: 384 },
  { name: 'W5 LSTM step M=64 K=256 N=1024', m: 64, k: 256, n: 1024 },
  { name: 'W5 LSTM input projection M=8192 K=64 N=1024', m: 8192, k: 64, n: 1024 },
  { name: 'C1 conv forward (im2col) M=8192 K=192 N=64', m: 8192, k: 192, n: 64 },
];

export interface GemmResult {
  workload: string;
  impl: string;
  medianMs: number;
  gflops: number;
}


function check(label: string, got: Float32Array, want: Float64Array, bound: Float64Array): void {
  for (let i = 0; i < want.length; i++) {
    if (!(Math.abs(got[i] - want[i]) <= bound[i])) {
      throw new Error(`${label}: wrong result at ${i}: ${got[i]} vs ${want[i]} (bound ${bound[i]})`);
    }
  }
}

export async function benchGemm(): Promise<GemmResult[]> {
  const simd = await Backend.create({ simd: true });
  const scalar = await Backend.create({ simd: false });
  const results: GemmResult[] = [];
  for (const w of WORKLOADS) {
    const { m, n, k } = w;
    const flops = 2 * m * n * k;
    const aN = randomFloat32(m * k, 1); // [m, k]
    const bN = randomFloat32(k * n, 2); // [k, n]
    // Transposed storage holding the same op(A), op(B).
    const aT = new Float32Array(k * m);
    for (let i = 0; i < m; i++) for (let p = 0; p < k; p++) aT[p * m + i] = aN[i * k + p];
    const bT = new Float32Array(n * k);
    for (let p = 0; p < k; p++) for (let j = 0; j < n; j++) bT[j * k + p] = bN[p * n + j];
    const want = new Float64Array(m * n);
    gemmReference({ transA: false, transB: false, m, n, k, alpha: 1, beta: 0, a: aN, lda: k, b: bN, ldb: n, c: want, ldc: n });
    const bound = gemmErrorBound(aN, bN, m, n, k, 1);

    const buffers: F32Buffer[] = [];
    const impls: { impl: string; run: () => void; output: () => Float32Array }[] = [];
    for (const [backend, label] of [[simd, 'wasm-simd'], [scalar, 'wasm-scalar']] as const) {
      const combos = backend === simd ? [[false, false], [false, true], [true, false], [true, true]] : [[false, false]];
      for (const [transA, transB] of combos) {
        const a = backend.fromArray(transA ? aT : aN);
        const b = backend.fromArray(transB ? bT : bN);
        const c = backend.allocF32(m * n);
        buffers.push(a, b, c);
        const opts = { transA, transB };
        impls.push({
          impl: `${label} ${transA ? 'T' : 'N'}${transB ? 'T' : 'N'}`,
          run: () => gemm(m, n, k, a, b, c, opts),
          output: () => c.read(),
        });
      }
    }
    const cJs = new Float32Array(m * n);
    impls.push({
      impl: 'js-baseline NN',
      run: () => gemmReference({ transA: false, transB: false, m, n, k, alpha: 1, beta: 0, a: aN, lda: k, b: bN, ldb: n, c: cJs, ldc: n }),
      output: () => cJs,
    });
    for (const { impl, run, output } of impls) {
      run();
      check(`${w.name} ${impl}`, output(), want, bound);
    }
    const medians = await interleavedMedians(impls.map(({ impl, run }) => ({ name: impl, run })));
    for (const { impl } of impls) {
      const medianMs = medians.get(impl)!;
      results.push({ workload: w.name, impl, medianMs, gflops: flops / (medianMs * 1e6) });
    }
    for (const b of buffers) b.dispose();
  }
  simd.dispose();
  scalar.dispose();
  return results;
}

export function machineLine(): string {
  const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
  return `${cpu}, ${os.cpus().length} cores, Node ${process.version}, ${os.platform()} ${os.arch()}`;
}

/** `peak`: the machine's WebAssembly SIMD mul+add GFLOP/s (bench/peak.mjs), for the "% of SIMD peak" column. */
export function gemmTable(results: GemmResult[], peak: number): string {
  const workloads = [...new Set(results.map((r) => r.workload))];
  const lines = [
    '| workload | impl | median ms | GFLOP/s | % of SIMD peak | × JS baseline |',
    '|---|---|---:|---:|---:|---:|',
  ];
  for (const w of workloads) {
    const rows = results.filter((r) => r.workload === w);
    const base = rows.find((r) => r.impl.startsWith('js-baseline'))!;
    for (const r of rows) {
      lines.push(`| ${w} | ${r.impl} | ${r.medianMs.toFixed(4)} | ${r.gflops.toFixed(2)} | ${((100 * r.gflops) / peak).toFixed(0)} | ${(base.medianMs / r.medianMs).toFixed(1)} |`);
    }
  }
  return lines.join('\n');
}
