#!/usr/bin/env node
// Bundles the web console (web/console) into dist/console/app.js and app.css with esbuild: one
// small, minified script and stylesheet the gateway serves itself (no CDN).
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export async function buildConsole() {
  await build({
    entryPoints: { app: path.join(root, 'web/console/main.ts') },
    outdir: path.join(root, 'dist/console'),
    bundle: true,
    minify: true,
    format: 'esm',
    target: ['es2022'],
    legalComments: 'none',
    logLevel: 'warning',
  });
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await buildConsole();
}
