// What every layer with weights shares: option checks for seed and backend,
// its Parameters (own slabs, or a region of a model's after adopt), a
// grow-only Workspace, build-once weights, dispose. SimpleRNN/LSTM/GRU (through
// RecurrentLayer), Dense and Embedding extend it.
import { Backend, type F32Buffer } from '../engine/backend.js';
import { checkOptions, describe, readSeed } from '../errors.js';
import { defaultBackend } from '../engine/init.js';
import { Random } from '../random.js';
import { Parameters, Workspace, type ParamSpec } from './parameters.js';
import { checkFormat, type WeightFormat, type Weights } from './formats.js';
import { Ownership } from './ownership.js';

export abstract class WeightedLayer {
  /** The class name, the prefix of error messages. */
  abstract readonly kind: string;
  readonly backend: Backend;
  /** The option that builds the layer outside a model (named in the error for an unbuilt layer). */
  protected readonly buildOption: string = 'inputSize';
  /** Whether the seed was given (a model derives one for layers without). */
  readonly seedGiven: boolean;
  #seed: number;
  #parameters: Parameters | null = null;
  #disposed = false;
  /** @internal The model (or Bidirectional) the layer belongs to. */
  readonly ownership = new Ownership();
  /** Regions for forward and backward, grown to the largest batch seen. */
  protected readonly workspace: Workspace;

  /** Checks `options` (an object of `allowed` keys) and its seed and backend. */
  protected constructor(where: string, options: unknown, allowed: readonly string[]) {
    const o = checkOptions(where, options, [...allowed, 'seed', 'backend']);
    this.seedGiven = o.seed !== undefined;
    this.#seed = readSeed(where, 'options.seed', o.seed);
    const backend = o.backend ?? defaultBackend();
    if (!(backend instanceof Backend)) throw new TypeError(`${where}: options.backend must be a Backend, got ${describe(o.backend)}`);
    this.backend = backend;
    this.workspace = new Workspace(backend);
  }

  /** Seed of the initial weights. */
  get seed(): number {
    return this.#seed;
  }

  /** Whether the layer has its weights (a layer made without its input size gets them in a model). */
  get built(): boolean {
    return this.#parameters !== null;
  }

  get disposed(): boolean {
    return this.#disposed;
  }

  /** @internal Floats of the layer's parameter region (after build). */
  get paramFloats(): number {
    return this.#parameters!.floats;
  }

  /** The layer's parameters (after build). */
  protected get parameters(): Parameters {
    return this.#parameters!;
  }

  /** Internal values (by parameter name) → named weights in `format`; `gradients` maps gradients instead. */
  protected abstract exportWeights(format: WeightFormat, values: Record<string, Float32Array>, gradients: boolean): Weights;

  /** Copies of the weights in `format` ('native' by default). */
  getWeights(options: { format?: WeightFormat } = {}): Weights {
    const where = `${this.kind}.getWeights`;
    this.checkAlive(where);
    return this.exportWeights(checkFormat(where, options?.format ?? 'native'), this.parameters.values(), false);
  }

  /** @internal The gradients of this layer's parameters, read from `slab` (a copy of its model's gradient slab), named as getWeights names them. */
  gradientWeights(slab: Float32Array, format: WeightFormat): Weights {
    return this.exportWeights(format, this.parameters.valuesOf(slab), true);
  }

  /** Draws the weights: parameter `index` from its own stream of the seed. `seed` replaces a seed that was not given. `what` names the sizes in errors. */
  protected createParameters(specs: ParamSpec[], initial: (spec: ParamSpec, random: Random) => Float32Array, seed: number | undefined, what: string): void {
    // Sizes are checked (by Parameters, before anything is drawn or allocated) before the seed is taken.
    const chosen = seed !== undefined && !this.seedGiven ? seed : this.#seed;
    this.#parameters = new Parameters(this.backend, specs, (spec, index) => initial(spec, new Random(chosen, index)), this.kind, what);
    this.#seed = chosen;
  }

  /** @internal Moves the weights into a model's slabs at float `base` (see Parameters.adopt). */
  adopt(params: F32Buffer, grads: F32Buffer, base: number): void {
    this.#parameters!.adopt(params, grads, base);
  }

  /**
   * Frees the layer's linear memory. Using the layer afterwards is an error. A layer that belongs
   * to a model (or a Bidirectional) is disposed by disposing that owner; calling this on it throws.
   */
  dispose(): void {
    if (this.#disposed) return;
    this.ownership.checkDispose(`${this.kind}.dispose`);
    this.#parameters?.dispose();
    this.#parameters = null;
    this.workspace.dispose();
    this.#disposed = true;
  }

  /** checkAlive, and the layer's owner (if any) is not training: before anything that changes weights or gradients. */
  protected checkWritable(where: string): void {
    this.checkAlive(where);
    this.ownership.checkIdle(where);
  }

  /** Throws unless the layer is alive, its backend too, and it has its weights. */
  protected checkAlive(where: string): void {
    if (this.#disposed) throw new Error(`${where}: this layer was disposed`);
    if (this.backend.disposed) throw new Error(`${where}: the layer's backend was disposed`);
    if (!this.built) throw new Error(`${where}: this layer has no weights yet: give options.${this.buildOption}, or use it in a Sequential`);
  }
}
