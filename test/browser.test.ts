// The package in a real browser: headless Chromium (Debian's /usr/bin/chromium through
// playwright-core) loads the example pages from a static server on 127.0.0.1 — the ES module with
// no bundler, the rollup bundle, and training in a Web Worker — and everything they compute must
// have the same bits as the same computation in Node: forward/backward of every cell, a small
// LSTM trained by SGD and an ESN fit/predict/generate, with the SIMD and the scalar builds.
//
// Without Chromium the browser half is skipped with one loud line, unless CI is set: then a
// missing browser is a failure. The bundle checks (no Node built-ins, sizes) need no browser.
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Page } from 'playwright-core';
import { rollup, type RollupLog } from 'rollup';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM_PATH, INSTALL_HINT, launchChromium, type Chromium } from './helpers/chromium.js';
import { serveStatic, type StaticServer } from './helpers/static-server.js';
import { pageSizes } from '../scripts/size.mjs';
import { encodeTraining, runWorkloads, TRAINING, trainingResults } from './browser/workloads.js';
import { energyResults } from './browser/energy-workloads.js';
import { threadsResults } from './browser/threads-workloads.js';

const root = new URL('..', import.meta.url).pathname;
const ci = !!process.env.CI && process.env.CI !== 'false' && process.env.CI !== '0';
const haveChromium = existsSync(CHROMIUM_PATH);
/**
 * What a page downloads on an engine with WebAssembly SIMD (every current browser) must fit in this,
 * gzipped (the target). An engine without SIMD also fetches the scalar build (about 40 kB
 * gzipped): those pages are held to the target plus that allowance.
 */
const SIZE_BUDGET_GZIPPED = 150_000;
const SCALAR_ALLOWANCE_GZIPPED = 45_000;
/** 'rnn-wasm/onnx' is opt-in and brings protobufjs (its light build: about 25 kB gzipped) and dist/onnx.js (about 11 kB): its page is held to the target plus this. */
const ONNX_ALLOWANCE_GZIPPED = 40_000;

if (!haveChromium && !ci) {
  process.stderr.write(`\n!!!!! BROWSER SUITE SKIPPED: ${CHROMIUM_PATH} not found — ${INSTALL_HINT} !!!!!\n\n`);
}

type Bytes = { type: 'f32' | 'f64'; hex: string };
type Results = Record<string, Bytes>;

/** The library exactly as published (dist/index.js), loaded by Node itself. */
async function distModule(): Promise<any> {
  return import(pathToFileURL(join(root, 'dist/index.js')).href);
}

function decode({ type, hex }: Bytes): Float32Array | Float64Array {
  const bytes = new Uint8Array(hex.length / 2);
  for (let i = 0; i < bytes.length; i++) bytes[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return type === 'f64' ? new Float64Array(bytes.buffer) : new Float32Array(bytes.buffer);
}

/** Every quantity that differs in any bit, with its first differing element, e.g. for a failure message. */
function differences(want: Results, got: Results): string[] {
  const out: string[] = [];
  for (const key of new Set([...Object.keys(want), ...Object.keys(got)])) {
    const a = want[key], b = got[key];
    if (!a || !b) {
      out.push(`${key}: only in ${a ? 'Node' : 'Chromium'}`);
      continue;
    }
    if (a.type === b.type && a.hex === b.hex) continue;
    const x = decode(a), y = decode(b);
    let i = 0;
    while (i < Math.min(x.length, y.length) && Object.is(x[i], y[i])) i++;
    out.push(`${key}: ${a.type}[${x.length}] vs ${b.type}[${y.length}], first difference at [${i}]: Node ${x[i]} vs Chromium ${y[i]}`);
  }
  return out;
}

// ---- the bundled example, built here with its own rollup config ----

let bundleBuild: Promise<{ code: string; scalarChunk: string; threadsChunk: string; warnings: string[] }> | null = null;

function buildBundledExample(): Promise<{ code: string; scalarChunk: string; threadsChunk: string; warnings: string[] }> {
  bundleBuild ??= (async () => {
    const configPath = join(root, 'examples/browser/bundled/rollup.config.mjs');
    const config = (await import(pathToFileURL(configPath).href)).default;
    const warnings: string[] = [];
    rmSync(join(root, 'examples/browser/bundled/dist'), { recursive: true, force: true });
    const bundle = await rollup({ ...config, onwarn: (warning: RollupLog) => warnings.push(`${warning.code}: ${warning.message}`) });
    try {
      const { output } = await bundle.write(config.output);
      const files = output.map((chunk) => chunk.fileName).sort();
      // main.js, and the scalar and threaded builds as chunks of their own (imported on demand).
      if (files.length !== 3 || files[0] !== 'main.js' || !/^wasm-scalar-[\w-]+\.js$/.test(files[1]) || !/^wasm-threads-[\w-]+\.js$/.test(files[2])) {
        throw new Error(`the bundled example should be main.js, one wasm-scalar and one wasm-threads chunk; rollup wrote ${files.join(', ')}`);
      }
      return { code: readFileSync(join(root, 'examples/browser/bundled/dist/main.js'), 'utf8'), scalarChunk: files[1], threadsChunk: files[2], warnings };
    } finally {
      await bundle.close();
    }
  })();
  return bundleBuild;
}

describe('browser bundles', () => {
  it('the bundled example builds into main.js and the scalar and threaded builds\' chunks, with nothing of Node in them', async () => {
    const { code, scalarChunk, threadsChunk, warnings } = await buildBundledExample();
    expect(warnings).toEqual([]); // an unresolved 'node:fs' or a missing export would warn
    expect(code).not.toMatch(/^\s*import\b|\brequire\s*\(/m); // no static imports left
    // two import()s: the scalar build and the threaded one
    expect([...code.matchAll(/\bimport\s*\(\s*(['"][^'"]*['"])\s*\)/g)].map((m) => m[1]).sort()).toEqual([`'./${scalarChunk}'`, `'./${threadsChunk}'`]);
    // Threads reach Node's worker_threads and os through globalThis.process.getBuiltinModule (no import, nothing
    // for a bundler to resolve); that guarded lookup is the only trace of Node allowed.
    const withoutLookups = code.replace(/\.getBuiltinModule\?\.\(\s*['"]node:(worker_threads|os)['"]\s*\)/g, '');
    expect(withoutLookups).not.toMatch(/['"]node:|\bprocess\.|\bBuffer\b|__dirname|__filename/);
    expect(code).toContain('WebAssembly.compile');
    for (const name of [scalarChunk, threadsChunk]) {
      const chunk = readFileSync(join(root, 'examples/browser/bundled/dist', name), 'utf8');
      expect(chunk).toMatch(/WASM_BASE64/);
      expect(chunk).not.toMatch(/\bimport\b|\brequire\s*\(/);
    }
  }, 120_000);

  it(`what a page downloads is at most ${SIZE_BUDGET_GZIPPED / 1000} kB gzipped (+ ${SCALAR_ALLOWANCE_GZIPPED / 1000} kB for the scalar build without SIMD, or the threaded build with threads)`, async () => {
    await buildBundledExample();
    const sizes = pageSizes();
    console.log(sizes.map((s) => `${s.page}: ${(s.bytes / 1000).toFixed(1)} kB, ${(s.gzipped / 1000).toFixed(1)} kB gzipped`).join('\n'));
    expect(sizes.length).toBe(9);
    for (const s of sizes) {
      const allowance = (s.simd && !s.threads ? 0 : SCALAR_ALLOWANCE_GZIPPED) + (s.page.includes("'rnn-wasm/onnx'") ? ONNX_ALLOWANCE_GZIPPED : 0);
      expect(s.gzipped, s.page).toBeLessThanOrEqual(SIZE_BUDGET_GZIPPED + allowance);
    }
  }, 120_000);
});

describe.skipIf(!haveChromium && !ci)('in Chromium', () => {
  let browser: Chromium;
  let server: StaticServer;

  beforeAll(async () => {
    if (!haveChromium) {
      throw new Error(`CI is set and ${CHROMIUM_PATH} is missing, so the browser suite cannot run: ${INSTALL_HINT} (.ci/run does)`);
    }
    await buildBundledExample();
    server = await serveStatic(root);
    browser = await launchChromium();
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  /** Opens a page, fails the test on any page error or console error, waits for window.example. */
  async function openExample(path: string): Promise<{ page: Page; requests: string[] }> {
    const page = await browser.context.newPage();
    const problems: string[] = [];
    page.on('pageerror', (error) => problems.push(`page error: ${error.stack ?? error.message}`));
    page.on('console', (message) => { if (message.type() === 'error') problems.push(`console error: ${message.text()}`); });
    const first = server.requests.length;
    await page.goto(server.origin + path);
    await page.waitForFunction('window.example !== undefined', null, { timeout: 240_000, polling: 100 });
    const error = await page.evaluate('window.example.error');
    expect(problems).toEqual([]);
    expect(error).toBeUndefined();
    return { page, requests: server.requests.slice(first) };
  }

  /** The page's training results (window.example), encoded in the page. */
  function pageTraining(page: Page): Promise<Results> {
    return page.evaluate(`(async () => {
      const { encodeTraining } = await import('/test/browser/workloads.js');
      return encodeTraining(window.example);
    })()`);
  }

  const query = `steps=${TRAINING.lstm.steps}&seed=${TRAINING.lstm.seed}&esnSeed=${TRAINING.esn.seed}`;

  async function nodeTraining(simd: boolean): Promise<Results> {
    const rnn = await distModule();
    const backend = await rnn.Backend.create({ simd });
    return trainingResults(rnn, backend);
  }

  it('runs on a page with no bundler: one <script type="module">, no .wasm download, same bits as Node', async () => {
    const { page, requests } = await openExample(`/examples/browser/no-bundler.html?${query}`);
    try {
      // The library is dist/index.js and its shared chunk; the scalar build is not fetched.
      expect(requests.sort()).toEqual(['/dist/core.js', '/dist/index.js', '/examples/browser/demo.js', '/examples/browser/no-bundler.html', '/examples/browser/train.js']);
      expect(await page.evaluate('window.example.simd')).toBe(true); // Chromium has WebAssembly SIMD
      expect(differences(await nodeTraining(true), await pageTraining(page))).toEqual([]);
    } finally {
      await page.close();
    }
  }, 300_000);

  it('gives Node\'s bits for forward/backward of every cell and both trainings, SIMD and scalar builds', async () => {
    const { page } = await openExample(`/examples/browser/no-bundler.html?${query}`);
    try {
      const started = performance.now();
      const inBrowser = await page.evaluate<{ simd: boolean; results: Results }[]>(`(async () => {
        const rnn = await import('/dist/index.js');
        const { runWorkloads } = await import('/test/browser/workloads.js');
        return [await runWorkloads(rnn, { simd: true }), await runWorkloads(rnn, { simd: false })];
      })()`);
      const browserMs = performance.now() - started;
      const rnn = await distModule();
      const inNode = [await runWorkloads(rnn, { simd: true }), await runWorkloads(rnn, { simd: false })];
      console.log(`cells + training workloads, both builds: Chromium ${browserMs.toFixed(0)} ms; ${Object.keys(inNode[0].results).length} quantities per build`);
      expect(inBrowser.map((r) => r.simd)).toEqual([true, false]);
      expect(Object.keys(inNode[0].results).length).toBeGreaterThan(200);
      expect(differences(inNode[0].results, inBrowser[0].results)).toEqual([]);
      expect(differences(inNode[1].results, inBrowser[1].results)).toEqual([]);
      // And the two builds agree with each other (the README's claim), in each engine.
      expect(differences(inNode[0].results, inNode[1].results)).toEqual([]);
    } finally {
      await page.close();
    }
  }, 300_000);

  it("'rnn-wasm/energy' gives Node's bits: Hopfield, Boltzmann machine, RBM, DBN and DBM trained, sampled and measured, both builds", async () => {
    const page = await browser.context.newPage();
    try {
      await page.goto(`${server.origin}/package.json`);
      const inBrowser = await page.evaluate<Results>(`(async () => {
        const rnn = await import('/dist/index.js');
        const energy = await import('/dist/energy.js');
        const { energyResults } = await import('/test/browser/energy-workloads.js');
        return { ...(await energyResults(rnn, energy, { simd: true })), ...(await energyResults(rnn, energy, { simd: false })) };
      })()`);
      const rnn = await distModule();
      const energy = await import(pathToFileURL(join(root, 'dist/energy.js')).href);
      const simd: Results = await energyResults(rnn, energy, { simd: true });
      const scalar: Results = await energyResults(rnn, energy, { simd: false });
      expect(Object.keys(simd).length).toBe(18);
      expect(differences({ ...simd, ...scalar }, inBrowser)).toEqual([]);
      // And the two builds agree with each other.
      for (const key of Object.keys(simd)) expect(scalar[key.replace('simd |', 'scalar |')], key).toEqual(simd[key]);
    } finally {
      await page.close();
    }
  }, 300_000);

  for (const build of ['simd', 'scalar'] as const) {
    it(`runs from the rollup bundle alone (${build} build), same bits as Node`, async () => {
      const { page, requests } = await openExample(`/examples/browser/bundled/?build=${build}&${query}`);
      try {
        const { scalarChunk } = await buildBundledExample();
        const scalar = build === 'scalar' ? [`/examples/browser/bundled/dist/${scalarChunk}`] : []; // fetched only when asked for
        expect(requests).toEqual(['/examples/browser/bundled/', '/examples/browser/bundled/dist/main.js', ...scalar]);
        expect(await page.evaluate('window.example.simd')).toBe(build === 'simd');
        expect(differences(await nodeTraining(build === 'simd'), await pageTraining(page))).toEqual([]);
      } finally {
        await page.close();
      }
    }, 300_000);
  }

  it('trains in a Web Worker while the page keeps running, same bits as Node', async () => {
    const steps = 3000, seed = TRAINING.lstm.seed;
    const { page } = await openExample(`/examples/browser/worker.html?steps=${steps}&seed=${seed}`);
    try {
      const mainThread = await page.evaluate<{
        trainingMs: number; ticks: number; frames: number; maxGapMs: number; progressMessages: number;
      }>('window.example.mainThread');
      console.log(`worker: ${steps} steps in ${mainThread.trainingMs.toFixed(0)} ms; main thread meanwhile: ` +
        `${mainThread.ticks} ticks of a 20 ms timer (longest gap ${mainThread.maxGapMs.toFixed(0)} ms), ${mainThread.frames} frames, ` +
        `${mainThread.progressMessages} progress messages`);
      expect(mainThread.progressMessages).toBe(50);
      // Had the training blocked the main thread, the longest gap between timer ticks would be the
      // whole training time; with a worker it stays a small fraction of it (generous: shared VM).
      expect(mainThread.trainingMs).toBeGreaterThan(300);
      expect(mainThread.maxGapMs).toBeLessThan(mainThread.trainingMs / 3);
      expect(mainThread.ticks).toBeGreaterThan(mainThread.trainingMs / 20 / 4);
      const { trainSineLSTM } = await import('../examples/browser/train.js');
      const rnn = await distModule();
      const nodeResults = encodeTraining({ lstm: await trainSineLSTM(rnn, { backend: await rnn.Backend.create({ simd: true }), steps, seed }) });
      expect(differences(nodeResults, await pageTraining(page))).toEqual([]);
    } finally {
      await page.close();
    }
  }, 300_000);

  /** Opens test/browser/threads.html from `origin`; returns the page and whether it is cross-origin isolated. */
  async function threadsPage(origin: string): Promise<{ page: Page; isolated: boolean }> {
    const page = await browser.context.newPage();
    const problems: string[] = [];
    page.on('pageerror', (error) => problems.push(`page error: ${error.stack ?? error.message}`));
    page.on('console', (message) => { if (message.type() === 'error') problems.push(`console error: ${message.text()}`); });
    await page.goto(`${origin}/test/browser/threads.html`);
    await page.waitForFunction('window.example !== undefined', null, { timeout: 60_000, polling: 100 });
    expect(problems).toEqual([]);
    return { page, isolated: await page.evaluate<boolean>('window.example.isolated') };
  }

  it('threads: a page served with COOP/COEP runs 2 and 3 threads (Web Workers, main thread waiting), with Node\'s one-thread bits', async () => {
    const isolatedServer = await serveStatic(root, { 'cross-origin-opener-policy': 'same-origin', 'cross-origin-embedder-policy': 'require-corp' });
    const { page, isolated } = await threadsPage(isolatedServer.origin);
    try {
      expect(isolated).toBe(true);
      const inBrowser = await page.evaluate<Array<{ threads: number; reason: string | null; results: Record<string, string> }>>(`(async () => {
        const rnn = await import('/dist/index.js');
        const { threadsResults } = await import('/test/browser/threads-workloads.js');
        return [await threadsResults(rnn, 2), await threadsResults(rnn, 3)];
      })()`);
      const inNode = await threadsResults(await distModule(), 1);
      expect(inBrowser.map((r) => [r.threads, r.reason])).toEqual([[2, null], [3, null]]);
      expect(Object.keys(inNode.results).length).toBeGreaterThanOrEqual(12);
      for (const r of inBrowser) expect(r.results).toEqual(inNode.results);
    } finally {
      await page.close();
      await isolatedServer.close();
    }
  }, 300_000);

  it('threads: a page without COOP/COEP falls back to one thread and says why', async () => {
    const { page, isolated } = await threadsPage(server.origin);
    try {
      expect(isolated).toBe(false);
      const threads = await page.evaluate(`(async () => {
        const rnn = await import('/dist/index.js');
        const backend = await rnn.Backend.create({ threads: 2 });
        const threads = backend.threads;
        backend.dispose();
        return threads;
      })()`);
      expect(threads).toEqual({
        count: 1, requested: 2,
        reason: 'SharedArrayBuffer is not available: the page is not cross-origin isolated (serve it with the headers Cross-Origin-Opener-Policy: same-origin and Cross-Origin-Embedder-Policy: require-corp)',
      });
    } finally {
      await page.close();
    }
  }, 120_000);
});
