/**
 * An op module imported on its own (not through torch.ts or the package index) works: gradient rules and
 * composites call Tensor methods, and every op module brings them and the CPU backend (through ops/util.ts).
 * Run in a child process, so no other test file's imports can install them first.
 */
import { expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

const ROOT = join(import.meta.dirname, '..');

it('runtime/ops/reduce.ts alone: logsumexp forward and its gradient (softmax)', () => {
  const code = `
    const { logsumexp } = await import('./runtime/ops/reduce.ts');
    const { tensor } = await import('./runtime/ops/creation.ts');
    const x = tensor([1, 2, 3], { dtype: 'float32', requiresGrad: true });
    const y = logsumexp(x, 0);
    y.backward();
    console.log(JSON.stringify([y.item(), Array.from(x.grad.dataSync())]));`;
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
  expect(r.status, r.stderr).toBe(0);
  const [y, g] = JSON.parse(r.stdout) as [number, number[]];
  const e = [1, 2, 3].map(Math.exp);
  const s = e[0] + e[1] + e[2];
  expect(y).toBeCloseTo(Math.log(s), 5);
  g.forEach((v, i) => expect(v).toBeCloseTo(e[i] / s, 6));
});
