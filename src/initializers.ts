// Weight initialisers (Keras' definitions), drawing from a seeded Random.
import type { Random } from './random.js';

/** Glorot/Xavier uniform for a [fanIn, fanOut] matrix: U(−l, l), l = √(6 / (fanIn + fanOut)). */
export function glorotUniform(random: Random, fanIn: number, fanOut: number): Float32Array {
  const limit = Math.sqrt(6 / (fanIn + fanOut));
  const out = new Float32Array(fanIn * fanOut);
  for (let i = 0; i < out.length; i++) out[i] = random.range(-limit, limit);
  return out;
}

/**
 * A [rows, cols] matrix with orthonormal rows (rows ≤ cols) or columns (rows > cols):
 * Gram–Schmidt (twice, in f64) on a standard normal matrix, as Keras' Orthogonal
 * does with QR. For an LSTM's [H, 4H] recurrent kernel, W·Wᵀ = I.
 */
export function orthogonal(random: Random, rows: number, cols: number, gain = 1): Float32Array {
  const transposed = rows > cols;
  const r = transposed ? cols : rows; // vectors to orthonormalise
  const c = transposed ? rows : cols; // their length
  const q = new Float64Array(r * c);
  for (let i = 0; i < q.length; i++) q[i] = random.normal();
  for (let i = 0; i < r; i++) {
    const v = q.subarray(i * c, (i + 1) * c);
    for (let pass = 0; pass < 2; pass++) {
      for (let k = 0; k < i; k++) {
        const u = q.subarray(k * c, (k + 1) * c);
        let dot = 0;
        for (let x = 0; x < c; x++) dot += u[x] * v[x];
        for (let x = 0; x < c; x++) v[x] -= dot * u[x];
      }
    }
    let norm = 0;
    for (let x = 0; x < c; x++) norm += v[x] * v[x];
    norm = Math.sqrt(norm);
    for (let x = 0; x < c; x++) v[x] /= norm;
  }
  const out = new Float32Array(rows * cols);
  for (let i = 0; i < r; i++) {
    for (let x = 0; x < c; x++) {
      if (transposed) out[x * cols + i] = gain * q[i * c + x];
      else out[i * cols + x] = gain * q[i * c + x];
    }
  }
  return out;
}

/** The n×n identity (IRNN: Le, Jaitly & Hinton, 2015). */
export function identity(n: number, gain = 1): Float32Array {
  const out = new Float32Array(n * n);
  for (let i = 0; i < n; i++) out[i * n + i] = gain;
  return out;
}
