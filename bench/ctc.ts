// The CTC loss and its gradient (issue #15's shape): B = 32, T = 200 steps, 30 classes (blank 0),
// labels of 20–40 per sequence — WASM (f64 forward–backward in log space; the SIMD and scalar builds
// run the same scalar code) vs the f64 JS reference (src/reference/ctc.ts, probability space, one
// sequence at a time). Checks the losses against the reference first. Interleaved medians.
import { Backend, liveF64, liveI32, liveView } from '../src/engine/backend.js';
import { ctcLossF32, ctcWorkF64 } from '../src/kernels/ctc.js';
import { ctcLoss } from '../src/reference/ctc.js';
import { makeRandom, randomFloat32 } from '../test/helpers/random.js';
import { interleavedMedians } from './measure.js';

const [B, T, C] = [32, 200, 30];
export const CTC_NAME = `CTC loss + gradient B=${B} T=${T} ${C} classes`;

const logits = randomFloat32(T * B * C, 7, -2, 2);
const next = makeRandom(8);
const labels = Array.from({ length: B }, () => Array.from({ length: 20 + Math.floor(next() * 21) }, () => 1 + Math.floor(next() * (C - 1))));
const maxL = Math.max(...labels.map((l) => l.length));
/** Sequence b's logits as [T][C] rows (time-major batch). */
const rowsOf = (b: number): number[][] => Array.from({ length: T }, (_, t) => Array.from(logits.subarray((t * B + b) * C, (t * B + b + 1) * C)));

async function wasmTask(simd: boolean): Promise<{ run: () => void; losses: Float64Array }> {
  const backend = await Backend.create({ simd });
  const z = backend.fromArray(logits);
  const dz = backend.allocF32(T * B * C);
  const losses = backend.allocF32(2 * B);
  const lab = backend.allocF32(B * maxL);
  const labelLengths = backend.allocF32(B);
  const inputLengths = backend.allocF32(B);
  const scales = backend.allocF32(B).fill(1 / B);
  const work = backend.allocF32(2 * ctcWorkF64(backend, T, C, maxL));
  labels.forEach((l, b) => liveI32(lab).set(l, b * maxL));
  liveI32(labelLengths).set(labels.map((l) => l.length));
  liveI32(inputLengths).fill(T);
  const run = () => ctcLossF32(backend, { dLogits: dz.ptr, losses: losses.ptr, logits: z.ptr, labels: lab.ptr, labelLengths: labelLengths.ptr, inputLengths: inputLengths.ptr, scales: scales.ptr, work: work.ptr }, T, B, C, maxL, 0);
  run();
  if (liveView(dz).some((v) => !Number.isFinite(v))) throw new Error(`${CTC_NAME}: a non-finite gradient`);
  return { run, losses: liveF64(losses).slice(0, B) };
}

export async function benchCtc(): Promise<{ impl: string; medianMs: number; sequencesPerSecond: number }[]> {
  const simd = await wasmTask(true);
  const scalar = await wasmTask(false);
  const sequences = Array.from({ length: B }, (_, b) => rowsOf(b));
  let reference: number[] = [];
  const js = () => {
    reference = sequences.map((rows, b) => ctcLoss(rows, labels[b], 0).loss);
  };
  js();
  // Correctness first: the same losses (f64 both; only the order of the sums differs).
  for (const [label, run] of [['simd', simd], ['scalar', scalar]] as const) {
    run.losses.forEach((v, b) => {
      if (!(Math.abs(v - reference[b]) <= 1e-9 * reference[b])) throw new Error(`${CTC_NAME} ${label}: loss[${b}] ${v} vs reference ${reference[b]}`);
    });
  }
  const medians = await interleavedMedians([
    { name: 'wasm-simd', run: simd.run },
    { name: 'wasm-scalar', run: scalar.run },
    { name: 'js-baseline', run: js },
  ], { rounds: 3, time: 300 });
  return ['wasm-simd', 'wasm-scalar', 'js-baseline'].map((impl) => {
    const medianMs = medians.get(impl)!;
    return { impl, medianMs, sequencesPerSecond: B / (medianMs / 1000) };
  });
}

export function ctcTable(rows: { impl: string; medianMs: number; sequencesPerSecond: number }[]): string {
  const base = rows.find((r) => r.impl === 'js-baseline')!;
  return ['| workload | impl | median ms | sequences/s | × JS baseline |', '|---|---|---:|---:|---:|',
    ...rows.map((r) => `| ${CTC_NAME} | ${r.impl} | ${r.medianMs.toFixed(2)} | ${r.sequencesPerSecond.toFixed(0)} | ${(base.medianMs / r.medianMs).toFixed(1)} |`)].join('\n');
}
