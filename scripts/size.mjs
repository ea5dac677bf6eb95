// What a browser downloads, gzipped, page by page: the package's ES modules (dist/index.js and the
// shared chunk dist/core.js, with the SIMD WebAssembly build inlined as base64, or the two as one
// file, dist/index.min.js; dist/energy.js for 'rnn-wasm/energy'; dist/onnx.js and protobufjs for
// 'rnn-wasm/onnx'; dist/wasm-scalar.js, the scalar build, fetched only by an engine without SIMD
// or on init({ simd: false }); dist/wasm-threads.js, the threaded build, fetched only on
// init({ threads }) with more than one thread) and the bundled example (examples/browser/bundled/dist/). Run
// `npm run build && npm run build:examples` first. Gzip at zlib's default level (6), as a web
// server compresses on the fly; source maps are only fetched by developer tools.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';

const root = new URL('..', import.meta.url).pathname;
const bundled = 'examples/browser/bundled/dist';
/** What 'rnn-wasm/onnx' adds beside dist/onnx.js: protobufjs (its reflection build without the .proto parser), as minified by its authors. */
const PROTOBUF = 'node_modules/protobufjs/dist/light/protobuf.min.js';

/** The bundled example's files: main.js and the scalar and threaded builds' chunks. */
export function bundledFiles() {
  const files = readdirSync(root + bundled).filter((name) => name.endsWith('.js')).sort();
  const chunks = (prefix) => files.filter((name) => name.startsWith(prefix)).map((name) => `${bundled}/${name}`);
  return { main: `${bundled}/main.js`, scalar: chunks('wasm-scalar'), threads: chunks('wasm-threads') };
}

/** Each page and the files it downloads; `simd: false` pages are what an engine without SIMD adds, `threads: true` what threads add. */
export function pages() {
  const example = bundledFiles();
  return [
    { page: "'rnn-wasm' (no bundler)", simd: true, files: ['dist/index.js', 'dist/core.js'] },
    { page: "'rnn-wasm' (no bundler, dist/index.min.js)", simd: true, files: ['dist/index.min.js'] },
    { page: "'rnn-wasm' + 'rnn-wasm/energy' (no bundler)", simd: true, files: ['dist/index.js', 'dist/core.js', 'dist/energy.js'] },
    { page: "'rnn-wasm' + 'rnn-wasm/onnx' (no bundler; protobufjs's minified light build)", simd: true, files: ['dist/index.js', 'dist/core.js', 'dist/onnx.js', PROTOBUF] },
    { page: 'the bundled example', simd: true, files: [example.main] },
    { page: "'rnn-wasm' + 'rnn-wasm/energy', engine without SIMD", simd: false, files: ['dist/index.js', 'dist/core.js', 'dist/energy.js', 'dist/wasm-scalar.js'] },
    { page: 'the bundled example, engine without SIMD', simd: false, files: [example.main, ...example.scalar] },
    { page: "'rnn-wasm' with threads (no bundler)", simd: true, threads: true, files: ['dist/index.js', 'dist/core.js', 'dist/wasm-threads.js'] },
    { page: 'the bundled example with threads', simd: true, threads: true, files: [example.main, ...example.threads] },
  ];
}

export function gzippedSize(file) {
  const bytes = readFileSync(root + file);
  return { file, bytes: bytes.length, gzipped: gzipSync(bytes).length };
}

/** The pages with their sizes: bytes and gzipped, summed over their files. */
export function pageSizes() {
  return pages().map(({ page, simd, threads = false, files }) => {
    const sizes = files.map(gzippedSize);
    return { page, simd, threads, files, bytes: sizes.reduce((s, f) => s + f.bytes, 0), gzipped: sizes.reduce((s, f) => s + f.gzipped, 0) };
  });
}

if (import.meta.url === `file://${process.argv[1]}`) {
  if (!existsSync(root + 'dist/index.js') || !existsSync(root + bundled)) {
    console.log('missing: run npm run build && npm run build:examples');
    process.exit(1);
  }
  for (const file of ['dist/index.js', 'dist/core.js', 'dist/index.min.js', 'dist/energy.js', 'dist/onnx.js', PROTOBUF, 'dist/wasm-scalar.js', 'dist/wasm-threads.js', ...Object.values(bundledFiles()).flat()]) {
    const { bytes, gzipped } = gzippedSize(file);
    console.log(`${file}: ${(bytes / 1000).toFixed(1)} kB, ${(gzipped / 1000).toFixed(1)} kB gzipped`);
  }
  for (const { page, files, bytes, gzipped } of pageSizes()) {
    console.log(`${page} [${files.join(' + ')}]: ${(bytes / 1000).toFixed(1)} kB, ${(gzipped / 1000).toFixed(1)} kB gzipped`);
  }
}
