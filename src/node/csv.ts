// Reading a CSV file of numbers in Node, with csv-parse (quotes, embedded commas and newlines, a
// BOM and CRLF are its business). Every problem is an Error of one line that names the file, the
// line and the column — the forecasting CLI prints these messages as they are.
import { readFileSync, statSync } from 'node:fs';
import { parse } from 'csv-parse/sync';
import { checkOptions, describe } from '../errors.js';

/** A CSV file's header and cells as text. */
export interface CsvTable {
  file: string;
  columns: string[];
  /** Data rows (the header excluded), each as long as `columns`. */
  rows: string[][];
  /** The file line each data row starts on (1-based; the header is line 1 or later). */
  lines: number[];
}

/** Numeric columns of a CSV file as rows [T, F] — what StandardScaler and lookbackWindows take. */
export interface CsvNumbers {
  /** The columns read, in order. */
  columns: string[];
  /** Row-major values, T × F. */
  data: Float64Array;
  shape: [number, number];
}

export interface ReadCsvOptions {
  /** Columns to read, by header name (default: every column). */
  columns?: readonly string[];
  /** Field delimiter (default ','). */
  delimiter?: string;
}

/** A whole file as UTF-8 text, with one clear line for the usual ways that fails. */
export function readText(file: string): string {
  let stats;
  try {
    stats = statSync(file);
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === 'ENOENT') throw new Error(`${file}: no such file`, { cause: error });
    if (code === 'EACCES') throw new Error(`${file}: permission denied`, { cause: error });
    throw new Error(`${file}: cannot read (${(error as Error).message})`, { cause: error });
  }
  if (stats.isDirectory()) throw new Error(`${file}: is a directory, not a file`);
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as { code?: string }).code;
    throw new Error(`${file}: cannot read (${code === 'EACCES' ? 'permission denied' : (error as Error).message})`, { cause: error });
  }
}

/** The header and every data row of a CSV file, as text (a header is required; empty lines are skipped). */
export function readCsvTable(file: string, options: { delimiter?: string } = {}): CsvTable {
  checkOptions('readCsvTable', options, ['delimiter']);
  const delimiter = readDelimiter('readCsvTable', options.delimiter);
  const text = readText(file);
  if (text.trim() === '') throw new Error(`${file}: the file is empty`);
  let records: { record: string[]; info: { lines: number } }[];
  try {
    records = parse(text, { bom: true, delimiter, skip_empty_lines: true, trim: true, info: true }) as unknown as typeof records;
  } catch (error) {
    throw new Error(`${file}: not a valid CSV file (${(error as Error).message})`, { cause: error });
  }
  if (records.length === 0) throw new Error(`${file}: the file is empty`);
  const columns = records[0].record;
  if (records.length === 1) throw new Error(`${file}: has a header (${columns.join(', ')}) but no data rows`);
  const seen = new Map<string, number>();
  columns.forEach((name, i) => {
    if (name === '') throw new Error(`${file}: column ${i + 1} of the header has no name`);
    if (seen.has(name)) throw new Error(`${file}: the header names column "${name}" twice (columns ${seen.get(name)! + 1} and ${i + 1})`);
    seen.set(name, i);
  });
  return {
    file,
    columns,
    rows: records.slice(1).map((r) => r.record),
    // info.lines is the line the record ends on; a record spans one line unless a quoted cell holds newlines.
    lines: records.slice(1).map((r) => r.info.lines),
  };
}

const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/** The named columns of a table as numbers, rows [T, F]; a missing column or a cell that is not a finite number is an error naming its line. */
export function csvNumbers(table: CsvTable, names: readonly string[] = table.columns): CsvNumbers {
  const indices = names.map((name) => {
    const i = table.columns.indexOf(name);
    if (i < 0) throw new Error(`${table.file}: no column "${name}" (the columns are: ${table.columns.join(', ')})`);
    return i;
  });
  const F = names.length;
  const T = table.rows.length;
  const data = new Float64Array(T * F);
  table.rows.forEach((row, r) => {
    indices.forEach((c, k) => {
      const cell = row[c];
      const where = `${table.file}: line ${table.lines[r]}, column "${names[k]}"`;
      if (cell === '') throw new Error(`${where} is empty; every cell of a used column must be a number`);
      const value = Number(cell);
      if (!NUMBER.test(cell) || !Number.isFinite(value)) throw new Error(`${where}: ${JSON.stringify(cell)} is not a number`);
      data[r * F + k] = value;
    });
  });
  return { columns: [...names], data, shape: [T, F] };
}

/**
 * Numeric columns of a CSV file (with a header row) as rows [T, F].
 *
 * @example
 * const { data, shape } = readCsv('prices.csv', { columns: ['close', 'volume'] });
 */
export function readCsv(file: string, options: ReadCsvOptions = {}): CsvNumbers {
  const where = 'readCsv';
  if (typeof file !== 'string' || file === '') throw new TypeError(`${where}: file must be a path (a non-empty string), got ${describe(file)}`);
  checkOptions(where, options, ['columns', 'delimiter']);
  if (options.columns !== undefined && (!Array.isArray(options.columns) || options.columns.length === 0 || !options.columns.every((c) => typeof c === 'string'))) {
    throw new TypeError(`${where}: options.columns must be a non-empty array of column names, got ${describe(options.columns)}`);
  }
  const table = readCsvTable(file, { delimiter: options.delimiter });
  return csvNumbers(table, options.columns ?? table.columns);
}

function readDelimiter(where: string, value: unknown): string {
  if (value === undefined) return ',';
  if (typeof value !== 'string' || value.length !== 1 || value === '"' || value === '\n' || value === '\r') {
    throw new TypeError(`${where}: options.delimiter must be one character other than a quote or a line break, got ${describe(value)}`);
  }
  return value;
}
