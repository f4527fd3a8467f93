/**
 * Reading a tfjs LayersModel's artifacts: `model.json` and the binary weight shards it lists.
 *
 *   model.json   { modelTopology: <Keras JSON>, weightsManifest: [{ paths: [shard, ...], weights: [spec, ...] }] }
 *   shards       each group's files concatenated in `paths` order hold that group's weights back to back, in
 *                `weights` order, each `∏shape × bytes-per-value` bytes (little-endian)
 *
 * Shard paths are relative to model.json's directory (or URL). A plain path, a `file://` URL and (through the global
 * `fetch`) an http(s) URL are accepted.
 */
import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { decodeWeight, type WeightSpec } from './decode.js';

export interface LayersModelJson {
  modelTopology: unknown;
  weightsManifest: { paths: string[]; weights: WeightSpec[] }[];
}

/** A decoded weight: float32 values (int32 and bool weights too; layers only read float weights). */
export interface DecodedWeight {
  data: Float32Array;
  shape: number[];
}

export interface LayersModelArtifacts {
  /** Where model.json was read from, for messages. */
  source: string;
  topology: unknown;
  weights: Map<string, DecodedWeight>;
}

const isUrl = (s: string): boolean => /^https?:\/\//i.test(s);

/** model.json's location as a path or an http(s) URL; shards resolve against it. */
function locate(pathOrUrl: string): { kind: 'file' | 'http'; where: string } {
  if (pathOrUrl.startsWith('file://')) {
    try {
      return { kind: 'file', where: fileURLToPath(pathOrUrl) };
    } catch {
      // 'file://./model/model.json' (relative, as tfjs-node accepts it) is no valid URL: tfjs-node strips the scheme.
      return { kind: 'file', where: resolve(pathOrUrl.slice('file://'.length)) };
    }
  }
  if (isUrl(pathOrUrl)) return { kind: 'http', where: pathOrUrl };
  return { kind: 'file', where: resolve(pathOrUrl) };
}

async function readBytes(kind: 'file' | 'http', where: string, what: string): Promise<Uint8Array> {
  if (kind === 'file') {
    try {
      return new Uint8Array(await readFile(where));
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      throw new Error(`loadLayersModel: cannot read ${what} ${where} (${code ?? String(e)}); check that the file exists beside model.json, as the manifest names it`);
    }
  }
  if (typeof fetch !== 'function') throw new Error(`loadLayersModel: ${where} is an http(s) URL but there is no global fetch; use Node 18+ or download the files and pass a path`);
  const res = await fetch(where);
  if (!res.ok) throw new Error(`loadLayersModel: fetching ${what} ${where} failed with HTTP ${res.status}; check the URL`);
  return new Uint8Array(await res.arrayBuffer());
}

function shardLocation(kind: 'file' | 'http', modelJson: string, shard: string): string {
  return kind === 'file' ? resolve(dirname(modelJson), shard) : new URL(shard, modelJson).href;
}

function parseModelJson(bytes: Uint8Array, where: string): LayersModelJson {
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder().decode(bytes));
  } catch (e) {
    throw new Error(`loadLayersModel: ${where} is not valid JSON (${(e as Error).message}); pass the model.json that model.save wrote`);
  }
  const j = json as Partial<LayersModelJson>;
  if (!j || typeof j !== 'object' || j.modelTopology == null) {
    throw new Error(`loadLayersModel: ${where} has no modelTopology; it is not a tfjs LayersModel (a GraphModel from the converter cannot be loaded as layers)`);
  }
  if (!Array.isArray(j.weightsManifest)) throw new Error(`loadLayersModel: ${where} has no weightsManifest array; re-save the model with model.save`);
  return j as LayersModelJson;
}

/** Reads model.json and every shard, checking each group's byte count against its manifest. */
export async function readLayersModelArtifacts(pathOrUrl: string): Promise<LayersModelArtifacts> {
  const { kind, where } = locate(pathOrUrl);
  const model = parseModelJson(await readBytes(kind, where, 'model.json'), where);
  const weights = new Map<string, DecodedWeight>();
  for (const [g, group] of model.weightsManifest.entries()) {
    if (!Array.isArray(group?.paths) || !Array.isArray(group.weights)) {
      throw new Error(`loadLayersModel: weightsManifest group ${g} of ${where} lacks its paths or weights list; re-save the model with model.save`);
    }
    const files = group.paths.map((p) => shardLocation(kind, where, p));
    const parts = await Promise.all(files.map((f) => readBytes(kind, f, `weight shard of group ${g}`)));
    const total = parts.reduce((n, p) => n + p.byteLength, 0);
    const buffer = new Uint8Array(total);
    let at = 0;
    for (const p of parts) {
      buffer.set(p, at);
      at += p.byteLength;
    }
    let offset = 0;
    for (const spec of group.weights) {
      const { data, byteLength } = decodeWeight(spec, buffer, offset, () => `${files.join(' + ')} (manifest group ${g}, from ${where})`);
      weights.set(spec.name, { data, shape: [...spec.shape] });
      offset += byteLength;
    }
    if (offset !== total) {
      throw new Error(`loadLayersModel: ${files.join(' + ')} hold ${total} bytes but manifest group ${g} of ${where} describes ${offset}; the shards do not belong to this model.json (re-save the model)`);
    }
  }
  return { source: where, topology: model.modelTopology, weights };
}
