// Every program in examples/ runs as written, against the built package, and prints what it says.
import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';

const root = new URL('..', import.meta.url).pathname;
const programs = readdirSync(join(root, 'examples')).filter((name) => name.endsWith('.mjs'));

it('examples/ has the programs this test expects', () => {
  expect(programs.sort()).toEqual(['forecast.mjs', 'text.mjs']);
});

it.each(programs)('examples/%s runs', (name) => {
  const out = execFileSync(process.execPath, [join(root, 'examples', name)], { cwd: root, encoding: 'utf8', timeout: 120_000 });
  if (name === 'forecast.mjs') {
    const rmse = (label: string): number => Number(new RegExp(`^\\s+${label}\\s+([\\d.]+)$`, 'm').exec(out)![1]);
    expect(rmse('LSTM')).toBeLessThan(rmse('persistence'));
    expect(rmse('ESN')).toBeLessThan(rmse('persistence'));
  } else {
    expect(out).toMatch(/bits per character/);
    expect(out.split('\n')[1].startsWith('the ')).toBe(true);
  }
});
