// Threads (issue #16): a backend with a pool of workers over a shared memory gives the same bits
// as one thread, for every recurrent layer's forward and backward and for a whole fit; falls back to
// one thread with the reason when the engine cannot; leaves no worker running; and a failure in a
// worker is an ordinary error on the calling side, with the model unchanged.
import { spawnSync } from 'node:child_process';
import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { Backend } from '../src/engine/backend.js';
import { LSTM } from '../src/layers/lstm.js';
import { GRU } from '../src/layers/gru.js';
import { SimpleRNN } from '../src/layers/simple-rnn.js';
import { Dense } from '../src/layers/dense.js';
import { Sequential } from '../src/models/sequential.js';
import type { RecurrentLayer } from '../src/layers/recurrent.js';
import { shardPlan, SPLIT_MIN_WORK } from '../src/layers/shards.js';
import { expectSameBits, thrown } from './helpers/compare.js';
import { randomFloat32 } from './helpers/random.js';

const COUNTS = [1, 2, 3] as const;
let backends: Backend[] = [];

beforeAll(async () => {
  backends = await Promise.all(COUNTS.map((threads) => Backend.create({ threads })));
});

afterAll(() => {
  for (const backend of backends) backend.dispose();
});

describe('the shard plan', () => {
  it('depends only on the problem size: near-equal shards of about 16 rows that cover the batch in order; two for 8–31 rows of enough work', () => {
    const big = SPLIT_MIN_WORK, small = SPLIT_MIN_WORK - 1;
    expect(shardPlan(1, big)).toEqual([{ start: 0, rows: 1 }]);
    expect(shardPlan(7, big)).toEqual([{ start: 0, rows: 7 }]);
    expect(shardPlan(8, big)).toEqual([{ start: 0, rows: 4 }, { start: 4, rows: 4 }]);
    expect(shardPlan(31, big)).toEqual([{ start: 0, rows: 16 }, { start: 16, rows: 15 }]);
    expect(shardPlan(31, small)).toEqual([{ start: 0, rows: 31 }]);
    expect(shardPlan(32, small)).toEqual([{ start: 0, rows: 16 }, { start: 16, rows: 16 }]);
    expect(shardPlan(37, big)).toEqual([{ start: 0, rows: 19 }, { start: 19, rows: 18 }]);
    const plan = shardPlan(1000, big);
    expect(plan.length).toBe(16);
    expect(plan.reduce((sum, s) => sum + s.rows, 0)).toBe(1000);
    plan.forEach((s, k) => expect(s.start).toBe(k === 0 ? 0 : plan[k - 1].start + plan[k - 1].rows));
  });
});

describe('backends with threads', () => {
  it('run 1, 2 and 3 threads as asked (Node has worker_threads and SharedArrayBuffer)', () => {
    expect(backends.map((b) => b.threads)).toEqual([
      { count: 1, requested: 1, reason: null },
      { count: 2, requested: 2, reason: null },
      { count: 3, requested: 3, reason: null },
    ]);
  });
});

// Two sizes: B = 37, T = 5 (two batch shards of 19 and 18 rows, ragged against the SIMD width,
// the weight phase in one part) and B = 12, T = 40, I = 33, H = 41 (T·B·H·(I + H) ≥
// SPLIT_MIN_WORK: two shards of 6 rows, the weight phase in one part per thread, column and row
// cuts ragged against the GEMM tile). Both with and without a mask.
const SIZES = [
  { B: 37, T: 5, I: 7, H: 9 },
  { B: 12, T: 40, I: 33, H: 41 },
].map(({ B, T, I, H }) => ({
  B, T, I, H,
  x: { data: randomFloat32(B * T * I, 1), shape: [B, T, I] },
  dOutput: { data: randomFloat32(B * T * H, 2), shape: [B, T, H] },
  dFinal: randomFloat32(B * H, 3),
  lengths: Array.from({ length: B }, (_, b) => 1 + ((b * 3) % T)),
}));
type Size = (typeof SIZES)[number];

const LAYERS: Array<{ name: string; make: (backend: Backend, I: number, H: number) => RecurrentLayer }> = [
  { name: 'LSTM standard', make: (backend, I, H) => new LSTM({ inputSize: I, units: H, seed: 5, backend }) },
  { name: 'LSTM coupled hardSigmoid', make: (backend, I, H) => new LSTM({ inputSize: I, units: H, seed: 5, backend, variant: 'coupled', gateActivation: 'hardSigmoid' }) },
  { name: 'LSTM peephole (not sharded)', make: (backend, I, H) => new LSTM({ inputSize: I, units: H, seed: 5, backend, variant: 'peephole' }) },
  { name: 'GRU resetAfter', make: (backend, I, H) => new GRU({ inputSize: I, units: H, seed: 5, backend }) },
  { name: 'GRU resetBefore', make: (backend, I, H) => new GRU({ inputSize: I, units: H, seed: 5, backend, variant: 'resetBefore' }) },
  { name: 'SimpleRNN tanh', make: (backend, I, H) => new SimpleRNN({ inputSize: I, units: H, seed: 5, backend }) },
  { name: 'SimpleRNN residual relu', make: (backend, I, H) => new SimpleRNN({ inputSize: I, units: H, seed: 5, backend, variant: 'residual', activation: 'relu' }) },
  { name: 'SimpleRNN diagonal (not sharded)', make: (backend, I, H) => new SimpleRNN({ inputSize: I, units: H, seed: 5, backend, variant: 'diagonal' }) },
];

/** Every number forward and backward give, by name. */
function run(layer: RecurrentLayer, size: Size, masked: boolean): Map<string, Float32Array> {
  const { B, H, x, dOutput, dFinal, lengths } = size;
  const out = new Map<string, Float32Array>();
  const forward = layer.forward(x, masked ? { lengths } : {});
  out.set('output', forward.output.data);
  for (const [k, v] of Object.entries(forward.finalState)) out.set(`finalState.${k}`, v.data);
  const dFinalState = Object.fromEntries(Object.keys(forward.finalState).map((k) => [k, { data: dFinal, shape: [B, H] }]));
  const backward = layer.backward(forward.cache, { dOutput, dFinalState });
  out.set('dInput', backward.dInput.data);
  for (const [k, v] of Object.entries(backward.dInitialState)) out.set(`dInitialState.${k}`, v.data);
  for (const [k, v] of Object.entries(backward.dWeights)) out.set(`dWeights.${k}`, v.data);
  return out;
}

describe.each(LAYERS)('$name: 1, 2 and 3 threads give the same bits', ({ make }) => {
  it.each(SIZES.flatMap((size) => [false, true].map((masked) => ({ size, masked }))))('forward and backward (B $size.B, T $size.T, masked $masked)', ({ size, masked }) => {
    const results = backends.map((backend) => {
      const layer = make(backend, size.I, size.H);
      try {
        return run(layer, size, masked);
      } finally {
        layer.dispose();
      }
    });
    expect(results[0].size).toBeGreaterThanOrEqual(6);
    for (let k = 1; k < results.length; k++) {
      for (const [name, want] of results[0]) expectSameBits(`${COUNTS[k]} threads: ${name}`, results[k].get(name)!, want);
    }
  });
});

describe('a whole fit', () => {
  it('gives the same parameters and losses on 1, 2 and 3 threads (LSTM → GRU → Dense, B = 40, Adam, 3 epochs)', async () => {
    const N = 80;
    const xs = { data: randomFloat32(N * 6 * 3, 7), shape: [N, 6, 3] };
    const ys = { data: randomFloat32(N * 2, 8), shape: [N, 2] };
    const results = [];
    for (const backend of backends) {
      const model = new Sequential({
        inputSize: 3, seed: 11,
        layers: [new LSTM({ units: 8, returnSequences: true, backend }), new GRU({ units: 6, backend }), new Dense({ units: 2, backend })],
      });
      model.compile({ loss: 'mse', optimizer: 'adam' });
      const history = await model.fit(xs, ys, { epochs: 3, batchSize: 40 });
      results.push({ parameters: model.getParameters(), loss: Float32Array.from(history.loss) });
      model.dispose();
    }
    for (let k = 1; k < results.length; k++) {
      expectSameBits(`${COUNTS[k]} threads: loss`, results[k].loss, results[0].loss);
      expectSameBits(`${COUNTS[k]} threads: parameters`, results[k].parameters, results[0].parameters);
    }
  });
});

describe('falling back to one thread', () => {
  it('without SharedArrayBuffer: backend.threads says why, and the backend computes', async () => {
    vi.stubGlobal('SharedArrayBuffer', undefined);
    try {
      const backend = await Backend.create({ threads: 2 });
      expect(backend.threads).toEqual({ count: 1, requested: 2, reason: 'SharedArrayBuffer is not available in this JavaScript engine' });
      const layer = new LSTM({ inputSize: 2, units: 3, backend });
      expect(layer.forward({ data: new Float32Array(2 * 4 * 2).fill(0.5), shape: [2, 4, 2] }).output.shape).toEqual([2, 4, 3]);
      layer.dispose();
      backend.dispose();
    } finally {
      vi.unstubAllGlobals();
    }
  });

  it('on a page that is not cross-origin isolated: the reason names the two headers', async () => {
    vi.stubGlobal('crossOriginIsolated', false);
    try {
      const backend = await Backend.create({ threads: 'auto' });
      expect(backend.threads.count).toBe(1);
      expect(backend.threads.reason).toBe(
        'the page is not cross-origin isolated (serve it with the headers Cross-Origin-Opener-Policy: same-origin and Cross-Origin-Embedder-Policy: require-corp)',
      );
      backend.dispose();
    } finally {
      vi.unstubAllGlobals();
    }
  });

  it("'auto' asks for the available cores; 1 thread (the default) starts no pool", async () => {
    const { availableParallelism } = await import('node:os');
    const auto = await Backend.create({ threads: 'auto' });
    expect(auto.threads.requested).toBe(availableParallelism());
    auto.dispose();
    const one = await Backend.create();
    expect(one.threads).toEqual({ count: 1, requested: 1, reason: null });
    expect(thrown(() => one.injectThreadFault(0)).message).toBe('internal: injectThreadFault needs a backend with threads');
    one.dispose();
  });

  it('refuses a thread count that is not a whole number in [1, 64], and threads with the scalar build', async () => {
    await expect(Backend.create({ threads: 0 })).rejects.toThrow(new RangeError('Backend.create: options.threads must be in [1, 64], got 0'));
    await expect(Backend.create({ threads: 65 })).rejects.toThrow(new RangeError('Backend.create: options.threads must be in [1, 64], got 65'));
    await expect(Backend.create({ threads: 2.5 })).rejects.toThrow(new RangeError('Backend.create: options.threads must be an integer, got 2.5'));
    await expect(Backend.create({ threads: 'all' as unknown as number })).rejects.toThrow(new TypeError('Backend.create: options.threads must be an integer, got "all"'));
    await expect(Backend.create({ threads: 2, simd: false })).rejects.toThrow(new RangeError('Backend.create: options.threads 2 needs the SIMD build, but options.simd is false'));
  });
});

describe('errors inside a worker', () => {
  it('surface as an ordinary Error on the calling side; the layer and the model are unchanged and keep working', async () => {
    const backend = backends[2];
    const N = 40;
    const xs = { data: randomFloat32(N * 4 * 3, 9), shape: [N, 4, 3] };
    const ys = { data: randomFloat32(N * 2, 10), shape: [N, 2] };
    const model = new Sequential({ inputSize: 3, seed: 2, layers: [new LSTM({ units: 5, backend }), new Dense({ units: 2, backend })] });
    model.compile({ loss: 'mse', optimizer: 'sgd' });
    const before = model.getParameters();
    const predicted = model.predict(xs).data;
    backend.injectThreadFault(1);
    await expect(model.fit(xs, ys, { epochs: 1, batchSize: N })).rejects.toThrow(/^rnn-wasm: a (worker thread|shard) failed/);
    expectSameBits('parameters after the failed fit', model.getParameters(), before);
    backend.injectThreadFault(0);
    expect(() => model.predict(xs)).toThrow(/^rnn-wasm: a (worker thread|shard) failed/);
    expectSameBits('predict after the failures', model.predict(xs).data, predicted);
    await model.fit(xs, ys, { epochs: 1, batchSize: N });
    expect(model.getParameters()).not.toEqual(before);
    model.dispose();
  });
});

describe('no worker outlives its backend', () => {
  const dir = mkdtempSync(join(tmpdir(), 'rnn-wasm-threads-'));
  const entry = new URL('../src/index.ts', import.meta.url).pathname;
  const script = (dispose: boolean) => `
    import { init, Sequential, LSTM, Dense } from ${JSON.stringify(entry)};
    const backend = await init({ threads: 2 });
    if (backend.threads.count !== 2) throw new Error('no threads: ' + backend.threads.reason);
    const model = new Sequential({ inputSize: 2, layers: [new LSTM({ units: 4 }), new Dense({ units: 1 })] });
    model.compile({ loss: 'mse', optimizer: 'sgd' });
    const N = 64;
    await model.fit({ data: new Float32Array(N * 3 * 2).fill(0.25), shape: [N, 3, 2] }, { data: new Float32Array(N).fill(1), shape: [N, 1] }, { epochs: 1, batchSize: N });
    ${dispose ? 'model.dispose(); backend.dispose();' : ''}
    console.log('done');
  `;
  it.each([true, false])('a Node process that used threads: 2 exits by itself (disposed %s)', (dispose) => {
    const file = join(dir, `threads-${dispose}.mts`);
    writeFileSync(file, script(dispose));
    const child = spawnSync(process.execPath, ['--import', 'tsx', file], { encoding: 'utf8', timeout: 60_000, cwd: new URL('..', import.meta.url).pathname });
    expect(child.error).toBeUndefined(); // a timeout (a worker keeping the process alive) is an error here
    expect(child.stderr).toBe('');
    expect(child.stdout.trim()).toBe('done');
    expect(child.status).toBe(0);
  });
});
