// ONNX export and import (issue #17), checked by onnxruntime-web (its WebAssembly build, run in
// Node, loaded from node_modules): for every exportable layer kind and a few stacks, ORT's
// outputs on random inputs equal predict() within 1e-5 of their scale; fromONNX(toONNX(model))
// predicts the same bits; an ONNX file written as torch.onnx.export writes nn.LSTM (built here
// with protobufjs from the .proto text, independently of the library's descriptor) imports to
// the outputs of the same weights given to setWeights(…, { format: 'pytorch' }), and so do nn.GRU
// and nn.RNN files, batch-first or not.
import { beforeAll, describe, expect, it } from 'vitest';
import * as ort from 'onnxruntime-web';
import protobuf from 'protobufjs';
import {
  init, Sequential, LSTM, GRU, SimpleRNN, Bidirectional, Dense, Embedding, Dropout, Conv1D, Conv2D, MaxPooling1D, AveragePooling1D, MaxPooling2D, AveragePooling2D,
  GlobalAveragePooling1D, GlobalMaxPooling1D, GlobalAveragePooling2D, GlobalMaxPooling2D, Flatten, TCN, TDNN, type Backend,
} from '../src/index.js';
import { toONNX, fromONNX } from '../src/onnx/index.js';
import { expectCloseToScale, expectSameBits, thrown } from './helpers/compare.js';
import { makeRandom, randomFloat32 } from './helpers/random.js';
import type { SequentialLayer } from '../src/models/sequential.js';

let backend: Backend;
const fetched: string[] = [];

beforeAll(async () => {
  backend = await init();
  ort.env.wasm.numThreads = 1;
  // ORT must load its .wasm from node_modules, never over the network: fetch is refused while the first session starts.
  const realFetch = globalThis.fetch;
  globalThis.fetch = (input: string | URL | Request) => {
    fetched.push(String(input instanceof Request ? input.url : input));
    return Promise.reject(new Error('no network in tests'));
  };
  try {
    const probe = new Sequential({ inputSize: 2, seed: 1, layers: [new Dense({ units: 1 })] });
    await ort.InferenceSession.create(toONNX(probe), { executionProviders: ['wasm'] });
    probe.dispose();
  } finally {
    globalThis.fetch = realFetch;
  }
});

/** Every weight replaced by uniform values in [−0.6, 0.6) (peepholes and biases included, so nothing is trivially zero). */
function randomize(model: Sequential, seed: number): void {
  let k = seed;
  model.setWeights(model.getWeights().map((w) => Object.fromEntries(Object.entries(w).map(([key, t]) => [key, { data: randomFloat32(t.data.length, k++, -0.6, 0.6), shape: t.shape }]))));
}

async function runORT(bytes: Uint8Array, input: ort.Tensor): Promise<{ data: Float32Array; dims: readonly number[] }> {
  const session = await ort.InferenceSession.create(bytes, { executionProviders: ['wasm'] });
  try {
    const out = await session.run({ input });
    return { data: out.output.data as Float32Array, dims: out.output.dims };
  } finally {
    await session.release();
  }
}

/** Random inputs for a model: floats [B, T, I], or ids [B, T] (ORT: int64) for an Embedding model. */
function inputsFor(model: Sequential, B: number, T: number, seed: number): { ours: { data: Float32Array; shape: number[] }; theirs: ort.Tensor } {
  if (model.layers[0] instanceof Embedding) {
    const V = model.layers[0].vocabSize;
    const next = makeRandom(seed);
    const ids = Float32Array.from({ length: B * T }, () => Math.floor(next() * V));
    return { ours: { data: ids, shape: [B, T] }, theirs: new ort.Tensor('int64', BigInt64Array.from(ids, (v) => BigInt(v)), [B, T]) };
  }
  if (model.inputShape) {
    // Images: B of them (T unused).
    const shape = [B, ...model.inputShape];
    const x = randomFloat32(shape.reduce((a, b) => a * b, 1), seed, -1.5, 1.5);
    return { ours: { data: x, shape }, theirs: new ort.Tensor('float32', x, shape) };
  }
  const x = randomFloat32(B * T * model.inputSize, seed, -1.5, 1.5);
  return { ours: { data: x, shape: [B, T, model.inputSize] }, theirs: new ort.Tensor('float32', x, [B, T, model.inputSize]) };
}

/** ORT on toONNX(model) vs predict, on two batch/time sizes through one file (the axes are dynamic). */
async function expectSameAsORT(label: string, model: Sequential, seed: number, sizes = [[3, 5], [1, 2]]): Promise<Uint8Array> {
  const bytes = toONNX(model);
  for (const [B, T] of sizes) {
    const { ours, theirs } = inputsFor(model, B, T, seed + B);
    const want = model.predict(ours);
    const got = await runORT(bytes, theirs);
    expect(got.dims, `${label} B${B} T${T}`).toEqual(want.shape);
    expectCloseToScale(`${label} B${B} T${T}`, got.data, want.data, 1e-5);
  }
  return bytes;
}

const CASES: [string, () => SequentialLayer[]][] = [
  ['SimpleRNN tanh, last state', () => [new SimpleRNN({ units: 6 })]],
  ['SimpleRNN relu, sequences', () => [new SimpleRNN({ units: 5, activation: 'relu', returnSequences: true })]],
  ['SimpleRNN sigmoid', () => [new SimpleRNN({ units: 4, activation: 'sigmoid' })]],
  ['LSTM standard, sequences', () => [new LSTM({ units: 7, returnSequences: true })]],
  ['LSTM standard, last state', () => [new LSTM({ units: 5 })]],
  ['LSTM peephole (i, f, o)', () => [new LSTM({ units: 5, variant: 'peephole', returnSequences: true })]],
  ['LSTM peephole (o only)', () => [new LSTM({ units: 4, variant: 'peephole', peepholes: ['o'] })]],
  ['LSTM coupled (input_forget)', () => [new LSTM({ units: 5, variant: 'coupled', returnSequences: true })]],
  ['LSTM noForget', () => [new LSTM({ units: 5, variant: 'noForget', returnSequences: true })]],
  ['LSTM hardSigmoid gates', () => [new LSTM({ units: 5, gateActivation: 'hardSigmoid' })]],
  ['GRU resetAfter (linear_before_reset 1)', () => [new GRU({ units: 6, returnSequences: true })]],
  ['GRU resetBefore (linear_before_reset 0)', () => [new GRU({ units: 5, variant: 'resetBefore' })]],
  ['GRU hardSigmoid gates', () => [new GRU({ units: 4, gateActivation: 'hardSigmoid', returnSequences: true })]],
  ['Bidirectional LSTM concat, sequences', () => [new Bidirectional({ layer: new LSTM({ units: 4, returnSequences: true }) })]],
  ['Bidirectional GRU concat, last state', () => [new Bidirectional({ layer: new GRU({ units: 4 }) })]],
  ['Bidirectional SimpleRNN sum, sequences', () => [new Bidirectional({ layer: new SimpleRNN({ units: 4, returnSequences: true }), merge: 'sum' })]],
  ['Bidirectional LSTM ave, last state', () => [new Bidirectional({ layer: new LSTM({ units: 4 }), merge: 'ave' })]],
  ['Dense linear and relu on every step', () => [new LSTM({ units: 4, returnSequences: true }), new Dense({ units: 5, activation: 'relu' }), new Dense({ units: 2 })]],
  ['Dense tanh, sigmoid, softmax on the last state', () => [new GRU({ units: 4 }), new Dense({ units: 5, activation: 'tanh' }), new Dense({ units: 4, activation: 'sigmoid' }), new Dense({ units: 3, activation: 'softmax' })]],
  ['Dense without bias, Dropout', () => [new SimpleRNN({ units: 4, returnSequences: true }), new Dropout({ rate: 0.3 }), new Dense({ units: 3, useBias: false })]],
  ['Embedding (Gather) + GRU + softmax', () => [new Embedding({ vocabSize: 11, units: 4 }), new GRU({ units: 5, returnSequences: true }), new Dense({ units: 11, activation: 'softmax' })]],
  ['stack: LSTM, LSTM, Dense', () => [new LSTM({ units: 6, returnSequences: true }), new LSTM({ units: 5 }), new Dense({ units: 2 })]],
  ['stack: Bidirectional LSTM, GRU, Dense softmax', () => [new Bidirectional({ layer: new LSTM({ units: 4, returnSequences: true }) }), new GRU({ units: 5 }), new Dense({ units: 3, activation: 'softmax' })]],
  ['stack: Bidirectional GRU ×2', () => [new Bidirectional({ layer: new GRU({ units: 3, returnSequences: true }) }), new Bidirectional({ layer: new GRU({ units: 3, returnSequences: true }) })]],
];

/** Layers with the model's input: sequences of 3 features, or images [H, W, C]. */
const CONV_CASES: [string, () => SequentialLayer[], (readonly [number, number, number])?][] = [
  ['Conv1D causal dilated, relu', () => [new Conv1D({ filters: 4, kernelSize: 3, dilation: 2, activation: 'relu' })]],
  ['Conv1D same (even kernel), tanh', () => [new Conv1D({ filters: 4, kernelSize: 4, padding: 'same', activation: 'tanh' })]],
  ['Conv1D same dilated, strides 2 (a Pad computed from T)', () => [new Conv1D({ filters: 3, kernelSize: 3, padding: 'same', strides: 2, dilation: 2 })]],
  ['Conv1D valid, strides 2, sigmoid', () => [new Conv1D({ filters: 5, kernelSize: 2, padding: 'valid', strides: 2, activation: 'sigmoid' })]],
  ['Conv1D causal strides 3, groups 3, no bias', () => [new Conv1D({ filters: 6, kernelSize: 2, strides: 3, groups: 3, useBias: false })]],
  ['Conv1D same, strides 3, kernel 2 (SAME_UPPER; no padding at T 6)', () => [new Conv1D({ filters: 3, kernelSize: 2, padding: 'same', strides: 3 })]],
  ['TDNN context [−2, 0, 2] (a lattice), relu', () => [new TDNN({ units: 4, context: [-2, 0, 2], activation: 'relu' })]],
  ['TDNN sparse context [−4, −1, 0], no bias', () => [new TDNN({ units: 3, context: [-4, -1, 0], useBias: false })]],
  ['TDNN context [1, 3] (look-ahead only), tanh', () => [new TDNN({ units: 3, context: [1, 3], activation: 'tanh' })]],
  ['TCN (no normalization), relu, sequences', () => [new TCN({ filters: 4, kernelSize: 2, dilations: [1, 2], returnSequences: true })]],
  ['TCN weight norm, skip connections, tanh, last step → Dense', () => [new TCN({ filters: 3, kernelSize: 3, dilations: [1, 2], stacks: 2, normalization: 'weight', skipConnections: true, activation: 'tanh' }), new Dense({ units: 2 })]],
  ['TCN layer norm, inputSize = filters (identity residual), no bias', () => [new TCN({ filters: 3, kernelSize: 2, dilations: [1, 4], normalization: 'layer', useBias: false, returnSequences: true })]],
  ['MaxPooling1D valid', () => [new Conv1D({ filters: 4, kernelSize: 2 }), new MaxPooling1D({ poolSize: 2 })]],
  ['MaxPooling1D same, strides 2', () => [new MaxPooling1D({ poolSize: 3, strides: 2, padding: 'same' })]],
  ['MaxPooling1D same, poolSize 2, strides 3', () => [new MaxPooling1D({ poolSize: 2, strides: 3, padding: 'same' })]],
  ['AveragePooling1D same, poolSize 2, strides 3', () => [new AveragePooling1D({ poolSize: 2, strides: 3, padding: 'same' })]],
  ['AveragePooling1D same (mean of real steps)', () => [new AveragePooling1D({ poolSize: 3, padding: 'same' })]],
  ['AveragePooling1D same, strides 1', () => [new AveragePooling1D({ poolSize: 4, strides: 1, padding: 'same' })]],
  ['GlobalMaxPooling1D → Dense', () => [new Conv1D({ filters: 4, kernelSize: 2, padding: 'same' }), new GlobalMaxPooling1D(), new Dense({ units: 2 })]],
  ['stack: Conv1D causal dilated → GlobalAveragePooling1D → Dense', () => [
    new Conv1D({ filters: 5, kernelSize: 3, dilation: 1, activation: 'relu' }), new Conv1D({ filters: 5, kernelSize: 3, dilation: 2, activation: 'relu' }),
    new GlobalAveragePooling1D(), new Dense({ units: 3, activation: 'softmax' })]],
  ['stack: Conv1D → LSTM → Dense on every step', () => [new Conv1D({ filters: 4, kernelSize: 2, padding: 'same' }), new LSTM({ units: 3, returnSequences: true }), new Dense({ units: 2 })]],
  ['Conv2D valid, relu (image output)', () => [new Conv2D({ filters: 3, kernelSize: 3, activation: 'relu' })], [6, 5, 2]],
  ['Conv2D same, strides 2, dilation [1, 2], groups 2', () => [new Conv2D({ filters: 4, kernelSize: [2, 3], strides: 2, dilation: [1, 2], padding: 'same', groups: 2 })], [7, 8, 2]],
  ['Conv2D valid, strides 2 (rows left over), tanh', () => [new Conv2D({ filters: 2, kernelSize: 2, strides: 2, activation: 'tanh' })], [5, 6, 3]],
  ['MaxPooling2D same, AveragePooling2D same (mean of real cells)', () => [new MaxPooling2D({ poolSize: 3, strides: 2, padding: 'same' }), new AveragePooling2D({ poolSize: 2, padding: 'same' })], [7, 6, 2]],
  ['GlobalAveragePooling2D, GlobalMaxPooling2D heads', () => [new Conv2D({ filters: 3, kernelSize: 2 }), new GlobalAveragePooling2D()], [4, 5, 2]],
  ['GlobalMaxPooling2D → Dense', () => [new Conv2D({ filters: 3, kernelSize: 2, padding: 'same' }), new GlobalMaxPooling2D(), new Dense({ units: 2, activation: 'sigmoid' })], [4, 4, 1]],
  ['stack: Conv2D → MaxPooling2D → Flatten → Dense softmax', () => [
    new Conv2D({ filters: 4, kernelSize: 3, padding: 'same', activation: 'relu' }), new MaxPooling2D(), new Conv2D({ filters: 3, kernelSize: 2, activation: 'relu' }),
    new Flatten(), new Dense({ units: 4, activation: 'softmax' })], [6, 6, 2]],
];

/** Exported, not imported: 1-D 'same' pooling with strides > poolSize (a computed Pad of −∞, or a mean over a count of ones), TCN. */
const EXPORT_ONLY = new Set(['MaxPooling1D same, poolSize 2, strides 3', 'AveragePooling1D same, poolSize 2, strides 3',
  'TCN (no normalization), relu, sequences', 'TCN weight norm, skip connections, tanh, last step → Dense', 'TCN layer norm, inputSize = filters (identity residual), no bias']);

describe('toONNX: onnxruntime-web computes what predict computes', () => {
  it('loads its WebAssembly from node_modules (no fetch)', () => {
    expect(fetched).toEqual([]);
  });

  CASES.forEach(([label, layers], i) => {
    it(label, async () => {
      const first = layers();
      const model = new Sequential({ ...(first[0] instanceof Embedding ? {} : { inputSize: 3 }), seed: 10 + i, layers: first });
      randomize(model, 100 * i);
      const bytes = await expectSameAsORT(label, model, i);
      // Import → the same model bit for bit (the same layers and weights), and export again → ORT agrees.
      const again = fromONNX(bytes);
      expect(again.layers.map((l) => l.kind)).toEqual(model.layers.filter((l) => !(l instanceof Dropout)).map((l) => l.kind));
      const { ours } = inputsFor(model, 2, 4, 77);
      expectSameBits(`${label}: fromONNX predict`, again.predict(ours).data, model.predict(ours).data);
      await expectSameAsORT(`${label} (imported, exported again)`, again, i + 50, [[2, 3]]);
      again.dispose();
      model.dispose();
    });
  });

  CONV_CASES.forEach(([label, layers, image], i) => {
    it(label, async () => {
      const model = new Sequential({ ...(image ? { inputShape: image } : { inputSize: 3 }), seed: 40 + i, layers: layers() });
      randomize(model, 300 + 100 * i);
      // Sequences: two batch sizes and times (7 and 6 steps: strided 'same' pads differently); images: two batch sizes.
      const bytes = await expectSameAsORT(label, model, 200 + i, image ? [[3, 1], [1, 1]] : [[3, 7], [2, 6]]);
      if (EXPORT_ONLY.has(label)) {
        // Refused by name: the Pad of −∞, count_include_pad 1, the TCN's residual Add or its LayerNormalization.
        expect(thrown(() => fromONNX(bytes)).message).toMatch(/^fromONNX: node '(Pad|AveragePool|Add|LayerNormalization)_\d+' \((Pad|AveragePool|Add|LayerNormalization)\): /);
        model.dispose();
        return;
      }
      // Import → the same predictions bit for bit, and export again → ORT agrees. A TDNN whose lattice pads as a
      // causal or 'same' Conv1D does comes back as that Conv1D (the same kernel call).
      const again = fromONNX(bytes);
      const kinds = again.layers.map((l) => l.kind);
      expect(kinds.map((k, j) => (k === 'Conv1D' && model.layers[j].kind === 'TDNN' ? 'TDNN' : k))).toEqual(model.layers.map((l) => l.kind));
      const { ours } = inputsFor(model, 2, 6, 77);
      expectSameBits(`${label}: fromONNX predict`, again.predict(ours).data, model.predict(ours).data);
      await expectSameAsORT(`${label} (imported, exported again)`, again, i + 50, [[2, image ? 1 : 7]]);
      again.dispose();
      model.dispose();
    });
  });

  it('opset 13 and 21 files run too', async () => {
    const model = new Sequential({ inputSize: 3, seed: 1, layers: [new Bidirectional({ layer: new LSTM({ units: 3 }), merge: 'ave' }), new Dense({ units: 2 })] });
    randomize(model, 5);
    const { ours, theirs } = inputsFor(model, 2, 3, 9);
    for (const opset of [13, 21]) expectCloseToScale(`opset ${opset}`, (await runORT(toONNX(model, { opset }), theirs)).data, model.predict(ours).data, 1e-5);
    model.dispose();
    // The convolution family: a computed Pad, SAME_UPPER pooling, a weight-normed TCN, global pooling.
    const conv = new Sequential({ inputSize: 3, seed: 2, layers: [
      new Conv1D({ filters: 4, kernelSize: 3, padding: 'same', strides: 2, dilation: 2, activation: 'relu' }), new MaxPooling1D({ poolSize: 2, padding: 'same' }),
      new TCN({ filters: 3, kernelSize: 2, dilations: [1, 2], normalization: 'weight', returnSequences: true }), new GlobalAveragePooling1D(), new Dense({ units: 2 }),
    ] });
    randomize(conv, 6);
    const c = inputsFor(conv, 2, 9, 10);
    for (const opset of [13, 21]) expectCloseToScale(`conv opset ${opset}`, (await runORT(toONNX(conv, { opset }), c.theirs)).data, conv.predict(c.ours).data, 1e-5);
    conv.dispose();
  });

  it('refuses what ONNX cannot express, naming the layer and the variant', () => {
    const linear = new Sequential({ inputSize: 2, layers: [new SimpleRNN({ units: 3, variant: 'linear' })] });
    expect(thrown(() => toONNX(linear))).toEqual({
      type: 'RangeError',
      message: "toONNX: layers[0] (SimpleRNN): SimpleRNN variant 'linear' has no ONNX operator (ONNX's RNN is the Elman recurrence h = f(x·W + h·R + b)); only variant 'elman' can be exported",
    });
    const conv = new Sequential({ inputSize: 2, layers: [new Conv1D({ filters: 2, kernelSize: 2 }), new TCN({ filters: 2, kernelSize: 2, dilations: [1, 2], normalization: 'layer' })] });
    expect(thrown(() => toONNX(conv, { opset: 16 }))).toEqual({
      type: 'RangeError',
      message: "toONNX: layers[1] (TCN): a TCN with normalization 'layer' needs LayerNormalization, opset 17 or later; got options.opset 16",
    });
    expect(thrown(() => toONNX(linear, { opset: 12 })).message).toBe('toONNX: options.opset must be in [13, 21], got 12');
    linear.dispose();
    conv.dispose();
  });
});

// ---- a file written the way torch.onnx.export writes nn.LSTM (TorchScript exporter, batch_first=True) ----

// onnx.proto's messages, as proto text (field numbers from onnx/onnx.proto), parsed by protobufjs: independent of src/onnx/proto.ts.
const ONNX_PROTO = `
syntax = "proto2";
package onnx;
message AttributeProto { optional string name = 1; optional float f = 2; optional int64 i = 3; optional bytes s = 4; optional TensorProto t = 5;
  repeated float floats = 7; repeated int64 ints = 8; repeated bytes strings = 9; optional int32 type = 20; }
message ValueInfoProto { optional string name = 1; optional TypeProto type = 2; }
message NodeProto { repeated string input = 1; repeated string output = 2; optional string name = 3; optional string op_type = 4; repeated AttributeProto attribute = 5; }
message ModelProto { optional int64 ir_version = 1; repeated OperatorSetIdProto opset_import = 8; optional string producer_name = 2; optional GraphProto graph = 7; }
message GraphProto { repeated NodeProto node = 1; optional string name = 2; repeated TensorProto initializer = 5; repeated ValueInfoProto input = 11; repeated ValueInfoProto output = 12; }
message TensorProto { repeated int64 dims = 1; optional int32 data_type = 2; repeated float float_data = 4 [packed = true]; repeated int64 int64_data = 7 [packed = true]; optional string name = 8; optional bytes raw_data = 9; }
message TensorShapeProto { message Dimension { optional int64 dim_value = 1; optional string dim_param = 2; } repeated Dimension dim = 1; }
message TypeProto { message Tensor { optional int32 elem_type = 1; optional TensorShapeProto shape = 2; } optional Tensor tensor_type = 1; }
message OperatorSetIdProto { optional string domain = 1; optional int64 version = 2; }
`;

interface TorchConfig {
  cell: 'LSTM' | 'GRU' | 'RNN';
  layers: number;
  bidirectional: boolean;
  /** nn.Linear on out[:, -1, :] ('gather' or 'slice', as torch writes the indexing) or on every step (null). */
  lastStep: 'gather' | 'slice' | null;
  batchFirst: boolean;
}

interface TorchWeights {
  /** PyTorch's state_dict of the recurrent module: weight_ih_l{k}[_reverse] [G·H, I_k], weight_hh [G·H, H], bias_ih, bias_hh [G·H]. */
  state: Record<string, { data: Float32Array; shape: number[] }>;
  linear: { weight: Float32Array; bias: Float32Array };
}

const GATES = { LSTM: 4, GRU: 3, RNN: 1 } as const;
/** torch writes the end of out[:, -1:, :] as 2⁶³ − 1 (a Long: a JS number cannot hold it). */
const INT64_MAX = (protobuf.util.Long as unknown as { MAX_VALUE: unknown }).MAX_VALUE;
/** torch's gate blocks → ONNX's: LSTM i, f, g, o → i, o, f, c; GRU r, z, n → z, r, h (ONNX block k = torch block ORDER[k]). */
const TORCH_TO_ONNX = { LSTM: [0, 3, 1, 2], GRU: [1, 0, 2], RNN: [0] } as const;

/** Rows of a [G·H, cols] torch matrix (or a [G·H] vector, cols 1) in ONNX's gate order. */
function onnxOrder(cell: TorchConfig['cell'], m: Float32Array, H: number, cols: number): Float32Array {
  const out = new Float32Array(m.length);
  TORCH_TO_ONNX[cell].forEach((from, to) => out.set(m.subarray(from * H * cols, (from + 1) * H * cols), to * H * cols));
  return out;
}

/** The ONNX file the TorchScript exporter writes for `linear(rnn(x)[0][:, -1, :])` or `linear(rnn(x)[0])`, zero initial states built from the input's shape. */
function torchStyleFile(I: number, H: number, out: number, c: TorchConfig, weights: TorchWeights): Uint8Array {
  const root = protobuf.parse(ONNX_PROTO, { keepCase: true }).root;
  const Model = root.lookupType('onnx.ModelProto');
  const D = c.bidirectional ? 2 : 1;
  const G = GATES[c.cell];
  const initializer: object[] = [];
  const node: object[] = [];
  let count = 0;
  const floats = (name: string, data: Float32Array, dims: number[]) => {
    initializer.push({ name, dims, data_type: 1, raw_data: new Uint8Array(data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength)) });
    return name;
  };
  const ints = (data: unknown[], dims = [data.length]) => {
    const name = `onnx::Constant_${count++}`;
    node.push({ op_type: 'Constant', name: `Constant_${count}`, input: [], output: [name], attribute: [{ name: 'value', type: 4, t: { dims, data_type: 7, int64_data: data } }] });
    return name;
  };
  const add = (op: string, input: string[], attribute: object[] = [], outputs = 1) => {
    const names = Array.from({ length: outputs }, () => `/${op}_output_${count++}`);
    node.push({ op_type: op, name: `/${op}_${count++}`, input, output: names, attribute });
    return names;
  };
  const perm = (p: number[]) => [{ name: 'perm', type: 7, ints: p }];
  // h0 (and c0) = zeros(layers·D, batch, H), sized from the input's shape as torch traces torch.zeros(..., x.size(b), ...).
  const batch = add('Gather', [add('Shape', ['input'])[0], ints([c.batchFirst ? 0 : 1])], [{ name: 'axis', type: 2, i: 0 }])[0];
  const h0shape = add('Concat', [ints([c.layers * D]), batch, ints([H])], [{ name: 'axis', type: 2, i: 0 }])[0];
  const zeros = add('ConstantOfShape', [h0shape], [{ name: 'value', type: 4, t: { dims: [1], data_type: 1, float_data: [0] } }])[0];
  let x = c.batchFirst ? add('Transpose', ['input'], perm([1, 0, 2]))[0] : 'input'; // [time, batch, I]
  for (let k = 0; k < c.layers; k++) {
    const Ik = k === 0 ? I : D * H;
    const dirs = c.bidirectional ? ['', '_reverse'] : [''];
    const stack = (key: string, cols: number) => {
      const parts = dirs.map((s) => onnxOrder(c.cell, weights.state[`${key}_l${k}${s}`].data, H, cols));
      const all = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
      parts.forEach((p, d) => all.set(p, d * p.length));
      return all;
    };
    const W = floats(`onnx::${c.cell}_W_${k}`, stack('weight_ih', Ik), [D, G * H, Ik]);
    const R = floats(`onnx::${c.cell}_R_${k}`, stack('weight_hh', H), [D, G * H, H]);
    const B = new Float32Array(D * 2 * G * H);
    dirs.forEach((s, d) => {
      B.set(onnxOrder(c.cell, weights.state[`bias_ih_l${k}${s}`].data, H, 1), d * 2 * G * H);
      B.set(onnxOrder(c.cell, weights.state[`bias_hh_l${k}${s}`].data, H, 1), d * 2 * G * H + G * H);
    });
    const Bname = floats(`onnx::${c.cell}_B_${k}`, B, [D, 2 * G * H]);
    const slice = (v: string) => add('Slice', [v, ints([k * D]), ints([(k + 1) * D]), ints([0])])[0];
    const states = c.cell === 'LSTM' ? [slice(zeros), slice(zeros)] : [slice(zeros)];
    const attributes: object[] = [
      { name: 'hidden_size', type: 2, i: H },
      ...(c.bidirectional ? [{ name: 'direction', type: 3, s: new TextEncoder().encode('bidirectional') }] : []),
      ...(c.cell === 'GRU' ? [{ name: 'linear_before_reset', type: 2, i: 1 }] : []),
      ...(c.cell === 'RNN' ? [{ name: 'activations', type: 8, strings: dirs.map(() => new TextEncoder().encode('Tanh')) }] : []),
    ];
    const [Y] = add(c.cell, [x, W, R, Bname, '', ...states], attributes, c.cell === 'LSTM' ? 3 : 2);
    x = c.bidirectional
      ? add('Reshape', [add('Transpose', [Y], perm([0, 2, 1, 3]))[0], ints([0, 0, -1])])[0]
      : add('Squeeze', [Y, ints([1])])[0];
  }
  const F = D * H;
  let y = c.batchFirst ? add('Transpose', [x], perm([1, 0, 2]))[0] : x; // [batch, time, F] (batch_first) or [time, batch, F]
  const timeAxis = c.batchFirst ? 1 : 0;
  if (c.lastStep) {
    // out[:, -1, :]: a Gather of index −1, or a Slice of [-1:] then a Squeeze; nn.Linear on [batch, F] is a Gemm with transB = 1.
    y = c.lastStep === 'gather'
      ? add('Gather', [y, ints([-1], [])], [{ name: 'axis', type: 2, i: timeAxis }])[0]
      : add('Squeeze', [add('Slice', [y, ints([-1]), ints([INT64_MAX]), ints([timeAxis]), ints([1])])[0], ints([timeAxis])])[0];
    y = add('Gemm', [y, floats('fc.weight', weights.linear.weight, [out, F]), floats('fc.bias', weights.linear.bias, [out])], [{ name: 'alpha', type: 1, f: 1 }, { name: 'beta', type: 1, f: 1 }, { name: 'transB', type: 2, i: 1 }])[0];
  } else {
    // nn.Linear on [·, ·, F]: MatMul with the transposed weight (folded into an initializer), then Add.
    const wT = new Float32Array(out * F);
    for (let o = 0; o < out; o++) for (let f = 0; f < F; f++) wT[f * out + o] = weights.linear.weight[o * F + f];
    y = add('Add', [add('MatMul', [y, floats('onnx::MatMul_fc', wT, [F, out])])[0], floats('fc.bias', weights.linear.bias, [out])])[0];
  }
  node.push({ op_type: 'Identity', name: 'out', input: [y], output: ['output'], attribute: [] });
  const dims = (shape: (number | string)[]) => ({ dim: shape.map((d) => (typeof d === 'number' ? { dim_value: d } : { dim_param: d })) });
  const sequenceAxes = c.batchFirst ? ['batch', 'time'] : ['time', 'batch'];
  const message = {
    ir_version: 8, producer_name: 'pytorch', opset_import: [{ domain: '', version: 17 }],
    graph: {
      name: 'main_graph', node, initializer,
      input: [{ name: 'input', type: { tensor_type: { elem_type: 1, shape: dims([...sequenceAxes, I]) } } }],
      output: [{ name: 'output', type: { tensor_type: { elem_type: 1, shape: dims(c.lastStep ? ['batch', out] : [...sequenceAxes, out]) } } }],
    },
  };
  const error = Model.verify(message);
  if (error) throw new Error(error);
  return Model.encode(Model.fromObject(message)).finish();
}

function torchWeights(I: number, H: number, out: number, c: TorchConfig, seed: number): TorchWeights {
  const state: TorchWeights['state'] = {};
  const G = GATES[c.cell];
  let s = seed;
  for (let k = 0; k < c.layers; k++) {
    for (const suffix of c.bidirectional ? ['', '_reverse'] : ['']) {
      const Ik = k === 0 ? I : (c.bidirectional ? 2 : 1) * H;
      state[`weight_ih_l${k}${suffix}`] = { data: randomFloat32(G * H * Ik, s++, -0.5, 0.5), shape: [G * H, Ik] };
      state[`weight_hh_l${k}${suffix}`] = { data: randomFloat32(G * H * H, s++, -0.5, 0.5), shape: [G * H, H] };
      state[`bias_ih_l${k}${suffix}`] = { data: randomFloat32(G * H, s++, -0.5, 0.5), shape: [G * H] };
      state[`bias_hh_l${k}${suffix}`] = { data: randomFloat32(G * H, s++, -0.5, 0.5), shape: [G * H] };
    }
  }
  const F = (c.bidirectional ? 2 : 1) * H;
  return { state, linear: { weight: randomFloat32(out * F, s++, -0.5, 0.5), bias: randomFloat32(out * 1, s, -0.5, 0.5) } };
}

/** The same network built by hand, weights given in PyTorch's layout (what users do today). */
function byHand(I: number, H: number, out: number, c: TorchConfig, w: TorchWeights): Sequential {
  const made: SequentialLayer[] = [];
  const weights: Record<string, unknown>[] = [];
  for (let k = 0; k < c.layers; k++) {
    const options = { units: H, returnSequences: !(c.lastStep && k === c.layers - 1) };
    const layer = c.cell === 'LSTM' ? new LSTM(options) : c.cell === 'GRU' ? new GRU(options) : new SimpleRNN(options);
    made.push(c.bidirectional ? new Bidirectional({ layer }) : layer);
    const mine: Record<string, unknown> = {};
    for (const suffix of c.bidirectional ? ['', '_reverse'] : ['']) {
      for (const key of ['weight_ih', 'weight_hh', 'bias_ih', 'bias_hh']) mine[`${key}${suffix}`] = w.state[`${key}_l${k}${suffix}`];
    }
    weights.push(mine);
  }
  made.push(new Dense({ units: out }));
  weights.push({ weight: { data: w.linear.weight, shape: [out, (c.bidirectional ? 2 : 1) * H] }, bias: { data: w.linear.bias, shape: [out] } });
  const model = new Sequential({ inputSize: I, layers: made });
  model.setWeights(weights, { format: 'pytorch' });
  return model;
}

/** [d0, d1, F] → [d1, d0, F]. */
function swapAxes(data: Float32Array, d0: number, d1: number, F: number): Float32Array {
  const out = new Float32Array(data.length);
  for (let a = 0; a < d0; a++) for (let b = 0; b < d1; b++) out.set(data.subarray((a * d1 + b) * F, (a * d1 + b + 1) * F), (b * d0 + a) * F);
  return out;
}

describe('fromONNX: files written the way torch.onnx.export writes nn.LSTM / nn.GRU / nn.RNN', () => {
  const CONFIGS: TorchConfig[] = [
    { cell: 'LSTM', layers: 1, bidirectional: false, lastStep: 'gather', batchFirst: true },
    { cell: 'LSTM', layers: 2, bidirectional: false, lastStep: null, batchFirst: true },
    { cell: 'LSTM', layers: 1, bidirectional: true, lastStep: null, batchFirst: true },
    { cell: 'LSTM', layers: 2, bidirectional: true, lastStep: null, batchFirst: false },
    { cell: 'GRU', layers: 2, bidirectional: false, lastStep: 'slice', batchFirst: true },
    { cell: 'GRU', layers: 1, bidirectional: true, lastStep: null, batchFirst: true },
    { cell: 'RNN', layers: 2, bidirectional: true, lastStep: null, batchFirst: true },
    { cell: 'RNN', layers: 1, bidirectional: false, lastStep: 'gather', batchFirst: false },
  ];
  CONFIGS.forEach((c, k) => {
    const what = `nn.${c.cell}(num_layers=${c.layers}${c.bidirectional ? ', bidirectional=True' : ''}${c.batchFirst ? ', batch_first=True' : ''}), nn.Linear on ${c.lastStep ? `out[:, -1, :] (${c.lastStep === 'gather' ? 'Gather' : 'Slice'})` : 'every step'}`;
    it(what, async () => {
      const I = 3, H = 5, out = 2, B = 4, T = 6;
      const w = torchWeights(I, H, out, c, 1000 + 100 * k);
      const bytes = torchStyleFile(I, H, out, c, w);
      const imported = fromONNX(bytes);
      const reference = byHand(I, H, out, c, w);
      const x = randomFloat32(B * T * I, 7 + k, -1.5, 1.5);
      const data = { data: x, shape: [B, T, I] };
      const want = reference.predict(data);
      expectSameBits(`${what}: imported vs setWeights(pytorch)`, imported.predict(data).data, want.data);
      // The file is ONNX as ORT reads it (so it says what we think it says), and the import exports again to the same outputs.
      const ortInput = c.batchFirst ? new ort.Tensor('float32', x, [B, T, I]) : new ort.Tensor('float32', swapAxes(x, B, T, I), [T, B, I]);
      const fromFile = (await runORT(bytes, ortInput)).data;
      expectCloseToScale('ORT on the torch-style file', c.batchFirst || c.lastStep ? fromFile : swapAxes(fromFile, T, B, out), want.data, 1e-5);
      expectCloseToScale('ORT on toONNX(imported)', (await runORT(toONNX(imported), new ort.Tensor('float32', x, [B, T, I]))).data, want.data, 1e-5);
      imported.dispose();
      reference.dispose();
    });
  });
});

describe('fromONNX refuses what it cannot read, and changes nothing', () => {
  /** toONNX's file for a small LSTM model with one node's operator renamed. */
  function withOperator(from: string, to: string): Uint8Array {
    const model = new Sequential({ inputSize: 2, seed: 3, layers: [new LSTM({ units: 3 }), new Dense({ units: 2, activation: 'tanh' })] });
    const root = protobuf.parse(ONNX_PROTO, { keepCase: true }).root;
    const Model = root.lookupType('onnx.ModelProto');
    const message = Model.toObject(Model.decode(toONNX(model)), { longs: Number }) as { graph: { node: { op_type: string }[] } };
    message.graph.node.find((n) => n.op_type === from)!.op_type = to;
    model.dispose();
    return Model.encode(Model.fromObject(message)).finish();
  }

  it('names the operator it does not read', () => {
    const error = thrown(() => fromONNX(withOperator('Tanh', 'LeakyRelu')));
    expect(error.type).toBe('RangeError');
    expect(error.message).toMatch(/^fromONNX: node 'Tanh_\d+' \(LeakyRelu\): operator 'LeakyRelu' is not supported on the model's data \(fromONNX reads LSTM, GRU, RNN, /);
    expect(thrown(() => fromONNX(withOperator('LSTM', 'Scan'))).message).toMatch(/\(Scan\): operator 'Scan' is not supported/);
  });

  it('rejects bytes that are not ONNX and arguments that are not bytes', () => {
    expect(thrown(() => fromONNX(new Uint8Array([0xff, 0xff, 0xff]))).message).toMatch(/^fromONNX: bytes are not an ONNX model \(protobuf: /);
    expect(thrown(() => fromONNX([1, 2] as unknown as Uint8Array))).toEqual({ type: 'TypeError', message: 'fromONNX: bytes must be a Uint8Array (an ONNX file\'s contents), got Array(2)' });
  });

  it('a failed import leaves no memory behind', () => {
    // A file read to the end whose weights are refused by setWeights (a NaN bias), after the layers and the model were made.
    const model = new Sequential({ inputSize: 8, seed: 3, layers: [new LSTM({ units: 64 }), new Dense({ units: 2 })] });
    const Model = protobuf.parse(ONNX_PROTO, { keepCase: true }).root.lookupType('onnx.ModelProto');
    const message = Model.toObject(Model.decode(toONNX(model)), { longs: Number }) as { graph: { initializer: { name: string; raw_data: Uint8Array }[] } };
    model.dispose();
    const bias = message.graph.initializer.find((t) => t.name.startsWith('dense_bias'))!;
    bias.raw_data = new Uint8Array(Float32Array.of(Number.NaN, 0).buffer);
    const broken = Model.encode(Model.fromObject(message)).finish();
    expect(thrown(() => fromONNX(broken))).toEqual({ type: 'RangeError', message: 'fromONNX: Sequential.setWeights: weights[1] (Dense): Dense.setWeights: weights.bias holds NaN at index 0; weights must be finite' });
    const before = backend.memoryBytes;
    for (let i = 0; i < 200; i++) expect(() => fromONNX(broken)).toThrow(RangeError);
    expect(backend.memoryBytes).toBe(before);
  });
});
