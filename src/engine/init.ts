// The default backend: `await init()` once, then compute calls are synchronous.
// This is the library's only module-level state, and it is a cache of one
// instance; code that wants isolation creates its own with Backend.create().
import { Backend, type BackendOptions } from './backend.js';

let pending: Promise<Backend> | null = null;
let pendingOptions: BackendOptions = {};
let ready: Backend | null = null;

/**
 * Loads the WebAssembly module (SIMD when the engine supports it) and makes it
 * the default backend. Calling it again returns the same backend; asking for a
 * different build after the first call is an error.
 */
export function init(options: BackendOptions = {}): Promise<Backend> {
  if (pending) {
    if (options?.threads !== undefined && options.threads !== (pendingOptions.threads ?? 1)) {
      return Promise.reject(
        new Error(
          `init: already initialised with threads=${String(pendingOptions.threads ?? 1)}; ` +
            `cannot switch to threads=${String(options.threads)} (use Backend.create for a second backend)`,
        ),
      );
    }
    if (options?.simd !== undefined && options.simd !== pendingOptions.simd) {
      return Promise.reject(
        new Error(
          `init: already initialised with simd=${String(pendingOptions.simd ?? 'auto')}; ` +
            `cannot switch to simd=${String(options.simd)} (use Backend.create for a second backend)`,
        ),
      );
    }
    return pending;
  }
  pendingOptions = { ...options };
  pending = Backend.create(options).then(
    (backend) => (ready = backend),
    (error) => {
      pending = null; // let a later call retry
      throw error;
    },
  );
  return pending;
}

/** The default backend; throws if `await init()` has not completed. */
export function defaultBackend(): Backend {
  if (!ready) throw new Error('rnn-wasm: call `await init()` before computing');
  return ready;
}
