// Bindings of assembly/model.ts: data movement between layers (a bidirectional
// layer's merge and its inverse) and dropout. Thin: no validation.
// Convention: (backend, ptrs { outputs…, inputs… }, sizes…, scalars…), as in assembly.
//
//   concat: dst [rows, a+b] ← left [rows, a], right [rows, b];  split: the inverse
//   addScaled, dropout, multiply: every buffer [n] f32
//   dropoutMask: mask [n];  multiplyRows: dst, x [rows, n], m [n]
import type { Backend } from '../engine/backend.js';
import { exportsOf } from '../engine/exports.js';
import type { Ptr } from './codes.js';

/** dst[r] = [left[r], right[r]]. */
export function concatRowsF32(backend: Backend, ptrs: { dst: Ptr; left: Ptr; right: Ptr }, rows: number, a: number, b: number): void {
  exportsOf(backend).concat_rows_f32(ptrs.dst, ptrs.left, ptrs.right, rows, a, b);
}

/** [left[r], right[r]] = src[r]. */
export function splitRowsF32(backend: Backend, ptrs: { left: Ptr; right: Ptr; src: Ptr }, rows: number, a: number, b: number): void {
  exportsOf(backend).split_rows_f32(ptrs.left, ptrs.right, ptrs.src, rows, a, b);
}

/** dst = (left + right)·scale. */
export function addScaledF32(backend: Backend, ptrs: { dst: Ptr; left: Ptr; right: Ptr }, n: number, scale: number): void {
  exportsOf(backend).add_scaled_f32(ptrs.dst, ptrs.left, ptrs.right, n, scale);
}

/** Inverted dropout: mask_i = 0 with probability rate, else 1/(1 − rate), from (seed, i) only; out = x ⊙ mask. */
export function dropoutF32(backend: Backend, ptrs: { out: Ptr; mask: Ptr; x: Ptr }, n: number, rate: number, seed: number): void {
  exportsOf(backend).dropout_f32(ptrs.out, ptrs.mask, ptrs.x, n, rate, seed);
}

/** dst = a ⊙ ptrs. */
export function multiplyF32(backend: Backend, ptrs: { dst: Ptr; a: Ptr; b: Ptr }, n: number): void {
  exportsOf(backend).multiply_f32(ptrs.dst, ptrs.a, ptrs.b, n);
}

/** The mask of dropoutF32 alone: mask_i = 0 with probability rate, else 1/(1 − rate), from (seed, i). */
export function dropoutMaskF32(backend: Backend, ptrs: { mask: Ptr }, n: number, rate: number, seed: number): void {
  exportsOf(backend).dropout_mask_f32(ptrs.mask, n, rate, seed);
}

/** dst[r, i] = x[r, i]·m[i]: one mask row for every row (spatial dropout of [T, B, C] with a [B, C] mask). */
export function multiplyRowsF32(backend: Backend, ptrs: { dst: Ptr; x: Ptr; m: Ptr }, rows: number, n: number): void {
  exportsOf(backend).multiply_rows_f32(ptrs.dst, ptrs.x, ptrs.m, rows, n);
}
