// The ESN full fit of issue #16, in phases: N = 1,000 units, density 1 %, 10,000 steps of one
// input, washout 100, features [1; u; x] (F = 1,002), ridge 1e-6, on one thread and on two.
// rnn-wasm (SIMD build; the threaded build for 2 threads):
//   collect  esn_collect driving the reservoir with the accumulation off (no states copied out)
//   ZᵀZ      collecting with ZᵀZ and Zᵀy accumulated (GramAccumulator, as fit() does: one thread,
//            rank-64 updates of the upper triangle, f64x2; two threads, each block's rows split in
//            ranges while the next block is collected) minus the collect alone: what forming ZᵀZ adds
//   solve    the ridge solve from ZᵀZ and Zᵀy in linear memory (Cholesky, f64, one thread)
//   full fit EchoStateNetwork.fit(u, d) end to end
// and the same fit the way a Python user writes it with numpy + scipy.sparse (as ReservoirPy
// does: a Python loop of CSR mat-vecs, Z.T @ Z by the BLAS numpy links, scipy.linalg.solve with
// assume_a='pos'), on the same reservoir, run by bench/esn_numpy.py with python3 when
// `import numpy, scipy` works; skipped with a printed note otherwise. All interleaved medians.
// The readouts of both thread counts are checked to be the same bits before anything is timed,
// and the forecasting quality at ridge 1e-8 (Mackey–Glass, NARMA-10: the setups of
// test/esn-model.test.ts) is printed for both.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Backend, liveF64 } from '../src/engine/backend.js';
import { BufferSet } from '../src/esn/buffers.js';
import { mackeyGlass, narma10, nrmse } from '../src/esn/data.js';
import { EchoStateNetwork } from '../src/esn/esn.js';
import { GramAccumulator } from '../src/esn/gram.js';
import { RidgeSolver } from '../src/esn/readout.js';
import { esnCollect, readoutFeatureMask } from '../src/kernels/esn.js';
import { interleavedMedians, type Task } from './measure.js';

const [N, DENSITY, T, WASHOUT, RIDGE] = [1000, 0.01, 10_000, 100, 1e-6];
const F = N + 2;
export const ESN_FIT_NAME = `ESN full fit N=${N} density ${DENSITY * 100}% T=${T} (F=${F})`;
const THREADS = [1, 2] as const;

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

interface Phases {
  collect: () => void;
  gram: () => void;
  solve: () => void;
  fit: () => void;
  /** W_out from the phases and from fit(). */
  check: () => { phases: Float64Array; fit: Float64Array };
  dispose: () => void;
}

/** The phases of the fit on `backend`, for the model saved in `json`. */
function phasesOn(backend: Backend, json: ReturnType<EchoStateNetwork['toJSON']>, u: Float32Array, d: Float32Array): Phases {
  const esn = EchoStateNetwork.fromJSON(json, { backend });
  const r = esn.getReservoir();
  const buffers = new BufferSet(backend);
  const solver = new RidgeSolver(backend, F, 1);
  const s = (values: ArrayLike<number> | number) => buffers.f32(values);
  const [wIn, bias, wVal, wCol, wRow] = [s(r.inputWeights), s(r.bias), s(r.values), buffers.i32(r.columns), buffers.i32(r.rowStart)];
  const [state, feedback, pre, ynext, uBuf] = [s(N), s(1), s(N), s(1), s(u)];
  const targets = buffers.f64(Float64Array.from(d));
  const loop = { state: state.ptr, feedback: feedback.ptr, pre: pre.ptr, ynext: ynext.ptr };
  const inputs = { u: uBuf.ptr, targets: targets.ptr };
  const weights = { wIn: wIn.ptr, wBack: 0, bias: bias.ptr, wVal: wVal.ptr, wCol: wCol.ptr, wRow: wRow.ptr, wDense: 0, wOut: 0 };
  const sizes = {
    units: N, inputSize: 1, outputSize: 1, leakRate: esn.leakRate, dense: false, tanhOutput: false,
    features: readoutFeatureMask(['bias', 'input', 'state']), linear: false, timeSteps: T, washout: WASHOUT,
  };
  const reset = (): void => {
    state.fill(0);
    feedback.fill(0);
  };
  /** ZᵀZ and Zᵀy as fit() forms them (its buffers freed at once), then `then` on them. */
  const gram = (then?: (xtx: typeof state, xty: typeof state) => void): void => {
    const set = new BufferSet(backend);
    try {
      const accumulator = new GramAccumulator(backend, set, F, 1, `F = ${F}`);
      reset();
      accumulator.add(loop, inputs, weights, sizes);
      accumulator.finish();
      then?.(accumulator.xtx, accumulator.xty);
    } finally {
      set.dispose();
    }
  };
  const solveFrom = buffers.f64(F * F), solveRhs = buffers.f64(F);
  const uRows = { data: u, shape: [T, 1] };
  const dRows = { data: d, shape: [T, 1] };
  return {
    collect: () => {
      reset();
      esnCollect(backend, {}, loop, inputs, weights, { ...sizes, forgettingFactor: 1 });
    },
    gram: () => gram(),
    solve: () => void solver.solve(solveFrom, solveRhs, RIDGE),
    fit: () => void esn.fit(uRows, dRows),
    check: () => {
      gram((xtx, xty) => {
        liveF64(solveFrom).set(liveF64(xtx));
        liveF64(solveRhs).set(liveF64(xty));
      });
      solver.solve(solveFrom, solveRhs, RIDGE);
      esn.fit(uRows, dRows);
      return { phases: liveF64(solver.weights).slice(), fit: esn.getReadout() };
    },
    dispose: () => {
      solver.dispose();
      buffers.dispose();
      esn.dispose();
    },
  };
}

function sameBits(what: string, a: Float64Array, b: Float64Array): void {
  for (let f = 0; f < a.length; f++) {
    if (!Object.is(a[f], b[f])) throw new Error(`bench esn-fit: ${what}: W_out[${f}] ${a[f]} vs ${b[f]}`);
  }
}

export async function benchEsnFit(log: (line: string) => void = console.log): Promise<EsnFitRow[]> {
  const backends = await Promise.all(THREADS.map((threads) => Backend.create({ simd: true, threads })));
  const { u, d } = signal();
  const rows: EsnFitRow[] = [];
  const phases: Phases[] = [];
  try {
    if (backends[1].threads.count !== 2) log(`${ESN_FIT_NAME}: no second thread (${backends[1].threads.reason}); the 2-thread row runs on one`);
    const model = new EchoStateNetwork({
      inputSize: 1, units: N, density: DENSITY, spectralRadius: 0.9, leakRate: 0.8, inputScaling: 0.5, biasScaling: 0.1,
      ridge: RIDGE, washout: WASHOUT, seed: 1, backend: backends[0],
    });
    const json = model.toJSON();
    const reservoir = model.getReservoir();
    const leak = model.leakRate;
    model.dispose();
    for (const backend of backends) phases.push(phasesOn(backend, json, u, d));
    // Correctness first: on each backend the phases give fit()'s readout, and both thread counts the same bits.
    const readouts = phases.map((p, k) => {
      const { phases: mine, fit } = p.check();
      sameBits(`${THREADS[k]} thread(s): the phases vs fit()`, mine, fit);
      return fit;
    });
    sameBits('2 threads vs 1 thread', readouts[1], readouts[0]);
    logQuality(backends, log);
    const tasks: Task[] = [];
    phases.forEach((p, k) => {
      tasks.push({ name: `collect ${k}`, run: p.collect }, { name: `gram ${k}`, run: p.gram }, { name: `solve ${k}`, run: p.solve }, { name: `fit ${k}`, run: p.fit });
    });
    const m = await interleavedMedians(tasks, { rounds: 3, time: 0, iterations: 3 });
    THREADS.forEach((threads, k) => {
      const collectMs = m.get(`collect ${k}`)!;
      const row = { impl: `rnn-wasm (SIMD, ${threads === 1 ? '1 thread' : `${threads} threads`})`, collectMs, ztzMs: m.get(`gram ${k}`)! - collectMs, solveMs: m.get(`solve ${k}`)!, fitMs: m.get(`fit ${k}`)! };
      rows.push(row);
      log(`${ESN_FIT_NAME}: ${row.impl} collect ${collectMs.toFixed(0)} ms, ZᵀZ ${row.ztzMs.toFixed(0)} ms, solve ${row.solveMs.toFixed(0)} ms, fit ${row.fitMs.toFixed(0)} ms`);
    });
    rows.push(numpyRow(reservoir, u, d, leak, log));
  } finally {
    for (const p of phases) p.dispose();
    for (const backend of backends) backend.dispose();
  }
  return rows;
}

/**
 * Mackey–Glass (1-step-ahead NRMSE and the closed loop's NRMSE84) and NARMA-10 (test NRMSE), the
 * setups of test/esn-model.test.ts at ridge 1e-8, on each backend; the readouts must be the same bits.
 */
function logQuality(backends: Backend[], log: (line: string) => void): void {
  const series = Array.from(mackeyGlass(4700, { discard: 500 }), (v) => Math.tanh(v - 1));
  const train = 3000;
  const narma = narma10(4200, 3);
  const narmaTrain = 2200;
  const mg = { inputSize: 1, units: 500, density: 0.02, spectralRadius: 1.1, leakRate: 0.6, inputScaling: 0.5, biasScaling: 0.1, ridge: 1e-8, washout: 200, seed: 1 };
  const na = { inputSize: 1, units: 500, density: 0.02, spectralRadius: 0.99, inputScaling: 0.2, biasScaling: 0.2, ridge: 1e-8, washout: 200, seed: 1 };
  const mgJson = new EchoStateNetwork({ ...mg, backend: backends[0] });
  const naJson = new EchoStateNetwork({ ...na, backend: backends[0] });
  const saved = [mgJson.toJSON(), naJson.toJSON()];
  mgJson.dispose();
  naJson.dispose();
  const readouts: Float64Array[] = [];
  for (const backend of backends) {
    const a = EchoStateNetwork.fromJSON(saved[0], { backend });
    a.fit(series.slice(0, train).map((v) => [v]), series.slice(1, train + 1).map((v) => [v]));
    readouts.push(a.getReadout());
    const n84 = nrmse(a.generate(84).data, series.slice(train + 1, train + 85));
    a.resetState();
    const n1 = nrmse(a.predict(series.slice(train, train + 1200).map((v) => [v])).data.subarray(200), series.slice(train + 201, train + 1201));
    a.dispose();
    const b = EchoStateNetwork.fromJSON(saved[1], { backend });
    b.fit(Array.from(narma.inputs.subarray(0, narmaTrain), (v) => [v]), Array.from(narma.targets.subarray(0, narmaTrain), (v) => [v]));
    readouts.push(b.getReadout());
    const nNarma = nrmse(b.predict(Array.from(narma.inputs.subarray(narmaTrain), (v) => [v])).data, narma.targets.subarray(narmaTrain));
    b.dispose();
    log(`ESN quality at ridge 1e-8, ${backend.threads.count} thread(s): Mackey–Glass N=500 1-step NRMSE ${n1.toExponential(3)}, closed-loop NRMSE84 ${n84.toExponential(3)}; NARMA-10 N=500 test NRMSE ${nNarma.toFixed(4)}`);
  }
  sameBits('Mackey–Glass readout, 2 threads vs 1', readouts[2], readouts[0]);
  sameBits('NARMA-10 readout, 2 threads vs 1', readouts[3], readouts[1]);
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
  const lines = ['| workload | impl | collect ms | ZᵀZ ms | solve ms | full fit ms | fit × rnn-wasm 1 thread | note |', '|---|---|---:|---:|---:|---:|---:|---|'];
  for (const r of rows) {
    lines.push(`| ${ESN_FIT_NAME} | ${r.impl} | ${ms(r.collectMs)} | ${ms(r.ztzMs)} | ${ms(r.solveMs)} | ${ms(r.fitMs)} | ${Number.isNaN(r.fitMs) ? '—' : (r.fitMs / ours.fitMs).toFixed(2)} | ${r.note ?? ''} |`);
  }
  return lines.join('\n');
}

if (process.argv[1]?.endsWith('esn-fit.ts')) console.log(`\n${esnFitTable(await benchEsnFit())}`);
