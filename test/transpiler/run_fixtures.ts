/**
 * Runs migrated fixture programs one after another in this one process (one runtime start-up for all) and
 * prints one JSON line per program: { file, ok, error }. Used by fixtures.test.ts.
 */
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';

const require = createRequire(import.meta.url);
const log = console.log;
for (const file of process.argv.slice(2)) {
  let ok = true;
  let error = '';
  let printed = 0;
  console.log = (...args: unknown[]) => { printed++; void args; };
  try {
    if (file.endsWith('.cjs')) require(file);
    else await import(pathToFileURL(file).href);
  } catch (e) {
    ok = false;
    error = (e as Error).stack ?? String(e);
  }
  console.log = log;
  process.stdout.write(`${JSON.stringify({ file, ok, printed, error })}\n`);
}
