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

/** f'(x) written in terms of y = f(x). */
export const activationDerivativeReference: Record<ActivationName, (y: number) => number> = {
  sigmoid: (y) => y * (1 - y),
  tanh: (y) => 1 - y * y,
  relu: (y) => (y > 0 ? 1 : 0),
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
  const df = activationDerivativeReference[name];
  for (let i = 0; i < y.length; i++) dx[i] += dy[i] * df(y[i]);
}
