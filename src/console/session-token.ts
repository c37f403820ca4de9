import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * The console's sign-in session, carried in an HttpOnly cookie: who signed in, until when, and the
 * CSRF token the page must echo on every change. It is signed, not stored, so every gateway that
 * shares CONSOLE_SESSION_SECRET accepts it (several instances behind one load balancer), and the
 * admin key itself never leaves the sign-in request.
 */
export interface ConsoleSession {
  /** Session id: logout remembers it as revoked until it expires. */
  sid: string;
  /** The admin principal's id and name, for display and the audit trail. */
  principalId: string;
  principalName: string;
  csrf: string;
  /** Expiry, epoch ms. */
  exp: number;
}

export interface SessionTokens {
  issue(principal: { id: string; name: string }, now: number): { token: string; session: ConsoleSession };
  /** The session, or undefined when the token is forged, malformed or expired. */
  verify(token: string, now: number): ConsoleSession | undefined;
}

export function sessionTokens(secret: Buffer, ttlMs: number): SessionTokens {
  const sign = (payload: string) => createHmac('sha256', secret).update(payload).digest('base64url');
  return {
    issue(principal, now) {
      const session: ConsoleSession = {
        sid: randomBytes(12).toString('base64url'),
        principalId: principal.id,
        principalName: principal.name,
        csrf: randomBytes(24).toString('base64url'),
        exp: now + ttlMs,
      };
      const payload = Buffer.from(JSON.stringify(session)).toString('base64url');
      return { token: `${payload}.${sign(payload)}`, session };
    },
    verify(token, now) {
      const [payload, signature, extra] = token.split('.');
      if (!payload || !signature || extra !== undefined) return undefined;
      const expected = Buffer.from(sign(payload));
      const given = Buffer.from(signature);
      if (expected.length !== given.length || !timingSafeEqual(expected, given)) return undefined;
      const session = parseSession(Buffer.from(payload, 'base64url').toString('utf8'));
      return session && session.exp > now ? session : undefined;
    },
  };
}

function parseSession(text: string): ConsoleSession | undefined {
  try {
    const value: unknown = JSON.parse(text);
    if (typeof value !== 'object' || value === null) return undefined;
    const { sid, principalId, principalName, csrf, exp } = value as Record<string, unknown>;
    if (typeof sid !== 'string' || typeof principalId !== 'string' || typeof principalName !== 'string')
      return undefined;
    if (typeof csrf !== 'string' || typeof exp !== 'number') return undefined;
    return { sid, principalId, principalName, csrf, exp };
  } catch {
    return undefined;
  }
}

/** Equal-time comparison for the CSRF header against the session's token. */
export function sameToken(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}
