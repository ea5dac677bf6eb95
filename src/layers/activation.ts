// The pointwise activations of the feed-forward and convolutional layers (Dense, TiedDense, Conv1D,
// Conv2D, TDNN, TCN), forward in place and backward from the output, in one place.
import type { Backend, KernelTarget } from '../engine/backend.js';
import { reluBackwardF32, reluF32, sigmoidBackwardF32, sigmoidF32, tanhBackwardF32, tanhF32 } from '../kernels/activations.js';

export type PointwiseActivation = 'linear' | 'relu' | 'tanh' | 'sigmoid';

/** out = f(out) over n floats for relu, tanh, sigmoid; anything else (linear, a softmax head) is left alone. `backend` may be a ShardProgram (recorded). */
export function activateInPlace(backend: KernelTarget, activation: string, out: number, n: number): void {
  if (activation === 'relu') reluF32(backend, { y: out, x: out }, n);
  else if (activation === 'tanh') tanhF32(backend, { y: out, x: out }, n);
  else if (activation === 'sigmoid') sigmoidF32(backend, { y: out, x: out }, n);
}

/**
 * The gradient before the activation from dY, given the forward output y (n floats): written into
 * `dZ` (zeroed first, the kernels add) and returned; 'linear' returns dY itself.
 */
export function activationGradient(backend: Backend, activation: PointwiseActivation, ptrs: { dZ: number; y: number; dY: number }, n: number): number {
  if (activation === 'linear') return ptrs.dY;
  backend.fillFloats(ptrs.dZ, n, 0);
  const args = { dx: ptrs.dZ, y: ptrs.y, dy: ptrs.dY };
  if (activation === 'relu') reluBackwardF32(backend, args, n);
  else if (activation === 'tanh') tanhBackwardF32(backend, args, n);
  else sigmoidBackwardF32(backend, args, n);
  return ptrs.dZ;
}
