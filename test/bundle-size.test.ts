// What a browser with WebAssembly SIMD (every current one) downloads for a page that trains a
// Sequential LSTM → Dense model, bundled from the built package and minified by esbuild — the
// issue's measure of the library's weight. The scalar and threaded builds must stay in chunks of their own,
// fetched only without SIMD or with threads.
//
// The issue's goal is 64 kB gzipped; today's bundle does not reach it (see BUDGET_GZIPPED), and
// this test holds today's figure so that it only goes down.
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';

const root = new URL('..', import.meta.url).pathname;

/**
 * Today: about 95.1 kB gzipped, of which the SIMD binary (base64 in the JS, built with shrinkLevel 1)
 * is about 43 kB and the JavaScript about 52 kB. The JavaScript holds every layer class, since
 * Sequential (its constructor's instanceof check and fromJSON) reaches all of them through
 * LAYER_TYPES in src/models/saving.ts, and the engine's thread pool with the splitting of
 * convolutions and Dense over threads (src/kernels/split.ts, about 1.9 kB of the 95.1).
 */
const BUDGET_GZIPPED = 96_000;

const ENTRY = `import { init, Sequential, LSTM, Dense } from ${JSON.stringify(`${root}dist/index.js`)};
await init();
const model = new Sequential({ inputSize: 2, layers: [new LSTM({ units: 8 }), new Dense({ units: 1 })] });
model.compile({ loss: 'mse', optimizer: 'adam' });
await model.fit([[[0, 1], [1, 0]]], [[1]], { epochs: 1 });
console.log(model.predict([[[0, 1], [1, 0]]]).data);
`;

describe('the bundle of a Sequential LSTM → Dense page (esbuild, minified)', () => {
  it(`is at most ${BUDGET_GZIPPED / 1000} kB gzipped for an engine with SIMD; the scalar and threaded builds are chunks it does not load`, async () => {
    const result = await build({
      stdin: { contents: ENTRY, resolveDir: root, sourcefile: 'page.js' },
      bundle: true, minify: true, format: 'esm', splitting: true, platform: 'browser', target: 'es2022',
      outdir: 'out', write: false, logLevel: 'silent',
    });
    const files = result.outputFiles.map((file) => ({ name: file.path.slice(file.path.lastIndexOf('/') + 1), text: file.text, gzipped: gzipSync(file.contents).length }));
    const page = files.find((file) => file.name === 'stdin.js');
    const chunks = files.filter((file) => file !== page);
    expect(page).toBeDefined();
    // Two chunks: the scalar build (engines without SIMD) and the threaded build (init({ threads }) > 1).
    expect(chunks.length).toBe(2);
    for (const chunk of chunks) {
      expect(chunk.text).toMatch(/WASM_BASE64|[A-Za-z0-9+/]{50000}/);
      // The page imports each with import() only: an engine with SIMD, one thread, never fetches them.
      expect(page!.text).not.toMatch(new RegExp(`from\\s*["']\\./${chunk.name.replace('.', '\\.')}`));
      expect(page!.text).toContain(`import("./${chunk.name}")`);
    }
    console.log(`Sequential + LSTM + Dense, esbuild --minify: ${(page!.gzipped / 1000).toFixed(1)} kB gzipped (on-demand chunks: ${chunks.map((c) => `${(c.gzipped / 1000).toFixed(1)} kB`).join(', ')})`);
    expect(page!.gzipped).toBeLessThanOrEqual(BUDGET_GZIPPED);
  }, 60_000);
});
