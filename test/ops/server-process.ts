import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import pidtree from 'pidtree';
import { inject } from 'vitest';

export interface ServerProcess {
  child: ChildProcess;
  origin: string;
  /** Every log line the server wrote, parsed. */
  logs: Array<Record<string, unknown>>;
  stderr(): string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** SIGKILLs the server if it still runs and removes its data dir; safe to call twice. */
  cleanup(): Promise<void>;
}

export interface ServerProcessOptions {
  /** A data dir to start on (the store of an earlier server); the caller removes it. Default: a new one. */
  dataDir?: string;
}

/**
 * Starts `claude-gateway serve` as a real child process on 127.0.0.1 (port picked by the OS) with
 * Claude Code pointed at the mock. Resolves once it logs that it listens.
 */
export async function startServerProcess(
  mockUrl: string,
  env: Record<string, string> = {},
  options: ServerProcessOptions = {},
): Promise<ServerProcess> {
  const dataDir = options.dataDir ?? (await mkdtemp(path.join(tmpdir(), 'claude-gateway-server-')));
  const child = spawn(process.execPath, [inject('gatewayCli'), 'serve'], {
    env: {
      PATH: process.env.PATH,
      HOME: dataDir,
      DATA_DIR: dataDir,
      HOST: '127.0.0.1',
      PORT: '0',
      LOG_LEVEL: 'info',
      ANTHROPIC_BASE_URL: mockUrl,
      ANTHROPIC_API_KEY: 'sk-ant-mock',
      CLAUDE_CONFIG_DIR: path.join(dataDir, 'claude'),
      CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
      CLAUDE_CODE_MAX_RETRIES: '0',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  let stderr = '';
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
  });
  const logs: Array<Record<string, unknown>> = [];
  const listening = new Promise<number>((resolve, reject) => {
    createInterface({ input: child.stdout as NodeJS.ReadableStream }).on('line', (line) => {
      const entry = JSON.parse(line) as Record<string, unknown>;
      logs.push(entry);
      if (entry.msg === 'claude-gateway listening') resolve(entry.port as number);
    });
    void exited.then(({ code }) => reject(new Error(`server exited (${code}) before listening: ${stderr}`)));
  });
  const cleanup = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      // Its Claude Code processes (a warm spare) outlive a SIGKILL and go on writing under the data
      // dir: they are ended too, at once (a PID kept for later may name another process by then).
      const orphans = await pidtree(child.pid as number).catch(() => []);
      child.kill('SIGKILL');
      await exited;
      endOrphans(orphans);
    }
    // A file an ending process wrote a moment ago: rm retries what was not empty yet.
    if (!options.dataDir) await rm(dataDir, { recursive: true, force: true, maxRetries: 5, retryDelay: 100 });
  };
  try {
    const port = await listening;
    return { child, origin: `http://127.0.0.1:${port}`, logs, stderr: () => stderr, exited, cleanup };
  } catch (error) {
    await cleanup();
    throw error;
  }
}

/** SIGKILLs processes a killed gateway left behind (its Claude Code processes). */
export function endOrphans(pids: readonly number[]): void {
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}

/** Runs the CLI's server once and returns how it exited, for start-up refusals. */
export async function runServerToExit(
  env: Record<string, string>,
): Promise<{ code: number | null; stderr: string }> {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'claude-gateway-server-'));
  try {
    const child = spawn(process.execPath, [inject('gatewayCli')], {
      env: { PATH: process.env.PATH, HOME: dataDir, DATA_DIR: dataDir, LOG_LEVEL: 'silent', ...env },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
    });
    const code = await new Promise<number | null>((resolve) =>
      child.once('exit', (exitCode) => resolve(exitCode)),
    );
    return { code, stderr };
  } finally {
    await rm(dataDir, { recursive: true, force: true });
  }
}
