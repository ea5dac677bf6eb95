// Plain f64 references for the autoencoder: the KL sparsity penalty and its gradient (as
// assembly/autoencoder.ts computes them), and the whole loss of an autoencoder given its
// weights — mean squared reconstruction error plus the penalty — written like the equations,
// for central-difference checks of the model's gradients (tied weights included).

export type ReferenceActivation = 'linear' | 'sigmoid' | 'tanh' | 'relu';

/** ρ̂_j = mean of column j of h [rows, units], clamped to [1e-6, 1 − 1e-6] as the kernel does. */
export function meanActivations(h: ArrayLike<number>, rows: number, units: number): Float64Array {
  const q = new Float64Array(units);
  for (let j = 0; j < units; j++) {
    let s = 0;
    for (let r = 0; r < rows; r++) s += h[r * units + j];
    q[j] = Math.min(1 - 1e-6, Math.max(1e-6, s / rows));
  }
  return q;
}

/** β·Σ_j KL(ρ ‖ ρ̂_j) = β·Σ_j [ρ ln(ρ/ρ̂_j) + (1 − ρ) ln((1 − ρ)/(1 − ρ̂_j))], and its gradient w.r.t. h. */
export function klSparsity(h: ArrayLike<number>, rows: number, units: number, rho: number, beta: number): { penalty: number; dH: Float64Array } {
  const q = meanActivations(h, rows, units);
  let penalty = 0;
  const dH = new Float64Array(rows * units);
  for (let j = 0; j < units; j++) {
    penalty += rho * Math.log(rho / q[j]) + (1 - rho) * Math.log((1 - rho) / (1 - q[j]));
    const g = (beta * (-rho / q[j] + (1 - rho) / (1 - q[j]))) / rows;
    for (let r = 0; r < rows; r++) dH[r * units + j] = g;
  }
  return { penalty: beta * penalty, dH };
}

function activate(z: number, f: ReferenceActivation): number {
  if (f === 'sigmoid') return 1 / (1 + Math.exp(-z));
  if (f === 'tanh') return Math.tanh(z);
  if (f === 'relu') return Math.max(0, z);
  return z;
}

/**
 * One layer of the reference: y = f(x·W + b) with W [inDim, outDim], or, `transposed`, y = f(x·Wᵀ + b)
 * with W [outDim, inDim] (a tied decoder layer reading its encoder layer's weight).
 */
export interface ReferenceLayer {
  W: Float64Array;
  b: Float64Array;
  inDim: number;
  outDim: number;
  activation: ReferenceActivation;
  transposed: boolean;
}

export function denseForward(x: ArrayLike<number>, rows: number, layer: ReferenceLayer): Float64Array {
  const { W, b, inDim, outDim, activation, transposed } = layer;
  const y = new Float64Array(rows * outDim);
  for (let r = 0; r < rows; r++) {
    for (let o = 0; o < outDim; o++) {
      let z = b[o];
      for (let i = 0; i < inDim; i++) z += x[r * inDim + i] * (transposed ? W[o * inDim + i] : W[i * outDim + o]);
      y[r * outDim + o] = activate(z, activation);
    }
  }
  return y;
}

/**
 * The autoencoder's loss on x [rows, inputSize]: the layers in order (encoder, then decoder),
 * the code after layer `codeLayer`; mean over every element of (output − x)², plus the sparsity
 * penalty on the code when `sparsity` is given.
 */
export function autoencoderLoss(
  x: ArrayLike<number>, rows: number, layers: readonly ReferenceLayer[], codeLayer: number,
  sparsity?: { target: number; weight: number },
): number {
  let a: ArrayLike<number> = x;
  let penalty = 0;
  layers.forEach((layer, k) => {
    a = denseForward(a, rows, layer);
    if (k === codeLayer && sparsity) penalty = klSparsity(a, rows, layer.outDim, sparsity.target, sparsity.weight).penalty;
  });
  const n = x.length;
  let s = 0;
  for (let i = 0; i < n; i++) s += (a[i] - x[i]) ** 2;
  return s / n + penalty;
}
