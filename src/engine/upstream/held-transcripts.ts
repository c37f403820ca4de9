import type { SessionStore } from '@anthropic-ai/claude-agent-sdk';
import type { TurnHolds } from './turn-holds.js';

/**
 * The transcript mirror, with the entries of a held session's turn kept back (see `TurnHolds`):
 * they are appended in order once the hold opens, and dropped when it is discarded, so a turn that
 * did not run here leaves nothing in the store another gateway resumes from.
 */
export function heldTranscripts(store: SessionStore, holds: TurnHolds): SessionStore {
  return {
    ...store,
    async append(key, entries) {
      const passage = holds.passage(key.sessionId);
      if (passage !== undefined && !(await passage)) return;
      await store.append(key, entries);
    },
  };
}
