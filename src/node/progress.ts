// A terminal progress bar for Sequential.fit (Node only; this entry point,
// 'rnn-wasm/node', is not imported by the main bundle, so cli-progress never
// reaches a browser bundle). One bar over every batch of every epoch.
import cliProgress from 'cli-progress';
import type { Callbacks, History } from '../index.js';
import { checkBoolean, checkOptions, describe } from '../errors.js';

/**
 * Where a progress bar draws: what it uses of a Node `WriteStream` such as `process.stderr` or
 * `process.stdout` (written out here so that the types of 'rnn-wasm/node' need no `@types/node`).
 */
export interface ProgressStream {
  /** Writes text (the bar's escape sequences and the epoch lines). */
  write(text: string): unknown;
  /** Whether the stream is a terminal; nothing is drawn when it is not. */
  readonly isTTY?: boolean;
  /** The terminal's width in characters, when known. */
  readonly columns?: number;
}

/** Options of {@link progressBar}. */
export interface ProgressBarOptions {
  /** Where to draw (default process.stderr). Nothing is drawn when it is not a terminal. */
  stream?: ProgressStream;
  /** Print one line per epoch with its loss (and validation loss) under the bar (default true). */
  epochLines?: boolean;
}

/** Callbacks for fit(): a bar with epoch, batch, loss, batches per second and ETA. */
export function progressBar(options: ProgressBarOptions = {}): Callbacks {
  const where = 'progressBar';
  checkOptions(where, options, ['stream', 'epochLines']);
  const stream = options.stream ?? process.stderr;
  if (stream === null || typeof stream !== 'object' || typeof stream.write !== 'function') throw new TypeError(`${where}: options.stream must be a writable stream, got ${describe(stream)}`);
  const epochLines = options.epochLines === undefined ? true : checkBoolean(where, 'options.epochLines', options.epochLines);
  let bar: cliProgress.SingleBar | null = null;
  let epochs = 0;
  let batches = 0;
  let started = 0;
  let done = 0; // batches so far in this fit
  let epoch = 0; // epochs finished in this fit
  return {
    onTrainBegin(info) {
      epochs = info.epochs;
      batches = info.batches;
      started = Date.now();
      done = 0;
      epoch = 0;
      bar = new cliProgress.SingleBar(
        {
          stream: stream as NodeJS.WriteStream, // cli-progress writes, reads isTTY and columns, and moves the cursor with escape sequences
          format: 'epoch {epoch}/{epochs} |{bar}| batch {batch}/{batches} | loss {loss} | {rate} batch/s | ETA {eta_formatted}',
          hideCursor: true,
          clearOnComplete: false,
          etaBuffer: 50,
        },
        cliProgress.Presets.shades_classic,
      );
      bar.start(epochs * batches, 0, { epoch: 1, epochs, batch: 0, batches, loss: '-', rate: '-' });
    },
    onBatchEnd(logs) {
      done++;
      const seconds = (Date.now() - started) / 1000;
      bar?.update(done, {
        epoch: epoch + 1,
        batch: logs.batch + 1,
        loss: logs.loss.toPrecision(4),
        rate: seconds > 0 ? (done / seconds).toFixed(1) : '-',
      });
    },
    onEpochEnd(logs) {
      epoch++;
      if (!epochLines || !bar || !stream.isTTY) return;
      const val = logs.valLoss === undefined ? '' : `, valLoss ${logs.valLoss.toPrecision(4)}`;
      const acc = logs.valAccuracy === undefined ? '' : `, valAccuracy ${logs.valAccuracy.toFixed(3)}`;
      stream.write('\r\x1b[K'); // the bar's line, cleared; the bar redraws below
      stream.write(`epoch ${epoch}/${epochs}: loss ${logs.loss.toPrecision(4)}${val}${acc}\n`);
      bar.render();
    },
    onTrainEnd(_history: History) {
      bar?.stop();
      bar = null;
    },
  };
}
