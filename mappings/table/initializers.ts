/**
 * tf.initializers.*: in tfjs they are objects passed to layer configs (kernelInitializer). In the runtime an
 * initialiser is a call on a parameter after the module exists (nn.init.*_), so they cannot move 1:1.
 */
import type { Mapping } from '../schema.js';
import { manual } from './helpers.js';

const init = (name: string, target: string): Mapping =>
  manual(`tf.initializers.${name}`, `initialisers act on a module's parameter after construction: ${target}`, { notes: ['init-config'] });

export const initializers: Mapping[] = [
  init('zeros', 'nn.init.zeros_(module.weight)'),
  init('ones', 'nn.init.ones_(module.weight)'),
  init('constant', 'nn.init.constant_(module.weight, value)'),
  init('randomNormal', 'nn.init.normal_(module.weight, mean, stddev)'),
  init('randomUniform', 'nn.init.uniform_(module.weight, minval, maxval)'),
  init('truncatedNormal', 'nn.init.truncNormal_(module.weight, mean, stddev, mean - 2 * stddev, mean + 2 * stddev)'),
  init('glorotNormal', 'nn.init.truncNormal_ with std √(2/(fanIn+fanOut)) (tfjs truncates at 2σ)'),
  init('glorotUniform', 'nn.init.xavierUniform_(module.weight)'),
  init('heNormal', 'nn.init.truncNormal_ with std √(2/fanIn) (tfjs truncates at 2σ)'),
  init('heUniform', "nn.init.kaimingUniform_(module.weight, { mode: 'fanIn', nonlinearity: 'relu' })"),
  init('leCunNormal', 'nn.init.truncNormal_ with std √(1/fanIn)'),
  init('leCunUniform', 'nn.init.uniform_ with limit √(3/fanIn)'),
  init('varianceScaling', 'compute the std/limit from the fans and use nn.init.truncNormal_/uniform_'),
  init('orthogonal', 'nn.init.orthogonal_(module.weight, gain)'),
  init('identity', 'nn.init.eye_(module.weight)'),
];
