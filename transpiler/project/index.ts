/** Whole-project migration (files, folders, tsconfig projects) as a function returning structured results. */
export { migrateProject } from './migrate_project.js';
export { defaultOutDir } from './out_dir.js';
export { UsageError } from './usage_error.js';
export { collectInputs, migratedPath, isSource, SOURCE_EXTENSIONS } from './files.js';
export { unifiedDiff } from './unified_diff.js';
export type { ProjectOptions, ProjectResult, ProjectOutput, PackageRewrite } from './types.js';
