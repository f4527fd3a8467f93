/**
 * The diff's layer pairing (difftest/program/layer_map.ts) must expect what the migration writes: its activation
 * modules derive from the table the layer transformers emit from, its module and weight tables from the layer
 * rows' `diff` pairings, and every module class a row pairs is one the runtime exports and the row's target names. A class the runtime does not have (the
 * AdaptiveMaxPool2d once paired with GlobalMaxPooling2D, which migrates to an op) fails here.
 */
import { describe, expect, it } from 'vitest';
import { nn } from '../../runtime/index.js';
import { TABLE } from '../../mappings/index.js';
import { ACTIVATIONS } from '../../mappings/compile.js';
import { ACTIVATION_MODULES, CHANNELS_FIRST_MODULES, MODULE_TYPES, WEIGHT_NAMES } from '../../difftest/program/layer_map.js';

const exported = (cls: string) => typeof (nn as unknown as Record<string, unknown>)[cls] === 'function';
const targetText = (t: unknown) => (Array.isArray(t) ? t : [t]).map((x) => (typeof x === 'string' ? x : (x as { code: string }).code)).join(' ');
const paired = TABLE.filter((r) => r.diff);

describe('layer knowledge in the diff agrees with the mapping rows and the runtime', () => {
  it.each(paired.map((r) => [r.tf, r] as const))('%s: the row names the modules it pairs, nn exports them', (_tf, row) => {
    for (const cls of [...row.diff!.modules, ...(row.diff!.then ?? [])]) {
      expect(exported(cls), `nn.${cls} is not exported by the runtime`).toBe(true);
      expect(targetText(row.target), `${row.tf} does not say it becomes nn.${cls}`).toContain(`nn.${cls}(`);
    }
    // A layer paired with no module migrates to an op: the row must say the diff reads it as one.
    if (!row.diff!.modules.length) expect(row.diff!.op, `${row.tf} pairs no module but is not marked op`).toBe(true);
  });

  it("the diff's tables are the rows' pairings; alias rows (maxPool2d, maxPooling2d) agree", () => {
    for (const row of paired) {
      const d = row.diff!;
      expect(MODULE_TYPES[d.className], row.tf).toEqual(d.modules);
      expect(WEIGHT_NAMES[d.className], row.tf).toEqual(d.weights);
    }
    expect(Object.keys(MODULE_TYPES).sort()).toEqual([...new Set(paired.map((r) => r.diff!.className))].sort());
    expect(MODULE_TYPES.Dense).toEqual(['Linear']);
    expect(WEIGHT_NAMES.BatchNormalization.moving_variance).toBe('running_var');
    // GRU pairs with its gates reordered (layout.ts gru-kernel).
    expect(MODULE_TYPES.GRU).toEqual(['GRU']);
  });

  it('activation modules: one per activation the transformers know, each exported', () => {
    expect(Object.keys(ACTIVATION_MODULES).sort()).toEqual(Object.keys(ACTIVATIONS).sort());
    for (const [name, cls] of Object.entries(ACTIVATION_MODULES)) if (cls) expect(exported(cls), `${name}: nn.${cls}`).toBe(true);
    // An activation the migration writes as an op (hardSigmoid) has no module to pair.
    expect(ACTIVATION_MODULES.hardSigmoid).toBeNull();
    expect(ACTIVATION_MODULES.relu).toBe('ReLU');
  });

  it('channels-first modules are runtime classes', () => {
    for (const cls of CHANNELS_FIRST_MODULES) expect(exported(cls), `nn.${cls}`).toBe(true);
  });
});
