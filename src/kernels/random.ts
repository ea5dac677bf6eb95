// Bindings of assembly/random.ts: counter-based sampling, every value a function of (seed, i)
// only. Thin: no validation. The seed is a 32-bit integer drawn per call from the caller's
// seeded Random, so runs repeat bit for bit in Node and in browsers.
//
//   bernoulli: out, p [n];  gaussian: out, mean [n] (mean 0 = a null pointer);  maskNoise: out, x [n]
import type { Backend } from '../engine/backend.js';
import { exportsOf } from '../engine/exports.js';
import type { Ptr } from './codes.js';

/** out_i = 1 with probability p_i, else 0 (u(seed, i) < p_i). out may alias p. */
export function sampleBernoulliF32(backend: Backend, ptrs: { out: Ptr; p: Ptr }, n: number, seed: number): void {
  exportsOf(backend).sample_bernoulli_f32(ptrs.out, ptrs.p, n, seed >>> 0);
}

/** out_i = mean_i + std·z_i with z_i standard normal (Box–Muller); mean 0 (a null pointer) = zero mean. out may alias mean. */
export function sampleGaussianF32(backend: Backend, ptrs: { out: Ptr; mean: Ptr }, n: number, std: number, seed: number): void {
  exportsOf(backend).sample_gaussian_f32(ptrs.out, ptrs.mean, n, std, seed >>> 0);
}

/** Masking noise: out_i = 0 with probability level, else x_i (unscaled). out may alias x. */
export function maskNoiseF32(backend: Backend, ptrs: { out: Ptr; x: Ptr }, n: number, level: number, seed: number): void {
  exportsOf(backend).mask_noise_f32(ptrs.out, ptrs.x, n, level, seed >>> 0);
}
