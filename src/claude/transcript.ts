import { randomUUID } from 'node:crypto';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { ClaudeTurn } from './run-plan.js';

/**
 * Claude Code resumes a session from `$CLAUDE_CONFIG_DIR/projects/<cwd as a dash path>/<id>.jsonl`.
 * Writing earlier OpenAI turns there as a transcript and resuming it is what lets the model see them
 * as real user/assistant turns instead of one pasted block of text.
 */
export function projectDirFor(configDir: string, cwd: string): string {
  return path.join(configDir, 'projects', cwd.replace(/[^a-zA-Z0-9]/g, '-'));
}

export interface TranscriptLocation {
  sessionId: string;
  file: string;
}

export async function writeTranscript(options: {
  configDir: string;
  cwd: string;
  model: string;
  turns: readonly ClaudeTurn[];
  sessionId?: string;
}): Promise<TranscriptLocation> {
  const sessionId = options.sessionId ?? randomUUID();
  const dir = projectDirFor(options.configDir, options.cwd);
  await mkdir(dir, { recursive: true });
  const file = path.join(dir, `${sessionId}.jsonl`);
  await writeFile(file, transcriptLines(sessionId, options.cwd, options.model, options.turns), {
    mode: 0o600,
  });
  return { sessionId, file };
}

export async function removeTranscript(location: TranscriptLocation): Promise<void> {
  await rm(location.file, { force: true });
}

export function transcriptLines(
  sessionId: string,
  cwd: string,
  model: string,
  turns: readonly ClaudeTurn[],
): string {
  let parentUuid: string | null = null;
  const start = Date.now() - turns.length * 1000;
  const lines = turns.map((turn, i) => {
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
    return JSON.stringify(entry);
  });
  return `${lines.join('\n')}\n`;
}
