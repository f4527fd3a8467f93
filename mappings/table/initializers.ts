/**
 * tf.initializers.*: in tfjs they are objects passed to layer configs (kernelInitializer). In the runtime an
 * initialiser is a call on a parameter after the module exists (nn.init.*_), so they cannot move 1:1.
 */
import type { Mapping } from '../schema.js';
import { manual } from './helpers.js';

const init = (name: string, target: string): Mapping =>
  manual(`tf.initializers.${name}`, `initialisers act on a module's parameter after construction: ${target}`, { notes: ['init-config'] });

/**
 * The Initializer object itself (`initializer.apply(shape)`, a custom layer's `addWeight`): compat.initializers keeps
 * tfjs's fans and formulas for the shape asked for. Passed in a built-in layer's config it is still not carried over
 * (the layer rows say so: note init-config).
 */
const object = (name: string, random = true): Mapping => ({
  tf: `tf.initializers.${name}`, kind: 'function', status: random ? 'semantic' : 'exact', params: ['args?'], returns: 'other',
  notes: random ? ['initializer-object', 'random-stream'] : ['initializer-object'], target: `compat.initializers.${name}({{$args}})`,
});

export const initializers: Mapping[] = [
  object('zeros', false),
  object('ones', false),
  object('constant', false),
  object('randomNormal'),
  object('randomUniform'),
  object('truncatedNormal'),
  object('glorotNormal'),
  object('glorotUniform'),
  object('heNormal'),
  object('heUniform'),
  object('leCunNormal'),
  object('leCunUniform'),
  object('varianceScaling'),
  init('orthogonal', 'nn.init.orthogonal_(module.weight, gain)'),
  object('identity', false),
];
