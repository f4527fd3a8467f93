/**
 * tf.data: the constructors become the runtime's streaming datasets (runtime/data/iterable.ts), which keep
 * tfjs's Dataset methods under the same names and semantics, so a pipeline's method chain
 * (`.map(f).shuffle(n).batch(b)`) is left as written and yields the same elements in the same order.
 */
import type { Mapping } from '../schema.js';

const fn = (name: string, params: string[], target: string, example: [string, string]): Mapping => ({
  tf: `tf.data.${name}`, kind: 'function', status: 'exact', params, returns: 'other', notes: ['tf-data'], target,
  examples: [{ tf: example[0], torch: example[1] }],
});

export const dataRows: Mapping[] = [
  fn('array', ['items'], 'data.fromArray($items)', ['tf.data.array([1, 2, 3]).batch(2)', 'data.fromArray([1, 2, 3]).batch(2)']),
  fn('generator', ['generator'], 'data.fromGenerator($generator)', ['tf.data.generator(gen)', 'data.fromGenerator(gen)']),
  fn('zip', ['datasets'], 'data.zip($datasets)', ['tf.data.zip({ xs, ys })', 'data.zip({ xs, ys })']),
  // tfjs's func(f) reads one iterator made of f for every pass; f is stateful either way, so a fresh wrapper per
  // pass reads the same elements.
  fn('func', ['f'], 'data.fromGenerator(() => ({ next: $f }))', ['tf.data.func(next)', 'data.fromGenerator(() => ({ next: next }))']),
  {
    ...fn('csv', ['source', 'csvConfig?'], 'data.csv($source{{, $csvConfig}})', ["tf.data.csv('file://./d.csv', { hasHeader: true })", "data.csv('file://./d.csv', { hasHeader: true })"]),
    notes: ['tf-data', 'tf-data-csv-source'],
  },
  { tf: 'tf.data.Dataset', kind: 'class', status: 'exact', notes: ['tf-data'], target: 'data.IterableDataset' },
  { tf: 'tf.data.webcam', kind: 'function', status: 'manual', params: ['webcamVideoElement?', 'webcamConfig?'], reason: 'a browser camera stream has no Node equivalent: read frames yourself and use data.fromGenerator', notes: ['no-equivalent'] },
  { tf: 'tf.data.microphone', kind: 'function', status: 'manual', params: ['microphoneConfig?'], reason: 'a browser microphone stream has no Node equivalent: read audio yourself and use data.fromGenerator', notes: ['no-equivalent'] },
];
