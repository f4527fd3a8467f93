// The program-level diff of a convolutional autoencoder (conv2d down, conv2dTranspose up): the migration passes,
// layer by layer; the mapping PyTorch's padding + outputPadding would give for 'same' with kernel − stride odd
// (a row off) fails, pinned to that layer's output at step 0.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, test } from 'vitest';
import { runDiff } from '../../difftest/program/run.js';
import { transpileSource } from '../../transpiler/index.js';
import { loadRuntimeApi } from '../../mappings/runtime_api.js';

const INPUT = resolve('fixtures/conv-autoencoder/input.ts');

describe('torchbridge diff: conv2dTranspose', () => {
  test('the autoencoder migrated on the fly, free run: every layer pairs (ConvTranspose2d, ConvTranspose2dSame) and every probe passes', async () => {
    const r = await runDiff({ original: INPUT, steps: 3, replay: 'none', reference: 'wasm', progress: false });
    expect(r.layers.map((l) => [l.referenceType, l.candidateType])).toEqual([
      ['Conv2D', 'Conv2d+ReLU'], ['Conv2D', 'Conv2d+ReLU'], ['Conv2DTranspose', 'ConvTranspose2d+ReLU'], ['Conv2DTranspose', 'ConvTranspose2d+Sigmoid'],
    ]);
    // The transposed kernels are loaded permuted [kh, kw, out, in] → [in, out, kh, kw] and compared that way.
    expect(r.probes.filter((p) => p.kind === 'parameter' && p.layer === 'conv2d_transpose_Conv2DTranspose2' && p.tensor === 'kernel').map((p) => p.shape)).toContainEqual([8, 1, 3, 3]);
    expect(r.probes.filter((p) => p.kind === 'output').length).toBeGreaterThan(0);
    expect(r.probes.filter((p) => !p.pass)).toEqual([]);
    expect(r.firstDivergence).toBeNull();
    expect(r.pass).toBe(true);
  });

  test("PyTorch's padding 1 + outputPadding 1 for k 3, s 2 'same' (the odd row on the wrong side) fails at that layer's output", async () => {
    // Migrated as the diff migrates (model.fit through utils.fit, which the candidate's probes follow).
    const src = transpileSource(INPUT, readFileSync(INPUT, 'utf8'), { layout: 'nchw', fit: 'helper', api: await loadRuntimeApi() }).output!;
    const exact = 'new compat.layers.ConvTranspose2dSame(8, 1, 3, { stride: 2 })';
    expect(src).toContain(exact);
    const dir = mkdtempSync(join(tmpdir(), 'tb-diff-convt-'));
    const wrong = join(dir, 'wrong.ts');
    writeFileSync(wrong, src.replace(exact, 'new nn.ConvTranspose2d(8, 1, 3, { stride: 2, padding: 1, outputPadding: 1 })'));
    const r = await runDiff({ original: INPUT, migrated: wrong, steps: 2, replay: 'step', reference: 'wasm', workDir: join(dir, 'w'), progress: false });
    expect(r.pass).toBe(false);
    expect(r.firstDivergence).toMatchObject({ step: 0, kind: 'output', layer: 'conv2d_transpose_Conv2DTranspose2' });
  });
});
