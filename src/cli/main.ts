// The rnn-wasm program (dist/cli.js, the package's bin). Node only: it is bundled on its own
// and imports the library from ./index.js; the browser bundle never sees any of src/cli/.
import { main } from './cli.js';

// A reader that stops early (rnn-wasm … | head -1) closes the pipe: writing on is pointless, and
// Node would crash with an unhandled EPIPE. Exit quietly with status 0 instead; an EPIPE on
// standard error (nobody reads it) is ignored.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code !== 'EPIPE') throw error;
  process.exit(0);
});
process.stderr.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code !== 'EPIPE') throw error;
});

// main() reports every error itself and resolves to the exit code; it never rejects.
void main(process.argv.slice(2), { stdout: (t) => process.stdout.write(t), stderr: (t) => process.stderr.write(t) }).then((code) => {
  process.exitCode = code;
});
