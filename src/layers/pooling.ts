// Windowed pooling (Keras' MaxPooling1D/2D, AveragePooling1D/2D): the maximum or the mean of each
// window, channel by channel, with strides (default: the window, so windows tile the input) and
// padding 'valid' (whole windows only: ⌊(n − p)/s⌋ + 1 out) or 'same' (⌈n/s⌉ out; padded cells are
// not cells: max ignores them and the mean divides by the real cells, as TF.js's forward does).
// Max pooling saves the winner of each window for backward; on ties the gradient goes to the first
// cell of the window in row-major order (rows, then columns; for 1-D, the earliest step), as the
// kernel chooses (assembly/pool.ts). Images [B, H, W, C] go to the kernels as they are; a
// time-major sequence batch [T, B, C] is read as one image of height T and width B pooled with a
// P × 1 window, so each sequence is pooled on its own and nothing is copied. The 1-D layers
// change the number of steps (outputSteps), so a model refuses lengths/masks and step() through
// them. No weights.
import type { Backend } from '../engine/backend.js';
import { sizeProduct } from '../engine/sizes.js';
import { checkInt, checkOneOf } from '../errors.js';
import { UnweightedLayer } from './unweighted.js';
import type { Batch, Flow, ModelLayer } from './layer.js';
import { readPair } from './convolution.js';
import {
  avgPoolBackwardF32, avgPoolForwardF32, maxPoolBackwardF32, maxPoolForwardF32, poolAxis, poolShape, type PoolPadding, type PoolShape,
} from '../kernels/pool.js';

export type PoolingPadding = PoolPadding;

export interface Pooling2DOptions {
  /** Window rows × columns: one number or [rows, columns] (default 2). */
  poolSize?: number | readonly [number, number];
  /** Step between windows: one number or [rows, columns] (default poolSize). */
  strides?: number | readonly [number, number];
  /** 'valid' (default) or 'same'. */
  padding?: PoolingPadding;
  backend?: Backend;
}

export interface Pooling1DOptions {
  /** Steps per window (default 2). */
  poolSize?: number;
  /** Step between windows (default poolSize). */
  strides?: number;
  /** 'valid' (default) or 'same'. */
  padding?: PoolingPadding;
  backend?: Backend;
}

type Mode = 'max' | 'average';

/** Forward and backward of a windowed pooling, whatever the flow: subclasses give the kernel's geometry. */
abstract class WindowPooling extends UnweightedLayer {
  abstract override readonly kind: 'MaxPooling1D' | 'AveragePooling1D' | 'MaxPooling2D' | 'AveragePooling2D';
  readonly padding: PoolingPadding;
  protected readonly mode: Mode;
  #shape: PoolShape | null = null;

  constructor(where: string, mode: Mode, options: unknown, padding: unknown) {
    super(where, options, ['poolSize', 'strides', 'padding']);
    this.mode = mode;
    this.padding = padding === undefined ? 'valid' : checkOneOf(where, 'options.padding', padding, ['valid', 'same'] as const);
  }

  /** The kernels' geometry of a batch. */
  protected abstract shapeOf(batch: Batch): PoolShape;

  /** @internal x [N, H, W, C] as the kernels see it → [N, OH, OW, C]. */
  modelForward(x: number, batch: Batch): number {
    const s = this.shapeOf(batch);
    const out = sizeProduct(s.N, s.OH, s.OW, s.C);
    this.work.layout({ out, argmax: this.mode === 'max' ? out : 0, dX: sizeProduct(s.N, s.H, s.W, s.C) },
      this.kind, `the workspace for pooling ${s.N}×${s.H}×${s.W}×${s.C} values`);
    if (this.mode === 'max') maxPoolForwardF32(this.backend, { y: this.work.ptr('out'), argmax: this.work.ptr('argmax'), x }, s);
    else avgPoolForwardF32(this.backend, { y: this.work.ptr('out'), x }, s);
    this.#shape = s;
    return this.work.ptr('out');
  }

  /** @internal */
  modelBackward(dOutput: number): number {
    const s = this.#shape!;
    const dX = this.work.ptr('dX');
    this.backend.fillFloats(dX, s.N * s.H * s.W * s.C, 0);
    if (this.mode === 'max') maxPoolBackwardF32(this.backend, { dX, dY: dOutput, argmax: this.work.ptr('argmax') }, s.N * s.OH * s.OW * s.C);
    else avgPoolBackwardF32(this.backend, { dX, dY: dOutput }, s);
    return dX;
  }
}

/** Pooling over images [B, H, W, C] → [B, H', W', C]. */
abstract class Pooling2D extends WindowPooling implements ModelLayer {
  readonly poolSize: readonly [number, number];
  readonly strides: readonly [number, number];
  #image: readonly [number, number, number] = [0, 0, 0];

  constructor(where: string, mode: Mode, options: Pooling2DOptions = {}) {
    super(where, mode, options, options?.padding);
    this.poolSize = readPair(where, 'options.poolSize', options?.poolSize, 1, [2, 2]);
    this.strides = readPair(where, 'options.strides', options?.strides, 1, this.poolSize);
  }

  override config(): Record<string, unknown> {
    return { poolSize: [...this.poolSize], strides: [...this.strides], padding: this.padding };
  }

  /** @internal */
  connect(where: string, input: Flow): Flow {
    if (!input.image) {
      const got = input.ids ? 'token ids' : input.sequence ? `sequences (use ${this.kind.replace('2D', '1D')})` : 'vectors';
      throw new RangeError(`${where}: ${this.kind} needs images [height, width, channels] as input, but gets ${got}`);
    }
    const [H, W, C] = input.image;
    const s = poolShape(1, H, W, C, this.poolSize[0], this.poolSize[1], this.strides[0], this.strides[1], this.padding);
    if (s.OH < 1 || s.OW < 1) throw new RangeError(`${where}: ${this.kind}'s pool ${this.poolSize.join('×')} is larger than its input ${H}×${W} with padding 'valid'`);
    this.#image = input.image;
    this.markConnected();
    return { features: s.OH * s.OW * C, sequence: false, image: [s.OH, s.OW, C] };
  }

  protected shapeOf(batch: Batch): PoolShape {
    const [H, W, C] = this.#image;
    return poolShape(batch.B, H, W, C, this.poolSize[0], this.poolSize[1], this.strides[0], this.strides[1], this.padding);
  }
}

/** Pooling over time: sequences [T, B, C] → [T', B, C] (T' = ⌊(T − P)/s⌋ + 1 'valid', ⌈T/s⌉ 'same'). */
abstract class Pooling1D extends WindowPooling implements ModelLayer {
  readonly poolSize: number;
  readonly strides: number;
  #features = 0;

  constructor(where: string, mode: Mode, options: Pooling1DOptions = {}) {
    super(where, mode, options, options?.padding);
    this.poolSize = options?.poolSize === undefined ? 2 : checkInt(where, 'options.poolSize', options.poolSize, 1);
    this.strides = options?.strides === undefined ? this.poolSize : checkInt(where, 'options.strides', options.strides, 1);
  }

  override config(): Record<string, unknown> {
    return { poolSize: this.poolSize, strides: this.strides, padding: this.padding };
  }

  /** @internal */
  connect(where: string, input: Flow): Flow {
    if (input.ids || !input.sequence) {
      const got = input.ids ? 'token ids (put an Embedding first)' : input.image ? `images (use ${this.kind.replace('1D', '2D')})` : 'one vector per sequence (set returnSequences: true on the layer below)';
      throw new RangeError(`${where}: ${this.kind} needs sequences of feature vectors as input, but gets ${got}`);
    }
    this.#features = input.features;
    this.markConnected();
    return { features: input.features, sequence: true };
  }

  /** @internal Steps out for T steps in. */
  outputSteps(where: string, T: number): number {
    const { out } = poolAxis(T, this.poolSize, this.strides, this.padding);
    if (out < 1) throw new RangeError(`${where}: a 'valid' ${this.kind} with poolSize ${this.poolSize} needs at least ${this.poolSize} time steps, got ${T}`);
    return out;
  }

  /** The time-major batch as one image of height T and width B, a P × 1 window. */
  protected shapeOf(batch: Batch): PoolShape {
    return poolShape(1, batch.T, batch.B, this.#features, this.poolSize, 1, this.strides, 1, this.padding);
  }
}

/** The maximum of each window of an image: [B, H, W, C] → [B, H', W', C]. */
export class MaxPooling2D extends Pooling2D {
  readonly kind = 'MaxPooling2D';

  constructor(options: Pooling2DOptions = {}) {
    super('MaxPooling2D', 'max', options);
  }
}

/** The mean of each window of an image (over its real cells): [B, H, W, C] → [B, H', W', C]. */
export class AveragePooling2D extends Pooling2D {
  readonly kind = 'AveragePooling2D';

  constructor(options: Pooling2DOptions = {}) {
    super('AveragePooling2D', 'average', options);
  }
}

/** The maximum of each window of steps: [T, B, C] → [T', B, C]. */
export class MaxPooling1D extends Pooling1D {
  readonly kind = 'MaxPooling1D';

  constructor(options: Pooling1DOptions = {}) {
    super('MaxPooling1D', 'max', options);
  }
}

/** The mean of each window of steps (over its real steps): [T, B, C] → [T', B, C]. */
export class AveragePooling1D extends Pooling1D {
  readonly kind = 'AveragePooling1D';

  constructor(options: Pooling1DOptions = {}) {
    super('AveragePooling1D', 'average', options);
  }
}
