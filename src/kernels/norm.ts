// Bindings of assembly/norm.ts: layer normalization over the last axis and weight
// normalization per output filter (a TCN block's two normalizations). Thin: no validation.
// Convention: (backend, ptrs { outputs…, inputs… }, sizes…, scalars…), as in assembly.
//
//   layer norm:  x, y, xhat, dY, dX [rows, C];  rstd [rows];  gamma, beta, dGamma, dBeta [C]
//   weight norm: v, w, dW, dV [R, F] (a kernel [K, C_in, F] read as R = K·C_in rows);  g, norm, dG [F]
import type { Backend } from '../engine/backend.js';
import { exportsOf } from '../engine/exports.js';
import type { Ptr } from './codes.js';

/** y = gamma ⊙ xhat + beta, xhat = (x − mean)·rstd per row (rstd = 1/√(var + epsilon)); saves xhat and rstd. */
export function layerNormForwardF32(
  backend: Backend, ptrs: { y: Ptr; xhat: Ptr; rstd: Ptr; x: Ptr; gamma: Ptr; beta: Ptr }, rows: number, C: number, epsilon: number,
): void {
  exportsOf(backend).layer_norm_forward_f32(ptrs.y, ptrs.xhat, ptrs.rstd, ptrs.x, ptrs.gamma, ptrs.beta, rows, C, epsilon);
}

/** dX, dGamma, dBeta += the gradients of layer normalization from dY (using the saved xhat, rstd). */
export function layerNormBackwardF32(
  backend: Backend, ptrs: { dX: Ptr; dGamma: Ptr; dBeta: Ptr; dY: Ptr; xhat: Ptr; rstd: Ptr; gamma: Ptr }, rows: number, C: number,
): void {
  exportsOf(backend).layer_norm_backward_f32(ptrs.dX, ptrs.dGamma, ptrs.dBeta, ptrs.dY, ptrs.xhat, ptrs.rstd, ptrs.gamma, rows, C);
}

/** w = v·g/‖v‖ per column (filter); saves the norms. */
export function weightNormForwardF32(backend: Backend, ptrs: { w: Ptr; norm: Ptr; v: Ptr; g: Ptr }, R: number, F: number): void {
  exportsOf(backend).weight_norm_forward_f32(ptrs.w, ptrs.norm, ptrs.v, ptrs.g, R, F);
}

/** dV, dG += the gradients of w = v·g/‖v‖ from dW = ∂L/∂w. */
export function weightNormBackwardF32(
  backend: Backend, ptrs: { dV: Ptr; dG: Ptr; dW: Ptr; v: Ptr; g: Ptr; norm: Ptr }, R: number, F: number,
): void {
  exportsOf(backend).weight_norm_backward_f32(ptrs.dV, ptrs.dG, ptrs.dW, ptrs.v, ptrs.g, ptrs.norm, R, F);
}
