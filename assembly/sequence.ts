// Time-major [T, B, F] buffers: time reversal, for the backward direction of a bidirectional
// layer, and each sequence's last real step, for a TCN that returns one vector per sequence.
// Data movement and single adds (exact, and the same in both builds).
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
//
//   last_steps_f32(dst [B, F], src [T, B, F], mask, T, B, F)
//       dst[b] = src[E_b − 1, b], E_b = 1 + the last t with mask[t, b] ≠ 0 (T when mask is 0):
//       each sequence's last real step (a recurrent layer's final state is the state there);
//       a sequence without a real step gets zeros.
//   last_steps_backward_f32(dSrc [T, B, F], dDst [B, F], mask, T, B, F)
//       dSrc[E_b − 1, b] += dDst[b] (one f32 add per element; nothing for an empty sequence).
import { addRow } from "./cells";

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

/** E_b − 1: the last step of sequence b with a non-zero mask entry (T − 1 without a mask; −1 if none). */
function lastStep(mask: usize, T: i32, B: i32, b: i32): i32 {
  if (mask == 0) return T - 1;
  let t = T - 1;
  while (t >= 0 && load<f32>(mask + (<usize>(t * B + b) << 2)) == 0) t--;
  return t;
}

export function last_steps_f32(dst: usize, src: usize, mask: usize, T: i32, B: i32, F: i32): void {
  const rowBytes = <usize>F << 2;
  for (let b = 0; b < B; b++) {
    const t = lastStep(mask, T, B, b);
    const d = dst + <usize>b * rowBytes;
    if (t < 0) memory.fill(d, 0, rowBytes);
    else memory.copy(d, src + (<usize>t * <usize>B + <usize>b) * rowBytes, rowBytes);
  }
}

export function last_steps_backward_f32(dSrc: usize, dDst: usize, mask: usize, T: i32, B: i32, F: i32): void {
  const rowBytes = <usize>F << 2;
  for (let b = 0; b < B; b++) {
    const t = lastStep(mask, T, B, b);
    if (t >= 0) addRow(dSrc + (<usize>t * <usize>B + <usize>b) * rowBytes, dDst + <usize>b * rowBytes, F);
  }
}
