// Data movement a model needs between layers: feature concatenation for a
// bidirectional layer and its inverse, and the sum/average merge.
//
//   concat_rows_f32(dst [rows, a+b], left [rows, a], right [rows, b], rows, a, b)
//   split_rows_f32(left [rows, a], right [rows, b], src [rows, a+b], rows, a, b)
//   add_scaled_f32(dst [n], left [n], right [n], n, scale): dst = (left + right)·scale
// Pure copies and one add and multiply per element, so the SIMD and scalar builds agree bit for bit.

import { lowbias32 } from "./random";
export function concat_rows_f32(dst: usize, left: usize, right: usize, rows: i32, a: i32, b: i32): void {
  const aBytes = <usize>a << 2;
  const bBytes = <usize>b << 2;
  for (let r = 0; r < rows; r++) {
    const d = dst + <usize>r * (aBytes + bBytes);
    memory.copy(d, left + <usize>r * aBytes, aBytes);
    memory.copy(d + aBytes, right + <usize>r * bBytes, bBytes);
  }
}

export function split_rows_f32(left: usize, right: usize, src: usize, rows: i32, a: i32, b: i32): void {
  const aBytes = <usize>a << 2;
  const bBytes = <usize>b << 2;
  for (let r = 0; r < rows; r++) {
    const s = src + <usize>r * (aBytes + bBytes);
    memory.copy(left + <usize>r * aBytes, s, aBytes);
    memory.copy(right + <usize>r * bBytes, s + aBytes, bBytes);
  }
}

export function add_scaled_f32(dst: usize, left: usize, right: usize, n: i32, scale: f32): void {
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    const s = f32x4.splat(scale);
    for (; i + 4 <= n; i += 4) {
      const o = <usize>i << 2;
      v128.store(dst + o, f32x4.mul(f32x4.add(v128.load(left + o), v128.load(right + o)), s));
    }
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    store<f32>(dst + o, (load<f32>(left + o) + load<f32>(right + o)) * scale);
  }
}

// Inverted dropout with a counter-based generator, so the mask depends only on (seed, i):
//   dropout_f32(out [n], mask [n], x [n], n, rate, seed): u_i = hash(seed, i) / 2³²,
//   mask_i = u_i < rate ? 0 : 1/(1 − rate), out_i = x_i·mask_i.
//   multiply_f32(dst [n], a [n], b [n], n): dst = a ⊙ b (dropout's backward: dX = dOut ⊙ mask).
//   dropout_mask_f32(mask [n], n, rate, seed): the mask of dropout_f32 alone (same values for the same seed).
//   multiply_rows_f32(dst [rows, n], x [rows, n], m [n], rows, n): dst[r, i] = x[r, i]·m[i] — spatial
//     dropout (keras' SpatialDropout1D) of a time-major [T, B, C] batch with one mask [B, C] for every
//     step (rows = T, n = B·C), forward and backward alike. dst may alias x.
// hash: "lowbias32" (C. Wellons' integer hash) of i + seed·0x9E3779B9 (assembly/random.ts).

export function dropout_f32(out: usize, mask: usize, x: usize, n: i32, rate: f32, seed: u32): void {
  const keep: f32 = 1 / (1 - rate);
  const threshold = <f64>rate * 4294967296.0;
  const base = seed * 0x9e3779b9;
  for (let i = 0; i < n; i++) {
    const o = <usize>i << 2;
    const m: f32 = <f64>lowbias32(base + <u32>i) < threshold ? 0 : keep;
    store<f32>(mask + o, m);
    store<f32>(out + o, load<f32>(x + o) * m);
  }
}

export function multiply_f32(dst: usize, a: usize, b: usize, n: i32): void {
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    for (; i + 4 <= n; i += 4) {
      const o = <usize>i << 2;
      v128.store(dst + o, f32x4.mul(v128.load(a + o), v128.load(b + o)));
    }
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    store<f32>(dst + o, load<f32>(a + o) * load<f32>(b + o));
  }
}

export function dropout_mask_f32(mask: usize, n: i32, rate: f32, seed: u32): void {
  const keep: f32 = 1 / (1 - rate);
  const threshold = <f64>rate * 4294967296.0;
  const base = seed * 0x9e3779b9;
  for (let i = 0; i < n; i++) store<f32>(mask + (<usize>i << 2), <f64>lowbias32(base + <u32>i) < threshold ? 0 : keep);
}

export function multiply_rows_f32(dst: usize, x: usize, m: usize, rows: i32, n: i32): void {
  const rowBytes = <usize>n << 2;
  for (let r = 0; r < rows; r++) {
    const d = dst + <usize>r * rowBytes;
    const s = x + <usize>r * rowBytes;
    let i = 0;
    if (ASC_FEATURE_SIMD) {
      for (; i + 4 <= n; i += 4) {
        const o = <usize>i << 2;
        v128.store(d + o, f32x4.mul(v128.load(s + o), v128.load(m + o)));
      }
    }
    for (; i < n; i++) {
      const o = <usize>i << 2;
      store<f32>(d + o, load<f32>(s + o) * load<f32>(m + o));
    }
  }
}
