// The rnn-wasm program (dist/cli.js, the package's bin). Node only: it is bundled on its own
// and imports the library from ./index.js; the browser bundle never sees any of src/cli/.
import { main } from './cli.js';

// main() reports every error itself and resolves to the exit code; it never rejects.
void main(process.argv.slice(2), { stdout: (t) => process.stdout.write(t), stderr: (t) => process.stderr.write(t) }).then((code) => {
  process.exitCode = code;
});
