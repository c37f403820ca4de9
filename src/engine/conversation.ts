import type { Query, SDKMessage, SDKResultMessage, SDKUserMessage } from '@anthropic-ai/claude-agent-sdk';
import { roundUsd } from '../util/round-usd.js';
import type { InputChannel } from './input-channel.js';
import type { ProcessRegistry, SpawnedRun } from './processes/process-registry.js';

/** How the process serving a run came to be; reported for logs and the benchmark. */
export type ConversationOrigin = 'cold' | 'spare' | 'hot';

/**
 * One Claude Code process and the SDK conversation on it. Turns are read with `messages.next()`
 * (never a `for await` that would close the generator), so the same conversation can take another
 * turn after a result while its input stays open.
 */
export interface Conversation {
  readonly query: Query;
  readonly messages: AsyncIterator<SDKMessage, void>;
  readonly input: InputChannel;
  origin: ConversationOrigin;
  /** The CLI's `total_cost_usd` at the end of the last turn: it counts per process, not per turn. */
  reportedCostUsd: number;
  process(): SpawnedRun | undefined;
  alive(): boolean;
  /** Calls `listener` when the process exits (at once if it already has); replaces an earlier one. */
  onExit(listener: () => void): void;
  /** Ends the process tree, then the input and the SDK side; resolves once the CLI has exited. */
  close(): Promise<void>;
}

export interface ConversationParts {
  query: Query;
  input: InputChannel;
  origin: ConversationOrigin;
  /** The spawned process; a getter because a cold `query()` may spawn it after returning. */
  process: () => SpawnedRun | undefined;
  processes: ProcessRegistry;
}

export function createConversation(parts: ConversationParts): Conversation {
  const { query, input, processes } = parts;
  let closing: Promise<void> | undefined;
  let exitListener: (() => void) | undefined;
  let watchingExit = false;
  const hasExited = () => {
    const child = parts.process()?.child;
    return child !== undefined && (child.exitCode !== null || child.signalCode !== null);
  };
  return {
    query,
    messages: query[Symbol.asyncIterator](),
    input,
    origin: parts.origin,
    reportedCostUsd: 0,
    process: parts.process,
    alive: () => parts.process() !== undefined && !hasExited(),
    onExit(listener) {
      const child = parts.process()?.child;
      if (!child || hasExited()) {
        listener();
        return;
      }
      // One listener on the child however often the conversation is parked; the latest one counts.
      exitListener = listener;
      if (watchingExit) return;
      watchingExit = true;
      child.once('exit', () => exitListener?.());
    },
    close() {
      // The CLI goes first: closing the SDK side first fails a turn's pending tool calls as
      // interrupted, and Claude Code would ask the model again (a billed call) before it noticed.
      closing ??= (async () => {
        const spawned = parts.process();
        if (spawned) await processes.terminate(spawned.child);
        input.close();
        query.close();
      })();
      return closing;
    },
  };
}

/** Sends one user turn; without `keepOpen` the process exits once it has answered. */
export function sendTurn(conversation: Conversation, message: SDKUserMessage, keepOpen: boolean): void {
  conversation.input.push(message);
  if (!keepOpen) conversation.input.close();
}

/**
 * The result as this run's: the CLI's cost counter spans every turn the process has answered. The
 * difference of two floats carries binary noise (6.229999999999998e-05), rounded away here once.
 */
export function perTurnResult(
  conversation: Pick<Conversation, 'reportedCostUsd'>,
  result: SDKResultMessage,
): SDKResultMessage {
  const total = result.total_cost_usd;
  const previous = conversation.reportedCostUsd;
  conversation.reportedCostUsd = total;
  return previous === 0 ? result : { ...result, total_cost_usd: roundUsd(Math.max(0, total - previous)) };
}
