/** GFLOP/s of WebAssembly SIMD f32x4 multiplies and adds in independent chains on this machine (see peak.mjs). */
export function measurePeak(): Promise<number>;
