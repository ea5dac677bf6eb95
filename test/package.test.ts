// The built package as a user gets it: dist/ through package.json's exports
// map, as ESM and as CJS, with no files other than the bundle at run time.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const root = new URL('..', import.meta.url).pathname;

function runNode(source: string, type: 'module' | 'commonjs'): string {
  const flag = type === 'module' ? '--input-type=module' : '--input-type=commonjs';
  return execFileSync(process.execPath, [flag, '-e', source], { cwd: root, encoding: 'utf8' });
}

describe('the built package', () => {
  it('declares types, import and require in its exports map, and no side effects', () => {
    const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
    expect(pkg.exports['.']).toEqual({ types: './dist/index.d.ts', import: './dist/index.js', require: './dist/index.cjs' });
    expect(pkg.exports['./energy']).toEqual({ types: './dist/energy.d.ts', import: './dist/energy.js', require: './dist/energy.cjs' });
    expect(pkg.sideEffects).toBe(false);
    const dts = readFileSync(new URL('../dist/index.d.ts', import.meta.url), 'utf8');
    expect(dts).toMatch(/export \{[^}]*\binit\b/);
    const energy = readFileSync(new URL('../dist/energy.d.ts', import.meta.url), 'utf8');
    expect(energy).toMatch(/export \{[^}]*\bHopfield\b/);
    expect(dts).not.toMatch(/\bHopfield\b/); // the energy-based models are the second entry's alone
  });

  it("'rnn-wasm/energy' shares the module, init() and the backends with 'rnn-wasm', as ESM and as CJS", () => {
    const program = (imports: string) => `${imports}
      (async () => {
        const backend = await init({ simd: false });
        const h = new Hopfield({ size: 4 });   // the default backend set by init() above
        h.store([[1, -1, 1, -1]]);
        console.log(JSON.stringify({ simd: h.backend.simd, same: h.backend === backend, state: h.recall([1, -1, 1, 1]).state }));
      })();`;
    const expected = { simd: false, same: true, state: [1, -1, 1, -1] };
    expect(JSON.parse(runNode(program(`import { init } from 'rnn-wasm'; import { Hopfield } from 'rnn-wasm/energy';`), 'module'))).toEqual(expected);
    expect(JSON.parse(runNode(program(`const { init } = require('rnn-wasm'); const { Hopfield } = require('rnn-wasm/energy');`), 'commonjs'))).toEqual(expected);
  });

  it("'rnn-wasm/onnx' is its own entry (protobufjs imported there alone), sharing the module with 'rnn-wasm', as ESM and as CJS", () => {
    const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
    expect(pkg.exports['./onnx']).toEqual({ types: './dist/onnx.d.ts', import: './dist/onnx.js', require: './dist/onnx.cjs' });
    expect(readFileSync(new URL('../dist/onnx.js', import.meta.url), 'utf8')).toMatch(/from ?"protobufjs\/light\.js"/);
    expect(readFileSync(new URL('../dist/onnx.d.ts', import.meta.url), 'utf8')).toMatch(/export \{[^}]*\btoONNX\b/);
    const program = (imports: string) => `${imports}
      (async () => {
        await init({ simd: false });
        const model = new Sequential({ inputSize: 2, seed: 1, layers: [new LSTM({ units: 3 }), new Dense({ units: 1 })] });
        const again = fromONNX(toONNX(model));
        const x = [[[0.5, -1], [1, 0.25]]];
        console.log(JSON.stringify({ kinds: again.layers.map((l) => l.kind), same: again.predict(x).data[0] === model.predict(x).data[0] }));
      })();`;
    const expected = { kinds: ['LSTM', 'Dense'], same: true };
    expect(JSON.parse(runNode(program(`import { init, Sequential, LSTM, Dense } from 'rnn-wasm'; import { toONNX, fromONNX } from 'rnn-wasm/onnx';`), 'module'))).toEqual(expected);
    expect(JSON.parse(runNode(program(`const { init, Sequential, LSTM, Dense } = require('rnn-wasm'); const { toONNX, fromONNX } = require('rnn-wasm/onnx');`), 'commonjs'))).toEqual(expected);
  });

  it('works as ESM (import "rnn-wasm")', () => {
    const out = runNode(
      `import { init, gemm } from 'rnn-wasm';
       const backend = await init();
       const c = new Float32Array(4);
       gemm(2, 2, 3, Float32Array.of(1, 2, 3, 4, 5, 6), Float32Array.of(1, 0, 0, 1, 1, 1), c);
       console.log(JSON.stringify({ simd: backend.simd, c: Array.from(c) }));`,
      'module',
    );
    expect(JSON.parse(out)).toEqual({ simd: true, c: [4, 5, 10, 11] });
  });

  it('works as CJS (require("rnn-wasm"))', () => {
    const out = runNode(
      `const { init, activation } = require('rnn-wasm');
       init({ simd: false }).then((backend) => {
         const y = new Float32Array(2);
         activation('relu', Float32Array.of(-1, 2), y);
         console.log(JSON.stringify({ simd: backend.simd, y: Array.from(y) }));
       });`,
      'commonjs',
    );
    expect(JSON.parse(out)).toEqual({ simd: false, y: [0, 2] });
  });

  it('keeps Node built-ins out of the bundles (they must run in browsers)', () => {
    for (const file of ['index.js', 'core.js', 'energy.js', 'wasm-scalar.js']) {
      const esm = readFileSync(new URL(`../dist/${file}`, import.meta.url), 'utf8');
      expect(esm, file).not.toMatch(/from ['"](node:)?(fs|path|url|crypto|module)['"]/);
      expect(esm, file).not.toMatch(/require\(/);
    }
  });

  it('ships the CLI as its own file, the bin, which the library bundles know nothing of', () => {
    const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
    expect(pkg.bin).toEqual({ 'rnn-wasm': 'dist/cli.js' });
    const cli = readFileSync(new URL('../dist/cli.js', import.meta.url), 'utf8');
    expect(cli.startsWith('#!/usr/bin/env node\n')).toBe(true);
    expect(cli).toMatch(/from '\.\/index\.js';/); // the library is imported, not copied
    expect(cli).not.toContain('class Sequential');
    for (const file of ['index.js', 'index.cjs', 'core.js', 'core.cjs', 'energy.js', 'energy.cjs']) {
      const bundle = readFileSync(new URL(`../dist/${file}`, import.meta.url), 'utf8');
      expect(bundle).not.toMatch(/csv-parse|cli-progress|node:util|CliError|protobufjs/);
    }
    // Runtime dependencies are the CLI's, and protobufjs for 'rnn-wasm/onnx' alone.
    expect(Object.keys(pkg.dependencies).sort()).toEqual(['cli-progress', 'csv-parse', 'protobufjs']);
  });
});
