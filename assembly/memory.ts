// Linear-memory allocator exported to TypeScript.
//
// The module's own TLSF heap (AssemblyScript runtime "minimal") serves every
// buffer: it reuses freed blocks, so alloc/free cycles do not grow memory.
// Blocks are 16-byte aligned. Kernels never call these: TypeScript decides
// where every buffer lives and passes pointers in.

/** Allocates `size` bytes (size ≥ 1) and returns a 16-byte aligned pointer. */
export function alloc(size: usize): usize {
  return heap.alloc(size);
}

/** Frees a block returned by `alloc`. */
export function free(ptr: usize): void {
  heap.free(ptr);
}
