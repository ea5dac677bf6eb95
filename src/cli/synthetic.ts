// Data the project makes itself, for the showcase, the tests and the examples: nothing here
// is copied from anywhere. Deterministic for a given seed.
import { mackeyGlass } from '../index.js';
import { csvLine } from './csv.js';

/** mulberry32: a small seeded generator of uniform numbers in [0, 1). */
export function uniform(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function gaussian(next: () => number): () => number {
  return () => {
    let u = 0;
    while (u === 0) u = next();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * next());
  };
}

/** Mackey–Glass (τ = 17, one sample per time unit, the first 500 dropped) as a CSV "t,value". */
export function mackeyGlassCsv(rows: number): string {
  const series = mackeyGlass(rows, { discard: 500 });
  let csv = csvLine(['t', 'value']);
  series.forEach((v, t) => (csv += csvLine([t, Number(v.toFixed(6))])));
  return csv;
}

/**
 * Daily bars (Date, Open, High, Low, Close, Volume) of a made-up instrument. The "fair"
 * log price is two slow cycles plus a mean-reverting walk (AR(1), φ = 0.97) whose shocks
 * have GARCH(1,1) volatility; quoted prices are the fair price plus liquidity noise that
 * shrinks as volume grows (volume follows volatility). So there is something to learn —
 * smoothing out the noise, more so on thin days — which real markets rarely offer.
 */
export function marketCsv(rows: number, seed = 1): string {
  const normal = gaussian(uniform(seed));
  const cycle = (t: number): number => Math.log(100) + 0.2 * Math.sin((2 * Math.PI * t) / 400) + 0.05 * Math.sin((2 * Math.PI * t) / 60 + 1);
  let deviation = 0;
  let variance = 1e-4;
  let shock = 0;
  let logVolume = 0;
  let day = Date.UTC(2015, 0, 2);
  let csv = csvLine(['Date', 'Open', 'High', 'Low', 'Close', 'Volume']);
  for (let t = 0; t < rows; t++) {
    variance = 4e-6 + 0.1 * shock * shock + 0.85 * variance;
    const sigma = Math.sqrt(variance);
    shock = sigma * normal();
    deviation = 0.97 * deviation + shock;
    const fair = cycle(t) + deviation;
    logVolume = 0.7 * logVolume + 0.3 * (sigma / 0.01 - 1) + 0.6 * normal();
    const volume = Math.round(1e6 * Math.exp(logVolume));
    const noise = 0.02 * Math.sqrt(1e6 / volume);
    const close = Math.exp(fair + noise * normal());
    const open = Math.exp(fair - shock / 2 + noise * normal());
    const high = Math.max(open, close) * Math.exp(Math.abs(normal()) * (sigma + noise) * 0.5);
    const low = Math.min(open, close) * Math.exp(-Math.abs(normal()) * (sigma + noise) * 0.5);
    csv += csvLine([new Date(day).toISOString().slice(0, 10), open.toFixed(2), high.toFixed(2), low.toFixed(2), close.toFixed(2), volume]);
    do day += 86_400_000;
    while ([0, 6].includes(new Date(day).getUTCDay()));
  }
  return csv;
}

/** Sentences from a small made-up grammar, in short paragraphs: a corpus with structure a char-level model can pick up. */
export function corpusText(characters: number, seed = 1): string {
  const next = uniform(seed);
  const pick = <T,>(list: readonly T[]): T => list[Math.floor(next() * list.length)];
  const nouns = ['the river', 'a lantern', 'the old mill', 'my neighbour', 'the tide', 'a small boat', 'the orchard', 'the kettle', 'a grey cat', 'the harbour'];
  const verbs = ['carries', 'watches', 'remembers', 'follows', 'waits for', 'sings to', 'hides', 'warms', 'forgets', 'finds'];
  const objects = ['the morning light', 'a quiet song', 'the last train', 'an open door', 'the winter wind', 'a handful of stones', 'the evening bell', 'the far shore'];
  const endings = ['every day', 'before dawn', 'in the rain', 'without a word', 'all summer long', 'now and then', 'once more'];
  let text = '';
  while (text.length < characters) {
    const sentences = 2 + Math.floor(next() * 3);
    const paragraph: string[] = [];
    for (let s = 0; s < sentences; s++) {
      const subject = pick(nouns);
      let sentence = `${subject} ${pick(verbs)} ${pick(objects)}`;
      if (next() < 0.6) sentence += ` ${pick(endings)}`;
      if (next() < 0.3) sentence += `, and ${pick(nouns)} ${pick(verbs)} it`;
      paragraph.push(sentence[0].toUpperCase() + sentence.slice(1) + (next() < 0.15 ? '?' : '.'));
    }
    text += paragraph.join(' ') + '\n\n';
  }
  return text.slice(0, characters);
}
