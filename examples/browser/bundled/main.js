// The bundler example's entry: a bare 'rnn-wasm' import, as in any project that installed the
// package. `npm run build:examples` bundles it with rollup into dist/main.js, one file with the
// WebAssembly inside; index.html loads only that.
import { init, Sequential, LSTM, Dense, EchoStateNetwork } from 'rnn-wasm';
import { runDemo } from '../demo.js';

runDemo({ init, Sequential, LSTM, Dense, EchoStateNetwork }, { status: document.querySelector('#status'), log: document.querySelector('#log') });
