/**
 * Tensor methods, PyTorch's names in camelCase. Each is a one-line delegation to the op that implements it,
 * so the op files stay the single source of behaviour.
 */
import { Tensor } from './tensor.js';
import type { DType } from './dtype.js';
import type { DeviceLike } from './device.js';
import { unary, binary, where as whereOp, clamp as clampOp, elementwiseOps, type BinaryOp, type UnaryOp } from './ops/elementwise.js';
import * as V from './ops/view.js';
import * as R from './ops/reduce.js';
import * as M from './ops/matmul.js';
import * as I from './ops/indexing.js';
import * as J from './ops/join.js';
import * as A from './ops/activation.js';
import * as IP from './ops/inplace.js';
import * as TK from './ops/topk.js';
import { to as toOp, type ToOptions } from './ops/cast.js';
import { type TensorLike } from './ops/util.js';
import { backward as backwardOp, type BackwardOptions } from './autograd/backward.js';
import { zerosLike, onesLike, fullLike, full } from './ops/creation.js';
import type { Generator } from './random.js';
import { isFloating } from './dtype.js';

type Dims = R.Dims;
type ShapeArg = number | readonly number[];

/** `x.<op>()` / `x.<op>(other)` for every elementwise op (ops/elementwise_ops.ts). */
type ElementwiseMethods = { [K in UnaryOp]: () => Tensor } & { [K in BinaryOp]: (other: TensorLike) => Tensor };

declare module './tensor.js' {
  interface Tensor extends ElementwiseMethods {
    // arithmetic: the elementwise ops come from ElementwiseMethods; these take options
    add(other: TensorLike, opts?: { alpha?: number }): Tensor;
    sub(other: TensorLike, opts?: { alpha?: number }): Tensor;
    div(other: TensorLike, opts?: { roundingMode?: 'trunc' | 'floor' | null }): Tensor;
    clamp(min?: number | null, max?: number | null): Tensor;
    clip(min?: number | null, max?: number | null): Tensor;
    // comparison and logic (eq, lt, logicalAnd, ... come from ElementwiseMethods)
    equal(other: Tensor): boolean;
    allclose(other: Tensor, rtol?: number, atol?: number): boolean;
    where(condition: Tensor, other: TensorLike): Tensor;
    // reductions
    sum(dim?: Dims, keepdim?: boolean): Tensor;
    mean(dim?: Dims, keepdim?: boolean): Tensor;
    prod(dim?: number | null, keepdim?: boolean): Tensor;
    max(): Tensor; max(dim: number, keepdim?: boolean): R.ValuesIndices; max(other: Tensor): Tensor;
    min(): Tensor; min(dim: number, keepdim?: boolean): R.ValuesIndices; min(other: Tensor): Tensor;
    amax(dim?: Dims, keepdim?: boolean): Tensor;
    amin(dim?: Dims, keepdim?: boolean): Tensor;
    argmax(dim?: number | null, keepdim?: boolean): Tensor;
    argmin(dim?: number | null, keepdim?: boolean): Tensor;
    topk(k: number, dim?: number, largest?: boolean, sorted?: boolean): TK.TopKResult;
    multinomial(numSamples: number, opts?: TK.MultinomialOptions): Tensor;
    var(dim?: Dims, opts?: R.VarOptions): Tensor;
    std(dim?: Dims, opts?: R.VarOptions): Tensor;
    logsumexp(dim: Dims, keepdim?: boolean): Tensor;
    all(dim?: number | null, keepdim?: boolean): Tensor;
    any(dim?: number | null, keepdim?: boolean): Tensor;
    norm(p?: number | 'fro', dim?: Dims, keepdim?: boolean): Tensor;
    // linear algebra
    matmul(other: Tensor): Tensor; mm(other: Tensor): Tensor; bmm(other: Tensor): Tensor; dot(other: Tensor): Tensor; mv(v: Tensor): Tensor;
    // shape
    reshape(...shape: ShapeArg[]): Tensor;
    view(...shape: ShapeArg[]): Tensor;
    viewAs(other: Tensor): Tensor;
    reshapeAs(other: Tensor): Tensor;
    flatten(startDim?: number, endDim?: number): Tensor;
    unflatten(dim: number, sizes: number[]): Tensor;
    permute(...dims: ShapeArg[]): Tensor;
    transpose(dim0: number, dim1: number): Tensor;
    t(): Tensor;
    readonly T: Tensor;
    readonly mT: Tensor;
    squeeze(dim?: number | number[]): Tensor;
    unsqueeze(dim: number): Tensor;
    expand(...shape: ShapeArg[]): Tensor;
    expandAs(other: Tensor): Tensor;
    narrow(dim: number, start: number, length: number): Tensor;
    select(dim: number, index: number): Tensor;
    slice(dim: number, start?: number, end?: number, step?: number): Tensor;
    repeat(...reps: ShapeArg[]): Tensor;
    tile(...reps: ShapeArg[]): Tensor;
    flip(dims: number[]): Tensor;
    contiguous(): Tensor;
    clone(): Tensor;
    split(sizeOrSections: number | number[], dim?: number): Tensor[];
    chunk(chunks: number, dim?: number): Tensor[];
    unbind(dim?: number): Tensor[];
    // indexing
    gather(dim: number, index: Tensor): Tensor;
    scatter(dim: number, index: Tensor, src: Tensor | number): Tensor;
    scatterAdd(dim: number, index: Tensor, src: Tensor): Tensor;
    indexSelect(dim: number, index: Tensor): Tensor;
    maskedFill(mask: Tensor, value: number | Tensor): Tensor;
    maskedSelect(mask: Tensor): Tensor;
    nonzero(): Tensor;
    // activations
    softmax(dim: number): Tensor;
    logSoftmax(dim: number): Tensor;
    // dtype / device
    to(arg: DType | DeviceLike | ToOptions): Tensor;
    float(): Tensor; double(): Tensor; int(): Tensor; long(): Tensor; bool(): Tensor;
    type(dtype: DType): Tensor;
    cpu(): Tensor;
    // creation from this tensor
    zerosLike(): Tensor; onesLike(): Tensor; fullLike(value: number): Tensor;
    newZeros(...shape: ShapeArg[]): Tensor; newOnes(...shape: ShapeArg[]): Tensor; newTensor(value: number): Tensor;
    // in place
    add_(other: TensorLike, opts?: { alpha?: number }): Tensor;
    sub_(other: TensorLike, opts?: { alpha?: number }): Tensor;
    mul_(other: TensorLike): Tensor;
    div_(other: TensorLike): Tensor;
    pow_(exponent: TensorLike): Tensor;
    neg_(): Tensor; exp_(): Tensor; sqrt_(): Tensor; relu_(): Tensor; sigmoid_(): Tensor; tanh_(): Tensor; abs_(): Tensor;
    clamp_(min?: number | null, max?: number | null): Tensor;
    maskedFill_(mask: Tensor, value: number | Tensor): Tensor;
    addcmul_(t1: Tensor, t2: Tensor, opts?: { value?: number }): Tensor;
    addcdiv_(t1: Tensor, t2: Tensor, opts?: { value?: number }): Tensor;
    lerp_(end: Tensor, weight: number): Tensor;
    zero_(): Tensor;
    fill_(value: number | Tensor): Tensor;
    copy_(src: Tensor): Tensor;
    uniform_(a?: number, b?: number, generator?: Generator): Tensor;
    normal_(mean?: number, std?: number, generator?: Generator): Tensor;
    // autograd
    backward(gradient?: Tensor | null, opts?: BackwardOptions): void;
    detach(): Tensor;
    detach_(): Tensor;
    requiresGrad_(requiresGrad?: boolean): Tensor;
    retainGrad(): Tensor;
  }
}

const P = Tensor.prototype as unknown as Record<string, unknown>;

const scaled = (other: TensorLike, alpha?: number): TensorLike =>
  alpha === undefined || alpha === 1 ? other : other instanceof Tensor ? other.mul(alpha) : (other as number) * alpha;

Object.assign(P, {
  add(this: Tensor, o: TensorLike, opts?: { alpha?: number }) { return binary('add', this, scaled(o, opts?.alpha)); },
  sub(this: Tensor, o: TensorLike, opts?: { alpha?: number }) { return binary('sub', this, scaled(o, opts?.alpha)); },
  div(this: Tensor, o: TensorLike, opts?: { roundingMode?: 'trunc' | 'floor' | null }) {
    const q = binary('div', this, o);
    if (opts?.roundingMode === 'trunc') return isFloating(this.dtype) ? q.trunc() : q.trunc().to(this.dtype);
    if (opts?.roundingMode === 'floor') return binary('floorDivide', this, o);
    return q;
  },
  clamp(this: Tensor, min?: number | null, max?: number | null) { return clampOp(this, min, max); },
  clip(this: Tensor, min?: number | null, max?: number | null) { return clampOp(this, min, max); },
  equal(this: Tensor, o: Tensor) {
    if (this.shape.length !== o.shape.length || this.shape.some((s, i) => s !== o.shape[i])) return false;
    return this.eq(o).all().item() === 1;
  },
  allclose(this: Tensor, o: Tensor, rtol = 1e-5, atol = 1e-8) {
    return this.sub(o).abs().le(o.abs().mul(rtol).add(atol)).all().item() === 1;
  },
  where(this: Tensor, cond: Tensor, other: TensorLike) { return whereOp(cond, this, other); },
  sum(this: Tensor, dim?: Dims, keepdim?: boolean) { return R.sum(this, dim, keepdim); },
  mean(this: Tensor, dim?: Dims, keepdim?: boolean) { return R.mean(this, dim, keepdim); },
  prod(this: Tensor, dim?: number | null, keepdim?: boolean) { return R.prod(this, dim, keepdim); },
  max(this: Tensor, dim?: number | Tensor, keepdim?: boolean) { return (R.max as (...a: unknown[]) => unknown)(this, dim, keepdim); },
  min(this: Tensor, dim?: number | Tensor, keepdim?: boolean) { return (R.min as (...a: unknown[]) => unknown)(this, dim, keepdim); },
  amax(this: Tensor, dim?: Dims, keepdim?: boolean) { return R.amax(this, dim, keepdim); },
  amin(this: Tensor, dim?: Dims, keepdim?: boolean) { return R.amin(this, dim, keepdim); },
  argmax(this: Tensor, dim?: number | null, keepdim?: boolean) { return R.argmax(this, dim, keepdim); },
  argmin(this: Tensor, dim?: number | null, keepdim?: boolean) { return R.argmin(this, dim, keepdim); },
  topk(this: Tensor, k: number, dim?: number, largest?: boolean, sorted?: boolean) { return TK.topk(this, k, dim, largest, sorted); },
  multinomial(this: Tensor, n: number, opts?: TK.MultinomialOptions) { return TK.multinomial(this, n, opts); },
  var(this: Tensor, dim?: Dims, opts?: R.VarOptions) { return R.variance(this, dim, opts); },
  std(this: Tensor, dim?: Dims, opts?: R.VarOptions) { return R.std(this, dim, opts); },
  logsumexp(this: Tensor, dim: Dims, keepdim?: boolean) { return R.logsumexp(this, dim, keepdim); },
  all(this: Tensor, dim?: number | null, keepdim?: boolean) { return R.all(this, dim, keepdim); },
  any(this: Tensor, dim?: number | null, keepdim?: boolean) { return R.any(this, dim, keepdim); },
  norm(this: Tensor, p?: number | 'fro', dim?: Dims, keepdim?: boolean) { return R.norm(this, p, dim, keepdim); },
  matmul(this: Tensor, o: Tensor) { return M.matmul(this, o); },
  mm(this: Tensor, o: Tensor) { return M.matmul(this, o); },
  bmm(this: Tensor, o: Tensor) { return M.bmm(this, o); },
  dot(this: Tensor, o: Tensor) { return M.dot(this, o); },
  mv(this: Tensor, v: Tensor) { return M.mv(this, v); },
  reshape(this: Tensor, ...s: ShapeArg[]) { return V.reshape(this, ...s); },
  view(this: Tensor, ...s: ShapeArg[]) { return V.view(this, ...s); },
  viewAs(this: Tensor, o: Tensor) { return V.view(this, o.shape); },
  reshapeAs(this: Tensor, o: Tensor) { return V.reshape(this, o.shape); },
  flatten(this: Tensor, s?: number, e?: number) { return V.flatten(this, s, e); },
  unflatten(this: Tensor, d: number, sizes: number[]) { return V.unflatten(this, d, sizes); },
  permute(this: Tensor, ...d: ShapeArg[]) { return V.permute(this, ...d); },
  transpose(this: Tensor, a: number, b: number) { return V.transpose(this, a, b); },
  t(this: Tensor) { return V.t(this); },
  squeeze(this: Tensor, d?: number | number[]) { return V.squeeze(this, d); },
  unsqueeze(this: Tensor, d: number) { return V.unsqueeze(this, d); },
  expand(this: Tensor, ...s: ShapeArg[]) { return V.expand(this, ...s); },
  expandAs(this: Tensor, o: Tensor) { return V.expandAs(this, o); },
  narrow(this: Tensor, d: number, s: number, l: number) { return V.narrow(this, d, s, l); },
  select(this: Tensor, d: number, i: number) { return V.select(this, d, i); },
  slice(this: Tensor, d: number, s?: number, e?: number, st?: number) { return V.slice(this, d, s, e, st); },
  repeat(this: Tensor, ...r: ShapeArg[]) { return V.repeat(this, ...r); },
  tile(this: Tensor, ...r: ShapeArg[]) {
    const reps = r.length === 1 && Array.isArray(r[0]) ? (r[0] as number[]) : (r as number[]);
    return V.repeat(this, [...Array(Math.max(0, this.ndim - reps.length)).fill(1), ...reps]);
  },
  flip(this: Tensor, dims: number[]) { return V.flip(this, dims); },
  contiguous(this: Tensor) { return V.contiguous(this); },
  clone(this: Tensor) { return V.clone(this); },
  split(this: Tensor, s: number | number[], d?: number) { return J.split(this, s, d); },
  chunk(this: Tensor, c: number, d?: number) { return J.chunk(this, c, d); },
  unbind(this: Tensor, d?: number) { return J.unbind(this, d); },
  gather(this: Tensor, d: number, i: Tensor) { return I.gather(this, d, i); },
  scatter(this: Tensor, d: number, i: Tensor, s: Tensor | number) { return I.scatter(this, d, i, s); },
  scatterAdd(this: Tensor, d: number, i: Tensor, s: Tensor) { return I.scatterAdd(this, d, i, s); },
  indexSelect(this: Tensor, d: number, i: Tensor) { return I.indexSelect(this, d, i); },
  maskedFill(this: Tensor, m: Tensor, v: number | Tensor) { return I.maskedFill(this, m, v); },
  maskedSelect(this: Tensor, m: Tensor) { return I.maskedSelect(this, m); },
  nonzero(this: Tensor) { return I.nonzero(this); },
  softmax(this: Tensor, d: number) { return A.softmax(this, d); },
  logSoftmax(this: Tensor, d: number) { return A.logSoftmax(this, d); },
  to(this: Tensor, a: DType | DeviceLike | ToOptions) { return toOp(this, a); },
  float(this: Tensor) { return toOp(this, 'float32'); },
  double(this: Tensor) { return toOp(this, 'float64'); },
  int(this: Tensor) { return toOp(this, 'int32'); },
  long(this: Tensor) { return toOp(this, 'int32'); },
  bool(this: Tensor) { return toOp(this, 'bool'); },
  type(this: Tensor, d: DType) { return toOp(this, d); },
  cpu(this: Tensor) { return toOp(this, 'cpu'); },
  zerosLike(this: Tensor) { return zerosLike(this); },
  onesLike(this: Tensor) { return onesLike(this); },
  fullLike(this: Tensor, v: number) { return fullLike(this, v); },
  newZeros(this: Tensor, ...s: ShapeArg[]) { return fullShape(this, s, 0); },
  newOnes(this: Tensor, ...s: ShapeArg[]) { return fullShape(this, s, 1); },
  newTensor(this: Tensor, v: number) { return full([], v, { dtype: this.dtype, device: this.storage.device }); },
  add_(this: Tensor, o: TensorLike, opts?: { alpha?: number }) { return IP.applyInplace(this, 'add_', (x) => x.add(o, opts)); },
  sub_(this: Tensor, o: TensorLike, opts?: { alpha?: number }) { return IP.applyInplace(this, 'sub_', (x) => x.sub(o, opts)); },
  mul_(this: Tensor, o: TensorLike) { return IP.applyInplace(this, 'mul_', (x) => x.mul(o)); },
  div_(this: Tensor, o: TensorLike) { return IP.applyInplace(this, 'div_', (x) => x.div(o)); },
  pow_(this: Tensor, o: TensorLike) { return IP.applyInplace(this, 'pow_', (x) => x.pow(o)); },
  neg_(this: Tensor) { return IP.applyInplace(this, 'neg_', (x) => x.neg()); },
  exp_(this: Tensor) { return IP.applyInplace(this, 'exp_', (x) => x.exp()); },
  sqrt_(this: Tensor) { return IP.applyInplace(this, 'sqrt_', (x) => x.sqrt()); },
  relu_(this: Tensor) { return IP.applyInplace(this, 'relu_', (x) => x.relu()); },
  sigmoid_(this: Tensor) { return IP.applyInplace(this, 'sigmoid_', (x) => x.sigmoid()); },
  tanh_(this: Tensor) { return IP.applyInplace(this, 'tanh_', (x) => x.tanh()); },
  abs_(this: Tensor) { return IP.applyInplace(this, 'abs_', (x) => x.abs()); },
  clamp_(this: Tensor, min?: number | null, max?: number | null) { return IP.applyInplace(this, 'clamp_', (x) => x.clamp(min, max)); },
  maskedFill_(this: Tensor, m: Tensor, v: number | Tensor) { return IP.applyInplace(this, 'maskedFill_', (x) => x.maskedFill(m, v)); },
  addcmul_(this: Tensor, a: Tensor, b: Tensor, opts?: { value?: number }) { return IP.applyInplace(this, 'addcmul_', (x) => x.add(a.mul(b).mul(opts?.value ?? 1))); },
  addcdiv_(this: Tensor, a: Tensor, b: Tensor, opts?: { value?: number }) { return IP.applyInplace(this, 'addcdiv_', (x) => x.add(a.div(b).mul(opts?.value ?? 1))); },
  lerp_(this: Tensor, end: Tensor, w: number) { return IP.applyInplace(this, 'lerp_', (x) => x.add(end.sub(x).mul(w))); },
  zero_(this: Tensor) { return IP.zero_(this); },
  fill_(this: Tensor, v: number | Tensor) { return IP.fill_(this, v); },
  copy_(this: Tensor, s: Tensor) { return IP.copy_(this, s); },
  uniform_(this: Tensor, a?: number, b?: number, g?: Generator) { return IP.uniform_(this, a, b, g); },
  normal_(this: Tensor, m?: number, s?: number, g?: Generator) { return IP.normal_(this, m, s, g); },
  backward(this: Tensor, g?: Tensor | null, opts?: BackwardOptions) { backwardOp(this, g, opts); },
  detach(this: Tensor) { return V.detach(this); },
  detach_(this: Tensor) { this.setGradFn(null); this.requiresGrad = false; return this; },
  requiresGrad_(this: Tensor, on = true) {
    if (on && !isFloating(this.dtype)) throw new TypeError(`requiresGrad_: only floating-point tensors can require gradients, got ${this.dtype}`);
    if (!on && !this.isLeaf) throw new Error('requiresGrad_: you can only change requiresGrad of leaf tensors; use detach() for a non-leaf');
    this.requiresGrad = on;
    return this;
  },
  retainGrad(this: Tensor) { if (!this.isLeaf) this.retainsGrad = true; return this; },
});

// The elementwise ops with no options: one method each, from their definitions.
const { unary: unaryOps, binary: binaryOps } = elementwiseOps();
for (const op of unaryOps) P[op] = function (this: Tensor) { return unary(op, this); };
for (const op of binaryOps) if (!(op in P)) P[op] = function (this: Tensor, o: TensorLike) { return binary(op, this, o); };

Object.defineProperty(P, 'T', { get(this: Tensor) { return V.permute(this, [...Array(this.ndim).keys()].reverse()); } });
Object.defineProperty(P, 'mT', { get(this: Tensor) { return V.transpose(this, -2, -1); } });

function fullShape(t: Tensor, s: ShapeArg[], v: number): Tensor {
  const shape = s.length === 1 && Array.isArray(s[0]) ? (s[0] as number[]) : (s as number[]);
  return full(shape, v, { dtype: t.dtype, device: t.storage.device });
}
