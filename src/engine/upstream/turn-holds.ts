/**
 * Sessions whose turn went to Claude Code before the turn was allowed to run. The turn is handed
 * to a live process while the gateway still waits for the conversation's claim (on a shared
 * database that is a round trip), so the claim's time overlaps Claude Code's own start of the turn.
 * Until the claim is confirmed, nothing of the turn may leave the gateway: the relay holds the
 * session's API requests, and the transcript mirror holds its entries. A claim that gives something
 * else (another gateway moved the session on) discards the hold once the process is gone, and
 * nothing held is sent.
 */
export interface TurnHold {
  /** The claim is confirmed: what was held goes on, and nothing more is held. */
  open(): void;
  /** The turn will not run here: what was held is dropped. Does nothing after `open`. */
  discard(): void;
}

export class TurnHolds {
  readonly #held = new Map<string, { passage: Promise<boolean>; settle: (passes: boolean) => void }>();

  /** Holds what the session sends from now until the hold is opened or discarded. */
  hold(sessionId: string): TurnHold {
    // One run of a session at a time: a hold left by an earlier one is discarded, not inherited.
    this.#held.get(sessionId)?.settle(false);
    let settle!: (passes: boolean) => void;
    const passage = new Promise<boolean>((resolve) => {
      settle = resolve;
    });
    const entry = { passage, settle };
    this.#held.set(sessionId, entry);
    // Settling twice changes nothing, and a hold that ended no longer owns the session's entry.
    const end = (passes: boolean) => {
      if (this.#held.get(sessionId) === entry) this.#held.delete(sessionId);
      settle(passes);
    };
    return { open: () => end(true), discard: () => end(false) };
  }

  /**
   * What waits for the session's hold: true once it opens, false when it is discarded; undefined
   * when the session is not held (go on at once).
   */
  passage(sessionId: string): Promise<boolean> | undefined {
    return this.#held.get(sessionId)?.passage;
  }
}
