// Who a layer belongs to. A layer belongs to at most one owner: the model it was given to
// (Sequential, EncoderDecoder) or the Bidirectional that wraps it. An owned layer is disposed
// through its owner, and whatever changes an owned layer's weights asks its owner first (a
// model refuses while it trains). One field per layer, set when the owner takes the layer and
// cleared when the owner disposes it.

/** What owns layers: a model, or a Bidirectional. */
export interface LayerOwner {
  /** How messages name the owner: 'a Sequential', 'a Bidirectional'. */
  readonly ownerName: string;
  /** Throws if the owner may not change now (a model while a fit runs). */
  checkIdle(where: string): void;
}

export class Ownership {
  #owner: LayerOwner | null = null;

  /** The owner, or null for a layer of its own. */
  get owner(): LayerOwner | null {
    return this.#owner;
  }

  /** Throws unless the layer is free to be taken (`label`: how the taker's options name it). */
  checkFree(where: string, label: string, kind: string): void {
    if (this.#owner) {
      throw new Error(`${where}: ${label} (${kind}) already belongs to ${this.#owner.ownerName}; a layer belongs to at most one model (make a new layer for this one)`);
    }
  }

  /** Takes the layer (after checkFree; the owner's constructor calls it last, when nothing can fail). */
  claim(owner: LayerOwner): void {
    if (this.#owner && this.#owner !== owner) throw new Error(`internal: layer claimed by ${owner.ownerName} while owned by ${this.#owner.ownerName}`);
    this.#owner = owner;
  }

  /** Gives the layer back (its owner is disposing it). */
  release(owner: LayerOwner): void {
    if (this.#owner === owner) this.#owner = null;
  }

  /** dispose() of a layer: an owned layer is disposed by its owner. */
  checkDispose(where: string): void {
    if (this.#owner) throw new Error(`${where}: this layer belongs to ${this.#owner.ownerName}; dispose the owner instead (it disposes its layers)`);
  }

  /** Before a change to the layer's weights or gradients: throws if its owner is busy (training). */
  checkIdle(where: string): void {
    this.#owner?.checkIdle(where);
  }
}
