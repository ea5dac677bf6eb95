// rnn-wasm/node's files: save/load (whole or nothing, every saveable class by its format tag),
// readCsv; and the library's StandardScaler that the CLI and users share.
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { Dense, init, LSTM, Sequential, StandardScaler, lookbackWindows } from '../src/index.js';
import { RBM } from '../src/energy/index.js';
import { load, readCsv, save } from '../src/node/index.js';
import { thrown } from './helpers/compare.js';

beforeAll(async () => {
  await init();
});

const dir = mkdtempSync(join(tmpdir(), 'rnn-wasm-files-'));

async function rejected(p: Promise<unknown>): Promise<{ type: string; message: string }> {
  try {
    await p;
  } catch (error) {
    return { type: (error as Error).constructor.name, message: (error as Error).message };
  }
  throw new Error('expected a rejection');
}

describe('save / load', () => {
  it('round-trips a Sequential: same class, same predictions bit for bit', async () => {
    const model = new Sequential({ inputSize: 3, layers: [new LSTM({ units: 5 }), new Dense({ units: 2 })], seed: 4 });
    const x = { data: Float32Array.from({ length: 2 * 6 * 3 }, (_, i) => Math.sin(i)), shape: [2, 6, 3] };
    const path = join(dir, 'model.json');
    await save(model, path);
    const again = await load(path);
    expect(again).toBeInstanceOf(Sequential);
    expect(Array.from((again as Sequential).predict(x).data)).toEqual(Array.from(model.predict(x).data));
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]); // no temporaries left
    model.dispose();
    (again as Sequential).dispose();
  });

  it('round-trips an energy model and a scaler by their format tags', async () => {
    const rbm = new RBM({ visible: 6, hidden: 3, seed: 2 });
    await save(rbm, join(dir, 'rbm.json'));
    const again = await load(join(dir, 'rbm.json'));
    expect(again).toBeInstanceOf(RBM);
    const v = [[1, 0, 1, 0, 1, 0]];
    expect(Array.from((again as RBM).freeEnergy(v))).toEqual(Array.from(rbm.freeEnergy(v)));
    const scaler = StandardScaler.fit([[1, 10], [2, 20], [3, 30]]);
    await save(scaler, join(dir, 'scaler.json'));
    expect(((await load(join(dir, 'scaler.json'))) as StandardScaler).mean).toEqual([2, 20]);
  });

  it('refuses what it cannot read, naming the file, and leaves an existing file whole when a write fails', async () => {
    expect(await rejected(load(join(dir, 'missing.json')))).toEqual({ type: 'Error', message: `load: cannot read ${join(dir, 'missing.json')} (no such file)` });
    writeFileSync(join(dir, 'text.json'), 'not json');
    expect(await rejected(load(join(dir, 'text.json')))).toEqual({ type: 'SyntaxError', message: `load: ${join(dir, 'text.json')} is not JSON, so not a model saved by rnn-wasm` });
    writeFileSync(join(dir, 'other.json'), '{"format":"keras"}');
    expect((await rejected(load(join(dir, 'other.json')))).message).toMatch(/^load: .*other\.json is not a saved rnn-wasm model \(format "keras"; known: rnn-wasm\/sequential, /);
    expect(await rejected(save({} as never, join(dir, 'x.json')))).toEqual({ type: 'TypeError', message: 'save: model must be an rnn-wasm model (an object with toJSON()), got Object' });
    // A destination that is a directory: the write fails, nothing is left behind.
    const model = new Sequential({ inputSize: 2, layers: [new Dense({ units: 1 })] });
    expect((await rejected(save(model, dir))).message).toMatch(/^save: cannot write /);
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    model.dispose();
  });
});

describe('readCsv', () => {
  it('reads named numeric columns as rows [T, F], and names the line and column of a bad cell', () => {
    const file = join(dir, 'data.csv');
    writeFileSync(file, 'day,close,volume\n1,"10.5",100\n2,11,200\n\n3,12.25,300\n');
    const { columns, data, shape } = readCsv(file, { columns: ['volume', 'close'] });
    expect(columns).toEqual(['volume', 'close']);
    expect(shape).toEqual([3, 2]);
    expect(Array.from(data)).toEqual([100, 10.5, 200, 11, 300, 12.25]);
    expect(readCsv(file).shape).toEqual([3, 3]);
    writeFileSync(file, 'a,b\n1,2\n3,x\n');
    expect(thrown(() => readCsv(file))).toEqual({ type: 'Error', message: `${file}: line 3, column "b": "x" is not a number` });
    expect(thrown(() => readCsv(file, { columns: ['c'] })).message).toBe(`${file}: no column "c" (the columns are: a, b)`);
    expect(thrown(() => readCsv(join(dir, 'none.csv'))).message).toBe(`${join(dir, 'none.csv')}: no such file`);
    expect(thrown(() => readCsv(file, { delimiter: '"' })).message).toBe('readCsvTable: options.delimiter must be one character other than a quote or a line break, got "\\""');
  });
});

describe('StandardScaler', () => {
  it('fits on the training rows only, transforms to f32, inverts exactly in f64', () => {
    const rows = [[1, 5], [3, 5], [5, 5], [100, 7]];
    const scaler = StandardScaler.fit(rows, { rows: 3 });
    expect(scaler.mean).toEqual([3, 5]);
    expect(scaler.std[0]).toBeCloseTo(Math.sqrt(8 / 3), 14);
    expect(scaler.std[1]).toBe(1); // constant over the training rows: only centred
    const z = scaler.transform(rows);
    expect(z.shape).toEqual([4, 2]);
    expect(z.data[0]).toBe(Math.fround(-2 / Math.sqrt(8 / 3)));
    expect(z.data[7]).toBe(2);
    const back = scaler.inverseTransform([0, 0, 1, 2]);
    expect(Array.from(back)).toEqual([3, 5, 3 + Math.sqrt(8 / 3), 7]);
    expect(Array.from(scaler.inverseTransform([1], { column: 1 }))).toEqual([6]);
    // Chains with lookbackWindows, and round-trips through JSON.
    expect(lookbackWindows(z, { lookback: 2 }).x.shape).toEqual([2, 2, 2]);
    expect(StandardScaler.fromJSON(JSON.parse(JSON.stringify(scaler))).std).toEqual(scaler.std);
  });

  it('names the column that cannot be scaled, and bad arguments', () => {
    expect(thrown(() => StandardScaler.fit([[1e200, 0], [-1e200, 1]], { names: ['big', 'small'], label: 'data.csv' }))).toEqual({
      type: 'RangeError', message: 'data.csv: column "big" cannot be scaled: its standard deviation over the training rows (1–2) is not finite (its values are too large)',
    });
    const scaler = StandardScaler.fit([1, 2, 3]);
    expect(thrown(() => scaler.transform([[1, 2]])).message).toBe('StandardScaler.transform: data has 2 columns but the scaler was fitted on 1');
    expect(thrown(() => scaler.transform([1e60])).message).toBe('StandardScaler.transform: column 0 cannot be scaled: row 1 (1e+60) is too far from the training mean 2 for float32');
    expect(thrown(() => StandardScaler.fit([1, 2], { rows: 3 })).message).toMatch(/^StandardScaler\.fit: options\.rows must be in \[1, 2\], got 3$/);
    expect(thrown(() => StandardScaler.fromJSON({ format: 'rnn-wasm/standard-scaler', version: 1, mean: [0], std: [0] })).message).toBe('StandardScaler.fromJSON: std must be a non-empty array of finite positive numbers, got Array(1)');
  });
});

it('leaves the CSV it read untouched', () => {
  const file = join(dir, 'keep.csv');
  writeFileSync(file, 'a\n1\n2\n');
  readCsv(file);
  expect(readFileSync(file, 'utf8')).toBe('a\n1\n2\n');
});
