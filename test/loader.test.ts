// The loader: both builds embedded and intact, SIMD chosen when the engine has
// it, compiled once, clear errors where WebAssembly or SIMD is missing.
import { createHash } from 'node:crypto';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { Backend } from '../src/engine/backend.js';
import { defaultBackend, init } from '../src/engine/init.js';
import { compiledModule, simdSupported, wasmBytes } from '../src/engine/loader.js';
import * as scalarBuild from '../src/engine/binary-scalar.generated.js';
import * as simdBuild from '../src/engine/binary-simd.generated.js';

afterEach(() => {
  vi.unstubAllGlobals();
});

describe('loader', () => {
  it('embeds both binaries with matching SHA-256 and sizes', async () => {
    for (const [build, table] of [['simd', simdBuild], ['scalar', scalarBuild]] as const) {
      const bytes = await wasmBytes(build);
      expect(bytes.length).toBe(table.WASM_BYTES);
      expect(createHash('sha256').update(bytes).digest('hex')).toBe(table.WASM_SHA256);
      expect(WebAssembly.validate(bytes as BufferSource)).toBe(true);
    }
    // The scalar build has no SIMD instructions: an engine without SIMD accepts it.
    expect((await wasmBytes('scalar')).length).toBeLessThan((await wasmBytes('simd')).length);
  });

  it('picks SIMD when the engine validates it (Node 20 does) and compiles each build once', async () => {
    expect(simdSupported()).toBe(true);
    const auto = await Backend.create();
    expect(auto.simd).toBe(true);
    expect((await Backend.create({ simd: false })).simd).toBe(false);
    expect(compiledModule('simd')).toBe(compiledModule('simd'));
  });

  it('falls back to scalar where SIMD does not validate, and refuses simd: true there', async () => {
    const realValidate = WebAssembly.validate;
    vi.stubGlobal('WebAssembly', { ...WebAssembly, validate: () => false, compile: WebAssembly.compile, instantiate: WebAssembly.instantiate });
    try {
      expect(simdSupported()).toBe(false);
      expect((await Backend.create()).simd).toBe(false);
      await expect(Backend.create({ simd: true })).rejects.toThrow(
        'Backend.create: options.simd is true but this engine does not support WebAssembly SIMD',
      );
    } finally {
      vi.unstubAllGlobals();
    }
    expect(WebAssembly.validate).toBe(realValidate);
  });

  it('says so clearly where WebAssembly is missing', async () => {
    vi.stubGlobal('WebAssembly', undefined);
    await expect(Backend.create({ simd: false })).rejects.toThrow(
      'rnn-wasm: this JavaScript engine has no WebAssembly support; rnn-wasm needs WebAssembly',
    );
  });

  it('rejects bad options', async () => {
    await expect(Backend.create({ simd: 'yes' as unknown as boolean })).rejects.toThrow(
      'Backend.create: options.simd must be true, false or undefined, got "yes"',
    );
  });

  it('init() loads the default backend once; compute calls need it first', async () => {
    expect(() => defaultBackend()).toThrow('rnn-wasm: call `await init()` before computing');
    const first = await init();
    expect(await init()).toBe(first);
    expect(defaultBackend()).toBe(first);
    await expect(init({ simd: false })).rejects.toThrow(/already initialised with simd=auto; cannot switch to simd=false/);
  });
});
