// The part of ONNX's protobuf schema (onnx/onnx.proto, IR version 7–10) that toONNX writes and
// fromONNX reads, as a protobufjs reflection descriptor: the messages, their field numbers and
// types as onnx.proto declares them. protobufjs does the wire encoding and decoding; this file
// only names the fields. Repeated scalars are packed where onnx.proto says [packed = true]
// (TensorProto's float_data, int32_data, int64_data) and unpacked elsewhere (dims, ints, floats),
// as the reference implementation writes them; a reader accepts both. Fields have proto2's explicit
// presence: a field set to 0 is written (ONNX reads a missing attribute as its default).
import protobuf from 'protobufjs/light.js';

const unpacked = { packed: false };
const packed = { packed: true };

const DESCRIPTOR = {
  nested: {
    onnx: {
      nested: {
        ModelProto: {
          fields: {
            ir_version: { type: 'int64', id: 1 },
            opset_import: { rule: 'repeated', type: 'OperatorSetIdProto', id: 8 },
            producer_name: { type: 'string', id: 2 },
            producer_version: { type: 'string', id: 3 },
            domain: { type: 'string', id: 4 },
            model_version: { type: 'int64', id: 5 },
            doc_string: { type: 'string', id: 6 },
            graph: { type: 'GraphProto', id: 7 },
          },
        },
        OperatorSetIdProto: {
          fields: { domain: { type: 'string', id: 1 }, version: { type: 'int64', id: 2 } },
        },
        GraphProto: {
          fields: {
            node: { rule: 'repeated', type: 'NodeProto', id: 1 },
            name: { type: 'string', id: 2 },
            initializer: { rule: 'repeated', type: 'TensorProto', id: 5 },
            doc_string: { type: 'string', id: 10 },
            input: { rule: 'repeated', type: 'ValueInfoProto', id: 11 },
            output: { rule: 'repeated', type: 'ValueInfoProto', id: 12 },
            value_info: { rule: 'repeated', type: 'ValueInfoProto', id: 13 },
          },
        },
        NodeProto: {
          fields: {
            input: { rule: 'repeated', type: 'string', id: 1 },
            output: { rule: 'repeated', type: 'string', id: 2 },
            name: { type: 'string', id: 3 },
            op_type: { type: 'string', id: 4 },
            domain: { type: 'string', id: 7 },
            attribute: { rule: 'repeated', type: 'AttributeProto', id: 5 },
            doc_string: { type: 'string', id: 6 },
          },
        },
        AttributeProto: {
          fields: {
            name: { type: 'string', id: 1 },
            ref_attr_name: { type: 'string', id: 21 },
            doc_string: { type: 'string', id: 13 },
            type: { type: 'int32', id: 20 },
            f: { type: 'float', id: 2 },
            i: { type: 'int64', id: 3 },
            s: { type: 'bytes', id: 4 },
            t: { type: 'TensorProto', id: 5 },
            g: { type: 'GraphProto', id: 6 },
            floats: { rule: 'repeated', type: 'float', id: 7, options: unpacked },
            ints: { rule: 'repeated', type: 'int64', id: 8, options: unpacked },
            strings: { rule: 'repeated', type: 'bytes', id: 9 },
            tensors: { rule: 'repeated', type: 'TensorProto', id: 10 },
            graphs: { rule: 'repeated', type: 'GraphProto', id: 11 },
          },
        },
        ValueInfoProto: {
          fields: { name: { type: 'string', id: 1 }, type: { type: 'TypeProto', id: 2 }, doc_string: { type: 'string', id: 3 } },
        },
        TypeProto: {
          fields: { tensor_type: { type: 'TensorTypeProto', id: 1 }, denotation: { type: 'string', id: 6 } },
        },
        // TypeProto.Tensor in onnx.proto (a nested message there; the name does not go on the wire).
        TensorTypeProto: {
          fields: { elem_type: { type: 'int32', id: 1 }, shape: { type: 'TensorShapeProto', id: 2 } },
        },
        TensorShapeProto: {
          fields: { dim: { rule: 'repeated', type: 'DimensionProto', id: 1 } },
        },
        // TensorShapeProto.Dimension: dim_value or dim_param (a oneof in onnx.proto).
        DimensionProto: {
          fields: { dim_value: { type: 'int64', id: 1 }, dim_param: { type: 'string', id: 2 }, denotation: { type: 'string', id: 3 } },
        },
        TensorProto: {
          fields: {
            dims: { rule: 'repeated', type: 'int64', id: 1, options: unpacked },
            data_type: { type: 'int32', id: 2 },
            float_data: { rule: 'repeated', type: 'float', id: 4, options: packed },
            int32_data: { rule: 'repeated', type: 'int32', id: 5, options: packed },
            int64_data: { rule: 'repeated', type: 'int64', id: 7, options: packed },
            name: { type: 'string', id: 8 },
            doc_string: { type: 'string', id: 12 },
            raw_data: { type: 'bytes', id: 9 },
            data_location: { type: 'int32', id: 14 },
            double_data: { rule: 'repeated', type: 'double', id: 10, options: packed },
          },
        },
      },
    },
  },
};

/** TensorProto.DataType values used here. */
export const DataType = { FLOAT: 1, INT32: 6, INT64: 7, DOUBLE: 11 } as const;
/** AttributeProto.AttributeType values used here. */
export const AttributeType = { FLOAT: 1, INT: 2, STRING: 3, TENSOR: 4, FLOATS: 6, INTS: 7, STRINGS: 8 } as const;

// ---- the plain objects this module encodes and decodes (int64 fields as numbers) ----

export interface TensorMessage {
  name?: string;
  dims: number[];
  data_type: number;
  float_data?: number[];
  int32_data?: number[];
  int64_data?: number[];
  double_data?: number[];
  raw_data?: Uint8Array;
  data_location?: number;
}

export interface AttributeMessage {
  name: string;
  type: number;
  f?: number;
  i?: number;
  s?: Uint8Array;
  t?: TensorMessage;
  floats?: number[];
  ints?: number[];
  strings?: Uint8Array[];
  g?: unknown;
  graphs?: unknown[];
  tensors?: TensorMessage[];
}

export interface NodeMessage {
  input: string[];
  output: string[];
  name?: string;
  op_type: string;
  domain?: string;
  attribute: AttributeMessage[];
}

export interface DimensionMessage {
  dim_value?: number;
  dim_param?: string;
}

export interface ValueInfoMessage {
  name: string;
  type?: { tensor_type?: { elem_type?: number; shape?: { dim?: DimensionMessage[] } } };
}

export interface GraphMessage {
  name?: string;
  node: NodeMessage[];
  initializer: TensorMessage[];
  input: ValueInfoMessage[];
  output: ValueInfoMessage[];
  value_info?: ValueInfoMessage[];
}

export interface ModelMessage {
  ir_version: number;
  opset_import: { domain?: string; version: number }[];
  producer_name?: string;
  producer_version?: string;
  doc_string?: string;
  graph: GraphMessage;
}

let modelType: protobuf.Type | null = null;

function model(): protobuf.Type {
  // onnx.proto is proto2: explicit presence (an attribute i = 0 or keepdims = 0 is written), unpacked unless it says packed.
  for (const message of Object.values(DESCRIPTOR.nested.onnx.nested)) (message as { edition?: string }).edition = 'proto2';
  modelType ??= protobuf.Root.fromJSON(DESCRIPTOR).lookupType('onnx.ModelProto');
  return modelType;
}

export function encodeModel(message: ModelMessage): Uint8Array {
  const type = model();
  return type.encode(type.fromObject(message)).finish();
}

/**
 * Decodes a ModelProto; int64 fields become numbers (ONNX's are dims, attribute values and
 * versions, well inside 2^53), repeated fields arrays (empty when absent). Throws protobufjs's
 * error on bytes that are not a ModelProto.
 */
export function decodeModel(bytes: Uint8Array): ModelMessage {
  const type = model();
  return type.toObject(type.decode(bytes), { longs: Number, arrays: true, defaults: false }) as ModelMessage;
}
