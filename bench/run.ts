// `npm run bench`: every benchmark, one run, one machine. Writes JSON to
// bench/results/ and prints Markdown tables for the README.
// `npm run bench -- --quick` skips the slow JS baseline rows of the cell workloads.
import { mkdirSync, writeFileSync } from 'node:fs';
import { benchCells, cellsTable } from './cells.js';
import { benchEsn, esnTable } from './esn.js';
import { benchEsnFit, esnFitTable } from './esn-fit.js';
import { benchGemm, gemmTable, machineLine } from './gemm.js';
import { writeChart } from './chart.js';
import { benchModels, modelsTable } from './models.js';
import { benchStartup } from './startup.js';
import { benchConv, convTable } from './conv.js';
import { benchCtc, ctcTable } from './ctc.js';
import { benchEnergy, energyTable } from './energy.js';
import { attentionTable, benchAttention } from './attention.js';
import { measurePeak } from './peak.mjs';
import { benchThreads, threadsTable } from './threads.js';

const quick = process.argv.includes('--quick');
const results = new URL('./results/', import.meta.url);
mkdirSync(results, { recursive: true });

console.log(`Machine: ${machineLine()}\n`);

const startup = await benchStartup();
console.log('Module start-up (decode + SHA-256 + compile + instantiate), median of 30:\n');
console.log('| build | wasm bytes | median ms |\n|---|---:|---:|');
for (const s of startup) console.log(`| ${s.build} | ${s.bytes} | ${s.medianMs.toFixed(2)} |`);
writeFileSync(new URL('startup.json', results), JSON.stringify(startup, null, 2) + '\n');

const peak = await measurePeak();
console.log(`\nWebAssembly SIMD mul+add peak of this machine: ${peak.toFixed(1)} GFLOP/s (bench/peak.mjs: f32x4 multiply-adds into 10 independent accumulators, best of 9 runs by CPU time); the "% of SIMD peak" columns divide by it.\n`);
writeFileSync(new URL('peak.json', results), JSON.stringify({ peakGflops: peak }, null, 2) + '\n');

const gemm = await benchGemm();
console.log('\nGEMM, f32, one thread, median of tinybench samples:\n');
console.log(gemmTable(gemm, peak));
writeFileSync(new URL('gemm.json', results), JSON.stringify(gemm, null, 2) + '\n');

const cells = await benchCells({ baseline: !quick });
console.log('\nRecurrent layers, one thread, median of tinybench samples (flops: 2·G·H·(I+H) per sample-step forward, twice that backward):\n');
console.log(cellsTable(cells, peak));
if (!quick) writeFileSync(new URL('cells.json', results), JSON.stringify(cells, null, 2) + '\n');

const threads = await benchThreads();
console.log('\nThreads (issue #16): W1, W2, W5 on 1 and 2 threads, same bits, interleaved medians (bench/threads.ts):\n');
console.log(threadsTable(threads));
writeFileSync(new URL('threads.json', results), JSON.stringify(threads, null, 2) + '\n');

const esn = await benchEsn();
console.log('\nEcho State Networks, one thread (see README for what each row measures):\n');
console.log(esnTable(esn));
writeFileSync(new URL('esn.json', results), JSON.stringify(esn, null, 2) + '\n');
const esnFit = await benchEsnFit();
console.log('\nThe ESN full fit in phases against numpy + scipy.sparse (bench/esn-fit.ts; ZᵀZ = collect with accumulation − collect alone), interleaved medians:\n');
console.log(esnFitTable(esnFit));
writeFileSync(new URL('esn-fit.json', results), JSON.stringify(esnFit, null, 2) + '\n');

const models = await benchModels();
console.log('\nThe model layer: one epoch of W2-shaped training, three ways (see bench/models.ts), interleaved medians:\n');
console.log(modelsTable(models));
writeFileSync(new URL('models.json', results), JSON.stringify(models, null, 2) + '\n');

const conv = await benchConv();
console.log(`\nConvolution kernels (issue #12's C1 shape), one thread, interleaved medians; WebAssembly SIMD mul+add peak of this machine ${peak.toFixed(1)} GFLOP/s (bench/peak.mjs):\n`);
console.log(convTable(conv, peak));
writeFileSync(new URL('conv.json', results), JSON.stringify({ peakGflops: peak, rows: conv }, null, 2) + '\n');

const ctc = await benchCtc();
console.log('\nCTC loss and gradient (issue #15), one thread, interleaved medians:\n');
console.log(ctcTable(ctc));
writeFileSync(new URL('ctc.json', results), JSON.stringify(ctc, null, 2) + '\n');
const energy = await benchEnergy();
console.log('\nEnergy-based models (issue #14), one thread, interleaved medians, against the f64 JS references (bench/energy.ts):\n');
console.log(energyTable(energy));
writeFileSync(new URL('energy.json', results), JSON.stringify(energy, null, 2) + '\n');

const attention = await benchAttention();
console.log('\nAttention inside EncoderDecoder (issue #15), one training step, one thread, interleaved medians:\n');
console.log(attentionTable(attention));
writeFileSync(new URL('attention.json', results), JSON.stringify(attention, null, 2) + '\n');

writeChart();
console.log('\nChart: bench/results/chart.svg');
