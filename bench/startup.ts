// Module start-up: base64 decode + SHA-256 check + compile + instantiate, as
// init() does it, measured fresh each time (the compiled-module cache bypassed).
import { wasmBytes, type Build } from '../src/engine/loader.js';
import * as embedded from '../src/engine/binaries.generated.js';

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
    const base64 = build === 'simd' ? embedded.WASM_SIMD_BASE64 : embedded.WASM_SCALAR_BASE64;
    const times: number[] = [];
    for (let r = 0; r < runs; r++) {
      const t0 = performance.now();
      const bytes = decode(base64);
      await crypto.subtle.digest('SHA-256', bytes as BufferSource);
      const module = await WebAssembly.compile(bytes as BufferSource);
      await WebAssembly.instantiate(module, {});
      times.push(performance.now() - t0);
    }
    times.sort((a, b) => a - b);
    results.push({ build, bytes: wasmBytes(build).length, medianMs: times[times.length >> 1] });
  }
  return results;
}
