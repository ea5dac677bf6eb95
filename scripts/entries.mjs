// The package's entries, one list, read by rollup.config.mjs (which builds each as dist/<name>.js,
// .cjs, .d.ts and .d.cts) and by test/package.test.ts (which checks that package.json exports each
// one the same way: import → { types: .d.ts, default: .js }, require → { types: .d.cts,
// default: .cjs }, and names it in typesVersions for node10 resolution). An entry added here and
// not to package.json fails that test. `group` is the build it belongs to: 'library' entries share
// one core chunk (one module state); 'node' entries are Node-only and built on their own.
export const ENTRIES = [
  { name: 'index', subpath: '.', source: 'src/index.ts', group: 'library' },
  { name: 'energy', subpath: './energy', source: 'src/energy/index.ts', group: 'library' },
  { name: 'onnx', subpath: './onnx', source: 'src/onnx/index.ts', group: 'library' },
  { name: 'node', subpath: './node', source: 'src/node/index.ts', group: 'node' },
];

/** `{ name: source }` of one group's entries, as rollup's `input` wants it. */
export function inputs(group) {
  return Object.fromEntries(ENTRIES.filter((entry) => entry.group === group).map((entry) => [entry.name, entry.source]));
}
