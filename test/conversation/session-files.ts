/**
 * Reads what Claude Code persisted for the gateway's plain-chat sessions, and what the mock received,
 * in a form tests can compare: `user: text` / `assistant: text` lines.
 */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { projectDirFor } from '../../src/engine/transcript.js';
import type { Harness } from '../helpers/gateway-harness.js';
import type { ContentBlock, RecordedRequest } from '../mock-anthropic/server.js';

export interface SessionFile {
  id: string;
  /** Every user/assistant entry in the order Claude Code recorded them. */
  turns: string[];
  /** Entries written by the gateway's transcript writer (a rebuilt history), not by Claude Code. */
  rebuiltEntries: number;
}

export async function sessionFiles(h: Harness): Promise<SessionFile[]> {
  const dir = projectDirFor(path.join(h.dataDir, 'claude'), path.join(h.dataDir, 'workspace'));
  const names = (await readdir(dir).catch(() => [] as string[])).filter((name) => name.endsWith('.jsonl'));
  const files = await Promise.all(
    names.map(async (name) => {
      // A session being deleted in the background may vanish between readdir and readFile.
      const content = await readFile(path.join(dir, name), 'utf8').catch(() => undefined);
      if (content === undefined) return undefined;
      const entries = content
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line) as { type: string; message?: { id?: string; content: unknown } });
      const turns = entries
        .filter((entry) => entry.type === 'user' || entry.type === 'assistant')
        .map((entry) => `${entry.type}: ${textsOf(entry.message?.content).join(' | ')}`);
      const rebuiltEntries = entries.filter((entry) => entry.message?.id?.startsWith('msg_gateway_')).length;
      return { id: name.replace(/\.jsonl$/, ''), turns, rebuiltEntries };
    }),
  );
  return files
    .filter((file): file is SessionFile => file !== undefined)
    .sort((a, b) => a.id.localeCompare(b.id));
}

/** The conversation the model was shown: user/assistant messages with their own text (no reminders). */
export function conversationOf(request: RecordedRequest | undefined): string[] {
  if (!request) throw new Error('the mock got no such request');
  return request.body.messages
    .filter((message) => message.role === 'user' || message.role === 'assistant')
    .map((message) => ({ role: message.role, texts: textsOf(message.content) }))
    .filter((message) => message.texts.length > 0)
    .map((message) => `${message.role}: ${message.texts.join(' | ')}`);
}

function textsOf(content: unknown): string[] {
  if (typeof content === 'string') return isReminder(content) ? [] : [content];
  if (!Array.isArray(content)) return [];
  return (content as ContentBlock[])
    .filter((block) => block.type === 'text' && typeof block.text === 'string' && !isReminder(block.text))
    .map((block) => block.text as string);
}

const isReminder = (text: string) => text.trimStart().startsWith('<system-reminder>');
