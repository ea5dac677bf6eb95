// Dot-product attention (assembly/attention.ts, src/layers/attention.ts): the f64 reference against
// central differences, the kernels against the reference on both builds (SIMD = scalar bit for bit)
// on awkward shapes with masks (an all-masked row included), the weights' invariants, the layer's
// key-less call (the values are the keys: both gradients reach them), and the refusals.
import { beforeAll, describe, expect, it } from 'vitest';
import { init } from '../src/engine/init.js';
import { Attention } from '../src/layers/attention.js';
import { attentionBackward, attentionForward } from '../src/reference/attention.js';
import { backendFor, BUILDS } from './helpers/backends.js';
import { expectSameBits, thrown } from './helpers/compare.js';
import { makeRandom } from './helpers/random.js';

beforeAll(async () => {
  await init();
});

type M = number[][];
const matrix = (rows: number, cols: number, r: () => number): M => Array.from({ length: rows }, () => Array.from({ length: cols }, () => Math.fround(r() * 2 - 1)));
const flat = (ms: M[]): Float32Array => Float32Array.from(ms.flat(2));
const worst = (got: ArrayLike<number>, want: ArrayLike<number>): number => Array.from(want).reduce((w, x, i) => Math.max(w, Math.abs(got[i] - x)), 0);

const SHAPES = [
  { B: 1, Tq: 1, Tv: 1, D: 1, Dv: 1 },
  { B: 2, Tq: 3, Tv: 5, D: 4, Dv: 3 },
  { B: 3, Tq: 5, Tv: 7, D: 5, Dv: 9 },
];

describe('attention reference', () => {
  it('its gradients equal central differences of Σ C⊙dC (with a mask)', () => {
    const r = makeRandom(3);
    const [q, k, v, dC] = [matrix(3, 4, r), matrix(5, 4, r), matrix(5, 2, r), matrix(3, 2, r)];
    const mask = [1, 0, 1, 1, 0];
    const loss = (qq: M, kk: M, vv: M) => attentionForward(qq, kk, vv, mask, 0.7).context.reduce((s, row, i) => s + row.reduce((t, x, d) => t + x * dC[i][d], 0), 0);
    const { weights } = attentionForward(q, k, v, mask, 0.7);
    const g = attentionBackward(q, k, v, weights, dC, 0.7);
    let err = 0;
    const h = 1e-6;
    for (const [m, grad] of [[q, g.dQuery], [k, g.dKey], [v, g.dValue]] as const) {
      m.forEach((row, i) => row.forEach((_, d) => {
        const orig = row[d];
        row[d] = orig + h;
        const up = loss(q, k, v);
        row[d] = orig - h;
        const down = loss(q, k, v);
        row[d] = orig;
        err = Math.max(err, Math.abs((up - down) / (2 * h) - grad[i][d]));
      }));
    }
    expect(err).toBeLessThan(1e-8);
    // Masked keys get no gradient.
    for (const j of [1, 4]) expect(g.dKey[j].every((x) => x === 0)).toBe(true);
  });
});

describe.each(BUILDS)('attention kernels ($name) vs the reference', ({ simd }) => {
  it.each(SHAPES)('B=$B Tq=$Tq Tv=$Tv D=$D Dv=$Dv, with a mask and without', async ({ B, Tq, Tv, D, Dv }) => {
    const backend = await backendFor(simd);
    const r = makeRandom(B * 100 + Tv);
    const qs = Array.from({ length: B }, () => matrix(Tq, D, r));
    const ks = Array.from({ length: B }, () => matrix(Tv, D, r));
    const vs = Array.from({ length: B }, () => matrix(Tv, Dv, r));
    const dCs = Array.from({ length: B }, () => matrix(Tq, Dv, r));
    // Sample 0 keeps every step; sample 1 masks every other step; sample 2 masks them all.
    const masks = Array.from({ length: B }, (_, b) => Array.from({ length: Tv }, (_, j) => (b === 0 ? 1 : b === 1 ? (j % 2 === 0 ? 1 : 0) : 0)));
    for (const masked of [false, true]) {
      const layer = new Attention({ scale: 0.5, backend });
      const valueMask = masked ? { data: Float32Array.from(masks.flat()), shape: [B, Tv] } : undefined;
      const out = layer.forward({ data: flat(qs), shape: [B, Tq, D] }, { data: flat(vs), shape: [B, Tv, Dv] }, { key: { data: flat(ks), shape: [B, Tv, D] }, valueMask });
      const grads = layer.backward(out.cache, { data: flat(dCs), shape: [B, Tq, Dv] });
      for (let b = 0; b < B; b++) {
        const mask = masked ? masks[b] : null;
        const want = attentionForward(qs[b], ks[b], vs[b], mask, 0.5);
        const g = attentionBackward(qs[b], ks[b], vs[b], want.weights, dCs[b], 0.5);
        const slice = (t: { data: Float32Array }, n: number) => t.data.subarray(b * n, (b + 1) * n);
        // f32 products of ≤ 9 terms and an f32 exp (1–2 ULP): 1e-5 absolute on values of order 1.
        expect(worst(slice(out.weights, Tq * Tv), want.weights.flat())).toBeLessThan(1e-5);
        expect(worst(slice(out.output, Tq * Dv), want.context.flat())).toBeLessThan(1e-5);
        expect(worst(slice(grads.dQuery, Tq * D), g.dQuery.flat())).toBeLessThan(2e-5);
        expect(worst(slice(grads.dKey!, Tv * D), g.dKey.flat())).toBeLessThan(2e-5);
        expect(worst(slice(grads.dValue, Tv * Dv), g.dValue.flat())).toBeLessThan(2e-5);
        // Each query step's weights: 0 on masked steps, summing to 1 (0 when every step is masked).
        for (let i = 0; i < Tq; i++) {
          const row = Array.from(out.weights.data.subarray((b * Tq + i) * Tv, (b * Tq + i + 1) * Tv));
          const live = mask ? mask.some((m) => m === 1) : true;
          expect(Math.abs(row.reduce((s, x) => s + x, 0) - (live ? 1 : 0))).toBeLessThan(1e-6);
          row.forEach((w, j) => { if (mask && mask[j] === 0) expect(w).toBe(0); });
        }
      }
      layer.dispose();
    }
  });
});

describe('Attention layer', () => {
  it('SIMD = scalar bit for bit; without a key the values are the keys and get both gradients', async () => {
    const r = makeRandom(9);
    const q = { data: flat([matrix(4, 3, r), matrix(4, 3, r)]), shape: [2, 4, 3] };
    const v = { data: flat([matrix(6, 3, r), matrix(6, 3, r)]), shape: [2, 6, 3] };
    const dC = { data: flat([matrix(4, 3, r), matrix(4, 3, r)]), shape: [2, 4, 3] };
    const runs = await Promise.all([true, false].map(async (simd) => {
      const layer = new Attention({ backend: await backendFor(simd) });
      const out = layer.forward(q, v);
      const g = layer.backward(out.cache, dC);
      const keyed = layer.forward(q, v, { key: v });
      const gk = layer.backward(keyed.cache, dC);
      layer.dispose();
      return { out, g, gk };
    }));
    expectSameBits('output', runs[0].out.output.data, runs[1].out.output.data);
    expectSameBits('dValue', runs[0].g.dValue.data, runs[1].g.dValue.data);
    const { g, gk } = runs[0];
    expect(g.dKey).toBeUndefined();
    g.dValue.data.forEach((x, i) => expect(x).toBeCloseTo(gk.dValue.data[i] + gk.dKey!.data[i], 6));
  });

  it('refuses bad input, naming the argument; a stale cache is refused', () => {
    const layer = new Attention();
    const q = { data: new Float32Array(2 * 3 * 4), shape: [2, 3, 4] };
    const v = { data: new Float32Array(2 * 5 * 4), shape: [2, 5, 4] };
    expect(thrown(() => layer.forward(q, { data: new Float32Array(2 * 5 * 3), shape: [2, 5, 3] })).message).toBe('Attention.forward: without options.key the values are the keys, so they need the query\'s 4 features, got 3');
    expect(thrown(() => layer.forward(q, v, { valueMask: { data: Float32Array.of(1, 1, 2, 1, 1, 1, 1, 1, 1, 1), shape: [2, 5] } })).message).toBe('Attention.forward: options.valueMask[0][2] is 2; a mask holds 0 (padding) and 1 (real step)');
    expect(thrown(() => new Attention({ scale: Number.NaN })).message).toMatch(/^Attention: options.scale/);
    const first = layer.forward(q, v);
    layer.forward(q, v);
    expect(thrown(() => layer.backward(first.cache, { data: new Float32Array(2 * 3 * 4), shape: [2, 3, 4] })).message).toMatch(/^Attention.backward: the cache is not from this layer's last forward/);
    layer.dispose();
    expect(thrown(() => layer.forward(q, v)).message).toBe('Attention.forward: this Attention was disposed');
  });
});
