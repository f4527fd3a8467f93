/**
 * `check --shard i/n`: a config's entries split across n CI runners, deterministically, so that the n jobs of one
 * pipeline run every entry exactly once between them without talking to each other. Entry k (from 1, in the
 * config's order, after --only) goes to shard ((k − 1) mod n) + 1: round-robin keeps the shards' sizes within one
 * of each other, and the split depends only on the config, never on timing or the machine.
 */
import { ConfigError } from './config.js';

export interface Shard {
  /** From 1. */
  index: number;
  count: number;
}

/** Parses `i/n` (1 ≤ i ≤ n); anything else is a ConfigError saying what is expected. */
export function parseShard(spec: string): Shard {
  const m = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(spec);
  if (!m) throw new ConfigError(`--shard ${spec}: expected i/n, e.g. --shard 2/4 for the second of four CI runners`);
  const index = Number(m[1]);
  const count = Number(m[2]);
  if (count < 1 || index < 1 || index > count) throw new ConfigError(`--shard ${spec}: i must be between 1 and n (n ≥ 1), e.g. --shard 1/${Math.max(count, 2)}`);
  return { index, count };
}

/** The entries shard `shard` runs. */
export function shardEntries<T>(entries: readonly T[], shard: Shard): T[] {
  return entries.filter((_, k) => k % shard.count === shard.index - 1);
}
