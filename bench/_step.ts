import { torch } from '/work/main/runtime/index.ts';
import { linear } from '/work/main/runtime/ops/matmul.ts'; const F = { linear };
torch.manualSeed(0);
const W1 = torch.randn(50, 784).mul(0.03).requiresGrad_(); const b1 = torch.zeros(50).requiresGrad_();
const W2 = torch.randn(10, 50).mul(0.1).requiresGrad_(); const b2 = torch.zeros(10).requiresGrad_();
const x = torch.rand(64, 784); const y = torch.randint(0, 10, [64]);
function step() {
  torch.tidy(() => {
    const h = F.linear(x, W1, b1).relu();
    const logits = F.linear(h, W2, b2);
    const lp = logits.logSoftmax(1);
    const loss = lp.gather(1, y.unsqueeze(1)).mean().neg();
    for (const p of [W1, b1, W2, b2]) { p.grad?.dispose(); p.grad = null; }
    loss.backward();
    torch.noGrad(() => { for (const p of [W1, b1, W2, b2]) p.sub_(p.grad!.mul(1e-3)); });
  });
}
for (let i = 0; i < 200; i++) step();
const t0 = performance.now(); const N = 1000;
for (let i = 0; i < N; i++) step();
console.log(((performance.now() - t0) / N).toFixed(3), 'ms/step', torch.memory());
