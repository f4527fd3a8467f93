/** Memory management, reading values out, printing, backends and environment. */
import type { Mapping } from '../schema.js';
import { S, manual, samples } from './helpers.js';

export const memoryIo: Mapping[] = [
  {
    tf: 'tf.tidy', kind: 'function', status: 'exact', params: ['nameOrFn', 'fn?'], returns: 'FnResult', notes: ['tidy-same'],
    target: 'torch.tidy($nameOrFn{{, $fn}})',
    examples: [{ tf: 'tf.tidy(() => x.square())', torch: 'torch.tidy(() => x.square())' }],
  },
  {
    tf: 'tf.function', kind: 'function', status: 'semantic', tf2Only: true, params: ['fn', 'inputSignature~', 'autograph~', 'jitCompile~', 'reduceRetracing~'],
    returns: 'other', notes: ['function-compile'], target: 'torch.compile($fn)',
    examples: [{ tf: 'tf.function((a) => a.square())', torch: 'torch.compile((a) => a.square())' }],
  },
  { tf: 'tf.keep', kind: 'function', status: 'exact', params: ['result'], returns: 'Arg0', notes: ['tidy-same'], target: 'torch.keep($result)' },
  { tf: 'tf.dispose', kind: 'function', status: 'exact', params: ['container'], returns: 'other', notes: ['tidy-same'], target: 'torch.dispose($container)' },
  { tf: 'tf.memory', kind: 'function', status: 'semantic', params: [], returns: 'other', notes: ['memory-fields'], target: 'torch.memory()' },
  manual('tf.disposeVariables', 'dispose the tensors you created with requiresGrad explicitly'),
  { tf: 'tf.print', kind: 'function', status: 'semantic', params: ['x', 'verbose~'], returns: 'other', notes: ['print-tostring'], target: 'console.log($x:t.toString())', samples: samples({ x: S.m2x2 }) },
  { tf: 'tf.ready', kind: 'function', status: 'semantic', params: [], returns: 'other', notes: ['backend-global'], target: 'Promise.resolve()' },
  { tf: 'tf.setBackend', kind: 'function', status: 'semantic', params: ['backendName~'], returns: 'other', notes: ['backend-global'], target: 'Promise.resolve(true)' },
  { tf: 'tf.getBackend', kind: 'function', status: 'semantic', params: [], returns: 'other', notes: ['backend-global'], target: "'cpu'" },
  manual('tf.enableProdMode', 'the runtime has no debug/prod mode; remove the call'),
  manual('tf.enableDebugMode', 'the runtime has no debug mode; remove the call'),
  manual('tf.env', 'the runtime has no global environment flags'),
  manual('tf.engine', 'the runtime has no global engine object'),
  manual('tf.time', 'time the code with performance.now()'),
  manual('tf.profile', 'use torch.memory() before and after'),
  manual('tf.removeBackend', 'the runtime has no backend registry'),
  manual('tf.registerBackend', 'the runtime has no backend registry'),
  manual('tf.findBackend', 'the runtime has no backend registry'),
  manual('tf.backend', 'the runtime has no global backend object'),
];
