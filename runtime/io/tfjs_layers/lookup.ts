/** Finding a layer's weights in the manifest, and naming a layer's module. */
import type { DecodedWeight } from './artifacts.js';

/** Finds `<layer>/<suffix>`; models converted from Keras may prefix the name with scopes or suffix it with ':0'. */
export function weightLookup(weights: Map<string, DecodedWeight>, source: string) {
  return (layer: string, className: string, suffix: string): DecodedWeight => {
    const exact = weights.get(`${layer}/${suffix}`);
    if (exact) return exact;
    for (const [name, w] of weights) {
      const bare = name.replace(/:\d+$/, '');
      if (bare === `${layer}/${suffix}` || bare.endsWith(`/${layer}/${suffix}`)) return w;
    }
    const own = [...weights.keys()].filter((n) => n.includes(`${layer}/`));
    throw new Error(`loadLayersModel: layer '${layer}' (${className}) needs weight '${layer}/${suffix}' but the weightsManifest of ${source} has ${own.length ? own.map((n) => `'${n}'`).join(', ') : 'no weights for it'}; the manifest does not match the topology (re-save the model)`);
  };
}

/** A child name from a tfjs layer name (module names cannot hold '.'), unique within the container. */
export function childName(base: string, taken: Set<string>): string {
  const clean = base.replace(/[^A-Za-z0-9_]/g, '_') || 'layer';
  let name = clean;
  for (let i = 1; taken.has(name); i++) name = `${clean}_${i}`;
  taken.add(name);
  return name;
}
