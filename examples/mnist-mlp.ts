/**
 * The seed article's MNIST walkthrough, written as a PyTorch user writes it, on torchbridge:
 * 784 → 50 → ReLU → 10, CrossEntropyLoss, Adam (lr 1e-4), batch 64, shuffled, 3 epochs.
 *
 *   npx tsx examples/mnist-mlp.ts [--epochs 3] [--device cpu|webgpu] [--seed 0] [--limit N]
 */
import { parseArgs } from 'node:util';
import { torch, nn, optim, data, utils, webgpu } from 'torchbridge';

const { values: args } = parseArgs({
  options: {
    epochs: { type: 'string', default: '3' },
    device: { type: 'string', default: 'cpu' },
    seed: { type: 'string', default: '0' },
    'batch-size': { type: 'string', default: '64' },
    lr: { type: 'string', default: '1e-4' },
    limit: { type: 'string' },
    quiet: { type: 'boolean', default: false },
  },
});
const epochs = Number(args.epochs);
const batchSize = Number(args['batch-size']);
const limit = args.limit ? Number(args.limit) : undefined;
torch.manualSeed(Number(args.seed));
// --device webgpu: initialise the GPU first; without an adapter say why and stay on the CPU.
const device = torch.device(args.device === 'webgpu' && !(await webgpu.init()).ok ? 'cpu' : args.device!);

class Net extends nn.Module {
  fc1 = new nn.Linear(784, 50);
  relu = new nn.ReLU();
  fc2 = new nn.Linear(50, 10);

  forward(x: torch.Tensor): torch.Tensor {
    return this.fc2.forward(this.relu.forward(this.fc1.forward(x)));
  }
}

const trainSet = new data.MNIST({ train: true, limit });
const testSet = new data.MNIST({ train: false, limit });
const trainLoader = new data.DataLoader(trainSet, { batchSize, shuffle: true });
const testLoader = new data.DataLoader(testSet, { batchSize: 1000 });

const model = new Net().to(device);
const criterion = new nn.CrossEntropyLoss();
const optimizer = new optim.Adam(model.parameters(), { lr: Number(args.lr) });

async function accuracy(loader: data.DataLoader): Promise<number> {
  model.eval();
  let correct = 0, total = 0;
  for (const [x, y] of loader) {
    const pred = torch.noGrad(() => model.forward(x.to(device).reshape(x.shape[0], -1)).argmax(1));
    correct += await pred.eq(y.to(device)).sum().itemAsync();
    total += y.shape[0];
  }
  model.train();
  return (100 * correct) / total;
}

const start = performance.now();
for (let epoch = 1; epoch <= epochs; epoch++) {
  const bar = utils.progress(trainLoader, { desc: `epoch ${epoch}/${epochs}`, disable: args.quiet });
  let last = 0;
  let step = 0;
  for (const [images, labels] of bar) {
    step++;
    const lossGpu = torch.tidy(() => {
      const x = images.to(device).reshape(images.shape[0], -1);
      const loss = criterion.forward(model.forward(x), labels.to(device));
      optimizer.zeroGrad();
      loss.backward();
      optimizer.step();
      if (device.type === 'cpu') last = loss.item();
      // On the GPU a read waits for the queue: read the loss every 50 steps only.
      else if (step % 50 === 1) return loss.detach();
      return null;
    });
    if (lossGpu) { last = await lossGpu.itemAsync(); lossGpu.dispose(); }
    bar.setPostfix(`loss=${last.toFixed(4)}`);
  }
}
const seconds = (performance.now() - start) / 1000;
console.log(`trained ${epochs} epoch(s) in ${seconds.toFixed(2)} s on ${device}`);
console.log(`train accuracy: ${(await accuracy(new data.DataLoader(trainSet, { batchSize: 1000 }))).toFixed(2)}%`);
console.log(`test accuracy: ${(await accuracy(testLoader)).toFixed(2)}%`);
