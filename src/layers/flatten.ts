// Flatten: images [B, height, width, channels] → vectors [B, height·width·channels] (Keras'
// Flatten, channels-last order: the index is (h·W + w)·C + c). Inside a model an image batch is
// already those vectors in linear memory, so forward hands on its input pointer and backward its
// output gradient: no copy, no call. Sequences are not flattened (their length varies between
// batches): take the last step (returnSequences: false) or a GlobalAveragePooling1D instead.
import type { Backend } from '../engine/backend.js';
import { UnweightedLayer } from './unweighted.js';
import type { Flow, ModelLayer } from './layer.js';

export interface FlattenOptions {
  backend?: Backend;
}

export class Flatten extends UnweightedLayer implements ModelLayer {
  readonly kind = 'Flatten';

  constructor(options: FlattenOptions = {}) {
    super('Flatten', options);
  }

  /** @internal */
  connect(where: string, input: Flow): Flow {
    if (!input.image) {
      const got = input.ids ? 'token ids' : input.sequence ? 'sequences (their length varies: use returnSequences: false or a GlobalAveragePooling1D)' : 'vectors already';
      throw new RangeError(`${where}: Flatten needs images [height, width, channels] as input, but gets ${got}`);
    }
    this.markConnected();
    return { features: input.features, sequence: false };
  }

  /** @internal [B, H, W, C] is already [B, H·W·C]. */
  modelForward(x: number): number {
    return x;
  }

  /** @internal */
  modelBackward(dOutput: number): number {
    return dOutput;
  }
}
