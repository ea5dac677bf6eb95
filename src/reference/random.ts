// The counter-based generator of assembly/random.ts in plain TypeScript, line for line:
// u(seed, i) = lowbias32(i + seed·0x9E3779B9) / 2³². Used by tests as the oracle (the same
// bits, since every step is an exact integer or IEEE operation except Math.log/cos, which the
// tests compare within a stated tolerance).

export function lowbias32(v: number): number {
  v >>>= 0;
  v ^= v >>> 16;
  v = Math.imul(v, 0x7feb352d) >>> 0;
  v ^= v >>> 15;
  v = Math.imul(v, 0x846ca68b) >>> 0;
  v ^= v >>> 16;
  return v >>> 0;
}

export function uniform(seed: number, i: number): number {
  const base = Math.imul(seed >>> 0, 0x9e3779b9) >>> 0;
  return lowbias32((base + i) >>> 0) / 4294967296;
}

export function sampleBernoulli(p: ArrayLike<number>, seed: number): Float64Array {
  return Float64Array.from(p, (pi, i) => (uniform(seed, i) < pi ? 1 : 0));
}

export function sampleGaussian(mean: ArrayLike<number> | null, n: number, std: number, seed: number): Float64Array {
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const z = Math.sqrt(-2 * Math.log(1 - uniform(seed, 2 * i))) * Math.cos(2 * Math.PI * uniform(seed, 2 * i + 1));
    out[i] = (mean ? mean[i] : 0) + std * z;
  }
  return out;
}

export function maskNoise(x: ArrayLike<number>, level: number, seed: number): Float64Array {
  return Float64Array.from(x, (xi, i) => (uniform(seed, i) < level ? 0 : xi));
}
