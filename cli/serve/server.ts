/**
 * `torchbridge serve`: TF Serving's REST API over an ONNX model run by onnxruntime-node, so clients written for
 * TF Serving keep working after the move.
 *
 *   GET  /v1/models/<name>[/versions/1]             model status
 *   GET  /v1/models/<name>[/versions/1]/metadata    signature: inputs/outputs with dtypes and shapes
 *   POST /v1/models/<name>[/versions/1]:predict     {"instances": …} → {"predictions": …}, {"inputs": …} → {"outputs": …}
 *
 * Every failure is a JSON {"error": "..."} with a 4xx status (400 bad request, 404 unknown model or path, 405 wrong
 * method, 413 body too large) or 500 when the model itself fails; nothing a client sends can crash the server or
 * leave a request hanging.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parsePredict, formatPredict, RequestError } from './rest.js';
import { TF_DTYPE } from './signature.js';
import type { Servable } from './model.js';

export interface ServeOptions {
  /** The model name in the URL (TF Serving's --model_name). */
  name: string;
  port?: number;
  host?: string;
  /** Largest request body accepted. Default 16 MiB. */
  maxBodyBytes?: number;
}

export interface RunningServer {
  readonly url: string;
  readonly port: number;
  readonly server: Server;
  /** Stops accepting connections, lets requests in flight finish, releases the model. */
  close(): Promise<void>;
}

const VERSION = '1';

export async function startServer(model: Servable, opts: ServeOptions): Promise<RunningServer> {
  const maxBody = opts.maxBodyBytes ?? 16 * 1024 * 1024;
  const name = opts.name;
  const server = createServer((req, res) => {
    handle(req, res).catch((e: unknown) => {
      // handle() answers every error it expects; this is the last line of defence.
      sendError(res, e instanceof RequestError ? e.status : 500, (e as Error).message ?? String(e));
    });
  });
  // A client that stalls mid-request must not hold a socket forever.
  server.requestTimeout = 30_000;
  server.headersTimeout = 10_000;

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? '/').split('?')[0];
    const m = /^\/v1\/models\/([^/:]+)(?:\/versions\/([^/:]+))?(\/metadata|:predict)?\/?$/.exec(path);
    if (!m) {
      drain(req);
      return sendError(res, 404, `no such endpoint '${req.method} ${path}'; this server answers GET /v1/models/${name}, GET /v1/models/${name}/metadata and POST /v1/models/${name}:predict`);
    }
    const [, reqName, version, action] = m;
    if (decodeURIComponent(reqName) !== name) {
      drain(req);
      return sendError(res, 404, `Servable not found for request: Latest(${decodeURIComponent(reqName)}) (this server serves '${name}')`);
    }
    if (version !== undefined && version !== VERSION) {
      drain(req);
      return sendError(res, 404, `Servable not found for request: Specific(${name}, ${version}) (the served version is ${VERSION})`);
    }
    if (action === ':predict') {
      if (req.method !== 'POST') { drain(req); return sendError(res, 405, `${req.method} is not allowed for :predict; POST a JSON body`); }
      const text = await readBody(req, res, maxBody);
      if (text === null) return;
      let body: unknown;
      try {
        body = JSON.parse(text);
      } catch (e) {
        return sendError(res, 400, `the request body is not valid JSON: ${(e as Error).message}`);
      }
      let parsed;
      try {
        parsed = parsePredict(body, model.signature);
      } catch (e) {
        if (e instanceof RequestError) return sendError(res, e.status, e.message);
        throw e;
      }
      let outs;
      try {
        outs = await model.session.runAll(parsed.feeds);
      } catch (e) {
        // Shapes were checked against the signature; what is left (a size the graph cannot take) is still the request's.
        return sendError(res, 400, `the model could not run on this request: ${(e as Error).message.split('\n')[0]}`);
      } finally {
        for (const t of Object.values(parsed.feeds)) t.dispose();
      }
      try {
        return sendJson(res, 200, formatPredict(parsed.format, outs, model.signature));
      } finally {
        for (const t of outs) t.dispose();
      }
    }
    if (req.method !== 'GET') { drain(req); return sendError(res, 405, `${req.method} is not allowed here; use GET`); }
    drain(req);
    if (action === '/metadata') return sendJson(res, 200, metadata(model, name));
    return sendJson(res, 200, {
      model_version_status: [{ version: VERSION, state: 'AVAILABLE', status: { error_code: 'OK', error_message: '' } }],
    });
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 8501, opts.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const addr = server.address() as AddressInfo;
  const host = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
  return {
    url: `http://${host}:${addr.port}`,
    port: addr.port,
    server,
    async close() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      });
      await model.session.release();
    },
  };
}

function metadata(model: Servable, name: string): unknown {
  const spec = (s: { name: string; dtype: keyof typeof TF_DTYPE; dims: number[] }) => ({
    dtype: TF_DTYPE[s.dtype],
    tensor_shape: { dim: s.dims.map((d) => ({ size: String(d), name: '' })), unknown_rank: false },
    name: s.name,
  });
  return {
    model_spec: { name, signature_name: '', version: VERSION },
    metadata: {
      signature_def: {
        signature_def: {
          serving_default: {
            inputs: Object.fromEntries(model.signature.inputs.map((s) => [s.name, spec(s)])),
            outputs: Object.fromEntries(model.signature.outputs.map((s) => [s.name, spec(s)])),
            method_name: 'tensorflow/serving/predict',
          },
        },
      },
    },
  };
}

/** The body as text, or null after answering 413 (the rest of the upload is read and dropped, then the socket closed). */
function readBody(req: IncomingMessage, res: ServerResponse, max: number): Promise<string | null> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length'] ?? NaN);
    const tooLarge = () => {
      res.setHeader('Connection', 'close');
      sendError(res, 413, `the request body is larger than the limit of ${max} bytes (--max-body-bytes)`);
      drain(req);
      resolve(null);
    };
    if (declared > max) return tooLarge();
    const chunks: Buffer[] = [];
    let size = 0;
    let over = false;
    req.on('data', (c: Buffer) => {
      if (over) return;
      size += c.length;
      if (size > max) { over = true; chunks.length = 0; tooLarge(); return; }
      chunks.push(c);
    });
    req.on('end', () => { if (!over) resolve(Buffer.concat(chunks).toString('utf8')); });
    req.on('error', (e) => { if (!over) reject(new RequestError(`reading the request failed: ${e.message}`)); });
  });
}

/** Reads and drops what is left of a request body, so the client's upload finishes and it reads our answer. */
function drain(req: IncomingMessage): void {
  req.resume();
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  if (res.headersSent) return;
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

function sendError(res: ServerResponse, status: number, message: string): void {
  sendJson(res, status, { error: message });
}
