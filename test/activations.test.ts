// Activation kernels (both builds) against Math.* in f64. Accuracy is stated
// in ULPs of the f32 result against the correctly rounded f64 value, as the
// maximum over a 2^20-point grid per range (assembly/activations.ts names the
// Cephes sources of the approximations):
//   exp      ≤ 1 ULP on [−87, 88]
//   tanh     ≤ 1 ULP on [−12, 12] and for tiny |x|; exactly ±1 beyond 9.1
//   sigmoid  ≤ 2 ULP on [−87, 40]
//   relu     exact
import { describe, expect, it } from 'vitest';
import { activation, activationBackward } from '../src/kernels/activations.js';
import { activationBackwardReference, activationReference } from '../src/reference/activations.js';
import { BUILDS, backendFor } from './helpers/backends.js';
import { expectSameBits, expectWithinBound } from './helpers/compare.js';
import { randomFloat32 } from './helpers/random.js';

const bitsOf = (x: Float32Array) => new Int32Array(x.buffer, x.byteOffset, x.length);

/** Largest distance in ULPs between got and the f32 rounding of the f64 reference; also where it is. */
function maxUlps(got: Float32Array, x: Float32Array, f: (v: number) => number): { ulps: number; at: number } {
  const want = Float32Array.from(x, f);
  const g = bitsOf(got);
  const w = bitsOf(want);
  let ulps = 0;
  let at = NaN;
  for (let i = 0; i < x.length; i++) {
    // Same-sign floats: the bit patterns are ordered like the values.
    const d = Math.sign(got[i]) === Math.sign(want[i]) || want[i] === 0 || got[i] === 0 ? Math.abs(g[i] - w[i]) : Infinity;
    if (d > ulps) {
      ulps = d;
      at = x[i];
    }
  }
  return { ulps, at };
}

function grid(lo: number, hi: number, count = 1 << 20): Float32Array {
  const x = new Float32Array(count);
  for (let i = 0; i < count; i++) x[i] = lo + ((hi - lo) * i) / (count - 1);
  return x;
}

const SIZES = [1, 2, 3, 4, 5, 7, 8, 9, 16, 17, 33];

describe.each(BUILDS)('activations on the $name build', ({ simd }) => {
  const bounds = [
    { name: 'exp', lo: -87, hi: 88, ulps: 1 },
    { name: 'tanh', lo: -12, hi: 12, ulps: 1 },
    { name: 'tanh', lo: -1e-3, hi: 1e-3, ulps: 1 },
    { name: 'sigmoid', lo: -87, hi: 40, ulps: 2 },
  ] as const;
  for (const { name, lo, hi, ulps } of bounds) {
    it(`${name} is within ${ulps} ULP of Math on [${lo}, ${hi}]`, async () => {
      const backend = await backendFor(simd);
      const x = grid(lo, hi);
      const y = new Float32Array(x.length);
      activation(name, x, y, { backend });
      const worst = maxUlps(y, x, activationReference[name]);
      expect(worst.ulps, `worst at x = ${worst.at}`).toBeLessThanOrEqual(ulps);
    });
  }

  it('saturates as documented and propagates NaN', async () => {
    const backend = await backendFor(simd);
    const x = new Float32Array([NaN, 200, -200, 1e30, -1e30, 0, -0, 9.5, -9.5]);
    const out = (name: 'exp' | 'tanh' | 'sigmoid' | 'relu') => {
      const y = new Float32Array(x.length);
      activation(name, x, y, { backend });
      return y;
    };
    const e = out('exp');
    expect(e[0]).toBeNaN();
    expect(e[1]).toBe(Math.fround(Math.exp(88))); // saturates at exp(88)
    expect(e[2]).toBeGreaterThan(0);
    expect(e[2]).toBeLessThan(1.3e-38);
    const t = out('tanh');
    expect(t[0]).toBeNaN();
    expect(Array.from(t.slice(1))).toEqual([1, -1, 1, -1, 0, -0, 1, -1]);
    const s = out('sigmoid');
    expect(s[0]).toBeNaN();
    expect(s[1]).toBe(1);
    expect(s[2]).toBeLessThan(1e-37);
    expect(s[5]).toBe(0.5);
    const r = out('relu');
    expect(r[0]).toBeNaN();
    expect(Array.from(r.slice(1, 6))).toEqual([200, 0, Math.fround(1e30), 0, 0]);
  });

  it('handles every length around the vector width, in place too', async () => {
    const backend = await backendFor(simd);
    for (const n of SIZES) {
      const x = randomFloat32(n, n, -6, 6);
      for (const name of ['sigmoid', 'tanh', 'relu', 'exp'] as const) {
        const y = new Float32Array(n);
        activation(name, x, y, { backend });
        const want = Float64Array.from(x, activationReference[name]);
        expectWithinBound(`${name} n=${n}`, y, want, Float64Array.from(want, (v) => Math.abs(v) * 2.5e-7));
        const inPlace = x.slice();
        activation(name, inPlace, inPlace, { backend });
        expectSameBits(`${name} in place n=${n}`, inPlace, y);
      }
    }
  });

  it('backward accumulates dy · f′ (from outputs) into dx', async () => {
    const backend = await backendFor(simd);
    for (const n of SIZES) {
      for (const name of ['sigmoid', 'tanh', 'relu'] as const) {
        const x = randomFloat32(n, 3 * n, -3, 3);
        const y = new Float32Array(n);
        activation(name, x, y, { backend });
        const dy = randomFloat32(n, 5 * n);
        const dx = randomFloat32(n, 7 * n);
        const want = Float64Array.from(dx);
        activationBackwardReference(name, y, dy, want);
        activationBackward(name, y, dy, dx, { backend });
        // Two roundings of products of values ≤ 1 plus one of the sum.
        expectWithinBound(`${name}' n=${n}`, dx, want, Float64Array.from(want, (v) => Math.abs(v) * 2.5e-7 + 2.5e-7));
      }
    }
  });
});

describe('SIMD and scalar activations', () => {
  it('give bit-identical results', async () => {
    const simd = await backendFor(true);
    const scalar = await backendFor(false);
    const x = randomFloat32(4099, 11, -100, 100);
    x[5] = NaN;
    for (const name of ['exp', 'sigmoid', 'tanh', 'relu'] as const) {
      const y1 = new Float32Array(x.length);
      const y2 = new Float32Array(x.length);
      activation(name, x, y1, { backend: simd });
      activation(name, x, y2, { backend: scalar });
      expectSameBits(name, y1, y2);
    }
    const y = randomFloat32(4099, 12, -1, 1);
    const dy = randomFloat32(4099, 13);
    for (const name of ['sigmoid', 'tanh', 'relu'] as const) {
      const d1 = new Float32Array(x.length).fill(0.25);
      const d2 = d1.slice();
      activationBackward(name, y, dy, d1, { backend: simd });
      activationBackward(name, y, dy, d2, { backend: scalar });
      expectSameBits(`${name} backward`, d1, d2);
    }
  });
});
