/**
 * What TensorFlow 2 Python knows that TensorFlow.js does not, as data, in one place: how Python names
 * (`tf.reduce_mean`, `tf.keras.layers.Dense`, `tf.keras.optimizers.Adam`) reach the mapping table's tfjs keys,
 * their positional signatures and snake_case keywords, and the Python-only APIs (GradientTape, tf.data, NumPy,
 * Keras metrics) with what each becomes. The emitter (emitter.ts) reads this table and knows no name itself.
 *
 * A parameter spec is `python_name` or `python_name:tfjsName`, optionally `=default` (code written when the
 * Python call omits it and the tfjs row needs it) or a trailing `!` (no runtime equivalent: a call passing it is a
 * TODO). Positional arguments bind in order; keywords by Python name.
 */
import type { NoteId } from '../../mappings/notes.js';

export type PyEntry =
  /** A function row of the mapping table (`tf.matMul`), its Python parameters in order. */
  | { kind: 'op'; tf: string; params: string[] }
  /** A Keras layer: Python positional parameters become the tfjs config object's (camelCase) keys. */
  | { kind: 'layer'; tf: string; params: string[] }
  /** A Keras optimizer: an optimizer row; `momentumRow` is used instead when momentum is given and not 0. */
  | { kind: 'optimizer'; tf: string; params: string[]; momentumRow?: { tf: string; params: string[] }; notes?: NoteId[] }
  /** A Keras loss class: a function (y_true, y_pred) => scalar, by `from_logits`. */
  | { kind: 'loss'; logits: string; probs: string; params: string[]; tfjs?: { logits: string; probs: string } }
  /** A Keras streaming metric: the compat.keras class. */
  | { kind: 'metric'; cls: string }
  /** Handled by the emitter's named special form. */
  | { kind: 'special'; id: SpecialId }
  /** A value (a dtype constant). */
  | { kind: 'value'; code: string; valueKind: 'dtype' };

export type SpecialId =
  | 'gradientTape' | 'tfFunction' | 'variable' | 'constant' | 'tfPrint' | 'sequential' | 'kerasModel' | 'fromTensorSlices'
  | 'mnistLoadData' | 'kerasInput' | 'npArray' | 'npZeros' | 'npOnes' | 'npArange' | 'defaultRng' | 'npUnary' | 'npReduce';

/** Python module paths the imports name, normalised (`keras` alone is `tf.keras`, `tensorflow` is `tf`). */
export const MODULE_ALIASES: Record<string, string> = {
  tensorflow: 'tf',
  'tensorflow.keras': 'tf.keras',
  keras: 'tf.keras',
  'tensorflow.keras.layers': 'tf.keras.layers',
  'keras.layers': 'tf.keras.layers',
  'tensorflow.keras.optimizers': 'tf.keras.optimizers',
  'tensorflow.keras.losses': 'tf.keras.losses',
  'tensorflow.keras.metrics': 'tf.keras.metrics',
  'tensorflow.keras.datasets': 'tf.keras.datasets',
  numpy: 'np',
};

const unary = (tf: string): PyEntry => ({ kind: 'op', tf, params: ['x'] });
const reduce = (tf: string): PyEntry => ({ kind: 'op', tf, params: ['input_tensor:x', 'axis', 'keepdims:keepDims'] });
const binary = (tf: string): PyEntry => ({ kind: 'op', tf, params: ['x:a', 'y:b'] });

const KERAS_LAYERS: Record<string, PyEntry> = {
  Dense: { kind: 'layer', tf: 'tf.layers.dense', params: ['units', 'activation'] },
  Flatten: { kind: 'layer', tf: 'tf.layers.flatten', params: [] },
  Dropout: { kind: 'layer', tf: 'tf.layers.dropout', params: ['rate'] },
  ReLU: { kind: 'layer', tf: 'tf.layers.reLU', params: [] },
  Softmax: { kind: 'layer', tf: 'tf.layers.softmax', params: [] },
};

/** Keras (Python) losses: from_logits=True becomes the runtime's fused loss; probabilities tfjs-layers' formula. */
const KERAS_LOSSES: Record<string, PyEntry> = {
  SparseCategoricalCrossentropy: {
    kind: 'loss', params: ['from_logits'],
    logits: 'F.crossEntropy($yPred, $yTrue.reshape(-1).int())',
    probs: 'torch.neg(torch.log(torch.clamp(torch.div($yPred, torch.sum($yPred, -1, true)), 1e-7, 1 - 1e-7)).gather(-1, $yTrue.reshape(-1, 1).int()).reshape(-1)).mean()',
    tfjs: {
      logits: 'tf.losses.softmaxCrossEntropy(tf.oneHot(tf.cast(tf.reshape($yTrue, [-1]), \'int32\'), $yPred.shape[$yPred.shape.length - 1]), $yPred)',
      probs: 'tf.mean(tf.metrics.categoricalCrossentropy(tf.oneHot(tf.cast(tf.reshape($yTrue, [-1]), \'int32\'), $yPred.shape[$yPred.shape.length - 1]), $yPred))',
    },
  },
  CategoricalCrossentropy: {
    kind: 'loss', params: ['from_logits'],
    logits: 'F.crossEntropy($yPred, $yTrue.float())',
    probs: 'torch.neg(torch.mul($yTrue, torch.log(torch.clamp(torch.div($yPred, torch.sum($yPred, -1, true)), 1e-7, 1 - 1e-7))).sum(-1)).mean()',
    tfjs: { logits: 'tf.losses.softmaxCrossEntropy($yTrue, $yPred)', probs: 'tf.mean(tf.metrics.categoricalCrossentropy($yTrue, $yPred))' },
  },
  MeanSquaredError: { kind: 'loss', params: [], logits: 'F.mseLoss($yPred, $yTrue)', probs: 'F.mseLoss($yPred, $yTrue)', tfjs: { logits: 'tf.losses.meanSquaredError($yTrue, $yPred)', probs: 'tf.losses.meanSquaredError($yTrue, $yPred)' } },
  MeanAbsoluteError: { kind: 'loss', params: [], logits: 'F.l1Loss($yPred, $yTrue)', probs: 'F.l1Loss($yPred, $yTrue)', tfjs: { logits: 'tf.losses.absoluteDifference($yTrue, $yPred)', probs: 'tf.losses.absoluteDifference($yTrue, $yPred)' } },
};

const KERAS_METRICS: Record<string, PyEntry> = {
  Mean: { kind: 'metric', cls: 'compat.keras.Mean' },
  SparseCategoricalAccuracy: { kind: 'metric', cls: 'compat.keras.SparseCategoricalAccuracy' },
  CategoricalAccuracy: { kind: 'metric', cls: 'compat.keras.CategoricalAccuracy' },
  MeanSquaredError: { kind: 'metric', cls: 'compat.keras.MeanSquaredError' },
};

/** Keras optimizers (Keras's defaults: Adam lr 0.001, epsilon 1e-7 — as tfjs; SGD lr 0.01). */
const KERAS_OPTIMIZERS: Record<string, PyEntry> = {
  Adam: { kind: 'optimizer', tf: 'tf.train.adam', params: ['learning_rate:learningRate', 'beta_1:beta1', 'beta_2:beta2', 'epsilon', 'amsgrad!'] },
  SGD: {
    kind: 'optimizer', tf: 'tf.train.sgd', params: ['learning_rate:learningRate=0.01', 'momentum', 'nesterov'],
    momentumRow: { tf: 'tf.train.momentum', params: ['learning_rate:learningRate=0.01', 'momentum', 'nesterov:useNesterov'] },
    notes: ['py-sgd-momentum'],
  },
};

function prefixed(prefix: string, entries: Record<string, PyEntry>): Record<string, PyEntry> {
  return Object.fromEntries(Object.entries(entries).map(([k, v]) => [`${prefix}.${k}`, v]));
}

/** Fully qualified Python name (after import normalisation) → what it becomes. */
export const PY_NAMES: Record<string, PyEntry> = {
  // tf core ops → the mapping table's rows
  'tf.matmul': { kind: 'op', tf: 'tf.matMul', params: ['a', 'b'] },
  'tf.linalg.matmul': { kind: 'op', tf: 'tf.matMul', params: ['a', 'b'] },
  'tf.reduce_mean': reduce('tf.mean'),
  'tf.math.reduce_mean': reduce('tf.mean'),
  'tf.reduce_sum': reduce('tf.sum'),
  'tf.math.reduce_sum': reduce('tf.sum'),
  'tf.reduce_max': reduce('tf.max'),
  'tf.reduce_min': reduce('tf.min'),
  'tf.nn.relu': { kind: 'op', tf: 'tf.relu', params: ['features:x'] },
  'tf.nn.sigmoid': unary('tf.sigmoid'),
  'tf.sigmoid': unary('tf.sigmoid'),
  'tf.math.sigmoid': unary('tf.sigmoid'),
  'tf.nn.tanh': unary('tf.tanh'),
  'tf.tanh': unary('tf.tanh'),
  'tf.math.tanh': unary('tf.tanh'),
  'tf.exp': unary('tf.exp'),
  'tf.math.exp': unary('tf.exp'),
  'tf.math.log': unary('tf.log'),
  'tf.square': unary('tf.square'),
  'tf.math.square': unary('tf.square'),
  'tf.sqrt': unary('tf.sqrt'),
  'tf.math.sqrt': unary('tf.sqrt'),
  'tf.abs': unary('tf.abs'),
  'tf.sin': unary('tf.sin'),
  'tf.math.sin': unary('tf.sin'),
  'tf.cos': unary('tf.cos'),
  'tf.math.cos': unary('tf.cos'),
  'tf.negative': unary('tf.neg'),
  'tf.add': binary('tf.add'),
  'tf.subtract': binary('tf.sub'),
  'tf.multiply': binary('tf.mul'),
  'tf.maximum': binary('tf.maximum'),
  'tf.minimum': binary('tf.minimum'),
  'tf.pow': binary('tf.pow'),
  'tf.nn.softmax': { kind: 'op', tf: 'tf.softmax', params: ['logits', 'axis:dim'] },
  'tf.argmax': { kind: 'op', tf: 'tf.argMax', params: ['input:x', 'axis'] },
  'tf.math.argmax': { kind: 'op', tf: 'tf.argMax', params: ['input:x', 'axis'] },
  'tf.reshape': { kind: 'op', tf: 'tf.reshape', params: ['tensor:x', 'shape'] },
  'tf.concat': { kind: 'op', tf: 'tf.concat', params: ['values:tensors', 'axis'] },
  'tf.stack': { kind: 'op', tf: 'tf.stack', params: ['values:tensors', 'axis'] },
  'tf.expand_dims': { kind: 'op', tf: 'tf.expandDims', params: ['input:x', 'axis'] },
  'tf.squeeze': { kind: 'op', tf: 'tf.squeeze', params: ['input:x', 'axis'] },
  'tf.transpose': { kind: 'op', tf: 'tf.transpose', params: ['a:x', 'perm'] },
  'tf.one_hot': { kind: 'op', tf: 'tf.oneHot', params: ['indices', 'depth', 'on_value:onValue', 'off_value:offValue'] },
  'tf.zeros': { kind: 'op', tf: 'tf.zeros', params: ['shape'] },
  'tf.ones': { kind: 'op', tf: 'tf.ones', params: ['shape'] },
  'tf.zeros_like': { kind: 'op', tf: 'tf.zerosLike', params: ['input:x'] },
  'tf.ones_like': { kind: 'op', tf: 'tf.onesLike', params: ['input:x'] },
  'tf.equal': binary('tf.equal'),
  'tf.keras.losses.mean_squared_error': { kind: 'op', tf: 'tf.losses.meanSquaredError', params: ['y_true:labels', 'y_pred:predictions'] },
  // Python-only TensorFlow
  'tf.GradientTape': { kind: 'special', id: 'gradientTape' },
  'tf.function': { kind: 'special', id: 'tfFunction' },
  'tf.Variable': { kind: 'special', id: 'variable' },
  'tf.constant': { kind: 'special', id: 'constant' },
  'tf.convert_to_tensor': { kind: 'special', id: 'constant' },
  'tf.print': { kind: 'special', id: 'tfPrint' },
  'tf.data.Dataset.from_tensor_slices': { kind: 'special', id: 'fromTensorSlices' },
  'tf.float32': { kind: 'value', code: "'float32'", valueKind: 'dtype' },
  'tf.int32': { kind: 'value', code: "'int32'", valueKind: 'dtype' },
  'tf.float64': { kind: 'value', code: "'float64'", valueKind: 'dtype' },
  'tf.bool': { kind: 'value', code: "'bool'", valueKind: 'dtype' },
  // Keras
  'tf.keras.Sequential': { kind: 'special', id: 'sequential' },
  'tf.keras.models.Sequential': { kind: 'special', id: 'sequential' },
  'tf.keras.Model': { kind: 'special', id: 'kerasModel' },
  'tf.keras.models.Model': { kind: 'special', id: 'kerasModel' },
  'tf.keras.datasets.mnist.load_data': { kind: 'special', id: 'mnistLoadData' },
  'tf.keras.Input': { kind: 'special', id: 'kerasInput' },
  'tf.keras.layers.Input': { kind: 'special', id: 'kerasInput' },
  ...prefixed('tf.keras.layers', KERAS_LAYERS),
  ...prefixed('tf.keras.losses', KERAS_LOSSES),
  ...prefixed('tf.keras.metrics', KERAS_METRICS),
  ...prefixed('tf.keras.optimizers', KERAS_OPTIMIZERS),
  // NumPy around the model
  'np.array': { kind: 'special', id: 'npArray' },
  'np.asarray': { kind: 'special', id: 'npArray' },
  'np.zeros': { kind: 'special', id: 'npZeros' },
  'np.ones': { kind: 'special', id: 'npOnes' },
  'np.arange': { kind: 'special', id: 'npArange' },
  'np.random.default_rng': { kind: 'special', id: 'defaultRng' },
  'np.sin': { kind: 'special', id: 'npUnary' },
  'np.cos': { kind: 'special', id: 'npUnary' },
  'np.exp': { kind: 'special', id: 'npUnary' },
  'np.log': { kind: 'special', id: 'npUnary' },
  'np.tanh': { kind: 'special', id: 'npUnary' },
  'np.abs': { kind: 'special', id: 'npUnary' },
  'np.sqrt': { kind: 'special', id: 'npUnary' },
  'np.square': { kind: 'special', id: 'npUnary' },
  'np.mean': { kind: 'special', id: 'npReduce' },
  'np.sum': { kind: 'special', id: 'npReduce' },
  'np.float32': { kind: 'value', code: "'float32'", valueKind: 'dtype' },
  'np.float64': { kind: 'value', code: "'float64'", valueKind: 'dtype' },
  'np.int32': { kind: 'value', code: "'int32'", valueKind: 'dtype' },
  'np.int64': { kind: 'value', code: "'int32'", valueKind: 'dtype' },
};

/** Python-only TensorFlow APIs with no runtime equivalent: a TODO with the reason (the rest: "not in the table"). */
export const PY_UNSUPPORTED: Record<string, string> = {
  'tf.py_function': 'tf.py_function wraps arbitrary Python in a graph op; call the migrated function directly',
  'tf.numpy_function': 'tf.numpy_function wraps NumPy code in a graph op; call the migrated function directly',
  'tf.distribute.MirroredStrategy': 'distribution strategies have no runtime equivalent (one device per process)',
  'tf.config.experimental.set_memory_growth': 'GPU memory growth is TensorFlow allocator configuration; the runtime has none',
};

/** dtype strings (astype('float32'), dtype='int32') → the runtime's dtype and cast method. */
export const DTYPES: Record<string, { dtype: string; cast: string }> = {
  float32: { dtype: 'float32', cast: 'float' },
  float64: { dtype: 'float64', cast: 'double' },
  float: { dtype: 'float32', cast: 'float' },
  int32: { dtype: 'int32', cast: 'int' },
  int64: { dtype: 'int32', cast: 'int' },
  int: { dtype: 'int32', cast: 'int' },
  uint8: { dtype: 'int32', cast: 'int' },
  bool: { dtype: 'bool', cast: 'bool' },
};

/** Keras metric/optimizer/model methods (snake_case) → the runtime's names. */
export const METHOD_RENAMES: Record<string, string> = {
  update_state: 'updateState',
  reset_states: 'resetStates',
  reset_state: 'resetState',
  result: 'result',
};

/** NumPy-style tensor methods → runtime methods (same arguments, axis → dim handled by the emitter). */
export const TENSOR_METHODS: Record<string, string> = {
  reshape: 'reshape', mean: 'mean', sum: 'sum', max: 'amax', min: 'amin', argmax: 'argmax', argmin: 'argmin',
  transpose: 'permute', flatten: 'flatten', squeeze: 'squeeze', std: 'std', exp: 'exp', log: 'log', abs: 'abs',
};

/** Keras's default initialisation of the modules a layer makes (Python Keras: glorot_uniform, zeros). */
export const PY_INIT = {
  note: 'py-glorot-uniform' as NoteId,
  comment: "Keras's initialisers (PyTorch's differ): glorot_uniform kernels, zero biases",
  classes: ['nn.Linear'],
  body: ['nn.init.xavierUniform_(m.weight);', 'if (m.bias) nn.init.zeros_(m.bias);'],
};

/**
 * Keras's (Python) default initialisers where tfjs's differ, for the tfjs program `--emit-tfjs` writes: tfjs
 * layers default to glorotNormal kernels, Keras to glorot_uniform (biases are zeros in both).
 */
export const PY_TFJS_LAYER_DEFAULTS: Record<string, Record<string, string>> = {
  'tf.layers.dense': { kernelInitializer: "'glorotUniform'" },
  'tf.layers.conv2d': { kernelInitializer: "'glorotUniform'" },
};

/** dtype strings (astype('float32')) → tfjs's dtype for `tf.cast` (tfjs has no float64 or uint8: float32 / int32). */
export const TFJS_DTYPES: Record<string, string> = {
  float32: 'float32', float: 'float32', int32: 'int32', int64: 'int32', int: 'int32', uint8: 'int32', bool: 'bool',
};

/** NumPy-style tensor methods → tfjs's chained Tensor methods (reshape's shape is an array in tfjs). */
export const TFJS_TENSOR_METHODS: Record<string, string> = {
  reshape: 'reshape', mean: 'mean', sum: 'sum', max: 'max', min: 'min', argmax: 'argMax', argmin: 'argMin',
  transpose: 'transpose', flatten: 'flatten', squeeze: 'squeeze', exp: 'exp', log: 'log', abs: 'abs',
};

/** Python operators on tensors → the tfjs op (`/` on two tensors casts first: tfjs floors int32 / int32). */
export const TFJS_OPERATORS: Record<string, string> = {
  '+': 'add', '-': 'sub', '*': 'mul', '/': 'div', '//': 'floorDiv', '%': 'mod', '**': 'pow', '@': 'matMul',
  '<': 'less', '<=': 'lessEqual', '>': 'greater', '>=': 'greaterEqual', '==': 'equal', '!=': 'notEqual',
};

/** tfjs layers without weights: a subclassed model need not build them before training. */
export const TFJS_WEIGHTLESS_LAYERS = ['tf.layers.flatten', 'tf.layers.dropout', 'tf.layers.reLU', 'tf.layers.softmax'];

/** snake_case → camelCase (Keras keyword → tfjs config key). */
export function camel(s: string): string {
  return s.replace(/_([a-z0-9])/g, (_m, c: string) => c.toUpperCase());
}
