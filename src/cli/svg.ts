// Line charts as inline SVG strings: axes with round ticks, optional log scale, shaded
// bands, a legend. No script, no external font: the report stays one self-contained file.

export interface Line {
  name: string;
  color: string;
  /** SVG stroke-dasharray, e.g. '6 3'. */
  dash?: string;
  width?: number;
  /** Points [x, y]; NaN y values break the line. */
  points: [number, number][];
  /** Draw a dot at each point as well (for short series such as loss curves). */
  dots?: boolean;
}

export interface Band {
  from: number;
  to: number;
  label: string;
  color: string;
}

export interface ChartOptions {
  title: string;
  lines: Line[];
  xLabel: string;
  yLabel: string;
  width?: number;
  height?: number;
  logY?: boolean;
  bands?: Band[];
  /** Only whole numbers on the x axis (epochs). */
  integerX?: boolean;
  /** A vertical marker line, e.g. the best epoch. */
  marker?: { x: number; label: string };
  /** The text of an x tick (default: the number), e.g. the date of a row. */
  xTickLabel?: (x: number) => string;
}

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/** Round tick values covering [lo, hi], about `count` of them. */
export function niceTicks(lo: number, hi: number, count = 6): number[] {
  if (!(hi > lo)) return [lo];
  const raw = (hi - lo) / count;
  const power = Math.pow(10, Math.floor(Math.log10(raw)));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * power).find((s) => s >= raw) ?? 10 * power;
  const ticks: number[] = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) ticks.push(Math.abs(v) < step * 1e-9 ? 0 : v);
  return ticks;
}

/** Ticks for a log axis spanning log10 values [lo, hi]: powers of ten, or 1-2-5 steps, or finer, whichever gives at least three. */
function logTicks(lo: number, hi: number): number[] {
  for (const mantissas of [[1], [1, 2, 5], [1, 1.5, 2, 3, 5, 7]]) {
    const ticks: number[] = [];
    for (let e = Math.floor(lo); e <= Math.ceil(hi); e++) {
      for (const m of mantissas) {
        const v = m * Math.pow(10, e);
        const l = Math.log10(v);
        if (l >= lo && l <= hi) ticks.push(Number(v.toPrecision(3)));
      }
    }
    if (ticks.length >= 3) return ticks;
  }
  return niceTicks(Math.pow(10, lo), Math.pow(10, hi), 4).filter((v) => v > 0);
}

function tickLabel(v: number): string {
  if (v === 0) return '0';
  const a = Math.abs(v);
  if (a >= 1e5 || a < 1e-3) return v.toExponential(1).replace('e+', 'e');
  return String(Number(v.toPrecision(6)));
}

/** At most ~2 points per pixel column: keeps each bucket's first, minimum and maximum. */
function decimate(points: [number, number][], buckets: number): [number, number][] {
  if (points.length <= buckets * 2) return points;
  const out: [number, number][] = [];
  const size = points.length / buckets;
  for (let b = 0; b < buckets; b++) {
    const slice = points.slice(Math.floor(b * size), Math.floor((b + 1) * size));
    if (slice.length === 0) continue;
    let min = slice[0];
    let max = slice[0];
    for (const p of slice) {
      if (p[1] < min[1]) min = p;
      if (p[1] > max[1]) max = p;
    }
    const pair = min[0] <= max[0] ? [min, max] : [max, min];
    out.push(...(pair[0] === pair[1] ? [pair[0]] : pair));
  }
  return out;
}

let clipCount = 0;

export function lineChart(o: ChartOptions): string {
  const W = o.width ?? 900;
  const H = o.height ?? 320;
  const m = { left: 64, right: 16, top: 48, bottom: 44 };
  const plotW = W - m.left - m.right;
  const plotH = H - m.top - m.bottom;
  const all = o.lines.flatMap((l) => l.points).filter((p) => Number.isFinite(p[1]) && (!o.logY || p[1] > 0));
  if (all.length === 0) return `<p>${escapeHtml(o.title)}: nothing to plot.</p>`;
  let x0 = Math.min(...all.map((p) => p[0]));
  let x1 = Math.max(...all.map((p) => p[0]));
  for (const b of o.bands ?? []) {
    x0 = Math.min(x0, b.from);
    x1 = Math.max(x1, b.to);
  }
  if (x1 === x0) x1 = x0 + 1;
  const f = o.logY ? Math.log10 : (v: number): number => v;
  let y0 = Math.min(...all.map((p) => f(p[1])));
  let y1 = Math.max(...all.map((p) => f(p[1])));
  if (y1 === y0) {
    y0 -= 0.5;
    y1 += 0.5;
  }
  const pad = (y1 - y0) * 0.05;
  y0 -= pad;
  y1 += pad;
  const sx = (x: number): number => m.left + ((x - x0) / (x1 - x0)) * plotW;
  const sy = (y: number): number => m.top + (1 - (f(y) - y0) / (y1 - y0)) * plotH;
  const parts: string[] = [];
  parts.push(`<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${W} ${H}" width="100%" role="img" aria-label="${escapeHtml(o.title)}" font-family="system-ui, sans-serif" font-size="12">`);
  parts.push(`<text x="${m.left}" y="20" font-size="14" font-weight="600">${escapeHtml(o.title)}</text>`);
  for (const b of o.bands ?? []) {
    const a = sx(Math.max(b.from, x0));
    const z = sx(Math.min(b.to, x1));
    parts.push(`<rect x="${a.toFixed(1)}" y="${m.top}" width="${Math.max(0, z - a).toFixed(1)}" height="${plotH}" fill="${b.color}"/>`);
    if (z - a > b.label.length * 7 + 8) parts.push(`<text x="${(a + 4).toFixed(1)}" y="${m.top + 14}" fill="#555">${escapeHtml(b.label)}</text>`);
  }
  // Axes and grid.
  const yTicks = o.logY ? logTicks(y0, y1) : niceTicks(y0, y1);
  for (const v of yTicks) {
    const y = sy(v);
    parts.push(`<line x1="${m.left}" x2="${m.left + plotW}" y1="${y.toFixed(1)}" y2="${y.toFixed(1)}" stroke="#ddd"/>`);
    parts.push(`<text x="${m.left - 6}" y="${(y + 4).toFixed(1)}" text-anchor="end" fill="#333">${tickLabel(v)}</text>`);
  }
  for (const v of niceTicks(x0, x1, o.xTickLabel ? 6 : 8).filter((t) => !o.integerX || Number.isInteger(t))) {
    const x = sx(v);
    const label = o.xTickLabel ? o.xTickLabel(v) : tickLabel(v);
    if (x + label.length * 3.4 > W) continue; // a long label (a date) that would be cut off at the right edge
    parts.push(`<line x1="${x.toFixed(1)}" x2="${x.toFixed(1)}" y1="${m.top + plotH}" y2="${m.top + plotH + 5}" stroke="#333"/>`);
    parts.push(`<text x="${x.toFixed(1)}" y="${m.top + plotH + 18}" text-anchor="middle" fill="#333">${escapeHtml(label)}</text>`);
  }
  parts.push(`<rect x="${m.left}" y="${m.top}" width="${plotW}" height="${plotH}" fill="none" stroke="#333"/>`);
  parts.push(`<text x="${m.left + plotW / 2}" y="${H - 6}" text-anchor="middle" fill="#333">${escapeHtml(o.xLabel)}</text>`);
  parts.push(`<text transform="translate(14 ${m.top + plotH / 2}) rotate(-90)" text-anchor="middle" fill="#333">${escapeHtml(o.yLabel)}</text>`);
  if (o.marker) {
    const x = sx(o.marker.x);
    parts.push(`<line x1="${x.toFixed(1)}" x2="${x.toFixed(1)}" y1="${m.top}" y2="${m.top + plotH}" stroke="#888" stroke-dasharray="2 3"/>`);
    const right = x > m.left + plotW / 2; // label on the side with room
    parts.push(`<text x="${(right ? x - 4 : x + 4).toFixed(1)}" y="${m.top + 14}" text-anchor="${right ? 'end' : 'start'}" fill="#555">${escapeHtml(o.marker.label)}</text>`);
  }
  // Lines, clipped to the plot.
  const clip = `clip${++clipCount}`;
  parts.push(`<clipPath id="${clip}"><rect x="${m.left}" y="${m.top}" width="${plotW}" height="${plotH}"/></clipPath><g clip-path="url(#${clip})">`);
  for (const l of o.lines) {
    const segments: string[][] = [[]];
    for (const [x, y] of decimate(l.points, plotW)) {
      if (!Number.isFinite(y) || (o.logY && !(y > 0))) {
        if (segments[segments.length - 1].length) segments.push([]);
        continue;
      }
      segments[segments.length - 1].push(`${sx(x).toFixed(1)},${sy(y).toFixed(1)}`);
    }
    for (const s of segments) {
      if (s.length === 0) continue;
      parts.push(`<polyline fill="none" stroke="${l.color}" stroke-width="${l.width ?? 1.5}"${l.dash ? ` stroke-dasharray="${l.dash}"` : ''} stroke-linejoin="round" points="${s.join(' ')}"/>`);
      if (l.dots) for (const pt of s) parts.push(`<circle cx="${pt.split(',')[0]}" cy="${pt.split(',')[1]}" r="2.5" fill="${l.color}"/>`);
    }
  }
  parts.push('</g>');
  // Legend, top right.
  let lx = m.left + plotW;
  for (const l of [...o.lines].reverse()) {
    const w = 30 + l.name.length * 6.6;
    lx -= w + 10;
    parts.push(`<line x1="${lx.toFixed(1)}" x2="${(lx + 22).toFixed(1)}" y1="34" y2="34" stroke="${l.color}" stroke-width="${(l.width ?? 1.5) + 0.5}"${l.dash ? ` stroke-dasharray="${l.dash}"` : ''}/>`);
    parts.push(`<text x="${(lx + 27).toFixed(1)}" y="38">${escapeHtml(l.name)}</text>`);
  }
  parts.push('</svg>');
  return parts.join('\n');
}
