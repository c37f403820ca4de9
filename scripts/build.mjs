#!/usr/bin/env node
// `npm run build`: a clean dist/ (so no file of an earlier build, a test among them, survives), the
// TypeScript compiler with tsconfig.build.json (which leaves tests out), then the web console bundle.
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildConsole } from './build-console.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
rmSync(path.join(root, 'dist'), { recursive: true, force: true });
const result = spawnSync(
  path.join(root, 'node_modules/.bin/tsc'),
  ['-p', path.join(root, 'tsconfig.build.json')],
  {
    stdio: 'inherit',
  },
);
if (result.status !== 0) process.exit(result.status ?? 1);
await buildConsole();
