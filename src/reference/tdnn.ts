// Plain-TypeScript (f64) time-delay neural network layer, read straight off its definition: the
// oracle for src/layers/tdnn.ts.
//
//   x [N, T, C] (batch-major, as users give sequences);  weight [numOffsets, C, F];  bias [F] or null
//   y[n, t, f] = act(bias[f] + Σ_j Σ_c weight[j, c, f] · x[n, t + context[j], c])
//   where a step t + context[j] outside [0, T) reads zero;  y [N, T, F].
import { activationReference, type ActivationName } from './activations.js';

export function tdnnForwardReference(
  x: ArrayLike<number>, N: number, T: number, C: number,
  weight: ArrayLike<number>, bias: ArrayLike<number> | null, F: number,
  context: readonly number[], activation: ActivationName | 'linear',
): Float64Array {
  const y = new Float64Array(N * T * F);
  for (let n = 0; n < N; n++) {
    for (let t = 0; t < T; t++) {
      for (let f = 0; f < F; f++) {
        let z = bias ? bias[f] : 0;
        context.forEach((offset, j) => {
          const s = t + offset;
          if (s < 0 || s >= T) return; // outside the sequence: zero
          for (let c = 0; c < C; c++) z += weight[(j * C + c) * F + f] * x[(n * T + s) * C + c];
        });
        y[(n * T + t) * F + f] = activation === 'linear' ? z : activationReference[activation](z);
      }
    }
  }
  return y;
}
