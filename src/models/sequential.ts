// Sequential: a stack of layers trained as one model. Every parameter of every
// layer lives in one slab (and every gradient in another), so a training step
// is: stage the batch in linear memory, one forward call per layer, one loss
// call, one backward call per layer, one norm call, one optimizer call.
import { Backend, F32Buffer } from '../backend.js';
import { checkBoolean, checkInt, checkOneOf, checkOptions, describe } from '../errors.js';
import { defaultBackend } from '../init.js';
import { Random } from '../random.js';
import { readTensor, type Tensor, type TensorLike } from '../tensor.js';
import { GRU } from '../layers/gru.js';
import { LSTM } from '../layers/lstm.js';
import { RecurrentLayer, type StateName } from '../layers/recurrent.js';
import { SimpleRNN } from '../layers/simple-rnn.js';
import { Workspace } from '../layers/parameters.js';
import type { Weights } from '../layers/formats.js';
import { base64ToFloats, floatsToBase64 } from './base64.js';
import { Bidirectional } from './bidirectional.js';
import { Dense } from './dense.js';
import { Embedding } from './embedding.js';
import type { Batch, Flow, ModelLayer } from './layer.js';
import { applyOptimizer, resolveOptimizer, stateSlabs, type OptimizerConfig, type OptimizerType, type ResolvedOptimizer } from './optimizer.js';

export type Loss = 'mse' | 'crossEntropy';
const LOSSES: readonly Loss[] = ['mse', 'crossEntropy'];

export type SequentialLayer = SimpleRNN | LSTM | GRU | Dense | Embedding | Bidirectional;

export interface SequentialOptions {
  /** Features per time step (not needed when the first layer is an Embedding). */
  inputSize?: number;
  /** Seeds every layer that has no seed of its own, and shuffling (default 0). */
  seed?: number;
  layers: SequentialLayer[];
}

export interface CompileOptions {
  /** 'mse', or 'crossEntropy' (softmax cross-entropy with integer labels; the last layer is a softmax or linear Dense). */
  loss: Loss;
  /** Default 'adam' (learningRate 0.001). */
  optimizer?: OptimizerType | OptimizerConfig;
  /** Scale the gradient to this global L2 norm when it is larger: g ← min(1, clipNorm/‖g‖)·g. */
  clipNorm?: number;
  /** Clamp every gradient element to [−clipValue, clipValue] (before clipNorm). */
  clipValue?: number;
}

/** Samples for fit/evaluate/predict: x [N, T, F] (or token ids [N, T]); optional lengths or mask for variable-length batches. */
export interface DataOptions {
  /** Real steps of each sequence (1 … T); the rest is padding. */
  lengths?: number[];
  /** [N, T] of 1 (real step) and 0 (padding). */
  mask?: TensorLike;
}

export interface EarlyStopping {
  /** Default 'valLoss' when there is validation data, else 'loss'. */
  monitor?: 'loss' | 'valLoss';
  /** Epochs without improvement before stopping (default 5). */
  patience?: number;
  /** Smallest decrease that counts as improvement (default 0). */
  minDelta?: number;
  /** Put back the weights of the best epoch when stopping (default true). */
  restoreBestWeights?: boolean;
}

export interface EpochLogs {
  epoch: number;
  loss: number;
  valLoss?: number;
  valAccuracy?: number;
}

export interface BatchLogs {
  epoch: number;
  batch: number;
  batches: number;
  loss: number;
}

export interface Callbacks {
  onTrainBegin?(info: { epochs: number; batches: number; samples: number }): void;
  onBatchEnd?(logs: BatchLogs): void;
  /** Return false to stop training after this epoch. */
  onEpochEnd?(logs: EpochLogs): void | boolean;
  onTrainEnd?(history: History): void;
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

export interface History {
  loss: number[];
  valLoss: number[];
  valAccuracy: number[];
  epochs: number;
  stoppedEarly: boolean;
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
const LAYER_TYPES = { SimpleRNN, LSTM, GRU, Dense, Embedding, Bidirectional } as const;

/** Lets the event loop run (a browser page stays responsive during fit). */
function yieldToEventLoop(): Promise<void> {
  const g = globalThis as { setImmediate?: (fn: () => void) => void };
  if (typeof g.setImmediate === 'function') return new Promise((resolve) => g.setImmediate!(resolve));
  if (typeof MessageChannel === 'function') {
    return new Promise((resolve) => {
      const channel = new MessageChannel();
      channel.port1.onmessage = () => {
        channel.port1.close();
        resolve();
      };
      channel.port2.postMessage(0);
    });
  }
  return new Promise((resolve) => setTimeout(resolve, 0));
}

export class NonFiniteError extends Error {
  constructor(message: string, readonly epoch: number, readonly batch: number) {
    super(message);
    this.name = 'NonFiniteError';
  }
}

export class Sequential {
  readonly layers: readonly SequentialLayer[];
  readonly inputSize: number;
  readonly seed: number;
  readonly backend: Backend;
  /** What flows into each layer, and out of the last (index layers.length). */
  #flows: Flow[];
  #params: F32Buffer;
  #grads: F32Buffer;
  readonly paramCount: number;
  #work: Workspace;
  #lossType: Loss | null = null;
  #maskStaged = false;
  #stagedBatch = 0;
  #lastGradNorm = 0;
  #optimizer: ResolvedOptimizer | null = null;
  #clipNorm = 0;
  #clipValue = 0;
  #state: F32Buffer[] = [];
  #backup: F32Buffer | null = null;
  #step = 0;
  #epochs = 0;
  #disposed = false;
  #training = false;

  constructor(options: SequentialOptions) {
    const where = 'Sequential';
    checkOptions(where, options, ['inputSize', 'seed', 'layers']);
    if (!Array.isArray(options.layers) || options.layers.length === 0) {
      throw new TypeError(`${where}: options.layers must be a non-empty array of layers, got ${describe(options.layers)}`);
    }
    options.layers.forEach((layer, i) => {
      if (!Object.values(LAYER_TYPES).some((Kind) => layer instanceof Kind)) {
        throw new TypeError(`${where}: options.layers[${i}] must be a SimpleRNN, LSTM, GRU, Dense, Embedding or Bidirectional, got ${describe(layer)}`);
      }
      if (layer.disposed) throw new Error(`${where}: options.layers[${i}] (${layer.kind}) was disposed`);
      if (options.layers.indexOf(layer) !== i) throw new RangeError(`${where}: options.layers[${i}] is the same layer as options.layers[${options.layers.indexOf(layer)}]`);
    });
    this.seed = options.seed === undefined ? 0 : checkInt(where, 'options.seed', options.seed, -0x80000000, 0xffffffff);
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
    const sizes = this.layers.map((layer) => layer.paramFloats);
    this.paramCount = sizes.reduce((a, b) => a + b, 0);
    this.#params = this.backend.allocF32(Math.max(this.paramCount, 4));
    this.#grads = this.backend.allocF32(Math.max(this.paramCount, 4));
    let base = 0;
    this.layers.forEach((layer, i) => {
      layer.adopt(this.#params, this.#grads, base);
      base += sizes[i];
    });
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
    return this.#lastGradNorm;
  }

  /** Optimizer updates so far. */
  get steps(): number {
    return this.#step;
  }

  /** Epochs trained so far (fit adds to it; saved with the model). */
  get epochsTrained(): number {
    return this.#epochs;
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
    const optimizer = resolveOptimizer(where, options.optimizer ?? 'adam');
    const clip = (name: string, value: unknown): number => {
      if (value === undefined) return 0;
      if (typeof value !== 'number' || !(value > 0) || !Number.isFinite(value)) throw new RangeError(`${where}: options.${name} must be a positive number, got ${describe(value)}`);
      return value;
    };
    const clipNorm = clip('clipNorm', options.clipNorm);
    const clipValue = clip('clipValue', options.clipValue);
    const n = Math.max(this.paramCount, 4);
    const state = Array.from({ length: stateSlabs(optimizer) }, () => this.backend.allocF32(n));
    const backup = this.backend.allocF32(n * (1 + state.length));
    for (const buffer of this.#state) buffer.dispose();
    this.#backup?.dispose();
    this.#state = state;
    this.#backup = backup;
    this.#lossType = loss;
    this.#optimizer = optimizer;
    this.#clipNorm = clipNorm;
    this.#clipValue = clipValue;
    this.#step = 0;
  }

  /** Trains; resolves to the history. Yields to the event loop between batches. */
  async fit(x: TensorLike, y: TensorLike, options: FitOptions = {}): Promise<History> {
    const where = 'Sequential.fit';
    this.#checkAlive(where);
    if (!this.#lossType || !this.#optimizer) throw new Error(`${where}: call compile({ loss, optimizer }) first`);
    if (this.#training) throw new Error(`${where}: this model is already training (await the running fit first)`);
    checkOptions(where, options, ['epochs', 'batchSize', 'shuffle', 'seed', 'validationSplit', 'validationData', 'callbacks', 'earlyStopping', 'tbptt', 'lengths', 'mask']);
    const epochs = options.epochs === undefined ? 1 : checkInt(where, 'options.epochs', options.epochs, 1);
    const batchSize = options.batchSize === undefined ? 32 : checkInt(where, 'options.batchSize', options.batchSize, 1);
    const shuffle = options.shuffle === undefined ? true : checkBoolean(where, 'options.shuffle', options.shuffle);
    const seed = options.seed === undefined ? this.seed : checkInt(where, 'options.seed', options.seed, -0x80000000, 0xffffffff);
    const tbptt = options.tbptt === undefined ? 0 : checkInt(where, 'options.tbptt', options.tbptt, 1);
    const callbacks = options.callbacks ?? {};
    if (callbacks === null || typeof callbacks !== 'object') throw new TypeError(`${where}: options.callbacks must be an object of functions, got ${describe(callbacks)}`);
    for (const [name, fn] of Object.entries(callbacks)) {
      if (!['onTrainBegin', 'onBatchEnd', 'onEpochEnd', 'onTrainEnd'].includes(name)) throw new RangeError(`${where}: unknown callback '${name}' (known: onTrainBegin, onBatchEnd, onEpochEnd, onTrainEnd)`);
      if (typeof fn !== 'function') throw new TypeError(`${where}: options.callbacks.${name} must be a function, got ${describe(fn)}`);
    }
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
    const early = this.#readEarlyStopping(where, options.earlyStopping, validation !== null);
    if (tbptt) this.#checkTbptt(where);
    // Everything is validated: training starts.
    this.#training = true;
    const history: History = { loss: [], valLoss: [], valAccuracy: [], epochs: 0, stoppedEarly: false };
    const B = Math.min(batchSize, data.N);
    const batches = Math.ceil(data.N / B);
    let best = Infinity;
    let bestWeights: Float32Array | null = null;
    let waited = 0;
    let lastYield = Date.now();
    try {
      callbacks.onTrainBegin?.({ epochs, batches, samples: data.N });
      for (let e = 0; e < epochs; e++) {
        const epoch = this.#epochs;
        const order = Int32Array.from({ length: data.N }, (_, i) => i);
        if (shuffle) {
          const random = new Random(seed, 0x5348554600 + epoch);
          for (let i = order.length - 1; i > 0; i--) {
            const j = random.nextUint32() % (i + 1);
            [order[i], order[j]] = [order[j], order[i]];
          }
        }
        let lossSum = 0;
        let weightSum = 0;
        for (let b = 0; b < batches; b++) {
          const rows = order.subarray(b * B, Math.min((b + 1) * B, data.N));
          const { loss, weight } = this.#trainBatch(data, rows, tbptt, epoch, b);
          lossSum += loss * weight;
          weightSum += weight;
          callbacks.onBatchEnd?.({ epoch, batch: b, batches, loss });
          if (Date.now() - lastYield > 20) {
            await yieldToEventLoop();
            lastYield = Date.now();
          }
        }
        this.#epochs++;
        const logs: EpochLogs = { epoch, loss: lossSum / weightSum };
        history.loss.push(logs.loss);
        if (validation) {
          const v = this.#evaluateData(validation, batchSize);
          logs.valLoss = v.loss;
          history.valLoss.push(v.loss);
          if (v.accuracy !== undefined) {
            logs.valAccuracy = v.accuracy;
            history.valAccuracy.push(v.accuracy);
          }
        }
        history.epochs++;
        const stop = callbacks.onEpochEnd?.(logs) === false;
        if (early) {
          const value = early.monitor === 'valLoss' ? logs.valLoss! : logs.loss;
          if (value < best - early.minDelta) {
            best = value;
            waited = 0;
            if (early.restoreBestWeights) bestWeights = this.#params.read();
          } else if (++waited >= early.patience) {
            history.stoppedEarly = true;
            if (bestWeights) this.#params.write(bestWeights);
            break;
          }
        }
        if (stop) break;
        await yieldToEventLoop();
        lastYield = Date.now();
      }
      callbacks.onTrainEnd?.(history);
      return history;
    } finally {
      this.#training = false;
    }
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
      ? this.#readIds(where, 'x', readTensor(where, 'x', x, [{ label: 'batch', size: B }]), 1)
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
    const random = new Random(options.seed === undefined ? this.seed : checkInt(where, 'options.seed', options.seed, -0x80000000, 0xffffffff), 0x53414d504c);
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
    return this.#params.read().subarray(0, this.paramCount);
  }

  /** Replaces every parameter from a getParameters()-shaped array. */
  setParameters(values: Float32Array): void {
    const where = 'Sequential.setParameters';
    this.#checkAlive(where);
    if (!(values instanceof Float32Array) || values.length !== this.paramCount) {
      throw new TypeError(`${where}: values must be a Float32Array of ${this.paramCount} parameters, got ${describe(values)}`);
    }
    for (let i = 0; i < values.length; i++) {
      if (!Number.isFinite(values[i])) throw new RangeError(`${where}: values[${i}] is ${values[i]}; parameters must be finite`);
    }
    this.#params.write(values);
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
    this.backend.fillFloats(this.#grads.ptr, this.paramCount, 0);
    let g = this.#work.ptr('dLoss');
    for (let i = this.layers.length - 1; i >= 0; i--) g = this.layers[i].modelBackward(g);
    return { loss, gradients: this.#grads.read().subarray(0, this.paramCount) };
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
    const before = this.#params.read();
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
      this.#params.write(before);
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
      layers: this.layers.map((layer) => ({
        type: layer.kind,
        config: layer.config(),
        weights: Object.fromEntries(Object.entries(layer.getWeights()).map(([key, t]) => [key, { shape: t.shape, data: floatsToBase64(t.data) }])),
      })),
      epochsTrained: this.#epochs,
    };
    if (this.#lossType && this.#optimizer) {
      const n = this.paramCount;
      json.training = {
        loss: this.#lossType,
        optimizer: { ...this.#optimizer, schedule: this.#optimizer.schedule ?? undefined },
        clipNorm: this.#clipNorm || undefined,
        clipValue: this.#clipValue || undefined,
        steps: this.#step,
        optimizerState: this.#state.map((buffer) => floatsToBase64(buffer.read().subarray(0, n))),
      };
    }
    return json;
  }

  /** Rebuilds a model from toJSON(); a corrupted or mismatched file is rejected and nothing is kept. */
  static fromJSON(json: unknown, options: { backend?: Backend } = {}): Sequential {
    const where = 'Sequential.fromJSON';
    const backend = options.backend ?? defaultBackend();
    if (typeof json === 'string') {
      try {
        json = JSON.parse(json);
      } catch (error) {
        throw new SyntaxError(`${where}: not JSON (${(error as Error).message})`);
      }
    }
    const j = json as SequentialJSON;
    if (j === null || typeof j !== 'object' || j.format !== FORMAT) throw new TypeError(`${where}: not a saved Sequential (format must be '${FORMAT}', got ${describe((j as { format?: unknown })?.format)})`);
    if (j.version !== VERSION) throw new RangeError(`${where}: format version ${describe(j.version)} is not supported (this library reads version ${VERSION})`);
    if (!Array.isArray(j.layers) || j.layers.length === 0) throw new TypeError(`${where}: layers must be a non-empty array`);
    const made: SequentialLayer[] = [];
    let model: Sequential | null = null;
    try {
      j.layers.forEach((entry, i) => made.push(makeLayer(`${where}: layers[${i}]`, entry, backend)));
      model = new Sequential({ inputSize: j.inputSize, seed: j.seed, layers: made });
      const m = model;
      j.layers.forEach((entry, i) => {
        const weights: Weights = {};
        if (entry.weights === null || typeof entry.weights !== 'object') throw new TypeError(`${where}: layers[${i}].weights must be an object`);
        for (const [key, w] of Object.entries(entry.weights)) {
          const count = Array.isArray(w?.shape) ? w.shape.reduce((a: number, b: number) => a * b, 1) : -1;
          const data = base64ToFloats(w?.data, count);
          if (!data) throw new RangeError(`${where}: layers[${i}].weights.${key} is corrupted (its data is not base64 of ${count} floats)`);
          weights[key] = { data, shape: w.shape };
        }
        m.layers[i].setWeights(weights);
      });
      if (j.epochsTrained !== undefined) m.#epochs = checkInt(where, 'epochsTrained', j.epochsTrained, 0);
      if (j.training !== undefined) {
        const t = j.training;
        m.compile({ loss: t.loss, optimizer: t.optimizer, clipNorm: t.clipNorm, clipValue: t.clipValue });
        m.#step = checkInt(where, 'training.steps', t.steps, 0);
        if (!Array.isArray(t.optimizerState) || t.optimizerState.length !== m.#state.length) {
          throw new RangeError(`${where}: training.optimizerState must hold ${m.#state.length} arrays for optimizer '${m.#optimizer!.type}'`);
        }
        const states = t.optimizerState.map((text, k) => {
          const values = base64ToFloats(text, m.paramCount);
          if (!values) throw new RangeError(`${where}: training.optimizerState[${k}] is corrupted (not base64 of ${m.paramCount} floats)`);
          return values;
        });
        states.forEach((values, k) => m.#state[k].write(values));
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
    this.#params.dispose();
    this.#grads.dispose();
    for (const buffer of this.#state) buffer.dispose();
    this.#backup?.dispose();
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

  #readEarlyStopping(where: string, value: unknown, hasValidation: boolean): Required<EarlyStopping> | null {
    if (value === undefined || value === false) return null;
    const e = (value === true ? {} : value) as EarlyStopping;
    checkOptions(`${where} (options.earlyStopping)`, e, ['monitor', 'patience', 'minDelta', 'restoreBestWeights']);
    const monitor = e.monitor === undefined ? (hasValidation ? 'valLoss' : 'loss') : checkOneOf(where, 'options.earlyStopping.monitor', e.monitor, ['loss', 'valLoss'] as const);
    if (monitor === 'valLoss' && !hasValidation) throw new RangeError(`${where}: options.earlyStopping.monitor 'valLoss' needs validationData or validationSplit`);
    const minDelta = e.minDelta === undefined ? 0 : e.minDelta;
    if (typeof minDelta !== 'number' || !(minDelta >= 0)) throw new RangeError(`${where}: options.earlyStopping.minDelta must be a number ≥ 0, got ${describe(minDelta)}`);
    return {
      monitor,
      patience: e.patience === undefined ? 5 : checkInt(where, 'options.earlyStopping.patience', e.patience, 1),
      minDelta,
      restoreBestWeights: e.restoreBestWeights === undefined ? true : checkBoolean(where, 'options.earlyStopping.restoreBestWeights', e.restoreBestWeights),
    };
  }

  /** Validates and flattens samples; `withTargets` reads y as the loss needs it. */
  #readData(where: string, x: TensorLike, y: TensorLike | undefined, options: DataOptions, withTargets: boolean): DataSet {
    let N: number;
    let T: number;
    let xs: Float32Array | Int32Array;
    if (this.#ids) {
      const t = readTensor(where, 'x', x, [{ label: 'samples' }, { label: 'time steps' }]);
      [N, T] = t.shape;
      xs = this.#readIds(where, 'x', t, T);
    } else {
      const t = readTensor(where, 'x', x, [{ label: 'samples' }, { label: 'time steps' }, { label: 'inputSize', size: this.inputSize }]);
      [N, T] = t.shape;
      xs = t.data;
    }
    let mask: Float32Array | null = null;
    if (options.lengths !== undefined && options.mask !== undefined) throw new RangeError(`${where}: give options.lengths or options.mask, not both`);
    if (options.lengths !== undefined) {
      const lengths = options.lengths;
      if (!Array.isArray(lengths) || lengths.length !== N) throw new RangeError(`${where}: options.lengths must be an array of ${N} lengths (one per sample), got ${describe(lengths)}`);
      mask = new Float32Array(N * T);
      lengths.forEach((length, i) => mask!.fill(1, i * T, i * T + checkInt(where, `options.lengths[${i}]`, length, 1, T)));
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

  #readIds(where: string, name: string, t: Tensor, T: number): Int32Array {
    const V = (this.layers[0] as Embedding).vocabSize;
    const ids = new Int32Array(t.data.length);
    for (let i = 0; i < ids.length; i++) {
      const id = t.data[i];
      if (!Number.isInteger(id) || id < 0 || id >= V) {
        throw new RangeError(`${where}: ${name}[${Math.floor(i / T)}]${t.shape.length > 1 ? `[${i % T}]` : ''} is ${id}; token ids must be integers 0 … ${V - 1}`);
      }
      ids[i] = id;
    }
    return ids;
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
    const wasm = this.backend.wasm;
    const out = this.#forward(T, B, true, carry ? { carry: true } : undefined);
    const loss = this.#loss(out, T, B, weight, true);
    const stop = (what: string): never => {
      throw new NonFiniteError(`Sequential.fit: ${what} at epoch ${epoch}, batch ${batch}; training stopped with the weights of the last good step`, epoch, batch);
    };
    if (!Number.isFinite(loss)) stop(`the loss is ${loss}`);
    const n = this.paramCount;
    const grads = this.#grads.ptr;
    this.backend.fillFloats(grads, n, 0);
    let d = this.#work.ptr('dLoss');
    for (let i = this.layers.length - 1; i >= 0; i--) d = this.layers[i].modelBackward(d);
    if (this.#clipValue) wasm.clip_values_f32(grads, n, this.#clipValue);
    const squares = wasm.sum_squares_f32(grads, n);
    if (!Number.isFinite(squares)) stop('a gradient is not finite');
    const norm = Math.sqrt(squares);
    if (this.#clipNorm && norm > this.#clipNorm) wasm.scale_f32(grads, n, this.#clipNorm / norm);
    this.#lastGradNorm = norm;
    // Keep the weights and optimizer state so an update that overflows can be undone.
    const stride = this.#params.length;
    const backup = this.#backup!.ptr;
    this.backend.copyFloats(backup, this.#params.ptr, n);
    this.#state.forEach((buffer, k) => this.backend.copyFloats(backup + (k + 1) * stride * 4, buffer.ptr, n));
    applyOptimizer(this.backend, this.#optimizer!, this.#params, this.#grads, this.#state, n, this.#step + 1);
    if (!Number.isFinite(wasm.sum_squares_f32(this.#params.ptr, n))) {
      this.backend.copyFloats(this.#params.ptr, backup, n);
      this.#state.forEach((buffer, k) => this.backend.copyFloats(buffer.ptr, backup + (k + 1) * stride * 4, n));
      stop('the update made a weight overflow');
    }
    this.#step++;
    return loss;
  }

  /** The mean loss of the staged batch whose output is at `out`; with `gradient`, dLoss/dOutput into 'dLoss'. */
  #loss(out: number, T: number, B: number, weight: number, gradient: boolean): number {
    const wasm = this.backend.wasm;
    const O = this.outputSize;
    const sequence = this.outputsSequences;
    const rows = sequence ? T * B : B;
    const mask = sequence && this.#maskStaged ? this.#work.ptr('mask') : 0;
    const dLoss = gradient ? this.#work.ptr('dLoss') : 0;
    if (this.#lossType === 'crossEntropy') {
      return wasm.softmax_xent_f32(dLoss, this.#work.ptr('probs'), out, this.#work.ptr('target'), mask, rows, O, 1 / weight) / weight;
    }
    return wasm.mse_f32(dLoss, out, this.#work.ptr('target'), mask, rows, O, 1 / (weight * O)) / (weight * O);
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
  #forward(T: number, B: number, training: boolean, state?: ModelState | { carry: true }): number {
    let ptr = this.#work.ptr('x');
    const mask = this.#maskStaged ? this.#work.ptr('mask') : 0;
    this.layers.forEach((layer, i) => {
      const sequence = this.#flows[i].sequence;
      const batch: Batch = sequence ? { T, B, mask, training } : { T: 1, B, mask: 0, training };
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

/** Samples an index from probabilities `p` at `temperature` (0: the most likely). */
function sample(p: Float32Array, temperature: number, random: Random): number {
  if (temperature === 0) {
    let best = 0;
    for (let i = 1; i < p.length; i++) if (p[i] > p[best]) best = i;
    return best;
  }
  // softmax(log p / τ) = p^(1/τ) / Σ p^(1/τ), computed relative to the largest p.
  let max = 0;
  for (let i = 0; i < p.length; i++) max = Math.max(max, p[i]);
  const w = new Float64Array(p.length);
  let sum = 0;
  for (let i = 0; i < p.length; i++) sum += w[i] = p[i] > 0 ? Math.exp(Math.log(p[i] / max) / temperature) : 0;
  let u = random.uniform() * sum;
  for (let i = 0; i < p.length; i++) {
    u -= w[i];
    if (u < 0) return i;
  }
  return p.length - 1;
}

function makeLayer(where: string, entry: SequentialJSON['layers'][number], backend: Backend): SequentialLayer {
  if (entry === null || typeof entry !== 'object') throw new TypeError(`${where} must be { type, config, weights }, got ${describe(entry)}`);
  const Kind = (LAYER_TYPES as Record<string, unknown>)[entry.type];
  if (!Kind) throw new RangeError(`${where}.type ${describe(entry.type)} is not a layer type (${Object.keys(LAYER_TYPES).join(', ')})`);
  const config = entry.config as Record<string, unknown>;
  if (config === null || typeof config !== 'object') throw new TypeError(`${where}.config must be an object`);
  if (entry.type === 'Bidirectional') {
    const inner = config.layer as { type: string; config: Record<string, unknown> };
    const layer = makeLayer(`${where}.config.layer`, { type: inner?.type, config: inner?.config, weights: {} }, backend);
    if (!(layer instanceof RecurrentLayer)) throw new RangeError(`${where}.config.layer must be a recurrent layer, got ${inner?.type}`);
    return new Bidirectional({ layer, merge: config.merge as 'concat' });
  }
  const options: Record<string, unknown> = { ...config, backend };
  if (options.inputSize === 0) delete options.inputSize;
  return new (Kind as new (o: Record<string, unknown>) => SequentialLayer)(options);
}

export interface SequentialJSON {
  format: string;
  version: number;
  inputSize?: number;
  seed: number;
  layers: { type: string; config: Record<string, unknown>; weights: Record<string, { shape: number[]; data: string }> }[];
  epochsTrained?: number;
  training?: {
    loss: Loss;
    optimizer: OptimizerConfig;
    clipNorm?: number;
    clipValue?: number;
    steps: number;
    optimizerState: string[];
  };
}
