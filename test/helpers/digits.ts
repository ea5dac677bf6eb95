// The UCI 8×8 handwritten digits (test/data/digits.csv.gz: 1,797 images of 0…16 per pixel and
// their labels, vendored with its licence in test/data/README.md), read with Node's zlib. The
// file is in the order of its writers, so a split at a row keeps writers apart.
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';

export interface Digits {
  /** Pixels scaled to [0, 1], [N, 64] row-major (8 × 8 images). */
  x: Float32Array;
  /** Labels 0…9. */
  y: Int32Array;
  N: number;
}

export function readDigits(): Digits {
  const rows = gunzipSync(readFileSync(new URL('../data/digits.csv.gz', import.meta.url))).toString('utf8').trim().split('\n');
  const x = new Float32Array(rows.length * 64);
  const y = new Int32Array(rows.length);
  rows.forEach((line, i) => {
    const values = line.split(',').map(Number);
    if (values.length !== 65) throw new Error(`digits.csv.gz row ${i}: ${values.length} values, expected 65`);
    for (let k = 0; k < 64; k++) x[i * 64 + k] = values[k] / 16;
    y[i] = values[64];
  });
  return { x, y, N: rows.length };
}
