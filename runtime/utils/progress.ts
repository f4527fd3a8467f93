/**
 * A terminal progress bar over an iterable (tqdm's role in PyTorch scripts). Redraws at most every 100 ms,
 * writes to stderr so stdout stays parseable, and prints plain lines when stderr is not a TTY.
 */
export interface ProgressOptions {
  desc?: string;
  total?: number;
  /** Extra text after the bar, e.g. the running loss; updated via `bar.setPostfix(...)`. */
  width?: number;
  stream?: NodeJS.WriteStream;
  /** Disable all output (e.g. in tests). */
  disable?: boolean;
}

export class ProgressBar<T> implements Iterable<T> {
  private n = 0;
  private postfix = '';
  private lastDraw = 0;
  private readonly start = Date.now();
  private readonly stream: NodeJS.WriteStream;

  constructor(private readonly iterable: Iterable<T>, private readonly opts: ProgressOptions = {}) {
    this.stream = opts.stream ?? process.stderr;
  }

  setPostfix(text: string): void {
    this.postfix = text;
  }

  *[Symbol.iterator](): Iterator<T> {
    const total = this.opts.total ?? (this.iterable as { length?: number }).length;
    for (const item of this.iterable) {
      yield item;
      this.n++;
      this.draw(total, false);
    }
    this.draw(total, true);
  }

  private draw(total: number | undefined, final: boolean): void {
    if (this.opts.disable) return;
    const now = Date.now();
    if (!final && now - this.lastDraw < 100) return;
    this.lastDraw = now;
    const secs = (now - this.start) / 1000;
    const rate = this.n / Math.max(secs, 1e-9);
    const desc = this.opts.desc ? `${this.opts.desc}: ` : '';
    let line: string;
    if (total) {
      const frac = Math.min(this.n / total, 1);
      const w = this.opts.width ?? 30;
      const filled = Math.round(frac * w);
      line = `${desc}${(frac * 100).toFixed(0).padStart(3)}%|${'█'.repeat(filled)}${' '.repeat(w - filled)}| ${this.n}/${total} [${secs.toFixed(1)}s, ${rate.toFixed(1)} it/s]`;
    } else line = `${desc}${this.n} it [${secs.toFixed(1)}s, ${rate.toFixed(1)} it/s]`;
    if (this.postfix) line += ` ${this.postfix}`;
    if (this.stream.isTTY) this.stream.write(`\r${line}\x1b[K${final ? '\n' : ''}`);
    else if (final) this.stream.write(line + '\n');
  }
}

/** `for (const batch of progress(loader, { desc: 'epoch 1' }))` */
export function progress<T>(iterable: Iterable<T>, opts: ProgressOptions = {}): ProgressBar<T> {
  return new ProgressBar(iterable, opts);
}
