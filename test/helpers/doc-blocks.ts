// The code blocks of the documentation (README.md and docs/**/*.md, not docs/api/), and how their
// printed output is compared with the ```text block that follows each ```js block.
//
// The convention (the contributor section of README.md says the same to authors):
// - A ```js block is a complete ES module: its own imports from 'rnn-wasm', 'rnn-wasm/energy' or
//   'rnn-wasm/node', its own `await init()`. It runs alone, as a .mjs file, in Node.
// - The next fenced block after it is a ```text block holding exactly what it prints (stdout).
//   Lines are compared after trimming trailing whitespace; blank lines at the end do not count.
// - Where a printed value legitimately varies (a time, a temporary path), `…` in the expected line
//   matches any run of characters within that line. Keep it rare: the outputs of seeded models
//   are deterministic, so print rounded values rather than hide them.
// - Blocks that must not run are ```javascript, ```ts, ```html or ```sh.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';

export interface FencedBlock {
  lang: string;
  code: string;
  /** 1-based line of the opening fence. */
  line: number;
}

export interface DocExample {
  /** Path relative to the repository root, e.g. 'docs/models.md'. */
  file: string;
  line: number;
  code: string;
  /** The ```text block after it, or null when there is none (an error the test reports). */
  expected: string | null;
}

/** Every fenced block of a Markdown text, in order (fences at the start of a line). */
export function fencedBlocks(markdown: string): FencedBlock[] {
  const lines = markdown.split('\n');
  const blocks: FencedBlock[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^```(\S*)\s*$/.exec(lines[i]);
    if (!open) continue;
    const start = i;
    const body: string[] = [];
    for (i++; i < lines.length && !/^```\s*$/.test(lines[i]); i++) body.push(lines[i]);
    blocks.push({ lang: open[1], code: body.join('\n') + '\n', line: start + 1 });
  }
  return blocks;
}

/** README.md and every .md under docs/ except docs/api/ (generated), sorted. */
export function documentationFiles(root: string): string[] {
  const files = ['README.md'];
  const walk = (dir: string): void => {
    let names: string[];
    try {
      names = readdirSync(dir).sort();
    } catch {
      return; // no docs/ yet
    }
    for (const name of names) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) {
        if (relative(root, path) !== join('docs', 'api')) walk(path);
      } else if (name.endsWith('.md')) files.push(relative(root, path));
    }
  };
  walk(join(root, 'docs'));
  return files;
}

/** The runnable examples of one file: each ```js block with the ```text block right after it. */
export function examplesOf(root: string, file: string): DocExample[] {
  const blocks = fencedBlocks(readFileSync(join(root, file), 'utf8'));
  const examples: DocExample[] = [];
  blocks.forEach((block, k) => {
    if (block.lang !== 'js') return;
    const next = blocks[k + 1];
    examples.push({ file, line: block.line, code: block.code, expected: next?.lang === 'text' ? next.code : null });
  });
  return examples;
}

const outputLines = (text: string): string[] => {
  const lines = text.split('\n').map((l) => l.trimEnd());
  while (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  return lines;
};

const lineMatches = (expected: string, actual: string): boolean => {
  if (!expected.includes('…')) return expected === actual;
  const pattern = expected.split('…').map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('.*');
  return new RegExp(`^${pattern}$`).test(actual);
};

/** null when the output matches, else a description of the first difference. */
export function compareOutput(expected: string, actual: string): string | null {
  const want = outputLines(expected);
  const got = outputLines(actual);
  for (let i = 0; i < Math.max(want.length, got.length); i++) {
    if (i >= want.length) return `line ${i + 1}: printed ${JSON.stringify(got[i])}, the text block has no more lines`;
    if (i >= got.length) return `line ${i + 1}: expected ${JSON.stringify(want[i])}, the output has no more lines`;
    if (!lineMatches(want[i], got[i])) return `line ${i + 1}: expected ${JSON.stringify(want[i])}, printed ${JSON.stringify(got[i])}`;
  }
  return null;
}

/** GitHub's anchors for the headings of a Markdown text (fenced blocks left out). */
export function headingAnchors(markdown: string): Set<string> {
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  let inFence = false;
  for (const line of markdown.split('\n')) {
    if (/^```/.test(line)) inFence = !inFence;
    const heading = inFence ? null : /^#{1,6} (.*)$/.exec(line);
    if (!heading) continue;
    const text = heading[1].replace(/\[([^\]]*)\]\([^)]*\)/g, '$1').replace(/`/g, '');
    const base = text.trim().toLowerCase().replace(/[^\p{L}\p{N}\s_-]/gu, '').replace(/\s/g, '-');
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    anchors.add(n === 0 ? base : `${base}-${n}`);
  }
  return anchors;
}

/**
 * The relative links of a documentation file that lead nowhere: a file that is not in the
 * repository (unless listed in `pending`), or an anchor that is no heading of its target.
 */
export function brokenLinks(root: string, file: string, pending: readonly string[] = []): string[] {
  const text = readFileSync(join(root, file), 'utf8');
  const prose = text.replace(/^```[\s\S]*?^```/gm, '').replace(/`[^`\n]*`/g, '');
  const broken: string[] = [];
  for (const [, target] of prose.matchAll(/\]\(([^)\s]+)\)/g)) {
    if (/^[a-z]+:/i.test(target)) continue; // https:, mailto:
    const [path, anchor] = target.split('#');
    const resolved = path === '' ? file : normalize(join(dirname(file), path));
    if (!existsSync(join(root, resolved))) {
      if (!pending.includes(resolved)) broken.push(`${target} (no file ${resolved})`);
      continue;
    }
    if (anchor !== undefined && resolved.endsWith('.md') && !headingAnchors(readFileSync(join(root, resolved), 'utf8')).has(anchor)) {
      broken.push(`${target} (no heading #${anchor} in ${resolved})`);
    }
  }
  return broken;
}
