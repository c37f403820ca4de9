/**
 * Records real Claude Code stream-json for the translator's function-calling unit tests: the real
 * CLI, given the client tool server, runs against the mock Messages API; recording stops where the
 * gateway stops a run (once the message calling client tools is complete).
 * Run: npx tsx scripts/record-tool-fixtures.ts
 */
import type { SDKMessage } from '@anthropic-ai/claude-agent-sdk';
import { createClientToolServer } from '../src/engine/options/client-tool-server.js';
import { type MockReply, startMockAnthropic } from '../test/mock-anthropic/server.js';
import { recordRun, writeFixture } from './record-sdk-run.js';

const tools = [
  {
    name: 'get_weather',
    description: 'Weather',
    inputSchema: { type: 'object', properties: { city: { type: 'string' } } },
  },
  {
    name: 'get_time',
    description: 'Time',
    inputSchema: { type: 'object', properties: { tz: { type: 'string' } } },
  },
];
const parallelCalls: MockReply = {
  kind: 'message',
  blocks: [
    { type: 'text', text: 'Let me check.' },
    { type: 'tool_use', name: 'mcp__client__get_weather', input: { city: 'Paris' } },
    { type: 'tool_use', name: 'mcp__client__get_time', input: { tz: 'CET' } },
  ],
};

interface Scenario {
  replies: MockReply[];
  /** Whether recording is over once `message` has been seen. */
  done: (message: SDKMessage, seen: readonly SDKMessage[]) => boolean;
  maxRetries?: string;
}

const scenarios: Record<string, Scenario> = {
  'client-tools-parallel': {
    replies: [parallelCalls],
    done: (message) => message.type === 'stream_event' && message.event.type === 'message_stop',
  },
  // After a failed stream the CLI retries without streaming and hands the message over block by block.
  'client-tools-unstreamed': {
    replies: [{ kind: 'midStreamFailure', textBefore: 'Let me' }, parallelCalls],
    done: (_message, seen) => seen.filter((m) => m.type === 'assistant').length === 3,
    maxRetries: '2',
  },
};

const mock = await startMockAnthropic();
try {
  for (const [name, scenario] of Object.entries(scenarios)) {
    const messages = await recordRun(mock, {
      replies: scenario.replies,
      until: scenario.done,
      options: {
        strictMcpConfig: true,
        maxTurns: 1,
        mcpServers: { client: createClientToolServer(tools) },
        allowedTools: tools.map((tool) => `mcp__client__${tool.name}`),
        env: { CLAUDE_CODE_MAX_RETRIES: scenario.maxRetries ?? '0', ENABLE_TOOL_SEARCH: 'false' },
      },
    });
    await writeFixture(name, messages);
  }
} finally {
  await mock.close();
}
