// Energy-based models (issue #14), one thread, interleaved medians, against the f64 JS references:
//   R1  RBM CD-1 epoch on the 8×8 digits (1797×64 → 100 hidden, B = 64): RBM.fit({ epochs: 1 })
//       vs src/reference/rbm.ts cdStep over the same batches
//   R2  RBM CD-1 epoch on 256 random binary 784-pixel rows → 500 hidden, B = 64
//   H1  Hopfield recall at N = 1,000 (Hebbian, 50 patterns, probe with 10 % of the bits flipped,
//       async sweeps in a seeded order until a sweep changes nothing, energy after every sweep):
//       Hopfield.recall vs src/reference/energy.ts updateUnit/energy in the same order
// Every row is checked against its reference before it is timed. Throughput: samples (rows of an
// epoch, or probes recalled) per second.
import { mkdirSync, writeFileSync } from 'node:fs';
import { Backend } from '../src/engine/backend.js';
import { Hopfield } from '../src/energy/hopfield.js';
import { RBM } from '../src/energy/rbm.js';
import * as hopfieldRef from '../src/reference/energy.js';
import * as rbmRef from '../src/reference/rbm.js';
import { Random } from '../src/random.js';
import { readDigits } from '../test/helpers/digits.js';
import { makeRandom } from '../test/helpers/random.js';
import { machineLine } from './gemm.js';
import { interleavedMedians } from './measure.js';

export interface EnergyRow {
  workload: string;
  impl: string;
  medianMs: number;
  samplesPerSecond: number;
}

const SEED = 7;

/** One CD-1 epoch of the reference over data [N, V] in order, batch seeds drawn as RBM.fit draws them (shuffle off). */
function referenceEpoch(p: rbmRef.RbmParams, data: Float32Array, N: number, B: number, learningRate: number): void {
  const { V, H } = p;
  const random = new Random(SEED);
  const state: rbmRef.CdState = { params: p, dW: new Float64Array(V * H), db: new Float64Array(V), da: new Float64Array(H), chain: new Float64Array(B * H), q: new Float64Array(H) };
  for (let start = 0; start < N; start += B) {
    const b = Math.min(B, N - start);
    rbmRef.cdStep(state, data.subarray(start * V, (start + b) * V), b, {
      k: 1, mode: 0, gaussian: false, learningRate, momentum: 0, weightDecay: 0, sparsityTarget: 0, sparsityCost: 0, seed: random.nextUint32(),
    });
  }
}

function refParams(rbm: RBM): rbmRef.RbmParams {
  const { weights, visibleBias, hiddenBias } = rbm.getWeights();
  return { W: Float64Array.from(weights.flat()), b: Float64Array.from(visibleBias), a: Float64Array.from(hiddenBias), V: rbm.visible, H: rbm.hidden };
}

async function rbmRows(name: string, data: Float32Array, N: number, V: number, H: number, B: number): Promise<EnergyRow[]> {
  const learningRate = 0.05;
  const fits = new Map<string, () => void>();
  let p0: rbmRef.RbmParams | null = null;
  for (const simd of [true, false]) {
    const backend = await Backend.create({ simd });
    const rbm = new RBM({ visible: V, hidden: H, seed: SEED, learningRate, backend });
    const initial = rbm.toJSON();
    // Correctness first: one batch through RBM.fit and through the reference, from the same weights and seed.
    const p = refParams(rbm);
    p0 = refParams(rbm);
    rbm.fit({ data: data.subarray(0, B * V), shape: [B, V] }, { epochs: 1, batchSize: B, shuffle: false });
    referenceEpoch(p, data, B, B, learningRate);
    const got = rbm.getWeights().weights.flat();
    got.forEach((w, i) => {
      if (!(Math.abs(w - p.W[i]) <= 1e-4)) throw new Error(`${name} ${simd ? 'simd' : 'scalar'}: W[${i}] ${w} vs reference ${p.W[i]}`);
    });
    const fresh = RBM.fromJSON(initial, { backend });
    fits.set(simd ? 'wasm-simd' : 'wasm-scalar', () => fresh.fit({ data, shape: [N, V] }, { epochs: 1, batchSize: B, shuffle: false }));
    rbm.dispose();
  }
  const start = p0!;
  const medians = await interleavedMedians([...fits].map(([impl, run]) => ({ name: impl, run })), { rounds: 5, time: 300 });
  const slow = await interleavedMedians([{ name: 'js-reference', run: () => referenceEpoch({ ...start, W: start.W.slice(), b: start.b.slice(), a: start.a.slice() }, data, N, B, learningRate) }], {
    rounds: 1, time: 0, iterations: 3,
  });
  return ['wasm-simd', 'wasm-scalar', 'js-reference'].map((impl) => {
    const ms = (impl === 'js-reference' ? slow : medians).get(impl)!;
    return { workload: name, impl, medianMs: ms, samplesPerSecond: N / (ms / 1000) };
  });
}

async function hopfieldRows(): Promise<EnergyRow[]> {
  const [N, P] = [1000, 50];
  const r = makeRandom(11);
  const patterns = Array.from({ length: P }, () => Array.from({ length: N }, () => (r() < 0.5 ? -1 : 1)));
  const probe = patterns[0].map((s) => (r() < 0.1 ? -s : s));
  const w = hopfieldRef.zeros(N);
  for (const xi of patterns) hopfieldRef.hebbian(w, xi);
  /** The reference recall: Hopfield.recall's seeded Fisher–Yates order per sweep, energy after each. */
  const referenceRecall = (): { state: number[]; sweeps: number } => {
    const s = [...probe];
    const random = new Random(SEED);
    const energies = [hopfieldRef.energy(w, s, 0)];
    let sweeps = 0;
    for (let changed = true; changed && sweeps < 100; sweeps++) {
      const order = Array.from({ length: N }, (_, i) => i);
      for (let i = N - 1; i > 0; i--) {
        const j = Math.floor(random.uniform() * (i + 1));
        [order[i], order[j]] = [order[j], order[i]];
      }
      const before = [...s];
      for (const i of order) hopfieldRef.updateUnit(w, s, i, 0, false);
      energies.push(hopfieldRef.energy(w, s, 0));
      changed = s.some((v, i) => v !== before[i]);
    }
    return { state: s, sweeps };
  };
  const want = referenceRecall();
  const runs = new Map<string, () => void>();
  for (const simd of [true, false]) {
    const backend = await Backend.create({ simd });
    const net = new Hopfield({ size: N, backend }).store(patterns);
    const got = net.recall(probe, { seed: SEED });
    if (got.sweeps !== want.sweeps || got.state.some((v, i) => v !== want.state[i])) throw new Error(`H1 ${simd ? 'simd' : 'scalar'}: recall differs from the reference`);
    if (got.state.some((v, i) => v !== patterns[0][i])) throw new Error('H1: the probe was not recalled');
    runs.set(simd ? 'wasm-simd' : 'wasm-scalar', () => net.recall(probe, { seed: SEED }));
  }
  const name = `H1 Hopfield recall N=${N}, ${P} patterns, 10 % flipped (${want.sweeps} sweeps)`;
  const medians = await interleavedMedians([...runs].map(([impl, run]) => ({ name: impl, run })), { rounds: 5, time: 300 });
  const slow = await interleavedMedians([{ name: 'js-reference', run: referenceRecall }], { rounds: 1, time: 0, iterations: 5 });
  return ['wasm-simd', 'wasm-scalar', 'js-reference'].map((impl) => {
    const ms = (impl === 'js-reference' ? slow : medians).get(impl)!;
    return { workload: name, impl, medianMs: ms, samplesPerSecond: 1000 / ms };
  });
}

export async function benchEnergy(): Promise<EnergyRow[]> {
  const digits = readDigits();
  const rows = await rbmRows('R1 RBM CD-1 epoch, digits 1797×64 → 100, B=64', digits.x, digits.N, 64, 100, 64);
  const r = makeRandom(12);
  const binary = Float32Array.from({ length: 256 * 784 }, () => (r() < 0.3 ? 1 : 0));
  rows.push(...(await rbmRows('R2 RBM CD-1 epoch, 256 random binary rows 784 → 500, B=64', binary, 256, 784, 500, 64)));
  rows.push(...(await hopfieldRows()));
  return rows;
}

export function energyTable(rows: EnergyRow[]): string {
  const lines = ['| workload | impl | median ms | samples/s | × JS reference |', '|---|---|---:|---:|---:|'];
  for (const r of rows) {
    const base = rows.find((b) => b.workload === r.workload && b.impl === 'js-reference')!;
    lines.push(`| ${r.workload} | ${r.impl} | ${r.medianMs.toFixed(2)} | ${Math.round(r.samplesPerSecond).toLocaleString('en-US')} | ${(base.medianMs / r.medianMs).toFixed(1)} |`);
  }
  return lines.join('\n');
}

if (process.argv[1]?.endsWith('energy.ts')) {
  console.log(`Machine: ${machineLine()}\n`);
  const rows = await benchEnergy();
  console.log(energyTable(rows));
  const results = new URL('./results/', import.meta.url);
  mkdirSync(results, { recursive: true });
  writeFileSync(new URL('energy.json', results), JSON.stringify(rows, null, 2) + '\n');
}
