import { randomBytes } from 'node:crypto';
import type { Principal } from '../contract/key-policy.js';

/**
 * Browsers cannot set headers on a WebSocket, and a key in the URL ends up in proxy and access logs.
 * So a client with a key asks `POST /api/v1/ws-tickets` for a short-lived, single-use ticket and
 * offers it as a subprotocol: `new WebSocket(url, ['claude-gateway.v1', 'ticket.<ticket>'])`. The
 * server answers with `claude-gateway.v1` only, so the ticket is never echoed.
 */
export const WS_PROTOCOL = 'claude-gateway.v1';
const TICKET_PREFIX = 'ticket.';

/** Issues tickets to an authenticated caller (the native API's POST /api/v1/ws-tickets). */
export interface WsTicketIssuer {
  issue(principal: Principal): { ticket: string; expiresAt: number };
}

export interface WsTickets extends WsTicketIssuer {
  /** The principal the ticket was issued to, once; undefined when unknown, used or expired. */
  redeem(ticket: string): Principal | undefined;
}

export function createWsTickets(options: { ttlMs: number; now?: () => number }): WsTickets {
  const now = options.now ?? Date.now;
  const tickets = new Map<string, { principal: Principal; expiresAt: number }>();
  const sweep = () => {
    const at = now();
    for (const [ticket, entry] of tickets) if (entry.expiresAt <= at) tickets.delete(ticket);
  };
  return {
    issue(principal) {
      sweep();
      const ticket = randomBytes(24).toString('base64url');
      const expiresAt = now() + options.ttlMs;
      tickets.set(ticket, { principal, expiresAt });
      return { ticket, expiresAt };
    },
    redeem(ticket) {
      sweep();
      const entry = tickets.get(ticket);
      if (!entry) return undefined;
      tickets.delete(ticket);
      return entry.principal;
    },
  };
}

/** The ticket a WebSocket upgrade offers in `Sec-WebSocket-Protocol`, if any. */
export function offeredTicket(protocolHeader: string | undefined): string | undefined {
  const offered = (protocolHeader ?? '').split(',').map((protocol) => protocol.trim());
  const entry = offered.find((protocol) => protocol.startsWith(TICKET_PREFIX));
  return entry?.slice(TICKET_PREFIX.length);
}

/** Which subprotocol the server selects: ours when offered, else none (never the ticket). */
export function selectProtocol(offered: ReadonlySet<string>): string | false {
  return offered.has(WS_PROTOCOL) ? WS_PROTOCOL : false;
}
