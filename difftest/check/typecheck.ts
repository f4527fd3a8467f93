/**
 * Type-checks migrated programs against the runtime's types with the TypeScript compiler API (what
 * `tsc --noEmit` would say), as `check`'s second gate and the fixtures test's. Statements carrying a
 * `// torchbridge: TODO(...)` marker, and uses of what they declare, are exempt: their code still holds TensorFlow.js
 * values until a human finishes it, and the TODO gate judges them.
 */
import ts from 'typescript';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { existsSync } from 'node:fs';
import { PACKAGE_ROOT, runtimeTypes } from '../../transpiler/package_root.js';
import { isTodoMarker } from '../../transpiler/todo_marker.js';

export interface TypeProblem {
  file: string;
  line: number;
  col: number;
  message: string;
}

/**
 * The compiler options: the project's own tsconfig (the nearest one above the first file) where there is one,
 * otherwise strict ES2022/NodeNext (JavaScript files: checkJs, not strict); `torchbridge` always resolves to this
 * runtime, so a migrated copy in any folder is checked against the runtime that will run it.
 */
export function checkerOptions(near: string): ts.CompilerOptions {
  let options: ts.CompilerOptions = {
    target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext,
    strict: true, esModuleInterop: true, resolveJsonModule: true, lib: ['lib.es2022.d.ts', 'lib.esnext.disposable.d.ts', 'lib.dom.d.ts'],
  };
  const config = ts.findConfigFile(dirname(resolve(near)), ts.sys.fileExists);
  if (config) {
    const read = ts.readConfigFile(config, ts.sys.readFile);
    if (!read.error) options = ts.parseJsonConfigFileContent(read.config, ts.sys, dirname(config)).options;
  }
  // A JavaScript program is checked as `// @ts-check` would: calls into the runtime and tfjs against their types,
  // without TypeScript's strictness on the program's own untyped code (implicit any, open object literals).
  const js = /\.[cm]?jsx?$/.test(near) ? { allowJs: true, checkJs: true, strict: false, noImplicitAny: false } : {};
  return {
    ...options,
    ...js,
    noEmit: true,
    skipLibCheck: true,
    // Node's types come from wherever the project has them, else from torchbridge's own install (a dependency of
    // the package; hoisted above it in a user's node_modules, or inside it).
    typeRoots: [...(options.typeRoots ?? typeRootsAbove(dirname(resolve(near)))), ...typeRootsAbove(PACKAGE_ROOT)].filter((p, i, a) => existsSync(p) && a.indexOf(p) === i),
    types: options.types ?? ['node'],
    paths: { ...options.paths, torchbridge: [runtimeTypes()] },
  };
}

/** Every `node_modules/@types` folder from `dir` up to the root (TypeScript's default type roots, seen from `dir`). */
function typeRootsAbove(dir: string): string[] {
  const roots: string[] = [];
  for (let d = dir; ; d = dirname(d)) {
    const p = join(d, 'node_modules', '@types');
    if (existsSync(p)) roots.push(p);
    if (dirname(d) === d) return roots;
  }
}

/**
 * Type problems in `files` and in the program's own files they import: those under one of `scopes` (default: the
 * files' folders), outside node_modules. Errors inside the runtime or libraries are not the program's.
 */
export function typeCheck(files: string[], options: ts.CompilerOptions = checkerOptions(files[0]), scopes: string[] = files.map((f) => dirname(resolve(f)))): TypeProblem[] {
  const program = ts.createProgram(files.map((f) => resolve(f)), options);
  // Creating the checker binds every file, which sets the parent links todoLines walks.
  program.getTypeChecker();
  const problems: TypeProblem[] = [];
  const inScope = (f: string) => !/[\\/]node_modules[\\/]/.test(f) && scopes.some((d) => f.startsWith(resolve(d) + sep));
  const checked = [...new Set([...files.map((f) => resolve(f)), ...program.getSourceFiles().map((sf) => resolve(sf.fileName)).filter(inScope)])];
  for (const file of checked) {
    const sf = program.getSourceFile(file);
    if (!sf) {
      problems.push({ file, line: 1, col: 1, message: 'the TypeScript compiler could not read this file' });
      continue;
    }
    if (sf.isDeclarationFile && !files.some((f) => resolve(f) === file)) continue;
    const exempt = todoLines(sf);
    for (const d of [...program.getSyntacticDiagnostics(sf), ...program.getSemanticDiagnostics(sf)]) {
      const lc = d.start === undefined ? { line: 0, character: 0 } : sf.getLineAndCharacterOfPosition(d.start);
      if (exempt.has(lc.line + 1)) continue;
      problems.push({ file, line: lc.line + 1, col: lc.character + 1, message: ts.flattenDiagnosticMessageText(d.messageText, ' ') });
    }
  }
  return problems;
}

export const formatTypeProblem = (p: TypeProblem, cwd = process.cwd()): string =>
  `${relative(cwd, p.file) || p.file}:${p.line}:${p.col} ${p.message}`;

/**
 * Lines of statements that carry a `// torchbridge: TODO(...)` marker (their code still needs a human), and
 * lines that use a name such a statement declares (its value is still a tfjs value until the TODO is done).
 */
export function todoLines(sf: ts.SourceFile): Set<number> {
  const lines = new Set<number>();
  const tainted = new Set<string>();
  const text = sf.getFullText();
  const lineOf = (p: number) => sf.getLineAndCharacterOfPosition(p).line + 1;
  const visit = (n: ts.Node): void => {
    const comments = ts.getLeadingCommentRanges(text, n.pos) ?? [];
    if (comments.some((c) => isTodoMarker(text.slice(c.pos, c.end)))) {
      for (let l = lineOf(n.getStart(sf)); l <= lineOf(n.getEnd()); l++) lines.add(l);
      // The parent is passed down: a program's source files need not have parent pointers set.
      const names = (b: ts.Node, parent: ts.Node | undefined): void => {
        if (ts.isIdentifier(b) && parent && (ts.isVariableDeclaration(parent) || ts.isBindingElement(parent))) tainted.add(b.text);
        ts.forEachChild(b, (c) => names(c, b));
      };
      names(n, undefined);
    }
    ts.forEachChild(n, visit);
  };
  visit(sf);
  const uses = (n: ts.Node): void => {
    if (ts.isIdentifier(n) && tainted.has(n.text)) lines.add(lineOf(n.getStart(sf)));
    ts.forEachChild(n, uses);
  };
  uses(sf);
  return lines;
}
