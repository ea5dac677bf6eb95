// The README's JavaScript examples run as written, in order, against the built package.
// Only ```js blocks run (in Node); snippets for a browser or a bundler config are ```html or ```javascript.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';

it('README examples run', () => {
  const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
  const blocks = [...readme.matchAll(/```js\n([\s\S]*?)```/g)].map((m) => m[1]);
  expect(blocks.length).toBeGreaterThan(0);
  // Each block imports what it uses, so it can be copied alone; run together, the imports of a
  // module are merged into one statement per module (a name may be imported by several blocks).
  const imports = new Map<string, Set<string>>();
  const bodies = blocks.map((block) =>
    block.replace(/^import \{([^}]*)\} from '([^']+)';\n/gm, (_, names: string, from: string) => {
      const set = imports.get(from) ?? new Set<string>();
      for (const name of names.split(',').map((n) => n.trim()).filter(Boolean)) set.add(name);
      imports.set(from, set);
      return '';
    }),
  );
  const header = [...imports].map(([from, names]) => `import { ${[...names].join(', ')} } from '${from}';`).join('\n');
  const script = header + '\n' + bodies.join('\n;\n') + '\nconsole.log(JSON.stringify(Array.from(c)));';
  const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], {
    cwd: new URL('..', import.meta.url).pathname,
    encoding: 'utf8',
  });
  // The examples print too (the ESN example its NRMSE); our check is the last line.
  const lines = out.trim().split('\n');
  const nrmseLine = lines.find((l) => l.startsWith('NRMSE over 84 free-running steps:'));
  expect(Number(nrmseLine?.split(':')[1])).toBeLessThan(1e-2); // the ESN example forecasts as the README says
  // The model examples print what their comments say.
  expect(Number(lines.find((l) => l.startsWith('held-out accuracy'))?.split(' ').pop())).toBeGreaterThanOrEqual(0.95);
  expect(lines).toContain('tagging accuracy 1');
  expect(lines).toContain('transcripts right 8 of 8');
  // softmax over [2, masked, 0] of q·k = [2, 0, 0]: e² / (e² + 1) = 0.881 and 0.119; output 2·0.881, 0.119.
  expect(lines).toContain('attention weights 0.881 0.000 0.119 output 1.762 0.119');
  expect(lines.find((l) => l.startsWith('beam: '))).toMatch(/^beam: 4 3 2 1 \(log p -\d\.\d\d\), runner-up \d \d \d \d$/); // the reverser's beam search
  expect(Number(lines.find((l) => l.startsWith('one-step NRMSE'))?.split(' ').pop())).toBeLessThan(0.1);
  expect(lines).toContain('hello rnn-wasm! hello rnn-wasm!');
  expect(lines).toContain('ello');
  expect(lines).toContain('Huber loss 1.58 → 1.16; mean error on the clean sums 0.30'); // the custom-loss loop
  expect(lines).toContain('taps t−2, t−1, t: 1 -0.5 0'); // the Conv1D example
  expect(Number(lines.find((l) => l.startsWith('TDNN held-out MSE'))?.split(' ').pop())).toBeLessThan(1e-3); // the TDNN example
  expect(lines).toContain('step = predict: true');
  expect(lines).toContain('bars accuracy 1'); // the Conv2D example
  expect(lines).toContain('PyTorch kernel 4×1×3×3');
  // The NARX example: the design it describes, a closed loop that tracks the system, and fine-tuning that helps.
  expect(lines).toContain('998 rows of x[t-1][0], y[t-1][0], y[t-2][0]; 2 steps lost');
  const closedLoop = Number(lines.find((l) => l.startsWith('NARX closed-loop RMSE over 50 steps'))?.split(' ').pop());
  expect(closedLoop).toBeLessThan(0.05);
  expect(Number(lines.find((l) => l.startsWith('after closeLoop() fine-tuning'))?.split(' ').pop())).toBeLessThanOrEqual(closedLoop);
  expect(lines).toContain('TCN receptive field 31'); // the TCN example
  expect(Number(lines.find((l) => l.startsWith('delay-12 MSE'))?.split(' ').pop())).toBeLessThan(5e-3);
  expect(lines).toContain('NARMA-10 test NRMSE: [1; u; x] 0.316, [1; u; x; y(n−1)] 0.292 (pinv 0.296), linear reservoir 0.388'); // the ESN readout example
  // AR/ARX: the order AIC chooses and the estimates the comments show; the direction example.
  expect(lines).toContain('AR(2): constant 1.023, φ 0.608 -0.314');
  expect(lines).toContain('reloaded, same forecasts: true');
  expect(lines).toContain('ARX: φ 0.50, β 1.99');
  expect(lines).toContain('labels 1,0,0,1');
  const direction = lines.find((l) => l.startsWith('direction accuracy'))?.match(/[\d.]+/g)?.map(Number) ?? [];
  expect(direction).toHaveLength(4); // accuracy, balanced, majority, last step
  expect(direction[0]).toBeGreaterThanOrEqual(0.85);
  expect(Math.max(direction[2], direction[3])).toBeLessThan(0.6);

  expect(lines).toContain('recalled T: true, 2 sweeps, converged true'); // the Hopfield example
  expect(lines).toContain('energy -4.56 → -11.00 → -11.00');
  expect(lines).toContain('KL(data ‖ model) 4.37 → 0.12 nats'); // the Boltzmann machine example
  for (const code of ['1000', '0100', '0010', '0001']) expect(lines).toContain(`${code} → ${code}`);
  // The RBM example: bars-and-stripes likelihood, exact vs AIS log Z, samples.
  expect(lines).toContain('RBM log-likelihood -2.76 nats (optimum -2.64)');
  expect(lines).toContain('log Z 41.08, AIS 41.08 ± 0.01');
  expect(lines).toContain('samples that are bars or stripes: 3 of 4');
  expect(lines).toContain('DBN lines accuracy 0.950 on 200 held-out images'); // the DBN example
  expect(lines).toContain('DBM bound -6.24 → -4.79 → -2.96 nats (best possible -2.64)'); // the DBM example
  expect(lines.find((l) => l.startsWith('mean-field:'))).toMatch(/^mean-field: 4 iterations, last change [\d.]+e-\d+; q\(h2\)( [01]\.\d\d){6}$/);
  expect(lines).toContain('code of 6 units; repaired exactly: true'); // the Autoencoder example
  expect(lines).toContain('reloaded, same reconstruction: true');

  // After C = A·B then C = 2·A·B + C: 3·A·B.
  expect(JSON.parse(lines[lines.length - 1])).toEqual([12, 15, 30, 33]);
});
