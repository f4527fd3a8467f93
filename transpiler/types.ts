/** The transpiler's options, diagnostics and per-file results (the report is built from these). */
import type { Layout, Severity } from '../mappings/schema.js';
import type { RuntimeApi } from '../mappings/runtime_api.js';

export interface TranspileOptions {
  layout: Layout;
  api: RuntimeApi;
  /** Local modules that re-export TensorFlow.js (absolute path without extension → what they export). */
  reexports?: ReadonlyMap<string, ReexportInfo>;
  /**
   * Ask the TypeScript checker (with tfjs's types) about receivers data flow cannot resolve. Default true.
   * `'elsewhere'` (a project migration's worker threads): the checker lives in another thread, so a file that needs
   * it stops with TypesElsewhere (transpiler/oracle.ts) and is migrated there instead.
   */
  typeChecker?: boolean | 'elsewhere';
  /**
   * How model.fit/evaluate/predict are migrated: `loop` (default) writes the explicit PyTorch-style loop inline;
   * `helper` calls the runtime's utils.fit/evaluate/predict (the same loop as one function).
   */
  fit?: 'loop' | 'helper';
}

/** What a local module re-exports from TensorFlow.js. */
export interface ReexportInfo {
  /** `export * from '@tensorflow/tfjs'`: every tf name under its own name. */
  star: boolean;
  /** `export * as tf from ...` / `export { default as tf }`: names exported as the whole namespace. */
  namespaces: string[];
  /** `export { tensor2d as t2 } from ...`: exported name → tf name. */
  named: Record<string, string>;
  /** Exported names ('default' included) whose value is a tfjs model (`const model = tf.sequential()`). */
  models?: string[];
  /** Exported functions that return a tfjs model they build (`export function createModel() {...}`). */
  modelFactories?: string[];
}

/** One finding at one place: `file:line:col SEVERITY id message`. */
export interface Diagnostic {
  file: string;
  line: number;
  col: number;
  severity: Severity;
  /** A note id (mappings/notes.ts) or one of the engine's own: syntax-error, unreadable, binary, too-large, internal-error. */
  id: string;
  message: string;
  /** The TF API this is about (row key), when there is one. */
  key?: string;
}

export type SiteOutcome = 'rewritten' | 'todo';

export interface SiteRecord {
  key: string;
  line: number;
  col: number;
  outcome: SiteOutcome;
  /** How the receiver's type was found, for method sites. */
  via?: 'types' | 'dataflow';
}

export type FileStatus =
  /** Every TF use rewritten. */
  | 'migrated'
  /** Rewritten, with TODO markers left for a human. */
  | 'partial'
  /** No TensorFlow.js use found; output = input. */
  | 'unchanged'
  /** Could not be migrated (syntax error, unreadable, binary, too large, internal error); output = input. */
  | 'failed';

export interface FileResult {
  file: string;
  status: FileStatus;
  /** The migrated text (absent when the file could not be read as text). */
  output?: string;
  changed: boolean;
  sites: SiteRecord[];
  diagnostics: Diagnostic[];
  /** TF names left as TODO (the report's "uncovered" list). */
  uncovered: string[];
  /** Facts the differential tester needs to line tfjs weights up with the runtime's (layout conversions). */
  layoutFacts: LayoutFact[];
  /** The file still imports TensorFlow.js (TODO sites use it). */
  keepsTfImport: boolean;
  lines: number;
}

export interface LayoutFact {
  model: string;
  kind: 'input-permute' | 'flatten-order' | 'dense-kernel-transpose' | 'conv-kernel-permute';
  detail: string;
}
