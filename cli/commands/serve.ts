/** `torchbridge serve`: TF Serving's REST API over an ONNX model (or a tfjs model.json, exported on start). */
import type { ArgumentsCamelCase, Argv } from 'yargs';

export const command = 'serve <model>';
export const describe = "Serve a model.onnx (or a tfjs model.json) over TF Serving's REST API, run by onnxruntime-node";
export const builder = (y: Argv) =>
  y
    .positional('model', { type: 'string', demandOption: true, describe: 'model.onnx, or a tfjs model.json (loaded with io.loadLayersModel and exported to ONNX)' })
    .option('port', { type: 'number', default: 8501, describe: "port (TF Serving's REST default; 0 picks a free one)" })
    .option('host', { type: 'string', default: '127.0.0.1', describe: 'address to listen on (0.0.0.0 for every interface)' })
    .option('name', { type: 'string', describe: "the model name in /v1/models/<name> (default: the file's name without extension, or its folder's for model.json)" })
    .option('max-body-bytes', { type: 'number', default: 16 * 1024 * 1024, describe: 'largest request body accepted (413 above)' });

export async function handler(argv: ArgumentsCamelCase<{ model: string; port: number; host: string; name?: string; maxBodyBytes?: number }>): Promise<void> {
  const { runServe } = await import('../serve/run.js');
  process.exitCode = await runServe({ model: argv.model, port: argv.port, host: argv.host, name: argv.name, maxBodyBytes: argv.maxBodyBytes ?? 16 * 1024 * 1024 });
}
