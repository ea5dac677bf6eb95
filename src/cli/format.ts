// Numbers and tables for the terminal.

/** Four significant digits; exponent notation for very small or large magnitudes. */
export function num(x: number): string {
  if (!Number.isFinite(x)) return Number.isNaN(x) ? 'n/a' : String(x);
  if (x === 0) return '0';
  const a = Math.abs(x);
  return a < 1e-3 || a >= 1e6 ? x.toExponential(2) : x.toPrecision(4);
}

/** A plain-text table: the first row is the header; numbers right-aligned. */
export function textTable(rows: string[][], rightAligned: boolean[]): string {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  const line = (r: string[]): string => r.map((cell, c) => (rightAligned[c] ? cell.padStart(widths[c]) : cell.padEnd(widths[c]))).join('  ').trimEnd();
  return [line(rows[0]), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.slice(1).map(line)].join('\n');
}

/** a ÷ b with three decimals, or two significant digits when it is below 0.01. */
export function ratio(a: number, b: number): string {
  if (!(b > 0)) return 'n/a';
  const r = a / b;
  return r >= 0.01 || r === 0 ? r.toFixed(3) : r.toExponential(1);
}
