// ESM + CJS bundles of src/ (the WASM binaries are inlined by the generated
// module) and one bundled .d.ts.
import typescript from '@rollup/plugin-typescript';
import { dts } from 'rollup-plugin-dts';

export default [
  {
    input: 'src/index.ts',
    output: [
      { file: 'dist/index.js', format: 'es', sourcemap: true },
      { file: 'dist/index.cjs', format: 'cjs', sourcemap: true, exports: 'named' },
    ],
    plugins: [
      typescript({ tsconfig: './tsconfig.build.json' }),
    ],
  },
  {
    input: 'src/index.ts',
    output: { file: 'dist/index.d.ts', format: 'es' },
    plugins: [dts({ compilerOptions: { types: [] } })],
  },
  // 'rnn-wasm/node': Node-only helpers; cli-progress stays an external dependency.
  {
    input: 'src/node/index.ts',
    external: ['cli-progress'],
    output: [
      { file: 'dist/node.js', format: 'es', sourcemap: true },
      { file: 'dist/node.cjs', format: 'cjs', sourcemap: true, exports: 'named' },
    ],
    plugins: [typescript({ tsconfig: './tsconfig.build.json' })],
  },
  {
    input: 'src/node/index.ts',
    external: ['cli-progress'],
    output: { file: 'dist/node.d.ts', format: 'es' },
    plugins: [dts({ compilerOptions: { types: ['node'] } })],
  },
];
