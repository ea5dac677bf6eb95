// Runs of the ESN through its public API in configurations that cover every path of the
// kernels (CSR and dense W, output feedback, several outputs, tanh output, state noise,
// several sequences, washout, λ = 0 and λ > 0, fitOnline, predict, run, generate with a
// prefix). test/fixtures/esn-golden.json holds what these runs returned at commit 7c004a1,
// before the readout gained features, a 'pinv' solver and a linear reservoir; the test
// (test/esn-readout.test.ts) runs them again and asks for the same bits. Only the options
// that existed then are used here, so the file can be regenerated with any later version:
//   npx tsx test/helpers/esn-golden.ts > test/fixtures/esn-golden.json   (at 7c004a1)
import type { Backend } from '../../src/engine/backend.js';
import { EchoStateNetwork, type EchoStateNetworkOptions } from '../../src/esn/esn.js';

export interface GoldenRun {
  name: string;
  /** W_out after fit (f64). */
  readout: number[];
  /** predict(), generate() and run() outputs after fit (f32 values). */
  predict: number[];
  generate: number[];
  run: number[];
  /** W_out after two fitOnline calls on a fresh model. */
  online: number[];
}

interface Config {
  name: string;
  options: Omit<EchoStateNetworkOptions, 'backend'>;
  sequences: number[];
}

const CONFIGS: Config[] = [
  { name: 'csr default', options: { inputSize: 1, units: 23, density: 0.2, seed: 1, washout: 4 }, sequences: [50] },
  {
    name: 'dense feedback tanh O=2 I=2 noise',
    options: { inputSize: 2, outputSize: 2, units: 18, density: 0.5, feedbackScaling: 0.3, outputActivation: 'tanh', stateNoise: 1e-3, leakRate: 0.6, biasScaling: 0.2, seed: 2, washout: 3, ridge: 1e-4 },
    sequences: [40, 27],
  },
  {
    name: 'csr feedback O=3 I=3 λ=0',
    options: { inputSize: 3, outputSize: 3, units: 9, density: 0.3, feedbackScaling: 0.2, inputScaling: 0.5, ridge: 0, seed: 3, washout: 5 },
    sequences: [80],
  },
  { name: 'dense λ=0 no washout', options: { inputSize: 1, units: 6, density: 1, ridge: 0, spectralRadius: 0.5, seed: 4 }, sequences: [30, 9] },
];

function signal(T: number, width: number, phase: number, amplitude: number): number[][] {
  return Array.from({ length: T }, (_, t) => Array.from({ length: width }, (_, c) => amplitude * Math.sin((t + 1) / (3 + c) + phase + c)));
}

/** The runs; `extra` options (e.g. an explicit default readout) are added to every configuration. */
export function goldenRuns(backend: Backend, extra: Partial<EchoStateNetworkOptions> = {}): GoldenRun[] {
  return CONFIGS.map((c) => {
    const I = c.options.inputSize, O = c.options.outputSize ?? 1;
    const u = c.sequences.map((T, s) => signal(T, I, s, 0.9));
    const d = c.sequences.map((T, s) => signal(T, O, s + 0.5, 0.7));
    const esn = new EchoStateNetwork({ ...c.options, ...extra, backend });
    esn.fit(u, d);
    const readout = Array.from(esn.getReadout());
    const predict = Array.from(esn.predict(signal(12, I, 2, 0.8)).data);
    const generate = I === O ? Array.from(esn.generate(10, { prefix: signal(4, I, 3, 0.5) }).data) : [];
    const run = Array.from(esn.run(signal(5, I, 4, 0.6)).data);
    esn.dispose();
    const online = new EchoStateNetwork({ ...c.options, ...extra, backend });
    online.fitOnline(u[0].slice(0, 20), d[0].slice(0, 20), { forgettingFactor: 0.995, delta: 0.5 });
    online.fitOnline(u[0].slice(20), d[0].slice(20), { forgettingFactor: 0.995, delta: 0.5 });
    const onlineReadout = Array.from(online.getReadout());
    online.dispose();
    return { name: c.name, readout, predict, generate, run, online: onlineReadout };
  });
}

// Run as a script: print the runs as JSON (the SIMD build).
if (process.argv[1]?.endsWith('esn-golden.ts')) {
  const { Backend } = await import('../../src/engine/backend.js');
  const backend = await Backend.create({ simd: true });
  process.stdout.write(JSON.stringify(goldenRuns(backend)) + '\n');
}
