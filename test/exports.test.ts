// The boundary, checked against both compiled binaries: the TypeScript exports
// interface (through its runtime table in src/engine/exports.ts, tied to the
// interface at compile time) names exactly the module's exports, with each
// function's arity; every code in src/kernels/codes.ts equals the module global
// it mirrors.
import { describe, expect, it } from 'vitest';
import { compiledModule } from '../src/engine/loader.js';
import { EXPORTED_FUNCTIONS, EXPORTED_GLOBALS } from '../src/engine/exports.js';
import { CODE_GLOBALS } from '../src/kernels/codes.js';
import { BUILDS } from './helpers/backends.js';

const sorted = (names: Iterable<string>): string[] => [...names].sort();

describe.each(BUILDS)('exports of the $name build', ({ name }) => {
  it('are exactly the functions, globals and memory the TypeScript side declares', async () => {
    const module = await compiledModule(name);
    const exports = WebAssembly.Module.exports(module);
    const byKind = (kind: string) => sorted(exports.filter((e) => e.kind === kind).map((e) => e.name));
    expect(byKind('function')).toEqual(sorted(Object.keys(EXPORTED_FUNCTIONS)));
    expect(byKind('global')).toEqual(sorted(EXPORTED_GLOBALS));
    expect(byKind('memory')).toEqual(['memory']);
    expect(byKind('table')).toEqual([]);
  });

  it('have the arity the table (and so the interface) gives each function', async () => {
    const instance = await WebAssembly.instantiate(await compiledModule(name), {});
    for (const [fn, arity] of Object.entries(EXPORTED_FUNCTIONS)) {
      const value = instance.exports[fn];
      expect(typeof value, fn).toBe('function');
      expect((value as (...args: unknown[]) => unknown).length, fn).toBe(arity);
    }
  });

  it('carry every code at the value src/kernels/codes.ts gives it', async () => {
    const instance = await WebAssembly.instantiate(await compiledModule(name), {});
    expect(sorted(Object.keys(CODE_GLOBALS))).toEqual(sorted(EXPORTED_GLOBALS));
    for (const [global, code] of Object.entries(CODE_GLOBALS)) {
      const value = instance.exports[global];
      expect(value, global).toBeInstanceOf(WebAssembly.Global);
      expect((value as WebAssembly.Global).value, global).toBe(code);
    }
  });
});
