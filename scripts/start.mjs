#!/usr/bin/env node
// `npm start`: runs the build output (dist/) in this very process, so the signals a service manager
// sends reach the gateway itself (package.json runs it with `exec`, so npm's shell is replaced).
// It builds first only when dist/ is missing or older than the sources, and then only if the
// TypeScript compiler is installed: a production install (`npm ci --omit=dev` after a build) starts
// from dist/ without dev dependencies.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync, utimesSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const entry = path.join(root, 'dist/src/main.js');
const tsc = path.join(root, 'node_modules/.bin/tsc');
const buildInputs = ['src', 'web', 'package.json', 'tsconfig.json', 'tsconfig.build.json'].map((p) =>
  path.join(root, p),
);

/** The newest modification time under `file` (a file or a directory tree); 0 when it is missing. */
function newestMtime(file) {
  if (!existsSync(file)) return 0;
  const stat = statSync(file);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return readdirSync(file).reduce((newest, name) => Math.max(newest, newestMtime(path.join(file, name))), 0);
}

function say(message) {
  process.stderr.write(`claude-gateway: ${message}\n`);
}

const built = existsSync(entry) ? statSync(entry).mtimeMs : 0;
const sources = Math.max(...buildInputs.map(newestMtime));
if (built === 0 || sources > built) {
  if (existsSync(tsc)) {
    say(built === 0 ? 'building (first start)...' : 'sources changed since the last build: rebuilding...');
    const result = spawnSync(process.execPath, [path.join(root, 'scripts/build.mjs')], { stdio: 'inherit' });
    if (result.status !== 0) process.exit(result.status ?? 1);
    // tsc may leave an unchanged main.js alone; the stamp is what the next start compares with.
    const now = new Date();
    utimesSync(entry, now, now);
  } else if (built === 0) {
    say('dist/ is missing and TypeScript is not installed: run `npm ci && npm run build` first.');
    process.exit(1);
  } else {
    say('sources are newer than dist/ but TypeScript is not installed: starting the existing build.');
  }
}

await import(pathToFileURL(entry).href);
