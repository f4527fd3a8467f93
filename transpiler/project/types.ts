/** What a whole-project migration is asked to do and what it reports back (transpiler/project/migrate_project.ts). */
import type { Report } from '../report.js';

export interface ProjectOptions {
  /** Files, folders or tsconfig.json projects. */
  paths: string[];
  /** Where migrated files go (default `<first input>-migrated`); other files are copied; the inputs are never touched. */
  outDir?: string;
  /** Rewrite the inputs themselves (refused on a dirty git tree unless `force`). */
  inPlace: boolean;
  force: boolean;
  /** Write nothing; the result's `diff` holds the unified diff. */
  dryRun: boolean;
  /** Also write the report to this file (.json or .md). */
  report?: string;
  /** Worker threads (default: up to 4). */
  jobs?: number;
  keepLayout: boolean;
  /** How model.fit/evaluate/predict are migrated (default loop). */
  fit?: 'loop' | 'helper';
  typeChecker: boolean;
  /**
   * Also write, for each migrated Python file, the equivalent TensorFlow.js program `<name>.tfjs.mjs` beside
   * `<name>.ts` (transpiler/python/emit_tfjs.ts): the reference `torchbridge diff` compares the migrated file with.
   */
  emitTfjs?: boolean;
  /** Source files larger than this many bytes are not migrated (a per-file failure). */
  maxSize: number;
  /** Called as each source file's migration finishes (the CLI's progress bar); `rel` is relative to the inputs' root. */
  onFileDone?: (done: number, total: number, rel: string) => void;
}

/** A tfjs program written for a Python input (emitTfjs). */
export interface TfjsOutput {
  /** Absolute paths (output: null with dryRun, or when no program was written). */
  input: string;
  output: string | null;
  status: 'migrated' | 'partial' | 'failed' | 'unchanged';
  /** TODO markers and errors in it, `file:line:col id message`. */
  diagnostics: string[];
}

/** A package.json whose TensorFlow.js dependencies were rewritten. */
export interface PackageRewrite {
  /** Relative to the inputs' root. */
  file: string;
  /** The @tensorflow/* dependencies dropped. */
  removed: string[];
  /** tfjs was kept because migrated files still import it (TODO sites use it). */
  keptTf: boolean;
}

/** Where one input went: written migrated, or copied unchanged (absolute paths). */
export interface ProjectOutput {
  input: string;
  output: string;
  copied: boolean;
}

/** What a project migration did; nothing in it is printed. */
export interface ProjectResult {
  /** 0 everything migrated; 1 TODO markers or failed files remain. */
  code: 0 | 1;
  /**
   * Per file (`files[].status`, `files[].sites.{found,rewritten,todo}`, `files[].diagnostics` as objects
   * {file, line, column, severity, code, tfjs, message}) and totals: what `report` writes as JSON.
   */
  report: Report;
  /** The inputs' common root (the files' `rel` paths and the output layout are relative to it). */
  root: string;
  /** The output folder (null with inPlace or dryRun). */
  outDir: string | null;
  /** Every file written or copied. */
  outputs: ProjectOutput[];
  /** Files written (migrated, or rewritten in place) and copied unchanged. */
  written: number;
  copied: number;
  /** With dryRun: the unified diff of every change ('' when nothing would change). */
  diff: string;
  /** package.json files whose dependencies were rewritten. */
  packages: PackageRewrite[];
  /** Where the report file was written (absolute), when one was asked for. */
  reportPath: string | null;
  /** With emitTfjs: the tfjs programs, one per Python input that uses TensorFlow. */
  tfjs: TfjsOutput[];
}
