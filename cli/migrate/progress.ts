/** The migrate command's progress bar on stderr: shown only for 20 or more files, on a terminal. */
export function progressBar(enabled: boolean): { tick(done: number, total: number, file: string): void; done(): void } {
  if (!enabled) return { tick() {}, done() {} };
  const width = 30;
  let drawn = false;
  return {
    tick(n, total, file) {
      if (total < 20) return;
      drawn = true;
      const filled = Math.round((n / total) * width);
      process.stderr.write(`\r[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${n}/${total} files ${file.slice(-40).padEnd(40)}`);
    },
    done() {
      if (drawn) process.stderr.write('\r\x1b[2K');
    },
  };
}
