// How a kernel wrapper gets its operands into linear memory. An operand is a
// Float32Array (copied in, and copied back out when it is an output) or an
// F32Buffer already in the backend's memory (used in place, zero copy).
import { Backend, F32Buffer, liveView } from '../engine/backend.js';
import { checkFloat32Array, describe } from '../errors.js';
import { defaultBackend } from '../engine/init.js';
import { checkBlock } from '../engine/sizes.js';

export type Operand = Float32Array | F32Buffer;

/** Validates an operand and returns its length in elements. */
export function operandLength(where: string, name: string, value: unknown): number {
  if (value instanceof F32Buffer) {
    if (value.disposed) throw new Error(`${where}: ${name} is an F32Buffer that was disposed`);
    return value.length;
  }
  if (value instanceof Float32Array) return checkFloat32Array(where, name, value).length;
  throw new TypeError(`${where}: ${name} must be a Float32Array or an F32Buffer, got ${describe(value)}`);
}

/** The backend the operands live in (all F32Buffers must share one), else `explicit`, else the default. */
export function resolveBackend(where: string, names: readonly string[], operands: readonly Operand[], explicit?: Backend): Backend {
  let found: Backend | undefined;
  let foundName = '';
  for (let i = 0; i < operands.length; i++) {
    const value = operands[i];
    if (!(value instanceof F32Buffer)) continue;
    if (found && value.backend !== found) {
      throw new Error(`${where}: ${names[i]} and ${foundName} are F32Buffers of different backends`);
    }
    found = value.backend;
    foundName = names[i];
  }
  if (found && explicit && found !== explicit) {
    throw new Error(`${where}: ${foundName} belongs to a different backend than options.backend`);
  }
  const backend = found ?? explicit ?? defaultBackend();
  if (backend.disposed) throw new Error(`${where}: the backend was disposed`);
  return backend;
}

export interface OperandUse {
  name: string;
  value: Operand;
  /** First element used. */
  offset: number;
  /** Elements used from offset on. */
  span: number;
  /** Written by the kernel (copied back when it is a Float32Array). */
  output: boolean;
}

function byteRange(use: OperandUse): [object, number, number] {
  const v = use.value;
  if (v instanceof F32Buffer) return [v.backend, v.ptr + use.offset * 4, v.ptr + (use.offset + use.span) * 4];
  const start = v.byteOffset + use.offset * 4;
  return [v.buffer, start, start + use.span * 4];
}

/** Throws when an output's memory overlaps any other operand's. */
export function checkNoOverlap(where: string, uses: OperandUse[]): void {
  for (const out of uses) {
    if (!out.output) continue;
    const [space, start, end] = byteRange(out);
    for (const other of uses) {
      if (other === out) continue;
      const [space2, start2, end2] = byteRange(other);
      if (space === space2 && start < end2 && start2 < end) {
        throw new RangeError(`${where}: ${out.name} must not overlap ${other.name} (they share memory)`);
      }
    }
  }
}

/**
 * Runs `kernel` with one byte pointer per use. Float32Array operands are staged
 * in temporary buffers that are freed afterwards, whatever happens. Every staged
 * size is checked before the first is allocated: an operand one block cannot hold
 * is a RangeError `${where}: <name> (a Float32Array staged in linear memory) needs …`.
 */
export function withOperands(backend: Backend, uses: OperandUse[], kernel: (pointers: number[]) => void, where = 'withOperands'): void {
  if (uses.every((use) => use.value instanceof F32Buffer)) {
    kernel(uses.map((use) => (use.value as F32Buffer).ptr + use.offset * 4)); // zero copy
    return;
  }
  for (const use of uses) {
    if (!(use.value instanceof F32Buffer)) checkBlock(where, `${use.name} (a Float32Array staged in linear memory)`, Math.max(1, use.span));
  }
  const temps: (F32Buffer | null)[] = [];
  try {
    // Allocate everything first: an allocation may grow memory and detach views.
    for (const use of uses) {
      temps.push(use.value instanceof F32Buffer ? null : backend.allocF32(Math.max(1, use.span)));
    }
    const pointers = uses.map((use, i) => {
      const temp = temps[i];
      if (temp === null) return (use.value as F32Buffer).ptr + use.offset * 4;
      const source = use.value as Float32Array;
      liveView(temp).set(source.subarray(use.offset, use.offset + use.span));
      return temp.ptr;
    });
    kernel(pointers);
    uses.forEach((use, i) => {
      const temp = temps[i];
      if (temp !== null && use.output) {
        (use.value as Float32Array).set(liveView(temp).subarray(0, use.span), use.offset);
      }
    });
  } finally {
    for (const temp of temps) temp?.dispose();
  }
}
