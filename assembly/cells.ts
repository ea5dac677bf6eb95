// Pieces every recurrent cell kernel shares: bias broadcast and column sums
// for bias gradients.

/** dst[r, :] = src[:] for r < rows (row stride n). Sets the bias before an accumulating GEMM. */
export function fillRows(dst: usize, src: usize, rows: i32, n: i32): void {
  const bytes = <usize>n << 2;
  for (let r = 0; r < rows; r++) memory.copy(dst + <usize>r * bytes, src, bytes);
}

/** dst[j] += Σ_r src[r·ld + j] for j < n, summed in increasing r. */
export function addColumnSums(dst: usize, src: usize, rows: i32, n: i32, ld: i32): void {
  const ldBytes = <usize>ld << 2;
  let j = 0;
  if (ASC_FEATURE_SIMD) {
    for (; j + 4 <= n; j += 4) {
      const o = <usize>j << 2;
      let s = v128.load(dst + o);
      let p = src + o;
      for (let r = 0; r < rows; r++) {
        s = f32x4.add(s, v128.load(p));
        p += ldBytes;
      }
      v128.store(dst + o, s);
    }
  }
  for (; j < n; j++) {
    const o = <usize>j << 2;
    let s = load<f32>(dst + o);
    let p = src + o;
    for (let r = 0; r < rows; r++) {
      s += load<f32>(p);
      p += ldBytes;
    }
    store<f32>(dst + o, s);
  }
}
