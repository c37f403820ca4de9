import { randomUUID } from 'node:crypto';
import { mkdir, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { query, type SessionStore, type SessionStoreEntry } from '@anthropic-ai/claude-agent-sdk';
import { writeTranscript } from '../src/engine/transcript.js';
import { mockCliOptions } from '../test/helpers/cli-options.js';
import { startMockAnthropic } from '../test/mock-anthropic/server.js';

const mock = await startMockAnthropic();
const scratch = await mkdtemp(join(tmpdir(), 'cg-rb-'));
const home = join(scratch, 'home');
const configDir = join(scratch, 'config');
const cwd = join(scratch, 'cwd');
await Promise.all([home, configDir, cwd].map((d) => mkdir(d, { recursive: true })));
const rows = new Map<string, SessionStoreEntry[]>();
const store: SessionStore = {
  append: async (key, entries) => {
    const k = `${key.projectKey}/${key.sessionId}/${key.subpath ?? ''}`;
    rows.set(k, [...(rows.get(k) ?? []), ...entries]);
  },
  load: async (key) => rows.get(`${key.projectKey}/${key.sessionId}/${key.subpath ?? ''}`) ?? null,
};
const id = randomUUID();
await writeTranscript({
  configDir,
  cwd,
  model: 'sonnet',
  sessionId: id,
  turns: [
    { role: 'user', content: [{ type: 'text', text: 'my name is Ada' }] },
    { role: 'assistant', content: [{ type: 'text', text: 'hello Ada' }] },
  ],
});
for await (const m of query({
  prompt: 'what is my name?',
  options: mockCliOptions(
    { mockUrl: mock.url, home, configDir, cwd },
    { persistSession: true, sessionStore: store, resume: id },
  ),
})) {
  if (m.type === 'result') console.log('result', m.subtype, m.is_error);
}
for (const [k, v] of rows)
  console.log(
    k,
    v.map(
      (e) =>
        `${e.type}:${JSON.stringify((e as { message?: { content?: unknown } }).message?.content ?? '').slice(0, 60)}`,
    ),
  );
await mock.close();
