/**
 * Which tfjs kernels and runtime ops may stand for the same computation in the op-level trace (op_alignment.ts), and
 * the op class their outputs are compared under (tolerance.ts). Data only: the alignment knows no op name.
 *
 * Granularity differs between the two: tfjs fuses (`_FusedMatMul` is matmul + bias + activation) where the runtime
 * reports the pieces and then the whole (`Linear` after `MatMul`), and the other way round (tfjs's Mean is one
 * kernel, the runtime's a sum and a division). A row therefore lists every runtime op whose output may equal the
 * kernel's: the last op of the composite that computes it. The pairing also needs the shapes to agree and prefers
 * pairs whose values agree, so a loose row costs little. Runtime names carry their `op` attribute (`Binary:add`).
 */
import type { OpClass } from '../tolerance.js';

export interface KindRow {
  tfjs: readonly string[];
  runtime: readonly string[];
  opClass: OpClass;
}

const ACTIVATIONS = ['Unary:relu', 'Unary:sigmoid', 'Unary:tanh', 'LeakyRelu', 'Where', 'Binary:maximum', 'Binary:minimum'];

export const KIND_ROWS: readonly KindRow[] = [
  // Tensors no traced op of the window made: data, variables, constants (op_trace_log.ts).
  { tfjs: ['Input'], runtime: ['Input'], opClass: 'elementwise' },
  { tfjs: ['BatchMatMul', 'MatMul'], runtime: ['MatMul', 'Linear'], opClass: 'matmul' },
  { tfjs: ['_FusedMatMul'], runtime: ['MatMul', 'Linear', 'Binary:add', ...ACTIVATIONS], opClass: 'matmul' },
  { tfjs: ['Conv2D'], runtime: ['Conv2d'], opClass: 'conv' },
  { tfjs: ['FusedConv2D'], runtime: ['Conv2d', 'Binary:add', ...ACTIVATIONS], opClass: 'conv' },
  { tfjs: ['Add', 'AddN', 'BiasAdd'], runtime: ['Binary:add', 'Linear', 'Conv2d'], opClass: 'elementwise' },
  { tfjs: ['Sub'], runtime: ['Binary:sub'], opClass: 'elementwise' },
  { tfjs: ['Multiply'], runtime: ['Binary:mul'], opClass: 'elementwise' },
  { tfjs: ['RealDiv', 'DivNoNan'], runtime: ['Binary:div'], opClass: 'elementwise' },
  { tfjs: ['FloorDiv'], runtime: ['Binary:floorDivide'], opClass: 'elementwise' },
  { tfjs: ['Mod'], runtime: ['Binary:remainder'], opClass: 'elementwise' },
  { tfjs: ['Pow'], runtime: ['Binary:pow'], opClass: 'elementwise' },
  { tfjs: ['Square'], runtime: ['Unary:square', 'Binary:mul', 'Binary:pow'], opClass: 'elementwise' },
  { tfjs: ['SquaredDifference'], runtime: ['Unary:square', 'Binary:pow', 'Binary:mul'], opClass: 'elementwise' },
  { tfjs: ['Maximum'], runtime: ['Binary:maximum', 'Where'], opClass: 'elementwise' },
  { tfjs: ['Minimum'], runtime: ['Binary:minimum', 'Where'], opClass: 'elementwise' },
  { tfjs: ['Atan2'], runtime: ['Binary:atan2'], opClass: 'elementwise' },
  { tfjs: ['Greater'], runtime: ['Binary:gt'], opClass: 'elementwise' },
  { tfjs: ['GreaterEqual'], runtime: ['Binary:ge'], opClass: 'elementwise' },
  { tfjs: ['Less'], runtime: ['Binary:lt'], opClass: 'elementwise' },
  { tfjs: ['LessEqual'], runtime: ['Binary:le'], opClass: 'elementwise' },
  { tfjs: ['Equal'], runtime: ['Binary:eq'], opClass: 'elementwise' },
  { tfjs: ['NotEqual'], runtime: ['Binary:ne'], opClass: 'elementwise' },
  { tfjs: ['LogicalAnd'], runtime: ['Binary:logicalAnd'], opClass: 'elementwise' },
  { tfjs: ['LogicalOr'], runtime: ['Binary:logicalOr'], opClass: 'elementwise' },
  { tfjs: ['LogicalNot'], runtime: ['Unary:logicalNot'], opClass: 'elementwise' },
  { tfjs: ['Select'], runtime: ['Where'], opClass: 'elementwise' },
  { tfjs: ['Relu'], runtime: ['Unary:relu', 'Binary:maximum', 'Where'], opClass: 'elementwise' },
  { tfjs: ['Relu6', 'ClipByValue'], runtime: ['Binary:minimum', 'Binary:maximum', 'Where'], opClass: 'elementwise' },
  { tfjs: ['LeakyRelu', 'Prelu'], runtime: ['LeakyRelu', 'Where'], opClass: 'elementwise' },
  { tfjs: ['Elu', 'Selu'], runtime: ['Where', 'Binary:mul'], opClass: 'elementwise' },
  { tfjs: ['Sigmoid'], runtime: ['Unary:sigmoid'], opClass: 'elementwise' },
  { tfjs: ['Tanh'], runtime: ['Unary:tanh'], opClass: 'elementwise' },
  { tfjs: ['Softplus'], runtime: ['Unary:log1p', 'Binary:add', 'Where'], opClass: 'elementwise' },
  { tfjs: ['Neg'], runtime: ['Unary:neg', 'Binary:mul'], opClass: 'elementwise' },
  { tfjs: ['Abs'], runtime: ['Unary:abs'], opClass: 'elementwise' },
  { tfjs: ['Sign'], runtime: ['Unary:sign'], opClass: 'elementwise' },
  { tfjs: ['Exp'], runtime: ['Unary:exp'], opClass: 'elementwise' },
  { tfjs: ['Expm1'], runtime: ['Unary:expm1'], opClass: 'elementwise' },
  { tfjs: ['Log'], runtime: ['Unary:log'], opClass: 'elementwise' },
  { tfjs: ['Log1p'], runtime: ['Unary:log1p'], opClass: 'elementwise' },
  { tfjs: ['Sqrt'], runtime: ['Unary:sqrt', 'Binary:pow'], opClass: 'elementwise' },
  { tfjs: ['Rsqrt'], runtime: ['Unary:rsqrt', 'Binary:pow'], opClass: 'elementwise' },
  { tfjs: ['Reciprocal'], runtime: ['Unary:reciprocal', 'Binary:div'], opClass: 'elementwise' },
  { tfjs: ['Floor'], runtime: ['Unary:floor'], opClass: 'elementwise' },
  { tfjs: ['Ceil'], runtime: ['Unary:ceil'], opClass: 'elementwise' },
  { tfjs: ['Round'], runtime: ['Unary:round'], opClass: 'elementwise' },
  { tfjs: ['Sin'], runtime: ['Unary:sin'], opClass: 'elementwise' },
  { tfjs: ['Cos'], runtime: ['Unary:cos'], opClass: 'elementwise' },
  { tfjs: ['Erf'], runtime: ['Unary:erf'], opClass: 'elementwise' },
  { tfjs: ['IsNan'], runtime: ['Unary:isnan'], opClass: 'elementwise' },
  { tfjs: ['IsInf'], runtime: ['Unary:isinf'], opClass: 'elementwise' },
  { tfjs: ['Cast'], runtime: ['Cast', 'Identity'], opClass: 'elementwise' },
  { tfjs: ['Sum'], runtime: ['Reduce:sum'], opClass: 'reduction' },
  { tfjs: ['Mean'], runtime: ['Binary:div', 'Binary:mul'], opClass: 'reduction' },
  { tfjs: ['Max'], runtime: ['Reduce:max', 'Where'], opClass: 'layout' },
  { tfjs: ['Min'], runtime: ['Reduce:min', 'Where'], opClass: 'layout' },
  { tfjs: ['Prod'], runtime: ['Reduce:prod'], opClass: 'reduction' },
  { tfjs: ['ArgMax'], runtime: ['Reduce:argmax'], opClass: 'layout' },
  { tfjs: ['ArgMin'], runtime: ['Reduce:argmin'], opClass: 'layout' },
  { tfjs: ['Softmax'], runtime: ['Softmax', 'Binary:div'], opClass: 'reduction' },
  { tfjs: ['LogSoftmax'], runtime: ['LogSoftmax', 'Binary:sub'], opClass: 'reduction' },
  { tfjs: ['Reshape', 'Squeeze', 'ExpandDims'], runtime: ['Reshape', 'Squeeze', 'Unsqueeze', 'Identity'], opClass: 'layout' },
  { tfjs: ['Identity'], runtime: ['Identity', 'Reshape'], opClass: 'layout' },
  { tfjs: ['Transpose'], runtime: ['Permute'], opClass: 'layout' },
  { tfjs: ['Slice', 'StridedSlice'], runtime: ['Slice', 'Reshape'], opClass: 'layout' },
  { tfjs: ['Concat', 'Pack'], runtime: ['Cat', 'Unsqueeze'], opClass: 'layout' },
  { tfjs: ['BroadcastTo', 'Tile'], runtime: ['Expand', 'Cat'], opClass: 'layout' },
  { tfjs: ['Reverse'], runtime: ['Flip'], opClass: 'layout' },
  { tfjs: ['PadV2', 'MirrorPad'], runtime: ['Pad'], opClass: 'layout' },
  { tfjs: ['MaxPool'], runtime: ['MaxPool2d'], opClass: 'layout' },
  { tfjs: ['AvgPool'], runtime: ['AvgPool2d'], opClass: 'reduction' },
  { tfjs: ['GatherV2'], runtime: ['Embedding', 'GatherElements'], opClass: 'layout' },
  // F.oneHot scatters ones into zeros.
  { tfjs: ['OneHot'], runtime: ['Scatter', 'ScatterAdd'], opClass: 'layout' },
  { tfjs: ['Fill', 'ZerosLike', 'OnesLike'], runtime: ['Fill', 'Expand'], opClass: 'layout' },
];

const BY_TFJS = new Map<string, KindRow[]>();
for (const row of KIND_ROWS) for (const k of row.tfjs) BY_TFJS.set(k, [...(BY_TFJS.get(k) ?? []), row]);

/** A multi-output kernel's k-th output (`Split#1`) is that kernel. */
const base = (tfjsKind: string): string => tfjsKind.replace(/#\d+$/, '');

/** The row pairing this tfjs kernel with this runtime op, or undefined when none does. */
export function kindRow(tfjsKind: string, runtimeKind: string): KindRow | undefined {
  return BY_TFJS.get(base(tfjsKind))?.find((r) => r.runtime.includes(runtimeKind));
}

/** Whether the table knows the kernel at all (an unknown one is reported as such, not as a mismatch). */
export const knownKernel = (tfjsKind: string): boolean => BY_TFJS.has(base(tfjsKind));

/**
 * Kinds that only move or re-type values (views, copies, casts): such an op, unpaired before a divergence, is
 * bookkeeping around the computation, not a candidate for its cause (op_localise.ts).
 */
const MOVEMENT = new Set([
  'Reshape', 'Squeeze', 'Unsqueeze', 'ExpandDims', 'Identity', 'Permute', 'Transpose', 'Slice', 'StridedSlice', 'Expand',
  'BroadcastTo', 'Tile', 'Cast', 'Flip', 'Reverse', 'Cat', 'Concat', 'Pack',
]);

export const movesOnly = (kind: string): boolean => MOVEMENT.has(base(kind));
