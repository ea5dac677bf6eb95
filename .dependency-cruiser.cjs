// dependency-cruiser: the layering of /work/shared/DESIGN.md ("Layers of the code") as rules,
// checked by `npm run lint` (and so by `npm test`). Arrows point down only:
//   cli → index → models → layers → kernels → engine
// with esn/ beside models (it trains itself) and the shared utilities at the top of src/
// (errors, tensor, random, saved-file, initializers) below everything: anyone may import them,
// and they import nothing but each other. src/reference/ (plain-TypeScript oracles) is for
// test/ and bench/ only. Type-only imports count: a layer's types are part of its layer.
//
/** The shared utilities at the top of src/. */
const SHARED = '^src/(errors|tensor|random|saved-file|initializers)[.]ts$';
/** A file in src/ that is not in one of the given folders (and not a shared utility). */
const outside = (...folders) => `^src/(?!(${folders.join('|')})/)(?!(errors|tensor|random|saved-file|initializers)[.]ts$)`;

/** "Files in `from` may import, within src/, only `folders` and the shared utilities." */
function onlyDown(name, from, folders, comment) {
  return { name, severity: 'error', comment, from: { path: from }, to: { path: outside(...folders) } };
}

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'No module depends on itself through others: cycles blur the layers and the load order.',
      from: {},
      to: { circular: true },
    },
    {
      name: 'layers-not-to-models',
      severity: 'error',
      comment: 'src/layers/ never imports src/models/: a layer does not know the model it is in.',
      from: { path: '^src/layers/' },
      to: { path: '^src/models/' },
    },
    {
      name: 'exports-only-from-kernels-and-engine',
      severity: 'error',
      comment:
        'src/engine/exports.ts (the module\'s raw exports) is used only by src/kernels/ (the typed bindings) and src/engine/. ' +
        'test/exports.test.ts is the one exception: it checks that table against both compiled binaries.',
      from: { pathNot: ['^src/(kernels|engine)/', '^test/exports[.]test[.]ts$'] },
      to: { path: '^src/engine/exports[.]ts$' },
    },
    {
      name: 'reference-only-from-tests-and-bench',
      severity: 'error',
      comment: 'src/reference/ is the oracle of the tests and the JS baseline of the benchmarks, never part of the library.',
      from: { path: '^src/', pathNot: '^src/reference/' },
      to: { path: '^src/reference/' },
    },
    {
      name: 'reference-imports-nothing-of-the-library',
      severity: 'error',
      comment: 'The references are independent of the code they check: plain TypeScript, no engine, kernels or layers.',
      from: { path: '^src/reference/' },
      to: { path: outside('reference') },
    },
    {
      name: 'cli-through-the-public-entry',
      severity: 'error',
      comment: 'src/cli/ uses the library as a user does: through src/index.ts (and the rnn-wasm/energy and rnn-wasm/node entries).',
      from: { path: '^src/cli/' },
      to: { path: '^src/', pathNot: ['^src/cli/', '^src/index[.]ts$', '^src/energy/index[.]ts$', '^src/node/index[.]ts$'] },
    },
    {
      name: 'entries-only-from-cli-and-outside',
      severity: 'error',
      comment: 'The public entries (src/index.ts, src/energy/index.ts, src/onnx/index.ts, src/node/) are the top: inside src/ only the CLI imports them (src/node/index.ts may use its own folder).',
      from: { path: '^src/', pathNot: ['^src/cli/', '^src/node/'] },
      to: { path: ['^src/index[.]ts$', '^src/energy/index[.]ts$', '^src/onnx/index[.]ts$', '^src/node/'] },
    },
    {
      name: 'cli-only-from-outside',
      severity: 'error',
      comment: 'Nothing in the library imports the command line.',
      from: { path: '^src/', pathNot: '^src/cli/' },
      to: { path: '^src/cli/' },
    },
    onlyDown('index-down', '^src/index[.]ts$', ['engine', 'kernels', 'layers', 'models', 'esn', 'forecast', 'energy'],
      'src/index.ts re-exports the library: engine, kernels, layers, models, esn, forecast, energy and the shared utilities (not cli/, node/ or reference/).'),
    {
      name: 'node-through-the-public-entries',
      severity: 'error',
      comment: 'The rnn-wasm/node entry uses the library as a user does, through src/index.ts and src/energy/index.ts (in dist/ those are the package\'s own entries, so there is one copy of the module state), plus the shared utilities.',
      from: { path: '^src/node/' },
      to: { path: '^src/', pathNot: ['^src/node/', '^src/index[.]ts$', '^src/energy/index[.]ts$', SHARED] },
    },
    onlyDown('models-down', '^src/models/', ['models', 'layers', 'kernels', 'engine'],
      'src/models/ may import layers, kernels, engine and the shared utilities.'),
    onlyDown('layers-down', '^src/layers/', ['layers', 'kernels', 'engine'],
      'src/layers/ may import kernels, engine and the shared utilities.'),
    onlyDown('kernels-down', '^src/kernels/', ['kernels', 'engine'],
      'src/kernels/ may import only the engine and the shared utilities.'),
    onlyDown('engine-bottom', '^src/engine/', ['engine'],
      'src/engine/ imports nothing above it: only itself and the shared utilities.'),
    onlyDown('forecast-down', '^src/forecast/', ['forecast', 'models', 'layers', 'kernels', 'engine'],
      'src/forecast/ (AR/NARX-style families) sits beside models/: it may use models, layers, kernels, engine and the shared utilities.'),
    onlyDown('energy-down', '^src/energy/', ['energy', 'models', 'layers', 'kernels', 'engine'],
      'src/energy/ (Hopfield, the Boltzmann machines, DBN, DBM) sits beside models/: it may use models (a DBN unrolls into a Sequential), layers, kernels, engine and the shared utilities.'),
    onlyDown('onnx-down', '^src/onnx/', ['onnx', 'models', 'layers', 'kernels', 'engine'],
      'src/onnx/ (the rnn-wasm/onnx entry: ONNX export and import) sits beside models/: it may use models, layers, kernels, engine and the shared utilities.'),
    onlyDown('esn-down', '^src/esn/', ['esn', 'kernels', 'engine'],
      'src/esn/ (its own training) may import kernels, engine and the shared utilities, not models/ or layers/.'),
    {
      name: 'shared-utilities-import-only-each-other',
      severity: 'error',
      comment: 'errors, tensor, random, saved-file and initializers are imported by everyone, so they import nothing above them.',
      from: { path: SHARED },
      to: { path: '^src/', pathNot: SHARED },
    },
    {
      name: 'not-to-unresolvable',
      severity: 'error',
      comment: 'Every import resolves (an import the cruiser cannot follow would be invisible to the rules above).',
      from: {},
      to: { couldNotResolve: true },
    },
    {
      name: 'library-imports-no-packages',
      severity: 'error',
      comment:
        'The library imports no npm package and no Node module (it runs in browsers as is). ' +
        'Only the Node-only entries may: src/cli/ (csv-parse, cli-progress, node:*) and src/node/ (cli-progress, csv-parse, node:*); and src/onnx/ protobufjs (next rule).',
      from: { path: '^src/', pathNot: '^src/(cli|node|onnx)/' },
      to: { dependencyTypes: ['npm', 'npm-dev', 'npm-optional', 'npm-peer', 'npm-bundled', 'npm-no-pkg', 'npm-unknown', 'core'] },
    },
    {
      name: 'onnx-imports-only-protobufjs',
      severity: 'error',
      comment: "The rnn-wasm/onnx entry runs in browsers too: its one package is protobufjs (a runtime dependency), and no Node module.",
      from: { path: '^src/onnx/' },
      to: { dependencyTypes: ['npm', 'npm-dev', 'npm-optional', 'npm-peer', 'npm-bundled', 'npm-no-pkg', 'npm-unknown', 'core'], pathNot: '^node_modules/protobufjs/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(dist|build|assembly|examples/browser/bundled/dist)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    // Resolve packages through their "exports" maps as Node does (csv-parse/sync has no file of that name).
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default'] },
  },
};
