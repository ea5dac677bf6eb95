// TCN: its kernels, then the layer in a Sequential.
// Kernels (assembly/norm.ts; dropout_mask_f32 and multiply_rows_f32 of model.ts; last_steps_f32 and
// its backward of sequence.ts), on both builds:
//   1. the f64 references' backward against central differences of Σ y⊙R;
//   2. every kernel against its f64 reference over awkward sizes (C, F ∈ 1 … 33, rows 1 … 7);
//   3. the SIMD and the scalar build bit for bit, at aligned and unaligned pointers.
// Tolerances (f32 kernel vs f64 reference on the same f32 inputs; γ_n = n·u/(1 − n·u), u = 2⁻²⁴;
// the kernels' f64 sums of at most a few hundred terms add ≤ 2⁻⁴⁵ relative, inside one u):
//   layer norm xhat   γ_4·(|x̂| + ρ·|μ|): the mean rounds to f32 once (u·|μ|, scaled by ρ = rstd),
//                     x − m, ·rstd and rstd itself once each;
//   layer norm y      |γ|·(that)·(1 + γ_2) + γ_2·(|γ·x̂| + |β|);  rstd  γ_2·ρ;
//   layer norm dX     γ_6·(ρ·(|g| + |ḡ| + |x̂|·|b|) + |dX0|), g = dY⊙γ: each of g, ḡ = mean(g),
//                     b = mean(g⊙x̂), g − ḡ, x̂·b, the difference, ·ρ and the add rounds once;
//   dGamma, dBeta     γ_{rows+1}·(|d0| + Σ_r |dY⊙x̂|) and γ_rows·(|d0| + Σ_r |dY|): f32 sums over rows;
//   weight norm w     γ_3·|w| (the norm, g/‖v‖ and the product round once each);  norm  γ_2·‖v‖;
//   weight norm dG    γ_4·(|dG0| + Σ_r |dW·v| / ‖v‖);
//   weight norm dV    γ_8·(|dV0| + (|g|/‖v‖)·(|dW| + |v|·Σ_r |dW·v| / ‖v‖²)): the saved f32 norm
//                     (one u), g/‖v‖, s/‖v‖², v·that, the difference, the product and the add;
//   dropout mask, spatial multiply, last steps: exact (a hash, one product, copies and one add).
import { beforeAll, describe, expect, it } from 'vitest';
import { init } from '../src/engine/init.js';
import {
  dropoutMaskReference, lastStepsBackwardReference, lastStepsReference, layerNormBackwardReference, layerNormReference,
  multiplyRowsReference, weightNormBackwardReference, weightNormReference,
} from '../src/reference/norm.js';
import { BUILDS, backendFor } from './helpers/backends.js';
import { expectSameBits, expectWithinBound } from './helpers/compare.js';
import { checkGradients, dot } from './helpers/gradcheck.js';
import { makeRandom, randomFloat32 } from './helpers/random.js';
import {
  dropoutMask, lastSteps, lastStepsBackward, layerNormBackward, layerNormForward, multiplyRows, weightNormBackward, weightNormForward,
} from './helpers/tcn-kernels.js';
import { gamma } from './helpers/tolerance.js';

beforeAll(async () => {
  await init();
});

const EPSILON = 1e-3;
const LAYER_CASES: [number, number][] = [[1, 1], [3, 2], [2, 3], [5, 4], [1, 5], [7, 8], [3, 9], [2, 17], [4, 33]]; // [rows, C]
const WEIGHT_CASES: [number, number][] = [[1, 1], [3, 2], [6, 5], [2, 4], [9, 8], [4, 17], [12, 33]]; // [R, F]

describe('f64 references of the TCN kernels against central differences of Σ y⊙R', () => {
  LAYER_CASES.forEach(([rows, C], index) => {
    it(`layer norm over [${rows}, ${C}]`, () => {
      // x offset by 3 so the mean matters; C = 1 has var 0, y = β and no gradient to x.
      const x = Float64Array.from(randomFloat32(rows * C, 10 + index, 2, 4));
      const gain = Float64Array.from(randomFloat32(C, 20 + index, 0.5, 1.5));
      const bias = Float64Array.from(randomFloat32(C, 30 + index));
      const R = Float64Array.from(randomFloat32(rows * C, 40 + index));
      const { xhat, rstd } = layerNormReference(x, gain, bias, rows, C, EPSILON);
      const dX = new Float64Array(rows * C);
      const dGamma = new Float64Array(C);
      const dBeta = new Float64Array(C);
      layerNormBackwardReference(dX, dGamma, dBeta, R, xhat, rstd, gain, rows, C);
      checkGradients('layer norm', { x, gain, bias }, { x: dX, gain: dGamma, bias: dBeta }, () => dot(layerNormReference(x, gain, bias, rows, C, EPSILON).y, R), { tolerance: 1e-7 });
    });
  });

  WEIGHT_CASES.forEach(([R, F], index) => {
    it(`weight norm of [${R}, ${F}]`, () => {
      const v = Float64Array.from(randomFloat32(R * F, 50 + index));
      const g = Float64Array.from(randomFloat32(F, 60 + index, 0.5, 2));
      const Rw = Float64Array.from(randomFloat32(R * F, 70 + index));
      const dV = new Float64Array(R * F);
      const dG = new Float64Array(F);
      weightNormBackwardReference(dV, dG, Rw, v, g, R, F);
      checkGradients('weight norm', { v, g }, { v: dV, g: dG }, () => dot(weightNormReference(v, g, R, F).w, Rw), { tolerance: 1e-7 });
    });
  });
});

describe.each(BUILDS)('TCN kernels, $name build, against the f64 references', ({ simd }) => {
  LAYER_CASES.forEach(([rows, C], index) => {
    it(`layer norm over [${rows}, ${C}]: forward, and backward accumulating`, async () => {
      const backend = await backendFor(simd);
      const x = randomFloat32(rows * C, 100 + index, 2, 4);
      const gain = randomFloat32(C, 110 + index, 0.5, 1.5);
      const bias = randomFloat32(C, 120 + index);
      const got = layerNormForward(backend, x, gain, bias, rows, C, EPSILON);
      const want = layerNormReference(x, gain, bias, rows, C, EPSILON);
      const mean = Float64Array.from({ length: rows * C }, (_, i) => {
        const r = Math.floor(i / C);
        let s = 0;
        for (let c = 0; c < C; c++) s += x[r * C + c];
        return (Math.abs(s / C) * want.rstd[r]);
      });
      const xhatBound = Float64Array.from(want.xhat, (h, i) => gamma(4) * (Math.abs(h) + mean[i]) + Number.MIN_VALUE);
      expectWithinBound('xhat', got.xhat, want.xhat, xhatBound);
      expectWithinBound('rstd', got.rstd, want.rstd, Float64Array.from(want.rstd, (s) => gamma(2) * s));
      expectWithinBound('y', got.y, want.y, Float64Array.from(want.y, (_, i) => {
        const c = i % C;
        return Math.abs(gain[c]) * xhatBound[i] * (1 + gamma(2)) + gamma(2) * (Math.abs(gain[c] * want.xhat[i]) + Math.abs(bias[c])) + Number.MIN_VALUE;
      }));

      // Backward from the kernel's own saved xhat and rstd (what the layer does), in both.
      const dY = randomFloat32(rows * C, 130 + index);
      const d0 = { dX: randomFloat32(rows * C, 140 + index), dGamma: randomFloat32(C, 150 + index), dBeta: randomFloat32(C, 160 + index) };
      const back = layerNormBackward(backend, d0, dY, got.xhat, got.rstd, gain, rows, C);
      const wantDX = Float64Array.from(d0.dX);
      const wantDGamma = Float64Array.from(d0.dGamma);
      const wantDBeta = Float64Array.from(d0.dBeta);
      layerNormBackwardReference(wantDX, wantDGamma, wantDBeta, dY, got.xhat, got.rstd, gain, rows, C);
      const dxBound = new Float64Array(rows * C);
      for (let r = 0; r < rows; r++) {
        let meanG = 0;
        let meanGH = 0;
        for (let c = 0; c < C; c++) {
          meanG += (dY[r * C + c] * gain[c]) / C;
          meanGH += (dY[r * C + c] * gain[c] * got.xhat[r * C + c]) / C;
        }
        for (let c = 0; c < C; c++) {
          const i = r * C + c;
          const spread = got.rstd[r] * (Math.abs(dY[i] * gain[c]) + Math.abs(meanG) + Math.abs(got.xhat[i] * meanGH));
          dxBound[i] = gamma(6) * (spread + Math.abs(d0.dX[i])) + Number.MIN_VALUE;
        }
      }
      expectWithinBound('dX', back.dX, wantDX, dxBound);
      const sums = (f: (i: number) => number, c: number): number => {
        let s = 0;
        for (let r = 0; r < rows; r++) s += Math.abs(f(r * C + c));
        return s;
      };
      expectWithinBound('dGamma', back.dGamma, wantDGamma, Float64Array.from(d0.dGamma, (v, c) => gamma(rows + 1) * (Math.abs(v) + sums((i) => dY[i] * got.xhat[i], c)) + Number.MIN_VALUE));
      expectWithinBound('dBeta', back.dBeta, wantDBeta, Float64Array.from(d0.dBeta, (v, c) => gamma(rows) * (Math.abs(v) + sums((i) => dY[i], c)) + Number.MIN_VALUE));
    });
  });

  WEIGHT_CASES.forEach(([R, F], index) => {
    it(`weight norm of [${R}, ${F}]: forward, and backward accumulating`, async () => {
      const backend = await backendFor(simd);
      const v = randomFloat32(R * F, 200 + index);
      const g = randomFloat32(F, 210 + index, -2, 2);
      const got = weightNormForward(backend, v, g, R, F);
      const want = weightNormReference(v, g, R, F);
      expectWithinBound('w', got.w, want.w, Float64Array.from(want.w, (w) => gamma(3) * Math.abs(w) + Number.MIN_VALUE));
      expectWithinBound('norm', got.norm, want.norm, Float64Array.from(want.norm, (n) => gamma(2) * n));

      const dW = randomFloat32(R * F, 220 + index);
      const d0 = { dV: randomFloat32(R * F, 230 + index), dG: randomFloat32(F, 240 + index) };
      const back = weightNormBackward(backend, d0, dW, v, g, got.norm, R, F);
      const wantDV = Float64Array.from(d0.dV);
      const wantDG = Float64Array.from(d0.dG);
      weightNormBackwardReference(wantDV, wantDG, dW, v, g, R, F);
      const along = Float64Array.from({ length: F }, (_, f) => {
        let s = 0;
        for (let r = 0; r < R; r++) s += Math.abs(dW[r * F + f] * v[r * F + f]);
        return s;
      });
      expectWithinBound('dG', back.dG, wantDG, Float64Array.from(d0.dG, (d, f) => gamma(4) * (Math.abs(d) + along[f] / want.norm[f]) + Number.MIN_VALUE));
      expectWithinBound('dV', back.dV, wantDV, Float64Array.from(d0.dV, (d, i) => {
        const f = i % F;
        const n = want.norm[f];
        return gamma(8) * (Math.abs(d) + (Math.abs(g[f]) / n) * (Math.abs(dW[i]) + (Math.abs(v[i]) * along[f]) / (n * n))) + Number.MIN_VALUE;
      }));
    });
  });

  it('spatial dropout: the mask = the reference hash exactly (≈ rate zeros), one mask row times every row exactly', async () => {
    const backend = await backendFor(simd);
    for (const [n, rate, seed] of [[1, 0.5, 3], [7, 0.2, 4], [1000, 0.3, 0xdeadbeef], [33, 0, 5]] as const) {
      const mask = dropoutMask(backend, n, rate, seed);
      expectSameBits(`mask n ${n}`, mask, dropoutMaskReference(n, rate, seed));
    }
    const big = dropoutMask(backend, 4000, 0.3, 11);
    expect(Math.abs(big.filter((v) => v === 0).length / 4000 - 0.3)).toBeLessThan(0.025); // 3.4 standard deviations
    for (const [rows, n] of [[1, 1], [3, 5], [4, 8], [2, 17]]) {
      const x = randomFloat32(rows * n, rows + n);
      const m = dropoutMask(backend, n, 0.5, rows);
      expectSameBits(`rows ${rows} × ${n}`, multiplyRows(backend, x, m, rows, n), Float32Array.from(multiplyRowsReference(x, m, rows, n)));
    }
  });

  it('last steps: each sequence\'s last real step (zeros if none), and its gradient added there, exactly', async () => {
    const backend = await backendFor(simd);
    const [T, B, F] = [5, 4, 3];
    const src = randomFloat32(T * B * F, 300);
    const lengths = [5, 2, 0, 1];
    const mask = new Float32Array(T * B);
    lengths.forEach((length, b) => {
      for (let t = 0; t < length; t++) mask[t * B + b] = 1;
    });
    mask[4 * B + 1] = 1; // a real step after padding: the last non-zero entry counts, as a recurrent layer's final state
    for (const m of [null, mask]) {
      expectSameBits('last steps', lastSteps(backend, src, m, T, B, F), Float32Array.from(lastStepsReference(src, m, T, B, F)));
      const dDst = randomFloat32(B * F, 301);
      const dSrc0 = randomFloat32(T * B * F, 302);
      const want = Float64Array.from(dSrc0);
      lastStepsBackwardReference(want, dDst, m, T, B, F);
      expectSameBits('backward', lastStepsBackward(backend, dSrc0, dDst, m, T, B, F), Float32Array.from(want));
    }
    expect(Array.from(lastSteps(backend, src, mask, T, B, F).subarray(2 * F, 3 * F))).toEqual([0, 0, 0]);
  });
});

describe('TCN kernels: the SIMD and scalar builds agree bit for bit (aligned and unaligned)', () => {
  it('layer norm, weight norm, spatial dropout, last steps', async () => {
    const [simd, scalar] = [await backendFor(true), await backendFor(false)];
    const next = makeRandom(5);
    for (const shift of [0, 1]) {
      for (const [rows, C] of [...LAYER_CASES, [9, 66]] as [number, number][]) {
        const x = randomFloat32(rows * C, rows * 100 + C, -3, 5);
        const gain = randomFloat32(C, 7 + C);
        const bias = randomFloat32(C, 8 + C);
        const a = layerNormForward(simd, x, gain, bias, rows, C, EPSILON, shift);
        const b = layerNormForward(scalar, x, gain, bias, rows, C, EPSILON, 1 - shift);
        for (const key of ['y', 'xhat', 'rstd'] as const) expectSameBits(`layer norm ${key} [${rows}, ${C}]`, a[key], b[key]);
        const dY = randomFloat32(rows * C, Math.floor(next() * 1e6));
        const d0 = { dX: randomFloat32(rows * C, 9), dGamma: randomFloat32(C, 10), dBeta: randomFloat32(C, 11) };
        const da = layerNormBackward(simd, d0, dY, a.xhat, a.rstd, gain, rows, C, shift);
        const db = layerNormBackward(scalar, d0, dY, a.xhat, a.rstd, gain, rows, C, 1 - shift);
        for (const key of ['dX', 'dGamma', 'dBeta'] as const) expectSameBits(`layer norm ${key} [${rows}, ${C}]`, da[key], db[key]);
      }
      for (const [R, F] of WEIGHT_CASES) {
        const v = randomFloat32(R * F, R * 100 + F);
        const g = randomFloat32(F, F);
        const a = weightNormForward(simd, v, g, R, F, shift);
        const b = weightNormForward(scalar, v, g, R, F, 1 - shift);
        expectSameBits(`weight norm w [${R}, ${F}]`, a.w, b.w);
        expectSameBits(`weight norm norm [${R}, ${F}]`, a.norm, b.norm);
        const dW = randomFloat32(R * F, Math.floor(next() * 1e6));
        const d0 = { dV: randomFloat32(R * F, 12), dG: randomFloat32(F, 13) };
        const da = weightNormBackward(simd, d0, dW, v, g, a.norm, R, F, shift);
        const db = weightNormBackward(scalar, d0, dW, v, g, a.norm, R, F, 1 - shift);
        expectSameBits(`weight norm dV [${R}, ${F}]`, da.dV, db.dV);
        expectSameBits(`weight norm dG [${R}, ${F}]`, da.dG, db.dG);
      }
      for (const [rows, n] of [[3, 5], [2, 33], [5, 8]]) {
        const m = dropoutMask(simd, n, 0.4, n, shift);
        expectSameBits('dropout mask', m, dropoutMask(scalar, n, 0.4, n, 1 - shift));
        const x = randomFloat32(rows * n, n);
        expectSameBits('multiply rows', multiplyRows(simd, x, m, rows, n, shift), multiplyRows(scalar, x, m, rows, n, 1 - shift));
      }
    }
  });
});
