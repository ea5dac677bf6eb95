// Echo State Network workloads (issue 5): state collection, full fit (collect +
// XᵀX/XᵀY + ridge solve) and the ridge solve alone, for N = 100, 500, 1000, 2000,
// 10,000 steps of one input. rnn-wasm (SIMD and scalar builds, through the public
// EchoStateNetwork API) vs the JS baseline (src/reference/esn.ts, f64), each checked
// against the other before it is timed.
//
// The JS baseline of the full fit forms XᵀX with F² multiply-adds per step; it is
// run once (no repetitions) and, for N ≥ 500, on 2,000 of the 10,000 steps with its
// time scaled ×5 (its cost is linear in the steps) — the row says so. The other JS
// rows are also single runs (they take 0.1–3 s each).
import { Bench } from 'tinybench';
import { Backend } from '../src/engine/backend.js';
import { EchoStateNetwork } from '../src/esn/esn.js';
import { liveF64 } from '../src/engine/backend.js';
import { BufferSet } from '../src/esn/buffers.js';
import { RidgeSolver } from '../src/esn/readout.js';
import { collectReference, reservoirStepReference, ridgeSolveReference, type ReservoirReference } from '../src/reference/esn.js';
import { runCollect } from '../test/helpers/esn.js';
import type { BenchRow } from './workloads.js';

interface EsnWorkload {
  units: number;
  density: number;
  steps: number;
}

export const ESN_WORKLOADS: EsnWorkload[] = [
  { units: 100, density: 0.1, steps: 10_000 },
  { units: 500, density: 0.02, steps: 10_000 },
  { units: 1000, density: 0.01, steps: 10_000 },
  { units: 2000, density: 0.01, steps: 10_000 },
];

function signal(steps: number): { u: Float32Array; d: Float32Array } {
  const u = new Float32Array(steps);
  const d = new Float32Array(steps);
  for (let t = 0; t < steps; t++) {
    u[t] = Math.sin(t / 7) * 0.5 + Math.sin(t / 23) * 0.3;
    d[t] = Math.sin((t + 3) / 7) * 0.5;
  }
  return { u, d };
}

function referenceOf(model: EchoStateNetwork): ReservoirReference {
  const r = model.getReservoir();
  return {
    units: model.units, inputSize: 1, outputSize: 1, leakRate: model.leakRate, wIn: r.inputWeights, wBack: null, bias: r.bias,
    values: r.values, columns: r.columns, rowStart: r.rowStart,
  };
}

function statesReference(r: ReservoirReference, u: Float32Array, steps: number): Float64Array {
  const N = r.units;
  const x = new Float64Array(N);
  const states = new Float64Array(steps * N);
  const y = new Float64Array(1);
  for (let t = 0; t < steps; t++) {
    reservoirStepReference(r, x, u.subarray(t, t + 1), y);
    states.set(x, t * N);
  }
  return states;
}

function check(label: string, ok: boolean, detail: string): void {
  if (!ok) throw new Error(`bench esn: ${label} failed its correctness check: ${detail}`);
}

async function median(fn: () => void, iterations: number, time: number): Promise<number> {
  const bench = new Bench({ time, iterations, warmupIterations: 1, warmupTime: 0 });
  bench.add('x', fn);
  await bench.run();
  return (bench.tasks[0].result as { latency: { p50: number } }).latency.p50;
}

export async function benchEsn(options: { log?: (line: string) => void } = {}): Promise<BenchRow[]> {
  const log = options.log ?? (() => {});
  const builds = [
    { impl: 'wasm-simd', backend: await Backend.create({ simd: true }) },
    { impl: 'wasm-scalar', backend: await Backend.create({ simd: false }) },
  ];
  const rows: BenchRow[] = [];
  const washout = 100;
  for (const w of ESN_WORKLOADS) {
    const { units: N, steps: T } = w;
    const F = 2 + N;
    const nnz = Math.max(1, Math.round(w.density * N)) * N;
    const collectFlops = 2 * (nnz + 2 * N) * T;
    const fitFlops = collectFlops + F * (F + 1) * (T - washout) + F ** 3 / 3;
    const solveFlops = F ** 3 / 3;
    const { u, d } = signal(T);
    const uRows = { data: u, shape: [T, 1] };
    const dRows = { data: d, shape: [T, 1] };
    const options = { inputSize: 1, units: N, density: w.density, spectralRadius: 0.9, leakRate: 0.8, inputScaling: 0.5, biasScaling: 0.1, ridge: 1e-6, washout, seed: 1 };
    const collectName = `collect N=${N} density ${w.density * 100}% T=${T}`;
    const fitName = `full fit N=${N} T=${T}`;
    const solveName = `ridge solve N=${N} (F=${F})`;

    // JS baseline first: it also provides the values the WASM results are checked against.
    const model0 = new EchoStateNetwork({ ...options, backend: builds[0].backend });
    const r = referenceOf(model0);
    let t0 = performance.now();
    const jsStates = statesReference(r, u, T);
    const jsCollectMs = performance.now() - t0;
    const jsSteps = N >= 500 ? T / 5 : T;
    t0 = performance.now();
    const ref = collectReference(r, u.subarray(0, jsSteps), d.subarray(0, jsSteps), Float64Array.from(d.subarray(0, jsSteps)), jsSteps, washout);
    const wRef = ridgeSolveReference(ref.xtx, ref.xty, F, 1, options.ridge);
    const jsFitMs = ((performance.now() - t0) * T) / jsSteps;
    log(`${collectName}: js ${jsCollectMs.toFixed(0)} ms; ${fitName}: js ${jsFitMs.toFixed(0)} ms${jsSteps < T ? ` (${jsSteps} steps ×${T / jsSteps})` : ''}`);
    rows.push({ workload: collectName, impl: 'js-baseline', medianMs: jsCollectMs, gflops: collectFlops / (jsCollectMs * 1e6) });
    rows.push({ workload: fitName, impl: jsSteps < T ? `js-baseline (${jsSteps} steps ×${T / jsSteps})` : 'js-baseline', medianMs: jsFitMs, gflops: fitFlops / (jsFitMs * 1e6) });

    // XᵀX of real reservoir states (from the kernel, T = 2F steps) for the solve-alone rows.
    const sys = runCollect(builds[0].backend, r, u.subarray(0, 2 * F), 2 * F, { targets: Float64Array.from(d.subarray(0, 2 * F)), washout: 0 });
    t0 = performance.now();
    const sysFull = new Float64Array(F * F);
    for (let i = 0; i < F; i++) for (let j = i; j < F; j++) sysFull[i * F + j] = sysFull[j * F + i] = sys.xtx[i * F + j];
    const wSolveRef = ridgeSolveReference(sysFull, sys.xty, F, 1, options.ridge);
    const jsSolveMs = performance.now() - t0;
    rows.push({ workload: solveName, impl: 'js-baseline', medianMs: jsSolveMs, gflops: solveFlops / (jsSolveMs * 1e6) });
    model0.dispose();

    for (const { impl, backend } of builds) {
      const esn = new EchoStateNetwork({ ...options, backend });
      // Correctness: states against the f64 reference, fitted readout outputs against the reference readout's.
      const states = esn.run(uRows).data;
      let worst = 0;
      for (let k = 0; k < states.length; k++) worst = Math.max(worst, Math.abs(states[k] - jsStates[k]));
      check(`${collectName} ${impl}`, worst <= 1e-4, `max |x − x_ref| = ${worst}`);
      esn.resetState();
      const collectMs = await median(() => {
        esn.resetState();
        esn.run(uRows);
      }, 5, 500);
      rows.push({ workload: collectName, impl: `${impl} run()`, medianMs: collectMs, gflops: collectFlops / (collectMs * 1e6) });

      // Checked on the steps the JS baseline fitted (all of them, or the first 2,000).
      esn.fit({ data: u.subarray(0, jsSteps), shape: [jsSteps, 1] }, { data: d.subarray(0, jsSteps), shape: [jsSteps, 1] });
      const wOut = esn.getReadout();
      let err = 0;
      let scale = 0;
      for (let t = washout; t < Math.min(jsSteps, washout + 1000); t++) {
        let y = 0, yRef = 0;
        y += wOut[0] + wOut[1] * u[t];
        yRef += wRef[0] + wRef[1] * u[t];
        for (let i = 0; i < N; i++) {
          y += wOut[2 + i] * jsStates[t * N + i];
          yRef += wRef[2 + i] * jsStates[t * N + i];
        }
        err = Math.max(err, Math.abs(y - yRef));
        scale = Math.max(scale, Math.abs(d[t]));
      }
      check(`${fitName} ${impl}`, err <= 1e-3 * scale, `max |y − y_ref| = ${err} (targets up to ${scale})`);
      const fitMs = await median(() => esn.fit(uRows, dRows), 3, 500);
      rows.push({ workload: fitName, impl, medianMs: fitMs, gflops: fitFlops / (fitMs * 1e6) });
      // The same collection without copying [T, N] states out: predict() drives the reservoir
      // and reads out F values per step (2F more flops per step, counted).
      const predictMs = await median(() => {
        esn.resetState();
        esn.predict(uRows);
      }, 5, 500);
      rows.push({ workload: collectName, impl: `${impl} predict()`, medianMs: predictMs, gflops: (collectFlops + 2 * F * T) / (predictMs * 1e6) });

      // Ridge solve alone: XᵀX and XᵀY already in linear memory, as inside fit().
      const buffers = new BufferSet(backend);
      let solver: RidgeSolver | null = null;
      try {
        const xtx = buffers.f64(sys.xtx);
        const xty = buffers.f64(sys.xty);
        const solveWith = (solver = new RidgeSolver(backend, F, 1));
        const solve = (): void => void solveWith.solve(xtx, xty, options.ridge);
        solve();
        // XᵀX of 2F steps with λ = 1e-6 is ill-conditioned, so two stable solves may differ in w;
        // compare backward errors instead: ‖(A + λD)·w − b‖∞ relative to ‖A‖∞·‖w‖∞, for both.
        const residual = (w: ArrayLike<number>): number => {
          let worst = 0, normA = 0, normW = 0;
          for (let i = 0; i < F; i++) {
            let r = -sys.xty[i], row = 0;
            for (let j = 0; j < F; j++) {
              r += (sysFull[i * F + j] + (i === j && i > 0 ? options.ridge : 0)) * w[j];
              row += Math.abs(sysFull[i * F + j]);
            }
            worst = Math.max(worst, Math.abs(r));
            normA = Math.max(normA, row);
            normW = Math.max(normW, Math.abs(w[i]));
          }
          return worst / (normA * normW);
        };
        const mine = residual(liveF64(solveWith.weights).slice());
        const theirs = residual(wSolveRef);
        check(`${solveName} ${impl}`, mine <= Math.max(10 * theirs, 1e-13), `relative residual ${mine} vs the reference's ${theirs}`);
        const solveMs = await median(solve, 5, 500);
        rows.push({ workload: solveName, impl, medianMs: solveMs, gflops: solveFlops / (solveMs * 1e6) });
      } finally {
        solver?.dispose();
        buffers.dispose();
      }
      esn.dispose();
      log(`${fitName} ${impl}: collect ${rows.at(-4)!.medianMs.toFixed(1)} ms, fit ${rows.at(-3)!.medianMs.toFixed(1)} ms, predict ${rows.at(-2)!.medianMs.toFixed(1)} ms, solve ${rows.at(-1)!.medianMs.toFixed(1)} ms`);
    }
  }
  for (const b of builds) b.backend.dispose();
  return rows;
}

/** Markdown: one line per workload and implementation, with the speed-up over the JS baseline. */
export function esnTable(rows: BenchRow[]): string {
  const workloads = [...new Set(rows.map((r) => r.workload))];
  const lines = ['| workload | impl | median ms | GFLOP/s | × JS baseline |', '|---|---|---:|---:|---:|'];
  for (const w of workloads) {
    const group = rows.filter((r) => r.workload === w);
    const base = group.find((r) => r.impl.startsWith('js-baseline'));
    for (const r of group) {
      const ratio = base ? (base.medianMs / r.medianMs).toFixed(1) : '—';
      lines.push(`| ${w} | ${r.impl} | ${r.medianMs.toFixed(r.medianMs < 10 ? 2 : 0)} | ${r.gflops.toFixed(2)} | ${ratio} |`);
    }
  }
  return lines.join('\n');
}
