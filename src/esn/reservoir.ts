// Matrix generation for the ESN: a sparse reservoir W scaled to a spectral radius, and
// the input, bias and feedback weights. Seeded, with one Random stream per matrix
// (new Random(seed, k)), so changing one option never reshuffles another matrix:
//   k = 0  W0: every row has exactly max(1, round(density·N)) non-zeros at distinct
//          uniformly drawn columns, values U[−1, 1]; W = spectralRadius·W0/ρ(W0), with ρ
//          from Arnoldi + complex QR (src/esn/eigen.ts; k = 5 draws its start vector).
//   k = 1  W_in [I, N]: each entry U[−inputScaling, inputScaling] with probability inputDensity, else 0.
//   k = 2  b [N]: U[−biasScaling, biasScaling].
//   k = 3  W_back [O, N]: U[−feedbackScaling, feedbackScaling] (absent when feedbackScaling = 0).
//   k = 4  state noise ν: U[−stateNoise, stateNoise] per unit and step, during fit/fitOnline only (drawn by the model).
import { Random } from '../random.js';
import { spectralRadiusOf } from './eigen.js';
import { checkBlock, sizeProduct } from '../engine/sizes.js';
import { DEFAULT_READOUT_FEATURES, readoutColumnTerms, readoutFeatureCount, type EsnReadoutFeature } from './options.js';

/** The Random stream of each matrix: new Random(seed, STREAM.x). */
export const STREAM = { reservoir: 0, input: 1, bias: 2, feedback: 3, stateNoise: 4, arnoldi: 5 } as const;

/**
 * W is stored dense in linear memory from this density on, CSR below: dense rows (f32x4 dot
 * products) beat CSR gathers from density ≈ 0.3–0.4 on, whatever N (measured for N = 16–512
 * on the SIMD build); below that CSR wins even for small N.
 */
export const DENSE_FROM_DENSITY = 0.35;

/** The fixed matrices of a reservoir, in JS memory (the model copies them into linear memory). */
export interface ReservoirArrays {
  /** W in CSR: values [nnz], columns [nnz], rowStart [N + 1]. */
  values: Float32Array;
  columns: Int32Array;
  rowStart: Int32Array;
  /** W_in [I, N]. */
  inputWeights: Float32Array;
  /** W_back [O, N], or null without output feedback. */
  feedbackWeights: Float32Array | null;
  /** b [N]. */
  bias: Float32Array;
}

export interface ReservoirSpec {
  units: number;
  inputSize: number;
  outputSize: number;
  spectralRadius: number;
  density: number;
  inputScaling: number;
  inputDensity: number;
  biasScaling: number;
  feedbackScaling: number;
  seed: number;
}

/** Non-zeros in each row of W0: max(1, round(density·N)). */
export function nonZerosPerRow(density: number, N: number): number {
  return Math.max(1, Math.round(density * N));
}

/**
 * Throws unless every matrix of the reservoir fits one block of linear memory: checked from the
 * options alone (the readout's from its features), before anything is drawn (a reservoir too large is refused up front, not after the
 * minutes its generation and spectral radius take).
 */
export function checkReservoirSizes(where: string, spec: ReservoirSpec, features: readonly EsnReadoutFeature[] = DEFAULT_READOUT_FEATURES): void {
  const N = spec.units;
  if (spec.density >= DENSE_FROM_DENSITY) {
    checkBlock(where, `the dense reservoir W [units, units] for units ${N} (density ${spec.density} ≥ ${DENSE_FROM_DENSITY} is stored dense)`, sizeProduct(N, N));
  } else {
    checkBlock(where, `the sparse reservoir W for units ${N} and density ${spec.density}`, sizeProduct(nonZerosPerRow(spec.density, N), N));
  }
  checkBlock(where, `W_in [inputSize, units] for inputSize ${spec.inputSize} and units ${N}`, sizeProduct(spec.inputSize, N));
  if (spec.feedbackScaling > 0) checkBlock(where, `W_back [outputSize, units] for outputSize ${spec.outputSize} and units ${N}`, sizeProduct(spec.outputSize, N));
  const F = readoutFeatureCount(features, spec);
  checkBlock(where, `the readout W_out [outputSize, ${readoutColumnTerms(features)}] for outputSize ${spec.outputSize} and ${F} features`, sizeProduct(spec.outputSize, F), 'f64 values');
}

/** Draws W, W_in, b and W_back from `spec.seed`; throws when W0 cannot be scaled (ρ(W0) ≈ 0). */
export function generateReservoir(where: string, spec: ReservoirSpec): ReservoirArrays {
  const N = spec.units;
  const I = spec.inputSize;
  const O = spec.outputSize;
  const perRow = nonZerosPerRow(spec.density, N);
  const wRandom = new Random(spec.seed, STREAM.reservoir);
  const columns = new Int32Array(perRow * N);
  const rowStart = new Int32Array(N + 1);
  const raw = new Float64Array(perRow * N);
  const chosen = new Set<number>();
  for (let i = 0; i < N; i++) {
    // Floyd's algorithm: perRow distinct columns, each subset equally likely.
    chosen.clear();
    for (let j = N - perRow; j < N; j++) {
      const t = Math.floor(wRandom.uniform() * (j + 1));
      chosen.add(chosen.has(t) ? j : t);
    }
    const cols = [...chosen].sort((a, b) => a - b);
    for (let k = 0; k < perRow; k++) {
      columns[i * perRow + k] = cols[k];
      raw[i * perRow + k] = wRandom.range(-1, 1);
    }
    rowStart[i + 1] = (i + 1) * perRow;
  }
  const values = new Float32Array(raw.length);
  if (spec.spectralRadius > 0) {
    const rho = spectralRadiusOf({ n: N, values: raw, columns, rowStart }, new Random(spec.seed, STREAM.arnoldi));
    if (!(rho > 1e-12)) {
      throw new RangeError(
        `${where}: the random reservoir (units ${N}, density ${spec.density}, seed ${spec.seed}) has spectral radius ${rho}; ` +
          `it cannot be scaled to spectralRadius ${spec.spectralRadius} (raise density or change seed)`,
      );
    }
    const scale = spec.spectralRadius / rho;
    for (let k = 0; k < raw.length; k++) values[k] = raw[k] * scale;
  }
  const inRandom = new Random(spec.seed, STREAM.input);
  const inputWeights = new Float32Array(I * N);
  for (let k = 0; k < inputWeights.length; k++) {
    const keep = spec.inputDensity >= 1 || inRandom.uniform() < spec.inputDensity;
    const v = inRandom.range(-spec.inputScaling, spec.inputScaling);
    inputWeights[k] = keep ? v : 0;
  }
  const biasRandom = new Random(spec.seed, STREAM.bias);
  const bias = new Float32Array(N);
  for (let i = 0; i < N; i++) bias[i] = biasRandom.range(-spec.biasScaling, spec.biasScaling);
  let feedbackWeights: Float32Array | null = null;
  if (spec.feedbackScaling > 0) {
    const backRandom = new Random(spec.seed, STREAM.feedback);
    feedbackWeights = new Float32Array(O * N);
    for (let k = 0; k < feedbackWeights.length; k++) feedbackWeights[k] = backRandom.range(-spec.feedbackScaling, spec.feedbackScaling);
  }
  return { values, columns, rowStart, inputWeights, feedbackWeights, bias };
}

/** W as a dense row-major [N, N] matrix (zeros where CSR has no entry). */
export function denseFromCsr(r: ReservoirArrays, N: number): Float32Array {
  const dense = new Float32Array(N * N);
  for (let i = 0; i < N; i++) for (let k = r.rowStart[i]; k < r.rowStart[i + 1]; k++) dense[i * N + r.columns[k]] = r.values[k];
  return dense;
}

/** Copies of every matrix (callers never share the model's arrays). */
export function copyReservoir(r: ReservoirArrays): ReservoirArrays {
  return {
    values: r.values.slice(), columns: r.columns.slice(), rowStart: r.rowStart.slice(), inputWeights: r.inputWeights.slice(),
    feedbackWeights: r.feedbackWeights ? r.feedbackWeights.slice() : null, bias: r.bias.slice(),
  };
}
