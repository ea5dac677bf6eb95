// Every program in examples/ runs as written, against the built package, and prints what it says.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';

const root = new URL('..', import.meta.url).pathname;
const programs = readdirSync(join(root, 'examples')).filter((name) => name.endsWith('.mjs'));
/** Where examples/rbm-digits.mjs writes its picture. */
const svgPath = join(mkdtempSync(join(tmpdir(), 'rbm-digits-')), 'samples.svg');

it('examples/ has the programs this test expects', () => {
  expect(programs.sort()).toEqual(['forecast.mjs', 'rbm-digits.mjs', 'text.mjs']);
});

it.each(programs)('examples/%s runs', (name) => {
  const args = name === 'rbm-digits.mjs' ? [svgPath] : [];
  const out = execFileSync(process.execPath, [join(root, 'examples', name), ...args], { cwd: root, encoding: 'utf8', timeout: 120_000 });
  if (name === 'forecast.mjs') {
    const rmse = (label: string): number => Number(new RegExp(`^\\s+${label}\\s+([\\d.]+)$`, 'm').exec(out)![1]);
    expect(rmse('LSTM')).toBeLessThan(rmse('persistence'));
    expect(rmse('ESN')).toBeLessThan(rmse('persistence'));
  } else if (name === 'rbm-digits.mjs') {
    // Trained: the pseudo-likelihood rose; dreamed: the samples lie near real digits (far nearer than
    // noise) of several classes; the SVG holds 3 rows of 16 images of 64 pixels.
    const [first, last] = /^pseudo-likelihood (-[\d.]+) → (-[\d.]+)$/m.exec(out)!.slice(1).map(Number);
    expect(last).toBeGreaterThan(first + 3);
    const [samples, noise] = /^distance to the nearest training digit: samples ([\d.]+), uniform noise ([\d.]+)$/m.exec(out)!.slice(1).map(Number);
    expect(samples).toBeLessThan(noise / 3);
    const classes = /^labels of the nearest training digits: ([\d ]+)$/m.exec(out)![1].split(' ');
    expect(new Set(classes).size).toBeGreaterThanOrEqual(3);
    const svg = readFileSync(svgPath, 'utf8');
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg.match(/<rect /g)?.length).toBe(3 * 16 * 64);
  } else {
    expect(out).toMatch(/bits per character/);
    expect(out.split('\n')[1].startsWith('the ')).toBe(true);
  }
});
