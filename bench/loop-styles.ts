/**
 * The seed MNIST MLP trained in one process by the two loop styles, epoch by epoch in alternation, so both see
 * the same machine load: the PyTorch idiom (no tidy), the same step in torch.tidy, and that step under
 * torch.compile (runtime/compile/). plain ÷ tidy is the cost of the runtime's memory model for code that never
 * frees anything (runtime/MEMORY.md; issue target ≤ 1.1); compiled ÷ plain is what tracing and replaying the step
 * saves. Also prints torch.memory() after each style's epochs: all should be flat. All styles train one model
 * (each epoch continues from the last), so they do the same work.
 *
 *   npx tsx bench/loop-styles.ts [--rounds 4] [--device cpu|webgpu] [--styles plain,tidy,compiled]
 */
import { parseArgs } from 'node:util';
import { torch, nn, optim, data, webgpu } from 'torchbridge';

const { values: a } = parseArgs({ options: { rounds: { type: 'string', default: '4' }, device: { type: 'string', default: 'cpu' }, styles: { type: 'string', default: 'plain,tidy,compiled' } } });
const device = a.device!;
if (device === 'webgpu') {
  const r = await webgpu.init();
  if (!r.ok) throw new Error(`loop-styles: --device webgpu, but no WebGPU adapter: ${r.reason}`);
}
torch.manualSeed(0);
const model = new nn.Sequential(new nn.Linear(784, 50), new nn.ReLU(), new nn.Linear(50, 10)).to(device);
const criterion = new nn.CrossEntropyLoss();
const optimizer = new optim.Adam(model.parameters(), { lr: 1e-4 });
const loader = new data.DataLoader(new data.MNIST({ train: true, root: process.env.MNIST_ROOT || undefined }), { batchSize: 64, shuffle: true, device });

type Style = 'plain' | 'tidy' | 'compiled';
const styles = a.styles!.split(',') as Style[];
for (const s of styles) if (!['plain', 'tidy', 'compiled'].includes(s)) throw new Error(`loop-styles: --styles takes plain, tidy, compiled; got ${s}`);
const compiledStep = torch.compile((x: torch.Tensor, y: torch.Tensor) => {
  const loss = criterion.forward(model.forward(x.reshape(x.shape[0], -1)), y);
  optimizer.zeroGrad();
  loss.backward();
  optimizer.step();
  return loss;
}, { fullgraph: true });
async function epoch(style: Style): Promise<number> {
  const t0 = performance.now();
  let last: torch.Tensor | null = null;
  for (const [x, y] of loader) {
    if (style === 'compiled') {
      last = compiledStep(x, y);
    } else if (style === 'plain') {
      const loss = criterion.forward(model.forward(x.reshape(x.shape[0], -1)), y);
      optimizer.zeroGrad();
      loss.backward();
      optimizer.step();
      last = loss;
    } else {
      last?.dispose();
      last = torch.tidy(() => {
        const loss = criterion.forward(model.forward(x.reshape(x.shape[0], -1)), y);
        optimizer.zeroGrad();
        loss.backward();
        optimizer.step();
        return loss.detach();
      });
    }
  }
  // On the GPU the work is queued: the clock stops when the last loss is read.
  await last!.data();
  return (performance.now() - t0) / 1000;
}

const times: Record<Style, number[]> = { plain: [], tidy: [], compiled: [] };
const memory: Record<Style, torch.MemoryInfo | null> = { plain: null, tidy: null, compiled: null };
for (const s of styles) await epoch(s); // warm-up: JIT, pools, MNIST in memory, the compiled step's traces
for (let r = 0; r < Number(a.rounds); r++) {
  // The order rotates each round, so no style always runs first or last.
  for (const s of styles.map((_, i) => styles[(i + r) % styles.length])) {
    times[s].push(await epoch(s));
    memory[s] = torch.memory();
    process.stderr.write(`round ${r + 1} ${s}: ${times[s][times[s].length - 1].toFixed(3)} s\n`);
  }
}
const median = (xs: number[]) => [...xs].sort((p, q) => p - q)[Math.floor(xs.length / 2)];
const sum = (xs: number[]) => xs.reduce((p, q) => p + q, 0);
console.log(`\nseed MNIST MLP, one epoch per sample (938 steps), ${device}, ${a.rounds} rounds alternating, Node ${process.version}\n`);
if (styles.includes('compiled')) console.log(`compiled step: ${JSON.stringify(compiledStep.stats)}\n`);
console.log('| loop | median s/epoch | total s | tensors alive after | bytes alive after |');
console.log('|---|---:|---:|---:|---:|');
for (const s of styles) {
  console.log(`| ${s} | ${median(times[s]).toFixed(3)} | ${sum(times[s]).toFixed(2)} | ${memory[s]!.numTensors} | ${memory[s]!.numBytes} |`);
}
const ratio = (p: Style, q: Style) => styles.includes(p) && styles.includes(q) ? console.log(`${p} ÷ ${q} (total time): ${(sum(times[p]) / sum(times[q])).toFixed(3)}`) : undefined;
console.log('');
ratio('plain', 'tidy');
ratio('compiled', 'plain');
ratio('compiled', 'tidy');
process.exit(0);
