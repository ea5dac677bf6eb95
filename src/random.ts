// Seeded pseudo-random numbers: xoshiro128** (Blackman & Vigna, 2018) seeded
// through splitmix32, 32-bit integer arithmetic only, so the same seed gives
// the same stream in every JavaScript engine. State lives in the instance.

function splitmix32(state: { s: number }): number {
  state.s = (state.s + 0x9e3779b9) | 0;
  let z = state.s;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return (z ^ (z >>> 16)) >>> 0;
}

export class Random {
  #s0: number;
  #s1: number;
  #s2: number;
  #s3: number;
  #spare: number | null = null;

  /** `seed` is any integer (taken mod 2³²); `stream` selects an independent sequence for the same seed. */
  constructor(seed: number, stream = 0) {
    const state = { s: (seed ^ Math.imul(stream + 1, 0x27d4eb2d)) | 0 };
    this.#s0 = splitmix32(state);
    this.#s1 = splitmix32(state);
    this.#s2 = splitmix32(state);
    this.#s3 = splitmix32(state);
    if ((this.#s0 | this.#s1 | this.#s2 | this.#s3) === 0) this.#s0 = 1;
  }

  /** An independent copy: the same stream from here on (draw from a copy, keep it only if the call succeeds). */
  clone(): Random {
    const copy = new Random(0);
    copy.#s0 = this.#s0;
    copy.#s1 = this.#s1;
    copy.#s2 = this.#s2;
    copy.#s3 = this.#s3;
    copy.#spare = this.#spare;
    return copy;
  }

  /** A uniform 32-bit unsigned integer. */
  nextUint32(): number {
    const result = Math.imul(rotl(Math.imul(this.#s1, 5), 7), 9) >>> 0;
    const t = this.#s1 << 9;
    this.#s2 ^= this.#s0;
    this.#s3 ^= this.#s1;
    this.#s1 ^= this.#s2;
    this.#s0 ^= this.#s3;
    this.#s2 ^= t;
    this.#s3 = rotl(this.#s3, 11);
    return result;
  }

  /** Uniform in [0, 1) with 32 random bits. */
  uniform(): number {
    return this.nextUint32() / 4294967296;
  }

  /** Uniform in [lo, hi). */
  range(lo: number, hi: number): number {
    return lo + (hi - lo) * this.uniform();
  }

  /** Standard normal (Box–Muller; the second value is kept for the next call). */
  normal(): number {
    if (this.#spare !== null) {
      const s = this.#spare;
      this.#spare = null;
      return s;
    }
    let u = 0;
    while (u === 0) u = this.uniform();
    const v = this.uniform();
    const radius = Math.sqrt(-2 * Math.log(u));
    this.#spare = radius * Math.sin(2 * Math.PI * v);
    return radius * Math.cos(2 * Math.PI * v);
  }
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}
