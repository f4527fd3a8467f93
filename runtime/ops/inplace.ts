/**
 * In-place ops (`add_`, `mul_`, `zero_`, ...): computed out of place, then written back into the tensor's own
 * storage with the Copy primitive, bumping the version counter so autograd can refuse a stale saved tensor.
 */
import { Tensor } from '../tensor.js';
import { fmtShape, shapesEqual } from '../shape.js';
import { backendOf, checkTensor, record } from './util.js';
import { clone, expand, sumTo } from './view.js';
import { isGradEnabled, noGrad } from '../autograd/grad_mode.js';
import { defaultGenerator, type Generator } from '../random.js';
import { castTo } from './util.js';

/**
 * Runs `fn(self')` where self' carries self's current autograd history, then stores the result in self.
 * Mirrors PyTorch: a leaf that requires grad cannot be modified in place while grad mode is on.
 */
export function applyInplace(self: Tensor, op: string, fn: (x: Tensor) => Tensor): Tensor {
  checkTensor(self, op);
  const tracking = isGradEnabled();
  if (tracking && self.requiresGrad && self.isLeaf) {
    throw new Error(`${op}: a leaf tensor that requires grad (shape ${fmtShape(self.shape)}) is being used in an in-place operation; wrap the update in torch.noGrad(() => ...) or use the out-of-place op`);
  }
  let prev = self;
  if (tracking && self.requiresGrad) {
    if (self.base && self.base.requiresGrad && self.base !== self) {
      throw new Error(`${op}: in-place modification of a view of a tensor that requires grad is not supported; use the out-of-place op or clone() the view first`);
    }
    // The op runs on a copy of the old value that carries the old history (an alias holds self's current
    // gradFn, which is about to be replaced). Its gradient rule may save that copy: the write below does not
    // touch it, so backward works as in PyTorch. Tensors saved earlier from self still see the version bump.
    const alias = new Tensor(self.storage, self.shape.slice(), self.strides.slice(), self.offset, self.base);
    alias.requiresGrad = true;
    alias.setGradFn(self.gradFn);
    prev = clone(alias);
  }
  const result = fn(prev);
  if (!shapesEqual(result.shape, self.shape)) {
    throw new RangeError(`${op}: the result has shape ${fmtShape(result.shape)}, which does not match the in-place tensor's shape ${fmtShape(self.shape)} (an in-place op cannot broadcast self)`);
  }
  const value = castTo(noGrad(() => result.detach()), self.dtype);
  backendOf(self).copy(value, self);
  self.storage.version++;
  if (tracking && result.requiresGrad) {
    self.requiresGrad = true;
    self.setGradFn(result.gradFn);
  }
  return self;
}

export function zero_(self: Tensor): Tensor {
  return fill_(self, 0);
}

export function fill_(self: Tensor, value: number | Tensor): Tensor {
  checkTensor(self, 'fill_');
  const v = value instanceof Tensor ? value : backendOf(self).full([], value, self.dtype);
  if (v.numel() !== 1) throw new RangeError(`fill_: value must be a number or a 1-element tensor, got shape ${fmtShape(v.shape)}`);
  return copy_(self, v);
}

/** Copies src (broadcast to self's shape, cast to self's dtype) into self; the gradient flows to src. */
export function copy_(self: Tensor, src: Tensor): Tensor {
  checkTensor(src, 'copy_', 'src');
  return applyInplace(self, 'copy_', (x) => {
    const v = expand(castTo(src, x.dtype), x.shape);
    // NOTE: not x*0 + src, which would keep NaNs that were in x.
    const out = backendOf(x).full(x.shape.slice(), 0, x.dtype);
    backendOf(x).copy(v, out);
    const srcShape = src.shape;
    return record(out, 'Copy', [x, src], (g) => [g.mul(0), sumTo(g, srcShape)]);
  });
}

export function uniform_(self: Tensor, a = 0, b = 1, generator: Generator = defaultGenerator): Tensor {
  const r = backendOf(self).random('uniform', self.shape.slice(), self.dtype, generator, a, b);
  return noGrad(() => { backendOf(self).copy(r, self); self.storage.version++; return self; });
}

export function normal_(self: Tensor, mean = 0, std = 1, generator: Generator = defaultGenerator): Tensor {
  const r = backendOf(self).random('normal', self.shape.slice(), self.dtype, generator, mean, std);
  return noGrad(() => { backendOf(self).copy(r, self); self.storage.version++; return self; });
}
