// A small builder of ONNX graphs (nodes, initializers, attributes) over the messages of proto.ts,
// and the readers of attributes and tensors that fromONNX uses.
import { AttributeType, DataType, type AttributeMessage, type NodeMessage, type TensorMessage } from './proto.js';

export type AttributeValue = number | string | number[] | string[] | { floats: number[] };

/** Attribute from a JS value: integers → INT(S), { floats } → FLOATS, a non-integer number → FLOAT, strings → STRING(S). */
function attribute(name: string, value: AttributeValue): AttributeMessage {
  if (typeof value === 'string') return { name, type: AttributeType.STRING, s: new TextEncoder().encode(value) };
  if (typeof value === 'number') return Number.isInteger(value) ? { name, type: AttributeType.INT, i: value } : { name, type: AttributeType.FLOAT, f: value };
  if (!Array.isArray(value)) return { name, type: AttributeType.FLOATS, floats: value.floats };
  if (value.every((v) => typeof v === 'string')) return { name, type: AttributeType.STRINGS, strings: (value).map((v) => new TextEncoder().encode(v)) };
  return { name, type: AttributeType.INTS, ints: value };
}

export class GraphBuilder {
  readonly nodes: NodeMessage[] = [];
  readonly initializers: TensorMessage[] = [];
  #count = 0;

  /** A fresh value name with `stem`. */
  name(stem: string): string {
    return `${stem}_${this.#count++}`;
  }

  /** Adds a node; returns its output names (`outputs` of them). */
  node(op: string, inputs: string[], attributes: Record<string, AttributeValue> = {}, outputs = 1): string[] {
    const names = Array.from({ length: outputs }, () => this.name(op.toLowerCase()));
    this.nodes.push({ op_type: op, name: this.name(op), input: inputs, output: names, attribute: Object.entries(attributes).map(([k, v]) => attribute(k, v)) });
    return names;
  }

  /** One-output node. */
  op(op: string, inputs: string[], attributes: Record<string, AttributeValue> = {}): string {
    return this.node(op, inputs, attributes)[0];
  }

  /** A float initializer (raw little-endian bytes, as exporters write them). */
  floats(stem: string, data: Float32Array, dims: number[]): string {
    const name = this.name(stem);
    const bytes = new Uint8Array(data.length * 4);
    const view = new DataView(bytes.buffer);
    data.forEach((v, i) => view.setFloat32(i * 4, v, true));
    this.initializers.push({ name, dims, data_type: DataType.FLOAT, raw_data: bytes });
    return name;
  }

  /** An int64 initializer (shapes, axes). */
  int64s(stem: string, data: number[]): string {
    const name = this.name(stem);
    this.initializers.push({ name, dims: [data.length], data_type: DataType.INT64, int64_data: data });
    return name;
  }
}

// ---- reading ----

/** The attributes of a node by name. */
export function attributesOf(node: NodeMessage): Map<string, AttributeMessage> {
  return new Map((node.attribute ?? []).map((a) => [a.name, a]));
}

export function intAttribute(node: NodeMessage, name: string, fallback: number): number {
  const a = attributesOf(node).get(name);
  return a?.i === undefined ? fallback : Number(a.i);
}

export function intsAttribute(node: NodeMessage, name: string): number[] | undefined {
  const a = attributesOf(node).get(name);
  return a ? (a.ints ?? []).map(Number) : undefined;
}

export function floatAttribute(node: NodeMessage, name: string, fallback: number): number {
  const a = attributesOf(node).get(name);
  return a?.f === undefined ? fallback : a.f;
}

export function floatsAttribute(node: NodeMessage, name: string): number[] {
  return attributesOf(node).get(name)?.floats ?? [];
}

export function stringAttribute(node: NodeMessage, name: string, fallback: string): string {
  const a = attributesOf(node).get(name);
  return a?.s === undefined ? fallback : new TextDecoder().decode(a.s);
}

export function stringsAttribute(node: NodeMessage, name: string): string[] {
  return (attributesOf(node).get(name)?.strings ?? []).map((s) => new TextDecoder().decode(s));
}

/** A constant's values: floats as Float32Array, integers as numbers. */
export interface Constant {
  dims: number[];
  floats?: Float32Array;
  ints?: number[];
}

/** Decodes a TensorProto (raw_data little-endian, or the typed repeated fields). Types other than float, double, int32, int64 → null. */
export function readTensor(t: TensorMessage): Constant | null {
  const dims = (t.dims ?? []).map(Number);
  const count = dims.reduce((a, b) => a * b, 1);
  if (t.data_location === 1) return null; // external data: not in the file
  const raw = t.raw_data && t.raw_data.length > 0 ? new DataView(t.raw_data.buffer, t.raw_data.byteOffset, t.raw_data.byteLength) : null;
  const type = t.data_type;
  if (type === DataType.FLOAT || type === DataType.DOUBLE) {
    const floats = new Float32Array(count);
    if (raw) {
      const size = type === DataType.FLOAT ? 4 : 8;
      if (raw.byteLength !== count * size) return null;
      for (let i = 0; i < count; i++) floats[i] = size === 4 ? raw.getFloat32(i * 4, true) : raw.getFloat64(i * 8, true);
    } else {
      const source = type === DataType.FLOAT ? t.float_data ?? [] : t.double_data ?? [];
      if (source.length !== count) return null;
      floats.set(source);
    }
    return { dims, floats };
  }
  if (type === DataType.INT64 || type === DataType.INT32) {
    let ints: number[];
    if (raw) {
      const size = type === DataType.INT64 ? 8 : 4;
      if (raw.byteLength !== count * size) return null;
      ints = Array.from({ length: count }, (_, i) => (size === 8 ? Number(raw.getBigInt64(i * 8, true)) : raw.getInt32(i * 4, true)));
    } else {
      ints = (type === DataType.INT64 ? t.int64_data ?? [] : t.int32_data ?? []).map(Number);
      if (ints.length !== count) return null;
    }
    return { dims, ints };
  }
  return null;
}
