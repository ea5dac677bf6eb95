// ESM + CJS bundles of src/ (the WASM binaries are inlined by the generated
// module), bundled .d.ts, and the Node-only command line dist/cli.js.
// Two library entries: 'rnn-wasm' (dist/index.*) and 'rnn-wasm/energy' (dist/energy.*, the
// energy-based models), so a page that uses only the first does not download the second. What
// both use (the engine with the WebAssembly, kernels, models, layers) is one shared chunk,
// dist/core.* — every module used by both entries is used by exactly the same set of entries,
// so there is exactly one such chunk, and one instance of the module state (init, backends).
// The scalar WebAssembly build is a chunk of its own, dist/wasm-scalar.*, imported by the loader
// only on engines without SIMD or when asked for (init({ simd: false })).
const chunkName = (extension) => (chunk) => (chunk.isDynamicEntry ? `wasm-scalar.${extension}` : `core.${extension}`);
import { chmodSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { fileURLToPath } from 'node:url';
import typescript from '@rollup/plugin-typescript';
import { dts } from 'rollup-plugin-dts';
import terser from '@rollup/plugin-terser';

// The library bundles are minified (what a browser downloads); class and function names are kept,
// since error messages name the classes a user passed (describe() reads constructor.name).
const minify = terser({ keep_classnames: true, keep_fnames: true, format: { comments: false } });

// The CLI imports the library as ../index.js and ../node/index.js; in dist/ those are the ESM
// bundles next to it, so the library (and its WebAssembly) is not copied into cli.js.
const library = fileURLToPath(new URL('./src/index.js', import.meta.url));
const nodeEntry = fileURLToPath(new URL('./src/node/index.js', import.meta.url));
const energy = fileURLToPath(new URL('./src/energy/index.js', import.meta.url));
const cliDependencies = ['csv-parse/sync', 'cli-progress'];
const nodeExternal = (id, importer, resolved) =>
  builtinModules.includes(id.replace(/^node:/, '')) || cliDependencies.includes(id) || id === library || id === energy ||
  (!resolved && importer?.includes('/src/node/') && (id === '../index.js' || id === '../energy/index.js'));

export default [
  {
    input: { index: 'src/index.ts', energy: 'src/energy/index.ts' },
    output: [
      { dir: 'dist', format: 'es', sourcemap: true, entryFileNames: '[name].js', chunkFileNames: chunkName('js') },
      { dir: 'dist', format: 'cjs', sourcemap: true, exports: 'named', entryFileNames: '[name].cjs', chunkFileNames: chunkName('cjs') },
    ],
    plugins: [
      typescript({ tsconfig: './tsconfig.build.json' }),
      minify,
    ],
  },
  {
    input: { index: 'src/index.ts', energy: 'src/energy/index.ts' },
    output: { dir: 'dist', format: 'es', entryFileNames: '[name].d.ts', chunkFileNames: chunkName('d.ts') },
    plugins: [dts({ compilerOptions: { types: [] } })],
  },
  // 'rnn-wasm/node': Node-only helpers. Its dependencies (cli-progress, csv-parse, node:*) stay
  // external, and so does the library itself: src/node imports ../index.js and ../energy/index.js,
  // which become the package's own entries next to it, so there is one copy of the module state.
  {
    input: 'src/node/index.ts',
    external: nodeExternal,
    output: [
      { file: 'dist/node.js', format: 'es', sourcemap: true, paths: { [library]: './index.js', [energy]: './energy.js' } },
      { file: 'dist/node.cjs', format: 'cjs', sourcemap: true, exports: 'named', paths: { [library]: './index.cjs', [energy]: './energy.cjs' } },
    ],
    plugins: [typescript({ tsconfig: './tsconfig.cli.json' })],
  },
  {
    input: 'src/node/index.ts',
    external: nodeExternal,
    output: { file: 'dist/node.d.ts', format: 'es', paths: { [library]: './index.js', [energy]: './energy.js' } },
    plugins: [dts({ compilerOptions: { types: ['node'] } })],
  },
  {
    input: 'src/cli/main.ts',
    output: { file: 'dist/cli.js', format: 'es', banner: '#!/usr/bin/env node', paths: { [library]: './index.js', [nodeEntry]: './node.js' } },
    external: (id, importer, resolved) =>
      builtinModules.includes(id.replace(/^node:/, '')) || cliDependencies.includes(id) || id === library || id === nodeEntry ||
      (!resolved && importer?.includes('/src/cli/') && (id === '../index.js' || id === '../node/index.js')),
    plugins: [
      typescript({ tsconfig: './tsconfig.cli.json' }),
      { name: 'executable', writeBundle: ({ file }) => chmodSync(file, 0o755) },
    ],
  },
];
