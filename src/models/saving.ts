// Saving and loading the layers of a model: each layer as { type, config,
// weights } with every weight's data base64 of its little-endian f32 bytes.
// The models (Sequential, EncoderDecoder) wrap these in their own format.
import type { Backend } from '../engine/backend.js';
import { describe } from '../errors.js';
import { GRU } from '../layers/gru.js';
import { LSTM } from '../layers/lstm.js';
import { RecurrentLayer } from '../layers/recurrent.js';
import { SimpleRNN } from '../layers/simple-rnn.js';
import type { Weights } from '../layers/formats.js';
import { base64ToFloats, floatsToBase64 } from './base64.js';
import { Bidirectional } from '../layers/bidirectional.js';
import { Dense } from '../layers/dense.js';
import { Dropout } from '../layers/dropout.js';
import { Embedding } from '../layers/embedding.js';
import type { ModelLayer } from '../layers/layer.js';

export type AnyLayer = SimpleRNN | LSTM | GRU | Dense | Embedding | Bidirectional;
export const LAYER_TYPES = { SimpleRNN, LSTM, GRU, Dense, Embedding, Bidirectional, Dropout } as const;

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

/** A new layer (unbuilt unless its config says inputSize) from an entry's type and config. */
export function makeLayer(where: string, entry: LayerJSON, backend: Backend): AnyLayer {
  if (entry === null || typeof entry !== 'object') throw new TypeError(`${where} must be { type, config, weights }, got ${describe(entry)}`);
  const Kind = (LAYER_TYPES as Record<string, unknown>)[entry.type];
  if (!Kind) throw new RangeError(`${where}.type ${describe(entry.type)} is not a layer type (${Object.keys(LAYER_TYPES).join(', ')})`);
  const config = entry.config;
  if (config === null || typeof config !== 'object') throw new TypeError(`${where}.config must be an object`);
  if (entry.type === 'Bidirectional') {
    const inner = config.layer as { type: string; config: Record<string, unknown> };
    const layer = makeLayer(`${where}.config.layer`, { type: inner?.type, config: inner?.config, weights: {} }, backend);
    if (!(layer instanceof RecurrentLayer)) throw new RangeError(`${where}.config.layer must be a recurrent layer, got ${inner?.type}`);
    return new Bidirectional({ layer, merge: config.merge as 'concat' });
  }
  const options: Record<string, unknown> = { ...config, backend };
  if (options.inputSize === 0) delete options.inputSize;
  return new (Kind as new (o: Record<string, unknown>) => AnyLayer)(options);
}

/** Decodes an entry's weights and sets them on `layer` (which validates names and shapes). `label` names the entry in messages. */
export function setLayerWeights(where: string, label: string, entry: LayerJSON, layer: ModelLayer): void {
  const weights: Weights = {};
  if (entry.weights === null || typeof entry.weights !== 'object') throw new TypeError(`${where}: ${label}.weights must be an object`);
  for (const [key, w] of Object.entries(entry.weights)) {
    const count = Array.isArray(w?.shape) ? w.shape.reduce((a: number, b: number) => a * b, 1) : -1;
    const data = base64ToFloats(w?.data, count);
    if (!data) throw new RangeError(`${where}: ${label}.weights.${key} is corrupted (its data is not base64 of ${count} floats)`);
    weights[key] = { data, shape: w.shape };
  }
  layer.setWeights(weights);
}
