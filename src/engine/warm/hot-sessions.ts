import type { Conversation } from '../conversation.js';
import type { IdleProcesses } from '../processes/process-budget.js';

export interface HotSessionsOptions {
  /** Conversations kept alive at most; 0 disables hot conversations. */
  max: number;
  /** An idle conversation's process ends after this long without a new turn. */
  idleMs: number;
  /** Whether an idle process may stay now (false when requests wait for a slot). */
  canPark: () => boolean;
  now?: () => number;
}

interface Parked {
  conversation: Conversation;
  /** Options identity of the turn that left it (see `hotKey`); the next turn must match. */
  key: string;
  /** The pooled account it runs under (undefined: the gateway's own credentials). */
  account: string | undefined;
  /** The session's version its turn left (shared sessions only); the next turn must find that one. */
  version: number | undefined;
  since: number;
  timer: NodeJS.Timeout;
}

/**
 * Live Claude Code processes of gateway-tracked sessions, kept between turns. The next turn of the
 * same session takes its process back and only sends the new user message: no spawn, no resume.
 */
export class HotSessions implements IdleProcesses {
  readonly #options: HotSessionsOptions;
  readonly #parked = new Map<string, Parked>();
  readonly #now: () => number;
  #closed = false;

  constructor(options: HotSessionsOptions) {
    this.#options = options;
    this.#now = options.now ?? Date.now;
  }

  get enabled(): boolean {
    return this.#options.max > 0;
  }

  get idleCount(): number {
    return this.#parked.size;
  }

  /** Takes the session's process out (whether or not it will be used); undefined when none. */
  take(sessionId: string): Pick<Parked, 'conversation' | 'key' | 'version'> | undefined {
    const parked = this.#parked.get(sessionId);
    if (!parked) return undefined;
    this.#parked.delete(sessionId);
    clearTimeout(parked.timer);
    if (!parked.conversation.alive()) {
      void parked.conversation.close();
      return undefined;
    }
    return { conversation: parked.conversation, key: parked.key, version: parked.version };
  }

  /**
   * Keeps a conversation whose turn just ended, under its pooled account, with the session version
   * that turn left (shared sessions); closes it instead when it may not stay.
   */
  park(
    sessionId: string,
    conversation: Conversation,
    key: string,
    kept: { account?: string | undefined; version?: number | undefined } = {},
  ): Promise<void> {
    const previous = this.#parked.get(sessionId);
    if (previous) this.#drop(sessionId, previous);
    if (this.#closed || !this.enabled || !this.#options.canPark() || !conversation.alive()) {
      return conversation.close();
    }
    const evicting = this.#parked.size >= this.#options.max ? this.evictOldest() : Promise.resolve();
    const timer = setTimeout(() => {
      const current = this.#parked.get(sessionId);
      if (current?.conversation === conversation) this.#drop(sessionId, current);
    }, this.#options.idleMs);
    timer.unref();
    const parked: Parked = {
      conversation,
      key,
      account: kept.account,
      version: kept.version,
      since: this.#now(),
      timer,
    };
    this.#parked.set(sessionId, parked);
    conversation.onExit(() => {
      if (this.#parked.get(sessionId) === parked) this.#drop(sessionId, parked);
    });
    return evicting;
  }

  /** The shared sessions kept here, each at the version its process holds. */
  versions(): Array<{ sessionId: string; version: number }> {
    return [...this.#parked.entries()].flatMap(([sessionId, { version }]) =>
      version === undefined ? [] : [{ sessionId, version }],
    );
  }

  /** Process ids of the kept conversations (for health output and tests). */
  livePids(): number[] {
    return [...this.#parked.values()].flatMap(({ conversation }) => conversation.process()?.child.pid ?? []);
  }

  /** The session is gone for good (the session store evicted it): end its process. */
  forget(sessionId: string): void {
    const parked = this.#parked.get(sessionId);
    if (parked) void this.#drop(sessionId, parked);
  }

  /** Ends the kept conversations of `account` (spent, refused): their next turns go elsewhere. */
  releaseAccount(account: string): void {
    for (const [id, parked] of [...this.#parked]) {
      if (parked.account === account) void this.#drop(id, parked);
    }
  }

  oldestIdleSince(): number | undefined {
    const times = [...this.#parked.values()].map((parked) => parked.since);
    return times.length > 0 ? Math.min(...times) : undefined;
  }

  async evictOldest(): Promise<void> {
    const oldest = [...this.#parked.entries()].sort(([, a], [, b]) => a.since - b.since)[0];
    if (oldest) await this.#drop(...oldest);
  }

  /** Ends every kept conversation; later turns are not kept either (the gateway is stopping). */
  async closeAll(): Promise<void> {
    this.#closed = true;
    await Promise.all([...this.#parked.entries()].map(([id, parked]) => this.#drop(id, parked)));
  }

  #drop(sessionId: string, parked: Parked): Promise<void> {
    if (this.#parked.get(sessionId) === parked) this.#parked.delete(sessionId);
    clearTimeout(parked.timer);
    return parked.conversation.close();
  }
}
