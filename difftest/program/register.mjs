/** `node --import tsx --import <this file> <entry>`: registers hooks.mjs with what it needs (see there). */
import { register } from 'node:module';

const raw = process.env.TORCHBRIDGE_DIFF_HOOKS;
if (!raw) throw new Error('difftest register.mjs: TORCHBRIDGE_DIFF_HOOKS is not set (it is set by `torchbridge diff`)');
register('./hooks.mjs', import.meta.url, { data: JSON.parse(raw) });
