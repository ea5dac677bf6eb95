// Bindings of assembly/sequence.ts: time reversal of time-major [T, B, F] buffers
// (a bidirectional layer's backward direction) and each sequence's last real step. Thin: no validation.
// Convention: (backend, ptrs { outputs…, inputs… }, sizes…), as in assembly.
//
//   src, dst [T, B, F] f32 (dst must not overlap src);  mask [T, B] f32, post-padded 0/1
//   last steps: dst, dDst [B, F];  src, dSrc [T, B, F];  mask [T, B] f32 or 0
import type { Backend } from '../engine/backend.js';
import { exportsOf } from '../engine/exports.js';
import type { Ptr } from './codes.js';

/** dst[t] = src[T − 1 − t], each step rowFloats = B·F floats. */
export function reverseTimeF32(backend: Backend, ptrs: { dst: Ptr; src: Ptr }, T: number, rowFloats: number): void {
  exportsOf(backend).reverse_time_f32(ptrs.dst, ptrs.src, T, rowFloats);
}

/** Each sequence reversed within its own length L_b (leading 1s of mask[:, b]); steps t ≥ L_b of dst are 0. */
export function reverseTimeMaskedF32(backend: Backend, ptrs: { dst: Ptr; src: Ptr; mask: Ptr }, T: number, B: number, F: number): void {
  exportsOf(backend).reverse_time_masked_f32(ptrs.dst, ptrs.src, ptrs.mask, T, B, F);
}

/** dst[b] = src[E_b − 1, b]: each sequence's last step with mask ≠ 0 (the last step without a mask; zeros if none). */
export function lastStepsF32(backend: Backend, ptrs: { dst: Ptr; src: Ptr; mask: Ptr }, T: number, B: number, F: number): void {
  exportsOf(backend).last_steps_f32(ptrs.dst, ptrs.src, ptrs.mask, T, B, F);
}

/** dSrc[E_b − 1, b] += dDst[b]. */
export function lastStepsBackwardF32(backend: Backend, ptrs: { dSrc: Ptr; dDst: Ptr; mask: Ptr }, T: number, B: number, F: number): void {
  exportsOf(backend).last_steps_backward_f32(ptrs.dSrc, ptrs.dDst, ptrs.mask, T, B, F);
}
