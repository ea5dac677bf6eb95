// ESM + CJS bundles of src/ (the WASM binaries are inlined by the generated
// module), bundled .d.ts, and the Node-only command line dist/cli.js.
// Three library entries: 'rnn-wasm' (dist/index.*), 'rnn-wasm/energy' (dist/energy.*, the
// energy-based models) and 'rnn-wasm/onnx' (dist/onnx.*, ONNX export/import with protobufjs), so a
// page that uses only the first does not download the others. What
// both use (the engine with the WebAssembly, kernels, models, layers) is one shared chunk,
// dist/core.* — every module used by both entries is used by exactly the same set of entries,
// so there is exactly one such chunk, and one instance of the module state (init, backends).
// The scalar WebAssembly build is a chunk of its own, dist/wasm-scalar.*, imported by the loader
// only on engines without SIMD or when asked for (init({ simd: false })).
// The threaded build (shared memory, for init({ threads }) with more than one thread) is another such
// chunk, dist/wasm-threads.*.
const chunkName = (extension) => (chunk) =>
  chunk.isDynamicEntry ? `${chunk.name.includes('threads') ? 'wasm-threads' : 'wasm-scalar'}.${extension}` : `core.${extension}`;
// With three entries, rollup would split what two of them share into chunks of their own (core2,
// …); every module of src/ but the entries' own (src/index.ts, src/energy/, src/onnx/) and the
// scalar and threaded builds goes into the one shared chunk instead, so there is one instance of the module state.
const src = fileURLToPath(new URL('./src/', import.meta.url));
const manualChunks = (id) => {
  if (!id.startsWith(src) || /^(index\.ts|energy\/|onnx\/|engine\/binary-(scalar|threads))/.test(id.slice(src.length))) return undefined;
  return 'core';
};
import { chmodSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { fileURLToPath } from 'node:url';
import typescript from '@rollup/plugin-typescript';
import { dts } from 'rollup-plugin-dts';
import terser from '@rollup/plugin-terser';
import { inputs } from './scripts/entries.mjs';

// The library bundles are minified (what a browser downloads); class and function names are kept,
// since error messages name the classes a user passed (describe() reads constructor.name).
const minify = terser({ keep_classnames: true, keep_fnames: true, format: { comments: false } });

// The CLI imports the library as ../index.js and ../node/index.js; in dist/ those are the ESM
// bundles next to it, so the library (and its WebAssembly) is not copied into cli.js.
const libraryIndex = fileURLToPath(new URL('./src/index.js', import.meta.url));
const nodeIndex = fileURLToPath(new URL('./src/node/index.js', import.meta.url));
const energyIndex = fileURLToPath(new URL('./src/energy/index.js', import.meta.url));
const cliDependencies = ['csv-parse/sync', 'cli-progress'];
// 'rnn-wasm/onnx' reads and writes protobuf with protobufjs, a runtime dependency left to the
// user's bundler (or Node) to resolve: imported only by dist/onnx.*, never by the main entry.
const onnxDependencies = ['protobufjs/light.js'];
// 'rnn-wasm/node' imports the library through its public entries, which stay external and become the
// package's own files next to it (one copy of the module state).
const nodeExternal = (id, importer, resolved) =>
  builtinModules.includes(id.replace(/^node:/, '')) || cliDependencies.includes(id) || id === libraryIndex || id === energyIndex ||
  (!resolved && importer?.includes('/src/node/') && (id === '../index.js' || id === '../energy/index.js'));
const entryPaths = (extension) => ({ [libraryIndex]: `./index.${extension}`, [energyIndex]: `./energy.${extension}` });

// The package's entries come from one list, scripts/entries.mjs: each is built as ESM (.js) and CJS
// (.cjs), with types for each (.d.ts for import, .d.cts for require: TypeScript reads a .d.ts in a
// "type": "module" package as ESM, so a CommonJS consumer needs the .d.cts). package.json's
// exports map and typesVersions name the same files (test/package.test.ts checks every entry).
// 'rnn-wasm', 'rnn-wasm/energy' and 'rnn-wasm/onnx' share one core chunk; 'rnn-wasm/node' is built on its own.
const library = inputs('library');
const nodeHelpers = inputs('node');

/** Bundled declarations for `input`, twice: [name].d.ts (ESM) and [name].d.cts (CJS). Built
 * with no ambient types (types: []), so a consumer needs no @types/node either. */
function types(input, { chunkFileNames, external = [], paths } = {}) {
  const output = (extension) => ({
    dir: 'dist',
    format: 'es',
    entryFileNames: `[name].${extension}`,
    ...(chunkFileNames ? { chunkFileNames: chunkFileNames(extension) } : {}),
    ...(paths ? { paths: paths(extension) } : {}),
  });
  return { input, external, output: [output('d.ts'), output('d.cts')], plugins: [dts({ compilerOptions: { types: [] } })] };
}

export default [
  {
    input: library,
    external: onnxDependencies,
    output: [
      { dir: 'dist', format: 'es', sourcemap: true, entryFileNames: '[name].js', chunkFileNames: chunkName('js'), manualChunks },
      { dir: 'dist', format: 'cjs', sourcemap: true, exports: 'named', entryFileNames: '[name].cjs', chunkFileNames: chunkName('cjs'), manualChunks },
    ],
    plugins: [
      typescript({ tsconfig: './tsconfig.build.json' }),
      minify,
    ],
  },
  types(library, { chunkFileNames: chunkName, external: onnxDependencies }),
  // dist/index.min.js: 'rnn-wasm' as one minified ES module for pages without a bundler (one
  // <script type="module"> import, nothing else to serve) — all of 'rnn-wasm' with the SIMD build
  // inline. The scalar and threaded builds stay outside: it imports dist/wasm-scalar.js or wasm-threads.js (the files the build
  // above writes) on demand, so an engine with SIMD — every current browser — never downloads it.
  {
    input: { 'index.min': 'src/index.ts' },
    external: (id) => /(^|\/)binary-(scalar|threads)\.generated\.(js|ts)$/.test(id),
    output: {
      dir: 'dist',
      format: 'es',
      entryFileNames: '[name].js',
      paths: (id) => id.replace(/^.*binary-(scalar|threads)\.generated\.(js|ts)$/, './wasm-$1.js'),
    },
    plugins: [typescript({ tsconfig: './tsconfig.build.json' }), minify],
  },
  // 'rnn-wasm/node': Node-only helpers. Its dependencies (cli-progress, csv-parse, node:*) stay
  // external, and so does the library itself: src/node imports ../index.js and ../energy/index.js,
  // which become the package's own entries next to it, so there is one copy of the module state.
  {
    input: nodeHelpers,
    external: nodeExternal,
    output: [
      { dir: 'dist', format: 'es', sourcemap: true, entryFileNames: '[name].js', paths: entryPaths('js') },
      { dir: 'dist', format: 'cjs', sourcemap: true, exports: 'named', entryFileNames: '[name].cjs', paths: entryPaths('cjs') },
    ],
    plugins: [typescript({ tsconfig: './tsconfig.cli.json' })],
  },
  types(nodeHelpers, { external: nodeExternal, paths: (extension) => entryPaths(extension === 'd.ts' ? 'js' : 'cjs') }),
  {
    input: 'src/cli/main.ts',
    output: { file: 'dist/cli.js', format: 'es', banner: '#!/usr/bin/env node', paths: { [libraryIndex]: './index.js', [nodeIndex]: './node.js' } },
    external: (id, importer, resolved) =>
      builtinModules.includes(id.replace(/^node:/, '')) || cliDependencies.includes(id) || id === libraryIndex || id === nodeIndex ||
      (!resolved && importer?.includes('/src/cli/') && (id === '../index.js' || id === '../node/index.js')),
    plugins: [
      typescript({ tsconfig: './tsconfig.cli.json' }),
      { name: 'executable', writeBundle: ({ file }) => chmodSync(file, 0o755) },
    ],
  },
];
