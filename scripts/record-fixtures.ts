/**
 * Records real Claude Code stream-json (SDK messages) for the translator's unit tests: the real CLI
 * runs against the project's mock Messages API, and every SDK message is written as one JSON line.
 * Run: npx tsx scripts/record-fixtures.ts
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { query, type SDKMessage } from '@anthropic-ai/claude-agent-sdk';
import { type MockReply, startMockAnthropic, text } from '../test/mock-anthropic/server.js';

const scenarios: Record<string, MockReply[]> = {
  'text-stream': [text('Hello there, this is a streamed answer.')],
  'thinking-then-text': [
    {
      kind: 'message',
      blocks: [
        { type: 'thinking', thinking: 'Let me think about it.' },
        { type: 'text', text: 'The answer is 4.' },
      ],
    },
  ],
  'max-tokens': [text('This answer was cut', { stopReason: 'max_tokens' })],
  'api-error-429': [{ kind: 'error', status: 429, message: 'rate limited' }],
  'api-error-401': [{ kind: 'error', status: 401, message: 'invalid x-api-key' }],
  'api-error-529': [{ kind: 'error', status: 529, message: 'overloaded' }],
  'mid-stream-retry': [
    { kind: 'midStreamFailure', textBefore: 'Partial answer ' },
    text('Partial answer and the rest.'),
  ],
};

const mock = await startMockAnthropic();
const outDir = path.join(import.meta.dirname, '../src/translate/fixtures');
try {
  for (const [name, replies] of Object.entries(scenarios)) {
    mock.reset();
    mock.enqueue(...replies);
    const scratch = await mkdtemp(path.join(tmpdir(), 'record-'));
    const messages: SDKMessage[] = [];
    const conversation = query({
      prompt: 'fixture prompt',
      options: {
        tools: [],
        settingSources: [],
        includePartialMessages: true,
        verbatimPrompts: true,
        persistSession: false,
        systemPrompt: '',
        model: 'sonnet',
        cwd: scratch,
        env: {
          PATH: process.env.PATH,
          HOME: scratch,
          ANTHROPIC_BASE_URL: mock.url,
          ANTHROPIC_API_KEY: 'sk-ant-mock',
          CLAUDE_CONFIG_DIR: path.join(scratch, 'claude'),
          CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
          CLAUDE_CODE_MAX_RETRIES: '0',
        },
      },
    });
    try {
      for await (const message of conversation) {
        messages.push(message);
        if (message.type === 'result') break;
      }
    } catch {
      // An error result is followed by a thrown error; the result is what we record.
    } finally {
      conversation.close();
    }
    await writeFile(
      path.join(outDir, `${name}.jsonl`),
      `${messages.map((m) => JSON.stringify(m)).join('\n')}\n`,
    );
    console.log(name, messages.length, 'messages');
    await rm(scratch, { recursive: true, force: true });
  }
} finally {
  await mock.close();
}
