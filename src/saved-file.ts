// The one reader of saved files: every model's fromJSON starts here. Format ids
// are 'rnn-wasm/<kebab-case name>'; ids an earlier version wrote are accepted
// and named in `legacyFormats`.
import { checkBoolean, checkFinite, checkInt, describe } from './errors.js';

export interface SavedFormat {
  /** The id this version writes, e.g. 'rnn-wasm/sequential'. */
  format: string;
  /** The format version this version writes and reads. */
  version: number;
  /** Ids that earlier versions wrote for the same format (read, never written). */
  legacyFormats?: readonly string[];
  /** The class, in messages ('Sequential'). */
  what: string;
}

/** Parses `json` (an object or its text) and checks format and version. */
export function readSaved<T extends { format: string; version: number }>(where: string, json: unknown, spec: SavedFormat): T {
  if (typeof json === 'string') {
    try {
      json = JSON.parse(json);
    } catch (error) {
      throw new SyntaxError(`${where}: not JSON (${(error as Error).message})`, { cause: error });
    }
  }
  if (json === null || typeof json !== 'object' || Array.isArray(json)) throw new TypeError(`${where}: not a saved ${spec.what} (expected an object, got ${describe(json)})`);
  const j = json as T;
  const format: unknown = Object.prototype.hasOwnProperty.call(j, 'format') ? j.format : undefined;
  if (format !== spec.format && !(typeof format === 'string' && spec.legacyFormats?.includes(format))) {
    throw new TypeError(`${where}: not a saved ${spec.what} (format must be '${spec.format}', got ${describe(format)})`);
  }
  if (j.version !== spec.version) throw new RangeError(`${where}: format version ${describe(j.version)} is not supported (this library reads version ${spec.version})`);
  return j;
}

// ---- Field readers: every field of a saved file is read through these, before anything
// is allocated. A user's string is never looked up on a prototype: keys are checked
// with Object.hasOwn against the schema, and values are read only from own properties.

/** One field's type and range. `optional` fields may be absent or undefined. */
export type Field =
  | { kind: 'integer'; min: number; max?: number; optional?: boolean }
  /** An integer in [−2³¹, 2³² − 1], as readSeed accepts. */
  | { kind: 'seed'; optional?: boolean }
  /** A finite number. */
  | { kind: 'number'; optional?: boolean }
  /** A finite number that stays finite as a float32 (|v| ≤ FLT_MAX after rounding). */
  | { kind: 'float32'; optional?: boolean }
  | { kind: 'boolean'; optional?: boolean }
  | { kind: 'string'; optional?: boolean }
  | { kind: 'object'; optional?: boolean; nullable?: boolean }
  | { kind: 'array'; optional?: boolean; nullable?: boolean }
  /** Passed on as it is; whoever uses it validates it. */
  | { kind: 'any'; optional?: boolean };

export type Schema = Readonly<Record<string, Field>>;

/** `path.key`, or `key` at the top of the file. */
export function fieldName(path: string, key: string): string {
  return path === '' ? key : `${path}.${key}`;
}

/** `table[key]` if `key` is a string naming an own property of `table`, else undefined. */
export function ownEntry<T>(table: Readonly<Record<string, T>>, key: unknown): T | undefined {
  return typeof key === 'string' && Object.hasOwn(table, key) ? table[key] : undefined;
}

/** Throws unless `value` is a plain (non-array) object. */
export function readObject(where: string, name: string, value: unknown): Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new TypeError(`${where}: ${name} must be an object, got ${describe(value)}`);
  }
  return value as Record<string, unknown>;
}

/**
 * Reads the object at `path` against `schema`: refuses keys the schema does not name (own
 * keys of the file, inherited names like '__proto__' or 'constructor' included) and reads
 * every field with readField. Returns a null-prototype record of the fields present.
 */
export function readFields(where: string, path: string, value: unknown, schema: Schema): Record<string, unknown> {
  const obj = readObject(where, path === '' ? 'the file' : path, value);
  for (const key of Object.keys(obj)) {
    if (!Object.hasOwn(schema, key)) {
      throw new RangeError(`${where}: ${fieldName(path, key)} is not a field of ${path === '' ? 'the file' : path} (known: ${Object.keys(schema).join(', ')})`);
    }
  }
  const out = Object.create(null) as Record<string, unknown>;
  for (const key of Object.keys(schema)) {
    const v = readField(where, path, obj, key, schema[key]);
    if (v !== undefined) out[key] = v;
  }
  return out;
}

/** The own property `key` of `obj`, checked against `field`; TypeError for a wrong type, RangeError for a value out of range. */
export function readField(where: string, path: string, obj: Record<string, unknown>, key: string, field: Field): unknown {
  const name = fieldName(path, key);
  const value = Object.hasOwn(obj, key) ? obj[key] : undefined;
  if (value === undefined && field.optional) return undefined;
  switch (field.kind) {
    case 'integer':
      return checkInt(where, name, value, field.min, field.max);
    case 'seed':
      return checkInt(where, name, value, -0x80000000, 0xffffffff);
    case 'number':
      return checkFinite(where, name, value);
    case 'float32':
      return checkFloat32(where, name, value);
    case 'boolean':
      return checkBoolean(where, name, value);
    case 'string':
      if (typeof value !== 'string') throw new TypeError(`${where}: ${name} must be a string, got ${describe(value)}`);
      return value;
    case 'object':
      if (value === null && field.nullable) return null;
      return readObject(where, name, value);
    case 'array':
      if (value === null && field.nullable) return null;
      if (!Array.isArray(value)) throw new TypeError(`${where}: ${name} must be an array, got ${describe(value)}`);
      return value;
    case 'any':
      return value;
  }
}

/** A finite number that stays finite when stored as a float32. */
export function checkFloat32(where: string, name: string, value: unknown): number {
  if (typeof value !== 'number') throw new TypeError(`${where}: ${name} must be a finite number, got ${describe(value)}`);
  if (!Number.isFinite(Math.fround(value))) {
    throw new RangeError(`${where}: ${name} must be a finite number in float32 range (|value| ≤ 3.4028234663852886e38), got ${value}`);
  }
  return value;
}

/**
 * An array of exactly `length` finite integers or float32-finite numbers. `need` says where
 * the length comes from in the message ('the options need').
 */
export function readNumbers(where: string, name: string, value: unknown, length: number, kind: 'integer' | 'float32', need = 'the options need'): number[] {
  if (!Array.isArray(value)) throw new TypeError(`${where}: ${name} must be an array of ${length} numbers, got ${describe(value)}`);
  if (value.length !== length) throw new RangeError(`${where}: ${name} has ${value.length} values but ${need} ${length}`);
  for (let k = 0; k < length; k++) {
    const v: unknown = value[k];
    if (kind === 'integer') {
      if (typeof v !== 'number' || !Number.isInteger(v)) throw new TypeError(`${where}: ${name}[${k}] must be a finite integer, got ${describe(v)}`);
    } else {
      checkFloat32(where, `${name}[${k}]`, v);
    }
  }
  return value as number[];
}
