// Calls the ESN kernels directly on a given reservoir, for kernel-vs-reference tests.
import { liveF64, liveView, type Backend } from '../../src/engine/backend.js';
import { withBuffers } from '../../src/esn/buffers.js';
import { esnBlockSteps, esnCollect, esnFlushRows, readoutFeatureMask, type ReadoutFeature } from '../../src/kernels/esn.js';
import { featureCountReference, type ReservoirReference } from '../../src/reference/esn.js';
import { makeRandom } from './random.js';

/** A random reservoir (CSR, k non-zeros per row) in the reference's layout. */
export function randomReservoir(N: number, I: number, O: number, perRow: number, seed: number, options: { feedback?: boolean; leakRate?: number; scale?: number } = {}): ReservoirReference {
  const next = makeRandom(seed);
  const values: number[] = [];
  const columns: number[] = [];
  const rowStart = [0];
  const scale = options.scale ?? 1 / Math.sqrt(perRow);
  for (let i = 0; i < N; i++) {
    const cols = new Set<number>();
    while (cols.size < Math.min(perRow, N)) cols.add(Math.floor(next() * N));
    for (const c of [...cols].sort((a, b) => a - b)) {
      columns.push(c);
      values.push(Math.fround((next() * 2 - 1) * scale));
    }
    rowStart.push(columns.length);
  }
  const f32 = (n: number, s: number): Float32Array => Float32Array.from({ length: n }, () => (next() * 2 - 1) * s);
  return {
    units: N, inputSize: I, outputSize: O, leakRate: options.leakRate ?? 0.7,
    wIn: f32(I * N, 1), wBack: options.feedback ? f32(O * N, 0.5) : null, bias: f32(N, 0.2),
    values: Float32Array.from(values), columns: Int32Array.from(columns), rowStart: Int32Array.from(rowStart),
  };
}

export interface KernelRun {
  states: Float32Array; // [T, N]
  outputs: Float32Array; // [T, O]
  xtx: Float64Array; // [F, F], upper triangle meaningful
  xty: Float64Array; // [F, O]
  state: Float32Array;
  feedback: Float32Array;
}

/**
 * esn_collect over one sequence from x = 0, y(−1) = 0, with every optional part on:
 * states, outputs (readout with wOut), accumulation from `washout`; teacher-forced when teacher is given.
 * The readout's features default to [1; u; x]; the reservoir is linear when r.activation is 'identity'.
 * With `rowRanges`, the sequence is collected in block mode (one call for the washout and the first
 * KB steps, then one per KB steps) and each block accumulated by esn_flush_rows over those ranges,
 * the way fit() splits the accumulation over threads.
 */
export function runCollect(
  backend: Backend, r: ReservoirReference, u: ArrayLike<number>, T: number, o: {
    teacher?: ArrayLike<number>; targets?: ArrayLike<number>; wOut?: ArrayLike<number>; washout?: number; dense?: boolean; tanhOutput?: boolean; noise?: ArrayLike<number>;
    features?: readonly ReadoutFeature[]; rowRanges?: ReadonlyArray<{ start: number; end: number }>;
  },
): KernelRun {
  const { units: N, inputSize: I, outputSize: O } = r;
  const features = o.features ?? ['bias', 'input', 'state'];
  const F = featureCountReference(r, features);
  const KB = esnBlockSteps(backend);
  return withBuffers(backend, (s) => {
    const dense = new Float32Array(N * N);
    for (let i = 0; i < N; i++) for (let k = r.rowStart[i]; k < r.rowStart[i + 1]; k++) dense[i * N + r.columns[k]] = r.values[k];
    const wIn = s.f32(r.wIn), wBack = r.wBack ? s.f32(r.wBack) : null, bias = s.f32(r.bias);
    const wVal = s.f32(r.values), wCol = s.i32(r.columns), wRow = s.i32(r.rowStart), wDense = s.f32(dense);
    const wOut = s.f64(O * F);
    if (o.wOut) liveF64(wOut).set(o.wOut);
    const states = s.f32(T * N), outputs = s.f32(T * O);
    const xtx = s.f64(F * F), xty = s.f64(F * O), zblk = s.f64(F * KB), dblk = s.f64(O * KB);
    const state = s.f32(N), feedback = s.f32(O), pre = s.f32(N), ynext = s.f32(O);
    const uBuf = s.f32(u), teacher = o.teacher ? s.f32(o.teacher) : null;
    const targets = s.f64(T * O);
    if (o.targets) liveF64(targets).set(o.targets);
    const noise = o.noise ? s.f32(o.noise) : null;
    const washout = o.washout ?? 0;
    const collect = (from: number, steps: number, accumulate: boolean): void => esnCollect(
      backend,
      {
        states: states.ptr + from * N * 4, outputs: outputs.ptr + from * O * 4, xtx: accumulate ? xtx.ptr : 0, xty: accumulate ? xty.ptr : 0,
        zblk: zblk.ptr, dblk: dblk.ptr,
      },
      { state: state.ptr, feedback: feedback.ptr, pre: pre.ptr, ynext: ynext.ptr },
      { u: uBuf.ptr + from * I * 4, teacher: teacher ? teacher.ptr + from * O * 4 : 0, targets: targets.ptr + from * O * 8, noise: noise ? noise.ptr + from * N * 4 : 0 },
      { wIn: wIn.ptr, wBack: wBack?.ptr ?? 0, bias: bias.ptr, wVal: wVal.ptr, wCol: wCol.ptr, wRow: wRow.ptr, wDense: wDense.ptr, wOut: wOut.ptr },
      {
        timeSteps: steps, units: N, inputSize: I, outputSize: O, washout: from === 0 ? washout : 0, leakRate: r.leakRate,
        dense: o.dense ?? false, tanhOutput: o.tanhOutput ?? false, forgettingFactor: 1,
        features: readoutFeatureMask(features), linear: r.activation === 'identity',
      },
    );
    if (!o.rowRanges) collect(0, T, true);
    else {
      for (let from = 0; from < T;) {
        const steps = Math.min(T - from, (from === 0 ? washout : 0) + KB);
        collect(from, steps, false);
        for (const { start, end } of o.rowRanges) {
          esnFlushRows(backend, xtx.ptr, xty.ptr, zblk.ptr, dblk.ptr, { features: F, outputSize: O, rowStart: start, rowEnd: end });
        }
        from += steps;
      }
    }
    return {
      states: liveView(states).slice(), outputs: liveView(outputs).slice(), xtx: liveF64(xtx).slice(), xty: liveF64(xty).slice(),
      state: liveView(state).slice(), feedback: liveView(feedback).slice(),
    };
  });
}

/** Symmetric XᵀX from the kernel's upper triangle. */
export function symmetricFromUpper(a: Float64Array, F: number): Float64Array {
  const out = new Float64Array(F * F);
  for (let i = 0; i < F; i++) for (let j = i; j < F; j++) out[i * F + j] = out[j * F + i] = a[i * F + j];
  return out;
}
