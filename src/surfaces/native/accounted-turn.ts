import { GatewayError } from '../../contract/gateway-error.js';
import type { Principal } from '../../contract/key-policy.js';
import type { RecordTurn, TurnInfo } from '../../core/accounting/turn-accounting.js';
import type { RunEvents } from '../../core/serve-run.js';
import type { NativeSessions, SessionTurn, TurnInput } from '../../services/native/session-service.js';

/**
 * Starts a turn that came without a POST (a WebSocket frame, an EventSource GET), which the HTTP
 * accounting middleware never sees: it gets its audit row and metrics here, a refused one too.
 * Without a key (auth off) or a recorder there is nothing to record.
 */
export async function startAccountedTurn(
  sessions: NativeSessions,
  input: TurnInput,
  record: { recordTurn: RecordTurn | undefined; principal: Principal | undefined; info: TurnInfo },
): Promise<SessionTurn> {
  const turnRecord = record.principal ? record.recordTurn?.(record.principal, record.info) : undefined;
  if (!turnRecord) return sessions.turn(input);
  let turn: SessionTurn;
  try {
    turn = await sessions.turn({
      ...input,
      onSummary: turnRecord.onSummary,
      onStarted: turnRecord.onStarted,
    });
  } catch (error) {
    if (error instanceof GatewayError) await turnRecord.refused(error);
    else turnRecord.finish();
    throw error;
  }
  return { ...turn, events: thenFinish(turn.events, () => turnRecord.finish()) };
}

async function* thenFinish(events: RunEvents, finish: () => void): RunEvents {
  try {
    yield* events;
  } finally {
    finish();
  }
}
