/**
 * tf.grad / grads / valueAndGrad / valueAndGrads return gradient functions; the runtime computes gradients of a
 * forward pass with requiresGrad inputs (torch.autograd.grad). The generated function runs that forward.
 */
import type { Transformer } from '../schema.js';
import { bindArgs } from '../template.js';
import { code, todo } from './util.js';

export const gradFunction: Transformer = (site, row) => {
  const f = bindArgs(row, site).get('f');
  if (!f) return todo('no-equivalent', `${row.tf} needs a function`);
  const fn = f.simple ? f.text : `(${f.text})`;
  const ts = site.typescript;
  const T = (t: string) => (ts ? t : '');
  const many = row.tf === 'tf.grads' || row.tf === 'tf.valueAndGrads';
  // The function takes its inputs as separate parameters; spread from an array, TypeScript needs it typed as variadic.
  const withValue = row.tf.startsWith('tf.valueAnd');
  const head = many
    ? `(args${T(': torch.Tensor[]')}, dy${T('?: torch.Tensor')}) => { const inputs = args.map((a) => a.detach().requiresGrad_()); const y = ${ts ? `(${fn} as (...xs: torch.Tensor[]) => torch.Tensor)` : fn}(...inputs);`
    : `(x${T(': torch.Tensor')}, dy${T('?: torch.Tensor')}) => { const input = x.detach().requiresGrad_(); const y = ${fn}(input);`;
  const grads = `torch.autograd.grad(y, ${many ? 'inputs' : 'input'}, { gradOutputs: dy ?? torch.onesLike(y) })`;
  const result = many ? `${grads}${T(' as torch.Tensor[]')}` : `${grads}[0]${T('!')}`;
  const body = withValue ? `return { value: y.detach(), ${many ? 'grads' : 'grad'}: ${result} }; }` : `return ${result}; }`;
  // Parenthesised: the function is often called at once (`tf.grads(f)([a, b])`), and an arrow function must be
  // wrapped to be called.
  return code(`(${head} ${body})`);
};
