// Turns the embedded binaries into compiled WebAssembly.Modules, once each.
// No fs, no fetch, no paths: the bytes travel inside the JS, so this file is
// the same in Node and in browsers. The SIMD build is imported statically; the
// scalar build (for engines without SIMD, or init({ simd: false })) is a module
// of its own imported on first use, so a bundler makes it a separate chunk that
// a browser with SIMD never downloads. The threaded build (SIMD, shared imported memory) is a
// third such module, imported only by init({ threads }) with more than one thread.
import * as simdBuild from './binary-simd.generated.js';

export type Build = 'simd' | 'scalar' | 'threads';

interface Embedded {
  WASM_BASE64: string;
  WASM_SHA256: string;
  WASM_BYTES: number;
}

function embedded(build: Build): Promise<Embedded> {
  if (build === 'simd') return Promise.resolve(simdBuild);
  return build === 'scalar' ? import('./binary-scalar.generated.js') : import('./binary-threads.generated.js');
}

const compiled = new Map<Build, Promise<WebAssembly.Module>>();
const decoded = new Map<Build, Uint8Array>();

export function hasWebAssembly(): boolean {
  return typeof WebAssembly === 'object' && typeof WebAssembly.compile === 'function';
}

function decodeBase64(text: string): Uint8Array {
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

function decode(build: Build, source: Embedded): Uint8Array {
  let bytes = decoded.get(build);
  if (!bytes) {
    bytes = decodeBase64(source.WASM_BASE64);
    decoded.set(build, bytes);
  }
  return bytes;
}

/** The bytes of a build (decoded once; the scalar module is imported on first use). */
export async function wasmBytes(build: Build): Promise<Uint8Array> {
  return decode(build, await embedded(build));
}

/** Whether this engine accepts the SIMD build (asked of the engine with the real binary). */
export function simdSupported(): boolean {
  return hasWebAssembly() && WebAssembly.validate(decode('simd', simdBuild) as BufferSource);
}

async function sha256Hex(bytes: Uint8Array): Promise<string | null> {
  const subtle = (globalThis as { crypto?: Crypto }).crypto?.subtle;
  if (!subtle) return null; // e.g. a page served over plain http: nothing to check with
  const digest = new Uint8Array(await subtle.digest('SHA-256', bytes as BufferSource));
  return Array.from(digest, (b) => b.toString(16).padStart(2, '0')).join('');
}

async function compile(build: Build): Promise<WebAssembly.Module> {
  const source = await embedded(build);
  const bytes = decode(build, source);
  const hash = await sha256Hex(bytes);
  if (hash !== null && hash !== source.WASM_SHA256) {
    throw new Error(
      `rnn-wasm: the embedded ${build} WebAssembly binary is corrupted ` +
        `(sha256 ${hash} != ${source.WASM_SHA256}); reinstall the package or rebuild it`,
    );
  }
  return WebAssembly.compile(bytes as BufferSource);
}

/** The compiled module for a build, compiled once and cached. */
export function compiledModule(build: Build): Promise<WebAssembly.Module> {
  if (!hasWebAssembly()) {
    return Promise.reject(
      new Error('rnn-wasm: this JavaScript engine has no WebAssembly support; rnn-wasm needs WebAssembly'),
    );
  }
  let module = compiled.get(build);
  if (!module) {
    module = compile(build);
    compiled.set(build, module);
    module.catch(() => compiled.delete(build)); // a failure is not cached
  }
  return module;
}
