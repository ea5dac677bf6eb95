// Activations and their derivatives in plain TypeScript (f64 Math.*): the
// oracle for assembly/activations.ts. Derivatives take forward outputs y and
// accumulate into dx, like the kernels.

export type ActivationName = 'sigmoid' | 'tanh' | 'relu';

export const activationReference: Record<ActivationName | 'exp', (x: number) => number> = {
  exp: (x) => Math.exp(x),
  sigmoid: (x) => 1 / (1 + Math.exp(-x)),
  tanh: (x) => Math.tanh(x),
  relu: (x) => (Number.isNaN(x) ? NaN : Math.max(x, 0)),
};

/** dy · f′(x), written with y = f(x). ReLU passes dy where y > 0 and exactly 0 elsewhere. */
export const activationGradientReference: Record<ActivationName, (y: number, dy: number) => number> = {
  sigmoid: (y, dy) => dy * (y * (1 - y)),
  tanh: (y, dy) => dy * (1 - y * y),
  relu: (y, dy) => (y > 0 ? dy : 0),
};

export function activationForwardReference(name: ActivationName | 'exp', x: ArrayLike<number>, y: Float32Array | Float64Array): void {
  const f = activationReference[name];
  for (let i = 0; i < x.length; i++) y[i] = f(x[i]);
}

export function activationBackwardReference(
  name: ActivationName,
  y: ArrayLike<number>,
  dy: ArrayLike<number>,
  dx: Float32Array | Float64Array,
): void {
  const grad = activationGradientReference[name];
  for (let i = 0; i < y.length; i++) dx[i] += grad(y[i], dy[i]);
}
