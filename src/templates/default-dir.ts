import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The `templates/` folder shipped next to package.json: found by walking up from this module, so
 * it is the same folder whether the gateway runs from src/ (tsx) or dist/src/ (built).
 */
export function shippedTemplatesDir(from = path.dirname(fileURLToPath(import.meta.url))): string {
  let dir = from;
  for (let depth = 0; depth < 6; depth++) {
    if (existsSync(path.join(dir, 'package.json'))) return path.join(dir, 'templates');
    const parent = path.dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  return path.resolve('templates');
}
