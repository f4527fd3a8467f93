/** `node --import tsx --import <this file> <entry>`: registers hooks.mjs with what it needs (see there). */
import { register } from 'node:module';

const raw = process.env.TORCHBRIDGE_DIFF_HOOKS;
if (!raw) throw new Error('difftest register.mjs: TORCHBRIDGE_DIFF_HOOKS is not set (it is set by `torchbridge diff`)');
register('./hooks.mjs', import.meta.url, { data: JSON.parse(raw) });

// The child's peak RSS, for the report's timings (a parent cannot read a child's rusage from Node): written at exit.
const rssFile = process.env.TORCHBRIDGE_DIFF_RSS_FILE;
if (rssFile) {
  const { writeFileSync } = await import('node:fs');
  process.on('exit', () => writeFileSync(rssFile, String(process.resourceUsage().maxRSS / 1024)));
}
