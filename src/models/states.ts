// The states of a whole model for forward/backward: every recurrent layer's
// { h, c? } and each direction's of a Bidirectional one, as users give and get
// them (one entry per layer, [N, units] each), read once into a map keyed by
// (layer, direction, state) and staged into or read out of linear memory; and
// what backward() returns besides: its cache and the gradients in any format.
import { checkOptions, describe } from '../errors.js';
import { readTensor, type Tensor } from '../tensor.js';
import { RecurrentLayer, type StateName } from '../layers/recurrent.js';
import { Bidirectional } from '../layers/bidirectional.js';
import { checkFormat, type WeightFormat, type Weights } from '../layers/formats.js';
import type { ModelLayer } from '../layers/layer.js';

/** One layer's states: { h, c? } for a recurrent layer; { forward: { h, c? }, backward: { h, c? } } for a Bidirectional one. */
export type LayerStates<T> = Partial<Record<StateName, T>> | { forward?: Partial<Record<StateName, T>>; backward?: Partial<Record<StateName, T>> };

/** Pointers of one recurrent layer's states (or their gradients) in linear memory. */
export type StatePointers = Partial<Record<StateName, number>>;

/** States of a whole model, one entry per layer (null, or absent, for layers without state). */
export type ModelStates<T> = (LayerStates<T> | null | undefined)[];

/** What backward() needs from a forward(): valid until the model runs forward again or its weights change. */
export class ModelCache {
  /** @internal */
  constructor(readonly model: object, readonly generation: number, readonly batchSize: number, readonly timeSteps: number) {}
}

/** Gradients of every parameter from a model's backward(): flat in getParameters() order, or per layer in a weight format. */
export class ModelGradients {
  /** @internal */
  constructor(readonly flat: Float32Array, readonly layers: readonly ModelLayer[]) {}

  /** One entry per layer, named as the model's getWeights({ format }) names the weights. */
  toWeights(options: { format?: WeightFormat } = {}): Weights[] {
    const where = 'ModelGradients.toWeights';
    checkOptions(where, options, ['format']);
    const format = checkFormat(where, options.format ?? 'native');
    return this.layers.map((layer) => layer.gradientWeights(this.flat, format));
  }
}

export type Direction = '' | 'forward' | 'backward';

/** The recurrent layers holding a layer's states, by direction: [['', layer]] or Bidirectional's two; [] for stateless layers. */
export function directionsOf(layer: ModelLayer): [Direction, RecurrentLayer][] {
  if (layer instanceof RecurrentLayer) return [['', layer]];
  if (layer instanceof Bidirectional) return [['forward', layer.forwardLayer], ['backward', layer.backwardLayer!]];
  return [];
}

export function stateKey(i: number, direction: Direction, name: StateName): string {
  return `${i}${direction}${name}`;
}

/** Every state slot of the model: fn(key, floats, layer index, direction ('' | 'forward' | 'backward'), state name, recurrent layer). */
export function forEachState(layers: readonly ModelLayer[], B: number, fn: (key: string, n: number, i: number, direction: Direction, name: StateName, layer: RecurrentLayer) => void): void {
  layers.forEach((layer, i) => {
    for (const [direction, recurrent] of directionsOf(layer)) {
      for (const name of recurrent.stateKeys) fn(stateKey(i, direction, name), B * recurrent.units, i, direction, name, recurrent);
    }
  });
}

/** Reads per-layer states (initial states, or gradients of final states) given by a user: [N, units] each. Keyed by stateKey. */
export function readStates(where: string, name: string, layers: readonly ModelLayer[], states: unknown, N: number): Map<string, Float32Array> {
  if (!Array.isArray(states) || states.length !== layers.length) {
    throw new TypeError(`${where}: ${name} must be an array of ${layers.length} entries (one per layer; null for layers without state), got ${describe(states)}`);
  }
  const out = new Map<string, Float32Array>();
  layers.forEach((layer, i) => {
    const given: unknown = states[i];
    const at = `${name}[${i}]`;
    if (given === null || given === undefined) return;
    const directions = directionsOf(layer);
    if (directions.length === 0) throw new RangeError(`${where}: ${at} must be null: layers[${i}] (${layer.kind}) has no state`);
    if (typeof given !== 'object') throw new TypeError(`${where}: ${at} must be an object, got ${describe(given)}`);
    const bi = layer instanceof Bidirectional;
    const allowed = bi ? ['forward', 'backward'] : directions[0][1].stateKeys;
    for (const key of Object.keys(given)) {
      if (!allowed.includes(key as never)) throw new RangeError(`${where}: ${at}.${key} is not a state of layers[${i}] (${layer.kind}; ${bi ? 'give { forward, backward }' : `states: ${allowed.join(', ')}`})`);
    }
    for (const [direction, recurrent] of directions) {
      const group = (bi ? (given as Record<string, unknown>)[direction] : given) as Record<string, unknown> | undefined;
      if (group === undefined || group === null) continue;
      const label = bi ? `${at}.${direction}` : at;
      if (typeof group !== 'object') throw new TypeError(`${where}: ${label} must be an object with ${recurrent.stateKeys.join(', ')}, got ${describe(group)}`);
      for (const key of Object.keys(group)) {
        if (!(recurrent.stateKeys as readonly string[]).includes(key)) throw new RangeError(`${where}: ${label}.${key} is not a state of ${recurrent.kind} (states: ${recurrent.stateKeys.join(', ')})`);
      }
      for (const state of recurrent.stateKeys) {
        if (group[state] === undefined) continue;
        const t = readTensor(where, `${label}.${state}`, group[state], [{ label: 'batch', size: N }, { label: 'units', size: recurrent.units }]);
        out.set(stateKey(i, direction, state), t.data);
      }
    }
  });
  return out;
}

/** Copies rows `rows` of user states ([N, units] each, by key) into the workspace's state regions; missing ones are zeros. */
export function stageStates(heap: Float32Array, layers: readonly ModelLayer[], states: Map<string, Float32Array>, rows: Int32Array, ptrOf: (key: string) => number): void {
  forEachState(layers, rows.length, (key, n, _i, _d, _name, layer) => {
    const at = ptrOf(key) >>> 2;
    const given = states.get(key);
    if (!given) {
      heap.fill(0, at, at + n);
      return;
    }
    const H = layer.units;
    for (let b = 0; b < rows.length; b++) heap.set(given.subarray(rows[b] * H, (rows[b] + 1) * H), at + b * H);
  });
}

/** Copies of per-layer state pointers (final states, or gradients of initial states) of the last pass, shaped as users give states. */
export function mapStates(heap: Float32Array, layers: readonly ModelLayer[], N: number, ptrOf: (layer: RecurrentLayer, name: StateName) => number): ModelStates<Tensor> {
  return layers.map((layer) => {
    const directions = directionsOf(layer);
    if (directions.length === 0) return null;
    const groups: Partial<Record<Direction, Partial<Record<StateName, Tensor>>>> = {};
    for (const [direction, recurrent] of directions) {
      const group: Partial<Record<StateName, Tensor>> = {};
      for (const name of recurrent.stateKeys) {
        const at = ptrOf(recurrent, name) >>> 2;
        group[name] = { data: heap.slice(at, at + N * recurrent.units), shape: [N, recurrent.units] };
      }
      groups[direction] = group;
    }
    return layer instanceof Bidirectional ? { forward: groups.forward, backward: groups.backward } : groups[''] ?? null;
  });
}

