/**
 * End-to-end training on the runtime: the seed MLP learns real MNIST, and a long training loop's memory
 * stays flat (every tensor of a step is freed by tidy, the DataLoader or zeroGrad).
 */
import { describe, expect, test } from 'vitest';
import { torch, nn, optim, data } from 'torchbridge';

class Net extends nn.Module {
  fc1 = new nn.Linear(784, 50);
  fc2 = new nn.Linear(50, 10);
  forward(x: torch.Tensor) {
    return this.fc2.forward(this.fc1.forward(x).relu());
  }
}

describe('MNIST MLP on the runtime', () => {
  test('one pass over 12,800 training images brings the loss under 0.6 and test accuracy over 85%', () => {
    torch.manualSeed(0);
    const model = new Net();
    const optimizer = new optim.Adam(model.parameters(), { lr: 1e-3 });
    const criterion = new nn.CrossEntropyLoss();
    const loader = new data.DataLoader(new data.MNIST({ train: true, limit: 12800 }), { batchSize: 64, shuffle: true });
    const losses: number[] = [];
    for (const [x, y] of loader) {
      losses.push(torch.tidy(() => {
        const loss = criterion.forward(model.forward(x.reshape(x.shape[0], -1)), y);
        optimizer.zeroGrad();
        loss.backward();
        optimizer.step();
        return loss.item();
      }));
    }
    const first = losses.slice(0, 10).reduce((a, b) => a + b) / 10;
    const last = losses.slice(-20).reduce((a, b) => a + b) / 20;
    expect(first).toBeGreaterThan(1.8); // ≈ ln 10 at the start
    expect(last).toBeLessThan(0.6);
    const test = new data.MNIST({ train: false, limit: 2000 });
    const acc = torch.noGrad(() => model.forward(test.images.reshape(-1, 784)).argmax(1).eq(test.targets).float().mean().item());
    expect(acc).toBeGreaterThan(0.85);
  });

  test('memory is flat over 1,000 training steps', () => {
    torch.manualSeed(1);
    const model = new Net();
    const optimizer = new optim.Adam(model.parameters(), { lr: 1e-3 });
    const ds = new data.MNIST({ train: true, limit: 6400 });
    const loader = new data.DataLoader(ds, { batchSize: 64, shuffle: true });
    const snapshots: ReturnType<typeof torch.memory>[] = [];
    let step = 0;
    while (step < 1000) {
      for (const [x, y] of loader) {
        torch.tidy(() => {
          const out = model.forward(x.reshape(x.shape[0], -1));
          const l = new nn.CrossEntropyLoss().forward(out, y);
          optimizer.zeroGrad();
          l.backward();
          optimizer.step();
        });
        step++;
        if (step === 100 || step === 1000) snapshots.push(torch.memory());
        if (step === 1000) break;
      }
    }
    expect(snapshots[1].numTensors).toBe(snapshots[0].numTensors);
    expect(snapshots[1].numBytes).toBe(snapshots[0].numBytes);
  });
});
