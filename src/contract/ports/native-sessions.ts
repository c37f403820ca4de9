import type { RunUsage } from '../run-events.js';
import type { AgentSettings } from '../run-plan.js';

/**
 * The native API's sessions: who owns them, how they run, and their transcript. An async
 * port so a shared database (Postgres) can back it as well as the embedded SQLite file; the native
 * surface is the only writer. Claude Code's own session files are not here: they are a cache the
 * core can rebuild from these turns.
 */
export interface NativeSessionRecord {
  id: string;
  /** The API key id (principal id) that created it; nobody else may see it. */
  ownerId: string;
  /** The model name as the client asked for it (resolved again on every turn). */
  model: string;
  systemPrompt?: string;
  /** Agent settings already checked against the server's agent rules at creation. */
  agent?: AgentSettings;
  createdAt: number;
  lastActivityAt: number;
  expiresAt: number;
  /** Usage summed over every turn. */
  usage: RunUsage;
  costUsd: number;
  /** User and assistant messages stored (two turns: 4). */
  messageCount: number;
}

export interface NativeMessage {
  role: 'user' | 'assistant';
  content: string;
  /** Unix milliseconds. */
  at: number;
}

/** A finished turn: the user's prompt, the assistant's answer, and what the run cost. */
export interface NativeTurnRecord {
  user: NativeMessage;
  assistant: NativeMessage;
  usage: RunUsage;
  costUsd: number;
  expiresAt: number;
}

export interface NativeSessionStore {
  create(record: NativeSessionRecord): Promise<void>;
  get(id: string): Promise<NativeSessionRecord | undefined>;
  /** Sessions of one owner, or of everyone when `ownerId` is absent; least recently active first. */
  list(ownerId?: string): Promise<NativeSessionRecord[]>;
  count(ownerId?: string): Promise<number>;
  /** Sessions ever created in this store, by every gateway sharing it (ended ones included). */
  createdCount(): Promise<number>;
  messages(id: string): Promise<NativeMessage[]>;
  /** Appends both messages and adds the turn's usage and cost, atomically. */
  recordTurn(id: string, turn: NativeTurnRecord): Promise<void>;
  /** True when it existed. Its messages go with it. */
  delete(id: string): Promise<boolean>;
  /** Marks activity (a turn starting) so the session does not expire under it. */
  touch(id: string, at: number, expiresAt: number): Promise<void>;
  /** Sessions whose `expiresAt` is at or before `now` (the caller decides which to delete). */
  expired(now: number): Promise<NativeSessionRecord[]>;
}
