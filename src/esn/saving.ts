// The ESN's saved form (toJSON / fromJSON): the options, the reservoir matrices, the
// readout and the loop state. Read through the shared readSaved (format id and version),
// then validated in full before anything is allocated. Files written by 0.1.0 carry the
// id 'rnn-wasm/EchoStateNetwork' and are read unchanged.
import { checkBoolean, checkInt, describe } from '../errors.js';
import { readSaved } from '../saved-file.js';
import type { EsnSettings } from './options.js';
import type { ReservoirArrays } from './reservoir.js';

export const FORMAT = 'rnn-wasm/echo-state-network';
export const LEGACY_FORMATS = ['rnn-wasm/EchoStateNetwork'] as const;
export const VERSION = 1;

/** The saved form (toJSON / fromJSON). */
export interface EchoStateNetworkJSON {
  format: string;
  version: typeof VERSION;
  options: EsnSettings;
  reservoir: {
    values: number[];
    columns: number[];
    rowStart: number[];
    inputWeights: number[];
    feedbackWeights: number[] | null;
    bias: number[];
  };
  readout: { trained: boolean; weights: number[] };
  state: { x: number[]; feedback: number[] };
}

/** What a model is made of, in JS memory. */
export interface EsnContents {
  reservoir: ReservoirArrays;
  trained: boolean;
  /** W_out [O, F]. */
  weights: ArrayLike<number>;
  /** x [N] and the fed-back y [O]. */
  x: ArrayLike<number>;
  feedback: ArrayLike<number>;
}

export function writeSaved(options: EsnSettings, c: EsnContents): EchoStateNetworkJSON {
  const r = c.reservoir;
  return {
    format: FORMAT,
    version: VERSION,
    options,
    reservoir: {
      values: Array.from(r.values), columns: Array.from(r.columns), rowStart: Array.from(r.rowStart),
      inputWeights: Array.from(r.inputWeights), feedbackWeights: r.feedbackWeights ? Array.from(r.feedbackWeights) : null, bias: Array.from(r.bias),
    },
    readout: { trained: c.trained, weights: Array.from(c.weights) },
    state: { x: Array.from(c.x), feedback: Array.from(c.feedback) },
  };
}

/**
 * Checks a saved model and returns its options (still to be validated by the
 * constructor) and its contents. Sizes come from options.units / inputSize / outputSize.
 */
export function readSavedEsn(where: string, json: unknown): { options: Record<string, unknown> } & EsnContents {
  const j = readSaved<EchoStateNetworkJSON>(where, json, { format: FORMAT, version: VERSION, legacyFormats: LEGACY_FORMATS, what: 'EchoStateNetwork' });
  for (const key of ['options', 'reservoir', 'readout', 'state'] as const) {
    if (j[key] === null || typeof j[key] !== 'object') throw new TypeError(`${where}: ${key} must be an object, got ${describe(j[key])}`);
  }
  const opts = { ...j.options } as Partial<EsnSettings>;
  // Sizes first: every array below is checked against them.
  const N = checkInt(where, 'options.units', opts.units, 1, 1 << 15);
  const I = checkInt(where, 'options.inputSize', opts.inputSize, 1);
  const O = checkInt(where, 'options.outputSize', opts.outputSize, 1);
  const F = 1 + I + N;
  const rs = j.reservoir;
  const rowStart = numbers(where, 'reservoir.rowStart', rs.rowStart, N + 1, true);
  const nnz = rowStart[N];
  if (rowStart[0] !== 0) throw new RangeError(`${where}: reservoir.rowStart[0] must be 0, got ${rowStart[0]}`);
  for (let i = 0; i < N; i++) {
    if (!(rowStart[i + 1] >= rowStart[i])) throw new RangeError(`${where}: reservoir.rowStart must be non-decreasing (index ${i + 1})`);
  }
  const columns = numbers(where, 'reservoir.columns', rs.columns, nnz, true);
  for (let k = 0; k < nnz; k++) {
    if (columns[k] < 0 || columns[k] >= N) throw new RangeError(`${where}: reservoir.columns[${k}] is ${columns[k]}, must be in [0, ${N - 1}]`);
  }
  const reservoir: ReservoirArrays = {
    values: Float32Array.from(numbers(where, 'reservoir.values', rs.values, nnz)),
    columns: Int32Array.from(columns),
    rowStart: Int32Array.from(rowStart),
    inputWeights: Float32Array.from(numbers(where, 'reservoir.inputWeights', rs.inputWeights, I * N)),
    feedbackWeights: rs.feedbackWeights === null ? null : Float32Array.from(numbers(where, 'reservoir.feedbackWeights', rs.feedbackWeights, O * N)),
    bias: Float32Array.from(numbers(where, 'reservoir.bias', rs.bias, N)),
  };
  if ((reservoir.feedbackWeights !== null) !== (opts.feedbackScaling !== undefined && opts.feedbackScaling > 0)) {
    throw new RangeError(`${where}: reservoir.feedbackWeights must be present exactly when options.feedbackScaling > 0`);
  }
  const trained = checkBoolean(where, 'readout.trained', j.readout.trained);
  const weights = numbers(where, 'readout.weights', j.readout.weights, O * F);
  const x = numbers(where, 'state.x', j.state.x, N);
  const feedback = numbers(where, 'state.feedback', j.state.feedback, O);
  return { options: opts, reservoir, trained, weights, x, feedback };
}

function numbers(where: string, name: string, value: unknown, length: number, integer = false): number[] {
  if (!Array.isArray(value)) throw new TypeError(`${where}: ${name} must be an array of ${length} numbers, got ${describe(value)}`);
  if (value.length !== length) throw new RangeError(`${where}: ${name} has ${value.length} values but the options need ${length}`);
  for (let k = 0; k < length; k++) {
    const v: unknown = value[k];
    if (typeof v !== 'number' || !Number.isFinite(v) || (integer && !Number.isInteger(v))) {
      throw new TypeError(`${where}: ${name}[${k}] must be a finite ${integer ? 'integer' : 'number'}, got ${describe(v)}`);
    }
  }
  return value as number[];
}
