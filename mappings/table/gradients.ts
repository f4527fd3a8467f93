/** Gradient APIs: function transforms (grad, grads, valueAndGrad(s)), variableGrads, optimizer steps. */
import type { Mapping } from '../schema.js';
import { manual } from './helpers.js';

export const gradients: Mapping[] = [
  {
    tf: 'tf.grad', kind: 'function', status: 'semantic', params: ['f'], returns: 'GradFunction', transform: 'gradFunction',
    notes: ['grad-function', 'grad-nonscalar'],
    target: '(x, dy) => { const input = x.detach().requiresGrad_(); const y = $f(input); return torch.autograd.grad(y, input, { gradOutputs: dy ?? torch.onesLike(y) })[0]; }',
  },
  {
    tf: 'tf.grads', kind: 'function', status: 'semantic', params: ['f'], returns: 'GradFunction', transform: 'gradFunction',
    notes: ['grad-function', 'grad-nonscalar'],
    target: '(args, dy) => { const inputs = args.map((a) => a.detach().requiresGrad_()); const y = $f(...inputs); return torch.autograd.grad(y, inputs, { gradOutputs: dy ?? torch.onesLike(y) }); }',
  },
  {
    tf: 'tf.valueAndGrad', kind: 'function', status: 'semantic', params: ['f'], returns: 'GradFunction', transform: 'gradFunction',
    notes: ['grad-function', 'grad-nonscalar'],
    target: '(x, dy) => { ...; return { value: y.detach(), grad }; }',
  },
  {
    tf: 'tf.valueAndGrads', kind: 'function', status: 'semantic', params: ['f'], returns: 'GradFunction', transform: 'gradFunction',
    notes: ['grad-function', 'grad-nonscalar'],
    target: '(args, dy) => { ...; return { value: y.detach(), grads }; }',
  },
  {
    tf: 'tf.variableGrads', kind: 'function', status: 'pattern', params: ['f', 'varList?'], returns: 'TensorMap', rule: 'variableGrads',
    notes: ['variable-grads-step'],
    target: 'optimizer.zeroGrad(); const value = torch.tidy(() => f()); value.backward(); /* at applyGradients: */ optimizer.step();',
  },
  {
    tf: 'Optimizer.minimize', kind: 'method', status: 'pattern', params: ['f', 'returnCost?', 'varList?'], returns: 'Tensor', rule: 'minimize',
    notes: ['minimize-step'], target: '$self.zeroGrad(); torch.tidy(() => $f().backward()); $self.step();',
  },
  {
    tf: 'Optimizer.applyGradients', kind: 'method', status: 'pattern', params: ['variableGradients'], rule: 'variableGrads',
    notes: ['variable-grads-step'], target: '$self.step()',
  },
  manual('tf.customGrad', 'the runtime has no user-defined autograd function yet; write the op from differentiable runtime ops', { notes: ['custom-grad'] }),
  manual('Optimizer.computeGradients', 'use loss.backward() and read param.grad, or torch.autograd.grad(loss, params)'),
  manual('Optimizer.getWeights', 'optimizer.stateDict() holds the optimizer state (a different structure)'),
  manual('Optimizer.setWeights', 'optimizer.loadStateDict(state) (a different structure)'),
  manual('Optimizer.dispose', 'optimizer state is garbage collected; remove the call'),
];
