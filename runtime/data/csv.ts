/**
 * `tf.data.csv` on the runtime: a streaming dataset of a CSV file's rows with tfjs's parsing rules — a header line
 * by default, quoted fields, numbers parsed with `Number`, `columnConfigs` (`dtype`, `default`, `required`,
 * `isLabel`), `configuredColumnsOnly`, `delimiter` / `delimWhitespace`. A row is `{ column: value }`, or
 * `{ xs: {...}, ys: {...} }` when a column is a label. The source is a path or a `file://` URL (Node has no
 * browser fetch of relative URLs); http(s) URLs are fetched.
 */
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { IterableDataset, fromArray } from './iterable.js';

export interface ColumnConfig {
  required?: boolean;
  dtype?: 'float32' | 'int32' | 'bool' | 'string';
  default?: unknown;
  isLabel?: boolean;
}

export interface CSVConfig {
  hasHeader?: boolean;
  columnNames?: string[];
  columnConfigs?: Record<string, ColumnConfig>;
  configuredColumnsOnly?: boolean;
  delimiter?: string;
  delimWhitespace?: boolean;
}

type Row = Record<string, unknown>;

/** A dataset of the CSV rows at `source`; the file is read when the dataset is first iterated. */
export function csv(source: string, config: CSVConfig = {}): IterableDataset<Row | { xs: Row; ys: Row }> {
  if (typeof source !== 'string' || source === '') throw new TypeError('data.csv: source must be a file path or URL string');
  if (config.delimWhitespace && config.delimiter != null) throw new TypeError(`data.csv(${source}): give delimiter or delimWhitespace, not both`);
  const delimiter = config.delimWhitespace ? ' ' : config.delimiter ?? ',';
  let rows: Promise<(Row | { xs: Row; ys: Row })[]> | null = null;
  const load = () => (rows ??= readRows(source, config, delimiter));
  // The rows are parsed once (on the first pass) and replayed: a CSV on disk gives the same rows every pass.
  return new IterableDataset(async () => fromArray(await load()).iterator(), null);
}

async function readText(source: string): Promise<string> {
  if (/^https?:\/\//.test(source)) {
    const res = await fetch(source);
    if (!res.ok) throw new Error(`data.csv(${source}): the server answered ${res.status} ${res.statusText}`);
    return res.text();
  }
  const path = source.startsWith('file://') ? fileURLToPath(source) : source;
  try {
    return await readFile(path, 'utf8');
  } catch (e) {
    throw new Error(`data.csv(${source}): cannot read the file (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}); pass a path or a file:// URL`);
  }
}

async function readRows(source: string, config: CSVConfig, delimiter: string): Promise<(Row | { xs: Row; ys: Row })[]> {
  const text = await readText(source);
  // tfjs splits on \n, drops a trailing \r, and emits no line for the text after a final newline.
  const lines = text.split('\n').map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l));
  if (lines[lines.length - 1] === '') lines.pop();
  const hasHeader = config.hasHeader !== false;
  const ws = !!config.delimWhitespace;
  let names = config.columnNames;
  if (hasHeader) {
    if (lines.length === 0) throw new Error(`data.csv(${source}): no data was found (the file is empty)`);
    const header = parseRow(lines[0], delimiter, ws);
    if (names && names.length !== header.length) {
      throw new Error(`data.csv(${source}): columnNames has ${names.length} names but the header line has ${header.length} columns`);
    }
    names ??= header;
  }
  if (!names) throw new Error(`data.csv(${source}): the file has no header line (hasHeader: false), so columnNames must be given`);
  const dup = names.filter((n, i) => names!.indexOf(n) !== i);
  if (dup.length > 0) throw new Error(`data.csv(${source}): duplicate column names: ${[...new Set(dup)].join(', ')}`);
  const configs = config.columnConfigs ?? null;
  for (const key of Object.keys(configs ?? {})) {
    if (!names.includes(key)) throw new Error(`data.csv(${source}): columnConfigs names '${key}', which is not a column (${names.join(', ')})`);
  }
  const out: (Row | { xs: Row; ys: Row })[] = [];
  for (let li = hasHeader ? 1 : 0; li < lines.length; li++) {
    const line = lines[li];
    const values = parseRow(line, delimiter, ws);
    if (values.length !== names.length) {
      throw new Error(`data.csv(${source}): line ${li + 1} has ${values.length} fields, ${names.length} expected: ${JSON.stringify(line)}`);
    }
    const features: Row = {};
    const labels: Row = {};
    names.forEach((key, i) => {
      const cfg = configs ? configs[key] : undefined;
      if (config.configuredColumnsOnly && !cfg) return;
      const v = parseValue(values[i], cfg, () => `data.csv(${source}): required column '${key}' is empty on line ${li + 1}`);
      if (cfg?.isLabel) labels[key] = v;
      else features[key] = v;
    });
    out.push(Object.keys(labels).length === 0 ? features : { xs: features, ys: labels });
  }
  return out;
}

function parseValue(value: string, cfg: ColumnConfig | undefined, missing: () => string): unknown {
  if (value === '') {
    if (cfg && cfg.default !== undefined) return cfg.default;
    if (cfg && (cfg.required || cfg.isLabel)) throw new Error(missing());
    return undefined;
  }
  const num = Number(value);
  const bool = () => (value === '1' || value.toLowerCase() === 'true' ? 1 : 0);
  if (Number.isNaN(num)) return cfg?.dtype === 'bool' ? bool() : value;
  switch (cfg?.dtype) {
    case 'int32':
      return Math.floor(num);
    case 'bool':
      return bool();
    default:
      return num;
  }
}

/** tfjs's CSV field state machine (quotes, doubled quotes, whitespace runs when delimWhitespace). */
function parseRow(line: string, delimiter: string, delimWhitespace: boolean): string[] {
  const OUT = 0, FIELD = 1, QUOTE = 2, QUOTE_AFTER_QUOTE = 3, QUOTE_IN_QUOTE = 4;
  const result: string[] = [];
  let offset = 0;
  let state = OUT;
  for (let i = 0; i < line.length; i++) {
    const c = line.charAt(i);
    switch (state) {
      case OUT:
        if (c === '"') {
          offset = i + 1;
          state = QUOTE;
        } else if (c === delimiter) {
          offset = i + 1;
          if (!(delimiter === ' ' && delimWhitespace)) result.push('');
        } else {
          state = FIELD;
          offset = i;
        }
        break;
      case FIELD:
        if (c === delimiter) {
          result.push(line.substring(offset, i));
          state = OUT;
          offset = i + 1;
        }
        break;
      case QUOTE:
        if (c === '"') state = QUOTE_AFTER_QUOTE;
        break;
      case QUOTE_AFTER_QUOTE:
        if (c === delimiter) {
          result.push(line.substring(offset, i - 1));
          state = OUT;
          offset = i + 1;
        } else state = c === '"' ? QUOTE : QUOTE_IN_QUOTE;
        break;
      case QUOTE_IN_QUOTE:
        if (c === '"') state = QUOTE;
        break;
    }
  }
  result.push(state === QUOTE_AFTER_QUOTE ? line.substring(offset, line.length - 1) : line.substring(offset));
  return result;
}
