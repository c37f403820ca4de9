/**
 * The transcript mirror with the real Claude Code CLI: a session whose first turn ran on "instance
 * A" (its own config dir) is resumed on "instance B" (another, empty config dir) from the store
 * alone, and the earlier turns reach the Messages API as real turns of the same session.
 */
import { randomUUID } from 'node:crypto';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  query,
  type SDKResultMessage,
  type SessionKey,
  type SessionStore,
} from '@anthropic-ai/claude-agent-sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StoreLocation } from '../../src/store/engine.js';
import { openGatewayStore } from '../../src/store/gateway-store.js';
import { mockCliOptions } from '../helpers/cli-options.js';
import {
  type PostgresCluster,
  postgresTestsEnabled,
  startPostgresCluster,
} from '../helpers/postgres-cluster.js';
import { type MockAnthropic, startMockAnthropic, userTexts } from '../mock-anthropic/server.js';

let mock: MockAnthropic;
let scratch: string;
let cluster: PostgresCluster | undefined;

beforeAll(async () => {
  mock = await startMockAnthropic();
  scratch = await mkdtemp(join(tmpdir(), 'cg-mirror-'));
  if (postgresTestsEnabled()) cluster = await startPostgresCluster();
}, 60_000);
afterAll(async () => {
  await mock?.close();
  await cluster?.stop();
  await rm(scratch, { recursive: true, force: true });
}, 30_000);

/** One turn on one "instance": its own HOME and config dir, one shared cwd path and store. */
async function turn(
  store: SessionStore,
  instance: string,
  prompt: string,
  session: { id: string; resume: boolean },
) {
  const home = join(scratch, instance, 'home');
  const configDir = join(scratch, instance, 'config');
  const cwd = join(scratch, 'cwd');
  await Promise.all([home, configDir, cwd].map((dir) => mkdir(dir, { recursive: true })));
  let result: SDKResultMessage | undefined;
  for await (const message of query({
    prompt,
    options: mockCliOptions(
      { mockUrl: mock.url, home, configDir, cwd },
      {
        persistSession: true,
        sessionStore: store,
        ...(session.resume ? { resume: session.id } : { sessionId: session.id }),
      },
    ),
  })) {
    if (message.type === 'result') result = message;
  }
  return result;
}

const engines: Array<{ name: string; enabled: () => boolean; location: () => Promise<StoreLocation> }> = [
  {
    name: 'sqlite',
    enabled: () => true,
    location: async () => ({ engine: 'sqlite', file: join(scratch, `${randomUUID()}.db`) }),
  },
  {
    name: 'postgres',
    enabled: postgresTestsEnabled,
    location: async () => {
      if (!cluster) throw new Error('no cluster');
      return { engine: 'postgres', url: await cluster.createDatabase() };
    },
  },
];

describe('transcripts mirrored through the Agent SDK sessionStore', () => {
  for (const engine of engines) {
    it.skipIf(!engine.enabled())(
      `resume on another instance from ${engine.name} alone, as the same session`,
      async () => {
        mock.reset();
        const store = await openGatewayStore(await engine.location());
        // Records the keys the SDK mirrors under (its project key is derived from the cwd).
        const appendedKeys: SessionKey[] = [];
        const recording: SessionStore = {
          ...store.transcripts,
          append: (key, entries) => {
            appendedKeys.push(key);
            return store.transcripts.append(key, entries);
          },
        };
        try {
          const id = randomUUID();
          // The gateway mirrors the sessions of its conversation index: put this one there.
          await store
            .sessionIndex({
              ttlMs: 60_000,
              maxCount: 10,
              claimTtlMs: 60_000,
              newId: () => id,
            })
            .begin({
              model: 'sonnet',
              history: [],
              prompt: [{ type: 'text', text: 'hi' }],
              thinking: 'disabled',
              clientTools: [],
            });
          const first = await turn(recording, 'a', 'my name is Ada', { id, resume: false });
          expect(first?.subtype).toBe('success');
          expect(first?.session_id).toBe(id);
          // The first turn is in the store, under the project key the SDK derived from the cwd.
          const [appended] = appendedKeys;
          expect(appended?.sessionId).toBe(id);
          expect(
            (await store.transcripts.load({ projectKey: appended?.projectKey ?? '', sessionId: id }))?.length,
          ).toBeGreaterThan(1);

          const second = await turn(recording, 'b', 'what is my name?', { id, resume: true });
          expect(second?.subtype).toBe('success');
          expect(second?.session_id).toBe(id);
          expect(mock.requests).toHaveLength(2);
          // Claude Code names its session on every API request: both turns are the same session.
          expect(mock.requests.map((r) => r.headers['x-claude-code-session-id'])).toEqual([id, id]);
          const resumed = mock.requests[1];
          if (!resumed) throw new Error('no second request');
          // The first turn arrives as real turns: the user's words and the assistant's echo.
          expect(userTexts(resumed)).toEqual(['my name is Ada', 'what is my name?']);
          // (Claude Code adds its own `system` environment note after the first user turn.)
          const turns = resumed.body.messages.filter((m) => (m.role as string) !== 'system');
          expect(turns.map((m) => m.role)).toEqual(['user', 'assistant', 'user']);
          expect(JSON.stringify(turns[1])).toContain('echo: my name is Ada');
        } finally {
          await store.close();
        }
      },
    );
  }
});
