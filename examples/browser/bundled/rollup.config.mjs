// Bundles main.js and rnn-wasm for a browser: dist/main.js, plus one chunk holding the scalar
// WebAssembly build, which the page fetches only on an engine without SIMD (the library imports it
// with import() on demand). This is the whole configuration a project needs: node-resolve finds
// 'rnn-wasm' (its "import" export, ES modules with the WebAssembly inlined); no wasm plugin, no
// asset copying, no Node polyfills. (Rollup needs output.dir rather than output.file because of
// that second chunk; bundlers that split on import() by themselves, like Vite, need nothing.)
import { fileURLToPath } from 'node:url';
import { nodeResolve } from '@rollup/plugin-node-resolve';

const here = (path) => fileURLToPath(new URL(path, import.meta.url));

export default {
  input: here('./main.js'),
  output: { dir: here('./dist'), format: 'es' },
  plugins: [nodeResolve({ browser: true })],
};
