/**
 * `--trace ops` on a model.fit program: where in fit's loop the traced step's ops are recorded. Both fit probes
 * (probe_tfjs.ts, probe_runtime.ts) know where each training step begins and where its optimizer update begins, so
 * the recording is exactly the step's forward, loss and backward — from the batch in hand (already gathered) to the
 * gradients, up to, not into, the update (which the diff compares parameter by parameter) — as the custom-loop
 * probes record theirs. Under --replay the candidate takes the reference's parameters before the step begins, so
 * those writes are not the program's ops: its parameters are `Input`s, recorded where the forward first reads them,
 * as the tfjs side records its variables.
 *
 * What a probe computes inside the step for the diff's own sake — the tfjs probe's metrics, which it evaluates inside
 * the differentiated function where utils.fit evaluates them after the update; the candidate's copies of module
 * inputs for graph-mapped layers — runs `aside`, unrecorded, so it is not paired against the other side's program.
 * Side-agnostic: each probe hands in its own recorder (op_trace_tfjs.ts, op_trace_runtime.ts).
 */

/** What this needs of a side's op recorder. */
export interface StepRecorder {
  readonly step: number;
  resume(): void;
  pause(): void;
  finish(): void;
}

export class FitOpTrace {
  /** Recording now: inside the traced step, between begin and end. */
  private active = false;

  /** @param recorder the side's recorder, made with `startNow: false`; null when no op trace was asked for. */
  constructor(private readonly recorder: StepRecorder | null) {}

  /** Step `step` begins, its batch in hand: recording starts when it is the traced one. */
  begin(step: number): void {
    if (!this.recorder || step !== this.recorder.step) return;
    this.active = true;
    this.recorder.resume();
  }

  /** Step `step`'s optimizer update is next: the traced step's recording is over. */
  end(step: number): void {
    if (!this.recorder || step !== this.recorder.step) return;
    this.active = false;
    this.recorder.finish();
  }

  /** Runs `fn` unrecorded (the probe's own work inside the step). */
  aside<T>(fn: () => T): T {
    if (!this.active) return fn();
    this.recorder!.pause();
    try {
      return fn();
    } finally {
      this.recorder!.resume();
    }
  }
}
