// Sizes are checked in exact integer arithmetic before anything is rounded or
// allocated (src/engine/sizes.ts): a request of 2³¹ floats or more never wraps to
// a small buffer, it is a RangeError naming the argument and the size in elements
// and bytes, and the backend (and every other model in it) is unchanged afterwards.
import { beforeAll, describe, expect, it } from 'vitest';
import { checkBlock, layoutBlock, MAX_ALLOC_BYTES, MAX_ALLOC_FLOATS, roundUp4, sizeProduct } from '../src/engine/sizes.js';
import { Backend } from '../src/engine/backend.js';
import { withOperands } from '../src/kernels/operands.js';
import { defaultBackend, init } from '../src/engine/init.js';
import { Dense } from '../src/layers/dense.js';
import { Embedding } from '../src/layers/embedding.js';
import { GRU } from '../src/layers/gru.js';
import { LSTM } from '../src/layers/lstm.js';
import { SimpleRNN } from '../src/layers/simple-rnn.js';
import { Sequential } from '../src/models/sequential.js';
import { SizeError } from '../src/engine/sizes.js';
import { EchoStateNetwork } from '../src/esn/esn.js';

const LIMIT = "more than one block of linear memory holds (at most 1073741808 bytes = 268435452 floats: the allocator's largest block is 2³⁰ − 16 bytes)";

beforeAll(async () => {
  await init();
});

/** A small model whose predictions must not change when another call in the same backend fails. */
function witness(): { predict: () => Float32Array } {
  const model = new Sequential({ inputSize: 3, seed: 5, layers: [new LSTM({ units: 6, returnSequences: true }), new Dense({ units: 2 })] });
  const x = { data: Float32Array.from({ length: 2 * 4 * 3 }, (_, i) => Math.sin(i)), shape: [2, 4, 3] };
  return { predict: () => model.predict(x).data };
}

describe('the size helper', () => {
  it('states the limit: 2³⁰ − 16 bytes per block', () => {
    expect(MAX_ALLOC_BYTES).toBe(1073741808);
    expect(MAX_ALLOC_FLOATS).toBe(268435452);
    expect(checkBlock('f', 'x', MAX_ALLOC_FLOATS)).toBe(MAX_ALLOC_FLOATS);
    expect(() => checkBlock('f', 'x', MAX_ALLOC_FLOATS + 1)).toThrow(`f: x needs 268435453 floats (1073741812 bytes), ${LIMIT}`);
  });

  it('multiplies and rounds exactly, never in 32 bits', () => {
    expect(sizeProduct(65536, 32768)).toBe(2n ** 31n);
    expect(sizeProduct(1e9, 4, 1e9)).toBe(4000000000000000000n); // beyond 2⁵³: still exact
    expect(roundUp4(2 ** 31 + 1)).toBe(2n ** 31n + 4n); // (2³¹ + 1 + 3) & ~3 would be −2³¹
    expect(() => layoutBlock('f', 'x', [4, 2 ** 31])).toThrow(`f: x needs 2147483652 floats (8589934608 bytes), ${LIMIT}`);
    expect(() => checkBlock('f', 'x', 2n ** 31n, 'f64 values')).toThrow(
      "f: x needs 2147483648 f64 values (17179869184 bytes), more than one block of linear memory holds (at most 1073741808 bytes = 134217726 f64 values: the allocator's largest block is 2³⁰ − 16 bytes)",
    );
    expect(layoutBlock('f', 'x', [1, 5, 0, 4])).toEqual({ offsets: [0, 4, 12, 12], total: 16 });
  });
});

describe('allocation paths refuse sizes one block cannot hold', () => {
  it('Backend.allocF32 and Backend.alloc, and the backend still works', async () => {
    const backend = await Backend.create();
    expect(() => backend.allocF32(2 ** 31)).toThrow(`Backend.allocF32: length needs 2147483648 floats (8589934592 bytes), ${LIMIT}`);
    expect(() => backend.allocF32(3e9)).toThrow(RangeError);
    expect(() => backend.alloc(2 ** 32 + 16)).toThrow(
      "Backend.alloc: bytes 4294967312 is more than one block of linear memory holds (at most 1073741808 bytes: the allocator's largest block is 2³⁰ − 16 bytes)",
    );
    expect(Array.from(backend.fromArray([1, 2, 3]).read())).toEqual([1, 2, 3]);
  });

  it('layer constructors: weights too large are refused before anything is drawn', () => {
    const w = witness();
    const before = w.predict();
    expect(() => new LSTM({ inputSize: 1e9, units: 8 })).toThrow(
      `LSTM: the weights for inputSize 1000000000 and units 8 needs 32000000288 floats (128000001152 bytes), ${LIMIT}`,
    );
    // weight [65536, 32768] is exactly 2³¹ floats: the old (n + 3) & ~3 made the slab 4 floats long.
    expect(() => new Dense({ inputSize: 65536, units: 32768 })).toThrow(
      `Dense: the weights for inputSize 65536 and units 32768 needs 2147516416 floats (8590065664 bytes), ${LIMIT}`,
    );
    expect(() => new GRU({ inputSize: 4, units: 40000 })).toThrow(/^GRU: the weights for inputSize 4 and units 40000 needs \d+ floats/);
    expect(() => new SimpleRNN({ inputSize: 1, units: 2 ** 20 })).toThrow(RangeError);
    expect(() => new Embedding({ vocabSize: 2 ** 20, units: 2 ** 11, seed: 1 })).toThrow(
      `Embedding: the table for vocabSize 1048576 and units 2048 needs 2147483648 floats (8589934592 bytes), ${LIMIT}`,
    );
    expect(w.predict()).toEqual(before);
  });

  it('integer options above 2³¹ − 1 name the largest value allowed', () => {
    expect(() => new LSTM({ inputSize: 3000000000, units: 8 })).toThrow('LSTM: options.inputSize must be in [1, 2147483647], got 3000000000');
    expect(() => new Dense({ units: 2 ** 31 })).toThrow('Dense: options.units must be in [1, 2147483647], got 2147483648');
    expect(() => new Dense({ units: 0 })).toThrow('Dense: options.units must be ≥ 1, got 0');
  });

  it('a model whose layer is too large: the layer stays unbuilt', () => {
    const dense = new Dense({ units: 32768 });
    expect(() => new Sequential({ inputSize: 65536, layers: [dense] })).toThrow(
      `Dense: the weights for inputSize 65536 and units 32768 needs 2147516416 floats (8590065664 bytes), ${LIMIT}`,
    );
    expect(dense.built).toBe(false);
    expect(dense.inputSize).toBe(0);
  });

  it('a workspace of 2³¹ floats or more (batch × steps × units) fails cleanly; other models keep their bits', () => {
    const w = witness();
    const before = w.predict();
    const rnn = new SimpleRNN({ inputSize: 1, units: 256, seed: 1 });
    const small = { data: new Float32Array(2 * 3).fill(0.5), shape: [2, 3, 1] };
    const first = rnn.forward(small);
    const weights = rnn.getWeights();
    // hAll alone is (T + 1)·B·H = 2049·4096·256 > 2³¹ floats.
    const x = { data: new Float32Array(4096 * 2048).fill(0.1), shape: [4096, 2048, 1] };
    expect(() => rnn.forward(x)).toThrow(
      `SimpleRNN.forward: the workspace for a batch of 4096 sequences × 2048 time steps (inputSize 1, units 256) needs 6471876608 floats (25887506432 bytes), ${LIMIT}`,
    );
    expect(w.predict()).toEqual(before);
    expect(rnn.getWeights()).toEqual(weights);
    // The cache of the forward before the failed call is still valid, and the layer still works.
    expect(() => rnn.backward(first.cache, { dOutput: { data: new Float32Array(2 * 3 * 256).fill(1), shape: [2, 3, 256] } })).not.toThrow();
    expect(rnn.forward(small).output).toEqual(first.output);
  });

  it('Float32Array operands staged for a kernel are checked before the first is allocated', () => {
    const w = witness();
    const before = w.predict();
    // The kernel wrappers compute spans from validated shapes; here one span is beyond a block.
    let ran = false;
    expect(() =>
      withOperands(defaultBackend(), [
        { name: 'c', value: new Float32Array(4), offset: 0, span: 4, output: true },
        { name: 'a', value: new Float32Array(4), offset: 0, span: 2 ** 31, output: false },
      ], () => (ran = true), 'gemm'),
    ).toThrow(`gemm: a (a Float32Array staged in linear memory) needs 2147483648 floats (8589934592 bytes), ${LIMIT}`);
    expect(ran).toBe(false);
    expect(w.predict()).toEqual(before);
  });

  it('an ESN whose reservoir cannot fit is refused up front', () => {
    const start = performance.now();
    expect(() => new EchoStateNetwork({ inputSize: 1, units: 20000, density: 0.5 })).toThrow(
      `EchoStateNetwork: the dense reservoir W [units, units] for units 20000 (density 0.5 ≥ 0.35 is stored dense) needs 400000000 floats (1600000000 bytes), ${LIMIT}`,
    );
    expect(() => new EchoStateNetwork({ inputSize: 1, units: 32768, density: 0.3 })).toThrow(
      `EchoStateNetwork: the sparse reservoir W for units 32768 and density 0.3 needs 322109440 floats (1288437760 bytes), ${LIMIT}`,
    );
    expect(() => new EchoStateNetwork({ inputSize: 10000, units: 30000, density: 0.01 })).toThrow(
      `EchoStateNetwork: W_in [inputSize, units] for inputSize 10000 and units 30000 needs 300000000 floats (1200000000 bytes), ${LIMIT}`,
    );
    expect(performance.now() - start).toBeLessThan(1000); // refused before generation, not after it
  });

  it('an ESN readout too large for one block is refused before fit changes anything', () => {
    const esn = new EchoStateNetwork({ inputSize: 1, units: 12000, density: 0.001, spectralRadius: 0, seed: 3 });
    const u = { data: new Float32Array(20).fill(0.2), shape: [20, 1] };
    esn.run(u);
    const state = esn.state;
    expect(() => esn.fit(u, u)).toThrow(
      "EchoStateNetwork.fit: XᵀX [F, F] for F = 1 + inputSize + units = 12002 features needs 144048004 f64 values (1152384032 bytes), more than one block of linear memory holds (at most 1073741808 bytes = 134217726 f64 values: the allocator's largest block is 2³⁰ − 16 bytes)",
    );
    expect(() => esn.fitOnline(u, u)).toThrow(
      'EchoStateNetwork.fitOnline: the RLS matrix P [F, F] for F = 1 + inputSize + units = 12002 features needs 144048004 f64 values (1152384032 bytes)',
    );
    expect(esn.state).toEqual(state);
    expect(esn.trained).toBe(false);
    esn.dispose();
  });
});

describe('batches too large for linear memory', () => {
  // A word-level model: a 32k-token softmax head over 44 steps. A batch of 64 needs a head
  // workspace of 3 × 64·44·32768 ≈ 277 M floats, more than one block holds (268 M).
  it('predict and evaluate halve their default batch until it fits; an explicit one that cannot fit says so', async () => {
    const backend = await Backend.create();
    const V = 32768;
    const model = new Sequential({ seed: 1, layers: [new Embedding({ vocabSize: V, units: 4, backend }), new GRU({ units: 4, returnSequences: true, backend }), new Dense({ units: V, activation: 'softmax', backend })] });
    const other = new Sequential({ inputSize: 1, seed: 2, layers: [new LSTM({ units: 2, backend }), new Dense({ units: 1, backend })] });
    const before = other.predict([[[0.5]]]).data;
    const x = Array.from({ length: 64 }, (_, i) => Array.from({ length: 44 }, (_, t) => (i * 131 + t * 7) % V));
    expect(() => model.predict(x, { batchSize: 64 })).toThrow(SizeError);
    expect(() => model.predict(x, { batchSize: 64 })).toThrow(/^Sequential\.predict: a batch of 64 samples does not fit \(give a smaller options\.batchSize\): Dense: /);
    const out = model.predict(x); // default: 64 does not fit, 32 does
    expect(out.shape).toEqual([64, 44, V]);
    const row = out.data.subarray(0, V);
    expect(row.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 4);
    // The halved batches give what batches of 32 give.
    expect(Array.from(model.predict(x.slice(32), { batchSize: 32 }).data.subarray(0, V))).toEqual(Array.from(out.data.subarray(32 * 44 * V, 32 * 44 * V + V)));
    model.compile({ loss: 'crossEntropy' });
    expect(Number.isFinite(model.evaluate(x, x).loss)).toBe(true);
    expect(other.predict([[[0.5]]]).data).toEqual(before);
    model.dispose();
    other.dispose();
  });
});
