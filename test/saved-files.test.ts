// Issue #11, saved files: every field of a Sequential, EncoderDecoder or ESN file is read
// through one schema-like reader (src/saved-file.ts) before anything is allocated. A file with
// one field changed — wrong type, out of range, non-finite or beyond float32, an inherited
// name ('constructor', '__proto__', 'toString') as a layer type or a key, a truncated array,
// an extra key — is refused with a message naming the field; linear memory does not grow and
// another model's predictions do not change.
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Backend } from '../src/engine/backend.js';
import { LAYER_TYPES } from '../src/models/saving.js';
import { init, Sequential, EncoderDecoder, EchoStateNetwork } from '../src/index.js';

type File = any;
type Case = [label: string, mutate: (j: File) => unknown, type: 'TypeError' | 'RangeError', message: string];

const dir = new URL('./fixtures/v0.1.0/', import.meta.url);
const read = (name: string): File => JSON.parse(readFileSync(new URL(name, dir), 'utf8'));
/** An own, enumerable property, as JSON.parse makes for '"__proto__": …' in a file. */
const own = (o: object, key: string, value: unknown) => Object.defineProperty(o, key, { value, enumerable: true, writable: true, configurable: true });
const nanBase64 = btoa(String.fromCharCode(...new Uint8Array(new Float32Array([NaN]).buffer)));
const F32 = 'a finite number in float32 range (|value| ≤ 3.4028234663852886e38)';
// Every layer kind a file may name, in the order the loader lists them (the recurrent ones and Dense first).
const KINDS = `(${Object.keys(LAYER_TYPES).join(', ')})`;

const thrown = (call: () => unknown): { type: string; message: string } => {
  try {
    call();
  } catch (error) {
    return { type: (error as Error).constructor.name, message: (error as Error).message };
  }
  return { type: 'none', message: '' };
};

let backend: Backend;
beforeAll(async () => {
  backend = await init();
});

/**
 * Loads each mutated file (as an object, so non-finite numbers survive), expects the error, and
 * checks that linear memory did not grow and that `witness` still predicts what it predicted.
 */
function refuses(file: string, load: (j: File) => { dispose(): void }, cases: Case[], witness: () => unknown): void {
  load(read(file)).dispose(); // warm-up: the sizes a good load allocates
  const before = witness();
  const memory = backend.memoryBytes;
  for (const [label, mutate, type, message] of cases) {
    const j = read(file);
    mutate(j);
    expect(thrown(() => load(j)), label).toEqual({ type, message });
  }
  expect(backend.memoryBytes).toBe(memory);
  expect(witness()).toEqual(before);
}

describe('saved Sequential files', () => {
  const W = 'Sequential.fromJSON';
  const TOP = '(known: format, version, seed, epochsTrained, training, inputSize, inputShape, layers)';
  const GRU_CONFIG = '(known: units, inputSize, seed, returnSequences, checkFinite, variant, gateActivation)';
  const cases: Case[] = [
    ['seed as a string', (j) => (j.seed = '3'), 'TypeError', `${W}: seed must be an integer, got "3"`],
    ['seed 1.5', (j) => (j.seed = 1.5), 'RangeError', `${W}: seed must be an integer, got 1.5`],
    ['seed NaN', (j) => (j.seed = NaN), 'RangeError', `${W}: seed must be an integer, got NaN`],
    ['seed 2⁴⁰', (j) => (j.seed = 2 ** 40), 'RangeError', `${W}: seed must be in [-2147483648, 4294967295], got 1099511627776`],
    ['seed missing', (j) => delete j.seed, 'TypeError', `${W}: seed must be an integer, got undefined`],
    ['inputSize 0', (j) => (j.inputSize = 0), 'RangeError', `${W}: inputSize must be ≥ 1, got 0`],
    ['inputSize Infinity', (j) => (j.inputSize = Infinity), 'RangeError', `${W}: inputSize must be an integer, got Infinity`],
    ['inputSize 1e39', (j) => (j.inputSize = 1e39), 'RangeError', `${W}: inputSize must be in [1, 2147483647], got 1e+39`],
    ['epochsTrained -1', (j) => (j.epochsTrained = -1), 'RangeError', `${W}: epochsTrained must be ≥ 0, got -1`],
    ['epochsTrained as a string', (j) => (j.epochsTrained = '2'), 'TypeError', `${W}: epochsTrained must be an integer, got "2"`],
    ['training.steps 1.5', (j) => (j.training.steps = 1.5), 'RangeError', `${W}: training.steps must be an integer, got 1.5`],
    ['training.clipNorm Infinity', (j) => (j.training.clipNorm = Infinity), 'RangeError', `${W}: training.clipNorm must be a finite number, got Infinity`],
    ['training.clipValue NaN', (j) => (j.training.clipValue = NaN), 'RangeError', `${W}: training.clipValue must be a finite number, got NaN`],
    ['training.loss 5', (j) => (j.training.loss = 5), 'TypeError', `${W}: training.loss must be a string, got 5`],
    ['training.optimizer null', (j) => (j.training.optimizer = null), 'TypeError', `${W}: training.optimizer must be an object, got null`],
    ['training as an array', (j) => (j.training = []), 'TypeError', `${W}: training must be an object, got Array(0)`],
    ['an extra key in training', (j) => (j.training.extra = 1), 'RangeError', `${W}: training.extra is not a field of training (known: loss, ctc, optimizer, clipNorm, clipValue, steps, optimizerState)`],
    ['layer type "constructor"', (j) => (j.layers[1].type = 'constructor'), 'RangeError', `${W}: layers[1].type "constructor" is not a layer type ${KINDS}`],
    ['layer type "__proto__"', (j) => (j.layers[1].type = '__proto__'), 'RangeError', `${W}: layers[1].type "__proto__" is not a layer type ${KINDS}`],
    ['layer type "toString"', (j) => (j.layers[2].type = 'toString'), 'RangeError', `${W}: layers[2].type "toString" is not a layer type ${KINDS}`],
    ['layer type 7', (j) => (j.layers[2].type = 7), 'TypeError', `${W}: layers[2].type must be a string, got 7`],
    ['inner layer type "hasOwnProperty"', (j) => (j.layers[0].config.layer.type = 'hasOwnProperty'), 'RangeError', `${W}: layers[0].config.layer.type "hasOwnProperty" is not a layer type ${KINDS}`],
    ['inner layer Dense', (j) => (j.layers[0].config.layer.type = 'Dense'), 'RangeError', `${W}: layers[0].config.layer.type must be a recurrent layer (SimpleRNN, LSTM, GRU), got "Dense"`],
    ['units 1e39', (j) => (j.layers[1].config.units = 1e39), 'RangeError', `${W}: layers[1].config.units must be in [1, 2147483647], got 1e+39`],
    ['units as a string', (j) => (j.layers[1].config.units = '2'), 'TypeError', `${W}: layers[1].config.units must be an integer, got "2"`],
    ['layer seed -Infinity', (j) => (j.layers[2].config.seed = -Infinity), 'RangeError', `${W}: layers[2].config.seed must be an integer, got -Infinity`],
    ['forgetBias 1e39', (j) => (j.layers[0].config.layer.config.forgetBias = 1e39), 'RangeError', `${W}: layers[0].config.layer.config.forgetBias must be ${F32}, got 1e+39`],
    ['returnSequences 1', (j) => (j.layers[1].config.returnSequences = 1), 'TypeError', `${W}: layers[1].config.returnSequences must be a boolean, got 1`],
    ['config key "__proto__"', (j) => own(j.layers[1].config, '__proto__', { units: 2 }), 'RangeError', `${W}: layers[1].config.__proto__ is not a field of layers[1].config ${GRU_CONFIG}`],
    ['config key "constructor"', (j) => own(j.layers[1].config, 'constructor', 1), 'RangeError', `${W}: layers[1].config.constructor is not a field of layers[1].config ${GRU_CONFIG}`],
    ['an unknown variant', (j) => (j.layers[1].config.variant = 'x'), 'RangeError', `${W}: layers[1].config: GRU: options.variant must be 'resetAfter' or 'resetBefore', got "x"`],
    ['entry key "toString"', (j) => (j.layers[2].toString = 'x'), 'RangeError', `${W}: layers[2].toString is not a field of layers[2] (known: type, config, weights)`],
    ['shape [1.5]', (j) => (j.layers[2].weights.bias.shape = [1.5]), 'RangeError', `${W}: layers[2].weights.bias.shape[0] must be an integer, got 1.5`],
    ['shape ["1"]', (j) => (j.layers[2].weights.bias.shape = ['1']), 'TypeError', `${W}: layers[2].weights.bias.shape[0] must be an integer, got "1"`],
    ['shape [0]', (j) => (j.layers[2].weights.bias.shape = [0]), 'RangeError', `${W}: layers[2].weights.bias.shape[0] must be in [1, 268435456], got 0`],
    ['shape as a string', (j) => (j.layers[2].weights.bias.shape = '1'), 'TypeError', `${W}: layers[2].weights.bias.shape must be an array, got "1"`],
    ['a huge shape', (j) => (j.layers[2].weights.weight.shape = [2 ** 20, 2 ** 20]), 'RangeError', `${W}: layers[2].weights.weight.shape [1048576, 1048576] holds 1099511627776 floats, more than 268435456`],
    ['shape not matching the data', (j) => (j.layers[2].weights.bias.shape = [2]), 'RangeError', `${W}: layers[2].weights.bias is corrupted (its data is not base64 of 2 floats)`],
    ['truncated data', (j) => (j.layers[2].weights.weight.data = j.layers[2].weights.weight.data.slice(0, 8)), 'RangeError', `${W}: layers[2].weights.weight is corrupted (its data is not base64 of 2 floats)`],
    ['a NaN weight', (j) => (j.layers[2].weights.bias.data = nanBase64), 'RangeError', `${W}: layers[2].weights.bias.data[0] must be finite, got NaN`],
    ['weight name "__proto__"', (j) => own(j.layers[2].weights, '__proto__', j.layers[2].weights.bias), 'RangeError', `${W}: layers[2].weights: Dense.setWeights: weights.__proto__ is not a 'native' weight of this layer (expected weight, bias)`],
    ['a shape the layer does not have', (j) => (j.layers[2].weights.weight.shape = [1, 2]), 'RangeError', `${W}: layers[2].weights: Dense.setWeights: weights.weight has shape [1, 2] (2 values) but must be [2, 1]`],
    ['an extra key', (j) => (j.extra = 1), 'RangeError', `${W}: extra is not a field of the file ${TOP}`],
    ['a key "__proto__"', (j) => own(j, '__proto__', {}), 'RangeError', `${W}: __proto__ is not a field of the file ${TOP}`],
    ['no layers', (j) => (j.layers = []), 'RangeError', `${W}: layers must be a non-empty array of layers, got Array(0)`],
    ['layers as an object', (j) => (j.layers = {}), 'TypeError', `${W}: layers must be a non-empty array of layers, got Object`],
    ['a layer as null', (j) => (j.layers[1] = null), 'TypeError', `${W}: layers[1] must be an object, got null`],
  ];

  it('refuses each mutated file with a message naming the field; memory and another model unchanged', () => {
    const witness = Sequential.fromJSON(read('sequential.json'));
    const x = [[[0.1, 0.2], [0.3, -0.1]]];
    refuses('sequential.json', (j) => Sequential.fromJSON(j), cases, () => Array.from(witness.predict(x).data));
    witness.dispose();
  });

  it('refuses the same files given as JSON text (own "__proto__" keys as JSON.parse makes them)', () => {
    const text = JSON.stringify(read('sequential.json')).replace('"units":2,', '"__proto__":{"units":9},"units":2,');
    expect(thrown(() => Sequential.fromJSON(text))).toEqual({ type: 'RangeError', message: `${W}: layers[1].config.__proto__ is not a field of layers[1].config ${GRU_CONFIG}` });
    expect(thrown(() => Sequential.fromJSON('{"__proto__":{"format":"rnn-wasm/sequential"}}'))).toEqual({
      type: 'TypeError', message: `${W}: not a saved Sequential (format must be 'rnn-wasm/sequential', got undefined)`,
    });
  });
});

describe('saved EncoderDecoder files', () => {
  const W = 'EncoderDecoder.fromJSON';
  const cases: Case[] = [
    ['seed NaN', (j) => (j.seed = NaN), 'RangeError', `${W}: seed must be an integer, got NaN`],
    ['decoder missing', (j) => delete j.decoder, 'TypeError', `${W}: decoder must be an object, got undefined`],
    ['decoder.startToken -1', (j) => (j.decoder.startToken = -1), 'RangeError', `${W}: decoder.startToken must be ≥ 0, got -1`],
    ['decoder.startVector [1e39]', (j) => (j.decoder.startVector = [1e39]), 'RangeError', `${W}: decoder.startVector[0] must be ${F32}, got 1e+39`],
    ['decoder.startVector as a string', (j) => (j.decoder.startVector = 'x'), 'TypeError', `${W}: decoder.startVector must be an array, got "x"`],
    ['encoder.inputSize 1.5', (j) => (j.encoder.inputSize = 1.5), 'RangeError', `${W}: encoder.inputSize must be an integer, got 1.5`],
    ['encoder key "__proto__"', (j) => own(j.encoder, '__proto__', {}), 'RangeError', `${W}: encoder.__proto__ is not a field of encoder (known: inputSize, layers)`],
    ['layer type "valueOf"', (j) => (j.encoder.layers[0].type = 'valueOf'), 'RangeError', `${W}: encoder.layers[0].type "valueOf" is not a layer type ${KINDS}`],
    ['activation 5', (j) => (j.decoder.layers[2].config.activation = 5), 'TypeError', `${W}: decoder.layers[2].config.activation must be a string, got 5`],
    ['vocabSize 0', (j) => (j.encoder.layers[0].config.vocabSize = 0), 'RangeError', `${W}: encoder.layers[0].config.vocabSize must be ≥ 1, got 0`],
    ['epochsTrained Infinity', (j) => (j.epochsTrained = Infinity), 'RangeError', `${W}: epochsTrained must be an integer, got Infinity`],
    ['a +Infinity weight', (j) => (j.decoder.layers[2].weights.bias.data = btoa(String.fromCharCode(...new Uint8Array(new Float32Array([1, 2, Infinity, 4, 5]).buffer)))), 'RangeError', `${W}: decoder.layers[2].weights.bias.data[2] must be finite, got Infinity`],
    ['an extra key', (j) => (j.encoder.layers[1].weights.extra = { shape: [1], data: 'AAAAAA==' }), 'RangeError', `${W}: encoder.layers[1].weights: GRU.setWeights: weights.extra is not a 'native' weight of this layer (expected weightIh, weightHh, biasIh, biasHh)`],
  ];

  it('refuses each mutated file with a message naming the field; memory and another model unchanged', () => {
    const witness = EncoderDecoder.fromJSON(read('encoder-decoder.json'));
    refuses('encoder-decoder.json', (j) => EncoderDecoder.fromJSON(j), cases, () => Array.from(witness.predict([[1, 2, 3]], { length: 3 }).data));
    witness.dispose();
  });
});

describe('saved EchoStateNetwork files', () => {
  const W = 'EchoStateNetwork.fromJSON';
  const cases: Case[] = [
    ['reservoir.values[0] 1e39', (j) => (j.reservoir.values[0] = 1e39), 'RangeError', `${W}: reservoir.values[0] must be ${F32}, got 1e+39`],
    ['state.x[0] -1e39', (j) => (j.state.x[0] = -1e39), 'RangeError', `${W}: state.x[0] must be ${F32}, got -1e+39`],
    ['readout.weights[0] NaN', (j) => (j.readout.weights[0] = NaN), 'RangeError', `${W}: readout.weights[0] must be ${F32}, got NaN`],
    ['inputWeights[0] Infinity', (j) => (j.reservoir.inputWeights[0] = Infinity), 'RangeError', `${W}: reservoir.inputWeights[0] must be ${F32}, got Infinity`],
    ['options.units as a string', (j) => (j.options.units = 'x'), 'TypeError', `${W}: options.units must be an integer, got "x"`],
    ['options.spectralRadius Infinity', (j) => (j.options.spectralRadius = Infinity), 'RangeError', `${W}: options.spectralRadius must be a finite number, got Infinity`],
    ['options key "__proto__"', (j) => own(j.options, '__proto__', {}), 'RangeError', `${W}: unknown option '__proto__' (known: inputSize, outputSize, units, spectralRadius, sr, leakRate, density, inputScaling, inputDensity, biasScaling, feedbackScaling, ridge, solver, readout, washout, warmup, activation, outputActivation, stateNoise, seed, backend)`],
    ['reservoir key "constructor"', (j) => own(j.reservoir, 'constructor', 1), 'RangeError', `${W}: reservoir.constructor is not a field of reservoir (known: values, columns, rowStart, inputWeights, feedbackWeights, bias)`],
    ['truncated state.feedback', (j) => (j.state.feedback = []), 'RangeError', `${W}: state.feedback has 0 values but the options need 1`],
    ['a huge rowStart', (j) => (j.reservoir.rowStart[20] = 1e9), 'RangeError', `${W}: reservoir.rowStart[20] is 1000000000, must be ≤ units² = 400`],
    ['rowStart 1.5', (j) => (j.reservoir.rowStart[1] = 1.5), 'TypeError', `${W}: reservoir.rowStart[1] must be a finite integer, got 1.5`],
    ['readout.trained "yes"', (j) => (j.readout.trained = 'yes'), 'TypeError', `${W}: readout.trained must be a boolean, got "yes"`],
    ['an extra key', (j) => (j.extra = 1), 'RangeError', `${W}: extra is not a field of the file (known: format, version, options, reservoir, readout, state)`],
    ['readout as null', (j) => (j.readout = null), 'TypeError', `${W}: readout must be an object, got null`],
  ];

  it('refuses each mutated file with a message naming the field; memory and another model unchanged', () => {
    const witness = EchoStateNetwork.fromJSON(read('esn.json'));
    // predict() moves the reservoir on, so the witness is the whole saved state (reservoir, readout, x).
    refuses('esn.json', (j) => EchoStateNetwork.fromJSON(j), cases, () => witness.toJSON());
    witness.dispose();
  });
});
