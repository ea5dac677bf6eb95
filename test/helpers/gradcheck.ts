// Central-difference gradient checks for f64 code.

/**
 * For every element of every array in `inputs`, compares the analytic gradient
 * with (L(x + ε) − L(x − ε)) / 2ε. Throws naming the worst element.
 */
export function checkGradients(
  label: string,
  inputs: Record<string, Float64Array>,
  analytic: Record<string, ArrayLike<number>>,
  loss: () => number,
  { epsilon = 1e-6, tolerance = 1e-6 } = {},
): void {
  for (const [name, values] of Object.entries(inputs)) {
    const grad = analytic[name];
    if (!grad) throw new Error(`${label}: no analytic gradient for ${name}`);
    if (grad.length !== values.length) throw new Error(`${label}: d${name} has length ${grad.length}, ${name} has ${values.length}`);
    let worst = { index: -1, error: 0, numeric: 0, analytic: 0 };
    for (let i = 0; i < values.length; i++) {
      const saved = values[i];
      values[i] = saved + epsilon;
      const plus = loss();
      values[i] = saved - epsilon;
      const minus = loss();
      values[i] = saved;
      const numeric = (plus - minus) / (2 * epsilon);
      // Relative to the larger magnitude, absolute below 1.
      const error = Math.abs(numeric - grad[i]) / Math.max(1, Math.abs(numeric), Math.abs(grad[i]));
      if (error > worst.error) worst = { index: i, error, numeric, analytic: grad[i] };
    }
    if (worst.error > tolerance) {
      throw new Error(
        `${label}: d${name}[${worst.index}] analytic ${worst.analytic} vs numeric ${worst.numeric} (error ${worst.error.toExponential(2)} > ${tolerance})`,
      );
    }
  }
}

/** Σ a⊙b over the first a.length elements, starting b at an offset. */
export function dot(a: ArrayLike<number>, b: ArrayLike<number>, bOffset = 0): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[bOffset + i];
  return s;
}

export function randomF64(length: number, next: () => number, scale = 1): Float64Array {
  return Float64Array.from({ length }, () => (next() * 2 - 1) * scale);
}
