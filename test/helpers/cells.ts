// Runs a layer and the f64 reference on the same weights and data, for the cell tests.
import type { Backend } from '../../src/engine/backend.js';
import { GRU, type GRUVariant } from '../../src/layers/gru.js';
import { LSTM, type GateActivation, type LSTMVariant, type PeepholeGate } from '../../src/layers/lstm.js';
import type { RecurrentLayer } from '../../src/layers/recurrent.js';
import { SimpleRNN, type SimpleRNNActivation, type SimpleRNNVariant } from '../../src/layers/simple-rnn.js';
import {
  gruBackwardReference, gruForwardReference, lstmBackwardReference, lstmForwardReference,
  rnnBackwardReference, rnnForwardReference, type Dims,
} from '../../src/reference/recurrent.js';
import { randomFloat32 } from './random.js';

export type CellCase =
  | { cell: 'SimpleRNN'; activation: SimpleRNNActivation; variant?: SimpleRNNVariant }
  | { cell: 'LSTM'; variant: LSTMVariant; gateActivation: GateActivation; peepholes?: readonly PeepholeGate[] }
  | { cell: 'GRU'; variant: GRUVariant; gateActivation: GateActivation };

export function caseName(c: CellCase): string {
  if (c.cell === 'SimpleRNN') return `SimpleRNN ${c.variant && c.variant !== 'elman' ? `${c.variant} ` : ''}${c.activation}`;
  return `${c.cell} ${c.variant}${c.cell === 'LSTM' && c.peepholes ? ` [${c.peepholes.join(', ')}]` : ''} ${c.gateActivation}`;
}

export const ALL_CELLS: CellCase[] = [
  { cell: 'SimpleRNN', activation: 'tanh' },
  { cell: 'SimpleRNN', activation: 'relu' },
  { cell: 'SimpleRNN', activation: 'sigmoid' },
  // The linear, residual and diagonal recurrences (issue #15).
  { cell: 'SimpleRNN', activation: 'tanh', variant: 'linear' },
  { cell: 'SimpleRNN', activation: 'sigmoid', variant: 'linear' },
  { cell: 'SimpleRNN', activation: 'tanh', variant: 'residual' },
  { cell: 'SimpleRNN', activation: 'relu', variant: 'residual' },
  { cell: 'SimpleRNN', activation: 'tanh', variant: 'diagonal' },
  { cell: 'SimpleRNN', activation: 'relu', variant: 'diagonal' },
  ...(['standard', 'peephole', 'coupled', 'noForget'] as const).flatMap((variant) =>
    (['sigmoid', 'hardSigmoid'] as const).map((gateActivation) => ({ cell: 'LSTM' as const, variant, gateActivation }))),
  // Peepholes on some gates only (the output gate alone is the course's form).
  { cell: 'LSTM', variant: 'peephole', gateActivation: 'sigmoid', peepholes: ['o'] },
  { cell: 'LSTM', variant: 'peephole', gateActivation: 'sigmoid', peepholes: ['i', 'f'] },
  { cell: 'LSTM', variant: 'peephole', gateActivation: 'hardSigmoid', peepholes: ['f'] },
  ...(['resetAfter', 'resetBefore'] as const).flatMap((variant) =>
    (['sigmoid', 'hardSigmoid'] as const).map((gateActivation) => ({ cell: 'GRU' as const, variant, gateActivation }))),
];

export function makeLayer(c: CellCase, inputSize: number, units: number, backend: Backend, seed = 3): RecurrentLayer {
  if (c.cell === 'SimpleRNN') return new SimpleRNN({ inputSize, units, activation: c.activation, variant: c.variant, seed, backend });
  if (c.cell === 'LSTM') {
    const lstm = new LSTM({ inputSize, units, variant: c.variant, gateActivation: c.gateActivation, peepholes: c.peepholes, seed, backend });
    if (c.variant === 'peephole') {
      // Peepholes start at zero; random ones make the forward pass use them too.
      const w = lstm.getWeights();
      lstm.setWeights({ ...w, peephole: { data: randomFloat32(w.peephole.data.length, seed + 7, -0.5, 0.5), shape: w.peephole.shape } });
    }
    return lstm;
  }
  return new GRU({ inputSize, units, variant: c.variant, gateActivation: c.gateActivation, seed, backend });
}

/** [B, T, F] → [T, B, F] as f64. */
export function timeMajor(data: Float32Array, B: number, T: number, F: number): Float64Array {
  const out = new Float64Array(data.length);
  for (let b = 0; b < B; b++) for (let t = 0; t < T; t++) for (let f = 0; f < F; f++) out[(t * B + b) * F + f] = data[(b * T + t) * F + f];
  return out;
}

/** [T, B, F] (at an offset) → [B, T, F]. */
export function batchMajor(data: Float64Array, offset: number, B: number, T: number, F: number): Float64Array {
  const out = new Float64Array(B * T * F);
  for (let t = 0; t < T; t++) for (let b = 0; b < B; b++) for (let f = 0; f < F; f++) out[(b * T + t) * F + f] = data[offset + (t * B + b) * F + f];
  return out;
}

export interface CellRun {
  output: Float32Array;
  finalState: Record<string, Float32Array>;
  dInput: Float32Array;
  dInitialState: Record<string, Float32Array>;
  dWeights: Record<string, Float32Array>;
}

export interface CellData {
  x: Float32Array;
  h0: Float32Array;
  c0: Float32Array;
  dOut: Float32Array;
  dhT: Float32Array;
  dcT: Float32Array;
}

export function cellData(d: Dims, seed: number): CellData {
  const { T, B, I, H } = d;
  return {
    x: randomFloat32(B * T * I, seed),
    h0: randomFloat32(B * H, seed + 1, -0.5, 0.5),
    c0: randomFloat32(B * H, seed + 2),
    dOut: randomFloat32(B * T * H, seed + 3),
    dhT: randomFloat32(B * H, seed + 4),
    dcT: randomFloat32(B * H, seed + 5),
  };
}

/** `mask` (optional): [B, T] of 0/1 given to forward() as options.mask, or B lengths given as options.lengths. */
export function runLayer(layer: RecurrentLayer, c: CellCase, d: Dims, data: CellData, mask?: Float32Array | number[]): CellRun {
  const { T, B, I, H } = d;
  const lstm = c.cell === 'LSTM';
  const h0 = c.cell === 'SimpleRNN' && c.activation === 'relu' ? data.h0.map(Math.abs) : data.h0;
  const initialState = lstm ? { h: { data: h0, shape: [B, H] }, c: { data: data.c0, shape: [B, H] } } : { h: { data: h0, shape: [B, H] } };
  const masking = mask === undefined ? {} : Array.isArray(mask) ? { lengths: mask } : { mask: { data: mask, shape: [B, T] } };
  const fwd = layer.forward({ data: data.x, shape: [B, T, I] }, { initialState, ...masking });
  const dFinalState = lstm ? { h: { data: data.dhT, shape: [B, H] }, c: { data: data.dcT, shape: [B, H] } } : { h: { data: data.dhT, shape: [B, H] } };
  const bwd = layer.backward(fwd.cache, { dOutput: { data: data.dOut, shape: [B, T, H] }, dFinalState });
  const pick = (o: Record<string, { data: Float32Array }>) => Object.fromEntries(Object.entries(o).map(([k, v]) => [k, v.data]));
  return {
    output: fwd.output.data, finalState: pick(fwd.finalState),
    dInput: bwd.dInput.data, dInitialState: pick(bwd.dInitialState), dWeights: pick(bwd.dWeights),
  };
}

export interface ReferenceRun {
  output: Float64Array;
  finalState: Record<string, Float64Array>;
  dInput: Float64Array;
  dInitialState: Record<string, Float64Array>;
  dWeights: Record<string, Float64Array>;
}

/** The same computation in f64 from the layer's (native) weights; `mask` as for runLayer. */
export function runReference(layer: RecurrentLayer, c: CellCase, d: Dims, data: CellData, maskBT?: Float32Array): ReferenceRun {
  const { T, B, I, H } = d;
  const w = Object.fromEntries(Object.entries(layer.getWeights()).map(([k, v]) => [k, Float64Array.from(v.data)]));
  const mask = maskBT ? timeMajor(maskBT, B, T, 1) : null;
  const x = timeMajor(data.x, B, T, I);
  const dOut = timeMajor(data.dOut, B, T, H);
  const h0 = Float64Array.from(c.cell === 'SimpleRNN' && c.activation === 'relu' ? data.h0.map(Math.abs) : data.h0);
  const last = (a: Float64Array) => a.slice(T * B * H, (T + 1) * B * H);
  if (c.cell === 'SimpleRNN') {
    const variant = c.variant ?? 'elman';
    const p = { weightIh: w.weightIh, weightHh: w.weightHh ?? new Float64Array(0), bias: w.bias };
    const { hAll, act } = rnnForwardReference(p, d, c.activation, x, h0, mask, variant);
    const g = rnnBackwardReference(p, d, c.activation, x, hAll, dOut, data.dhT, mask, variant, act);
    const dWeights: Record<string, Float64Array> = { weightIh: g.dWeightIh, bias: g.dBias };
    if (variant !== 'linear') dWeights.weightHh = g.dWeightHh;
    return {
      output: batchMajor(hAll, B * H, B, T, H), finalState: { h: last(hAll) }, dInput: batchMajor(g.dX, 0, B, T, I),
      dInitialState: { h: g.dh0 }, dWeights,
    };
  }
  if (c.cell === 'LSTM') {
    // A gate without a peephole is the reference's [3H] block with zeros there; the layer's block
    // holds only its gates' vectors (in the order i, f, o), and so does its gradient.
    const gates = c.variant === 'peephole' ? [...(c.peepholes ?? ['i', 'f', 'o'])].map((g) => ['i', 'f', 'o'].indexOf(g)) : [];
    const peephole = new Float64Array(3 * H);
    gates.forEach((gate, k) => peephole.set(w.peephole.subarray(k * H, (k + 1) * H), gate * H));
    const p = { weightIh: w.weightIh, weightHh: w.weightHh, bias: w.bias, peephole };
    const fwd = lstmForwardReference(p, d, c.variant, c.gateActivation, x, h0, data.c0, mask);
    const g = lstmBackwardReference(p, d, c.variant, c.gateActivation, x, fwd, dOut, data.dhT, data.dcT, mask);
    const dWeights: Record<string, Float64Array> = { weightIh: g.dWeightIh, weightHh: g.dWeightHh, bias: g.dBias };
    if (c.variant === 'peephole') {
      dWeights.peephole = new Float64Array(gates.length * H);
      gates.forEach((gate, k) => dWeights.peephole.set(g.dPeephole.subarray(gate * H, (gate + 1) * H), k * H));
    }
    return {
      output: batchMajor(fwd.hAll, B * H, B, T, H), finalState: { h: last(fwd.hAll), c: last(fwd.cAll) }, dInput: batchMajor(g.dX, 0, B, T, I),
      dInitialState: { h: g.dh0, c: g.dc0 }, dWeights,
    };
  }
  const p = { weightIh: w.weightIh, weightHh: w.weightHh, biasIh: w.biasIh, biasHh: w.biasHh ?? new Float64Array(3 * H) };
  const fwd = gruForwardReference(p, d, c.variant, c.gateActivation, x, h0, mask);
  const g = gruBackwardReference(p, d, c.variant, c.gateActivation, x, fwd, dOut, data.dhT, mask);
  const dWeights: Record<string, Float64Array> = { weightIh: g.dWeightIh, weightHh: g.dWeightHh, biasIh: g.dBiasIh };
  if (c.variant === 'resetAfter') dWeights.biasHh = g.dBiasHh;
  return {
    output: batchMajor(fwd.hAll, B * H, B, T, H), finalState: { h: last(fwd.hAll) }, dInput: batchMajor(g.dX, 0, B, T, I),
    dInitialState: { h: g.dh0 }, dWeights,
  };
}
