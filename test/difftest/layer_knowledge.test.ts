/**
 * The diff's layer pairing (difftest/program/layer_map.ts) must expect what the migration writes: its activation
 * modules derive from the table the layer transformers emit from, and every module class it pairs a tfjs layer
 * with is one the runtime exports and the layer's mapping row names. A class the runtime does not have (the
 * AdaptiveMaxPool2d once paired with GlobalMaxPooling2D, which migrates to an op) fails here.
 */
import { describe, expect, it } from 'vitest';
import { nn } from '../../runtime/index.js';
import { TABLE } from '../../mappings/index.js';
import { ACTIVATIONS } from '../../mappings/compile.js';
import { ACTIVATION_MODULES, CHANNELS_FIRST_MODULES, MODULE_TYPES } from '../../difftest/program/layer_map.js';

const exported = (cls: string) => typeof (nn as unknown as Record<string, unknown>)[cls] === 'function';
const layerRow = (className: string) => TABLE.find((r) => r.tf.startsWith('tf.layers.') && r.tf.slice('tf.layers.'.length).toLowerCase() === className.toLowerCase());
const targetText = (t: unknown) => (Array.isArray(t) ? t : [t]).map((x) => (typeof x === 'string' ? x : (x as { code: string }).code)).join(' ');

describe('layer knowledge in the diff agrees with the mapping rows and the runtime', () => {
  it.each(Object.entries(MODULE_TYPES))('%s → %s: the row names it, nn exports it', (className, classes) => {
    const row = layerRow(className);
    expect(row, `no tf.layers row for ${className}`).toBeDefined();
    for (const cls of classes) {
      expect(exported(cls), `nn.${cls} is not exported by the runtime`).toBe(true);
      expect(targetText(row!.target), `tf.layers row for ${className} does not say it becomes nn.${cls}`).toContain(`nn.${cls}(`);
    }
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
