import { execFile } from 'node:child_process';
import { inject } from 'vitest';

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the real `claude-gateway` CLI (the checkout's sources, built for this run) with `env` naming its store. */
export function runGatewayCli(env: Record<string, string>, ...args: string[]): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [inject('gatewayCli'), ...args],
      { env: { PATH: process.env.PATH, HOME: '/tmp', ...env }, timeout: 30_000 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

/** `keys create --json` through the CLI; throws with its stderr when it fails. */
export async function createKeyWithCli(
  env: Record<string, string>,
  name: string,
  ...flags: string[]
): Promise<{ id: string; key: string }> {
  const created = await runGatewayCli(env, 'keys', 'create', '--name', name, ...flags, '--json');
  if (created.code !== 0) throw new Error(`keys create failed (${created.code}): ${created.stderr}`);
  return JSON.parse(created.stdout) as { id: string; key: string };
}
