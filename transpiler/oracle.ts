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

export interface TypeOracle {
  /** The tfjs class (table receiver class) of the value at `node`, if its type is declared by tfjs. */
  classOf(node: ts.Node): string | undefined;
}

let project: Project | undefined;

/** Declaration files of tfjs and the packages it re-exports, so imports resolve from any directory. */
function tfjsPaths(): Record<string, string[]> {
  const require = createRequire(import.meta.url);
  const types = (pkg: string) => {
    const dir = dirname(require.resolve(`${pkg}/package.json`));
    const json = require(`${pkg}/package.json`) as { types?: string; typings?: string };
    return join(dir, json.types ?? json.typings ?? 'dist/index.d.ts');
  };
  const tfjs = types('@tensorflow/tfjs');
  const paths: Record<string, string[]> = { '@tensorflow/tfjs': [tfjs], '@tensorflow/tfjs-node': [tfjs], '@tensorflow/tfjs-node-gpu': [tfjs] };
  for (const p of ['@tensorflow/tfjs-core', '@tensorflow/tfjs-layers']) paths[p] = [types(p)];
  return paths;
}

function getProject(): Project {
  if (!project) {
    project = new Project({
      compilerOptions: {
        allowJs: true, checkJs: false, noEmit: true, skipLibCheck: true, strict: false, target: ts.ScriptTarget.ES2022,
        module: ts.ModuleKind.ESNext, moduleResolution: ts.ModuleResolutionKind.Bundler, types: [], lib: ['lib.es2022.d.ts', 'lib.dom.d.ts'],
        paths: tfjsPaths(),
      },
      skipAddingFilesFromTsConfig: true,
    });
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
        const file = p.createSourceFile(fileName, text, { overwrite: true });
        sf = file.compilerNode;
        checker = p.getTypeChecker().compilerObject;
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
