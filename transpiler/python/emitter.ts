/**
 * The Python → TypeScript translator: walks the @lezer/python tree statement by statement and writes
 * TypeScript on the runtime. TensorFlow names go through names.ts to the mapping table's rows (emitRow, the
 * layer transformers, buildChain) so the TypeScript and Python front-ends emit the same code for the same API;
 * Python semantics (tuple unpacking, range/zip/enumerate, comprehensions, //, **, negative slicing, f-strings,
 * %-formatting, keyword and default arguments, with blocks) are translated here. A statement this cannot
 * translate becomes a `// torchbridge: TODO(<id>) <reason>` marker over the commented Python, with a report
 * entry; nothing is guessed.
 */
import type { ArgInfo, CallSite, Mapping, NoteId, Shape } from '../../mappings/schema.js';
import { lookup } from '../../mappings/index.js';
import { emitRow } from '../../mappings/emit.js';
import { NOTES } from '../../mappings/notes.js';
import type { RuntimeApi } from '../../mappings/runtime_api.js';
import { buildChain, FieldNames, planLayer, resolveStep, type ChainLayer, type Field } from '../rules/model_code.js';
import { formatTodoMarker } from '../todo_marker.js';
import type { Diagnostic, SiteRecord } from '../types.js';
import { ACCURACY_METRICS, COMPILE_LOSSES, COMPILE_METRICS, COMPILE_OPTIMIZERS } from '../../mappings/compile.js';
import { camel, DTYPES, METHOD_RENAMES, MODULE_ALIASES, PY_INIT, PY_NAMES, PY_UNSUPPORTED, TENSOR_METHODS, type PyEntry } from './names.js';
import { children, exprChildren, lineCol, type Parsed, type SyntaxNode } from './parse.js';
import { closeScope, marker, Scope, TS_TYPES, type Kind, type VarInfo } from './scope.js';

/** A translated expression. */
export interface Val {
  code: string;
  kind: Kind;
  /** Usable as a receiver (`code.method()`) without parentheses. */
  primary: boolean;
  elems?: Val[];
  elemKind?: Kind;
  lit?: number | string | boolean;
  /** A Python float literal (1.0, 1e-4): TensorFlow makes float32 from it, int32 from integer literals. */
  floatLit?: boolean;
  /** Namespace path (`tf.keras.layers`) for module references. */
  path?: string;
  cls?: string;
  /** tf.data pipeline state. */
  dataset?: { tensors: string; shuffle: boolean; batch?: string };
  /** A Keras symbolic tensor: the keras.Input it comes from (by position) and the layers applied since. */
  chain?: { layers: ChainLayer[]; inputShape: Shape | null; input: string };
  /** A loss value: its function text takes (yTrue, yPred). */
  fnParams?: number;
}

/** Why a statement cannot be translated; caught per statement. */
export class Todo extends Error {
  constructor(readonly note: NoteId, readonly reason: string, readonly key?: string) {
    super(reason);
  }
}

export interface FuncSig {
  params: { name: string; dflt: boolean }[];
}

export interface ClassInfo {
  name: string;
  isModel: boolean;
  fields: Map<string, { kind: Kind; type: string; cls?: string }>;
  callHasTraining: boolean;
  ctor?: FuncSig;
}

export interface TapeInfo {
  name: string;
  persistent: boolean;
  /** The tape's with block is still open. */
  open: boolean;
}

export const v = (code: string, kind: Kind, primary = true, extra: Partial<Val> = {}): Val => ({ code, kind, primary, ...extra });
export const paren = (x: Val): string => (x.primary ? x.code : `(${x.code})`);
const RESERVED = new Set(['new', 'function', 'var', 'let', 'const', 'delete', 'typeof', 'void', 'switch', 'case', 'default', 'this', 'instanceof', 'enum', 'export', 'extends', 'super', 'interface', 'package', 'private', 'protected', 'public', 'static', 'implements', 'debugger', 'arguments', 'eval']);
export const jsName = (n: string): string => (RESERVED.has(n) ? `${n}_` : n);

export interface EmitResult {
  lines: string[];
  diagnostics: Diagnostic[];
  sites: SiteRecord[];
  uncovered: Set<string>;
  used: Set<string>;
}

export class PyEmitter {
  protected readonly out: string[] = [];
  protected ind = '';
  protected scope: Scope;
  protected path: number[] = [0];
  protected blockCounter = 0;
  protected declCounter = 0;
  protected readonly aliases = new Map<string, string>();
  protected readonly funcs = new Map<string, FuncSig>();
  protected readonly classes = new Map<string, ClassInfo>();
  protected cls: ClassInfo | null = null;
  protected inInit = false;
  protected readonly tapes: TapeInfo[] = [];
  /** optimizer variable → the `vars` node of its apply_gradients(zip(grads, vars)). */
  protected readonly applyVars = new Map<string, SyntaxNode>();
  /** apply_gradients calls (by position) that a backward() step already covers: they become optimizer.step(). */
  protected readonly stepOnly = new Set<number>();
  /** optimizer variable → the model whose compile() names it. */
  protected readonly compileOf = new Map<string, string>();
  /** model code → what its compile() set: the options object's name and the metric keys. */
  protected readonly compiled = new Map<string, { name: string; metrics: string[] }>();
  readonly diagnostics: Diagnostic[] = [];
  readonly sites: SiteRecord[] = [];
  readonly uncovered = new Set<string>();
  readonly used = new Set<string>();
  protected fnName: string | null = null;
  /** What a Keras model's `call` becomes. */
  protected forwardName = 'forward';
  /** The comment a @tf.function becomes. */
  protected tfFunctionComment = '@tf.function: the runtime runs eagerly, so this is a plain function (same values; no graph tracing)';
  /** Type annotations of hoisted declarations (null: JavaScript, none). */
  protected declTypes: Partial<Record<Kind, string>> | null = TS_TYPES;

  constructor(protected readonly file: string, protected readonly p: Parsed, protected readonly api: RuntimeApi) {
    this.scope = new Scope(0, '', null, 'module');
  }

  // --- output ---------------------------------------------------------------------------------------------

  protected line(s: string): void {
    this.out.push(s ? `${this.ind}${s}` : '');
  }

  protected src(n: SyntaxNode): string {
    return this.p.text.slice(n.from, n.to);
  }

  protected at(n: SyntaxNode | number): { line: number; col: number } {
    return lineCol(this.p, typeof n === 'number' ? n : n.from);
  }

  protected note(id: NoteId, n: SyntaxNode, key?: string): void {
    const { line, col } = this.at(n);
    if (this.diagnostics.some((d) => d.line === line && d.col === col && d.id === id)) return;
    const spec = NOTES[id];
    this.diagnostics.push({ file: this.file, line, col, severity: spec.severity, id, message: `${key ? `${key}: ` : ''}${spec.text}`, ...(key ? { key } : {}) });
  }

  protected site(key: string, n: SyntaxNode, outcome: 'rewritten' | 'todo'): void {
    const { line, col } = this.at(n);
    if (!this.sites.some((s) => s.key === key && s.line === line && s.col === col)) this.sites.push({ key, line, col, outcome });
  }

  protected use(ns: string): void {
    this.used.add(ns);
  }

  /** Records the runtime namespaces a piece of code uses (for the import line). */
  protected uses(code: string): string {
    for (const ns of ['torch', 'nn', 'F', 'optim', 'data', 'compat', 'io', 'utils']) if (new RegExp(`(^|[^\\w.$])${ns}\\.`).test(code)) this.use(ns);
    return code;
  }

  // --- the walk ---------------------------------------------------------------------------------------------

  run(): EmitResult {
    const top = this.p.tree.topNode;
    this.prescan(top);
    this.stmts(children(top));
    closeScope(this.scope, this.out, this.declTypes);
    return { lines: this.out, diagnostics: this.diagnostics, sites: this.sites, uncovered: this.uncovered, used: this.used };
  }

  /** Finds what later statements need to know early: apply_gradients' variables (optimizers' parameters), signatures. */
  protected prescan(top: SyntaxNode): void {
    const cur = top.cursor();
    do {
      const n = cur.node;
      if (n.name === 'CallExpression') {
        const callee = n.firstChild!;
        if (callee.name === 'MemberExpression' && callee.lastChild?.name === 'PropertyName' && ['apply_gradients', 'compile'].includes(this.src(callee.lastChild))) {
          const obj = callee.firstChild!;
          const arg = exprChildren(n.getChild('ArgList')!)[0];
          if (this.src(callee.lastChild) === 'compile') {
            // model.compile(optimizer=opt): opt trains model's parameters.
            const { kw } = this.callArgsLoose(n);
            const o = kw.get('optimizer');
            if (o?.name === 'VariableName') this.compileOf.set(this.src(o), this.src(obj));
          }
          if (arg?.name === 'CallExpression' && this.src(arg.firstChild!) === 'zip') {
            const zargs = exprChildren(arg.getChild('ArgList')!);
            if (zargs.length === 2) this.applyVars.set(this.src(obj), zargs[1]);
          }
        }
      } else if (n.name === 'FunctionDefinition' && !(n.parent?.name === 'Body' && n.parent.parent?.name === 'ClassDefinition')) {
        // Functions (not methods): their signatures place keyword arguments at call sites.
        const name = n.getChild('VariableName');
        if (name) this.funcs.set(this.src(name), this.signature(n.getChild('ParamList')!));
      }
    } while (cur.next());
  }

  protected signature(pl: SyntaxNode): FuncSig {
    const params: FuncSig['params'] = [];
    const cs = children(pl);
    for (let i = 0; i < cs.length; i++) {
      const c = cs[i];
      if (c.name === 'VariableName') params.push({ name: this.src(c), dflt: cs[i + 1]?.name === 'AssignOp' });
    }
    return { params: params.filter((p) => p.name !== 'self') };
  }

  protected blockPath(): string {
    return this.path.join('/');
  }

  protected openBlock(): void {
    this.path.push(++this.blockCounter);
    this.ind += '  ';
  }

  protected closeBlock(): void {
    this.path.pop();
    this.ind = this.ind.slice(2);
  }

  /** Statements of a Body (or a single simple statement after the colon). */
  protected body(n: SyntaxNode): void {
    this.stmts(children(n).filter((s) => s.name !== ':'));
  }

  /** Statements in order; a blank line in the Python stays a blank line. */
  protected stmts(nodes: SyntaxNode[]): void {
    let prev: SyntaxNode | null = null;
    for (const s of nodes) {
      if (prev && /\n[ \t]*\n/.test(this.p.text.slice(prev.to, s.from)) && this.out.length && this.out[this.out.length - 1] !== '') this.out.push('');
      this.stmt(s);
      prev = s;
    }
  }

  protected stmt(n: SyntaxNode): void {
    const mark = this.out.length;
    try {
      this.statement(n);
    } catch (e) {
      if (!(e instanceof Todo)) throw e;
      this.out.length = mark;
      this.line(formatTodoMarker(e.note, e.reason));
      for (const l of this.src(n).split('\n')) this.line(`// ${l}`);
      const { line, col } = this.at(n);
      this.diagnostics.push({ file: this.file, line, col, severity: 'error', id: e.note, message: e.reason, ...(e.key ? { key: e.key } : {}) });
      const key = e.key ?? `python:${n.name}`;
      this.sites.push({ key, line, col, outcome: 'todo' });
      this.uncovered.add(key);
    }
  }

  protected statement(n: SyntaxNode): void {
    switch (n.name) {
      case 'Comment': this.line(`//${this.src(n).slice(1)}`); return;
      case 'ImportStatement': this.importStmt(n); return;
      case 'ExpressionStatement': return this.exprStmt(n);
      case 'AssignStatement': return this.assign(n);
      case 'UpdateStatement': return this.update(n);
      case 'IfStatement': return this.ifStmt(n);
      case 'WhileStatement': return this.whileStmt(n);
      case 'ForStatement': return this.forStmt(n);
      case 'FunctionDefinition': return this.funcDef(n, []);
      case 'DecoratedStatement': return this.decorated(n);
      case 'ClassDefinition': return this.classDef(n);
      case 'WithStatement': return this.withStmt(n);
      case 'ReturnStatement': {
        const e = exprChildren(n);
        const r = e.length ? this.exprOrTuple(e) : null;
        if (this.fnName && r) this.fnReturns.set(this.fnName, r.kind);
        this.line(r ? `return ${r.code};` : 'return;');
        return;
      }
      case 'PassStatement': return;
      case 'BreakStatement': this.line('break;'); return;
      case 'ContinueStatement': this.line('continue;'); return;
      case 'AssertStatement': {
        const [c, msg] = exprChildren(n);
        const cond = this.truthy(this.expr(c));
        this.line(`if (!(${cond})) throw new Error(${msg ? this.expr(msg).code : JSON.stringify(`assertion failed: ${this.src(c)}`)});`);
        return;
      }
      case 'RaiseStatement': {
        const e = exprChildren(n)[0];
        if (e?.name === 'CallExpression') {
          const args = exprChildren(e.getChild('ArgList')!);
          this.line(`throw new Error(${args.length ? this.expr(args[0]).code : JSON.stringify(this.src(e.firstChild!))});`);
          return;
        }
        throw new Todo('py-unsupported', 'raise of a non-call value');
      }
      default:
        throw new Todo('py-unsupported', `the Python statement '${n.name.replace(/Statement$/, '').toLowerCase()}' is not translated`);
    }
  }

  // --- imports ---------------------------------------------------------------------------------------------

  protected importStmt(n: SyntaxNode): void {
    const cs = children(n);
    const isFrom = cs[0].name === 'from';
    const names = (from: number) => {
      const out: { name: string; as?: string }[] = [];
      for (let i = from; i < cs.length; i++) {
        if (cs[i].name !== 'VariableName') continue;
        let name = this.src(cs[i]);
        while (cs[i + 1]?.name === '.' && cs[i + 2]?.name === 'VariableName') {
          name += `.${this.src(cs[i + 2])}`;
          i += 2;
        }
        if (cs[i + 1]?.name === 'as') {
          out.push({ name, as: this.src(cs[i + 2]) });
          i += 2;
        } else out.push({ name });
      }
      return out;
    };
    if (isFrom) {
      const imp = cs.findIndex((c) => c.name === 'import');
      const mod = this.src(n).slice(cs[0].to - n.from, cs[imp].from - n.from).trim();
      if (!this.knownModule(mod)) throw new Todo('py-unsupported', `import from '${mod}': only tensorflow, keras and numpy are translated`, mod);
      for (const { name, as } of names(imp + 1)) this.aliases.set(as ?? name, this.normalise(`${mod}.${name}`));
      return;
    }
    for (const { name, as } of names(1)) {
      if (!this.knownModule(name)) throw new Todo('py-unsupported', `import of '${name}': only tensorflow, keras and numpy are translated`, name);
      this.aliases.set(as ?? name.split('.')[0], this.normalise(as ? name : name.split('.')[0]));
    }
  }

  protected knownModule(m: string): boolean {
    return /^(tensorflow|keras|numpy)(\.|$)/.test(m) || ['__future__', 'os', 'time', 'sys'].includes(m.split('.')[0]);
  }

  protected normalise(path: string): string {
    const keys = Object.keys(MODULE_ALIASES).sort((a, b) => b.length - a.length);
    for (const k of keys) if (path === k || path.startsWith(`${k}.`)) return MODULE_ALIASES[k] + path.slice(k.length);
    return path;
  }

  // --- names and variables --------------------------------------------------------------------------------

  protected ref(name: string): VarInfo | undefined {
    const info = this.scope.lookup(name);
    if (info && this.scope.vars.get(name) === info && !this.blockPath().startsWith(info.declPath)) info.hoist = true;
    return info;
  }

  /** Declares or re-assigns `name`; returns the prefix to write before it (a placeholder on first assignment). */
  protected bind(name: string, val: Partial<Val> & { kind: Kind }, declId?: number): string {
    const own = this.scope.vars.get(name);
    if (own) {
      own.assigns++;
      if (!this.blockPath().startsWith(own.declPath)) own.hoist = true;
      if (own.kind !== val.kind) own.kind = own.kind === 'unknown' ? val.kind : own.kind;
      return '';
    }
    const id = declId ?? this.declCounter++;
    this.scope.vars.set(name, { kind: val.kind, elems: val.elems?.map((e) => e.kind), elemKind: val.elemKind, cls: val.cls, assigns: 1, declPath: this.blockPath(), decl: id, hoist: false });
    if (declId === undefined) this.scope.decls.push({ id, names: [name] });
    return marker(id);
  }

  // --- statements ------------------------------------------------------------------------------------------

  protected exprStmt(n: SyntaxNode): void {
    const e = exprChildren(n);
    if (e.length === 1 && e[0].name === 'String') {
      // A docstring: keep it as a comment.
      for (const l of this.stringValue(e[0]).trim().split('\n')) this.line(`// ${l.trim()}`);
      return;
    }
    const val = this.exprOrTuple(e);
    if (val.code) this.line(`${val.code};`);
  }

  protected assign(n: SyntaxNode): void {
    const cs = children(n);
    // a = b = value: every AssignOp splits a target.
    const parts: SyntaxNode[][] = [[]];
    for (const c of cs) {
      if (c.name === 'AssignOp') parts.push([]);
      else if (c.name === ':' || c.name === 'TypeDef') continue;
      else parts[parts.length - 1].push(c);
    }
    const valueNodes = parts.pop()!.filter((c) => c.name !== ',');
    if (!parts.length) throw new Todo('py-unsupported', 'an annotated name without a value');
    const targets = parts.map((p) => p.filter((c) => c.name !== ','));
    if (targets.length > 1 && targets.some((t) => t.length !== 1 || t[0].name !== 'VariableName')) throw new Todo('py-unsupported', 'chained assignment to something other than names');
    const single = valueNodes.length === 1 ? valueNodes[0] : null;
    // keras.Sequential([...]): a module class and an instance.
    if (single && targets.length === 1 && targets[0].length === 1 && targets[0][0].name === 'VariableName' && this.isCallTo(single, 'sequential')) {
      this.sequential(this.src(targets[0][0]), single);
      return;
    }
    if (single && targets.length === 1 && targets[0].length === 1 && targets[0][0].name === 'VariableName' && this.isCallTo(single, 'kerasModel')) {
      this.functional(this.src(targets[0][0]), single);
      return;
    }
    // tape.gradient(...) feeding only apply_gradients: backward().
    if (single && targets.length === 1 && targets[0].length === 1 && targets[0][0].name === 'VariableName' && this.tryBackward(this.src(targets[0][0]), single)) return;
    const optName = targets.length === 1 && targets[0].length === 1 ? this.src(targets[0][0]) : undefined;
    const val = this.exprOrTuple(valueNodes, optName);
    for (const t of targets) this.assignTo(t.length === 1 ? t[0] : null, t, val);
  }

  protected assignTo(target: SyntaxNode | null, many: SyntaxNode[], val: Val): void {
    if (!target || target.name === 'TupleExpression' || target.name === 'ArrayExpression') {
      const elems = target ? exprChildren(target) : many;
      const pattern = this.pattern(elems, val);
      this.line(`${pattern.prefix}${pattern.code} = ${val.code};`);
      return;
    }
    if (target.name === 'VariableName' && val.kind === 'symbolic') {
      // A Keras symbolic tensor (keras.Input and layers applied to it): no code, the model class replays it.
      const name = jsName(this.src(target));
      this.bind(name, val);
      this.symbolic.set(name, val.chain!);
      return;
    }
    if (target.name === 'VariableName') {
      const name = jsName(this.src(target));
      const prefix = this.bind(name, val);
      this.line(`${prefix}${name} = ${val.code};`);
      return;
    }
    if (target.name === 'MemberExpression' && target.lastChild?.name === 'PropertyName') {
      const obj = target.firstChild!;
      const prop = this.src(target.lastChild);
      if (this.src(obj) === 'self' && this.cls) {
        const known = this.cls.fields.get(prop);
        if (!known) this.cls.fields.set(prop, { kind: val.kind, type: this.tsType(val), cls: val.cls });
        this.line(`this.${prop} = ${val.code};`);
        return;
      }
      const o = this.expr(obj);
      if (o.kind === 'tensor' || o.kind === 'module') throw new Todo('py-unsupported', `assigning attribute '${prop}' of a ${o.kind}`);
      this.line(`${paren(o)}.${prop} = ${val.code};`);
      return;
    }
    if (target.name === 'MemberExpression') {
      const o = this.expr(target.firstChild!);
      if (o.kind === 'array' || o.kind === 'dict') {
        const idx = exprChildren(target).slice(1);
        if (idx.length === 1 && !children(target).some((c) => c.name === ':')) {
          this.line(`${paren(o)}[${this.expr(idx[0]).code}] = ${val.code};`);
          return;
        }
      }
      throw new Todo('py-unsupported', `item assignment to a ${o.kind} (tensors are immutable in TensorFlow; use a tensor op)`);
    }
    throw new Todo('py-unsupported', `assignment to ${target.name}`);
  }

  /** A destructuring pattern for tuple targets, binding every name. */
  protected pattern(elems: SyntaxNode[], val: Val): { code: string; prefix: string } {
    const id = this.declCounter++;
    const newNames: string[] = [];
    let anyOld = false;
    const walk = (nodes: SyntaxNode[], value: Val | undefined): string => {
      const parts = nodes.map((e, i) => {
        const ev = value?.elems?.[i] ?? (value?.elemKind ? v('', value.elemKind) : undefined);
        if (e.name === 'VariableName') {
          const name = jsName(this.src(e));
          const prefix = this.bind(name, ev ?? v('', 'unknown'), id);
          if (prefix) newNames.push(name);
          else anyOld = true;
          return name;
        }
        if (e.name === 'TupleExpression' || e.name === 'ParenthesizedExpression' || e.name === 'ArrayExpression') return walk(exprChildren(e), ev);
        throw new Todo('py-unsupported', `unpacking into ${e.name}`);
      });
      return `[${parts.join(', ')}]`;
    };
    const code = walk(elems, val);
    if (newNames.length && anyOld) throw new Todo('py-unsupported', 'tuple unpacking that mixes new and existing names');
    if (newNames.length) {
      this.scope.decls.push({ id, names: newNames });
      return { code, prefix: marker(id) };
    }
    return { code, prefix: '' };
  }

  protected update(n: SyntaxNode): void {
    const [target, opNode, value] = children(n);
    const op = this.src(opNode).slice(0, -1);
    const t = this.expr(target);
    const r = this.expr(value);
    const combined = this.binary(t, op, r, n);
    if (target.name === 'VariableName') this.bind(jsName(this.src(target)), combined);
    if (combined.kind === 'number' && ['+', '-', '*', '/'].includes(op) && t.kind === 'number') {
      this.line(`${t.code} ${op}= ${r.code};`);
      return;
    }
    if (t.kind === 'string' && op === '+') {
      this.line(`${t.code} += ${r.code};`);
      return;
    }
    if (target.name !== 'VariableName' && !(target.name === 'MemberExpression' && target.lastChild?.name === 'PropertyName')) throw new Todo('py-unsupported', 'augmented assignment to an item');
    this.line(`${t.code} = ${combined.code};`);
  }

  protected ifStmt(n: SyntaxNode): void {
    const cs = children(n);
    let first = true;
    for (let i = 0; i < cs.length; i++) {
      const c = cs[i];
      if (c.name === 'if' || c.name === 'elif') {
        const cond = this.truthy(this.expr(cs[i + 1]));
        this.line(`${first ? '' : '} else '}if (${cond}) {`);
        first = false;
        this.openBlock();
        this.body(cs[i + 2]);
        this.closeBlock();
        i += 2;
      } else if (c.name === 'else') {
        this.line('} else {');
        this.openBlock();
        this.body(cs[i + 1]);
        this.closeBlock();
        i += 1;
      }
    }
    this.line('}');
  }

  protected whileStmt(n: SyntaxNode): void {
    const cs = children(n);
    if (cs.some((c) => c.name === 'else')) throw new Todo('py-unsupported', 'while ... else');
    this.line(`while (${this.truthy(this.expr(cs[1]))}) {`);
    this.openBlock();
    this.body(cs[2]);
    this.closeBlock();
    this.line('}');
  }

  protected forStmt(n: SyntaxNode): void {
    const cs = children(n);
    if (cs.some((c) => c.name === 'else')) throw new Todo('py-unsupported', 'for ... else');
    const inIdx = cs.findIndex((c) => c.name === 'in');
    const targets = cs.slice(1, inIdx).filter((c) => c.name !== ',');
    const iterNode = cs[inIdx + 1];
    const bodyNode = cs[cs.length - 1];
    // for i in range(...): a counting loop.
    if (targets.length === 1 && targets[0].name === 'VariableName' && iterNode.name === 'CallExpression' && this.src(iterNode.firstChild!) === 'range' && !this.scope.lookup('range')) {
      const args = exprChildren(iterNode.getChild('ArgList')!).map((a) => this.num(this.expr(a), 'range'));
      const [start, stop, step] = args.length === 1 ? ['0', args[0], '1'] : [args[0], args[1], args[2] ?? '1'];
      const name = jsName(this.src(targets[0]));
      const negative = /^-/.test(step);
      this.line(`for (let ${name} = ${start}; ${name} ${negative ? '>' : '<'} ${stop}; ${step === '1' ? `${name}++` : `${name} += ${step}`}) {`);
      this.openBlock();
      this.scope.vars.set(name, { kind: 'number', assigns: 1, declPath: this.blockPath(), decl: null, hoist: false });
      this.body(bodyNode);
      this.closeBlock();
      this.line('}');
      return;
    }
    const iter = this.iterable(this.expr(iterNode), iterNode);
    this.openBlock();
    const pattern = this.forTarget(targets, iter);
    this.ind = this.ind.slice(2);
    this.line(`for (${pattern} of ${iter.code}) {`);
    this.ind += '  ';
    this.body(bodyNode);
    this.closeBlock();
    this.line('}');
  }

  /** The loop target: names declared in the loop's block (const per iteration). */
  protected forTarget(targets: SyntaxNode[], iter: Val): string {
    const walk = (nodes: SyntaxNode[], kinds: Val | undefined): string => {
      const parts = nodes.map((e, i) => {
        const ek = kinds?.elems?.[i] ?? (kinds?.elemKind ? v('', kinds.elemKind) : v('', 'unknown'));
        if (e.name === 'VariableName') {
          const name = jsName(this.src(e));
          this.scope.vars.set(name, { kind: ek.kind, elems: ek.elems?.map((x) => x.kind), elemKind: ek.elemKind, cls: ek.cls, assigns: 1, declPath: this.blockPath(), decl: null, hoist: false });
          return name;
        }
        if (e.name === 'TupleExpression' || e.name === 'ParenthesizedExpression' || e.name === 'ArrayExpression') return `[${walk(exprChildren(e), ek)}]`;
        throw new Todo('py-unsupported', `a for target ${e.name}`);
      });
      return parts.join(', ');
    };
    const item = iter.elems?.[0] ? iter.elems[0] : iter.elemKind ? v('', iter.elemKind, true, { elems: iter.elemKind === 'array' ? iter.elems : undefined }) : undefined;
    if (targets.length === 1 && targets[0].name === 'VariableName') return `const ${walk(targets, v('', 'array', true, { elems: item ? [item] : undefined }))}`;
    const nodes = targets.length === 1 ? exprChildren(targets[0]) : targets;
    return `const [${walk(nodes, item)}]`;
  }

  /** What a for loop iterates over, with the kind of its items. */
  protected iterable(it: Val, n: SyntaxNode): Val {
    switch (it.kind) {
      case 'loader': return { ...it, elems: [v('', 'array', true, { elems: [v('', 'tensor'), v('', 'tensor')] })] };
      case 'array': case 'params': return { ...it, elems: undefined, elemKind: it.kind === 'params' ? 'tensor' : it.elemKind ?? (it.elems?.[0]?.kind), ...(it.elems?.[0] && it.elems.every((e) => e.kind === it.elems![0].kind) ? { elems: [it.elems[0]] } : {}) };
      case 'dataset': throw new Todo('py-unsupported', 'iterating a tf.data.Dataset without .batch(n): batch it (the runtime iterates DataLoaders)', 'tf.data.Dataset');
      case 'tensor': return v(`${paren(it)}.unbind(0)`, 'array', true, { elemKind: 'tensor' });
      case 'dict': return v(`Object.keys(${it.code})`, 'array', true, { elemKind: 'string' });
      default: throw new Todo('py-unsupported', `iterating '${this.src(n)}' whose kind is not known`);
    }
  }

  // --- functions and classes -----------------------------------------------------------------------------

  protected decorated(n: SyntaxNode): void {
    const decos = children(n).filter((c) => c.name === 'Decorator');
    const def = children(n).find((c) => c.name === 'FunctionDefinition' || c.name === 'ClassDefinition')!;
    const names = decos.map((d) => this.src(d).slice(1).split('(')[0].trim());
    for (const d of decos) {
      const path = this.resolvePath(this.src(d).slice(1).split('(')[0].trim());
      if (path !== 'tf.function') throw new Todo('py-unsupported', `decorator @${this.src(d).slice(1).trim()} is not translated`, path ?? undefined);
      this.site('tf.function', d, 'rewritten');
      this.note('py-tf-function', d, 'tf.function');
    }
    if (def.name === 'ClassDefinition') return this.classDef(def);
    this.funcDef(def, names);
  }

  protected resolvePath(dotted: string): string | null {
    const [head, ...rest] = dotted.split('.');
    const a = this.aliases.get(head);
    return a ? [a, ...rest].join('.') : null;
  }

  protected params(pl: SyntaxNode, tensorParams: boolean): string[] {
    const cs = children(pl);
    const out: string[] = [];
    for (let i = 0; i < cs.length; i++) {
      const c = cs[i];
      if (c.name === '*' || c.name === '**') throw new Todo('py-unsupported', '*args / **kwargs parameters');
      if (c.name !== 'VariableName') continue;
      const name = jsName(this.src(c));
      if (name === 'self') continue;
      let annotation: string | undefined;
      let kind: Kind = tensorParams ? 'tensor' : 'unknown';
      let j = i + 1;
      if (cs[j]?.name === 'TypeDef') {
        const t = this.src(cs[j]).replace(/^:\s*/, '');
        [annotation, kind] = this.annotation(t);
        j++;
      }
      let dflt = '';
      if (cs[j]?.name === 'AssignOp') {
        const d = this.expr(cs[j + 1]);
        dflt = ` = ${d.code}`;
        if (d.kind !== 'none') kind = annotation ? kind : d.kind;
        j += 2;
      }
      this.scope.vars.set(name, { kind, assigns: 1, declPath: this.blockPath(), decl: null, hoist: false });
      const type = annotation ?? (dflt && kind !== 'tensor' ? undefined : kind === 'tensor' ? 'torch.Tensor' : 'any');
      if (type === 'torch.Tensor') this.use('torch');
      out.push(`${name}${type ? `: ${type}` : ''}${dflt}`);
      i = j - 1;
    }
    return out;
  }

  protected annotation(t: string): [string, Kind] {
    if (/^(int|float)$/.test(t)) return ['number', 'number'];
    if (t === 'str') return ['string', 'string'];
    if (t === 'bool') return ['boolean', 'bool'];
    if (/^(tf\.Tensor|tf\.Variable|np\.ndarray)$/.test(t)) return ['torch.Tensor', 'tensor'];
    throw new Todo('py-unsupported', `type annotation '${t}' is not translated`);
  }

  protected funcDef(n: SyntaxNode, decorators: string[]): void {
    const name = jsName(this.src(n.getChild('VariableName')!));
    const isTfFunction = decorators.length > 0;
    const outer = this.scope;
    const prefix = this.cls ? '' : 'function ';
    if (!this.cls) this.scope.vars.set(name, { kind: 'function', assigns: 1, declPath: this.blockPath(), decl: null, hoist: false });
    const headerAt = this.out.length;
    this.line('');
    this.scope = new Scope(this.out.length, `${this.ind}  `, outer, this.cls ? 'method' : 'function');
    const method = this.cls && name === 'call' && this.cls.isModel ? this.forwardName : name === '__init__' && this.cls ? 'constructor' : name;
    const tensorParams = isTfFunction || method === this.forwardName;
    const params = this.params(n.getChild('ParamList')!, tensorParams);
    if (isTfFunction) this.out[headerAt] = `${this.ind}// ${this.tfFunctionComment}`;
    else this.out.pop();
    if (method === this.forwardName && this.cls) this.cls.callHasTraining = /\btraining\b/.test(params.join(','));
    this.line(`${prefix}${method}(${params.join(', ')}) {`);
    // Hoisted declarations go after the header (a @tf.function's comment line comes before it).
    this.scope.startLine = this.out.length;
    this.ind += '  ';
    this.path.push(++this.blockCounter);
    const wasInit = this.inInit;
    const outerFn = this.fnName;
    this.fnName = this.cls ? null : name;
    this.inInit = method === 'constructor';
    if (this.inInit) this.line('super();');
    const body = n.getChild('Body')!;
    this.body(body);
    this.inInit = wasInit;
    this.fnName = outerFn;
    closeScope(this.scope, this.out, this.declTypes);
    this.scope = outer;
    this.closeBlock();
    this.line('}');
  }

  /**
   * A class statement's name and kind, registered in this scope (shared by both targets): only subclasses of
   * keras.Model / keras.layers.Layer, or plain classes, are translated.
   */
  protected declareClass(n: SyntaxNode): ClassInfo {
    const name = this.src(n.getChild('VariableName')!);
    const bases = n.getChild('ArgList') ? exprChildren(n.getChild('ArgList')!) : [];
    const basePaths = bases.map((b) => this.resolvePath(this.src(b)));
    const isModel = basePaths.some((p) => p === 'tf.keras.Model' || p === 'tf.keras.models.Model' || p === 'tf.keras.layers.Layer');
    if (bases.length && !isModel) throw new Todo('py-unsupported', `class ${name}: only subclasses of keras.Model / keras.layers.Layer are translated`);
    const info: ClassInfo = { name, isModel, fields: new Map(), callHasTraining: false };
    this.classes.set(name, info);
    this.scope.vars.set(name, { kind: 'class', cls: name, assigns: 1, declPath: this.blockPath(), decl: null, hoist: false });
    return info;
  }

  protected classDef(n: SyntaxNode): void {
    const info = this.declareClass(n);
    const { name, isModel } = info;
    const outerCls = this.cls;
    this.cls = info;
    this.line(`class ${name}${isModel ? ' extends nn.Module' : ''} {`);
    if (isModel) this.use('nn');
    this.ind += '  ';
    const fieldsAt = this.out.length;
    const body = n.getChild('Body')!;
    const layerSizes = this.inferLayerInputs(body);
    this.layerSizes = layerSizes;
    const members = children(body).filter((s) => s.name !== ':');
    for (const s of members) {
      if (s.name !== 'FunctionDefinition') continue;
      const fname = this.src(s.getChild('VariableName')!);
      if (fname === '__init__') info.ctor = this.signature(s.getChild('ParamList')!);
      if (fname === 'build' || fname === 'get_config') throw new Todo('py-unsupported', `${name}.${fname}: Keras's lazy build/get_config have no module equivalent (size layers in __init__)`);
    }
    this.stmts(members);
    this.layerSizes = new Map();
    const fieldLines = [...info.fields].map(([f, t]) => `${this.ind}${f}!: ${t.type};`);
    this.out.splice(fieldsAt, 0, ...fieldLines, ...(fieldLines.length ? [''] : []));
    const initLines = this.initLines(info);
    if (initLines.length) {
      // Keras's initialisation runs at the end of the constructor: find its closing line.
      let depth = 0, at = -1;
      for (let i = fieldsAt; i < this.out.length; i++) {
        const l = this.out[i];
        if (l.startsWith(`${this.ind}constructor(`)) depth = 1;
        else if (depth === 1 && l === `${this.ind}}`) {
          at = i;
          break;
        }
      }
      if (at > 0) this.out.splice(at, 0, ...initLines.map((l) => `${this.ind}  ${l}`));
    }
    this.ind = this.ind.slice(2);
    this.line('}');
    this.cls = outerCls;
    if (isModel) this.note('py-model-call', n, name);
  }

  protected layerSizes = new Map<string, number | string>();
  protected layerInit = new Set<string>();

  protected initLines(info: ClassInfo): string[] {
    const classes = [...info.fields.values()].some((f) => f.kind === 'module' && this.layerInit.has(`${info.name}`));
    if (!classes) return [];
    return [`// ${PY_INIT.comment}`, 'for (const m of this.modules()) {', `  if (${PY_INIT.classes.map((c) => `m instanceof ${c}`).join(' || ')}) {`, ...PY_INIT.body.map((b) => `    ${b}`), '  }', '}'];
  }

  /**
   * Keras layers are sized when first called; runtime modules at construction. For `self.b(...self.a(x)...)`
   * chains in `call` (directly or through a local), the input size of b is a's output size.
   */
  protected inferLayerInputs(body: SyntaxNode): Map<string, number | string> {
    const sizes = new Map<string, number | string>();
    const units = new Map<string, number | string>();
    const init = children(body).find((c) => c.name === 'FunctionDefinition' && this.src(c.getChild('VariableName')!) === '__init__');
    const call = children(body).find((c) => c.name === 'FunctionDefinition' && this.src(c.getChild('VariableName')!) === 'call');
    if (!init || !call) return sizes;
    for (const s of children(init.getChild('Body')!)) {
      const m = /^self\.(\w+)\s*=\s*(?:\w+\.)*Dense\(\s*([\w.]+)/.exec(this.src(s));
      if (m) units.set(m[1], /^\d+$/.test(m[2]) ? Number(m[2]) : m[2]);
    }
    const locals = new Map<string, string>();
    const producer = (text: string): string | undefined => {
      const inner = /^(?:[\w.]+\()*self\.(\w+)\(/.exec(text.trim());
      if (inner) return inner[1];
      const name = /^(?:[\w.]+\()*(\w+)\)*$/.exec(text.trim());
      return name ? locals.get(name[1]) : undefined;
    };
    const cur = call.cursor();
    do {
      const n = cur.node;
      if (n.name === 'AssignStatement') {
        const [t, , val] = children(n);
        if (t?.name === 'VariableName' && val) {
          const p = producer(this.src(val));
          if (p) locals.set(this.src(t), p);
        }
      }
      if (n.name === 'CallExpression' && /^self\.\w+$/.test(this.src(n.firstChild!))) {
        const layer = this.src(n.firstChild!).slice(5);
        const arg = exprChildren(n.getChild('ArgList')!)[0];
        const from = arg ? producer(this.src(arg)) : undefined;
        if (from && units.has(from) && !sizes.has(layer)) sizes.set(layer, units.get(from)!);
      }
    } while (cur.next());
    return sizes;
  }

  // --- with blocks and tapes -------------------------------------------------------------------------------

  protected withStmt(n: SyntaxNode): void {
    const cs = children(n);
    const items: { ctx: SyntaxNode; as?: string }[] = [];
    for (let i = 1; i < cs.length; i++) {
      const c = cs[i];
      if (c.name === 'Body' || c.name === ',') continue;
      if (c.name === 'as') {
        items[items.length - 1].as = this.src(cs[i + 1]);
        i++;
        continue;
      }
      items.push({ ctx: c });
    }
    const opened: TapeInfo[] = [];
    for (const it of items) {
      if (it.ctx.name === 'CallExpression' && this.isCallTo(it.ctx, 'gradientTape')) {
        const args = this.callArgs(it.ctx);
        const persistent = args.kw.get('persistent');
        const isPersistent = persistent ? this.src(persistent) === 'True' : false;
        if (args.kw.has('watch_accessed_variables')) throw new Todo('py-unsupported', 'GradientTape(watch_accessed_variables=...)', 'tf.GradientTape');
        const tape: TapeInfo = { name: it.as ?? '', persistent: isPersistent, open: true };
        if (it.as) this.scope.vars.set(it.as, { kind: 'tape', assigns: 1, declPath: this.blockPath(), decl: null, hoist: false });
        this.tapes.push(tape);
        opened.push(tape);
        this.site('tf.GradientTape', it.ctx, 'rewritten');
        this.note('py-gradient-tape', it.ctx, 'tf.GradientTape');
        this.line(`// with tf.GradientTape(${isPersistent ? 'persistent=True' : ''}) as ${it.as ?? '_'}: the runtime records ops on tensors that require grad`);
        continue;
      }
      const path = it.ctx.name === 'CallExpression' ? this.resolvePath(this.src(it.ctx.firstChild!)) : null;
      if (path === 'tf.device') {
        this.line(`// with ${this.src(it.ctx)}: the runtime places tensors per device (.to(device)); kept on the default device`);
        continue;
      }
      throw new Todo('py-unsupported', `with ${this.src(it.ctx)}: only tf.GradientTape and tf.device blocks are translated`, path ?? undefined);
    }
    // Python's with does not open a scope: the body stays at this level.
    this.body(n.getChild('Body')!);
    for (const t of opened) t.open = false;
  }

  protected tapeOf(name: string): TapeInfo | undefined {
    for (let i = this.tapes.length - 1; i >= 0; i--) if (this.tapes[i].name === name) return this.tapes[i];
    return undefined;
  }

  /**
   * `grads = tape.gradient(loss, vars)` whose grads are used once more, in `opt.apply_gradients(zip(grads, vars))`
   * with the same vars: `opt.zeroGrad(); loss.backward();` here and `opt.step()` there.
   */
  protected tryBackward(gradsName: string, call: SyntaxNode): boolean {
    if (call.name !== 'CallExpression') return false;
    const callee = call.firstChild!;
    if (callee.name !== 'MemberExpression' || this.src(callee.lastChild!) !== 'gradient') return false;
    const tape = this.tapeOf(this.src(callee.firstChild!));
    if (!tape || tape.persistent || this.tapes.some((t) => t.open && t !== tape)) return false;
    const args = exprChildren(call.getChild('ArgList')!);
    if (args.length !== 2) return false;
    const fn = this.enclosingBody(call);
    let uses = 0;
    let apply: SyntaxNode | null = null;
    let optName = '';
    const cur = fn.cursor();
    do {
      const n = cur.node;
      if (n.name === 'VariableName' && this.src(n) === gradsName) uses++;
      if (n.name === 'CallExpression' && n.from > call.to && /\.apply_gradients$/.test(this.src(n.firstChild!))) {
        const a = exprChildren(n.getChild('ArgList')!)[0];
        const z = a?.name === 'CallExpression' && this.src(a.firstChild!) === 'zip' ? exprChildren(a.getChild('ArgList')!) : [];
        if (z.length === 2 && this.src(z[0]) === gradsName && this.src(z[1]) === this.src(args[1])) {
          apply = n;
          optName = this.src(n.firstChild!.firstChild!);
        }
      }
    } while (cur.next());
    if (!apply || uses !== 2) return false;
    const opt = this.expr(apply.firstChild!.firstChild!);
    if (opt.kind !== 'optimizer') return false;
    const loss = this.expr(args[0]);
    if (loss.kind !== 'tensor') return false;
    this.stepOnly.add(apply.from);
    this.site('tape.gradient', call, 'rewritten');
    this.line(`// ${gradsName} = ${this.src(call)}: backward() fills each parameter's .grad; ${optName}.step() applies them`);
    this.line(`${paren(opt)}.zeroGrad();`);
    this.line(`${paren(loss)}.backward();`);
    return true;
  }

  protected enclosingBody(n: SyntaxNode): SyntaxNode {
    for (let p: SyntaxNode | null = n.parent; p; p = p.parent) if (p.name === 'FunctionDefinition' || p.name === 'Script') return p;
    return this.p.tree.topNode;
  }

  /** autograd.grad's options for a tape: persistent tapes keep the graph; inside another open tape, so does the result. */
  protected gradOpts(tape: TapeInfo): string {
    const opts: string[] = [];
    if (tape.persistent) opts.push('retainGraph: true');
    // Inside another open tape the gradient is itself differentiated (higher-order): keep its graph.
    if (this.tapes.some((t) => t.open && t !== tape)) opts.push('createGraph: true');
    return opts.length ? `, { ${opts.join(', ')} }` : '';
  }

  protected gradient(tape: TapeInfo, call: SyntaxNode): Val {
    const args = this.callArgs(call);
    if (args.pos.length !== 2 || args.kw.size) throw new Todo('py-unsupported', 'tape.gradient with output_gradients or unconnected_gradients', 'tape.gradient');
    const target = this.expr(args.pos[0]);
    const srcNode = args.pos[1];
    if (srcNode.name === 'DictionaryExpression') {
      // A dict of sources gives a dict of gradients under the same keys.
      const cs = exprChildren(srcNode);
      const keys: string[] = [], vals: Val[] = [];
      for (let i = 0; i + 1 < cs.length; i += 2) {
        const k = this.expr(cs[i]);
        if (k.kind !== 'string') throw new Todo('py-unsupported', 'tape.gradient with a dict whose keys are not string literals', 'tape.gradient');
        const t = this.expr(cs[i + 1]);
        if (t.kind !== 'tensor') throw new Todo('py-unsupported', `tape.gradient source ${this.src(cs[i + 1])} is not a tensor`, 'tape.gradient');
        keys.push(k.code);
        vals.push(t);
      }
      const opts = this.gradOpts(tape);
      this.site('tape.gradient', call, 'rewritten');
      this.use('torch');
      return v(`((g) => ({ ${keys.map((k, i) => `${k}: g[${i}]!`).join(', ')} }))(torch.autograd.grad(${target.code}, [${vals.map((x) => x.code).join(', ')}]${opts}))`, 'dict', true, { elemKind: 'tensor' });
    }
    const sources = this.expr(srcNode);
    const o = this.gradOpts(tape);
    this.site('tape.gradient', call, 'rewritten');
    this.use('torch');
    if (sources.kind === 'tensor') return v(`torch.autograd.grad(${target.code}, [${sources.code}]${o})[0]!`, 'tensor', false);
    if (sources.kind === 'array' || sources.kind === 'params') return v(`(torch.autograd.grad(${target.code}, ${sources.code}${o}) as torch.Tensor[])`, 'array', true, { elemKind: 'tensor', elems: sources.elems?.map(() => v('', 'tensor')) });
    throw new Todo('py-unsupported', `tape.gradient sources '${this.src(srcNode)}' are not a tensor or a list of them`, 'tape.gradient');
  }

  // --- Keras models and layers -----------------------------------------------------------------------------

  protected isCallTo(n: SyntaxNode, id: string): boolean {
    if (n.name !== 'CallExpression') return false;
    const path = this.resolvePath(this.src(n.firstChild!).replace(/\s+/g, ''));
    const e = path ? PY_NAMES[path] : undefined;
    return e?.kind === 'special' && e.id === id;
  }

  /** Keyword arguments without translating anything (for the prescan). */
  protected callArgsLoose(call: SyntaxNode): { kw: Map<string, SyntaxNode> } {
    const cs = children(call.getChild('ArgList')!);
    const kw = new Map<string, SyntaxNode>();
    for (let i = 0; i + 2 < cs.length; i++) if (cs[i].name === 'VariableName' && cs[i + 1].name === 'AssignOp') kw.set(this.src(cs[i]), cs[i + 2]);
    return { kw };
  }

  protected callArgs(call: SyntaxNode): { pos: SyntaxNode[]; kw: Map<string, SyntaxNode> } {
    const cs = children(call.getChild('ArgList')!);
    const pos: SyntaxNode[] = [];
    const kw = new Map<string, SyntaxNode>();
    for (let i = 0; i < cs.length; i++) {
      const c = cs[i];
      if (c.name === '(' || c.name === ')' || c.name === ',') continue;
      if (c.name === '*' || c.name === '**') throw new Todo('py-unsupported', '*args / **kwargs in a call');
      if (c.name === 'VariableName' && cs[i + 1]?.name === 'AssignOp') {
        kw.set(this.src(c), cs[i + 2]);
        i += 2;
        continue;
      }
      if (c.name === 'ComprehensionExpression') throw new Todo('py-unsupported', 'a generator expression argument');
      pos.push(c);
    }
    return { pos, kw };
  }

  /** A Keras layer call → the tfjs layer row and a config object as the layer transformers read it. */
  protected layerSite(call: SyntaxNode, entry: Extract<PyEntry, { kind: 'layer' }>, key: string): ChainLayer {
    const row = lookup(entry.tf);
    if (!row) throw new Todo('unmapped', `${key}: ${entry.tf} has no mapping row`, key);
    const { pos, kw } = this.callArgs(call);
    const props: Record<string, ArgInfo> = {};
    pos.forEach((a, i) => {
      const name = entry.params[i];
      if (!name) throw new Todo('py-unsupported', `${key}: positional argument ${i + 1} is not known`, key);
      props[camel(name)] = this.argInfo(this.expr(a));
    });
    for (const [k, a] of kw) {
      if (k === 'kernel_initializer' && this.src(a).replace(/['"]/g, '') === 'glorot_uniform') continue;
      if (k === 'bias_initializer' && this.src(a).replace(/['"]/g, '') === 'zeros') continue;
      if (/_initializer$|_regularizer$|_constraint$/.test(k)) throw new Todo('init-config', `${key}: ${k}=${this.src(a)} is not carried over (set it with nn.init.* after construction)`, key);
      if (k === 'name') continue;
      const val = this.expr(a);
      props[camel(k)] = k === 'activation' && typeof val.lit === 'string' ? this.argInfo(v(`'${camel(val.lit)}'`, 'string', true, { lit: camel(val.lit) })) : this.argInfo(val);
    }
    const text = `{ ${Object.entries(props).map(([k, a]) => `${k}: ${a.text}`).join(', ')} }`;
    const site: CallSite = { key: entry.tf, args: [{ text, kind: 'object', props, simple: true }], awaited: false, layout: 'nchw', typescript: true };
    return { row, site };
  }

  protected sequential(name: string, call: SyntaxNode): void {
    const key = 'tf.keras.Sequential';
    const { pos, kw } = this.callArgs(call);
    if (pos.length !== 1 || pos[0].name !== 'ArrayExpression' || [...kw.keys()].some((k) => k !== 'name')) throw new Todo('py-unsupported', 'keras.Sequential without a list of layers (model.add is not translated)', key);
    const layers: ChainLayer[] = [];
    let inputShape: Shape | null = null;
    for (const l of exprChildren(pos[0])) {
      const path = l.name === 'CallExpression' ? this.resolvePath(this.src(l.firstChild!)) : null;
      const entry = path ? PY_NAMES[path] : undefined;
      // keras.Input(shape=...) first in the list: the input size of the next layer.
      if (entry?.kind === 'special' && entry.id === 'kerasInput' && !layers.length) {
        const a = this.callArgs(l);
        inputShape = this.special('kerasInput', path!, a.pos, a.kw, l).chain!.inputShape;
        continue;
      }
      if (!entry || entry.kind !== 'layer') throw new Todo('unmapped', `layer ${this.src(l).slice(0, 40)} is not in the Python name table`, path ?? undefined);
      layers.push(this.layerSite(l, entry, path!));
      this.site(path!, l, 'rewritten');
    }
    this.moduleClass(name, layers, inputShape, key, call);
  }

  /** keras.Model(inputs=x, outputs=y) for a chain of layers from one keras.Input: the same class as Sequential. */
  protected functional(name: string, call: SyntaxNode): void {
    const key = 'tf.keras.Model';
    const { pos, kw } = this.callArgs(call);
    for (const k of kw.keys()) if (!['inputs', 'outputs', 'name'].includes(k)) throw new Todo('py-unsupported', `keras.Model(${k}=...)`, key);
    const inputsNode = kw.get('inputs') ?? pos[0];
    const outputsNode = kw.get('outputs') ?? pos[1];
    if (!inputsNode || !outputsNode) throw new Todo('py-unsupported', 'keras.Model(inputs, outputs) needs both', key);
    const inputs = this.expr(inputsNode), outputs = this.expr(outputsNode);
    if (inputs.kind !== 'symbolic' || outputs.kind !== 'symbolic' || !inputs.chain || !outputs.chain) throw new Todo('py-unsupported', 'keras.Model inputs/outputs that are not one keras.Input and the layers applied to it (lists, multiple inputs)', key);
    if (outputs.chain.input !== inputs.chain.input || inputs.chain.layers.length) throw new Todo('py-unsupported', 'keras.Model whose outputs do not come from its inputs through one chain of layers (branches and merges are not translated yet)', key);
    this.site(key, call, 'rewritten');
    this.note('functional-model', call, key);
    this.moduleClass(name, outputs.chain.layers, outputs.chain.inputShape, key, call);
  }

  /** A chain of layers as an nn.Module class (fields, Keras's initialisation, forward) and an instance of it. */
  protected moduleClass(name: string, layers: ChainLayer[], inputShape: Shape | null, key: string, call: SyntaxNode): void {
    const taken = new Set([...this.scope.vars.keys(), ...this.classes.keys()]);
    const chain = buildChain(layers, inputShape, 'nchw', this.api, new FieldNames(new Set()), name);
    if ('error' in chain) throw new Todo('shape-unknown', `${key}: ${chain.error}`, key);
    const clsName = this.className(name, taken);
    for (const id of chain.notes) if (id !== 'glorot-normal-init' && id !== 'sequential-model') this.note(id, call, key);
    this.note('py-glorot-uniform', call, key);
    this.site(key, call, 'rewritten');
    const lines = [`class ${clsName} extends nn.Module {`];
    for (const f of chain.fields) lines.push(`  ${f.name} = ${this.uses(f.code)};`);
    if (chain.fields.some((f) => f.init)) {
      lines.push('', '  constructor() {', '    super();', `    // ${PY_INIT.comment}`, '    for (const m of this.modules()) {');
      lines.push(`      if (${PY_INIT.classes.map((c) => `m instanceof ${c}`).join(' || ')}) {`, ...PY_INIT.body.map((b) => `        ${b}`), '      }', '    }', '  }');
    }
    let x = 'x';
    if (chain.inputPermute) x = `x.permute(${chain.inputPermute})`;
    for (const st of chain.steps) x = st.expr(x);
    lines.push('', '  forward(x: torch.Tensor): torch.Tensor {', `    return ${this.uses(x)};`, '  }', '}');
    this.use('nn');
    this.use('torch');
    for (const l of lines) this.line(l);
    this.classes.set(clsName, { name: clsName, isModel: true, fields: new Map(), callHasTraining: false });
    const prefix = this.bind(name, v('', 'module', true, { cls: clsName }));
    this.line(`${prefix}${name} = new ${clsName}();`);
  }

  protected className(varName: string, taken: ReadonlySet<string>): string {
    const base = varName.replace(/(^|_)([a-z])/g, (_m, _u, c: string) => c.toUpperCase());
    let n = base === varName ? `${base}Module` : base;
    for (let i = 2; taken.has(n); i++) n = `${base}${i}`;
    return n;
  }

  /** A standalone Keras layer (a subclassed model's field): sized from its config or the call chain. */
  protected standaloneLayer(call: SyntaxNode, entry: Extract<PyEntry, { kind: 'layer' }>, key: string, fieldName?: string): Val {
    const cl = this.layerSite(call, entry, key);
    const size = fieldName ? this.layerSizes.get(fieldName) : undefined;
    const r = planLayer(cl.row, cl.site, size !== undefined ? [[size]] : undefined);
    if (!r.plan) throw new Todo('shape-unknown', `${key}: ${r.error}; give the layer input_shape=(n,) (Keras sizes layers on first call, runtime modules at construction)`, key);
    const mods: Field[] = [];
    for (const raw of r.plan.steps) {
      const s = resolveStep(raw, this.api, -1);
      if (s.kind !== 'module' || s.call) throw new Todo('no-equivalent', `${key}: a step of this layer has no module form`, key);
      mods.push({ name: s.name, code: s.code, init: s.init });
    }
    this.site(key, call, 'rewritten');
    for (const id of r.notes) if (id !== 'glorot-normal-init') this.note(id, call, key);
    if (mods.some((m) => m.init)) {
      this.note('py-glorot-uniform', call, key);
      if (this.cls) this.layerInit.add(this.cls.name);
    }
    this.use('nn');
    if (mods.length === 1) return v(this.uses(mods[0].code), 'module', false, { cls: /new (nn\.\w+)/.exec(mods[0].code)?.[1] });
    return v(this.uses(`new nn.Sequential(${mods.map((m) => m.code).join(', ')})`), 'module', false, { cls: 'nn.Sequential' });
  }

  // --- expressions ------------------------------------------------------------------------------------------

  protected exprOrTuple(nodes: SyntaxNode[], bindingName?: string): Val {
    const es = nodes.filter((c) => c.name !== ',');
    if (es.length === 1 && nodes.length === 1) return this.expr(es[0], bindingName);
    const elems = es.map((e) => this.expr(e));
    return v(`[${elems.map((e) => e.code).join(', ')}]`, 'array', true, { elems });
  }

  expr(n: SyntaxNode, bindingName?: string): Val {
    switch (n.name) {
      case 'Number': return this.number(n);
      case 'String': {
        const s = this.stringValue(n);
        return v(this.jsString(s), 'string', true, { lit: s });
      }
      case 'ContinuedString': {
        const s = exprChildren(n).map((c) => this.stringValue(c)).join('');
        return v(this.jsString(s), 'string', true, { lit: s });
      }
      case 'FormatString': return this.fstring(n);
      case 'Boolean': return v(this.src(n) === 'True' ? 'true' : 'false', 'bool', true, { lit: this.src(n) === 'True' });
      case 'None': return v('null', 'none');
      case 'VariableName': return this.name(n);
      case 'ParenthesizedExpression': {
        const inner = this.expr(exprChildren(n)[0]);
        return { ...inner, code: inner.primary ? inner.code : `(${inner.code})`, primary: true };
      }
      case 'TupleExpression': case 'ArrayExpression': {
        const elems = exprChildren(n).map((e) => this.expr(e));
        const same = elems.length > 0 && elems.every((e) => e.kind === elems[0].kind) ? elems[0].kind : undefined;
        return v(`[${elems.map((e) => e.code).join(', ')}]`, 'array', true, { elems, elemKind: same });
      }
      case 'DictionaryExpression': return this.dict(n);
      case 'MemberExpression': return this.member(n);
      case 'CallExpression': return this.call(n, bindingName);
      case 'BinaryExpression': return this.binaryExpr(n);
      case 'UnaryExpression': return this.unary(n);
      case 'ConditionalExpression': {
        const [a, c, b] = exprChildren(n);
        const va = this.expr(a), vb = this.expr(b);
        return v(`${this.truthy(this.expr(c))} ? ${va.code} : ${vb.code}`, va.kind === vb.kind ? va.kind : 'unknown', false);
      }
      case 'LambdaExpression': return this.lambda(n);
      case 'ArrayComprehensionExpression': return this.comprehension(n);
      case 'AwaitExpression': case 'YieldExpression': case 'SetExpression': case 'SetComprehensionExpression': case 'DictionaryComprehensionExpression': case 'ComprehensionExpression':
      default:
        throw new Todo('py-unsupported', `the Python expression '${this.src(n).slice(0, 40)}' (${n.name}) is not translated`);
    }
  }

  protected number(n: SyntaxNode): Val {
    const t = this.src(n).replace(/_/g, '');
    if (/[jJ]$/.test(t)) throw new Todo('py-unsupported', 'complex numbers');
    const float = /[.eE]/.test(t) && !/^0[xob]/i.test(t);
    const value = Number(/^0o/i.test(t) ? parseInt(t.slice(2), 8) : t);
    return v(t.replace(/^0o/i, '0o'), 'number', true, { lit: value, floatLit: float });
  }

  protected stringValue(n: SyntaxNode): string {
    const raw = this.src(n);
    const m = /^([rRbBuU]*)('''|"""|'|")([\s\S]*)\2$/.exec(raw);
    if (!m) throw new Todo('py-unsupported', `string literal ${raw.slice(0, 20)}`);
    if (/[bB]/.test(m[1])) throw new Todo('py-unsupported', 'bytes literals');
    if (/[rR]/.test(m[1])) return m[3];
    return m[3].replace(/\\(n|t|r|\\|'|"|\n|x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4})/g, (_x, e: string) => {
      switch (e[0]) {
        case 'n': return '\n';
        case 't': return '\t';
        case 'r': return '\r';
        case '\n': return '';
        case 'x': case 'u': return String.fromCharCode(parseInt(e.slice(1), 16));
        default: return e;
      }
    });
  }

  protected jsString(s: string): string {
    return `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'").replace(/\n/g, '\\n').replace(/\r/g, '\\r').replace(/\t/g, '\\t')}'`;
  }

  protected fstring(n: SyntaxNode): Val {
    const raw = this.src(n);
    const m = /^([fFrR]+)('''|"""|'|")/.exec(raw)!;
    const quote = m[2];
    const isRaw = /[rR]/.test(m[1]);
    let pos = n.from + m[0].length;
    const end = n.to - quote.length;
    let out = '`';
    const text = (s: string) => {
      let t = s.replace(/\{\{/g, '{').replace(/\}\}/g, '}');
      if (!isRaw) t = this.unescape(t);
      out += t.replace(/\\/g, '\\\\').replace(/`/g, '\\`').replace(/\$\{/g, '\\${');
    };
    for (const r of children(n).filter((c) => c.name === 'FormatReplacement')) {
      text(this.p.text.slice(pos, r.from));
      const parts = exprChildren(r).filter((c) => c.name !== '{' && c.name !== '}');
      const spec = parts.find((c) => c.name === 'FormatSpec');
      const conv = parts.find((c) => c.name === 'FormatConversion');
      const e = parts.filter((c) => c !== spec && c !== conv);
      if (e.length !== 1) throw new Todo('py-unsupported', `f-string replacement ${this.src(r)}`);
      const val = this.expr(e[0]);
      if (spec && children(spec).some((c) => c.name === 'FormatReplacement')) throw new Todo('py-unsupported', 'a nested f-string format spec');
      const specText = spec ? this.src(spec).slice(1) : '';
      if (conv) throw new Todo('py-unsupported', `f-string conversion ${this.src(conv)}`);
      this.use('compat');
      out += specText ? `\${compat.py.format(${val.code}, '${specText}')}` : val.kind === 'string' || val.kind === 'number' ? `\${${val.code}}` : `\${compat.py.str(${val.code})}`;
      pos = r.to;
    }
    text(this.p.text.slice(pos, end));
    return v(`${out}\``, 'string');
  }

  protected unescape(t: string): string {
    return t.replace(/\\(n|t|r|\\|'|")/g, (_x, e: string) => (e === 'n' ? '\n' : e === 't' ? '\t' : e === 'r' ? '\r' : e));
  }

  protected name(n: SyntaxNode): Val {
    const raw = this.src(n);
    if (raw === 'self' && this.cls) return v('this', 'module', true, { cls: this.cls.name });
    const info = this.ref(jsName(raw));
    if (info) {
      if (info.kind === 'class') return v(raw, 'class', true, { cls: info.cls });
      if (info.kind === 'symbolic') return v(raw, 'symbolic', true, { chain: this.symbolic.get(jsName(raw)) });
      return v(jsName(raw), info.kind, true, { elemKind: info.elemKind, elems: info.elems?.map((k) => v('', k)), cls: info.cls });
    }
    const alias = this.aliases.get(raw);
    if (alias) return this.pathVal(alias, n);
    if (['range', 'zip', 'enumerate', 'print', 'len', 'float', 'int', 'str', 'list', 'abs', 'min', 'max', 'sum', 'super', 'isinstance', 'round', 'bool', 'tuple', 'dict', 'sorted', 'reversed', 'type', 'open', 'map', 'filter', 'any', 'all'].includes(raw)) return v(raw, 'function', true, { path: `builtins.${raw}` });
    throw new Todo('py-unsupported', `the name '${raw}' is not defined before this point (or is a Python global the front-end does not know)`);
  }

  protected pathVal(path: string, n: SyntaxNode): Val {
    const e = PY_NAMES[path];
    if (e?.kind === 'value') {
      this.site(path, n, 'rewritten');
      return v(e.code, 'dtype', true, { lit: e.code.slice(1, -1) });
    }
    return v(path, 'ns', true, { path });
  }

  protected dict(n: SyntaxNode): Val {
    const cs = exprChildren(n);
    const parts: string[] = [];
    for (let i = 0; i + 1 < cs.length; i += 2) {
      const k = this.expr(cs[i]);
      if (k.kind !== 'string' && k.kind !== 'number') throw new Todo('py-unsupported', 'a dict key that is not a string or number literal');
      parts.push(`${k.code}: ${this.expr(cs[i + 1]).code}`);
    }
    return v(`{ ${parts.join(', ')} }`, 'dict', true);
  }

  protected lambda(n: SyntaxNode): Val {
    const pl = n.getChild('ParamList');
    const outer = this.scope;
    this.scope = new Scope(this.out.length, this.ind, outer, 'function');
    const params = pl ? this.params(pl, false) : [];
    const body = this.expr(exprChildren(n).filter((c) => c.name !== 'ParamList').pop()!);
    this.scope = outer;
    return v(`(${params.join(', ')}) => ${body.code}`, 'function', false);
  }

  protected comprehension(n: SyntaxNode): Val {
    const cs = children(n).filter((c) => c.name !== '[' && c.name !== ']');
    const forIdx = cs.findIndex((c) => c.name === 'for');
    if (cs.filter((c) => c.name === 'for').length > 1) throw new Todo('py-unsupported', 'a comprehension with more than one for');
    const inIdx = cs.findIndex((c) => c.name === 'in');
    const targets = cs.slice(forIdx + 1, inIdx).filter((c) => c.name !== ',');
    const iterNode = cs[inIdx + 1];
    const ifIdx = cs.findIndex((c, i) => i > inIdx && c.name === 'if');
    let iter: Val;
    if (iterNode.name === 'CallExpression' && this.src(iterNode.firstChild!) === 'range') {
      const args = exprChildren(iterNode.getChild('ArgList')!).map((a) => this.num(this.expr(a), 'range'));
      this.use('compat');
      iter = v(`compat.py.range(${args.join(', ')})`, 'array', true, { elemKind: 'number' });
    } else {
      iter = this.iterable(this.expr(iterNode), iterNode);
      if (iter.kind === 'loader') iter = v(`Array.from(${iter.code})`, 'array', true, { elems: iter.elems });
    }
    const outer = this.scope;
    this.scope = new Scope(this.out.length, this.ind, outer, 'function');
    const pattern = this.forTarget(targets, iter).replace(/^const /, '');
    const param = pattern;
    const cond = ifIdx > 0 ? this.truthy(this.expr(cs[ifIdx + 1])) : null;
    const body = this.expr(cs[0]);
    this.scope = outer;
    const src = iter.kind === 'array' && !/^(compat\.py\.|\[|Array\.from)/.test(iter.code) ? `${paren(iter)}` : paren(iter);
    return v(`${src}${cond ? `.filter((${param}) => ${cond})` : ''}.map((${param}) => ${body.code})`, 'array', true, { elemKind: body.kind });
  }

  /** A number-valued Python expression as code (for range bounds, sizes). */
  protected num(x: Val, what: string): string {
    if (x.kind === 'number') return x.code;
    if (x.kind === 'tensor') return `${paren(x)}.item()`;
    throw new Todo('py-unsupported', `${what}: '${x.code}' is not known to be a number`);
  }

  /** A condition: tensors are read (Python's bool(tensor)); arrays by length. */
  protected truthy(x: Val): string {
    if (x.kind === 'tensor') return `${paren(x)}.item()`;
    if (x.kind === 'array') return `${paren(x)}.length > 0`;
    // An empty list or dict is false in Python and true in JavaScript: a value of unknown kind is not guessed at.
    if (x.kind === 'unknown' || x.kind === 'dict') throw new Todo('py-unsupported', `the truth value of '${x.code}' whose kind is not known (Python's and JavaScript's differ for empty lists and dicts)`);
    return x.code;
  }

  protected member(n: SyntaxNode): Val {
    const cs = children(n);
    const obj = cs[0];
    if (cs[1]?.name === '.') {
      const prop = this.src(cs[2]);
      const o = this.expr(obj);
      return this.attr(o, prop, n);
    }
    return this.subscript(this.expr(obj), cs.slice(2, -1), n);
  }

  protected attr(o: Val, prop: string, n: SyntaxNode): Val {
    if (o.kind === 'ns') return this.pathVal(`${o.path}.${prop}`, n);
    switch (o.kind) {
      case 'tensor':
        if (prop === 'shape') return v(`${paren(o)}.shape`, 'array', true, { elemKind: 'number' });
        if (prop === 'ndim') return v(`${paren(o)}.dim()`, 'number');
        if (prop === 'T') return v(`${paren(o)}.T`, 'tensor');
        if (prop === 'dtype') return v(`${paren(o)}.dtype`, 'dtype');
        if (prop === 'size') return v(`${paren(o)}.numel()`, 'number');
        break;
      case 'module':
        if (prop === 'trainable_variables' || prop === 'trainable_weights') {
          this.site(`Model.${prop}`, n, 'rewritten');
          return v(`${paren(o)}.parameters()`, 'params');
        }
        if (o.code === 'this' && this.cls) {
          const f = this.cls.fields.get(prop);
          if (f) return v(`this.${prop}`, f.kind, true, { cls: f.cls });
          return v(`this.${prop}`, 'unknown');
        }
        break;
      case 'array':
        break;
      case 'loader':
        break;
      default:
        break;
    }
    if (o.kind === 'unknown') throw new Todo('py-unsupported', `attribute '${prop}' of '${o.code}' whose kind is not known`);
    return v(`${paren(o)}.${prop}`, 'unknown');
  }

  /** Python indexing and slicing: tensors → select/slice/unsqueeze per axis; lists → [i] and slice(). */
  protected subscript(o: Val, parts: SyntaxNode[], n: SyntaxNode): Val {
    // Split the bracket's tokens into per-axis items, each a list of up to three slice fields.
    const axes: (SyntaxNode | null)[][] = [[null]];
    for (const p of parts) {
      if (p.name === ',') axes.push([null]);
      else if (p.name === ':') axes[axes.length - 1].push(null);
      else axes[axes.length - 1][axes[axes.length - 1].length - 1] = p;
    }
    const isSlice = (a: (SyntaxNode | null)[]) => a.length > 1;
    if (o.kind === 'array' || o.kind === 'params') {
      if (axes.length !== 1) throw new Todo('py-unsupported', 'multi-axis indexing of a list');
      const a = axes[0];
      if (isSlice(a)) {
        if (a[2]) throw new Todo('py-unsupported', 'a list slice with a step');
        const lo = a[0] ? this.num(this.expr(a[0]), 'slice') : '0';
        const hi = a[1] ? `, ${this.num(this.expr(a[1]), 'slice')}` : '';
        return { ...o, code: `${paren(o)}.slice(${lo}${hi})`, primary: true };
      }
      const idx = this.expr(a[0]!);
      const el = typeof idx.lit === 'number' ? o.elems?.[idx.lit < 0 ? o.elems.length + idx.lit : idx.lit] : undefined;
      const kind = el?.kind ?? o.elemKind ?? (o.kind === 'params' ? 'tensor' : 'unknown');
      if (typeof idx.lit === 'number' && idx.lit < 0) {
        if (!o.primary || /\(/.test(o.code)) throw new Todo('py-unsupported', 'negative index of a list expression (name it first)');
        return v(`${o.code}[${o.code}.length - ${-idx.lit}]`, kind, true, { elems: el?.elems, elemKind: el?.elemKind });
      }
      if (idx.kind !== 'number') throw new Todo('py-unsupported', 'a list index that is not a number');
      return v(`${paren(o)}[${idx.code}]`, kind, true, { elems: el?.elems, elemKind: el?.elemKind });
    }
    if (o.kind === 'dict') {
      const idx = this.expr(axes[0][0]!);
      return v(`${paren(o)}[${idx.code}]`, o.elemKind ?? 'unknown');
    }
    if (o.kind !== 'tensor') throw new Todo('py-unsupported', `indexing '${this.src(n)}' whose kind is not known`);
    let code = paren(o);
    let dim = 0;
    for (const a of axes) {
      if (!isSlice(a)) {
        const e = a[0];
        if (!e) throw new Todo('py-unsupported', 'an empty index');
        if (e.name === 'None') {
          code = `${code}.unsqueeze(${dim})`;
          dim++;
          continue;
        }
        if (this.src(e) === '...') throw new Todo('py-unsupported', 'Ellipsis indexing');
        const idx = this.expr(e);
        if (idx.kind === 'tensor') throw new Todo('py-unsupported', 'indexing a tensor with a tensor (use tf.gather)');
        code = `${code}.select(${dim}, ${this.num(idx, 'index')})`;
        continue;
      }
      const [lo, hi, st] = a;
      if (!lo && !hi && !st) {
        dim++;
        continue;
      }
      const f = (x: SyntaxNode | null | undefined) => (x ? this.num(this.expr(x), 'slice') : 'undefined');
      const args = [f(lo), f(hi), ...(st ? [f(st)] : [])];
      while (args.length && args[args.length - 1] === 'undefined') args.pop();
      code = `${code}.slice(${dim}${args.length ? `, ${args.join(', ')}` : ''})`;
      dim++;
    }
    return v(code, 'tensor');
  }

  protected unary(n: SyntaxNode): Val {
    const [op, e] = children(n);
    const x = this.expr(e);
    const o = this.src(op);
    if (o === 'not') return v(`!${x.primary ? this.truthy(x) : `(${this.truthy(x)})`}`, 'bool', false);
    if (x.kind === 'tensor') return v(`${paren(x)}.${o === '-' ? 'neg' : o === '~' ? 'logicalNot' : 'clone'}()`, 'tensor');
    if (x.kind === 'number') return v(`${o}${paren(x)}`, 'number', false, typeof x.lit === 'number' ? { lit: o === '-' ? -x.lit : x.lit, floatLit: x.floatLit } : {});
    throw new Todo('py-unsupported', `unary ${o} on '${this.src(e)}' whose kind is not known`);
  }

  protected binaryExpr(n: SyntaxNode): Val {
    const cs = children(n);
    const left = cs[0];
    const right = cs[cs.length - 1];
    const op = cs.slice(1, -1).map((c) => this.src(c)).join(' ');
    // "fmt" % args: printf-style formatting.
    if (op === '%' && (left.name === 'String' || left.name === 'ContinuedString')) {
      const l = this.expr(left);
      const r = this.expr(right);
      this.use('compat');
      return v(`compat.py.percent(${l.code}, ${r.code})`, 'string');
    }
    if (op === 'and' || op === 'or') {
      const l = this.expr(left), r = this.expr(right);
      return v(`${this.truthy(l)} ${op === 'and' ? '&&' : '||'} ${this.truthy(r)}`, l.kind === r.kind ? l.kind : 'unknown', false);
    }
    return this.binary(this.expr(left), op, this.expr(right), n);
  }

  protected binary(l: Val, op: string, r: Val, n: SyntaxNode): Val {
    const TENSOR_OPS: Record<string, string> = { '+': 'add', '-': 'sub', '*': 'mul', '/': 'div', '//': 'floorDivide', '%': 'remainder', '**': 'pow', '@': 'matmul', '<': 'lt', '<=': 'le', '>': 'gt', '>=': 'ge', '==': 'eq', '!=': 'ne' };
    if (l.kind === 'tensor' || r.kind === 'tensor') {
      const m = TENSOR_OPS[op];
      if (!m) throw new Todo('py-unsupported', `operator '${op}' on tensors`);
      if (l.kind !== 'tensor' && l.kind !== 'number') throw new Todo('py-unsupported', `'${op}' between a tensor and '${l.code}' whose kind is not known`);
      if (r.kind !== 'tensor' && r.kind !== 'number') throw new Todo('py-unsupported', `'${op}' between a tensor and '${r.code}' whose kind is not known`);
      if (l.kind === 'tensor') return v(`${paren(l)}.${m}(${r.code})`, 'tensor');
      this.use('torch');
      // torch.add/sub/mul/div/pow take a number first; the other ops get a float32 tensor (as TF converts it).
      if (['add', 'sub', 'mul', 'div', 'pow'].includes(m)) return v(`torch.${m}(${l.code}, ${r.code})`, 'tensor');
      return v(`torch.tensor(${l.code}, { dtype: 'float32' }).${m}(${r.code})`, 'tensor');
    }
    const both = (k: Kind) => l.kind === k && r.kind === k;
    const CMP: Record<string, string> = { '<': '<', '<=': '<=', '>': '>', '>=': '>=', '==': '===', '!=': '!==', is: '===', 'is not': '!==' };
    if (op in CMP) {
      if (op.startsWith('is') || l.kind === r.kind || r.kind === 'none' || l.kind === 'none') return v(`${paren(l)} ${CMP[op]} ${paren(r)}`, 'bool', false);
      throw new Todo('py-unsupported', `comparing '${l.code}' and '${r.code}' whose kinds differ or are not known`);
    }
    if (op === 'in' || op === 'not in') {
      const neg = op === 'not in' ? '!' : '';
      if (r.kind === 'array') return v(`${neg}${paren(r)}.includes(${l.code})`, 'bool', false);
      if (r.kind === 'dict') return v(`${neg}(${l.code} in ${r.code})`, 'bool', false);
      throw new Todo('py-unsupported', `'in' on '${r.code}' whose kind is not known`);
    }
    if (both('number')) {
      const lc = paren(l), rc = paren(r);
      const lit = typeof l.lit === 'number' && typeof r.lit === 'number' ? { floatLit: l.floatLit || r.floatLit || op === '/' } : {};
      switch (op) {
        case '//': return v(`Math.floor(${lc} / ${rc})`, 'number', true, lit);
        case '**': return v(`${lc} ** ${rc}`, 'number', false, lit);
        case '%': return v(`${lc} % ${rc}`, 'number', false, lit);
        case '+': case '-': case '*': case '/': return v(`${lc} ${op} ${rc}`, 'number', false, lit);
        default: throw new Todo('py-unsupported', `operator '${op}' on numbers`);
      }
    }
    if (op === '+' && both('string')) return v(`${paren(l)} + ${paren(r)}`, 'string', false);
    if (op === '+' && both('array')) return v(`[...${l.code}, ...${r.code}]`, 'array', true, { elems: l.elems && r.elems ? [...l.elems, ...r.elems] : undefined, elemKind: l.elemKind === r.elemKind ? l.elemKind : undefined });
    if (op === '*' && l.kind === 'array' && r.kind === 'number') return v(`Array.from({ length: ${r.code} }, () => ${l.code}).flat()`, 'array', true, { elemKind: l.elemKind });
    void n;
    throw new Todo('py-unsupported', `operator '${op}' between '${l.code}' (${l.kind}) and '${r.code}' (${r.kind})`);
  }

  // --- calls ---------------------------------------------------------------------------------------------

  protected call(n: SyntaxNode, bindingName?: string): Val {
    const calleeNode = n.firstChild!;
    // method calls: obj.method(...)
    if (calleeNode.name === 'MemberExpression' && calleeNode.lastChild?.name === 'PropertyName' && children(calleeNode)[1]?.name === '.') {
      const objNode = calleeNode.firstChild!;
      const method = this.src(calleeNode.lastChild);
      if (this.src(objNode) === 'super' || /^super\(/.test(this.src(objNode))) {
        if (method === '__init__' && this.inInit) return v('', 'none');
        throw new Todo('py-unsupported', `super().${method}(...)`);
      }
      const obj = this.expr(objNode);
      if (obj.kind === 'ns') return this.apiCall(`${obj.path}.${method}`, n, bindingName);
      return this.methodCall(obj, method, n);
    }
    // layers.Dense(10)(x) on a symbolic tensor: one more layer in the functional chain.
    if (calleeNode.name === 'CallExpression') {
      const path = this.resolvePath(this.src(calleeNode.firstChild!));
      const entry = path ? PY_NAMES[path] : undefined;
      if (entry?.kind === 'layer') {
        const { pos, kw } = this.callArgs(n);
        const arg = pos.length === 1 && !kw.size ? this.expr(pos[0]) : undefined;
        if (arg?.kind !== 'symbolic' || !arg.chain) throw new Todo('py-unsupported', `${path} applied to something that is not one keras.Input-derived tensor`, path!);
        this.site(path!, calleeNode, 'rewritten');
        return v('', 'symbolic', true, { chain: { ...arg.chain, layers: [...arg.chain.layers, this.layerSite(calleeNode, entry, path!)] } });
      }
    }
    const callee = this.expr(calleeNode);
    if (callee.kind === 'ns') return this.apiCall(callee.path!, n, bindingName);
    if (callee.path?.startsWith('builtins.')) return this.builtin(callee.path.slice(9), n);
    const { pos, kw } = this.callArgs(n);
    if (callee.kind === 'module') return this.moduleCall(callee, pos, kw, n);
    if (callee.kind === 'loss') {
      if (pos.length !== 2 || kw.size) throw new Todo('py-unsupported', 'a Keras loss called with sample_weight or keywords');
      return v(`${paren(callee)}(${pos.map((p) => this.expr(p).code).join(', ')})`, 'tensor');
    }
    if (callee.kind === 'class') {
      const info = this.classes.get(callee.cls!);
      const args = this.bindArgs(info?.ctor, pos, kw, callee.code);
      return v(`new ${callee.code}(${args})`, info?.isModel ? 'module' : 'unknown', false, { cls: callee.cls });
    }
    if (callee.kind === 'function') {
      const sig = this.funcs.get(callee.code);
      return v(`${callee.code}(${this.bindArgs(sig, pos, kw, callee.code)})`, this.returnKind(callee.code), true);
    }
    throw new Todo('py-unsupported', `calling '${this.src(calleeNode)}' whose kind is not known`);
  }

  /** What a user function returns: a tensor when its body returns one (looked up by name), else unknown. */
  protected returnKind(name: string): Kind {
    return this.fnReturns.get(name) ?? 'unknown';
  }
  readonly fnReturns = new Map<string, Kind>();

  protected bindArgs(sig: FuncSig | undefined, pos: SyntaxNode[], kw: Map<string, SyntaxNode>, what: string): string {
    const vals = pos.map((p) => this.expr(p).code);
    if (!kw.size) return vals.join(', ');
    if (!sig) throw new Todo('py-unsupported', `keyword arguments to '${what}' whose signature is not known`);
    const out = [...vals];
    for (const [k, node] of kw) {
      const i = sig.params.findIndex((p) => p.name === k);
      if (i < 0) throw new Todo('py-unsupported', `'${what}' has no parameter '${k}'`);
      while (out.length < i) out.push('undefined');
      out[i] = this.expr(node).code;
    }
    return out.join(', ');
  }

  protected moduleCall(m: Val, pos: SyntaxNode[], kw: Map<string, SyntaxNode>, n: SyntaxNode): Val {
    const args = pos.map((p) => this.expr(p));
    const training = kw.get('training');
    for (const k of kw.keys()) if (k !== 'training') throw new Todo('py-unsupported', `calling a model with keyword '${k}'`);
    this.note('py-model-call', n);
    const info = m.cls ? this.classes.get(m.cls) : undefined;
    const t = training ? this.expr(training) : undefined;
    // Keras runs a model called without `training` in inference mode (Dropout off); inside a model's own methods
    // the caller's flag is passed down, as the module's mode is.
    const mode = t ? (t.code === 'true' ? '.train()' : t.code === 'false' ? '.eval()' : `.train(${t.code})`) : this.cls ? '' : '.eval()';
    const extra = t && info?.callHasTraining ? [t.code] : [];
    return v(`${paren(m)}${mode}.forward(${[...args.map((a) => a.code), ...extra].join(', ')})`, 'tensor');
  }

  protected builtin(name: string, n: SyntaxNode): Val {
    const { pos, kw } = this.callArgs(n);
    const args = () => pos.map((p) => this.expr(p));
    switch (name) {
      case 'print': {
        for (const k of kw.keys()) if (k !== 'sep') throw new Todo('py-unsupported', `print(${k}=...)`);
        this.note('py-print', n);
        const vals = args().map((a) => (a.kind === 'string' || a.kind === 'number' ? a.code : (this.use('compat'), `compat.py.str(${a.code})`)));
        if (kw.has('sep')) return v(`console.log([${vals.join(', ')}].join(${this.expr(kw.get('sep')!).code}))`, 'none');
        return v(`console.log(${vals.join(', ')})`, 'none');
      }
      case 'len': {
        const [a] = args();
        if (a.kind === 'tensor') return v(`${paren(a)}.shape[0]`, 'number');
        if (a.kind === 'array' || a.kind === 'string' || a.kind === 'loader' || a.kind === 'params') return v(`${paren(a)}.length`, 'number');
        throw new Todo('py-unsupported', `len() of '${a.code}' whose kind is not known`);
      }
      case 'float': case 'int': {
        const [a] = args();
        const x = a.kind === 'tensor' ? `${paren(a)}.item()` : a.kind === 'number' ? a.code : a.kind === 'string' ? `Number(${a.code})` : null;
        if (x === null) throw new Todo('py-unsupported', `${name}() of '${a.code}' whose kind is not known`);
        return name === 'int' ? v(`Math.trunc(${x})`, 'number') : v(x, 'number', a.kind !== 'number' || a.primary);
      }
      case 'str': this.use('compat'); return v(`compat.py.str(${args()[0].code})`, 'string');
      case 'abs': { const [a] = args(); if (a.kind === 'tensor') return v(`${paren(a)}.abs()`, 'tensor'); return v(`Math.abs(${this.num(a, 'abs')})`, 'number'); }
      case 'min': case 'max': {
        const as = args();
        if (as.length === 1 && as[0].kind === 'array') return v(`Math.${name}(...${as[0].code})`, 'number');
        return v(`Math.${name}(${as.map((a) => this.num(a, name)).join(', ')})`, 'number');
      }
      case 'sum': { const [a] = args(); if (a.kind !== 'array') throw new Todo('py-unsupported', 'sum() of a non-list'); return v(`${paren(a)}.reduce((s, x) => s + x, 0)`, 'number'); }
      case 'list': case 'tuple': { const [a] = args(); if (a.kind === 'array') return a; const it = this.iterable(a, pos[0]); return v(`Array.from(${it.code})`, 'array', true, { elems: it.elems, elemKind: it.elemKind }); }
      case 'range': this.use('compat'); return v(`compat.py.range(${args().map((a) => this.num(a, 'range')).join(', ')})`, 'array', true, { elemKind: 'number' });
      case 'zip': {
        const as = args().map((a, i) => (a.kind === 'array' || a.kind === 'params' || a.kind === 'loader' ? a : this.iterable(a, pos[i])));
        this.use('compat');
        return v(`compat.py.zip(${as.map((a) => a.code).join(', ')})`, 'array', true, { elemKind: 'array', elems: [v('', 'array', true, { elems: as.map((a) => v('', a.kind === 'params' ? 'tensor' : a.kind === 'loader' ? 'array' : a.elemKind ?? 'unknown')) })] });
      }
      case 'enumerate': {
        const [a] = args();
        const it = a.kind === 'array' || a.kind === 'loader' || a.kind === 'params' ? a : this.iterable(a, pos[0]);
        const item = it.kind === 'loader' ? v('', 'array', true, { elems: [v('', 'tensor'), v('', 'tensor')] }) : v('', it.kind === 'params' ? 'tensor' : it.elemKind ?? 'unknown', true, { elems: it.elems?.[0]?.elems });
        this.use('compat');
        return v(`compat.py.enumerate(${it.code}${pos[1] ? `, ${this.expr(pos[1]).code}` : ''})`, 'array', true, { elems: [v('', 'array', true, { elems: [v('', 'number'), item] })] });
      }
      case 'bool': return v(`Boolean(${this.truthy(args()[0])})`, 'bool');
      case 'round': {
        const as = args();
        if (as.length === 2) return v(`Number(${this.num(as[0], 'round')}.toFixed(${as[1].code}))`, 'number');
        throw new Todo('py-unsupported', "round(x) rounds half to even in Python; write Math.round or toFixed explicitly");
      }
      default:
        throw new Todo('py-unsupported', `the built-in ${name}() is not translated`);
    }
  }

  protected methodCall(obj: Val, method: string, n: SyntaxNode): Val {
    const { pos, kw } = this.callArgs(n);
    const args = () => pos.map((p) => this.expr(p));
    switch (obj.kind) {
      case 'tape': {
        const tape = this.tapeOf(obj.code);
        if (!tape) throw new Todo('py-unsupported', `tape '${obj.code}' is not known`);
        if (method === 'gradient') return this.gradient(tape, n);
        if (method === 'watch') {
          const [x] = args();
          this.site('tape.watch', n, 'rewritten');
          this.note('py-tape-watch', n, 'tape.watch');
          if (x.kind === 'tensor') return v(`${paren(x)}.requiresGrad_()`, 'tensor');
          if (x.kind === 'array') return v(`${x.code}.forEach((t) => t.requiresGrad_())`, 'none');
          throw new Todo('py-unsupported', 'tape.watch of something that is not a tensor', 'tape.watch');
        }
        if (method === 'jacobian' || method === 'batch_jacobian') throw new Todo('no-equivalent', `tape.${method} has no runtime equivalent (loop over outputs with torch.autograd.grad)`, `tape.${method}`);
        throw new Todo('py-unsupported', `tape.${method}`, `tape.${method}`);
      }
      case 'optimizer': {
        if (method === 'apply_gradients') {
          this.site('Optimizer.apply_gradients', n, 'rewritten');
          if (this.stepOnly.has(n.from)) return v(`${paren(obj)}.step()`, 'none');
          const [pairs] = args();
          this.use('compat');
          return v(`compat.keras.applyGradients(${obj.code}, ${pairs.code})`, 'none');
        }
        throw new Todo('py-unsupported', `optimizer.${method} (minimize / get_config are not translated)`, `Optimizer.${method}`);
      }
      case 'metric': {
        const m = METHOD_RENAMES[method];
        if (!m) throw new Todo('py-unsupported', `metric.${method}`, `Metric.${method}`);
        if (kw.size) throw new Todo('py-unsupported', `metric.${method} with sample_weight`, `Metric.${method}`);
        return v(`${paren(obj)}.${m}(${args().map((a) => a.code).join(', ')})`, method === 'result' ? 'tensor' : 'none');
      }
      case 'module': {
        // self.layer(x) / model.layer(x): a module field called.
        const info = obj.cls ? this.classes.get(obj.cls) : undefined;
        const field = info?.fields.get(method);
        if (field?.kind === 'module') return this.moduleCall(v(`${paren(obj)}.${method}`, 'module', true, { cls: field.cls }), pos, kw, n);
        return this.modelMethod(obj, method, pos, kw, n);
      }
      case 'rng': return this.rngMethod(obj, method, pos, kw, n);
      case 'dataset': return this.datasetMethod(obj, method, pos);
      case 'tensor': return this.tensorMethod(obj, method, pos, kw, n);
      case 'array':
        if (method === 'append') {
          const as = args();
          // An empty list learns its element kind from what is appended (losses.append(float(loss))).
          const info = /^[\w$]+$/.test(obj.code) ? this.scope.lookup(obj.code) : undefined;
          if (info && !info.elemKind && !info.elems?.length && as[0]) info.elemKind = as[0].kind;
          return v(`${paren(obj)}.push(${as.map((a) => a.code).join(', ')})`, 'none');
        }
        if (method === 'extend') return v(`${paren(obj)}.push(...${args()[0].code})`, 'none');
        break;
      case 'string':
        if (method === 'format') throw new Todo('py-unsupported', 'str.format (use an f-string)');
        if (method === 'join') return v(`${args()[0].code}.join(${obj.code})`, 'string');
        break;
      case 'dict':
        if (method === 'items') return v(`Object.entries(${obj.code})`, 'array', true, { elemKind: 'array' });
        if (method === 'keys') return v(`Object.keys(${obj.code})`, 'array', true, { elemKind: 'string' });
        if (method === 'values') return v(`Object.values(${obj.code})`, 'array', true);
        break;
      default: break;
    }
    throw new Todo('py-unsupported', `the method '${method}' on '${this.src(n.firstChild!.firstChild!)}' (${obj.kind}) is not translated`);
  }

  protected modelMethod(m: Val, method: string, pos: SyntaxNode[], kw: Map<string, SyntaxNode>, n: SyntaxNode): Val {
    const key = `Model.${method}`;
    switch (method) {
      case 'save_weights': {
        this.site(key, n, 'rewritten');
        this.note('py-save-weights', n, key);
        this.use('io');
        return v(`io.save(${paren(m)}.stateDict(), ${this.expr(pos[0]).code})`, 'none');
      }
      case 'load_weights': {
        this.site(key, n, 'rewritten');
        this.note('py-save-weights', n, key);
        this.use('io');
        return v(`${paren(m)}.loadStateDict(io.load(${this.expr(pos[0]).code}))`, 'none');
      }
      case 'summary': return v(`console.log(${paren(m)}.toString())`, 'none');
      case 'count_params': return v(`${paren(m)}.numParameters()`, 'number');
      case 'predict': {
        for (const k of kw.keys()) if (k !== 'batch_size' && k !== 'verbose') throw new Todo('py-unsupported', `model.predict(${k}=...)`, key);
        this.site(key, n, 'rewritten');
        this.note('predict-eval', n, key);
        this.use('utils');
        const bs = kw.get('batch_size');
        return v(`utils.predict(${m.code}, ${this.expr(pos[0]).code}${bs ? `, { batchSize: ${this.expr(bs).code} }` : ''})`, 'tensor');
      }
      case 'compile': return this.compile(m, pos, kw, n);
      case 'fit': case 'evaluate': return this.fitOrEvaluate(m, method, pos, kw, n);
      default:
        void kw;
        throw new Todo('py-unsupported', `model.${method}`, key);
    }
  }

  /**
   * model.compile(optimizer=..., loss=..., metrics=[...]) → one options object that utils.fit / utils.evaluate take
   * (the TypeScript path's `--fit helper` target): Keras's loss strings and objects, 'adam'/'sgd', 'accuracy'.
   */
  protected compile(m: Val, pos: SyntaxNode[], kw: Map<string, SyntaxNode>, n: SyntaxNode): Val {
    const key = 'Model.compile';
    if (pos.length) throw new Todo('py-unsupported', 'model.compile with positional arguments (pass optimizer=, loss=, metrics=)', key);
    for (const k of kw.keys()) if (!['optimizer', 'loss', 'metrics'].includes(k)) throw new Todo('py-unsupported', `model.compile(${k}=...)`, key);
    const lossNode = kw.get('loss');
    const optNode = kw.get('optimizer');
    if (!lossNode || !optNode) throw new Todo('fit-no-compile', 'model.compile needs optimizer= and loss=', key);
    // The loss: a Keras loss object (yTrue, yPred) or a loss string (tfjs-layers' formulas, Keras's names).
    let lossCode: string;
    let accuracy: 'categorical' | 'binary' | 'sparse' = 'categorical';
    const lossVal = this.expr(lossNode);
    if (lossVal.kind === 'loss') {
      lossCode = `(yPred: torch.Tensor, yTrue: torch.Tensor) => ${paren(lossVal)}(yTrue, yPred)`;
      const src = this.src(lossNode);
      accuracy = /Sparse/.test(src) || this.lossKinds.get(src) === 'sparse' ? 'sparse' : /MeanSquared|MeanAbsolute|Binary/.test(src) || this.lossKinds.get(src) === 'binary' ? 'binary' : 'categorical';
    } else if (typeof lossVal.lit === 'string') {
      const spec = COMPILE_LOSSES[camel(lossVal.lit)];
      if (!spec) throw new Todo('no-equivalent', `model.compile(loss='${lossVal.lit}') is not mapped`, key);
      lossCode = `(yPred: torch.Tensor, yTrue: torch.Tensor) => ${spec.code.replace(/\$yPred/g, 'yPred').replace(/\$yTrue/g, 'yTrue')}`;
      accuracy = spec.accuracy;
      for (const id of spec.notes ?? []) this.note(id, lossNode, key);
    } else throw new Todo('py-unsupported', `model.compile(loss=${this.src(lossNode)})`, key);
    // The optimizer: an optimizer object, or a string with Keras's defaults (Adam lr 1e-3 eps 1e-7, SGD lr 0.01).
    let optCode: string;
    const optVal = this.expr(optNode);
    if (optVal.kind === 'optimizer') optCode = optVal.code;
    else if (typeof optVal.lit === 'string' && ['adam', 'sgd'].includes(optVal.lit.toLowerCase())) {
      const c = COMPILE_OPTIMIZERS[optVal.lit.toLowerCase()];
      const row = lookup(c.row)!;
      const e = emitRow(row, { key: row.tf, args: c.args.map((a) => ({ text: a, kind: 'number', value: Number(a), simple: true })), awaited: false, layout: 'nchw', typescript: true, paramsCode: `${m.code}.parameters()` });
      if (e.kind !== 'code') throw new Todo('no-equivalent', `model.compile(optimizer='${optVal.lit}')`, key);
      optCode = e.code;
      for (const id of row.notes ?? []) this.note(id, optNode, key);
    } else throw new Todo('py-unsupported', `model.compile(optimizer=${this.src(optNode)}): an optimizer object or 'adam' / 'sgd'`, key);
    // Metrics: 'accuracy' (by the loss, as Keras picks it) and the mse/mae names.
    const metrics: string[] = [];
    const metricsNode = kw.get('metrics');
    if (metricsNode) {
      if (metricsNode.name !== 'ArrayExpression' && metricsNode.name !== 'TupleExpression') throw new Todo('py-unsupported', 'model.compile(metrics=...) that is not a list of names', key);
      for (const e of exprChildren(metricsNode)) {
        const name = this.expr(e).lit;
        if (typeof name !== 'string') throw new Todo('py-unsupported', `metric ${this.src(e)}: only metric names are translated in compile`, key);
        const spec = COMPILE_METRICS[camel(name)];
        if (!spec) throw new Todo('no-equivalent', `metric '${name}' is not mapped`, key);
        const code = spec === 'accuracy' ? ACCURACY_METRICS[accuracy] : spec.code;
        metrics.push(`${name}: (yPred: torch.Tensor, yTrue: torch.Tensor) => ${code.replace(/\$yPred/g, 'yPred').replace(/\$yTrue/g, 'yTrue')}`);
      }
    }
    const name = `${m.code.replace(/\W/g, '_')}_compiled`;
    this.compiled.set(m.code, { name, metrics: metrics.map((x) => x.split(':')[0]) });
    this.site(key, n, 'rewritten');
    this.note('fit-helper', n, key);
    this.use('torch');
    this.line(`// ${this.src(n).split('\n')[0]}: the loss, optimizer and metrics utils.fit / utils.evaluate use`);
    return v(this.uses(`const ${name} = { loss: ${lossCode}, optimizer: ${optCode}, metrics: { ${metrics.join(', ')} } }`), 'none');
  }

  /** model.fit(x, y, ...) → await utils.fit(...) (History); model.evaluate(x, y) → numbers, as Keras returns. */
  protected fitOrEvaluate(m: Val, method: string, pos: SyntaxNode[], kw: Map<string, SyntaxNode>, n: SyntaxNode): Val {
    const key = `Model.${method}`;
    const c = this.compiled.get(m.code);
    if (!c) throw new Todo('fit-no-compile', `model.${method} without a model.compile before it in this file`, key);
    if (pos.length < 2) throw new Todo('py-unsupported', `model.${method} on a tf.data.Dataset (pass x and y tensors)`, key);
    const [x, y] = pos.slice(0, 2).map((p) => this.expr(p));
    const opts: string[] = [];
    const allowed: Record<string, string> = method === 'fit'
      ? { batch_size: 'batchSize', epochs: 'epochs', shuffle: 'shuffle', validation_split: 'validationSplit', verbose: 'verbose', validation_data: 'validationData' }
      : { batch_size: 'batchSize', verbose: '' };
    for (const [k, node] of kw) {
      if (!(k in allowed)) throw new Todo('fit-options-unsupported', `model.${method}(${k}=...) is not translated`, key);
      if (allowed[k]) opts.push(`${allowed[k]}: ${this.expr(node).code}`);
    }
    this.site(key, n, 'rewritten');
    this.note('fit-helper', n, key);
    this.use('utils');
    if (method === 'fit') {
      // Keras prints one line per epoch by default (verbose 'auto'); utils.fit's verbose 1 does the same, on stderr.
      if (!kw.has('verbose')) opts.push('verbose: 1');
      return v(`await utils.fit(${m.code}, ${x.code}, ${y.code}, { ...${c.name}${opts.length ? `, ${opts.join(', ')}` : ''} })`, 'unknown', false);
    }
    const call = `utils.evaluate(${m.code}, ${x.code}, ${y.code}, { loss: ${c.name}.loss, metrics: ${c.name}.metrics${opts.length ? `, ${opts.join(', ')}` : ''} })`;
    this.use('torch');
    if (c.metrics.length) return v(`(${call} as torch.Tensor[]).map((t) => t.item())`, 'array', true, { elemKind: 'number', elems: [v('', 'number'), ...c.metrics.map(() => v('', 'number'))] });
    return v(`(${call} as torch.Tensor).item()`, 'number');
  }

  protected readonly lossKinds = new Map<string, string>();
  protected readonly symbolic = new Map<string, NonNullable<Val['chain']>>();

  protected rngMethod(rng: Val, method: string, pos: SyntaxNode[], kw: Map<string, SyntaxNode>, n: SyntaxNode): Val {
    const key = `np.random.Generator.${method}`;
    const specs: Record<string, string[]> = { uniform: ['low', 'high', 'size'], normal: ['loc', 'scale', 'size'], integers: ['low', 'high', 'size'], standard_normal: ['size'], random: ['size'], permutation: ['x'] };
    const params = specs[method];
    if (!params) throw new Todo('py-unsupported', `${key} is not translated`, key);
    const a: Record<string, Val> = {};
    pos.forEach((p, i) => { a[params[i]] = this.expr(p); });
    for (const [k, node] of kw) {
      if (!params.includes(k)) throw new Todo('py-unsupported', `${key}(${k}=...)`, key);
      a[k] = this.expr(node);
    }
    this.site(key, n, 'rewritten');
    this.note('py-numpy-random', n, key);
    this.use('torch');
    const size = a.size ? (a.size.kind === 'number' ? `[${a.size.code}]` : a.size.code) : '[]';
    const g = rng.code;
    switch (method) {
      case 'uniform': return v(`torch.empty(${size}).uniform_(${a.low?.code ?? 0}, ${a.high?.code ?? 1}, ${g})`, 'tensor');
      case 'random': return v(`torch.empty(${size}).uniform_(0, 1, ${g})`, 'tensor');
      case 'normal': case 'standard_normal': {
        let c = `torch.randn(${size}, { generator: ${g} })`;
        if (a.scale) c += `.mul(${a.scale.code})`;
        if (a.loc) c += `.add(${a.loc.code})`;
        return v(c, 'tensor');
      }
      case 'integers': return v(a.high ? `torch.randint(${a.low.code}, ${a.high.code}, ${size}, { generator: ${g} })` : `torch.randint(0, ${a.low.code}, ${size}, { generator: ${g} })`, 'tensor');
      case 'permutation': return v(`torch.randperm(${this.num(a.x, key)}, { generator: ${g} })`, 'tensor');
      default: throw new Todo('py-unsupported', key, key);
    }
  }

  /** The value a tf.data pipeline state becomes: the runtime's TensorDataset, or a DataLoader once batched. */
  protected datasetValue(s: NonNullable<Val['dataset']>): Val {
    this.use('data');
    const base = `new data.TensorDataset(${s.tensors})`;
    if (!s.batch) return v(base, 'dataset', false, { dataset: s });
    return v(`new data.DataLoader(${base}, { batchSize: ${s.batch}${s.shuffle ? ', shuffle: true' : ''} })`, 'loader', false, { dataset: s });
  }

  /** `Dataset.shuffle/batch/prefetch/cache` on a from_tensor_slices pipeline (the same rules for both targets). */
  protected datasetMethod(ds: Val, method: string, pos: SyntaxNode[]): Val {
    const st = ds.dataset!;
    const key = `tf.data.Dataset.${method}`;
    switch (method) {
      case 'shuffle': {
        if (st.batch) throw new Todo('py-unsupported', 'Dataset.shuffle after .batch shuffles batches, not samples', key);
        this.note('py-dataset-shuffle', pos[0] ?? this.p.tree.topNode, key);
        return this.datasetValue({ ...st, shuffle: true });
      }
      case 'batch': {
        if (st.batch) throw new Todo('py-unsupported', 'batching twice', key);
        return this.datasetValue({ ...st, batch: this.num(this.expr(pos[0]), 'batch') });
      }
      case 'prefetch': case 'cache': return this.datasetValue(st);
      default: throw new Todo('py-unsupported', `${key} is not translated (from_tensor_slices, shuffle, batch, prefetch, cache are)`, key);
    }
  }

  protected tensorMethod(t: Val, method: string, pos: SyntaxNode[], kw: Map<string, SyntaxNode>, n: SyntaxNode): Val {
    const args = () => pos.map((p) => this.expr(p));
    switch (method) {
      case 'astype': {
        const [d] = args();
        const dt = typeof d.lit === 'string' ? DTYPES[d.lit] : undefined;
        if (!dt) throw new Todo('py-unsupported', `astype(${d.code}): a dtype the runtime has (float32, float64, int32, bool)`);
        return v(`${paren(t)}.${dt.cast}()`, 'tensor');
      }
      case 'numpy': return v(`${paren(t)}.detach()`, 'tensor');
      case 'item': return v(`${paren(t)}.item()`, 'number');
      case 'assign': case 'assign_add': case 'assign_sub': {
        const [x] = args();
        const op = method === 'assign' ? 'copy_' : method === 'assign_add' ? 'add_' : 'sub_';
        this.use('torch');
        this.site(`Variable.${method}`, n, 'rewritten');
        return v(`torch.noGrad(() => ${paren(t)}.${op}(${x.kind === 'number' ? `torch.tensor(${x.code}, { dtype: 'float32' })` : x.code}))`, 'none');
      }
      default: {
        const m = TENSOR_METHODS[method];
        if (!m) throw new Todo('py-unsupported', `the tensor method '${method}' is not translated`, `ndarray.${method}`);
        const as = args().map((a) => a.code);
        if (kw.size) {
          for (const [k, node] of kw) {
            if (k === 'axis') as.unshift(this.expr(node).code);
            else if (k === 'keepdims') as.push(this.expr(node).code);
            else throw new Todo('py-unsupported', `${method}(${k}=...)`, `ndarray.${method}`);
          }
        }
        if (method === 'reshape' && pos.length === 1 && pos[0].name !== 'Number' && pos[0].name !== 'UnaryExpression') return v(`${paren(t)}.reshape(${as[0]})`, 'tensor');
        if (['argmax', 'argmin'].includes(method) && !as.length) return v(`${paren(t)}.${m}()`, 'tensor');
        return v(`${paren(t)}.${m}(${as.join(', ')})`, 'tensor');
      }
    }
  }

  /** A call of a TensorFlow / Keras / NumPy API by its qualified Python name. */
  protected apiCall(path: string, n: SyntaxNode, bindingName?: string): Val {
    const entry = PY_NAMES[path];
    if (!entry) {
      const why = PY_UNSUPPORTED[path];
      if (why) throw new Todo('no-equivalent', `${path}: ${why}`, path);
      throw new Todo('unmapped', `${path} is not in the Python name table (transpiler/python/names.ts)`, path);
    }
    const { pos, kw } = this.callArgs(n);
    switch (entry.kind) {
      case 'op': return this.opCall(path, entry, pos, kw, n);
      case 'layer': return this.standaloneLayer(n, entry, path, this.inInit ? this.selfTarget(n) : undefined);
      case 'optimizer': return this.optimizer(path, entry, pos, kw, n, bindingName);
      case 'loss': {
        for (const k of kw.keys()) if (!entry.params.includes(k) && k !== 'name') throw new Todo('py-unsupported', `${path}(${k}=...)`, path);
        const fl = kw.get('from_logits') ?? pos[0];
        const logits = fl ? this.src(fl) === 'True' : false;
        if (fl && !['True', 'False'].includes(this.src(fl))) throw new Todo('py-unsupported', `${path}: from_logits must be True or False`, path);
        const code = (logits ? entry.logits : entry.probs).replace(/\$yPred/g, 'yPred').replace(/\$yTrue/g, 'yTrue');
        if (bindingName) this.lossKinds.set(bindingName, /Sparse/.test(path) ? 'sparse' : /Categorical/.test(path) ? 'categorical' : 'binary');
        this.site(path, n, 'rewritten');
        this.note('py-loss-args', n, path);
        if (!logits && path.endsWith('Crossentropy')) this.note('categorical-crossentropy-clip', n, path);
        this.use('torch');
        return v(this.uses(`(yTrue: torch.Tensor, yPred: torch.Tensor) => ${code}`), 'loss', false);
      }
      case 'metric': {
        this.site(path, n, 'rewritten');
        this.note('py-keras-metric', n, path);
        this.use('compat');
        return v(`new ${entry.cls}()`, 'metric', false);
      }
      case 'value': return v(entry.code, 'dtype');
      case 'special': return this.special(entry.id, path, pos, kw, n);
    }
  }

  /** In `self.name = layers.X(...)`, the field name (for the layer's inferred input size). */
  protected selfTarget(n: SyntaxNode): string | undefined {
    const stmt = n.parent;
    if (stmt?.name !== 'AssignStatement') return undefined;
    const t = stmt.firstChild!;
    const m = /^self\.(\w+)$/.exec(this.src(t));
    return m?.[1];
  }

  protected argInfo(x: Val): ArgInfo {
    const kind: ArgInfo['kind'] = x.kind === 'number' && typeof x.lit === 'number' ? 'number' : x.kind === 'string' && typeof x.lit === 'string' ? 'string' : x.kind === 'bool' && typeof x.lit === 'boolean' ? 'boolean' : x.kind === 'none' ? 'null' : x.kind === 'array' && x.elems ? 'array' : /^[\w$.]+$/.test(x.code) ? 'identifier' : 'expression';
    return { text: x.code, kind, value: x.lit, elements: x.elems?.map((e) => this.argInfo(e)), simple: x.primary, valueKind: x.kind === 'tensor' ? 'Tensor' : x.kind === 'number' ? 'number' : undefined };
  }

  /** Python parameters (`py_name:tfjsName=default`) bound to the tfjs row's parameter order. */
  protected rowArgs(path: string, params: string[], row: Mapping, pos: SyntaxNode[], kw: Map<string, SyntaxNode>): { args: ArgInfo[]; vals: Map<string, Val> } {
    const specs = params.map((p) => {
      const m = /^(\w+)(?::(\w+))?(?:=(.*))?(!)?$/.exec(p)!;
      return { py: m[1], tf: m[2] ?? m[1], dflt: m[3], unsupported: !!m[4] };
    });
    const vals = new Map<string, Val>();
    pos.forEach((a, i) => {
      const s = specs[i];
      if (!s) throw new Todo('py-unsupported', `${path}: too many positional arguments`, path);
      if (s.unsupported) throw new Todo('no-equivalent', `${path}: argument '${s.py}' has no runtime equivalent`, path);
      vals.set(s.tf, this.expr(a));
    });
    for (const [k, a] of kw) {
      const s = specs.find((x) => x.py === k);
      if (!s || s.unsupported) throw new Todo(s ? 'no-equivalent' : 'py-unsupported', `${path}: keyword '${k}' ${s ? 'has no runtime equivalent' : 'is not translated'}`, path);
      vals.set(s.tf, this.expr(a));
    }
    for (const s of specs) if (s.dflt !== undefined && !vals.has(s.tf)) vals.set(s.tf, v(s.dflt, 'number', true, { lit: Number(s.dflt), floatLit: /[.e]/.test(s.dflt) }));
    const names = (row.params ?? []).map((p) => /^(?:\.\.\.)?(\w+)/.exec(p)![1]);
    for (const k of vals.keys()) if (!names.includes(k)) throw new Todo('py-unsupported', `${path}: '${k}' does not match ${row.tf}'s parameters`, path);
    const args: ArgInfo[] = [];
    let last = -1;
    names.forEach((nm, i) => { if (vals.has(nm)) last = i; });
    for (let i = 0; i <= last; i++) {
      const x = vals.get(names[i]);
      args.push(x ? this.argInfo(x) : { text: 'undefined', kind: 'undefined', simple: true });
    }
    return { args, vals };
  }

  protected opCall(path: string, entry: Extract<PyEntry, { kind: 'op' }>, pos: SyntaxNode[], kw: Map<string, SyntaxNode>, n: SyntaxNode): Val {
    const row = lookup(entry.tf);
    if (!row) throw new Todo('unmapped', `${path}: ${entry.tf} has no mapping row`, path);
    const { args } = this.rowArgs(path, entry.params, row, pos, kw);
    const e = emitRow(row, { key: row.tf, args, awaited: false, layout: 'nchw', typescript: true });
    if (e.kind === 'todo') throw new Todo(e.note, `${path}: ${e.detail}`, path);
    if (e.kind !== 'code') throw new Todo('py-unsupported', `${path}: not a plain call`, path);
    this.site(path, n, 'rewritten');
    for (const id of [...(row.notes ?? []), ...(e.notes ?? [])]) this.note(id, n, path);
    return v(this.uses(e.code), row.returns === 'number' ? 'number' : 'tensor', /^[\w$.]+\(.*\)$/.test(e.code));
  }

  protected optimizer(path: string, entry: Extract<PyEntry, { kind: 'optimizer' }>, pos: SyntaxNode[], kw: Map<string, SyntaxNode>, n: SyntaxNode, bindingName?: string): Val {
    const momentumNode = kw.get('momentum') ?? pos[1];
    const useMomentum = entry.momentumRow && momentumNode && !/^0(\.0*)?$/.test(this.src(momentumNode));
    const spec = useMomentum ? entry.momentumRow! : { tf: entry.tf, params: entry.params.filter((p) => !/^(momentum|nesterov)\b/.test(p)) };
    if (!useMomentum && kw.has('nesterov') && this.src(kw.get('nesterov')!) === 'True') throw new Todo('py-unsupported', `${path}: nesterov without momentum`, path);
    const kwUsed = new Map([...kw].filter(([k]) => useMomentum || !['momentum', 'nesterov'].includes(k)));
    const row = lookup(spec.tf)!;
    const { args } = this.rowArgs(path, spec.params, row, useMomentum ? pos : pos.slice(0, 1), kwUsed);
    const varsNode = bindingName ? this.applyVars.get(bindingName) : undefined;
    const compiled = bindingName ? this.compileOf.get(bindingName) : undefined;
    const paramsCode = varsNode ? this.expr(varsNode).code : compiled ? `${compiled}.parameters()` : undefined;
    const e = emitRow(row, { key: row.tf, args, awaited: false, layout: 'nchw', typescript: true, paramsCode });
    if (e.kind === 'todo') throw new Todo(e.note, `${path}: ${e.detail}`, path);
    if (e.kind !== 'code') throw new Todo('py-unsupported', path, path);
    this.site(path, n, 'rewritten');
    for (const id of [...(row.notes ?? []), ...(e.notes ?? []), ...(entry.notes ?? [])]) if (id !== 'momentum-same' || !entry.notes) this.note(id, n, path);
    return v(this.uses(e.code), 'optimizer', false);
  }

  protected special(id: string, path: string, pos: SyntaxNode[], kw: Map<string, SyntaxNode>, n: SyntaxNode): Val {
    const args = () => pos.map((p) => this.expr(p));
    this.site(path, n, 'rewritten');
    switch (id) {
      case 'gradientTape': throw new Todo('py-unsupported', 'tf.GradientTape outside a with statement', path);
      case 'variable': {
        const [init] = args();
        for (const k of kw.keys()) if (k !== 'name' && k !== 'trainable' && k !== 'dtype') throw new Todo('py-unsupported', `tf.Variable(${k}=...)`, path);
        const trainable = kw.get('trainable') ? this.src(kw.get('trainable')!) !== 'False' : true;
        const t = init.kind === 'tensor' ? `${paren(init)}.detach().clone()` : `torch.tensor(${init.code}, { dtype: 'float32' })`;
        this.use('torch');
        if (this.inInit && this.cls) {
          this.use('nn');
          return v(trainable ? `new nn.Parameter(${t})` : t, 'tensor', false);
        }
        return v(trainable ? `${t}.requiresGrad_()` : t, 'tensor', true);
      }
      case 'constant': {
        const [x] = args();
        const dt = kw.get('dtype') ? this.expr(kw.get('dtype')!) : undefined;
        this.use('torch');
        if (x.kind === 'tensor') return dt ? v(`${paren(x)}.to(${dt.code})`, 'tensor') : x;
        // tf.constant infers int32 from Python ints and float32 from floats (NumPy-style inference otherwise).
        const ints = this.allIntLiterals(x);
        return v(`torch.tensor(${x.code}, { dtype: ${dt ? dt.code : ints ? "'int32'" : "'float32'"} })`, 'tensor');
      }
      case 'tfPrint': {
        this.note('py-print', n, path);
        this.use('compat');
        return v(`console.log(${args().map((a) => (a.kind === 'string' ? a.code : `compat.py.str(${a.code})`)).join(', ')})`, 'none');
      }
      case 'fromTensorSlices': {
        const [x] = args();
        const tensors = x.kind === 'array' && x.elems ? x.elems.map((e) => e.code).join(', ') : x.kind === 'tensor' ? x.code : null;
        if (!tensors) throw new Todo('py-unsupported', 'from_tensor_slices of something that is not a tensor or a tuple of tensors (dicts are not translated)', path);
        this.use('data');
        return v(`new data.TensorDataset(${tensors})`, 'dataset', false, { dataset: { tensors, shuffle: false } });
      }
      case 'mnistLoadData': {
        this.note('py-keras-mnist', n, path);
        this.use('compat');
        const pair = v('', 'array', true, { elems: [v('', 'tensor'), v('', 'tensor')] });
        return v('compat.keras.mnistLoadData()', 'array', true, { elems: [pair, pair] });
      }
      case 'npArray': {
        const [x] = args();
        const dt = kw.get('dtype') ? this.expr(kw.get('dtype')!) : undefined;
        this.note('py-numpy-array', n, path);
        this.use('torch');
        if (x.kind === 'tensor') return dt ? v(`${paren(x)}.to(${dt.code})`, 'tensor') : x;
        return v(`torch.tensor(${x.code}, { dtype: ${dt ? dt.code : this.allIntLiterals(x) ? "'int32'" : "'float32'"} })`, 'tensor');
      }
      case 'npZeros': case 'npOnes': {
        const [s] = args();
        const dt = kw.get('dtype') ? this.expr(kw.get('dtype')!) : undefined;
        this.use('torch');
        return v(`torch.${id === 'npZeros' ? 'zeros' : 'ones'}(${s.kind === 'number' ? `[${s.code}]` : s.code}${dt ? `, { dtype: ${dt.code} }` : ''})`, 'tensor');
      }
      case 'npArange': {
        const as = args().map((a) => this.num(a, path));
        this.use('torch');
        const float = args().some((a) => a.floatLit);
        return v(`torch.arange(${as.length === 1 ? `0, ${as[0]}` : as.join(', ')}${float ? ", { dtype: 'float32' }" : ''})`, 'tensor');
      }
      case 'defaultRng': {
        const [seed] = args();
        this.note('py-numpy-random', n, path);
        this.use('torch');
        return v(`new torch.Generator(${seed ? this.num(seed, path) : ''})`, 'rng', false);
      }
      case 'npUnary': {
        const [x] = args();
        const fn = path.slice(3);
        this.use('torch');
        if (x.kind === 'number') return v(`Math.${fn === 'square' ? 'pow' : fn}(${x.code}${fn === 'square' ? ', 2' : ''})`, 'number');
        return v(`torch.${fn}(${x.code})`, 'tensor');
      }
      case 'npReduce': {
        const [x] = args();
        const axis = kw.get('axis') ?? pos[1];
        if (x.kind === 'array') throw new Todo('py-unsupported', `${path} of a Python list (make it an np.array first)`, path);
        const fn = path.slice(3);
        return v(`${paren(x)}.${fn}(${axis ? this.expr(axis).code : ''})`, 'tensor');
      }
      case 'kerasInput': {
        for (const k of kw.keys()) if (k !== 'shape' && k !== 'name') throw new Todo('py-unsupported', `keras.Input(${k}=...)`, path);
        const shapeNode = kw.get('shape') ?? pos[0];
        const shape = shapeNode ? this.expr(shapeNode) : undefined;
        if (!shape || shape.kind !== 'array' || !shape.elems) throw new Todo('py-unsupported', 'keras.Input without a literal shape=(...)', path);
        const dims = shape.elems.map((e) => (e.kind === 'none' ? null : typeof e.lit === 'number' ? e.lit : e.code));
        return v('', 'symbolic', true, { chain: { layers: [], inputShape: dims, input: `${n.from}` } });
      }
      case 'tfFunction': throw new Todo('py-unsupported', 'tf.function(fn) called as a function: use the @tf.function decorator', path);
      case 'sequential': throw new Todo('py-unsupported', 'keras.Sequential(...) must be assigned to a name', path);
      case 'kerasModel': throw new Todo('py-unsupported', 'keras.Model(inputs, outputs) must be assigned to a name', path);
      default: throw new Todo('py-unsupported', path, path);
    }
  }

  protected allIntLiterals(x: Val): boolean {
    if (x.kind === 'number') return typeof x.lit === 'number' && !x.floatLit;
    if (x.kind === 'array' && x.elems) return x.elems.every((e) => this.allIntLiterals(e));
    return false;
  }

  protected tsType(x: Val): string {
    if (x.kind === 'module') return x.cls ?? 'nn.Module';
    if (x.kind === 'tensor') return 'torch.Tensor';
    if (x.kind === 'number') return 'number';
    if (x.kind === 'string') return 'string';
    if (x.kind === 'bool') return 'boolean';
    if (x.kind === 'metric') return /new ([\w.]+)\(/.exec(x.code)?.[1] ?? 'unknown';
    throw new Todo('py-unsupported', `a model attribute holding ${x.kind}`);
  }
}
