// What every trainable model shares, whatever its layers are wired like: one
// parameter slab and one gradient slab that the layers adopt, the loss kernels,
// the update (clipping, global norm, optimizer step, NaN/Inf rollback), the
// epoch loop (shuffling, callbacks, validation, early stopping, yielding to the
// event loop) and the option checks that go with them. Sequential and
// EncoderDecoder each own one TrainingSlab and decide only how data is staged
// and which layer feeds which.
import type { Backend, F32Buffer } from '../engine/backend.js';
import { checkBlock } from '../engine/sizes.js';
import { checkBoolean, checkInt, checkOneOf, checkOptions, describe, readSeed } from '../errors.js';
import { Random } from '../random.js';
import type { ModelLayer } from '../layers/layer.js';
import { applyOptimizer, resolveOptimizer, stateNames, stateSlabs, type OptimizerConfig, type OptimizerType, type ResolvedOptimizer } from './optimizer.js';
import { base64ToFloats, floatsToBase64 } from './base64.js';
import { mseF32, softmaxTemperatureF32, softmaxXentF32 } from '../kernels/loss.js';
import { clipValuesF32, scaleF32, sumSquaresF32 } from '../kernels/optim.js';

export type Loss = 'mse' | 'crossEntropy' | 'ctc';
export const LOSSES: readonly Loss[] = ['mse', 'crossEntropy', 'ctc'];

/** Options of loss 'ctc' (as PyTorch's CTCLoss names them). */
export interface CTCOptions {
  /** The class that stands for "no label" (default 0). */
  blank?: number;
  /** A sample whose labels no alignment can produce (its input too short) adds 0 to the loss and its gradient, instead of being refused (default false). */
  zeroInfinity?: boolean;
}

export interface CTCSettings {
  blank: number;
  zeroInfinity: boolean;
}

/** options.ctc of compile, validated: the settings for loss 'ctc' (defaults filled in), null for other losses. */
export function readCTC(where: string, loss: Loss, value: unknown): CTCSettings | null {
  if (loss !== 'ctc') {
    if (value !== undefined) throw new RangeError(`${where}: options.ctc is for loss 'ctc', got loss '${loss}'`);
    return null;
  }
  if (value === undefined) return { blank: 0, zeroInfinity: false };
  if (value === null || typeof value !== 'object') throw new TypeError(`${where}: options.ctc must be { blank, zeroInfinity }, got ${describe(value)}`);
  checkOptions(where, value, ['blank', 'zeroInfinity'], 'options.ctc');
  const o = value as CTCOptions;
  return {
    blank: o.blank === undefined ? 0 : checkInt(where, 'options.ctc.blank', o.blank, 0),
    zeroInfinity: o.zeroInfinity === undefined ? false : checkBoolean(where, 'options.ctc.zeroInfinity', o.zeroInfinity),
  };
}

export interface CompileOptions {
  /**
   * 'mse'; 'crossEntropy' (softmax cross-entropy with integer labels; the last layer is a softmax or
   * linear Dense); or 'ctc' (connectionist temporal classification, Sequential only: a per-step
   * softmax or linear Dense head, targets are label sequences of any length).
   */
  loss: Loss;
  /** Loss 'ctc' only: the blank class and zeroInfinity. */
  ctc?: CTCOptions;
  /** Default 'adam' (learningRate 0.001). */
  optimizer?: OptimizerType | OptimizerConfig;
  /** Scale the gradient to this global L2 norm when it is larger: g ← min(1, clipNorm/‖g‖)·g. */
  clipNorm?: number;
  /** Clamp every gradient element to [−clipValue, clipValue] (before clipNorm). */
  clipValue?: number;
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

export interface History {
  loss: number[];
  valLoss: number[];
  valAccuracy: number[];
  epochs: number;
  stoppedEarly: boolean;
}

/** What toJSON() saves of a compiled model: enough to resume training bit for bit. */
export interface TrainingJSON {
  loss: Loss;
  /** Loss 'ctc' only. */
  ctc?: CTCSettings;
  optimizer: OptimizerConfig;
  clipNorm?: number;
  clipValue?: number;
  steps: number;
  optimizerState: string[];
}

export class NonFiniteError extends Error {
  constructor(message: string, readonly epoch: number, readonly batch: number) {
    super(message);
    this.name = 'NonFiniteError';
  }
}

/** Lets the event loop run (a browser page stays responsive during fit). */
export function yieldToEventLoop(): Promise<void> {
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

/**
 * Token choice for generation, over rows of logits [rows, classes] at pointer `logits`: with
 * temperature τ > 0, softmax(logits / τ) of every row into `probs` in WebAssembly (the one softmax);
 * then pickToken per row. τ = 0 (or so small that 1/τ overflows f32) takes the largest logit.
 */
export function tokenProbabilities(backend: Backend, logits: number, probs: number, rows: number, classes: number, temperature: number): void {
  if (greedy(temperature)) return;
  softmaxTemperatureF32(backend, { out: probs, logits }, rows, classes, 1 / temperature);
}

/** The token of row `row`: the largest logit (greedy), else a draw from the row's probabilities. */
export function pickToken(heap: Float32Array, logits: number, probs: number, row: number, classes: number, temperature: number, random: Random): number {
  if (greedy(temperature)) {
    const at = (logits >>> 2) + row * classes;
    let best = 0;
    for (let c = 1; c < classes; c++) if (heap[at + c] > heap[at + best]) best = c;
    return best;
  }
  const at = (probs >>> 2) + row * classes;
  let u = random.uniform();
  for (let c = 0; c < classes; c++) {
    u -= heap[at + c];
    if (u < 0) return c;
  }
  return classes - 1;
}

function greedy(temperature: number): boolean {
  return temperature === 0 || 1 / temperature > 1e30;
}

/** The fit options every model shares: epochs (1), batchSize (32), shuffle (true), seed (the model's), callbacks. */
export function readFitBasics(
  where: string,
  options: { epochs?: unknown; batchSize?: unknown; shuffle?: unknown; seed?: unknown; callbacks?: unknown },
  modelSeed: number,
): { epochs: number; batchSize: number; shuffle: boolean; seed: number; callbacks: Callbacks } {
  return {
    epochs: options.epochs === undefined ? 1 : checkInt(where, 'options.epochs', options.epochs, 1),
    batchSize: options.batchSize === undefined ? 32 : checkInt(where, 'options.batchSize', options.batchSize, 1),
    shuffle: options.shuffle === undefined ? true : checkBoolean(where, 'options.shuffle', options.shuffle),
    seed: readSeed(where, 'options.seed', options.seed, modelSeed),
    callbacks: readCallbacks(where, options.callbacks),
  };
}

export function readCallbacks(where: string, value: unknown): Callbacks {
  const callbacks = value ?? {};
  if (callbacks === null || typeof callbacks !== 'object') throw new TypeError(`${where}: options.callbacks must be an object of functions, got ${describe(callbacks)}`);
  for (const [name, fn] of Object.entries(callbacks)) {
    if (!['onTrainBegin', 'onBatchEnd', 'onEpochEnd', 'onTrainEnd'].includes(name)) throw new RangeError(`${where}: unknown callback '${name}' (known: onTrainBegin, onBatchEnd, onEpochEnd, onTrainEnd)`);
    if (typeof fn !== 'function') throw new TypeError(`${where}: options.callbacks.${name} must be a function, got ${describe(fn)}`);
  }
  return callbacks;
}

export function readEarlyStopping(where: string, value: unknown, hasValidation: boolean): Required<EarlyStopping> | null {
  if (value === undefined || value === false) return null;
  const e = (value === true ? {} : value) as EarlyStopping;
  checkOptions(where, e, ['monitor', 'patience', 'minDelta', 'restoreBestWeights'], 'options.earlyStopping');
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

/**
 * Every parameter of a model's layers in one slab, every gradient in another (the layers adopt
 * their regions, in order), and what training keeps beside them: the loss, the optimizer and its
 * moment slabs, clipping, the step count, and a backup that undoes an update that overflows.
 */
export class TrainingSlab {
  readonly backend: Backend;
  readonly paramCount: number;
  #params: F32Buffer;
  #grads: F32Buffer;
  #lossType: Loss | null = null;
  #ctc: CTCSettings | null = null;
  #optimizer: ResolvedOptimizer | null = null;
  #clipNorm = 0;
  #clipValue = 0;
  #state: F32Buffer[] = [];
  #backup: F32Buffer | null = null;
  #step = 0;
  #lastGradNorm = 0;

  /** Allocates the slabs and moves each layer's parameters into them (layer order). */
  constructor(backend: Backend, layers: readonly ModelLayer[], where = 'model') {
    this.backend = backend;
    const sizes = layers.map((layer) => layer.paramFloats);
    this.paramCount = sizes.reduce((a, b) => a + b, 0);
    const [params, grads] = allocAll(backend, where, [['the parameter slab', Math.max(this.paramCount, 4)], ['the gradient slab', Math.max(this.paramCount, 4)]]);
    this.#params = params;
    this.#grads = grads;
    let base = 0;
    layers.forEach((layer, i) => {
      layer.adopt(this.#params, this.#grads, base);
      base += sizes[i];
    });
  }

  get lossType(): Loss | null {
    return this.#lossType;
  }

  /** Loss 'ctc''s blank and zeroInfinity; null for other losses. */
  get ctc(): CTCSettings | null {
    return this.#ctc;
  }

  get optimizer(): ResolvedOptimizer | null {
    return this.#optimizer;
  }

  /** Optimizer updates so far. */
  get steps(): number {
    return this.#step;
  }

  /** Epochs trained so far (fit adds to it; saved with the model, so shuffling resumes exactly). */
  epochsTrained = 0;

  /** Set while a fit runs (runEpochs). */
  busy = false;

  /**
   * Throws if a fit of this model is running: the model is locked while it trains. Every call that
   * changes it (compile, fit, set*, applyGradients, forward/backward/computeGradients, dispose, and
   * its layers' setWeights/forward/backward) throws; reads (predict, evaluate, step, generate,
   * get*, toJSON) are allowed, also from fit's callbacks.
   */
  checkIdle(where: string): void {
    if (this.busy) throw new Error(`${where}: this model is training (a fit is running); it can change only after fit settles — from fit's callbacks, only reads (predict, evaluate, getWeights, getParameters, toJSON …) are allowed`);
  }

  /** The global L2 norm of the gradient at the last update, before clipping. */
  get lastGradientNorm(): number {
    return this.#lastGradNorm;
  }

  /**
   * Validates options (the loss already checked against the model's head by the caller) and sets
   * loss, optimizer, clipping: fresh optimizer state, step count 0. Nothing changes if it throws.
   */
  compile(where: string, loss: Loss, options: CompileOptions): void {
    this.#install(where, loss, this.#readOptions(where, options), 0, null);
  }

  /**
   * compile() from a saved file's loss and optimizer, then its step count and optimizer state
   * (every value finite), all validated before anything is allocated or changed.
   */
  restore(where: string, loss: Loss, t: TrainingJSON): void {
    const options = this.#readOptions(where, { loss, optimizer: t.optimizer, clipNorm: t.clipNorm, clipValue: t.clipValue, ctc: t.ctc });
    const steps = checkInt(where, 'training.steps', t.steps, 0);
    const count = stateSlabs(options.optimizer);
    if (!Array.isArray(t.optimizerState) || t.optimizerState.length !== count) {
      throw new RangeError(`${where}: training.optimizerState must hold ${count} arrays for optimizer '${options.optimizer.type}'`);
    }
    const states = t.optimizerState.map((text, k) => {
      const values = typeof text === 'string' ? base64ToFloats(text, this.paramCount) : null;
      if (!values) throw new RangeError(`${where}: training.optimizerState[${k}] is corrupted (not base64 of ${this.paramCount} floats)`);
      for (let i = 0; i < values.length; i++) {
        if (!Number.isFinite(values[i])) throw new RangeError(`${where}: training.optimizerState[${k}] holds ${values[i]} at index ${i}; optimizer state must be finite`);
      }
      return values;
    });
    this.#install(where, loss, options, steps, states);
  }

  /** The optimizer and clipping of compile options, validated. */
  #readOptions(where: string, options: CompileOptions): { optimizer: ResolvedOptimizer; clipNorm: number; clipValue: number; ctc: CTCSettings | null } {
    const optimizer = resolveOptimizer(where, options.optimizer === undefined ? 'adam' : options.optimizer);
    const clip = (name: string, value: unknown): number => {
      if (value === undefined) return 0;
      if (typeof value !== 'number' || !(value > 0) || !Number.isFinite(value)) throw new RangeError(`${where}: options.${name} must be a positive number, got ${describe(value)}`);
      return value;
    };
    return { optimizer, clipNorm: clip('clipNorm', options.clipNorm), clipValue: clip('clipValue', options.clipValue), ctc: readCTC(where, options.loss, options.ctc) };
  }

  /** Allocates the optimizer's slabs (zeros, or `states`) and the backup, then replaces the old ones. */
  #install(where: string, loss: Loss, o: { optimizer: ResolvedOptimizer; clipNorm: number; clipValue: number; ctc: CTCSettings | null }, steps: number, states: Float32Array[] | null): void {
    const n = Math.max(this.paramCount, 4);
    const slabs = stateSlabs(o.optimizer);
    const blocks = allocAll(this.backend, where, [
      ...Array.from({ length: slabs }, (_, k): [string, number] => [`the optimizer's state slab ${k}`, n]),
      ['the backup of the weights and the optimizer state', n * (1 + slabs)],
    ]);
    const state = blocks.slice(0, slabs);
    const backup = blocks[slabs];
    states?.forEach((values, k) => state[k].write(values));
    for (const buffer of this.#state) buffer.dispose();
    this.#backup?.dispose();
    this.#state = state;
    this.#backup = backup;
    this.#lossType = loss;
    this.#ctc = o.ctc;
    this.#optimizer = o.optimizer;
    this.#clipNorm = o.clipNorm;
    this.#clipValue = o.clipValue;
    this.#step = steps;
  }

  /** Zeroes every gradient (one fill over the gradient slab); backward passes then accumulate. */
  zeroGradients(): void {
    this.backend.fillFloats(this.#grads.ptr, this.paramCount, 0);
  }

  /**
   * The mean loss of `rows` output rows at `out` against the targets at `target` (labels [rows]
   * for crossEntropy, [rows, O] floats for mse), over `weight` real rows (`mask` [rows] or 0);
   * with `dLoss` ≠ 0, dLoss/dOutput is written there (for crossEntropy, w.r.t. the logits).
   */
  loss(out: number, target: number, mask: number, rows: number, O: number, weight: number, dLoss: number, probs: number): number {
    if (this.#lossType === 'crossEntropy') return softmaxXentF32(this.backend, { dLogits: dLoss, probs, logits: out, labels: target, mask }, rows, O, 1 / weight) / weight;
    return mseF32(this.backend, { dPred: dLoss, pred: out, target, mask }, rows, O, 1 / (weight * O)) / (weight * O);
  }

  /** Stops training: NonFiniteError naming where, what, the epoch and the batch. */
  stop(where: string, what: string, epoch: number, batch: number): never {
    throw new NonFiniteError(`${where}: ${what} at epoch ${epoch}, batch ${batch}; training stopped with the weights of the last good step`, epoch, batch);
  }

  /**
   * The update after a backward pass filled the gradients: clip by value, measure the global norm
   * (NaN/Inf stops), clip by norm, one optimizer step; an update that makes a weight overflow is
   * undone (weights and optimizer state) and stops.
   */
  update(where: string, epoch: number, batch: number): void {
    const backend = this.backend;
    const n = this.paramCount;
    const grads = this.#grads.ptr;
    if (this.#clipValue) clipValuesF32(backend, { x: grads }, n, this.#clipValue);
    const squares = sumSquaresF32(backend, { x: grads }, n);
    if (!Number.isFinite(squares)) this.stop(where, 'a gradient is not finite', epoch, batch);
    const norm = Math.sqrt(squares);
    if (this.#clipNorm && norm > this.#clipNorm) scaleF32(backend, { x: grads }, n, this.#clipNorm / norm);
    this.#lastGradNorm = norm;
    // Keep the weights and optimizer state so an update that overflows can be undone.
    const stride = this.#params.length;
    const backup = this.#backup!.ptr;
    this.backend.copyFloats(backup, this.#params.ptr, n);
    this.#state.forEach((buffer, k) => this.backend.copyFloats(backup + (k + 1) * stride * 4, buffer.ptr, n));
    applyOptimizer(this.backend, this.#optimizer!, this.#params, this.#grads, this.#state, n, this.#step + 1);
    const overflowed = this.#firstNonFinite();
    if (overflowed) {
      this.backend.copyFloats(this.#params.ptr, backup, n);
      this.#state.forEach((buffer, k) => this.backend.copyFloats(buffer.ptr, backup + (k + 1) * stride * 4, n));
      this.stop(where, `the update made ${overflowed} overflow`, epoch, batch);
    }
    this.#step++;
  }

  /**
   * The one finiteness check after an update, over the weights and every optimizer slab: what
   * holds a NaN or ±Inf ('a weight', "the optimizer's v"), or null. Σx² in f64 cannot overflow
   * for finite f32 values, so it is NaN/Inf exactly when an element is.
   */
  #firstNonFinite(): string | null {
    const n = this.paramCount;
    if (!Number.isFinite(sumSquaresF32(this.backend, { x: this.#params.ptr }, n))) return 'a weight';
    const names = stateNames(this.#optimizer!);
    for (let k = 0; k < this.#state.length; k++) {
      if (!Number.isFinite(sumSquaresF32(this.backend, { x: this.#state[k].ptr }, n))) return `the optimizer's ${names[k]}`;
    }
    return null;
  }

  /** A copy of every parameter, in slab order. */
  readParameters(): Float32Array {
    return this.#params.read().subarray(0, this.paramCount);
  }

  /** A copy of every gradient, in slab order. */
  readGradients(): Float32Array {
    return this.#grads.read().subarray(0, this.paramCount);
  }

  /** Writes every gradient (validated like setParameters), for an update from gradients computed elsewhere. */
  setGradients(where: string, values: unknown): void {
    this.#grads.write(checkSlabValues(where, 'gradients', values, this.paramCount));
  }

  /** Writes every parameter (validated: a Float32Array of paramCount finite values). */
  setParameters(where: string, values: unknown): void {
    this.#params.write(checkSlabValues(where, 'values', values, this.paramCount));
  }


  /** Loss, optimizer (defaults filled in), clipping, steps and optimizer state; undefined before compile. */
  toJSON(): TrainingJSON | undefined {
    if (!this.#lossType || !this.#optimizer) return undefined;
    const n = this.paramCount;
    return {
      loss: this.#lossType,
      ctc: this.#ctc ?? undefined,
      optimizer: { ...this.#optimizer, schedule: this.#optimizer.schedule ?? undefined },
      clipNorm: this.#clipNorm || undefined,
      clipValue: this.#clipValue || undefined,
      steps: this.#step,
      optimizerState: this.#state.map((buffer) => floatsToBase64(buffer.read().subarray(0, n))),
    };
  }

  dispose(): void {
    this.#params.dispose();
    this.#grads.dispose();
    for (const buffer of this.#state) buffer.dispose();
    this.#backup?.dispose();
  }
}

export interface EpochLoop {
  epochs: number;
  samples: number;
  batchSize: number;
  shuffle: boolean;
  seed: number;
  callbacks: Callbacks;
  early: Required<EarlyStopping> | null;
  slab: TrainingSlab;
  /** One batch of samples `rows`: its mean loss and how much it weighs in the epoch's mean. */
  trainBatch(rows: Int32Array, epoch: number, batch: number): { loss: number; weight: number };
  /** Mean loss (and accuracy) on the validation data, or null without. */
  validate: (() => { loss: number; accuracy?: number }) | null;
}

/** The epoch loop of fit(): shuffled batches, callbacks, validation, early stopping; yields to the event loop. */
export async function runEpochs(loop: EpochLoop): Promise<History> {
  const { slab } = loop;
  slab.busy = true;
  try {
    return await epochLoop(loop);
  } finally {
    slab.busy = false;
  }
}

async function epochLoop(loop: EpochLoop): Promise<History> {
  const { epochs, samples, shuffle, seed, callbacks, early, slab } = loop;
  const history: History = { loss: [], valLoss: [], valAccuracy: [], epochs: 0, stoppedEarly: false };
  const B = Math.min(loop.batchSize, samples);
  const batches = Math.ceil(samples / B);
  let best = Infinity;
  let bestWeights: Float32Array | null = null;
  let waited = 0;
  let lastYield = Date.now();
  callbacks.onTrainBegin?.({ epochs, batches, samples });
  for (let e = 0; e < epochs; e++) {
    const epoch = slab.epochsTrained;
    const order = Int32Array.from({ length: samples }, (_, i) => i);
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
      const rows = order.subarray(b * B, Math.min((b + 1) * B, samples));
      const { loss, weight } = loop.trainBatch(rows, epoch, b);
      lossSum += loss * weight;
      weightSum += weight;
      callbacks.onBatchEnd?.({ epoch, batch: b, batches, loss });
      if (Date.now() - lastYield > 20) {
        await yieldToEventLoop();
        lastYield = Date.now();
      }
    }
    slab.epochsTrained++;
    const logs: EpochLogs = { epoch, loss: lossSum / weightSum };
    history.loss.push(logs.loss);
    if (loop.validate) {
      const v = loop.validate();
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
        if (early.restoreBestWeights) bestWeights = slab.readParameters();
      } else if (++waited >= early.patience) {
        history.stoppedEarly = true;
        if (bestWeights) slab.setParameters('fit (restoring the best weights)', bestWeights);
        break;
      }
    }
    if (stop) break;
    await yieldToEventLoop();
    lastYield = Date.now();
  }
  callbacks.onTrainEnd?.(history);
  return history;
}

/** A Float32Array of `count` finite values, in slab order. */
function checkSlabValues(where: string, name: string, values: unknown, count: number): Float32Array {
  if (!(values instanceof Float32Array) || values.length !== count) {
    throw new TypeError(`${where}: ${name} must be a Float32Array of ${count} parameters, got ${describe(values)}`);
  }
  for (let i = 0; i < values.length; i++) {
    if (!Number.isFinite(values[i])) throw new RangeError(`${where}: ${name}[${i}] is ${values[i]}; ${name === 'values' ? 'parameters' : name} must be finite`);
  }
  return values;
}

/** Allocates every block of `sizes` (floats) or none: sizes are checked first, and a failed allocation frees the ones before it. */
function allocAll(backend: Backend, where: string, sizes: [what: string, floats: number][]): F32Buffer[] {
  for (const [what, floats] of sizes) checkBlock(where, what, floats);
  const made: F32Buffer[] = [];
  try {
    for (const [what, floats] of sizes) made.push(backend.allocBlock(where, what, floats));
    return made;
  } catch (error) {
    for (const buffer of made) buffer.dispose();
    throw error;
  }
}
