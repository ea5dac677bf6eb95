// Command-line flags: parsing (node:util parseArgs) and checking, with one clear line per mistake.
import { basename, extname } from 'node:path';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { UsageError } from './errors.js';
import { MODEL_KINDS, type ModelKind } from './networks.js';
import type { ForecastOptions, Strategy, Task } from './results.js';

export type Options = NonNullable<ParseArgsConfig['options']>;

export function parse(command: string, args: string[], options: Options, positionals: string[]): { values: Record<string, string | boolean | undefined>; positionals: string[] } {
  let parsed;
  try {
    parsed = parseArgs({ args: joinNegativeValues(args, options), allowPositionals: true, options, strict: true });
  } catch (error) {
    const message = (error as Error).message;
    const code = (error as { code?: string }).code;
    const name = /'([^']+)'/.exec(message)?.[1];
    if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') throw new UsageError(`${command}: unknown option ${name} (see rnn-wasm ${command} --help)`);
    if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') throw new UsageError(`${command}: option ${name?.split(' ')[0] ?? ''} needs a value`.replace(/ +$/, ''));
    throw new UsageError(`${command}: ${message}`);
  }
  if (parsed.positionals.length !== positionals.length) {
    const got = parsed.positionals.length;
    throw new UsageError(
      got < positionals.length
        ? `${command}: missing ${positionals.slice(got).map((p) => `<${p}>`).join(' ')} (usage: rnn-wasm ${command} ${positionals.map((p) => `<${p}>`).join(' ')} [options])`
        : `${command}: unexpected argument ${JSON.stringify(parsed.positionals[positionals.length])}`,
    );
  }
  return { values: parsed.values as Record<string, string | boolean | undefined>, positionals: parsed.positionals };
}

/**
 * '--seed -5' → '--seed=-5' for options that take a value: parseArgs would refuse '-5' as an
 * ambiguous value (it looks like a flag). Only a negative number is joined, so '--out -x' still
 * says that --out needs a value.
 */
function joinNegativeValues(args: string[], options: Options): string[] {
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === '--') return [...out, ...args.slice(i)];
    const name = /^--([^=]+)$/.exec(arg)?.[1];
    const next = args[i + 1];
    if (name !== undefined && Object.hasOwn(options, name) && options[name].type === 'string' && next !== undefined && /^-(\d|\.\d|Infinity$)/.test(next)) {
      out.push(`${arg}=${next}`);
      i++;
    } else {
      out.push(arg);
    }
  }
  return out;
}

export function int(name: string, value: string | boolean | undefined, fallback: number, min: number, max = 1e9): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (typeof value !== 'string' || !/^\d+$/.test(value.trim()) || !Number.isSafeInteger(n) || n < min || n > max) {
    throw new UsageError(`--${name} must be an integer from ${min} to ${max}, got ${JSON.stringify(value)}`);
  }
  return n;
}

export function real(name: string, value: string | boolean | undefined, fallback: number, min: number, max: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (typeof value !== 'string' || value.trim() === '' || !Number.isFinite(n) || n < min || n > max) {
    throw new UsageError(`--${name} must be a number from ${min} to ${max}, got ${JSON.stringify(value)}`);
  }
  return n;
}

export function seed(value: string | boolean | undefined): number {
  if (value === undefined) return 1;
  const n = Number(value);
  if (typeof value !== 'string' || !/^-?\d+$/.test(value.trim()) || n < -0x80000000 || n > 0xffffffff) {
    throw new UsageError(`--seed must be an integer from ${-0x80000000} to ${0xffffffff}, got ${JSON.stringify(value)}`);
  }
  return n;
}

function oneOf<T extends string>(name: string, value: string | boolean | undefined, allowed: readonly T[], fallback: T): T {
  if (value === undefined) return fallback;
  if (!allowed.includes(value as T)) throw new UsageError(`--${name} must be one of ${allowed.join(', ')}, got ${JSON.stringify(value)}`);
  return value as T;
}

export function delimiter(value: string | boolean | undefined): string {
  if (value === undefined) return ',';
  const text = value === '\\t' || value === 'tab' ? '\t' : String(value);
  if (text.length !== 1 || /["\r\n]/.test(text)) throw new UsageError(`--delimiter must be one character (or "tab"), got ${JSON.stringify(value)}`);
  return text;
}

const FORECAST_OPTIONS: Options = {
  target: { type: 'string' }, features: { type: 'string' }, lookback: { type: 'string' }, horizon: { type: 'string' },
  model: { type: 'string' }, epochs: { type: 'string' }, units: { type: 'string' }, 'batch-size': { type: 'string' },
  patience: { type: 'string' }, 'learning-rate': { type: 'string' }, split: { type: 'string' }, seed: { type: 'string' },
  out: { type: 'string' }, delimiter: { type: 'string' }, quiet: { type: 'boolean' },
  task: { type: 'string' }, strategy: { type: 'string' }, date: { type: 'string' },
};

export function forecastOptions(args: string[]): ForecastOptions {
  const { values: v, positionals } = parse('forecast', args, FORECAST_OPTIONS, ['data.csv']);
  const file = positionals[0];
  if (typeof v.target !== 'string' || v.target.trim() === '') throw new UsageError('forecast: --target COL is required (the column to forecast)');
  const model = (v.model ?? 'lstm') as ModelKind;
  if (!MODEL_KINDS.includes(model)) throw new UsageError(`--model must be one of ${MODEL_KINDS.join(', ')}, got ${JSON.stringify(v.model)}`);
  const features = typeof v.features === 'string' ? v.features.split(',').map((s) => s.trim()).filter((s) => s !== '') : [];
  if (new Set(features).size !== features.length) throw new UsageError(`--features names a column twice: ${v.features}`);
  const task = oneOf('task', v.task, ['value', 'direction'] as const, 'value') satisfies Task;
  // A NARX is a one-step model: its forecasts further ahead are closed-loop runs (recursive).
  const strategy = oneOf('strategy', v.strategy, ['direct', 'recursive'] as const, model === 'narx' ? 'recursive' : 'direct') satisfies Strategy;
  const horizon = int('horizon', v.horizon, 1, 1, 10_000);
  if (model === 'narx') {
    if (task === 'direction') throw new UsageError('--task direction is not available for --model narx (it regresses the next value and feeds it back); use --model ar, lstm, gru, tcn or esn');
    if (strategy === 'direct' && horizon > 1) throw new UsageError('--strategy direct is not available for --model narx (a one-step model, run in closed loop for --horizon > 1); use --strategy recursive');
  }
  if (strategy === 'recursive' && horizon > 1) {
    if (model === 'esn') throw new UsageError('--strategy recursive is not available for --model esn (its state cannot be restarted at every origin); use --strategy direct');
    if (features.filter((f) => f !== v.target).length > 0) {
      if (model === 'narx') throw new UsageError('--model narx with --horizon > 1 runs in closed loop on the target alone, so it cannot use --features (their future values are unknown); drop --features or use --horizon 1');
      throw new UsageError('--strategy recursive iterates a one-step forecast of the target alone, so it cannot use --features with --horizon > 1 (their future values are unknown); drop --features or use --strategy direct');
    }
    if (task === 'direction' && model !== 'ar') {
      throw new UsageError(`--task direction --strategy recursive needs --model ar (a ${model.toUpperCase()} classifier predicts the direction, not values to iterate); use --strategy direct`);
    }
  }
  if (v.date !== undefined && String(v.date).trim() === '') throw new UsageError('--date must name a column, got ""');
  let trainFraction = 0.7;
  let validFraction = 0.15;
  if (v.split !== undefined) {
    const parts = String(v.split).split(',').map(Number);
    if (parts.length !== 2 || parts.some((x) => !Number.isFinite(x) || x <= 0) || parts[0] + parts[1] >= 1) {
      throw new UsageError(`--split must be two positive fractions A,B with A + B < 1 (train, validation; the rest is test), got ${JSON.stringify(v.split)}`);
    }
    [trainFraction, validFraction] = parts;
  }
  const stem = basename(file, extname(file));
  return {
    file,
    target: v.target.trim(),
    features,
    lookback: int('lookback', v.lookback, 20, 1, 10_000),
    horizon,
    model,
    task,
    strategy,
    date: typeof v.date === 'string' ? v.date.trim() : null,
    epochs: int('epochs', v.epochs, 100, 1, 100_000),
    units: int('units', v.units, model === 'esn' ? 300 : 32, 1, model === 'esn' ? 5000 : 4096),
    batchSize: int('batch-size', v['batch-size'], 32, 1, 1 << 20),
    patience: int('patience', v.patience, 10, 1, 100_000),
    learningRate: real('learning-rate', v['learning-rate'], 0.005, 1e-9, 10),
    seed: seed(v.seed),
    trainFraction,
    validFraction,
    out: typeof v.out === 'string' ? v.out : `forecast-${stem}-${model}`,
    delimiter: delimiter(v.delimiter),
    progress: v.quiet !== true,
  };
}
