// Runs the pooling bindings (src/kernels/pool.ts) on JS arrays for test/pool-kernels.test.ts:
// every operand is copied into its own block of linear memory, `shift` floats past the
// block's start (shift 1 makes every pointer 4- but not 16-byte aligned), the binding is
// called once, and every operand is copied back into the array it came from (the kernels
// write only their outputs, so inputs come back unchanged). Blocks are freed whatever happens.
import type { Backend } from '../../src/engine/backend.js';
import {
  avgPoolBackwardF32, avgPoolForwardF32, globalAvgPoolBackwardF32, globalAvgPoolForwardF32, globalMaxPoolBackwardF32,
  globalMaxPoolForwardF32, maxPoolBackwardF32, maxPoolForwardF32, type PoolShape,
} from '../../src/kernels/pool.js';

type Operand = Float32Array | Int32Array;

function staged(backend: Backend, operands: Operand[], shift: number, run: (ptrs: number[]) => void): void {
  const blocks: number[] = [];
  try {
    for (const a of operands) blocks.push(backend.alloc((a.length + shift + 1) * 4));
    // Views after every allocation: an allocation may grow memory and detach older views.
    const ptrs = blocks.map((block) => block + shift * 4);
    operands.forEach((a, i) => viewOf(backend, a, ptrs[i]).set(a));
    run(ptrs);
    operands.forEach((a, i) => a.set(viewOf(backend, a, ptrs[i])));
  } finally {
    for (const block of blocks) backend.free(block);
  }
}

function viewOf(backend: Backend, a: Operand, ptr: number): Operand {
  return a instanceof Float32Array ? new Float32Array(backend.memoryBuffer, ptr, a.length) : new Int32Array(backend.memoryBuffer, ptr, a.length);
}

const outputsOf = (s: PoolShape): number => s.N * s.OH * s.OW * s.C;

export function maxPoolForward(backend: Backend, x: Float32Array, s: PoolShape, shift = 0): { y: Float32Array; argmax: Int32Array } {
  const y = new Float32Array(outputsOf(s)).fill(NaN); // every element must be written
  const argmax = new Int32Array(outputsOf(s)).fill(-7);
  staged(backend, [y, argmax, x], shift, ([yp, ap, xp]) => maxPoolForwardF32(backend, { y: yp, argmax: ap, x: xp }, s));
  return { y, argmax };
}

/** dX0 + the gradient (a new array): the kernel accumulates into a copy of dX0. */
export function maxPoolBackward(backend: Backend, dX0: Float32Array, dY: Float32Array, argmax: Int32Array, shift = 0): Float32Array {
  const dX = dX0.slice();
  staged(backend, [dX, dY, argmax], shift, ([dp, yp, ap]) => maxPoolBackwardF32(backend, { dX: dp, dY: yp, argmax: ap }, argmax.length));
  return dX;
}

export function avgPoolForward(backend: Backend, x: Float32Array, s: PoolShape, shift = 0): Float32Array {
  const y = new Float32Array(outputsOf(s)).fill(NaN);
  staged(backend, [y, x], shift, ([yp, xp]) => avgPoolForwardF32(backend, { y: yp, x: xp }, s));
  return y;
}

export function avgPoolBackward(backend: Backend, dX0: Float32Array, dY: Float32Array, s: PoolShape, shift = 0): Float32Array {
  const dX = dX0.slice();
  staged(backend, [dX, dY], shift, ([dp, yp]) => avgPoolBackwardF32(backend, { dX: dp, dY: yp }, s));
  return dX;
}

export function globalAvgPoolForward(backend: Backend, x: Float32Array, N: number, S: number, C: number, shift = 0): Float32Array {
  const y = new Float32Array(N * C).fill(NaN);
  staged(backend, [y, x], shift, ([yp, xp]) => globalAvgPoolForwardF32(backend, { y: yp, x: xp }, N, S, C));
  return y;
}

export function globalAvgPoolBackward(backend: Backend, dX0: Float32Array, dY: Float32Array, N: number, S: number, C: number, shift = 0): Float32Array {
  const dX = dX0.slice();
  staged(backend, [dX, dY], shift, ([dp, yp]) => globalAvgPoolBackwardF32(backend, { dX: dp, dY: yp }, N, S, C));
  return dX;
}

export function globalMaxPoolForward(backend: Backend, x: Float32Array, N: number, S: number, C: number, shift = 0): { y: Float32Array; argmax: Int32Array } {
  const y = new Float32Array(N * C).fill(NaN);
  const argmax = new Int32Array(N * C).fill(-7);
  staged(backend, [y, argmax, x], shift, ([yp, ap, xp]) => globalMaxPoolForwardF32(backend, { y: yp, argmax: ap, x: xp }, N, S, C));
  return { y, argmax };
}

export function globalMaxPoolBackward(backend: Backend, dX0: Float32Array, dY: Float32Array, argmax: Int32Array, N: number, C: number, shift = 0): Float32Array {
  const dX = dX0.slice();
  staged(backend, [dX, dY, argmax], shift, ([dp, yp, ap]) => globalMaxPoolBackwardF32(backend, { dX: dp, dY: yp, argmax: ap }, N, C));
  return dX;
}
