/**
 * `torchbridge check`'s config file (default `torchbridge.check.json`): which programs to migrate and diff, how long,
 * how close, which TODO markers are accepted, where the reports go. Validated in full before anything runs; every
 * error names the file, the key (as a JSON path) and what is expected there.
 *
 *   {
 *     "entries": [{ "original": "src/train.ts", "steps": 50, "replay": "step", "reference": "wasm" }],
 *     "tolerances": { "lossRtol": 1e-4, "metricPoints": 0.3 },
 *     "allowedTodos": ["tf.unique"],
 *     "reports": { "junit": "reports/junit.xml", "html": "reports/diff.html" }
 *   }
 *
 * Paths are relative to the config file's folder.
 */
import { existsSync, readFileSync } from 'node:fs';
import { basename, dirname, extname, relative, resolve } from 'node:path';
import type { ReferenceBackend, ReplayMode } from '../program/types.js';

export const DEFAULT_CONFIG = 'torchbridge.check.json';

export interface Tolerances {
  lossRtol?: number;
  lossAtol?: number;
  metricPoints?: number;
}

export interface CheckEntry {
  /** Unique, file-name safe; from the config or derived from the original's file name. */
  name: string;
  /** Absolute path of the TensorFlow.js entry file. */
  original: string;
  /** Absolute path of a committed migrated program; absent: `check` migrates `original` itself. */
  migrated?: string;
  steps?: number;
  epochs?: number;
  replay?: ReplayMode;
  reference?: ReferenceBackend;
  device?: 'cpu' | 'webgpu';
  seed?: number;
  /** Migrate with `--keep-layout` (NHWC between layers). */
  keepLayout: boolean;
  /** The config's tolerances with this entry's own on top. */
  tolerances: Tolerances;
}

export interface CheckConfig {
  /** Absolute path of the config file. */
  file: string;
  entries: CheckEntry[];
  tolerances: Tolerances;
  /** TODO markers accepted: a note id (`no-equivalent`) or a TensorFlow name (`tf.unique`). */
  allowedTodos: string[];
  /** Absolute report paths (with several entries, the per-entry formats get the entry's name before the extension). */
  reports: { json?: string; markdown?: string; html?: string; junit?: string };
  /** Where migrated copies, traces and work files go (default `.torchbridge/check` beside the config). */
  workDir: string;
}

/** A config problem: the message names the file, the key and what is expected. */
export class ConfigError extends Error {}

const REPLAYS: readonly ReplayMode[] = ['none', 'step', 'layer'];
const REFERENCES: readonly ReferenceBackend[] = ['cpu', 'wasm', 'node', 'node-gpu'];
const DEVICES = ['cpu', 'webgpu'] as const;

type Json = unknown;
const kind = (v: Json) => (v === null ? 'null' : Array.isArray(v) ? 'an array' : typeof v === 'object' ? 'an object' : `${typeof v} ${JSON.stringify(v)}`);

/** Collects every problem (not just the first), so one run of `check` shows them all. */
class Validator {
  readonly problems: string[] = [];
  constructor(readonly file: string) {}

  fail(key: string, expected: string, got: Json): void {
    this.problems.push(`${key}: expected ${expected}, got ${kind(got)}`);
  }

  object(v: Json, key: string, known: readonly string[]): Record<string, Json> | null {
    if (v === null || typeof v !== 'object' || Array.isArray(v)) {
      this.fail(key, 'an object', v);
      return null;
    }
    for (const k of Object.keys(v)) {
      if (!known.includes(k)) this.problems.push(`${key}.${k}: unknown key (known: ${known.join(', ')})`);
    }
    return v as Record<string, Json>;
  }

  string(v: Json, key: string, required = false): string | undefined {
    if (v === undefined && !required) return undefined;
    if (typeof v !== 'string' || !v.trim()) {
      this.fail(key, 'a non-empty string', v);
      return undefined;
    }
    return v;
  }

  number(v: Json, key: string, what: 'positive integer' | 'non-negative number' | 'integer'): number | undefined {
    if (v === undefined) return undefined;
    const ok = typeof v === 'number' && Number.isFinite(v)
      && (what === 'positive integer' ? Number.isInteger(v) && v > 0 : what === 'integer' ? Number.isInteger(v) : v >= 0);
    if (!ok) {
      this.fail(key, `a ${what}`, v);
      return undefined;
    }
    return v as number;
  }

  oneOf<T extends string>(v: Json, key: string, choices: readonly T[]): T | undefined {
    if (v === undefined) return undefined;
    if (typeof v !== 'string' || !choices.includes(v as T)) {
      this.fail(key, `one of ${choices.map((c) => `"${c}"`).join(', ')}`, v);
      return undefined;
    }
    return v as T;
  }

  boolean(v: Json, key: string): boolean | undefined {
    if (v === undefined) return undefined;
    if (typeof v !== 'boolean') {
      this.fail(key, 'true or false', v);
      return undefined;
    }
    return v;
  }

  tolerances(v: Json, key: string): Tolerances {
    if (v === undefined) return {};
    const o = this.object(v, key, ['lossRtol', 'lossAtol', 'metricPoints']);
    if (!o) return {};
    const t: Tolerances = {};
    for (const k of ['lossRtol', 'lossAtol', 'metricPoints'] as const) {
      const n = this.number(o[k], `${key}.${k}`, 'non-negative number');
      if (n !== undefined) t[k] = n;
    }
    return t;
  }
}

/** A file-name safe name: the original's base name without extension, lower-case, [a-z0-9._-] only. */
const safeName = (s: string) => s.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^-+|-+$/g, '') || 'entry';

/** Validates parsed JSON as a check config; `file` is where it came from (paths resolve against its folder). */
export function parseCheckConfig(json: Json, file: string): CheckConfig {
  const v = new Validator(file);
  const root = resolve(dirname(file));
  const path = (p: string | undefined) => (p === undefined ? undefined : resolve(root, p));
  const top = v.object(json, '$', ['entries', 'tolerances', 'allowedTodos', 'reports', 'workDir']);
  const tolerances = top ? v.tolerances(top.tolerances, '$.tolerances') : {};
  const entries: CheckEntry[] = [];
  if (top) {
    if (!Array.isArray(top.entries) || top.entries.length === 0) v.fail('$.entries', 'a non-empty array of entries ({ "original": "src/train.ts", ... })', top.entries);
    else {
      top.entries.forEach((raw, i) => {
        const key = `$.entries[${i}]`;
        const e = v.object(raw, key, ['name', 'original', 'migrated', 'steps', 'epochs', 'replay', 'reference', 'device', 'seed', 'keepLayout', 'tolerances']);
        if (!e) return;
        const original = v.string(e.original, `${key}.original`, true);
        const migrated = v.string(e.migrated, `${key}.migrated`);
        const name = v.string(e.name, `${key}.name`);
        if (original && !existsSync(resolve(root, original))) v.problems.push(`${key}.original: ${original} does not exist (paths are relative to ${relative(process.cwd(), root) || '.'})`);
        if (migrated && !existsSync(resolve(root, migrated))) v.problems.push(`${key}.migrated: ${migrated} does not exist (leave "migrated" out to let check migrate the original)`);
        entries.push({
          name: safeName(name ?? (original ? basename(original, extname(original)) : `entry-${i}`)),
          original: path(original) ?? '',
          migrated: path(migrated),
          steps: v.number(e.steps, `${key}.steps`, 'positive integer'),
          epochs: v.number(e.epochs, `${key}.epochs`, 'positive integer'),
          replay: v.oneOf(e.replay, `${key}.replay`, REPLAYS),
          reference: v.oneOf(e.reference, `${key}.reference`, REFERENCES),
          device: v.oneOf(e.device, `${key}.device`, DEVICES),
          seed: v.number(e.seed, `${key}.seed`, 'integer'),
          keepLayout: v.boolean(e.keepLayout, `${key}.keepLayout`) ?? false,
          tolerances: { ...tolerances, ...v.tolerances(e.tolerances, `${key}.tolerances`) },
        });
      });
      // Names key the work folders and per-entry reports: two entries must not share one.
      const seen = new Map<string, number>();
      entries.forEach((e, i) => {
        const j = seen.get(e.name);
        if (j !== undefined) v.problems.push(`$.entries[${i}].name: "${e.name}" is also entry ${j}'s name; give one of them a "name"`);
        seen.set(e.name, i);
      });
    }
  }
  let allowedTodos: string[] = [];
  if (top?.allowedTodos !== undefined) {
    if (!Array.isArray(top.allowedTodos) || !top.allowedTodos.every((t) => typeof t === 'string' && t.trim())) {
      v.fail('$.allowedTodos', 'an array of TODO ids or TensorFlow names (e.g. ["tf.unique", "no-equivalent"])', top.allowedTodos);
    } else allowedTodos = top.allowedTodos as string[];
  }
  const reports: CheckConfig['reports'] = {};
  if (top?.reports !== undefined) {
    const r = v.object(top.reports, '$.reports', ['json', 'markdown', 'html', 'junit']);
    if (r) for (const k of ['json', 'markdown', 'html', 'junit'] as const) reports[k] = path(v.string(r[k], `$.reports.${k}`));
  }
  const workDir = path(top ? v.string(top.workDir, '$.workDir') : undefined) ?? resolve(root, '.torchbridge', 'check');
  if (v.problems.length) {
    throw new ConfigError(`${relative(process.cwd(), file) || file}: invalid check config:\n${v.problems.map((p) => `  ${p}`).join('\n')}`);
  }
  return { file: resolve(file), entries, tolerances, allowedTodos, reports, workDir };
}

/** Reads and validates a config file. */
export function loadCheckConfig(file: string): CheckConfig {
  const abs = resolve(file);
  let text: string;
  try {
    text = readFileSync(abs, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new ConfigError(code === 'ENOENT'
      ? `${file}: no such file. Write a check config there (see README: torchbridge check) or pass --config <file>`
      : `${file}: cannot read the check config: ${(e as Error).message}`);
  }
  let json: Json;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new ConfigError(`${file}: not valid JSON: ${(e as Error).message}`);
  }
  return parseCheckConfig(json, abs);
}
