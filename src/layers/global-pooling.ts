// GlobalAveragePooling1D and GlobalMaxPooling1D: a sequence [T, B, C] → one vector per sequence
// [B, C], the mean or the maximum over time (Keras' layers of the same names; "mean over time" is
// the sequence → class head after a Conv1D). Inside a model the batch is time-major, so the
// pooling kernels (assembly/pool.ts, global forms over [N, S, C]) read it as one sample of S = T
// rows of B·C values: no copy. With a mask only real steps count: padded rows are zeroed (mean,
// then each sequence is rescaled by T / its length) or set to −∞ (max) in a copy first, and get
// no gradient. GlobalAveragePooling2D and GlobalMaxPooling2D: images [B, H, W, C] → [B, C], the
// same kernels with N = B samples of S = H·W cells. No weights.
import type { Backend } from '../engine/backend.js';
import { sizeProduct } from '../engine/sizes.js';
import { UnweightedLayer } from './unweighted.js';
import type { Batch, Flow, ModelLayer } from './layer.js';
import { globalAvgPoolBackwardF32, globalAvgPoolForwardF32, globalMaxPoolBackwardF32, globalMaxPoolForwardF32 } from '../kernels/pool.js';
import { scaleF32 } from '../kernels/optim.js';

export interface GlobalPoolingOptions {
  backend?: Backend;
}

abstract class GlobalPooling1D extends UnweightedLayer implements ModelLayer {
  abstract override readonly kind: 'GlobalAveragePooling1D' | 'GlobalMaxPooling1D';
  protected features = 0;
  // the last forward
  protected T = 0;
  protected B = 0;
  protected mask = 0;

  constructor(where: string, options: GlobalPoolingOptions) {
    super(where, options);
  }

  /** @internal */
  connect(where: string, input: Flow): Flow {
    if (input.ids || !input.sequence) {
      const got = input.ids ? 'token ids (put an Embedding first)' : input.image ? 'images (use GlobalAveragePooling2D or GlobalMaxPooling2D)' : 'one vector per sequence already (set returnSequences: true on the layer below)';
      throw new RangeError(`${where}: ${this.kind} needs sequences of feature vectors as input, but gets ${got}`);
    }
    this.features = input.features;
    this.markConnected();
    return { features: input.features, sequence: false };
  }

  /** @internal x: [T, B, C] time-major → [B, C]. */
  modelForward(x: number, batch: Batch): number {
    const { T, B, mask } = batch;
    const C = this.features;
    this.work.layout({
      out: sizeProduct(B, C), argmax: sizeProduct(B, C), dX: sizeProduct(T, B, C), dY: sizeProduct(B, C), xm: mask ? sizeProduct(T, B, C) : 0,
    }, this.kind, `the workspace for a batch of ${B} sequences × ${T} time steps (${C} features)`);
    [this.T, this.B, this.mask] = [T, B, mask];
    let input = x;
    if (mask) {
      input = this.work.ptr('xm');
      this.backend.copyFloats(input, x, T * B * C);
      this.#fillPadded(input, this.paddedValue);
    }
    this.pool(input, T, B * C);
    return this.work.ptr('out');
  }

  /** @internal */
  modelBackward(dOutput: number): number {
    const [T, B, C] = [this.T, this.B, this.features];
    const dX = this.work.ptr('dX');
    this.backend.fillFloats(dX, T * B * C, 0);
    this.unpool(dX, dOutput, T, B * C);
    if (this.mask) this.#fillPadded(dX, 0);
    return dX;
  }

  /** What a padded step holds while pooling: 0 for the mean, −∞ for the max. */
  protected abstract readonly paddedValue: number;
  /** out [rows] ← pool over S steps of x [S, rows]. */
  protected abstract pool(x: number, S: number, rows: number): void;
  /** dX [S, rows] += the gradient of the pool from dY [rows]. */
  protected abstract unpool(dX: number, dY: number, S: number, rows: number): void;

  /** Sets the [C] rows of padded steps (mask entry 0) of a [T, B, C] buffer to `value`. */
  #fillPadded(ptr: number, value: number): void {
    const [T, B, C] = [this.T, this.B, this.features];
    const heap = this.backend.heapF32();
    for (let r = 0; r < T * B; r++) if (heap[(this.mask >>> 2) + r] === 0) heap.fill(value, (ptr >>> 2) + r * C, (ptr >>> 2) + (r + 1) * C);
  }

  /** Real steps of each sequence of the last forward (T without a mask). */
  protected lengths(): number[] {
    const [T, B] = [this.T, this.B];
    const out = new Array<number>(B).fill(T);
    if (!this.mask) return out;
    const heap = this.backend.heapF32();
    for (let b = 0; b < B; b++) {
      let n = 0;
      for (let t = 0; t < T; t++) n += heap[(this.mask >>> 2) + t * B + b];
      out[b] = n;
    }
    return out;
  }
}

/** The mean over (real) time steps: [T, B, C] → [B, C]. */
export class GlobalAveragePooling1D extends GlobalPooling1D {
  readonly kind = 'GlobalAveragePooling1D';
  protected readonly paddedValue = 0;

  constructor(options: GlobalPoolingOptions = {}) {
    super('GlobalAveragePooling1D', options);
  }

  protected pool(x: number, S: number, rows: number): void {
    const out = this.work.ptr('out');
    globalAvgPoolForwardF32(this.backend, { y: out, x }, 1, S, rows);
    if (this.mask) this.#rescale(out); // Σ over real steps / T → / length
  }

  protected unpool(dX: number, dY: number, S: number, rows: number): void {
    let d = dY;
    if (this.mask) {
      d = this.work.ptr('dY');
      this.backend.copyFloats(d, dY, rows);
      this.#rescale(d);
    }
    globalAvgPoolBackwardF32(this.backend, { dX, dY: d }, 1, S, rows);
  }

  /** Each sequence's [C] row times T / its length (one scale call per sequence). */
  #rescale(ptr: number): void {
    const C = this.features;
    this.lengths().forEach((length, b) => scaleF32(this.backend, { x: ptr + b * C * 4 }, C, length > 0 ? this.T / length : 0));
  }
}

/** The maximum over (real) time steps: [T, B, C] → [B, C]; the gradient goes to the first step that holds it. */
export class GlobalMaxPooling1D extends GlobalPooling1D {
  readonly kind = 'GlobalMaxPooling1D';
  protected readonly paddedValue = -Infinity;

  constructor(options: GlobalPoolingOptions = {}) {
    super('GlobalMaxPooling1D', options);
  }

  protected pool(x: number, S: number, rows: number): void {
    globalMaxPoolForwardF32(this.backend, { y: this.work.ptr('out'), argmax: this.work.ptr('argmax'), x }, 1, S, rows);
  }

  protected unpool(dX: number, dY: number, _S: number, rows: number): void {
    globalMaxPoolBackwardF32(this.backend, { dX, dY, argmax: this.work.ptr('argmax') }, 1, rows);
  }
}

/** The mean or the maximum over every cell of each image: [B, H, W, C] → [B, C] (the kernels' global forms with N = B, S = H·W). */
abstract class GlobalPooling2D extends UnweightedLayer implements ModelLayer {
  abstract override readonly kind: 'GlobalAveragePooling2D' | 'GlobalMaxPooling2D';
  #image: readonly [number, number, number] = [0, 0, 0];
  #B = 0;

  /** @internal */
  connect(where: string, input: Flow): Flow {
    if (!input.image) {
      const got = input.ids ? 'token ids' : input.sequence ? `sequences (use ${this.kind.replace('2D', '1D')})` : 'vectors';
      throw new RangeError(`${where}: ${this.kind} needs images [height, width, channels] as input, but gets ${got}`);
    }
    this.#image = input.image;
    this.markConnected();
    return { features: input.image[2], sequence: false };
  }

  /** @internal x: [B, H, W, C] → [B, C]. */
  modelForward(x: number, batch: Batch): number {
    const B = batch.B;
    const [H, W, C] = this.#image;
    this.work.layout({ out: sizeProduct(B, C), argmax: this.kind === 'GlobalMaxPooling2D' ? sizeProduct(B, C) : 0, dX: sizeProduct(B, H, W, C) },
      this.kind, `the workspace for a batch of ${B} images ${H}×${W}×${C}`);
    this.#B = B;
    const out = this.work.ptr('out');
    if (this.kind === 'GlobalMaxPooling2D') globalMaxPoolForwardF32(this.backend, { y: out, argmax: this.work.ptr('argmax'), x }, B, H * W, C);
    else globalAvgPoolForwardF32(this.backend, { y: out, x }, B, H * W, C);
    return out;
  }

  /** @internal */
  modelBackward(dOutput: number): number {
    const B = this.#B;
    const [H, W, C] = this.#image;
    const dX = this.work.ptr('dX');
    this.backend.fillFloats(dX, B * H * W * C, 0);
    if (this.kind === 'GlobalMaxPooling2D') globalMaxPoolBackwardF32(this.backend, { dX, dY: dOutput, argmax: this.work.ptr('argmax') }, B, C);
    else globalAvgPoolBackwardF32(this.backend, { dX, dY: dOutput }, B, H * W, C);
    return dX;
  }
}

/** The mean over each image's cells: [B, H, W, C] → [B, C]. */
export class GlobalAveragePooling2D extends GlobalPooling2D {
  readonly kind = 'GlobalAveragePooling2D';

  constructor(options: GlobalPoolingOptions = {}) {
    super('GlobalAveragePooling2D', options);
  }
}

/** The maximum over each image's cells: [B, H, W, C] → [B, C]; the gradient goes to the first cell (row-major) that holds it. */
export class GlobalMaxPooling2D extends GlobalPooling2D {
  readonly kind = 'GlobalMaxPooling2D';

  constructor(options: GlobalPoolingOptions = {}) {
    super('GlobalMaxPooling2D', options);
  }
}
