// What a Sequential needs of a layer. Data flows between layers in linear
// memory: a sequence is [T, B, features] (time-major), a vector per sequence is
// [B, features]; token ids are i32 [T, B]. A layer reads its input where the
// layer below left it, writes its output into its own workspace, and returns
// pointers; nothing is copied to JavaScript on the way.
import type { F32Buffer } from '../engine/backend.js';
import type { WeightFormat, Weights } from './formats.js';
import type { Ownership } from './ownership.js';

/** What flows into or out of a layer. */
export interface Flow {
  /** Features per row (1 for token ids). */
  features: number;
  /** [T, B, features] (true) or [B, features] (false). */
  sequence: boolean;
  /** Integer token ids (an Embedding's input) instead of floats. */
  ids?: boolean;
  /**
   * Images: each sample is [height, width, channels] (channels-last, as Keras), features =
   * height·width·channels, and sequence is false: a batch is [B, height, width, channels].
   */
  image?: readonly [number, number, number];
}

/** Batch geometry of one forward: T steps (1 for vectors), B sequences, a [T, B] mask pointer or 0. */
export interface Batch {
  T: number;
  B: number;
  mask: number;
  /** Training (a softmax head leaves logits for the fused loss) or inference (probabilities). */
  training: boolean;
  /** Seed of this forward's random noise (dropout); absent: no noise (inference, evaluation). */
  noise?: number;
}

/** @internal */
export interface ModelLayer {
  readonly kind: string;
  readonly built: boolean;
  readonly disposed: boolean;
  /** Who the layer belongs to (a model, or a Bidirectional): checked when taken and on dispose. */
  readonly ownership: Ownership;
  /** Floats of the layer's parameter region (after connect). */
  readonly paramFloats: number;
  /** Checks `input` fits, builds the layer if needed (seed for its weights unless it has its own); returns what it outputs. */
  connect(where: string, input: Flow, seed: number): Flow;
  adopt(params: F32Buffer, grads: F32Buffer, base: number): void;
  /**
   * Sequence layers that change the number of steps ('valid' or strided convolutions, pooling over
   * time): the steps out for T steps in; throws a RangeError naming `where` when T is too short.
   * Absent: the layer keeps T.
   */
  outputSteps?(where: string, T: number): number;
  /** Runs on the input at pointer `x`; returns the output pointer (valid until the layer's next forward). */
  modelForward(x: number, batch: Batch): number;
  /** Backward through the last modelForward; parameter gradients accumulate. Returns the pointer of dInput (0 if the input has no gradient). */
  modelBackward(dOutput: number): number;
  config(): Record<string, unknown>;
  getWeights(options?: { format?: WeightFormat }): Weights;
  /** The layer's gradients read from `slab` (a copy of the model's gradient slab), named as getWeights names the weights. */
  gradientWeights(slab: Float32Array, format: WeightFormat): Weights;
  setWeights(weights: Weights | Record<string, unknown>, options?: { format?: WeightFormat }): void;
  dispose(): void;
  /** Present on layers whose output at t reads earlier steps of their input (convolutions): how they run one step at a time. */
  readonly streaming?: Streaming;
}

/**
 * One step at a time for a layer that reads earlier steps (a causal convolution, a TDNN, a TCN):
 * it carries a history of what it has seen, historyFloats per sequence, in a layout of its own
 * (a causal convolution: its last R input rows, [R, B, C] time-major, oldest first; a composite
 * layer concatenates its inner layers' histories). A model keeps the history in a user-owned
 * array between steps (zeros at the start of a stream), stages it into linear memory, calls
 * modelStep, and copies it back.
 */
export interface Streaming {
  /** Why the layer cannot run one step at a time (e.g. its output at t reads steps after t); null when it can. */
  readonly refusal: string | null;
  /** Floats of history per sequence (the history of B sequences is B·historyFloats floats). */
  readonly historyFloats: number;
  /** What the history holds, for error messages (e.g. '2 steps × 3 channels'). */
  readonly historyShape: string;
  /**
   * One output step [B, out] from the input row x [B, in] and the history at pointer `history`
   * (B·historyFloats floats), which it updates in place to include x. Returns the output pointer
   * (valid until the layer's next forward or step). Only when refusal is null.
   */
  modelStep(x: number, B: number, history: number): number;
}
