// A character-level language model with the library API: Embedding → LSTM (every step) →
// softmax over the characters, trained on a small text made up here, then sampled.
// Run: node examples/text.mjs   (after npm run build; about 10 s)
import { init, Sequential, Embedding, LSTM, Dense } from 'rnn-wasm';

await init();

// A made-up corpus with some structure to learn.
const animals = ['the fox', 'a heron', 'the old dog', 'a moth', 'the cat'];
const actions = ['jumps over', 'waits by', 'sleeps near', 'looks at'];
const places = ['the fence', 'a pond', 'the lamp', 'the gate'];
let text = '';
for (let i = 0; text.length < 6000; i++) {
  text += `${animals[i % 5]} ${actions[(i * 3) % 4]} ${places[(i * 7) % 4]}. `;
  if (i % 4 === 3) text += '\n';
}

const vocabulary = [...new Set(text)].sort();
const ids = Array.from(text, (c) => vocabulary.indexOf(c));

// Sequences of 32 characters; each target is the next character.
const length = 32;
const x = [];
const y = [];
for (let start = 0; start + length + 1 <= ids.length; start += length) {
  x.push(ids.slice(start, start + length));
  y.push(ids.slice(start + 1, start + length + 1));
}

const model = new Sequential({
  seed: 1,
  layers: [
    new Embedding({ vocabSize: vocabulary.length, units: 16 }),
    new LSTM({ units: 64, returnSequences: true }),
    new Dense({ units: vocabulary.length, activation: 'softmax' }),
  ],
});
model.compile({ loss: 'crossEntropy', optimizer: { type: 'adam', learningRate: 0.01 }, clipNorm: 1 });
const history = await model.fit(x, y, { epochs: 15, batchSize: 16 });
console.log(`loss ${(history.loss[0] / Math.LN2).toFixed(2)} → ${(history.loss.at(-1) / Math.LN2).toFixed(2)} bits per character`);

const prefix = 'the ';
const sampled = model.generate({ prefix: Array.from(prefix, (c) => vocabulary.indexOf(c)), length: 120, temperature: 0.5, seed: 2 });
console.log(prefix + sampled.map((id) => vocabulary[id]).join(''));
model.dispose();
