import type { SessionClaim } from '../../contract/ports/conversations.js';
import type { RunEvent } from '../../contract/run-events.js';
import type { ClaudeTurn, RunPlan } from '../../contract/run-plan.js';
import { emptyRunResult, foldEvent, type RunResult } from '../fold-events.js';

export interface RunSessionTracker {
  /** Claude Code is about to start: from here on the session's files may change. */
  started(): void;
  observe(event: RunEvent): void;
  /** Claude Code ended its turn successfully: its session holds the whole answer. */
  finishedTurn(): void;
  /** The run goes to this pooled account (the last call wins: a failover moves it). */
  ranOn(account: string): void;
  /**
   * Settles the claim once the run is over, however it ended; later calls do nothing. Awaited, so
   * a shared index has recorded the turn before the client can send the next one.
   */
  settle(): void | Promise<void>;
}

/**
 * Decides what a run leaves behind for its session. Only a complete plain answer is kept: then the
 * session holds exactly the conversation the client now has. Anything else (an error, a client that
 * went away, an answer the gateway ended before Claude Code did — max_tokens, a stop sequence —, tool
 * calls, structured output that Claude Code produced through a tool the client never sees) drops the
 * session, and the next request rebuilds it.
 */
export function trackRunSession(claim: SessionClaim, plan: RunPlan): RunSessionTracker {
  const result: RunResult = emptyRunResult();
  let started = false;
  let turnFinished = false;
  let settled = false;
  let account: string | undefined;
  return {
    started() {
      started = true;
    },
    observe(event) {
      foldEvent(result, event);
    },
    finishedTurn() {
      turnFinished = true;
    },
    ranOn(name) {
      account = name;
    },
    settle() {
      if (settled) return;
      settled = true;
      if (!started) return claim.cancel();
      const complete = turnFinished && result.error === undefined && result.finish?.reason === 'end_turn';
      if (complete && result.toolCalls.length === 0 && plan.outputSchema === undefined) {
        return claim.commit(assistantTurn(result), account);
      }
      return claim.abandon();
    },
  };
}

/** The answer as Claude's own assistant turn, exactly what the session file holds. */
function assistantTurn(result: RunResult): ClaudeTurn {
  return { role: 'assistant', content: result.text ? [{ type: 'text', text: result.text }] : [] };
}
