// Every ```js block of README.md and docs/**/*.md (not docs/api/) runs ALONE, as its own .mjs file,
// against the built package (`npm run build` first), and prints exactly the ```text block that
// follows it (the convention: test/helpers/doc-blocks.ts). The files are written to a temporary
// directory inside the repository, so 'rnn-wasm', 'rnn-wasm/energy' and 'rnn-wasm/node' resolve to
// dist/ through the package's own "exports" (Node's package self-reference), as they would for a
// user who installed it. Two blocks run at a time.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { brokenLinks, compareOutput, documentationFiles, examplesOf } from './helpers/doc-blocks';

const root = fileURLToPath(new URL('..', import.meta.url));
const examples = documentationFiles(root).flatMap((file) => examplesOf(root, file));
const directory = mkdtempSync(join(root, '.doc-blocks-'));
const started = performance.now();

// A pool of 2: a block waits for a free slot before its node process starts.
const POOL = 2;
let running = 0;
const waiting: (() => void)[] = [];
async function slot<T>(work: () => Promise<T>): Promise<T> {
  if (running >= POOL) await new Promise<void>((resolve) => waiting.push(resolve));
  running++;
  try {
    return await work();
  } finally {
    running--;
    waiting.shift()?.();
  }
}

const run = (path: string): Promise<{ stdout: string; stderr: string; error: Error | null }> =>
  new Promise((resolve) => {
    execFile(process.execPath, [path], { cwd: directory, encoding: 'utf8', timeout: 170_000, maxBuffer: 1 << 24 },
      (error, stdout, stderr) => resolve({ stdout, stderr, error }));
  });

afterAll(() => {
  rmSync(directory, { recursive: true, force: true });
  process.stdout.write(`documentation blocks: ${examples.length} in ${((performance.now() - started) / 1000).toFixed(1)} s\n`);
});

// Guides being written on other branches at the same time, which the pages may already link to (none now).
const PENDING: string[] = [];

it('finds the documentation examples', () => {
  expect(examples.length).toBeGreaterThan(20);
});

it('links only to files and headings that exist', () => {
  const broken = documentationFiles(root).flatMap((file) => brokenLinks(root, file, PENDING).map((link) => `${file}: ${link}`));
  expect(broken).toEqual([]);
});

describe.concurrent('documentation blocks run alone and print what the page says', () => {
  for (const example of examples) {
    const name = `${example.file}:${example.line}`;
    it(name, async () => {
      expect(example.expected, `${name}: a \`\`\`js block must be followed by a \`\`\`text block with its output`).not.toBeNull();
      const path = join(directory, `${example.file.replace(/[/.]/g, '_')}-L${example.line}.mjs`);
      writeFileSync(path, example.code);
      const { stdout, stderr, error } = await slot(() => run(path));
      expect(error, `${name} failed:\n${stderr}`).toBeNull();
      const difference = compareOutput(example.expected ?? '', stdout);
      expect(difference, `${name} printed:\n${stdout}`).toBeNull();
    }, 180_000);
  }
});
