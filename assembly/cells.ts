// Pieces every recurrent cell kernel shares: bias broadcast, column sums for
// bias gradients, a transpose, and the lane loop that runs a fused update over
// a row (v128 body, f32 tail — the same generic code, see lanes.ts).

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

/** dst[c, r] = src[r, c]: src is [rows, cols], dst is [cols, rows]. */
export function transpose(dst: usize, src: usize, rows: i32, cols: i32): void {
  // 8×8 tiles keep both sides in cache; plain loops inside (this runs once per backward).
  for (let r0 = 0; r0 < rows; r0 += 8) {
    const r1 = min(rows, r0 + 8);
    for (let c0 = 0; c0 < cols; c0 += 8) {
      const c1 = min(cols, c0 + 8);
      for (let r = r0; r < r1; r++) {
        for (let c = c0; c < c1; c++) {
          store<f32>(dst + ((<usize>c * <usize>rows + <usize>r) << 2), load<f32>(src + ((<usize>r * <usize>cols + <usize>c) << 2)));
        }
      }
    }
  }
}
