// Module start-up: base64 decode + SHA-256 check + compile + instantiate, as
// init() does it, measured fresh each time (the compiled-module cache bypassed).
import type { Build } from '../src/engine/loader.js';
import * as scalarBuild from '../src/engine/binary-scalar.generated.js';
import * as simdBuild from '../src/engine/binary-simd.generated.js';

export interface StartupResult {
  build: Build;
  bytes: number;
  medianMs: number;
}

function decode(base64: string): Uint8Array {
  const binary = atob(base64);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

export async function benchStartup(runs = 30): Promise<StartupResult[]> {
  const results: StartupResult[] = [];
  for (const build of ['simd', 'scalar'] as const) {
    const { WASM_BASE64: base64, WASM_BYTES: bytes } = build === 'simd' ? simdBuild : scalarBuild;
    const times: number[] = [];
    for (let r = 0; r < runs; r++) {
      const t0 = performance.now();
      const binary = decode(base64);
      await crypto.subtle.digest('SHA-256', binary as BufferSource);
      const module = await WebAssembly.compile(binary as BufferSource);
      await WebAssembly.instantiate(module, {});
      times.push(performance.now() - t0);
    }
    times.sort((a, b) => a - b);
    results.push({ build, bytes, medianMs: times[times.length >> 1] });
  }
  return results;
}
