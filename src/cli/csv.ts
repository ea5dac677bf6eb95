// Reading a CSV of numbers with csv-parse (quotes, embedded commas and newlines, BOM,
// CRLF are its business), and writing one. Every problem is a CliError of one line that
// names the file, the line and the column.
import { readFileSync, statSync } from 'node:fs';
import { parse } from 'csv-parse/sync';
import { CliError } from './errors.js';

export interface Table {
  file: string;
  columns: string[];
  /** Data rows (the header excluded), each as long as `columns`. */
  rows: string[][];
  /** The file line each data row starts on (1-based, the header is line 1 or later). */
  lines: number[];
}

/** Reads a whole file as UTF-8, with one clear line for the usual ways that fails. */
export function readText(file: string): string {
  let stats;
  try {
    stats = statSync(file);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new CliError(`${file}: no such file`);
    if (code === 'EACCES') throw new CliError(`${file}: permission denied`);
    throw new CliError(`${file}: cannot read (${(error as Error).message})`);
  }
  if (stats.isDirectory()) throw new CliError(`${file}: is a directory, not a file`);
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new CliError(`${file}: cannot read (${code === 'EACCES' ? 'permission denied' : (error as Error).message})`);
  }
}

export function readCsv(file: string, delimiter = ','): Table {
  const text = readText(file);
  if (text.trim() === '') throw new CliError(`${file}: the file is empty`);
  let records: { record: string[]; info: { lines: number } }[];
  try {
    records = parse(text, { bom: true, delimiter, skip_empty_lines: true, trim: true, info: true }) as unknown as typeof records;
  } catch (error) {
    throw new CliError(`${file}: not a valid CSV file (${(error as Error).message})`);
  }
  if (records.length === 0) throw new CliError(`${file}: the file is empty`);
  const columns = records[0].record;
  if (records.length === 1) throw new CliError(`${file}: has a header (${columns.join(', ')}) but no data rows`);
  const seen = new Map<string, number>();
  columns.forEach((name, i) => {
    if (name === '') throw new CliError(`${file}: column ${i + 1} of the header has no name`);
    if (seen.has(name)) throw new CliError(`${file}: the header names column "${name}" twice (columns ${seen.get(name)! + 1} and ${i + 1})`);
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

/** The named columns as numbers, [column][row]; a missing column or a cell that is not a finite number is an error. */
export function numericColumns(table: Table, names: string[]): Float64Array[] {
  const indices = names.map((name) => {
    const i = table.columns.indexOf(name);
    if (i < 0) throw new CliError(`${table.file}: no column "${name}" (the columns are: ${table.columns.join(', ')})`);
    return i;
  });
  return indices.map((c, k) => {
    const out = new Float64Array(table.rows.length);
    table.rows.forEach((row, r) => {
      const cell = row[c];
      const where = `${table.file}: line ${table.lines[r]}, column "${names[k]}"`;
      if (cell === '') throw new CliError(`${where} is empty; every cell of a used column must be a number`);
      const value = Number(cell);
      if (!NUMBER.test(cell) || !Number.isFinite(value)) throw new CliError(`${where}: ${JSON.stringify(cell)} is not a number`);
      out[r] = value;
    });
    return out;
  });
}

/** One CSV field, quoted when it needs to be (RFC 4180: a comma, a quote or a line break inside). */
export function csvField(value: string | number): string {
  const text = String(value);
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

export function csvLine(fields: (string | number)[]): string {
  return fields.map(csvField).join(',') + '\n';
}
