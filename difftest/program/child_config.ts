/**
 * What the runner tells each child process (the instrumented original or migrated program), through one
 * environment variable holding JSON: its role, where to write its trace, where the reference's trace is, and the
 * run's settings. An env variable rather than argv because the programs parse their own argv (if any), and it
 * survives tsx's and Node's loaders untouched.
 */
import type { ReferenceBackend, ReplayMode } from './types.js';

export const CHILD_CONFIG_ENV = 'TORCHBRIDGE_DIFF_CHILD';

export interface ChildConfig {
  role: 'reference' | 'candidate';
  /** Where this child writes its trace (index.json + tensors.bin). */
  traceDir: string;
  /** The candidate reads the reference's trace from here. */
  referenceTraceDir?: string;
  backend: ReferenceBackend;
  device: 'cpu' | 'webgpu';
  replay: ReplayMode;
  steps?: number;
  epochs?: number;
  record: { outputs: boolean; gradients: boolean; parameters: boolean };
  /** Layer outputs, gradients and (unless replay needs them every step) parameters are recorded every k-th step. */
  recordEvery: number;
  seed: number;
  /** The migrated model's layout between layers (layer_map.ts): NCHW, or NHWC kept (--keep-layout). */
  candidateLayout?: 'nchw' | 'keep';
  progress: boolean;
  /** The program trains with a custom loop (instrument.ts): the loop probes hook its optimizer (set by child.ts). */
  customLoop?: boolean;
  /** Plain run (overhead benchmark): run fit/evaluate as the program would, record nothing but timings. */
  plain?: boolean;
  /** `--trace ops`: record every op's output during this training step (op_trace_log.ts; custom loops and model.fit). */
  traceOps?: { step: number };
}

/** The config of this child, or an error saying the probe module was loaded outside `torchbridge diff`. */
export function readChildConfig(role: ChildConfig['role']): ChildConfig {
  const raw = process.env[CHILD_CONFIG_ENV];
  if (!raw) throw new Error(`difftest probe (${role}): ${CHILD_CONFIG_ENV} is not set; this module is inserted by \`torchbridge diff\` and runs only under it`);
  const cfg = JSON.parse(raw) as ChildConfig;
  if (cfg.role !== role) throw new Error(`difftest probe: this child is the ${cfg.role} but loaded the ${role}'s probe module`);
  return cfg;
}

/** Whether step `step` records layer outputs and gradients (and parameters, when replay does not need them all). */
export const recordsAt = (cfg: ChildConfig, step: number): boolean => !cfg.plain && step % Math.max(1, cfg.recordEvery) === 0;

/** Parameters after a step are needed at every step when the candidate re-synchronises to them. */
export const recordsParametersAt = (cfg: ChildConfig, step: number): boolean =>
  !cfg.plain && (cfg.replay !== 'none' || (cfg.record.parameters && recordsAt(cfg, step)));

/** A small seeded generator (mulberry32): the reference's batch order comes from it, so a seed reproduces a run. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A Fisher–Yates permutation of 0..n-1. */
export function permutation(n: number, random: () => number): Int32Array {
  const p = new Int32Array(n);
  for (let i = 0; i < n; i++) p[i] = i;
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    const t = p[i];
    p[i] = p[j];
    p[j] = t;
  }
  return p;
}
