// Both builds of the module, for tests that run against each.
import { Backend } from '../../src/engine/backend.js';

export const BUILDS = [
  { name: 'simd', simd: true },
  { name: 'scalar', simd: false },
] as const;

const cache = new Map<boolean, Promise<Backend>>();

/** One shared backend per build for a test file (each test file runs in its own process). */
export function backendFor(simd: boolean): Promise<Backend> {
  let backend = cache.get(simd);
  if (!backend) {
    backend = Backend.create({ simd });
    cache.set(simd, backend);
  }
  return backend;
}
