import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import './context-variables.js';
import type { Principal } from '../contract/key-policy.js';
import type { Authenticator } from '../core/authenticator.js';
import { requireApiKey } from './require-api-key.js';
import { createWsTickets, offeredTicket, selectProtocol, WS_PROTOCOL } from './ws-tickets.js';

const owner: Principal = { id: 'key_1', name: 'k', admin: false, source: 'store', policy: {} };

describe('WebSocket tickets', () => {
  it('are single-use and expire', () => {
    let clock = 0;
    const tickets = createWsTickets({ ttlMs: 30_000, now: () => clock });
    const { ticket, expiresAt } = tickets.issue(owner);
    expect(expiresAt).toBe(30_000);
    expect(tickets.redeem(ticket)).toBe(owner);
    expect(tickets.redeem(ticket)).toBeUndefined();
    const late = tickets.issue(owner).ticket;
    clock = 30_000;
    expect(tickets.redeem(late)).toBeUndefined();
  });

  it('are read from the offered subprotocols, and only our protocol is ever selected', () => {
    expect(offeredTicket(`${WS_PROTOCOL}, ticket.abc_D-1`)).toBe('abc_D-1');
    expect(offeredTicket(WS_PROTOCOL)).toBeUndefined();
    expect(offeredTicket(undefined)).toBeUndefined();
    expect(selectProtocol(new Set([WS_PROTOCOL, 'ticket.abc']))).toBe(WS_PROTOCOL);
    expect(selectProtocol(new Set(['ticket.abc']))).toBe(false);
  });

  it('authenticate an upgrade that offers one; a bad ticket is refused', async () => {
    const tickets = createWsTickets({ ttlMs: 30_000 });
    const header: Principal = { ...owner, id: 'by_header' };
    // Knows one key, 'sk-good'; the ticket check comes before it.
    const authenticator: Authenticator = {
      isOpen: async () => false,
      hasAnyKey: async () => true,
      authenticate: async (presented) =>
        presented === 'sk-good' ? { kind: 'ok', principal: header } : { kind: 'missing' },
    };
    const app = new Hono();
    app.use(requireApiKey(authenticator, tickets));
    app.get('/ws', (c) => c.text(c.get('principal')?.id ?? 'nobody'));
    app.onError((error, c) => c.text(error.message, 401));
    const upgrade = (protocols: string, headers: Record<string, string> = {}) =>
      app.request('/ws', {
        headers: { upgrade: 'websocket', 'sec-websocket-protocol': protocols, ...headers },
      });
    const { ticket } = tickets.issue(owner);
    expect(await (await upgrade(`${WS_PROTOCOL}, ticket.${ticket}`)).text()).toBe('key_1');
    const reused = await upgrade(`${WS_PROTOCOL}, ticket.${ticket}`, { 'x-api-key': 'sk-good' });
    expect(reused.status).toBe(401);
    expect(await reused.text()).toContain('ticket');
    // Without a ticket the upgrade is authenticated by its headers, like any request.
    expect(await (await upgrade(WS_PROTOCOL, { 'x-api-key': 'sk-good' })).text()).toBe('by_header');
    expect((await upgrade(WS_PROTOCOL)).status).toBe(401);
  });
});
