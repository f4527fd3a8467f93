/** torch.compile: trace a step once per signature, replay it as a planned kernel sequence (see README.md). */
export { compile } from './compile.js';
export type { CompileOptions, CompileStats, CompiledFunction, CompiledModule } from './compile.js';
