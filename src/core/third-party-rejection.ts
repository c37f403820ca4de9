/**
 * Anthropic refuses subscription traffic it classifies as a third-party app with a 400 whose
 * message says such apps draw from "extra usage" (e.g. "Third-party apps now draw from your extra
 * usage, not your plan limits. ..."). It is not the caller's request that is wrong, and a generic
 * upstream error hides what an operator can do about it, so it gets its own code.
 */
export const THIRD_PARTY_REJECTED_CODE = 'upstream_third_party_rejected';

const MENTIONS_THIRD_PARTY = /third[- ]party app/i;
const MENTIONS_EXTRA_USAGE = /extra usage/i;

export function isThirdPartyRejection(status: number | null, detail: string): boolean {
  return status === 400 && MENTIONS_THIRD_PARTY.test(detail) && MENTIONS_EXTRA_USAGE.test(detail);
}

export const THIRD_PARTY_REJECTED_MESSAGE =
  "Anthropic classified this request as third-party app traffic, which draws from the account's extra usage instead of its plan, and refused it. " +
  "What the request carries decides this, most often a client's system prompt replacing Claude Code's own: ask the operator to try " +
  'SYSTEM_PROMPT_PLACEMENT=append (or first-user-turn), or to allow extra usage at claude.ai/settings/usage.';

/** When it last happened and how often, for /health: it affects every caller until the operator acts. */
export interface ThirdPartyRejections {
  record(): void;
  snapshot(): { count: number; last_at: string | null };
}

export function trackThirdPartyRejections(now: () => number = Date.now): ThirdPartyRejections {
  let count = 0;
  let lastAt: number | undefined;
  return {
    record() {
      count++;
      lastAt = now();
    },
    snapshot: () => ({ count, last_at: lastAt === undefined ? null : new Date(lastAt).toISOString() }),
  };
}
