// Bindings of assembly/autoencoder.ts. Thin: no validation (src/models/autoencoder.ts checks
// every size and value first).
//
//   h, dH [rows, units] (the code activations of a batch and their gradient)
import type { Backend } from '../engine/backend.js';
import { exportsOf } from '../engine/exports.js';
import type { Ptr } from './codes.js';

/**
 * β·Σ_j KL(ρ ‖ ρ̂_j) with ρ̂_j the mean of column j of h (clamped to [1e-6, 1 − 1e-6]); with
 * dH ≠ 0 (a pointer) its gradient w.r.t. h is added to dH.
 */
export function klSparsityF32(backend: Backend, ptrs: { dH: Ptr; h: Ptr }, rows: number, units: number, rho: number, beta: number): number {
  return exportsOf(backend).kl_sparsity_f32(ptrs.dH, ptrs.h, rows, units, rho, beta);
}
