// Sequential: a stack of layers trained as one model. Every parameter of every
// layer lives in one slab (and every gradient in another), so a training step
// is: stage the batch in linear memory, one forward call per layer, one loss
// call, one backward call per layer, one norm call, one optimizer call.
// What any trainable model shares (the slabs, loss, update with clipping and
// NaN rollback, the epoch loop) is in training.ts; saving layers in saving.ts.
import { Backend } from '../engine/backend.js';
import { checkInt, checkOneOf, checkOptions, describe, readSeed } from '../errors.js';
import { defaultBackend } from '../engine/init.js';
import { Random } from '../random.js';
import { readTensor, type Tensor, type TensorLike } from '../tensor.js';
import { GRU } from '../layers/gru.js';
import { LSTM } from '../layers/lstm.js';
import { RecurrentLayer, type StateName } from '../layers/recurrent.js';
import { SimpleRNN } from '../layers/simple-rnn.js';
import { Workspace } from '../layers/parameters.js';
import type { Weights } from '../layers/formats.js';
import { Bidirectional } from '../layers/bidirectional.js';
import { Dense } from '../layers/dense.js';
import { Embedding } from '../layers/embedding.js';
import { Dropout } from '../layers/dropout.js';
import type { Batch, Flow } from '../layers/layer.js';
import { LAYER_TYPES, layerToJSON, makeLayer, setLayerWeights, type LayerJSON } from './saving.js';
import {
  LOSSES, TrainingSlab, lengthsToMask, readEarlyStopping, readFitBasics, readIds, runEpochs, sample,
  type Callbacks, type CompileOptions, type EarlyStopping, type History, type Loss, type TrainingJSON,
} from './training.js';
import { readSaved } from '../saved-file.js';

export { NonFiniteError } from './training.js';
export type { BatchLogs, Callbacks, CompileOptions, EarlyStopping, EpochLogs, History, Loss } from './training.js';

export type SequentialLayer = SimpleRNN | LSTM | GRU | Dense | Embedding | Bidirectional | Dropout;

export interface SequentialOptions {
  /** Features per time step (not needed when the first layer is an Embedding). */
  inputSize?: number;
  /** Seeds every layer that has no seed of its own, and shuffling (default 0). */
  seed?: number;
  layers: SequentialLayer[];
}

/** Samples for fit/evaluate/predict: x [N, T, F] (or token ids [N, T]); optional lengths or mask for variable-length batches. */
export interface DataOptions {
  /** Real steps of each sequence (1 … T); the rest is padding. */
  lengths?: number[];
  /** [N, T] of 1 (real step) and 0 (padding). */
  mask?: TensorLike;
}

export interface FitOptions extends DataOptions {
  epochs?: number;
  batchSize?: number;
  /** Shuffle the samples every epoch (default true); the order depends only on seed and the epoch count. */
  shuffle?: boolean;
  /** Seed of the shuffling (default: the model's seed). */
  seed?: number;
  /** Hold out this fraction of the samples (the last ones) for validation. */
  validationSplit?: number;
  validationData?: { x: TensorLike; y: TensorLike } & DataOptions;
  callbacks?: Callbacks;
  earlyStopping?: EarlyStopping | boolean;
  /** Truncated BPTT: cut sequences into windows of this many steps, carrying the state between windows (one update per window). */
  tbptt?: number;
}

/** Per-layer streaming state: { h, c? } copies for each recurrent layer (null for other layers). */
export interface ModelState {
  batchSize: number;
  layers: (Partial<Record<StateName, Float32Array>> | null)[];
}

export interface GenerateOptions {
  /** Token ids to start from (at least one). */
  prefix: number[];
  /** Tokens to generate after the prefix. */
  length: number;
  /** Softmax temperature (default 1; 0 = always the most likely token). */
  temperature?: number;
  /** Seed of the sampling (default: the model's seed). */
  seed?: number;
}

interface DataSet {
  N: number;
  T: number;
  /** Floats [N, T, F] or ids [N, T]. */
  x: Float32Array | Int32Array;
  /** [N, T] 1/0, or null (every step real). */
  mask: Float32Array | null;
  /** Targets: floats [N, (T,) O] or labels [N, (T)]. */
  y: Float32Array | Int32Array | null;
}

const FORMAT = 'rnn-wasm/sequential';
const VERSION = 1;

export class Sequential {
  readonly layers: readonly SequentialLayer[];
  readonly inputSize: number;
  readonly seed: number;
  readonly backend: Backend;
  /** What flows into each layer, and out of the last (index layers.length). */
  #flows: Flow[];
  /** Parameters, gradients, loss, optimizer and its state (shared machinery, src/models/training.ts). */
  #slab: TrainingSlab;
  readonly paramCount: number;
  #work: Workspace;
  #maskStaged = false;
  #stagedBatch = 0;
  #disposed = false;

  constructor(options: SequentialOptions) {
    const where = 'Sequential';
    checkOptions(where, options, ['inputSize', 'seed', 'layers']);
    if (!Array.isArray(options.layers) || options.layers.length === 0) {
      throw new TypeError(`${where}: options.layers must be a non-empty array of layers, got ${describe(options.layers)}`);
    }
    options.layers.forEach((layer, i) => {
      if (!Object.values(LAYER_TYPES).some((Kind) => layer instanceof Kind)) {
        throw new TypeError(`${where}: options.layers[${i}] must be a SimpleRNN, LSTM, GRU, Dense, Embedding, Bidirectional or Dropout, got ${describe(layer)}`);
      }
      if (layer.disposed) throw new Error(`${where}: options.layers[${i}] (${layer.kind}) was disposed`);
      if (options.layers.indexOf(layer) !== i) throw new RangeError(`${where}: options.layers[${i}] is the same layer as options.layers[${options.layers.indexOf(layer)}]`);
    });
    this.seed = readSeed(where, 'options.seed', options.seed);
    const first = options.layers[0];
    if (first instanceof Embedding) {
      if (options.inputSize !== undefined) throw new RangeError(`${where}: options.inputSize must be omitted when the first layer is an Embedding (it reads token ids)`);
      this.inputSize = 1;
    } else {
      this.inputSize = checkInt(where, 'options.inputSize', options.inputSize, 1);
    }
    this.backend = first.backend;
    options.layers.forEach((layer, i) => {
      if (layer.backend !== this.backend) throw new RangeError(`${where}: options.layers[${i}] lives in another backend than options.layers[0]`);
    });
    this.layers = [...options.layers];
    let flow: Flow = first instanceof Embedding ? { features: 1, sequence: true, ids: true } : { features: this.inputSize, sequence: true };
    this.#flows = [flow];
    this.layers.forEach((layer, i) => {
      flow = layer.connect(`${where}: layers[${i}]`, flow, new Random(this.seed, 0x4c41594552 + i).nextUint32() | 0);
      this.#flows.push(flow);
    });
    this.#slab = new TrainingSlab(this.backend, this.layers);
    this.paramCount = this.#slab.paramCount;
    this.#work = new Workspace(this.backend);
  }

  /** Features out of the last layer. */
  get outputSize(): number {
    return this.#output.features;
  }

  /** Whether the model outputs every step ([B, T, outputSize]) or one vector per sequence ([B, outputSize]). */
  get outputsSequences(): boolean {
    return this.#output.sequence;
  }

  /** The global L2 norm of the gradient at the last update, before clipping. */
  get lastGradientNorm(): number {
    return this.#slab.lastGradientNorm;
  }

  /** Optimizer updates so far. */
  get steps(): number {
    return this.#slab.steps;
  }

  /** Epochs trained so far (fit adds to it; saved with the model). */
  get epochsTrained(): number {
    return this.#slab.epochsTrained;
  }

  get disposed(): boolean {
    return this.#disposed;
  }

  get #output(): Flow {
    return this.#flows[this.#flows.length - 1];
  }

  get #ids(): boolean {
    return this.#flows[0].ids === true;
  }

  get #lossType(): Loss | null {
    return this.#slab.lossType;
  }

  /** Sets the loss and optimizer (fresh optimizer state, step count 0). */
  compile(options: CompileOptions): void {
    const where = 'Sequential.compile';
    this.#checkAlive(where);
    checkOptions(where, options, ['loss', 'optimizer', 'clipNorm', 'clipValue']);
    const loss = checkOneOf(where, 'options.loss', options.loss, LOSSES);
    const last = this.layers[this.layers.length - 1];
    const softmax = last instanceof Dense && last.activation === 'softmax';
    if (loss === 'crossEntropy' && !(last instanceof Dense && (softmax || last.activation === 'linear'))) {
      throw new RangeError(`${where}: loss 'crossEntropy' needs a last layer Dense with activation 'softmax' (or 'linear' logits), got ${last.kind}${last instanceof Dense ? ` with activation '${last.activation}'` : ''}`);
    }
    if (loss === 'mse' && softmax) throw new RangeError(`${where}: loss 'mse' with a softmax head is not supported: use loss 'crossEntropy', or activation 'linear'/'sigmoid'`);
    this.#slab.compile(where, loss, options);
  }

  /** Trains; resolves to the history. Yields to the event loop between batches. */
  async fit(x: TensorLike, y: TensorLike, options: FitOptions = {}): Promise<History> {
    const where = 'Sequential.fit';
    this.#checkAlive(where);
    if (!this.#slab.optimizer) throw new Error(`${where}: call compile({ loss, optimizer }) first`);
    this.#slab.checkIdle(where);
    checkOptions(where, options, ['epochs', 'batchSize', 'shuffle', 'seed', 'validationSplit', 'validationData', 'callbacks', 'earlyStopping', 'tbptt', 'lengths', 'mask']);
    const basics = readFitBasics(where, options, this.seed);
    const { batchSize } = basics;
    const tbptt = options.tbptt === undefined ? 0 : checkInt(where, 'options.tbptt', options.tbptt, 1);
    let data = this.#readData(where, x, y, options, true);
    let validation: DataSet | null = null;
    if (options.validationData !== undefined && options.validationSplit !== undefined) {
      throw new RangeError(`${where}: give options.validationData or options.validationSplit, not both`);
    }
    if (options.validationData !== undefined) {
      const v = options.validationData;
      if (v === null || typeof v !== 'object') throw new TypeError(`${where}: options.validationData must be { x, y, lengths?, mask? }, got ${describe(v)}`);
      checkOptions(`${where} (options.validationData)`, v, ['x', 'y', 'lengths', 'mask']);
      validation = this.#readData(`${where} (validationData)`, v.x, v.y, v, true);
    } else if (options.validationSplit !== undefined) {
      const split = options.validationSplit;
      if (typeof split !== 'number' || !(split > 0 && split < 1)) throw new RangeError(`${where}: options.validationSplit must be in (0, 1), got ${describe(split)}`);
      const held = Math.round(data.N * split);
      if (held < 1 || held >= data.N) throw new RangeError(`${where}: options.validationSplit ${split} of ${data.N} samples leaves ${held} for validation and ${data.N - held} for training; both need at least 1`);
      [data, validation] = [this.#slice(data, 0, data.N - held), this.#slice(data, data.N - held, data.N)];
    }
    const early = readEarlyStopping(where, options.earlyStopping, validation !== null);
    if (tbptt) this.#checkTbptt(where);
    // Everything is validated: training starts.
    const held = validation;
    return runEpochs({
      ...basics,
      samples: data.N,
      early,
      slab: this.#slab,
      trainBatch: (rows, epoch, b) => this.#trainBatch(data, rows, tbptt, epoch, b),
      validate: held ? () => this.#evaluateData(held, batchSize) : null,
    });
  }

  /** Mean loss (and accuracy for crossEntropy) over the samples, without training. */
  evaluate(x: TensorLike, y: TensorLike, options: DataOptions & { batchSize?: number } = {}): { loss: number; accuracy?: number } {
    const where = 'Sequential.evaluate';
    this.#checkAlive(where);
    if (!this.#lossType) throw new Error(`${where}: call compile({ loss }) first`);
    checkOptions(where, options, ['lengths', 'mask', 'batchSize']);
    const batchSize = options.batchSize === undefined ? 256 : checkInt(where, 'options.batchSize', options.batchSize, 1);
    return this.#evaluateData(this.#readData(where, x, y, options, true), batchSize);
  }

  /** Outputs for x: [N, T, outputSize] or [N, outputSize]; probabilities for a softmax head. */
  predict(x: TensorLike, options: DataOptions & { batchSize?: number } = {}): Tensor {
    const where = 'Sequential.predict';
    this.#checkAlive(where);
    checkOptions(where, options, ['lengths', 'mask', 'batchSize']);
    const batchSize = options.batchSize === undefined ? 256 : checkInt(where, 'options.batchSize', options.batchSize, 1);
    const data = this.#readData(where, x, undefined, options, false);
    const { N, T } = data;
    const O = this.outputSize;
    const sequence = this.outputsSequences;
    const out = new Float32Array(N * (sequence ? T : 1) * O);
    for (let start = 0; start < N; start += batchSize) {
      const rows = Int32Array.from({ length: Math.min(batchSize, N - start) }, (_, i) => start + i);
      const B = rows.length;
      this.#stage(data, rows, 0, T, false);
      const ptr = this.#forward(T, B, false);
      const heap = this.backend.heapF32();
      const at = ptr >>> 2;
      if (sequence) {
        for (let t = 0; t < T; t++) {
          for (let b = 0; b < B; b++) out.set(heap.subarray(at + (t * B + b) * O, at + (t * B + b + 1) * O), ((start + b) * T + t) * O);
        }
      } else out.set(heap.subarray(at, at + B * O), start * O);
    }
    return { data: out, shape: sequence ? [N, T, O] : [N, O] };
  }

  /** Zero state for streaming with step(): one { h, c? } per recurrent layer. */
  initialState(batchSize = 1): ModelState {
    const where = 'Sequential.initialState';
    this.#checkAlive(where);
    checkInt(where, 'batchSize', batchSize, 1);
    this.#checkStreamable(where);
    return {
      batchSize,
      layers: this.layers.map((layer) => {
        if (!(layer instanceof RecurrentLayer)) return null;
        const state: Partial<Record<StateName, Float32Array>> = {};
        for (const name of layer.stateKeys) state[name] = new Float32Array(batchSize * layer.units);
        return state;
      }),
    };
  }

  /**
   * One time step for each of B streams: x is [B, inputSize] (or B token ids). Reads `state`,
   * writes the new state into it (the arrays are yours; nothing is kept), returns [B, outputSize].
   */
  step(x: TensorLike, state: ModelState): Tensor {
    const where = 'Sequential.step';
    this.#checkAlive(where);
    this.#checkStreamable(where);
    const B = this.#checkState(where, state);
    const rows = this.#ids
      ? readIds(where, 'x', readTensor(where, 'x', x, [{ label: 'batch', size: B }]), 1, this.#vocabSize)
      : readTensor(where, 'x', x, [{ label: 'batch', size: B }, { label: 'inputSize', size: this.inputSize }]).data;
    const data: DataSet = { N: B, T: 1, x: rows, mask: null, y: null };
    this.#stage(data, Int32Array.from({ length: B }, (_, i) => i), 0, 1, false);
    const ptr = this.#forward(1, B, false, state);
    const heap = this.backend.heapF32();
    this.layers.forEach((layer, i) => {
      if (!(layer instanceof RecurrentLayer)) return;
      for (const name of layer.stateKeys) {
        const at = layer.finalStatePtr(name) >>> 2;
        state.layers[i]![name]!.set(heap.subarray(at, at + B * layer.units));
      }
    });
    const O = this.outputSize;
    return { data: heap.slice(ptr >>> 2, (ptr >>> 2) + B * O), shape: [B, O] };
  }

  /**
   * Autoregressive generation for a model whose input is a token (an Embedding, or a one-hot
   * vector of inputSize = outputSize) and whose head is a softmax over the same tokens.
   * Feeds the prefix, then samples `length` tokens (seeded); returns them.
   */
  generate(options: GenerateOptions): number[] {
    const where = 'Sequential.generate';
    this.#checkAlive(where);
    checkOptions(where, options, ['prefix', 'length', 'temperature', 'seed']);
    const last = this.layers[this.layers.length - 1];
    const V = this.outputSize;
    if (!(last instanceof Dense && last.activation === 'softmax') || this.outputsSequences !== true) {
      throw new RangeError(`${where}: needs a softmax Dense head on every step (returnSequences: true below it)`);
    }
    const first = this.layers[0];
    if (first instanceof Embedding ? first.vocabSize !== V : this.inputSize !== V) {
      throw new RangeError(`${where}: the input must be the same tokens as the output: an Embedding of vocabSize ${V} or inputSize ${V} (one-hot), got ${first instanceof Embedding ? `vocabSize ${first.vocabSize}` : `inputSize ${this.inputSize}`}`);
    }
    const prefix = options.prefix;
    if (!Array.isArray(prefix) || prefix.length === 0) throw new TypeError(`${where}: options.prefix must be a non-empty array of token ids, got ${describe(prefix)}`);
    prefix.forEach((id, i) => checkInt(where, `options.prefix[${i}]`, id, 0, V - 1));
    const length = checkInt(where, 'options.length', options.length, 0);
    const temperature = options.temperature === undefined ? 1 : options.temperature;
    if (typeof temperature !== 'number' || !(temperature >= 0) || !Number.isFinite(temperature)) throw new RangeError(`${where}: options.temperature must be a number ≥ 0, got ${describe(temperature)}`);
    const random = new Random(readSeed(where, 'options.seed', options.seed, this.seed), 0x53414d504c);
    const state = this.initialState(1);
    const input = (id: number): TensorLike => {
      if (first instanceof Embedding) return [id];
      const oneHot = new Float32Array(V);
      oneHot[id] = 1;
      return { data: oneHot, shape: [1, V] };
    };
    let probs: Float32Array = new Float32Array(0);
    for (const id of prefix) probs = this.step(input(id), state).data;
    const out: number[] = [];
    for (let k = 0; k < length; k++) {
      const id = sample(probs, temperature, random);
      out.push(id);
      if (k + 1 < length) probs = this.step(input(id), state).data;
    }
    return out;
  }

  /** A copy of every parameter, in slab order (layer by layer; each parameter padded to a multiple of 4). */
  getParameters(): Float32Array {
    this.#checkAlive('Sequential.getParameters');
    return this.#slab.readParameters();
  }

  /** Replaces every parameter from a getParameters()-shaped array. */
  setParameters(values: Float32Array): void {
    const where = 'Sequential.setParameters';
    this.#checkAlive(where);
    this.#slab.setParameters(where, values);
  }

  /** The mean loss over all samples as one batch and its gradient w.r.t. getParameters(), without updating anything. */
  computeGradients(x: TensorLike, y: TensorLike, options: DataOptions = {}): { loss: number; gradients: Float32Array } {
    const where = 'Sequential.computeGradients';
    this.#checkAlive(where);
    if (!this.#lossType) throw new Error(`${where}: call compile({ loss }) first`);
    checkOptions(where, options, ['lengths', 'mask']);
    const d = this.#readData(where, x, y, options, true);
    const rows = Int32Array.from({ length: d.N }, (_, i) => i);
    const weight = this.#stage(d, rows, 0, d.T, true);
    const out = this.#forward(d.T, d.N, true);
    const loss = this.#loss(out, d.T, d.N, weight, true);
    this.#slab.zeroGradients();
    let g = this.#work.ptr('dLoss');
    for (let i = this.layers.length - 1; i >= 0; i--) g = this.layers[i].modelBackward(g);
    return { loss, gradients: this.#slab.readGradients() };
  }

  /** Every layer's weights in `format`, in layer order. */
  getWeights(options: { format?: 'native' | 'pytorch' | 'keras' } = {}): Weights[] {
    this.#checkAlive('Sequential.getWeights');
    return this.layers.map((layer) => layer.getWeights(options));
  }

  /**
   * Replaces every layer's weights from an array (one entry per layer, as getWeights returns) in
   * `format` ('native', 'keras' or 'pytorch'). All or nothing: if any layer rejects its weights,
   * every layer keeps its previous values.
   */
  setWeights(weights: (Weights | Record<string, unknown>)[], options: { format?: 'native' | 'pytorch' | 'keras' } = {}): void {
    const where = 'Sequential.setWeights';
    this.#checkAlive(where);
    if (!Array.isArray(weights) || weights.length !== this.layers.length) {
      throw new TypeError(`${where}: weights must be an array of ${this.layers.length} entries (one per layer), got ${describe(weights)}`);
    }
    const before = this.#slab.readParameters();
    try {
      this.layers.forEach((layer, i) => {
        try {
          layer.setWeights(weights[i], options);
        } catch (error) {
          if (error instanceof Error) error.message = `${where}: weights[${i}] (${layer.kind}): ${error.message}`;
          throw error;
        }
      });
    } catch (error) {
      this.#slab.setParameters(where, before);
      throw error;
    }
  }

  /** Architecture, weights, and (after compile) loss, optimizer and its state: enough to resume training exactly. */
  toJSON(): SequentialJSON {
    this.#checkAlive('Sequential.toJSON');
    const json: SequentialJSON = {
      format: FORMAT,
      version: VERSION,
      inputSize: this.#ids ? undefined : this.inputSize,
      seed: this.seed,
      layers: this.layers.map(layerToJSON),
      epochsTrained: this.#slab.epochsTrained,
    };
    const training = this.#slab.toJSON();
    if (training) json.training = training;
    return json;
  }

  /** Rebuilds a model from toJSON(); a corrupted or mismatched file is rejected and nothing is kept. */
  static fromJSON(json: unknown, options: { backend?: Backend } = {}): Sequential {
    const where = 'Sequential.fromJSON';
    const backend = options.backend ?? defaultBackend();
    const j = readSaved<SequentialJSON>(where, json, { format: FORMAT, version: VERSION, what: 'Sequential' });
    if (!Array.isArray(j.layers) || j.layers.length === 0) throw new TypeError(`${where}: layers must be a non-empty array`);
    const made: SequentialLayer[] = [];
    let model: Sequential | null = null;
    try {
      j.layers.forEach((entry, i) => made.push(makeLayer(`${where}: layers[${i}]`, entry, backend)));
      model = new Sequential({ inputSize: j.inputSize, seed: j.seed, layers: made });
      const m = model;
      j.layers.forEach((entry, i) => setLayerWeights(where, `layers[${i}]`, entry, m.layers[i]));
      if (j.epochsTrained !== undefined) m.#slab.epochsTrained = checkInt(where, 'epochsTrained', j.epochsTrained, 0);
      if (j.training !== undefined) {
        const t = j.training;
        m.compile({ loss: t.loss, optimizer: t.optimizer, clipNorm: t.clipNorm, clipValue: t.clipValue });
        m.#slab.restore(where, t);
      }
      return m;
    } catch (error) {
      if (model) model.dispose();
      else for (const layer of made) layer.dispose();
      if (error instanceof Error && !error.message.startsWith(where)) error.message = `${where}: ${error.message}`;
      throw error;
    }
  }

  /** Frees every layer and the model's slabs. */
  dispose(): void {
    if (this.#disposed) return;
    for (const layer of this.layers) layer.dispose();
    this.#slab.dispose();
    this.#work.dispose();
    this.#disposed = true;
  }

  // ---- internals ----

  #checkAlive(where: string): void {
    if (this.#disposed) throw new Error(`${where}: this model was disposed`);
    if (this.backend.disposed) throw new Error(`${where}: the model's backend was disposed`);
  }

  #checkStreamable(where: string): void {
    const bi = this.layers.findIndex((layer) => layer instanceof Bidirectional);
    if (bi >= 0) throw new RangeError(`${where}: layers[${bi}] is Bidirectional, which needs the whole sequence; step() streams one step at a time`);
  }

  #checkTbptt(where: string): void {
    this.#checkStreamable(where);
    if (!this.outputsSequences) throw new RangeError(`${where}: options.tbptt needs a model that outputs every step (returnSequences: true on the last recurrent layer)`);
  }

  #checkState(where: string, state: ModelState): number {
    if (state === null || typeof state !== 'object' || !Array.isArray(state.layers) || state.layers.length !== this.layers.length) {
      throw new TypeError(`${where}: state must come from initialState() of this model, got ${describe(state)}`);
    }
    const B = checkInt(where, 'state.batchSize', state.batchSize, 1);
    this.layers.forEach((layer, i) => {
      if (!(layer instanceof RecurrentLayer)) return;
      for (const name of layer.stateKeys) {
        const v = state.layers[i]?.[name];
        if (!(v instanceof Float32Array) || v.length !== B * layer.units) {
          throw new TypeError(`${where}: state.layers[${i}].${name} must be a Float32Array of ${B * layer.units} values (batch ${B} × ${layer.units} units), got ${describe(v)}`);
        }
      }
    });
    return B;
  }

  /** Validates and flattens samples; `withTargets` reads y as the loss needs it. */
  #readData(where: string, x: TensorLike, y: TensorLike | undefined, options: DataOptions, withTargets: boolean): DataSet {
    let N: number;
    let T: number;
    let xs: Float32Array | Int32Array;
    if (this.#ids) {
      const t = readTensor(where, 'x', x, [{ label: 'samples' }, { label: 'time steps' }]);
      [N, T] = t.shape;
      xs = readIds(where, 'x', t, T, this.#vocabSize);
    } else {
      const t = readTensor(where, 'x', x, [{ label: 'samples' }, { label: 'time steps' }, { label: 'inputSize', size: this.inputSize }]);
      [N, T] = t.shape;
      xs = t.data;
    }
    let mask: Float32Array | null = null;
    if (options.lengths !== undefined && options.mask !== undefined) throw new RangeError(`${where}: give options.lengths or options.mask, not both`);
    if (options.lengths !== undefined) {
      mask = lengthsToMask(where, 'options.lengths', options.lengths, N, T);
    } else if (options.mask !== undefined) {
      mask = readTensor(where, 'options.mask', options.mask, [{ label: 'samples', size: N }, { label: 'time steps', size: T }]).data;
      for (let i = 0; i < mask.length; i++) {
        if (mask[i] !== 0 && mask[i] !== 1) throw new RangeError(`${where}: options.mask[${Math.floor(i / T)}][${i % T}] is ${mask[i]}; a mask holds 0 (padding) and 1 (real step)`);
      }
    }
    if (!withTargets) return { N, T, x: xs, mask, y: null };
    if (y === undefined) throw new TypeError(`${where}: y (targets) is missing`);
    const O = this.outputSize;
    const sequence = this.outputsSequences;
    const steps = sequence ? [{ label: 'time steps', size: T }] : [];
    let ys: Float32Array | Int32Array;
    if (this.#lossType === 'crossEntropy') {
      const t = readTensor(where, 'y', y, [{ label: 'samples', size: N }, ...steps]);
      ys = new Int32Array(t.data.length);
      for (let i = 0; i < t.data.length; i++) {
        const padded = sequence && mask !== null && mask[i] === 0;
        const label = t.data[i];
        if (padded) continue; // labels at padded steps are ignored
        if (!Number.isInteger(label) || label < 0 || label >= O) {
          const at = sequence ? `[${Math.floor(i / T)}][${i % T}]` : `[${i}]`;
          throw new RangeError(`${where}: y${at} is ${label}; labels must be integers 0 … ${O - 1} (the head has ${O} classes)`);
        }
        ys[i] = label;
      }
    } else {
      ys = readTensor(where, 'y', y, [{ label: 'samples', size: N }, ...steps, { label: 'outputs', size: O }]).data;
    }
    return { N, T, x: xs, mask, y: ys };
  }

  get #vocabSize(): number {
    return (this.layers[0] as Embedding).vocabSize;
  }

  #slice(d: DataSet, from: number, to: number): DataSet {
    const perX = d.x.length / d.N;
    const perY = d.y ? d.y.length / d.N : 0;
    return {
      N: to - from,
      T: d.T,
      x: d.x.slice(from * perX, to * perX),
      mask: d.mask ? d.mask.slice(from * d.T, to * d.T) : null,
      y: d.y ? d.y.slice(from * perY, to * perY) : null,
    };
  }

  /**
   * Copies samples `rows`, steps [t0, t1), into the workspace, time-major: x, mask, targets.
   * Returns the loss weight: real (t, b) positions for per-step outputs, else the batch size.
   */
  #stage(d: DataSet, rows: Int32Array, t0: number, t1: number, withTargets: boolean): number {
    const B = rows.length;
    const T = t1 - t0;
    const F = this.#ids ? 1 : this.inputSize;
    const O = this.outputSize;
    const sequence = this.outputsSequences;
    const outRows = sequence ? T * B : B;
    // Carried states first: their offsets do not depend on T (truncated BPTT windows may differ in length).
    const states: Record<string, number> = {};
    this.layers.forEach((layer, i) => {
      if (layer instanceof RecurrentLayer) for (const name of layer.stateKeys) states[`state${i}${name}`] = B * layer.units;
    });
    this.#work.layout({ ...states, x: T * B * F, mask: d.mask ? T * B : 0, target: withTargets ? outRows * (this.#lossType === 'crossEntropy' ? 1 : O) : 0, dLoss: outRows * O, probs: outRows * O });
    this.#maskStaged = d.mask !== null;
    this.#stagedBatch = B;
    const heap = this.backend.heapF32();
    const xAt = this.#work.ptr('x') >>> 2;
    if (d.x instanceof Int32Array) {
      const ids = new Int32Array(heap.buffer);
      for (let t = 0; t < T; t++) for (let b = 0; b < B; b++) ids[xAt + t * B + b] = d.x[rows[b] * d.T + t0 + t];
    } else {
      for (let t = 0; t < T; t++) {
        for (let b = 0; b < B; b++) {
          const from = (rows[b] * d.T + t0 + t) * F;
          heap.set(d.x.subarray(from, from + F), xAt + (t * B + b) * F);
        }
      }
    }
    let weight = outRows;
    if (d.mask) {
      const mAt = this.#work.ptr('mask') >>> 2;
      let real = 0;
      for (let t = 0; t < T; t++) {
        for (let b = 0; b < B; b++) {
          const m = d.mask[rows[b] * d.T + t0 + t];
          heap[mAt + t * B + b] = m;
          real += m;
        }
      }
      if (sequence) weight = real;
    }
    if (withTargets && d.y) {
      const yAt = this.#work.ptr('target') >>> 2;
      if (d.y instanceof Int32Array) {
        const labels = new Int32Array(heap.buffer);
        if (sequence) for (let t = 0; t < T; t++) for (let b = 0; b < B; b++) labels[yAt + t * B + b] = d.y[rows[b] * d.T + t0 + t];
        else for (let b = 0; b < B; b++) labels[yAt + b] = d.y[rows[b]];
      } else if (sequence) {
        for (let t = 0; t < T; t++) {
          for (let b = 0; b < B; b++) {
            const from = (rows[b] * d.T + t0 + t) * O;
            heap.set(d.y.subarray(from, from + O), yAt + (t * B + b) * O);
          }
        }
      } else {
        for (let b = 0; b < B; b++) heap.set(d.y.subarray(rows[b] * O, rows[b] * O + O), yAt + b * O);
      }
    }
    return weight;
  }

  /** One batch: one update, or one per window of `tbptt` steps with the state carried across windows. */
  #trainBatch(d: DataSet, rows: Int32Array, tbptt: number, epoch: number, batch: number): { loss: number; weight: number } {
    const T = d.T;
    const B = rows.length;
    const k = tbptt > 0 && tbptt < T ? tbptt : T;
    let lossSum = 0;
    let weightSum = 0;
    for (let t0 = 0; t0 < T; t0 += k) {
      const t1 = Math.min(T, t0 + k);
      const weight = this.#stage(d, rows, t0, t1, true);
      if (k < T && t0 === 0) this.#forEachState((ptr, n) => this.backend.fillFloats(ptr, n, 0));
      if (weight === 0) continue; // a window of padding only: nothing to learn, and the state does not move
      const loss = this.#trainStep(t1 - t0, B, weight, k < T, epoch, batch);
      if (k < T) this.#carryStates();
      lossSum += loss * weight;
      weightSum += weight;
    }
    return { loss: lossSum / weightSum, weight: weightSum };
  }

  /** Calls fn(pointer, floats) for every carried-state region of the staged batch. */
  #forEachState(fn: (ptr: number, n: number, layer: RecurrentLayer, name: StateName) => void): void {
    const B = this.#stagedBatch;
    this.layers.forEach((layer, i) => {
      if (layer instanceof RecurrentLayer) for (const name of layer.stateKeys) fn(this.#work.ptr(`state${i}${name}`), B * layer.units, layer, name);
    });
  }

  /** Truncated BPTT: each recurrent layer's final state becomes the next window's initial state. */
  #carryStates(): void {
    this.#forEachState((ptr, n, layer, name) => this.backend.copyFloats(ptr, layer.finalStatePtr(name), n));
  }

  /** Forward, loss, backward, clipping, update; throws NonFiniteError (weights untouched) on NaN/Inf. */
  #trainStep(T: number, B: number, weight: number, carry: boolean, epoch: number, batch: number): number {
    const where = 'Sequential.fit';
    // Dropout's noise is keyed by the update count, so a resumed model draws the masks it would have.
    const out = this.#forward(T, B, true, carry ? { carry: true } : undefined, this.#slab.steps);
    const loss = this.#loss(out, T, B, weight, true);
    if (!Number.isFinite(loss)) this.#slab.stop(where, `the loss is ${loss}`, epoch, batch);
    this.#slab.zeroGradients();
    let d = this.#work.ptr('dLoss');
    for (let i = this.layers.length - 1; i >= 0; i--) d = this.layers[i].modelBackward(d);
    this.#slab.update(where, epoch, batch);
    return loss;
  }

  /** The mean loss of the staged batch whose output is at `out`; with `gradient`, dLoss/dOutput into 'dLoss'. */
  #loss(out: number, T: number, B: number, weight: number, gradient: boolean): number {
    const sequence = this.outputsSequences;
    const rows = sequence ? T * B : B;
    const mask = sequence && this.#maskStaged ? this.#work.ptr('mask') : 0;
    const dLoss = gradient ? this.#work.ptr('dLoss') : 0;
    return this.#slab.loss(out, this.#work.ptr('target'), mask, rows, this.outputSize, weight, dLoss, this.#work.ptr('probs'));
  }

  /** Mean loss (and accuracy for crossEntropy: the most probable class is the label) over a data set. */
  #evaluateData(d: DataSet, batchSize: number): { loss: number; accuracy?: number } {
    const O = this.outputSize;
    const sequence = this.outputsSequences;
    const ce = this.#lossType === 'crossEntropy';
    let lossSum = 0;
    let weightSum = 0;
    let correct = 0;
    for (let start = 0; start < d.N; start += batchSize) {
      const rows = Int32Array.from({ length: Math.min(batchSize, d.N - start) }, (_, i) => start + i);
      const B = rows.length;
      const weight = this.#stage(d, rows, 0, d.T, true);
      if (weight === 0) continue;
      const out = this.#forward(d.T, B, true);
      lossSum += this.#loss(out, d.T, B, weight, false) * weight;
      weightSum += weight;
      if (!ce) continue;
      const heap = this.backend.heapF32();
      const labels = new Int32Array(heap.buffer);
      const probs = this.#work.ptr('probs') >>> 2;
      const target = this.#work.ptr('target') >>> 2;
      const mask = this.#maskStaged && sequence ? this.#work.ptr('mask') >>> 2 : -1;
      const count = sequence ? d.T * B : B;
      for (let r = 0; r < count; r++) {
        if (mask >= 0 && heap[mask + r] === 0) continue;
        let best = 0;
        for (let c = 1; c < O; c++) if (heap[probs + r * O + c] > heap[probs + r * O + best]) best = c;
        if (best === labels[target + r]) correct++;
      }
    }
    return ce ? { loss: lossSum / weightSum, accuracy: correct / weightSum } : { loss: lossSum / weightSum };
  }

  /** Runs every layer on the staged batch; returns the output pointer (logits of a softmax head when training). */
  #forward(T: number, B: number, training: boolean, state?: ModelState | { carry: true }, noise?: number): number {
    let ptr = this.#work.ptr('x');
    const mask = this.#maskStaged ? this.#work.ptr('mask') : 0;
    this.layers.forEach((layer, i) => {
      const sequence = this.#flows[i].sequence;
      const batch: Batch = sequence ? { T, B, mask, training, noise } : { T: 1, B, mask: 0, training, noise };
      if (layer instanceof RecurrentLayer && state) ptr = layer.modelForward(ptr, batch, this.#initialStates(layer, i, B, state));
      else ptr = layer.modelForward(ptr, batch);
    });
    return ptr;
  }


  /** Pointers of a layer's initial states: from a user's ModelState (copied into the workspace) or the carried TBPTT state. */
  #initialStates(layer: RecurrentLayer, i: number, B: number, state: ModelState | { carry: true }): Partial<Record<StateName, number>> {
    const out: Partial<Record<StateName, number>> = {};
    for (const name of layer.stateKeys) {
      const region = `state${i}${name}`;
      if ('carry' in state) {
        out[name] = this.#work.ptr(region);
      } else {
        out[name] = this.#work.ptr(region);
        this.backend.heapF32().set(state.layers[i]![name]!, out[name]! >>> 2);
      }
    }
    return out;
  }
}

export interface SequentialJSON {
  format: string;
  version: number;
  inputSize?: number;
  seed: number;
  layers: LayerJSON[];
  epochsTrained?: number;
  training?: TrainingJSON;
}
