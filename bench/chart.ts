// The README's benchmark chart: bench/results/chart.svg, drawn from
// bench/results/cells.json (rnn-wasm's bare layer API and the JS baseline, from
// `npm run bench`) and peers.json (rnn-wasm's Sequential, TensorFlow.js's
// tf.sequential and brain.js, from `npm run bench:peers`) — one group of bars per
// workload, milliseconds on a log scale. Written at the end of `npm run bench` and `npm run bench:peers`;
// `npx tsx bench/chart.ts` redraws it from the JSON alone.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { machineLine } from './gemm.js';

interface Row {
  workload: string;
  impl: string;
  medianMs: number;
}

type Source = 'cells' | 'peers';

const SERIES: { source: Source; match: (impl: string) => boolean; label: string; color: string }[] = [
  { source: 'cells', match: (impl) => impl.startsWith('rnn-wasm'), label: 'rnn-wasm layer API (bench)', color: '#1b7837' },
  { source: 'peers', match: (impl) => impl.startsWith('rnn-wasm'), label: 'rnn-wasm Sequential (bench:peers)', color: '#7fbc41' },
  { source: 'cells', match: (impl) => impl.startsWith('js-baseline'), label: 'JS baseline (f64 reference)', color: '#a6a6a6' },
  { source: 'peers', match: (impl) => impl.includes('TF.js') && impl.includes('wasm'), label: 'TF.js wasm (SIMD) tf.sequential', color: '#2166ac' },
  { source: 'peers', match: (impl) => impl.includes('TF.js') && impl.includes('cpu'), label: 'TF.js cpu tf.sequential', color: '#92c5de' },
  { source: 'peers', match: (impl) => impl.startsWith('brain.js'), label: 'brain.js', color: '#d6604d' },
];

function read(name: string): Row[] {
  const url = new URL(`./results/${name}`, import.meta.url);
  return existsSync(url) ? (JSON.parse(readFileSync(url, 'utf8')) as Row[]) : [];
}

export function writeChart(): string {
  const sources: Record<Source, Row[]> = { cells: read('cells.json'), peers: read('peers.json') };
  const rows = [...sources.cells, ...sources.peers];
  const workloads = [...new Set(rows.map((r) => r.workload))];
  const value = (w: string, s: (typeof SERIES)[number]) => sources[s.source].find((r) => r.workload === w && s.match(r.impl))?.medianMs;
  const all = rows.map((r) => r.medianMs).filter((v) => v > 0);
  const lo = Math.pow(10, Math.floor(Math.log10(Math.min(...all))));
  const hi = Math.pow(10, Math.ceil(Math.log10(Math.max(...all))));
  const [left, top, width, barH, gap] = [250, 70, 560, 9, 16];
  const groupH = SERIES.length * barH + gap;
  const height = top + workloads.length * groupH + 78;
  const x = (ms: number) => left + ((Math.log10(ms) - Math.log10(lo)) / (Math.log10(hi) - Math.log10(lo))) * width;
  const out: string[] = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${left + width + 40}" height="${height}" font-family="sans-serif" font-size="11">`);
  out.push(`<rect width="100%" height="100%" fill="white"/>`);
  out.push(`<text x="${left}" y="18" font-size="13" font-weight="bold">Median ms per call, log scale (shorter is faster)</text>`);
  out.push(`<text x="${left}" y="34" fill="#555">${machineLine()}; one thread</text>`);
  out.push(`<text x="${left}" y="50" fill="#555">Sequential and tf.sequential: predict; train steps: Sequential.fit of one batch vs trainOnBatch</text>`);
  for (let d = lo; d <= hi; d *= 10) {
    out.push(`<line x1="${x(d)}" y1="${top - 6}" x2="${x(d)}" y2="${height - 68}" stroke="#ddd"/>`);
    out.push(`<text x="${x(d)}" y="${height - 56}" text-anchor="middle" fill="#555">${d >= 1 ? d : d.toPrecision(1)} ms</text>`);
  }
  workloads.forEach((w, g) => {
    const y0 = top + g * groupH;
    const [id, ...rest] = w.split(' ');
    out.push(`<text x="${left - 8}" y="${y0 + 18}" text-anchor="end" font-weight="bold">${id} ${rest.slice(0, 3).join(' ')}</text>`);
    out.push(`<text x="${left - 8}" y="${y0 + 32}" text-anchor="end" fill="#555">${rest.slice(3).join(' ')}</text>`);
    SERIES.forEach((s, k) => {
      const ms = value(w, s);
      if (ms === undefined) return;
      const y = y0 + k * barH;
      out.push(`<rect x="${left}" y="${y}" width="${Math.max(1, x(ms) - left)}" height="${barH - 1}" fill="${s.color}"/>`);
      out.push(`<text x="${x(ms) + 4}" y="${y + barH - 1.5}" font-size="9" fill="#333">${ms < 1 ? ms.toFixed(3) : ms < 100 ? ms.toFixed(1) : ms.toFixed(0)}</text>`);
    });
  });
  SERIES.forEach((s, k) => {
    // Three legend entries per line, two lines.
    const lx = 20 + (k % 3) * 280;
    const ly = height - 40 + Math.floor(k / 3) * 18;
    out.push(`<rect x="${lx}" y="${ly}" width="10" height="10" fill="${s.color}"/><text x="${lx + 14}" y="${ly + 9}">${s.label}</text>`);
  });
  out.push('</svg>');
  const svg = out.join('\n') + '\n';
  writeFileSync(new URL('./results/chart.svg', import.meta.url), svg);
  return svg;
}

if (import.meta.url === `file://${process.argv[1]}`) writeChart();
