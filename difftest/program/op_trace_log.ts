/**
 * The op-level trace (`torchbridge diff --trace ops`): what each side records of one training step, op by op — on the
 * tfjs side every kernel the engine runs (op_trace_tfjs.ts), on the runtime side every op that reports itself through
 * runtime/ops/trace.ts (op_trace_runtime.ts) — and the helpers both recorders share: value capture with a size cap,
 * and the program's source line from a stack trace.
 *
 * An event's output values go into the side's trace (tensors.bin, key `opKey(step, index)`) when the output has at
 * most VALUE_CAP elements; a larger one keeps only its summary (mean, mean |x|, min, max), which the comparison then
 * uses. Tensors an op reads that no traced op of the window produced (data, variables, constants) are recorded once,
 * as `Input` events, where they are first read: an input that differs (data drawn at random on each side) is then
 * named as such rather than blamed on the op that read it.
 */
import { fileURLToPath } from 'node:url';
import { traceKey, type TraceWriter } from './trace.js';

/** Outputs up to this many elements are recorded in full; larger ones by their summary only. */
export const VALUE_CAP = 1 << 16;
/** Events per trace: a step that runs more is cut there (OpTraceLog.truncated). */
export const EVENT_CAP = 20_000;

export interface OpSummary {
  numel: number;
  mean: number;
  absMean: number;
  min: number;
  max: number;
  /** Non-finite elements (NaN, ±inf), left out of the other figures. */
  nonFinite: number;
}

export interface OpEvent {
  index: number;
  /** tfjs: the kernel name (`_FusedMatMul`, `Relu`); runtime: the reported name, with its `op` attribute (`Unary:relu`). */
  kind: string;
  shape: number[];
  dtype: string;
  /** For each input: the index of the event that produced it (an `Input` event for one no op produced), or -1 (null). */
  inputs: number[];
  /** Shapes of the inputs, as read. */
  inputShapes: number[][];
  summary: OpSummary;
  /** The values are in the trace under opKey(step, index). */
  hasValues: boolean;
  /**
   * The innermost frame in the program's own files: absolute path and line (absent when none was on the stack), and
   * the innermost module whose forward ran the op (`Tanh`, when the program's line is `model.forward(x)`).
   */
  at?: { file: string; line: number; module?: string };
  /**
   * `backward`: run while gradients were computed (tfjs: inside `engine.gradients` after the function returned; the
   * runtime: inside `backward()` / `autograd.grad`). The two sides' backward passes are arranged differently, so the
   * pairing keeps the phases apart (op_alignment.ts) and a backward difference is judged with less trust.
   */
  phase: 'forward' | 'backward';
  /**
   * Runtime only: the op (its kind here) whose output the reference's values overwrote afterwards (a variable's
   * initial value, which the candidate takes from the reference): the event's kind is then `Replaced`.
   */
  replaced?: string;
  /**
   * Backward events: the forward event whose gradient rule ran this op (tfjs: the tape node of that kernel; the
   * runtime: the GradNode of that op's output). Its `at` is then that forward op's line: the program line whose
   * gradient this computes, rather than the line that called backward(). Absent when no rule was running (the seed
   * gradient, the accumulation of a tensor's gradients).
   */
  gradOf?: number;
  /**
   * Forward events: whether the output carries a gradient back to the variables being trained (tfjs: it descends
   * from one of the variables differentiated, through float outputs; the runtime: `requiresGrad`).
   */
  differentiable?: boolean;
  /**
   * `Input` events: the tensor is a variable being trained itself (tfjs: one of the variables differentiated; the
   * runtime: a leaf that requires grad). A runtime Input that requires grad and is not a leaf is some op's output
   * that op did not report (a composite's piece): where its gradient goes is unknown, and this is absent.
   */
  gradLeaf?: boolean;
  /** Runtime only: a later event reported this event's output tensor again (a composite re-reporting its last piece). */
  sameAs?: number;
}

export interface OpTraceLog {
  step: number;
  events: OpEvent[];
  /** The step ran more than EVENT_CAP events: the rest were not recorded. */
  truncated: boolean;
  /** Why nothing was recorded, when nothing was (the step was never reached). */
  missing?: string;
}

export const opKey = (step: number, index: number): string => traceKey(step, 'op', 'ops', String(index));

/**
 * Appends one event to a side's log and its values (when at most VALUE_CAP) to its trace: the part both sides'
 * recorders share. `raw` is the output's values as read (empty when they cannot be read synchronously);
 * `asInt` stores them as int32 (int32 and bool outputs) rather than float32.
 */
export function appendEvent(
  log: OpTraceLog, trace: TraceWriter,
  out: { kind: string; shape: readonly number[]; dtype: string; inputs: number[]; inputShapes: number[][]; phase: OpEvent['phase'] } & Pick<OpEvent, 'gradOf' | 'differentiable' | 'gradLeaf'>,
  raw: ArrayLike<number>, readable: boolean, asInt: boolean, files: readonly string[],
): number {
  const index = log.events.length;
  // Copied only when kept: a large output costs its summary's pass alone.
  const values = !readable || raw.length > VALUE_CAP ? undefined : asInt ? Int32Array.from(raw) : Float32Array.from(raw);
  // A backward op is placed at the line of the forward op whose gradient it computes.
  const at = out.gradOf !== undefined ? log.events[out.gradOf]?.at : sourceLine(files);
  log.events.push({
    index, kind: out.kind, shape: [...out.shape], dtype: out.dtype, inputs: out.inputs, inputShapes: out.inputShapes, phase: out.phase,
    summary: summarise(raw), hasValues: values !== undefined, at,
    ...(out.gradOf !== undefined ? { gradOf: out.gradOf } : {}),
    ...(out.differentiable !== undefined ? { differentiable: out.differentiable } : {}),
    ...(out.gradLeaf !== undefined ? { gradLeaf: out.gradLeaf } : {}),
  });
  if (values) trace.put(opKey(log.step, index), out.shape, values);
  return index;
}

export function summarise(values: ArrayLike<number>): OpSummary {
  let sum = 0, abs = 0, min = Infinity, max = -Infinity, nonFinite = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (!Number.isFinite(v)) {
      nonFinite++;
      continue;
    }
    sum += v;
    abs += Math.abs(v);
    if (v < min) min = v;
    if (v > max) max = v;
  }
  const n = values.length - nonFinite;
  return { numel: values.length, mean: n ? sum / n : 0, absMean: n ? abs / n : 0, min: n ? min : 0, max: n ? max : 0, nonFinite };
}

/** The program's own files in this child (from the diff's module hooks, hooks.mjs): the migrated file where served. */
export function programFiles(): string[] {
  const raw = process.env.TORCHBRIDGE_DIFF_HOOKS;
  if (!raw) return [];
  const hooks = JSON.parse(raw) as { modules: Record<string, { sourceFile?: string }> };
  const files = new Set<string>();
  for (const [url, m] of Object.entries(hooks.modules)) {
    files.add(fileURLToPath(url));
    if (m.sourceFile) files.add(m.sourceFile);
  }
  return [...files];
}

/**
 * The innermost stack frame in one of `files`. Only called while tracing: a stack trace costs some microseconds.
 * Frames read `at f (file:///p/x.ts:12:3)` or `at /p/x.ts:12:3`; tsx's source maps give the lines of the TypeScript.
 */
export function sourceLine(files: readonly string[]): { file: string; line: number; module?: string } | undefined {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 60;
  const stack = new Error().stack ?? '';
  Error.stackTraceLimit = limit;
  let module: string | undefined;
  for (const frame of stack.split('\n').slice(1)) {
    const m = /\(?((?:file:\/\/)?[^()\s]+):(\d+):\d+\)?\s*$/.exec(frame);
    if (!m) continue;
    const path = m[1].startsWith('file://') ? safePath(m[1]) : m[1];
    if (path && files.includes(path)) return { file: path, line: Number(m[2]), ...(module ? { module } : {}) };
    // A module of the runtime's (nn.Tanh) between the op and the program: the program's line only calls it.
    module ??= /^\s*at (?:async )?([A-Z]\w*)\.forward /.exec(frame)?.[1];
  }
  return undefined;
}

function safePath(url: string): string | undefined {
  try {
    return fileURLToPath(url);
  } catch {
    return undefined;
  }
}
