// rnn-wasm/node: helpers that only make sense in Node (a terminal progress bar).
// Kept out of the main entry so browser bundles never see their dependencies.
export { progressBar, type ProgressBarOptions, type ProgressStream } from './progress.js';
