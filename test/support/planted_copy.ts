/**
 * Copies of a program with planted edits, for the diff tests: each `[find, replace]` must match exactly once (a
 * fixture that changed under the test fails it, instead of planting nothing). Called at a test file's top level: the
 * copies' temporary folders are removed after the file's tests.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect } from 'vitest';

export function plantedCopies(prefix: string): (file: string, ...edits: [string, string][]) => string {
  const dirs: string[] = [];
  afterAll(() => {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });
  return (file, ...edits) => {
    const dir = mkdtempSync(join(tmpdir(), prefix));
    dirs.push(dir);
    let src = readFileSync(file, 'utf8');
    for (const [find, replace] of edits) {
      expect(src.split(find)).toHaveLength(2);
      src = src.replace(find, replace);
    }
    const out = join(dir, 'planted.ts');
    writeFileSync(out, src);
    return out;
  };
}
