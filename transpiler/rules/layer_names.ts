/**
 * The name tfjs gives a layer or input, read from the source, for what a migrated program logs under it: tfjs's
 * fit logs a multi-output model's `<output layer name>_loss`, and its datasets may key inputs and targets by
 * layer name (`model.inputNames` / `model.outputNames`), which the runtime's utils take as `outputNames` /
 * `inputNames` since a module has no layer names.
 *
 * A `name` given in the layer's config (a string literal) is the name. Without one tfjs makes it up from a
 * process-wide counter per class (tfjs-layers' `getUid`): the k-th unnamed `Dense` made is `dense_Dense<k>`
 * (snake-cased class, `_`, class, k), the k-th unnamed `tf.input` `input<k>`. The counter is read off this
 * file only where that is the whole story: every layer and input call of the file runs once, in source order
 * (none inside a function, loop, branch or class), and the file imports no local module (which could make
 * layers before it). Otherwise the name is unknown and the caller keeps its default, saying so.
 */
import { ts } from 'ts-morph';
import type { Mapping } from '../../mappings/schema.js';
import type { FileContext } from '../context.js';

export class TfjsLayerNames {
  private countable: boolean | undefined;

  constructor(
    private readonly ctx: FileContext,
    private readonly layerCalls: ReadonlyMap<ts.CallExpression, Mapping>,
    private readonly inputs: ReadonlyMap<ts.CallExpression, Mapping>,
  ) {}

  /** A layer call's tfjs name, or undefined where it cannot be known statically. */
  layer(call: ts.CallExpression): string | undefined {
    const row = this.layerCalls.get(call);
    if (!row) return undefined;
    const given = this.givenName(call);
    if (given !== undefined) return given ?? undefined;
    const cls = row.diff?.className;
    if (!cls || !this.counted()) return undefined;
    // NOTE: rows without `diff` are layer classes no paired row has (concatenate, add, ...), so only calls of
    // rows naming the same class advance its counter; aliases (maxPool2d / maxPooling2d) share their class.
    const k = [...this.layerCalls].filter(([c, r]) => r.diff?.className === cls && c.pos <= call.pos && this.givenName(c) === undefined).length;
    return `${snake(cls)}_${cls}${k}`;
  }

  /** A `tf.input` call's tfjs name, or undefined. */
  input(call: ts.CallExpression): string | undefined {
    const row = this.inputs.get(call);
    if (!row) return undefined;
    const given = this.givenName(call);
    if (given !== undefined) return given ?? undefined;
    // tf.layers.input shares tf.input's counter; tf.layers.inputLayer's unnamed form is `input_input<k>`, on the
    // same counter too: only files whose inputs are all tf.input calls are counted.
    if (row.tf !== 'tf.input' || [...this.inputs.values()].some((r) => r.tf !== 'tf.input') || !this.counted()) return undefined;
    const k = [...this.inputs.keys()].filter((c) => c.pos <= call.pos && this.givenName(c) === undefined).length;
    return `input${k}`;
  }

  /**
   * The config's `name`: the string, undefined without one (the counter names it), null where it is there but
   * not a literal (its value is unknown here, and whether it advanced the counter too).
   */
  private givenName(call: ts.CallExpression): string | undefined | null {
    const cfg = call.arguments[0];
    if (!cfg) return undefined;
    if (!ts.isObjectLiteralExpression(cfg)) return null;
    if (cfg.properties.some((p) => ts.isSpreadAssignment(p))) return null;
    const p = cfg.properties.find((q) => q.name && (ts.isIdentifier(q.name) || ts.isStringLiteral(q.name)) && q.name.text === 'name');
    if (!p) return undefined;
    return ts.isPropertyAssignment(p) && ts.isStringLiteralLike(p.initializer) ? p.initializer.text : null;
  }

  /** Every layer and input call of the file runs once, in order, and no local module runs before them. */
  private counted(): boolean {
    if (this.countable === undefined) {
      const calls = [...this.layerCalls.keys(), ...this.inputs.keys()];
      this.countable = !calls.some((c) => runsOtherThanOnce(c) || this.givenName(c) === null) && !importsLocalModule(this.ctx.sf);
    }
    return this.countable;
  }
}

/** Inside a function, a loop, a branch or a class: may run never, twice, or out of source order. */
function runsOtherThanOnce(node: ts.Node): boolean {
  for (let n = node.parent; n && !ts.isSourceFile(n); n = n.parent) {
    if (ts.isFunctionLike(n) || ts.isClassLike(n) || ts.isIterationStatement(n, false) || ts.isIfStatement(n) || ts.isConditionalExpression(n) ||
      ts.isSwitchStatement(n) || ts.isTryStatement(n) || ts.isCatchClause(n)) return true;
    if (ts.isBinaryExpression(n) && [ts.SyntaxKind.AmpersandAmpersandToken, ts.SyntaxKind.BarBarToken, ts.SyntaxKind.QuestionQuestionToken].includes(n.operatorToken.kind)) return true;
  }
  return false;
}

/** An `import ... from './x'` or `require('./x')`: that module runs first and may make layers. */
function importsLocalModule(sf: ts.SourceFile): boolean {
  let found = false;
  const visit = (n: ts.Node): void => {
    if (found) return;
    const spec = ts.isImportDeclaration(n) || ts.isExportDeclaration(n) ? n.moduleSpecifier
      : ts.isCallExpression(n) && (n.expression.kind === ts.SyntaxKind.ImportKeyword || (ts.isIdentifier(n.expression) && n.expression.text === 'require')) ? n.arguments[0] : undefined;
    if (spec && ts.isStringLiteralLike(spec) && /^\.{1,2}(\/|$)/.test(spec.text)) found = true;
    else ts.forEachChild(n, visit);
  };
  visit(sf);
  return found;
}

/** tfjs's toSnakeCase: `Dense` → `dense`, `Conv2D` → `conv2d`, `BatchNormalization` → `batch_normalization`. */
function snake(name: string): string {
  const s = name.replace(/(.)([A-Z][a-z0-9]+)/g, '$1_$2').replace(/([a-z])([A-Z])/g, '$1_$2').toLowerCase();
  return s.startsWith('_') ? `private${s}` : s;
}
