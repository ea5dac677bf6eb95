// F32Buffers allocated together and freed together — at the end of a call (also when
// it throws) or when a model is disposed. An f64 block of n values is an F32Buffer of
// 2n floats and an i32 block of n values one of n floats (allocations are 16-byte
// aligned); read and write them through liveF64 / liveI32, which are valid only until
// the next allocation. Every size is checked exactly before it is allocated: a block
// too large for the allocator is a RangeError `${where}: ${what} needs …` (src/engine/sizes.ts).
import { liveF64, liveI32, liveView, type Backend, type F32Buffer } from '../engine/backend.js';
import { checkBlock, sizeProduct, type Size } from '../engine/sizes.js';

export class BufferSet {
  #buffers: F32Buffer[] = [];
  /** `where` starts the message of a size error (the public call that allocates). */
  constructor(readonly backend: Backend, readonly where = 'EchoStateNetwork') {}

  /** f32 [n], zero-filled, or a copy of `values`; `what` names it in a size error. */
  f32(values: ArrayLike<number> | Size, what = 'a buffer'): F32Buffer {
    const n = count(values);
    const buffer = this.#add(this.backend.allocBlock(this.where, what, n));
    if (typeof values === 'object') liveView(buffer).set(values);
    return buffer;
  }

  /** f64 [n], zero-filled, or a copy of `values`. */
  f64(values: ArrayLike<number> | Size, what = 'a buffer'): F32Buffer {
    const n = checkBlock(this.where, what, count(values), 'f64 values');
    const buffer = this.#add(this.backend.allocBlock(this.where, what, sizeProduct(2, n)));
    if (typeof values === 'object') liveF64(buffer).set(values);
    return buffer;
  }

  /** i32 [n], zero-filled, or a copy of `values`. */
  i32(values: ArrayLike<number> | Size, what = 'a buffer'): F32Buffer {
    const n = checkBlock(this.where, what, count(values), 'i32 values');
    const buffer = this.#add(this.backend.allocBlock(this.where, what, n));
    if (typeof values === 'object') liveI32(buffer).set(values);
    return buffer;
  }

  #add(buffer: F32Buffer): F32Buffer {
    this.#buffers.push(buffer);
    return buffer;
  }

  /** Frees every buffer of the set. Safe to call twice. */
  dispose(): void {
    for (const b of this.#buffers) b.dispose();
    this.#buffers = [];
  }
}

/** Elements of a block for `values` (an array or a count), at least 1. */
function count(values: ArrayLike<number> | Size): Size {
  const n = typeof values === 'object' ? values.length : values;
  return n === 0 || n === 0n ? 1 : n;
}

/** Runs `body` with a fresh set and frees the set afterwards, also when `body` throws. */
export function withBuffers<T>(backend: Backend, body: (buffers: BufferSet) => T, where?: string): T {
  const buffers = new BufferSet(backend, where);
  try {
    return body(buffers);
  } finally {
    buffers.dispose();
  }
}
