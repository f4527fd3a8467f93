/**
 * Planted bugs: mistakes a migration (a tool's mapping or a human's hand edit) could make, as source edits of a
 * correctly migrated program, each with the layer or op a diff report must name when it catches it. The planted-bug
 * suite (test/difftest/planted_bugs.test.ts) applies each one, runs `check`, and counts the catches.
 *
 * Each edit states exactly what it replaces, and `applyPlantedBug` refuses to report success unless it replaced
 * exactly that many occurrences: a migration whose output changed shape makes the suite fail loudly instead of
 * "catching" an unmutated program.
 */
import type { ProbeKind } from '../program/types.js';

/** The programs the bugs are planted in (migrated with `--fit helper`). */
export type PlantedProgram = 'seed-mlp' | 'square-mlp' | 'cnn' | 'two-branch' | 'shared-layer' | 'cubic-loop' | 'grads-loop' | 'rms-loop' | 'multi-output' | 'class-weight';

export const PLANTED_PROGRAMS: Record<PlantedProgram, string> = {
  /** The seed MNIST MLP the demo migrates: 784 → Dense(50, relu) → Dense(10, softmax), Adam 1e-4. */
  'seed-mlp': 'examples/tfjs/mnist-mlp.ts',
  /** An MLP with a square hidden Dense (32 → 32), where an untransposed kernel still has the right shape. */
  'square-mlp': 'test/difftest/planted/mlp_square.ts',
  /** conv2d 'same' → batchNormalization → maxPooling2d → flatten → dropout → dense(softmax). */
  cnn: 'test/difftest/planted/cnn.ts',
  /** A tf.model graph: two Dense branches (relu; tanh → relu) concatenated, then Dense(softmax); mapped by graph. */
  'two-branch': 'fixtures/functional-two-branch/input.ts',
  /** A tf.model graph with one Dense(tanh) applied twice and both results concatenated. */
  'shared-layer': 'test/difftest/fixtures/functional_shared.ts',
  /** A custom loop: the cubic fit with optimizer.minimize (SGD with momentum) over four scalar variables. */
  'cubic-loop': 'fixtures/cubic-tidy-fit/input.ts',
  /** A custom loop without an optimizer: tf.grads, then a hand-written update with variable.assign. */
  'grads-loop': 'test/difftest/fixtures/grads_assign.ts',
  /** tf.valueAndGrads with a hand-written RMS-style update (epsilon outside the square root, state in variables). */
  'rms-loop': 'test/difftest/fixtures/value_and_grads.ts',
  /** A tf.model with two inputs and two outputs, model.fit with one loss per output (mse, categoricalCrossentropy). */
  'multi-output': 'test/difftest/fixtures/multi_io_fit.ts',
  /** A sequential classifier trained with model.fit's classWeight. */
  'class-weight': 'test/difftest/fixtures/class_weight_fit.ts',
};

export interface PlantedEdit {
  find: string;
  replace: string;
  /** How many occurrences must be replaced (default 1). */
  count?: number;
}

/** An edit that defines a helper class (given line by line) right after the migrated program's runtime import. */
function defineAfterImports(...lines: string[]): PlantedEdit {
  const runtimeImport = "import { torch, nn, F, optim, utils } from 'torchbridge';\n";
  return { find: runtimeImport, replace: `${runtimeImport}\n${lines.join('\n')}\n` };
}

export interface PlantedBug {
  id: string;
  /** The mistake, as a reviewer would describe it. */
  description: string;
  program: PlantedProgram;
  edits: PlantedEdit[];
  /** What the report must name: the reference (tfjs) layer, and/or the kind of probe that diverges first. */
  expect: {
    layer?: string;
    kind?: ProbeKind;
    /** The step the first divergence must be at. */
    step?: number;
    /**
     * The migrated program must stop with an error instead (a tensor used after it was freed): the diff's failure
     * must name the migrated program and the training step it was in.
     */
    crash?: { step: number };
  };
  /**
   * Why the diff cannot yet name `expect`'s layer for this bug (it still fails the check): the suite then asserts
   * the check fails and that the layer is NOT named, so the day the diff localizes it, the suite says to drop this.
   */
  knownGap?: string;
  /**
   * What `diff --trace ops` must name at step 0: the phase (and cause) of the first divergence, and the likely
   * cause's line: the line of the planted program holding `line`.
   */
  traceOps?: { phase: 'forward' | 'backward'; cause?: 'op' | 'gap' | 'input' | 'no-gradient'; line: string };
}

export const PLANTED_BUGS: PlantedBug[] = [
  {
    id: 'adam-epsilon',
    description: "Adam's epsilon left at PyTorch's 1e-8 instead of tfjs's 1e-7 (the mapping note adam-epsilon ignored)",
    program: 'seed-mlp',
    edits: [{ find: 'new optim.Adam(model.parameters(), { lr: 1e-4, eps: 1e-7 })', replace: 'new optim.Adam(model.parameters(), { lr: 1e-4, eps: 1e-8 })' }],
    // Forward and gradients agree; the parameters after the optimizer's step do not.
    expect: { kind: 'parameter' },
  },
  {
    id: 'dense-kernel-not-transposed',
    description: "a hand-written Dense computing x·W + b with the Linear weight in PyTorch's [out, in] layout, untransposed (square, so it runs)",
    program: 'square-mlp',
    edits: [
      defineAfterImports(
        '/** tfjs\'s Dense formula, x·kernel + bias, over a Linear whose weight is [out, in]: the transpose is missing. */',
        'class DenseLayer extends nn.Linear {',
        '  override forward(x: torch.Tensor): torch.Tensor {',
        '    return torch.add(torch.matmul(x, this.weight), this.bias!);',
        '  }',
        '}',
      ),
      { find: 'model.append(new nn.Linear(32, 32))', replace: 'model.append(new DenseLayer(32, 32))' },
    ],
    expect: { layer: 'dense_Dense2', kind: 'output' },
  },
  {
    id: 'softmax-axis',
    description: 'softmax over the batch axis (dim 0) instead of the class axis (-1)',
    program: 'seed-mlp',
    edits: [{ find: 'new nn.Softmax(-1)', replace: 'new nn.Softmax(0)' }],
    // tfjs folds the softmax into the second Dense (activation: 'softmax'): that layer's output differs.
    expect: { layer: 'dense_Dense2', kind: 'output' },
  },
  {
    id: 'missing-bias',
    description: "the first Dense's bias dropped (useBias: true migrated as bias: false)",
    program: 'seed-mlp',
    edits: [{ find: 'new nn.Linear(784, 50)', replace: 'new nn.Linear(784, 50, { bias: false })' }],
    expect: { layer: 'dense_Dense1' },
  },
  {
    id: 'batchnorm-momentum',
    description: "BatchNormalization's momentum passed through unconverted: tfjs's 0.99 (weight of the old running value) as PyTorch's momentum (weight of the new batch value) instead of 0.01",
    program: 'cnn',
    edits: [{ find: 'new nn.BatchNorm2d(4, { eps: 1e-3, momentum: 0.01, unbiasedRunningVar: false })', replace: 'new nn.BatchNorm2d(4, { eps: 1e-3, momentum: 0.99, unbiasedRunningVar: false })' }],
    expect: { layer: 'batch_normalization_BatchNormalization1' },
  },
  {
    id: 'dropout-in-eval',
    description: 'Dropout written with F.dropout, whose `training` defaults to true: it keeps dropping in evaluation',
    program: 'cnn',
    edits: [
      defineAfterImports(
        '/** Dropout through the functional form; `training` is left at its default (true), not this.training. */',
        'class DropoutLayer extends nn.Dropout {',
        '  override forward(x: torch.Tensor): torch.Tensor {',
        '    return F.dropout(x, { p: this.p });',
        '  }',
        '}',
      ),
      { find: 'new nn.Dropout(0.5)', replace: 'new DropoutLayer(0.5)' },
    ],
    // Training steps apply the reference's masks, so only evaluation differs: the first evaluation batch's layer
    // outputs (`eval output` probes) name the Dropout.
    expect: { layer: 'dropout_Dropout1', kind: 'output' },
  },
  {
    id: 'padding-mode',
    description: "'same' padding filled by reflection instead of zeros (tfjs pads with zeros)",
    program: 'cnn',
    edits: [{ find: "new nn.Conv2d(1, 4, 3, { padding: 'same', bias: false })", replace: "new nn.Conv2d(1, 4, 3, { padding: 'same', bias: false, paddingMode: 'reflect' })" }],
    expect: { layer: 'conv2d_Conv2D1', kind: 'output' },
  },
];

/** Mistakes in functional (graph) models, whose migrated forward writes activations as ops: the report names the layer. */
PLANTED_BUGS.push(
  {
    id: 'branch-activation-wrong',
    description: "the deep branch's tanh migrated as sigmoid (an activation written as an op in the forward)",
    program: 'two-branch',
    edits: [{ find: 'const deep1 = torch.tanh(', replace: 'const deep1 = torch.sigmoid(' }],
    expect: { layer: 'dense_Dense2', kind: 'output', step: 0 },
  },
  {
    id: 'concat-branch-activation-wrong',
    description: "the wide branch's relu migrated as sigmoid: its value only reaches the concatenation",
    program: 'two-branch',
    edits: [{ find: 'const wide = torch.relu(', replace: 'const wide = torch.sigmoid(' }],
    expect: { layer: 'dense_Dense1', kind: 'output', step: 0 },
  },
  {
    id: 'branch-gradient-detached',
    description: "the deep branch detached before its second Dense (deep1.detach()): the forward is unchanged, but no gradient reaches the branch's first Dense",
    program: 'two-branch',
    edits: [{ find: 'this.dense3.forward(deep1)', replace: 'this.dense3.forward(deep1.detach())' }],
    expect: { layer: 'dense_Dense2', kind: 'gradient', step: 0 },
    traceOps: { phase: 'backward', cause: 'no-gradient', line: 'deep1.detach()' },
  },
  {
    id: 'relu-straight-through',
    description: "the deep branch's relu written so its gradient passes straight through (x − stop(x − relu(x))): the same values, the identity's gradient",
    program: 'two-branch',
    edits: [{ find: '    const deep2 = torch.relu(this.dense3.forward(deep1));\n', replace: '    const pre2 = this.dense3.forward(deep1);\n    const deep2 = pre2.sub(pre2.sub(torch.relu(pre2)).detach());\n' }],
    expect: { layer: 'dense_Dense2', kind: 'gradient', step: 0 },
    // The first backward op that differs is the branch's Dense's; the original runs relu's gradient before it.
    traceOps: { phase: 'backward', line: 'torch.relu(pre2)' },
  },
  {
    id: 'shared-layer-activation-wrong',
    description: "the shared Dense's first application with relu instead of tanh (its second one right)",
    program: 'shared-layer',
    edits: [{ find: 'const h1 = torch.tanh(', replace: 'const h1 = torch.relu(' }],
    expect: { layer: 'dense_Dense1', kind: 'output', step: 0 },
  },
);

/** Mistakes in custom training loops: the report names the variable (by the program's name) and the step. */
PLANTED_BUGS.push(
  {
    id: 'param-left-out-of-optimizer',
    description: "one of the loop's variables left out of the optimizer's parameter list: it never trains",
    program: 'cubic-loop',
    edits: [{ find: 'new optim.SGD([a, b, c, d],', replace: 'new optim.SGD([a, b, c],' }],
    expect: { layer: 'd', kind: 'parameter', step: 0 },
  },
  {
    id: 'detached-gradient',
    description: 'a variable detached inside the prediction (a.detach()): no gradient reaches it, so the optimizer never moves it',
    program: 'cubic-loop',
    edits: [{ find: 'a.mul(x.pow(3))', replace: 'a.detach().mul(x.pow(3))' }],
    expect: { layer: 'a', kind: 'parameter', step: 0 },
    // Every forward value agrees: the op trace names where the gradient stops (the detached copy's first read).
    traceOps: { phase: 'backward', cause: 'no-gradient', line: 'a.detach().mul(x.pow(3))' },
  },
  {
    id: 'assign-left-out',
    description: "a hand-written update dropped: the migrated step never writes one variable (its tfjs assign lost)",
    program: 'grads-loop',
    edits: [{ find: '    torch.noGrad(() => b.copy_(b.sub(gb.mul(lr))));\n', replace: '' }],
    expect: { layer: 'b', kind: 'parameter', step: 0 },
  },
  {
    id: 'tensor-disposed-too-early',
    description: 'the loss disposes the label tensor it was given, which every later step needs again (a tfjs dispose moved into the migrated loss)',
    program: 'cubic-loop',
    edits: [{ find: '  return pred.sub(label).square().mean() as torch.Tensor;', replace: '  const l = pred.sub(label).square().mean() as torch.Tensor;\n  label.dispose();\n  return l;' }],
    expect: { crash: { step: 1 } },
  },
  {
    id: 'epsilon-inside-sqrt',
    description: "a hand-written RMS update with epsilon inside the square root (√(s + ε)) where the original adds it outside (√s + ε)",
    program: 'rms-loop',
    edits: [
      { find: 'w.copy_(w.sub(gw.mul(lr).div(sqW.sqrt().add(eps))))', replace: 'w.copy_(w.sub(gw.mul(lr).div(sqW.add(eps).sqrt())))' },
      { find: 'bias.copy_(bias.sub(gb.mul(lr).div(sqB.sqrt().add(eps))))', replace: 'bias.copy_(bias.sub(gb.mul(lr).div(sqB.add(eps).sqrt())))' },
    ],
    expect: { layer: 'w', kind: 'parameter', step: 0 },
  },
);

/** Mistakes in model.fit's outputs and sample weighting: the loss of the first step is what differs. */
PLANTED_BUGS.push(
  {
    id: 'output-loss-weighted',
    description: "the second output's loss weighted 0.5 (Keras's lossWeights honoured, which tfjs-layers ignores: it sums the outputs' losses)",
    program: 'multi-output',
    edits: [{ find: '.sum(-1)).mean()];', replace: '.sum(-1)).mean().mul(0.5)];' }],
    expect: { kind: 'loss', step: 0 },
    // The two sides sum the outputs' losses differently (per sample, then the mean; per output, then the sum), so
    // the loss values pair with nothing; the seed gradient the weight halves is the first backward op that differs.
    traceOps: { phase: 'backward', cause: 'gap', line: '.mean().mul(0.5)];' },
  },
  {
    id: 'class-weight-dropped',
    description: "fit's classWeight dropped: every sample weighs 1",
    program: 'class-weight',
    edits: [{ find: ', classWeight: { 0: 1, 1: 3, 2: 0.5 } });', replace: ' });' }],
    expect: { kind: 'loss', step: 0 },
  },
);

/** Thrown when an edit does not find what it must replace (the migrated program no longer looks as expected). */
export class PlantError extends Error {}

/** Applies a bug's edits to migrated source; throws unless every edit replaced exactly its count of occurrences. */
export function applyPlantedBug(bug: PlantedBug, source: string): string {
  let text = source;
  for (const edit of bug.edits) {
    const found = text.split(edit.find).length - 1;
    const want = edit.count ?? 1;
    if (found !== want) {
      throw new PlantError(`planted bug ${bug.id}: expected ${want} occurrence(s) of ${JSON.stringify(edit.find)} in the migrated ${bug.program} program, found ${found}; update the edit to the migrated code`);
    }
    text = text.split(edit.find).join(edit.replace);
  }
  if (text === source) throw new PlantError(`planted bug ${bug.id}: the edits changed nothing`);
  return text;
}
