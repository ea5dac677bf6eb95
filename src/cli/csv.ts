// The CLI reads its CSV files with rnn-wasm/node's reader (the same messages: file, line, column)
// and writes CSV with the two functions below.
import { csvNumbers, readCsvTable, type CsvTable } from '../node/index.js';

export { readText } from '../node/index.js';
export type Table = CsvTable;

export function readCsv(file: string, delimiter = ','): Table {
  return readCsvTable(file, { delimiter });
}

/** The named columns as numbers, [column][row]; a missing column or a cell that is not a finite number is an error. */
export function numericColumns(table: Table, names: string[]): Float64Array[] {
  const { data, shape: [T, F] } = csvNumbers(table, names);
  return names.map((_, f) => Float64Array.from({ length: T }, (_, t) => data[t * F + f]));
}

/** One CSV field, quoted when it needs to be (RFC 4180: a comma, a quote or a line break inside). */
export function csvField(value: string | number): string {
  const text = String(value);
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

export function csvLine(fields: (string | number)[]): string {
  return fields.map(csvField).join(',') + '\n';
}
