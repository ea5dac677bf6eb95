// Time reversal of time-major [T, B, F] buffers, for the backward direction of a
// bidirectional layer. Pure data movement (exact in both builds).
//
//   reverse_time_f32(dst, src, T, rowFloats)
//       dst[t] = src[T − 1 − t], each step rowFloats = B·F floats. dst must not overlap src.
//
//   reverse_time_masked_f32(dst, src, mask, T, B, F)
//       mask f32 [T, B]; L_b = the number of leading non-zero entries of mask[:, b].
//       dst[t, b] = src[L_b − 1 − t, b] for t < L_b, and 0 for t ≥ L_b: each sequence is
//       reversed within its own length; padded steps stay at the end and are zeroed.
//       Applying it twice with the same mask gives src back on the valid steps, so the
//       gradient of dst w.r.t. src is the same call on dDst. dst must not overlap src.
export function reverse_time_f32(dst: usize, src: usize, T: i32, rowFloats: i32): void {
  const stepBytes = <usize>rowFloats << 2;
  for (let t = 0; t < T; t++) memory.copy(dst + <usize>t * stepBytes, src + <usize>(T - 1 - t) * stepBytes, stepBytes);
}

export function reverse_time_masked_f32(dst: usize, src: usize, mask: usize, T: i32, B: i32, F: i32): void {
  const rowBytes = <usize>F << 2;
  const stepBytes = <usize>B * rowBytes;
  for (let b = 0; b < B; b++) {
    let length = 0;
    while (length < T && load<f32>(mask + (<usize>(length * B + b) << 2)) != 0) length++;
    const column = <usize>b * rowBytes;
    for (let t = 0; t < length; t++) {
      memory.copy(dst + <usize>t * stepBytes + column, src + <usize>(length - 1 - t) * stepBytes + column, rowBytes);
    }
    for (let t = length; t < T; t++) memory.fill(dst + <usize>t * stepBytes + column, 0, rowBytes);
  }
}
