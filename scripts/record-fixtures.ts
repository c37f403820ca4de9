/**
 * Records real Claude Code stream-json (SDK messages) for the translator's unit tests: the real CLI
 * runs against the project's mock Messages API, and every SDK message is written as one JSON line.
 * Run: npx tsx scripts/record-fixtures.ts
 */
import { type MockReply, startMockAnthropic, text } from '../test/mock-anthropic/server.js';
import { recordRun, writeFixture } from './record-sdk-run.js';

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
try {
  for (const [name, replies] of Object.entries(scenarios)) {
    await writeFixture(name, await recordRun(mock, { replies }));
  }
} finally {
  await mock.close();
}
