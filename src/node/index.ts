// rnn-wasm/node: helpers that only make sense in Node — a terminal progress bar, saving models
// to files and loading them, reading CSV files. Kept out of the main entry so browser bundles
// never see their dependencies (node:fs, cli-progress, csv-parse).
export { progressBar, type ProgressBarOptions, type ProgressStream } from './progress.js';
export { save, load, type Loaded, type Saveable } from './files.js';
export { readCsv, readCsvTable, csvNumbers, readText, type CsvTable, type CsvNumbers, type ReadCsvOptions } from './csv.js';
