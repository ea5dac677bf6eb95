// toONNX: a Sequential as an ONNX model (opset 13–21), batch and time axes dynamic.
//
// The graph reads what predict() reads — `input` [batch, time, inputSize] floats (int64 token
// ids [batch, time] when the first layer is an Embedding) — and writes what predict() returns —
// `output` [batch, time, units] or [batch, units]. Inside, sequences are time-major [T, B, F],
// as ONNX's recurrent operators (layout 0) and this library's kernels both keep them: one
// Transpose in, one out.
//
// Layer by layer:
//   SimpleRNN (elman)      → RNN, activations [Tanh | Relu | Sigmoid]
//   LSTM standard          → LSTM; W, R [dirs, 4H, ·] gates i, o, f, c; B [dirs, 8H] = [Wb, Rb = 0]
//   LSTM peephole          → LSTM with P [dirs, 3H] = p_i, p_o, p_f (0 for gates without one)
//   LSTM coupled           → LSTM with input_forget = 1 (f = 1 − i; the f blocks of W, R, B are 0)
//   LSTM noForget          → LSTM whose forget gate is constant: W_f = R_f = 0, Wb_f = 1e4, so
//                            σ(1e4) = 1 in float32 and c_t = c_{t−1} + i⊙g exactly
//   GRU resetAfter         → GRU, linear_before_reset = 1; W, R [dirs, 3H, ·] gates z, r, h; B = [Wb, Rb]
//   GRU resetBefore        → GRU, linear_before_reset = 0; B = [Wb, 0]
//   gateActivation hardSigmoid → activations [HardSigmoid(α 0.2, β 0.5), Tanh, Tanh]
//   Bidirectional          → the same operator with direction 'bidirectional'; Y [T, 2, B, H]
//                            → Transpose + Reshape (concat: [forward, backward]) or ReduceSum (sum;
//                            ave: × 0.5); without returnSequences Y_h [2, B, H] likewise
//   returnSequences false  → Y_h [dirs, B, H] → Squeeze (one direction)
//   Dense                  → MatMul + Add on a sequence, Gemm on a vector; Relu / Tanh / Sigmoid /
//                            Softmax (axis −1)
//   Embedding              → Gather (table [vocabSize, units], int64 ids)
//   Dropout                → nothing (identity at inference)
//   Conv1D                 → Transpose to [B, C, T], Conv (W [filters, C/groups, K], dilations,
//                            group), Relu / Tanh / Sigmoid, Transpose back; pads 'causal'
//                            [(K − 1)·d, 0], 'valid' [0, 0], 'same' stride 1 [⌊(K − 1)·d/2⌋, the
//                            rest] (explicit, as convAxis pads), 'same' strided auto_pad SAME_UPPER
//                            (its padding depends on T; SAME_UPPER splits it as convAxis does);
//                            dilated and strided 'same' (onnxruntime refuses SAME_UPPER with
//                            dilation): a Pad whose pads are computed from T in the graph
//   TDNN                   → Conv over the layer's lattice (tdnn.ts: lo … hi, spacing d as dilation),
//                            the lattice taps outside the context 0, pads [−lo, hi]
//   Max/AveragePooling1D   → the same Transposes around MaxPool / AveragePool (count_include_pad 0:
//                            the mean of the real steps, as ours); 'same' with strides > poolSize
//                            (where SAME_UPPER's padding goes negative): a computed Pad (−∞ for
//                            MaxPool; AveragePool of the zero-padded values over that of ones)
//   Conv2D, Max/AveragePooling2D → Transpose NHWC → NCHW, Conv / MaxPool / AveragePool with
//                            explicit pads (the images' sizes are fixed), Transpose back to NHWC
//   GlobalAverage/MaxPooling1D/2D → Transpose to channels-first, GlobalAveragePool /
//                            GlobalMaxPool, Flatten (axis 1) → [B, C]
//   Flatten                → Reshape [0, −1] of the NHWC images (channels-last order, as ours)
//   TCN                    → per residual block two causal Convs (weight norm folded into the kernel,
//                            w = g·v/‖v‖; layer norm as LayerNormalization, opset ≥ 17), activations,
//                            Add of the residual (the input or a 1×1 Conv), activation; skip
//                            connections: Add of the branches; last step: Gather −1 + Squeeze
// Between layers, images stay NHWC [B, H, W, C] (each convolution or pooling transposes in and out).
// SimpleRNN's linear / residual / diagonal recurrences have no ONNX operator; they, and layers
// not listed, are refused with a RangeError naming the layer and what it is.
import { checkInt, checkOptions, describe } from '../errors.js';
import { Sequential, type SequentialLayer } from '../models/sequential.js';
import { SimpleRNN } from '../layers/simple-rnn.js';
import { LSTM } from '../layers/lstm.js';
import { GRU } from '../layers/gru.js';
import { Bidirectional } from '../layers/bidirectional.js';
import { Dense } from '../layers/dense.js';
import { Embedding } from '../layers/embedding.js';
import { Dropout } from '../layers/dropout.js';
import { Conv1D } from '../layers/conv1d.js';
import { Conv2D } from '../layers/conv2d.js';
import { MaxPooling1D, AveragePooling1D, MaxPooling2D, AveragePooling2D } from '../layers/pooling.js';
import { GlobalAveragePooling1D, GlobalMaxPooling1D, GlobalAveragePooling2D, GlobalMaxPooling2D } from '../layers/global-pooling.js';
import { Flatten } from '../layers/flatten.js';
import { TDNN } from '../layers/tdnn.js';
import { TCN } from '../layers/tcn.js';
import { convAxis } from '../kernels/conv.js';
import { poolAxis } from '../kernels/pool.js';
import type { RecurrentLayer } from '../layers/recurrent.js';
import { permuteBlocks, transpose2d } from '../layers/formats.js';
import { GraphBuilder, type AttributeValue } from './graph.js';
import { DataType, encodeModel, type DimensionMessage, type ModelMessage } from './proto.js';

export interface ToONNXOptions {
  /** ONNX operator set, 13–21 (default 17). */
  opset?: number;
}

export const MIN_OPSET = 13;
export const MAX_OPSET = 21;
const DEFAULT_OPSET = 17;
/** The IR version that goes with an opset (onnx/helper.py's table). */
function irVersion(opset: number): number {
  return opset >= 21 ? 10 : opset >= 19 ? 9 : opset >= 15 ? 8 : 7;
}

/** Our LSTM gate blocks i, f, g, o → ONNX's i, o, f, c: ONNX block k is our block LSTM_ORDER[k]. */
export const LSTM_ORDER = [0, 3, 1, 2];
/** Our GRU gate blocks r, z, n → ONNX's z, r, h. */
export const GRU_ORDER = [1, 0, 2];
/** The forget gate's bias in an exported noForget LSTM: σ(1e4) rounds to 1 in float32. */
export const NO_FORGET_BIAS = 1e4;

/** What flows between layers in the graph: the value's name and whether it is a time-major sequence [T, B, F], [B, F] or images [B, H, W, C] (image set). */
interface Stream {
  name: string;
  sequence: boolean;
  image?: readonly [number, number, number];
}

/** The model as ONNX bytes (a ModelProto). Throws a RangeError naming the first layer ONNX cannot express; nothing is changed. */
export function toONNX(model: Sequential, options: ToONNXOptions = {}): Uint8Array {
  const where = 'toONNX';
  if (!(model instanceof Sequential)) throw new TypeError(`${where}: model must be a Sequential, got ${describe(model)}`);
  checkOptions(where, options, ['opset']);
  const opset = options.opset === undefined ? DEFAULT_OPSET : checkInt(where, 'options.opset', options.opset, MIN_OPSET, MAX_OPSET);
  model.layers.forEach((layer, i) => checkExportable(`${where}: layers[${i}] (${layer.kind})`, layer, opset));

  const g = new GraphBuilder();
  const ids = model.layers[0] instanceof Embedding;
  const image = model.inputShape;
  const inputDims: DimensionMessage[] = image
    ? [{ dim_param: 'batch' }, ...image.map((n) => ({ dim_value: n }))]
    : ids ? [{ dim_param: 'batch' }, { dim_param: 'time' }] : [{ dim_param: 'batch' }, { dim_param: 'time' }, { dim_value: model.inputSize }];
  let stream: Stream = image ? { name: 'input', sequence: false, image } : { name: g.op('Transpose', ['input'], { perm: ids ? [1, 0] : [1, 0, 2] }), sequence: true };
  for (const layer of model.layers) stream = exportLayer(g, layer, stream);
  const outputName = 'output';
  const last = stream.sequence ? g.op('Transpose', [stream.name], { perm: [1, 0, 2] }) : stream.name;
  g.nodes.push({ op_type: 'Identity', name: 'output_identity', input: [last], output: [outputName], attribute: [] });
  // A layer that changes the number of steps ('valid' or strided Conv1D, 1-D pooling) gives an output time axis of its own.
  const resampled = model.layers.some((layer) => (layer instanceof Conv1D && layer.outputSteps !== undefined) || layer instanceof MaxPooling1D || layer instanceof AveragePooling1D);
  const outputDims: DimensionMessage[] = stream.image
    ? [{ dim_param: 'batch' }, ...stream.image.map((n) => ({ dim_value: n }))]
    : stream.sequence ? [{ dim_param: 'batch' }, { dim_param: resampled ? 'output_time' : 'time' }, { dim_value: model.outputSize }] : [{ dim_param: 'batch' }, { dim_value: model.outputSize }];

  const message: ModelMessage = {
    ir_version: irVersion(opset),
    opset_import: [{ domain: '', version: opset }],
    producer_name: 'rnn-wasm',
    producer_version: '0.1.0',
    graph: {
      name: 'sequential',
      node: g.nodes,
      initializer: g.initializers,
      input: [{ name: 'input', type: { tensor_type: { elem_type: ids ? DataType.INT64 : DataType.FLOAT, shape: { dim: inputDims } } } }],
      output: [{ name: outputName, type: { tensor_type: { elem_type: DataType.FLOAT, shape: { dim: outputDims } } } }],
    },
  };
  return encodeModel(message);
}

/** Throws a RangeError for a layer (or variant) ONNX cannot express as one operator. */
function checkExportable(where: string, layer: SequentialLayer, opset: number): void {
  const inner = layer instanceof Bidirectional ? layer.forwardLayer : layer;
  if (inner instanceof SimpleRNN && inner.variant !== 'elman') {
    throw new RangeError(`${where}: SimpleRNN variant '${inner.variant}' has no ONNX operator (ONNX's RNN is the Elman recurrence h = f(x·W + h·R + b)); only variant 'elman' can be exported`);
  }
  if (inner instanceof SimpleRNN || inner instanceof LSTM || inner instanceof GRU || layer instanceof Dense || layer instanceof Embedding || layer instanceof Dropout) return;
  if (layer instanceof TCN && layer.normalization === 'layer' && opset < 17) {
    throw new RangeError(`${where}: a TCN with normalization 'layer' needs LayerNormalization, opset 17 or later; got options.opset ${opset}`);
  }
  if (CONVOLUTIONAL.some((kind) => layer instanceof kind)) return;
  throw new RangeError(`${where}: ${layer.kind} has no ONNX export (exported: SimpleRNN, LSTM, GRU, Bidirectional, Dense, Embedding, Dropout, Conv1D, TDNN, TCN, Conv2D, `
    + 'Max/AveragePooling1D/2D, GlobalAverage/MaxPooling1D/2D, Flatten)');
}

const CONVOLUTIONAL = [Conv1D, Conv2D, TDNN, TCN, MaxPooling1D, AveragePooling1D, MaxPooling2D, AveragePooling2D, GlobalAveragePooling1D, GlobalMaxPooling1D, GlobalAveragePooling2D, GlobalMaxPooling2D, Flatten];

function exportLayer(g: GraphBuilder, layer: SequentialLayer, x: Stream): Stream {
  if (layer instanceof Embedding) {
    const table = layer.getWeights().table;
    return { name: g.op('Gather', [g.floats('embedding', table.data, table.shape), x.name], { axis: 0 }), sequence: true };
  }
  if (layer instanceof Dropout) return x;
  if (layer instanceof Dense) return exportDense(g, layer, x);
  if (layer instanceof Conv1D) return exportConv1D(g, layer, x);
  if (layer instanceof Conv2D) return exportConv2D(g, layer, x);
  if (layer instanceof TDNN) return exportTDNN(g, layer, x);
  if (layer instanceof TCN) return exportTCN(g, layer, x);
  if (layer instanceof MaxPooling1D || layer instanceof AveragePooling1D) return exportPooling1D(g, layer, x);
  if (layer instanceof MaxPooling2D || layer instanceof AveragePooling2D) return exportPooling2D(g, layer, x);
  if (layer instanceof GlobalAveragePooling1D || layer instanceof GlobalMaxPooling1D || layer instanceof GlobalAveragePooling2D || layer instanceof GlobalMaxPooling2D) {
    return exportGlobalPooling(g, layer, x);
  }
  if (layer instanceof Flatten) return { name: g.op('Reshape', [x.name, g.int64s('shape', [0, -1])]), sequence: false };
  if (layer instanceof Bidirectional) return exportRecurrent(g, [layer.forwardLayer, layer.backwardLayer!], layer.merge, x);
  return exportRecurrent(g, [layer], 'concat', x);
}

function exportDense(g: GraphBuilder, layer: Dense, x: Stream): Stream {
  const w = layer.getWeights();
  const weight = g.floats('dense_weight', w.weight.data, w.weight.shape);
  const bias = w.bias ? g.floats('dense_bias', w.bias.data, w.bias.shape) : null;
  let y: string;
  if (x.sequence) {
    y = g.op('MatMul', [x.name, weight]);
    if (bias) y = g.op('Add', [y, bias]);
  } else {
    y = g.op('Gemm', bias ? [x.name, weight, bias] : [x.name, weight]);
  }
  const op = { relu: 'Relu', tanh: 'Tanh', sigmoid: 'Sigmoid', softmax: 'Softmax', linear: '' }[layer.activation];
  if (op) y = g.op(op, [y], op === 'Softmax' ? { axis: -1 } : {});
  return { name: y, sequence: x.sequence };
}

/** One recurrent operator over one or both directions ([forward] or [forward, backward] layers of the same kind and options). */
function exportRecurrent(g: GraphBuilder, directions: RecurrentLayer[], merge: 'concat' | 'sum' | 'ave', x: Stream): Stream {
  const first = directions[0];
  const H = first.units;
  const I = first.inputSize;
  const D = directions.length;
  const weights = directions.map((layer) => recurrentWeights(layer));
  const G = weights[0].gates;
  const stack = (key: 'W' | 'R' | 'B' | 'P'): Float32Array => {
    const parts = weights.map((w) => w[key]!);
    const out = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
    let at = 0;
    for (const p of parts) {
      out.set(p, at);
      at += p.length;
    }
    return out;
  };
  const inputs = [x.name, g.floats('W', stack('W'), [D, G * H, I]), g.floats('R', stack('R'), [D, G * H, H]), g.floats('B', stack('B'), [D, 2 * G * H])];
  if (weights[0].P) inputs.push('', '', '', g.floats('P', stack('P'), [D, 3 * H]));
  const attributes: Record<string, AttributeValue> = { hidden_size: H, direction: D === 2 ? 'bidirectional' : 'forward' };
  const activations = weights[0].activations;
  if (activations) {
    attributes.activations = Array.from({ length: D }, () => activations.names).flat();
    if (activations.alpha.length) {
      attributes.activation_alpha = { floats: Array.from({ length: D }, () => activations.alpha).flat() };
      attributes.activation_beta = { floats: Array.from({ length: D }, () => activations.beta).flat() };
    }
  }
  Object.assign(attributes, weights[0].extra);
  const [Y, Yh] = g.node(weights[0].op, inputs, attributes, 2);
  if (first.returnSequences) {
    // Y [T, D, B, H]
    if (D === 1) return { name: g.op('Squeeze', [Y, g.int64s('axes', [1])]), sequence: true };
    if (merge === 'concat') {
      const t = g.op('Transpose', [Y], { perm: [0, 2, 1, 3] });
      return { name: g.op('Reshape', [t, g.int64s('shape', [0, 0, -1])]), sequence: true };
    }
    return { name: reduceDirections(g, Y, 1, merge), sequence: true };
  }
  // Y_h [D, B, H]
  if (D === 1) return { name: g.op('Squeeze', [Yh, g.int64s('axes', [0])]), sequence: false };
  if (merge === 'concat') {
    const t = g.op('Transpose', [Yh], { perm: [1, 0, 2] });
    return { name: g.op('Reshape', [t, g.int64s('shape', [0, -1])]), sequence: false };
  }
  return { name: reduceDirections(g, Yh, 0, merge), sequence: false };
}

function reduceDirections(g: GraphBuilder, y: string, axis: number, merge: 'sum' | 'ave' | 'concat'): string {
  const sum = g.op('ReduceSum', [y, g.int64s('axes', [axis])], { keepdims: 0 });
  return merge === 'ave' ? g.op('Mul', [sum, g.floats('half', Float32Array.of(0.5), [])]) : sum;
}

interface OnnxWeights {
  op: 'RNN' | 'LSTM' | 'GRU';
  gates: number;
  /** [G·H, I], ONNX gate order. */
  W: Float32Array;
  /** [G·H, H] */
  R: Float32Array;
  /** [2·G·H] = [Wb, Rb] */
  B: Float32Array;
  /** [3H] p_i, p_o, p_f (peephole LSTM). */
  P?: Float32Array;
  activations?: { names: string[]; alpha: number[]; beta: number[] };
  extra: Record<string, AttributeValue>;
}

/** One direction's weights in ONNX's layout. */
function recurrentWeights(layer: RecurrentLayer): OnnxWeights {
  const H = layer.units;
  const I = layer.inputSize;
  const w = layer.getWeights();
  const hard = (layer instanceof LSTM || layer instanceof GRU) && layer.gateActivation === 'hardSigmoid';
  const gateActivations = (count: number) => (hard ? { names: ['HardSigmoid', ...Array<string>(count).fill('Tanh')], alpha: [0.2], beta: [0.5] } : undefined);
  if (layer instanceof SimpleRNN) {
    const name = { tanh: 'Tanh', relu: 'Relu', sigmoid: 'Sigmoid' }[layer.activation];
    return {
      op: 'RNN', gates: 1,
      W: transpose2d(w.weightIh.data, I, H), R: transpose2d(w.weightHh.data, H, H), B: concat(w.bias.data, new Float32Array(H)),
      activations: layer.activation === 'tanh' ? undefined : { names: [name], alpha: [], beta: [] }, extra: {},
    };
  }
  if (layer instanceof GRU) {
    const order = GRU_ORDER;
    const biasHh = w.biasHh ? permuteBlocks(w.biasHh.data, 1, H, order) : new Float32Array(3 * H);
    return {
      op: 'GRU', gates: 3,
      W: transpose2d(permuteBlocks(w.weightIh.data, I, H, order), I, 3 * H),
      R: transpose2d(permuteBlocks(w.weightHh.data, H, H, order), H, 3 * H),
      B: concat(permuteBlocks(w.biasIh.data, 1, H, order), biasHh),
      activations: gateActivations(1), extra: { linear_before_reset: layer.variant === 'resetAfter' ? 1 : 0 },
    };
  }
  const lstm = layer as LSTM;
  // Our blocks as 4 (i, f, g, o): the 3-block variants (i, g, o) get an empty f block.
  const four = (data: Float32Array, rows: number): Float32Array => {
    if (lstm.gates === 4) return data;
    const out = new Float32Array(rows * 4 * H);
    for (let r = 0; r < rows; r++) {
      out.set(data.subarray(r * 3 * H, r * 3 * H + H), r * 4 * H); // i
      out.set(data.subarray(r * 3 * H + H, r * 3 * H + 3 * H), r * 4 * H + 2 * H); // g, o
    }
    return out;
  };
  const bias = four(w.bias.data, 1);
  if (lstm.variant === 'noForget') bias.fill(NO_FORGET_BIAS, H, 2 * H);
  const out: OnnxWeights = {
    op: 'LSTM', gates: 4,
    W: transpose2d(permuteBlocks(four(w.weightIh.data, I), I, H, LSTM_ORDER), I, 4 * H),
    R: transpose2d(permuteBlocks(four(w.weightHh.data, H), H, H, LSTM_ORDER), H, 4 * H),
    B: concat(permuteBlocks(bias, 1, H, LSTM_ORDER), new Float32Array(4 * H)),
    activations: gateActivations(2), extra: lstm.variant === 'coupled' ? { input_forget: 1 } : {},
  };
  if (lstm.variant === 'peephole') {
    const P = new Float32Array(3 * H);
    const onnxSlot = { i: 0, o: 1, f: 2 } as const;
    lstm.peepholes.forEach((gate, k) => P.set(w.peephole.data.subarray(k * H, (k + 1) * H), onnxSlot[gate] * H));
    out.P = P;
  }
  return out;
}

// ---- convolutions and pooling ----

/** A time-major sequence [T, B, C] → [B, C, T] (ONNX's NCW), and back. */
const SEQUENCE_TO_NCW = [1, 2, 0];
const NCW_TO_SEQUENCE = [2, 0, 1];
const NHWC_TO_NCHW = [0, 3, 1, 2];
const NCHW_TO_NHWC = [0, 2, 3, 1];

const CONV_ACTIVATION = { relu: 'Relu', tanh: 'Tanh', sigmoid: 'Sigmoid', linear: '' } as const;

/** Conv (and the activation) on a channels-first value: weights in PyTorch's layout [filters, C/groups, …kernel] = ONNX's. */
function convNode(g: GraphBuilder, layer: Conv1D | Conv2D, x: string, attributes: Record<string, AttributeValue>): string {
  const w = layer.getWeights({ format: 'pytorch' });
  const inputs = [x, g.floats('conv_weight', w.weight.data, w.weight.shape)];
  if (w.bias) inputs.push(g.floats('conv_bias', w.bias.data, w.bias.shape));
  let y = g.op('Conv', inputs, { ...attributes, group: layer.groups });
  const op = CONV_ACTIVATION[layer.activation];
  if (op) y = g.op(op, [y]);
  return y;
}

/** ONNX pads [before, after] along one axis for convAxis / poolAxis's padding before, with a fixed input size (the padding after is what the output size implies, never negative). */
function padsOf(size: number, out: number, padBefore: number, effective: number, stride: number): [number, number] {
  return [padBefore, Math.max(0, (out - 1) * stride + effective - size - padBefore)];
}

/**
 * Padding attributes of a 1-D window over a dynamic time axis: 'causal' and 'valid' are fixed;
 * 'same' of stride 1 pads e − 1 in all, ⌊(e − 1)/2⌋ before; a strided 'same' pads what T needs,
 * ⌊total/2⌋ before, which is ONNX's SAME_UPPER.
 */
function timePadding(padding: 'causal' | 'same' | 'valid', effective: number, stride: number): Record<string, AttributeValue> {
  if (padding === 'valid') return { pads: [0, 0] };
  if (padding === 'causal') return { pads: [effective - 1, 0] };
  if (stride === 1) return { pads: [Math.floor((effective - 1) / 2), effective - 1 - Math.floor((effective - 1) / 2)] };
  return { auto_pad: 'SAME_UPPER' };
}

function exportConv1D(g: GraphBuilder, layer: Conv1D, x: Stream): Stream {
  const e = (layer.kernelSize - 1) * layer.dilation + 1;
  let ncw = g.op('Transpose', [x.name], { perm: SEQUENCE_TO_NCW });
  let padding = timePadding(layer.padding, e, layer.strides);
  if (padding.auto_pad && layer.dilation > 1) {
    // onnxruntime refuses SAME_UPPER with dilation: pad explicitly by what T needs.
    ncw = g.op('Pad', [ncw, samePads(g, ncw, e, layer.strides)]);
    padding = { pads: [0, 0] };
  }
  const y = convNode(g, layer, ncw, { kernel_shape: [layer.kernelSize], strides: [layer.strides], dilations: [layer.dilation], ...padding });
  return { name: g.op('Transpose', [y], { perm: NCW_TO_SEQUENCE }), sequence: true };
}

/**
 * The Pad input [0, 0, before, 0, 0, after] of a strided 'same' window over x [B, C, T], from T at
 * run time: out = ⌈T/s⌉, total = max((out − 1)·s + e − T, 0), before = ⌊total/2⌋ (convAxis).
 */
function samePads(g: GraphBuilder, ncw: string, effective: number, stride: number): string {
  const T = g.op('Slice', [g.op('Shape', [ncw]), g.int64s('start', [2]), g.int64s('end', [3])]);
  const s = g.int64s('stride', [stride]);
  const out = g.op('Div', [g.op('Add', [T, g.int64s('s_minus_1', [stride - 1])]), s]);
  const needed = g.op('Sub', [g.op('Add', [g.op('Mul', [g.op('Sub', [out, g.int64s('one', [1])]), s]), g.int64s('effective', [effective])]), T]);
  const total = g.op('Max', [needed, g.int64s('zero', [0])]);
  const before = g.op('Div', [total, g.int64s('two', [2])]);
  const after = g.op('Sub', [total, before]);
  return g.op('Concat', [g.int64s('zeros', [0, 0]), before, g.int64s('zeros', [0, 0]), after], { axis: 0 });
}

/**
 * TDNN → Conv over the layer's lattice lo, lo + d, …, hi (lo = min(context), hi = max(context) when
 * the context straddles 0, else 0 joins it; d the gcd of the points' distances from lo; see
 * tdnn.ts): tap (context[j] − lo)/d holds W_j, the others are 0; pads [−lo, hi] keep T steps. The
 * same geometry as the layer's kernel call.
 */
function exportTDNN(g: GraphBuilder, layer: TDNN, x: Stream): Stream {
  const context = layer.context;
  const straddles = Math.min(...context) <= 0 && Math.max(...context) >= 0;
  const points = straddles ? context : [...context, 0];
  const lo = Math.min(...points);
  const hi = Math.max(...points);
  const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b));
  const d = points.reduce((acc, p) => gcd(acc, p - lo), 0) || 1;
  const K = (hi - lo) / d + 1;
  const C = layer.inputSize;
  const F = layer.units;
  const w = layer.getWeights({ format: 'keras' });
  const kernel = w.kernel.data; // [numOffsets, C, F]
  const dense = new Float32Array(F * C * K); // [F, C, K]
  context.forEach((offset, j) => {
    const tap = (offset - lo) / d;
    for (let c = 0; c < C; c++) for (let f = 0; f < F; f++) dense[(f * C + c) * K + tap] = kernel[(j * C + c) * F + f];
  });
  const inputs = [g.op('Transpose', [x.name], { perm: SEQUENCE_TO_NCW }), g.floats('tdnn_weight', dense, [F, C, K])];
  if (w.bias) inputs.push(g.floats('tdnn_bias', w.bias.data, w.bias.shape));
  let y = g.op('Conv', inputs, { kernel_shape: [K], dilations: [d], pads: [-lo, hi] });
  const op = CONV_ACTIVATION[layer.activation];
  if (op) y = g.op(op, [y]);
  return { name: g.op('Transpose', [y], { perm: NCW_TO_SEQUENCE }), sequence: true };
}

function exportConv2D(g: GraphBuilder, layer: Conv2D, x: Stream): Stream {
  const [H, W] = x.image!;
  const axes = [0, 1].map((k) => {
    const size = k === 0 ? H : W;
    const { out, padBefore } = convAxis(layer.padding, size, layer.kernelSize[k], layer.strides[k], layer.dilation[k]);
    return { out, pads: padsOf(size, out, padBefore, (layer.kernelSize[k] - 1) * layer.dilation[k] + 1, layer.strides[k]) };
  });
  const nchw = g.op('Transpose', [x.name], { perm: NHWC_TO_NCHW });
  const y = convNode(g, layer, nchw, {
    kernel_shape: [...layer.kernelSize], strides: [...layer.strides], dilations: [...layer.dilation],
    pads: [axes[0].pads[0], axes[1].pads[0], axes[0].pads[1], axes[1].pads[1]],
  });
  return { name: g.op('Transpose', [y], { perm: NCHW_TO_NHWC }), sequence: false, image: [axes[0].out, axes[1].out, layer.filters] };
}

/** A causal Conv (+ bias) on a time-major [T, B, C] value from a native kernel [K, C, F]: Transposes in and out. */
function causalConv(g: GraphBuilder, x: string, kernel: Float32Array, bias: Float32Array | undefined, K: number, C: number, F: number, dilation: number): string {
  const w = new Float32Array(F * C * K); // [F, C, K]
  for (let k = 0; k < K; k++) for (let c = 0; c < C; c++) for (let f = 0; f < F; f++) w[(f * C + c) * K + k] = kernel[(k * C + c) * F + f];
  const inputs = [g.op('Transpose', [x], { perm: SEQUENCE_TO_NCW }), g.floats('tcn_weight', w, [F, C, K])];
  if (bias) inputs.push(g.floats('tcn_bias', bias, [F]));
  const y = g.op('Conv', inputs, { kernel_shape: [K], dilations: [dilation], pads: [(K - 1) * dilation, 0] });
  return g.op('Transpose', [y], { perm: NCW_TO_SEQUENCE });
}

/**
 * TCN → its residual blocks, time-major [T, B, F] between them: per block two causal Convs
 * (weight norm folded: w = g·v/‖v‖ per filter; layer norm: LayerNormalization over the channels,
 * ε 1e-3), the activation after each, the residual (the input, or a 1×1 Conv) added, the activation;
 * skipConnections: the sum of the blocks' branch outputs. returnSequences false: Gather of the last step.
 */
function exportTCN(g: GraphBuilder, layer: TCN, x: Stream): Stream {
  const w = layer.getWeights();
  const K = layer.kernelSize;
  const F = layer.filters;
  const op = CONV_ACTIVATION[layer.activation];
  const act = (v: string) => (op ? g.op(op, [v]) : v);
  const kernelOf = (name: string, taps: number, C: number): Float32Array => {
    if (!w[`${name}.v`]) return w[`${name}.kernel`].data;
    const v = w[`${name}.v`].data; // [taps, C, F]
    const gain = w[`${name}.g`].data;
    const out = new Float32Array(v.length);
    for (let f = 0; f < F; f++) {
      let squares = 0;
      for (let r = 0; r < taps * C; r++) squares += v[r * F + f] * v[r * F + f];
      const scale = gain[f] / Math.sqrt(squares);
      for (let r = 0; r < taps * C; r++) out[r * F + f] = scale * v[r * F + f];
    }
    return out;
  };
  let input = x.name;
  let C = layer.inputSize;
  let skip: string | null = null;
  const blocks = layer.stacks * layer.dilations.length;
  for (let i = 0; i < blocks; i++) {
    const d = layer.dilations[i % layer.dilations.length];
    let h = input;
    for (const which of [1, 2]) {
      const name = `block${i}.conv${which}`;
      h = causalConv(g, h, kernelOf(name, K, which === 1 ? C : F), w[`${name}.bias`]?.data, K, which === 1 ? C : F, F, d);
      if (layer.normalization === 'layer') {
        const norm = `block${i}.norm${which}`;
        h = g.op('LayerNormalization', [h, g.floats('gamma', w[`${norm}.gamma`].data, [F]), g.floats('beta', w[`${norm}.beta`].data, [F])], { axis: -1, epsilon: TCN_LAYER_NORM_EPSILON });
      }
      h = act(h);
    }
    skip = skip === null ? h : g.op('Add', [skip, h]);
    const residual = C === F ? input : causalConv(g, input, w[`block${i}.residual.kernel`].data, w[`block${i}.residual.bias`]?.data, 1, C, F, 1);
    input = act(g.op('Add', [h, residual]));
    C = F;
  }
  const sequence = layer.skipConnections ? skip! : input;
  if (layer.returnSequences) return { name: sequence, sequence: true };
  const last = g.op('Gather', [sequence, g.int64s('last', [-1])], { axis: 0 }); // [1, B, F]
  return { name: g.op('Squeeze', [last, g.int64s('axes', [0])]), sequence: false };
}

/** Keras' LayerNormalization ε, as the TCN's layer norm uses it. */
const TCN_LAYER_NORM_EPSILON = 1e-3;

function poolOp(layer: MaxPooling1D | AveragePooling1D | MaxPooling2D | AveragePooling2D): string {
  return layer instanceof MaxPooling1D || layer instanceof MaxPooling2D ? 'MaxPool' : 'AveragePool';
}

function exportPooling1D(g: GraphBuilder, layer: MaxPooling1D | AveragePooling1D, x: Stream): Stream {
  const ncw = g.op('Transpose', [x.name], { perm: SEQUENCE_TO_NCW });
  const P = layer.poolSize;
  const window = { kernel_shape: [P], strides: [layer.strides] };
  let y: string;
  if (layer.padding === 'same' && layer.strides > P) {
    // SAME_UPPER would pad (out − 1)·s + P − T, negative at some T (onnxruntime refuses): pad by what
    // T needs, with −∞ for a maximum; a mean is the windows' sum over their count of real steps.
    const pads = samePads(g, ncw, P, layer.strides);
    if (layer instanceof MaxPooling1D) {
      y = g.op('MaxPool', [g.op('Pad', [ncw, pads, g.floats('minus_infinity', Float32Array.of(-Infinity), [])])], window);
    } else {
      const T = g.op('Slice', [g.op('Shape', [ncw]), g.int64s('start', [2]), g.int64s('end', [3])]);
      const ones = g.op('Expand', [g.floats('one', Float32Array.of(1), [1, 1, 1]), g.op('Concat', [g.int64s('ones', [1, 1]), T], { axis: 0 })]);
      const sum = g.op('AveragePool', [g.op('Pad', [ncw, pads])], { ...window, count_include_pad: 1 });
      const count = g.op('AveragePool', [g.op('Pad', [ones, pads])], { ...window, count_include_pad: 1 });
      y = g.op('Div', [sum, count]);
    }
  } else {
    // AveragePool's count_include_pad 0 (the default): the mean of the real steps, as ours.
    y = g.op(poolOp(layer), [ncw], { ...window, ...timePadding(layer.padding, P, layer.strides) });
  }
  return { name: g.op('Transpose', [y], { perm: NCW_TO_SEQUENCE }), sequence: true };
}

function exportPooling2D(g: GraphBuilder, layer: MaxPooling2D | AveragePooling2D, x: Stream): Stream {
  const [H, W, C] = x.image!;
  const axes = [0, 1].map((k) => {
    const size = k === 0 ? H : W;
    const { out, padBefore } = poolAxis(size, layer.poolSize[k], layer.strides[k], layer.padding);
    return { out, pads: padsOf(size, out, padBefore, layer.poolSize[k], layer.strides[k]) };
  });
  const nchw = g.op('Transpose', [x.name], { perm: NHWC_TO_NCHW });
  const y = g.op(poolOp(layer), [nchw], { kernel_shape: [...layer.poolSize], strides: [...layer.strides], pads: [axes[0].pads[0], axes[1].pads[0], axes[0].pads[1], axes[1].pads[1]] });
  return { name: g.op('Transpose', [y], { perm: NCHW_TO_NHWC }), sequence: false, image: [axes[0].out, axes[1].out, C] };
}

function exportGlobalPooling(g: GraphBuilder, layer: GlobalAveragePooling1D | GlobalMaxPooling1D | GlobalAveragePooling2D | GlobalMaxPooling2D, x: Stream): Stream {
  const first = g.op('Transpose', [x.name], { perm: x.sequence ? SEQUENCE_TO_NCW : NHWC_TO_NCHW });
  const op = layer instanceof GlobalMaxPooling1D || layer instanceof GlobalMaxPooling2D ? 'GlobalMaxPool' : 'GlobalAveragePool';
  return { name: g.op('Flatten', [g.op(op, [first])], { axis: 1 }), sequence: false };
}

function concat(a: Float32Array, b: Float32Array): Float32Array {
  const out = new Float32Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}
