/** The serve command's body: load, listen, print where, stop cleanly on SIGINT/SIGTERM. */
import { basename, dirname, extname, resolve } from 'node:path';
import { loadServable } from './model.js';
import { startServer } from './server.js';

export interface RunServeOptions {
  model: string;
  port: number;
  host: string;
  name?: string;
  maxBodyBytes: number;
}

/** The default model name: model.onnx → 'model'; .../mnist/model.json → 'mnist'. */
export function defaultModelName(path: string): string {
  const base = basename(path, extname(path));
  return base === 'model' && extname(path) === '.json' ? basename(dirname(resolve(path))) : base;
}

export async function runServe(opts: RunServeOptions): Promise<number> {
  if (!Number.isInteger(opts.port) || opts.port < 0 || opts.port > 65535) {
    console.error(`serve: --port must be an integer in 0..65535, got ${opts.port}`);
    return 2;
  }
  const name = opts.name ?? defaultModelName(opts.model);
  if (!/^[A-Za-z0-9_.-]+$/.test(name)) {
    console.error(`serve: the model name '${name}' may hold letters, digits, '_', '.' and '-' only; pass --name`);
    return 2;
  }
  let model;
  try {
    model = await loadServable(opts.model);
  } catch (e) {
    console.error((e as Error).message);
    return 1;
  }
  const server = await startServer(model, { name, port: opts.port, host: opts.host, maxBodyBytes: opts.maxBodyBytes });
  const sig = model.signature;
  const specs = (list: typeof sig.inputs) => list.map((s) => `${s.name} ${s.dtype}[${s.dims.map((d) => (d < 0 ? 'N' : d)).join(', ')}]`).join(', ');
  // One write, so whoever reads the first line (a test, a supervisor) has the signature too.
  console.log([
    `serving '${name}' from ${opts.model} at ${server.url}/v1/models/${name}`,
    `  inputs:  ${specs(sig.inputs)}`,
    `  outputs: ${specs(sig.outputs)}`,
    `  POST ${server.url}/v1/models/${name}:predict  {"instances": [...]}   (Ctrl-C stops)`,
  ].join('\n'));
  await new Promise<void>((done) => {
    const stop = (signal: string) => {
      console.log(`serve: ${signal}, finishing requests in flight and stopping`);
      process.off('SIGINT', onInt);
      process.off('SIGTERM', onTerm);
      server.close().then(done, done);
    };
    const onInt = () => stop('SIGINT');
    const onTerm = () => stop('SIGTERM');
    process.on('SIGINT', onInt);
    process.on('SIGTERM', onTerm);
  });
  return 0;
}
