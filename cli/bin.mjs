#!/usr/bin/env node
// The runtime and CLI ship as TypeScript source; tsx's loader runs them without a build step.
import { register } from 'tsx/esm/api';

register();
await import('./main.ts');
