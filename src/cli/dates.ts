// A date column: read (ISO 8601 dates, optionally with a time), detected when not named, and
// extended past the last row for the forecasts beyond the data. Only unambiguous forms are
// dates here: 2015-01-02, 2015/01/02, 2015-01-02T09:30, 2015-01-02 09:30:00.5Z,
// 2015-01-02T09:30+01:00. 01/02/2015 is not (January 2 or February 1?).
import type { Table } from './csv.js';
import { CliError } from './errors.js';

const DATE = /^(\d{4})([-/])(\d{2})\2(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(\.\d+)?)?(Z|[+-]\d{2}:\d{2})?)?$/;
const DAY = 86_400_000;

/** Milliseconds since 1970 (UTC; a given zone is applied), or null when `text` is not such a date. */
export function parseDate(text: string): number | null {
  const m = DATE.exec(text.trim());
  if (!m) return null;
  const [year, month, day] = [Number(m[1]), Number(m[3]), Number(m[4])];
  if (month < 1 || month > 12 || day < 1 || day > new Date(Date.UTC(year, month, 0)).getUTCDate()) return null;
  const [hour, minute, second] = [Number(m[5] ?? 0), Number(m[6] ?? 0), Number(m[7] ?? 0)];
  if (hour > 23 || minute > 59 || second > 59) return null;
  let ms = Date.UTC(year, month - 1, day, hour, minute, second) + Math.round(Number(m[8] ?? 0) * 1000);
  const zone = m[9];
  if (zone && zone !== 'Z') ms -= (zone[0] === '-' ? -1 : 1) * (Number(zone.slice(1, 3)) * 60 + Number(zone.slice(4, 6))) * 60_000;
  return ms;
}

export interface DateColumn {
  column: string;
  /** Each row's cell, as written. */
  values: string[];
  /** Each row's time (ms since 1970). */
  times: number[];
}

/** The named column as dates; a cell that is not a date is a CliError naming its line. */
export function readDates(table: Table, column: string): DateColumn {
  const c = table.columns.indexOf(column);
  if (c < 0) throw new CliError(`${table.file}: no column "${column}" for --date (the columns are: ${table.columns.join(', ')})`);
  const times = table.rows.map((row, r) => {
    const t = parseDate(row[c]);
    if (t === null) throw new CliError(`${table.file}: line ${table.lines[r]}, column "${column}": ${JSON.stringify(row[c])} is not a date (--date expects YYYY-MM-DD, optionally with a time)`);
    return t;
  });
  return { column, values: table.rows.map((row) => row[c].trim()), times };
}

/** The first column (other than `exclude`) whose every cell is a date, or null. */
export function detectDates(table: Table, exclude: readonly string[]): DateColumn | null {
  for (const column of table.columns) {
    if (exclude.includes(column)) continue;
    const c = table.columns.indexOf(column);
    if (table.rows.every((row) => parseDate(row[c]) !== null)) return readDates(table, column);
  }
  return null;
}

/**
 * `count` dates after the last row, spaced by the most common step between rows. Daily dates
 * that never fall on a Saturday or Sunday (a trading calendar) continue on weekdays. Empty
 * strings when the dates do not increase (no step to follow).
 */
export function nextDates(d: DateColumn, count: number): string[] {
  const n = d.times.length;
  const steps = new Map<number, number>();
  for (let i = 1; i < n; i++) {
    const step = d.times[i] - d.times[i - 1];
    if (!(step > 0)) return new Array<string>(count).fill('');
    steps.set(step, (steps.get(step) ?? 0) + 1);
  }
  if (steps.size === 0) return new Array<string>(count).fill('');
  let step = 0;
  let seen = 0;
  for (const [s, k] of steps) if (k > seen || (k === seen && s < step)) [step, seen] = [s, k];
  const dateOnly = d.values.every((v) => /^\d{4}[-/]\d{2}[-/]\d{2}$/.test(v));
  const weekday = (t: number): boolean => ![0, 6].includes(new Date(t).getUTCDay());
  const skipWeekends = dateOnly && step === DAY && d.times.every(weekday);
  const out: string[] = [];
  let t = d.times[n - 1];
  for (let k = 0; k < count; k++) {
    t += step;
    while (skipWeekends && !weekday(t)) t += DAY;
    out.push(formatLike(d.values[n - 1], t));
  }
  return out;
}

/** The time `ms` written in the form of `template` (a date parseDate accepts): the same separators, precision and zone. */
export function formatLike(template: string, ms: number): string {
  const m = DATE.exec(template.trim())!;
  const zone = m[9];
  const offset = zone && zone !== 'Z' ? (zone[0] === '-' ? -1 : 1) * (Number(zone.slice(1, 3)) * 60 + Number(zone.slice(4, 6))) : 0;
  const iso = new Date(ms + offset * 60_000).toISOString(); // the wall-clock time of that zone, as YYYY-MM-DDTHH:MM:SS.sssZ
  const date = iso.slice(0, 10).replaceAll('-', m[2]);
  if (m[5] === undefined) return date;
  let time = iso.slice(11, 16);
  if (m[7] !== undefined) time += iso.slice(16, 19);
  if (m[8] !== undefined) time += `.${iso.slice(20, 23).padEnd(m[8].length - 1, '0').slice(0, m[8].length - 1)}`;
  return `${date}${template.trim()[10]}${time}${zone ?? ''}`;
}
