// A layer's parameters and their gradients: named, 16-byte-aligned regions of
// one parameter slab and one gradient slab. A layer alone owns its slabs; a
// model adopts the regions into its own slabs so that one optimizer call
// updates every parameter of the model.
import { type Backend, type F32Buffer, liveView } from '../engine/backend.js';
import { layoutBlock, roundUp4, sizeProduct } from '../engine/sizes.js';

export interface ParamSpec {
  name: string;
  shape: number[];
}

interface Slot {
  offset: number; // floats from the region's base
  length: number;
  shape: number[];
}

export class Parameters {
  #slots = new Map<string, Slot>();
  #floats = 0;
  #params: F32Buffer;
  #grads: F32Buffer;
  #base = 0;
  #owned = true;

  /**
   * Allocates the layer's own slabs and fills parameter `index` with `initial(spec, index)`. Sizes are
   * checked first (exactly): too many floats for one block is a RangeError `${where}: ${what} needs …`,
   * before any value is drawn.
   */
  constructor(
    readonly backend: Backend,
    specs: ParamSpec[],
    initial: (spec: ParamSpec, index: number) => Float32Array,
    where = 'Parameters',
    what = 'the parameters',
  ) {
    const lengths = specs.map((spec) => sizeProduct(...spec.shape));
    const { offsets, total } = layoutBlock(where, what, lengths);
    specs.forEach((spec, i) => this.#slots.set(spec.name, { offset: offsets[i], length: Number(lengths[i]), shape: spec.shape }));
    this.#floats = Number(lengths.reduce((sum, length) => sum + roundUp4(length), 0n));
    this.#params = backend.allocBlock(where, what, total);
    try {
      this.#grads = backend.allocBlock(where, `the gradients of ${what}`, total);
    } catch (error) {
      this.#params.dispose();
      throw error;
    }
    specs.forEach((spec, index) => liveView(this.#params).set(initial(spec, index), this.#slots.get(spec.name)!.offset));
  }

  /** Floats of the region (every parameter rounded up to 4). */
  get floats(): number {
    return this.#floats;
  }

  has(name: string): boolean {
    return this.#slots.has(name);
  }

  /** Pointer to a parameter (valid until the model or layer is disposed). */
  ptr(name: string): number {
    return this.#params.ptr + (this.#base + this.#slot(name).offset) * 4;
  }

  /** Pointer to a parameter's gradient. */
  gradPtr(name: string): number {
    return this.#grads.ptr + (this.#base + this.#slot(name).offset) * 4;
  }

  /** Copies of the parameters (or of their gradients), by name. */
  values(gradients = false): Record<string, Float32Array> {
    const view = liveView(gradients ? this.#grads : this.#params);
    const out: Record<string, Float32Array> = {};
    for (const [name, slot] of this.#slots) out[name] = view.slice(this.#base + slot.offset, this.#base + slot.offset + slot.length);
    return out;
  }

  /** The parameters' values (or gradients) by name, from `slab`: a copy of a whole model slab (or of the layer's own), in slab order. */
  valuesOf(slab: Float32Array): Record<string, Float32Array> {
    const out: Record<string, Float32Array> = {};
    for (const [name, slot] of this.#slots) out[name] = slab.slice(this.#base + slot.offset, this.#base + slot.offset + slot.length);
    return out;
  }

  /** Writes every parameter (already validated: one array of the right length per name). */
  set(values: Record<string, Float32Array>): void {
    const view = liveView(this.#params);
    for (const [name, slot] of this.#slots) view.set(values[name], this.#base + slot.offset);
  }

  zeroGrads(): void {
    liveView(this.#grads).fill(0, this.#base, this.#base + this.#floats);
  }

  /** Moves the values into a model's slabs at float `base` (gradients zeroed) and frees the layer's own. */
  adopt(params: F32Buffer, grads: F32Buffer, base: number): void {
    liveView(params).set(liveView(this.#params).subarray(this.#base, this.#base + this.#floats), base);
    liveView(grads).fill(0, base, base + this.#floats);
    this.#release();
    this.#params = params;
    this.#grads = grads;
    this.#base = base;
    this.#owned = false;
  }

  /** Frees the slabs if the layer owns them (a model frees its own). */
  dispose(): void {
    this.#release();
  }

  #release(): void {
    if (this.#owned) {
      this.#params.dispose();
      this.#grads.dispose();
    }
  }

  #slot(name: string): Slot {
    const slot = this.#slots.get(name);
    if (!slot) throw new Error(`internal: no parameter '${name}'`);
    return slot;
  }
}

/**
 * A grow-only workspace of named float regions (16-byte aligned), sized for
 * the largest request seen; `layout` lays out the regions and grows if needed.
 */
export class Workspace {
  #buffer: F32Buffer | null = null;
  #regions = new Map<string, { offset: number; length: number }>();
  /** The caller's key of the current layout (null: none given). */
  #key: string | null = null;

  constructor(readonly backend: Backend) {}

  /**
   * Lays out `regions` (floats each, exact: number or bigint); allocates a larger buffer if they do
   * not fit. Throws before changing anything: a total one block cannot hold is a RangeError
   * `${where}: ${what} needs … floats (… bytes), …`. `key`: a string of everything the caller's
   * regions depend on (laidOutFor).
   */
  layout(regions: Record<string, number | bigint>, where = 'Workspace.layout', what = 'the workspace', key: string | null = null): void {
    const names = Object.keys(regions);
    const { offsets, total } = layoutBlock(where, what, names.map((name) => regions[name]));
    const next = new Map<string, { offset: number; length: number }>();
    names.forEach((name, i) => next.set(name, { offset: offsets[i], length: Number(regions[name]) }));
    if (!this.#buffer || this.#buffer.length < total) {
      const buffer = this.backend.allocBlock(where, what, total);
      this.#buffer?.dispose();
      this.#buffer = buffer;
    }
    this.#regions = next;
    this.#key = key;
  }

  /**
   * Whether the current layout was made with this `key`: then it stands as it is, and a caller
   * that runs often with the same sizes (predict on one short sequence) skips building its regions.
   * Any layout without a key, or with another, answers false until laid out with `key` again.
   */
  laidOutFor(key: string): boolean {
    return this.#key === key && this.#buffer !== null;
  }

  ptr(name: string): number {
    const region = this.#regions.get(name);
    if (!region || !this.#buffer) throw new Error(`internal: no workspace region '${name}'`);
    return this.#buffer.ptr + region.offset * 4;
  }

  /** Floats of the workspace buffer (for memory tests). */
  get floats(): number {
    return this.#buffer?.length ?? 0;
  }

  dispose(): void {
    this.#buffer?.dispose();
    this.#buffer = null;
    this.#key = null;
  }
}
