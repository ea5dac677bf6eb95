// What a browser downloads, gzipped: the package's ES module (dist/index.js, both WebAssembly
// binaries inlined as base64) and the bundled example (examples/browser/bundled/dist/main.js,
// the library plus the example's own code). Run `npm run build && npm run build:examples` first.
// Gzip at zlib's default level (6), as a web server compresses on the fly.
import { existsSync, readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';

export const BROWSER_FILES = ['dist/index.js', 'examples/browser/bundled/dist/main.js'];

export function gzippedSize(path) {
  const bytes = readFileSync(path);
  return { path, bytes: bytes.length, gzipped: gzipSync(bytes).length };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const root = new URL('..', import.meta.url).pathname;
  for (const file of BROWSER_FILES) {
    const path = root + file;
    if (!existsSync(path)) {
      console.log(`${file}: missing (npm run build && npm run build:examples)`);
      continue;
    }
    const { bytes, gzipped } = gzippedSize(path);
    console.log(`${file}: ${(bytes / 1000).toFixed(1)} kB, ${(gzipped / 1000).toFixed(1)} kB gzipped`);
  }
}
