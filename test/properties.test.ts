// Property-based tests (fast-check): random valid and invalid shapes, options,
// masks and lengths, and mutated saved files, thrown at the public API. The
// properties: a call either succeeds or throws a TypeError / RangeError /
// SyntaxError (or NonFiniteError) whose message starts with the function's name;
// after a failed call every existing model's predictions, weights and saved JSON
// are unchanged; linear memory does not grow across failed calls. Seeded and
// bounded (about 10 s); on a failure fast-check prints the seed and the path to
// replay it (`fc.assert(…, { seed, path })`).
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { init } from '../src/engine/init.js';
import type { Backend } from '../src/engine/backend.js';
import { GRU } from '../src/layers/gru.js';
import { LSTM } from '../src/layers/lstm.js';
import { Bidirectional } from '../src/layers/bidirectional.js';
import { Dense } from '../src/layers/dense.js';
import { Embedding } from '../src/layers/embedding.js';
import { NonFiniteError, Sequential } from '../src/models/sequential.js';
import { EncoderDecoder } from '../src/models/encoder-decoder.js';
import { EchoStateNetwork } from '../src/esn/esn.js';

const SEED = Number(process.env.PROPERTY_SEED ?? 20261129);
const RUNS = Number(process.env.PROPERTY_RUNS ?? 120);
const settings = { seed: SEED, numRuns: RUNS, endOnFailure: true };

let backend: Backend;
beforeAll(async () => {
  backend = await init();
});

/** The error a public call may throw: one of these classes, naming the call first. */
function expectCleanError(where: string, error: unknown): void {
  const ok = error instanceof TypeError || error instanceof RangeError || error instanceof SyntaxError || error instanceof NonFiniteError;
  if (!ok) throw new Error(`${where}: threw ${String((error as Error)?.name)} (${String((error as Error)?.message)}), not a TypeError/RangeError/SyntaxError/NonFiniteError`);
  const message = (error).message;
  if (!message.startsWith(`${where}:`) && !message.startsWith(`${where} (`)) throw new Error(`${where}: the message does not name the call: ${message}`);
  // JavaScript's own messages mean a check was missing (the engine, not the library, noticed).
  const leaked = INTERNAL.find((phrase) => message.includes(phrase));
  if (leaked) throw new Error(`${where}: an internal error reached the user ('${leaked}'): ${message}`);
}

const INTERNAL = ['Cannot read properties', 'is not a function', 'Cannot convert', 'is not iterable', 'Invalid typed array length', 'Invalid array length', 'internal:', 'Maximum call stack', 'out of bounds', 'unreachable'];

/** Runs `call`; returns true if it succeeded, false if it threw a clean error (anything else fails the property). */
function attempt(where: string, call: () => unknown): boolean {
  try {
    call();
    return true;
  } catch (error) {
    expectCleanError(where, error);
    return false;
  }
}

/** Everything observable about a model: its predictions on a probe, its weights and its saved file. */
function snapshot(model: Sequential | EchoStateNetwork, probe: unknown): string {
  const out = model instanceof Sequential
    ? [Array.from(model.predict(probe as never).data), Array.from(model.getParameters()), JSON.stringify(model.toJSON())]
    : [JSON.stringify(model.toJSON()), Array.from(model.state)];
  return JSON.stringify(out);
}

/** Numbers that break things: special values, huge and tiny ones, non-integers, and non-numbers. */
const weirdNumber = fc.oneof(
  fc.constantFrom(0, -1, 1.5, NaN, Infinity, -Infinity, 2 ** 31, 2 ** 32, 3e9, 1e39, -0, Number.MAX_SAFE_INTEGER + 2),
  fc.integer({ min: -3, max: 6 }),
);
const weirdValue = fc.oneof(
  weirdNumber,
  fc.constantFrom(null, undefined, '', 'x', 'constructor', '__proto__', true, [], {}, [[]], [1, 2], { length: 3 }, new Float32Array(2)),
);

/** Nested arrays [B][T][F] with B, T, F in 1..4 (valid when F = features), or broken ones. */
function sequences(features: number): fc.Arbitrary<unknown> {
  const valid = fc.tuple(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 4 }), fc.boolean()).map(([B, T, F, right]) => {
    const f = right ? features : F;
    return Array.from({ length: B }, (_, b) => Array.from({ length: T }, (_, t) => Array.from({ length: f }, (_, k) => Math.sin(b + 2 * t + 3 * k))));
  });
  const ragged = fc.constant([[[0.1, 0.2], [0.3]], [[0.4, 0.5]]]);
  const withHoles = valid.map((x) => {
    const copy = JSON.parse(JSON.stringify(x)) as number[][][];
    copy[0][0][0] = NaN;
    return copy;
  });
  const tensor = fc.tuple(fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 40 })).map(([B, T, F, n]) => ({ data: new Float32Array(n), shape: [B, T, F] }));
  return fc.oneof(valid, valid, ragged, withHoles, tensor, weirdValue);
}

/** An options object: known keys with valid or weird values, and now and then an unknown key. */
function options(known: Record<string, fc.Arbitrary<unknown>>): fc.Arbitrary<unknown> {
  const entries = Object.entries(known).map(([key, valid]) => fc.option(fc.tuple(fc.constant(key), fc.oneof(valid, valid, weirdValue)), { nil: undefined }));
  const extra = fc.option(fc.tuple(fc.constantFrom('lenghts', 'batchsize', 'transA', 'toString', '__proto__'), weirdValue), { freq: 5, nil: undefined });
  return fc.oneof(
    fc.tuple(fc.tuple(...entries), extra).map(([pairs, more]) => Object.fromEntries([...pairs, more].filter((p): p is [string, unknown] => p !== undefined))),
    weirdValue,
  );
}

function stackedModel(): Sequential {
  return new Sequential({
    inputSize: 2,
    seed: 5,
    layers: [new Bidirectional({ layer: new LSTM({ units: 3, returnSequences: true }) }), new GRU({ units: 2 }), new Dense({ units: 2 })],
  });
}

const probe = [[[0.1, -0.2], [0.3, 0.4], [0.5, -0.6]]];

describe('properties of the public API under random input', () => {
  it('Sequential.predict / forward / step / evaluate: succeed or throw a clean error; the model and memory stay as they were', () => {
    const model = stackedModel();
    const other = new Sequential({ inputSize: 2, seed: 6, layers: [new LSTM({ units: 2 }), new Dense({ units: 1 })] });
    model.compile({ loss: 'mse', optimizer: 'adam' });
    const before = [snapshot(model, probe), snapshot(other, probe)];
    model.predict(probe, { batchSize: 1 }); // warm the workspace so memory can be compared
    const bytes = backend.memoryBytes;
    const dataOptions = { lengths: fc.array(fc.integer({ min: 0, max: 5 }), { maxLength: 4 }), mask: fc.constant([[1, 1, 0]]), batchSize: fc.integer({ min: 1, max: 4 }) };
    fc.assert(fc.property(sequences(2), options(dataOptions), options({ dOutput: fc.constant([[0.1, 0.2]]), dFinalStates: fc.constant([null, { h: [[1, 1]] }, null]) }), (x, o, b) => {
      let failed = 0;
      if (!attempt('Sequential.predict', () => model.predict(x as never, o as never))) failed++;
      if (!attempt('Sequential.evaluate', () => model.evaluate(x as never, [[0.5, 0.5]] as never, o as never))) failed++;
      let cache: unknown = null;
      if (attempt('Sequential.forward', () => (cache = model.forward(x as never, { ...(o as object) }).cache))) {
        attempt('Sequential.backward', () => model.backward(cache as never, b as never));
      } else failed++;
      if (failed > 0) expect(snapshot(other, probe)).toBe(before[1]);
      return true;
    }), settings);
    expect(snapshot(model, probe)).toBe(before[0]); // nothing above trains or sets weights
    expect(snapshot(other, probe)).toBe(before[1]);
    expect(backend.memoryBytes).toBeLessThanOrEqual(bytes * 2);
    model.dispose();
    other.dispose();
  });

  it('Sequential.setWeights / setParameters / compile: all or nothing', () => {
    const model = stackedModel();
    const good = model.getWeights({ format: 'keras' });
    const before = snapshot(model, probe);
    const mutated = fc.tuple(fc.integer({ min: 0, max: good.length - 1 }), fc.integer({ min: 0, max: 5 }), weirdValue).map(([i, k, value]) => {
      const copy = good.map((w) => ({ ...w }));
      const keys = Object.keys(copy[i]);
      if (keys.length > 0) (copy[i] as Record<string, unknown>)[keys[k % keys.length]] = value;
      else (copy[i] as Record<string, unknown>).extra = value;
      return copy;
    });
    fc.assert(fc.property(fc.oneof(mutated, weirdValue), options({ format: fc.constantFrom('keras', 'pytorch', 'native') }), (weights, o) => {
      if (!attempt('Sequential.setWeights', () => model.setWeights(weights as never, o as never))) expect(snapshot(model, probe)).toBe(before);
      else model.setWeights(good, { format: 'keras' });
      if (!attempt('Sequential.setParameters', () => model.setParameters(weights as never))) expect(snapshot(model, probe)).toBe(before);
      attempt('Sequential.compile', () => model.compile(o as never));
      return true;
    }), settings);
    expect(snapshot(model, probe)).toBe(before);
    model.dispose();
  });

  it('fit with random options: succeeds or fails before anything changes', async () => {
    const model = new Sequential({ inputSize: 2, seed: 7, layers: [new GRU({ units: 2 }), new Dense({ units: 1 })] });
    model.compile({ loss: 'mse', optimizer: 'sgd' });
    const x = [[[0.1, 0.2], [0.3, 0.4]], [[0.5, 0.6], [0.7, 0.8]], [[0.2, 0.1], [0, 0.3]]];
    const y = [[0.1], [0.2], [0.3]];
    const fitOptions = options({
      epochs: fc.integer({ min: 1, max: 2 }), batchSize: fc.integer({ min: 1, max: 4 }), shuffle: fc.boolean(), validationSplit: fc.constantFrom(0.34, 0.5),
      lengths: fc.constant([2, 1, 2]), tbptt: fc.integer({ min: 1, max: 3 }), earlyStopping: fc.boolean(),
    });
    await fc.assert(fc.asyncProperty(fitOptions, sequences(2), async (o, xs) => {
      const before = snapshot(model, probe);
      try {
        await model.fit(xs === null ? x : (x), y, o as never);
      } catch (error) {
        expectCleanError('Sequential.fit', error);
        expect(snapshot(model, probe)).toBe(before);
      }
      return true;
    }), { ...settings, numRuns: Math.ceil(RUNS / 3) });
    model.dispose();
  });

  it('fromJSON of mutated saved files: loads, or refuses with a clean error and leaves nothing allocated', () => {
    const dir = new URL('./fixtures/v0.1.0/', import.meta.url);
    const files = {
      Sequential: JSON.parse(readFileSync(new URL('sequential.json', dir), 'utf8')) as unknown,
      EncoderDecoder: JSON.parse(readFileSync(new URL('encoder-decoder.json', dir), 'utf8')) as unknown,
      EchoStateNetwork: JSON.parse(readFileSync(new URL('esn.json', dir), 'utf8')) as unknown,
    };
    const load = { Sequential: (j: unknown) => Sequential.fromJSON(j), EncoderDecoder: (j: unknown) => EncoderDecoder.fromJSON(j), EchoStateNetwork: (j: unknown) => EchoStateNetwork.fromJSON(j) };
    const other = stackedModel();
    const before = snapshot(other, probe);
    /** Every path to a value in a JSON tree. */
    const paths = (value: unknown, prefix: (string | number)[] = []): (string | number)[][] => {
      if (value === null || typeof value !== 'object') return [prefix];
      const keys = Array.isArray(value) ? value.map((_, i) => i) : Object.keys(value);
      return [prefix, ...keys.flatMap((k) => paths((value as Record<string | number, unknown>)[k], [...prefix, k]))];
    };
    const mutate = (json: unknown, path: (string | number)[], value: unknown, mode: number): unknown => {
      const copy = JSON.parse(JSON.stringify(json)) as Record<string | number, unknown>;
      if (path.length === 0) return value;
      let at: Record<string | number, unknown> = copy;
      for (const key of path.slice(0, -1)) at = at[key] as Record<string | number, unknown>;
      const last = path[path.length - 1];
      if (mode === 0) delete at[last];
      else if (mode === 1 && typeof at[last] === 'string') at[last] = (at[last]).slice(0, Math.floor((at[last]).length / 2));
      else at[last] = value;
      return copy;
    };
    const kinds = Object.keys(files) as (keyof typeof files)[];
    const cases = fc.constantFrom(...kinds).chain((kind) => {
      const all = paths(files[kind]);
      // Half the mutations hit a layer's type or config, where the look-ups are.
      const layerPaths = all.filter((p) => p.some((k) => k === 'type' || k === 'config' || k === 'options'));
      return fc.tuple(fc.constant(kind), fc.oneof(fc.constantFrom(...all), fc.constantFrom(...(layerPaths.length ? layerPaths : all))), weirdValue, fc.integer({ min: 0, max: 3 }));
    });
    load.Sequential(files.Sequential).dispose(); // warm up
    const bytes = backend.memoryBytes;
    fc.assert(fc.property(cases, ([kind, path, value, mode]) => {
      const json = mutate(files[kind], path, value, mode);
      let loaded: { dispose(): void } | null = null;
      if (attempt(`${kind}.fromJSON`, () => (loaded = load[kind](json)))) (loaded as unknown as { dispose(): void }).dispose();
      return true;
    }), settings);
    expect(snapshot(other, probe)).toBe(before);
    expect(backend.memoryBytes).toBe(bytes);
    other.dispose();
  });

  it('EchoStateNetwork fit / predict / generate: succeed or throw a clean error; a failed call leaves the network as it was', () => {
    const esn = new EchoStateNetwork({ inputSize: 1, units: 12, seed: 3, washout: 2 });
    const u = Array.from({ length: 30 }, (_, t) => [Math.sin(t / 3)]);
    esn.fit(u, u.map(([v]) => [v * 0.5]));
    const esnOptions = options({ prefix: fc.constant([[0.1], [0.2]]) });
    fc.assert(fc.property(sequences(1), esnOptions, weirdNumber, (x, o, steps) => {
      const before = snapshot(esn, null);
      if (!attempt('EchoStateNetwork.predict', () => esn.predict(x as never))) expect(snapshot(esn, null)).toBe(before);
      const mid = snapshot(esn, null);
      if (!attempt('EchoStateNetwork.generate', () => esn.generate(steps, o as never))) expect(snapshot(esn, null)).toBe(mid);
      return true;
    }), settings);
    esn.dispose();
  });

  it('layers and token models: forward / backward / generate with random arguments', () => {
    const lstm = new LSTM({ inputSize: 2, units: 3, seed: 1 });
    const tokens = new Sequential({ seed: 2, layers: [new Embedding({ vocabSize: 4, units: 3 }), new LSTM({ units: 3, returnSequences: true }), new Dense({ units: 4, activation: 'softmax' })] });
    const before = JSON.stringify(lstm.getWeights());
    fc.assert(fc.property(sequences(2), options({ lengths: fc.constant([1]), mask: fc.constant([[1]]), initialState: fc.constant({ h: [[0, 0, 0]] }) }), options({ prefix: fc.constant([1, 2]), length: fc.integer({ min: 0, max: 4 }), temperature: fc.constantFrom(0, 0.5, 2), seed: fc.integer() }), (x, o, g) => {
      let cache: unknown = null;
      if (attempt('LSTM.forward', () => (cache = lstm.forward(x as never, o as never).cache))) attempt('LSTM.backward', () => lstm.backward(cache as never, o as never));
      attempt('Sequential.generate', () => tokens.generate(g as never));
      return true;
    }), settings);
    expect(JSON.stringify(lstm.getWeights())).toBe(before);
    lstm.dispose();
    tokens.dispose();
  });
});
