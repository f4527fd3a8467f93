/**
 * The mapping table's contract, in one place: what a row says, what a transformer receives and returns, and
 * how notes and sample inputs are written. `mappings/` is data (rows, notes, small named transformers);
 * `transpiler/` reads it and knows no TensorFlow name of its own.
 */
import type { NoteId } from './notes.js';

export type { NoteId };

/**
 * How close the migrated code is to the original:
 * - `exact`: same numbers (up to float rounding order);
 * - `semantic`: same meaning, a documented numeric or behavioural difference (see the row's notes);
 * - `pattern`: not 1:1 — a named pattern rule rewrites the surrounding statements;
 * - `manual`: a human must decide; the transpiler leaves a TODO marker with the row's `reason`.
 */
export type Status = 'exact' | 'semantic' | 'pattern' | 'manual';
export const STATUSES: readonly Status[] = ['exact', 'semantic', 'pattern', 'manual'];

/**
 * The pattern rules the transpiler implements, which `pattern` rows name in `rule`; transpiler/rules/pattern_rules.ts
 * has one rule for each name (a name without one, or a row naming another, is a type error).
 */
export const RULE_NAMES = ['sequentialModel', 'functionalModel', 'compileFit', 'variableGrads', 'minimize', 'trainableWeights'] as const;
export type RuleName = (typeof RULE_NAMES)[number];

export type Severity = 'info' | 'warning' | 'error';

/** A catalogued difference between TensorFlow.js and the runtime (see notes.ts). */
export interface NoteSpec {
  severity: Severity;
  /** The precise difference, stated once. */
  text: string;
}

/**
 * What a row's key names:
 * - `function`: `tf.matMul(a, b)`, `tf.layers.dense(config)`, `tf.train.adam(lr)`;
 * - `method`: `Tensor.add` (called as `x.add(y)` on a value typed Tensor/Variable/LayersModel/Optimizer);
 * - `property`: a read such as `Tensor.rank`;
 * - `class`: a class used as a type, in `instanceof`, or with `new` (`tf.Tensor`);
 * - `type`: a type-only export (`tf.Rank`, `tf.Logs`).
 */
export type RowKind = 'function' | 'method' | 'property' | 'class' | 'type';

/**
 * The kind of value an expression holds, for the transpiler's data flow (plain JS has no types): a row's
 * `returns` says what its call produces, so `const y = tf.relu(x); y.sum()` finds `Tensor.sum`.
 */
export type ValueKind =
  | 'Tensor' | 'Tensor[]' | 'Variable' | 'LayersModel' | 'Sequential' | 'Optimizer' | 'Layer' | 'SymbolicTensor'
  | 'History' | 'TensorMap' | 'GradFunction' | 'Promise<Tensor>' | 'Promise<History>' | 'number' | 'other'
  /** What the call's function argument returns (tf.tidy), or what its first argument is (tf.keep). */
  | 'FnResult' | 'Arg0';

/** The class a method/property row belongs to (the part before the dot in `Tensor.add`). */
export const RECEIVER_CLASSES = ['Tensor', 'Variable', 'LayersModel', 'Sequential', 'Optimizer', 'Layer', 'SymbolicTensor', 'History'] as const;
export type ReceiverClass = (typeof RECEIVER_CLASSES)[number];

/**
 * A code template. `$name` is the source text of the TF parameter `name` (see `Mapping.params`), `$self`
 * the receiver of a method. `$name:t` makes sure the value is a runtime tensor (a literal number or array
 * becomes `torch.tensor(<literal>, { dtype: 'float32' })`, as tfjs would have made it). `{{ ... }}` is an
 * optional group: written when at least one placeholder inside it was passed (the others take their
 * defaults), dropped when none was. A template fails when a placeholder without default is missing; then
 * the next alternative is tried.
 */
export type Template = string | { when: 'awaited' | 'notAwaited'; code: string };

/** A value for a sample input: a tensor (values + dtype) or a plain JS argument. */
export type SampleValue =
  | { tensor: NestedNumbers; dtype?: 'float32' | 'int32' | 'bool' }
  | number | boolean | string | NestedNumbers | null | SampleValue[];
export type NestedNumbers = number | boolean | NestedNumbers[];

/** Sample inputs for the op-level differential test, keyed by parameter name (and `self` for methods). */
export type Sample = Record<string, SampleValue>;

/** A worked example: TensorFlow.js source in, expected runtime source out (a test table). */
export interface Example {
  tf: string;
  torch: string;
}

/** One row: a TensorFlow.js API and how it moves to the runtime. */
export interface Mapping {
  /** Fully qualified tfjs name: `tf.matMul`, `tf.layers.dense`, `tf.train.adam`, `Tensor.add`, `LayersModel.fit`. */
  tf: string;
  kind: RowKind;
  status: Status;
  /**
   * tfjs's positional parameters in order: `x`, `axis?` (optional), `axis?=-1` (optional with the default
   * written in the target when an optional group needs it), `...tensors` (rest).
   */
  params?: readonly string[];
  /** Target code; alternatives are tried in order. Absent for `pattern` and `manual` rows. */
  target?: Template | readonly Template[];
  /** A named transformer (transformers/index.ts) for argument handling a template cannot express. */
  transform?: string;
  /**
   * For a method that is the chainable form of a function row with a transformer (`x.pad(p)` = `tf.pad(x, p)`):
   * that row's key; the receiver is passed as its first argument.
   */
  receiverAs?: string;
  /**
   * tfjs also has this function as a Tensor method with the first parameter as the receiver (`x.add(y)` is
   * `tf.add(x, y)`): the method's row is derived from this one (table/tensor_methods.ts). The table test checks
   * the flag against tfjs's own Tensor prototype.
   */
  chainable?: true;
  /** A named pattern rule (implemented by the transpiler) that rewrites the statements around the use. */
  rule?: RuleName;
  notes?: readonly NoteId[];
  /** For `manual` rows (and TODO outcomes): what a human has to decide. */
  reason?: string;
  /** What the call/read produces, for data flow. */
  returns?: ValueKind;
  samples?: readonly Sample[];
  examples?: readonly Example[];
  /**
   * A TensorFlow 2 (Python) API that @tensorflow/tfjs does not export (`tf.function`): ported code and the
   * planned Python front-end use it. The table test checks such a row is really absent from tfjs (so it can never
   * shadow a tfjs API); coverage figures, which count tfjs's exports, leave it out.
   */
  tf2Only?: true;
  /** A `tf.layers.*` row: how the differential tester pairs the tfjs layer with the modules it migrates to. */
  diff?: LayerPairing;
}

/**
 * The diff's knowledge of a layer, beside the row that migrates it (difftest/program/layer_map.ts derives its
 * tables from these): the tfjs class a recorded model names, the runtime module it becomes, its weights' names.
 */
export interface LayerPairing {
  /** tfjs's class name, as `layer.getClassName()` and a saved model say: `Dense`, `Conv2D`. */
  className: string;
  /** The runtime module classes (alternatives) the layer's main module is one of; the row's target names each. */
  modules: readonly string[];
  /** tfjs weight short names → the runtime's, where they are not `kernel` → `weight`, `bias` → `bias`. */
  weights?: Readonly<Record<string, string>>;
  /** The layer's `activation` belongs to its cell (recurrent layers), not to a module after it. */
  cellActivation?: true;
  /** Modules that follow the main one in the layer's group, in forward order (a global average pool's nn.Flatten). */
  then?: readonly string[];
  /**
   * The layer may migrate to an op in the forward instead (`x.amax([2, 3])`, `x.permute(...)`; with `modules` empty,
   * always): the diff then reads its output where the migrated forward shows it, as the next module's input.
   */
  op?: true;
  /**
   * The layer's output is its module's output passed through an op in the forward (bidirectional's merge of the two
   * directions): the diff reads it as the next module's input, as for `op`.
   */
  outputAfterOp?: true;
}

/** A function argument as the transpiler saw it; transformers read these, never the syntax tree. */
export interface ArgInfo {
  /** Source text of the argument, with nested TF uses already rewritten. */
  text: string;
  kind: 'number' | 'string' | 'boolean' | 'null' | 'undefined' | 'array' | 'object' | 'function' | 'identifier' | 'expression' | 'spread';
  /** The literal value of a number/string/boolean literal (negative numbers included). */
  value?: number | string | boolean;
  /** Elements of an array literal. */
  elements?: ArgInfo[];
  /** Properties of an object literal (shorthand `{ units }` included, its value text being `units`). */
  props?: Record<string, ArgInfo>;
  /** True when the text can be used as a receiver (`text.method()`) without parentheses. */
  simple: boolean;
  /** What the value is, when known (type checker or data flow). */
  valueKind?: ValueKind;
  /** The type checker's text for the value's type, when known (`number[]`, `Int32Array`). */
  typeText?: string;
}

/** Layout choice for image models: idiomatic NCHW with one permute at the boundary, or NHWC kept. */
export type Layout = 'nchw' | 'keep';

/** Where and how a TF API is used; the one argument every transformer receives. */
export interface CallSite {
  /** The row's key. */
  key: string;
  receiver?: ArgInfo;
  args: ArgInfo[];
  /** The call is the operand of `await`. */
  awaited: boolean;
  layout: Layout;
  /**
   * For optimizers: the parameters they will update, as code (`model.parameters()`, `[w, b]`), when the
   * transpiler could tell from the surrounding code; undefined otherwise.
   */
  paramsCode?: string;
  /** For layers: the input shapes without the batch dimension, TF layout (NHWC), when known. */
  inputShapes?: (Shape | null)[];
  /** The output file is TypeScript (type annotations allowed). */
  typescript: boolean;
}

/** A dimension: a number when known, else the code that computes it (`hiddenUnits`, `Math.floor(h / 2)`). */
export type Dim = number | string;
/** A shape without the batch dimension; null entries are unknown (tfjs's `null` in inputShape). */
export type Shape = (Dim | null)[];

/**
 * Where a layer wants its input: `cf` channels-first (NCHW/NCW, the runtime's conv/pool layout), `tf` TensorFlow's
 * channels-last layout (Dense on the last axis, RNNs, reshapes), `any` either. `same` (produces only): as the input.
 */
export type LayoutNeed = 'cf' | 'tf' | 'any';

/** Parameter initialisation reproducing TensorFlow's defaults, for modules of one runtime class (`m` is the module). */
export interface InitSpec {
  cls: string;
  body: string[];
  /**
   * A further condition on `m`, for modules of a class that another layer also makes with another
   * initialisation (a depthwise nn.Conv2d is `m.groups > 1`): guarded groups are tested first.
   */
  where?: string;
}

/**
 * One step of a layer. Code templates use `$x` (the input), `$xs` (all inputs, for merge layers), `$m` (the
 * module) and `$dim` (the feature axis: -1, or 1 when the tensor is channels-first).
 */
export type LayerStep =
  | { kind: 'module'; name: string; code: string; init?: InitSpec; call?: string }
  | { kind: 'op'; code: string; module?: string };

/** What a layer (`tf.layers.*`) becomes. */
export interface LayerPlan {
  steps: LayerStep[];
  /** Output shape without the batch dimension, TF layout (channels last); null when unknown (null dims: unknown). */
  outputShape: Shape | null;
  requires: LayoutNeed;
  produces: LayoutNeed | 'same';
}

/** A transformer's answer. */
export type Emit =
  | { kind: 'code'; code: string; notes?: NoteId[] }
  | { kind: 'layer'; plan: LayerPlan; notes?: NoteId[] }
  | { kind: 'todo'; note: NoteId; detail: string };

/** The one signature of every named transformer. */
export type Transformer = (site: CallSite, row: Mapping) => Emit;
