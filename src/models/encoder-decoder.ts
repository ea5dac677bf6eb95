// EncoderDecoder: asynchronous sequence to sequence (source and target of
// different lengths). The encoder reads the source; the final state of its k-th
// recurrent layer is the initial state of the decoder's k-th recurrent layer
// (same count, units and state kinds: LSTM→LSTM hands over h and c). While
// training the decoder is teacher-forced: its input at step t is the target at
// t − 1, a start token (or vector) at t = 0. Generating, it feeds back its own
// output: the argmax (or a sample) of a token head through its Embedding, or the
// output vector of a regression head.
//
// One training step, everything in linear memory, time-major:
//   src [Ts, B, F] (or ids [Ts, B]) → encoder layers → final states s_k [B, units_k]
//   decIn [Tt, B, Fd] (targets shifted by one) → decoder layers, layer k starting at s_k → out [Tt, B, O]
//   loss(out, target [Tt, B(, O)], target mask) → dLoss
//   decoder backward (BPTT) → dInitialState_k → encoder layer k's dFinalState → encoder backward
// Attention (option `attention`, default 'none'): over the per-step outputs of the encoder's last
// recurrent layer, h̄_s [Ts, B, He], padded source steps getting weight exactly 0 (softmax over the
// real steps only). Weights α [B, Tt, Ts]: predict(…, { returnAttention: true }) (decoding) or
// attentionWeights(source, target) (teacher-forced).
//   'bahdanau' (Bahdanau, Cho & Bengio 2015, eqs. 5–6 and A.1.2): at decoder step i, with s_{i−1} the
//     previous state of the decoder's FIRST recurrent layer (s_{−1}: the encoder's hand-off),
//     e_ij = v_aᵀ tanh(W_a s_{i−1} + U_a h̄_j), α_i = softmax_j(e_i), c_i = Σ_j α_ij h̄_j, and that layer
//     reads [y_{i−1}; c_i] (its input grows by He). W_a [H1, A], U_a [He, A], v_a [A], A = H1, no biases.
//     The recurrence runs through the context, so this layer runs one step at a time (one call per
//     kernel per step); its backward replays each step's forward from the saved input and state.
//   'luong-dot' / 'luong-general' (Luong, Pham & Manning 2015, eqs. 5, 7, 8): h_t the output of the
//     decoder's LAST recurrent layer, score(h_t, h̄_s) = h_tᵀ h̄_s (dot) or h_tᵀ W_a h̄_s (general,
//     W_a [H, He]), a_t = softmax_s(score), c_t = Σ_s a_ts h̄_s, h̃_t = tanh(W_c [c_t; h_t]) (W_c
//     [He + H, H], no bias) replaces h_t before the layers above (the head). Global attention without
//     input feeding (section 3.3 not implemented), so the whole target runs in one call per kernel.
// One parameter slab for both halves, one optimizer step per batch: the machinery
// (slabs, loss, clipping, NaN rollback, epoch loop, weights, saving) is the Model
// base's (model.ts); this file says how pairs are staged and the halves run.
import type { Backend } from '../engine/backend.js';
import { checkBoolean, checkInt, checkOneOf, checkOptions, describe, readSeed } from '../errors.js';
import { Random } from '../random.js';
import { readTensor, type Tensor, type TensorLike } from '../tensor.js';
import { GRU } from '../layers/gru.js';
import { LSTM } from '../layers/lstm.js';
import { RecurrentLayer, type StateName } from '../layers/recurrent.js';
import { SimpleRNN } from '../layers/simple-rnn.js';
import type { WeightFormat, Weights } from '../layers/formats.js';
import { Bidirectional } from '../layers/bidirectional.js';
import { Dense } from '../layers/dense.js';
import { Embedding } from '../layers/embedding.js';
import type { Batch, Flow, ModelLayer } from '../layers/layer.js';
import { layerToJSON, makeLayer, readLayers, readModelFields, setLayerWeights, type LayerJSON, type SavedLayer } from './saving.js';
import { readFields, readNumbers } from '../saved-file.js';
import { pickToken, tokenProbabilities, type History, type Loss } from './training.js';
import { logSoftmaxF64 } from '../kernels/loss.js';
import { seqAdditiveScoresBackwardF32, seqAdditiveScoresF32, seqAttendBackwardF32, seqAttendF32, seqDotScoresBackwardF32, seqDotScoresF32 } from '../kernels/attention.js';
import { addScaledF32, concatRowsF32, splitRowsF32 } from '../kernels/model.js';
import { Model, loadModel, type BaseFitOptions, type SavedModel } from './model.js';
import type { StatePointers } from './states.js';
import { checkOutputSize, lengthsToMask, readSampling, readSequences, readTargets, stageSteps, type SamplingOptions } from './data.js';

export type EncoderLayer = SimpleRNN | LSTM | GRU | Embedding;
export type DecoderLayer = SimpleRNN | LSTM | GRU | Embedding | Dense;

export interface EncoderOptions {
  /** Features per source step (omit when the first layer is an Embedding: the source is token ids). */
  inputSize?: number;
  /** An optional Embedding, then recurrent layers (returnSequences: true on every one below the top). */
  layers: EncoderLayer[];
}

export interface DecoderOptions {
  /** Features per target step (omit when the first layer is an Embedding); must equal the output size, since outputs are fed back. */
  inputSize?: number;
  /** An optional Embedding, recurrent layers (returnSequences: true), then Dense heads. */
  layers: DecoderLayer[];
  /** Token decoders (an Embedding first): the token fed at step 0 (required; may be an id only the Embedding knows). */
  startToken?: number;
  /** Vector decoders: the vector fed at step 0 (default zeros), inputSize values. */
  startVector?: ArrayLike<number>;
}

/** Attention over the encoder's outputs (see the file header for the equations). */
export type AttentionKind = 'none' | 'bahdanau' | 'luong-dot' | 'luong-general';
const ATTENTION_KINDS: readonly AttentionKind[] = ['none', 'bahdanau', 'luong-dot', 'luong-general'];

export interface EncoderDecoderOptions {
  /** Seeds every layer that has no seed of its own, and shuffling (default 0). */
  seed?: number;
  /** Attention over the encoder's per-step outputs (default 'none': the decoder sees the source only through the hand-off). */
  attention?: AttentionKind;
  encoder: EncoderOptions;
  decoder: DecoderOptions;
}

/** Variable-length batches: the real steps of each source and of each target (the rest is padding). */
export interface PairOptions {
  sourceLengths?: number[];
  targetLengths?: number[];
}

export interface EncoderDecoderFitOptions extends BaseFitOptions, PairOptions {
  /** Teacher-forced loss (and token accuracy) on these pairs after every epoch. */
  validationData?: { source: TensorLike; target: TensorLike } & PairOptions;
}

export interface DecodeOptions extends SamplingOptions {
  /** Steps to generate. */
  length: number;
  sourceLengths?: number[];
  /** Token decoders: a sequence ends at this token (it is included; later steps repeat it). */
  stopToken?: number;
  /** Pairs decoded together (default 256). */
  batchSize?: number;
  /** With attention: also return the attention weights of every generated step, `attention` [N, length, Ts] (steps after a stop token: 0). */
  returnAttention?: boolean;
}

export interface BeamSearchOptions {
  /** The most steps to decode. */
  length: number;
  /** Prefixes kept at every step (default 4); 1 is greedy decoding. */
  beamWidth?: number;
  /** Length normalisation: hypotheses are ranked by logProbability / length^alpha (default 0: none). */
  alpha?: number;
  /** A prefix that chooses this token is finished (the token included). */
  stopToken?: number;
  /** Hypotheses returned per source, best first (default beamWidth, at most beamWidth). */
  n?: number;
  sourceLengths?: number[];
}

/** One source's hypotheses, best first: token ids, their summed log-probabilities, and the ranking scores. */
export interface BeamHypotheses {
  tokens: number[][];
  logProbabilities: number[];
  scores: number[];
}

/** predict(): token ids [N, length] (as floats) or vectors [N, length, outputSize]; lengths[i]: steps up to and including the stop token (else length). */
export type Decoded = Tensor & { lengths: number[]; attention?: Tensor };

export interface EncoderDecoderJSON extends SavedModel {
  encoder: { inputSize?: number; layers: LayerJSON[] };
  decoder: { inputSize?: number; startToken?: number; startVector?: number[]; layers: LayerJSON[] };
  /** Absent for 'none'. The weights are those of Dense layers without bias: bahdanau [W_a, U_a, v_a], luong-dot [W_c], luong-general [W_a, W_c]. */
  attention?: { kind: AttentionKind; layers: LayerJSON[] };
}

interface PairSet {
  N: number;
  /** Source and target steps. */
  Ts: number;
  Tt: number;
  /** Floats [N, Ts, F] or ids [N, Ts]. */
  source: Float32Array | Int32Array;
  /** [N, Ts] 1/0, or null. */
  sourceMask: Float32Array | null;
  /** Floats [N, Tt, O] or labels [N, Tt] (0 at padded steps), or null (predict). */
  target: Float32Array | Int32Array | null;
  /** [N, Tt] 1/0, or null. */
  targetMask: Float32Array | null;
}

const SAVED = { format: 'rnn-wasm/encoder-decoder', version: 1, what: 'EncoderDecoder' };
const ENCODER_SEEDS = 0x454e4300;
const DECODER_SEEDS = 0x44454300;
const ATTENTION_SEEDS = 0x41545400;


export class EncoderDecoder extends Model<PairSet, EncoderDecoderJSON> {
  protected readonly savedFormat = SAVED;
  protected readonly dataNames = ['source', 'target'] as const;
  protected readonly dataOptions = ['sourceLengths', 'targetLengths'];
  readonly encoderLayers: readonly EncoderLayer[];
  readonly decoderLayers: readonly DecoderLayer[];
  /** Features per source step (1 for token ids). */
  readonly inputSize: number;
  /** Features per decoder input step (1 for token ids). */
  readonly decoderInputSize: number;
  /** Token decoders: the step-0 input; -1 for vector decoders. */
  readonly startToken: number;
  #startVector: Float32Array | null;
  #encoderFlows: Flow[];
  #decoderFlows: Flow[];
  /** Recurrent layers of each half, paired by position. */
  #encoderRecurrent: RecurrentLayer[];
  #decoderRecurrent: RecurrentLayer[];
  #sourceMasked = false;
  #targetMasked = false;
  /** Target steps and batch size of the staged batch. */
  #stagedTs = 0;
  #stagedTt = 0;
  #stagedB = 0;
  /** Attention: its kind and weights (Dense layers without bias, after the decoder's in the slab). */
  readonly attention: AttentionKind;
  #attentionLayers: Dense[] = [];
  #wa: Dense | null = null;
  #ua: Dense | null = null;
  #va: Dense | null = null;
  #wc: Dense | null = null;
  /** Bahdanau: features of the first decoder recurrent layer's input without the context. */
  #bahdanauInput = 0;
  /** Luong: the query of the last forward (h_t, or h_t·W_a for 'general'). */
  #luongQuery = 0;
  /** Bahdanau: the decoder states s_0 … s_Tt of the last forward live in the workspace; the keys U_a h̄ in #ua's. */
  #keys = 0;

  constructor(options: EncoderDecoderOptions) {
    super();
    const where = 'EncoderDecoder';
    checkOptions(where, options, ['seed', 'encoder', 'decoder', 'attention']);
    const seed = readSeed(where, 'options.seed', options.seed, 0);
    this.attention = options.attention === undefined ? 'none' : checkOneOf(where, 'options.attention', options.attention, ATTENTION_KINDS);
    const enc = options.encoder;
    const dec = options.decoder;
    checkOptions(where, enc, ['inputSize', 'layers'], 'options.encoder');
    checkOptions(where, dec, ['inputSize', 'layers', 'startToken', 'startVector'], 'options.decoder');
    const seen: ModelLayer[] = [];
    const checkLayers = (half: 'encoder' | 'decoder', layers: unknown, kinds: string): void => {
      if (!Array.isArray(layers) || layers.length === 0) throw new TypeError(`${where}: options.${half}.layers must be a non-empty array of layers, got ${describe(layers)}`);
      layers.forEach((layer: unknown, i) => {
        const name = `options.${half}.layers[${i}]`;
        if (layer instanceof Bidirectional) throw new RangeError(`${where}: ${name} is Bidirectional, which an EncoderDecoder does not take (a decoder runs one step at a time, and an encoder's two final states have no decoder layer to go to)`);
        const ok = layer instanceof RecurrentLayer || layer instanceof Embedding || (half === 'decoder' && layer instanceof Dense);
        if (!ok) throw new TypeError(`${where}: ${name} must be ${kinds}, got ${describe(layer)}`);
        const l = layer as ModelLayer;
        if (l.disposed) throw new Error(`${where}: ${name} (${l.kind}) was disposed`);
        l.ownership.checkFree(where, name, l.kind);
        if (layer instanceof Embedding && i > 0) throw new RangeError(`${where}: ${name} is an Embedding; it can only be the first layer (it reads token ids)`);
        const k = seen.indexOf(l);
        if (k >= 0) throw new RangeError(`${where}: ${name} is a layer already used at ${k < options.encoder.layers.length ? `options.encoder.layers[${k}]` : `options.decoder.layers[${k - options.encoder.layers.length}]`}`);
        seen.push(l);
      });
    };
    checkLayers('encoder', enc.layers, 'a SimpleRNN, LSTM, GRU or (first) an Embedding');
    checkLayers('decoder', dec.layers, 'a SimpleRNN, LSTM, GRU, Dense or (first) an Embedding');
    const inputOf = (half: 'encoder' | 'decoder', first: ModelLayer, inputSize: unknown): number => {
      if (first instanceof Embedding) {
        if (inputSize !== undefined) throw new RangeError(`${where}: options.${half}.inputSize must be omitted when its first layer is an Embedding (it reads token ids)`);
        return 1;
      }
      return checkInt(where, `options.${half}.inputSize`, inputSize, 1);
    };
    this.inputSize = inputOf('encoder', enc.layers[0], enc.inputSize);
    this.decoderInputSize = inputOf('decoder', dec.layers[0], dec.inputSize);
    const backend = enc.layers[0].backend;
    seen.forEach((layer, k) => {
      if ((layer as EncoderLayer).backend !== backend) throw new RangeError(`${where}: ${k < enc.layers.length ? `options.encoder.layers[${k}]` : `options.decoder.layers[${k - enc.layers.length}]`} lives in another backend than options.encoder.layers[0]`);
    });
    this.encoderLayers = [...enc.layers];
    this.decoderLayers = [...dec.layers];
    // Connect each half (builds layers without inputSize, checks the ones with).
    const connect = (half: 'encoder' | 'decoder', layers: readonly ModelLayer[], inputSize: number, stream: number): Flow[] => {
      let flow: Flow = layers[0] instanceof Embedding ? { features: 1, sequence: true, ids: true } : { features: inputSize, sequence: true };
      const flows = [flow];
      let first = true;
      layers.forEach((layer, i) => {
        if (half === 'decoder' && this.attention === 'bahdanau' && first && layer instanceof RecurrentLayer) {
          // Bahdanau: the first decoder recurrent layer reads [y_{i−1}; c_i].
          first = false;
          this.#bahdanauInput = flow.features;
          flow = { ...flow, features: flow.features + this.#encoderTopUnits() };
        }
        flow = layer.connect(`${where}: options.${half}.layers[${i}]`, flow, new Random(seed, stream + i).nextUint32() | 0);
        flows.push(flow);
      });
      return flows;
    };
    this.#encoderFlows = connect('encoder', this.encoderLayers, this.inputSize, ENCODER_SEEDS);
    this.#decoderFlows = connect('decoder', this.decoderLayers, this.decoderInputSize, DECODER_SEEDS);
    // The hand-off: encoder recurrent layer k → decoder recurrent layer k.
    this.#encoderRecurrent = this.encoderLayers.filter((l) => l instanceof RecurrentLayer);
    this.#decoderRecurrent = this.decoderLayers.filter((l) => l instanceof RecurrentLayer);
    const ne = this.#encoderRecurrent.length;
    const nd = this.#decoderRecurrent.length;
    if (ne === 0) throw new RangeError(`${where}: options.encoder.layers has no recurrent layer (SimpleRNN, LSTM or GRU): nothing to hand a state to the decoder`);
    if (ne !== nd) {
      throw new RangeError(`${where}: the encoder has ${ne} recurrent layer${ne === 1 ? '' : 's'} and the decoder ${nd}; the final state of the encoder's k-th recurrent layer initialises the decoder's k-th, so the counts must match`);
    }
    const at = (layers: readonly ModelLayer[], layer: RecurrentLayer) => layers.indexOf(layer);
    this.#encoderRecurrent.forEach((e, k) => {
      const d = this.#decoderRecurrent[k];
      const pair = `options.encoder.layers[${at(this.encoderLayers, e)}] (${e.kind}, ${e.units} units) hands its final state to options.decoder.layers[${at(this.decoderLayers, d)}] (${d.kind}, ${d.units} units)`;
      if (e.units !== d.units) throw new RangeError(`${where}: ${pair}: the units must be equal`);
      if (e.stateKeys.join() !== d.stateKeys.join()) throw new RangeError(`${where}: ${pair}: the states differ (${e.stateKeys.join(', ')} vs ${d.stateKeys.join(', ')}); pair an LSTM with an LSTM`);
    });
    const out = this.#decoderFlows[this.#decoderFlows.length - 1];
    if (!out.sequence) throw new RangeError(`${where}: the decoder must output every step: set returnSequences: true on its last recurrent layer`);
    // Step-0 input.
    const head = this.decoderLayers[this.decoderLayers.length - 1];
    if (this.#tokens) {
      const embedding = this.decoderLayers[0] as Embedding;
      if (!(head instanceof Dense) || (head.activation !== 'softmax' && head.activation !== 'linear')) {
        throw new RangeError(`${where}: a token decoder (an Embedding first) needs a last layer Dense with activation 'softmax' (or 'linear' logits), got ${head.kind}${head instanceof Dense ? ` with activation '${head.activation}'` : ''}`);
      }
      if (head.units > embedding.vocabSize) {
        throw new RangeError(`${where}: the decoder's head has ${head.units} classes but its Embedding vocabSize is ${embedding.vocabSize}: every output token must be a valid input token (outputs are fed back)`);
      }
      if (dec.startVector !== undefined) throw new RangeError(`${where}: options.decoder.startVector is for vector decoders; this decoder reads tokens: give options.decoder.startToken`);
      if (dec.startToken === undefined) throw new RangeError(`${where}: options.decoder.startToken is required for a token decoder (the id fed at step 0, 0 … ${embedding.vocabSize - 1})`);
      this.startToken = checkInt(where, 'options.decoder.startToken', dec.startToken, 0, embedding.vocabSize - 1);
      this.#startVector = null;
    } else {
      if (dec.startToken !== undefined) throw new RangeError(`${where}: options.decoder.startToken is for token decoders (an Embedding first); this decoder reads vectors: give options.decoder.startVector, or nothing for zeros`);
      if (this.decoderInputSize !== out.features) {
        throw new RangeError(`${where}: options.decoder.inputSize ${this.decoderInputSize} != the decoder's output size ${out.features}; outputs are fed back as inputs, so they must be equal`);
      }
      this.startToken = -1;
      this.#startVector = new Float32Array(this.decoderInputSize);
      if (dec.startVector !== undefined) {
        const v = dec.startVector;
        if (v === null || typeof v !== 'object' || typeof v.length !== 'number' || v.length !== this.decoderInputSize) {
          throw new TypeError(`${where}: options.decoder.startVector must be ${this.decoderInputSize} numbers (the decoder's inputSize), got ${describe(v)}`);
        }
        for (let i = 0; i < v.length; i++) {
          if (typeof v[i] !== 'number' || !Number.isFinite(v[i])) throw new RangeError(`${where}: options.decoder.startVector[${i}] is ${describe(v[i])}; it must be a finite number`);
          this.#startVector[i] = v[i];
        }
      }
    }
    if (this.attention !== 'none') this.#makeAttention(where, backend, seed);
    this.setup(backend, seed, [...this.encoderLayers, ...this.decoderLayers, ...this.#attentionLayers]);
  }

  /** Units of the encoder's last recurrent layer (the features of h̄_s). */
  #encoderTopUnits(): number {
    const top = this.encoderLayers.filter((l) => l instanceof RecurrentLayer);
    if (top.length === 0) throw new RangeError('EncoderDecoder: options.encoder.layers has no recurrent layer (SimpleRNN, LSTM or GRU): nothing to hand a state to the decoder');
    return top[top.length - 1].units;
  }

  /** The attention's weights as Dense layers without bias, each drawn from its own stream of the model's seed. */
  #makeAttention(where: string, backend: Backend, seed: number): void {
    const He = this.#encoderTopUnits();
    const H1 = this.#decoderRecurrent[0].units;
    const H = this.#decoderRecurrent[this.#decoderRecurrent.length - 1].units;
    const make = (units: number, inputSize: number, activation: 'linear' | 'tanh'): Dense => {
      const layer = new Dense({ units, activation, useBias: false, backend });
      const i = this.#attentionLayers.length;
      layer.connect(`${where}: attention`, { features: inputSize, sequence: true }, new Random(seed, ATTENTION_SEEDS + i).nextUint32() | 0);
      this.#attentionLayers.push(layer);
      return layer;
    };
    if (this.attention === 'bahdanau') {
      this.#wa = make(H1, H1, 'linear');
      this.#ua = make(H1, He, 'linear');
      this.#va = make(1, H1, 'linear');
    } else {
      if (this.attention === 'luong-general') this.#wa = make(He, H, 'linear');
      this.#wc = make(H, He + H, 'tanh');
    }
  }

  /** Features out of the decoder at every step (classes of a token head). */
  get outputSize(): number {
    return this.#decoderFlows[this.#decoderFlows.length - 1].features;
  }

  /** Whether the source is token ids (an Embedding first in the encoder). */
  get sourceIsTokens(): boolean {
    return this.#encoderFlows[0].ids === true;
  }

  /** Whether the target is token ids (an Embedding first in the decoder, a softmax/linear head over the tokens). */
  get targetIsTokens(): boolean {
    return this.#tokens;
  }

  /** The start vector of a vector decoder (a copy); null for a token decoder. */
  get startVector(): Float32Array | null {
    return this.#startVector ? this.#startVector.slice() : null;
  }

  get #tokens(): boolean {
    return this.#decoderFlows[0].ids === true;
  }

  /** The loss: 'crossEntropy' for a token decoder, 'mse' for a vector decoder. */
  protected checkLoss(where: string, loss: Loss): void {
    if (this.#tokens && loss !== 'crossEntropy') throw new RangeError(`${where}: options.loss must be 'crossEntropy' for a token decoder (an Embedding first, a head over the tokens), got '${loss}'`);
    if (!this.#tokens) {
      if (loss !== 'mse') throw new RangeError(`${where}: options.loss must be 'mse' for a vector decoder (for tokens, put an Embedding first in the decoder), got '${loss}'`);
      const head = this.decoderLayers[this.decoderLayers.length - 1];
      if (head instanceof Dense && head.activation === 'softmax') throw new RangeError(`${where}: loss 'mse' with a softmax head is not supported: use activation 'linear'/'sigmoid'/'tanh', or a token decoder`);
    }
  }

  /** Trains with teacher forcing; resolves to the history. Yields to the event loop between batches. */
  override fit(source: TensorLike, target: TensorLike, options: EncoderDecoderFitOptions = {}): Promise<History> {
    return super.fit(source, target, options as EncoderDecoderFitOptions & Record<string, unknown>);
  }

  /** Teacher-forced mean loss over the target steps (and, for tokens, the fraction of steps whose most probable token is the target). */
  override evaluate(source: TensorLike, target: TensorLike, options: PairOptions & { batchSize?: number } = {}): { loss: number; accuracy?: number } {
    return super.evaluate(source, target, options as Record<string, unknown>);
  }

  /** The teacher-forced mean loss over all pairs as one batch and its gradient w.r.t. getParameters(), without updating anything. */
  override computeGradients(source: TensorLike, target: TensorLike, options: PairOptions = {}): { loss: number; gradients: Float32Array } {
    return super.computeGradients(source, target, options as Record<string, unknown>);
  }

  /**
   * Decodes `length` steps for every source, feeding back the model's own outputs: the most
   * likely token (or one sampled at `temperature`) through the decoder's Embedding, or the output
   * vector. Token ids come back as floats in { data, shape: [N, length], lengths }.
   */
  predict(source: TensorLike, options: DecodeOptions): Decoded {
    const where = 'EncoderDecoder.predict';
    this.checkAlive(where);
    checkOptions(where, options, ['length', 'sourceLengths', 'temperature', 'seed', 'stopToken', 'batchSize', 'returnAttention']);
    const length = checkInt(where, 'options.length', options.length, 1);
    const returnAttention = options.returnAttention === undefined ? false : checkBoolean(where, 'options.returnAttention', options.returnAttention);
    if (returnAttention && this.attention === 'none') throw new RangeError(`${where}: options.returnAttention needs a model with attention; this one has attention 'none'`);
    const batchSize = options.batchSize === undefined ? undefined : checkInt(where, 'options.batchSize', options.batchSize, 1);
    const O = this.outputSize;
    const tokens = this.#tokens;
    if (!tokens) {
      for (const name of ['temperature', 'seed', 'stopToken'] as const) {
        if (options[name] !== undefined) throw new RangeError(`${where}: options.${name} is for token decoders; this decoder outputs vectors`);
      }
    }
    const { temperature, seed } = readSampling(where, options, this.seed);
    const stop = options.stopToken === undefined ? -1 : checkInt(where, 'options.stopToken', options.stopToken, 0, O - 1);
    const data = this.readData(where, source, undefined, options, false);
    const { N } = data;
    const out = new Float32Array(tokens ? checkOutputSize(where, N, length) : checkOutputSize(where, N, length, O));
    const lengths = new Array<number>(N).fill(length);
    const attention = returnAttention ? new Float32Array(checkOutputSize(where, N, length, data.Ts)) : null;
    const random = new Random(seed, 0x53414d504c);
    const head = this.decoderLayers[this.decoderLayers.length - 1] as Dense;
    // Batches: a size error can only come from laying out the first step, before any token is drawn.
    this.eachBatch(where, N, batchSize, (rows, start) => {
      const B = rows.length;
      this.stage(data, rows, false);
      this.#encode(data.Ts, B);
      const stepAt = this.work.ptr('step');
      const done = new Uint8Array(B);
      let running = B;
      for (let t = 0; t < length && running > 0; t++) {
        // Step 0 starts from the encoder's final states, every later step from the decoder's own.
        const ptr = this.#decode(1, B, false, (k, layer) => (t === 0 ? this.#handOff(k) : finalStates(layer)), stepAt);
        const heap = this.backend.heapF32();
        const at = ptr >>> 2;
        if (attention) {
          // This step's weights [B, 1, Ts]; rows of sequences already stopped stay 0.
          const Ts = data.Ts;
          const wAt = this.work.ptr('attWeights') >>> 2;
          for (let b = 0; b < B; b++) if (!done[b]) attention.set(heap.subarray(wAt + b * Ts, wAt + (b + 1) * Ts), ((start + b) * length + t) * Ts);
        }
        if (tokens) {
          const logits = head.logitsPtr();
          const probs = this.work.ptr('probs');
          tokenProbabilities(this.backend, logits, probs, B, O, temperature);
          const ids = new Int32Array(heap.buffer);
          for (let b = 0; b < B; b++) {
            const id = done[b] ? stop : pickToken(heap, logits, probs, b, O, temperature, random);
            out[(start + b) * length + t] = id;
            ids[(stepAt >>> 2) + b] = id;
            if (!done[b] && id === stop) {
              done[b] = 1;
              running--;
              lengths[start + b] = t + 1;
            }
          }
        } else {
          for (let b = 0; b < B; b++) out.set(heap.subarray(at + b * O, at + (b + 1) * O), ((start + b) * length + t) * O);
          this.backend.copyFloats(stepAt, ptr, B * O);
        }
      }
      // Sequences that all stopped early: the rest of every row repeats its stop token.
      for (let b = 0; b < B; b++) if (lengths[start + b] < length) out.fill(stop, (start + b) * length + lengths[start + b], (start + b + 1) * length);
    });
    const result: Decoded = { data: out, shape: tokens ? [N, length] : [N, length, O], lengths };
    if (attention) result.attention = { data: attention, shape: [N, length, data.Ts] };
    return result;
  }

  /**
   * Teacher-forced attention weights [N, Tt, Ts]: for every target step (the decoder reading the
   * target shifted by one, as in training), its weights over the source steps — 0 on padded source
   * steps, summing to 1 over the real ones.
   */
  attentionWeights(source: TensorLike, target: TensorLike, options: PairOptions & { batchSize?: number } = {}): Tensor {
    const where = 'EncoderDecoder.attentionWeights';
    this.checkAlive(where);
    checkOptions(where, options, ['sourceLengths', 'targetLengths', 'batchSize']);
    if (this.attention === 'none') throw new RangeError(`${where}: this model has attention 'none'`);
    const batchSize = options.batchSize === undefined ? undefined : checkInt(where, 'options.batchSize', options.batchSize, 1);
    const data = this.readData(where, source, target, options, true);
    const { N, Ts, Tt } = data;
    const out = new Float32Array(checkOutputSize(where, N, Tt, Ts));
    this.eachBatch(where, N, batchSize, (rows, start) => {
      this.stage(data, rows, true);
      this.forwardStaged(false);
      const at = this.work.ptr('attWeights') >>> 2;
      out.set(this.backend.heapF32().subarray(at, at + rows.length * Tt * Ts), start * Tt * Ts);
    });
    return { data: out, shape: [N, Tt, Ts] };
  }

  /**
   * The encoder's final states for every source (its code, in a sequence autoencoder): one
   * { h } ({ h, c } for an LSTM) per encoder recurrent layer, bottom up, [N, units] each; with
   * sourceLengths, the states after each source's last real step.
   */
  encode(source: TensorLike, options: { sourceLengths?: number[]; batchSize?: number } = {}): Partial<Record<StateName, Tensor>>[] {
    const where = 'EncoderDecoder.encode';
    this.checkAlive(where);
    checkOptions(where, options, ['sourceLengths', 'batchSize']);
    const batchSize = options.batchSize === undefined ? undefined : checkInt(where, 'options.batchSize', options.batchSize, 1);
    const data = this.readData(where, source, undefined, options, false);
    const { N } = data;
    const out = this.#encoderRecurrent.map((layer) => layer.stateKeys.map((name) => ({ name, data: new Float32Array(checkOutputSize(where, N, layer.units)) })));
    this.eachBatch(where, N, batchSize, (rows, start) => {
      const B = rows.length;
      this.stage(data, rows, false);
      this.#encode(data.Ts, B);
      const heap = this.backend.heapF32();
      this.#encoderRecurrent.forEach((layer, k) => {
        for (const state of out[k]) {
          const at = layer.finalStatePtr(state.name) >>> 2;
          state.data.set(heap.subarray(at, at + B * layer.units), start * layer.units);
        }
      });
    });
    return out.map((states, k) => Object.fromEntries(states.map(({ name, data: values }) => [name, { data: values, shape: [N, this.#encoderRecurrent[k].units] }])));
  }

  /**
   * Beam search (token decoders): for each source, the `n` most likely target sequences found by
   * keeping the `beamWidth` best prefixes at every step. A prefix's log-probability is the sum of
   * its tokens' log-softmax values (f64, from the WebAssembly log-softmax); candidates are ranked by
   * it (ties: the lower beam, then the lower token), and the hypotheses returned by
   * score = logProbability / length^alpha (alpha = 0, the default: no length normalisation). A
   * prefix that chooses `stopToken` is finished (the stop token included) and leaves the beam, so
   * beamWidth 1 is greedy decoding exactly; the search ends when no prefix is left or after
   * `length` steps (the unfinished prefixes are then hypotheses too).
   */
  beamSearch(source: TensorLike, options: BeamSearchOptions): BeamHypotheses[] {
    const where = 'EncoderDecoder.beamSearch';
    this.checkAlive(where);
    checkOptions(where, options, ['length', 'beamWidth', 'alpha', 'stopToken', 'n', 'sourceLengths']);
    if (!this.#tokens) throw new RangeError(`${where}: beam search is for token decoders (an Embedding first, a softmax head over the tokens); this decoder outputs vectors`);
    const length = checkInt(where, 'options.length', options.length, 1);
    const W = options.beamWidth === undefined ? 4 : checkInt(where, 'options.beamWidth', options.beamWidth, 1);
    const n = options.n === undefined ? W : checkInt(where, 'options.n', options.n, 1, W);
    const alpha = options.alpha === undefined ? 0 : options.alpha;
    if (typeof alpha !== 'number' || !(alpha >= 0) || !Number.isFinite(alpha)) throw new RangeError(`${where}: options.alpha must be a number ≥ 0, got ${describe(alpha)}`);
    const O = this.outputSize;
    const stop = options.stopToken === undefined ? -1 : checkInt(where, 'options.stopToken', options.stopToken, 0, O - 1);
    const data = this.readData(where, source, undefined, options, false);
    const head = this.decoderLayers[this.decoderLayers.length - 1] as Dense;
    const backend = this.backend;
    // Log-probabilities f64 [W, O] and the log-softmax's scratch [O].
    const logp = backend.allocF32(2 * W * O + O);
    try {
      const results: BeamHypotheses[] = [];
      for (let i = 0; i < data.N; i++) {
        this.stage(data, new Int32Array(W).fill(i), false);
        this.#encode(data.Ts, W);
        const stepAt = this.work.ptr('step') >>> 2;
        let live: { tokens: number[]; logP: number }[] = [{ tokens: [], logP: 0 }];
        const done: { tokens: number[]; logP: number }[] = [];
        for (let t = 0; t < length && live.length > 0; t++) {
          this.#decode(1, W, false, (k, layer) => (t === 0 ? this.#handOff(k) : finalStates(layer)), stepAt << 2);
          logSoftmaxF64(backend, { out: logp.ptr, scratch: logp.ptr + 8 * W * O, logits: head.logitsPtr() }, W, O);
          const lp = new Float64Array(backend.heapF32().buffer, logp.ptr, W * O);
          const candidates: { parent: number; token: number; logP: number }[] = [];
          live.forEach((beam, b) => {
            for (let c = 0; c < O; c++) candidates.push({ parent: b, token: c, logP: beam.logP + lp[b * O + c] });
          });
          // Stable: equal log-probabilities keep the lower beam, then the lower token.
          candidates.sort((a, b) => b.logP - a.logP);
          const next: { tokens: number[]; logP: number; parent: number }[] = [];
          for (const c of candidates.slice(0, W)) {
            const tokens = [...live[c.parent].tokens, c.token];
            if (c.token === stop) done.push({ tokens, logP: c.logP });
            else next.push({ tokens, logP: c.logP, parent: c.parent });
          }
          this.#reorderDecoderStates(next.map((b) => b.parent), W);
          const ints = new Int32Array(backend.heapF32().buffer);
          next.forEach((b, k) => (ints[stepAt + k] = b.tokens[b.tokens.length - 1]));
          live = next;
        }
        const all = [...done, ...live].map((h) => ({ tokens: h.tokens, logProbability: h.logP, score: h.logP / h.tokens.length ** alpha }));
        all.sort((a, b) => b.score - a.score);
        const best = all.slice(0, n);
        results.push({ tokens: best.map((h) => h.tokens), logProbabilities: best.map((h) => h.logProbability), scores: best.map((h) => h.score) });
      }
      return results;
    } finally {
      logp.dispose();
    }
  }

  /** The decoder's recurrent states after a step: row k ← row parents[k] (rows past parents.length are left as they are). */
  #reorderDecoderStates(parents: number[], B: number): void {
    const heap = this.backend.heapF32();
    for (const layer of this.#decoderRecurrent) {
      const H = layer.units;
      for (const name of layer.stateKeys) {
        const at = layer.finalStatePtr(name) >>> 2;
        const old = heap.slice(at, at + B * H);
        parents.forEach((p, k) => heap.set(old.subarray(p * H, (p + 1) * H), at + k * H));
      }
    }
  }

  /** Every layer's weights in `format`: { encoder: [...], decoder: [...] } in layer order. */
  getWeights(options: { format?: WeightFormat } = {}): { encoder: Weights[]; decoder: Weights[]; attention?: Weights[] } {
    const halves = this.readHalves('EncoderDecoder.getWeights', this.encoderLayers, this.decoderLayers, options);
    if (this.attention === 'none') return halves;
    // The attention's weights as its Dense layers give them (see EncoderDecoderJSON.attention for the order).
    return { ...halves, attention: this.readWeights('EncoderDecoder.getWeights', this.#attentionLayers, options) };
  }

  /** Replaces every layer's weights from { encoder: [...], decoder: [...] } (as getWeights returns) in `format`. All or nothing. */
  setWeights(weights: { encoder: (Weights | Record<string, unknown>)[]; decoder: (Weights | Record<string, unknown>)[] }, options: { format?: WeightFormat } = {}): void {
    this.writeHalves('EncoderDecoder.setWeights', this.encoderLayers, this.decoderLayers, weights, options);
  }

  protected architectureJSON(): Omit<EncoderDecoderJSON, keyof SavedModel> {
    return {
      encoder: { inputSize: this.sourceIsTokens ? undefined : this.inputSize, layers: this.encoderLayers.map(layerToJSON) },
      decoder: {
        inputSize: this.#tokens ? undefined : this.decoderInputSize,
        startToken: this.#tokens ? this.startToken : undefined,
        startVector: this.#startVector ? Array.from(this.#startVector) : undefined,
        layers: this.decoderLayers.map(layerToJSON),
      },
      ...(this.attention === 'none' ? {} : { attention: { kind: this.attention, layers: this.#attentionLayers.map(layerToJSON) } }),
    };
  }

  /** Rebuilds a model from toJSON(); a corrupted or mismatched file is rejected and nothing is kept. */
  static fromJSON(json: unknown, options: { backend?: Backend } = {}): EncoderDecoder {
    const where = 'EncoderDecoder.fromJSON';
    let encoderLayers: SavedLayer[] = [];
    let decoderLayers: SavedLayer[] = [];
    let attentionLayers: SavedLayer[] = [];
    return loadModel<EncoderDecoderJSON, EncoderDecoder>(
      json, options, SAVED,
      (j, backend, made) => {
        // Every field first (types, ranges, weights decoded and finite), then build.
        const f = readModelFields(where, j, { encoder: { kind: 'any' }, decoder: { kind: 'any' }, attention: { kind: 'object', optional: true } });
        const enc = readFields(where, 'encoder', f.encoder, { inputSize: { kind: 'integer', min: 1, optional: true }, layers: { kind: 'any' } });
        const dec = readFields(where, 'decoder', f.decoder, {
          inputSize: { kind: 'integer', min: 1, optional: true }, startToken: { kind: 'integer', min: 0, optional: true },
          startVector: { kind: 'array', optional: true }, layers: { kind: 'any' },
        });
        let attention: AttentionKind | undefined;
        if (f.attention !== undefined) {
          const att = readFields(where, 'attention', f.attention, { kind: { kind: 'string' }, layers: { kind: 'any' } });
          attention = checkOneOf(where, 'attention.kind', att.kind, ATTENTION_KINDS);
          attentionLayers = readLayers(where, 'attention.layers', att.layers);
        }
        encoderLayers = readLayers(where, 'encoder.layers', enc.layers);
        decoderLayers = readLayers(where, 'decoder.layers', dec.layers);
        const startVector = dec.startVector === undefined ? undefined : readNumbers(where, 'decoder.startVector', dec.startVector, (dec.startVector as unknown[]).length, 'float32');
        const make = <L>(half: 'encoder' | 'decoder', saved: SavedLayer[]) => saved.map((entry, i) => {
          const layer = makeLayer(where, `${half}.layers[${i}]`, entry, backend);
          made.push(layer);
          return layer as L;
        });
        const encoder = make<EncoderLayer>('encoder', encoderLayers);
        const decoder = make<DecoderLayer>('decoder', decoderLayers);
        const model = new EncoderDecoder({
          seed: f.seed as number,
          attention,
          encoder: { inputSize: enc.inputSize as number | undefined, layers: encoder },
          decoder: { inputSize: dec.inputSize as number | undefined, startToken: dec.startToken as number | undefined, startVector, layers: decoder },
        });
        if (model.#attentionLayers.length !== attentionLayers.length) {
          model.dispose();
          throw new RangeError(`${where}: attention.layers has ${attentionLayers.length} entries; attention '${model.attention}' has ${model.#attentionLayers.length} weight layers`);
        }
        return model;
      },
      (m, j) => {
        encoderLayers.forEach((saved, i) => setLayerWeights(where, `encoder.layers[${i}]`, saved, m.encoderLayers[i]));
        decoderLayers.forEach((saved, i) => setLayerWeights(where, `decoder.layers[${i}]`, saved, m.decoderLayers[i]));
        attentionLayers.forEach((saved, i) => setLayerWeights(where, `attention.layers[${i}]`, saved, m.#attentionLayers[i]));
        m.restoreTraining(where, j);
      },
    );
  }

  // ---- internals ----

  // ---- what the Model base asks of a model ----

  /** Validates and flattens pairs; without targets (predict) only the source. */
  protected readData(where: string, source: TensorLike | undefined, target: TensorLike | undefined, options: PairOptions, withTargets: boolean): PairSet {
    const vocabSize = this.sourceIsTokens ? (this.encoderLayers[0] as Embedding).vocabSize : undefined;
    const src = readSequences(where, 'source', source, { features: this.inputSize, vocabSize });
    const { N, T: Ts } = src;
    const sourceMask = options.sourceLengths === undefined ? null : lengthsToMask(where, 'options.sourceLengths', options.sourceLengths, N, Ts);
    if (!withTargets) return { N, Ts, Tt: 0, source: src.data, sourceMask, target: null, targetMask: null };
    if (target === undefined) throw new TypeError(`${where}: target is missing`);
    // The target's length first (its mask is needed to skip the labels of padded steps).
    const t = readTensor(where, 'target', target, this.#tokens ? [{ label: 'samples', size: N }, { label: 'time steps' }] : [{ label: 'samples', size: N }, { label: 'time steps' }, { label: 'outputs', size: this.outputSize }]);
    const Tt = t.shape[1];
    const targetMask = options.targetLengths === undefined ? null : lengthsToMask(where, 'options.targetLengths', options.targetLengths, N, Tt);
    const tgt = readTargets(where, 'target', t, this.#tokens, N, Tt, this.outputSize, targetMask, 'target tokens');
    return { N, Ts, Tt, source: src.data, sourceMask, target: tgt, targetMask };
  }

  protected sliceData(d: PairSet, from: number, to: number): PairSet {
    const per = (a: Float32Array | Int32Array | null) => (a ? a.length / d.N : 0);
    const part = <A extends Float32Array | Int32Array>(a: A | null): A | null => (a ? (a.slice(from * per(a), to * per(a)) as A) : null);
    return { N: to - from, Ts: d.Ts, Tt: d.Tt, source: part(d.source)!, sourceMask: part(d.sourceMask), target: part(d.target), targetMask: part(d.targetMask) };
  }

  protected forwardStaged(training: boolean): number {
    this.#encode(this.#stagedTs, this.#stagedB);
    return this.#decode(this.#stagedTt, this.#stagedB, training, (k) => this.#handOff(k), this.work.ptr('decoderInput'));
  }

  protected lossRows(): { rows: number; mask: number } {
    return { rows: this.#stagedTt * this.#stagedB, mask: this.#targetMasked ? this.work.ptr('targetMask') : 0 };
  }

  /**
   * Copies pairs `rows` into the workspace, time-major: source [Ts, B, F] and its mask; with
   * `withTargets` the teacher-forced decoder input [Tt, B, Fd] (start, then targets shifted by one
   * step), the targets and their mask. Without, a one-step decoder input for predict. Returns the
   * loss weight: the real target steps.
   */
  protected stage(d: PairSet, rows: Int32Array, withTargets: boolean): number {
    const B = rows.length;
    const { Ts, Tt } = d;
    const F = this.sourceIsTokens ? 1 : this.inputSize;
    const Fd = this.#tokens ? 1 : this.decoderInputSize;
    const O = this.outputSize;
    const n = withTargets ? Tt * B : 0;
    this.work.layout({
      source: Ts * B * F,
      sourceMask: d.sourceMask ? Ts * B : 0,
      decoderInput: n * Fd,
      step: withTargets ? 0 : B * Fd,
      targetMask: withTargets && d.targetMask ? n : 0,
      target: n * (this.#tokens ? 1 : O),
      dLoss: n * O,
      probs: withTargets ? n * O : B * O,
      ...this.#attentionRegions(Ts, withTargets ? Tt : 1, B),
    }, 'EncoderDecoder', `the workspace for a batch of ${B} sequences`);
    this.#sourceMasked = d.sourceMask !== null;
    this.#targetMasked = withTargets && d.targetMask !== null;
    this.#stagedTs = Ts;
    this.#stagedTt = withTargets ? Tt : 0;
    this.#stagedB = B;
    const heap = this.backend.heapF32();
    const ints = new Int32Array(heap.buffer);
    stageSteps(heap, this.work.ptr('source') >>> 2, d.source, rows, Ts, F);
    if (d.sourceMask) stageSteps(heap, this.work.ptr('sourceMask') >>> 2, d.sourceMask, rows, Ts, 1);
    if (!withTargets) {
      const at = this.work.ptr('step') >>> 2;
      if (this.#tokens) ints.fill(this.startToken, at, at + B);
      else for (let b = 0; b < B; b++) heap.set(this.#startVector!, at + b * Fd);
      return 0;
    }
    const y = d.target!;
    const inAt = this.work.ptr('decoderInput') >>> 2;
    const yAt = this.work.ptr('target') >>> 2;
    for (let t = 0; t < Tt; t++) {
      for (let b = 0; b < B; b++) {
        const r = rows[b] * Tt + t;
        if (y instanceof Int32Array) {
          ints[inAt + t * B + b] = t === 0 ? this.startToken : y[r - 1];
          ints[yAt + t * B + b] = y[r];
        } else {
          if (t === 0) heap.set(this.#startVector!, inAt + b * Fd);
          else heap.set(y.subarray((r - 1) * O, r * O), inAt + (t * B + b) * Fd);
          heap.set(y.subarray(r * O, (r + 1) * O), yAt + (t * B + b) * O);
        }
      }
    }
    let weight = Tt * B;
    if (d.targetMask) {
      const at = this.work.ptr('targetMask') >>> 2;
      weight = 0;
      for (let t = 0; t < Tt; t++) {
        for (let b = 0; b < B; b++) {
          const m = d.targetMask[rows[b] * Tt + t];
          heap[at + t * B + b] = m;
          weight += m;
        }
      }
    }
    return weight;
  }

  /** Runs the encoder over the staged source; its recurrent layers keep their final states (#handOff). */
  #encode(Ts: number, B: number): void {
    let ptr = this.work.ptr('source');
    const mask = this.#sourceMasked ? this.work.ptr('sourceMask') : 0;
    for (const layer of this.encoderLayers) {
      if (layer instanceof RecurrentLayer) {
        // Every step's output feeds the layer above; the top layer's only matters through its final state.
        layer.forwardFrom(ptr, Ts, B, {}, mask);
        ptr = layer.outputPtr();
      } else {
        ptr = layer.modelForward(ptr, { T: Ts, B, mask, training: true });
      }
    }
  }

  /** Final-state pointers of the encoder's k-th recurrent layer (valid until its next forward). */
  #handOff(k: number): StatePointers {
    return finalStates(this.#encoderRecurrent[k]);
  }

  /** Runs the decoder over `Tt` steps of the input at `input`, its k-th recurrent layer starting at initial(k); returns the output pointer. */
  #decode(Tt: number, B: number, training: boolean, initial: (k: number, layer: RecurrentLayer) => StatePointers, input: number): number {
    let ptr = input;
    const batch: Batch = { T: Tt, B, mask: this.#targetMasked ? this.work.ptr('targetMask') : 0, training };
    let k = 0;
    const last = this.#decoderRecurrent.length - 1;
    for (const layer of this.decoderLayers) {
      if (layer instanceof RecurrentLayer) {
        if (k === 0 && this.attention === 'bahdanau') ptr = this.#bahdanauForward(layer, ptr, Tt, B, initial(k, layer));
        else ptr = layer.modelForward(ptr, batch, initial(k, layer));
        if (k === last && (this.attention === 'luong-dot' || this.attention === 'luong-general')) ptr = this.#luongForward(ptr, Tt, B, batch);
        k++;
      } else {
        ptr = layer.modelForward(ptr, batch);
      }
    }
    return ptr;
  }

  // ---- attention ----

  /** Workspace regions of the attention for Ts source steps, Tq decoder steps (Tt training, 1 decoding), B pairs. */
  #attentionRegions(Ts: number, Tq: number, B: number): Record<string, number> {
    if (this.attention === 'none') return {};
    const He = this.#encoderTopUnits();
    const common = { attWeights: B * Tq * Ts, dScores: B * Tq * Ts, context: Tq * B * He, dContext: Tq * B * He, dEnc: Ts * B * He };
    if (this.attention === 'bahdanau') {
      const layer = this.#decoderRecurrent[0];
      const H1 = layer.units;
      const A = H1;
      const E = this.#bahdanauInput;
      const lstm = layer.stateKeys.includes('c');
      return {
        ...common, statesH: (Tq + 1) * B * H1, statesC: lstm ? (Tq + 1) * B * H1 : 0, attInput: Tq * B * (E + He), hidden: Tq * B * Ts * A,
        dQuery: B * A, dKeys: Ts * B * A, carryH: B * H1, carryC: lstm ? B * H1 : 0, dh: B * H1, dDecoderInput: Tq * B * E,
      };
    }
    const H = this.#decoderRecurrent[this.#decoderRecurrent.length - 1].units;
    return { ...common, attConcat: Tq * B * (He + H), dQuery: Tq * B * He, dDecoderOutput: Tq * B * H };
  }

  /** Bahdanau: the decoder's first recurrent layer over Tt steps, one at a time, each reading [x_i; c_i]; returns its outputs s_1 … s_Tt [Tt, B, H1]. */
  #bahdanauForward(layer: RecurrentLayer, x: number, Tt: number, B: number, initial: StatePointers): number {
    const backend = this.backend;
    const Ts = this.#stagedTs;
    const H1 = layer.units;
    const encoderTop = this.#encoderRecurrent[this.#encoderRecurrent.length - 1];
    this.#keys = this.#ua!.modelForward(encoderTop.outputPtr(), { T: Ts, B, mask: 0, training: false });
    for (const name of layer.stateKeys) {
      const s0 = this.work.ptr(name === 'h' ? 'statesH' : 'statesC');
      const from = initial[name];
      if (from === undefined) backend.fillFloats(s0, B * H1, 0);
      else backend.copyFloats(s0, from, B * H1);
    }
    for (let t = 0; t < Tt; t++) {
      const xt = this.#bahdanauAttend(t, x, Tt, B);
      layer.forwardFrom(xt, 1, B, this.#bahdanauStates(layer, t, B), 0);
      for (const name of layer.stateKeys) backend.copyFloats(this.work.ptr(name === 'h' ? 'statesH' : 'statesC') + (t + 1) * B * H1 * 4, layer.finalStatePtr(name), B * H1);
    }
    return this.work.ptr('statesH') + B * H1 * 4;
  }

  /** The states s_t of the first decoder layer saved by #bahdanauForward (pointers). */
  #bahdanauStates(layer: RecurrentLayer, t: number, B: number): StatePointers {
    const out: StatePointers = {};
    for (const name of layer.stateKeys) out[name] = this.work.ptr(name === 'h' ? 'statesH' : 'statesC') + t * B * layer.units * 4;
    return out;
  }

  /** Bahdanau step t: scores from s_{t−1}, weights, context c_t, and the layer's input [x_t; c_t] (returned pointer). */
  #bahdanauAttend(t: number, x: number, Tt: number, B: number): number {
    const backend = this.backend;
    const Ts = this.#stagedTs;
    const H1 = this.#decoderRecurrent[0].units;
    const A = H1;
    const He = this.#encoderTopUnits();
    const E = this.#bahdanauInput;
    const encoderTop = this.#encoderRecurrent[this.#encoderRecurrent.length - 1];
    const query = this.#wa!.modelForward(this.work.ptr('statesH') + t * B * H1 * 4, { T: 1, B, mask: 0, training: false });
    const weights = this.work.ptr('attWeights') + t * Ts * 4;
    seqAdditiveScoresF32(backend, { scores: weights, hidden: this.work.ptr('hidden') + t * B * Ts * A * 4, query, keys: this.#keys, v: this.#va!.weightPointers().value }, B, Ts, A, Tt * Ts);
    const context = this.work.ptr('context') + t * B * He * 4;
    seqAttendF32(backend, { context, weights, value: encoderTop.outputPtr(), mask: this.#sourceMasked ? this.work.ptr('sourceMask') : 0, work: backend.gemmWork() }, B, 1, Ts, He, Tt * Ts);
    const xt = this.work.ptr('attInput') + t * B * (E + He) * 4;
    concatRowsF32(backend, { dst: xt, left: x + t * B * E * 4, right: context }, B, E, He);
    return xt;
  }

  /**
   * Bahdanau backward, t = Tt−1 … 0: replays step t's forward (same input, same state: same bits),
   * BPTT through it with dOut_t + the carried dL/ds_t, then through the context and the scores; the
   * carry becomes dL/ds_{t−1} (the layer's dInitialState + W_a's share). Leaves dL/ds_{−1} in
   * carryH/carryC (the encoder's hand-off), dL/dh̄ in dEnc; returns dL/dx [Tt, B, E].
   */
  #bahdanauBackward(layer: RecurrentLayer, dOutput: number): number {
    const backend = this.backend;
    const Ts = this.#stagedTs;
    const Tt = this.#stagedTt;
    const B = this.#stagedB;
    const H1 = layer.units;
    const A = H1;
    const He = this.#encoderTopUnits();
    const E = this.#bahdanauInput;
    const w = this.work;
    const encoderTop = this.#encoderRecurrent[this.#encoderRecurrent.length - 1];
    const lstm = layer.stateKeys.includes('c');
    backend.fillFloats(w.ptr('dKeys'), Ts * B * A, 0);
    backend.fillFloats(w.ptr('carryH'), B * H1, 0);
    if (lstm) backend.fillFloats(w.ptr('carryC'), B * H1, 0);
    const v = this.#va!.weightPointers();
    for (let t = Tt - 1; t >= 0; t--) {
      const dh = w.ptr('dh');
      addScaledF32(backend, { dst: dh, left: dOutput + t * B * H1 * 4, right: w.ptr('carryH') }, B * H1, 1);
      layer.forwardFrom(w.ptr('attInput') + t * B * (E + He) * 4, 1, B, this.#bahdanauStates(layer, t, B), 0);
      layer.backwardFrom(0, lstm ? { h: dh, c: w.ptr('carryC') } : { h: dh });
      const dContext = w.ptr('dContext') + t * B * He * 4;
      splitRowsF32(backend, { left: w.ptr('dDecoderInput') + t * B * E * 4, right: dContext, src: layer.dInputPtr() }, B, E, He);
      backend.copyFloats(w.ptr('carryH'), layer.dInitialStatePtr('h'), B * H1);
      if (lstm) backend.copyFloats(w.ptr('carryC'), layer.dInitialStatePtr('c'), B * H1);
      const at = t * Ts * 4;
      seqAttendBackwardF32(backend, {
        dScores: w.ptr('dScores') + at, dValue: w.ptr('dEnc'), dContext, weights: w.ptr('attWeights') + at, value: encoderTop.outputPtr(), work: backend.gemmWork(),
      }, B, 1, Ts, He, Tt * Ts);
      backend.fillFloats(w.ptr('dQuery'), B * A, 0);
      seqAdditiveScoresBackwardF32(backend, {
        dQuery: w.ptr('dQuery'), dKeys: w.ptr('dKeys'), dV: v.grad, dScores: w.ptr('dScores') + at, hidden: w.ptr('hidden') + t * B * Ts * A * 4, v: v.value,
      }, B, Ts, A, Tt * Ts);
      this.#wa!.modelForward(w.ptr('statesH') + t * B * H1 * 4, { T: 1, B, mask: 0, training: false });
      const dPrevious = this.#wa!.modelBackward(w.ptr('dQuery'));
      addScaledF32(backend, { dst: w.ptr('carryH'), left: w.ptr('carryH'), right: dPrevious }, B * H1, 1);
    }
    const dEncoder = this.#ua!.modelBackward(w.ptr('dKeys'));
    addScaledF32(backend, { dst: w.ptr('dEnc'), left: w.ptr('dEnc'), right: dEncoder }, Ts * B * He, 1);
    return w.ptr('dDecoderInput');
  }

  /** Luong: scores of the decoder's top outputs h [Tt, B, H] against h̄, weights, context, h̃ = tanh(W_c [c; h]); returns h̃. */
  #luongForward(h: number, Tt: number, B: number, batch: Batch): number {
    const backend = this.backend;
    const Ts = this.#stagedTs;
    const He = this.#encoderTopUnits();
    const H = this.#decoderRecurrent[this.#decoderRecurrent.length - 1].units;
    const encoder = this.#encoderRecurrent[this.#encoderRecurrent.length - 1].outputPtr();
    const w = this.work;
    const query = this.attention === 'luong-general' ? this.#wa!.modelForward(h, { T: Tt, B, mask: 0, training: false }) : h;
    this.#luongQuery = query;
    const work = backend.gemmWork();
    seqDotScoresF32(backend, { scores: w.ptr('attWeights'), query, key: encoder, work }, B, Tt, Ts, He, Tt * Ts);
    seqAttendF32(backend, { context: w.ptr('context'), weights: w.ptr('attWeights'), value: encoder, mask: this.#sourceMasked ? w.ptr('sourceMask') : 0, work }, B, Tt, Ts, He, Tt * Ts);
    concatRowsF32(backend, { dst: w.ptr('attConcat'), left: w.ptr('context'), right: h }, Tt * B, He, H);
    return this.#wc!.modelForward(w.ptr('attConcat'), batch);
  }

  /** Luong backward from dL/dh̃ [Tt, B, H]: returns dL/dh (the W_c path plus the score's), adds dL/dh̄ into dEnc. */
  #luongBackward(dOutput: number): number {
    const backend = this.backend;
    const Ts = this.#stagedTs;
    const Tt = this.#stagedTt;
    const B = this.#stagedB;
    const He = this.#encoderTopUnits();
    const H = this.#decoderRecurrent[this.#decoderRecurrent.length - 1].units;
    const encoder = this.#encoderRecurrent[this.#encoderRecurrent.length - 1].outputPtr();
    const w = this.work;
    const work = backend.gemmWork();
    const dConcat = this.#wc!.modelBackward(dOutput);
    splitRowsF32(backend, { left: w.ptr('dContext'), right: w.ptr('dDecoderOutput'), src: dConcat }, Tt * B, He, H);
    seqAttendBackwardF32(backend, { dScores: w.ptr('dScores'), dValue: w.ptr('dEnc'), dContext: w.ptr('dContext'), weights: w.ptr('attWeights'), value: encoder, work }, B, Tt, Ts, He, Tt * Ts);
    backend.fillFloats(w.ptr('dQuery'), Tt * B * He, 0);
    seqDotScoresBackwardF32(backend, { dQuery: w.ptr('dQuery'), dKey: w.ptr('dEnc'), dScores: w.ptr('dScores'), query: this.#luongQuery, key: encoder, work }, B, Tt, Ts, He, Tt * Ts);
    const dQuery = this.attention === 'luong-general' ? this.#wa!.modelBackward(w.ptr('dQuery')) : w.ptr('dQuery');
    const dH = w.ptr('dDecoderOutput');
    addScaledF32(backend, { dst: dH, left: dH, right: dQuery }, Tt * B * H, 1);
    return dH;
  }

  /**
   * Backward through the last forward: the decoder (BPTT), then the state hand-off — each
   * decoder recurrent layer's dInitialState is the dFinalState of its encoder layer — then the
   * encoder, top down. Gradients accumulate.
   */
  protected backwardStaged(dOutput: number): void {
    let d = dOutput;
    const attending = this.attention !== 'none';
    if (attending) this.backend.fillFloats(this.work.ptr('dEnc'), this.#stagedTs * this.#stagedB * this.#encoderTopUnits(), 0);
    const first = this.#decoderRecurrent[0];
    const top = this.#decoderRecurrent[this.#decoderRecurrent.length - 1];
    for (let i = this.decoderLayers.length - 1; i >= 0; i--) {
      const layer = this.decoderLayers[i];
      if (layer === top && (this.attention === 'luong-dot' || this.attention === 'luong-general')) d = this.#luongBackward(d);
      if (layer === first && this.attention === 'bahdanau') d = this.#bahdanauBackward(first, d);
      else d = layer.modelBackward(d);
    }
    let k = this.#encoderRecurrent.length - 1;
    // Without attention the encoder's outputs reach the loss only through its final states; with, its top layer's every step.
    d = attending ? this.work.ptr('dEnc') : 0;
    for (let i = this.encoderLayers.length - 1; i >= 0; i--) {
      const layer = this.encoderLayers[i];
      if (layer instanceof RecurrentLayer) {
        const decoder = this.#decoderRecurrent[k--];
        const dFinal: StatePointers = {};
        const bahdanau = decoder === first && this.attention === 'bahdanau';
        for (const name of layer.stateKeys) dFinal[name] = bahdanau ? this.work.ptr(name === 'h' ? 'carryH' : 'carryC') : decoder.dInitialStatePtr(name);
        layer.backwardFrom(d, dFinal);
        d = layer.dInputPtr();
      } else {
        layer.modelBackward(d);
      }
    }
  }
}

/** Pointers of a recurrent layer's own final states (the decoder's next step starts from them). */
function finalStates(layer: RecurrentLayer): StatePointers {
  const out: StatePointers = {};
  for (const name of layer.stateKeys) out[name] = layer.finalStatePtr(name);
  return out;
}
