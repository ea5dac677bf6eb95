// The WebAssembly SIMD mul+add peak of this machine: the yardstick of the "% of peak" columns
// (GEMM, the W-workloads, convolution). Compiles a tiny AssemblyScript function at bench time (the
// library's module does not carry it). Its loop is a GEMM micro-kernel without the GEMM: ACC
// independent f32x4 accumulators, each updated once per iteration as acc ← acc + x·y, x a vector
// loaded from a 2 KB buffer (L1-resident; a load, so the product cannot be hoisted out of the loop)
// and y one of two register constants. The products are independent of each other and ACC add
// chains run side by side, so latency is covered (an accumulator is next needed ACC / 2 cycles
// later on a core that retires two SIMD adds per cycle) and the loop measures how many SIMD
// multiplies and adds the core retires per cycle (no FMA: WebAssembly SIMD has none outside
// relaxed-simd). Counts 4 flops per f32x4 multiply or add.
// Why 10: V8 issues an iteration's loads first, so ACC accumulators + ACC / 2 loaded vectors + 2
// constants + 1 product must fit x86-64's 15 allocatable XMM registers; 12 accumulators spill to
// the stack and measure memory instead (26 vs 40 GFLOP/s on the shared 2-core Zen 5 VM); 8 gave the
// same rate as 10 there, and so, within the noise of that machine, did the earlier loop of 6 + 6
// separate multiply and add chains (this one is the shape a GEMM kernel has).
// Plain JavaScript (with peak.d.mts): AssemblyScript's typings declare globals that would change
// the type-checked lint of the other bench files.
import asc from 'assemblyscript/asc';

const ACC = 10;
const LOADS = ACC / 2;
const line = (n, f) => Array.from({ length: n }, (_, i) => f(i)).join('\n');
const SOURCE = `
const BUF: usize = memory.data(2048, 16);
export function peak(iterations: i32): f32 {
  for (let i = 0; i < 512; i++) store<f32>(BUF + (<usize>i << 2), <f32>0.001 * <f32>(i & 7));
  const y0 = f32x4.splat(0.5), y1 = f32x4.splat(0.625);
${line(ACC, (i) => `  let q${i} = f32x4.splat(0);`)}
  let p = BUF;
  for (let i = 0; i < iterations; i++) {
${line(LOADS, (j) => `    const x${j} = v128.load(p, ${16 * j});\n    q${2 * j} = f32x4.add(q${2 * j}, f32x4.mul(x${j}, y0));\n    q${2 * j + 1} = f32x4.add(q${2 * j + 1}, f32x4.mul(x${j}, y1));`)}
    p = BUF + ((p - BUF + ${16 * LOADS}) & 2047);
  }
  let s = f32x4.splat(0);
${line(ACC, (i) => `  s = f32x4.add(s, q${i});`)}
  return f32x4.extract_lane(s, 0) + f32x4.extract_lane(s, 1) + f32x4.extract_lane(s, 2) + f32x4.extract_lane(s, 3);
}`;

/**
 * GFLOP/s of f32x4 multiply-adds into independent accumulators: the best of 9 runs of ~0.1 s, each
 * timed by the process's CPU time (its only busy thread runs the loop), so time the core spent on
 * other processes of a shared machine does not count against the peak (on an idle machine CPU
 * and wall time agree).
 */
export async function measurePeak() {
  const { binary, error } = await asc.compileString(SOURCE, { optimizeLevel: 3, shrinkLevel: 0, enable: ['simd'], runtime: 'stub' });
  if (error || !binary) throw new Error(`bench/peak.mjs: asc failed: ${error?.message}`);
  const module = await WebAssembly.compile(binary);
  const instance = await WebAssembly.instantiate(module);
  const peak = instance.exports.peak;
  const iterations = 5e7;
  const flops = iterations * ACC * 2 * 4;
  peak(iterations / 10);
  let best = 0;
  for (let r = 0; r < 9; r++) {
    const t0 = process.cpuUsage();
    const v = peak(iterations);
    const used = process.cpuUsage(t0);
    const ms = (used.user + used.system) / 1000;
    if (!Number.isFinite(v)) throw new Error('bench/peak.mjs: the peak loop returned a non-finite value');
    best = Math.max(best, flops / (ms * 1e6));
  }
  return best;
}

if (process.argv[1]?.endsWith('peak.mjs')) console.log(`WebAssembly SIMD mul+add peak: ${(await measurePeak()).toFixed(1)} GFLOP/s`);
