// Data movement a model needs between layers: feature concatenation for a
// bidirectional layer and its inverse, and the sum/average merge.
//
//   concat_rows_f32(dst [rows, a+b], left [rows, a], right [rows, b], rows, a, b)
//   split_rows_f32(left [rows, a], right [rows, b], src [rows, a+b], rows, a, b)
//   add_scaled_f32(dst [n], left [n], right [n], n, scale): dst = (left + right)·scale
// Pure copies and one add and multiply per element, so the SIMD and scalar builds agree bit for bit.

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
