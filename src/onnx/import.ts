// fromONNX: an ONNX model → a Sequential, for the graphs toONNX writes and those torch.onnx.export
// writes for nn.LSTM / nn.GRU / nn.RNN (1–2 layers, bidirectional, batch_first or not) followed by
// nn.Linear (and an activation or softmax).
// The convolution family is read as toONNX writes it: channels-first Conv / MaxPool / AveragePool /
// GlobalAveragePool / GlobalMaxPool (+ Flatten) between Transposes, a Reshape [0, −1] of NHWC
// images as Flatten, image inputs [batch, height, width, channels]. A 1-D Conv's pads say its
// padding ('causal' [e − 1, 0], 'valid', 'same'; SAME_UPPER, or a zero Pad computed from the
// length, is 'same'); other pads at stride 1 are a TDNN on the lattice; 2-D pads are compared
// with what 'valid' and 'same' pad at the image's size.
//
// The graph is read, not run: walking the nodes the output depends on, in order, each value is one
// of
//   - a constant (an initializer or a Constant node),
//   - zeros (an initial state: a zero constant, ConstantOfShape 0, or slices of one),
//   - a shape (Shape and arithmetic on it: only used to build zeros),
//   - the data: the model's stream, with what each of its axes means (batch B, time T, directions D,
//     features F, a unit axis U) and the layers it has gone through so far.
// Operators that move axes (Transpose, Squeeze, Reshape merging the directions into the features,
// Slice/Gather of the last step) change the axes; LSTM / GRU / RNN, MatMul (+ Add), Gemm, Gather
// on a table, activations and Softmax add or complete a layer. Anything else the output depends on
// is refused with the operator's name, and so is a known operator used in a way a Sequential
// cannot express. Nothing is built until the whole graph has been read; a failed import leaves
// nothing behind.
import type { Backend } from '../engine/backend.js';
import { checkOptions, describe } from '../errors.js';
import { Sequential, type SequentialLayer } from '../models/sequential.js';
import { SimpleRNN } from '../layers/simple-rnn.js';
import { LSTM, type LSTMVariant, type GateActivation } from '../layers/lstm.js';
import { GRU } from '../layers/gru.js';
import { Bidirectional, type MergeMode } from '../layers/bidirectional.js';
import { Dense, type DenseActivation } from '../layers/dense.js';
import { Embedding } from '../layers/embedding.js';
import type { RecurrentLayer } from '../layers/recurrent.js';
import { Conv1D } from '../layers/conv1d.js';
import { Conv2D } from '../layers/conv2d.js';
import { TDNN } from '../layers/tdnn.js';
import { MaxPooling1D, AveragePooling1D, MaxPooling2D, AveragePooling2D } from '../layers/pooling.js';
import { GlobalAveragePooling1D, GlobalMaxPooling1D, GlobalAveragePooling2D, GlobalMaxPooling2D } from '../layers/global-pooling.js';
import { Flatten } from '../layers/flatten.js';
import { convAxis } from '../kernels/conv.js';
import { poolAxis } from '../kernels/pool.js';
import { inverseOrder, permuteBlocks, tensor, transpose2d, type Weights } from '../layers/formats.js';
import {
  floatAttribute, floatsAttribute, intAttribute, intsAttribute, readTensor, stringAttribute, stringsAttribute, type Constant,
} from './graph.js';
import { DataType, decodeModel, type ModelMessage, type NodeMessage } from './proto.js';
import { GRU_ORDER, LSTM_ORDER } from './export.js';

export interface FromONNXOptions {
  /** Backend the model lives in (default: the one init() loaded). */
  backend?: Backend;
}

/** What an axis of the data means: batch, time, directions, features, a unit axis, image rows and columns; a0/a1: the input's first two axes before a recurrent operator or a convolution says which is which. */
type Axis = 'B' | 'T' | 'D' | 'F' | 'U' | 'H' | 'W' | 'a0' | 'a1';

interface RecurrentSpec {
  kind: 'SimpleRNN' | 'LSTM' | 'GRU';
  options: Record<string, unknown>;
  /** Native weights per direction. */
  weights: Weights[];
  returnSequences: boolean;
  /** Bidirectional: how the directions merge (set when the D axis goes). */
  merge?: MergeMode;
}

interface DenseSpec {
  kind: 'Dense';
  units: number;
  inputSize: number;
  weight: Float32Array;
  bias: Float32Array | null;
  activation: DenseActivation;
}

interface EmbeddingSpec {
  kind: 'Embedding';
  table: Float32Array;
  vocabSize: number;
  units: number;
}

/** A convolution, pooling or Flatten layer: its constructor's options and native weights ({} for none). */
interface ConvSpec {
  kind: 'Conv1D' | 'Conv2D' | 'TDNN' | 'MaxPooling1D' | 'AveragePooling1D' | 'MaxPooling2D' | 'AveragePooling2D'
    | 'GlobalAveragePooling1D' | 'GlobalMaxPooling1D' | 'GlobalAveragePooling2D' | 'GlobalMaxPooling2D' | 'Flatten';
  options: Record<string, unknown>;
  weights: Weights;
}

type Spec = RecurrentSpec | DenseSpec | EmbeddingSpec | ConvSpec;

interface Data {
  kind: 'data';
  axes: Axis[];
  /** Size of the F axis. */
  features: number;
  /** Size of the D axis (when present). */
  directions: number;
  layers: Spec[];
  /** Token ids (the graph input of an Embedding model, before its Gather). */
  ids: boolean;
  /** The data is the sum over the directions of a Bidirectional (a × 0.5 next makes it 'ave'). */
  summed?: boolean;
  /** Images: [height, width] of the data now. */
  image?: [number, number];
  /** A Pad of what the length needs came just before (toONNX's strided, dilated 'same' Conv1D). */
  paddedSame?: boolean;
}

type Value = Data | { kind: 'constant'; value: Constant } | { kind: 'zeros' } | { kind: 'shape' };

const SUPPORTED = [
  'LSTM', 'GRU', 'RNN', 'MatMul', 'Add', 'Gemm', 'Gather', 'Relu', 'Tanh', 'Sigmoid', 'Softmax', 'Transpose', 'Squeeze', 'Unsqueeze', 'Reshape', 'Slice',
  'ReduceSum', 'ReduceMean', 'Mul', 'Identity', 'Dropout', 'Constant', 'ConstantOfShape', 'Shape', 'Concat', 'Expand', 'Cast',
  'Conv', 'MaxPool', 'AveragePool', 'GlobalAveragePool', 'GlobalMaxPool', 'Flatten', 'Pad',
];

/** An ONNX model (bytes of a ModelProto) as a Sequential. Throws a RangeError/TypeError naming the node and operator it cannot read. */
export function fromONNX(bytes: Uint8Array, options: FromONNXOptions = {}): Sequential {
  const where = 'fromONNX';
  if (!(bytes instanceof Uint8Array)) throw new TypeError(`${where}: bytes must be a Uint8Array (an ONNX file's contents), got ${describe(bytes)}`);
  checkOptions(where, options, ['backend']);
  let message: ModelMessage;
  try {
    message = decodeModel(bytes);
  } catch (error) {
    throw new RangeError(`${where}: bytes are not an ONNX model (protobuf: ${(error as Error).message})`, { cause: error });
  }
  if (!message.graph) throw new RangeError(`${where}: the ONNX model has no graph`);
  const opset = message.opset_import?.find((o) => !o.domain || o.domain === 'ai.onnx')?.version;
  if (opset === undefined) throw new RangeError(`${where}: the ONNX model imports no default-domain operator set`);
  const specs = new Reader(where, message, Number(opset)).read();
  return build(where, specs.layers, specs.input, options.backend);
}

class Reader {
  readonly #values = new Map<string, Value>();
  readonly #binding = new Map<Axis, Axis>();

  constructor(readonly where: string, readonly model: ModelMessage, readonly opset: number) {}

  read(): { layers: Spec[]; input: { ids: boolean; features: number; image?: [number, number, number] } } {
    const graph = this.model.graph;
    const initialized = new Set<string>();
    for (const t of graph.initializer ?? []) {
      const value = readTensor(t);
      if (!value) throw new RangeError(`${this.where}: initializer '${t.name}' has a data type or storage fromONNX cannot read (data_type ${t.data_type}; float, double, int32 and int64 in the file are read)`);
      this.#values.set(t.name ?? '', { kind: 'constant', value });
      initialized.add(t.name ?? '');
    }
    const inputs = (graph.input ?? []).filter((v) => !initialized.has(v.name));
    if (inputs.length !== 1) throw new RangeError(`${this.where}: the graph must have one input (a batch of sequences), got ${inputs.length}: ${inputs.map((v) => `'${v.name}'`).join(', ')}`);
    const outputs = graph.output ?? [];
    if (outputs.length !== 1) throw new RangeError(`${this.where}: the graph must have one output, got ${outputs.length}: ${outputs.map((v) => `'${v.name}'`).join(', ')}`);
    const input = inputs[0];
    const tensorType = input.type?.tensor_type;
    const dims = tensorType?.shape?.dim ?? [];
    const elem = tensorType?.elem_type;
    const ids = elem === DataType.INT64 || elem === DataType.INT32;
    if (!ids && dims.length === 4 && elem === DataType.FLOAT) return this.#readImages(input.name, dims.map((d) => Number(d.dim_value ?? 0)), producerOf(graph), outputs[0].name);
    if (ids ? dims.length !== 2 : dims.length !== 3 || elem !== DataType.FLOAT) {
      throw new RangeError(`${this.where}: graph input '${input.name}' must be float [batch, time, features], int64/int32 token ids [batch, time] or float images [batch, height, width, channels], got element type ${elem} with ${dims.length} axes`);
    }
    const features = ids ? 1 : Number(dims[2].dim_value ?? 0);
    if (!ids && !(features > 0)) throw new RangeError(`${this.where}: graph input '${input.name}' must have a fixed number of features (its last axis), got ${dims[2].dim_param ?? 'none'}`);
    this.#values.set(input.name, { kind: 'data', axes: ids ? ['a0', 'a1'] : ['a0', 'a1', 'F'], features, directions: 1, layers: [], ids });

    this.#walk(producerOf(graph), outputs[0].name);

    const out = this.#get(outputs[0].name, `graph output '${outputs[0].name}'`);
    if (out.kind !== 'data' || out.layers.length === 0) throw new RangeError(`${this.where}: graph output '${outputs[0].name}' is not computed from the input by layers fromONNX can read`);
    const axes = out.axes.map((a) => this.#resolve(a));
    const shape = axes.join(',');
    if (!['B,T,F', 'T,B,F', 'B,F', 'a0,a1,F'].includes(shape)) {
      throw new RangeError(`${this.where}: graph output '${outputs[0].name}' has axes [${axes.map(axisName).join(', ')}]; a Sequential outputs [batch, time, features] or [batch, features]`);
    }
    return { layers: out.layers, input: { ids, features } };
  }

  /** Reads, in order, the nodes the output depends on. */
  #walk(producer: Map<string, NodeMessage>, output: string): void {
    const live = new Set<NodeMessage>();
    const stack = [output];
    while (stack.length) {
      const name = stack.pop()!;
      const node = producer.get(name);
      if (!node || live.has(node)) continue;
      live.add(node);
      stack.push(...node.input.filter((n) => n !== ''));
    }
    for (const node of this.model.graph.node ?? []) if (live.has(node)) this.#node(node);
  }

  /** An image model: input float [batch, height, width, channels] (fixed sizes), output images or vectors. */
  #readImages(input: string, dims: number[], producer: Map<string, NodeMessage>, output: string): { layers: Spec[]; input: { ids: boolean; features: number; image: [number, number, number] } } {
    const [, H, W, C] = dims;
    if (!(H > 0 && W > 0 && C > 0)) throw new RangeError(`${this.where}: graph input '${input}' (images [batch, height, width, channels]) must have fixed height, width and channels, got [${dims.slice(1).join(', ')}]`);
    this.#values.set(input, { kind: 'data', axes: ['B', 'H', 'W', 'F'], features: C, directions: 1, layers: [], ids: false, image: [H, W] });
    this.#walk(producer, output);
    const out = this.#get(output, `graph output '${output}'`);
    if (out.kind !== 'data' || out.layers.length === 0) throw new RangeError(`${this.where}: graph output '${output}' is not computed from the input by layers fromONNX can read`);
    const shape = out.axes.join(',');
    if (shape !== 'B,H,W,F' && shape !== 'B,F') throw new RangeError(`${this.where}: graph output '${output}' has axes [${out.axes.map(axisName).join(', ')}]; an image Sequential outputs [batch, height, width, channels] or [batch, features]`);
    return { layers: out.layers, input: { ids: false, features: H * W * C, image: [H, W, C] } };
  }

  #resolve(axis: Axis): Axis {
    return this.#binding.get(axis) ?? axis;
  }

  #get(name: string, what: string): Value {
    const value = this.#values.get(name);
    if (!value) throw new RangeError(`${this.where}: ${what} reads '${name}', which no node or initializer of the graph gives`);
    return value;
  }

  #fail(node: NodeMessage, why: string): never {
    throw new RangeError(`${this.where}: node '${node.name ?? ''}' (${node.op_type}): ${why}`);
  }

  /** Input k of a node as a constant (or null when absent/empty). */
  #constant(node: NodeMessage, k: number, what: string, optional = false): Constant | null {
    const name = node.input[k] ?? '';
    if (name === '') {
      if (optional) return null;
      this.#fail(node, `${what} (input ${k}) is missing`);
    }
    const value = this.#get(name, `node '${node.name ?? ''}' (${node.op_type})`);
    if (value.kind === 'constant') return value.value;
    return this.#fail(node, `${what} (input ${k}, '${name}') must be a constant (an initializer or a Constant node), got ${value.kind === 'data' ? 'the model\'s data' : value.kind}`);
  }

  #data(node: NodeMessage, k: number): Data {
    const value = this.#get(node.input[k] ?? '', `node '${node.name ?? ''}' (${node.op_type})`);
    if (value.kind !== 'data') this.#fail(node, `input ${k} must be the model's data, got a ${value.kind}`);
    return value;
  }

  #set(node: NodeMessage, k: number, value: Value): void {
    const name = node.output[k];
    if (name) this.#values.set(name, value);
  }

  #node(node: NodeMessage): void {
    if (node.domain && node.domain !== 'ai.onnx') this.#fail(node, `operator of domain '${node.domain}' is not supported (only the default ONNX domain)`);
    const op = node.op_type;
    const values = node.input.map((name) => (name === '' ? null : this.#get(name, `node '${node.name ?? ''}' (${op})`)));
    const anyData = values.some((v) => v?.kind === 'data');
    switch (op) {
      case 'Constant': return this.#constantNode(node);
      case 'Shape': return this.#set(node, 0, { kind: 'shape' }); // of the data too: torch sizes its zero initial states from the input's shape
      case 'LSTM': case 'GRU': case 'RNN': return this.#recurrent(node);
      case 'Identity': case 'Dropout': case 'Cast':
        if (op === 'Cast' && anyData) this.#fail(node, 'a Cast of the model\'s data is not supported');
        return this.#set(node, 0, values[0]!);
      default:
    }
    if (!anyData) return this.#nonData(node, values);
    switch (op) {
      case 'Transpose': return this.#transpose(node);
      case 'Squeeze': case 'Unsqueeze': return this.#squeeze(node);
      case 'Reshape': return this.#reshape(node);
      case 'Slice': return this.#slice(node);
      case 'Gather': return this.#gather(node);
      case 'MatMul': return this.#matmul(node);
      case 'Gemm': return this.#gemm(node);
      case 'Add': return this.#add(node);
      case 'Relu': case 'Tanh': case 'Sigmoid': case 'Softmax': return this.#activation(node);
      case 'ReduceSum': case 'ReduceMean': return this.#reduce(node);
      case 'Mul': return this.#mul(node);
      case 'Conv': return this.#conv(node);
      case 'MaxPool': case 'AveragePool': return this.#pool(node);
      case 'GlobalAveragePool': case 'GlobalMaxPool': return this.#globalPool(node);
      case 'Flatten': return this.#flatten(node);
      case 'Pad': return this.#pad(node);
      default:
        this.#fail(node, `operator '${op}' is not supported on the model's data (fromONNX reads ${SUPPORTED.join(', ')})`);
    }
  }

  #constantNode(node: NodeMessage): void {
    const a = node.attribute?.[0];
    let value: Constant | null = null;
    if (a?.name === 'value' && a.t) value = readTensor(a.t);
    else if (a?.name === 'value_float') value = { dims: [], floats: Float32Array.of(a.f ?? 0) };
    else if (a?.name === 'value_floats') value = { dims: [a.floats?.length ?? 0], floats: Float32Array.from(a.floats ?? []) };
    else if (a?.name === 'value_int') value = { dims: [], ints: [Number(a.i ?? 0)] };
    else if (a?.name === 'value_ints') value = { dims: [a.ints?.length ?? 0], ints: (a.ints ?? []).map(Number) };
    if (!value) this.#fail(node, `a Constant with attribute '${a?.name ?? 'none'}' cannot be read (value, value_float(s), value_int(s) of float/int types)`);
    this.#set(node, 0, { kind: 'constant', value });
  }

  /** Operators on constants, zeros and shapes (the initial states torch builds; shapes of zeros). */
  #nonData(node: NodeMessage, values: (Value | null)[]): void {
    const op = node.op_type;
    const present = values.filter((v): v is Value => v !== null);
    if (op === 'Shape') return this.#set(node, 0, { kind: 'shape' });
    if (op === 'ConstantOfShape') {
      const a = node.attribute?.find((x) => x.name === 'value');
      const fill = a?.t ? readTensor(a.t) : { dims: [1], floats: Float32Array.of(0) };
      if (!fill || !isZero(fill)) this.#fail(node, 'only zeros are supported as a ConstantOfShape (an initial state of zeros)');
      return this.#set(node, 0, { kind: 'zeros' });
    }
    const layout = ['Slice', 'Gather', 'Squeeze', 'Unsqueeze', 'Reshape', 'Transpose', 'Expand', 'Concat', 'Identity'];
    // Slices and reshapes of zeros are zeros; of a constant (e.g. torch's zeros of a fixed shape), zeros if it is.
    const zeros = (v: Value | null | undefined) => v?.kind === 'zeros' || (v?.kind === 'constant' && v.value.floats !== undefined && isZero(v.value));
    if (layout.includes(op) && zeros(values[0]) && (op !== 'Concat' || present.every(zeros))) return this.#set(node, 0, { kind: 'zeros' });
    if (['Slice', 'Gather', 'Squeeze', 'Unsqueeze', 'Concat', 'Reshape', 'Add', 'Sub', 'Mul', 'Div', 'Max', 'Cast', 'Equal', 'Where', 'Range', 'Expand', 'Identity', 'ReduceProd'].includes(op)) {
      // Integer arithmetic on shapes (torch computes shapes of its initial states this way): a shape.
      if (present.some((v) => v.kind === 'shape')) return this.#set(node, 0, { kind: 'shape' });
      if (op === 'Unsqueeze' || op === 'Squeeze' || op === 'Identity' || op === 'Cast') {
        const c = values[0];
        if (c?.kind === 'constant') return this.#set(node, 0, c);
      }
    }
    this.#fail(node, `operator '${op}' on constants is not supported (fromONNX reads constant weights and zero initial states; fold constants when exporting: do_constant_folding=True)`);
  }

  // ---- recurrent operators ----

  #recurrent(node: NodeMessage): void {
    const op = node.op_type as 'LSTM' | 'GRU' | 'RNN';
    const x = this.#data(node, 0);
    const layout = intAttribute(node, 'layout', 0);
    const want: Axis[] = layout === 0 ? ['T', 'B', 'F'] : ['B', 'T', 'F'];
    this.#bind(node, x, want);
    if (x.ids) this.#fail(node, 'reads token ids: an Embedding (Gather on a table) must come first');
    const last = x.layers[x.layers.length - 1];
    if (last && isRecurrent(last) && last.weights.length === 2 && !last.merge) this.#fail(node, 'reads a bidirectional layer\'s output before its directions are merged');
    const direction = stringAttribute(node, 'direction', 'forward');
    if (direction === 'reverse') this.#fail(node, "direction 'reverse' alone has no Sequential layer (use 'bidirectional', or reverse the sequences)");
    if (direction !== 'forward' && direction !== 'bidirectional') this.#fail(node, `direction must be 'forward' or 'bidirectional', got '${direction}'`);
    const D = direction === 'bidirectional' ? 2 : 1;
    const G = op === 'LSTM' ? 4 : op === 'GRU' ? 3 : 1;
    const I = x.features;
    const W = this.#constant(node, 1, 'W')!;
    const H = W.dims[1] / G;
    const hidden = intAttribute(node, 'hidden_size', H);
    if (!W.floats || W.dims.length !== 3 || W.dims[0] !== D || W.dims[2] !== I || !Number.isInteger(H) || H !== hidden) {
      this.#fail(node, `W must be float [${D}, ${G}·hidden_size, ${I}], got [${W.dims.join(', ')}] (hidden_size ${hidden})`);
    }
    const R = this.#constant(node, 2, 'R')!;
    if (!R.floats || R.dims.join() !== [D, G * H, H].join()) this.#fail(node, `R must be float [${D}, ${G * H}, ${H}], got [${R.dims.join(', ')}]`);
    const Bc = this.#constant(node, 3, 'B', true);
    if (Bc && (!Bc.floats || Bc.dims.join() !== [D, 2 * G * H].join())) this.#fail(node, `B must be float [${D}, ${2 * G * H}], got [${Bc.dims.join(', ')}]`);
    const Bf = Bc?.floats ?? new Float32Array(D * 2 * G * H);
    if ((node.input[4] ?? '') !== '') this.#fail(node, 'sequence_lens is not supported (give every sequence the same length; masks are not exported)');
    for (const k of op === 'LSTM' ? [5, 6] : [5]) {
      const name = node.input[k] ?? '';
      if (name === '') continue;
      const v = this.#get(name, `node '${node.name ?? ''}' (${op})`);
      if (v.kind !== 'zeros' && !(v.kind === 'constant' && isZero(v.value))) this.#fail(node, `initial state (input ${k}, '${name}') must be zeros (absent, a zero constant or ConstantOfShape 0); a Sequential starts from zeros`);
    }
    const clip = node.attribute?.find((a) => a.name === 'clip');
    if (clip) this.#fail(node, 'attribute clip is not supported (no layer clips its cell)');
    const activations = stringsAttribute(node, 'activations');
    const alphas = floatsAttribute(node, 'activation_alpha');
    const betas = floatsAttribute(node, 'activation_beta');
    const perDirection = activations.length ? activations.length / D : 0;
    if (activations.length && (!Number.isInteger(perDirection) || activations.slice(0, perDirection).join() !== activations.slice(perDirection).join() && D === 2)) {
      this.#fail(node, `activations [${activations.join(', ')}] must be the same for both directions`);
    }
    const acts = activations.slice(0, perDirection || undefined).map((a) => a.toLowerCase());
    const options: Record<string, unknown> = { units: H, inputSize: I };
    const weights: Weights[] = [];
    const gate = (): GateActivation => {
      if (!acts.length || acts[0] === 'sigmoid') return 'sigmoid';
      if (acts[0] === 'hardsigmoid' && (alphas[0] ?? 0.2) === Math.fround(0.2) && (betas[0] ?? 0.5) === 0.5) return 'hardSigmoid';
      if (acts[0] === 'hardsigmoid' && alphas.length === 0 && betas.length === 0) return 'hardSigmoid';
      return this.#fail(node, `gate activation ${activations[0]}${alphas.length ? ` (alpha ${alphas[0]}, beta ${betas[0]})` : ''} is not supported (Sigmoid, or HardSigmoid with alpha 0.2, beta 0.5)`);
    };
    const tanhRest = (from: number): void => {
      for (const a of acts.slice(from)) if (a !== 'tanh') this.#fail(node, `activation ${a} is not supported here (Tanh)`);
    };
    const slab = (data: Float32Array, d: number, size: number) => data.subarray(d * size, (d + 1) * size);
    let kind: RecurrentSpec['kind'];
    if (op === 'RNN') {
      kind = 'SimpleRNN';
      const a = acts[0] ?? 'tanh';
      if (!['tanh', 'relu', 'sigmoid'].includes(a)) this.#fail(node, `activation ${activations[0]} is not supported (Tanh, Relu, Sigmoid)`);
      options.activation = a;
      for (let d = 0; d < D; d++) {
        const b = slab(Bf, d, 2 * H);
        weights.push({
          weightIh: tensor(transpose2d(slab(W.floats, d, H * I), H, I), [I, H]),
          weightHh: tensor(transpose2d(slab(R.floats, d, H * H), H, H), [H, H]),
          bias: tensor(b.slice(0, H).map((v, i) => v + b[H + i]), [H]),
        });
      }
    } else if (op === 'GRU') {
      kind = 'GRU';
      options.gateActivation = gate();
      tanhRest(1);
      const after = intAttribute(node, 'linear_before_reset', 0) === 1;
      options.variant = after ? 'resetAfter' : 'resetBefore';
      const back = inverseOrder(GRU_ORDER);
      for (let d = 0; d < D; d++) {
        const b = slab(Bf, d, 6 * H);
        const wb = permuteBlocks(b.slice(0, 3 * H), 1, H, back);
        const rb = permuteBlocks(b.slice(3 * H), 1, H, back);
        const w: Weights = {
          weightIh: tensor(permuteBlocks(transpose2d(slab(W.floats, d, 3 * H * I), 3 * H, I), I, H, back), [I, 3 * H]),
          weightHh: tensor(permuteBlocks(transpose2d(slab(R.floats, d, 3 * H * H), 3 * H, H), H, H, back), [H, 3 * H]),
          biasIh: tensor(after ? wb : wb.map((v, i) => v + rb[i]), [3 * H]),
        };
        if (after) w.biasHh = tensor(rb, [3 * H]);
        weights.push(w);
      }
    } else {
      kind = 'LSTM';
      options.gateActivation = gate();
      tanhRest(1);
      const P = this.#constant(node, 7, 'P', true);
      if (P && (!P.floats || P.dims.join() !== [D, 3 * H].join())) this.#fail(node, `P must be float [${D}, ${3 * H}], got [${P.dims.join(', ')}]`);
      const coupled = intAttribute(node, 'input_forget', 0) === 1;
      const back = inverseOrder(LSTM_ORDER);
      const raw = Array.from({ length: D }, (_, d) => {
        const b = slab(Bf, d, 8 * H);
        return {
          wIh: permuteBlocks(transpose2d(slab(W.floats!, d, 4 * H * I), 4 * H, I), I, H, back),
          wHh: permuteBlocks(transpose2d(slab(R.floats!, d, 4 * H * H), 4 * H, H), H, H, back),
          bias: permuteBlocks(b.slice(0, 4 * H).map((v, i) => v + b[4 * H + i]), 1, H, back),
        };
      });
      const peep = P?.floats && !isZero(P) ? P.floats : null;
      // A forget gate that is constant 1 (toONNX's noForget): no weights into it and a bias that saturates σ.
      const forgetBlock = (m: Float32Array, rows: number) => Array.from({ length: rows }, (_, r) => m.subarray(r * 4 * H + H, r * 4 * H + 2 * H)).every((row) => row.every((v) => v === 0));
      const noForget = !coupled && !peep && raw.every((r) => forgetBlock(r.wIh, I) && forgetBlock(r.wHh, H) && r.bias.subarray(H, 2 * H).every((v) => v >= 50));
      const variant: LSTMVariant = coupled ? 'coupled' : peep ? 'peephole' : noForget ? 'noForget' : 'standard';
      if (coupled && peep) this.#fail(node, 'input_forget = 1 with peepholes (P) has no LSTM variant here');
      options.variant = variant;
      if (variant !== 'standard' && variant !== 'peephole') options.forgetBias = 0;
      const three = (m: Float32Array, rows: number): Float32Array => {
        const out = new Float32Array(rows * 3 * H);
        for (let r = 0; r < rows; r++) {
          out.set(m.subarray(r * 4 * H, r * 4 * H + H), r * 3 * H);
          out.set(m.subarray(r * 4 * H + 2 * H, r * 4 * H + 4 * H), r * 3 * H + H);
        }
        return out;
      };
      raw.forEach((r, d) => {
        const Gs = variant === 'coupled' || variant === 'noForget' ? 3 : 4;
        const w: Weights = Gs === 4
          ? { weightIh: tensor(r.wIh, [I, 4 * H]), weightHh: tensor(r.wHh, [H, 4 * H]), bias: tensor(r.bias, [4 * H]) }
          : { weightIh: tensor(three(r.wIh, I), [I, 3 * H]), weightHh: tensor(three(r.wHh, H), [H, 3 * H]), bias: tensor(three(r.bias, 1), [3 * H]) };
        if (peep) {
          // ONNX P = p_i, p_o, p_f; ours p_i, p_f, p_o.
          const p = slab(peep, d, 3 * H);
          const ours = new Float32Array(3 * H);
          ours.set(p.subarray(0, H), 0);
          ours.set(p.subarray(2 * H, 3 * H), H);
          ours.set(p.subarray(H, 2 * H), 2 * H);
          w.peephole = tensor(ours, [3 * H]);
        }
        weights.push(w);
      });
    }
    const spec = (returnSequences: boolean): RecurrentSpec => ({ kind, options: { ...options }, weights, returnSequences });
    const layers = x.layers;
    this.#set(node, 0, { kind: 'data', axes: layout === 0 ? ['T', 'D', 'B', 'F'] : ['B', 'T', 'D', 'F'], features: H, directions: D, layers: [...layers, spec(true)], ids: false });
    this.#set(node, 1, { kind: 'data', axes: layout === 0 ? ['D', 'B', 'F'] : ['B', 'D', 'F'], features: H, directions: D, layers: [...layers, spec(false)], ids: false });
    if (node.output[2]) this.#values.set(node.output[2], { kind: 'shape' }); // Y_c: refused if the output depends on it (a "shape" is no data)
  }

  /** The data's axes must be `want` once the input's a0/a1 are bound; binds them. */
  #bind(node: NodeMessage, x: Data, want: Axis[]): void {
    const axes = x.axes.map((a) => this.#resolve(a));
    const ok = axes.length === want.length && axes.every((a, k) => a === want[k] || ((a === 'a0' || a === 'a1') && !this.#isBound(want[k])));
    if (!ok) this.#fail(node, `input must be [${want.map(axisName).join(', ')}], got [${axes.map(axisName).join(', ')}]`);
    axes.forEach((a, k) => {
      if (a === 'a0' || a === 'a1') this.#binding.set(a, want[k]);
    });
  }

  #isBound(axis: Axis): boolean {
    return [...this.#binding.values()].includes(axis);
  }

  // ---- operators that move axes ----

  #transpose(node: NodeMessage): void {
    const x = this.#data(node, 0);
    const perm = intsAttribute(node, 'perm') ?? x.axes.map((_, k) => x.axes.length - 1 - k);
    if (perm.length !== x.axes.length) this.#fail(node, `perm [${perm.join(', ')}] does not fit ${x.axes.length} axes`);
    this.#set(node, 0, { ...x, axes: perm.map((p) => x.axes[p]) });
  }

  /** Axes from the 'axes' input (opset ≥ 13) or attribute, normalised to [0, rank). */
  #axes(node: NodeMessage, rank: number, inputIndex: number): number[] | null {
    const fromInput = this.opset >= 13 && (node.input[inputIndex] ?? '') !== '' ? this.#constant(node, inputIndex, 'axes')!.ints : undefined;
    const axes = fromInput ?? intsAttribute(node, 'axes');
    if (!axes) return null;
    return axes.map((a) => (a < 0 ? a + rank : a));
  }

  #squeeze(node: NodeMessage): void {
    const x = this.#data(node, 0);
    if (node.op_type === 'Unsqueeze') {
      const axes = this.#axes(node, x.axes.length + 1, 1) ?? this.#fail(node, 'axes are missing');
      const out = [...x.axes];
      for (const a of [...axes].sort((p, q) => p - q)) out.splice(a, 0, 'U');
      return this.#set(node, 0, { ...x, axes: out });
    }
    const axes = this.#axes(node, x.axes.length, 1) ?? x.axes.map((a, k) => (a === 'U' || (a === 'D' && x.directions === 1) ? k : -1)).filter((k) => k >= 0);
    for (const a of axes) {
      const tag = x.axes[a];
      if (!(tag === 'U' || (tag === 'D' && x.directions === 1))) this.#fail(node, `squeezes axis ${a} (${axisName(tag)}), which is not of size 1`);
    }
    this.#set(node, 0, { ...x, axes: x.axes.filter((_, k) => !axes.includes(k)) });
  }

  /** Reshape: merges [D, F] (adjacent, in that order) into the features of a concat, or drops unit axes. */
  #reshape(node: NodeMessage): void {
    const x = this.#data(node, 0);
    const shape = this.#constant(node, 1, 'shape')!;
    const target = shape.ints ?? this.#fail(node, 'shape must be int64');
    if (x.image) {
      // Flatten: images [batch, height, width, channels] → [batch, height·width·channels], channels-last order.
      if (x.axes.join() !== 'B,H,W,F' || !(target.length === 2 && target[0] === 0 && (target[1] === -1 || target[1] === x.image[0] * x.image[1] * x.features))) {
        this.#fail(node, `only a Reshape [0, −1] of images [batch, height, width, channels] (a Flatten) is supported on images, got shape [${target.join(', ')}] of [${x.axes.map(axisName).join(', ')}]`);
      }
      const spec: ConvSpec = { kind: 'Flatten', options: {}, weights: {} };
      return this.#set(node, 0, { ...x, axes: ['B', 'F'], features: x.image[0] * x.image[1] * x.features, image: undefined, layers: [...x.layers, spec] });
    }
    const axes = x.axes.filter((a) => a !== 'U' && !(a === 'D' && x.directions === 1));
    const d = axes.indexOf('D');
    const merged = d >= 0 && axes[d + 1] === 'F' ? [...axes.slice(0, d), 'F' as Axis, ...axes.slice(d + 2)] : axes;
    if (target.length !== merged.length) this.#fail(node, `only a Reshape that merges the directions into the features ([${axes.map(axisName).join(', ')}] → ${merged.length} axes) is supported, got shape [${target.join(', ')}]`);
    const features = d >= 0 && merged !== axes ? x.directions * x.features : x.features;
    // Each target entry keeps its axis: -1 (inferred), 0 (copies the input's dim at that index: the same axis) or the feature count.
    merged.forEach((a, k) => {
      const t = target[k];
      const fits = t === -1 ? target.indexOf(-1) === k : t === 0 ? x.axes[k] === a : a === 'F' && t === features;
      if (!fits) this.#fail(node, `shape [${target.join(', ')}] does not keep the axes [${merged.map(axisName).join(', ')}]`);
    });
    if (merged !== axes) {
      const last = x.layers[x.layers.length - 1];
      if (!isRecurrent(last) || last.weights.length !== 2) this.#fail(node, 'merges a directions axis that no bidirectional layer made');
      return this.#set(node, 0, { ...x, axes: merged, features, directions: 1, layers: withLast(x.layers, { ...last, merge: 'concat' }) });
    }
    this.#set(node, 0, { ...x, axes: merged });
  }

  /** Slice of the last time step (torch's out[:, -1:, :]) → the final state. */
  #slice(node: NodeMessage): void {
    const x = this.#data(node, 0);
    const starts = this.opset >= 10 ? this.#constant(node, 1, 'starts')!.ints : intsAttribute(node, 'starts');
    const ends = this.opset >= 10 ? this.#constant(node, 2, 'ends')!.ints : intsAttribute(node, 'ends');
    const axesIn = this.opset >= 10 ? this.#constant(node, 3, 'axes', true)?.ints : intsAttribute(node, 'axes');
    const steps = this.opset >= 10 ? this.#constant(node, 4, 'steps', true)?.ints : undefined;
    if (!starts || !ends || starts.length !== 1 || (steps && steps.some((s) => s !== 1))) this.#fail(node, 'only a Slice of the last time step is supported');
    const axis = ((axesIn?.[0] ?? 0) + x.axes.length) % x.axes.length;
    if (!(starts[0] === -1 && ends[0] >= 2 ** 31 - 1)) this.#fail(node, `only a Slice of the last time step (starts -1, ends ∞) is supported, got starts ${starts[0]}, ends ${ends[0]}`);
    this.#set(node, 0, this.#lastStep(node, x, axis, true));
  }

  #lastStep(node: NodeMessage, x: Data, axis: number, keep: boolean): Data {
    if (this.#resolve(x.axes[axis]) !== 'T') this.#fail(node, `takes the last step of axis ${axis} (${axisName(x.axes[axis])}), not of the time axis`);
    const last = x.layers[x.layers.length - 1];
    if (!last || !isRecurrent(last) || !last.returnSequences) this.#fail(node, 'takes the last time step of something other than a recurrent layer\'s outputs');
    if (last.weights.length === 2) this.#fail(node, 'the last time step of a bidirectional layer is not its final state (the backward direction ends at step 0): return the final states instead');
    const axes = keep ? x.axes.map((a, k) => (k === axis ? 'U' : a)) : x.axes.filter((_, k) => k !== axis);
    return { ...x, axes: axes, layers: withLast(x.layers, { ...last, returnSequences: false }) };
  }

  #gather(node: NodeMessage): void {
    const table = this.#get(node.input[0], `node '${node.name ?? ''}' (Gather)`);
    if (table.kind === 'constant') {
      // Embedding: Gather(table [V, E], ids).
      const ids = this.#data(node, 1);
      const t = table.value;
      if (!ids.ids || ids.layers.length) this.#fail(node, 'a Gather on a table must read the graph\'s token ids');
      if (!t.floats || t.dims.length !== 2 || intAttribute(node, 'axis', 0) !== 0) this.#fail(node, `table must be float [vocabSize, units] gathered on axis 0, got [${t.dims.join(', ')}]`);
      return this.#set(node, 0, { kind: 'data', axes: [...ids.axes, 'F'], features: t.dims[1], directions: 1, ids: false, layers: [{ kind: 'Embedding', table: t.floats, vocabSize: t.dims[0], units: t.dims[1] }] });
    }
    const x = this.#data(node, 0);
    const index = this.#constant(node, 1, 'indices')!;
    if (!index.ints || index.dims.length !== 0 || index.ints[0] !== -1) this.#fail(node, 'only a Gather of the last time step (index −1) is supported on the data');
    const axis = (intAttribute(node, 'axis', 0) + x.axes.length) % x.axes.length;
    this.#set(node, 0, this.#lastStep(node, x, axis, false));
  }

  // ---- Dense ----

  #checkFeaturesLast(node: NodeMessage, x: Data): void {
    if (x.ids) this.#fail(node, 'reads token ids');
    if (x.axes[x.axes.length - 1] !== 'F' || x.axes.includes('D')) this.#fail(node, `needs the features on the last axis and no directions axis, got [${x.axes.map(axisName).join(', ')}]`);
  }

  #dense(x: Data, weight: Float32Array, U: number): Data {
    const spec: DenseSpec = { kind: 'Dense', units: U, inputSize: x.features, weight, bias: null, activation: 'linear' };
    return { ...x, features: U, layers: [...x.layers, spec], summed: false };
  }

  #matmul(node: NodeMessage): void {
    const x = this.#data(node, 0);
    this.#checkFeaturesLast(node, x);
    const w = this.#constant(node, 1, 'B (the weight)')!;
    if (!w.floats || w.dims.length !== 2 || w.dims[0] !== x.features) this.#fail(node, `weight must be float [${x.features}, units], got [${w.dims.join(', ')}]`);
    this.#set(node, 0, this.#dense(x, w.floats, w.dims[1]));
  }

  #gemm(node: NodeMessage): void {
    const x = this.#data(node, 0);
    this.#checkFeaturesLast(node, x);
    if (x.axes.length !== 2) this.#fail(node, 'Gemm needs [batch, features]');
    if (intAttribute(node, 'transA', 0) !== 0 || floatAttribute(node, 'alpha', 1) !== 1 || floatAttribute(node, 'beta', 1) !== 1) this.#fail(node, 'only Gemm with transA 0, alpha 1, beta 1 is supported');
    const transB = intAttribute(node, 'transB', 0) === 1;
    const w = this.#constant(node, 1, 'B (the weight)')!;
    const [rows, cols] = w.dims;
    const U = transB ? rows : cols;
    if (!w.floats || w.dims.length !== 2 || (transB ? cols : rows) !== x.features) this.#fail(node, `weight must be float [${transB ? `units, ${x.features}` : `${x.features}, units`}], got [${w.dims.join(', ')}]`);
    const data = this.#dense(x, transB ? transpose2d(w.floats, rows, cols) : w.floats, U);
    const c = this.#constant(node, 2, 'C (the bias)', true);
    if (c) (data.layers[data.layers.length - 1] as DenseSpec).bias = this.#bias(node, c, U);
    this.#set(node, 0, data);
  }

  #bias(node: NodeMessage, c: Constant, U: number): Float32Array {
    const count = c.dims.reduce((a, b) => a * b, 1);
    if (!c.floats || count !== U || c.dims.slice(0, -1).some((d) => d !== 1)) this.#fail(node, `bias must be float [${U}], got [${c.dims.join(', ')}]`);
    return c.floats.slice();
  }

  #add(node: NodeMessage): void {
    const k = this.#get(node.input[0], '').kind === 'data' ? 0 : 1;
    const x = this.#data(node, k);
    const c = this.#constant(node, 1 - k, 'the bias')!;
    const last = x.layers[x.layers.length - 1];
    if (!last || last.kind !== 'Dense' || last.bias || last.activation !== 'linear' || x.axes[x.axes.length - 1] !== 'F') this.#fail(node, 'an Add is read only as the bias of a MatMul before it');
    this.#set(node, 0, { ...x, layers: withLast(x.layers, { ...last, bias: this.#bias(node, c, last.units) }) });
  }

  #activation(node: NodeMessage): void {
    const x = this.#data(node, 0);
    const last = x.layers[x.layers.length - 1];
    const activation = node.op_type.toLowerCase() as DenseActivation;
    if (last && (last.kind === 'Conv1D' || last.kind === 'Conv2D' || last.kind === 'TDNN') && node.op_type !== 'Softmax') {
      if (last.options.activation !== 'linear') this.#fail(node, `a second activation after a ${last.kind}`);
      return this.#set(node, 0, { ...x, layers: withLast(x.layers, { ...last, options: { ...last.options, activation } }) });
    }
    if (!last || last.kind !== 'Dense' || last.activation !== 'linear') this.#fail(node, `${node.op_type} is read only as the activation of a Dense (MatMul/Gemm) or a convolution before it`);
    if (node.op_type === 'Softmax') {
      const rank = x.axes.length;
      const axis = (intAttribute(node, 'axis', this.opset >= 13 ? -1 : 1) + rank) % rank;
      if (axis !== rank - 1 || (this.opset < 13 && rank !== 2)) this.#fail(node, 'Softmax must be over the features (the last axis)');
    }
    this.#set(node, 0, { ...x, layers: withLast(x.layers, { ...last, activation }) });
  }

  // ---- convolutions and pooling (as toONNX writes them: channels-first between Transposes) ----

  /** The data of a 1-D (rank 3: [batch, channels, time]) or 2-D (rank 4: [batch, channels, height, width], from NHWC images) window operator. */
  #channelsFirst(node: NodeMessage, x: Data): 1 | 2 {
    if (x.ids) this.#fail(node, 'reads token ids');
    if (x.axes.length === 4) {
      if (!x.image || x.axes.join() !== 'B,F,H,W') this.#fail(node, `input must be images [batch, channels, height, width], got [${x.axes.map(axisName).join(', ')}]`);
      return 2;
    }
    if (x.image) this.#fail(node, 'reads images that are not [batch, channels, height, width]');
    this.#bind(node, x, ['B', 'F', 'T']);
    const last = x.layers[x.layers.length - 1];
    if (last && isRecurrent(last) && last.weights.length === 2 && !last.merge) this.#fail(node, 'reads a bidirectional layer\'s output before its directions are merged');
    return 1;
  }

  #ints(node: NodeMessage, name: string, rank: number, fallback: number): number[] {
    const v = intsAttribute(node, name);
    if (v === undefined) return Array<number>(rank).fill(fallback);
    if (v.length !== rank) this.#fail(node, `${name} [${v.join(', ')}] must have ${rank} entries`);
    return v;
  }

  /**
   * The layer padding of a 1-D window (taps spread over `effective` steps) from pads / auto_pad:
   * 'valid' [0, 0], 'causal' [e − 1, 0] (convolutions), 'same' (stride 1: [⌊(e − 1)/2⌋, the rest];
   * SAME_UPPER; or a Pad of what the length needs before it); null for other pads.
   */
  #timePadding(node: NodeMessage, x: Data, effective: number, stride: number, causal: boolean): 'valid' | 'causal' | 'same' | null {
    const autoPad = stringAttribute(node, 'auto_pad', 'NOTSET');
    const pads = this.#ints(node, 'pads', 2, 0);
    if (x.paddedSame) return autoPad === 'NOTSET' && pads[0] === 0 && pads[1] === 0 ? 'same' : this.#fail(node, 'pads after a Pad');
    if (autoPad === 'SAME_UPPER') return 'same';
    if (autoPad !== 'NOTSET' && autoPad !== 'VALID') this.#fail(node, `auto_pad ${autoPad} is not supported (NOTSET, VALID, SAME_UPPER)`);
    if (autoPad === 'VALID' || (pads[0] === 0 && pads[1] === 0)) return causal && effective === 1 ? 'causal' : 'valid';
    if (causal && pads[0] === effective - 1 && pads[1] === 0) return 'causal';
    const before = Math.floor((effective - 1) / 2);
    if (stride === 1 && pads[0] === before && pads[1] === effective - 1 - before) return 'same';
    return null;
  }

  /** The layer padding of a 2-D window over [H, W] from explicit pads (what toONNX writes), or null. */
  #imagePadding(node: NodeMessage, image: [number, number], axis: (padding: 'valid' | 'same', k: number) => { out: number; padBefore: number }, effective: number[], strides: number[]): 'valid' | 'same' | null {
    if (stringAttribute(node, 'auto_pad', 'NOTSET') !== 'NOTSET') this.#fail(node, 'auto_pad on images is not supported (explicit pads)');
    const pads = this.#ints(node, 'pads', 4, 0);
    for (const padding of ['valid', 'same'] as const) {
      const want = [0, 1].map((k) => {
        const { out, padBefore } = axis(padding, k);
        return [padBefore, Math.max(0, (out - 1) * strides[k] + effective[k] - image[k] - padBefore)];
      });
      if ([want[0][0], want[1][0], want[0][1], want[1][1]].join() === pads.join()) return padding;
    }
    return null;
  }

  #conv(node: NodeMessage): void {
    const x = this.#data(node, 0);
    const rank = this.#channelsFirst(node, x);
    const w = this.#constant(node, 1, 'W')!;
    const C = x.features;
    const groups = intAttribute(node, 'group', 1);
    const F = w.dims[0];
    const Cg = w.dims[1];
    if (!w.floats || w.dims.length !== 2 + rank || Cg * groups !== C) this.#fail(node, `W must be float [filters, ${C}/group, …kernel] (${rank} kernel axes), got [${w.dims.join(', ')}] with group ${groups}`);
    const kernel = w.dims.slice(2);
    const ks = this.#ints(node, 'kernel_shape', rank, 0);
    if (ks.join() !== kernel.join()) this.#fail(node, `kernel_shape [${ks.join(', ')}] is not W's [${kernel.join(', ')}]`);
    const strides = this.#ints(node, 'strides', rank, 1);
    const dilations = this.#ints(node, 'dilations', rank, 1);
    const b = this.#constant(node, 2, 'B (the bias)', true);
    const bias = b ? this.#bias(node, b, F) : null;
    const S = kernel.reduce((p, q) => p * q, 1);
    const weights: Weights = { weight: tensor(nativeKernel(w.floats, F, Cg, S), [...kernel, Cg, F]) };
    if (bias) weights.bias = tensor(bias, [F]);
    const common = { filters: F, groups, activation: 'linear', useBias: bias !== null };
    if (rank === 1) {
      const effective = (kernel[0] - 1) * dilations[0] + 1;
      const padding = this.#timePadding(node, x, effective, strides[0], true);
      let spec: ConvSpec;
      if (padding) {
        spec = { kind: 'Conv1D', options: { ...common, kernelSize: kernel[0], padding, strides: strides[0], dilation: dilations[0] }, weights };
      } else {
        // A TDNN (toONNX: stride 1, groups 1, pads [−lo, hi] on the lattice lo, lo + d, …, hi).
        const pads = this.#ints(node, 'pads', 2, 0);
        if (strides[0] !== 1 || groups !== 1 || pads[0] + pads[1] !== effective - 1) this.#fail(node, `pads [${pads.join(', ')}] match no Conv1D padding (causal, same, valid) nor a TDNN context`);
        const context = Array.from({ length: kernel[0] }, (_, k) => k * dilations[0] - pads[0]);
        spec = { kind: 'TDNN', options: { units: F, context, activation: 'linear', useBias: bias !== null }, weights };
      }
      return this.#set(node, 0, { ...x, features: F, paddedSame: false, layers: [...x.layers, spec] });
    }
    const image = x.image!;
    const effective = [0, 1].map((k) => (kernel[k] - 1) * dilations[k] + 1);
    const padding = this.#imagePadding(node, image, (p, k) => convAxis(p, image[k], kernel[k], strides[k], dilations[k]), effective, strides);
    if (!padding) this.#fail(node, `pads [${this.#ints(node, 'pads', 4, 0).join(', ')}] match neither 'valid' nor 'same' for images ${image.join('×')}`);
    const out: [number, number] = [0, 1].map((k) => convAxis(padding, image[k], kernel[k], strides[k], dilations[k]).out) as [number, number];
    const spec: ConvSpec = { kind: 'Conv2D', options: { ...common, kernelSize: kernel, strides, dilation: dilations, padding }, weights };
    this.#set(node, 0, { ...x, features: F, image: out, layers: [...x.layers, spec] });
  }

  #pool(node: NodeMessage): void {
    const x = this.#data(node, 0);
    const rank = this.#channelsFirst(node, x);
    const max = node.op_type === 'MaxPool';
    if (!max && intAttribute(node, 'count_include_pad', 0) !== 0) this.#fail(node, 'count_include_pad 1 is not supported (the layers average over the real cells)');
    if (intAttribute(node, 'ceil_mode', 0) !== 0) this.#fail(node, 'ceil_mode 1 is not supported');
    if (this.#ints(node, 'dilations', rank, 1).some((d) => d !== 1)) this.#fail(node, 'dilated pooling is not supported');
    if (max && node.output.length > 1 && node.output[1]) this.#fail(node, 'the Indices output is not supported');
    const pool = this.#ints(node, 'kernel_shape', rank, 0);
    const strides = this.#ints(node, 'strides', rank, 1);
    if (rank === 1) {
      if (x.paddedSame) this.#fail(node, 'pooling after a Pad is not supported');
      const padding = this.#timePadding(node, x, pool[0], strides[0], false);
      if (padding !== 'valid' && padding !== 'same') this.#fail(node, `pads [${this.#ints(node, 'pads', 2, 0).join(', ')}] match neither 'valid' nor 'same'`);
      const spec: ConvSpec = { kind: max ? 'MaxPooling1D' : 'AveragePooling1D', options: { poolSize: pool[0], strides: strides[0], padding }, weights: {} };
      return this.#set(node, 0, { ...x, layers: [...x.layers, spec] });
    }
    const image = x.image!;
    const padding = this.#imagePadding(node, image, (p, k) => poolAxis(image[k], pool[k], strides[k], p), pool, strides);
    if (!padding) this.#fail(node, `pads [${this.#ints(node, 'pads', 4, 0).join(', ')}] match neither 'valid' nor 'same' for images ${image.join('×')}`);
    const out: [number, number] = [0, 1].map((k) => poolAxis(image[k], pool[k], strides[k], padding).out) as [number, number];
    const spec: ConvSpec = { kind: max ? 'MaxPooling2D' : 'AveragePooling2D', options: { poolSize: pool, strides, padding }, weights: {} };
    this.#set(node, 0, { ...x, image: out, layers: [...x.layers, spec] });
  }

  #globalPool(node: NodeMessage): void {
    const x = this.#data(node, 0);
    const rank = this.#channelsFirst(node, x);
    const max = node.op_type === 'GlobalMaxPool';
    const kind = rank === 1 ? (max ? 'GlobalMaxPooling1D' : 'GlobalAveragePooling1D') : max ? 'GlobalMaxPooling2D' : 'GlobalAveragePooling2D';
    const spec: ConvSpec = { kind, options: {}, weights: {} };
    this.#set(node, 0, { ...x, axes: ['B', 'F', ...Array<Axis>(rank).fill('U')], image: undefined, layers: [...x.layers, spec] });
  }

  /** Flatten (axis 1) of [batch, channels, 1, …]: drops the unit axes a global pooling left. */
  #flatten(node: NodeMessage): void {
    const x = this.#data(node, 0);
    if (intAttribute(node, 'axis', 1) !== 1 || x.axes[0] !== 'B' || x.axes[1] !== 'F' || x.axes.slice(2).some((a) => a !== 'U')) {
      this.#fail(node, `only a Flatten (axis 1) of [batch, channels, 1, …] after a global pooling is supported, got [${x.axes.map(axisName).join(', ')}]`);
    }
    this.#set(node, 0, { ...x, axes: ['B', 'F'] });
  }

  /** Pad of what the length needs (pads computed from the data's shape, zeros) before a strided, dilated 'same' Conv. */
  #pad(node: NodeMessage): void {
    const x = this.#data(node, 0);
    const pads = this.#get(node.input[1] ?? '', `node '${node.name ?? ''}' (Pad)`);
    const value = (node.input[2] ?? '') === '' ? null : this.#constant(node, 2, 'constant_value');
    if (stringAttribute(node, 'mode', 'constant') !== 'constant' || pads.kind !== 'shape' || (value && !isZero(value)) || x.axes.length !== 3) {
      this.#fail(node, 'only a zero Pad of [batch, channels, time] by pads computed from the length (a strided \'same\' Conv1D) is supported');
    }
    this.#set(node, 0, { ...x, paddedSame: true });
  }

  // ---- merging the directions of a bidirectional layer: sum, ave ----

  #reduce(node: NodeMessage): void {
    const x = this.#data(node, 0);
    const axes = this.#axes(node, x.axes.length, 1) ?? this.#fail(node, 'axes are missing');
    if (axes.length !== 1 || x.axes[axes[0]] !== 'D' || intAttribute(node, 'keepdims', 1) !== 0) this.#fail(node, `${node.op_type} is read only over the directions axis of a bidirectional layer, with keepdims 0`);
    const last = x.layers[x.layers.length - 1];
    if (!isRecurrent(last) || last.weights.length !== 2) this.#fail(node, `${node.op_type} over a directions axis that no bidirectional layer made`);
    const merge: MergeMode = node.op_type === 'ReduceMean' ? 'ave' : 'sum';
    this.#set(node, 0, { ...x, axes: x.axes.filter((_, k) => k !== axes[0]), directions: 1, summed: merge === 'sum', layers: withLast(x.layers, { ...last, merge }) });
  }

  #mul(node: NodeMessage): void {
    const k = this.#get(node.input[0], '').kind === 'data' ? 0 : 1;
    const x = this.#data(node, k);
    const c = this.#constant(node, 1 - k, 'the factor')!;
    const last = x.layers[x.layers.length - 1];
    if (!x.summed || !isRecurrent(last) || !c.floats || c.floats.length !== 1 || c.floats[0] !== 0.5) this.#fail(node, 'a Mul is read only as × 0.5 after the sum of a bidirectional layer\'s directions (merge \'ave\')');
    this.#set(node, 0, { ...x, summed: false, layers: withLast(x.layers, { ...last, merge: 'ave' }) });
  }
}

function axisName(axis: Axis): string {
  return { B: 'batch', T: 'time', D: 'directions', F: 'features', U: '1', H: 'height', W: 'width', a0: 'input axis 0', a1: 'input axis 1' }[axis];
}

function producerOf(graph: ModelMessage['graph']): Map<string, NodeMessage> {
  const producer = new Map<string, NodeMessage>();
  for (const node of graph.node ?? []) for (const out of node.output) producer.set(out, node);
  return producer;
}

/** ONNX's weight [filters, C/groups, …kernel] → the native (Keras) layout [...kernel, C/groups, filters]. */
function nativeKernel(w: Float32Array, F: number, Cg: number, S: number): Float32Array {
  const out = new Float32Array(w.length);
  for (let f = 0; f < F; f++) for (let c = 0; c < Cg; c++) for (let s = 0; s < S; s++) out[(s * Cg + c) * F + f] = w[(f * Cg + c) * S + s];
  return out;
}

function isRecurrent(spec: Spec | undefined): spec is RecurrentSpec {
  return spec !== undefined && (spec.kind === 'SimpleRNN' || spec.kind === 'LSTM' || spec.kind === 'GRU');
}

function withLast(layers: Spec[], last: Spec): Spec[] {
  return [...layers.slice(0, -1), last];
}

function isZero(c: Constant): boolean {
  return c.floats ? c.floats.every((v) => v === 0) : (c.ints ?? []).every((v) => v === 0);
}

/** The layers and the Sequential, weights set; on any failure everything made is disposed. */
const CONV_LAYERS = {
  Conv1D, Conv2D, TDNN, MaxPooling1D, AveragePooling1D, MaxPooling2D, AveragePooling2D,
  GlobalAveragePooling1D, GlobalMaxPooling1D, GlobalAveragePooling2D, GlobalMaxPooling2D, Flatten,
} as unknown as Record<ConvSpec['kind'], new (options: Record<string, unknown>) => SequentialLayer>;

function build(where: string, specs: Spec[], input: { ids: boolean; features: number; image?: [number, number, number] }, backend: Backend | undefined): Sequential {
  const made: SequentialLayer[] = [];
  const weights: Weights[] = [];
  let model: Sequential | null = null;
  try {
    for (const spec of specs) {
      const b = backend ? { backend } : {};
      if (spec.kind in CONV_LAYERS) {
        const conv = spec as ConvSpec;
        made.push(new CONV_LAYERS[conv.kind]({ ...conv.options, ...b }));
        weights.push(conv.weights);
      } else if (spec.kind === 'Embedding') {
        made.push(new Embedding({ vocabSize: spec.vocabSize, units: spec.units, ...b }));
        weights.push({ table: tensor(spec.table, [spec.vocabSize, spec.units]) });
      } else if (spec.kind === 'Dense') {
        made.push(new Dense({ units: spec.units, activation: spec.activation, useBias: spec.bias !== null, ...b }));
        weights.push(spec.bias ? { weight: tensor(spec.weight, [spec.inputSize, spec.units]), bias: tensor(spec.bias, [spec.units]) } : { weight: tensor(spec.weight, [spec.inputSize, spec.units]) });
      } else if (isRecurrent(spec)) {
        const Kind = { SimpleRNN, LSTM, GRU }[spec.kind] as unknown as new (options: Record<string, unknown>) => RecurrentLayer;
        const { inputSize: _inputSize, ...options } = spec.options;
        void _inputSize;
        const layer = new Kind({ ...options, returnSequences: spec.returnSequences, ...b });
        if (spec.weights.length === 2) {
          made.push(new Bidirectional({ layer, merge: spec.merge ?? 'concat' }));
          const w: Weights = {};
          for (const [key, value] of Object.entries(spec.weights[0])) w[`forward/${key}`] = value;
          for (const [key, value] of Object.entries(spec.weights[1])) w[`backward/${key}`] = value;
          weights.push(w);
        } else {
          made.push(layer as SequentialLayer);
          weights.push(spec.weights[0]);
        }
      }
    }
    model = new Sequential({ ...(input.image ? { inputShape: input.image } : input.ids ? {} : { inputSize: input.features }), layers: made });
    model.setWeights(weights);
    return model;
  } catch (error) {
    if (model) model.dispose();
    else for (const layer of made) if (!layer.disposed && layer.ownership.owner === null) layer.dispose();
    if (error instanceof Error && !error.message.startsWith(where)) error.message = `${where}: ${error.message}`;
    throw error;
  }
}
