/** A worker thread: migrates the files it is sent (the runtime's export lists arrive once, in workerData). */
import { parentPort, workerData } from 'node:worker_threads';
import { transpileSource } from '../index.js';
import { primeTypeOracle } from '../oracle.js';
import { apiFromLists } from '../../mappings/runtime_api.js';
import type { TranspileOptions, ReexportInfo } from '../types.js';

interface Init { names: string[]; members: string[]; layout: TranspileOptions['layout']; reexports: [string, ReexportInfo][]; typeChecker: boolean; fit: 'loop' | 'helper'; prime: { path: string; text: string }[] }
const init = workerData as Init;
primeTypeOracle(init.prime);
const opts: TranspileOptions = {
  layout: init.layout, api: apiFromLists(init.names, init.members), reexports: new Map(init.reexports), typeChecker: init.typeChecker, fit: init.fit,
};

parentPort!.on('message', (msg: { id: number; path: string; text: string }) => {
  const result = transpileSource(msg.path, msg.text, opts);
  parentPort!.postMessage({ id: msg.id, result });
});
