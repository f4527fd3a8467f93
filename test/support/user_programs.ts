/**
 * fixtures/user-programs/<name>/<file>: issue 12's realistic tfjs programs on MNIST, with the steps `diff --steps 30`
 * records for each (test/difftest/user_programs.test.ts in the repository, test/package.test.ts from a user's project).
 */
export const USER_PROGRAMS: { name: string; file: string; steps: number; what: string }[] = [
  { name: 'mnist-raw-loop', file: 'input.ts', steps: 30, what: 'tf.variableGrads + applyGradients with tf.dispose([xs, ys, value, grads]): 2048 images / 64 = 32 steps, 30 diffed' },
  { name: 'regression-minimize', file: 'input.js', steps: 24, what: 'plain JS, sgd.minimize(() => tf.tidy(...)), predict(x) with an untyped x: 3 epochs × 8 batches' },
  { name: 'lstm-rmsprop', file: 'input.ts', steps: 30, what: 'LSTM (hardSigmoid gates, one bias) → dense softmax, rmsprop, fit: 2 epochs × 16 batches, 30 diffed' },
  {
    name: 'two-branch-bn', file: 'input.ts', steps: 30,
    what: 'tf.model with let reassignment, dense → batch norm → relu beside a dense branch, adam: dense 1\'s bias has an identically zero gradient before batch norm (float noise on both sides), set aside by the noise rules',
  },
  {
    name: 'mnist-bigru-rows', file: 'input.ts', steps: 30,
    what: 'bidirectional GRU over MNIST rows (whole sequence) → conv1d → global max pool → softmax, built by a function of its sizes, adam, validationSplit 0.2: 512 / 32 = 16 batches × 2 epochs, 30 diffed',
  },
];
