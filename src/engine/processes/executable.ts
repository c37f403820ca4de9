import { execFile } from 'node:child_process';
import { access, constants } from 'node:fs/promises';
import { createRequire } from 'node:module';

/** Where the Agent SDK's own Claude Code binary lives for this platform, if it is installed. */
export function bundledExecutablePath(): string | undefined {
  const require = createRequire(import.meta.url);
  const musl = process.platform === 'linux' && isMusl() ? '-musl' : '';
  const binary = process.platform === 'win32' ? 'claude.exe' : 'claude';
  try {
    return require.resolve(
      `@anthropic-ai/claude-agent-sdk-${process.platform}-${process.arch}${musl}/${binary}`,
    );
  } catch {
    return undefined;
  }
}

function isMusl(): boolean {
  const report = process.report?.getReport() as { header?: { glibcVersionRuntime?: string } } | undefined;
  return !report?.header?.glibcVersionRuntime;
}

export interface ExecutableProbe {
  path: string | undefined;
  found: boolean;
  version: string | undefined;
}

/** Checks the executable runs and reads its version; used by /health and at start-up. */
export async function probeExecutable(
  path: string | undefined,
  timeoutMs = 15_000,
): Promise<ExecutableProbe> {
  if (!path) return { path, found: false, version: undefined };
  try {
    await access(path, constants.X_OK);
  } catch {
    return { path, found: false, version: undefined };
  }
  const version = await new Promise<string | undefined>((resolve) => {
    execFile(path, ['--version'], { timeout: timeoutMs }, (error, stdout) => {
      resolve(error ? undefined : stdout.trim().split(/\s+/)[0]);
    });
  });
  return { path, found: version !== undefined, version };
}
