/**
 * The type checker with TensorFlow.js's declarations, for receivers data flow cannot resolve (`x.square()`
 * where x comes from a destructured call, a class member, a generic). One ts-morph Project per process,
 * created on first use (loading tfjs's types takes a second or two); tfjs packages resolve to the copy
 * torchbridge depends on, so files outside this repository type-check the same way.
 */
import { Project, ts } from 'ts-morph';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { lookup } from '../mappings/index.js';
import { receiverClass } from './context.js';

/**
 * Thrown by the `'elsewhere'` oracle at a file's first question: the file is migrated again in the thread that
 * has the checker. Worker threads of a project migration run so, because loading tfjs's ~450 declaration files
 * costs each thread that builds a checker over a second, and only some files (about one in ten of the bench
 * corpus) ask it anything.
 */
export class TypesElsewhere extends Error {
  constructor(readonly file: string) {
    super(`${file}: needs the type checker, which this thread does not load`);
  }
}

/** The oracle of a thread without the checker (see TypesElsewhere). */
export const elsewhereOracle = (fileName: string): TypeOracle => ({
  classOf() {
    throw new TypesElsewhere(fileName);
  },
});

export interface TypeOracle {
  /** The tfjs class (table receiver class) of the value at `node`, if its type is declared by tfjs. */
  classOf(node: ts.Node): string | undefined;
}

let project: Project | undefined;
const checkersSeen = new WeakSet<ts.TypeChecker>();
let checkersMade = 0;
/** How many type checkers this thread has built (each costs the merge of tfjs's declarations). */
export const typeCheckersMade = (): number => checkersMade;

/** A project's files, added to the checker's program together on its first use (primeTypeOracle). */
let pending: { path: string; text: string }[] = [];

/**
 * Tells the oracle every file a project migration will ask about. Each file added to the program on its own
 * makes a new program and checker (tens of milliseconds each with tfjs's ~650 declaration files merged in
 * again); added together, one checker serves them all. The files are added only if the checker is needed.
 */
export function primeTypeOracle(files: readonly { path: string; text: string }[]): void {
  for (const f of files) if (/\.[cm]?[jt]sx?$/i.test(f.path)) pending.push({ path: f.path, text: f.text });
}

/**
 * `@tensorflow/tfjs` as the checker sees it: the API packages its index re-exports (core with its chained-op
 * Tensor methods, layers, converter, data), without the CPU and WebGL backends' ~210 declaration files, which declare no value a migrated program calls
 * tfjs methods on. A third of the checker's start-up, for the same answers.
 */
const TFJS_API = '/__torchbridge__/tfjs.d.ts';
const TFJS_API_TEXT = `import '@tensorflow/tfjs-core/dist/public/chained_ops/register_all_chained_ops';
export * from '@tensorflow/tfjs-core';
export * from '@tensorflow/tfjs-layers';
export * from '@tensorflow/tfjs-converter';
import * as data from '@tensorflow/tfjs-data';
export { data };
`;

/** Declaration files of tfjs's API packages, resolved from tfjs's own folder, so imports resolve from any directory. */
function tfjsPaths(): Record<string, string[]> {
  const types = (pkg: string, from: string) => {
    const require = createRequire(from);
    const pj = require.resolve(`${pkg}/package.json`);
    const json = require(pj) as { types?: string; typings?: string };
    return join(dirname(pj), json.types ?? json.typings ?? 'dist/index.d.ts');
  };
  const tfjsDir = dirname(createRequire(import.meta.url).resolve('@tensorflow/tfjs/package.json'));
  const paths: Record<string, string[]> = { '@tensorflow/tfjs': [TFJS_API], '@tensorflow/tfjs-node': [TFJS_API], '@tensorflow/tfjs-node-gpu': [TFJS_API] };
  for (const p of ['@tensorflow/tfjs-core', '@tensorflow/tfjs-layers', '@tensorflow/tfjs-converter', '@tensorflow/tfjs-data']) paths[p] = [types(p, join(tfjsDir, 'package.json'))];
  // The chained ops (`x.square()`) are declared by module augmentation in a file the index imports by subpath.
  paths['@tensorflow/tfjs-core/*'] = [join(dirname(dirname(paths['@tensorflow/tfjs-core'][0])), '*')];
  return paths;
}

function getProject(): Project {
  if (!project) {
    project = new Project({
      compilerOptions: {
        allowJs: true, checkJs: false, noEmit: true, skipLibCheck: true, strict: false, target: ts.ScriptTarget.ES2022,
        // No lib.dom: the DOM's types are no tfjs class (a canvas passed to tf.browser.fromPixels is any here),
        // and merging its ~40k lines into every checker cost a tenth of a corpus migration's time.
        module: ts.ModuleKind.ESNext, moduleResolution: ts.ModuleResolutionKind.Bundler, types: [], lib: ['lib.es2022.d.ts'],
        paths: tfjsPaths(),
      },
      skipAddingFilesFromTsConfig: true,
    });
    project.createSourceFile(TFJS_API, TFJS_API_TEXT);
  }
  return project;
}

/** The innermost node of `sf` spanning exactly [start, end). */
function nodeAt(sf: ts.SourceFile, start: number, end: number): ts.Node | undefined {
  let found: ts.Node | undefined;
  const visit = (n: ts.Node): void => {
    if (n.getStart(sf) <= start && n.getEnd() >= end) {
      if (n.getStart(sf) === start && n.getEnd() === end) found = n;
      ts.forEachChild(n, visit);
    }
  };
  visit(sf);
  return found;
}

/** A TypeOracle for one file's text (the file is added to the shared project, replacing an older version). */
export function typeOracle(fileName: string, text: string, sourceOf: (n: ts.Node) => ts.SourceFile): TypeOracle {
  let sf: ts.SourceFile | undefined;
  let checker: ts.TypeChecker | undefined;
  const memo = new Map<string, string | undefined>();
  return {
    classOf(node) {
      const orig = sourceOf(node);
      const start = node.getStart(orig);
      const key = `${start}:${node.getEnd()}`;
      if (memo.has(key)) return memo.get(key);
      if (!sf) {
        const p = getProject();
        for (const f of pending.splice(0)) p.createSourceFile(f.path, f.text, { overwrite: true });
        // A primed file with this text is in the program already: no new program, the same checker.
        const primed = p.getSourceFile(fileName);
        const file = primed && primed.getFullText() === text ? primed : p.createSourceFile(fileName, text, { overwrite: true });
        sf = file.compilerNode;
        checker = p.getTypeChecker().compilerObject;
        if (!checkersSeen.has(checker)) {
          checkersSeen.add(checker);
          checkersMade++;
        }
      }
      const n = nodeAt(sf, start, node.getEnd());
      let cls: string | undefined;
      if (n && checker) cls = classOfType(checker, checker.getTypeAtLocation(n), new Set());
      memo.set(key, cls);
      return cls;
    },
  };
}

function classOfType(checker: ts.TypeChecker, type: ts.Type, seen: Set<ts.Type>): string | undefined {
  if (seen.has(type)) return undefined;
  seen.add(type);
  if (type.isUnion()) {
    for (const t of type.types) {
      const c = classOfType(checker, t, seen);
      if (c) return c;
    }
    return undefined;
  }
  const sym = type.getSymbol() ?? type.aliasSymbol;
  const decl = sym?.declarations?.[0];
  if (sym && decl && /@tensorflow[\\/]tfjs/.test(decl.getSourceFile().fileName)) {
    const c = receiverClass(lookup(`tf.${sym.getName()}`)?.returns);
    if (c) return c;
    if (type.isClassOrInterface()) {
      for (const b of checker.getBaseTypes(type)) {
        const bc = classOfType(checker, b, seen);
        if (bc) return bc;
      }
    }
  }
  return undefined;
}
