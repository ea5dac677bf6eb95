// Counter-based sampling (assembly/random.ts) vs its plain-TS twin (src/reference/random.ts) on
// both builds: Bernoulli and masking noise bit for bit (integer hashing and one comparison),
// Gaussian within a few f32 ulps (the module's log/cos are AssemblyScript's own, not Math.*);
// SIMD = scalar bit for bit; the moments of each distribution; the values depend on (seed, i) only.
import { describe, expect, it } from 'vitest';
import { liveView, type Backend } from '../src/engine/backend.js';
import { maskNoiseF32, sampleBernoulliF32, sampleGaussianF32 } from '../src/kernels/random.js';
import * as ref from '../src/reference/random.js';
import { backendFor, BUILDS } from './helpers/backends.js';
import { expectSameBits } from './helpers/compare.js';

const N = 20_001; // odd, more than one SIMD block, a scalar tail

function run(backend: Backend, n: number, fill: (out: number, src: number) => void, src?: ArrayLike<number>): Float32Array {
  const out = backend.allocF32(n);
  const input = backend.allocF32(n);
  if (src) liveView(input).set(src);
  try {
    fill(out.ptr, input.ptr);
    return liveView(out).slice();
  } finally {
    out.dispose();
    input.dispose();
  }
}

describe.each(BUILDS)('sampling kernels ($name)', ({ simd }) => {
  it('Bernoulli: the reference bit for bit, mean p, the same (seed, i) gives the same value', async () => {
    const backend = await backendFor(simd);
    const p = Float32Array.from({ length: N }, (_, i) => (i % 10) / 10 + 0.05);
    const got = run(backend, N, (out, src) => sampleBernoulliF32(backend, { out, p: src }, N, 12345), p);
    expectSameBits('bernoulli', got, Float32Array.from(ref.sampleBernoulli(p, 12345)));
    let ones = 0;
    let expected = 0;
    for (let i = 0; i < N; i++) {
      ones += got[i];
      expected += p[i];
    }
    // Binomial count: σ ≤ √(N/4) ≈ 71; 5σ.
    expect(Math.abs(ones - expected)).toBeLessThan(5 * Math.sqrt(N / 4));
    const prefix = run(backend, 100, (out, src) => sampleBernoulliF32(backend, { out, p: src }, 100, 12345), p.subarray(0, 100));
    expectSameBits('prefix', prefix, got.subarray(0, 100));
    const other = run(backend, N, (out, src) => sampleBernoulliF32(backend, { out, p: src }, N, 12346), p);
    expect(other.some((v, i) => v !== got[i])).toBe(true);
  });

  it('Gaussian: the reference within 4 ulps, mean and variance, a given mean added', async () => {
    const backend = await backendFor(simd);
    const got = run(backend, N, (out) => sampleGaussianF32(backend, { out, mean: 0 }, N, 1, 7));
    const want = ref.sampleGaussian(null, N, 1, 7);
    let worst = 0;
    let sum = 0;
    let squares = 0;
    for (let i = 0; i < N; i++) {
      worst = Math.max(worst, Math.abs(got[i] - want[i]) / Math.max(Math.abs(want[i]), 2 ** -10));
      sum += got[i];
      squares += got[i] * got[i];
    }
    expect(worst).toBeLessThan(4 * 2 ** -23);
    const mean = sum / N;
    expect(Math.abs(mean)).toBeLessThan(5 / Math.sqrt(N)); // 5σ of the sample mean
    expect(Math.abs(squares / N - mean * mean - 1)).toBeLessThan(5 * Math.sqrt(2 / N)); // 5σ of the sample variance
    const mean3 = Float32Array.from({ length: N }, (_, i) => i % 3);
    const shifted = run(backend, N, (out, src) => sampleGaussianF32(backend, { out, mean: src }, N, 0.5, 7), mean3);
    for (let i = 0; i < N; i += 997) expect(shifted[i]).toBeCloseTo(mean3[i] + 0.5 * got[i], 5);
  });

  it('masking noise: the reference bit for bit, about `level` of the values zeroed, the rest kept', async () => {
    const backend = await backendFor(simd);
    const x = Float32Array.from({ length: N }, (_, i) => 1 + (i % 7));
    const got = run(backend, N, (out, src) => maskNoiseF32(backend, { out, x: src }, N, 0.3, 99), x);
    expectSameBits('mask noise', got, Float32Array.from(ref.maskNoise(x, 0.3, 99)));
    const zeros = got.filter((v) => v === 0).length;
    expect(Math.abs(zeros - 0.3 * N)).toBeLessThan(5 * Math.sqrt(N * 0.21));
    for (let i = 0; i < N; i++) if (got[i] !== 0) expect(got[i]).toBe(x[i]);
  });
});

describe('sampling kernels: SIMD = scalar', () => {
  it('the same bits from both builds', async () => {
    const [a, b] = await Promise.all([backendFor(true), backendFor(false)]);
    for (const seed of [0, 1, 0xffffffff]) {
      const ga = run(a, 37, (out) => sampleGaussianF32(a, { out, mean: 0 }, 37, 2, seed));
      const gb = run(b, 37, (out) => sampleGaussianF32(b, { out, mean: 0 }, 37, 2, seed));
      expectSameBits(`gaussian seed ${seed}`, ga, gb);
    }
  });
});
