import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

/** The Swagger UI files /docs needs, read from the installed swagger-ui-dist (pinned by the lockfile). */
export interface SwaggerUiAssets {
  css: string;
  bundleJs: string;
}

/**
 * Read once at start (about 1.6 MB), so /docs works without internet and never loads a script from a
 * CDN: what the browser runs is the version in package-lock.json.
 */
export function loadSwaggerUiAssets(): SwaggerUiAssets {
  const dir = path.dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'));
  return {
    css: readFileSync(path.join(dir, 'swagger-ui.css'), 'utf8'),
    bundleJs: readFileSync(path.join(dir, 'swagger-ui-bundle.js'), 'utf8'),
  };
}
