// The energy-based models ('rnn-wasm/energy') as the browser suite runs them twice, in Node and in
// Chromium, to compare bit for bit: training, sampling and the exact and estimated quantities of
// Hopfield, BoltzmannMachine, RBM, DBN and DBM, on both builds. Plain ESM with no imports of the
// library: the caller passes the two entries it loaded (dist/index.js and dist/energy.js).
import { bytesOf, seededFloats } from './workloads.js';

/** Any result (number, number[], nested arrays, a typed array, { data }) as the bytes of its f64 or f32 values. */
function encode(value) {
  if (value instanceof Float32Array || value instanceof Float64Array) return bytesOf(value);
  if (value && typeof value === 'object' && 'data' in value) return encode(value.data);
  if (typeof value === 'number') return bytesOf(Float64Array.of(value));
  if (Array.isArray(value) && value.every((v) => typeof v === 'number' || Array.isArray(v))) return bytesOf(Float64Array.from(value.flat(Infinity)));
  if (Array.isArray(value) || (value && typeof value === 'object')) {
    // A list or record of results: each part's bytes, in order.
    const parts = (Array.isArray(value) ? value : Object.values(value)).map(encode);
    return { type: parts[0].type, hex: parts.map((p) => `${p.type}:${p.hex}`).join('|') };
  }
  if (value instanceof Int32Array || value instanceof Uint8Array) return bytesOf(Float64Array.from(value));
  throw new TypeError(`energy workloads: cannot encode ${Object.prototype.toString.call(value)}`);
}

/** 0/1 rows: `rows` × `width` with p(1) from seeded floats. */
function binaryRows(rows, width, seed) {
  const u = seededFloats(rows * width, seed, 0, 1);
  return Array.from({ length: rows }, (_, r) => Array.from(u.subarray(r * width, (r + 1) * width), (v) => (v < 0.4 ? 1 : 0)));
}

/**
 * { 'build | model | quantity': { type, hex } } for one build.
 * @returns {Promise<Record<string, { type: 'f32' | 'f64', hex: string }>>}
 */
export async function energyResults(rnn, energy, { simd }) {
  const backend = await rnn.Backend.create({ simd });
  /** @type {Record<string, { type: 'f32' | 'f64', hex: string }>} */
  const out = {};
  const put = (name, value) => (out[`${simd ? 'simd' : 'scalar'} | ${name}`] = encode(value));

  const patterns = binaryRows(3, 24, 1).map((row) => row.map((v) => 2 * v - 1));
  const hopfield = new energy.Hopfield({ size: 24, rule: 'storkey', seed: 3, backend });
  hopfield.store(patterns);
  const probe = patterns[0].map((v, i) => (i % 7 === 0 ? -v : v));
  const recalled = hopfield.recall(probe, { seed: 4 });
  put('Hopfield | weights', hopfield.weights());
  put('Hopfield | recall', recalled.state);
  put('Hopfield | energy trace', recalled.energyTrace);
  hopfield.dispose();

  const codes = [[1, 0, 0, 0, 1, 0, 0, 0], [0, 1, 0, 0, 0, 1, 0, 0], [0, 0, 1, 0, 0, 0, 1, 0], [0, 0, 0, 1, 0, 0, 0, 1]];
  const bm = new energy.BoltzmannMachine({ visible: 8, hidden: 2, seed: 7, backend });
  bm.fit(codes, { epochs: 40 });
  put('BoltzmannMachine | weights', bm.weights());
  put('BoltzmannMachine | samples', bm.sample(6));
  put('BoltzmannMachine | completion', bm.complete([1, 0, 0, 0, null, null, null, null]).activity);
  put('BoltzmannMachine | p(v), log Z, KL', [...bm.probabilities(), bm.logPartition(), bm.klDivergence(codes)]);
  bm.dispose();

  const data = binaryRows(40, 12, 2);
  const rbm = new energy.RBM({ visible: 12, hidden: 7, seed: 5, momentum: 0.5, sparsity: { target: 0.2, cost: 0.1 }, backend });
  rbm.fit(data, { epochs: 3, batchSize: 8, k: 2 });
  rbm.fit(data, { epochs: 2, batchSize: 8, persistent: true });
  put('RBM | weights', rbm.getWeights());
  put('RBM | transform', rbm.transform(data.slice(0, 5)));
  put('RBM | reconstruct', rbm.reconstruct(data.slice(0, 5)));
  put('RBM | sample', rbm.sample(3, { steps: 20, seed: 9 }).samples);
  put('RBM | free energy, pseudo-likelihood', [...rbm.freeEnergy(data.slice(0, 5)), ...rbm.pseudoLikelihood(data.slice(0, 5), { seed: 2 })]);
  put('RBM | log Z exact and AIS', [rbm.logPartition(), rbm.estimateLogPartition({ chains: 10, betas: 100, seed: 3 }).logZ]);
  rbm.dispose();

  const dbn = new energy.DBN({ layers: [12, 8, 5], seed: 6, backend });
  dbn.pretrain(data, { epochs: 2, batchSize: 10 });
  put('DBN | transform', dbn.transform(data.slice(0, 4)));
  put('DBN | sample', dbn.sample(2, { steps: 10, seed: 1 }));
  dbn.dispose();

  const dbm = new energy.DBM({ visible: 12, hidden: [6, 4], seed: 8, backend });
  dbm.pretrain(data, { epochs: 3, batchSize: 10 });
  dbm.fit(data, { epochs: 2, batchSize: 10, chains: 10 });
  const posterior = dbm.meanField(data.slice(0, 3));
  put('DBM | mean-field', [...posterior.h1, ...posterior.h2, posterior.change]);
  put('DBM | bound', dbm.variationalBound(data));
  put('DBM | sample', dbm.sample(2, { gibbsSteps: 10, seed: 4 }));
  dbm.dispose();
  return out;
}
