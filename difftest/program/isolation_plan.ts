/**
 * `--replay layer` on a graph-mapped model (graph_map.ts): which module is fed which reference activation, so each
 * layer's output in the extra, isolated forward depends on the candidate's own code for that layer only.
 *
 * In a chain (layer_map.ts) each group's first module is given the previous group's reference output. In a graph
 * the input of a layer's module is the output of the layer feeding it (its inbound layer), whatever the order the
 * forward runs in: so the module of a layer with one inbound layer is fed that layer's reference output. What the
 * migrated forward computes between modules (activations written as ops, `torch.cat` for a Concatenate) still runs
 * as the candidate's own code, on module outputs that were fed the reference's values, and the layer outputs are
 * read where the training pass reads them (its consumer's own input, a slice of a concatenation, the model's
 * output): a difference there is in the ops of that layer, or of the first layer (in the reference's topological
 * order) whose isolated output differs.
 *
 * Not fed (their modules see the candidate's own values, and a note says so): a layer applied more than once (a
 * shared layer's module is one module for every call, and the reference records only its first call's output), a
 * module fed by a merge of several layers (no module takes several inputs), and the model's inputs (the same data on
 * both sides).
 */
import { CHANNELS_FIRST_MODULES } from './layer_map.js';
import type { ActivationLayout } from './layout.js';
import type { LayerMapping, ReferenceLayer } from './trace_meta.js';

export interface IsolationFeed {
  /** The candidate module (namedModules name) whose input is replaced. */
  module: string;
  /** The reference layer whose recorded output replaces it. */
  from: string;
  /** How that output is laid out for the module (NHWC → NCHW into a channels-first module). */
  layout: ActivationLayout;
}

export interface IsolationPlan {
  feeds: IsolationFeed[];
  /** Layers whose module keeps the candidate's own input, and why. */
  notFed: string[];
}

/** The feeds for a graph mapping; `moduleType` gives a candidate module's runtime class (e.g. 'Conv2d'). */
export function graphIsolationPlan(mapping: readonly LayerMapping[], reference: readonly ReferenceLayer[], moduleType: (name: string) => string): IsolationPlan {
  const byName = new Map(reference.map((l) => [l.name, l]));
  const feeds: IsolationFeed[] = [];
  const notFed: string[] = [];
  for (const m of mapping) {
    const module = m.modules[0];
    const layer = byName.get(m.layer);
    if (!module || !layer) continue;
    const nodes = layer.inbound ?? [];
    if (nodes.length !== 1) {
      notFed.push(`${m.layer} (applied ${nodes.length} times: its module runs on its own inputs)`);
      continue;
    }
    const from = nodes[0];
    if (from.length !== 1) {
      notFed.push(`${m.layer} (fed by ${from.length} layers)`);
      continue;
    }
    const src = byName.get(from[0]);
    if (!src || src.className === 'InputLayer') continue;
    const channelsFirst = CHANNELS_FIRST_MODULES.has(moduleType(module)) && src.outputShape.length === 3 && src.dataFormat !== 'channelsFirst';
    feeds.push({ module, from: src.name, layout: channelsFirst ? { kind: 'nhwc-to-nchw' } : { kind: 'same' } });
  }
  return { feeds, notFed };
}
