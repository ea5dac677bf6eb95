// Parity with TensorFlow.js 4.x (tf.layers.simpleRNN / lstm / gru on the cpu
// backend) on identical weights: outputs, final states, and the gradients of
// the fake loss L = Σ output⊙dOut (+ Σ h_T⊙dh_T + Σ c_T⊙dc_T) w.r.t. the input,
// kernel, recurrent_kernel, bias and (second case) the initial state.
//
// Weights go from our getWeights({ format: 'keras' }) to TF.js's setWeights;
// biases are drawn at random first (our initial biases are zeros or a constant
// forget bias, under which a gate-order mistake in the bias would not show).
// TF.js's GRU is reset-before with bias [3H], so it is compared with our
// variant 'resetBefore'; TF.js's recurrentActivation is our gateActivation
// (TF.js defaults to hardSigmoid = clip(0.2·x + 0.5, 0, 1), so it is always
// passed explicitly).
//
// Initial state: TF.js accepts eager tensors in layer.apply(x, { initialState: [h0, c0] }),
// and tf.variableGrads differentiates through it, so the second case compares
// dInitialState as well.
//
// Tolerance: |ours − tfjs| ≤ 1e-5·|tfjs| + 1e-5·max|tfjs| (+1e-7). Both sides store f32,
// but they round differently: our kernel accumulates dot products in f32 (SIMD
// order), TF.js's cpu backend accumulates a matMul in f64 and rounds each op's
// result to f32, and its exp/tanh are JS Math's. Over T = 5 steps of length-(I+H)
// dot products that leaves differences of a few f32 ulps: measured, at most 4e-7
// of the array's largest element and 1/35 of the bound. Gradients sum B·T such
// terms, so an element near zero carries an error proportional to its array's
// scale — hence the second term. A layout or gate mistake is off by O(0.1); a
// 1e-4 error in one element of dInput already fails.
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { init } from '../src/engine/init.js';
import { GRU } from '../src/layers/gru.js';
import { LSTM, type GateActivation } from '../src/layers/lstm.js';
import type { RecurrentLayer, StateInput } from '../src/layers/recurrent.js';
import { SimpleRNN } from '../src/layers/simple-rnn.js';
import type { Tensor } from '../src/tensor.js';
import { expectWithinBound } from './helpers/compare.js';
import { randomFloat32 } from './helpers/random.js';

const B = 3;
const T = 5;
const I = 4;
const H = 6;
// Inputs in ±3 and biases in ±1 drive some hardSigmoid gates past the kinks at
// z = ±2.5 (5–18 of the 180–270 gate values per case are clipped to 0 or 1), so the
// clip and its zero gradient are compared too; with these seeds no pre-activation
// lies within 2.7e-4 of a kink, far outside f32 rounding, so both sides take the same branch.
const INPUT_RANGE = 3;
const RTOL = 1e-5;
const ATOL_OF_SCALE = 1e-5;

type ParityCase =
  | { cell: 'SimpleRNN' }
  | { cell: 'LSTM'; gateActivation: GateActivation }
  | { cell: 'GRU'; gateActivation: GateActivation };

const CASES: ParityCase[] = [
  { cell: 'SimpleRNN' },
  { cell: 'LSTM', gateActivation: 'sigmoid' },
  { cell: 'LSTM', gateActivation: 'hardSigmoid' },
  { cell: 'GRU', gateActivation: 'sigmoid' },
  { cell: 'GRU', gateActivation: 'hardSigmoid' },
];

function caseName(c: ParityCase): string {
  if (c.cell === 'SimpleRNN') return 'SimpleRNN tanh';
  return c.cell === 'LSTM' ? `LSTM standard ${c.gateActivation}` : `GRU resetBefore ${c.gateActivation}`;
}

/** Gate blocks per cell in the Keras layout. */
function gateCount(c: ParityCase): number {
  return c.cell === 'SimpleRNN' ? 1 : c.cell === 'LSTM' ? 4 : 3;
}

function stateNames(c: ParityCase): ('h' | 'c')[] {
  return c.cell === 'LSTM' ? ['h', 'c'] : ['h'];
}

function makeOurs(c: ParityCase, seed: number): RecurrentLayer {
  if (c.cell === 'SimpleRNN') return new SimpleRNN({ inputSize: I, units: H, activation: 'tanh', seed });
  if (c.cell === 'LSTM') return new LSTM({ inputSize: I, units: H, variant: 'standard', gateActivation: c.gateActivation, seed });
  return new GRU({ inputSize: I, units: H, variant: 'resetBefore', gateActivation: c.gateActivation, seed });
}

function makeTfjs(c: ParityCase): tf.layers.Layer {
  const common = { units: H, returnSequences: true, returnState: true };
  if (c.cell === 'SimpleRNN') return tf.layers.simpleRNN({ ...common, activation: 'tanh' });
  if (c.cell === 'LSTM') return tf.layers.lstm({ ...common, activation: 'tanh', recurrentActivation: c.gateActivation });
  return tf.layers.gru({ ...common, activation: 'tanh', recurrentActivation: c.gateActivation });
}

/** The |tfjs|-relative plus scale-relative bound described at the top. */
function bound(want: ArrayLike<number>): Float64Array {
  let scale = 0;
  for (let i = 0; i < want.length; i++) scale = Math.max(scale, Math.abs(want[i]));
  return Float64Array.from(want, (w) => RTOL * Math.abs(w) + ATOL_OF_SCALE * scale + 1e-7);
}

function expectClose(label: string, ours: Tensor, tfjs: tf.Tensor): void {
  expect(ours.shape, `${label} shape`).toEqual(tfjs.shape);
  const want = tfjs.dataSync();
  expectWithinBound(label, ours.data, want, bound(want));
}

/** A trainable tf.Variable holding a copy of `data` (tf.variable copies, so the source tensor is freed). */
function variableFrom(data: Float32Array, shape: number[]): tf.Variable {
  const source = tf.tensor(data, shape);
  const variable = tf.variable(source);
  source.dispose();
  return variable;
}

interface RunOptions {
  /** Pass a random non-zero initial state (and compare its gradient). */
  initialState: boolean;
  /** Add Σ finalState⊙dFinalState to the loss. */
  finalStateLoss: boolean;
}

function checkParity(c: ParityCase, seed: number, options: RunOptions): void {
  const name = caseName(c);
  const G = gateCount(c);
  const states = stateNames(c);
  const ours = makeOurs(c, seed);
  const tfLayer = makeTfjs(c);
  try {
    // Random biases (seeded), then the keras weights both sides run with.
    const start = ours.getWeights({ format: 'keras' });
    ours.setWeights({ ...start, bias: { data: randomFloat32(G * H, seed + 1, -1, 1), shape: [G * H] } }, { format: 'keras' });
    const w = ours.getWeights({ format: 'keras' });
    expect(w.bias.shape).toEqual([G * H]);

    const x = randomFloat32(B * T * I, seed + 2, -INPUT_RANGE, INPUT_RANGE); // [B, T, I]
    const dOut = randomFloat32(B * T * H, seed + 3); // [B, T, H]
    const initial: Record<string, Float32Array> = {};
    const dFinal: Record<string, Float32Array> = {};
    states.forEach((s, k) => {
      initial[s] = randomFloat32(B * H, seed + 10 + k, -0.8, 0.8); // [B, H]
      dFinal[s] = randomFloat32(B * H, seed + 20 + k); // [B, H]
    });

    // ---- ours ----
    const initialState: StateInput = {};
    if (options.initialState) for (const s of states) initialState[s] = { data: initial[s], shape: [B, H] };
    const fwd = ours.forward({ data: x, shape: [B, T, I] }, { initialState });
    const dFinalState: StateInput = {};
    if (options.finalStateLoss) for (const s of states) dFinalState[s] = { data: dFinal[s], shape: [B, H] };
    const bwd = ours.backward(fwd.cache, { dOutput: { data: dOut, shape: [B, T, H] }, dFinalState, format: 'keras' });

    // ---- TF.js ----
    tf.tidy(() => {
      tfLayer.apply(tf.zeros([B, T, I])); // builds the weights
      tfLayer.setWeights([
        tf.tensor(w.kernel.data, w.kernel.shape),
        tf.tensor(w.recurrent_kernel.data, w.recurrent_kernel.shape),
        tf.tensor(w.bias.data, w.bias.shape),
      ]);
    });
    expect(tfLayer.getWeights().map((t) => t.shape)).toEqual([w.kernel.shape, w.recurrent_kernel.shape, w.bias.shape]);
    const xVar = variableFrom(x, [B, T, I]);
    const stateVars = states.map((s) => variableFrom(initial[s], [B, H]));
    const weightVars = tfLayer.trainableWeights.map((v) => v.read() as tf.Variable); // kernel, recurrent_kernel, bias
    const dOutT = tf.tensor3d(dOut, [B, T, H]);
    const dFinalT = states.map((s) => tf.tensor2d(dFinal[s], [B, H]));
    let outputs: tf.Tensor[] = [];
    const apply = () => tfLayer.apply(xVar, options.initialState ? { initialState: stateVars } : {}) as tf.Tensor[];
    const { value, grads } = tf.variableGrads(() => {
      // [output [B, T, H], h_T [B, H], (c_T [B, H])]
      const result = apply();
      outputs = result.map((t) => tf.keep(t.clone()));
      let loss = tf.sum(tf.mul(result[0], dOutT));
      if (options.finalStateLoss) dFinalT.forEach((d, k) => (loss = tf.add(loss, tf.sum(tf.mul(result[1 + k], d)))));
      return loss as tf.Scalar;
    }, [xVar, ...(options.initialState ? stateVars : []), ...weightVars]);
    try {
      expect(outputs.length).toBe(1 + states.length);
      expectClose(`${name} output`, fwd.output, outputs[0]);
      states.forEach((s, k) => expectClose(`${name} finalState.${s}`, fwd.finalState[s]!, outputs[1 + k]));
      expectClose(`${name} dInput`, bwd.dInput, grads[xVar.name]);
      const [kernel, recurrentKernel, bias] = weightVars;
      expectClose(`${name} dWeights.kernel`, bwd.dWeights.kernel, grads[kernel.name]);
      expectClose(`${name} dWeights.recurrent_kernel`, bwd.dWeights.recurrent_kernel, grads[recurrentKernel.name]);
      expectClose(`${name} dWeights.bias`, bwd.dWeights.bias, grads[bias.name]);
      if (options.initialState) {
        states.forEach((s, k) => expectClose(`${name} dInitialState.${s}`, bwd.dInitialState[s]!, grads[stateVars[k].name]));
      }
    } finally {
      tf.dispose([value, ...Object.values(grads), ...outputs, xVar, ...stateVars, dOutT, ...dFinalT]);
    }
  } finally {
    if (tfLayer.built) tfLayer.dispose(); // disposing an unbuilt layer throws and would hide the real failure
    ours.dispose();
  }
}

describe('parity with TensorFlow.js layers (cpu backend)', () => {
  let tensorsBefore = 0;
  beforeAll(async () => {
    await init();
    await tf.setBackend('cpu');
    tensorsBefore = tf.memory().numTensors;
  });
  afterAll(() => {
    // Every tensor and variable this file made was disposed.
    expect(tf.memory().numTensors).toBe(tensorsBefore);
  });

  CASES.forEach((c, index) => {
    const seed = 1000 + 100 * index;
    it(`${caseName(c)}: zero initial state, outputs and gradients of Σ output⊙dOut`, () => {
      checkParity(c, seed, { initialState: false, finalStateLoss: false });
    });
    it(`${caseName(c)}: non-zero initial state, loss also on the final state, dInitialState`, () => {
      checkParity(c, seed + 50, { initialState: true, finalStateLoss: true });
    });
  });
});
