import { mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import type { Config } from '../config.js';
import { startTempSweeper } from '../engine/processes/temp-sweeper.js';
import { removeAllSessions } from '../engine/transcript.js';

/** Where this gateway's Claude Code processes keep their config, transcripts and temp files. */
export interface ClaudeDirs {
  /** CLAUDE_CONFIG_DIR of every process: transcripts of tracked sessions live under it. */
  configDir: string;
  tmpDir: string;
  /** The pair the transcript helpers take. */
  sessionDirs: { configDir: string; tmpDir: string };
  /** Stops the sweep of Claude Code's stale probe files. */
  stopSweeper(): void;
}

/**
 * Per instance (config.instanceDir): with several gateways on one DATA_DIR, each cleans only its
 * own. The workspace stays shared: its path is part of the key transcripts are mirrored under.
 * Nothing runs yet, and conversation sessions are tracked in memory only (or, on a shared database,
 * held by the store): whatever an earlier gateway process left in its own temp dir and workspace
 * sessions can never be used again.
 */
export async function prepareClaudeDirs(config: Config, env: NodeJS.ProcessEnv): Promise<ClaudeDirs> {
  const configDir = env.CLAUDE_CONFIG_DIR ?? path.join(config.instanceDir, 'claude');
  // Claude Code's temp files (copies of a persisted session's images among them) stay in the data
  // dir, where evicting a session can delete them; Claude Code wants this directory private.
  const tmpDir = env.CLAUDE_CODE_TMPDIR ?? path.join(config.instanceDir, 'claude-tmp');
  const sessionDirs = { configDir, tmpDir };
  await mkdir(config.workspaceDir, { recursive: true });
  await mkdir(configDir, { recursive: true });
  if (env.CLAUDE_CODE_TMPDIR === undefined) await rm(tmpDir, { recursive: true, force: true });
  await mkdir(tmpDir, { recursive: true, mode: 0o700 });
  await removeAllSessions(sessionDirs, config.workspaceDir);
  const sweeper = startTempSweeper({
    dir: path.join(tmpDir, `claude-${process.getuid?.() ?? 0}`),
    prefixes: ['fswatch-probe-'],
    maxAgeMs: 10 * 60_000,
    intervalMs: 10 * 60_000,
  });
  return { configDir, tmpDir, sessionDirs, stopSweeper: () => sweeper.stop() };
}
