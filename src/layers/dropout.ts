// Dropout (inverted): while training, each value is zeroed with probability
// `rate` and the rest scaled by 1/(1 − rate); at inference it passes its input
// through untouched. The mask comes from a counter-based hash in WASM of (the
// layer's seed, the model's update count, the element index), so the same seed
// gives the same masks run to run, and a resumed model continues the sequence.
import type { Backend } from '../engine/backend.js';
import { sizeProduct } from '../engine/sizes.js';
import { describe, readSeed } from '../errors.js';
import { UnweightedLayer } from './unweighted.js';
import type { Batch, Flow, ModelLayer } from './layer.js';
import { dropoutF32, multiplyF32 } from '../kernels/model.js';

export interface DropoutOptions {
  /** Fraction of values zeroed while training, in [0, 1). */
  rate: number;
  /** Seed of the masks (default: derived from the model's seed). */
  seed?: number;
  backend?: Backend;
}

/** A 32-bit mix of two integers (splitmix32's finaliser on a ⊕ golden-ratio-scaled b). */
export function mix(a: number, b: number): number {
  let z = (a ^ Math.imul(b + 1, 0x9e3779b9)) | 0;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return (z ^ (z >>> 16)) >>> 0;
}

export class Dropout extends UnweightedLayer implements ModelLayer {
  readonly kind = 'Dropout';
  readonly rate: number;
  readonly seedGiven: boolean;
  #seed: number;
  #features = 0;
  #active = false;
  #n = 0;

  constructor(options: DropoutOptions) {
    const where = 'Dropout';
    super(where, options, ['rate', 'seed']);
    const rate = options.rate;
    if (typeof rate !== 'number' || !(rate >= 0 && rate < 1)) throw new RangeError(`${where}: options.rate must be a number in [0, 1), got ${describe(rate)}`);
    this.rate = rate;
    this.seedGiven = options.seed !== undefined;
    this.#seed = readSeed(where, 'options.seed', options.seed);
  }

  get seed(): number {
    return this.#seed;
  }

  override config(): Record<string, unknown> {
    return { rate: this.rate, seed: this.#seed };
  }

  /** @internal */
  connect(where: string, input: Flow, seed: number): Flow {
    if (input.ids) throw new RangeError(`${where}: Dropout needs feature vectors, but gets token ids (put it after the Embedding)`);
    if (!this.seedGiven && !this.built) this.#seed = seed;
    this.#features = input.features;
    this.markConnected();
    return input;
  }

  /** @internal Identity unless the batch carries a noise seed (training). */
  modelForward(x: number, batch: Batch): number {
    this.#active = batch.noise !== undefined && this.rate > 0;
    if (!this.#active) return x;
    const size = sizeProduct(batch.T, batch.B, this.#features);
    this.work.layout({ out: size, mask: size, dX: size }, 'Dropout', `the workspace for a batch of ${batch.B} sequences × ${batch.T} time steps (${this.#features} features)`);
    const n = Number(size);
    this.#n = n;
    dropoutF32(this.backend, { out: this.work.ptr('out'), mask: this.work.ptr('mask'), x }, n, this.rate, mix(this.#seed, batch.noise!));
    return this.work.ptr('out');
  }

  /** @internal */
  modelBackward(dOutput: number): number {
    if (!this.#active) return dOutput;
    multiplyF32(this.backend, { dst: this.work.ptr('dX'), a: dOutput, b: this.work.ptr('mask') }, this.#n);
    return this.work.ptr('dX');
  }
}
