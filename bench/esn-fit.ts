// The ESN full fit of issue #16, in phases: N = 1,000 units, density 1 %, 10,000 steps of one
// input, washout 100, features [1; u; x] (F = 1,002), ridge 1e-6, one thread. rnn-wasm (SIMD build):
//   collect  esn_collect driving the reservoir with the accumulation off (no states copied out)
//   ZᵀZ      the same call with ZᵀZ and Zᵀy accumulated (rank-64 updates of the upper triangle,
//            f64x2) minus the collect alone: what forming ZᵀZ adds
//   solve    the ridge solve from ZᵀZ and Zᵀy in linear memory (Cholesky, f64)
//   full fit EchoStateNetwork.fit(u, d) end to end
// and the same fit the way a Python user writes it with numpy + scipy.sparse (as ReservoirPy
// does: a Python loop of CSR mat-vecs, Z.T @ Z by the BLAS numpy links, scipy.linalg.solve with
// assume_a='pos'), on the same reservoir, run by bench/esn_numpy.py with python3 when
// `import numpy, scipy` works; skipped with a printed note otherwise. All interleaved medians.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Backend, liveF64 } from '../src/engine/backend.js';
import { BufferSet } from '../src/esn/buffers.js';
import { EchoStateNetwork } from '../src/esn/esn.js';
import { RidgeSolver } from '../src/esn/readout.js';
import { esnBlockSteps, esnCollect, readoutFeatureMask, type CollectOutputs } from '../src/kernels/esn.js';
import { interleavedMedians } from './measure.js';

const [N, DENSITY, T, WASHOUT, RIDGE] = [1000, 0.01, 10_000, 100, 1e-6];
const F = N + 2;
export const ESN_FIT_NAME = `ESN full fit N=${N} density ${DENSITY * 100}% T=${T} (F=${F})`;

export interface EsnFitRow {
  impl: string;
  collectMs: number;
  ztzMs: number;
  solveMs: number;
  fitMs: number;
  note?: string;
}

function signal(): { u: Float32Array; d: Float32Array } {
  const u = new Float32Array(T);
  const d = new Float32Array(T);
  for (let t = 0; t < T; t++) {
    u[t] = Math.sin(t / 7) * 0.5 + Math.sin(t / 23) * 0.3;
    d[t] = Math.sin((t + 3) / 7) * 0.5;
  }
  return { u, d };
}

export async function benchEsnFit(log: (line: string) => void = console.log): Promise<EsnFitRow[]> {
  const backend = await Backend.create({ simd: true });
  const { u, d } = signal();
  const esn = new EchoStateNetwork({
    inputSize: 1, units: N, density: DENSITY, spectralRadius: 0.9, leakRate: 0.8, inputScaling: 0.5, biasScaling: 0.1,
    ridge: RIDGE, washout: WASHOUT, seed: 1, backend,
  });
  const r = esn.getReservoir();
  const buffers = new BufferSet(backend);
  const solver = new RidgeSolver(backend, F, 1);
  const rows: EsnFitRow[] = [];
  try {
    const KB = esnBlockSteps(backend);
    const s = (values: ArrayLike<number> | number) => buffers.f32(values);
    const [wIn, bias, wVal, wCol, wRow] = [s(r.inputWeights), s(r.bias), s(r.values), buffers.i32(r.columns), buffers.i32(r.rowStart)];
    const [state, feedback, pre, ynext, uBuf] = [s(N), s(1), s(N), s(1), s(u)];
    const targets = buffers.f64(Float64Array.from(d));
    const [xtx, xty, zblk, dblk] = [buffers.f64(F * F), buffers.f64(F), buffers.f64(F * KB), buffers.f64(KB)];
    const weights = { wIn: wIn.ptr, wBack: 0, bias: bias.ptr, wVal: wVal.ptr, wCol: wCol.ptr, wRow: wRow.ptr, wDense: 0, wOut: 0 };
    const sizes = {
      units: N, inputSize: 1, outputSize: 1, leakRate: esn.leakRate, dense: false, tanhOutput: false,
      features: readoutFeatureMask(['bias', 'input', 'state']), linear: false, timeSteps: T, washout: WASHOUT, forgettingFactor: 1,
    };
    const collect = (out: CollectOutputs): void => {
      state.fill(0);
      feedback.fill(0);
      if (out.xtx) {
        xtx.fill(0);
        xty.fill(0);
      }
      esnCollect(backend, out, { state: state.ptr, feedback: feedback.ptr, pre: pre.ptr, ynext: ynext.ptr }, { u: uBuf.ptr, targets: targets.ptr }, weights, sizes);
    };
    const accumulate = { xtx: xtx.ptr, xty: xty.ptr, zblk: zblk.ptr, dblk: dblk.ptr };
    const solve = (): void => void solver.solve(xtx, xty, RIDGE);
    const uRows = { data: u, shape: [T, 1] };
    const dRows = { data: d, shape: [T, 1] };
    // Correctness first: the phases give fit()'s readout.
    collect(accumulate);
    solve();
    esn.fit(uRows, dRows);
    const mine = liveF64(solver.weights).slice();
    const theirs = esn.getReadout();
    for (let f = 0; f < F; f++) {
      if (!Object.is(mine[f], theirs[f])) throw new Error(`bench esn-fit: the phases' W_out[${f}] ${mine[f]} differs from fit()'s ${theirs[f]}`);
    }
    const m = await interleavedMedians([
      { name: 'collect', run: () => collect({}) },
      { name: 'collect+ztz', run: () => collect(accumulate) },
      { name: 'solve', run: solve },
      { name: 'fit', run: () => esn.fit(uRows, dRows) },
    ], { rounds: 3, time: 0, iterations: 3 });
    const collectMs = m.get('collect')!;
    rows.push({ impl: 'rnn-wasm (SIMD, 1 thread)', collectMs, ztzMs: m.get('collect+ztz')! - collectMs, solveMs: m.get('solve')!, fitMs: m.get('fit')! });
    log(`${ESN_FIT_NAME}: rnn-wasm collect ${collectMs.toFixed(0)} ms, ZᵀZ ${rows[0].ztzMs.toFixed(0)} ms, solve ${rows[0].solveMs.toFixed(0)} ms, fit ${rows[0].fitMs.toFixed(0)} ms`);
    rows.push(numpyRow(r, u, d, esn.leakRate, log));
  } finally {
    solver.dispose();
    buffers.dispose();
    esn.dispose();
    backend.dispose();
  }
  return rows;
}

/** Runs bench/esn_numpy.py on the same reservoir and signal; a row with a note when python3, numpy or scipy is missing. */
function numpyRow(
  r: { inputWeights: Float32Array; bias: Float32Array; values: Float32Array; columns: Int32Array; rowStart: Int32Array },
  u: Float32Array, d: Float32Array, leak: number, log: (line: string) => void,
): EsnFitRow {
  const impl = 'numpy + scipy.sparse (python3)';
  const missing = (why: string): EsnFitRow => {
    log(`${ESN_FIT_NAME}: numpy row skipped: ${why}`);
    return { impl, collectMs: NaN, ztzMs: NaN, solveMs: NaN, fitMs: NaN, note: `skipped: ${why}` };
  };
  const probe = spawnSync('python3', ['-c', 'import numpy, scipy'], { encoding: 'utf8' });
  if (probe.error || probe.status !== 0) return missing(`python3 with numpy and scipy is not available (${probe.error?.message ?? probe.stderr.trim().split('\n').at(-1)}); Debian: apt-get install python3-numpy python3-scipy`);
  const dir = mkdtempSync(join(tmpdir(), 'rnn-wasm-esn-'));
  try {
    const put = (name: string, a: Float32Array | Int32Array) => writeFileSync(join(dir, name), new Uint8Array(a.buffer, a.byteOffset, a.byteLength));
    put('win.f32', r.inputWeights);
    put('bias.f32', r.bias);
    put('values.f32', r.values);
    put('columns.i32', r.columns);
    put('rowstart.i32', r.rowStart);
    put('u.f32', u);
    put('d.f32', d);
    const script = fileURLToPath(new URL('./esn_numpy.py', import.meta.url));
    const run = spawnSync('python3', [script, dir, String(N), String(T), String(WASHOUT), String(leak), String(RIDGE)], { encoding: 'utf8' });
    if (run.status !== 0) throw new Error(`bench/esn_numpy.py failed: ${run.stderr}`);
    const res = JSON.parse(readFileSync(join(dir, 'result.json'), 'utf8')) as { collectMs: number; ztzMs: number; solveMs: number; fitMs: number; blas: string; wOut: number[] };
    const note = `BLAS: ${res.blas}`;
    log(`${ESN_FIT_NAME}: numpy collect ${res.collectMs.toFixed(0)} ms, ZᵀZ ${res.ztzMs.toFixed(0)} ms, solve ${res.solveMs.toFixed(0)} ms, fit ${res.fitMs.toFixed(0)} ms (${note})`);
    return { impl, collectMs: res.collectMs, ztzMs: res.ztzMs, solveMs: res.solveMs, fitMs: res.fitMs, note };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export function esnFitTable(rows: EsnFitRow[]): string {
  const ms = (v: number) => (Number.isNaN(v) ? '—' : v.toFixed(0));
  const ours = rows[0];
  const lines = ['| workload | impl | collect ms | ZᵀZ ms | solve ms | full fit ms | fit × rnn-wasm | note |', '|---|---|---:|---:|---:|---:|---:|---|'];
  for (const r of rows) {
    lines.push(`| ${ESN_FIT_NAME} | ${r.impl} | ${ms(r.collectMs)} | ${ms(r.ztzMs)} | ${ms(r.solveMs)} | ${ms(r.fitMs)} | ${Number.isNaN(r.fitMs) ? '—' : (r.fitMs / ours.fitMs).toFixed(2)} | ${r.note ?? ''} |`);
  }
  return lines.join('\n');
}

if (process.argv[1]?.endsWith('esn-fit.ts')) console.log(`\n${esnFitTable(await benchEsnFit())}`);
