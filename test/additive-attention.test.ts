// Additive attention (assembly/attention.ts additive_scores_f32 + the softmax/context kernels,
// src/layers/additive-attention.ts): the f64 reference against central differences (the mask and
// the scale included), the kernels against the reference on both builds on awkward shapes (D around
// the 4-lane blocks; an all-masked row), SIMD = scalar bit for bit, the weights' invariants, and
// Keras's equations written with TF.js ops (TF.js 4.22's tf.layers has no AdditiveAttention layer,
// nor Attention), forward and gradients by tf.grads. Then the layer's options, weights and refusals.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { init } from '../src/engine/init.js';
import { AdditiveAttention } from '../src/layers/additive-attention.js';
import { additiveAttentionBackward, additiveAttentionForward } from '../src/reference/attention.js';
import { backendFor, BUILDS } from './helpers/backends.js';
import { expectSameBits, thrown } from './helpers/compare.js';
import { makeRandom } from './helpers/random.js';

beforeAll(async () => {
  await init();
  await tf.setBackend('cpu');
});

type M = number[][];
const matrix = (rows: number, cols: number, r: () => number): M => Array.from({ length: rows }, () => Array.from({ length: cols }, () => Math.fround(r() * 2 - 1)));
const flat = (ms: M[]): Float32Array => Float32Array.from(ms.flat(2));
const worst = (got: ArrayLike<number>, want: ArrayLike<number>): number => Array.from(want).reduce((w, x, i) => Math.max(w, Math.abs(got[i] - x)), 0);

const SHAPES = [
  { B: 1, Tq: 1, Tv: 1, D: 1, Dv: 1 },
  { B: 2, Tq: 3, Tv: 5, D: 4, Dv: 3 },
  { B: 3, Tq: 5, Tv: 7, D: 9, Dv: 2 },
  { B: 3, Tq: 2, Tv: 4, D: 17, Dv: 5 },
];

describe('additive attention reference', () => {
  it('its gradients equal central differences of Σ C⊙dC (with a mask, with and without a scale)', () => {
    const r = makeRandom(3);
    const [q, k, v, dC] = [matrix(3, 5, r), matrix(4, 5, r), matrix(4, 2, r), matrix(3, 2, r)];
    const scale = [0.9, -1.3, 0.4, 2, -0.7];
    const mask = [1, 0, 1, 1];
    for (const s of [scale, null]) {
      const loss = () => additiveAttentionForward(q, k, v, mask, s).context.reduce((sum, row, i) => sum + row.reduce((t, x, d) => t + x * dC[i][d], 0), 0);
      const { weights } = additiveAttentionForward(q, k, v, mask, s);
      const g = additiveAttentionBackward(q, k, v, weights, dC, s);
      let err = 0;
      const h = 1e-6;
      const check = (get: () => number, set: (x: number) => void, want: number): void => {
        const orig = get();
        set(orig + h);
        const up = loss();
        set(orig - h);
        const down = loss();
        set(orig);
        err = Math.max(err, Math.abs((up - down) / (2 * h) - want));
      };
      for (const [m, grad] of [[q, g.dQuery], [k, g.dKey], [v, g.dValue]] as const) {
        m.forEach((row, i) => row.forEach((_, d) => check(() => row[d], (x) => { row[d] = x; }, grad[i][d])));
      }
      if (s) s.forEach((_, d) => check(() => s[d], (x) => { s[d] = x; }, g.dScale[d]));
      expect(err).toBeLessThan(1e-8);
      // The masked key gets no gradient; weights are 0 there.
      expect(g.dKey[1].every((x) => x === 0)).toBe(true);
      weights.forEach((row) => expect(row[1]).toBe(0));
    }
  });
});

describe.each(BUILDS)('additive attention kernels ($name) vs the reference', ({ simd }) => {
  it.each(SHAPES)('B=$B Tq=$Tq Tv=$Tv D=$D Dv=$Dv, with a mask and without, with a scale and without', async ({ B, Tq, Tv, D, Dv }) => {
    const backend = await backendFor(simd);
    const r = makeRandom(B * 100 + Tv + D);
    const qs = Array.from({ length: B }, () => matrix(Tq, D, r));
    const ks = Array.from({ length: B }, () => matrix(Tv, D, r));
    const vs = Array.from({ length: B }, () => matrix(Tv, Dv, r));
    const dCs = Array.from({ length: B }, () => matrix(Tq, Dv, r));
    const scaleValues = Array.from({ length: D }, () => Math.fround(r() * 3 - 1.5));
    // Sample 0 keeps every step; sample 1 masks every other step; sample 2 masks them all.
    const masks = Array.from({ length: B }, (_, b) => Array.from({ length: Tv }, (_, j) => (b === 0 ? 1 : b === 1 ? (j % 2 === 0 ? 1 : 0) : 0)));
    for (const masked of [false, true]) {
      for (const useScale of [true, false]) {
        const layer = new AdditiveAttention({ useScale, backend });
        if (useScale) layer.setWeights({ scale: { data: Float32Array.from(scaleValues), shape: [D] } });
        const scale = useScale ? scaleValues : null;
        const valueMask = masked ? { data: Float32Array.from(masks.flat()), shape: [B, Tv] } : undefined;
        const out = layer.forward({ data: flat(qs), shape: [B, Tq, D] }, { data: flat(vs), shape: [B, Tv, Dv] }, { key: { data: flat(ks), shape: [B, Tv, D] }, valueMask });
        const grads = layer.backward(out.cache, { data: flat(dCs), shape: [B, Tq, Dv] });
        const dScale = new Array<number>(D).fill(0);
        for (let b = 0; b < B; b++) {
          const mask = masked ? masks[b] : null;
          const want = additiveAttentionForward(qs[b], ks[b], vs[b], mask, scale);
          const g = additiveAttentionBackward(qs[b], ks[b], vs[b], want.weights, dCs[b], scale);
          g.dScale.forEach((x, d) => { dScale[d] += x; });
          const slice = (t: { data: Float32Array }, n: number) => t.data.subarray(b * n, (b + 1) * n);
          // Scores are sums of ≤ 17 f32 terms scale·tanh (tanh within 2 ULP), |score| ≲ 17·1.5; the softmax
          // of scores of that size moves by ~|score|·2⁻²³ relative: 1e-5 on weights and outputs of order 1.
          expect(worst(slice(out.weights, Tq * Tv), want.weights.flat())).toBeLessThan(1e-5);
          expect(worst(slice(out.output, Tq * Dv), want.context.flat())).toBeLessThan(1e-5);
          // Gradients: f32 sums of ≤ Tv·(Tq) terms of order 1: 3e-5.
          expect(worst(slice(grads.dQuery, Tq * D), g.dQuery.flat())).toBeLessThan(3e-5);
          expect(worst(slice(grads.dKey!, Tv * D), g.dKey.flat())).toBeLessThan(3e-5);
          expect(worst(slice(grads.dValue, Tv * Dv), g.dValue.flat())).toBeLessThan(3e-5);
          // Each query step's weights: 0 on masked steps, summing to 1 (0 when every step is masked).
          for (let i = 0; i < Tq; i++) {
            const row = Array.from(out.weights.data.subarray((b * Tq + i) * Tv, (b * Tq + i + 1) * Tv));
            const live = mask ? mask.some((m) => m === 1) : true;
            expect(Math.abs(row.reduce((s, x) => s + x, 0) - (live ? 1 : 0))).toBeLessThan(1e-6);
            row.forEach((w, j) => { if (mask && mask[j] === 0) expect(w).toBe(0); });
          }
        }
        if (useScale) expect(worst(grads.dScale!.data, dScale)).toBeLessThan(5e-5);
        else expect(grads.dScale).toBeUndefined();
        layer.dispose();
      }
    }
  });
});

describe('AdditiveAttention layer', () => {
  it('SIMD = scalar bit for bit (D = 4·k + 3: vector body and tail); without a key the values are the keys and get both gradients', async () => {
    const r = makeRandom(9);
    const q = { data: flat([matrix(4, 11, r), matrix(4, 11, r)]), shape: [2, 4, 11] };
    const v = { data: flat([matrix(6, 11, r), matrix(6, 11, r)]), shape: [2, 6, 11] };
    const dC = { data: flat([matrix(4, 11, r), matrix(4, 11, r)]), shape: [2, 4, 11] };
    const runs = await Promise.all([true, false].map(async (simd) => {
      const layer = new AdditiveAttention({ seed: 4, backend: await backendFor(simd) });
      const out = layer.forward(q, v);
      const g = layer.backward(out.cache, dC);
      const keyed = layer.forward(q, v, { key: v });
      const gk = layer.backward(keyed.cache, dC);
      layer.dispose();
      return { out, g, gk };
    }));
    expectSameBits('output', runs[0].out.output.data, runs[1].out.output.data);
    expectSameBits('weights', runs[0].out.weights.data, runs[1].out.weights.data);
    expectSameBits('dQuery', runs[0].g.dQuery.data, runs[1].g.dQuery.data);
    expectSameBits('dValue', runs[0].g.dValue.data, runs[1].g.dValue.data);
    expectSameBits('dScale', runs[0].g.dScale!.data, runs[1].g.dScale!.data);
    const { g, gk } = runs[0];
    expect(g.dKey).toBeUndefined();
    g.dValue.data.forEach((x, i) => expect(x).toBeCloseTo(gk.dValue.data[i] + gk.dKey!.data[i], 6));
  });

  it("equals Keras's equations written with TF.js ops (forward; gradients by tf.grads), masked steps as Keras masks them", async () => {
    const B = 2, Tq = 3, Tv = 5, D = 6, Dv = 4;
    const r = makeRandom(21);
    const qd = flat([matrix(Tq, D, r), matrix(Tq, D, r)]);
    const kd = flat([matrix(Tv, D, r), matrix(Tv, D, r)]);
    const vd = flat([matrix(Tv, Dv, r), matrix(Tv, Dv, r)]);
    const dCd = flat([matrix(Tq, Dv, r), matrix(Tq, Dv, r)]);
    const maskd = Float32Array.of(1, 1, 0, 1, 0, 1, 0, 1, 1, 1); // every row has a real step (Keras gives an all-masked row uniform weights)
    const layer = new AdditiveAttention({ seed: 11 });
    const out = layer.forward({ data: qd, shape: [B, Tq, D] }, { data: vd, shape: [B, Tv, Dv] }, { key: { data: kd, shape: [B, Tv, D] }, valueMask: { data: maskd, shape: [B, Tv] } });
    const grads = layer.backward(out.cache, { data: dCd, shape: [B, Tq, Dv] });
    const scaled = layer.getWeights().scale.data;
    // Keras: scores = reduce_sum(scale * tanh(expand_dims(q, -2) + expand_dims(k, -3)), -1); masked
    // scores −= 1e9; softmax over the last axis; matmul(distribution, value).
    const mask = tf.tensor2d(maskd, [B, Tv]).reshape([B, 1, Tv]);
    const keras = (q: tf.Tensor, k: tf.Tensor, v: tf.Tensor, s: tf.Tensor) => {
      const scores = tf.sum(tf.mul(s, tf.tanh(tf.add(tf.expandDims(q, 2), tf.expandDims(k, 1)))), -1);
      const distribution = tf.softmax(tf.sub(scores, tf.mul(tf.sub(1, mask), 1e9)));
      return { distribution, context: tf.matMul(distribution, v) };
    };
    const [q, k, v, s, dC] = [tf.tensor3d(qd, [B, Tq, D]), tf.tensor3d(kd, [B, Tv, D]), tf.tensor3d(vd, [B, Tv, Dv]), tf.tensor1d(scaled), tf.tensor3d(dCd, [B, Tq, Dv])];
    const want = keras(q, k, v, s);
    const tfGrads = tf.grads((a, b, c, d) => tf.sum(tf.mul(keras(a as tf.Tensor3D, b as tf.Tensor3D, c as tf.Tensor3D, d as tf.Tensor1D).context, dC)))([q, k, v, s]);
    // Both f32 with different tanh/exp implementations and sum orders: 2e-5 absolute on values of order 1.
    expect(worst(out.weights.data, await want.distribution.data())).toBeLessThan(2e-5);
    expect(worst(out.output.data, await want.context.data())).toBeLessThan(2e-5);
    expect(worst(grads.dQuery.data, await tfGrads[0].data())).toBeLessThan(5e-5);
    expect(worst(grads.dKey!.data, await tfGrads[1].data())).toBeLessThan(5e-5);
    expect(worst(grads.dValue.data, await tfGrads[2].data())).toBeLessThan(5e-5);
    expect(worst(grads.dScale!.data, await tfGrads[3].data())).toBeLessThan(5e-5);
    tf.dispose([q, k, v, s, dC, mask, want.distribution, want.context, ...tfGrads]);
    layer.dispose();
  });

  it("builds the scale at the first forward as Keras's glorot_uniform (|s| ≤ √(3/D)), seeded; options.features builds it at once; useScale false has no weights", () => {
    const q = { data: new Float32Array(2 * 3 * 12).map((_, i) => Math.sin(i)), shape: [2, 3, 12] };
    const a = new AdditiveAttention({ seed: 5 });
    expect(a.features).toBe(0);
    expect(thrown(() => a.getWeights()).message).toBe('AdditiveAttention.getWeights: the scale is built at the first forward (or give options.features), and neither has happened');
    const first = a.forward(q, q);
    const scale = a.getWeights().scale;
    expect(scale.shape).toEqual([12]);
    expect(Math.max(...scale.data.map(Math.abs))).toBeLessThanOrEqual(Math.sqrt(3 / 12));
    expect(new Set(scale.data).size).toBe(12);
    const b = new AdditiveAttention({ seed: 5, features: 12 });
    expectSameBits('same seed, same scale', b.getWeights().scale.data, scale.data);
    expectSameBits('same output', b.forward(q, q).output.data, first.output.data);
    expect(new AdditiveAttention({ seed: 6, features: 12 }).getWeights().scale.data).not.toEqual(scale.data);
    // A scale of ones is useScale: false.
    const plain = new AdditiveAttention({ useScale: false });
    expect(plain.getWeights()).toEqual({});
    b.setWeights({ scale: { data: new Float32Array(12).fill(1), shape: [12] } });
    expectSameBits('ones = no scale', b.forward(q, q).output.data, plain.forward(q, q).output.data);
    for (const layer of [a, b, plain]) layer.dispose();
  });

  it('refuses bad input, naming the argument, and changes nothing; a stale cache is refused', () => {
    const layer = new AdditiveAttention({ features: 4 });
    const before = layer.getWeights().scale.data;
    const q = { data: new Float32Array(2 * 3 * 4), shape: [2, 3, 4] };
    const v = { data: new Float32Array(2 * 5 * 4), shape: [2, 5, 4] };
    expect(thrown(() => layer.forward(q, { data: new Float32Array(2 * 5 * 3), shape: [2, 5, 3] })).message).toBe('AdditiveAttention.forward: without options.key the values are the keys, so they need the query\'s 4 features, got 3');
    expect(thrown(() => layer.forward(q, v, { valueMask: { data: Float32Array.of(1, 1, 2, 1, 1, 1, 1, 1, 1, 1), shape: [2, 5] } })).message).toBe('AdditiveAttention.forward: options.valueMask[0][2] is 2; a mask holds 0 (padding) and 1 (real step)');
    expect(thrown(() => layer.forward({ data: new Float32Array(2 * 3 * 5), shape: [2, 3, 5] }, v)).message).toBe("AdditiveAttention.forward: query has 5 features; this layer's scale was built for 4");
    expect(thrown(() => layer.setWeights({ scale: { data: new Float32Array(5), shape: [5] } })).message).toMatch(/^AdditiveAttention.setWeights: weights.scale/);
    expect(thrown(() => new AdditiveAttention({ useScale: 1 as unknown as boolean })).message).toBe('AdditiveAttention: options.useScale must be a boolean, got 1');
    expect(thrown(() => new AdditiveAttention({ features: 0 })).message).toMatch(/^AdditiveAttention: options.features/);
    expect(thrown(() => new AdditiveAttention({ useScale: false }).setWeights({ scale: { data: new Float32Array(4), shape: [4] } })).message).toBe('AdditiveAttention.setWeights: this layer has no weights (useScale: false)');
    expectSameBits('scale unchanged', layer.getWeights().scale.data, before);
    const first = layer.forward(q, v);
    layer.forward(q, v);
    expect(thrown(() => layer.backward(first.cache, { data: new Float32Array(2 * 3 * 4), shape: [2, 3, 4] })).message).toMatch(/^AdditiveAttention.backward: the cache is not from this layer's last forward/);
    layer.dispose();
    expect(thrown(() => layer.forward(q, v)).message).toBe('AdditiveAttention.forward: this AdditiveAttention was disposed');
  });
});
