// Sequential: a stack of layers trained as one model. Every parameter of every
// layer lives in one slab (and every gradient in another), so a training step
// is: stage the batch in linear memory, one forward call per layer, one loss
// call, one backward call per layer, one norm call, one optimizer call. The
// machinery every model shares is the Model base (model.ts); this file says how
// a stack stages its data and runs its layers, plus what only a stack offers:
// whole-model forward/backward with states, streaming step(), generate().
import type { Backend } from '../engine/backend.js';
import { checkBoolean, checkInt, checkOptions, describe, readSeed } from '../errors.js';
import { Random } from '../random.js';
import { readTensor, type Tensor, type TensorLike } from '../tensor.js';
import { RecurrentLayer, type StateName } from '../layers/recurrent.js';
import { type WeightFormat, type Weights } from '../layers/formats.js';
import { Bidirectional } from '../layers/bidirectional.js';
import { Dense } from '../layers/dense.js';
import { Embedding } from '../layers/embedding.js';
import { GlobalAveragePooling1D, GlobalMaxPooling1D } from '../layers/global-pooling.js';
import type { Batch, Flow, ModelLayer, Streaming } from '../layers/layer.js';
import { LAYER_TYPES, layerToJSON, type AnyLayer, makeLayer, readLayers, readModelFields, setLayerWeights, type LayerJSON, type SavedLayer } from './saving.js';
import { pickToken, tokenProbabilities, type History, type Loss } from './training.js';
import { Model, loadModel, type BaseFitOptions, type SavedModel } from './model.js';
import { checkFeasible, ctcBatchLoss, ctcBeamBatch, ctcGreedyBatch, type CTCHypotheses, ctcRegions, inputLengthsOf, readLabelSequences, stageLabels, type LabelSequences } from './ctc.js';
import { batchRows, checkOutputSize, readIds, readMaskOptions, readSampling, readSequences, readTargets, stageSteps, unstageSteps, type SamplingOptions } from './data.js';
import {
  ModelCache, ModelGradients, directionsOf, forEachState, mapStates, readStates, stageStates, stateKey, type Direction, type ModelStates, type StatePointers,
} from './states.js';

export { ModelCache, ModelGradients, type LayerStates, type ModelStates } from './states.js';

export { NonFiniteError } from './training.js';
export type { BatchLogs, Callbacks, CompileOptions, EarlyStopping, EpochLogs, History, Loss } from './training.js';

export type SequentialLayer = AnyLayer;

export interface SequentialOptions {
  /** Features per time step (not needed when the first layer is an Embedding, nor with inputShape). */
  inputSize?: number;
  /** Image models: each sample is [height, width, channels] (channels-last); x is [N, height, width, channels]. Instead of inputSize. */
  inputShape?: readonly [number, number, number];
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

export interface FitOptions extends BaseFitOptions, DataOptions {
  validationData?: { x: TensorLike; y: TensorLike } & DataOptions;
  /** Truncated BPTT: cut sequences into windows of this many steps, carrying the state between windows (one update per window). */
  tbptt?: number;
}

/**
 * Per-layer streaming state: { h, c? } for each recurrent layer ([B, units] each); { history } for a
 * layer that reads earlier steps (a causal Conv1D or TDNN: its last R input rows, [R, B, C]
 * time-major, oldest first); null for other layers. The arrays are yours: step() reads and rewrites them.
 */
export interface ModelState {
  batchSize: number;
  layers: (Partial<Record<StateName | 'history', Float32Array>> | null)[];
}

export interface GenerateOptions extends SamplingOptions {
  /** Token ids to start from (at least one). */
  prefix: number[];
  /** Tokens to generate after the prefix. */
  length: number;
}

export interface ModelForwardOptions extends DataOptions {
  /** Initial states per layer ([N, units] each); absent ones are zeros. */
  initialStates?: ModelStates<TensorLike>;
  /** Training mode: dropout is active (seeded by the model's update count). Default false. */
  training?: boolean;
}

export interface ModelForwardResult {
  /** [N, T, outputSize] or [N, outputSize] (probabilities for a softmax head), as predict() gives. */
  output: Tensor;
  /** Every recurrent layer's final states (each direction's for Bidirectional), [N, units] each. */
  finalStates: ModelStates<Tensor>;
  cache: ModelCache;
}

export interface ModelBackwardOptions {
  /** dLoss/dOutput, shaped like forward()'s output (absent: zeros). */
  dOutput?: TensorLike;
  /** dLoss/d(final states), shaped like forward()'s finalStates (absent: zeros). */
  dFinalStates?: ModelStates<TensorLike>;
}

export interface ModelBackwardResult {
  /** dLoss/dx [N, T, inputSize]; null for a model that reads token ids. */
  dInput: Tensor | null;
  /** dLoss/d(initial states), shaped like finalStates. */
  dInitialStates: ModelStates<Tensor>;
  gradients: ModelGradients;
}

interface DataSet {
  N: number;
  T: number;
  /** Floats [N, T, F] or ids [N, T]. */
  x: Float32Array | Int32Array;
  /** [N, T] 1/0, or null (every step real). */
  mask: Float32Array | null;
  /** Targets: floats [N, (T,) O] or labels [N, (T)]; for loss 'ctc', label sequences [N, maxL] (padded). */
  y: Float32Array | Int32Array | null;
  /** Loss 'ctc' (and decodeCTC): each sample's labels and output steps. */
  ctc?: { y: LabelSequences | null; inputLengths: Int32Array };
}

const SAVED = { format: 'rnn-wasm/sequential', version: 1, what: 'Sequential' };


export class Sequential extends Model<DataSet, SequentialJSON> {
  protected readonly savedFormat = SAVED;
  protected readonly dataNames = ['x', 'y'] as const;
  protected readonly dataOptions = ['lengths', 'mask'];
  protected override readonly fitOptions = ['tbptt'];
  readonly layers: readonly SequentialLayer[];
  /** Features per step (or per image: height·width·channels). */
  readonly inputSize: number;
  /** [height, width, channels] of an image model's samples; null for sequence models. */
  readonly inputShape: readonly [number, number, number] | null;
  /** What flows into each layer, and out of the last (index layers.length). */
  #flows: Flow[];
  #maskStaged = false;
  /** Steps into each layer of the staged batch, and out of the last (they change at strided/'valid' convolutions and pooling). */
  #stagedSteps: number[] = [];
  #stagedB = 0;
  /** Loss 'ctc': the staged batch's label sequences; decodeCTC() runs with #decodingCTC set. */
  #stagedCTC: LabelSequences | null = null;
  #decodingCTC = false;
  #tbptt = 0;
  /** Truncated BPTT: the staged window starts from the carried states. */
  #carry = false;
  /** Bumped by every forward pass and weight change: a ModelCache from before is stale. */
  #generation = 0;
  /** dLoss/dx of the last backward (0 for token ids). */
  #dInputPtr = 0;

  constructor(options: SequentialOptions) {
    super();
    const where = 'Sequential';
    checkOptions(where, options, ['inputSize', 'inputShape', 'seed', 'layers']);
    if (!Array.isArray(options.layers) || options.layers.length === 0) {
      throw new TypeError(`${where}: options.layers must be a non-empty array of layers, got ${describe(options.layers)}`);
    }
    options.layers.forEach((layer, i) => {
      if (!Object.values(LAYER_TYPES).some((Kind) => layer instanceof Kind)) {
        throw new TypeError(`${where}: options.layers[${i}] must be a layer (${Object.keys(LAYER_TYPES).join(', ')}), got ${describe(layer)}`);
      }
      if (layer.disposed) throw new Error(`${where}: options.layers[${i}] (${layer.kind}) was disposed`);
      layer.ownership.checkFree(where, `options.layers[${i}]`, layer.kind);
      if (options.layers.indexOf(layer) !== i) throw new RangeError(`${where}: options.layers[${i}] is the same layer as options.layers[${options.layers.indexOf(layer)}]`);
    });
    const seed = readSeed(where, 'options.seed', options.seed);
    const first = options.layers[0];
    this.inputShape = null;
    if (first instanceof Embedding) {
      if (options.inputSize !== undefined || options.inputShape !== undefined) {
        throw new RangeError(`${where}: options.${options.inputSize !== undefined ? 'inputSize' : 'inputShape'} must be omitted when the first layer is an Embedding (it reads token ids)`);
      }
      this.inputSize = 1;
    } else if (options.inputShape !== undefined) {
      if (options.inputSize !== undefined) throw new RangeError(`${where}: give options.inputSize (sequences) or options.inputShape (images), not both`);
      const shape: unknown = options.inputShape;
      if (!Array.isArray(shape) || shape.length !== 3) throw new TypeError(`${where}: options.inputShape must be [height, width, channels], got ${describe(shape)}`);
      this.inputShape = [0, 1, 2].map((k) => checkInt(where, `options.inputShape[${k}]`, shape[k], 1)) as [number, number, number];
      this.inputSize = checkInt(where, 'options.inputShape (height·width·channels)', this.inputShape[0] * this.inputShape[1] * this.inputShape[2], 1, 2 ** 31 - 1);
    } else {
      this.inputSize = checkInt(where, 'options.inputSize', options.inputSize, 1);
    }
    const backend = first.backend;
    options.layers.forEach((layer, i) => {
      if (layer.backend !== backend) throw new RangeError(`${where}: options.layers[${i}] lives in another backend than options.layers[0]`);
    });
    this.layers = [...options.layers];
    let flow: Flow = first instanceof Embedding
      ? { features: 1, sequence: true, ids: true }
      : this.inputShape ? { features: this.inputSize, sequence: false, image: this.inputShape } : { features: this.inputSize, sequence: true };
    this.#flows = [flow];
    this.layers.forEach((layer, i) => {
      flow = layer.connect(`${where}: layers[${i}]`, flow, new Random(seed, 0x4c41594552 + i).nextUint32() | 0);
      this.#flows.push(flow);
    });
    this.setup(backend, seed, this.layers);
  }

  /** Features out of the last layer. */
  get outputSize(): number {
    return this.#output.features;
  }

  /** Whether the model outputs every step ([B, T, outputSize]) or one vector per sequence ([B, outputSize]). */
  get outputsSequences(): boolean {
    return this.#output.sequence;
  }

  /** [height, width, channels] when the model outputs images (a convolution or pooling on top), else null. */
  get outputShape(): readonly [number, number, number] | null {
    return this.#output.image ?? null;
  }

  /**
   * Steps into each layer for inputs of T steps, and out of the last (index layers.length); a
   * RangeError naming the layer when T is too short for it. All 1 for an image model.
   */
  #stepsFor(where: string, T: number): number[] {
    const steps = [T];
    this.layers.forEach((layer, i) => {
      const t = steps[i];
      const resample = this.#flows[i].sequence ? (layer as ModelLayer).outputSteps?.bind(layer) : undefined;
      steps.push(resample ? resample(`${where}: layers[${i}] (${layer.kind})`, t) : t);
    });
    return steps;
  }

  /** The first layer that changes the number of steps, or −1. */
  get #resampler(): number {
    return this.layers.findIndex((layer, i) => this.#flows[i].sequence && (layer as ModelLayer).outputSteps !== undefined);
  }

  /** Shape of the model's output for N samples of T input steps (T' steps out for a sequence output). */
  #outputDims(N: number, T: number): number[] {
    const image = this.outputShape;
    if (image) return [N, ...image];
    return this.outputsSequences ? [N, this.#stepsFor('', T)[this.layers.length], this.outputSize] : [N, this.outputSize];
  }

  /** Labels for the dims of #outputDims (messages). */
  #outputLabels(dims: number[]): { label: string; size: number }[] {
    const labels = this.outputShape ? ['batch', 'height', 'width', 'channels'] : this.outputsSequences ? ['batch', 'time steps', 'outputs'] : ['batch', 'outputs'];
    return dims.map((size, k) => ({ label: labels[k], size }));
  }

  get #output(): Flow {
    return this.#flows[this.#flows.length - 1];
  }

  get #ids(): boolean {
    return this.#flows[0].ids === true;
  }

  protected override get ctcCapable(): boolean {
    return true;
  }

  protected checkLoss(where: string, loss: Loss): void {
    const last = this.layers[this.layers.length - 1];
    const softmax = last instanceof Dense && last.activation === 'softmax';
    if (loss === 'ctc' && !(last instanceof Dense && (softmax || last.activation === 'linear') && this.outputsSequences && !this.outputShape)) {
      throw new RangeError(`${where}: loss 'ctc' needs a last layer Dense with activation 'softmax' (or 'linear' logits) on every step (returnSequences: true before it), got ${last.kind}${last instanceof Dense ? ` with activation '${last.activation}'` : ''}${this.outputsSequences ? '' : ' on the last step only'}`);
    }
    if (loss === 'crossEntropy' && !(last instanceof Dense && (softmax || last.activation === 'linear'))) {
      throw new RangeError(`${where}: loss 'crossEntropy' needs a last layer Dense with activation 'softmax' (or 'linear' logits), got ${last.kind}${last instanceof Dense ? ` with activation '${last.activation}'` : ''}`);
    }
    if (loss === 'mse' && softmax) throw new RangeError(`${where}: loss 'mse' with a softmax head is not supported: use loss 'crossEntropy', or activation 'linear'/'sigmoid'`);
  }

  /** Trains; resolves to the history. Yields to the event loop between batches. */
  override fit(x: TensorLike, y: TensorLike, options: FitOptions = {}): Promise<History> {
    return super.fit(x, y, options as FitOptions & Record<string, unknown>);
  }

  protected override prepareFit(where: string, options: Record<string, unknown>): void {
    this.#tbptt = options.tbptt === undefined ? 0 : checkInt(where, 'options.tbptt', options.tbptt, 1);
    if (this.#tbptt === 0) return;
    if (this.lossType === 'ctc') throw new RangeError(`${where}: options.tbptt cannot be used with loss 'ctc' (its targets are not aligned with the steps, so they cannot be split into windows)`);
    this.#checkStreamable(where, true);
    if (!this.outputsSequences) throw new RangeError(`${where}: options.tbptt needs a model that outputs every step (returnSequences: true on the last recurrent layer)`);
  }

  /** Mean loss (and accuracy for crossEntropy) over the samples, without training. */
  override evaluate(x: TensorLike, y: TensorLike, options: DataOptions & { batchSize?: number } = {}): { loss: number; accuracy?: number } {
    return super.evaluate(x, y, options as Record<string, unknown>);
  }

  /** The mean loss over all samples as one batch and its gradient w.r.t. getParameters(), without updating anything. */
  override computeGradients(x: TensorLike, y: TensorLike, options: DataOptions = {}): { loss: number; gradients: Float32Array } {
    return super.computeGradients(x, y, options as Record<string, unknown>);
  }

  /** Outputs for x: [N, T, outputSize] or [N, outputSize]; probabilities for a softmax head. Recurrent layers start from `initialStates` (default zeros). */
  predict(x: TensorLike, options: DataOptions & { batchSize?: number; initialStates?: ModelStates<TensorLike> } = {}): Tensor {
    const where = 'Sequential.predict';
    this.checkAlive(where);
    checkOptions(where, options, ['lengths', 'mask', 'batchSize', 'initialStates']);
    const batchSize = options.batchSize === undefined ? undefined : checkInt(where, 'options.batchSize', options.batchSize, 1);
    const data = this.readData(where, x, undefined, options as Record<string, unknown>, false);
    const initial = options.initialStates === undefined ? null : readStates(where, 'options.initialStates', this.layers, options.initialStates, data.N);
    const { N, T } = data;
    const dims = this.#outputDims(N, T);
    const out = new Float32Array(checkOutputSize(where, ...dims));
    this.eachBatch(where, N, batchSize, (rows, start) => {
      this.stage(data, rows, false);
      if (initial) this.#stageStates(initial, rows);
      this.#readOutput(this.#forward(false, undefined, initial !== null), out, start, rows.length, dims);
    });
    return { data: out, shape: dims };
  }

  /**
   * CTC decoding (a model compiled with loss 'ctc'). Without options.beamWidth: best path — for each
   * sample, the most likely class of each real step, repeats merged and blanks dropped (the most
   * likely path, not always the most likely labelling). With options.beamWidth W: prefix beam search
   * (Graves 2012, Hannun et al. 2014) keeping the W most probable prefixes, each summed over all its
   * alignments, at every step; per sample the `n` (default W, at most W) best labellings with their
   * log-probabilities ln p(labels | x) (a lower bound when some of a labelling's alignments left the
   * beam on the way). beamWidth 1 is best path, with the best path's log-probability.
   */
  decodeCTC(x: TensorLike, options?: DataOptions & { batchSize?: number }): number[][];
  decodeCTC(x: TensorLike, options: DataOptions & { batchSize?: number; beamWidth: number; n?: number }): CTCHypotheses[];
  decodeCTC(x: TensorLike, options: DataOptions & { batchSize?: number; beamWidth?: number; n?: number } = {}): number[][] | CTCHypotheses[] {
    const where = 'Sequential.decodeCTC';
    this.checkAlive(where);
    if (this.lossType !== 'ctc') throw new Error(`${where}: compile({ loss: 'ctc' }) first (the blank class is a compile option), got ${this.lossType === null ? 'no loss' : `loss '${this.lossType}'`}`);
    checkOptions(where, options, ['lengths', 'mask', 'batchSize', 'beamWidth', 'n']);
    const batchSize = options.batchSize === undefined ? undefined : checkInt(where, 'options.batchSize', options.batchSize, 1);
    const W = options.beamWidth === undefined ? 0 : checkInt(where, 'options.beamWidth', options.beamWidth, 1);
    if (W === 0 && options.n !== undefined) throw new RangeError(`${where}: options.n is the number of labellings prefix beam search returns; give options.beamWidth too`);
    const n = W === 0 ? 0 : options.n === undefined ? W : checkInt(where, 'options.n', options.n, 1, W);
    this.#decodingCTC = true;
    try {
      const data = this.readData(where, x, undefined, options as Record<string, unknown>, false);
      const decoded: number[][] = [];
      const hypotheses: CTCHypotheses[] = [];
      const head = this.layers[this.layers.length - 1] as Dense;
      this.eachBatch(where, data.N, batchSize, (rows, start) => {
        this.stage(data, rows, false);
        const out = this.#forward(false, undefined, false);
        const T = this.#stagedSteps[this.layers.length];
        // Beam search reads the head's logits (a softmax head outputs probabilities at inference).
        if (W > 0) ctcBeamBatch(this.backend, head.logitsPtr(), data.ctc!.inputLengths, start, rows.length, T, this.outputSize, this.ctc!.blank, W, n, hypotheses);
        else ctcGreedyBatch(this.backend, this.work, out, data.ctc!.inputLengths, start, rows.length, T, this.outputSize, this.ctc!.blank, decoded);
      });
      return W > 0 ? hypotheses : decoded;
    } finally {
      this.#decodingCTC = false;
    }
  }

  /**
   * The whole model over x in one batch, from `initialStates` (default zeros): the output, every
   * recurrent layer's final states, and a cache for backward(). For custom losses and for checking
   * against other libraries; `training: true` applies dropout.
   */
  forward(x: TensorLike, options: ModelForwardOptions = {}): ModelForwardResult {
    const where = 'Sequential.forward';
    this.checkAlive(where);
    this.slab.checkIdle(where);
    checkOptions(where, options, ['lengths', 'mask', 'initialStates', 'training']);
    const training = options.training === undefined ? false : checkBoolean(where, 'options.training', options.training);
    const data = this.readData(where, x, undefined, options as Record<string, unknown>, false);
    const initial = options.initialStates === undefined ? null : readStates(where, 'options.initialStates', this.layers, options.initialStates, data.N);
    const { N, T } = data;
    const rows = batchRows(0, N);
    this.stage(data, rows, false);
    if (initial) this.#stageStates(initial, rows);
    const ptr = this.#forward(false, training ? this.slab.steps : undefined, initial !== null);
    const dims = this.#outputDims(N, T);
    const output: Tensor = { data: new Float32Array(checkOutputSize(where, ...dims)), shape: dims };
    this.#readOutput(ptr, output.data, 0, N, dims);
    const finalStates = mapStates(this.backend.heapF32(), this.layers, N, (layer, name) => layer.finalStatePtr(name));
    return { output, finalStates, cache: new ModelCache(this, this.#generation, N, T) };
  }

  /**
   * BPTT through the forward() that made `cache`, from dLoss/dOutput and dLoss/d(final states):
   * dInput, dInitialStates and every parameter's gradient (fresh, not accumulated across calls).
   * Give the gradients to applyGradients() for an update with the compiled optimizer.
   */
  backward(cache: ModelCache, options: ModelBackwardOptions = {}): ModelBackwardResult {
    const where = 'Sequential.backward';
    this.checkAlive(where);
    this.slab.checkIdle(where);
    if (!(cache instanceof ModelCache) || cache.model !== this) throw new TypeError(`${where}: cache must be the cache returned by this model's forward(), got ${describe(cache)}`);
    if (cache.generation !== this.#generation) throw new Error(`${where}: cache is stale: the model ran forward again or its weights changed after the forward() that made it`);
    checkOptions(where, options, ['dOutput', 'dFinalStates']);
    const { batchSize: N, timeSteps: T } = cache;
    const O = this.outputSize;
    const dims = this.#outputDims(N, T);
    const dOutput = options.dOutput === undefined ? null : readTensor(where, 'options.dOutput', options.dOutput, this.#outputLabels(dims)).data;
    const dFinal = options.dFinalStates === undefined ? null : readStates(where, 'options.dFinalStates', this.layers, options.dFinalStates, N);
    // Validated: stage dOutput (time-major) and the final-state gradients (regions laid out by forward), then one backward per layer.
    const heap = this.backend.heapF32();
    const dOutAt = this.work.ptr('dLoss') >>> 2;
    const values = dims.reduce((a, b) => a * b, 1);
    if (dOutput === null) heap.fill(0, dOutAt, dOutAt + values);
    else if (this.outputsSequences) stageSteps(heap, dOutAt, dOutput, batchRows(0, N), dims[1], O);
    else heap.set(dOutput, dOutAt);
    stageStates(heap, this.layers, dFinal ?? new Map<string, Float32Array>(), batchRows(0, N), (key) => this.work.ptr(`dFinal${key}`));
    this.slab.zeroGradients();
    this.#backwardLayers(this.work.ptr('dLoss'), (i, direction, name) => this.work.ptr(`dFinal${stateKey(i, direction, name)}`));
    const gradients = new ModelGradients(this.slab.readGradients(), this.layers);
    const heapAfter = this.backend.heapF32();
    let dInput: Tensor | null = null;
    if (!this.#ids) {
      const I = this.inputSize;
      const data = new Float32Array(N * T * I);
      unstageSteps(heapAfter, this.#dInputPtr >>> 2, data, 0, N, T, I);
      dInput = { data, shape: this.inputShape ? [N, ...this.inputShape] : [N, T, I] };
    }
    const dInitialStates = mapStates(this.backend.heapF32(), this.layers, N, (layer, name) => layer.dInitialStatePtr(name));
    return { dInput, dInitialStates, gradients };
  }

  /** Zero state for streaming with step(): one { h, c? } per recurrent layer, one { history } per convolution (causal Conv1D, TDNN). */
  initialState(batchSize = 1): ModelState {
    const where = 'Sequential.initialState';
    this.checkAlive(where);
    checkInt(where, 'batchSize', batchSize, 1);
    this.#checkStreamable(where);
    return {
      batchSize,
      layers: this.layers.map((layer) => {
        const streaming = streamingOf(layer);
        if (streaming) return { history: new Float32Array(batchSize * streaming.historyFloats) };
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
    this.checkAlive(where);
    this.#checkStreamable(where);
    const B = this.#checkState(where, state);
    const rows = this.#ids
      ? readIds(where, 'x', readTensor(where, 'x', x, [{ label: 'batch', size: B }]), 1, this.#vocabSize)
      : readTensor(where, 'x', x, [{ label: 'batch', size: B }, { label: 'inputSize', size: this.inputSize }]).data;
    this.#stageWindow({ N: B, T: 1, x: rows, mask: null, y: null }, batchRows(0, B), 0, 1, false, true);
    const states = new Map<string, Float32Array>();
    this.layers.forEach((layer, i) => {
      if (layer instanceof RecurrentLayer) for (const name of layer.stateKeys) states.set(stateKey(i, '', name), state.layers[i]![name]!);
    });
    this.#stageStates(states, batchRows(0, B));
    const staged = this.backend.heapF32();
    this.layers.forEach((layer, i) => {
      if (streamingOf(layer)) staged.set(state.layers[i]!.history!, this.work.ptr(`history${i}`) >>> 2);
    });
    const ptr = this.#forward(false, undefined, true, true);
    const heap = this.backend.heapF32();
    this.layers.forEach((layer, i) => {
      const history = state.layers[i]?.history;
      if (streamingOf(layer) && history) {
        const at = this.work.ptr(`history${i}`) >>> 2;
        history.set(heap.subarray(at, at + history.length));
      }
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
   * Feeds the prefix, then produces `length` tokens: the most likely ones (temperature 0, the
   * default) or sampled at `temperature` (seeded); returns them.
   */
  generate(options: GenerateOptions): number[] {
    const where = 'Sequential.generate';
    this.checkAlive(where);
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
    const { temperature, seed } = readSampling(where, options, this.seed);
    const random = new Random(seed, 0x53414d504c);
    const state = this.initialState(1);
    const input = (id: number): TensorLike => {
      if (first instanceof Embedding) return [id];
      const oneHot = new Float32Array(V);
      oneHot[id] = 1;
      return { data: oneHot, shape: [1, V] };
    };
    // The head's logits of the last step, turned into the next token (softmax at the temperature in WebAssembly).
    const next = (): number => {
      const probs = this.work.ptr('probs');
      tokenProbabilities(this.backend, last.logitsPtr(), probs, 1, V, temperature);
      return pickToken(this.backend.heapF32(), last.logitsPtr(), probs, 0, V, temperature, random);
    };
    for (const id of prefix) this.step(input(id), state);
    const out: number[] = [];
    for (let k = 0; k < length; k++) {
      const id = next();
      out.push(id);
      if (k + 1 < length) this.step(input(id), state);
    }
    return out;
  }

  /** Every layer's weights in `format`, in layer order. */
  getWeights(options: { format?: WeightFormat } = {}): Weights[] {
    return this.readWeights('Sequential.getWeights', this.layers, options);
  }

  /**
   * Replaces every layer's weights from an array (one entry per layer, as getWeights returns) in
   * `format` ('native', 'keras' or 'pytorch'). All or nothing: if any layer rejects its weights,
   * every layer keeps its previous values.
   */
  setWeights(weights: (Weights | Record<string, unknown>)[], options: { format?: WeightFormat } = {}): void {
    this.writeWeights('Sequential.setWeights', [{ label: 'weights', layers: this.layers, given: weights }], options);
    this.#generation++;
  }

  override setParameters(values: Float32Array): void {
    super.setParameters(values);
    this.#generation++;
  }

  override applyGradients(gradients: Float32Array | ModelGradients): void {
    super.applyGradients(gradients);
    this.#generation++;
  }

  protected architectureJSON(): Omit<SequentialJSON, keyof SavedModel> {
    if (this.inputShape) return { inputShape: [...this.inputShape], layers: this.layers.map(layerToJSON) };
    return { inputSize: this.#ids ? undefined : this.inputSize, layers: this.layers.map(layerToJSON) };
  }

  /** Rebuilds a model from toJSON(); a corrupted or mismatched file is rejected and nothing is kept. */
  static fromJSON(json: unknown, options: { backend?: Backend } = {}): Sequential {
    const where = 'Sequential.fromJSON';
    let layers: SavedLayer[] = [];
    return loadModel<SequentialJSON, Sequential>(
      json, options, SAVED,
      (j, backend, made) => {
        // Every field first (types, ranges, weights decoded and finite), then build.
        const f = readModelFields(where, j, { inputSize: { kind: 'integer', min: 1, optional: true }, inputShape: { kind: 'array', optional: true }, layers: { kind: 'any' } });
        layers = readLayers(where, 'layers', f.layers);
        layers.forEach((saved, i) => made.push(makeLayer(where, `layers[${i}]`, saved, backend)));
        const inputShape = f.inputShape as [number, number, number] | undefined;
        return new Sequential({ inputSize: f.inputSize as number | undefined, inputShape, seed: f.seed as number, layers: made as SequentialLayer[] });
      },
      (m, j) => {
        layers.forEach((saved, i) => setLayerWeights(where, `layers[${i}]`, saved, m.layers[i]));
        m.restoreTraining(where, j);
      },
    );
  }

  // ---- what the Model base asks of a model ----

  protected readData(where: string, x: TensorLike | undefined, y: TensorLike | undefined, options: Record<string, unknown>, withTargets: boolean): DataSet {
    const s = this.inputShape ? this.#readImages(where, 'x', x, options) : readSequences(where, 'x', x, { features: this.inputSize, vocabSize: this.#ids ? this.#vocabSize : undefined });
    const mask = readMaskOptions(where, options, s.N, s.T);
    const steps = this.#stepsFor(where, s.T);
    const resampler = this.#resampler;
    if (mask && resampler >= 0) {
      throw new RangeError(`${where}: layers[${resampler}] (${this.layers[resampler].kind}) changes the number of time steps, so options.${options.lengths !== undefined ? 'lengths' : 'mask'} cannot follow the sequences through it; give sequences of equal length`);
    }
    if (this.lossType === 'ctc' && (withTargets || this.#decodingCTC)) {
      const inputLengths = inputLengthsOf(where, mask, s.N, steps[this.layers.length]);
      if (!withTargets) return { N: s.N, T: s.T, x: s.data, mask, y: null, ctc: { y: null, inputLengths } };
      const labels = readLabelSequences(where, 'y', y, s.N, this.outputSize, this.ctc!.blank);
      checkFeasible(where, 'y', labels, inputLengths, this.ctc!);
      return { N: s.N, T: s.T, x: s.data, mask, y: labels.labels, ctc: { y: labels, inputLengths } };
    }
    if (!withTargets) return { N: s.N, T: s.T, x: s.data, mask, y: null };
    const image = this.outputShape;
    const targets = image
      ? this.#readImages(where, 'y', y, {}, image, 'targets', s.N).data
      : readTargets(where, 'y', y, this.lossType === 'crossEntropy', s.N, this.outputsSequences ? steps[this.layers.length] : 0, this.outputSize, mask);
    return { N: s.N, T: s.T, x: s.data, mask, y: targets };
  }

  /** Images [N, height, width, channels] as N samples of one step of height·width·channels floats. */
  #readImages(where: string, name: string, value: TensorLike | undefined, options: Record<string, unknown>, shape = this.inputShape!, what = 'images', N?: number): { N: number; T: number; data: Float32Array } {
    if (value === undefined) throw new TypeError(`${where}: ${name} (${what}) is missing`);
    for (const key of ['lengths', 'mask']) {
      if (options[key] !== undefined) throw new RangeError(`${where}: options.${key} is for sequences; this model reads images (inputShape [${shape.join(', ')}])`);
    }
    const t = readTensor(where, name, value, [{ label: 'samples', size: N }, { label: 'height', size: shape[0] }, { label: 'width', size: shape[1] }, { label: 'channels', size: shape[2] }]);
    return { N: t.shape[0], T: 1, data: t.data };
  }

  protected sliceData(d: DataSet, from: number, to: number): DataSet {
    const perX = d.x.length / d.N;
    const perY = d.y ? d.y.length / d.N : 0;
    return {
      N: to - from,
      T: d.T,
      x: d.x.slice(from * perX, to * perX),
      mask: d.mask ? d.mask.slice(from * d.T, to * d.T) : null,
      y: d.y ? d.y.slice(from * perY, to * perY) : null,
      ctc: d.ctc && {
        y: d.ctc.y && { labels: d.ctc.y.labels.slice(from * d.ctc.y.maxL, to * d.ctc.y.maxL), lengths: d.ctc.y.lengths.slice(from, to), maxL: d.ctc.y.maxL },
        inputLengths: d.ctc.inputLengths.slice(from, to),
      },
    };
  }

  protected stage(d: DataSet, rows: Int32Array, withTargets: boolean): number {
    return this.#stageWindow(d, rows, 0, d.T, withTargets);
  }

  protected forwardStaged(training: boolean, noise?: number): number {
    return this.#forward(training, noise, this.#carry);
  }

  protected lossRows(): { rows: number; mask: number } {
    const sequence = this.outputsSequences;
    return {
      rows: sequence ? this.#stagedSteps[this.layers.length] * this.#stagedB : this.#stagedB,
      mask: sequence && this.#maskStaged ? this.work.ptr('mask') : 0,
    };
  }

  protected override stagedLoss(out: number, weight: number, gradient: boolean): number {
    if (this.lossType !== 'ctc') return super.stagedLoss(out, weight, gradient);
    const maxL = this.#stagedCTC!.maxL;
    return ctcBatchLoss(this.backend, this.work, out, gradient ? this.work.ptr('dLoss') : 0, this.#stagedB, this.#stagedSteps[this.layers.length], this.outputSize, maxL, this.ctc!);
  }

  protected backwardStaged(dOutput: number): void {
    this.#backwardLayers(dOutput, () => undefined);
  }

  /** One batch: one update, or one per window of `tbptt` steps with the state carried across windows. */
  protected override trainBatch(where: string, d: DataSet, rows: Int32Array, epoch: number, batch: number): { loss: number; weight: number } {
    const T = d.T;
    const k = this.#tbptt > 0 && this.#tbptt < T ? this.#tbptt : T;
    let lossSum = 0;
    let weightSum = 0;
    try {
      for (let t0 = 0; t0 < T; t0 += k) {
        const t1 = Math.min(T, t0 + k);
        const weight = this.#stageWindow(d, rows, t0, t1, true);
        if (k < T && t0 === 0) this.#forEachCarried((ptr, n) => this.backend.fillFloats(ptr, n, 0));
        if (weight === 0) continue; // a window of padding only: nothing to learn, and the state does not move
        this.#carry = k < T;
        const loss = this.trainStep(where, weight, epoch, batch);
        if (k < T) this.#forEachCarried((ptr, n, layer, name) => this.backend.copyFloats(ptr, layer.finalStatePtr(name), n));
        lossSum += loss * weight;
        weightSum += weight;
      }
    } finally {
      this.#carry = false;
    }
    return { loss: weightSum === 0 ? 0 : lossSum / weightSum, weight: weightSum };
  }

  // ---- internals ----

  get #vocabSize(): number {
    return (this.layers[0] as Embedding).vocabSize;
  }

  /** Copies the B samples of the output at `ptr` (time-major for sequences) into `out` (shaped `dims`) from sample `first` on. */
  #readOutput(ptr: number, out: Float32Array, first: number, B: number, dims: number[]): void {
    const heap = this.backend.heapF32();
    if (this.outputsSequences) {
      unstageSteps(heap, ptr >>> 2, out, first, B, dims[1], dims[2]);
      return;
    }
    const perSample = dims.slice(1).reduce((a, b) => a * b, 1);
    out.set(heap.subarray(ptr >>> 2, (ptr >>> 2) + B * perSample), first * perSample);
  }

  /** Throws unless every layer can run one step (tbptt: one window) at a time. */
  #checkStreamable(where: string, tbptt = false): void {
    if (this.inputShape) throw new RangeError(`${where}: this model reads images (inputShape [${this.inputShape.join(', ')}]), which have no time steps to stream`);
    const resampler = this.#resampler;
    if (resampler >= 0) throw new RangeError(`${where}: layers[${resampler}] (${this.layers[resampler].kind}) changes the number of time steps; step() and tbptt run one step (or window) at a time`);
    const bi = this.layers.findIndex((layer) => layer instanceof Bidirectional);
    if (bi >= 0) throw new RangeError(`${where}: layers[${bi}] is Bidirectional: its backward direction reads the sequence from the last step, which a stream has not seen yet; step() and tbptt run one step (or window) at a time`);
    this.layers.forEach((layer, i) => {
      const streaming = streamingOf(layer);
      if (!streaming) return;
      if (streaming.refusal !== null) throw new RangeError(`${where}: layers[${i}] is ${layer.kind} and cannot run one ${tbptt ? 'tbptt window' : 'step'} at a time: ${streaming.refusal}`);
      if (tbptt && streaming.historyFloats > 0) {
        // The window's forward would start the convolution from zeros instead of the previous window's last steps, so it would train on inputs predict() never gives it.
        throw new RangeError(`${where}: options.tbptt cannot train layers[${i}] (${layer.kind}): it reads ${streaming.historyShape} before each step, and a window would start it from zeros instead of the previous window's steps (convolution histories are not carried across tbptt windows); train on whole sequences: a convolution only looks back its receptive field anyway`);
      }
    });
    const pool = this.layers.findIndex((layer) => layer instanceof GlobalAveragePooling1D || layer instanceof GlobalMaxPooling1D);
    if (pool >= 0) throw new RangeError(`${where}: layers[${pool}] is ${this.layers[pool].kind}, which pools over the whole sequence; a step (or window) sees only part of it`);
  }

  #checkState(where: string, state: ModelState): number {
    if (state === null || typeof state !== 'object' || !Array.isArray(state.layers) || state.layers.length !== this.layers.length) {
      throw new TypeError(`${where}: state must come from initialState() of this model, got ${describe(state)}`);
    }
    const B = checkInt(where, 'state.batchSize', state.batchSize, 1);
    this.layers.forEach((layer, i) => {
      const streaming = streamingOf(layer);
      if (streaming) {
        const v = state.layers[i]?.history;
        const n = B * streaming.historyFloats;
        if (!(v instanceof Float32Array) || v.length !== n) {
          throw new TypeError(`${where}: state.layers[${i}].history must be a Float32Array of ${n} values (batch ${B} × ${streaming.historyShape} of layers[${i}] ${layer.kind}, as initialState() of this model gives it), got ${describe(v)}`);
        }
        // The history is the convolution's input: a NaN or ±Inf would reach every output for as many steps as it stays in the window.
        for (let k = 0; k < n; k++) {
          if (!Number.isFinite(v[k])) throw new RangeError(`${where}: state.layers[${i}].history[${k}] is ${v[k]}; histories must be finite`);
        }
        return;
      }
      if (!(layer instanceof RecurrentLayer)) return;
      for (const name of layer.stateKeys) {
        const v = state.layers[i]?.[name];
        if (!(v instanceof Float32Array) || v.length !== B * layer.units) {
          throw new TypeError(`${where}: state.layers[${i}].${name} must be a Float32Array of ${B * layer.units} values (batch ${B} × ${layer.units} units), got ${describe(v)}`);
        }
        // States go into the recurrence as they are: a NaN or ±Inf would spread to every later step.
        for (let k = 0; k < v.length; k++) {
          if (!Number.isFinite(v[k])) throw new RangeError(`${where}: state.layers[${i}].${name}[${k}] is ${v[k]}; states must be finite`);
        }
      }
    });
    return B;
  }

  /** Copies rows `rows` of user states into the workspace's state regions (missing ones: zeros). */
  #stageStates(states: Map<string, Float32Array>, rows: Int32Array): void {
    stageStates(this.backend.heapF32(), this.layers, states, rows, (key) => this.work.ptr(`state${key}`));
  }

  /**
   * The workspace regions of a staged batch: states and final-state gradients first (their offsets
   * do not depend on T, so truncated BPTT windows keep them); dLoss also holds backward()'s dOutput.
   * Tout: the output's steps for T steps in.
   */
  #workRegions(T: number, Tout: number, B: number, withTargets: boolean, masked: boolean, histories: boolean): Record<string, number> {
    const F = this.#ids ? 1 : this.inputSize;
    const O = this.outputSize;
    const outRows = this.outputsSequences ? Tout * B : B;
    const states: Record<string, number> = {};
    forEachState(this.layers, B, (key, n) => {
      states[`state${key}`] = n;
      states[`dFinal${key}`] = n;
    });
    // step(): the carried histories of the layers that read earlier steps.
    if (histories) {
      this.layers.forEach((layer, i) => {
        const streaming = streamingOf(layer);
        if (streaming) states[`history${i}`] = B * streaming.historyFloats;
      });
    }
    return { ...states, x: T * B * F, mask: masked ? T * B : 0, target: withTargets ? outRows * (this.lossType === 'crossEntropy' ? 1 : O) : 0, dLoss: outRows * O, probs: outRows * O };
  }

  /**
   * Copies samples `rows`, steps [t0, t1), into the workspace, time-major: x, mask, targets.
   * Returns the loss weight: real (t, b) positions for per-step outputs, else the batch size.
   */
  #stageWindow(d: DataSet, rows: Int32Array, t0: number, t1: number, withTargets: boolean, histories = false): number {
    const B = rows.length;
    const T = t1 - t0;
    const F = this.#ids ? 1 : this.inputSize;
    const O = this.outputSize;
    const sequence = this.outputsSequences;
    const steps = this.#stepsFor('Sequential', T);
    const Tout = steps[this.layers.length];
    const ctcLabels = withTargets && d.ctc ? d.ctc.y : null;
    // Everything the regions depend on (the layers are fixed, Tout follows from T; the loss may be compiled anew): the same key keeps the layout.
    const key = `${T},${B},${withTargets},${d.mask !== null},${histories},${this.lossType},${ctcLabels ? ctcLabels.maxL : -1},${this.#decodingCTC}`;
    if (!this.work.laidOutFor(key)) {
      const regions = this.#workRegions(T, Tout, B, withTargets, d.mask !== null, histories);
      if (ctcLabels) Object.assign(regions, ctcRegions(this.backend, B, ctcLabels.maxL, Tout, O));
      if (this.#decodingCTC) Object.assign(regions, { ctcInputLengths: B, ctcDecoded: B * Tout, ctcDecodedLengths: B });
      this.work.layout(regions, 'Sequential', `the workspace for a batch of ${B} sequences × ${T} time steps`, key);
    }
    this.#stagedCTC = ctcLabels;
    this.#maskStaged = d.mask !== null;
    this.#stagedSteps = steps;
    this.#stagedB = B;
    const heap = this.backend.heapF32();
    stageSteps(heap, this.work.ptr('x') >>> 2, d.x, rows, d.T, F, t0, t1);
    let weight = sequence ? Tout * B : B;
    if (d.mask) {
      const at = this.work.ptr('mask') >>> 2;
      stageSteps(heap, at, d.mask, rows, d.T, 1, t0, t1);
      if (sequence) {
        weight = 0;
        for (let i = 0; i < T * B; i++) weight += heap[at + i];
      }
    }
    if (ctcLabels) {
      stageLabels(this.backend, this.work, ctcLabels, d.ctc!.inputLengths, rows);
      return B;
    }
    if (withTargets && d.y) {
      const at = this.work.ptr('target') >>> 2;
      const perStep = d.y instanceof Int32Array ? 1 : O;
      // Steps [t0, t1) of the targets; a model that resamples time runs whole sequences (no tbptt) and has Tout targets per sample.
      if (sequence && Tout === T) stageSteps(heap, at, d.y, rows, d.T, perStep, t0, t1);
      else if (sequence) stageSteps(heap, at, d.y, rows, Tout, perStep);
      else stageSteps(heap, at, d.y, rows, 1, perStep);
    }
    return weight;
  }

  /** Calls fn(pointer, floats) for every carried-state region of the staged batch (recurrent layers only: no Bidirectional in tbptt). */
  #forEachCarried(fn: (ptr: number, n: number, layer: RecurrentLayer, name: StateName) => void): void {
    forEachState(this.layers, this.#stagedB, (key, n, _i, _d, name, layer) => fn(this.work.ptr(`state${key}`), n, layer, name));
  }

  /**
   * Runs every layer on the staged batch; `withStates`: recurrent layers start from the workspace's
   * state regions; `stepping` (step(), T = 1): layers that read earlier steps run their modelStep on
   * the staged histories. Returns the output pointer.
   */
  #forward(training: boolean, noise: number | undefined, withStates: boolean, stepping = false): number {
    this.#generation++;
    const steps = this.#stagedSteps;
    const B = this.#stagedB;
    let ptr = this.work.ptr('x');
    const mask = this.#maskStaged ? this.work.ptr('mask') : 0;
    this.layers.forEach((layer, i) => {
      const batch: Batch = this.#flows[i].sequence ? { T: steps[i], B, mask, training, noise } : { T: 1, B, mask: 0, training, noise };
      const initial = (direction: Direction): StatePointers => {
        const out: StatePointers = {};
        if (!withStates) return out;
        for (const [d, recurrent] of directionsOf(layer)) {
          if (d === direction) for (const name of recurrent.stateKeys) out[name] = this.work.ptr(`state${stateKey(i, d, name)}`);
        }
        return out;
      };
      const streaming = stepping ? streamingOf(layer) : undefined;
      if (streaming) ptr = streaming.modelStep(ptr, B, this.work.ptr(`history${i}`));
      else if (layer instanceof RecurrentLayer) ptr = layer.modelForward(ptr, batch, initial(''));
      else if (layer instanceof Bidirectional) ptr = layer.modelForward(ptr, batch, { forward: initial('forward'), backward: initial('backward') });
      else ptr = layer.modelForward(ptr, batch);
    });
    return ptr;
  }

  /** Backward through every layer from dOutput (a pointer); `dFinal` gives the pointer of a final-state gradient, if any. */
  #backwardLayers(dOutput: number, dFinal: (i: number, direction: Direction, name: StateName) => number | undefined): void {
    let d = dOutput;
    for (let i = this.layers.length - 1; i >= 0; i--) {
      const layer = this.layers[i];
      const group = (direction: Direction, recurrent: RecurrentLayer): StatePointers => {
        const out: StatePointers = {};
        for (const name of recurrent.stateKeys) {
          const ptr = dFinal(i, direction, name);
          if (ptr !== undefined) out[name] = ptr;
        }
        return out;
      };
      if (layer instanceof RecurrentLayer) d = layer.modelBackward(d, group('', layer));
      else if (layer instanceof Bidirectional) d = layer.modelBackward(d, { forward: group('forward', layer.forwardLayer), backward: group('backward', layer.backwardLayer!) });
      else d = layer.modelBackward(d);
    }
    this.#dInputPtr = d;
  }

}

/** The streaming part of a layer that reads earlier steps (Conv1D, TDNN), or undefined. */
function streamingOf(layer: SequentialLayer): Streaming | undefined {
  return 'streaming' in layer ? layer.streaming : undefined;
}

export interface SequentialJSON extends SavedModel {
  inputSize?: number;
  inputShape?: number[];
  layers: LayerJSON[];
}
