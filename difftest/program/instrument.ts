/**
 * The probe-insertion pass: rewrites a program's training and evaluation calls into calls to the probe module of
 * its side, which records (reference) or replays (candidate) around the same numerics.
 *
 *   original (tfjs):      model.fit(x, y, cfg)            →  __tb.fit(model, x, y, cfg)
 *                         model.evaluate(x, y, cfg)       →  __tb.evaluate(model, x, y, cfg)
 *   migrated (runtime):   utils.fit(model, x, y, opts)    →  __tb.fit(model, x, y, opts)
 *                         utils.evaluate(model, x, y, o)  →  __tb.evaluate(model, x, y, o)
 *
 * and adds `import * as __tb from '<probe module>'` at the top. On the tfjs side any `.fit(a, b, ...)` /
 * `.evaluate(a, b, ...)` call is rewritten without asking the type checker: the probe checks at run time that its
 * receiver is a tf.LayersModel and otherwise calls the original method unchanged, so a false match costs nothing.
 * On the runtime side only calls through the `utils` namespace imported from 'torchbridge' are rewritten.
 *
 * Edits are spliced into the original text (positions from ts-morph's AST), so everything else — comments,
 * formatting, line numbers of other statements — stays as written.
 */
import { Node, Project, ScriptKind, SyntaxKind, type CallExpression, type SourceFile } from 'ts-morph';

export const PROBE_NAMESPACE = '__tb';

export interface Instrumented {
  text: string;
  fitCalls: number;
  evaluateCalls: number;
  /** Module specifiers of tfjs-node packages the program imports (reported when they are redirected to tfjs). */
  tfjsNodeImports: string[];
  /**
   * The program's module system: `commonjs` (`.cjs`/`.cts`, or `require`/`module.exports` without import/export
   * declarations) or `module`. The instrumented text is an ES module either way (the probe import comes first); a
   * CommonJS program gets its `require`, `module`, `exports`, `__filename` and `__dirname` from the diff's hooks.
   */
  format: 'module' | 'commonjs';
}

/** Thrown when a program has nothing the probes can hook; the message says what to do. */
export class InstrumentError extends Error {}

const TFJS_NODE = /^@tensorflow\/tfjs-node(-gpu)?$/;

export function instrumentProgram(fileName: string, text: string, role: 'reference' | 'candidate', probeModuleUrl: string): Instrumented {
  const project = new Project({ useInMemoryFileSystem: true, compilerOptions: { allowJs: true } });
  const sf = project.createSourceFile(fileName.replace(/^.*[\\/]/, ''), text, { scriptKind: /\.[cm]?js$/.test(fileName) ? ScriptKind.JS : ScriptKind.TS });
  const tfjsNodeImports = sf.getImportDeclarations().map((d) => d.getModuleSpecifierValue()).filter((s) => TFJS_NODE.test(s));
  const edits: { start: number; end: number; text: string }[] = [];
  let fitCalls = 0;
  let evaluateCalls = 0;

  const format = moduleFormat(fileName, sf);
  const utilsNames = role === 'candidate' ? runtimeUtilsNames(sf) : new Set<string>();
  for (const call of sf.getDescendantsOfKind(SyntaxKind.CallExpression)) {
    const callee = call.getExpression();
    if (!Node.isPropertyAccessExpression(callee)) continue;
    const method = callee.getName();
    if (method !== 'fit' && method !== 'evaluate') continue;
    const receiver = callee.getExpression();
    const args = call.getArguments();
    if (role === 'reference') {
      if (args.length < 2) continue;
      edits.push({ start: call.getStart(), end: call.getEnd(), text: `${PROBE_NAMESPACE}.${method}(${receiver.getText()}, ${argsText(call)})` });
    } else {
      if (!Node.isIdentifier(receiver) || !utilsNames.has(receiver.getText())) continue;
      edits.push({ start: callee.getStart(), end: callee.getEnd(), text: `${PROBE_NAMESPACE}.${method}` });
    }
    if (method === 'fit') fitCalls++;
    else evaluateCalls++;
  }

  if (fitCalls === 0) {
    if (role === 'reference') {
      const minimize = /\.minimize\s*\(|variableGrads\s*\(/.test(text);
      throw new InstrumentError(`${fileName}: no model.fit(x, y, ...) call found to probe${minimize ? ' (the program trains with a custom loop — optimizer.minimize / tf.variableGrads — which the program-level diff does not probe yet)' : ''}; torchbridge diff compares programs that train with model.fit`);
    }
    const loop = /\.backward\s*\(\s*\)/.test(text);
    throw new InstrumentError(`${fileName}: no utils.fit(model, x, y, ...) call found to probe${loop ? ' (the program trains with an explicit loop, as `migrate --fit loop` writes)' : ''}; migrate the original with \`torchbridge migrate --fit helper\` (or let \`torchbridge diff\` migrate it, leaving out --migrated)`);
  }

  edits.sort((a, b) => b.start - a.start);
  let out = text;
  for (const e of edits) out = out.slice(0, e.start) + e.text + out.slice(e.end);
  // First, so the probe module (which picks the tfjs backend / reads the reference trace) runs before the program.
  out = `import * as ${PROBE_NAMESPACE} from ${JSON.stringify(probeModuleUrl)};\n${out}`;
  return { text: out, fitCalls, evaluateCalls, tfjsNodeImports, format };
}

function argsText(call: CallExpression): string {
  const args = call.getArguments();
  return call.getSourceFile().getFullText().slice(args[0].getStart(), args[args.length - 1].getEnd());
}

/** Local names bound to the runtime's `utils` namespace: `import { utils } from 'torchbridge'`, or
 * `const { utils } = require('torchbridge')` (either aliased). */
function runtimeUtilsNames(sf: SourceFile): Set<string> {
  const names = new Set<string>();
  for (const d of sf.getImportDeclarations()) {
    if (d.getModuleSpecifierValue() !== 'torchbridge') continue;
    for (const n of d.getNamedImports()) if (n.getName() === 'utils') names.add(n.getAliasNode()?.getText() ?? 'utils');
  }
  for (const v of sf.getDescendantsOfKind(SyntaxKind.VariableDeclaration)) {
    const init = v.getInitializer();
    const pattern = v.getNameNode();
    if (!init || !isRequireOf(init, 'torchbridge') || !Node.isObjectBindingPattern(pattern)) continue;
    for (const el of pattern.getElements()) {
      const key = el.getPropertyNameNode()?.getText() ?? el.getName();
      if (key === 'utils') names.add(el.getName());
    }
  }
  return names;
}

function isRequireOf(node: Node, spec?: string): boolean {
  if (!Node.isCallExpression(node)) return false;
  const callee = node.getExpression();
  const [arg] = node.getArguments();
  return Node.isIdentifier(callee) && callee.getText() === 'require' && arg !== undefined && Node.isStringLiteral(arg) && (spec === undefined || arg.getLiteralValue() === spec);
}

/** `.cjs`/`.cts` are CommonJS, `.mjs`/`.mts` ES modules; otherwise the code says: import/export declarations make an
 * ES module, `require(...)` or `module.exports`/`exports.x` without them CommonJS. */
export function moduleFormat(fileName: string, sf: SourceFile): 'module' | 'commonjs' {
  if (/\.c[jt]s$/.test(fileName)) return 'commonjs';
  if (/\.m[jt]s$/.test(fileName)) return 'module';
  if (sf.getImportDeclarations().length || sf.getExportDeclarations().length || sf.getExportAssignments().length) return 'module';
  if (sf.getStatements().some((st) => Node.isExportable(st) && st.hasExportKeyword())) return 'module';
  const cjs = sf.getDescendants().some((n) => isRequireOf(n)
    || (Node.isPropertyAccessExpression(n) && ((n.getExpression().getText() === 'module' && n.getName() === 'exports') || n.getExpression().getText() === 'exports')));
  return cjs ? 'commonjs' : 'module';
}
