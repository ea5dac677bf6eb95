// The built package as a user gets it: dist/ through package.json's exports
// map, as ESM and as CJS, with no files other than the bundle at run time.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ts from 'typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENTRIES } from '../scripts/entries.mjs';

const root = new URL('..', import.meta.url).pathname;

function runNode(source: string, type: 'module' | 'commonjs'): string {
  const flag = type === 'module' ? '--input-type=module' : '--input-type=commonjs';
  return execFileSync(process.execPath, [flag, '-e', source], { cwd: root, encoding: 'utf8' });
}

describe('the built package', () => {
  it('exports every entry of scripts/entries.mjs with types nested under import (.d.ts) and require (.d.cts), for node10 too', () => {
    const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
    expect(ENTRIES.map((entry) => entry.subpath)).toEqual(['.', './energy', './onnx', './node']);
    expect(Object.keys(pkg.exports)).toEqual([...ENTRIES.map((entry) => entry.subpath), './package.json']);
    for (const { name, subpath } of ENTRIES) {
      expect(pkg.exports[subpath], subpath).toEqual({
        import: { types: `./dist/${name}.d.ts`, default: `./dist/${name}.js` },
        require: { types: `./dist/${name}.d.cts`, default: `./dist/${name}.cjs` },
      });
      for (const extension of ['js', 'cjs', 'd.ts', 'd.cts']) expect(existsSync(join(root, `dist/${name}.${extension}`)), `dist/${name}.${extension}`).toBe(true);
    }
    // node10 resolution (TypeScript's "node"/"node10") reads no exports map: main, types and typesVersions.
    expect([pkg.main, pkg.types]).toEqual(['./dist/index.cjs', './dist/index.d.cts']);
    expect(pkg.typesVersions).toEqual({ '*': Object.fromEntries(ENTRIES.filter((e) => e.subpath !== '.').map((e) => [e.subpath.slice(2), [`./dist/${e.name}.d.cts`]])) });
    // The API reference documents the same entries.
    const typedoc = JSON.parse(readFileSync(join(root, 'typedoc.json'), 'utf8'));
    expect(typedoc.entryPoints).toEqual(ENTRIES.map((entry) => entry.source));
    expect(pkg.sideEffects).toBe(false);
    expect(pkg.license).toBe('MIT');
    expect(readFileSync(join(root, 'LICENSE'), 'utf8')).toMatch(/^MIT License\n\nCopyright \(c\) \d{4} the rnn-wasm authors\n/);
    expect(pkg.files).toContain('LICENSE');
    // Placeholders until the maintainers fill them in: example.invalid, never a real-looking host.
    for (const url of [pkg.homepage, pkg.repository.url, pkg.bugs.url]) expect(url).toMatch(/^(git\+)?https:\/\/example\.invalid\//);
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
    expect(pkg.exports['./onnx']).toEqual({ import: { types: './dist/onnx.d.ts', default: './dist/onnx.js' }, require: { types: './dist/onnx.d.cts', default: './dist/onnx.cjs' } });
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

  it('dist/index.min.js is one ES module (the scalar build aside) that computes what dist/index.js does, with either build', () => {
    const min = readFileSync(join(root, 'dist/index.min.js'), 'utf8');
    expect(min).not.toMatch(/^\s*import\b[^(]|\bfrom\s*['"]|\brequire\s*\(/m); // no static imports
    expect([...min.matchAll(/\bimport\s*\(\s*(['"][^'"]*['"])\s*\)/g)].map((m) => m[1])).toEqual(['"./wasm-scalar.js"', '"./wasm-threads.js"']);
    expect(min.split('\n').length).toBeLessThan(5); // minified
    // init() picks a build once per module instance: one process per build, each loading both files.
    const [[minSimd, fullSimd], [minScalar, fullScalar]] = [true, false].map((simd) => JSON.parse(runNode(
      `const program = async (rnn) => {
         await rnn.init({ simd: ${simd} });
         const model = new rnn.Sequential({ inputSize: 2, seed: 3, layers: [new rnn.LSTM({ units: 5 }), new rnn.Dense({ units: 2 })] });
         return { simd: model.backend.simd, y: Array.from(model.predict([[[0.5, -1], [0.25, 2], [1, 0]]]).data) };
       };
       console.log(JSON.stringify([await program(await import('./dist/index.min.js')), await program(await import('./dist/index.js'))]));`,
      'module',
    )) as { simd: boolean; y: number[] }[]);
    expect([minSimd.simd, minScalar.simd]).toEqual([true, false]);
    expect(minSimd).toEqual(fullSimd);
    expect(minScalar).toEqual(fullScalar);
    expect(minScalar.y).toEqual(minSimd.y); // the two builds agree bit for bit
  });

  it('keeps Node built-ins out of the bundles (they must run in browsers)', () => {
    for (const file of ['index.js', 'core.js', 'energy.js', 'wasm-scalar.js', 'wasm-threads.js', 'index.min.js']) {
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

// The tarball `npm pack` makes, as the registry would get it: linted by publint and
// arethetypeswrong, and its types compiled by consumers in every module system, with no
// @types/node and no skipLibCheck.
describe('the packed tarball', () => {
  let dir = '';
  let tarball = '';
  const bin = (name: string) => join(root, 'node_modules/.bin', name);

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'rnn-wasm-pack-'));
    execFileSync('npm', ['pack', '--silent', '--pack-destination', dir], { cwd: root, encoding: 'utf8' });
    const [name] = readdirSync(dir).filter((file) => file.endsWith('.tgz'));
    tarball = join(dir, name);
    const unpacked = join(dir, 'consumer/node_modules/rnn-wasm');
    mkdirSync(unpacked, { recursive: true });
    execFileSync('tar', ['-xzf', tarball, '-C', unpacked, '--strip-components=1']);
  }, 60_000);

  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('holds dist/, the README and the LICENSE, and nothing else', () => {
    const files = execFileSync('tar', ['-tzf', tarball], { encoding: 'utf8' }).trim().split('\n').map((file) => file.replace(/^package\//, ''));
    expect(files.filter((file) => !file.startsWith('dist/')).sort()).toEqual(['LICENSE', 'README.md', 'package.json']);
    expect(files).toContain('dist/index.min.js');
  });

  it('publint (strict: warnings count) finds nothing', () => {
    const run = spawnSync(bin('publint'), ['run', '--strict', tarball], { encoding: 'utf8' });
    expect(run.status, run.stdout + run.stderr).toBe(0);
    expect(run.stdout).toContain('All good!');
  }, 60_000);

  it('arethetypeswrong finds no problem for any entry under node10, node16 (CJS and ESM) or bundler resolution', () => {
    const run = spawnSync(bin('attw'), [tarball, '--format', 'json'], { encoding: 'utf8' });
    expect(run.status, run.stdout + run.stderr).toBe(0);
    const report = JSON.parse(run.stdout) as { analysis: { entrypoints: Record<string, unknown> }; problems: object };
    expect(report.problems).toEqual({}); // attw lists problems here by kind
    expect(Object.keys(report.analysis.entrypoints).sort()).toEqual([...ENTRIES.map((e) => e.subpath), './package.json'].sort());
  }, 60_000);

  it('TypeScript consumers compile against it without @types/node: ESM and CJS under node16, and node10', () => {
    const consumer = join(dir, 'consumer');
    const body = `const model = new Sequential({ inputSize: 2, layers: [new LSTM({ units: 4 }), new Dense({ units: 1 })] });
      const saved: SequentialJSON = model.toJSON();
      const stream: ProgressStream = { write: (text: string) => text.length, isTTY: false };
      export const used: unknown[] = [init, saved, new Hopfield({ size: 4 }), progressBar({ stream })];`;
    const imports = `import { init, Sequential, LSTM, Dense, type SequentialJSON } from 'rnn-wasm';
      import { Hopfield } from 'rnn-wasm/energy';
      import { progressBar, type ProgressStream } from 'rnn-wasm/node';`;
    writeFileSync(join(consumer, 'esm.mts'), `${imports}\n${body}`);
    writeFileSync(join(consumer, 'cjs.cts'), `${imports}\n${body}`); // compiled to require(): needs the .d.cts types
    writeFileSync(join(consumer, 'node10.ts'), `${imports}\n${body}`);
    const common: ts.CompilerOptions = { strict: true, noEmit: true, types: [], lib: ['lib.es2022.d.ts'], target: ts.ScriptTarget.ES2022, skipLibCheck: false };
    const projects: [string[], ts.CompilerOptions][] = [
      [['esm.mts', 'cjs.cts'], { module: ts.ModuleKind.Node16, moduleResolution: ts.ModuleResolutionKind.Node16 }],
      [['node10.ts'], { module: ts.ModuleKind.CommonJS, moduleResolution: ts.ModuleResolutionKind.Node10 }],
    ];
    for (const [files, options] of projects) {
      const program = ts.createProgram(files.map((file) => join(consumer, file)), { ...common, ...options });
      const messages = ts.getPreEmitDiagnostics(program).map((d) => `${d.file?.fileName ?? ''}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`);
      expect(messages, files.join(', ')).toEqual([]);
      // Each module system read its own declarations.
      const read = program.getSourceFiles().map((f) => f.fileName).filter((f) => f.includes('/rnn-wasm/dist/')).map((f) => f.slice(f.indexOf('dist/')));
      expect(read, files.join(', ')).toEqual(expect.arrayContaining(files[0] === 'node10.ts' ? ['dist/index.d.cts', 'dist/energy.d.cts', 'dist/node.d.cts'] : ['dist/index.d.ts', 'dist/index.d.cts', 'dist/node.d.ts', 'dist/node.d.cts']));
    }
  }, 60_000);
});
