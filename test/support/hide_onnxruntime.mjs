// Node module hook for tests: resolving 'onnxruntime-node' fails as it does where the optional peer is not installed.
import { register } from 'node:module';

register('data:text/javascript,' + encodeURIComponent(`
export async function resolve(specifier, context, next) {
  if (specifier === 'onnxruntime-node' || specifier.startsWith('onnxruntime-node/')) {
    const e = new Error("Cannot find package 'onnxruntime-node'");
    e.code = 'ERR_MODULE_NOT_FOUND';
    throw e;
  }
  return next(specifier, context);
}`));
