/**
 * A user's project with torchbridge installed from its packed tarball, offline: the package test's fixture.
 *
 * Offline, npm cannot resolve version ranges (it has tarballs in its cache, not the registry's package documents),
 * so the project gets a lockfile: the tarball's entry, plus every package it needs, copied from this repository's
 * own package-lock.json (the versions and integrities `npm ci` here installed, so their tarballs are in the cache).
 * `npm ci --offline` then installs exactly that, and fails if anything would have to be fetched.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';

interface LockEntry {
  version?: string;
  resolved?: string;
  integrity?: string;
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  peerDependenciesMeta?: Record<string, { optional?: boolean }>;
  dev?: boolean;
  devOptional?: boolean;
  optional?: boolean;
  peer?: boolean;
  [k: string]: unknown;
}

interface Lock {
  name?: string;
  version?: string;
  lockfileVersion: number;
  requires?: boolean;
  packages: Record<string, LockEntry>;
}

export interface Manifest {
  name: string;
  version: string;
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  peerDependenciesMeta?: Record<string, { optional?: boolean }>;
  bin?: Record<string, string>;
  engines?: Record<string, string>;
  license?: string;
}

/** Where Node would find `name` required from the package installed at `from` ('' = the project root). */
function locate(packages: Record<string, LockEntry>, from: string, name: string): string | undefined {
  for (let dir = from; ; dir = dir.includes('/node_modules/') ? dir.slice(0, dir.lastIndexOf('/node_modules/')) : '') {
    const at = dir ? `${dir}/node_modules/${name}` : `node_modules/${name}`;
    if (packages[at]) return at;
    if (!dir) return undefined;
  }
}

/**
 * The lockfile of a project at `projectDeps` (name → spec, including `torchbridge: file:<tarball>`), with torchbridge
 * installed from `tarball` (its manifest `pkg`) and everything else as `repoLock` has it.
 */
export function offlineLock(repoLockFile: string, pkg: Manifest, tarball: string, tarballSpec: string, projectDeps: Record<string, string>): Lock {
  const integrity = `sha512-${createHash('sha512').update(readFileSync(tarball)).digest('base64')}`;
  const own: LockEntry = {
    version: pkg.version, resolved: tarballSpec, integrity, license: pkg.license,
    dependencies: pkg.dependencies, optionalDependencies: pkg.optionalDependencies, peerDependencies: pkg.peerDependencies,
    peerDependenciesMeta: pkg.peerDependenciesMeta, bin: pkg.bin, engines: pkg.engines,
  };
  return lockFor(repoLockFile, 'torchbridge-user-project', projectDeps, own);
}

/**
 * The lockfile of a project `name` at `projectDeps` (name → version) without torchbridge, every package as
 * `repoLock` has it: a second project (or a sub-folder's own install) with its own copy of tfjs.
 */
export function offlineDepsLock(repoLockFile: string, name: string, projectDeps: Record<string, string>): Lock {
  return lockFor(repoLockFile, name, projectDeps);
}

function lockFor(repoLockFile: string, name: string, projectDeps: Record<string, string>, own?: LockEntry): Lock {
  const repo = JSON.parse(readFileSync(repoLockFile, 'utf8')) as Lock;
  const packages: Record<string, LockEntry> = { '': { name, version: '1.0.0', dependencies: projectDeps } };
  if (own) packages['node_modules/torchbridge'] = own;
  const needs = (e: LockEntry): string[] => [
    ...Object.keys(e.dependencies ?? {}), ...Object.keys(e.optionalDependencies ?? {}),
    ...Object.keys(e.peerDependencies ?? {}).filter((n) => !e.peerDependenciesMeta?.[n]?.optional),
  ];
  const queue: [string, string][] = [
    ...Object.keys(projectDeps).filter((n) => !own || n !== 'torchbridge').map((n): [string, string] => ['', n]),
    ...(own ? needs(own).map((n): [string, string] => ['node_modules/torchbridge', n]) : []),
  ];
  const missing: string[] = [];
  while (queue.length) {
    const [from, dep] = queue.shift()!;
    const at = locate(repo.packages, from, dep);
    if (!at) {
      // Optional dependencies of other platforms are simply absent from a lock; anything else is a real gap.
      const parent = from ? repo.packages[from] ?? own : own;
      if (!parent?.optionalDependencies?.[dep]) missing.push(`${dep} (needed by ${from || 'the project'})`);
      continue;
    }
    if (packages[at]) continue;
    const { dev, devOptional, peer, ...entry } = repo.packages[at];
    void dev; void devOptional; void peer;
    packages[at] = entry;
    for (const n of needs(entry)) queue.push([at, n]);
  }
  if (missing.length) throw new Error(`offlineLock: ${repoLockFile} has no entry for ${missing.join(', ')}; run npm install in the repository`);
  return { name, version: '1.0.0', lockfileVersion: 3, requires: true, packages };
}
