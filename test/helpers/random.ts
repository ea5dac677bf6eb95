// A small seeded generator for test data (xorshift32), independent of the library.
export function makeRandom(seed: number): () => number {
  let s = seed >>> 0 || 0x9e3779b9;
  return () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s / 2 ** 32;
  };
}

/** Uniform values in [lo, hi), rounded to f32. */
export function randomFloat32(length: number, seed: number, lo = -1, hi = 1): Float32Array {
  const next = makeRandom(seed);
  const out = new Float32Array(length);
  for (let i = 0; i < length; i++) out[i] = lo + (hi - lo) * next();
  return out;
}
