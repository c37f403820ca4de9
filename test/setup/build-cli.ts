/**
 * Global setup of the integration tests: compiles src/ once per run, so tests that start the
 * `claude-gateway` CLI as a child process run plain JavaScript, as an installed gateway does
 * (dist/), instead of paying tsx's on-the-fly compilation of the whole server in every process
 * (about 3 s of CPU per start on a 2-core machine, against about 1 s from the build).
 *
 * esbuild transpiles file by file (no bundling), so the output mirrors src/ and imports resolve as
 * they do in dist/. It lands in its own directory under test-artifacts/ (inside the checkout, so
 * node_modules and the package root resolve the same as from src/), one per run so that two runs
 * never share or remove each other's build.
 */
import { chmod, mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { build } from 'esbuild';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The compiled CLI entry point (`src/cli.ts` built to JavaScript) for child processes. */
    gatewayCli: string;
  }
}

const SOURCES = path.resolve('src');
const ARTIFACTS = path.resolve('test-artifacts');

function isShippedSource(file: string): boolean {
  return (
    file.endsWith('.ts') &&
    !file.endsWith('.test.ts') &&
    !file.endsWith('.d.ts') &&
    !file.endsWith('test-support.ts')
  );
}

export default async function buildCli(project: TestProject): Promise<() => Promise<void>> {
  await mkdir(ARTIFACTS, { recursive: true });
  const outDir = await mkdtemp(path.join(ARTIFACTS, 'cli-build-'));
  // mkdtemp makes it private; the docker entrypoint test runs the build as an unprivileged user.
  await chmod(outDir, 0o755);
  const files = (await readdir(SOURCES, { recursive: true }))
    .filter(isShippedSource)
    .map((file) => path.join(SOURCES, file));
  await build({
    entryPoints: files,
    outbase: SOURCES,
    outdir: path.join(outDir, 'src'),
    format: 'esm',
    platform: 'node',
    target: 'node20',
    sourcemap: true,
    logLevel: 'warning',
  });
  project.provide('gatewayCli', path.join(outDir, 'src', 'cli.js'));
  return async () => {
    await rm(outDir, { recursive: true, force: true });
  };
}
