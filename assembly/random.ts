// Counter-based random numbers: every value depends only on (seed, i), never on a state carried
// between calls, so a run is the same bits in Node and in any browser, SIMD or scalar build, and
// a kernel may draw its values in any order. TypeScript draws a fresh 32-bit seed per call from
// the model's own seeded stream (src/random.ts).
//
//   u(seed, i) = lowbias32(i + seed·0x9E3779B9) / 2³² ∈ [0, 1)     (C. Wellons' "lowbias32" hash)
//
//   sample_bernoulli_f32(out [n], p [n], n, seed): out_i = u(seed, i) < p_i ? 1 : 0. out may alias p.
//   sample_gaussian_f32(out [n], mean [n], n, std, seed): out_i = mean_i + std·z_i, z_i standard normal
//     by Box–Muller from u(seed, 2i) and u(seed, 2i + 1) (the cosine branch only, so z_i depends on i
//     alone). mean = 0 (a null pointer) means a zero mean. out may alias mean.
//   mask_noise_f32(out [n], x [n], n, level, seed): out_i = u(seed, i) < level ? 0 : x_i (masking
//     noise: a fraction `level` of the values set to zero, the rest kept unscaled). out may alias x.

// @ts-ignore: decorator
@inline export function lowbias32(v: u32): u32 {
  v ^= v >> 16;
  v *= 0x7feb352d;
  v ^= v >> 15;
  v *= 0x846ca68b;
  v ^= v >> 16;
  return v;
}

const TWO_TO_MINUS_32: f64 = 1.0 / 4294967296.0;

// @ts-ignore: decorator
@inline export function uniform(base: u32, i: u32): f64 {
  return <f64>lowbias32(base + i) * TWO_TO_MINUS_32;
}

// @ts-ignore: decorator
@inline export function seedBase(seed: u32): u32 {
  return seed * 0x9e3779b9;
}

/** out_i = u(base, i) < p_i ? 1 : 0, from a base made by seedBase (or a caller's own mix of it). */
export function bernoulliFrom(out: usize, p: usize, n: i32, base: u32): void {
  for (let i = 0; i < n; i++) {
    const o = <usize>i << 2;
    store<f32>(out + o, uniform(base, <u32>i) < <f64>load<f32>(p + o) ? 1 : 0);
  }
}

/** out_i = mean_i + std·z_i (Box–Muller's cosine branch from u(base, 2i), u(base, 2i + 1)); mean 0 = zero mean. */
export function gaussianFrom(out: usize, mean: usize, n: i32, std: f32, base: u32): void {
  const twoPi: f64 = 2 * Math.PI;
  for (let i = 0; i < n; i++) {
    const o = <usize>i << 2;
    // 1 − u ∈ (0, 1], so the logarithm is finite.
    const radius = Math.sqrt(-2 * Math.log(1 - uniform(base, <u32>(2 * i))));
    const z = radius * Math.cos(twoPi * uniform(base, <u32>(2 * i + 1)));
    const m: f32 = mean == 0 ? 0 : load<f32>(mean + o);
    store<f32>(out + o, m + <f32>(<f64>std * z));
  }
}

export function sample_bernoulli_f32(out: usize, p: usize, n: i32, seed: u32): void {
  bernoulliFrom(out, p, n, seedBase(seed));
}

export function sample_gaussian_f32(out: usize, mean: usize, n: i32, std: f32, seed: u32): void {
  gaussianFrom(out, mean, n, std, seedBase(seed));
}

export function mask_noise_f32(out: usize, x: usize, n: i32, level: f32, seed: u32): void {
  const base = seedBase(seed);
  for (let i = 0; i < n; i++) {
    const o = <usize>i << 2;
    store<f32>(out + o, uniform(base, <u32>i) < <f64>level ? 0 : load<f32>(x + o));
  }
}
