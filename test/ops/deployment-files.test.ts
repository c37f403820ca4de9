import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';

// There is no Docker engine in CI or on the development machine: these checks read the files the
// image is built from, so a COPY of something the build context leaves out fails here, not in a
// user's `docker build`.
// A CommonJS function whose typings say `export default`: required, so the runtime and types agree.
const dockerignore = createRequire(import.meta.url)(
  '@balena/dockerignore',
) as typeof import('@balena/dockerignore').default;
const read = (file: string) => readFileSync(path.resolve(file), 'utf8');
const context = dockerignore().add(read('.dockerignore').split('\n'));

/** Sources of every `COPY` from the build context (not `--from=` another stage). */
function copySources(dockerfile: string): string[] {
  return dockerfile
    .split('\n')
    .filter((line) => /^COPY\s/.test(line) && !/--from=/.test(line))
    .flatMap((line) => {
      const args = line
        .trim()
        .split(/\s+/)
        .slice(1)
        .filter((arg) => !arg.startsWith('--'));
      return args.slice(0, -1);
    });
}

function filesUnder(source: string): string[] {
  if (!statSync(source).isDirectory()) return [source];
  return readdirSync(source, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => path.relative('.', path.join(entry.parentPath, entry.name)));
}

describe('Dockerfile', () => {
  it('copies only files that exist and that .dockerignore keeps in the build context', () => {
    const sources = copySources(read('Dockerfile'));
    expect(sources).toEqual(expect.arrayContaining(['scripts/build.mjs', 'docker/claude-gateway.sh']));
    for (const source of sources) {
      expect(existsSync(source), source).toBe(true);
      for (const file of filesUnder(source)) expect(context.ignores(file), `${file} is ignored`).toBe(false);
    }
  });

  it('copies every local module `npm run build` imports into the build stage', () => {
    const sources = copySources(read('Dockerfile'));
    const imports = [...read('scripts/build.mjs').matchAll(/from '\.\/([^']+)'/g)].map(
      (m) => `scripts/${m[1]}`,
    );
    expect(imports.length).toBeGreaterThan(0);
    for (const file of imports) expect(sources).toContain(file);
  });
});

describe('stop timeouts', () => {
  // The gateway lets running requests finish for SHUTDOWN_GRACE_MS after SIGTERM, then needs a
  // moment to abort the rest; whatever stops the container must wait longer than that.
  const graceSeconds = loadConfig({}).SHUTDOWN_GRACE_MS / 1000;

  it('the docker run and compose examples of docs/operations.md, and fly.toml, outlast SHUTDOWN_GRACE_MS', () => {
    const operations = read('docs/operations.md');
    const stopTimeout = Number(/--stop-timeout (\d+)/.exec(operations)?.[1]);
    const gracePeriod = Number(/stop_grace_period: (\d+)s/.exec(operations)?.[1]);
    const killTimeout = Number(/^kill_timeout = (\d+)/m.exec(read('fly.toml'))?.[1]);
    for (const seconds of [stopTimeout, gracePeriod, killTimeout]) {
      expect(seconds).toBeGreaterThan(graceSeconds);
    }
  });
});
