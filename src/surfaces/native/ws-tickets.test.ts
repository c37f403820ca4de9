import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import '../../http/context-variables.js';
import type { Principal } from '../../contract/key-policy.js';
import { createWsTickets, offeredTicket, selectProtocol, WS_PROTOCOL, wsTicketAuth } from './ws-tickets.js';

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
    const app = new Hono();
    app.use(wsTicketAuth(tickets));
    app.get('/ws', (c) => c.text(c.get('principal')?.id ?? 'nobody'));
    app.onError((_error, c) => c.text('refused', 401));
    const upgrade = (protocols: string) =>
      app.request('/ws', { headers: { upgrade: 'websocket', 'sec-websocket-protocol': protocols } });
    const { ticket } = tickets.issue(owner);
    expect(await (await upgrade(`${WS_PROTOCOL}, ticket.${ticket}`)).text()).toBe('key_1');
    expect((await upgrade(`${WS_PROTOCOL}, ticket.${ticket}`)).status).toBe(401);
    // Without a ticket the request goes on to the usual header check.
    expect(await (await upgrade(WS_PROTOCOL)).text()).toBe('nobody');
  });
});
