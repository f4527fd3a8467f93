/**
 * The op table: each op the runtime reports to an export trace (runtime/ops/trace.ts names) → the ONNX nodes that
 * compute it (opset 17+), and where its output's batch axis is. An op missing here fails the export with its name
 * and module path; an attribute this table cannot express (a slice of the batch axis, a reshape that merges it)
 * fails the same way rather than emitting a graph that is only right for the sample's batch size.
 */
import type { Tensor } from '../tensor.js';
import type { DType } from '../dtype.js';
import type { Conv2dGeometry } from '../backends/backend.js';
import type { TracedOp, ValueMeta } from './tracer.js';
import { type GraphBuilder, ONNX_DTYPE, tensorProto } from './graph.js';

export interface EmitContext {
  readonly g: GraphBuilder;
  readonly opset: number;
  /** The value name of a tensor an op reads (an initializer for constants). */
  name(t: Tensor): string;
  meta(t: Tensor): ValueMeta;
  /** Which axis of t is the dynamic batch, or null. */
  batchAxis(t: Tensor): number | null;
  bind(t: Tensor, name: string, batchAxis: number | null): void;
  /** Throws an error naming the op and the module it ran in. */
  fail(op: TracedOp, why: string): never;
}

type Emitter = (op: TracedOp, ctx: EmitContext) => void;

const UNARY: Record<string, string> = {
  neg: 'Neg', abs: 'Abs', sign: 'Sign', exp: 'Exp', log: 'Log', sqrt: 'Sqrt', reciprocal: 'Reciprocal',
  sin: 'Sin', cos: 'Cos', tan: 'Tan', asin: 'Asin', acos: 'Acos', atan: 'Atan', sinh: 'Sinh', cosh: 'Cosh',
  tanh: 'Tanh', asinh: 'Asinh', acosh: 'Acosh', atanh: 'Atanh', sigmoid: 'Sigmoid', relu: 'Relu', floor: 'Floor',
  ceil: 'Ceil', round: 'Round', erf: 'Erf', logicalNot: 'Not', isnan: 'IsNaN', isinf: 'IsInf',
};

const BINARY: Record<string, string> = {
  add: 'Add', sub: 'Sub', mul: 'Mul', div: 'Div', pow: 'Pow', maximum: 'Max', minimum: 'Min', eq: 'Equal',
  lt: 'Less', le: 'LessOrEqual', gt: 'Greater', ge: 'GreaterOrEqual', logicalAnd: 'And', logicalOr: 'Or', logicalXor: 'Xor',
};

function scalarConst(ctx: EmitContext, dtype: DType, v: number): string {
  return ctx.g.initializer('const', dtype, [], [v]);
}

/**
 * The output's batch axis for a broadcasting op, checking that no operand carries the sample's batch size at
 * that axis without depending on the input (a constant shaped by the sample would fix the batch size).
 */
function broadcastBatchAxis(op: TracedOp, ctx: EmitContext, operands: Tensor[]): number | null {
  const outRank = ctx.meta(op.out).shape.length;
  let axis: number | null = null;
  for (const t of operands) {
    const b = ctx.batchAxis(t);
    if (b === null) continue;
    const at = b + outRank - ctx.meta(t).shape.length;
    if (axis !== null && axis !== at) ctx.fail(op, `its operands have their batch axes at different output dims (${axis} and ${at})`);
    axis = at;
  }
  if (axis !== null) {
    for (const t of operands) {
      if (ctx.batchAxis(t) !== null) continue;
      const shape = ctx.meta(t).shape;
      const k = axis - (outRank - shape.length);
      if (k >= 0 && shape[k] !== 1) {
        ctx.fail(op, `an operand of shape [${shape.join(', ')}] has the batch size at dim ${k} but does not depend on the input, so the graph would only work for this batch size; export with { dynamicAxes: false }`);
      }
    }
  }
  return axis;
}

function unary(op: TracedOp, ctx: EmitContext): void {
  const x = op.inputs[0]!;
  const kind = op.attrs.op as string;
  const xn = ctx.name(x);
  const dt = ctx.meta(x).dtype;
  let out: string;
  if (UNARY[kind]) out = ctx.g.node(UNARY[kind], [xn])[0];
  else if (kind === 'square') out = ctx.g.node('Mul', [xn, xn])[0];
  else if (kind === 'rsqrt') out = ctx.g.node('Reciprocal', ctx.g.node('Sqrt', [xn]))[0];
  else if (kind === 'expm1') out = ctx.g.node('Sub', [ctx.g.node('Exp', [xn])[0], scalarConst(ctx, dt, 1)])[0];
  else if (kind === 'log1p') out = ctx.g.node('Log', ctx.g.node('Add', [xn, scalarConst(ctx, dt, 1)]))[0];
  else if (kind === 'log2') out = ctx.g.node('Div', [ctx.g.node('Log', [xn])[0], scalarConst(ctx, dt, Math.LN2)])[0];
  else if (kind === 'trunc') out = ctx.g.node('Mul', [ctx.g.node('Floor', ctx.g.node('Abs', [xn]))[0], ctx.g.node('Sign', [xn])[0]])[0];
  else if (kind === 'isfinite') out = ctx.g.node('Not', ctx.g.node('Or', [ctx.g.node('IsNaN', [xn])[0], ctx.g.node('IsInf', [xn])[0]]))[0];
  else ctx.fail(op, `the unary op '${kind}' has no ONNX mapping`);
  ctx.bind(op.out, out, ctx.batchAxis(x));
}

function binary(op: TracedOp, ctx: EmitContext): void {
  const [a, b] = op.inputs as Tensor[];
  const kind = op.attrs.op as string;
  const axis = broadcastBatchAxis(op, ctx, [a, b]);
  let out: string;
  if (BINARY[kind]) out = ctx.g.node(BINARY[kind], [ctx.name(a), ctx.name(b)])[0];
  else if (kind === 'ne') out = ctx.g.node('Not', ctx.g.node('Equal', [ctx.name(a), ctx.name(b)]))[0];
  else ctx.fail(op, `the binary op '${kind}' has no ONNX mapping`);
  ctx.bind(op.out, out, axis);
}

function reduce(op: TracedOp, ctx: EmitContext): void {
  const x = op.inputs[0]!;
  const kind = op.attrs.op as string;
  const dims = op.attrs.dims as number[];
  const keepdim = op.attrs.keepdim as boolean;
  const b = ctx.batchAxis(x);
  const outAxis = b === null || dims.includes(b) ? null : keepdim ? b : b - dims.filter((d) => d < b).length;
  const xn = ctx.name(x);
  if (dims.length === 0) { ctx.bind(op.out, xn, outAxis); return; }
  const keepdims = keepdim ? 1 : 0;
  let out: string;
  if (kind === 'argmax' || kind === 'argmin') {
    // ArgMax gives int64; the runtime's indices are int32. select_last_index 0 keeps the first, as the runtime.
    const idx = ctx.g.node(kind === 'argmax' ? 'ArgMax' : 'ArgMin', [xn], { axis: dims[0], keepdims })[0];
    out = ctx.g.node('Cast', [idx], { to: ONNX_DTYPE.int32 })[0];
  } else {
    const onnxOp = ({ sum: 'ReduceSum', prod: 'ReduceProd', max: 'ReduceMax', min: 'ReduceMin' } as Record<string, string>)[kind];
    if (!onnxOp) ctx.fail(op, `the reduction '${kind}' has no ONNX mapping`);
    // ReduceSum takes axes as an input from opset 13, the others from opset 18.
    if (onnxOp === 'ReduceSum' || ctx.opset >= 18) out = ctx.g.node(onnxOp, [xn, ctx.g.int64s('axes', dims)], { keepdims })[0];
    else out = ctx.g.node(onnxOp, [xn], { axes: dims, keepdims })[0];
  }
  ctx.bind(op.out, out, outAxis);
}

function matmulAxis(op: TracedOp, ctx: EmitContext, a: Tensor, bT: Tensor): number | null {
  const ra = ctx.meta(a).shape.length, rb = ctx.meta(bT).shape.length, ro = ctx.meta(op.out).shape.length;
  const ba = ctx.batchAxis(a), bb = ctx.batchAxis(bT);
  let axis: number | null = null;
  if (ba !== null) {
    if (ba === ra - 1) ctx.fail(op, 'the batch axis is the contracted dim of its first operand');
    axis = ba === ra - 2 ? ro - 2 : ba + ro - ra;
  }
  if (bb !== null) {
    if (bb === rb - 2) ctx.fail(op, 'the batch axis is the contracted dim of its second operand');
    const at = bb === rb - 1 ? ro - 1 : bb + ro - rb;
    if (axis !== null && axis !== at) ctx.fail(op, 'both operands carry the batch axis at different output dims');
    axis = at;
  }
  return axis;
}

function linear(op: TracedOp, ctx: EmitContext): void {
  const [x, w, bias] = op.inputs;
  const rank = ctx.meta(x!).shape.length;
  const b = ctx.batchAxis(x!);
  if (b !== null && b === rank - 1) ctx.fail(op, 'the batch axis is its feature dim');
  let out: string;
  if (rank === 2) {
    const ins = [ctx.name(x!), ctx.name(w!)];
    if (bias) ins.push(ctx.name(bias));
    out = ctx.g.node('Gemm', ins, { transB: 1 }, 1, 'Gemm')[0];
  } else {
    const wt = ctx.g.node('Transpose', [ctx.name(w!)], { perm: [1, 0] })[0];
    out = ctx.g.node('MatMul', [ctx.name(x!), wt])[0];
    if (bias) out = ctx.g.node('Add', [out, ctx.name(bias)])[0];
  }
  ctx.bind(op.out, out, b);
}

function spatialBatch(op: TracedOp, ctx: EmitContext, x: Tensor): number | null {
  const b = ctx.batchAxis(x);
  if (b !== null && b !== 0) ctx.fail(op, `its input's batch axis is dim ${b}, not the N of [N, C, H, W]`);
  return b;
}

function conv2d(op: TracedOp, ctx: EmitContext): void {
  const [x, w, bias] = op.inputs;
  const g = op.attrs.g as Conv2dGeometry;
  const ins = [ctx.name(x!), ctx.name(w!)];
  if (bias) ins.push(ctx.name(bias));
  const out = ctx.g.node('Conv', ins, {
    kernel_shape: [g.kh, g.kw], strides: [g.strideH, g.strideW], dilations: [g.dilationH, g.dilationW],
    pads: [g.padTop, g.padLeft, g.padBottom, g.padRight], group: op.attrs.groups as number,
  })[0];
  ctx.bind(op.out, out, spatialBatch(op, ctx, x!));
}

function maxPool2d(op: TracedOp, ctx: EmitContext): void {
  const x = op.inputs[0]!;
  const g = op.attrs.g as Conv2dGeometry;
  const out = ctx.g.node('MaxPool', [ctx.name(x)], {
    kernel_shape: [g.kh, g.kw], strides: [g.strideH, g.strideW], dilations: [g.dilationH, g.dilationW],
    // The geometry already pads the bottom/right for ceil mode, so the floor formula gives the same size.
    pads: [g.padTop, g.padLeft, g.padBottom, g.padRight], ceil_mode: 0,
  })[0];
  ctx.bind(op.out, out, spatialBatch(op, ctx, x));
}

function avgPool2d(op: TracedOp, ctx: EmitContext): void {
  const x = op.inputs[0]!;
  const g = op.attrs.g as Conv2dGeometry;
  const { countIncludePad, ceilMode, divisorOverride } = op.attrs as { countIncludePad: boolean; ceilMode: boolean; divisorOverride: number | null };
  // The geometry pads the bottom/right for ceil mode; the runtime leaves that overhang out of the divisor, which
  // AveragePool's count_include_pad=1 would count.
  if (ceilMode && (countIncludePad || divisorOverride)) ctx.fail(op, 'ceilMode with countIncludePad (or divisorOverride) has no AveragePool equivalent; pass countIncludePad: false');
  const include = divisorOverride ? 1 : countIncludePad ? 1 : 0;
  let out = ctx.g.node('AveragePool', [ctx.name(x)], {
    kernel_shape: [g.kh, g.kw], strides: [g.strideH, g.strideW],
    pads: [g.padTop, g.padLeft, g.padBottom, g.padRight], count_include_pad: include, ceil_mode: 0,
  })[0];
  // sum / divisor = (sum / window size) · (window size / divisor)
  if (divisorOverride) out = ctx.g.node('Mul', [out, scalarConst(ctx, ctx.meta(x).dtype, (g.kh * g.kw) / divisorOverride)])[0];
  ctx.bind(op.out, out, spatialBatch(op, ctx, x));
}

/** F.pad: `pad` lists (before, after) pairs from the last dim, as PyTorch; ONNX wants all befores, then all afters. */
function pad(op: TracedOp, ctx: EmitContext): void {
  const x = op.inputs[0]!;
  const { pad: amounts, mode, value } = op.attrs as { pad: number[]; mode: string; value: number };
  const rank = ctx.meta(x).shape.length;
  const before = new Array<number>(rank).fill(0), after = new Array<number>(rank).fill(0);
  for (let k = 0; k < amounts.length / 2; k++) {
    before[rank - 1 - k] = amounts[2 * k];
    after[rank - 1 - k] = amounts[2 * k + 1];
  }
  const b = ctx.batchAxis(x);
  if (b !== null && (before[b] !== 0 || after[b] !== 0)) ctx.fail(op, 'it pads the batch axis; export with { dynamicAxes: false }');
  const onnxMode = ({ constant: 'constant', reflect: 'reflect', replicate: 'edge', circular: ctx.opset >= 19 ? 'wrap' : '' } as Record<string, string>)[mode];
  if (!onnxMode) ctx.fail(op, `padding mode '${mode}' needs opset 19 (Pad's 'wrap'); pass { opset: 19 }`);
  const ins = [ctx.name(x), ctx.g.int64s('pads', [...before, ...after])];
  if (mode === 'constant') ins.push(scalarConst(ctx, ctx.meta(x).dtype, value));
  ctx.bind(op.out, ctx.g.node('Pad', ins, { mode: onnxMode })[0], b);
}

function reshape(op: TracedOp, ctx: EmitContext): void {
  const x = op.inputs[0]!;
  const inShape = ctx.meta(x).shape;
  const shape = (op.attrs.shape as number[]).slice();
  const b = ctx.batchAxis(x);
  let outAxis: number | null = null;
  if (b !== null) {
    // The batch dim survives where the dims before it hold the same number of elements on both sides.
    let before = 1;
    for (let i = 0; i < b; i++) before *= inShape[i];
    let acc = 1;
    for (let j = 0; j < shape.length; j++) {
      if (acc === before && shape[j] === inShape[b]) { outAxis = j; break; }
      acc *= shape[j];
    }
    if (outAxis === null) ctx.fail(op, `reshaping [${inShape.join(', ')}] to [${shape.join(', ')}] merges or splits the batch axis (dim ${b}); export with { dynamicAxes: false }`);
    shape[outAxis] = -1;
  }
  const out = ctx.g.node('Reshape', [ctx.name(x), ctx.g.int64s('shape', shape)])[0];
  ctx.bind(op.out, out, outAxis);
}

function permute(op: TracedOp, ctx: EmitContext): void {
  const x = op.inputs[0]!;
  const perm = op.attrs.perm as number[];
  const b = ctx.batchAxis(x);
  ctx.bind(op.out, ctx.g.node('Transpose', [ctx.name(x)], { perm })[0], b === null ? null : perm.indexOf(b));
}

function squeeze(op: TracedOp, ctx: EmitContext): void {
  const x = op.inputs[0]!;
  const dims = op.attrs.dims as number[];
  const b = ctx.batchAxis(x);
  if (dims.length === 0) { ctx.bind(op.out, ctx.name(x), b); return; }
  if (b !== null && dims.includes(b)) ctx.fail(op, 'it squeezes the batch axis');
  const out = ctx.g.node('Squeeze', [ctx.name(x), ctx.g.int64s('axes', dims)])[0];
  ctx.bind(op.out, out, b === null ? null : b - dims.filter((d) => d < b).length);
}

function unsqueeze(op: TracedOp, ctx: EmitContext): void {
  const x = op.inputs[0]!;
  const d = op.attrs.dim as number;
  const b = ctx.batchAxis(x);
  const out = ctx.g.node('Unsqueeze', [ctx.name(x), ctx.g.int64s('axes', [d])])[0];
  ctx.bind(op.out, out, b === null ? null : b >= d ? b + 1 : b);
}

function expand(op: TracedOp, ctx: EmitContext): void {
  const x = op.inputs[0]!;
  const shape = (op.attrs.shape as number[]).slice();
  const b = ctx.batchAxis(x);
  const at = b === null ? null : b + shape.length - ctx.meta(x).shape.length;
  // Expand broadcasts both ways: a 1 keeps the input's (dynamic) size.
  if (at !== null) shape[at] = 1;
  ctx.bind(op.out, ctx.g.node('Expand', [ctx.name(x), ctx.g.int64s('shape', shape)])[0], at);
}

function slice(op: TracedOp, ctx: EmitContext): void {
  const x = op.inputs[0]!;
  const { dim, start, end, step } = op.attrs as { dim: number; start: number; end: number; step: number };
  const b = ctx.batchAxis(x);
  if (b === dim) {
    if (start === 0 && end === ctx.meta(x).shape[dim] && step === 1) { ctx.bind(op.out, ctx.name(x), b); return; }
    ctx.fail(op, `it slices the batch axis (dim ${dim}, ${start}:${end}:${step}); export with { dynamicAxes: false }`);
  }
  const g = ctx.g;
  const out = g.node('Slice', [ctx.name(x), g.int64s('starts', [start]), g.int64s('ends', [end]), g.int64s('axes', [dim]), g.int64s('steps', [step])])[0];
  ctx.bind(op.out, out, b);
}

function flip(op: TracedOp, ctx: EmitContext): void {
  const x = op.inputs[0]!;
  const dims = op.attrs.dims as number[];
  const b = ctx.batchAxis(x);
  if (b !== null && dims.includes(b)) ctx.fail(op, 'it flips the batch axis; export with { dynamicAxes: false }');
  const shape = ctx.meta(x).shape;
  const g = ctx.g;
  const out = g.node('Slice', [ctx.name(x), g.int64s('starts', dims.map(() => -1)), g.int64s('ends', dims.map((d) => -shape[d] - 1)), g.int64s('axes', dims), g.int64s('steps', dims.map(() => -1))])[0];
  ctx.bind(op.out, out, b);
}

function cat(op: TracedOp, ctx: EmitContext): void {
  const parts = op.inputs as Tensor[];
  const dim = op.attrs.dim as number;
  let axis: number | null = null;
  for (const t of parts) {
    const b = ctx.batchAxis(t);
    if (b === null) continue;
    if (b === dim) ctx.fail(op, 'it concatenates along the batch axis; export with { dynamicAxes: false }');
    if (axis !== null && axis !== b) ctx.fail(op, 'its inputs have their batch axes at different dims');
    axis = b;
  }
  if (axis !== null) {
    for (const t of parts) {
      if (ctx.batchAxis(t) === null) ctx.fail(op, `an input of shape [${ctx.meta(t).shape.join(', ')}] does not depend on the batch while the others do; export with { dynamicAxes: false }`);
    }
  }
  ctx.bind(op.out, ctx.g.node('Concat', parts.map((t) => ctx.name(t)), { axis: dim })[0], axis);
}

function softmaxLike(onnxOp: string): Emitter {
  return (op, ctx) => {
    const x = op.inputs[0]!;
    ctx.bind(op.out, ctx.g.node(onnxOp, [ctx.name(x)], { axis: op.attrs.dim as number })[0], ctx.batchAxis(x));
  };
}

function leakyRelu(op: TracedOp, ctx: EmitContext): void {
  const x = op.inputs[0]!;
  ctx.bind(op.out, ctx.g.node('LeakyRelu', [ctx.name(x)], { alpha: { float: op.attrs.negativeSlope as number } })[0], ctx.batchAxis(x));
}

function layerNorm(op: TracedOp, ctx: EmitContext): void {
  const [x, w, bias] = op.inputs;
  const axis = op.attrs.axis as number;
  const b = ctx.batchAxis(x!);
  if (b !== null && b >= axis) ctx.fail(op, 'it normalizes over the batch axis');
  const meta = ctx.meta(x!);
  const normShape = meta.shape.slice(axis);
  // LayerNormalization needs a scale; no weight means γ = 1.
  const scale = w ? ctx.name(w) : ctx.g.initializer('ln_scale', meta.dtype, normShape, new Array<number>(normShape.reduce((p, s) => p * s, 1)).fill(1));
  const ins = [ctx.name(x!), scale];
  if (bias) ins.push(ctx.name(bias));
  ctx.bind(op.out, ctx.g.node('LayerNormalization', ins, { axis, epsilon: { float: op.attrs.eps as number } })[0], b);
}

function embedding(op: TracedOp, ctx: EmitContext): void {
  const [indices, weight] = op.inputs as Tensor[];
  ctx.bind(op.out, ctx.g.node('Gather', [ctx.name(weight), ctx.name(indices)], { axis: 0 })[0], ctx.batchAxis(indices));
}

function gatherElements(op: TracedOp, ctx: EmitContext): void {
  const [x, index] = op.inputs as Tensor[];
  const axis = broadcastBatchAxis(op, ctx, [x, index]);
  ctx.bind(op.out, ctx.g.node('GatherElements', [ctx.name(x), ctx.name(index)], { axis: op.attrs.dim as number })[0], axis);
}

function cast(op: TracedOp, ctx: EmitContext): void {
  const x = op.inputs[0]!;
  ctx.bind(op.out, ctx.g.node('Cast', [ctx.name(x)], { to: ONNX_DTYPE[op.attrs.dtype as DType] })[0], ctx.batchAxis(x));
}

function where(op: TracedOp, ctx: EmitContext): void {
  const [c, a, b] = op.inputs as Tensor[];
  const axis = broadcastBatchAxis(op, ctx, [c, a, b]);
  ctx.bind(op.out, ctx.g.node('Where', [ctx.name(c), ctx.name(a), ctx.name(b)])[0], axis);
}

function identity(op: TracedOp, ctx: EmitContext): void {
  const x = op.inputs[0]!;
  ctx.bind(op.out, ctx.name(x), ctx.batchAxis(x));
}

/** A fill whose dims `fromInput` [[outDim, inDim]] are sizes of the input: ConstantOfShape of a computed shape. */
function fill(op: TracedOp, ctx: EmitContext): void {
  const src = op.inputs[0]!;
  const shape = op.attrs.shape as number[];
  const value = op.attrs.value as number;
  const from = op.attrs.fromInput as [number, number][];
  const meta = ctx.meta(op.out);
  const b = ctx.batchAxis(src);
  const link = from.find(([, inDim]) => inDim === b);
  if (!link) {
    const n = shape.reduce((p, s) => p * s, 1);
    ctx.bind(op.out, ctx.g.initializer('fill', meta.dtype, shape, new Array<number>(n).fill(value)), null);
    return;
  }
  const g = ctx.g;
  const size = g.node('Gather', [g.node('Shape', [ctx.name(src)])[0], g.int64s('batch_dim', [link[1]])], { axis: 0 })[0];
  const pieces = shape.map((s, i) => (i === link[0] ? size : g.int64s('dim', [s])));
  const outShape = g.node('Concat', pieces, { axis: 0 })[0];
  const out = g.node('ConstantOfShape', [outShape], { value: { tensor: tensorProto('value', meta.dtype, [1], [value]) } })[0];
  ctx.bind(op.out, out, link[0]);
}

export const OP_TABLE: Record<string, Emitter> = {
  Unary: unary,
  Binary: binary,
  Where: where,
  Cast: cast,
  Reduce: reduce,
  MatMul: (op, ctx) => {
    const [a, b] = op.inputs as Tensor[];
    ctx.bind(op.out, ctx.g.node('MatMul', [ctx.name(a), ctx.name(b)])[0], matmulAxis(op, ctx, a, b));
  },
  Linear: linear,
  Conv2d: conv2d,
  MaxPool2d: maxPool2d,
  AvgPool2d: avgPool2d,
  Pad: pad,
  Reshape: reshape,
  Permute: permute,
  Squeeze: squeeze,
  Unsqueeze: unsqueeze,
  Expand: expand,
  Slice: slice,
  Flip: flip,
  Cat: cat,
  Softmax: softmaxLike('Softmax'),
  LogSoftmax: softmaxLike('LogSoftmax'),
  LeakyRelu: leakyRelu,
  LayerNorm: layerNorm,
  Embedding: embedding,
  GatherElements: gatherElements,
  Identity: identity,
  Fill: fill,
};
