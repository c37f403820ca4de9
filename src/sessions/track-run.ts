import type { RunPlan } from '../claude/run-plan.js';
import type { ChatCompletionChunk } from '../openai/chat-response.js';
import { foldChunks } from '../translate/fold-chunks.js';
import { toAssistantTurn } from '../translate/to-claude.js';
import type { TranslatorOutput } from '../translate/to-openai.js';
import type { SessionClaim } from './session-store.js';

export interface RunSessionTracker {
  /** Claude Code is about to start: from here on the session's files may change. */
  started(): void;
  observe(output: TranslatorOutput): void;
  /** Claude Code ended its turn successfully: its session holds the whole answer. */
  finishedTurn(): void;
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
  const chunks: ChatCompletionChunk[] = [];
  let started = false;
  let failed = false;
  let turnFinished = false;
  let settled = false;
  return {
    started() {
      started = true;
    },
    observe(output) {
      if (output.kind === 'error') failed = true;
      else chunks.push(output.chunk);
    },
    finishedTurn() {
      turnFinished = true;
    },
    settle() {
      if (settled) return;
      settled = true;
      if (!started) return claim.cancel();
      const choice = turnFinished && !failed && chunks.length > 0 ? foldChunks(chunks).choices[0] : undefined;
      if (choice?.finish_reason === 'stop' && plan.outputSchema === undefined) {
        return claim.commit(toAssistantTurn(choice.message));
      }
      return claim.abandon();
    },
  };
}
