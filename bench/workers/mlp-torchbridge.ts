/** Bench worker: the seed MLP on torchbridge; prints one JSON line. */
import { torch, nn, optim, data } from 'torchbridge';

const epochs = Number(process.argv[2] ?? 3);
const device = process.argv[3] ?? 'cpu';
torch.manualSeed(0);
const model = new nn.Sequential(new nn.Linear(784, 50), new nn.ReLU(), new nn.Linear(50, 10)).to(device);
const criterion = new nn.CrossEntropyLoss();
const optimizer = new optim.Adam(model.parameters(), { lr: 1e-4 });
const train = new data.MNIST({ train: true });
const test = new data.MNIST({ train: false });
const loader = new data.DataLoader(train, { batchSize: 64, shuffle: true, numWorkers: Number(process.argv[4] ?? 0) });

const t0 = performance.now();
let steps = 0;
for (let e = 0; e < epochs; e++) {
  for (const [x, y] of loader) {
    torch.tidy(() => {
      const loss = criterion.forward(model.forward(x.to(device).reshape(x.shape[0], -1)), y.to(device));
      optimizer.zeroGrad();
      loss.backward();
      optimizer.step();
    });
    steps++;
  }
}
const seconds = (performance.now() - t0) / 1000;
const acc = torch.noGrad(() => model.forward(test.images.reshape(-1, 784).to(device)).argmax(1).eq(test.targets.to(device)).float().mean().item());
console.log(JSON.stringify({ seconds, stepMs: (seconds * 1000) / steps, testAccuracy: acc * 100, peakRssMB: process.resourceUsage().maxRSS / 1024 }));
