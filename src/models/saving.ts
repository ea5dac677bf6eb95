// Saving and loading the layers of a model: each layer as { type, config,
// weights } with every weight's data base64 of its little-endian f32 bytes.
// The models (Sequential, EncoderDecoder) wrap these in their own format.
import type { Backend } from '../engine/backend.js';
import { checkInt, describe } from '../errors.js';
import { ownEntry, readFields, readObject, type Schema } from '../saved-file.js';
import { GRU } from '../layers/gru.js';
import { LSTM } from '../layers/lstm.js';
import { RecurrentLayer } from '../layers/recurrent.js';
import { SimpleRNN } from '../layers/simple-rnn.js';
import type { Weights } from '../layers/formats.js';
import { base64ToFloats, floatsToBase64 } from './base64.js';
import { Bidirectional } from '../layers/bidirectional.js';
import { Dense } from '../layers/dense.js';
import { Dropout } from '../layers/dropout.js';
import { Conv1D } from '../layers/conv1d.js';
import { TCN } from '../layers/tcn.js';
import { TDNN } from '../layers/tdnn.js';
import { Conv2D } from '../layers/conv2d.js';
import { GlobalAveragePooling1D, GlobalAveragePooling2D, GlobalMaxPooling1D, GlobalMaxPooling2D } from '../layers/global-pooling.js';
import { AveragePooling1D, AveragePooling2D, MaxPooling1D, MaxPooling2D } from '../layers/pooling.js';
import { Embedding } from '../layers/embedding.js';
import { Flatten } from '../layers/flatten.js';
import type { ModelLayer } from '../layers/layer.js';

export type AnyLayer = SimpleRNN | LSTM | GRU | Dense | Embedding | Bidirectional | Dropout | Conv1D | TCN | TDNN | GlobalAveragePooling1D | GlobalMaxPooling1D | Flatten
  | Conv2D | MaxPooling1D | AveragePooling1D | MaxPooling2D | AveragePooling2D | GlobalAveragePooling2D | GlobalMaxPooling2D;
export const LAYER_TYPES = {
  SimpleRNN, LSTM, GRU, Dense, Embedding, Bidirectional, Dropout, Conv1D, TCN, TDNN, GlobalAveragePooling1D, GlobalMaxPooling1D, Flatten,
  Conv2D, MaxPooling1D, AveragePooling1D, MaxPooling2D, AveragePooling2D, GlobalAveragePooling2D, GlobalMaxPooling2D,
} as const;

export interface LayerJSON {
  type: string;
  config: Record<string, unknown>;
  weights: Record<string, { shape: number[]; data: string }>;
}

export function layerToJSON(layer: ModelLayer): LayerJSON {
  return {
    type: layer.kind,
    config: layer.config(),
    weights: Object.fromEntries(Object.entries(layer.getWeights()).map(([key, t]) => [key, { shape: t.shape, data: floatsToBase64(t.data) }])),
  };
}

/** A layer entry of a saved file, every field read and checked (see readLayers). */
export interface SavedLayer {
  type: LayerType;
  config: Record<string, unknown>;
  /** The inner layer of a Bidirectional. */
  inner: SavedLayer | null;
  /** Decoded and finite, in a null-prototype record. */
  weights: Weights;
}

type LayerType = keyof typeof LAYER_TYPES;
const RECURRENT: readonly string[] = ['SimpleRNN', 'LSTM', 'GRU'];

// What each layer kind's config may hold, with types and ranges. The constructors check the
// rest (one-of values, how layers chain); their messages get the entry's path.
const RECURRENT_CONFIG = {
  units: { kind: 'integer', min: 1 }, inputSize: { kind: 'integer', min: 0, optional: true }, seed: { kind: 'seed', optional: true },
  returnSequences: { kind: 'boolean', optional: true }, checkFinite: { kind: 'boolean', optional: true },
} as const satisfies Schema;
const POOLING_1D_CONFIG = {
  poolSize: { kind: 'integer', min: 1, optional: true }, strides: { kind: 'integer', min: 1, optional: true }, padding: { kind: 'string', optional: true },
} as const satisfies Schema;
const POOLING_2D_CONFIG = { poolSize: { kind: 'array', optional: true }, strides: { kind: 'array', optional: true }, padding: { kind: 'string', optional: true } } as const satisfies Schema;
const CONFIGS: Readonly<Record<LayerType, Schema>> = {
  SimpleRNN: { ...RECURRENT_CONFIG, activation: { kind: 'string', optional: true }, variant: { kind: 'string', optional: true } },
  LSTM: { ...RECURRENT_CONFIG, variant: { kind: 'string', optional: true }, gateActivation: { kind: 'string', optional: true }, forgetBias: { kind: 'float32', optional: true }, peepholes: { kind: 'array', optional: true } },
  GRU: { ...RECURRENT_CONFIG, variant: { kind: 'string', optional: true }, gateActivation: { kind: 'string', optional: true } },
  Dense: {
    units: { kind: 'integer', min: 1 }, inputSize: { kind: 'integer', min: 0, optional: true }, activation: { kind: 'string', optional: true },
    useBias: { kind: 'boolean', optional: true }, seed: { kind: 'seed', optional: true },
  },
  Embedding: { vocabSize: { kind: 'integer', min: 1 }, units: { kind: 'integer', min: 1 }, seed: { kind: 'seed', optional: true } },
  Dropout: { rate: { kind: 'number' }, seed: { kind: 'seed', optional: true } },
  Bidirectional: { merge: { kind: 'string', optional: true }, layer: { kind: 'object' } },
  Conv1D: {
    filters: { kind: 'integer', min: 1 }, kernelSize: { kind: 'integer', min: 1 }, padding: { kind: 'string', optional: true },
    strides: { kind: 'integer', min: 1, optional: true }, dilation: { kind: 'integer', min: 1, optional: true }, groups: { kind: 'integer', min: 1, optional: true },
    activation: { kind: 'string', optional: true }, useBias: { kind: 'boolean', optional: true },
    inputSize: { kind: 'integer', min: 0, optional: true }, seed: { kind: 'seed', optional: true },
  },
  TCN: {
    filters: { kind: 'integer', min: 1 }, kernelSize: { kind: 'integer', min: 1, optional: true }, dilations: { kind: 'array', optional: true },
    stacks: { kind: 'integer', min: 1, optional: true }, dropout: { kind: 'number', optional: true }, normalization: { kind: 'string', optional: true },
    skipConnections: { kind: 'boolean', optional: true }, returnSequences: { kind: 'boolean', optional: true },
    activation: { kind: 'string', optional: true }, useBias: { kind: 'boolean', optional: true },
    inputSize: { kind: 'integer', min: 0, optional: true }, seed: { kind: 'seed', optional: true },
  },
  TDNN: {
    units: { kind: 'integer', min: 1 }, context: { kind: 'array' }, activation: { kind: 'string', optional: true },
    useBias: { kind: 'boolean', optional: true }, inputSize: { kind: 'integer', min: 0, optional: true }, seed: { kind: 'seed', optional: true },
  },
  GlobalAveragePooling1D: {},
  GlobalMaxPooling1D: {},
  Flatten: {},
  Conv2D: {
    filters: { kind: 'integer', min: 1 }, kernelSize: { kind: 'array' }, strides: { kind: 'array', optional: true }, padding: { kind: 'string', optional: true },
    dilation: { kind: 'array', optional: true }, groups: { kind: 'integer', min: 1, optional: true }, activation: { kind: 'string', optional: true },
    useBias: { kind: 'boolean', optional: true }, inputChannels: { kind: 'integer', min: 1, optional: true }, seed: { kind: 'seed', optional: true },
  },
  MaxPooling1D: POOLING_1D_CONFIG,
  AveragePooling1D: POOLING_1D_CONFIG,
  MaxPooling2D: POOLING_2D_CONFIG,
  AveragePooling2D: POOLING_2D_CONFIG,
  GlobalAveragePooling2D: {},
  GlobalMaxPooling2D: {},
};
const ENTRY: Schema = { type: { kind: 'string' }, config: { kind: 'object' }, weights: { kind: 'object' } };
const INNER: Schema = { type: { kind: 'string' }, config: { kind: 'object' } };
const WEIGHT: Schema = { shape: { kind: 'array' }, data: { kind: 'string' } };
/** Largest weight a file may hold, in floats (1 GiB of f32). */
const MAX_WEIGHT_FLOATS = 2 ** 28;

/** `path` (e.g. 'layers'): a non-empty array of layer entries, each read by readLayer. Allocates nothing. */
export function readLayers(where: string, path: string, value: unknown): SavedLayer[] {
  if (!Array.isArray(value)) throw new TypeError(`${where}: ${path} must be a non-empty array of layers, got ${describe(value)}`);
  if (value.length === 0) throw new RangeError(`${where}: ${path} must be a non-empty array of layers, got Array(0)`);
  return Array.from(value, (entry: unknown, i) => readLayer(where, `${path}[${i}]`, entry, true)); // Array.from: a hole is an undefined entry, refused
}

/** One { type, config, weights } entry; without weights: a Bidirectional's inner layer, { type, config } of a recurrent layer. */
function readLayer(where: string, path: string, value: unknown, withWeights: boolean): SavedLayer {
  const entry = readFields(where, path, value, withWeights ? ENTRY : INNER);
  const schema = ownEntry(CONFIGS, entry.type);
  if (!schema) throw new RangeError(`${where}: ${path}.type ${describe(entry.type)} is not a layer type (${Object.keys(LAYER_TYPES).join(', ')})`);
  if (!withWeights && !RECURRENT.includes(entry.type as string)) {
    throw new RangeError(`${where}: ${path}.type must be a recurrent layer (${RECURRENT.join(', ')}), got ${describe(entry.type)}`);
  }
  const type = entry.type as LayerType;
  const config = readFields(where, `${path}.config`, entry.config, schema);
  let inner: SavedLayer | null = null;
  if (type === 'Bidirectional') {
    inner = readLayer(where, `${path}.config.layer`, config.layer, false);
  }
  return { type, config, inner, weights: withWeights ? readWeights(where, `${path}.weights`, entry.weights) : Object.create(null) as Weights };
}

/** `{ name: { shape, data } }`: shapes of positive integers, data base64 of as many finite floats. */
function readWeights(where: string, path: string, value: unknown): Weights {
  const weights = Object.create(null) as Weights;
  for (const [key, w] of Object.entries(readObject(where, path, value))) {
    const name = `${path}.${key}`;
    const { shape, data } = readFields(where, name, w, WEIGHT) as { shape: unknown[]; data: string };
    let count = 1;
    for (let k = 0; k < shape.length; k++) count *= checkInt(where, `${name}.shape[${k}]`, shape[k], 1, MAX_WEIGHT_FLOATS); // holes included
    if (count > MAX_WEIGHT_FLOATS) throw new RangeError(`${where}: ${name}.shape [${shape.join(', ')}] holds ${count} floats, more than ${MAX_WEIGHT_FLOATS}`);
    const floats = base64ToFloats(data, count);
    if (!floats) throw new RangeError(`${where}: ${name} is corrupted (its data is not base64 of ${count} floats)`);
    const bad = floats.findIndex((v) => !Number.isFinite(v));
    if (bad >= 0) throw new RangeError(`${where}: ${name}.data[${bad}] must be finite, got ${floats[bad]}`);
    weights[key] = { data: floats, shape: shape as number[] };
  }
  return weights;
}

/** A new layer (unbuilt unless its config says inputSize) from a checked entry; the constructor's messages get `path`. */
export function makeLayer(where: string, path: string, saved: SavedLayer, backend: Backend): AnyLayer {
  try {
    if (saved.type === 'Bidirectional') {
      const layer = makeLayer(where, `${path}.config.layer`, saved.inner!, backend) as RecurrentLayer;
      try {
        return new Bidirectional({ layer, merge: saved.config.merge as 'concat' });
      } catch (error) {
        layer.dispose();
        throw error;
      }
    }
    const options: Record<string, unknown> = { ...saved.config, backend };
    if (options.inputSize === 0) delete options.inputSize;
    const Kind = LAYER_TYPES[saved.type] as new (o: never) => AnyLayer;
    return new Kind(options as never);
  } catch (error) {
    if (error instanceof Error && !error.message.startsWith(where)) error.message = `${where}: ${path}.config: ${error.message}`;
    throw error;
  }
}

/** Sets a checked entry's weights on `layer` (which validates names and shapes against itself). */
export function setLayerWeights(where: string, path: string, saved: SavedLayer, layer: ModelLayer): void {
  try {
    layer.setWeights(saved.weights);
  } catch (error) {
    if (error instanceof Error && !error.message.startsWith(where)) error.message = `${where}: ${path}.weights: ${error.message}`;
    throw error;
  }
}

/** The fields every saved model has besides its architecture; `training.optimizerState` is checked by TrainingSlab.restore. */
export const MODEL_FIELDS = {
  format: { kind: 'any' }, version: { kind: 'any' }, seed: { kind: 'seed' },
  epochsTrained: { kind: 'integer', min: 0, optional: true }, training: { kind: 'object', optional: true },
} as const satisfies Schema;
const TRAINING: Schema = {
  loss: { kind: 'string' }, ctc: { kind: 'object', optional: true }, optimizer: { kind: 'object' }, clipNorm: { kind: 'number', optional: true }, clipValue: { kind: 'number', optional: true },
  steps: { kind: 'integer', min: 0 }, optimizerState: { kind: 'array' },
};

/** Reads a saved model's top-level fields against MODEL_FIELDS + `architecture`, and its training block. Allocates nothing. */
export function readModelFields(where: string, j: unknown, architecture: Schema): Record<string, unknown> {
  const fields = readFields(where, '', j, { ...MODEL_FIELDS, ...architecture });
  if (fields.training !== undefined) readFields(where, 'training', fields.training, TRAINING);
  return fields;
}
