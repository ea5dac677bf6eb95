// F32Buffers allocated together and freed together — at the end of a call (also when
// it throws) or when a model is disposed. An f64 block of n values is an F32Buffer of
// 2n floats and an i32 block of n values one of n floats (allocations are 16-byte
// aligned); read and write them through liveF64 / liveI32, which are valid only until
// the next allocation.
import { liveF64, liveI32, liveView, type Backend, type F32Buffer } from '../engine/backend.js';

export class BufferSet {
  #buffers: F32Buffer[] = [];
  constructor(readonly backend: Backend) {}

  /** f32 [n], zero-filled, or a copy of `values`. */
  f32(values: ArrayLike<number> | number): F32Buffer {
    const n = typeof values === 'number' ? values : values.length;
    const buffer = this.#add(this.backend.allocF32(Math.max(n, 1)));
    if (typeof values !== 'number') liveView(buffer).set(values);
    return buffer;
  }

  /** f64 [n], zero-filled, or a copy of `values`. */
  f64(values: ArrayLike<number> | number): F32Buffer {
    const n = typeof values === 'number' ? values : values.length;
    const buffer = this.#add(this.backend.allocF32(2 * Math.max(n, 1)));
    if (typeof values !== 'number') liveF64(buffer).set(values);
    return buffer;
  }

  /** i32 [n], zero-filled, or a copy of `values`. */
  i32(values: ArrayLike<number> | number): F32Buffer {
    const n = typeof values === 'number' ? values : values.length;
    const buffer = this.#add(this.backend.allocF32(Math.max(n, 1)));
    if (typeof values !== 'number') liveI32(buffer).set(values);
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

/** Runs `body` with a fresh set and frees the set afterwards, also when `body` throws. */
export function withBuffers<T>(backend: Backend, body: (buffers: BufferSet) => T): T {
  const buffers = new BufferSet(backend);
  try {
    return body(buffers);
  } finally {
    buffers.dispose();
  }
}
