// Stage one of the gradient checks: every f64 reference backward against
// central differences of a "fake loss" L = Σ h_t⊙dOut_t + Σ h_T⊙dh_T (+ Σ c_T⊙dc_T),
// T = 4 so gradients cross time steps; once without a mask and once with a mask
// that has padded steps at the start, in the middle and at the end of sequences.
import { describe, it } from 'vitest';
import {
  gruBackwardReference, gruForwardReference, lstmBackwardReference, lstmForwardReference, lstmGates,
  rnnBackwardReference, rnnForwardReference,
  type GateActivation, type GruVariant, type LstmVariant, type RnnActivation, type RnnVariant,
} from '../src/reference/recurrent.js';
import { checkGradients, dot, randomF64 } from './helpers/gradcheck.js';
import { makeRandom } from './helpers/random.js';

// Mask [T, B], time-major; per sequence: b0 = 1 0 1 0 (middle and end padded),
// b1 = 1 1 0 0 (post-padded, the usual case), b2 = 0 1 1 1 (pre-padded).
const MASK = Float64Array.of(
  1, 1, 0,
  0, 1, 1,
  1, 0, 1,
  0, 0, 1,
);

describe.each([
  { label: 'no mask', d: { T: 4, B: 2, I: 3, H: 5 }, mask: null },
  { label: 'a mask', d: { T: 4, B: 3, I: 3, H: 5 }, mask: MASK },
])('reference backward vs finite differences, $label', ({ d, mask }) => {
  const { T, B, I, H } = d;
  for (const activation of ['tanh', 'relu', 'sigmoid'] as RnnActivation[]) {
    it(`SimpleRNN ${activation}`, () => {
      const next = makeRandom(11);
      const v = {
        weightIh: randomF64(I * H, next), weightHh: randomF64(H * H, next, 0.5), bias: randomF64(H, next, 0.3),
        x: randomF64(T * B * I, next), h0: randomF64(B * H, next, activation === 'relu' ? 0.5 : 0.9),
      };
      if (activation === 'relu') v.h0 = v.h0.map(Math.abs);
      const dOut = randomF64(T * B * H, next);
      const dhT = randomF64(B * H, next);
      const loss = () => {
        const { hAll } = rnnForwardReference(v, d, activation, v.x, v.h0, mask);
        return dot(dOut, hAll, B * H) + dot(dhT, hAll, T * B * H);
      };
      const { hAll } = rnnForwardReference(v, d, activation, v.x, v.h0, mask);
      const g = rnnBackwardReference(v, d, activation, v.x, hAll, dOut, dhT, mask);
      checkGradients(`rnn ${activation}`, v, { weightIh: g.dWeightIh, weightHh: g.dWeightHh, bias: g.dBias, x: g.dX, h0: g.dh0 }, loss);
    });
  }

  for (const [variant, activation] of [['linear', 'tanh'], ['residual', 'tanh'], ['residual', 'relu'], ['diagonal', 'tanh'], ['diagonal', 'sigmoid']] as [RnnVariant, RnnActivation][]) {
    it(`SimpleRNN ${variant} ${activation}`, () => {
      const next = makeRandom(13 + variant.length);
      const v = {
        weightIh: randomF64(I * H, next), weightHh: randomF64(variant === 'diagonal' ? H : variant === 'linear' ? 0 : H * H, next, 0.5), bias: randomF64(H, next, 0.3),
        x: randomF64(T * B * I, next), h0: randomF64(B * H, next, 0.9),
      };
      const dOut = randomF64(T * B * H, next);
      const dhT = randomF64(B * H, next);
      const loss = () => {
        const { hAll } = rnnForwardReference(v, d, activation, v.x, v.h0, mask, variant);
        return dot(dOut, hAll, B * H) + dot(dhT, hAll, T * B * H);
      };
      const { hAll, act } = rnnForwardReference(v, d, activation, v.x, v.h0, mask, variant);
      const g = rnnBackwardReference(v, d, activation, v.x, hAll, dOut, dhT, mask, variant, act);
      checkGradients(`rnn ${variant} ${activation}`, v, { weightIh: g.dWeightIh, weightHh: g.dWeightHh, bias: g.dBias, x: g.dX, h0: g.dh0 }, loss);
    });
  }

  const lstmCases: [LstmVariant, GateActivation][] = [
    ['standard', 'sigmoid'], ['peephole', 'sigmoid'], ['coupled', 'sigmoid'], ['noForget', 'sigmoid'],
    ['standard', 'hardSigmoid'], ['peephole', 'hardSigmoid'],
  ];
  for (const [variant, gate] of lstmCases) {
    it(`LSTM ${variant} (${gate} gates)`, () => {
      const next = makeRandom(variant.length * 7 + gate.length);
      const G = lstmGates(variant);
      const v: Record<string, Float64Array> = {
        weightIh: randomF64(I * G * H, next), weightHh: randomF64(H * G * H, next, 0.5), bias: randomF64(G * H, next, 0.3),
        x: randomF64(T * B * I, next), h0: randomF64(B * H, next, 0.5), c0: randomF64(B * H, next),
      };
      if (variant === 'peephole') v.peephole = randomF64(3 * H, next, 0.5);
      const params = () => ({ weightIh: v.weightIh, weightHh: v.weightHh, bias: v.bias, peephole: v.peephole });
      const dOut = randomF64(T * B * H, next);
      const dhT = randomF64(B * H, next);
      const dcT = randomF64(B * H, next);
      const loss = () => {
        const f = lstmForwardReference(params(), d, variant, gate, v.x, v.h0, v.c0, mask);
        return dot(dOut, f.hAll, B * H) + dot(dhT, f.hAll, T * B * H) + dot(dcT, f.cAll, T * B * H);
      };
      const fwd = lstmForwardReference(params(), d, variant, gate, v.x, v.h0, v.c0, mask);
      const g = lstmBackwardReference(params(), d, variant, gate, v.x, fwd, dOut, dhT, dcT, mask);
      checkGradients(`lstm ${variant} ${gate}`, v, {
        weightIh: g.dWeightIh, weightHh: g.dWeightHh, bias: g.dBias, peephole: g.dPeephole, x: g.dX, h0: g.dh0, c0: g.dc0,
      }, loss);
    });
  }

  const gruCases: [GruVariant, GateActivation][] = [
    ['resetAfter', 'sigmoid'], ['resetBefore', 'sigmoid'], ['resetAfter', 'hardSigmoid'], ['resetBefore', 'hardSigmoid'],
  ];
  for (const [variant, gate] of gruCases) {
    it(`GRU ${variant} (${gate} gates)`, () => {
      const next = makeRandom(variant.length * 13 + gate.length);
      const v: Record<string, Float64Array> = {
        weightIh: randomF64(I * 3 * H, next), weightHh: randomF64(H * 3 * H, next, 0.5),
        biasIh: randomF64(3 * H, next, 0.3), biasHh: randomF64(3 * H, next, 0.3),
        x: randomF64(T * B * I, next), h0: randomF64(B * H, next, 0.5),
      };
      const params = () => ({ weightIh: v.weightIh, weightHh: v.weightHh, biasIh: v.biasIh, biasHh: v.biasHh });
      const dOut = randomF64(T * B * H, next);
      const dhT = randomF64(B * H, next);
      const loss = () => {
        const f = gruForwardReference(params(), d, variant, gate, v.x, v.h0, mask);
        return dot(dOut, f.hAll, B * H) + dot(dhT, f.hAll, T * B * H);
      };
      const fwd = gruForwardReference(params(), d, variant, gate, v.x, v.h0, mask);
      const g = gruBackwardReference(params(), d, variant, gate, v.x, fwd, dOut, dhT, mask);
      checkGradients(`gru ${variant} ${gate}`, v, {
        weightIh: g.dWeightIh, weightHh: g.dWeightHh, biasIh: g.dBiasIh, biasHh: g.dBiasHh, x: g.dX, h0: g.dh0,
      }, loss);
    });
  }
});
