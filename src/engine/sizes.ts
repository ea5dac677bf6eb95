// The one size check of every allocation path. A size is computed in exact
// integer arithmetic (bigint) and compared with the largest block the allocator
// can hand out *before* anything is rounded, allocated or changed; a request
// that does not fit is a RangeError naming the argument and the size in
// elements and bytes. Nothing here uses 32-bit bit operations, so a request of
// 2³¹ floats or more can never wrap to a small buffer.

/** The TLSF heap's largest block (AssemblyScript's BLOCK_MAXSIZE, 2³⁰ − 4, rounded down to its 16-byte granule). */
export const MAX_ALLOC_BYTES = 2 ** 30 - 16;
/** The most f32 values one block holds: 268,435,452. */
export const MAX_ALLOC_FLOATS = MAX_ALLOC_BYTES / 4;

/** What one element of a block is. */
export type ElementKind = 'bytes' | 'floats' | 'f64 values' | 'i32 values';
const BYTES_PER: Record<ElementKind, number> = { bytes: 1, floats: 4, 'f64 values': 8, 'i32 values': 4 };

/** An exact size: a non-negative integer (number or bigint). */
export type Size = number | bigint;

function exact(value: Size): bigint {
  if (typeof value === 'bigint') {
    if (value < 0n) throw new Error(`internal: negative size ${value}`);
    return value;
  }
  if (!Number.isInteger(value) || value < 0) throw new Error(`internal: size ${value} is not a non-negative integer`);
  return BigInt(value);
}

/** The exact product of sizes (e.g. T·B·H), as a bigint: never rounded, never wrapped. */
export function sizeProduct(...factors: Size[]): bigint {
  let p = 1n;
  for (const f of factors) p *= exact(f);
  return p;
}

/** The exact sum of sizes, as a bigint. */
export function sizeSum(...terms: Size[]): bigint {
  let s = 0n;
  for (const t of terms) s += exact(t);
  return s;
}

/** `n` rounded up to a multiple of 4 floats (16 bytes), exactly. */
export function roundUp4(n: Size): bigint {
  return ((exact(n) + 3n) / 4n) * 4n;
}

/** A size that one block of linear memory cannot hold (a RangeError: thrown before anything is allocated or changed). */
export class SizeError extends RangeError {
  constructor(message: string) {
    super(message);
    this.name = 'SizeError';
  }
}

/** The SizeError for a block of `count` elements of `kind` that one allocation cannot hold. */
export function tooLarge(where: string, what: string, count: Size, kind: ElementKind): SizeError {
  const per = BYTES_PER[kind];
  const bytes = exact(count) * BigInt(per);
  const size = per === 1 ? `${what} ${bytes} is` : `${what} needs ${count} ${kind} (${bytes} bytes),`;
  const limit = per === 1 ? `${MAX_ALLOC_BYTES} bytes` : `${MAX_ALLOC_BYTES} bytes = ${Math.floor(MAX_ALLOC_BYTES / per)} ${kind}`;
  return new SizeError(`${where}: ${size} more than one block of linear memory holds (at most ${limit}: the allocator's largest block is 2³⁰ − 16 bytes)`);
}

/**
 * `count` elements of `kind` as a number, checked to fit one block; else a RangeError
 * `${where}: ${what} needs … (… bytes), more than one block of linear memory holds (…)`.
 */
export function checkBlock(where: string, what: string, count: Size, kind: ElementKind = 'floats'): number {
  const n = exact(count);
  if (n * BigInt(BYTES_PER[kind]) > BigInt(MAX_ALLOC_BYTES)) throw tooLarge(where, what, n, kind);
  return Number(n);
}

/**
 * Lays out regions of `lengths` floats one after another, each rounded up to 4 floats (16-byte
 * aligned): the float offset of each and the total (at least 4), checked to fit one block.
 */
export function layoutBlock(where: string, what: string, lengths: readonly Size[]): { offsets: number[]; total: number } {
  const offsets: number[] = [];
  let total = 0n;
  for (const length of lengths) {
    // Offsets are below the total, which is checked below; a larger one is never used.
    offsets.push(Number(total));
    total += roundUp4(length);
  }
  if (total < 4n) total = 4n;
  return { offsets, total: checkBlock(where, what, total) };
}
