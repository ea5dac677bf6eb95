// The one reader of saved files: every model's fromJSON starts here. Format ids
// are 'rnn-wasm/<kebab-case name>'; ids an earlier version wrote are accepted
// and named in `legacyFormats`.
import { describe } from './errors.js';

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
