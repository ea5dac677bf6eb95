// The 'rnn-wasm/onnx' entry: ONNX export and import. A separate entry because it brings in the
// protobuf library (protobufjs), which a page that does not use ONNX should not download; it
// shares the module, init() and the backends with 'rnn-wasm'.
export { toONNX, type ToONNXOptions } from './export.js';
export { fromONNX, type FromONNXOptions } from './import.js';
