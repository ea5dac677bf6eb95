// What every layer without weights shares (pooling, Flatten, Dropout): its backend, a grow-only
// workspace, the model it belongs to, connect-once state, the empty weight methods and dispose.
// A subclass writes its connect (calling markConnected), forward and backward.
import type { Backend, F32Buffer } from '../engine/backend.js';
import { Backend as BackendClass } from '../engine/backend.js';
import { checkOptions, describe } from '../errors.js';
import { defaultBackend } from '../engine/init.js';
import { Workspace } from './parameters.js';
import { Ownership } from './ownership.js';
import type { Weights } from './formats.js';

export abstract class UnweightedLayer {
  /** The class name, the prefix of error messages. */
  abstract readonly kind: string;
  readonly backend: Backend;
  /** @internal The model the layer belongs to. */
  readonly ownership = new Ownership();
  protected readonly work: Workspace;
  #connected = false;
  #disposed = false;

  /** Checks `options` (an object of `allowed` keys besides backend) and the backend. */
  protected constructor(where: string, options: unknown, allowed: readonly string[] = []) {
    const o = checkOptions(where, options ?? {}, [...allowed, 'backend']);
    const backend = o.backend ?? defaultBackend();
    if (!(backend instanceof BackendClass)) throw new TypeError(`${where}: options.backend must be a Backend, got ${describe(o.backend)}`);
    this.backend = backend;
    this.work = new Workspace(backend);
  }

  get built(): boolean {
    return this.#connected;
  }

  get disposed(): boolean {
    return this.#disposed;
  }

  /** @internal No parameters. */
  get paramFloats(): number {
    return 0;
  }

  protected markConnected(): void {
    this.#connected = true;
  }

  config(): Record<string, unknown> {
    return {};
  }

  /** @internal */
  adopt(_params: F32Buffer, _grads: F32Buffer, _base: number): void {}

  /** No weights: {}. */
  getWeights(): Weights {
    return {};
  }

  /** @internal No gradients: {}. */
  gradientWeights(): Weights {
    return {};
  }

  /** Accepts only {} (there are no weights). */
  setWeights(weights: Weights | Record<string, unknown>): void {
    if (weights === null || typeof weights !== 'object' || Object.keys(weights).length > 0) {
      throw new RangeError(`${this.kind}.setWeights: a ${this.kind} layer has no weights; expected {}, got ${describe(weights)}`);
    }
  }

  /** Frees the workspace; a layer that belongs to a model is disposed with the model (calling this on it throws). */
  dispose(): void {
    if (this.#disposed) return;
    this.ownership.checkDispose(`${this.kind}.dispose`);
    this.work.dispose();
    this.#disposed = true;
  }
}
