import { randomUUID } from 'node:crypto';
import { cp, mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { SessionStoreEntry } from '@anthropic-ai/claude-agent-sdk';
import type { ClaudeTurn } from '../contract/run-plan.js';

/**
 * Claude Code resumes a session from `$CLAUDE_CONFIG_DIR/projects/<cwd as a dash path>/<id>.jsonl`.
 * Writing earlier OpenAI turns there as a transcript and resuming it is what lets the model see them
 * as real user/assistant turns instead of one pasted block of text.
 */
export function projectDirFor(configDir: string, cwd: string): string {
  return path.join(configDir, 'projects', projectKeyOf(cwd));
}

/** The name Claude Code files a cwd's sessions under (the Agent SDK's project key for a mirror). */
export function projectKeyOf(cwd: string): string {
  return dashPath(cwd);
}

const dashPath = (cwd: string) => cwd.replace(/[^a-zA-Z0-9]/g, '-');

export interface TranscriptLocation {
  sessionId: string;
  file: string;
}

export interface WrittenTranscript extends TranscriptLocation {
  /** The lines written, as entries (what a transcript mirror stores). */
  entries: SessionStoreEntry[];
}

export async function writeTranscript(options: {
  configDir: string;
  cwd: string;
  model: string;
  turns: readonly ClaudeTurn[];
  sessionId?: string;
}): Promise<WrittenTranscript> {
  const sessionId = options.sessionId ?? randomUUID();
  const dir = projectDirFor(options.configDir, options.cwd);
  await mkdir(dir, { recursive: true });
  const file = path.join(dir, `${sessionId}.jsonl`);
  const entries = transcriptEntries(sessionId, options.cwd, options.model, options.turns);
  await writeFile(file, `${entries.map((entry) => JSON.stringify(entry)).join('\n')}\n`, { mode: 0o600 });
  return { sessionId, file, entries };
}

export async function removeTranscript(location: TranscriptLocation): Promise<void> {
  await rm(location.file, { force: true });
}

/**
 * Copies a persisted session's transcript (and the folder beside it) from one config dir to another,
 * over whatever copy is there: a conversation that moves to an account with its own
 * CLAUDE_CONFIG_DIR resumes from where it was last recorded. Nothing to copy is not an error.
 */
export async function copyTranscript(options: {
  fromConfigDir: string;
  toConfigDir: string;
  cwd: string;
  sessionId: string;
}): Promise<void> {
  if (path.resolve(options.fromConfigDir) === path.resolve(options.toConfigDir)) return;
  const from = projectDirFor(options.fromConfigDir, options.cwd);
  const to = projectDirFor(options.toConfigDir, options.cwd);
  await mkdir(to, { recursive: true });
  for (const name of [`${options.sessionId}.jsonl`, options.sessionId]) {
    await rm(path.join(to, name), { recursive: true, force: true });
    await cp(path.join(from, name), path.join(to, name), { recursive: true }).catch(
      (error: NodeJS.ErrnoException) => {
        if (error.code !== 'ENOENT') throw error;
      },
    );
  }
}

/**
 * Where Claude Code keeps a persisted session: the transcript (and a folder beside it) under the
 * config dir, and, under its temp dir (CLAUDE_CODE_TMPDIR), copies of the images the session was sent
 * (`<tmpDir>/claude-<uid>/<cwd as a dash path>/<id>/images/`).
 */
export interface SessionDirs {
  configDir: string;
  /** CLAUDE_CODE_TMPDIR of the CLI processes, when the gateway chose it (so it may clean it). */
  tmpDir?: string;
}

/** Every file and folder Claude Code keeps for one persisted session (some may not exist). */
export async function sessionPaths(dirs: SessionDirs, cwd: string, sessionId: string): Promise<string[]> {
  const projectDir = projectDirFor(dirs.configDir, cwd);
  const targets = [path.join(projectDir, `${sessionId}.jsonl`), path.join(projectDir, sessionId)];
  for (const tmpProjectDir of await tmpProjectDirs(dirs, cwd))
    targets.push(path.join(tmpProjectDir, sessionId));
  return targets;
}

/** Deletes everything Claude Code keeps for one persisted session. */
export async function removeSession(dirs: SessionDirs, cwd: string, sessionId: string): Promise<void> {
  const targets = await sessionPaths(dirs, cwd, sessionId);
  await Promise.all(targets.map((target) => rm(target, { recursive: true, force: true })));
}

/**
 * Deletes every session kept for `cwd`. Only for a cwd the gateway owns: its sessions are tracked in
 * memory, so whatever an earlier gateway process left there can never be resumed.
 */
export async function removeAllSessions(dirs: SessionDirs, cwd: string): Promise<void> {
  const roots = [projectDirFor(dirs.configDir, cwd), ...(await tmpProjectDirs(dirs, cwd))];
  await Promise.all(
    roots.map(async (root) => {
      const names = await readdir(root).catch(() => []);
      await Promise.all(names.map((name) => rm(path.join(root, name), { recursive: true, force: true })));
    }),
  );
}

async function tmpProjectDirs(dirs: SessionDirs, cwd: string): Promise<string[]> {
  const { tmpDir } = dirs;
  if (tmpDir === undefined) return [];
  const perUser = (await readdir(tmpDir).catch(() => [])).filter((name) => name.startsWith('claude-'));
  return perUser.map((name) => path.join(tmpDir, name, dashPath(cwd)));
}

export function transcriptEntries(
  sessionId: string,
  cwd: string,
  model: string,
  turns: readonly ClaudeTurn[],
): SessionStoreEntry[] {
  let parentUuid: string | null = null;
  const start = Date.now() - turns.length * 1000;
  return turns.map((turn, i) => {
    const uuid = randomUUID();
    const entry = {
      parentUuid,
      isSidechain: false,
      type: turn.role,
      message:
        turn.role === 'user'
          ? { role: 'user', content: turn.content }
          : {
              id: `msg_gateway_${uuid.replaceAll('-', '')}`,
              type: 'message',
              role: 'assistant',
              model,
              content: turn.content,
              stop_reason: turn.content.some((block) => block.type === 'tool_use') ? 'tool_use' : 'end_turn',
              stop_sequence: null,
              usage: { input_tokens: 0, output_tokens: 0 },
            },
      uuid,
      timestamp: new Date(start + i * 1000).toISOString(),
      sessionId,
      cwd,
      userType: 'external',
    };
    parentUuid = uuid;
    return entry;
  });
}
