import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The folder holding the gateway's package.json, whether this runs from src/ (tsx, tests) or from
 * dist/src/ (npm start): built assets live at fixed places under it.
 */
export function packageRoot(from: string = fileURLToPath(import.meta.url)): string {
  let dir = path.dirname(from);
  while (!existsSync(path.join(dir, 'package.json'))) {
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`no package.json above ${from}`);
    dir = parent;
  }
  return dir;
}

/**
 * What the running gateway reads under its package root besides its code, by purpose. A deployment
 * (the Dockerfile's final stage) must ship each of these with package.json.
 */
export const PACKAGE_ASSETS = {
  /** The prompt templates /api/v1/templates and /api/generate/* serve (unless TEMPLATES_DIR is set). */
  templates: 'templates',
  /** The web console's built bundle (npm run build). */
  console: path.join('dist', 'console'),
} as const;

/** Where one of the package's runtime assets is. */
export function packageAsset(name: keyof typeof PACKAGE_ASSETS): string {
  return path.join(packageRoot(), PACKAGE_ASSETS[name]);
}
