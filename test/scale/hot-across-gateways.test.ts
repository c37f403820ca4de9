import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pidtree from 'pidtree';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { conversationOf } from '../conversation/session-files.js';
import { json } from '../core/wire.js';
import { createKeyWithCli } from '../helpers/gateway-cli.js';
import { eventually } from '../helpers/gateway-harness.js';
import { findNginx, startNginxBalancer } from '../helpers/nginx-balancer.js';
import {
  type PostgresCluster,
  postgresTestsEnabled,
  startPostgresCluster,
} from '../helpers/postgres-cluster.js';
import { gatewayAffinity, startRoundRobinBalancer } from '../helpers/round-robin-balancer.js';
import type { MockAnthropic, RecordedRequest } from '../mock-anthropic/server.js';
import { startMockAnthropic } from '../mock-anthropic/server.js';
import { parsePrometheus, sampleValue } from '../ops/prometheus.js';
import { type ServerProcess, startServerProcess } from '../ops/server-process.js';
import { bearer, postJson } from '../security/http.js';

/**
 * Two real gateways on one PostgreSQL keep the processes of the conversations they serve, as one
 * gateway does, and fence them with the shared index's version: a process kept by one gateway
 * serves the conversation's next turn only if no other gateway committed a turn since. Affinity
 * at the balancer keeps a conversation where its process is; nothing depends on it.
 */
let cluster: PostgresCluster | undefined;
let databaseUrl = '';
let mock: MockAnthropic;
let a: ServerProcess;
let b: ServerProcess;
let dataDir = '';

const instanceEnv = (id: string) => ({
  DATA_DIR: dataDir,
  INSTANCE_ID: id,
  CLAUDE_CONFIG_DIR: path.join(dataDir, 'instances', id, 'claude'),
  DATABASE_URL: databaseUrl,
  // No spares: every Claude Code process a gateway has is one a conversation left or a run started.
  WARM_SPARES: '0',
  HOT_SESSIONS_MAX: '4',
  GATEWAY_API_KEYS: 'sk-owner-key-keeps-the-gateway-closed',
});

/** The gateway's own child processes (its Claude Code processes, and tsx's esbuild service). */
async function childrenOf(server: ServerProcess): Promise<number[]> {
  const tree = await pidtree(server.child.pid as number, { advanced: true }).catch(() => []);
  return tree
    .filter((entry) => entry.ppid === server.child.pid)
    .map((entry) => entry.pid)
    .sort();
}

type Message = { role: 'user' | 'assistant'; content: string };

/**
 * A client's conversation: each turn sends the whole history to the origin it is given; `servedBy`
 * is the gateway each answer names in `x-gateway-instance`.
 */
function conversation(key: string, headers: Record<string, string> = {}) {
  const messages: Message[] = [];
  const servedBy: Array<string | null> = [];
  return {
    messages,
    servedBy,
    async say(origin: string, text: string): Promise<RecordedRequest> {
      messages.push({ role: 'user', content: text });
      const seen = mock.requests.length;
      const response = await postJson(
        origin,
        '/v1/chat/completions',
        { model: 'sonnet', messages },
        { ...bearer(key), ...headers },
      );
      expect(response.status).toBe(200);
      servedBy.push(response.headers.get('x-gateway-instance'));
      const reply = (await json(response)).choices[0].message.content as string;
      messages.push({ role: 'assistant', content: reply });
      expect(mock.requests).toHaveLength(seen + 1);
      return mock.requests.at(-1) as RecordedRequest;
    },
  };
}

/** How many of a gateway's turns went ahead of their claim, by how the claim turned out. */
async function aheadOfClaim(server: ServerProcess, outcome: 'confirmed' | 'superseded'): Promise<number> {
  const samples = parsePrometheus(await (await fetch(`${server.origin}/metrics`)).text());
  return sampleValue(samples, 'claude_gateway_turns_ahead_of_claim_total', { outcome }) ?? 0;
}

/** What the model received, as `role: text` lines, for the history a conversation has so far. */
const expectedHistory = (messages: Message[]) => messages.map((m) => `${m.role}: ${m.content}`);
const sessionOf = (request: RecordedRequest) => request.headers['x-claude-code-session-id'];

describe.skipIf(!postgresTestsEnabled())('hot processes on a shared database', () => {
  beforeAll(async () => {
    cluster = await startPostgresCluster();
    databaseUrl = await cluster.createDatabase();
    mock = await startMockAnthropic();
    dataDir = await mkdtemp(path.join(tmpdir(), 'cg-hot-shared-'));
    [a, b] = await Promise.all([
      startServerProcess(mock.url, instanceEnv('gw-a')),
      startServerProcess(mock.url, instanceEnv('gw-b')),
    ]);
  }, 120_000);

  afterAll(async () => {
    await a?.cleanup();
    await b?.cleanup();
    await mock?.close();
    await cluster?.stop();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  }, 60_000);

  const newKey = async (name: string) => (await createKeyWithCli({ DATABASE_URL: databaseUrl }, name)).key;

  it('answers the next turn on the gateway that ran the last one with the process it kept', async () => {
    const talk = conversation(await newKey('stays'));
    const first = await talk.say(a.origin, 'My name is Ada.');
    // The process of turn 1 stays: no spares here, so it is A's only Claude Code child.
    const kept = await childrenOf(a);
    const second = await talk.say(a.origin, 'What is my name?');
    expect(sessionOf(second)).toBe(sessionOf(first));
    expect(conversationOf(second)).toEqual(expectedHistory(talk.messages.slice(0, -1)));
    // No process started for turn 2: the kept one answered it.
    expect(await childrenOf(a)).toEqual(kept);
  });

  it("fences A's kept process once B committed a turn: A resumes from the store, with every turn", async () => {
    const talk = conversation(await newKey('fenced'));
    const before = new Set(await childrenOf(a));
    const first = await talk.say(a.origin, 'My name is Ada.');
    const keptOnA = (await childrenOf(a)).filter((pid) => !before.has(pid));
    await talk.say(b.origin, 'I live in London.');
    const third = await talk.say(a.origin, 'Where do I live?');
    // The stale process (it never saw B's turn) answered nothing: the model got the whole history.
    expect(sessionOf(third)).toBe(sessionOf(first));
    expect(conversationOf(third)).toEqual(expectedHistory(talk.messages.slice(0, -1)));
    expect(keptOnA.length).toBeGreaterThan(0);
    expect(
      await eventually(async () => {
        const now = await childrenOf(a);
        return keptOnA.every((pid) => !now.includes(pid));
      }),
    ).toBe(true);
    const afterResume = await childrenOf(a);
    // The process that resumed carries the new version: the next turn on A is hot again.
    const fourth = await talk.say(a.origin, 'And my name?');
    expect(conversationOf(fourth)).toEqual(expectedHistory(talk.messages.slice(0, -1)));
    expect(await childrenOf(a)).toEqual(afterResume);
  });

  it("sends A's turn ahead of its claim to the process A kept, and ends it unheard when B answered that turn meanwhile", async () => {
    const key = await newKey('ahead');
    const talk = conversation(key);
    const before = new Set(await childrenOf(a));
    const first = await talk.say(a.origin, 'My name is Ada.');
    const keptOnA = (await childrenOf(a)).filter((pid) => !before.has(pid));
    const confirmed = await aheadOfClaim(a, 'confirmed');
    // A left this conversation and keeps its process: the turn goes to it while the claim is on
    // its way, and the claim confirms it.
    await talk.say(a.origin, 'What is my name?');
    expect(await aheadOfClaim(a, 'confirmed')).toBe(confirmed + 1);
    expect(keptOnA.length).toBeGreaterThan(0);
    const now = await childrenOf(a);
    expect(keptOnA.every((pid) => now.includes(pid))).toBe(true);

    // B answers the next turn; then the client sends A that same turn again (a retry).
    const asked = [...talk.messages, { role: 'user' as const, content: 'I live in London.' }];
    await talk.say(b.origin, 'I live in London.');
    const superseded = await aheadOfClaim(a, 'superseded');
    const seen = mock.requests.length;
    const retry = await postJson(
      a.origin,
      '/v1/chat/completions',
      { model: 'sonnet', messages: asked },
      bearer(key),
    );
    expect(retry.status).toBe(200);
    // A foresaw the session at the version its process holds, sent the turn ahead, and the claim
    // gave another session (this history's session moved on with B's turn): A's process was ended
    // before its request left, and the turn ran once, in a session rebuilt from the whole history.
    expect(await aheadOfClaim(a, 'superseded')).toBe(superseded + 1);
    expect(mock.requests).toHaveLength(seen + 1);
    const ran = mock.requests.at(-1) as RecordedRequest;
    expect(sessionOf(ran)).not.toBe(sessionOf(first));
    expect(conversationOf(ran)).toEqual(expectedHistory(asked));
    expect(
      await eventually(async () => {
        const now = await childrenOf(a);
        return keptOnA.every((pid) => !now.includes(pid));
      }),
    ).toBe(true);
  });

  it('keeps a conversation on one gateway through an affinity balancer: every later turn is hot', async () => {
    const balancer = await startRoundRobinBalancer([a.origin, b.origin], { affinity: gatewayAffinity });
    try {
      const talk = conversation(await newKey('affine'), { 'x-conversation-id': 'affinity-on' });
      const first = await talk.say(balancer.origin, 'Count with me: one.');
      const [home] = balancer.served;
      const server = home === 0 ? a : b;
      const kept = await childrenOf(server);
      for (const word of ['two', 'three']) {
        const next = await talk.say(balancer.origin, `${word}.`);
        expect(sessionOf(next)).toBe(sessionOf(first));
        expect(conversationOf(next)).toEqual(expectedHistory(talk.messages.slice(0, -1)));
      }
      expect(balancer.served).toEqual([home, home, home]);
      const instance = home === 0 ? 'gw-a' : 'gw-b';
      expect(talk.servedBy).toEqual([instance, instance, instance]);
      expect(await childrenOf(server)).toEqual(kept);
    } finally {
      await balancer.close();
    }
  });

  it.skipIf(!findNginx())(
    'keeps each named conversation on one gateway through the shipped deploy/nginx.conf, hot',
    async () => {
      const nginx = await startNginxBalancer([a.origin, b.origin]);
      try {
        const key = await newKey('nginx');
        // Several conversations of one key: the hash spreads them, and keeps each where it began.
        const talks = ['n-1', 'n-2', 'n-3', 'n-4'].map((id) =>
          conversation(key, { 'x-conversation-id': id }),
        );
        for (const talk of talks) await talk.say(nginx.origin, 'Count with me: one.');
        const homes = talks.map((talk) => talk.servedBy[0]);
        const kept = { 'gw-a': await childrenOf(a), 'gw-b': await childrenOf(b) };
        for (const talk of talks) {
          const next = await talk.say(nginx.origin, 'two.');
          expect(conversationOf(next)).toEqual(expectedHistory(talk.messages.slice(0, -1)));
        }
        expect(talks.map((talk) => talk.servedBy)).toEqual(homes.map((home) => [home, home]));
        // Every second turn was answered by the process its first turn left: none started (an
        // older conversation's process may have ended, over HOT_SESSIONS_MAX).
        const started = [...(await childrenOf(a)), ...(await childrenOf(b))].filter(
          (pid) => !kept['gw-a'].includes(pid) && !kept['gw-b'].includes(pid),
        );
        expect(started).toEqual([]);
      } finally {
        await nginx.close();
      }
    },
  );

  it('without affinity every turn lands on the other gateway and resumes from the store, as one session', async () => {
    const balancer = await startRoundRobinBalancer([a.origin, b.origin]);
    try {
      const talk = conversation(await newKey('round-robin'));
      const first = await talk.say(balancer.origin, 'My name is Ada.');
      for (const text of ['I live in London.', 'Where do I live?', 'What is my name?']) {
        const next = await talk.say(balancer.origin, text);
        expect(sessionOf(next)).toBe(sessionOf(first));
        expect(conversationOf(next)).toEqual(expectedHistory(talk.messages.slice(0, -1)));
      }
      expect(balancer.served).toEqual([0, 1, 0, 1]);
      expect(talk.servedBy).toEqual(['gw-a', 'gw-b', 'gw-a', 'gw-b']);
    } finally {
      await balancer.close();
    }
  });

  it('continues on B a history A rebuilt (one no gateway served), with every earlier turn', async () => {
    const talk = conversation(await newKey('rebuilt'));
    // Written by the client, not answered by any gateway: A rebuilds it as a transcript.
    talk.messages.push(
      { role: 'user', content: 'My name is Ada.' },
      { role: 'assistant', content: 'Hello Ada.' },
    );
    const rebuilt = await talk.say(a.origin, 'I live in London.');
    expect(conversationOf(rebuilt)).toEqual(expectedHistory(talk.messages.slice(0, -1)));
    const onB = await talk.say(b.origin, 'What is my name?');
    expect(sessionOf(onB)).toBe(sessionOf(rebuilt));
    expect(conversationOf(onB)).toEqual(expectedHistory(talk.messages.slice(0, -1)));
  });

  it('moves a conversation to the other gateway when the one holding its process dies', async () => {
    const balancer = await startRoundRobinBalancer([a.origin, b.origin], { affinity: gatewayAffinity });
    try {
      const talk = conversation(await newKey('survives'), { 'x-conversation-id': 'holder-dies' });
      const first = await talk.say(balancer.origin, 'My name is Ada.');
      const [home] = balancer.served;
      const holder = home === 0 ? a : b;
      const children = await childrenOf(holder);
      holder.child.kill('SIGKILL');
      await holder.exited;
      // Its Claude Code processes lost their parent: end them by PID (the conversation's among them).
      for (const pid of children) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // already gone
        }
      }
      const next = await talk.say(balancer.origin, 'What is my name?');
      expect(balancer.served.at(-1)).not.toBe(home);
      expect(talk.servedBy).toEqual(home === 0 ? ['gw-a', 'gw-b'] : ['gw-b', 'gw-a']);
      expect(sessionOf(next)).toBe(sessionOf(first));
      expect(conversationOf(next)).toEqual(expectedHistory(talk.messages.slice(0, -1)));
    } finally {
      await balancer.close();
    }
  });
});
