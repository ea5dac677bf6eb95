// Autoencoder: a stack of Dense layers trained to reproduce its input, min Σ‖x − z‖². The
// encoder maps x [N, inputSize] through encoder[0] … encoder[L − 1] units to the code; the
// decoder mirrors it back to inputSize. Variants, as the course names them:
//   tied       the decoder's weights are the encoder's transposed (TiedDense: one parameter,
//              the gradients of both uses summed in the slab);
//   denoising  while training, the encoder reads x corrupted by Gaussian noise (x + level·z) or
//              masking noise (a fraction `level` of the inputs zeroed), drawn in WebAssembly by
//              the counter-based kernels from a seed keyed by the model's seed and its update
//              count; the target stays the clean x (Vincent et al. 2008);
//   sparse     β·Σ_j KL(ρ ‖ ρ̂_j) on the mean activation ρ̂_j of each (sigmoid) code unit over the
//              batch is added to the loss, and its gradient to the code's in the backward pass.
// pretrainStack trains the stack greedily, "the first encode–decode training": a one-hidden-
// layer autoencoder on x, then one on its code, …; their weights go into the stack's encoder
// layer k and its mirror, after which fit fine-tunes the whole stack.
//
// Everything the Model base does (compile, fit, evaluate, computeGradients, get/setParameters,
// saving, dispose) works as for a Sequential; this file says how rows are staged (the target is
// the input), where the noise and the penalty go, and what only an autoencoder offers: encode,
// decode, pretrainStack. sequenceAutoencoder() is an EncoderDecoder set up to reproduce its
// input sequences, whose encode() gives the final states.
import { Backend } from '../engine/backend.js';
import { defaultBackend } from '../engine/init.js';
import { checkBoolean, checkInt, checkOneOf, checkOptions, describe, readSeed } from '../errors.js';
import { Random } from '../random.js';
import { readTensor, type Tensor, type TensorLike } from '../tensor.js';
import { Dense } from '../layers/dense.js';
import { mix } from '../layers/dropout.js';
import { GRU } from '../layers/gru.js';
import { LSTM } from '../layers/lstm.js';
import { SimpleRNN } from '../layers/simple-rnn.js';
import { TiedDense } from '../layers/tied-dense.js';
import type { WeightFormat, Weights } from '../layers/formats.js';
import type { ModelLayer } from '../layers/layer.js';
import { klSparsityF32 } from '../kernels/autoencoder.js';
import { maskNoiseF32, sampleGaussianF32 } from '../kernels/random.js';
import { base64ToFloats, floatsToBase64 } from './base64.js';
import { readModelFields } from './saving.js';
import { readFields } from '../saved-file.js';
import { readCallbacks, type Callbacks, type History, type Loss } from './training.js';
import { resolveOptimizer, type OptimizerConfig, type OptimizerType } from './optimizer.js';
import { Model, loadModel, type BaseFitOptions, type SavedModel } from './model.js';
import { checkOutputSize } from './data.js';
import { EncoderDecoder } from './encoder-decoder.js';

export type AutoencoderActivation = 'linear' | 'sigmoid' | 'tanh' | 'relu';
const ACTIVATIONS: readonly AutoencoderActivation[] = ['linear', 'sigmoid', 'tanh', 'relu'];

export interface DenoisingOptions {
  /** 'gaussian': x + level·z, z standard normal; 'mask': each input zeroed with probability level. */
  noise: 'gaussian' | 'mask';
  /** The noise's standard deviation (gaussian, ≥ 0) or the fraction of inputs zeroed (mask, in [0, 1)). */
  level: number;
}

export interface SparsityOptions {
  /** ρ: the mean activation each code unit should have, in (0, 1). */
  target: number;
  /** β ≥ 0: the weight of the penalty β·Σ_j KL(ρ ‖ ρ̂_j). */
  weight: number;
}

export interface AutoencoderOptions {
  /** Features per sample. */
  inputSize: number;
  /** Units of each encoder layer; the last is the code size. The decoder mirrors them back to inputSize. */
  encoder: readonly number[];
  /** Hidden layers' activation (default 'sigmoid'). */
  activation?: AutoencoderActivation;
  /** The code layer's activation (default: activation). The sparsity penalty needs 'sigmoid'. */
  codeActivation?: AutoencoderActivation;
  /** The reconstruction's activation (default 'linear'; 'sigmoid' suits data in [0, 1]). */
  outputActivation?: AutoencoderActivation;
  /** Decoder weights = encoder weights transposed (default false). */
  tied?: boolean;
  /** Corrupt the input while training (the target stays clean). */
  denoising?: DenoisingOptions;
  /** The KL sparsity penalty on the code's mean activations. */
  sparsity?: SparsityOptions;
  /** Seeds the weights, the noise and shuffling (default 0). */
  seed?: number;
  backend?: Backend;
}

export interface AutoencoderFitOptions extends BaseFitOptions {
  /** Reconstruction loss on these samples after every epoch (target: default x). */
  validationData?: { x: TensorLike; target?: TensorLike };
}

export interface PretrainOptions {
  /** Epochs for each layer's autoencoder (default 1). */
  epochs?: number;
  batchSize?: number;
  shuffle?: boolean;
  /** Seed of the shuffling (default: the model's). */
  seed?: number;
  /** Default: the compiled optimizer, else 'adam'. */
  optimizer?: OptimizerType | OptimizerConfig;
  /** Called during each layer's training (onTrainBegin … onTrainEnd once per layer). */
  callbacks?: Callbacks;
}

export interface AutoencoderJSON extends SavedModel {
  inputSize: number;
  encoder: number[];
  activation: AutoencoderActivation;
  codeActivation: AutoencoderActivation;
  outputActivation: AutoencoderActivation;
  tied: boolean;
  denoising?: DenoisingOptions;
  sparsity?: SparsityOptions;
  /** base64 of getParameters() (little-endian f32). */
  parameters: string;
}

interface Rows {
  N: number;
  /** [N, inputSize]. */
  x: Float32Array;
  /** The targets [N, inputSize] (the same array as x unless given). */
  y: Float32Array;
}

const SAVED = { format: 'rnn-wasm/autoencoder', version: 1, what: 'Autoencoder' };
const LAYER_SEEDS = 0x41450000;
const NOISE_STREAM = 0x4e4f4953;
const PRETRAIN_SEEDS = 0x50524500;

export class Autoencoder extends Model<Rows, AutoencoderJSON> {
  protected readonly savedFormat = SAVED;
  protected readonly dataNames = ['x', 'target'] as const;
  protected readonly dataOptions: readonly string[] = [];
  readonly inputSize: number;
  /** Units of each encoder layer (the last: the code size). */
  readonly encoderUnits: readonly number[];
  readonly activation: AutoencoderActivation;
  readonly codeActivation: AutoencoderActivation;
  readonly outputActivation: AutoencoderActivation;
  readonly tied: boolean;
  readonly denoising: Readonly<DenoisingOptions> | null;
  readonly sparsity: Readonly<SparsityOptions> | null;
  /** inputSize → encoder[0] → … → code. */
  readonly encoderLayers: readonly Dense[];
  /** code → … → inputSize, mirroring the encoder (decoderLayers[i] mirrors encoderLayers[L − 1 − i]). */
  readonly decoderLayers: readonly (Dense | TiedDense)[];
  #layers: readonly (Dense | TiedDense)[];
  #noiseSeed: number;
  #stagedB = 0;
  /** The code of the last forwardStaged ([B, codeSize]). */
  #codePtr = 0;

  constructor(options: AutoencoderOptions) {
    super();
    const where = 'Autoencoder';
    checkOptions(where, options, ['inputSize', 'encoder', 'activation', 'codeActivation', 'outputActivation', 'tied', 'denoising', 'sparsity', 'seed', 'backend']);
    const inputSize = checkInt(where, 'options.inputSize', options.inputSize, 1);
    const encoder: unknown = options.encoder;
    if (!Array.isArray(encoder) || encoder.length === 0) throw new TypeError(`${where}: options.encoder must be a non-empty array of layer sizes (units), got ${describe(encoder)}`);
    const units = Array.from(encoder as unknown[], (u, k) => checkInt(where, `options.encoder[${k}]`, u, 1));
    const activation = options.activation === undefined ? 'sigmoid' : checkOneOf(where, 'options.activation', options.activation, ACTIVATIONS);
    const codeActivation = options.codeActivation === undefined ? activation : checkOneOf(where, 'options.codeActivation', options.codeActivation, ACTIVATIONS);
    const outputActivation = options.outputActivation === undefined ? 'linear' : checkOneOf(where, 'options.outputActivation', options.outputActivation, ACTIVATIONS);
    const tied = options.tied === undefined ? false : checkBoolean(where, 'options.tied', options.tied);
    const denoising = options.denoising === undefined ? null : readDenoising(where, options.denoising);
    const sparsity = options.sparsity === undefined ? null : readSparsity(where, options.sparsity);
    if (sparsity && codeActivation !== 'sigmoid') {
      throw new RangeError(`${where}: options.sparsity needs a sigmoid code (its KL penalty compares mean activations in (0, 1) with the target), got codeActivation '${codeActivation}'`);
    }
    const seed = readSeed(where, 'options.seed', options.seed);
    const backend = options.backend ?? defaultBackend();
    if (!(backend instanceof Backend)) throw new TypeError(`${where}: options.backend must be a Backend, got ${describe(options.backend)}`);
    this.inputSize = inputSize;
    this.encoderUnits = units;
    this.activation = activation;
    this.codeActivation = codeActivation;
    this.outputActivation = outputActivation;
    this.tied = tied;
    this.denoising = denoising;
    this.sparsity = sparsity;
    this.#noiseSeed = new Random(seed, NOISE_STREAM).nextUint32();
    // Everything is checked: make the layers (freed again if one cannot be made).
    const L = units.length;
    const made: ModelLayer[] = [];
    try {
      const encoderLayers = units.map((u, k) => {
        const layer = new Dense({
          units: u, inputSize: k === 0 ? inputSize : units[k - 1], activation: k === L - 1 ? codeActivation : activation,
          seed: new Random(seed, LAYER_SEEDS + k).nextUint32() | 0, backend,
        });
        made.push(layer);
        return layer;
      });
      const decoderLayers = units.map((_, i) => {
        const k = L - 1 - i; // mirrors encoder layer k
        const out = k === 0 ? inputSize : units[k - 1];
        const act = k === 0 ? outputActivation : activation;
        const layer = tied
          ? new TiedDense({ source: encoderLayers[k], activation: act })
          : new Dense({ units: out, inputSize: units[k], activation: act, seed: new Random(seed, LAYER_SEEDS + L + i).nextUint32() | 0, backend });
        made.push(layer);
        return layer;
      });
      this.encoderLayers = encoderLayers;
      this.decoderLayers = decoderLayers;
      this.#layers = [...encoderLayers, ...decoderLayers];
      let flow = { features: inputSize, sequence: false };
      this.#layers.forEach((layer, i) => {
        flow = layer.connect(`${where}: layer ${i}`, flow, 0);
      });
      this.setup(backend, seed, this.#layers);
    } catch (error) {
      for (const layer of made) layer.dispose();
      throw error;
    }
  }

  /** Features out (the reconstruction): inputSize. */
  get outputSize(): number {
    return this.inputSize;
  }

  /** Units of the code layer. */
  get codeSize(): number {
    return this.encoderUnits[this.encoderUnits.length - 1];
  }

  protected checkLoss(where: string, loss: Loss): void {
    if (loss !== 'mse') throw new RangeError(`${where}: an Autoencoder reconstructs its input: options.loss must be 'mse', got '${loss}'`);
  }

  /**
   * Trains to reconstruct x: fit(x, options) (the target is x itself; with denoising the encoder
   * reads it corrupted), or fit(x, target, options) to reconstruct `target` from x (e.g. inputs
   * corrupted beforehand). Resolves to the history.
   */
  override fit(x: TensorLike, options?: AutoencoderFitOptions): Promise<History>;
  override fit(x: TensorLike, target: TensorLike, options?: AutoencoderFitOptions): Promise<History>;
  override fit(x: TensorLike, second?: TensorLike | AutoencoderFitOptions, third?: AutoencoderFitOptions): Promise<History> {
    const [target, options] = splitTarget(second, third);
    return super.fit(x, target as TensorLike, options as AutoencoderFitOptions & Record<string, unknown>);
  }

  /** Mean reconstruction loss (plus the sparsity penalty) without noise: evaluate(x, options) or evaluate(x, target, options). */
  override evaluate(x: TensorLike, options?: { batchSize?: number }): { loss: number };
  override evaluate(x: TensorLike, target: TensorLike, options?: { batchSize?: number }): { loss: number };
  override evaluate(x: TensorLike, second?: TensorLike | { batchSize?: number }, third?: { batchSize?: number }): { loss: number } {
    const [target, options] = splitTarget(second, third);
    return super.evaluate(x, target as TensorLike, options);
  }

  /** The loss over all of x as one batch (no noise; target default x) and its gradient w.r.t. getParameters(), without updating anything. */
  override computeGradients(x: TensorLike, target?: TensorLike): { loss: number; gradients: Float32Array } {
    return super.computeGradients(x, target!, {});
  }

  /** The code of every sample: [N, codeSize]. */
  encode(x: TensorLike, options: { batchSize?: number } = {}): Tensor {
    return this.#run('Autoencoder.encode', 'x', x, options, 0, this.encoderLayers.length, this.inputSize, this.codeSize);
  }

  /** The reconstruction from codes [N, codeSize]: [N, inputSize]. */
  decode(code: TensorLike, options: { batchSize?: number } = {}): Tensor {
    return this.#run('Autoencoder.decode', 'code', code, options, this.encoderLayers.length, this.#layers.length, this.codeSize, this.inputSize);
  }

  /** The reconstruction of every sample (no noise): [N, inputSize]. */
  predict(x: TensorLike, options: { batchSize?: number } = {}): Tensor {
    return this.#run('Autoencoder.predict', 'x', x, options, 0, this.#layers.length, this.inputSize, this.inputSize);
  }

  /**
   * Greedy layer-by-layer pretraining: for k = 0 … L − 1, a one-hidden-layer autoencoder
   * (inputs: x for k = 0, else the previous one's code; encoder[k] units; tied, denoising as this
   * model; the sparsity penalty on the last) starts from this model's weights of encoder layer k
   * and its mirror, is trained for `epochs`, and hands on its code. Its weights then go into the
   * stack (all at once, after every layer trained: a failed call changes nothing). Fine-tune with fit.
   */
  async pretrainStack(x: TensorLike, options: PretrainOptions = {}): Promise<{ histories: History[] }> {
    const where = 'Autoencoder.pretrainStack';
    this.checkAlive(where);
    this.slab.checkIdle(where);
    checkOptions(where, options, ['epochs', 'batchSize', 'shuffle', 'seed', 'optimizer', 'callbacks']);
    const epochs = options.epochs === undefined ? 1 : checkInt(where, 'options.epochs', options.epochs, 1);
    const batchSize = options.batchSize === undefined ? undefined : checkInt(where, 'options.batchSize', options.batchSize, 1);
    const shuffle = options.shuffle === undefined ? undefined : checkBoolean(where, 'options.shuffle', options.shuffle);
    const seed = readSeed(where, 'options.seed', options.seed, this.seed);
    const callbacks = readCallbacks(where, options.callbacks);
    const resolved = options.optimizer === undefined ? this.slab.optimizer ?? resolveOptimizer(where, 'adam') : resolveOptimizer(where, options.optimizer);
    const optimizer: OptimizerConfig = { ...resolved, schedule: resolved.schedule ?? undefined };
    const data = this.readData(where, x, undefined, {}, false);
    const L = this.encoderUnits.length;
    const learned: { encoder: Weights[]; decoder: Weights[] }[] = [];
    const histories: History[] = [];
    let input: Tensor = { data: data.x, shape: [data.N, this.inputSize] };
    // The model is locked while its layers train elsewhere (it is read, not written, until the end).
    this.slab.busy = true;
    try {
      for (let k = 0; k < L; k++) {
        const inner = new Autoencoder({
          inputSize: k === 0 ? this.inputSize : this.encoderUnits[k - 1], encoder: [this.encoderUnits[k]],
          codeActivation: k === L - 1 ? this.codeActivation : this.activation, outputActivation: k === 0 ? this.outputActivation : this.activation,
          tied: this.tied, denoising: this.denoising ?? undefined, sparsity: k === L - 1 ? this.sparsity ?? undefined : undefined,
          seed: new Random(this.seed, PRETRAIN_SEEDS + k).nextUint32() | 0, backend: this.backend,
        });
        try {
          inner.setWeights({ encoder: [this.encoderLayers[k].getWeights()], decoder: [this.decoderLayers[L - 1 - k].getWeights()] });
          inner.compile({ loss: 'mse', optimizer });
          histories.push(await inner.fit(input, { epochs, batchSize, shuffle, seed, callbacks }));
          learned.push(inner.getWeights());
          if (k < L - 1) input = inner.encode(input);
        } finally {
          inner.dispose();
        }
      }
    } finally {
      this.slab.busy = false;
    }
    this.writeWeights(where, [
      { label: 'encoder', layers: this.encoderLayers, given: learned.map((w) => w.encoder[0]) },
      { label: 'decoder', layers: this.decoderLayers, given: learned.map((w) => w.decoder[0]).reverse() },
    ], {});
    return { histories };
  }

  /** Every layer's weights: { encoder: [{ weight, bias }…], decoder: [{ weight, bias } or, tied, { bias }…] } in layer order. */
  getWeights(options: { format?: WeightFormat } = {}): { encoder: Weights[]; decoder: Weights[] } {
    return this.readHalves('Autoencoder.getWeights', this.encoderLayers, this.decoderLayers, options);
  }

  /** Replaces every layer's weights from { encoder, decoder } as getWeights returns them. All or nothing. */
  setWeights(weights: { encoder: (Weights | Record<string, unknown>)[]; decoder: (Weights | Record<string, unknown>)[] }, options: { format?: WeightFormat } = {}): void {
    this.writeHalves('Autoencoder.setWeights', this.encoderLayers, this.decoderLayers, weights, options);
  }

  protected architectureJSON(): Omit<AutoencoderJSON, keyof SavedModel> {
    return {
      inputSize: this.inputSize,
      encoder: [...this.encoderUnits],
      activation: this.activation,
      codeActivation: this.codeActivation,
      outputActivation: this.outputActivation,
      tied: this.tied,
      ...(this.denoising ? { denoising: { ...this.denoising } } : {}),
      ...(this.sparsity ? { sparsity: { ...this.sparsity } } : {}),
      parameters: floatsToBase64(this.slab.readParameters()),
    };
  }

  /** Rebuilds a model from toJSON() (tied layers tied again); a corrupted or mismatched file is rejected and nothing is kept. */
  static fromJSON(json: unknown, options: { backend?: Backend } = {}): Autoencoder {
    const where = 'Autoencoder.fromJSON';
    let parameters = '';
    return loadModel<AutoencoderJSON, Autoencoder>(
      json, options, SAVED,
      (j, backend) => {
        const f = readModelFields(where, j, {
          inputSize: { kind: 'integer', min: 1 }, encoder: { kind: 'array' }, activation: { kind: 'string' }, codeActivation: { kind: 'string' },
          outputActivation: { kind: 'string' }, tied: { kind: 'boolean' }, denoising: { kind: 'object', optional: true },
          sparsity: { kind: 'object', optional: true }, parameters: { kind: 'string' },
        });
        const noise = f.denoising === undefined ? undefined : readFields(where, 'denoising', f.denoising, { noise: { kind: 'string' }, level: { kind: 'number' } });
        const sparse = f.sparsity === undefined ? undefined : readFields(where, 'sparsity', f.sparsity, { target: { kind: 'number' }, weight: { kind: 'number' } });
        parameters = f.parameters as string;
        return new Autoencoder({
          inputSize: f.inputSize as number, encoder: f.encoder as number[], activation: f.activation as AutoencoderActivation,
          codeActivation: f.codeActivation as AutoencoderActivation, outputActivation: f.outputActivation as AutoencoderActivation, tied: f.tied as boolean,
          denoising: noise as DenoisingOptions | undefined, sparsity: sparse as SparsityOptions | undefined, seed: f.seed as number, backend,
        });
      },
      (m, j) => {
        const values = base64ToFloats(parameters, m.paramCount);
        if (!values) throw new RangeError(`${where}: parameters is corrupted (not base64 of ${m.paramCount} floats, as the architecture needs)`);
        m.setParameters(values);
        m.restoreTraining(where, j);
      },
    );
  }

  // ---- what the Model base asks of a model ----

  /** x [N, inputSize], finite; the target: `y` if given (same shape), else x itself. */
  protected readData(where: string, x: TensorLike | undefined, y: TensorLike | undefined, _options: unknown, withTargets: boolean): Rows {
    const t = readTensor(where, 'x', x, [{ label: 'samples' }, { label: 'features', size: this.inputSize }]);
    const N = t.shape[0];
    if (N === 0) throw new RangeError(`${where}: x has no samples`);
    if (!withTargets || y === undefined) return { N, x: t.data, y: t.data };
    const target = readTensor(where, 'target', y, [{ label: 'samples', size: N }, { label: 'features', size: this.inputSize }]);
    return { N, x: t.data, y: target.data };
  }

  protected sliceData(d: Rows, from: number, to: number): Rows {
    const F = this.inputSize;
    const x = d.x.slice(from * F, to * F);
    return { N: to - from, x, y: d.y === d.x ? x : d.y.slice(from * F, to * F) };
  }

  /** Copies samples `rows` into 'x' and their targets into 'target'; the weight is the batch size. */
  protected stage(d: Rows, rows: Int32Array, withTargets: boolean): number {
    const B = rows.length;
    const F = this.inputSize;
    const n = B * F;
    this.work.layout({
      x: n, noisy: this.denoising ? n : 0, target: withTargets ? n : 0, dLoss: withTargets ? n : 0, probs: 0,
    }, 'Autoencoder', `the workspace for a batch of ${B} samples × ${F} features`);
    this.#stagedB = B;
    const heap = this.backend.heapF32();
    const xAt = this.work.ptr('x') >>> 2;
    const yAt = this.work.ptr('target') >>> 2;
    for (let b = 0; b < B; b++) {
      heap.set(d.x.subarray(rows[b] * F, (rows[b] + 1) * F), xAt + b * F);
      if (withTargets) heap.set(d.y.subarray(rows[b] * F, (rows[b] + 1) * F), yAt + b * F);
    }
    return B;
  }

  /** Every layer over the staged batch; while training with a noise seed (fit), the encoder reads the corrupted input. */
  protected forwardStaged(training: boolean, noise?: number): number {
    const B = this.#stagedB;
    let ptr = this.work.ptr('x');
    const d = this.denoising;
    if (training && noise !== undefined && d && d.level > 0) {
      const noisy = this.work.ptr('noisy');
      const n = B * this.inputSize;
      const seed = mix(this.#noiseSeed, noise);
      if (d.noise === 'gaussian') sampleGaussianF32(this.backend, { out: noisy, mean: ptr }, n, d.level, seed);
      else maskNoiseF32(this.backend, { out: noisy, x: ptr }, n, d.level, seed);
      ptr = noisy;
    }
    const batch = { T: 1, B, mask: 0, training };
    const L = this.encoderLayers.length;
    this.#layers.forEach((layer, i) => {
      ptr = layer.modelForward(ptr, batch);
      if (i === L - 1) this.#codePtr = ptr;
    });
    return ptr;
  }

  protected lossRows(): { rows: number; mask: number } {
    return { rows: this.#stagedB, mask: 0 };
  }

  /** The mean squared error, plus the sparsity penalty on the staged code. */
  protected override stagedLoss(out: number, weight: number, gradient: boolean): number {
    const loss = super.stagedLoss(out, weight, gradient);
    const s = this.sparsity;
    if (!s) return loss;
    return loss + klSparsityF32(this.backend, { dH: 0, h: this.#codePtr }, this.#stagedB, this.codeSize, s.target, s.weight);
  }

  /** The decoder backward, the penalty's gradient added to the code's, then the encoder; gradients accumulate (a tied weight's two uses sum). */
  protected backwardStaged(dOutput: number): void {
    let d = dOutput;
    for (let i = this.decoderLayers.length - 1; i >= 0; i--) d = this.decoderLayers[i].modelBackward(d);
    const s = this.sparsity;
    if (s) klSparsityF32(this.backend, { dH: d, h: this.#codePtr }, this.#stagedB, this.codeSize, s.target, s.weight);
    for (let i = this.encoderLayers.length - 1; i >= 0; i--) d = this.encoderLayers[i].modelBackward(d);
  }

  // ---- internals ----

  /** Layers [from, to) over `value` [N, width] in batches (inference: no noise); [N, outWidth] out. */
  #run(where: string, name: string, value: TensorLike, options: { batchSize?: number }, from: number, to: number, width: number, outWidth: number): Tensor {
    this.checkAlive(where);
    checkOptions(where, options, ['batchSize']);
    const batchSize = options.batchSize === undefined ? undefined : checkInt(where, 'options.batchSize', options.batchSize, 1);
    const t = readTensor(where, name, value, [{ label: 'samples' }, { label: 'features', size: width }]);
    const N = t.shape[0];
    const out = new Float32Array(checkOutputSize(where, N, outWidth));
    this.eachBatch(where, N, batchSize, (rows, start) => {
      const B = rows.length;
      this.work.layout({ x: B * width }, where, `the workspace for a batch of ${B} samples × ${width} features`);
      this.backend.heapF32().set(t.data.subarray(start * width, (start + B) * width), this.work.ptr('x') >>> 2);
      let ptr = this.work.ptr('x');
      const batch = { T: 1, B, mask: 0, training: false };
      for (let i = from; i < to; i++) ptr = this.#layers[i].modelForward(ptr, batch);
      out.set(this.backend.heapF32().subarray(ptr >>> 2, (ptr >>> 2) + B * outWidth), start * outWidth);
    });
    return { data: out, shape: [N, outWidth] };
  }
}

/** fit/evaluate's (x, options) or (x, target, options): [target or undefined, options]. */
function splitTarget<O extends object>(second: TensorLike | O | undefined, third: O | undefined): [TensorLike | undefined, O | Record<string, never>] {
  const tensorLike = Array.isArray(second) || (second !== null && typeof second === 'object' && 'data' in second && 'shape' in second);
  return tensorLike ? [second, third ?? {}] : [undefined, (second) ?? {}];
}

function readDenoising(where: string, value: unknown): DenoisingOptions {
  if (value === null || typeof value !== 'object') throw new TypeError(`${where}: options.denoising must be { noise: 'gaussian' | 'mask', level }, got ${describe(value)}`);
  const o = checkOptions(where, value, ['noise', 'level'], 'options.denoising');
  const noise = checkOneOf(where, 'options.denoising.noise', o.noise, ['gaussian', 'mask'] as const);
  const level = o.level;
  if (noise === 'gaussian' && (typeof level !== 'number' || !Number.isFinite(level) || level < 0)) {
    throw new RangeError(`${where}: options.denoising.level must be a finite number ≥ 0 (the Gaussian noise's standard deviation), got ${describe(level)}`);
  }
  if (noise === 'mask' && (typeof level !== 'number' || !(level >= 0 && level < 1))) {
    throw new RangeError(`${where}: options.denoising.level must be a number in [0, 1) (the fraction of inputs zeroed), got ${describe(level)}`);
  }
  return { noise, level: level as number };
}

function readSparsity(where: string, value: unknown): SparsityOptions {
  if (value === null || typeof value !== 'object') throw new TypeError(`${where}: options.sparsity must be { target, weight }, got ${describe(value)}`);
  const o = checkOptions(where, value, ['target', 'weight'], 'options.sparsity');
  const { target, weight } = o;
  if (typeof target !== 'number' || !(target > 0 && target < 1)) throw new RangeError(`${where}: options.sparsity.target must be a number in (0, 1) (the mean code activation wanted), got ${describe(target)}`);
  if (typeof weight !== 'number' || !Number.isFinite(weight) || weight < 0) throw new RangeError(`${where}: options.sparsity.weight must be a finite number ≥ 0, got ${describe(weight)}`);
  return { target, weight };
}

export interface SequenceAutoencoderOptions {
  /** Features per step. */
  inputSize: number;
  /** Units of the encoder's and the decoder's recurrent layer (the code: the encoder's final state). */
  units: number;
  /** Default 'lstm'. */
  cell?: 'lstm' | 'gru' | 'simpleRNN';
  /** The reconstruction's activation (default 'linear'). */
  outputActivation?: 'linear' | 'sigmoid' | 'tanh';
  seed?: number;
  backend?: Backend;
}

/**
 * A sequence autoencoder (Dai & Le 2015; Srivastava et al. 2015): an EncoderDecoder whose encoder
 * reads a sequence into its final state and whose decoder, starting from that state, reproduces
 * the sequence (teacher-forced while training). Train with compile({ loss: 'mse' }) and
 * fit(x, x); encode(x) gives the final states, predict(x, { length }) the reconstruction.
 */
export function sequenceAutoencoder(options: SequenceAutoencoderOptions): EncoderDecoder {
  const where = 'sequenceAutoencoder';
  checkOptions(where, options, ['inputSize', 'units', 'cell', 'outputActivation', 'seed', 'backend']);
  const inputSize = checkInt(where, 'options.inputSize', options.inputSize, 1);
  const units = checkInt(where, 'options.units', options.units, 1);
  const cell = options.cell === undefined ? 'lstm' : checkOneOf(where, 'options.cell', options.cell, ['lstm', 'gru', 'simpleRNN'] as const);
  const activation = options.outputActivation === undefined ? 'linear' : checkOneOf(where, 'options.outputActivation', options.outputActivation, ['linear', 'sigmoid', 'tanh'] as const);
  const seed = readSeed(where, 'options.seed', options.seed);
  const backend = options.backend ?? defaultBackend();
  const Cell = cell === 'lstm' ? LSTM : cell === 'gru' ? GRU : SimpleRNN;
  const layers: ModelLayer[] = [];
  try {
    const encoder = new Cell({ units, backend });
    layers.push(encoder);
    const decoder = new Cell({ units, returnSequences: true, backend });
    layers.push(decoder);
    const head = new Dense({ units: inputSize, activation, backend });
    layers.push(head);
    return new EncoderDecoder({ seed, encoder: { inputSize, layers: [encoder] }, decoder: { inputSize, layers: [decoder, head] } });
  } catch (error) {
    for (const layer of layers) layer.dispose();
    throw error;
  }
}
