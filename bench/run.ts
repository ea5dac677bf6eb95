// `npm run bench`: every benchmark, one run, one machine. Writes JSON to
// bench/results/ and prints Markdown tables for the README.
import { mkdirSync, writeFileSync } from 'node:fs';
import { benchGemm, gemmTable, machineLine } from './gemm.js';
import { benchStartup } from './startup.js';

const results = new URL('./results/', import.meta.url);
mkdirSync(results, { recursive: true });

console.log(`Machine: ${machineLine()}\n`);

const startup = await benchStartup();
console.log('Module start-up (decode + SHA-256 + compile + instantiate), median of 30:\n');
console.log('| build | wasm bytes | median ms |\n|---|---:|---:|');
for (const s of startup) console.log(`| ${s.build} | ${s.bytes} | ${s.medianMs.toFixed(2)} |`);
writeFileSync(new URL('startup.json', results), JSON.stringify(startup, null, 2) + '\n');

const gemm = await benchGemm();
console.log('\nGEMM, f32, one thread, median of tinybench samples:\n');
console.log(gemmTable(gemm));
writeFileSync(new URL('gemm.json', results), JSON.stringify(gemm, null, 2) + '\n');
