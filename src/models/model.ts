// The Model base: what every trainable model has, whatever its layers are wired
// like. One parameter slab and one gradient slab that the layers adopt (the
// TrainingSlab), one workspace for the staged batch, and on top of them the
// public machinery: compile, fit (validationSplit / validationData, callbacks,
// early stopping, NaN rollback), evaluate, computeGradients, applyGradients,
// get/setParameters, get/setWeights in every format (all or nothing), saving
// with rollback, dispose. A model writes only what differs: how it reads and
// stages its data, and how its layers run forward and backward over the
// staged batch (Keras' Model/`train_step` split).
import type { Backend } from '../engine/backend.js';
import { defaultBackend } from '../engine/init.js';
import { readSaved, type SavedFormat } from '../saved-file.js';
import { checkInt, checkOneOf, checkOptions, describe } from '../errors.js';
import type { TensorLike } from '../tensor.js';
import type { ModelLayer } from '../layers/layer.js';
import type { LayerOwner } from '../layers/ownership.js';
import { Workspace } from '../layers/parameters.js';
import type { WeightFormat, Weights } from '../layers/formats.js';
import { batchRows } from './data.js';
import { SizeError } from '../engine/sizes.js';
import {
  LOSSES, TrainingSlab, readCTC, type CTCSettings, readEarlyStopping, readFitBasics, runEpochs,
  type Callbacks, type CompileOptions, type EarlyStopping, type History, type Loss, type TrainingJSON,
} from './training.js';

/** What every model's data set has: N samples. */
export interface ModelData {
  N: number;
}

/** The options fit() takes in every model (a model adds its per-sample options, e.g. lengths). */
export interface BaseFitOptions {
  epochs?: number;
  batchSize?: number;
  /** Shuffle the samples every epoch (default true); the order depends only on seed and the epoch count. */
  shuffle?: boolean;
  /** Seed of the shuffling (default: the model's seed). */
  seed?: number;
  /** Hold out this fraction of the samples (the last ones) for validation. */
  validationSplit?: number;
  callbacks?: Callbacks;
  earlyStopping?: EarlyStopping | boolean;
}

const FIT_OPTIONS = ['epochs', 'batchSize', 'shuffle', 'seed', 'validationSplit', 'validationData', 'callbacks', 'earlyStopping'];

/** The saved fields every model writes after its architecture. */
export interface SavedTraining {
  epochsTrained?: number;
  training?: TrainingJSON;
}

/** What every saved model holds around its architecture. */
export interface SavedModel extends SavedTraining {
  format: string;
  version: number;
  seed: number;
}

export abstract class Model<D extends ModelData, J extends SavedModel = SavedModel> {
  #seed = 0;
  #backend!: Backend;
  #slab!: TrainingSlab;
  #work!: Workspace;
  #layers: readonly ModelLayer[] = [];
  #disposed = false;
  #owner: LayerOwner | null = null;

  /** The two data arguments as messages and validationData name them: ['x', 'y'] or ['source', 'target']. */
  protected abstract readonly dataNames: readonly [string, string];
  /** Per-sample options of fit/evaluate/computeGradients (['lengths', 'mask'] …). */
  protected abstract readonly dataOptions: readonly string[];
  /** fit() options of this model beyond the shared ones. */
  protected readonly fitOptions: readonly string[] = [];

  /** Features out of the model (classes of a softmax head). */
  abstract get outputSize(): number;

  /** The format id and version this model saves (and loads), and its class name (`what`, the prefix of error messages). */
  protected abstract readonly savedFormat: SavedFormat;

  /** The class name: the prefix of error messages ('Sequential'). */
  protected get name(): string {
    return this.savedFormat.what;
  }
  /** The model's own saved fields: its architecture and weights. */
  protected abstract architectureJSON(): Omit<J, keyof SavedModel>;

  /** Checks that `loss` suits the model's head (compile). */
  protected abstract checkLoss(where: string, loss: Loss): void;

  /** Whether this model trains with loss 'ctc' (its output: per-step class scores). */
  protected get ctcCapable(): boolean {
    return false;
  }

  /** Loss 'ctc's settings, or null. */
  protected get ctc(): CTCSettings | null {
    return this.#slab.ctc;
  }

  #checkCTC(where: string, loss: Loss, ctc: CTCSettings | null): void {
    if (loss !== 'ctc') return;
    if (!this.ctcCapable) throw new RangeError(`${where}: loss 'ctc' is for a Sequential whose last layer outputs every step; ${this.name} does not support it`);
    if (ctc!.blank >= this.outputSize) throw new RangeError(`${where}: options.ctc.blank is ${ctc!.blank}; it must be a class of the head, 0 … ${this.outputSize - 1}`);
  }
  /** Reads and validates samples (and targets when `withTargets`). */
  protected abstract readData(where: string, x: TensorLike | undefined, y: TensorLike | undefined, options: Record<string, unknown>, withTargets: boolean): D;
  /** Samples [from, to) of a data set (validationSplit). */
  protected abstract sliceData(d: D, from: number, to: number): D;
  /** Copies samples `rows` into the workspace (inputs, masks, and targets when `withTargets`); returns the loss weight (real output rows). */
  protected abstract stage(d: D, rows: Int32Array, withTargets: boolean): number;
  /** Runs every layer over the staged batch; returns the output pointer (logits of a softmax head while training). `noise` seeds dropout. */
  protected abstract forwardStaged(training: boolean, noise?: number): number;
  /** Output rows of the staged batch that the loss reads, and their [rows] mask pointer (0: none). */
  protected abstract lossRows(): { rows: number; mask: number };
  /** Backward through the last forwardStaged from dLoss/dOutput at `dOutput`; gradients accumulate. */
  protected abstract backwardStaged(dOutput: number): void;

  /** Takes `layers` into one slab (in order); called once by the subclass constructor after its checks. */
  protected setup(backend: Backend, seed: number, layers: readonly ModelLayer[]): void {
    this.#backend = backend;
    this.#seed = seed;
    this.#layers = layers;
    this.#slab = new TrainingSlab(backend, layers, this.name);
    this.#work = new Workspace(backend);
    // The constructor's last step: from here the layers are this model's (checked free before connect).
    const owner: LayerOwner = { ownerName: `a ${this.name}`, checkIdle: (where) => this.#slab.checkIdle(where) };
    for (const layer of layers) layer.ownership.claim(owner);
    this.#owner = owner;
  }

  /** Seeds every layer that has no seed of its own, and shuffling. */
  get seed(): number {
    return this.#seed;
  }

  get backend(): Backend {
    return this.#backend;
  }

  /** Floats in the parameter slab (getParameters().length). */
  get paramCount(): number {
    return this.#slab.paramCount;
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

  protected get slab(): TrainingSlab {
    return this.#slab;
  }

  protected get work(): Workspace {
    return this.#work;
  }

  protected get lossType(): Loss | null {
    return this.#slab.lossType;
  }

  /** Sets the loss and optimizer (fresh optimizer state, step count 0). */
  compile(options: CompileOptions): void {
    const where = `${this.name}.compile`;
    this.checkAlive(where);
    this.#slab.checkIdle(where);
    checkOptions(where, options, ['loss', 'optimizer', 'clipNorm', 'clipValue', 'ctc']);
    const loss = checkOneOf(where, 'options.loss', options.loss, LOSSES);
    this.#checkCTC(where, loss, readCTC(where, loss, options.ctc));
    this.checkLoss(where, loss);
    this.#slab.compile(where, loss, options);
  }

  /** Trains; resolves to the history. Yields to the event loop between batches. */
  async fit(x: TensorLike, y: TensorLike, options: BaseFitOptions & Record<string, unknown> = {}): Promise<History> {
    const where = `${this.name}.fit`;
    this.checkAlive(where);
    if (!this.#slab.optimizer) throw new Error(`${where}: call compile({ loss, optimizer }) first`);
    this.#slab.checkIdle(where);
    checkOptions(where, options, [...FIT_OPTIONS, ...this.fitOptions, ...this.dataOptions]);
    const basics = readFitBasics(where, options, this.#seed);
    let data = this.readData(where, x, y, options, true);
    let validation: D | null = null;
    if (options.validationData !== undefined && options.validationSplit !== undefined) {
      throw new RangeError(`${where}: give options.validationData or options.validationSplit, not both`);
    }
    if (options.validationData !== undefined) {
      const v = options.validationData as Record<string, unknown>;
      const keys = [...this.dataNames, ...this.dataOptions];
      if (v === null || typeof v !== 'object') throw new TypeError(`${where}: options.validationData must be { ${keys.join(', ')} }, got ${describe(v)}`);
      checkOptions(where, v, keys, 'options.validationData');
      validation = this.readData(`${where} (validationData)`, v[this.dataNames[0]] as TensorLike, v[this.dataNames[1]] as TensorLike, v, true);
    } else if (options.validationSplit !== undefined) {
      const split = options.validationSplit;
      if (typeof split !== 'number' || !(split > 0 && split < 1)) throw new RangeError(`${where}: options.validationSplit must be in (0, 1), got ${describe(split)}`);
      const held = Math.round(data.N * split);
      if (held < 1 || held >= data.N) throw new RangeError(`${where}: options.validationSplit ${split} of ${data.N} samples leaves ${held} for validation and ${data.N - held} for training; both need at least 1`);
      [data, validation] = [this.sliceData(data, 0, data.N - held), this.sliceData(data, data.N - held, data.N)];
    }
    const early = readEarlyStopping(where, options.earlyStopping, validation !== null);
    this.prepareFit(where, options);
    // Everything is validated: training starts.
    const train = data;
    const held = validation;
    return runEpochs({
      ...basics,
      samples: train.N,
      early,
      slab: this.#slab,
      trainBatch: (rows, epoch, b) => this.trainBatch(where, train, rows, epoch, b),
      validate: held ? () => this.evaluateData(held, basics.batchSize, `${where} (validation)`) : null,
    });
  }

  /** Reads this model's own fit options (validated before training starts). */
  protected prepareFit(_where: string, _options: Record<string, unknown>): void {}

  /** One batch of training samples: one update (a model may split it, e.g. truncated BPTT). */
  protected trainBatch(where: string, d: D, rows: Int32Array, epoch: number, batch: number): { loss: number; weight: number } {
    const weight = this.stage(d, rows, true);
    if (weight === 0) return { loss: 0, weight: 0 };
    return { loss: this.trainStep(where, weight, epoch, batch), weight };
  }

  /** Forward, loss, backward, clipping, update on the staged batch; throws NonFiniteError (weights untouched) on NaN/Inf. */
  protected trainStep(where: string, weight: number, epoch: number, batch: number): number {
    // Dropout's noise is keyed by the update count, so a resumed model draws the masks it would have.
    const out = this.forwardStaged(true, this.#slab.steps);
    const loss = this.stagedLoss(out, weight, true);
    if (!Number.isFinite(loss)) this.#slab.stop(where, `the loss is ${loss}`, epoch, batch);
    this.#slab.zeroGradients();
    this.backwardStaged(this.#work.ptr('dLoss'));
    this.#slab.update(where, epoch, batch);
    return loss;
  }

  /** The mean loss of the staged batch whose output is at `out`; with `gradient`, dLoss/dOutput into the 'dLoss' region. */
  protected stagedLoss(out: number, weight: number, gradient: boolean): number {
    const { rows, mask } = this.lossRows();
    const work = this.#work;
    return this.#slab.loss(out, work.ptr('target'), mask, rows, this.outputSize, weight, gradient ? work.ptr('dLoss') : 0, work.ptr('probs'));
  }

  /** Mean loss (and accuracy for crossEntropy) over the samples, without training. */
  evaluate(x: TensorLike, y: TensorLike, options: { batchSize?: number } & Record<string, unknown> = {}): { loss: number; accuracy?: number } {
    const where = `${this.name}.evaluate`;
    this.checkAlive(where);
    if (!this.lossType) throw new Error(`${where}: call compile({ loss }) first`);
    checkOptions(where, options, [...this.dataOptions, 'batchSize']);
    const batchSize = options.batchSize === undefined ? undefined : checkInt(where, 'options.batchSize', options.batchSize, 1);
    return this.evaluateData(this.readData(where, x, y, options, true), batchSize, where);
  }

  /**
   * Runs `run(rows, start)` over the samples in batches. An explicit `batchSize` is used as given;
   * the default (256) is halved while a batch is too large for linear memory (sizes are checked
   * before anything is allocated or changed, so the retry starts clean). A batch that cannot fit
   * at all is a SizeError naming `where` and the batch size.
   */
  protected eachBatch(where: string, N: number, batchSize: number | undefined, run: (rows: Int32Array, start: number) => void): void {
    let size = batchSize ?? 256;
    for (let start = 0; start < N;) {
      const count = Math.min(size, N - start);
      try {
        run(batchRows(start, count), start);
      } catch (error) {
        if (!(error instanceof SizeError)) throw error;
        if (batchSize === undefined && count > 1) {
          size = Math.ceil(count / 2);
          continue;
        }
        const advice = count > 1 ? 'give a smaller options.batchSize' : 'one sample is too large for linear memory';
        throw new SizeError(`${where}: a batch of ${count} sample${count === 1 ? '' : 's'} does not fit (${advice}): ${error.message}`);
      }
      start += count;
    }
  }

  /** Mean loss (and, for crossEntropy, the fraction of real rows whose most probable class is the label). */
  protected evaluateData(d: D, batchSize: number | undefined, where = `${this.name}.evaluate`): { loss: number; accuracy?: number } {
    const O = this.outputSize;
    const ce = this.lossType === 'crossEntropy';
    let lossSum = 0;
    let weightSum = 0;
    let correct = 0;
    this.eachBatch(where, d.N, batchSize, (batch) => {
      const weight = this.stage(d, batch, true);
      if (weight === 0) return;
      lossSum += this.stagedLoss(this.forwardStaged(true), weight, false) * weight;
      weightSum += weight;
      if (!ce) return;
      const heap = this.#backend.heapF32();
      const labels = new Int32Array(heap.buffer);
      const probs = this.#work.ptr('probs') >>> 2;
      const target = this.#work.ptr('target') >>> 2;
      const { rows, mask } = this.lossRows();
      for (let r = 0; r < rows; r++) {
        if (mask !== 0 && heap[(mask >>> 2) + r] === 0) continue;
        let best = 0;
        for (let c = 1; c < O; c++) if (heap[probs + r * O + c] > heap[probs + r * O + best]) best = c;
        if (best === labels[target + r]) correct++;
      }
    });
    return ce ? { loss: lossSum / weightSum, accuracy: correct / weightSum } : { loss: lossSum / weightSum };
  }

  /** The mean loss over all samples as one batch and its gradient w.r.t. getParameters(), without updating anything. */
  computeGradients(x: TensorLike, y: TensorLike, options: Record<string, unknown> = {}): { loss: number; gradients: Float32Array } {
    const where = `${this.name}.computeGradients`;
    this.checkAlive(where);
    if (!this.lossType) throw new Error(`${where}: call compile({ loss }) first`);
    this.#slab.checkIdle(where);
    checkOptions(where, options, this.dataOptions);
    const d = this.readData(where, x, y, options, true);
    const weight = this.stage(d, batchRows(0, d.N), true);
    const loss = this.stagedLoss(this.forwardStaged(true), weight, true);
    this.#slab.zeroGradients();
    this.backwardStaged(this.#work.ptr('dLoss'));
    return { loss, gradients: this.#slab.readGradients() };
  }

  /**
   * One optimizer update from gradients you computed (getParameters() order, e.g. backward()'s
   * `gradients.flat`): clipping, the compiled optimizer and the NaN/Inf rollback, as in fit.
   */
  applyGradients(gradients: Float32Array | { flat: Float32Array }): void {
    const where = `${this.name}.applyGradients`;
    this.checkAlive(where);
    if (!this.#slab.optimizer) throw new Error(`${where}: call compile({ optimizer }) first`);
    this.#slab.checkIdle(where);
    const flat = gradients !== null && typeof gradients === 'object' && 'flat' in gradients ? gradients.flat : gradients;
    this.#slab.setGradients(where, flat);
    this.#slab.update(where, this.#slab.epochsTrained, this.#slab.steps);
  }

  /** A copy of every parameter, in slab order (layer by layer; each parameter padded to a multiple of 4). */
  getParameters(): Float32Array {
    this.checkAlive(`${this.name}.getParameters`);
    return this.#slab.readParameters();
  }

  /** Replaces every parameter from a getParameters()-shaped array. */
  setParameters(values: Float32Array): void {
    const where = `${this.name}.setParameters`;
    this.checkAlive(where);
    this.#slab.checkIdle(where);
    this.#slab.setParameters(where, values);
  }

  /** Every layer's weights in `options.format`, in layer order. */
  protected readWeights(where: string, layers: readonly ModelLayer[], options: unknown): Weights[] {
    this.checkAlive(where);
    const format = readFormatOption(where, options);
    return layers.map((layer) => layer.getWeights({ format }));
  }

  /** { encoder, decoder } weights of a two-part model (EncoderDecoder, Autoencoder) in `format`, layer by layer. */
  protected readHalves(where: string, encoder: readonly ModelLayer[], decoder: readonly ModelLayer[], options: unknown): { encoder: Weights[]; decoder: Weights[] } {
    return { encoder: this.readWeights(where, encoder, options), decoder: this.readWeights(where, decoder, options) };
  }

  /** Replaces a two-part model's weights from { encoder: [...], decoder: [...] } as readHalves gives them. All or nothing. */
  protected writeHalves(where: string, encoder: readonly ModelLayer[], decoder: readonly ModelLayer[], weights: unknown, options: unknown): void {
    if (weights === null || typeof weights !== 'object') throw new TypeError(`${where}: weights must be { encoder: [...], decoder: [...] }, got ${describe(weights)}`);
    checkOptions(where, weights, ['encoder', 'decoder'], 'weights');
    const w = weights as { encoder: unknown; decoder: unknown };
    this.writeWeights(where, [
      { label: 'weights.encoder', layers: encoder, given: w.encoder },
      { label: 'weights.decoder', layers: decoder, given: w.decoder },
    ], options);
  }

  /**
   * Sets the weights of each group of layers from `given` (one entry per layer, as readWeights
   * returns them). All or nothing: if any layer rejects its weights, every layer keeps its values.
   */
  protected writeWeights(where: string, groups: { label: string; layers: readonly ModelLayer[]; given: unknown }[], options: unknown): void {
    this.checkAlive(where);
    this.#slab.checkIdle(where);
    const format = readFormatOption(where, options);
    for (const { label, layers, given } of groups) {
      if (!Array.isArray(given) || given.length !== layers.length) {
        throw new TypeError(`${where}: ${label} must be an array of ${layers.length} entries (one per layer), got ${describe(given)}`);
      }
    }
    const before = this.#slab.readParameters();
    try {
      for (const { label, layers, given } of groups) {
        layers.forEach((layer, i) => {
          try {
            layer.setWeights((given as unknown[])[i] as Weights, { format });
          } catch (error) {
            if (error instanceof Error) error.message = `${where}: ${label}[${i}] (${layer.kind}): ${error.message}`;
            throw error;
          }
        });
      }
    } catch (error) {
      this.#slab.setParameters(where, before);
      throw error;
    }
  }

  /** Architecture, weights, and (after compile) loss, optimizer and its state: enough to resume training exactly. */
  toJSON(): J {
    this.checkAlive(`${this.name}.toJSON`);
    const { format, version } = this.savedFormat;
    const training = this.#slab.toJSON();
    const tail: SavedTraining = training ? { epochsTrained: this.#slab.epochsTrained, training } : { epochsTrained: this.#slab.epochsTrained };
    return { format, version, seed: this.#seed, ...this.architectureJSON(), ...tail } as J;
  }

  /** After the layers' weights are loaded: the epoch count, and loss/optimizer/state when saved compiled. */
  protected restoreTraining(where: string, j: SavedTraining): void {
    if (j.epochsTrained !== undefined) this.#slab.epochsTrained = checkInt(where, 'epochsTrained', j.epochsTrained, 0);
    if (j.training === undefined) return;
    const t = j.training;
    if (t === null || typeof t !== 'object') throw new TypeError(`${where}: training must be an object`);
    const loss = checkOneOf(where, 'options.loss', t.loss, LOSSES);
    this.#checkCTC(where, loss, readCTC(where, loss, t.ctc));
    this.checkLoss(where, loss);
    this.#slab.restore(where, loss, t);
  }

  /** Frees every layer and the model's slabs. Not while a fit runs (nor from its callbacks). */
  dispose(): void {
    if (this.#disposed) return;
    this.#slab.checkIdle(`${this.name}.dispose`);
    for (const layer of this.#layers) {
      if (this.#owner) layer.ownership.release(this.#owner);
      layer.dispose();
    }
    this.#slab.dispose();
    this.#work.dispose();
    this.#disposed = true;
  }

  protected checkAlive(where: string): void {
    if (this.#disposed) throw new Error(`${where}: this model was disposed`);
    if (this.#backend.disposed) throw new Error(`${where}: the model's backend was disposed`);
  }
}

/** `{ format? }` of get/setWeights: 'native' (default), 'pytorch' or 'keras'. */
function readFormatOption(where: string, options: unknown): WeightFormat {
  const o = checkOptions(where, options ?? {}, ['format']);
  const format = o.format ?? 'native';
  return checkOneOf(where, 'options.format', format, ['native', 'pytorch', 'keras'] as const);
}

/**
 * What every fromJSON does: reads the saved file (format, version), builds the model from its
 * layers in `options.backend` (default: init()'s) and restores its weights and training state;
 * if anything throws, frees every layer made so far (or the model, once it exists) and names
 * `where` in the message. `made` collects the layers as `build` makes them.
 */
export function loadModel<J extends { format: string; version: number }, M extends { dispose(): void }>(
  json: unknown, options: unknown, spec: SavedFormat,
  build: (j: J, backend: Backend, made: ModelLayer[]) => M, restore: (model: M, j: J) => void,
): M {
  const name = spec.what;
  const where = `${name}.fromJSON`;
  const o = checkOptions(where, options ?? {}, ['backend']);
  const backend = (o.backend as Backend | undefined) ?? defaultBackend();
  const j = readSaved<J>(where, json, spec);
  const made: ModelLayer[] = [];
  let model: M | null = null;
  try {
    model = build(j, backend, made);
    restore(model, j);
    return model;
  } catch (error) {
    if (model) model.dispose();
    else for (const layer of made) layer.dispose();
    if (error instanceof Error) {
      // The constructor's messages name the model; say that loading failed instead.
      if (error.message.startsWith(`${name}: `)) error.message = `${where}: ${error.message.slice(name.length + 2)}`;
      else if (!error.message.startsWith(where)) error.message = `${where}: ${error.message}`;
    }
    throw error;
  }
}
