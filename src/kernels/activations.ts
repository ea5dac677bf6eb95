// TypeScript side of assembly/activations.ts: the bindings (thin, no validation), and
// the public activation() / activationBackward() that validate, stage and make one call.
//
// Bindings, convention (backend, ptrs { outputs…, inputs… }, n): every buffer is n f32.
//   forward   y = f(x); y may be x
//   backward  dx += dy · f′, f′ written with the forward output y; dx aliases nothing
import type { Backend, KernelTarget } from '../engine/backend.js';
import { checkOptions, describe } from '../errors.js';
import { checkNoOverlap, operandLength, resolveBackend, withOperands, type Operand } from './operands.js';
import { exportsOf } from '../engine/exports.js';
import type { Ptr } from './codes.js';

type Forward = (backend: KernelTarget, ptrs: { y: Ptr; x: Ptr }, n: number) => void;
type Backward = (backend: Backend, ptrs: { dx: Ptr; y: Ptr; dy: Ptr }, n: number) => void;

export const expF32: Forward = (backend, ptrs, n) => exportsOf(backend).exp_f32(ptrs.y, ptrs.x, n);
export const sigmoidF32: Forward = (backend, ptrs, n) => exportsOf(backend).sigmoid_f32(ptrs.y, ptrs.x, n);
export const tanhF32: Forward = (backend, ptrs, n) => exportsOf(backend).tanh_f32(ptrs.y, ptrs.x, n);
export const reluF32: Forward = (backend, ptrs, n) => exportsOf(backend).relu_f32(ptrs.y, ptrs.x, n);
export const sigmoidBackwardF32: Backward = (backend, ptrs, n) => exportsOf(backend).sigmoid_backward_f32(ptrs.dx, ptrs.y, ptrs.dy, n);
export const tanhBackwardF32: Backward = (backend, ptrs, n) => exportsOf(backend).tanh_backward_f32(ptrs.dx, ptrs.y, ptrs.dy, n);
export const reluBackwardF32: Backward = (backend, ptrs, n) => exportsOf(backend).relu_backward_f32(ptrs.dx, ptrs.y, ptrs.dy, n);

const FORWARD: Record<Activation | 'exp', Forward> = { exp: expF32, sigmoid: sigmoidF32, tanh: tanhF32, relu: reluF32 };
const BACKWARD: Record<Activation, Backward> = { sigmoid: sigmoidBackwardF32, tanh: tanhBackwardF32, relu: reluBackwardF32 };

export type Activation = 'sigmoid' | 'tanh' | 'relu';
const ACTIVATIONS: readonly string[] = ['sigmoid', 'tanh', 'relu'];

function checkName(where: string, name: unknown, allowExp: boolean): void {
  if (typeof name === 'string' && (ACTIVATIONS.includes(name) || (allowExp && name === 'exp'))) return;
  const allowed = (allowExp ? [...ACTIVATIONS, 'exp'] : ACTIVATIONS).map((s) => `'${s}'`).join(', ');
  throw new RangeError(`${where}: activation must be one of ${allowed}, got ${describe(name)}`);
}

function checkSameLength(where: string, names: string[], lengths: number[]): void {
  for (let i = 1; i < lengths.length; i++) {
    if (lengths[i] !== lengths[0]) {
      throw new RangeError(`${where}: ${names[i]} has ${lengths[i]} elements but ${names[0]} has ${lengths[0]}`);
    }
  }
}

/** y = f(x) elementwise. `y` may be `x` (in place). */
export function activation(name: Activation | 'exp', x: Operand, y: Operand, options: { backend?: Backend } = {}): void {
  const where = 'activation';
  checkOptions(where, options, ['backend']);
  checkName(where, name, true);
  const n = operandLength(where, 'x', x);
  checkSameLength(where, ['x', 'y'], [n, operandLength(where, 'y', y)]);
  const backend = resolveBackend(where, ['x', 'y'], [x, y], options.backend);
  const kernel = FORWARD[name];
  if (x === y) {
    withOperands(backend, [{ name: 'y', value: y, offset: 0, span: n, output: true }], ([p]) => kernel(backend, { y: p, x: p }, n), where);
    return;
  }
  const uses = [
    { name: 'y', value: y, offset: 0, span: n, output: true },
    { name: 'x', value: x, offset: 0, span: n, output: false },
  ];
  checkNoOverlap(where, uses);
  withOperands(backend, uses, ([yp, xp]) => kernel(backend, { y: yp, x: xp }, n), where);
}

/** dx += dy ⊙ f'(x), with f' written in terms of the forward output y = f(x). */
export function activationBackward(name: Activation, y: Operand, dy: Operand, dx: Operand, options: { backend?: Backend } = {}): void {
  const where = 'activationBackward';
  checkOptions(where, options, ['backend']);
  checkName(where, name, false);
  const n = operandLength(where, 'y', y);
  checkSameLength(where, ['y', 'dy', 'dx'], [n, operandLength(where, 'dy', dy), operandLength(where, 'dx', dx)]);
  const backend = resolveBackend(where, ['y', 'dy', 'dx'], [y, dy, dx], options.backend);
  const uses = [
    { name: 'dx', value: dx, offset: 0, span: n, output: true },
    { name: 'y', value: y, offset: 0, span: n, output: false },
    { name: 'dy', value: dy, offset: 0, span: n, output: false },
  ];
  checkNoOverlap(where, uses);
  const kernel = BACKWARD[name];
  withOperands(backend, uses, ([dxp, yp, dyp]) => kernel(backend, { dx: dxp, y: yp, dy: dyp }, n), where);
}
