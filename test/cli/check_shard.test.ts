/**
 * `torchbridge check --shard i/n`: the split (deterministic, every entry on exactly one shard, sizes within one),
 * usage errors, and end to end through the CLI with the real migrate/type-check/diff on one shard's entry.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ConfigError } from '../../difftest/check/config.js';
import { parseShard, shardEntries } from '../../difftest/check/shard.js';

const repo = resolve(import.meta.dirname, '../..');
let dir: string;
const check = (...args: string[]) => spawnSync(process.execPath, [join(repo, 'cli/bin.mjs'), 'check', ...args], { encoding: 'utf8', cwd: repo });

beforeAll(() => {
  mkdirSync(join(repo, '.test-out'), { recursive: true });
  dir = mkdtempSync(join(repo, '.test-out', 'shard-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('check --shard', () => {
  test('round-robin in config order: every entry on exactly one shard, sizes within one, the same split every time', () => {
    const entries = ['a', 'b', 'c', 'd', 'e', 'f', 'g'];
    const shards = [1, 2, 3].map((index) => shardEntries(entries, { index, count: 3 }));
    expect(shards).toEqual([['a', 'd', 'g'], ['b', 'e'], ['c', 'f']]);
    expect(shards.flat().sort()).toEqual(entries);
    expect(shardEntries(entries, { index: 1, count: 1 })).toEqual(entries);
    expect(shardEntries(entries, parseShard('2/3'))).toEqual(['b', 'e']);
  });

  test('i/n with 1 ≤ i ≤ n, or an error saying what is expected', () => {
    expect(parseShard(' 4 / 4 ')).toEqual({ index: 4, count: 4 });
    expect(() => parseShard('0/4')).toThrow(ConfigError);
    expect(() => parseShard('5/4')).toThrow(/--shard 5\/4: i must be between 1 and n/);
    expect(() => parseShard('two')).toThrow(/--shard two: expected i\/n, e\.g\. --shard 2\/4/);
  });

  test('through the CLI: a bad --shard exits 2; an empty shard exits 0; a shard runs only its entries, for real', () => {
    const original = join(repo, 'fixtures/cubic-tidy-fit/input.ts');
    const config = join(dir, 'torchbridge.check.json');
    writeFileSync(config, JSON.stringify({
      entries: [
        { name: 'first', original, steps: 2, replay: 'none' },
        { name: 'second', original, steps: 2, replay: 'none' },
      ],
      reports: { json: 'reports/diff.json' },
    }));
    const bad = check('-c', config, '--shard', '3/2');
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('torchbridge check: --shard 3/2: i must be between 1 and n');

    const empty = check('-c', config, '--shard', '3/3');
    expect(empty.status).toBe(0);
    expect(empty.stdout).toContain('check: shard 3/3 has no entries (the config selects 2); nothing to check');

    const r = check('-c', config, '--shard', '2/2');
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/check: the entry passed \(shard 2\/2: 1 of 2 entries\)/);
    expect(r.stdout).toContain('second');
    expect(r.stdout).not.toMatch(/\bfirst\b/);
    // The report keeps the per-entry name it has when the whole config runs.
    const report = JSON.parse(readFileSync(join(dir, 'reports/diff.second.json'), 'utf8')) as { pass: boolean; steps: number };
    expect(report).toMatchObject({ pass: true, steps: 2 });
  }, 180_000);
});
