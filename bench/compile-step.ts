/**
 * The seed MLP's training step (784→50→ReLU→10, CrossEntropyLoss, Adam, batch 64) eager (in torch.tidy) and under
 * torch.compile, in one process, alternating blocks of steps on the same 8 fixed batches, so both see the same load
 * and neither pays for data loading: what tracing and replaying saves per step. Each style trains its own model.
 *
 *   npx tsx bench/compile-step.ts [--rounds 12] [--steps 200]
 */
import { parseArgs } from 'node:util';
import { torch, nn, optim } from 'torchbridge';

const { values: a } = parseArgs({ options: { rounds: { type: 'string', default: '12' }, steps: { type: 'string', default: '200' } } });
const rounds = Number(a.rounds), steps = Number(a.steps);

function setup() {
  torch.manualSeed(0);
  const model = new nn.Sequential(new nn.Linear(784, 50), new nn.ReLU(), new nn.Linear(50, 10));
  const criterion = new nn.CrossEntropyLoss();
  const optimizer = new optim.Adam(model.parameters(), { lr: 1e-4 });
  return (x: torch.Tensor, y: torch.Tensor) => {
    const loss = criterion.forward(model.forward(x), y);
    optimizer.zeroGrad();
    loss.backward();
    optimizer.step();
    return loss;
  };
}
const eager = setup();
const compiled = torch.compile(setup(), { fullgraph: true });
torch.manualSeed(1);
const xs = Array.from({ length: 8 }, () => torch.rand([64, 784]));
const ys = Array.from({ length: 8 }, () => torch.randint(0, 10, [64]));

const total = { eager: 0, compiled: 0 };
const warmup = 2;
for (let r = 0; r < rounds + warmup; r++) {
  const order: ('eager' | 'compiled')[] = r % 2 ? ['eager', 'compiled'] : ['compiled', 'eager'];
  for (const s of order) {
    const t0 = performance.now();
    for (let i = 0; i < steps; i++) {
      if (s === 'eager') torch.tidy(() => void eager(xs[i % 8], ys[i % 8]));
      else compiled(xs[i % 8], ys[i % 8]).dispose();
    }
    if (r >= warmup) total[s] += performance.now() - t0;
  }
}
const us = (ms: number) => ((ms / (rounds * steps)) * 1000).toFixed(0);
console.log(`\nseed MLP step, ${rounds} rounds × ${steps} steps alternating, Node ${process.version}\n`);
console.log(`compiled: ${JSON.stringify(compiled.stats)}\n`);
console.log('| step | µs/step |');
console.log('|---|---:|');
console.log(`| eager (tidy) | ${us(total.eager)} |`);
console.log(`| torch.compile | ${us(total.compiled)} |`);
console.log(`\ncompiled ÷ eager: ${(total.compiled / total.eager).toFixed(3)}`);
