/**
 * THE op-case table: every public op, backend-agnostic. Each family lives in cases/<family>.ts; this file is
 * the one list the suites run (forward.test.ts per backend, grad.test.ts through gradcheck).
 */
import type { OpCase } from '../support/op_case.js';
import { unaryOpCases } from './cases/unary.js';
import { binaryOpCases } from './cases/binary.js';
import { reduceOpCases } from './cases/reduce.js';
import { viewOpCases } from './cases/views.js';
import { indexingOpCases } from './cases/indexing.js';
import { inplaceOpCases } from './cases/inplace.js';
import { linalgOpCases } from './cases/linalg.js';
import { convOpCases } from './cases/conv.js';
import { activationOpCases } from './cases/activation.js';
import { creationOpCases } from './cases/creation.js';
import { conversionOpCases } from './cases/conversion.js';
import { layoutOpCases } from './cases/layouts.js';

export type { OpCase } from '../support/op_case.js';

export const cases: OpCase[] = [
  ...unaryOpCases,
  ...binaryOpCases,
  ...reduceOpCases,
  ...viewOpCases,
  ...indexingOpCases,
  ...inplaceOpCases,
  ...linalgOpCases,
  ...convOpCases,
  ...activationOpCases,
  ...creationOpCases,
  ...conversionOpCases,
  ...layoutOpCases,
];

const names = new Set<string>();
for (const c of cases) {
  if (names.has(c.name)) throw new Error(`duplicate op case name: ${c.name}`);
  names.add(c.name);
}
