// A restricted Boltzmann machine learns the 8×8 handwritten digits (64 visible units, 100 hidden),
// then dreams: chains started from noise run 1,000 Gibbs steps, and an SVG shows training digits,
// their reconstructions and the samples. Reads test/data/digits.csv.gz, which ships with a checkout
// of the repository (not with the npm package; CC BY 4.0, see test/data/README.md).
// Run: node examples/rbm-digits.mjs [out.svg]   (after npm run build; a few seconds)
import { readFileSync, writeFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { init } from 'rnn-wasm';
import { RBM } from 'rnn-wasm/energy';

await init();
const out = process.argv[2] ?? 'rbm-digits.svg';

// 1,797 rows of 64 pixels (0…16) and a label; pixels scaled to [0, 1] (probabilities are valid data).
const rows = gunzipSync(readFileSync(new URL('../test/data/digits.csv.gz', import.meta.url))).toString('utf8').trim().split('\n');
const x = rows.map((line) => line.split(',').slice(0, 64).map((v) => Number(v) / 16));
const labels = rows.map((line) => Number(line.split(',')[64]));

const rbm = new RBM({ visible: 64, hidden: 100, seed: 1, learningRate: 0.02, momentum: 0.9, weightDecay: 1e-4 });
const history = rbm.fit(x, {
  epochs: 30, batchSize: 10, k: 1, persistent: true, pseudoLikelihood: true,
  onEpochEnd: ({ epoch, reconstructionError, pseudoLikelihood }) => {
    if (epoch % 10 === 9) console.log(`epoch ${epoch + 1}: reconstruction error ${reconstructionError.toFixed(2)}, pseudo-likelihood ${pseudoLikelihood.toFixed(2)}`);
  },
});
console.log(`pseudo-likelihood ${history.pseudoLikelihood[0].toFixed(2)} → ${history.pseudoLikelihood.at(-1).toFixed(2)}`);

// 16 chains from uniform noise, 1,000 Gibbs steps each; the pictures are the last p(v | h).
const count = 16;
const { means } = rbm.sample(count, { steps: 1000, seed: 2 });
const samples = Array.from({ length: count }, (_, n) => Array.from(means.data.subarray(n * 64, (n + 1) * 64)));
const originals = x.slice(0, count);
const reconstructions = Array.from({ length: count }, (_, n) => Array.from(rbm.reconstruct([originals[n]]).data));

// How digit-like are the samples? Mean squared distance to the nearest training digit, against noise.
const distances = (image) => x.map((row) => row.reduce((s, v, i) => s + (v - image[i]) ** 2, 0));
const nearest = (image) => Math.min(...distances(image));
const mean = (values) => values.reduce((s, v) => s + v, 0) / values.length;
let seed = 3;
const noise = Array.from({ length: count }, () => Array.from({ length: 64 }, () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31)));
const classes = samples.map((image) => { const d = distances(image); return labels[d.indexOf(Math.min(...d))]; });
console.log(`labels of the nearest training digits: ${classes.join(' ')}`);
console.log(`distance to the nearest training digit: samples ${mean(samples.map(nearest)).toFixed(2)}, uniform noise ${mean(noise.map(nearest)).toFixed(2)}`);

// The SVG: three rows of 16 images (training digits, reconstructions, samples), 8×8 cells of 4 px.
const cell = 4;
const size = 8 * cell;
const gap = 4;
const image = (pixels, column, row) =>
  pixels.map((v, i) => {
    const shade = Math.round(255 * (1 - v));
    return `<rect x="${column * (size + gap) + (i % 8) * cell}" y="${row * (size + gap) + Math.floor(i / 8) * cell}" width="${cell}" height="${cell}" fill="rgb(${shade},${shade},${shade})"/>`;
  }).join('');
const body = [originals, reconstructions, samples].map((images, row) => images.map((pixels, column) => image(pixels, column, row)).join('')).join('\n');
const [width, height] = [count * (size + gap) - gap, 3 * (size + gap) - gap];
writeFileSync(out, `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">\n${body}\n</svg>\n`);
console.log(`wrote ${out}: training digits, reconstructions, ${count} samples after 1000 Gibbs steps`);
rbm.dispose();
