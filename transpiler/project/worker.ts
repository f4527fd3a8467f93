/** A worker thread: migrates the files it is sent (the runtime's export lists arrive once, in workerData). */
import { parentPort, workerData } from 'node:worker_threads';
import { transpileSource } from '../index.js';
import { TypesElsewhere } from '../oracle.js';
import { apiFromLists } from '../../mappings/runtime_api.js';
import type { TranspileOptions, ReexportInfo } from '../types.js';

interface Init { names: string[]; members: string[]; layout: TranspileOptions['layout']; reexports: [string, ReexportInfo][]; typeChecker: boolean; fit: 'loop' | 'helper' }
const init = workerData as Init;
const opts: TranspileOptions = {
  // The type checker stays in the main thread: a file that needs it goes back there (needsTypes).
  layout: init.layout, api: apiFromLists(init.names, init.members), reexports: new Map(init.reexports), typeChecker: init.typeChecker && 'elsewhere', fit: init.fit,
};

parentPort!.on('message', (msg: { id: number; path: string; text: string }) => {
  try {
    parentPort!.postMessage({ id: msg.id, result: transpileSource(msg.path, msg.text, opts) });
  } catch (e) {
    if (!(e instanceof TypesElsewhere)) throw e;
    parentPort!.postMessage({ id: msg.id, needsTypes: true });
  }
});
