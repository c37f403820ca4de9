import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { PACKAGE_ASSETS } from '../../src/console/package-root.js';

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

/** Where each COPY of the image's final stage puts its files, relative to that stage's WORKDIR. */
function finalStageCopies(dockerfile: string): string[] {
  const stages = dockerfile.split(/^FROM\s/m);
  const last = stages.at(-1) ?? '';
  const workdir = /^WORKDIR\s+(\S+)/m.exec(last)?.[1] ?? '/';
  return last
    .split('\n')
    .filter((line) => /^COPY\s/.test(line))
    .flatMap((line) => {
      const args = line
        .trim()
        .split(/\s+/)
        .slice(1)
        .filter((arg) => !arg.startsWith('--'));
      const destination = args.at(-1) ?? '';
      // `COPY a b ./`: each source lands in the directory under its own name.
      const targets = destination.endsWith('/')
        ? args.slice(0, -1).map((source) => path.posix.join(destination, path.posix.basename(source)))
        : [destination];
      return targets.map((target) => path.posix.relative(workdir, path.posix.resolve(workdir, target)));
    });
}

/** Source files outside src/ that mention the package root: each must go through PACKAGE_ASSETS. */
function directPackageRootUsers(): string[] {
  return readdirSync('src', { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts'))
    .map((entry) => path.join(entry.parentPath, entry.name))
    .filter((file) => file !== path.join('src', 'console', 'package-root.ts'))
    .filter((file) => /packageRoot\(/.test(read(file)));
}

describe('the image ships what the gateway reads at run time', () => {
  it('copies package.json and every package asset into the final stage', () => {
    const copied = finalStageCopies(read('Dockerfile'));
    const shipped = (asset: string) =>
      copied.some((destination) => asset === destination || asset.startsWith(`${destination}/`));
    for (const asset of ['package.json', ...Object.values(PACKAGE_ASSETS)]) {
      expect(shipped(asset), `${asset} is not in the image (final stage copies ${copied.join(', ')})`).toBe(
        true,
      );
    }
  });

  it('has the runtime find its assets only through PACKAGE_ASSETS, so the list above is complete', () => {
    expect(directPackageRootUsers()).toEqual([]);
  });

  it('has templates to ship', () => {
    expect(
      readdirSync(PACKAGE_ASSETS.templates).filter((name) => name.endsWith('.md')).length,
    ).toBeGreaterThan(0);
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
