// Bundles main.js and rnn-wasm into one browser file, dist/main.js. This is the whole
// configuration a project needs: node-resolve finds 'rnn-wasm' (its "import" export, an ES module
// with the WebAssembly inlined); no wasm plugin, no asset copying, no Node polyfills.
import { fileURLToPath } from 'node:url';
import { nodeResolve } from '@rollup/plugin-node-resolve';

const here = (path) => fileURLToPath(new URL(path, import.meta.url));

export default {
  input: here('./main.js'),
  output: { file: here('./dist/main.js'), format: 'es' },
  plugins: [nodeResolve({ browser: true })],
};
