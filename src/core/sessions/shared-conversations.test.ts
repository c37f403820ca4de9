import { InMemorySessionStore, type SessionStore } from '@anthropic-ai/claude-agent-sdk';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import type { EvictedSession, SharedSessionIndex } from '../../contract/ports/conversations.js';
import type { Channel, StoreNotifications } from '../../contract/ports/notifications.js';
import type { RunPlan } from '../../contract/run-plan.js';
import type { ClaudeLaunch } from '../../engine/options/claude-launch.js';
import {
  endedEverywhere,
  mirrorTranscripts,
  sharedConversations,
  WORKSPACE_PROJECT_KEY,
} from './shared-conversations.js';

/** One database's channels in memory: every subscriber hears every publish, its sender's included. */
function channels(): StoreNotifications & { sent: string[] } {
  const listeners = new Map<Channel, Set<(payload: string) => void>>();
  const sent: string[] = [];
  return {
    sent,
    async publish(channel, payload) {
      if (Buffer.byteLength(payload) >= 8000) throw new Error('payload string too long');
      sent.push(payload);
      for (const listener of listeners.get(channel) ?? []) listener(payload);
    },
    subscribe(channel, listener) {
      const set = listeners.get(channel) ?? new Set();
      listeners.set(channel, set);
      set.add(listener);
      return () => set.delete(listener);
    },
    async close() {},
  };
}

const logger = pino({ level: 'silent' });

describe('endedEverywhere', () => {
  it('drops ended sessions here at once and on every other gateway once, never twice on the sender', async () => {
    const bus = channels();
    const droppedOnA: EvictedSession[] = [];
    const droppedOnB: EvictedSession[] = [];
    const a = endedEverywhere(bus, 'gw-a-1', (s) => droppedOnA.push(...s), logger);
    const b = endedEverywhere(bus, 'gw-b-1', (s) => droppedOnB.push(...s), logger);
    a.ended([{ id: 's1', cwd: '/w' }]);
    await Promise.resolve();
    expect(droppedOnA).toEqual([{ id: 's1', cwd: '/w' }]);
    expect(droppedOnB).toEqual([{ id: 's1', cwd: '/w' }]);
    b.stop();
    a.ended([{ id: 's2', cwd: '/w' }]);
    await Promise.resolve();
    expect(droppedOnB.map((s) => s.id)).toEqual(['s1']);
    a.stop();
  });

  it('splits a large sweep into signals under the payload limit', async () => {
    const bus = channels();
    const heard: EvictedSession[] = [];
    const a = endedEverywhere(bus, 'gw-a', () => {}, logger);
    const b = endedEverywhere(bus, 'gw-b', (s) => heard.push(...s), logger);
    const many = Array.from({ length: 300 }, (_, i) => ({
      id: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
      cwd: '/data/workspace/projects/some-rather-long-project-name',
    }));
    a.ended(many);
    await Promise.resolve();
    expect(bus.sent.length).toBeGreaterThan(1);
    expect(heard).toEqual(many);
    a.stop();
    b.stop();
  });

  it('ignores a signal it cannot read', () => {
    const bus = channels();
    const heard: EvictedSession[] = [];
    const b = endedEverywhere(bus, 'gw-b', (s) => heard.push(...s), logger);
    void bus.publish('cg_conversations_ended', 'not json');
    void bus.publish('cg_conversations_ended', JSON.stringify({ from: 'x', sessions: [{ id: 1 }] }));
    expect(heard).toEqual([]);
    b.stop();
  });
});

/** A tracked run's plan: what the mirror and the index are given. */
const plan: RunPlan = {
  model: 'claude-sonnet',
  history: [],
  prompt: [{ type: 'text', text: 'hi' }],
  thinking: 'disabled',
  clientTools: [],
  session: { id: 's1', continues: false },
};

describe('mirrorTranscripts', () => {
  const entry = { type: 'user', uuid: 'u1' };
  // Only what the extender reads and writes: the mirror it adds.
  const bare = { transcriptMirror: undefined } as unknown as ClaudeLaunch;
  const storeOf = (launch: ClaudeLaunch): SessionStore => {
    if (!launch.transcriptMirror) throw new Error('no transcript mirror');
    return launch.transcriptMirror.store;
  };

  it("keys workspace runs' transcripts by the workspace, not by its path on this gateway", async () => {
    const shared = new InMemorySessionStore();
    const extend = mirrorTranscripts(shared);
    // Two gateways whose workspaces are at different paths (the SDK keys by the sanitized cwd).
    await storeOf(extend(plan, bare)).append({ projectKey: '-data-a-workspace', sessionId: 's1' }, [entry]);
    const onB = storeOf(extend(plan, bare));
    expect(await onB.load({ projectKey: '-srv-b-workspace', sessionId: 's1' })).toEqual([entry]);
    expect(await shared.load({ projectKey: WORKSPACE_PROJECT_KEY, sessionId: 's1' })).toEqual([entry]);
  });

  it('keeps an agent run under its own cwd, and leaves untracked runs alone', async () => {
    const shared = new InMemorySessionStore();
    const extend = mirrorTranscripts(shared);
    const agent = {
      ...plan,
      agent: { cwd: '/projects/app', tools: [], permissionMode: 'default' as const, maxTurns: 1 },
    };
    expect(extend(agent, bare).transcriptMirror?.store).toBe(shared);
    // The two mirrors key processes apart: a spare or kept process mirrors where its run would.
    expect(extend(agent, bare).transcriptMirror?.name).not.toBe(extend(plan, bare).transcriptMirror?.name);
    expect(extend({ ...plan, session: undefined }, bare).transcriptMirror).toBeUndefined();
  });
});

describe('sharedConversations', () => {
  const reply = { role: 'assistant' as const, content: [{ type: 'text' as const, text: 'hello' }] };

  /** An index whose claims record what they were committed with; its claims fail when told to. */
  function index(failing = false) {
    const commits: Array<string | undefined> = [];
    const claim = () => {
      if (failing) return Promise.reject(new Error('connect ECONNREFUSED'));
      return Promise.resolve({
        session: { id: 's1', continues: true, version: 2 },
        commit: async (_reply: unknown, account?: string) => void commits.push(account),
        abandon: async () => undefined,
        cancel: async () => undefined,
      });
    };
    const shared: SharedSessionIndex = {
      begin: claim,
      beginAhead: () => ({ foreseen: { id: 's1', continues: true, version: 2 }, claim: claim() }),
      sweep: async () => [],
      size: async () => 0,
      endConversation: async () => [],
    };
    return { shared, commits };
  }

  it('records the pooled account a turn ran on with its commit', async () => {
    const { shared, commits } = index();
    const conversations = sharedConversations(shared, logger);
    await (await conversations.begin(plan)).commit(reply, 'team-a');
    await (await conversations.beginAhead?.(plan)?.claim)?.commit(reply, 'team-b');
    expect(commits).toEqual(['team-a', 'team-b']);
  });

  it('gives what it foresees as it is, and a claim the database cannot answer as a 503', async () => {
    const { shared } = index(true);
    const conversations = sharedConversations(shared, logger);
    const ahead = conversations.beginAhead?.(plan);
    expect(ahead?.foreseen).toEqual({ id: 's1', continues: true, version: 2 });
    await expect(ahead?.claim).rejects.toMatchObject({ status: 503 });
    await expect(conversations.begin(plan)).rejects.toMatchObject({ status: 503 });
  });
});
