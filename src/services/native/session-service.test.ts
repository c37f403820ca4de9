import { describe, expect, it } from 'vitest';
import { principal, sessionsForTest } from './test-support.js';

const turnOf = (caller: ReturnType<typeof principal>, sessionId: string, prompt = 'x') => ({
  caller: { ownerId: caller.id, principal: caller },
  sessionId,
  prompt,
  signal: new AbortController().signal,
  requestId: 'r',
});

describe('native session turns', () => {
  it('record a finished turn in the transcript before its events end, and report its outcome', async () => {
    const { sessions } = sessionsForTest();
    const owner = principal('k1');
    const session = await sessions.create({ ownerId: 'k1', principal: owner }, {});
    const turn = await sessions.turn(turnOf(owner, session.id, 'One.'));
    expect(sessions.isRunning(session.id)).toBe(true);
    const types = [];
    for await (const event of turn.events) types.push(event.type);
    expect(types).toEqual(['message_start', 'text_delta', 'text_delta', 'finish']);
    expect(turn.outcome()).toMatchObject({ sessionId: session.id, response: 'echo: One.', costUsd: 0.25 });
    expect(sessions.isRunning(session.id)).toBe(false);
    const transcript = await sessions.messages({ ownerId: 'k1' }, session.id);
    expect(transcript.map((message) => message.content)).toEqual(['One.', 'echo: One.']);
  });

  it("apply the key's model and agent limits again before each turn (the key may have been narrowed)", async () => {
    const { sessions, run } = sessionsForTest();
    const session = await sessions.create({ ownerId: 'k1', principal: principal('k1') }, {});
    const narrowed = principal('k1', { models: ['opus'] });
    const refused = await sessions.turn(turnOf(narrowed, session.id)).catch((error: unknown) => error);
    expect(refused).toMatchObject({ status: 403, code: 'model_not_allowed' });
    expect(run.requests).toHaveLength(0);
    expect(sessions.isRunning(session.id)).toBe(false);
  });

  it("count every turn against the key's requests per minute, and say where the key stands", async () => {
    const { sessions } = sessionsForTest();
    const limited = principal('k1', { rpm: 1 });
    const session = await sessions.create({ ownerId: 'k1', principal: limited }, {});
    const turn = await sessions.turn(turnOf(limited, session.id));
    expect(turn.requestsPerMinute).toMatchObject({ limit: 1, remaining: 0 });
    for await (const _event of turn.events);
    const refused = await sessions.turn(turnOf(limited, session.id)).catch((error: unknown) => error);
    expect(refused).toMatchObject({ status: 429, code: 'rate_limit_exceeded' });
    expect(sessions.isRunning(session.id)).toBe(false);
  });
});
