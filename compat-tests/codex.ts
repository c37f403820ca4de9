import { spawn } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';

export interface CodexRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

const codexBin = path.join(
  path.dirname(createRequire(import.meta.url).resolve('@openai/codex/package.json')),
  'bin',
  'codex.js',
);

/**
 * `codex exec <prompt>` with a model provider entry pointing at the gateway (`wire_api = "responses"`),
 * its home and working directory inside `dir`. Codex runs its own tools (its shell) in that directory.
 */
export async function runCodex(options: {
  baseURL: string;
  dir: string;
  prompt: string;
  /** Continue the most recent session (`codex exec resume --last`): Codex resends its whole history. */
  resume?: boolean;
  /**
   * The provider's display name. Codex compacts remotely (a `compaction_trigger` item) only for a
   * provider named "OpenAI"; under any other name it summarizes with an ordinary request.
   */
  providerName?: string;
  /** More top-level config.toml lines (e.g. `model_auto_compact_token_limit = 1000`). */
  config?: string[];
  timeoutMs?: number;
}): Promise<CodexRun> {
  const home = path.join(options.dir, 'codex-home');
  const work = path.join(options.dir, 'codex-work');
  await mkdir(home, { recursive: true });
  await mkdir(work, { recursive: true });
  await writeFile(
    path.join(home, 'config.toml'),
    [
      'model = "sonnet"',
      'model_provider = "gateway"',
      // Tests talk to the gateway only: no update check, no analytics.
      'check_for_update_on_startup = false',
      ...(options.config ?? []),
      '[analytics]',
      'enabled = false',
      '[model_providers.gateway]',
      `name = "${options.providerName ?? 'claude-gateway'}"`,
      `base_url = "${options.baseURL}"`,
      'wire_api = "responses"',
      'env_key = "GATEWAY_API_KEY"',
      '',
    ].join('\n'),
  );
  const child = spawn(
    process.execPath,
    [
      codexBin,
      'exec',
      '--skip-git-repo-check',
      '--sandbox',
      'danger-full-access',
      ...(options.resume ? ['resume', '--last'] : []),
      options.prompt,
    ],
    {
      // The working directory Codex runs its tools in (and finds the last session by).
      cwd: work,
      env: { ...process.env, CODEX_HOME: home, GATEWAY_API_KEY: 'sk-test-client' },
      // Codex reads more prompt from stdin unless it is closed.
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 90_000);
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  clearTimeout(timer);
  return { code, stdout, stderr };
}
