/**
 * The probe-insertion pass: rewrites a program's training and evaluation calls into calls to the probe module of
 * its side, which records (reference) or replays (candidate) around the same numerics.
 *
 *   original (tfjs):      model.fit(x, y, cfg)            →  __tb.fit(model, x, y, cfg)
 *                         model.evaluate(x, y, cfg)       →  __tb.evaluate(model, x, y, cfg)
 *   migrated (runtime):   utils.fit(model, x, y, opts)    →  __tb.fit(model, x, y, opts)
 *                         utils.evaluate(model, x, y, o)  →  __tb.evaluate(model, x, y, o)
 *
 * and adds `import '<probe module>'; import * as __tb from '<probe module>';` on the first line of every module
 * instrumented (the entry and the local modules it imports, local_modules.ts: one probe instance, shared by URL). On the
 * tfjs side any `.fit(a, b, ...)` / `.evaluate(a, b, ...)` call is rewritten without asking the type checker: the
 * probe checks at run time that its receiver is a tf.LayersModel and otherwise calls the original method unchanged,
 * so a false match costs nothing. On the runtime side only calls through the `utils` namespace imported from
 * 'torchbridge' are rewritten.
 *
 * Whether there is anything to probe is decided over all the program's modules together (instrumentModules).
 *
 * A program with no fit call that trains with a custom loop (reference: `optimizer.minimize`, or `tf.variableGrads`
 * then `optimizer.applyGradients`; candidate: `optimizer.step()` after a `backward()`) is instrumented with the
 * imports only (`customLoop`): the probes hook those calls by patching prototypes (loop_probe_tfjs.ts,
 * loop_probe_runtime.ts), so the loop runs as written. On the reference side `const w = tf.variable(...)` also
 * becomes `const w = __tb.declared(tf.variable(...), 'w')`, so the report can name a variable as the program does.
 * Hand-written updates count as a custom loop too (reference: `tf.grads` / `tf.valueAndGrads` / `tf.variableGrads`
 * with `variable.assign`, or `model.trainOnBatch` / `model.fitDataset`; candidate: `autograd.grad` with `copy_`); on
 * the candidate side `torch.autograd.grad(...)` becomes `__tb.autogradGrad(...)`, which remembers the step's loss.
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
  /** No fit call, but a custom training loop for the loop probes to hook. */
  customLoop: boolean;
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

/** One module looked at: its parse and the fit/evaluate rewrites found in it (before the program-wide decision). */
interface ModuleScan {
  fileName: string;
  text: string;
  sf: SourceFile;
  edits: Edit[];
  fitCalls: number;
  evaluateCalls: number;
  tfjsNodeImports: string[];
  format: 'module' | 'commonjs';
}

type Edit = { start: number; end: number; text: string };

/** A program's instrumented modules (the entry first) and the program-wide counts. */
export interface InstrumentedModules {
  modules: (Instrumented & { fileName: string })[];
  fitCalls: number;
  evaluateCalls: number;
  customLoop: boolean;
  tfjsNodeImports: string[];
}

/** One file on its own: `instrumentModules` with the file as the whole program. */
export function instrumentProgram(fileName: string, text: string, role: 'reference' | 'candidate', probeModuleUrl: string): Instrumented {
  return instrumentModules([{ fileName, text }], role, probeModuleUrl).modules[0];
}

/**
 * Instruments every module of a program (the entry first, then the local modules it imports): fit/evaluate calls
 * are rewritten wherever they are, and whether there is anything to probe (a fit call, else a custom loop) is decided
 * over all of them together — a model compiled in one module can be trained in another. Each module gets the probe
 * import (by URL, so every module shares the one probe instance).
 */
export function instrumentModules(files: { fileName: string; text: string }[], role: 'reference' | 'candidate', probeModuleUrl: string): InstrumentedModules {
  // A CommonJS module other than the entry is loaded by `require`, past the diff's ESM hooks: not instrumented.
  const scans = files.map((f) => scanModule(f.fileName, f.text, role)).filter((s, i) => i === 0 || s.format === 'module');
  const fitCalls = scans.reduce((n, s) => n + s.fitCalls, 0);
  const evaluateCalls = scans.reduce((n, s) => n + s.evaluateCalls, 0);
  const texts = scans.map((s) => s.text);
  const anyText = (re: RegExp) => texts.some((t) => re.test(t));
  let customLoop = false;
  if (fitCalls === 0) {
    customLoop = role === 'reference'
      ? anyText(REFERENCE_LOOP) || ASSIGN_LOOP.every(anyText)
      : CANDIDATE_LOOP.every(anyText) || CANDIDATE_ASSIGN_LOOP.every(anyText);
    const where = scans.length === 1
      ? scans[0].fileName
      : `${scans[0].fileName} (and the local modules it imports, looked at too: ${scans.slice(1).map((s) => s.fileName).join(', ')})`;
    if (!customLoop && role === 'reference') {
      throw new InstrumentError(`${where}: found nothing to probe: no model.fit(x, y, ...) call and no custom training loop (optimizer.minimize, or tf.variableGrads with optimizer.applyGradients, or tf.grads / tf.valueAndGrads / tf.variableGrads with variable.assign, or model.trainOnBatch / model.fitDataset); torchbridge diff compares programs that train one of these ways — point it at the program's training entry file`);
    }
    if (!customLoop) {
      const loop = anyText(/\.backward\s*\(\s*\)/);
      throw new InstrumentError(`${where}: found nothing to probe: no utils.fit(model, x, y, ...) call, no optimizer.step() after a backward() and no autograd.grad with copy_ updates${loop ? ' (the program calls backward() but never an optimizer\'s step())' : ''}; migrate the original with \`torchbridge migrate --fit helper\` (or let \`torchbridge diff\` migrate it, leaving out --migrated)`);
    }
    for (const s of scans) s.edits.push(...(role === 'reference' ? declaredVariables(s.sf) : autogradCalls(s.sf)));
  }
  const modules = scans.map((s) => ({
    fileName: s.fileName,
    text: applyEdits(s.text, s.edits, probeModuleUrl),
    fitCalls: s.fitCalls,
    evaluateCalls: s.evaluateCalls,
    customLoop,
    tfjsNodeImports: s.tfjsNodeImports,
    format: s.format,
  }));
  return { modules, fitCalls, evaluateCalls, customLoop, tfjsNodeImports: [...new Set(scans.flatMap((s) => s.tfjsNodeImports))] };
}

function scanModule(fileName: string, text: string, role: 'reference' | 'candidate'): ModuleScan {
  const project = new Project({ useInMemoryFileSystem: true, compilerOptions: { allowJs: true } });
  const sf = project.createSourceFile(fileName.replace(/^.*[\\/]/, ''), text, { scriptKind: /\.[cm]?jsx?$/.test(fileName) ? ScriptKind.JS : ScriptKind.TS });
  const tfjsNodeImports = sf.getImportDeclarations().map((d) => d.getModuleSpecifierValue()).filter((s) => TFJS_NODE.test(s));
  const edits: Edit[] = [];
  let fitCalls = 0;
  let evaluateCalls = 0;
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
  return { fileName, text, sf, edits, fitCalls, evaluateCalls, tfjsNodeImports, format: moduleFormat(fileName, sf) };
}

function applyEdits(text: string, edits: Edit[], probeModuleUrl: string): string {
  edits.sort((a, b) => b.start - a.start);
  let out = text;
  for (const e of edits) out = out.slice(0, e.start) + e.text + out.slice(e.end);
  // First, so the probe module (which picks the tfjs backend / reads the reference trace) runs before the program;
  // a bare import as well, since TypeScript's compile (esbuild, in hooks.mjs) drops a namespace import nothing
  // uses (a custom loop has no __tb call); on the program's first line (after a shebang), so an error's line
  // numbers stay the program's.
  const imports = `import ${JSON.stringify(probeModuleUrl)}; import * as ${PROBE_NAMESPACE} from ${JSON.stringify(probeModuleUrl)}; `;
  const shebang = /^#!.*\n/.exec(out)?.[0] ?? '';
  return `${shebang}${imports}${out.slice(shebang.length)}`;
}

/** What a custom loop looks like on each side (text: the probes, not this pass, decide at run time what to hook). */
const REFERENCE_LOOP = /\.minimize\s*\(|\.applyGradients\s*\(|\.trainOnBatch\s*\(|\.fitDataset\s*\(/;
const CANDIDATE_LOOP = [/\.backward\s*\(/, /\.step\s*\(\s*\)/];
/** Hand-written updates: gradients from tf.grads & co., then variable.assign; migrated: autograd.grad, then copy_. */
const ASSIGN_LOOP = [/\b(grads?|valueAndGrads?|variableGrads)\s*\(/, /\.assign\s*\(/];
const CANDIDATE_ASSIGN_LOOP = [/\bautograd\.grad\s*\(/, /\.copy_\s*\(/];

/**
 * `torch.autograd.grad(...)` → `__tb.autogradGrad(...)` (the probe remembers the loss and ends an open step; the
 * namespace's export cannot be patched in place).
 */
function autogradCalls(sf: SourceFile): Edit[] {
  const edits: Edit[] = [];
  for (const call of sf.getDescendantsOfKind(SyntaxKind.CallExpression)) {
    const callee = call.getExpression();
    if (!Node.isPropertyAccessExpression(callee) || callee.getName() !== 'grad') continue;
    const owner = callee.getExpression();
    const isAutograd = (Node.isPropertyAccessExpression(owner) && owner.getName() === 'autograd') || (Node.isIdentifier(owner) && owner.getText() === 'autograd');
    if (isAutograd) edits.push({ start: callee.getStart(), end: callee.getEnd(), text: `${PROBE_NAMESPACE}.autogradGrad` });
  }
  return edits;
}

/** `const w = tf.variable(...)` → `const w = __tb.declared(tf.variable(...), 'w')` (see the header). */
function declaredVariables(sf: SourceFile): Edit[] {
  const edits: Edit[] = [];
  for (const decl of sf.getDescendantsOfKind(SyntaxKind.VariableDeclaration)) {
    const init = decl.getInitializer();
    const nameNode = decl.getNameNode();
    if (!init || !Node.isIdentifier(nameNode) || !Node.isCallExpression(init)) continue;
    const callee = init.getExpression();
    const isVariable = (Node.isPropertyAccessExpression(callee) && callee.getName() === 'variable') || (Node.isIdentifier(callee) && callee.getText() === 'variable');
    if (!isVariable) continue;
    edits.push({ start: init.getStart(), end: init.getEnd(), text: `${PROBE_NAMESPACE}.declared(${init.getText()}, ${JSON.stringify(nameNode.getText())})` });
  }
  return edits;
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
