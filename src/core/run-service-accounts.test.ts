import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { SDKMessage } from '@anthropic-ai/claude-agent-sdk';
import { describe, expect, it } from 'vitest';
import type { Account, AccountState } from '../contract/accounts.js';
import type { Admission } from '../contract/admission.js';
import { GatewayError } from '../contract/gateway-error.js';
import type { Principal } from '../contract/key-policy.js';
import type { AccountStateStore } from '../contract/ports/accounts.js';
import type { RunEvent } from '../contract/run-events.js';
import type { RunPlan } from '../contract/run-plan.js';
import type { RunSummary } from '../contract/run-service.js';
import type { ClaudeRunner, RunOptions } from '../engine/runner.js';
import { createAccountRouter } from './accounts/account-router.js';
import { accountSlots } from './accounts/account-slots.js';
import { type AccountChange, createRunAccounts } from './accounts/run-accounts.js';
import { RunQueue } from './run-queue.js';
import { createRunService } from './run-service.js';
import { createSessionStore } from './sessions/session-store.js';

/**
 * The run service over a pool of accounts, with recorded Claude Code runs standing in for the CLI:
 * each account replays what the real CLI said when its account was spent, refused, or answered.
 */
const fixture = (name: string): SDKMessage[] =>
  readFileSync(path.join(import.meta.dirname, 'fixtures', `${name}.jsonl`), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as SDKMessage);

const ANSWER = fixture('text-stream');
const KEY_429 = fixture('account-key-429-retry');
const SPENT_SUBSCRIPTION = fixture('account-oauth-rejected');
const REFUSED = fixture('account-key-401');
/** An answer that starts, then hits the account's limit on a later API call. */
const LIMITED_MID_ANSWER = [...ANSWER.filter((m) => m.type !== 'result'), ...KEY_429.slice(2)];

const account = (name: string, extra: Partial<Account> = {}): Account => ({
  name,
  kind: 'api-key',
  env: { ANTHROPIC_API_KEY: `secret-${name}` },
  fingerprint: `fp-${name}`,
  ...extra,
});

function memoryStates(): AccountStateStore {
  const states = new Map<string, AccountState>();
  return {
    list: async () => new Map(states),
    async update(name, transition) {
      const next = transition(states.get(name));
      states.set(name, next);
      return next;
    },
    clear: async (name) => void states.delete(name),
  };
}

interface Attempt {
  account: string;
  movedFrom: string | null | undefined;
  session: RunPlan['session'];
  /** How the attempt ended: all its messages read, or stopped by the run service. */
  ended: 'done' | 'stopped';
}

function setup(options: {
  accounts: Account[];
  replies: Record<string, SDKMessage[]>;
  holdMs?: number;
  slotWaitMs?: number;
  sessions?: boolean;
  strategy?: 'priority' | 'round-robin';
  clock?: number;
}) {
  let clock = options.clock ?? Date.UTC(2030, 0, 1);
  const attempts: Attempt[] = [];
  const changes: AccountChange[] = [];
  const runner: ClaudeRunner = {
    async *run(plan, signal, runOptions: RunOptions = {}) {
      const name = runOptions.account?.name ?? 'none';
      const attempt: Attempt = {
        account: name,
        movedFrom: runOptions.movedFrom === null ? null : runOptions.movedFrom?.name,
        session: plan.session ? { ...plan.session } : undefined,
        ended: 'stopped',
      };
      attempts.push(attempt);
      for (const message of options.replies[name] ?? ANSWER) {
        if (signal.aborted) return;
        // The service stops reading at the result: it is the end of the attempt.
        if (message.type === 'result') attempt.ended = 'done';
        yield message;
      }
    },
  };
  const router = createAccountRouter({
    pool: { strategy: options.strategy ?? 'priority', accounts: options.accounts, implicit: false },
    states: memoryStates(),
    slots: accountSlots(),
    now: () => clock,
  });
  const accounts = createRunAccounts({
    router,
    holdMs: options.holdMs ?? 0,
    slotWaitMs: options.slotWaitMs ?? 1_000,
    pollMs: 10,
    now: () => clock,
    onChange: (change) => changes.push(change),
  });
  const summaries: RunSummary[] = [];
  const runs = createRunService({
    runner,
    queue: new RunQueue({ maxConcurrent: 4, maxWaiting: 4, waitTimeoutMs: 1_000 }),
    requestTimeoutMs: 10_000,
    admit: async () => ({ release: () => undefined }),
    accounts,
    ...(options.sessions
      ? {
          sessions: createSessionStore({
            ttlMs: 60_000,
            maxCount: 10,
            defaultCwd: '/work',
            removeSession: async () => undefined,
          }),
        }
      : {}),
  });
  const run = async (principal?: Principal, plan: RunPlan = chat('hi')) => {
    const admission = await runs.admit(principal, { model: 'sonnet' });
    return drain(admission, plan);
  };
  const drain = async (admission: Admission, plan: RunPlan) => {
    const events: RunEvent[] = [];
    for await (const event of runs.run({
      surface: 'openai-chat',
      plan,
      admission,
      signal: new AbortController().signal,
      requestId: 'r1',
      onSummary: (summary) => summaries.push(summary),
    })) {
      events.push(event);
    }
    return events;
  };
  return {
    runs,
    run,
    drain,
    attempts,
    summaries,
    changes,
    router,
    advance: (ms: number) => {
      clock += ms;
    },
  };
}

function chat(...texts: string[]): RunPlan {
  const turns = texts.map((text, i) => ({
    role: i % 2 === 0 ? ('user' as const) : ('assistant' as const),
    content: [{ type: 'text' as const, text }],
  }));
  const prompt = turns.at(-1);
  return {
    model: 'sonnet',
    history: turns.slice(0, -1),
    prompt: prompt?.content ?? [],
    thinking: 'disabled',
    clientTools: [],
  };
}

const text = (events: RunEvent[]) =>
  events.map((event) => (event.type === 'text_delta' ? event.text : '')).join('');
const answerText = text(
  // What the recorded answer says, as the events of a run that went straight through.
  ANSWER.flatMap((m) =>
    m.type === 'stream_event' && m.event.type === 'content_block_delta' && m.event.delta.type === 'text_delta'
      ? [{ type: 'text_delta' as const, text: m.event.delta.text }]
      : [],
  ),
);
const key = (accounts?: string[]): Principal => ({
  id: 'key_1',
  name: 'k',
  admin: false,
  source: 'store',
  policy: accounts ? { accounts } : {},
});

describe('a run on a pool of accounts', () => {
  it("moves on at an API key's first rate-limit retry: the client sees only the next account's answer", async () => {
    const { run, attempts, summaries, router } = setup({
      accounts: [account('main'), account('backup')],
      replies: { main: KEY_429 },
    });
    const events = await run();
    expect(events.map((e) => e.type)).not.toContain('error');
    expect(text(events)).toBe(answerText);
    // The first attempt was stopped at its api_retry: it never got to wait out `retry-after`.
    expect(attempts.map((a) => [a.account, a.ended])).toEqual([
      ['main', 'stopped'],
      ['backup', 'done'],
    ]);
    expect(summaries.map((s) => [s.account, s.outcome])).toEqual([['backup', 'ok']]);
    expect((await router.view()).map((v) => [v.name, v.status])).toEqual([
      ['main', 'limited'],
      ['backup', 'usable'],
    ]);
  });

  it('avoids a spent account until the reset its subscription announced, then goes back to it', async () => {
    const event = SPENT_SUBSCRIPTION.find((m) => m.type === 'rate_limit_event');
    const resetsAt = (event?.rate_limit_info.resetsAt ?? 0) * 1_000;
    const { run, attempts, advance } = setup({
      accounts: [account('main'), account('backup')],
      replies: { main: SPENT_SUBSCRIPTION },
      clock: resetsAt - 60_000,
    });
    await run();
    await run();
    expect(attempts.map((a) => a.account)).toEqual(['main', 'backup', 'backup']);
    advance(60_000);
    await run();
    expect(attempts.at(-2)?.account).toBe('main');
  });

  it('refuses at admission, with the first reset, once every account the key may use is spent', async () => {
    const { runs, run, advance } = setup({
      accounts: [account('main'), account('backup')],
      replies: { main: KEY_429, backup: KEY_429 },
    });
    const failed = await run();
    // Both spent during the run, before any byte: the run's answer is the 429 itself.
    expect(failed).toMatchObject([{ type: 'error', error: { status: 429, code: 'accounts_exhausted' } }]);
    const refusal = await runs.admit(undefined, { model: 'sonnet' }).catch((error: unknown) => error);
    expect(refusal).toBeInstanceOf(GatewayError);
    expect(refusal).toMatchObject({ status: 429, code: 'accounts_exhausted' });
    // The CLI's own retry delay (about a second) is the limit's length: Retry-After says so.
    expect((refusal as GatewayError).headers()['retry-after']).toBe('2');
    advance(2_500);
    await expect(runs.admit(undefined, { model: 'sonnet' })).resolves.toBeDefined();
  });

  it('holds a request for the first reset when ACCOUNTS_HOLD_MS covers it, then runs it', async () => {
    const { runs, drain, attempts } = setup({
      accounts: [account('main')],
      replies: { main: KEY_429 },
      holdMs: 60_000,
    });
    await drain(await runs.admit(undefined, { model: 'sonnet' }), chat('hi'));
    const held = await runs.admit(undefined, { model: 'sonnet' });
    expect(held.accountsHeldUntil).toBeGreaterThan(Date.UTC(2030, 0, 1));
    // The hold waits out the second the limit lasts; this clock stands still, so it is still spent.
    const events = await drain(held, chat('hi'));
    expect(events).toMatchObject([{ type: 'error', error: { code: 'accounts_exhausted' } }]);
    expect(attempts).toHaveLength(1);
  });

  it('marks refused credentials unauthorized and runs on the next account', async () => {
    const { run, attempts, router, changes } = setup({
      accounts: [account('main'), account('backup')],
      replies: { main: REFUSED },
    });
    expect(text(await run())).toBe(answerText);
    expect(attempts.map((a) => a.account)).toEqual(['main', 'backup']);
    expect((await router.view())[0]).toMatchObject({
      status: 'unauthorized',
      lastErrorCode: 'authentication_failed',
    });
    // The engine hears of it: the refused account's spares and idle processes go.
    expect(changes).toContainEqual(
      expect.objectContaining({ account: expect.objectContaining({ name: 'main' }), status: 'unauthorized' }),
    );
  });

  it('never restarts silently once content was sent: the in-band error ends the answer', async () => {
    const { run, attempts } = setup({
      accounts: [account('main'), account('backup')],
      replies: { main: LIMITED_MID_ANSWER },
    });
    const events = await run();
    expect(text(events).length).toBeGreaterThan(0);
    expect(events.at(-1)).toMatchObject({ type: 'error', error: { code: 'account_rate_limited' } });
    expect(attempts.map((a) => [a.account, a.ended])).toEqual([['main', 'stopped']]);
  });

  it("uses only the key's accounts, and refuses a key that may use none of them", async () => {
    const { run, runs, attempts } = setup({ accounts: [account('main'), account('backup')], replies: {} });
    await run(key(['backup']));
    expect(attempts.map((a) => a.account)).toEqual(['backup']);
    await expect(runs.admit(key(['elsewhere']), { model: 'sonnet' })).rejects.toMatchObject({
      status: 403,
      code: 'account_not_allowed',
    });
  });

  it('keeps a conversation on its account, and moves it (resuming its transcript) only when that one is spent', async () => {
    const { run, attempts, router } = setup({
      accounts: [account('main'), account('backup')],
      replies: {},
      sessions: true,
      strategy: 'round-robin',
    });
    const first = text(await run(undefined, chat('hi')));
    const second = text(await run(undefined, chat('hi', first, 'more')));
    expect(attempts.map((a) => [a.account, a.session?.continues])).toEqual([
      ['main', false],
      ['main', true],
    ]);
    await router.report(account('main'), { kind: 'rate-limited', retryAfterMs: 60_000 });
    await run(undefined, chat('hi', first, 'more', second, 'again'));
    expect(attempts.at(-1)).toMatchObject({
      account: 'backup',
      movedFrom: 'main',
      session: { continues: true, account: 'main' },
    });
  });

  it('starts a failed-over conversation in a clean session: the failed attempt may hold half a turn', async () => {
    const { run, attempts } = setup({
      accounts: [account('main'), account('backup')],
      replies: { main: SPENT_SUBSCRIPTION },
      sessions: true,
    });
    await run(undefined, chat('hi'));
    const [failed, retried] = attempts;
    expect(failed?.session?.id).toBeDefined();
    expect(retried?.session?.id).not.toBe(failed?.session?.id);
    expect(retried).toMatchObject({ account: 'backup', session: { continues: false } });
  });

  it('waits for a slot when every usable account runs its maxConcurrency, within the queue timeout', async () => {
    const { runs, drain } = setup({
      accounts: [account('main', { maxConcurrency: 1 })],
      replies: {},
      slotWaitMs: 50,
    });
    const busy = await runs.admit(undefined, { model: 'sonnet' });
    const holding = runs.run({
      surface: 'openai-chat',
      plan: chat('hi'),
      admission: busy,
      signal: new AbortController().signal,
      requestId: 'r0',
    });
    await holding.next();
    const waited = await drain(await runs.admit(undefined, { model: 'sonnet' }), chat('hi'));
    expect(waited).toMatchObject([{ type: 'error', error: { status: 503, code: 'accounts_busy' } }]);
    for await (const _ of holding);
    const after = await drain(await runs.admit(undefined, { model: 'sonnet' }), chat('hi'));
    expect(text(after)).toBe(answerText);
  });
});
