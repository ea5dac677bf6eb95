// A progress bar on stderr (cli-progress) while stderr is a terminal; nothing otherwise,
// so piped or captured output stays clean. The caller prints a summary line either way.
import cliProgress from 'cli-progress';

export interface Progress {
  start(total: number, payload: Record<string, string>): void;
  update(value: number, payload: Record<string, string>): void;
  stop(): void;
}

export function progressBar(format: string, enabled: boolean): Progress {
  if (!enabled || !process.stderr.isTTY) return { start() {}, update() {}, stop() {} };
  const bar = new cliProgress.SingleBar(
    { format, stream: process.stderr, hideCursor: true, etaBuffer: 40, barsize: 24, clearOnComplete: true },
    cliProgress.Presets.shades_classic,
  );
  return {
    start: (total, payload) => bar.start(total, 0, payload),
    update: (value, payload) => bar.update(value, payload),
    stop: () => bar.stop(),
  };
}

/** Lets timers (the bar's redraw) run between synchronous pieces of work. */
export function breathe(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
