/**
 * ONNX interop: `onnx.export(module, sampleInputs, path, options?)` traces a forward pass into an ONNX model;
 * `onnx.load(path)` runs one with onnxruntime-node (an optional peer dependency, loaded on first use).
 */
export { exportModel as export, exportToBytes, type ExportOptions } from './export.js';
export { load, loadBytes, type OnnxSession } from './load.js';
