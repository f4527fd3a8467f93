/**
 * Per-file state: the parsed file, a checker for symbol identity, TensorFlow bindings (imports, requires,
 * aliases, re-exports), the edits, and what a rewrite reads of the source (positions, argument sites). It owns
 * and delegates to the value-kind data flow (dataflow.ts), the deferred-rewrite scheduler (deferred.ts) and the
 * sites' outcomes with their TODO markers (outcomes.ts). The engine knows TensorFlow names only through the
 * mapping table (lookup/lookupMember).
 */
import { ts } from 'ts-morph';
import type { NoteId } from '../mappings/notes.js';
import type { ArgInfo, CallSite, ValueKind } from '../mappings/schema.js';
import { Edits } from './edits.js';
import { ValueKinds } from './dataflow.js';
import { DeferredRewrites } from './deferred.js';
import { Outcomes } from './outcomes.js';
import type { Diagnostic, LayoutFact, SiteRecord, TranspileOptions } from './types.js';

/** A TensorFlow import/require statement (rewritten once all sites are known). */
export interface TfImport {
  node: ts.Statement;
  kind: 'import' | 'require' | 'side-effect' | 'export';
}

/** Value kinds that are tfjs objects: method calls on them are looked up in the table. */
const RECEIVER_OF: Partial<Record<ValueKind, string>> = {
  Tensor: 'Tensor', Variable: 'Variable', LayersModel: 'LayersModel', Sequential: 'Sequential', Optimizer: 'Optimizer',
  Layer: 'Layer', SymbolicTensor: 'SymbolicTensor', History: 'History',
};

export function receiverClass(kind: ValueKind | undefined): string | undefined {
  return kind ? RECEIVER_OF[kind] : undefined;
}

export class FileContext {
  readonly sf: ts.SourceFile;
  readonly checker: ts.TypeChecker;
  readonly edits: Edits;
  readonly typescript: boolean;
  /** Binding symbol → the qualified tf name it stands for (`tf`, `tf.layers`, `tf.tensor2d`). */
  readonly bindings = new Map<ts.Symbol, string>();
  readonly bindingNames = new Set<string>();
  /** Imported names that hold a tfjs model a local module built (see bindings.ts bindModels). */
  readonly importedModels = new Set<ts.Symbol>();
  /** Imported functions that return a tfjs model a local module builds. */
  readonly importedModelFactories = new Set<ts.Symbol>();
  /** Alias declarations (`const L = tf.layers`), removed once their uses are rewritten. */
  readonly aliasDecls: ts.VariableStatement[] = [];
  readonly tfImports: TfImport[] = [];
  readonly layoutFacts: LayoutFact[] = [];
  /** Code the file now contains that came from the table (to find the runtime namespaces it needs). */
  readonly emitted: string[] = [];
  /** Nodes a pattern rule has taken over: the walk does not treat them as sites of their own. */
  readonly claimed = new Set<ts.Node>();
  usedDataflow = false;
  private readonly kinds = new ValueKinds(this);
  private readonly outcomes = new Outcomes(this);
  private readonly deferred: DeferredRewrites;

  constructor(readonly fileName: string, readonly text: string, readonly opts: TranspileOptions) {
    const ext = fileName.slice(fileName.lastIndexOf('.')).toLowerCase();
    this.typescript = ['.ts', '.tsx', '.mts', '.cts'].includes(ext);
    const kind = { '.tsx': ts.ScriptKind.TSX, '.js': ts.ScriptKind.JS, '.mjs': ts.ScriptKind.JS, '.cjs': ts.ScriptKind.JS, '.jsx': ts.ScriptKind.JSX }[ext] ?? ts.ScriptKind.TS;
    this.sf = ts.createSourceFile(fileName, text, ts.ScriptTarget.ES2022, true, kind);
    this.edits = new Edits(text);
    this.deferred = new DeferredRewrites(this.sf);
    // Symbols only (which `tf` is which): one file, no libraries, no module resolution — fast and enough to
    // tell an import binding from a local variable that shadows it.
    const options: ts.CompilerOptions = { noLib: true, noResolve: true, allowJs: true, checkJs: false, noEmit: true, types: [], target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext };
    const host: ts.CompilerHost = {
      getSourceFile: (f) => (f === fileName ? this.sf : undefined),
      getDefaultLibFileName: () => 'lib.d.ts',
      writeFile: () => undefined,
      getCurrentDirectory: () => '/',
      getCanonicalFileName: (f) => f,
      useCaseSensitiveFileNames: () => true,
      getNewLine: () => '\n',
      fileExists: (f) => f === fileName,
      readFile: () => undefined,
    };
    this.checker = ts.createProgram({ rootNames: [fileName], options, host }).getTypeChecker();
  }

  /** Syntax errors the parser recovered from (the file is not migrated when there are any). */
  parseErrors(): ts.DiagnosticWithLocation[] {
    return (this.sf as unknown as { parseDiagnostics: ts.DiagnosticWithLocation[] }).parseDiagnostics ?? [];
  }

  // --- positions -------------------------------------------------------------------------------------------

  pos(node: ts.Node): { line: number; col: number } {
    const lc = this.sf.getLineAndCharacterOfPosition(node.getStart(this.sf));
    return { line: lc.line + 1, col: lc.character + 1 };
  }

  rewritten(node: ts.Node): string {
    return this.edits.textOf(node.getStart(this.sf), node.getEnd());
  }

  original(node: ts.Node): string {
    return node.getText(this.sf);
  }

  /** Indentation of the line a node starts on. */
  indent(node: ts.Node): string {
    const start = node.getStart(this.sf);
    const lineStart = this.text.lastIndexOf('\n', start - 1) + 1;
    return /^[ \t]*/.exec(this.text.slice(lineStart))![0];
  }

  replace(node: ts.Node, code: string): void {
    this.edits.replace(node.getStart(this.sf), node.getEnd(), code);
    this.emitted.push(code);
  }

  /** Inserts new code at `pos`; like `replace`, it counts towards the runtime namespaces the file imports. */
  insert(pos: number, code: string): void {
    this.edits.insert(pos, code);
    this.emitted.push(code);
  }

  /** Removes a statement; the whole line when it stands alone on it. */
  removeStatement(node: ts.Node): void {
    const start = node.getStart(this.sf);
    const end = node.getEnd();
    const lineStart = this.text.lastIndexOf('\n', start - 1) + 1;
    const nl = this.text.indexOf('\n', end);
    const lineEnd = nl === -1 ? this.text.length : nl + 1;
    const alone = /^[ \t]*$/.test(this.text.slice(lineStart, start)) && /^[ \t]*(\r?\n)?$/.test(this.text.slice(end, lineEnd));
    if (alone) this.edits.replace(lineStart, lineEnd, '');
    else this.edits.replace(start, end, '');
  }

  // --- deferred rewrites (deferred.ts) ---------------------------------------------------------------------

  /**
   * Runs `fn` when every rewrite inside `node` has been made. A rewrite's text is built from the rewritten
   * text of what it contains, and pattern rules (models, fit, predict) only know their code once the whole file
   * has been seen, so all rewrites run at the end, innermost first.
   */
  defer(node: ts.Node, run: () => void): void {
    this.deferred.defer(node, run);
  }

  /** Runs after every deferred rewrite (checks such as "this layer was never used by a model"). */
  after(run: () => void): void {
    this.deferred.after(run);
  }

  runDeferred(): void {
    this.deferred.run();
  }

  // --- bindings --------------------------------------------------------------------------------------------

  bind(nameNode: ts.Node, qualified: string): void {
    const sym = this.checker.getSymbolAtLocation(nameNode);
    if (!sym) return;
    this.bindings.set(sym, qualified);
    if (ts.isIdentifier(nameNode)) this.bindingNames.add(nameNode.text);
  }

  /** The qualified tf name an expression or type name stands for (`tf.layers.dense`), if any. */
  qualify(node: ts.Node): string | undefined {
    if (ts.isIdentifier(node)) {
      if (!this.bindingNames.has(node.text)) return undefined;
      const sym = this.checker.getSymbolAtLocation(node);
      return sym ? this.bindings.get(sym) : undefined;
    }
    if (ts.isPropertyAccessExpression(node)) {
      const q = this.qualify(node.expression);
      return q && ts.isIdentifier(node.name) ? `${q}.${node.name.text}` : undefined;
    }
    if (ts.isQualifiedName(node)) {
      const q = this.qualify(node.left);
      return q ? `${q}.${node.right.text}` : undefined;
    }
    if (ts.isParenthesizedExpression(node)) return this.qualify(node.expression);
    return undefined;
  }

  // --- data flow (dataflow.ts) ----------------------------------------------------------------------------

  /**
   * What kind of tfjs value an expression holds, from declarations and known tf calls (the table's `returns`).
   * Works without types (plain JS); the checker with tfjs's types is asked only where this finds nothing.
   */
  kindOf(node: ts.Node): ValueKind | undefined {
    return this.kinds.kindOf(node);
  }

  /** The kind a function returns: its annotation, else its expression body or first return statement. */
  returnKindOf(fn: ts.SignatureDeclaration): ValueKind | undefined {
    return this.kinds.returnKindOf(fn);
  }

  /** The kind a type annotation names (`tf.Tensor2D`, `Tensor[]`, `Promise<tf.LayersModel>`). */
  kindOfType(type: ts.TypeNode): ValueKind | undefined {
    return this.kinds.kindOfType(type);
  }

  /** A type-text hint for an argument (number vs number[], typed-array kinds), from declarations. */
  typeTextOf(node: ts.Expression): string | undefined {
    return this.kinds.typeTextOf(node);
  }

  // --- arguments -------------------------------------------------------------------------------------------

  /** An argument as transformers see it: rewritten text, literal values, structure. */
  argInfo(node: ts.Expression, lead = '', trail = ''): ArgInfo {
    const text = lead + this.rewritten(node) + trail;
    const simple = ts.isIdentifier(node) || ts.isPropertyAccessExpression(node) || ts.isCallExpression(node) || ts.isElementAccessExpression(node) ||
      ts.isParenthesizedExpression(node) || ts.isStringLiteral(node) || ts.isArrayLiteralExpression(node) || node.kind === ts.SyntaxKind.ThisKeyword ||
      ts.isNonNullExpression(node) || node.kind === ts.SyntaxKind.TrueKeyword || node.kind === ts.SyntaxKind.FalseKeyword || node.kind === ts.SyntaxKind.NullKeyword;
    const base = { text, simple: simple && !lead && !trail, valueKind: this.kindOf(node), typeText: this.typeTextOf(node) };
    if (ts.isNumericLiteral(node)) return { ...base, kind: 'number', value: Number(node.text), simple: false };
    if (ts.isPrefixUnaryExpression(node) && node.operator === ts.SyntaxKind.MinusToken && ts.isNumericLiteral(node.operand)) {
      return { ...base, kind: 'number', value: -Number(node.operand.text), simple: false };
    }
    if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) return { ...base, kind: 'string', value: node.text };
    if (node.kind === ts.SyntaxKind.TrueKeyword || node.kind === ts.SyntaxKind.FalseKeyword) {
      return { ...base, kind: 'boolean', value: node.kind === ts.SyntaxKind.TrueKeyword };
    }
    if (node.kind === ts.SyntaxKind.NullKeyword) return { ...base, kind: 'null' };
    if (ts.isIdentifier(node) && node.text === 'undefined') return { ...base, kind: 'undefined' };
    if (ts.isArrayLiteralExpression(node)) {
      return { ...base, kind: 'array', elements: node.elements.map((e) => (ts.isSpreadElement(e) ? { text: this.rewritten(e), kind: 'spread' as const, simple: false } : this.argInfo(e))) };
    }
    if (ts.isObjectLiteralExpression(node)) {
      const props: Record<string, ArgInfo> = {};
      for (const p of node.properties) {
        const name = p.name && (ts.isIdentifier(p.name) || ts.isStringLiteral(p.name)) ? p.name.text : undefined;
        if (!name) continue;
        if (ts.isPropertyAssignment(p)) props[name] = this.argInfo(p.initializer);
        else if (ts.isShorthandPropertyAssignment(p)) props[name] = this.argInfo(p.name);
      }
      return { ...base, kind: 'object', props, simple: false };
    }
    if (ts.isArrowFunction(node) || ts.isFunctionExpression(node)) return { ...base, kind: 'function', simple: false };
    if (ts.isIdentifier(node)) return { ...base, kind: 'identifier', value: this.constNumber(node) };
    return { ...base, kind: 'expression' };
  }

  /** The value of a name declared `const N = <number literal>` (so `BATCH_SIZE` is known to be 32). */
  constNumber(id: ts.Identifier): number | undefined {
    const d = this.checker.getSymbolAtLocation(id)?.valueDeclaration;
    if (!d || !ts.isVariableDeclaration(d) || !d.initializer || !((d.parent as ts.VariableDeclarationList).flags & ts.NodeFlags.Const)) return undefined;
    const init = d.initializer;
    if (ts.isNumericLiteral(init)) return Number(init.text);
    if (ts.isPrefixUnaryExpression(init) && init.operator === ts.SyntaxKind.MinusToken && ts.isNumericLiteral(init.operand)) return -Number(init.operand.text);
    return undefined;
  }

  /**
   * A CallSite for a row at a call (or a property read). Comments inside the parentheses stay with the argument
   * they belong to: on the same line after an argument, they trail it (as a block comment, since the argument
   * may no longer end its line); on lines of their own, they lead the next argument.
   */
  callSite(key: string, call: ts.CallExpression | ts.NewExpression | undefined, receiver?: ts.Expression): CallSite {
    const list = [...(call?.arguments ?? [])];
    const leads: string[] = list.map(() => '');
    const trails: string[] = list.map(() => '');
    list.forEach((a, i) => {
      const lead = this.text.slice(a.getFullStart(), a.getStart(this.sf));
      const nl = lead.indexOf('\n');
      const sameLine = nl === -1 ? lead : lead.slice(0, nl);
      const own = nl === -1 ? '' : lead.slice(nl);
      if (i > 0) trails[i - 1] += inlineComments(sameLine);
      else leads[i] += inlineComments(sameLine);
      if (/\/[/*]/.test(own)) leads[i] += `${own.replace(/^\s+/, '').replace(/\s+$/, '')}\n${' '.repeat(Math.max(0, this.pos(a).col - 1))}`;
      const next = i + 1 < list.length ? list[i + 1].getFullStart() - 1 : call!.getEnd() - 1;
      trails[i] += inlineComments(this.text.slice(a.getEnd(), next));
    });
    const args = list.map((a, i) => this.argInfo(a, leads[i], trails[i]));
    return {
      key, args, receiver: receiver ? this.argInfo(receiver) : undefined,
      awaited: !!call && ts.isAwaitExpression(skipParensUp(call).parent), layout: this.opts.layout, typescript: this.typescript,
    };
  }

  // --- outcomes (outcomes.ts) -----------------------------------------------------------------------------

  /**
   * Replaces a site with code after checking the runtime has every name the code uses. `userTexts` are the
   * pieces of the user's own code inside it (arguments, receivers): they are left out of the check, so a user
   * variable named `data` is not taken for the runtime's `data` namespace.
   */
  rewrite(node: ts.Node, key: string, code: string, notes: readonly NoteId[] = [], via?: SiteRecord['via'], userTexts: readonly string[] = []): boolean {
    return this.outcomes.rewrite(node, key, code, notes, via, userTexts);
  }

  record(node: ts.Node, key: string, outcome: SiteRecord['outcome'], via?: SiteRecord['via']): void {
    this.outcomes.record(node, key, outcome, via);
  }

  note(node: ts.Node, id: NoteId, key?: string, message?: string): void {
    this.outcomes.note(node, id, key, message);
  }

  /**
   * Leaves the code as it is with a `// torchbridge: TODO(<id>) <reason>` line above its statement (once: a
   * second run finds the marker and adds nothing) and a report entry.
   */
  todo(node: ts.Node, key: string, id: NoteId | string, reason: string): void {
    this.outcomes.todo(node, key, id, reason);
  }

  get sites(): SiteRecord[] {
    return this.outcomes.sites;
  }

  get diagnostics(): Diagnostic[] {
    return this.outcomes.diagnostics;
  }

  get uncovered(): Set<string> {
    return this.outcomes.uncovered;
  }

  /** TODO sites whose code still names a TensorFlow binding: the tf import has to stay. */
  get tfStillReferenced(): boolean {
    return this.outcomes.tfStillReferenced;
  }

  /** Whether a node's source mentions a tf binding (then the tf import must stay for it). */
  referencesTf(node: ts.Node): boolean {
    let found = false;
    const visit = (n: ts.Node): void => {
      if (found) return;
      if (ts.isIdentifier(n) && this.qualify(n)) found = true;
      else ts.forEachChild(n, visit);
    };
    visit(node);
    return found;
  }

  private identifierSet: ReadonlySet<string> | undefined;

  /** Every identifier in the file, walked once: names the rules make (classes, fields, locals) must not clash with one. */
  identifiers(): ReadonlySet<string> {
    if (!this.identifierSet) {
      const ids = new Set<string>();
      const visit = (n: ts.Node): void => {
        if (ts.isIdentifier(n)) ids.add(n.text);
        ts.forEachChild(n, visit);
      };
      visit(this.sf);
      this.identifierSet = ids;
    }
    return this.identifierSet;
  }

  private declared: Set<string> | undefined;

  /** Names the file declares itself (variables, parameters, functions, classes, non-tfjs imports). */
  declaredNames(): Set<string> {
    if (!this.declared) {
      const names = new Set<string>();
      const tfImportNodes = new Set(this.tfImports.map((i) => i.node));
      const visit = (n: ts.Node): void => {
        if (tfImportNodes.has(n as ts.Statement)) return;
        if (ts.isImportDeclaration(n) && ts.isStringLiteral(n.moduleSpecifier) && n.moduleSpecifier.text === 'torchbridge') return;
        const name = (n as ts.NamedDeclaration).name;
        if (name && ts.isIdentifier(name) && (ts.isVariableDeclaration(n) || ts.isParameter(n) || ts.isFunctionDeclaration(n) || ts.isClassDeclaration(n) ||
          ts.isBindingElement(n) || ts.isImportSpecifier(n) || ts.isNamespaceImport(n) || ts.isImportClause(n))) names.add(name.text);
        ts.forEachChild(n, visit);
      };
      visit(this.sf);
      this.declared = names;
    }
    return this.declared;
  }
}

/** The comments in a stretch of trivia, as inline block comments (a leading space each). */
function inlineComments(trivia: string): string {
  const found = trivia.match(/\/\*[\s\S]*?\*\/|\/\/[^\n]*/g) ?? [];
  return found.map((c) => ` ${c.startsWith('//') ? `/* ${c.slice(2).trim().replace(/\*\//g, '* /')} */` : c}`).join('');
}

export function skipParensUp(node: ts.Node): ts.Node {
  let n = node;
  while (ts.isParenthesizedExpression(n.parent)) n = n.parent;
  return n;
}
