// Raw blocks of linear memory for the ESN (f64 accumulators, i32 CSR indices),
// next to the F32Buffers the rest of the library uses. Views are derived on
// every call (any allocation may grow memory) and never handed to users.
import type { Backend } from '../engine/backend.js';
import { exportsOf } from '../engine/exports.js';

export class RawBlock {
  #ptr: number;

  constructor(readonly backend: Backend, readonly bytes: number) {
    this.#ptr = backend.alloc(Math.max(bytes, 8));
    backend.track(this, this.#ptr);
    new Uint8Array(backend.memoryBuffer, this.#ptr, Math.max(bytes, 8)).fill(0);
  }

  get ptr(): number {
    if (this.#ptr === 0) throw new Error('RawBlock: this block was disposed');
    return this.#ptr;
  }

  /** Live f64 view (internal; valid until the next allocation). */
  f64(): Float64Array {
    return new Float64Array(this.backend.memoryBuffer, this.ptr, this.bytes >>> 3);
  }

  /** Live i32 view (internal; valid until the next allocation). */
  i32(): Int32Array {
    return new Int32Array(this.backend.memoryBuffer, this.ptr, this.bytes >>> 2);
  }

  /** Live f32 view (internal; valid until the next allocation). */
  f32(): Float32Array {
    return new Float32Array(this.backend.memoryBuffer, this.ptr, this.bytes >>> 2);
  }

  dispose(): void {
    if (this.#ptr !== 0) {
      this.backend.untrack(this);
      this.backend.free(this.#ptr);
      this.#ptr = 0;
    }
  }
}

/** Allocates blocks and frees them all at the end, also when something throws. */
export class Scope {
  #blocks: RawBlock[] = [];
  constructor(readonly backend: Backend) {}

  f64(length: number): RawBlock {
    return this.#add(new RawBlock(this.backend, length * 8));
  }

  f32(values: ArrayLike<number> | number): RawBlock {
    const n = typeof values === 'number' ? values : values.length;
    const block = this.#add(new RawBlock(this.backend, n * 4));
    if (typeof values !== 'number') block.f32().set(values);
    return block;
  }

  i32(length: number): RawBlock {
    return this.#add(new RawBlock(this.backend, length * 4));
  }

  #add(block: RawBlock): RawBlock {
    this.#blocks.push(block);
    return block;
  }

  dispose(): void {
    for (const b of this.#blocks) b.dispose();
    this.#blocks = [];
  }
}

/**
 * W_out [O, F] from accumulated XᵀX (upper triangle used) and XᵀY [F, O] by the
 * WASM f64 solve (assembly/esn.ts esn_ridge_solve). Internal; also used by
 * tests and benchmarks.
 */
export function ridgeSolve(
  backend: Backend, xtx: ArrayLike<number>, xty: ArrayLike<number>, F: number, O: number, ridge: number,
): { weights: Float64Array; rank: number; pivoted: boolean } {
  const scope = new Scope(backend);
  try {
    const a = scope.f64(F * F);
    a.f64().set(xtx);
    const b = scope.f64(F * O);
    b.f64().set(xty);
    const out = scope.f64(F * O);
    const work = scope.f64(F * F);
    const tmp = scope.f64(F);
    const perm = scope.i32(F);
    const code = exportsOf(backend).esn_ridge_solve(out.ptr, work.ptr, tmp.ptr, perm.ptr, a.ptr, b.ptr, F, O, ridge);
    return { weights: out.f64().slice(), rank: code & ((1 << 30) - 1), pivoted: (code & (1 << 30)) !== 0 };
  } finally {
    scope.dispose();
  }
}
