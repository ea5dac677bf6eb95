// The safety net behind dispose(): linear memory of layers and buffers that are
// garbage-collected without dispose() is freed (FinalizationRegistry), so a
// forgotten dispose() does not leak for ever. dispose() stays the way to free
// memory at a known time. Runs in a child process with --expose-gc.
import { execFileSync } from 'node:child_process';
import { expect, it } from 'vitest';

it('frees the memory of layers dropped without dispose() once they are collected', () => {
  const script = `
    import { init, LSTM, EchoStateNetwork } from 'rnn-wasm';
    const backend = await init();
    const settle = async () => { for (let i = 0; i < 3; i++) { globalThis.gc(); await new Promise((r) => setTimeout(r, 10)); } };
    const churn = async (rounds) => {
      for (let i = 0; i < rounds; i++) {
        const lstm = new LSTM({ inputSize: 32, units: 128 });                 // ~0.66 MB of weights and gradients
        lstm.forward({ data: new Float32Array(8 * 16 * 32), shape: [8, 16, 32] });
        if (i % 5 === 0) new EchoStateNetwork({ inputSize: 1, units: 100, density: 0.05 }); // CSR reservoir in raw blocks
        if (i % 10 === 9) await settle();
      }
      await settle();
    };
    await churn(20);
    const warm = backend.memoryBytes;
    await churn(200);                                                        // ~130 MB if nothing were freed
    console.log(JSON.stringify({ warm, after: backend.memoryBytes }));
  `;
  const out = execFileSync(process.execPath, ['--expose-gc', '--input-type=module', '-e', script], {
    cwd: new URL('..', import.meta.url).pathname,
    encoding: 'utf8',
  });
  const { warm, after } = JSON.parse(out.trim().split('\n').pop()!);
  // Measured: 68 MiB after 20 layers and the same after 220; without the registry, 544 MiB.
  expect(after).toBeLessThanOrEqual(warm * 1.5); // bounded, not growing with the 200 forgotten layers
  expect(after).toBeLessThan(256 * 2 ** 20);
});
