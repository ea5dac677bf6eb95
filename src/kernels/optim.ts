// Bindings of assembly/optim.ts: optimizer steps and gradient clipping over one
// contiguous slab. Thin: no validation (callers own their buffers).
// Convention: (backend, ptrs { outputs…, inputs… }, sizes…, hyperparameters…), as in assembly.
//
//   params, grads, and every state slab (velocity, m, v, sq) [n] f32, laid out alike.
//   velocity may be 0 when momentum = 0. Steps follow PyTorch (see assembly/optim.ts).
import type { Backend } from '../engine/backend.js';
import { exportsOf } from '../engine/exports.js';
import type { Ptr } from './codes.js';

/** torch.optim.SGD (dampening 0): params and velocity updated in place. */
export function sgdStepF32(
  backend: Backend, ptrs: { params: Ptr; velocity: Ptr; grads: Ptr }, n: number,
  learningRate: number, momentum: number, nesterov: boolean, weightDecay: number,
): void {
  exportsOf(backend).sgd_step_f32(ptrs.params, ptrs.velocity, ptrs.grads, n, learningRate, momentum, nesterov ? 1 : 0, weightDecay);
}

/** torch.optim.Adam, or AdamW when decoupled; step ≥ 1 counts this call. */
export function adamStepF32(
  backend: Backend, ptrs: { params: Ptr; m: Ptr; v: Ptr; grads: Ptr }, n: number,
  learningRate: number, beta1: number, beta2: number, epsilon: number, step: number, weightDecay: number, decoupled: boolean,
): void {
  exportsOf(backend).adam_step_f32(ptrs.params, ptrs.m, ptrs.v, ptrs.grads, n, learningRate, beta1, beta2, epsilon, step, weightDecay, decoupled ? 1 : 0);
}

/** torch.optim.RMSprop (not centered, no momentum). */
export function rmspropStepF32(
  backend: Backend, ptrs: { params: Ptr; sq: Ptr; grads: Ptr }, n: number,
  learningRate: number, rho: number, epsilon: number, weightDecay: number,
): void {
  exportsOf(backend).rmsprop_step_f32(ptrs.params, ptrs.sq, ptrs.grads, n, learningRate, rho, epsilon, weightDecay);
}

/** Σ x² in f64 (NaN or +Inf if an element is not finite). */
export function sumSquaresF32(backend: Backend, ptrs: { x: Ptr }, n: number): number {
  return exportsOf(backend).sum_squares_f32(ptrs.x, n);
}

/** x ← factor·x. */
export function scaleF32(backend: Backend, ptrs: { x: Ptr }, n: number, factor: number): void {
  exportsOf(backend).scale_f32(ptrs.x, n, factor);
}

/** x ← clamp(x, −limit, limit); NaN stays NaN. */
export function clipValuesF32(backend: Backend, ptrs: { x: Ptr }, n: number, limit: number): void {
  exportsOf(backend).clip_values_f32(ptrs.x, n, limit);
}
