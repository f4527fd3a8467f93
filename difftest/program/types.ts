/**
 * The program-level diff's contract: what `runDiff` takes and the report it returns. The runner
 * (difftest/program/run.ts), the reports (difftest/report/*) and the `diff` / `check` / `demo` commands all speak
 * this one shape; the JSON report is this object as written by `JSON.stringify`.
 */
import type { ErrorMetrics } from '../compare.js';

/** The TensorFlow.js backend the original program runs on. `node`/`node-gpu` need tfjs-node(-gpu) installed. */
export type ReferenceBackend = 'cpu' | 'wasm' | 'node' | 'node-gpu';

/**
 * How the candidate is kept in step with the reference:
 * - `none`: same initial weights and batch order, then free-running (errors accumulate, as in real use);
 * - `step`: before every step the candidate's parameters (and optimizer state) are reset to the reference's, so each
 *   step's difference is that step's alone;
 * - `layer`: as `step`, and every layer is fed the reference's input to that layer, so each difference is pinned to
 *   one layer.
 */
export type ReplayMode = 'none' | 'step' | 'layer';

export interface DiffOptions {
  /** The TensorFlow.js program (entry file). */
  original: string;
  /** The migrated program; when absent, `original` is migrated on the fly into a temporary folder. */
  migrated?: string;
  /** Train for at most this many steps (batches) in all; with `epochs` whichever ends first. */
  steps?: number;
  /** Epochs to train (overrides the program's own `epochs` where the probe can see it). */
  epochs?: number;
  reference?: ReferenceBackend;
  /** The candidate's device. */
  device?: 'cpu' | 'webgpu';
  replay?: ReplayMode;
  /** What is recorded beyond the loss: layer outputs, gradients, parameters after each step (default: all). */
  record?: { outputs?: boolean; gradients?: boolean; parameters?: boolean };
  /** Relative tolerance of the per-step loss (default 1e-4) and of final metrics in points (default 0.3). */
  tolerances?: { lossRtol?: number; lossAtol?: number; metricPoints?: number };
  /**
   * Folder for traces (kept after the run, with the on-the-fly migrated copy). Default: a fresh temporary folder,
   * removed after the run with the migrated copy.
   */
  workDir?: string;
  /** Progress bars on stderr while the programs train (default: when stderr is a TTY). */
  progress?: boolean;
  /**
   * The migrated program was (or, migrated on the fly, is to be) migrated with --keep-layout (NHWC between layers, permutes around each convolution)
   * rather than NCHW after one permute at the model input. The layer mapping follows what is stated here, since
   * shapes alone cannot tell NHWC from NCHW when h = w = c. When `migrated` is absent, the on-the-fly migration uses it.
   */
  keepLayout?: boolean;
  /** Seed shared by both sides for shuffling and dropout masks where they can be shared. */
  seed?: number;
  /**
   * Record layer outputs and gradients (and, without replay, parameters) every k-th step only (default: 1 when
   * `steps` ≤ 200, else 10). Losses are recorded at every step; under replay the reference's parameters too.
   */
  recordEvery?: number;
  /**
   * Wall-clock limit of the whole diff's programs, in seconds: a child still running when it is spent is stopped and
   * the diff fails with a ChildFailedError (timedOut) naming that side. Default: none.
   */
  timeoutSeconds?: number;
  /** Also run both programs plainly (no probes) to measure the recording overhead (timings.*PlainSeconds). */
  measurePlain?: boolean;
  /**
   * `ops`: also record every op's output during one training step on both sides and pair them (op_alignment.ts), so
   * the report names the first op whose output diverges and its line in the migrated program (custom loops).
   */
  trace?: 'ops';
  /** The training step `trace` records (default 0, the first). */
  traceStep?: number;
}

/** One step's loss, side by side (the terminal table's row: step, loss tfjs, loss torchbridge, |Δ|, rel, verdict). */
export interface StepRow {
  /** Global step, from 0. */
  step: number;
  epoch: number;
  /** Batch index within the epoch. */
  batch: number;
  lossReference: number;
  lossCandidate: number;
  absDiff: number;
  relDiff: number;
  pass: boolean;
}

/** What a probe observed. */
export type ProbeKind = 'output' | 'gradient' | 'parameter' | 'loss' | 'metric';

/** One probe compared at one step. */
export interface ProbeResult {
  step: number;
  kind: ProbeKind;
  /** The layer in the reference's naming (tfjs layer name, e.g. `dense_Dense1`), or '' for program-wide values. */
  layer: string;
  /** The candidate's name for the same thing (e.g. `0.weight`), after layout conversion. */
  candidateName: string;
  /** The tensor within the layer: `output`, `kernel`, `bias`, ... */
  tensor: string;
  shape: number[];
  metrics: ErrorMetrics | null;
  pass: boolean;
  /** assert_close-style message when it failed. */
  message: string | null;
  /**
   * Parameter probes only: elements that mismatched but were set aside because their gradient at that step is
   * within float32 noise of zero on both sides, or whose update differs no more than its gradient does
   * (difftest/program/gradient_noise.ts); `metrics` and `pass` judge
   * the rest. Absent when none were.
   */
  noiseSetAside?: number;
}

/** Per layer, over all steps: how much error it introduces (CRADLE: R = (δ_L − δ_in) / (δ_in + 1e-7)). */
export interface LayerSummary {
  layer: string;
  /** The layer's class on each side, e.g. `Dense` → `Linear`. */
  referenceType: string;
  candidateType: string;
  /** Max over steps of the relative L2 error of the layer's output (δ_L). */
  maxOutputError: number;
  /** Mean over steps of the error introduction rate R. */
  meanIntroductionRate: number;
  maxIntroductionRate: number;
  /** The step with the largest R. */
  worstStep: number;
  pass: boolean;
}

/** Epoch-end figures on both sides (train loss/accuracy and, where the program has them, validation/test ones). */
export interface EpochRow {
  epoch: number;
  reference: Record<string, number>;
  candidate: Record<string, number>;
}

/** The first probe beyond tolerance, in step order then layer order (forward outputs before gradients). */
export interface Divergence {
  step: number;
  kind: ProbeKind;
  layer: string;
  tensor: string;
  message: string;
  /** A custom loop's variable (compare_loop.ts): its index in creation order, tfjs's name and the program's. */
  variable?: { index: number; name: string; label?: string };
}

/** One op of the op-level trace, as reported: a tfjs kernel or a runtime op, its output shape and its program line. */
export interface TracedOpRef {
  /** Position in its side's trace of the step. */
  index: number;
  kind: string;
  shape: number[];
  /** `file:line` in the side's program (relative to the working directory), when it was on the stack. */
  at?: string;  /** The innermost module whose forward ran it (`Tanh`), when a module between it and the program's line did. */
  module?: string;
}

/** `--trace ops` (op_trace_report.ts): one step's ops on both sides, paired, and where they first diverge. */
export interface OpTraceReport {
  step: number;
  referenceOps: number;
  candidateOps: number;
  /** Pairs found (op_alignment.ts) and, of them, those whose outputs agree. */
  paired: number;
  agreeing: number;
  /** Pairs of one kind and shape with different values that the dataflow did not back (left unpaired). */
  dropped: number;
  /** Why the result may be wrong or incomplete (few ops paired, a trace cut short, a banded alignment, pairs not judged), or null. */
  unsure: string | null;
  firstDivergence: null | {
    /** Forward ops agreed when this is `backward`: a gradient computed differently (paired with less trust). */
    phase: 'forward' | 'backward';
    reference: TracedOpRef;
    candidate: TracedOpRef;
    maxAbsError: number;
    maxRelError: number;
    relativeL2: number;
    /** assert_close's message, or how the summaries differ when the outputs were too large to record. */
    message: string;
    /**
     * `op`: its inputs agree and it differs; `gap`: ops only one side has come before it; `input`: tensors no op made
     * differ; `no-gradient`: the values agree, but the original differentiates this output with respect to trained
     * variables the migrated program's does not reach (its gradient stops at `likely`; `referenceGap` lists them).
     */
    cause: 'op' | 'gap' | 'input' | 'no-gradient';
    /** The unpaired ops (or Inputs) on each side between it and the agreeing pairs it descends from. */
    candidateGap: TracedOpRef[];
    referenceGap: TracedOpRef[];
    /** The migrated program's op most likely at fault: the last op of the candidate's gap, else the diverging op. */
    likely: TracedOpRef;
  };
  /** One line saying what was found, for the text reports. */
  summary: string;
}

export interface DiffReport {
  version: 1;
  original: string;
  migrated: string;
  reference: {
    backend: ReferenceBackend;
    /** What had to fall back and why, e.g. `Conv2DBackpropFilter: not on wasm, ran on cpu`. Empty when nothing did. */
    fallbacks: string[];
    /** tfjs version used. */
    version: string;
    /** The @tensorflow/tfjs package folder used: the program's own copy when its project has one. */
    path?: string;
  };
  /** `path`: the torchbridge package whose runtime the migrated program ran on. */
  candidate: { device: 'cpu' | 'webgpu'; version: string; path?: string };
  replay: ReplayMode;
  steps: number;
  epochs: number;
  tolerances: { lossRtol: number; lossAtol: number; metricPoints: number };
  /** Semantic differences the migration made explicit (from the mapping notes), e.g. Adam epsilon 1e-7 vs 1e-8. */
  notes: string[];
  stepRows: StepRow[];
  probes: ProbeResult[];
  layers: LayerSummary[];
  epochRows: EpochRow[];
  /** Final metrics (e.g. test accuracy) on both sides, in points for accuracies. */
  final: { name: string; reference: number; candidate: number; diff: number; pass: boolean }[];
  firstDivergence: Divergence | null;
  pass: boolean;
  /** One line each: what failed and what to look at. */
  failures: string[];
  timings: {
    /** Wall seconds of each side as run under the probes. */
    referenceSeconds: number;
    candidateSeconds: number;
    /** Wall seconds of each side run plainly (only when measured, e.g. by the overhead benchmark). */
    referencePlainSeconds?: number;
    candidatePlainSeconds?: number;
    /** Peak resident set size of each side's process under the probes, and plainly when measured (MB). */
    referencePeakRssMB?: number;
    candidatePeakRssMB?: number;
    referencePlainPeakRssMB?: number;
    candidatePlainPeakRssMB?: number;
  };
  /** Reference weight names ↔ candidate parameter names (`dense_Dense1/kernel` ↔ `0.weight`). */
  nameMap?: { reference: string; candidate: string }[];
  /** `--trace ops`: the traced step's ops paired, and the first that diverges. */
  opTrace?: OpTraceReport;
}
