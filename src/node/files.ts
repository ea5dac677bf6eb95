// Saving a model to a file and loading it back, in Node. A model's toJSON() is the whole
// model (architecture, weights, optimizer state where it has one); save writes it under a
// temporary name in the destination directory and renames it into place, so a file is there
// whole or not at all. load reads the file's format tag and rebuilds the model with that
// class's fromJSON — which validates everything before it builds anything.
import { randomBytes } from 'node:crypto';
import { readFile, rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import {
  AR, Autoencoder, EchoStateNetwork, EncoderDecoder, NARX, Sequential, StandardScaler, type Backend,
} from '../index.js';
import { BoltzmannMachine, DBM, DBN, Hopfield, RBM } from '../energy/index.js';
import { checkOptions, describe } from '../errors.js';

/** Every class `load` can rebuild, by the format tag its toJSON writes. */
const LOADERS: Record<string, (json: unknown, backend?: Backend) => Loaded> = {
  'rnn-wasm/sequential': (j: unknown, backend?: Backend) => Sequential.fromJSON(j, { backend }),
  'rnn-wasm/encoder-decoder': (j: unknown, backend?: Backend) => EncoderDecoder.fromJSON(j, { backend }),
  'rnn-wasm/autoencoder': (j: unknown, backend?: Backend) => Autoencoder.fromJSON(j, { backend }),
  'rnn-wasm/echo-state-network': (j: unknown, backend?: Backend) => EchoStateNetwork.fromJSON(j, { backend }),
  'rnn-wasm/narx': (j: unknown, backend?: Backend) => NARX.fromJSON(j, { backend }),
  'rnn-wasm/ar': (j: unknown, backend?: Backend) => AR.fromJSON(j, { backend }),
  'rnn-wasm/hopfield': (j: unknown, backend?: Backend) => Hopfield.fromJSON(j, { backend }),
  'rnn-wasm/boltzmann': (j: unknown, backend?: Backend) => BoltzmannMachine.fromJSON(j, { backend }),
  'rnn-wasm/rbm': (j: unknown, backend?: Backend) => RBM.fromJSON(j, { backend }),
  'rnn-wasm/dbn': (j: unknown, backend?: Backend) => DBN.fromJSON(j, { backend }),
  'rnn-wasm/dbm': (j: unknown, backend?: Backend) => DBM.fromJSON(j, { backend }),
  'rnn-wasm/standard-scaler': (j: unknown) => StandardScaler.fromJSON(j),
};

/** What `load` returns: one of the saveable classes (narrow it with instanceof). */
export type Loaded =
  | Sequential | EncoderDecoder | Autoencoder | EchoStateNetwork | NARX | AR
  | Hopfield | BoltzmannMachine | RBM | DBN | DBM | StandardScaler;

/** Anything with a toJSON(): every model class, and StandardScaler. */
export interface Saveable {
  toJSON(): unknown;
}

/**
 * Writes `model.toJSON()` to `path` as JSON. The file appears whole or not at all (written
 * under a temporary name beside it, then renamed); an existing file is replaced.
 *
 * @example
 * await save(model, 'model.json');
 * const again = await load('model.json'); // a Sequential, like model
 */
export async function save(model: Saveable, path: string): Promise<void> {
  const where = 'save';
  if (model === null || typeof model !== 'object' || typeof (model as Partial<Saveable>).toJSON !== 'function') {
    throw new TypeError(`${where}: model must be an rnn-wasm model (an object with toJSON()), got ${describe(model)}`);
  }
  checkPath(where, path);
  const json: unknown = model.toJSON();
  const format = formatOf(json);
  if (format === null || !Object.hasOwn(LOADERS, format)) throw new TypeError(`${where}: model is not one that load() can read back (its toJSON() has format ${describe(format)})`);
  const text = JSON.stringify(json);
  const temp = join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    await writeFile(temp, text, { flag: 'wx' });
    await rename(temp, path);
  } catch (error) {
    await rm(temp, { force: true });
    throw new Error(`${where}: cannot write ${path} (${(error as Error).message})`, { cause: error });
  }
}

/**
 * Reads a model saved by `save` (or any JSON a model's toJSON() wrote) and rebuilds it.
 * A file that is not such a model is an error naming the file; nothing is built then.
 */
export async function load(path: string, options: { backend?: Backend } = {}): Promise<Loaded> {
  const where = 'load';
  checkPath(where, path);
  checkOptions(where, options, ['backend']);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as { code?: string }).code;
    throw new Error(`${where}: cannot read ${path} (${code === 'ENOENT' ? 'no such file' : (error as Error).message})`, { cause: error });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new SyntaxError(`${where}: ${path} is not JSON, so not a model saved by rnn-wasm`);
  }
  const format = formatOf(json);
  const loader = format !== null && Object.hasOwn(LOADERS, format) ? LOADERS[format] : null;
  if (!loader) {
    throw new TypeError(`${where}: ${path} is not a saved rnn-wasm model (format ${describe(format)}; known: ${Object.keys(LOADERS).join(', ')})`);
  }
  return loader(json, options.backend);
}

function formatOf(json: unknown): string | null {
  if (json === null || typeof json !== 'object') return null;
  const format = (json as { format?: unknown }).format;
  return typeof format === 'string' ? format : null;
}

function checkPath(where: string, path: unknown): void {
  if (typeof path !== 'string' || path === '') throw new TypeError(`${where}: path must be a file path (a non-empty string), got ${describe(path)}`);
}
