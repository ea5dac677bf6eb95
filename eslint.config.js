// ESLint: typescript-eslint's recommended-type-checked over the TypeScript of src/, test/ and
// bench/, typed with the repo's tsconfig.json (`npm run lint`, run by `npm test`).
// Not linted: assembly/ is AssemblyScript (TypeScript syntax, other semantics: i32, f32, v128,
// load<T>/store<T>), and dist/, build/, the bundled example's dist/ and the generated binaries
// module are build outputs.
import js from '@eslint/js';
import { defineConfig } from 'eslint/config';
import tseslint from 'typescript-eslint';

export default defineConfig(
  {
    ignores: [
      'assembly/**',
      'dist/**',
      'build/**',
      'examples/browser/bundled/dist/**',
      'src/engine/binaries.generated.ts',
    ],
  },
  {
    files: ['src/**/*.ts', 'test/**/*.ts', 'bench/**/*.ts'],
    extends: [js.configs.recommended, ...tseslint.configs.recommendedTypeChecked],
    languageOptions: {
      parserOptions: {
        project: './tsconfig.json',
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      // A leading underscore marks a parameter a method must accept to fit its contract (a layer
      // without parameters, a callback that ignores its argument) but does not use; and
      // `const { bias: _drop, ...rest } = o` is how a copy without one key is written.
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', ignoreRestSiblings: true }],
    },
  },
  {
    // Tests handle untyped values on purpose: saved models parsed from JSON and then corrupted
    // key by key (`(j: any) => { j.readout.weights.pop() }`), the built dist/ imported
    // dynamically, results coming back from Chromium through page.evaluate, the .mjs rollup
    // config, rejected promises caught as values. Typing each of those would add casts, not safety.
    files: ['test/**/*.ts'],
    rules: {
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
    },
  },
);
