// model.fit with two inputs and two outputs, and with classWeight, in the program-level diff: tfjs's own semantics
// on the reference side (the outputs' losses summed, each sample's loss times classWeight[argmax(y)]), utils.fit on
// the candidate side, followed lock-step, each output's loss step by step beside the total; planted bugs (a loss
// weight tfjs does not have, one output's loss slightly off, a branch's activation, a dropped classWeight) pinned to
// the step and layer (or output). Real child processes, tfjs wasm reference.
import { resolve } from 'node:path';
import { describe, expect, test } from 'vitest';
import { runDiff } from '../../difftest/program/run.js';
import { plantedCopies } from '../support/planted_copy.js';

const MIO = resolve('test/difftest/fixtures/multi_io_fit.ts');
const MIO_MIGRATED = resolve('test/difftest/fixtures/multi_io_fit.migrated.ts');
const CW = resolve('test/difftest/fixtures/class_weight_fit.ts');
const CW_MIGRATED = resolve('test/difftest/fixtures/class_weight_fit.migrated.ts');
const copies = plantedCopies('tb-fit-outputs-test-');
/** A copy of `file` with `find` (found exactly once) replaced by `replace`, in a temporary folder. */
const planted = (file: string, find: string, replace: string): string => copies(file, [find, replace]);

describe('runDiff on a two-input, two-output model.fit', () => {
  test('a correct migration agrees step by step: losses, every weight, every layer (both outputs read from the model\'s outputs)', async () => {
    const r = await runDiff({ original: MIO, migrated: MIO_MIGRATED, replay: 'step', recordEvery: 1, reference: 'wasm', progress: false });
    // 32 training samples (validationSplit 0.2 of 40) in batches of 8, 2 epochs.
    expect(r.steps).toBe(8);
    expect(r.failures).toEqual([]);
    expect(r.stepRows.every((s) => s.pass)).toBe(true);
    expect(r.stepRows[0].lossReference).toBeGreaterThan(1);
    const params = r.probes.filter((p) => p.kind === 'parameter');
    // Four layers' kernel and bias after each of the 8 steps.
    expect(new Set(params.map((p) => `${p.layer}/${p.tensor}`))).toEqual(new Set(['dense_Dense1', 'dense_Dense2', 'reg', 'cls'].flatMap((l) => [`${l}/kernel`, `${l}/bias`])));
    expect(params).toHaveLength(8 * 8);
    expect(params.every((p) => p.pass)).toBe(true);
    expect(r.probes.filter((p) => p.kind === 'gradient').length).toBe(8 * 8);
    const outputs = r.probes.filter((p) => p.kind === 'output');
    expect(new Set(outputs.map((p) => p.layer))).toEqual(new Set(['dense_Dense1', 'dense_Dense2', 'concatenate_Concatenate1', 'reg', 'cls']));
    expect(outputs.every((p) => p.pass)).toBe(true);
    expect(r.nameMap).toContainEqual({ reference: 'cls/kernel', candidate: 'cls.weight' });
    // Each output's loss compared at every step, beside the total.
    expect(r.probes.filter((p) => p.kind === 'loss' && p.layer !== '').map((p) => `${p.step} ${p.layer}`)).toEqual(Array.from({ length: 8 }, (_, i) => [`${i} reg`, `${i} cls`]).flat());
    expect(r.probes.filter((p) => p.kind === 'loss').every((p) => p.pass)).toBe(true);
    // The per-output losses and the validation logs, each under its own name on both sides.
    const e0 = r.epochRows[0];
    expect(Object.keys(e0.reference).sort()).toEqual(['cls_loss', 'loss', 'reg_loss', 'val_cls_loss', 'val_loss', 'val_reg_loss']);
    for (const k of Object.keys(e0.reference)) expect(e0.candidate[k]).toBeCloseTo(e0.reference[k], 5);
    expect(e0.reference.loss).toBeCloseTo(e0.reference.reg_loss + e0.reference.cls_loss, 5);
    expect(e0.reference.val_loss).toBeCloseTo(e0.reference.val_reg_loss + e0.reference.val_cls_loss, 5);
    expect(r.notes.join('\n')).toMatch(/validation losses shifted/);
    expect(r.pass).toBe(true);
  }, 180_000);

  test("migrated on the fly (migrate --fit helper): the same lock-step agreement, the per-output losses under tfjs's keys", async () => {
    const r = await runDiff({ original: MIO, steps: 4, replay: 'step', reference: 'wasm', progress: false });
    expect(r.failures).toEqual([]);
    expect(r.stepRows.every((s) => s.pass)).toBe(true);
    expect(r.probes.filter((p) => p.kind === 'parameter').every((p) => p.pass)).toBe(true);
    // migrate passes outputNames (the layers' names, reg and cls): the candidate logs tfjs's keys.
    expect(Object.keys(r.epochRows[0].candidate).sort()).toEqual(Object.keys(r.epochRows[0].reference).sort());
    expect(r.epochRows[0].candidate.cls_loss).toBeCloseTo(r.epochRows[0].reference.cls_loss, 5);
    expect(r.notes.join('\n')).toMatch(/fit-output-losses/);
    expect(r.pass).toBe(true);
  }, 120_000);

  test("migrated on the fly with a model.evaluate of both outputs after the fit: tfjs's list compared value by value, each under what it is", async () => {
    const original = planted(MIO, "console.log('loss',", "console.log('eval', (model.evaluate([x1, x2], [y1, y2]) as tf.Scalar[]).map((t) => t.dataSync()[0]).join(' '));\nconsole.log('loss',");
    const r = await runDiff({ original, steps: 2, replay: 'step', reference: 'wasm', progress: false });
    expect(r.failures).toEqual([]);
    // tfjs's 4 values: the running totals (reg, then the total), then each output's loss.
    expect(r.final.map((f) => f.name)).toEqual(['evaluate loss_through_reg', 'evaluate loss', 'evaluate reg_loss', 'evaluate cls_loss']);
    expect(r.final.every((f) => f.pass)).toBe(true);
    const [through, total, reg, cls] = r.final.map((f) => f.reference);
    expect(through).toBeCloseTo(reg, 6);
    expect(total).toBeCloseTo(reg + cls, 5);
    expect(r.notes.join('\n')).not.toMatch(/not compared/);
    expect(r.pass).toBe(true);
  }, 120_000);

  test('planted: a weight of 0.5 on the second output\'s loss (tfjs has no loss weights) fails at step 0\'s loss', async () => {
    const migrated = planted(MIO_MIGRATED, 'loss: [mse, cce]', 'loss: [mse, (p: torch.Tensor, t: torch.Tensor) => cce(p, t).mul(0.5)]');
    const r = await runDiff({ original: MIO, migrated, steps: 3, replay: 'step', reference: 'wasm', progress: false });
    expect(r.pass).toBe(false);
    expect(r.firstDivergence).toMatchObject({ step: 0, kind: 'loss' });
    // The layers' forward is untouched: every output at step 0 holds; the cls head's gradient is what differs.
    expect(r.probes.filter((p) => p.step === 0 && p.kind === 'output').every((p) => p.pass)).toBe(true);
    expect(r.probes.find((p) => p.step === 0 && p.kind === 'gradient' && p.layer === 'cls' && p.tensor === 'kernel')!.pass).toBe(false);
    expect(r.probes.find((p) => p.step === 0 && p.kind === 'gradient' && p.layer === 'reg' && p.tensor === 'kernel')!.pass).toBe(true);
  }, 120_000);

  test("planted: the reg output's loss 0.02% off, which moves the total less than its rtol 1e-4, is reported naming the output", async () => {
    const migrated = planted(MIO_MIGRATED, 'loss: [mse, cce]', 'loss: [(p: torch.Tensor, t: torch.Tensor) => mse(p, t).mul(1.0002), cce]');
    const r = await runDiff({ original: MIO, migrated, steps: 3, replay: 'step', reference: 'wasm', progress: false });
    expect(r.pass).toBe(false);
    // The total (reg_loss + cls_loss, reg about 40% of it) holds at every step: only the per-output losses see it.
    expect(r.stepRows.every((s) => s.pass)).toBe(true);
    expect(r.firstDivergence).toMatchObject({ step: 0, kind: 'loss', layer: 'reg', tensor: 'loss' });
    const outputLoss = (layer: string) => r.probes.filter((p) => p.kind === 'loss' && p.layer === layer);
    expect(outputLoss('reg').map((p) => p.pass)).toEqual([false, false, false]);
    expect(outputLoss('cls').every((p) => p.pass)).toBe(true);
    expect(r.failures.join('\n')).toMatch(/output losses: reg_loss beyond rtol 0.0001 at 3 of 3 steps/);
    expect(r.failures.join('\n')).toMatch(/first divergence: step 0, the loss of output reg \(reg_loss\)/);
  }, 120_000);

  test('planted, --replay layer: the second input\'s branch with sigmoid for tanh is pinned to dense_Dense2 at step 0; the first branch and both heads (fed the reference\'s concatenation) hold', async () => {
    const migrated = planted(MIO_MIGRATED, 'const hb = torch.tanh(', 'const hb = torch.sigmoid(');
    const r = await runDiff({ original: MIO, migrated, steps: 3, replay: 'layer', reference: 'wasm', progress: false });
    expect(r.pass).toBe(false);
    expect(r.firstDivergence).toMatchObject({ step: 0, kind: 'output', layer: 'dense_Dense2', tensor: 'isolated' });
    expect(r.probes.filter((p) => p.layer === 'dense_Dense1' && p.kind === 'output').every((p) => p.pass)).toBe(true);
    const isolated = (layer: string) => r.probes.find((p) => p.step === 0 && p.kind === 'output' && p.layer === layer && p.tensor === 'isolated')!;
    expect(isolated('reg').pass).toBe(true);
    expect(isolated('cls').pass).toBe(true);
  }, 120_000);
});

describe('runDiff on model.fit with classWeight', () => {
  test('a correct migration (utils.fit classWeight, per-sample loss) agrees step by step', async () => {
    const r = await runDiff({ original: CW, migrated: CW_MIGRATED, replay: 'step', recordEvery: 1, reference: 'wasm', progress: false });
    expect(r.steps).toBe(6);
    expect(r.failures).toEqual([]);
    expect(r.stepRows.every((s) => s.pass)).toBe(true);
    const params = r.probes.filter((p) => p.kind === 'parameter');
    expect(params).toHaveLength(4 * 6);
    expect(params.every((p) => p.pass)).toBe(true);
    expect(r.pass).toBe(true);
  }, 120_000);

  test('migrated on the fly (migrate --fit helper: the per-sample loss inline) agrees step by step', async () => {
    const r = await runDiff({ original: CW, replay: 'step', reference: 'wasm', progress: false });
    expect(r.steps).toBe(6);
    expect(r.failures).toEqual([]);
    expect(r.pass).toBe(true);
  }, 120_000);

  test('planted: classWeight dropped fails at step 0\'s loss, and the report says the loss differs', async () => {
    const migrated = planted(CW_MIGRATED, ', classWeight: { 0: 1, 1: 3, 2: 0.5 } });', ' });');
    const r = await runDiff({ original: CW, migrated, steps: 3, replay: 'step', reference: 'wasm', progress: false });
    expect(r.pass).toBe(false);
    expect(r.firstDivergence).toMatchObject({ step: 0, kind: 'loss' });
    expect(r.failures.join('\n')).toMatch(/loss/);
  }, 120_000);

  test('planted: one class\'s weight migrated wrong (3 → 1) also fails at step 0', async () => {
    const migrated = planted(CW_MIGRATED, 'classWeight: { 0: 1, 1: 3, 2: 0.5 }', 'classWeight: { 0: 1, 1: 1, 2: 0.5 }');
    const r = await runDiff({ original: CW, migrated, steps: 2, replay: 'step', reference: 'wasm', progress: false });
    expect(r.pass).toBe(false);
    expect(r.firstDivergence).toMatchObject({ step: 0, kind: 'loss' });
  }, 120_000);
});
