/**
 * Records real Claude Code stream-json for the translator's function-calling unit tests: the real
 * CLI, given the client tool server, runs against the mock Messages API; recording stops where the
 * gateway stops a run (once the message calling client tools is complete).
 * Run: npx tsx scripts/record-tool-fixtures.ts
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { query, type SDKMessage } from '@anthropic-ai/claude-agent-sdk';
import { createClientToolServer } from '../src/claude/client-tool-server.js';
import { type MockReply, startMockAnthropic } from '../test/mock-anthropic/server.js';

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
const outDir = path.join(import.meta.dirname, '../src/translate/fixtures');
try {
  for (const [name, scenario] of Object.entries(scenarios)) {
    mock.reset();
    mock.enqueue(...scenario.replies);
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
        strictMcpConfig: true,
        maxTurns: 1,
        mcpServers: { client: createClientToolServer(tools) },
        allowedTools: tools.map((tool) => `mcp__client__${tool.name}`),
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
          CLAUDE_CODE_MAX_RETRIES: scenario.maxRetries ?? '0',
          ENABLE_TOOL_SEARCH: 'false',
        },
      },
    });
    try {
      for await (const message of conversation) {
        messages.push(message);
        if (scenario.done(message, messages)) break;
      }
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
