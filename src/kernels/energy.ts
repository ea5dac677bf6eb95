// Bindings of assembly/energy.ts: the Hopfield network's learning rules, updates and energy,
// all f64. Thin: no validation (src/energy/hopfield.ts checks every size and value first).
//
//   w f64 [N, N] symmetric, zero diagonal;  s, next, prev f64 [N];  xi f64 [N] (one pattern)
//   or [P, N];  order i32 [count];  h f64 [N] scratch;  g f64 [P, P];  b f64 [N, P]
import type { Backend } from '../engine/backend.js';
import { exportsOf } from '../engine/exports.js';
import type { Ptr } from './codes.js';

/** w_ij += scale·ξ_i·ξ_j (i ≠ j). */
export function hopfieldHebbianF64(backend: Backend, w: Ptr, xi: Ptr, N: number, scale: number): void {
  exportsOf(backend).hopfield_hebbian_f64(w, xi, N, scale);
}

/** Storkey's rule for one pattern; h f64 [N] scratch. */
export function hopfieldStorkeyF64(backend: Backend, w: Ptr, h: Ptr, xi: Ptr, N: number, scale: number): void {
  exportsOf(backend).hopfield_storkey_f64(w, h, xi, N, scale);
}

/** g [P, P] = ξ·ξᵀ. */
export function hopfieldGramF64(backend: Backend, g: Ptr, xi: Ptr, P: number, N: number): void {
  exportsOf(backend).hopfield_gram_f64(g, xi, P, N);
}

/** W = B·ξ off the diagonal (upper triangle summed, mirrored), w_ii = 0. */
export function hopfieldProjectF64(backend: Backend, w: Ptr, b: Ptr, xi: Ptr, N: number, P: number): void {
  exportsOf(backend).hopfield_project_f64(w, b, xi, N, P);
}

/** Updates units order[0 … count − 1] one at a time, in place; returns how many changed. */
export function hopfieldUpdateF64(backend: Backend, s: Ptr, w: Ptr, order: Ptr, count: number, N: number, theta: number, binary: boolean): number {
  return exportsOf(backend).hopfield_update_f64(s, w, order, count, N, theta, binary ? 1 : 0);
}

/** next ← all units updated from s at once; changed = #(next ≠ s), cycle = (prev ≠ 0 and next = prev). */
export function hopfieldSyncF64(backend: Backend, next: Ptr, s: Ptr, prev: Ptr, w: Ptr, N: number, theta: number, binary: boolean): { changed: number; cycle: boolean } {
  const code = exportsOf(backend).hopfield_sync_f64(next, s, prev, w, N, theta, binary ? 1 : 0);
  return { changed: code & ((1 << 30) - 1), cycle: (code & (1 << 30)) !== 0 };
}

/** E(s) = −½·sᵀWs + θ·Σs. */
export function hopfieldEnergyF64(backend: Backend, s: Ptr, w: Ptr, N: number, theta: number): number {
  return exportsOf(backend).hopfield_energy_f64(s, w, N, theta);
}
