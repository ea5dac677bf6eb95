// Linear memory: the allocator reuses what is freed, buffers survive growth,
// views are re-derived after memory.grow, and nothing live leaks to users.
import { describe, expect, it } from 'vitest';
import { Backend, liveView } from '../src/engine/backend.js';
import { gemm } from '../src/kernels/gemm.js';

describe('linear memory', () => {
  it('keeps buffers and their views valid across memory.grow', async () => {
    const backend = await Backend.create();
    const buffer = backend.fromArray([1, 2, 3, 4, 5]);
    const before = liveView(buffer);
    const bytesBefore = backend.memoryBytes;
    // Force growth: a 32 MiB block cannot fit in the initial pages.
    const big = backend.allocF32(8 << 20);
    expect(backend.memoryBytes).toBeGreaterThan(bytesBefore);
    expect(before.length).toBe(0); // the old view was detached by memory.grow...
    const after = liveView(buffer); // ...and the buffer derives a fresh one
    expect(after === before).toBe(false);
    expect(Array.from(after)).toEqual([1, 2, 3, 4, 5]);
    expect(Array.from(buffer.read())).toEqual([1, 2, 3, 4, 5]);
    buffer.write([9, 8], 3);
    expect(Array.from(buffer.read())).toEqual([1, 2, 3, 9, 8]);
    big.dispose();
    buffer.dispose();
    backend.dispose();
  });

  it('read() returns a copy, never a view of WebAssembly memory', async () => {
    const backend = await Backend.create();
    const buffer = backend.fromArray([1, 2, 3]);
    const copy = buffer.read();
    expect(copy.buffer).not.toBe(backend.memoryBuffer);
    copy[0] = 42;
    expect(buffer.read()[0]).toBe(1);
    buffer.dispose();
  });

  it('does not grow memory over 10,000 alloc/free cycles', async () => {
    const backend = await Backend.create();
    const sizes = [1, 7, 64, 1000, 4096, 65536, 300_000];
    // Warm up: let the heap reach its working size once.
    for (const s of sizes) backend.allocF32(s).dispose();
    const bytes = backend.memoryBytes;
    for (let i = 0; i < 10_000; i++) {
      const a = backend.allocF32(sizes[i % sizes.length]);
      const b = backend.allocF32(sizes[(i * 3 + 1) % sizes.length]);
      a.dispose();
      b.dispose();
    }
    expect(backend.memoryBytes).toBe(bytes);
  });

  it('does not grow memory over repeated gemm calls with Float32Array operands (temporaries are freed)', async () => {
    const backend = await Backend.create();
    const a = new Float32Array(64 * 300).fill(0.5);
    const b = new Float32Array(300 * 70).fill(0.25);
    const c = new Float32Array(64 * 70);
    gemm(64, 70, 300, a, b, c, { backend });
    const bytes = backend.memoryBytes;
    for (let i = 0; i < 500; i++) gemm(64, 70, 300, a, b, c, { backend });
    expect(backend.memoryBytes).toBe(bytes);
    expect(c[0]).toBeCloseTo(300 * 0.125, 3);
  });

  it('reuses freed blocks (same pointer back for the same size)', async () => {
    const backend = await Backend.create();
    const a = backend.allocF32(1000);
    const ptr = a.ptr;
    a.dispose();
    const b = backend.allocF32(1000);
    expect(b.ptr).toBe(ptr);
    expect(ptr % 16).toBe(0); // 16-byte aligned
    b.dispose();
  });

  it('dispose is idempotent and use after dispose is a clear error', async () => {
    const backend = await Backend.create();
    const buffer = backend.allocF32(4);
    buffer.dispose();
    buffer.dispose();
    expect(buffer.disposed).toBe(true);
    expect(() => buffer.read()).toThrow(/disposed/);
    expect(() => gemm(1, 1, 1, buffer, new Float32Array(1), new Float32Array(1))).toThrow(/gemm: a is an F32Buffer that was disposed/);
  });

  it('reports running out of memory as a RangeError, and stays usable', async () => {
    const backend = await Backend.create();
    const blocks: number[] = [];
    // wasm32 memory ends at 4 GiB, so the fourth ~1 GiB block cannot fit. Raw
    // alloc (no fill) leaves the pages untouched, so this costs no real memory.
    expect(() => {
      for (let i = 0; i < 5; i++) blocks.push(backend.alloc(2 ** 30 - 16));
    }).toThrow(/Backend.alloc: out of memory allocating 1073741808 bytes/);
    expect(blocks.length).toBeGreaterThanOrEqual(2);
    for (const ptr of blocks) backend.free(ptr);
    const small = backend.fromArray([1, 2]);
    expect(Array.from(small.read())).toEqual([1, 2]);
    small.dispose();
  });

  it('rejects bad sizes', async () => {
    const backend = await Backend.create();
    expect(() => backend.allocF32(0)).toThrow('Backend.allocF32: length must be ≥ 1, got 0');
    expect(() => backend.alloc(2 ** 30)).toThrow(
      "Backend.alloc: bytes 1073741824 is more than one block of linear memory holds (at most 1073741808 bytes: the allocator's largest block is 2³⁰ − 16 bytes)",
    );
    expect(() => backend.allocF32(2.5)).toThrow('Backend.allocF32: length must be an integer, got 2.5');
    expect(() => backend.alloc(-1)).toThrow(RangeError);
    expect(() => backend.fromArray([1, 2]).write([1, 2, 3])).toThrow(
      'F32Buffer.write: source of length 3 at offset 0 does not fit a buffer of length 2',
    );
  });
});
