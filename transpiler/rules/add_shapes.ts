/**
 * The input shape of each `model.add(layer)` of a tf.sequential model whose adds sit in loops and conditions,
 * from the statements around them. A condition's branches start from the same shape and must end on the same one
 * (a missing else keeps the shape it started from); a loop body that maps its input shape to itself runs any
 * number of times with that shape — addition-rnn's `for (...) model.add(tf.layers.lstm({ units: hidden,
 * returnSequences: true }))` after a [T, hidden] input. Where that does not hold, the shapes from there on are
 * unknown (null): the layers that need one become lazy modules or fail, saying so.
 */
import { ts } from 'ts-morph';
import type { Shape } from '../../mappings/schema.js';

/** Whether two shapes are the same dims (numbers equal, code the same text; unknown dims match unknown ones). */
export function sameShape(a: Shape | null, b: Shape | null): boolean {
  if (a === null || b === null) return a === b;
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

/**
 * Walks `statements` (the block holding the model, after its creation): `step(add, shape)` gives an add's output
 * shape for that input shape; the result maps each add statement to its input shape.
 */
export function addInputShapes(
  statements: readonly ts.Statement[], adds: ReadonlySet<ts.Statement>, initial: Shape | null, step: (add: ts.Statement, input: Shape | null) => Shape | null,
): Map<ts.Statement, Shape | null> {
  const inputs = new Map<ts.Statement, Shape | null>();
  const holdsAdd = (n: ts.Node): boolean => adds.has(n as ts.Statement) || (ts.forEachChild(n, (c) => (holdsAdd(c) ? true : undefined)) ?? false);
  // Every add under `n` gets an unknown input (a statement kind whose control flow is not followed).
  const unknown = (n: ts.Node): void => {
    if (adds.has(n as ts.Statement)) inputs.set(n as ts.Statement, null);
    ts.forEachChild(n, unknown);
  };
  const walk = (stmts: readonly ts.Statement[], shape: Shape | null): Shape | null => {
    for (const st of stmts) shape = statement(st, shape);
    return shape;
  };
  const statement = (st: ts.Statement, shape: Shape | null): Shape | null => {
    if (adds.has(st)) {
      inputs.set(st, shape);
      return step(st, shape);
    }
    if (!holdsAdd(st)) return shape;
    if (ts.isBlock(st)) return walk(st.statements, shape);
    if (ts.isIfStatement(st)) {
      const then = statement(st.thenStatement, shape);
      const other = st.elseStatement ? statement(st.elseStatement, shape) : shape;
      return sameShape(then, other) ? then : null;
    }
    if (ts.isForStatement(st) || ts.isForOfStatement(st) || ts.isForInStatement(st) || ts.isWhileStatement(st) || ts.isDoStatement(st)) {
      const out = statement(st.statement, shape);
      if (sameShape(out, shape)) return shape;
      // Not a fixed point: from the second iteration on the body's input differs, so nothing in it is known.
      statement(st.statement, null);
      return null;
    }
    unknown(st);
    return null;
  };
  walk(statements, initial);
  return inputs;
}
