// The ESN's saved form (toJSON / fromJSON): the options, the reservoir matrices, the
// readout and the loop state. Read through the shared readSaved (format id and version),
// then validated in full before anything is allocated. Files written by 0.1.0 carry the
// id 'rnn-wasm/EchoStateNetwork' and are read unchanged. options.solver, options.readout
// ({ features }) and options.activation 'identity' came later within version 1: a file
// without them is a tanh reservoir with the ridge readout over [1; u; x], which is what
// every earlier file is (they load and predict bit for bit as before).
import { readFields, readNumbers, readSaved, type Schema } from '../saved-file.js';
import { readEsnOptions, readoutFeatureCount, type EsnSettings } from './options.js';
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
export function readSavedEsn(where: string, json: unknown, backend: unknown): { options: Record<string, unknown> } & EsnContents {
  const j = readFields(where, '', readSaved<EchoStateNetworkJSON>(where, json, { format: FORMAT, version: VERSION, legacyFormats: LEGACY_FORMATS, what: 'EchoStateNetwork' }), FILE);
  const rs = readFields(where, 'reservoir', j.reservoir, RESERVOIR) as unknown as EchoStateNetworkJSON['reservoir'];
  const readout = readFields(where, 'readout', j.readout, READOUT) as unknown as EchoStateNetworkJSON['readout'];
  const state = readFields(where, 'state', j.state, STATE) as unknown as EchoStateNetworkJSON['state'];
  // Every option as the constructor reads it (types, ranges, unknown keys), with the file's names.
  const opts = { ...(j.options as Partial<EsnSettings>) };
  const settings = readEsnOptions(where, { ...opts, backend });
  // Sizes first: every array below is checked against them.
  const N = settings.units;
  const I = settings.inputSize;
  const O = settings.outputSize;
  const F = readoutFeatureCount(settings.readout.features, settings);
  const rowStart = readNumbers(where, 'reservoir.rowStart', rs.rowStart, N + 1, 'integer');
  const nnz = rowStart[N];
  if (rowStart[0] !== 0) throw new RangeError(`${where}: reservoir.rowStart[0] must be 0, got ${rowStart[0]}`);
  for (let i = 0; i < N; i++) {
    if (!(rowStart[i + 1] >= rowStart[i])) throw new RangeError(`${where}: reservoir.rowStart must be non-decreasing (index ${i + 1})`);
  }
  if (nnz > N * N) throw new RangeError(`${where}: reservoir.rowStart[${N}] is ${nnz}, must be ≤ units² = ${N * N}`);
  const columns = readNumbers(where, 'reservoir.columns', rs.columns, nnz, 'integer');
  for (let k = 0; k < nnz; k++) {
    if (columns[k] < 0 || columns[k] >= N) throw new RangeError(`${where}: reservoir.columns[${k}] is ${columns[k]}, must be in [0, ${N - 1}]`);
  }
  const reservoir: ReservoirArrays = {
    values: Float32Array.from(readNumbers(where, 'reservoir.values', rs.values, nnz, 'float32')),
    columns: Int32Array.from(columns),
    rowStart: Int32Array.from(rowStart),
    inputWeights: Float32Array.from(readNumbers(where, 'reservoir.inputWeights', rs.inputWeights, I * N, 'float32')),
    feedbackWeights: rs.feedbackWeights === null ? null : Float32Array.from(readNumbers(where, 'reservoir.feedbackWeights', rs.feedbackWeights, O * N, 'float32')),
    bias: Float32Array.from(readNumbers(where, 'reservoir.bias', rs.bias, N, 'float32')),
  };
  if ((reservoir.feedbackWeights !== null) !== (opts.feedbackScaling !== undefined && opts.feedbackScaling > 0)) {
    throw new RangeError(`${where}: reservoir.feedbackWeights must be present exactly when options.feedbackScaling > 0`);
  }
  const trained = readout.trained;
  const weights = readNumbers(where, 'readout.weights', readout.weights, O * F, 'float32');
  const x = readNumbers(where, 'state.x', state.x, N, 'float32');
  const feedback = readNumbers(where, 'state.feedback', state.feedback, O, 'float32');
  return { options: opts, reservoir, trained, weights, x, feedback };
}

const FILE: Schema = {
  format: { kind: 'any' }, version: { kind: 'any' },
  options: { kind: 'object' }, reservoir: { kind: 'object' }, readout: { kind: 'object' }, state: { kind: 'object' },
};
const RESERVOIR: Schema = {
  values: { kind: 'array' }, columns: { kind: 'array' }, rowStart: { kind: 'array' },
  inputWeights: { kind: 'array' }, feedbackWeights: { kind: 'array', nullable: true }, bias: { kind: 'array' },
};
const READOUT: Schema = { trained: { kind: 'boolean' }, weights: { kind: 'array' } };
const STATE: Schema = { x: { kind: 'array' }, feedback: { kind: 'array' } };
