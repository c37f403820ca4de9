import type { ClaudeTurn, RunPlan, TrackedSession } from '../run-plan.js';
/**
 * The conversation index of src/core/sessions/session-store.ts, kept in the database so every gateway
 * shares it: a turn that lands on any instance finds the Claude Code session holding its history
 * (same fingerprints, same rules), and the session's transcript comes from the transcript mirror.
 * Async where the in-memory index is not: every step is one statement or one short transaction.
 *
 * A claim marks the session busy until `claimTtlMs` from its start; a gateway that dies mid-run
 * leaves the mark, and the sweep evicts such sessions once it lapses (they may hold half a turn).
 */
export interface SharedSessionIndex {
  begin(plan: RunPlan, origin?: ConversationOrigin): Promise<SharedSessionClaim>;
  /**
   * `begin`, with what this gateway expects the claim to give, known without asking the database:
   * a session whose last turn this gateway committed, ending at the plan's history, of which it
   * keeps a live process at that version. The claim decides; the foresight only lets the turn go
   * to that process while the claim is on its way.
   */
  beginAhead(plan: RunPlan, origin?: ConversationOrigin): ClaimAhead<SharedSessionClaim>;
  /**
   * Evicts sessions idle past the TTL, over the cap (oldest first) or whose claim lapsed, and deletes
   * their mirrored transcripts. On PostgreSQL only one gateway sweeps at a time (advisory lock);
   * the others return at once. Returns what it evicted.
   */
  sweep(): Promise<EvictedSession[]>;
  /** Sessions tracked, busy or resumable. */
  size(): Promise<number>;
  /**
   * Ends the idle sessions of one explicit conversation (a deleted native session) at once: their
   * index rows and mirrored transcripts go in one transaction. A session a run holds right now (on
   * any gateway) is left to settle and to the sweep. Returns what it ended.
   */
  endConversation(origin: EndedConversation): Promise<EvictedSession[]>;
}

export interface SharedSessionClaim {
  /** `version` is always set: the session's head, read and bumped by the claim's own statements. */
  readonly session: TrackedSession & { version: number };
  /** The run ended cleanly under `account` (a pooled account's name, if any). */
  commit(reply: ClaudeTurn, account?: string): Promise<void>;
  abandon(): Promise<void>;
  cancel(): Promise<void>;
}

/**
 * The cwd a shared index records for runs in the gateway's own workspace (runs without an agent
 * cwd). The workspace's local path differs between gateways (each has its own DATA_DIR), so it must
 * be no part of a conversation's identity; each gateway reads this back as its own workspace.
 */
export const SHARED_WORKSPACE_CWD = 'gateway-workspace:';

/** A conversation named by its caller, as its turns began it; `cwd` is the runs' (default: the workspace). */
export interface EndedConversation {
  callerId?: string;
  endUser?: string;
  conversationId: string;
  cwd?: string;
}

export interface EvictedSession {
  id: string;
  /** The runs' cwd; from a shared index, SHARED_WORKSPACE_CWD for the workspace. */
  cwd: string;
}

/**
 * What a run needs of a conversation index: this in-memory store, or the shared one every gateway on
 * a database uses (src/store/shared-session-index.ts via shared-conversations.ts), which is async.
 */
export interface ConversationIndex {
  begin(plan: RunPlan, origin?: ConversationOrigin): SessionClaim | Promise<SessionClaim>;
  /** `begin` with a foresight of its session, where claims take a round trip (a shared index). */
  beginAhead?(plan: RunPlan, origin?: ConversationOrigin): ClaimAhead<SessionClaim>;
}

/** A claim on its way, and the session it is expected to give (undefined: no guess). */
export interface ClaimAhead<Claim extends SessionClaim> {
  foreseen: Claim['session'] | undefined;
  claim: Promise<Claim>;
}

/** Who is asking and how they name the conversation; every field is optional. */
export interface ConversationOrigin {
  /** The caller (an API key or its id): a session is never shared across callers. */
  callerId?: string;
  /** An explicit conversation id (`x-conversation-id`): one session per conversation. */
  conversationId?: string;
  /** The request's `user` string: narrows lookups to that end user. */
  endUser?: string;
}

export interface SessionClaim {
  readonly session: TrackedSession;
  /** The run ended cleanly under `account` (a pooled account's name, if any). */
  commit(reply: ClaudeTurn, account?: string): void | Promise<void>;
  abandon(): void | Promise<void>;
  cancel(): void | Promise<void>;
}
