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
const chunkName = (extension) => (chunk) => (chunk.isDynamicEntry ? `wasm-scalar.${extension}` : `core.${extension}`);
// With three entries, rollup would split what two of them share into chunks of their own (core2,
// …); every module of src/ but the entries' own (src/index.ts, src/energy/, src/onnx/) and the
// scalar build goes into the one shared chunk instead, so there is one instance of the module state.
const src = fileURLToPath(new URL('./src/', import.meta.url));
const manualChunks = (id) => {
  if (!id.startsWith(src) || /^(index\.ts|energy\/|onnx\/|engine\/binary-scalar)/.test(id.slice(src.length))) return undefined;
  return 'core';
};
import { chmodSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { fileURLToPath } from 'node:url';
import typescript from '@rollup/plugin-typescript';
import { dts } from 'rollup-plugin-dts';
import terser from '@rollup/plugin-terser';

// The library bundles are minified (what a browser downloads); class and function names are kept,
// since error messages name the classes a user passed (describe() reads constructor.name).
const minify = terser({ keep_classnames: true, keep_fnames: true, format: { comments: false } });

// The CLI imports the library as ../index.js; in dist/ that is the ESM bundle next to it,
// so the library (and its WebAssembly) is not copied into cli.js.
const library = fileURLToPath(new URL('./src/index.js', import.meta.url));
const cliDependencies = ['csv-parse/sync', 'cli-progress'];
// 'rnn-wasm/onnx' reads and writes protobuf with protobufjs, a runtime dependency left to the
// user's bundler (or Node) to resolve: imported only by dist/onnx.*, never by the main entry.
const onnxDependencies = ['protobufjs/light.js'];

export default [
  {
    input: { index: 'src/index.ts', energy: 'src/energy/index.ts', onnx: 'src/onnx/index.ts' },
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
  {
    input: { index: 'src/index.ts', energy: 'src/energy/index.ts', onnx: 'src/onnx/index.ts' },
    external: onnxDependencies,
    output: { dir: 'dist', format: 'es', entryFileNames: '[name].d.ts', chunkFileNames: chunkName('d.ts') },
    plugins: [dts({ compilerOptions: { types: [] } })],
  },
  // 'rnn-wasm/node': Node-only helpers; cli-progress stays an external dependency.
  {
    input: 'src/node/index.ts',
    external: ['cli-progress'],
    output: [
      { file: 'dist/node.js', format: 'es', sourcemap: true },
      { file: 'dist/node.cjs', format: 'cjs', sourcemap: true, exports: 'named' },
    ],
    plugins: [typescript({ tsconfig: './tsconfig.cli.json' })],
  },
  {
    input: 'src/node/index.ts',
    external: ['cli-progress'],
    output: { file: 'dist/node.d.ts', format: 'es' },
    plugins: [dts({ compilerOptions: { types: ['node'] } })],
  },
  {
    input: 'src/cli/main.ts',
    output: { file: 'dist/cli.js', format: 'es', banner: '#!/usr/bin/env node', paths: { [library]: './index.js' } },
    external: (id, importer, resolved) =>
      builtinModules.includes(id.replace(/^node:/, '')) || cliDependencies.includes(id) || id === library || (!resolved && id === '../index.js' && importer?.includes('/src/cli/')),
    plugins: [
      typescript({ tsconfig: './tsconfig.cli.json' }),
      { name: 'executable', writeBundle: ({ file }) => chmodSync(file, 0o755) },
    ],
  },
];
