// rnn-wasm's commands: forecast, predict, text, showcase. Node only.
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { init } from '../index.js';
import { CliError, UsageError } from './errors.js';
import type { Io } from './io.js';
import { forecast } from './forecast.js';
import { delimiter, forecastOptions, int, parse, real, seed } from './options.js';
import { predict } from './predict.js';
import { showcase } from './showcase.js';
import { trainText } from './text.js';

const HELP = `rnn-wasm — recurrent networks in WebAssembly, from the command line

Usage:
  rnn-wasm forecast <data.csv> --target COL [options]   train a forecaster, compare it with baselines
  rnn-wasm predict <model.json> <data.csv> [--out FILE] forecast with a saved model
  rnn-wasm text <corpus.txt> [options]                  train a character-level LSTM and sample from it
  rnn-wasm showcase [--out DIR]                         generate two series and forecast them (npm start)

Run "rnn-wasm <command> --help" for a command's options.`;

const FORECAST_HELP = `Usage: rnn-wasm forecast <data.csv> --target COL [options]

Reads a CSV with a header row and forecasts column COL "horizon" rows ahead from the last
"lookback" rows: its value (--task value: the test RMSE / NRMSE of the model next to
persistence and an AR model whose order AIC chooses on the training rows), or its direction
(--task direction: up or down/unchanged; accuracy, balanced accuracy and the confusion matrix
next to "always the training majority" and "same direction as the last step").

Options:
  --target COL          the column to forecast (required; it is also an input)
  --features A,B,...    more input columns (default: none, the target alone)
  --lookback N          rows in each input window; also the largest AR order tried (default 20)
  --horizon N           how many rows ahead (default 1)
  --model M             ar | narx | lstm | gru | tcn | esn (default lstm)
  --task T              value | direction (default value; narx: value only)
  --strategy S          direct: one model for the horizon | recursive: a one-step model fed its own
                        forecasts (the target alone; not for esn) (default direct; narx: recursive,
                        its closed loop)
  --date COL            the date column, kept in forecast.csv and on the report's axis
                        (default: the first column whose every cell is a date such as 2015-01-02)
  --epochs N            most epochs for narx/lstm/gru/tcn; early stopping usually ends sooner (default 100)
  --units N             recurrent units, TCN filters, NARX hidden units (default 32; 300 for esn)
  --batch-size N        windows per update, narx/lstm/gru/tcn (default 32)
  --patience N          epochs without a better validation loss before stopping (default 10)
  --learning-rate X     Adam's learning rate, narx/lstm/gru/tcn (default 0.005)
  --split A,B           train and validation fractions, in time order; the rest is test (default 0.7,0.15)
  --seed S              seed of every random choice (default 1)
  --out DIR             where forecast.csv, report.html and model.json go (default: ./forecast-<file>-<model>)
  --delimiter C         the CSV's field separator (default ",")
  --quiet               no progress bar and no summary lines, only the table and the file paths`;

const PREDICT_HELP = `Usage: rnn-wasm predict <model.json> <data.csv> [--out FILE]

Runs a model saved by "rnn-wasm forecast" on a CSV with the same columns, and writes one
forecast per window: row, origin_row, actual, forecast. Without --out the CSV goes to
standard output.

Options:
  --out FILE            write the CSV here instead of standard output
  --delimiter C         the CSV's field separator (default ",")
  --quiet               no summary line on standard error`;

const TEXT_HELP = `Usage: rnn-wasm text <corpus.txt> [options]

Trains a character-level language model (Embedding → LSTM → softmax over the characters)
on a UTF-8 text file and prints a sample from it.

Options:
  --epochs N            passes over the text (default 20)
  --units N             LSTM units (default 128)
  --embedding N         size of each character's vector (default 32)
  --seq-length N        characters per training sequence (default 64)
  --batch-size N        sequences per update (default 32)
  --learning-rate X     Adam's learning rate (default 0.01)
  --length N            characters to generate (default 400)
  --temperature X       sampling temperature; 0 = always the likeliest (default 0.7)
  --prefix TEXT         text to start the sample from (default: the corpus's first character)
  --seed S              seed of initialisation, shuffling and sampling (default 1)
  --out DIR             also write text-model.json and sample.txt there
  --quiet               no progress bar and no summary line`;

const SHOWCASE_HELP = `Usage: rnn-wasm showcase [--out DIR] [--quick]

Writes two series the project generates itself — Mackey–Glass and a market-like OHLCV
series — into DIR (default ./showcase), forecasts each with an ESN, an LSTM, an AR model
and a NARX through the forecast command, and prints the comparison tables and where the reports are.

Options:
  --out DIR             where the CSVs and the eight output folders go (default ./showcase)
  --quick               fewer rows and epochs (a smoke test, not a fair comparison)`;

export type { Io };

export async function main(argv: string[], io: Io): Promise<number> {
  try {
    const [command, ...rest] = argv;
    if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
      io.stdout(HELP + '\n');
      return command === undefined ? 2 : 0;
    }
    if (command === '--version' || command === '-v') {
      io.stdout(version() + '\n');
      return 0;
    }
    if (!['forecast', 'predict', 'text', 'showcase'].includes(command)) throw new UsageError(`unknown command "${command}" (commands: forecast, predict, text, showcase; see rnn-wasm --help)`);
    if (rest.includes('--help') || rest.includes('-h')) {
      io.stdout({ forecast: FORECAST_HELP, predict: PREDICT_HELP, text: TEXT_HELP, showcase: SHOWCASE_HELP }[command]! + '\n');
      return 0;
    }
    await init();
    if (command === 'forecast') return await runForecast(rest, io);
    if (command === 'predict') return runPredict(rest, io);
    if (command === 'text') return await runText(rest, io);
    return await runShowcase(rest, io);
  } catch (error) {
    // One line whatever happened (a message may quote a multi-line snippet).
    const line = (text: string): string => text.replace(/\s*\n\s*/g, ' ').trim();
    if (error instanceof CliError) {
      io.stderr(`rnn-wasm: ${line(error.message)}\n`);
      return error.exitCode;
    }
    const e = error as Error;
    io.stderr(`rnn-wasm: ${line(e?.message ?? String(error))}\n`);
    if (process.env.RNN_WASM_DEBUG) io.stderr(`${e?.stack}\n`);
    return 1;
  }
}

function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

async function runForecast(args: string[], io: Io): Promise<number> {
  const o = forecastOptions(args);
  const log = (line: string): void => (o.progress ? io.stderr(line + '\n') : undefined);
  const result = await forecast(o, log);
  io.stdout(`${result.table}\n\nwrote ${result.files.forecasts}\n      ${result.files.report}\n      ${result.files.model}\n`);
  return 0;
}

function runPredict(args: string[], io: Io): number {
  const { values: v, positionals } = parse('predict', args, { out: { type: 'string' }, delimiter: { type: 'string' }, quiet: { type: 'boolean' } }, ['model.json', 'data.csv']);
  const out = typeof v.out === 'string' ? v.out : null;
  const { csv } = predict({ modelFile: positionals[0], dataFile: positionals[1], out, delimiter: delimiter(v.delimiter) }, (line) => (v.quiet ? undefined : io.stderr(line + '\n')));
  if (out) io.stdout(`wrote ${resolve(out)}\n`);
  else io.stdout(csv);
  return 0;
}

async function runText(args: string[], io: Io): Promise<number> {
  const { values: v, positionals } = parse('text', args, {
    epochs: { type: 'string' }, units: { type: 'string' }, embedding: { type: 'string' }, 'seq-length': { type: 'string' },
    'batch-size': { type: 'string' }, 'learning-rate': { type: 'string' }, length: { type: 'string' }, temperature: { type: 'string' },
    prefix: { type: 'string' }, seed: { type: 'string' }, out: { type: 'string' }, quiet: { type: 'boolean' },
  }, ['corpus.txt']);
  const quiet = v.quiet === true;
  const result = await trainText({
    file: positionals[0],
    epochs: int('epochs', v.epochs, 20, 1, 100_000),
    units: int('units', v.units, 128, 1, 4096),
    embedding: int('embedding', v.embedding, 32, 1, 4096),
    seqLength: int('seq-length', v['seq-length'], 64, 1, 100_000),
    batchSize: int('batch-size', v['batch-size'], 32, 1, 1 << 20),
    learningRate: real('learning-rate', v['learning-rate'], 0.01, 1e-9, 10),
    length: int('length', v.length, 400, 0, 1_000_000),
    temperature: real('temperature', v.temperature, 0.7, 0, 100),
    prefix: typeof v.prefix === 'string' && v.prefix !== '' ? v.prefix : null,
    seed: seed(v.seed),
    out: typeof v.out === 'string' ? v.out : null,
    progress: !quiet,
  }, (line) => (quiet ? undefined : io.stderr(line + '\n')));
  io.stdout(result.sample + '\n');
  if (typeof v.out === 'string') io.stdout(`\nwrote ${join(resolve(v.out), 'text-model.json')}\n      ${join(resolve(v.out), 'sample.txt')}\n`);
  return 0;
}

async function runShowcase(args: string[], io: Io): Promise<number> {
  const { values: v } = parse('showcase', args, { out: { type: 'string' }, quick: { type: 'boolean' } }, []);
  await showcase({ out: typeof v.out === 'string' ? v.out : 'showcase', quick: v.quick === true }, io);
  return 0;
}
