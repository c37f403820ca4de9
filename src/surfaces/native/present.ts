import type { NativeMessage, NativeSessionRecord } from '../../contract/ports/native-sessions.js';
import { roundUsd } from '../../util/round-usd.js';

/** How sessions look on the wire: ISO timestamps, agent settings under their native names. */
export interface SessionSummary {
  sessionId: string;
  model: string;
  status: 'idle' | 'running';
  createdAt: string;
  lastActivityAt: string;
  expiresAt: string;
  messageCount: number;
  systemPrompt?: string;
  settings?: { cwd: string; tools: string[]; permissionMode: string; maxTurns: number };
}

export function presentSession(session: NativeSessionRecord, running: boolean): SessionSummary {
  const summary: SessionSummary = {
    sessionId: session.id,
    model: session.model,
    status: running ? 'running' : 'idle',
    createdAt: iso(session.createdAt),
    lastActivityAt: iso(session.lastActivityAt),
    expiresAt: iso(session.expiresAt),
    messageCount: session.messageCount,
  };
  if (session.systemPrompt !== undefined) summary.systemPrompt = session.systemPrompt;
  if (session.agent) {
    summary.settings = {
      cwd: session.agent.cwd,
      tools: session.agent.tools,
      permissionMode: session.agent.permissionMode,
      maxTurns: session.agent.maxTurns,
    };
  }
  return summary;
}

export function presentSessionDetails(session: NativeSessionRecord, running: boolean) {
  // The stored cost is a sum of turns' floats: rounded as shown, so no binary noise reaches clients.
  return { ...presentSession(session, running), usage: session.usage, costUsd: roundUsd(session.costUsd) };
}

export function presentMessages(messages: readonly NativeMessage[]) {
  return messages.map((message) => ({
    role: message.role,
    content: message.content,
    timestamp: iso(message.at),
  }));
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}
