// Argument checks shared by every public function. Messages name the
// function, the argument, what was expected and what was given.

export function describe(value: unknown): string {
  if (value === null) return 'null';
  if (value === undefined) return 'undefined';
  if (typeof value === 'number') return String(value);
  if (typeof value === 'string') return JSON.stringify(value);
  if (ArrayBuffer.isView(value)) return `${value.constructor.name}(${(value as Float32Array).length})`;
  if (Array.isArray(value)) return `Array(${value.length})`;
  return typeof value === 'object' ? (value.constructor?.name ?? 'object') : typeof value;
}

/** An integer in [min, max]; TypeError for non-numbers, RangeError otherwise. */
export function checkInt(where: string, name: string, value: unknown, min: number, max = 0x7fffffff): number {
  if (typeof value !== 'number') {
    throw new TypeError(`${where}: ${name} must be an integer, got ${describe(value)}`);
  }
  if (!Number.isInteger(value)) {
    throw new RangeError(`${where}: ${name} must be an integer, got ${value}`);
  }
  if (value < min || value > max) {
    // Below the minimum of an otherwise unbounded integer: "≥ min"; else the range, with its largest value.
    const range = value < min && (max === 0x7fffffff || max >= Number.MAX_SAFE_INTEGER) ? `≥ ${min}` : `in [${min}, ${max}]`;
    throw new RangeError(`${where}: ${name} must be ${range}, got ${value}`);
  }
  return value;
}

/** A finite number. */
export function checkFinite(where: string, name: string, value: unknown): number {
  if (typeof value !== 'number') {
    throw new TypeError(`${where}: ${name} must be a finite number, got ${describe(value)}`);
  }
  if (!Number.isFinite(value)) {
    throw new RangeError(`${where}: ${name} must be a finite number, got ${value}`);
  }
  return value;
}

export function checkBoolean(where: string, name: string, value: unknown): boolean {
  if (typeof value !== 'boolean') {
    throw new TypeError(`${where}: ${name} must be a boolean, got ${describe(value)}`);
  }
  return value;
}

/** A Float32Array whose ArrayBuffer is still attached. */
export function checkFloat32Array(where: string, name: string, value: unknown): Float32Array {
  if (!(value instanceof Float32Array)) {
    throw new TypeError(`${where}: ${name} must be a Float32Array, got ${describe(value)}`);
  }
  if (isDetached(value)) {
    throw new TypeError(
      `${where}: ${name} is a detached Float32Array (its ArrayBuffer was transferred, ` +
        `or it was a view of WebAssembly memory that has since grown)`,
    );
  }
  return value;
}

/** True when the view's ArrayBuffer has been detached (transferred, or WASM memory grew). */
export function isDetached(view: ArrayBufferView): boolean {
  const buffer = view.buffer as ArrayBuffer & { detached?: boolean };
  if (typeof buffer.detached === 'boolean') return buffer.detached;
  if (buffer.byteLength !== 0) return false;
  try {
    new Uint8Array(buffer); // throws on a detached buffer, not on an empty one
    return false;
  } catch {
    return true;
  }
}

/**
 * Throws unless `options` is an object whose keys are all in `allowed`. `name` is how messages
 * call the argument: 'options' (the default), or a nested one such as 'options.optimizer'.
 */
export function checkOptions(where: string, options: unknown, allowed: readonly string[], name = 'options'): Record<string, unknown> {
  if (options === null || typeof options !== 'object' || Array.isArray(options)) {
    throw new TypeError(`${where}: ${name} must be an object, got ${describe(options)}`);
  }
  for (const key of Object.keys(options)) {
    if (allowed.includes(key)) continue;
    if (name === 'options') throw new RangeError(`${where}: unknown option '${key}' (known: ${allowed.join(', ')})`);
    throw new RangeError(`${where}: ${name} has an unknown key '${key}' (known: ${allowed.join(', ')})`);
  }
  return options as Record<string, unknown>;
}

/** `value` if it is one of `allowed`, else a RangeError listing them. */
export function checkOneOf<T extends string>(where: string, name: string, value: unknown, allowed: readonly T[]): T {
  if (!allowed.includes(value as T)) {
    throw new RangeError(`${where}: ${name} must be one of ${allowed.map((a) => `'${a}'`).join(', ')}, got ${describe(value)}`);
  }
  return value as T;
}

/** A seed: an integer in [−2³¹, 2³² − 1] (signed or unsigned 32-bit), or `fallback` when undefined. */
export function readSeed(where: string, name: string, value: unknown, fallback = 0): number {
  return value === undefined ? fallback : checkInt(where, name, value, -0x80000000, 0xffffffff);
}
