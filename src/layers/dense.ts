// Dense: y = f(x·W + b) on every row, f ∈ {linear, relu, tanh, sigmoid, softmax}.
// On a sequence it applies to every step ([T·B, inputSize] rows), on a vector
// per sequence to [B, inputSize]. Weight layout (native = Keras): weight
// [inputSize, units], bias [units]; PyTorch's nn.Linear stores weight [units, inputSize].
//
// Forward: out = x·W (GEMM), out += bias (each row), f in place.
// Backward: dZ = f′ ⊙ dOut (dZ = dOut for linear and for a softmax head in training,
// whose gradient w.r.t. the logits comes fused from the cross-entropy loss; after an
// inference forward, e.g. a model's forward(), dZ = p ⊙ (dOut − dOut·p));
// dW += xᵀ·dZ, db += Σ_rows dZ, dX = dZ·Wᵀ.
import type { Backend } from '../engine/backend.js';
import { sizeProduct } from '../engine/sizes.js';
import { checkBoolean, checkInt, checkOneOf } from '../errors.js';
import { glorotUniform } from '../initializers.js';
import { WeightedLayer } from './base.js';
import { checkFormat, checkKeys, takeWeight, tensor, transpose2d, type WeightFormat, type Weights } from './formats.js';
import type { Batch, Flow, ModelLayer } from './layer.js';
import { activateInPlace, activationGradient } from './activation.js';
import { GEMM_OP } from '../kernels/codes.js';
import { denseBackward, denseForward, splitParts } from '../kernels/split.js';
import { softmaxBackwardF32, softmaxF32 } from '../kernels/loss.js';

export type DenseActivation = 'linear' | 'relu' | 'tanh' | 'sigmoid' | 'softmax';
const ACTIVATIONS: readonly DenseActivation[] = ['linear', 'relu', 'tanh', 'sigmoid', 'softmax'];

export interface DenseOptions {
  units: number;
  /** Features in; optional in a Sequential (taken from the layer below). */
  inputSize?: number;
  /** Default 'linear'. 'softmax' makes a classification head (probabilities out of predict). */
  activation?: DenseActivation;
  /** Default true. */
  useBias?: boolean;
  /** Seed for the Glorot-uniform weights (default: derived from the model's seed, or 0). */
  seed?: number;
  backend?: Backend;
}

export class Dense extends WeightedLayer implements ModelLayer {
  readonly kind = 'Dense';
  readonly units: number;
  readonly activation: DenseActivation;
  readonly useBias: boolean;
  #inputSize: number;
  // the last forward: input pointer and rows
  #x = 0;
  #rows = 0;
  #training = false;

  constructor(options: DenseOptions) {
    const where = 'Dense';
    super(where, options, ['units', 'inputSize', 'activation', 'useBias']);
    this.units = checkInt(where, 'options.units', options.units, 1);
    this.#inputSize = options.inputSize === undefined ? 0 : checkInt(where, 'options.inputSize', options.inputSize, 1);
    this.activation = options.activation === undefined ? 'linear' : checkOneOf(where, 'options.activation', options.activation, ACTIVATIONS);
    this.useBias = options.useBias === undefined ? true : checkBoolean(where, 'options.useBias', options.useBias);
    if (this.#inputSize > 0) this.#init();
  }

  get inputSize(): number {
    return this.#inputSize;
  }

  config(): Record<string, unknown> {
    return { units: this.units, inputSize: this.#inputSize, activation: this.activation, useBias: this.useBias, seed: this.seed };
  }

  #init(seed?: number): void {
    const I = this.#inputSize;
    const U = this.units;
    const specs = [{ name: 'weight', shape: [I, U] }, ...(this.useBias ? [{ name: 'bias', shape: [U] }] : [])];
    this.createParameters(specs, (spec, random) => (spec.name === 'weight' ? glorotUniform(random, I, U) : new Float32Array(U)), seed, `the weights for inputSize ${I} and units ${U}`);
  }

  /** @internal */
  connect(where: string, input: Flow, seed: number): Flow {
    if (input.ids) throw new RangeError(`${where}: Dense needs feature vectors as input, but gets token ids (put an Embedding first)`);
    if (input.image) throw new RangeError(`${where}: Dense needs feature vectors as input, but gets images [${input.image.join(', ')}] (put a Flatten or a global pooling before it)`);
    if (this.built) {
      if (this.#inputSize !== input.features) {
        throw new RangeError(`${where}: Dense has inputSize ${this.#inputSize} but the layer below gives ${input.features} features`);
      }
    } else {
      this.#inputSize = input.features;
      try {
        this.#init(seed);
      } catch (error) {
        this.#inputSize = 0; // a failed build leaves the layer unbuilt, as it was
        throw error;
      }
    }
    return { features: this.units, sequence: input.sequence };
  }

  /** @internal */
  modelForward(x: number, batch: Batch): number {
    const rows = batch.T * batch.B;
    const I = this.#inputSize;
    const U = this.units;
    const n = sizeProduct(rows, U);
    this.workspace.layout(
      { out: n, probs: this.activation === 'softmax' ? n : 0, dZ: n, dX: sizeProduct(rows, I) }, 'Dense',
      `the workspace for a batch of ${batch.B} sequences × ${batch.T} time steps (inputSize ${I}, units ${U})`,
    );
    const backend = this.backend;
    const out = this.workspace.ptr('out');
    // out = x·W + bias, then f; with threads a large one runs in blocks of rows (split.ts).
    denseForward(backend, { c: out, a: x, b: this.parameters.ptr('weight'), m: rows, n: U, k: I, lda: I, ldb: U, ldc: U, transA: GEMM_OP.noTrans, transB: GEMM_OP.noTrans, alpha: 1, beta: 0 },
      this.useBias ? this.parameters.ptr('bias') : 0, splitParts(backend, 2 * rows * I * U),
      (target, block) => activateInPlace(target, this.activation, out + block.start * U * 4, block.size * U));
    this.#x = x;
    this.#rows = rows;
    this.#training = batch.training;
    if (this.activation === 'softmax' && !batch.training) {
      softmaxF32(backend, { out: this.workspace.ptr('probs'), logits: out }, rows, U);
      return this.workspace.ptr('probs');
    }
    return out;
  }

  /** @internal The weight [inputSize, units] and its gradient, for a TiedDense that reads it transposed and adds its own gradient. */
  weightPointers(): { value: number; grad: number } {
    return { value: this.parameters.ptr('weight'), grad: this.parameters.gradPtr('weight') };
  }

  /** @internal The pre-softmax outputs of the last forward (a softmax head's logits). */
  logitsPtr(): number {
    return this.workspace.ptr('out');
  }

  /** @internal */
  modelBackward(dOutput: number): number {
    const rows = this.#rows;
    const I = this.#inputSize;
    const U = this.units;
    const backend = this.backend;
    const n = rows * U;
    let dZ = dOutput;
    if (this.activation === 'relu' || this.activation === 'tanh' || this.activation === 'sigmoid') {
      dZ = activationGradient(backend, this.activation, { dZ: this.workspace.ptr('dZ'), y: this.workspace.ptr('out'), dY: dOutput }, n);
    } else if (this.activation === 'softmax' && !this.#training) {
      // Inference forward (probabilities out): dOutput is w.r.t. the probabilities, so go through the softmax.
      dZ = this.workspace.ptr('dZ');
      this.backend.fillFloats(dZ, n, 0);
      softmaxBackwardF32(backend, { dLogits: dZ, probs: this.workspace.ptr('probs'), dProbs: dOutput }, rows, U);
    }
    const p = this.parameters;
    const dX = this.workspace.ptr('dX');
    // dW += xᵀ·dZ, db += Σ_rows dZ, dX = dZ·Wᵀ; with threads, large ones cut by their outputs (split.ts).
    denseBackward(backend,
      { c: p.gradPtr('weight'), a: this.#x, b: dZ, m: I, n: U, k: rows, lda: I, ldb: U, ldc: U, transA: GEMM_OP.trans, transB: GEMM_OP.noTrans, alpha: 1, beta: 1 },
      this.useBias ? { dst: p.gradPtr('bias'), src: dZ, rows, cols: U } : null,
      { c: dX, a: dZ, b: p.ptr('weight'), m: rows, n: I, k: U, lda: U, ldb: U, ldc: I, transA: GEMM_OP.noTrans, transB: GEMM_OP.trans, alpha: 1, beta: 0 },
      splitParts(backend, 4 * rows * I * U)); // dW and dX in one round
    return dX;
  }

  /** native/keras { weight | kernel [inputSize, units], bias }, pytorch { weight [units, inputSize], bias }. */
  protected exportWeights(format: WeightFormat, v: Record<string, Float32Array>): Weights {
    const I = this.#inputSize;
    const U = this.units;
    const out: Weights = {};
    if (format === 'pytorch') out.weight = tensor(transpose2d(v.weight, I, U), [U, I]);
    else out[format === 'keras' ? 'kernel' : 'weight'] = tensor(v.weight, [I, U]);
    if (this.useBias) out.bias = tensor(v.bias, [U]);
    return out;
  }

  /** Replaces every weight (validated first: a failed call changes nothing). */
  setWeights(weights: Weights | Record<string, unknown>, options: { format?: WeightFormat } = {}): void {
    const where = 'Dense.setWeights';
    this.checkWritable(where);
    const format = checkFormat(where, options?.format ?? 'native');
    const I = this.#inputSize;
    const U = this.units;
    const key = format === 'keras' ? 'kernel' : 'weight';
    checkKeys(where, weights, [key, ...(this.useBias ? ['bias'] : [])], format);
    const values: Record<string, Float32Array> = {};
    values.weight = format === 'pytorch' ? transpose2d(takeWeight(where, weights, key, [U, I]), U, I) : takeWeight(where, weights, key, [I, U]);
    if (this.useBias) values.bias = takeWeight(where, weights, 'bias', [U]);
    this.parameters.set(values);
  }
}
