/** Classes and types used in type positions, `instanceof` and generics. */
import type { Mapping } from '../schema.js';
import { manual } from './helpers.js';

const cls = (tf: string, target: string, kind: Mapping['kind'] = 'class', returns?: Mapping['returns']): Mapping => ({
  tf, kind, status: 'exact', target, notes: ['type-position'], returns,
});

export const types: Mapping[] = [
  cls('tf.Tensor', 'torch.Tensor', 'class', 'Tensor'),
  cls('tf.Variable', 'torch.Tensor', 'class', 'Variable'),
  cls('tf.Scalar', 'torch.Tensor', 'type', 'Tensor'),
  cls('tf.Tensor1D', 'torch.Tensor', 'type', 'Tensor'),
  cls('tf.Tensor2D', 'torch.Tensor', 'type', 'Tensor'),
  cls('tf.Tensor3D', 'torch.Tensor', 'type', 'Tensor'),
  cls('tf.Tensor4D', 'torch.Tensor', 'type', 'Tensor'),
  cls('tf.Tensor5D', 'torch.Tensor', 'type', 'Tensor'),
  cls('tf.SymbolicTensor', 'nn.SymbolicTensor', 'class', 'SymbolicTensor'),
  cls('tf.LayersModel', 'nn.Module', 'class', 'LayersModel'),
  cls('tf.Sequential', 'nn.Module', 'class', 'Sequential'),
  cls('tf.Optimizer', 'optim.Optimizer', 'class', 'Optimizer'),
  { tf: 'tf.layers.Layer', kind: 'class', status: 'exact', target: 'compat.layers.Layer', notes: ['custom-layer'] },
  cls('tf.LayerVariable', 'compat.layers.LayerVariable', 'class'),
  cls('tf.Shape', '(number | null)[]', 'type'),
  cls('tf.TensorContainer', 'unknown', 'type'),
  cls('tf.NamedTensorMap', 'Record<string, torch.Tensor>', 'type', 'TensorMap'),
  cls('tf.Logs', 'Record<string, number>', 'type'),
  cls('tf.DataType', 'torch.DType', 'type'),
  cls('tf.TensorLike', 'number | boolean | number[] | number[][] | Float32Array | Int32Array', 'type'),
  manual('tf.Rank', 'ranks are not part of runtime tensor types; drop the type argument', { kind: 'class' }),
  manual('tf.History', 'fit returns { history: Record<string, number[]> } after migration', { kind: 'class', returns: 'History' }),
  manual('tf.Callback', 'callbacks become code in the training loop', { kind: 'class' }),
  manual('tf.CustomCallback', 'callbacks become code in the training loop', { kind: 'class' }),
  {
    tf: 'tf.serialization.registerClass', kind: 'function', status: 'exact', params: ['cls'], returns: 'other', notes: ['custom-layer'],
    target: 'compat.serialization.registerClass($cls)',
  },
  manual('tf.TensorBuffer', 'fill a typed array and call torch.tensor(array, { shape })', { kind: 'class' }),
];
