import type { SessionStoreEntry } from '@anthropic-ai/claude-agent-sdk';

/**
 * A session's transcript read in the same statement that claimed it (PostgreSQL), for the Agent
 * SDK's resume, which otherwise asks the store twice more before Claude Code starts: `load` of the
 * main transcript, then `listSubkeys`. Each answer is given once, and only for the project key the
 * rows were stored under; anything else (a second load, a subagent's transcript, a claim that ended
 * without a resume) goes to the database as before. The claim holds the session, so no other run
 * appends to it in between. A new session's answer is "nothing stored": a history rebuilt for it is
 * resumed from the transcript its gateway wrote locally (and mirrors itself), so its first turn
 * needs no round trip and a process started ahead to resume that id can still serve it.
 */
export interface TranscriptPrefetch {
  put(sessionId: string, transcript: PrefetchedTranscript): void;
  /** The main transcript, once (null: the session has none). */
  takeMain(projectKey: string, sessionId: string): SessionStoreEntry[] | null | undefined;
  /** The subagent subpaths, once. */
  takeSubkeys(projectKey: string, sessionId: string): string[] | undefined;
  /** The claim ended: forget what was not asked for. */
  drop(sessionId: string): void;
}

export interface PrefetchedTranscript {
  /** The project key the rows were stored under; absent for a new session, which has none under any. */
  projectKey?: string;
  /** The main transcript's entries as stored (JSON text), in order. */
  mainEntries: string[];
  subkeys: string[];
}

export function transcriptPrefetch(): TranscriptPrefetch {
  const pending = new Map<string, PrefetchedTranscript & { mainTaken: boolean; subkeysTaken: boolean }>();
  const settle = (sessionId: string) => {
    const entry = pending.get(sessionId);
    if (entry?.mainTaken && entry.subkeysTaken) pending.delete(sessionId);
  };
  return {
    put(sessionId, transcript) {
      pending.set(sessionId, { ...transcript, mainTaken: false, subkeysTaken: false });
    },
    takeMain(projectKey, sessionId) {
      const entry = pending.get(sessionId);
      if (!entry || entry.mainTaken || !storedUnder(entry, projectKey)) return undefined;
      entry.mainTaken = true;
      settle(sessionId);
      return entry.mainEntries.length === 0
        ? null
        : entry.mainEntries.map((text) => JSON.parse(text) as SessionStoreEntry);
    },
    takeSubkeys(projectKey, sessionId) {
      const entry = pending.get(sessionId);
      if (!entry || entry.subkeysTaken || !storedUnder(entry, projectKey)) return undefined;
      entry.subkeysTaken = true;
      settle(sessionId);
      return entry.subkeys;
    },
    drop(sessionId) {
      pending.delete(sessionId);
    },
  };
}

function storedUnder(transcript: PrefetchedTranscript, projectKey: string): boolean {
  return transcript.projectKey === undefined || transcript.projectKey === projectKey;
}
