// Runs the TCN block's kernel bindings (src/kernels/norm.ts, the spatial-dropout pair of
// src/kernels/model.ts, the last-step pair of src/kernels/sequence.ts) on JS arrays for
// test/tcn.test.ts: every operand is copied into its own block of linear memory, `shift` floats
// past the block's start (shift 1: 4- but not 16-byte aligned), the binding runs once, and every
// operand is copied back into its array (inputs come back unchanged). Accumulating outputs
// start from the values their arrays hold. Blocks are freed whatever happens.
import type { Backend } from '../../src/engine/backend.js';
import { dropoutMaskF32, multiplyRowsF32 } from '../../src/kernels/model.js';
import { layerNormBackwardF32, layerNormForwardF32, weightNormBackwardF32, weightNormForwardF32 } from '../../src/kernels/norm.js';
import { lastStepsBackwardF32, lastStepsF32 } from '../../src/kernels/sequence.js';

function staged(backend: Backend, operands: (Float32Array | null)[], shift: number, run: (ptrs: number[]) => void): void {
  const blocks: number[] = [];
  try {
    for (const a of operands) blocks.push(a ? backend.alloc((a.length + shift + 1) * 4) : 0);
    const ptrs = blocks.map((block) => (block ? block + shift * 4 : 0));
    operands.forEach((a, i) => a && new Float32Array(backend.memoryBuffer, ptrs[i], a.length).set(a));
    run(ptrs);
    operands.forEach((a, i) => a && a.set(new Float32Array(backend.memoryBuffer, ptrs[i], a.length)));
  } finally {
    for (const block of blocks) if (block) backend.free(block);
  }
}

export function layerNormForward(
  backend: Backend, x: Float32Array, gamma: Float32Array, beta: Float32Array, rows: number, C: number, epsilon: number, shift = 0,
): { y: Float32Array; xhat: Float32Array; rstd: Float32Array } {
  const y = new Float32Array(rows * C).fill(NaN); // every element must be written
  const xhat = new Float32Array(rows * C).fill(NaN);
  const rstd = new Float32Array(rows).fill(NaN);
  staged(backend, [y, xhat, rstd, x, gamma, beta], shift, ([yp, hp, rp, xp, gp, bp]) =>
    layerNormForwardF32(backend, { y: yp, xhat: hp, rstd: rp, x: xp, gamma: gp, beta: bp }, rows, C, epsilon));
  return { y, xhat, rstd };
}

/** dX0, dGamma0, dBeta0 + the gradients (new arrays). */
export function layerNormBackward(
  backend: Backend, d0: { dX: Float32Array; dGamma: Float32Array; dBeta: Float32Array },
  dY: Float32Array, xhat: Float32Array, rstd: Float32Array, gamma: Float32Array, rows: number, C: number, shift = 0,
): { dX: Float32Array; dGamma: Float32Array; dBeta: Float32Array } {
  const [dX, dGamma, dBeta] = [d0.dX.slice(), d0.dGamma.slice(), d0.dBeta.slice()];
  staged(backend, [dX, dGamma, dBeta, dY, xhat, rstd, gamma], shift, ([a, b, c, d, e, f, g]) =>
    layerNormBackwardF32(backend, { dX: a, dGamma: b, dBeta: c, dY: d, xhat: e, rstd: f, gamma: g }, rows, C));
  return { dX, dGamma, dBeta };
}

export function weightNormForward(backend: Backend, v: Float32Array, g: Float32Array, R: number, F: number, shift = 0): { w: Float32Array; norm: Float32Array } {
  const w = new Float32Array(R * F).fill(NaN);
  const norm = new Float32Array(F).fill(NaN);
  staged(backend, [w, norm, v, g], shift, ([wp, np, vp, gp]) => weightNormForwardF32(backend, { w: wp, norm: np, v: vp, g: gp }, R, F));
  return { w, norm };
}

export function weightNormBackward(
  backend: Backend, d0: { dV: Float32Array; dG: Float32Array }, dW: Float32Array, v: Float32Array, g: Float32Array, norm: Float32Array,
  R: number, F: number, shift = 0,
): { dV: Float32Array; dG: Float32Array } {
  const [dV, dG] = [d0.dV.slice(), d0.dG.slice()];
  staged(backend, [dV, dG, dW, v, g, norm], shift, ([a, b, c, d, e, f]) =>
    weightNormBackwardF32(backend, { dV: a, dG: b, dW: c, v: d, g: e, norm: f }, R, F));
  return { dV, dG };
}

export function dropoutMask(backend: Backend, n: number, rate: number, seed: number, shift = 0): Float32Array {
  const mask = new Float32Array(n).fill(NaN);
  staged(backend, [mask], shift, ([m]) => dropoutMaskF32(backend, { mask: m }, n, rate, seed));
  return mask;
}

export function multiplyRows(backend: Backend, x: Float32Array, m: Float32Array, rows: number, n: number, shift = 0): Float32Array {
  const dst = new Float32Array(rows * n).fill(NaN);
  staged(backend, [dst, x, m], shift, ([d, xp, mp]) => multiplyRowsF32(backend, { dst: d, x: xp, m: mp }, rows, n));
  return dst;
}

export function lastSteps(backend: Backend, src: Float32Array, mask: Float32Array | null, T: number, B: number, F: number, shift = 0): Float32Array {
  const dst = new Float32Array(B * F).fill(NaN);
  staged(backend, [dst, src, mask], shift, ([d, s, m]) => lastStepsF32(backend, { dst: d, src: s, mask: m }, T, B, F));
  return dst;
}

export function lastStepsBackward(
  backend: Backend, dSrc0: Float32Array, dDst: Float32Array, mask: Float32Array | null, T: number, B: number, F: number, shift = 0,
): Float32Array {
  const dSrc = dSrc0.slice();
  staged(backend, [dSrc, dDst, mask], shift, ([d, s, m]) => lastStepsBackwardF32(backend, { dSrc: d, dDst: s, mask: m }, T, B, F));
  return dSrc;
}
