// The WebAssembly SIMD mul+add peak of this machine, as the convolution rows' goal is stated
// against it (issue #12: forward ≥ 80 % of it). Compiles a tiny AssemblyScript function at bench
// time (the library's module does not carry it): 6 independent f32x4 multiply chains and 6
// independent f32x4 add chains, so neither latency nor memory limits it — only how many SIMD
// multiplies and adds the core retires per cycle (no FMA: WebAssembly SIMD has none outside
// relaxed-simd). Counts 4 flops per f32x4 instruction; median of 7 runs.
// Plain JavaScript (with peak.d.mts): AssemblyScript's typings declare globals that would change
// the type-checked lint of the other bench files.
import asc from 'assemblyscript/asc';

// 6 + 6 chains: with the two constants, 14 live f32x4 values, within x86-64's 16 XMM registers (V8
// keeps them all in registers; at 7 + 7 they spill to the stack and the loop measures memory instead:
// 43 vs 11 GFLOP/s here), and enough independent work to cover a multiply's or an add's latency.
const CHAINS = 6;
const SOURCE = `
export function peak(iterations: i32): f32 {
  const m = f32x4.splat(0.9999999);
  const c = f32x4.splat(0.0000001);
${Array.from({ length: CHAINS }, (_, i) => `  let p${i} = f32x4.splat(${1 + i / 16}); let q${i} = f32x4.splat(${1 + i / 16});`).join('\n')}
  for (let i = 0; i < iterations; i++) {
${Array.from({ length: CHAINS }, (_, i) => `    p${i} = f32x4.mul(p${i}, m); q${i} = f32x4.add(q${i}, c);`).join('\n')}
  }
  let s = f32x4.splat(0);
${Array.from({ length: CHAINS }, (_, i) => `  s = f32x4.add(s, f32x4.add(p${i}, q${i}));`).join('\n')}
  return f32x4.extract_lane(s, 0) + f32x4.extract_lane(s, 1) + f32x4.extract_lane(s, 2) + f32x4.extract_lane(s, 3);
}`;

/** GFLOP/s of f32x4 multiplies and adds in a loop of independent chains (median of 7 runs of ~0.1–0.3 s). */
export async function measurePeak() {
  const { binary, error } = await asc.compileString(SOURCE, { optimizeLevel: 3, shrinkLevel: 0, enable: ['simd'], runtime: 'stub' });
  if (error || !binary) throw new Error(`bench/peak.ts: asc failed: ${error?.message}`);
  const module = await WebAssembly.compile(binary);
  const instance = await WebAssembly.instantiate(module);
  const peak = instance.exports.peak;
  const iterations = 1e7;
  const flops = iterations * CHAINS * 2 * 4;
  peak(iterations / 10);
  const rates = [];
  for (let r = 0; r < 7; r++) {
    const t0 = performance.now();
    const v = peak(iterations);
    const ms = performance.now() - t0;
    if (!Number.isFinite(v)) throw new Error('bench/peak.ts: the peak loop returned a non-finite value');
    rates.push(flops / (ms * 1e6));
  }
  rates.sort((a, b) => a - b);
  return rates[3];
}

if (process.argv[1]?.endsWith('peak.mjs')) console.log(`WebAssembly SIMD mul+add peak: ${(await measurePeak()).toFixed(1)} GFLOP/s`);
