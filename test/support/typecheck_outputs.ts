/**
 * Type-checks migrated outputs against the runtime with the repository's tsconfig, and returns the errors outside
 * lines a `// torchbridge: TODO(...)` marker covers (those, and uses of what they declare, may fail). Shared by
 * the fixtures and the corpus tests.
 */
import ts from 'typescript';
import { join, relative } from 'node:path';
import { todoLines } from '../../difftest/check/typecheck.js';

export function typeErrorsOutsideTodos(files: string[], root: string): string[] {
  const config = ts.readConfigFile(join(root, 'tsconfig.json'), ts.sys.readFile).config;
  const parsed = ts.parseJsonConfigFileContent(config, ts.sys, root);
  const program = ts.createProgram(files, { ...parsed.options, noEmit: true });
  const problems: string[] = [];
  for (const file of files) {
    const sf = program.getSourceFile(file)!;
    const allowed = todoLines(sf);
    for (const d of [...program.getSyntacticDiagnostics(sf), ...program.getSemanticDiagnostics(sf)]) {
      const line = d.start === undefined ? 0 : sf.getLineAndCharacterOfPosition(d.start).line + 1;
      if (!allowed.has(line)) problems.push(`${relative(root, file)}:${line} ${ts.flattenDiagnosticMessageText(d.messageText, ' ')}`);
    }
  }
  return problems;
}
