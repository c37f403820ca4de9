/**
 * Records real Claude Code stream-json for the structured-output, reasoning and agent-mode parts of
 * the translator's unit tests (src/translate/to-openai-fidelity.test.ts): the real CLI runs against
 * the mock Messages API with the options each feature uses, one SDK message per JSON line.
 * Run: npx tsx scripts/record-fidelity-fixtures.ts
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type Options, query, type SDKMessage } from '@anthropic-ai/claude-agent-sdk';
import { type MockReply, startMockAnthropic, text, toolUse } from '../test/mock-anthropic/server.js';

/** A fixed working directory, so recorded paths (even in streamed JSON fragments) are stable. */
const WORKDIR = path.join(tmpdir(), 'claude-gateway-fixture-workdir');

interface Scenario {
  replies: MockReply[];
  options?: Partial<Options>;
  files?: Record<string, string>;
}

const personSchema = {
  type: 'object',
  properties: { name: { type: 'string' }, age: { type: 'integer' } },
  required: ['name', 'age'],
};

const scenarios: Record<string, (workdir: string) => Scenario> = {
  'structured-output': () => ({
    replies: [
      {
        kind: 'message',
        blocks: [
          { type: 'text', text: 'Here it is.' },
          { type: 'tool_use', name: 'StructuredOutput', input: { name: 'Ada', age: 36 } },
        ],
      },
    ],
    options: { outputFormat: { type: 'json_schema', schema: personSchema } },
  }),
  'structured-output-text-only': () => ({
    replies: [text('No JSON from me.'), text('Still no JSON.')],
    options: { outputFormat: { type: 'json_schema', schema: personSchema } },
  }),
  'thinking-tokens': () => ({
    replies: [
      {
        kind: 'message',
        blocks: [
          { type: 'thinking', thinking: 'Two plus two is four.' },
          { type: 'text', text: 'It is 4.' },
        ],
        usage: { output_tokens: 20 },
        thinkingTokens: 9,
      },
    ],
    options: { effort: 'high' },
  }),
  'agent-read': (workdir) => ({
    files: { 'notes.txt': 'the launch code is 1234\n' },
    replies: [toolUse('Read', { file_path: path.join(workdir, 'notes.txt') }), text('The code is 1234.')],
    options: { tools: ['Read'], permissionMode: 'default', maxTurns: 5 },
  }),
  'agent-max-turns': () => ({
    replies: [toolUse('Glob', { pattern: '*.txt' }), toolUse('Glob', { pattern: '*.md' })],
    options: { tools: ['Glob'], permissionMode: 'default', maxTurns: 1 },
  }),
};

const mock = await startMockAnthropic();
const outDir = path.join(import.meta.dirname, '../src/translate/fixtures');
try {
  for (const [name, build] of Object.entries(scenarios)) {
    const scratch = await mkdtemp(path.join(tmpdir(), 'record-'));
    const workdir = WORKDIR;
    await rm(workdir, { recursive: true, force: true });
    await mkdir(workdir);
    const scenario = build(workdir);
    for (const [file, content] of Object.entries(scenario.files ?? {})) {
      await writeFile(path.join(workdir, file), content);
    }
    mock.reset();
    mock.enqueue(...scenario.replies);
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
        cwd: workdir,
        env: {
          PATH: process.env.PATH ?? '',
          HOME: scratch,
          ANTHROPIC_BASE_URL: mock.url,
          ANTHROPIC_API_KEY: 'sk-ant-mock',
          CLAUDE_CONFIG_DIR: path.join(scratch, 'claude'),
          CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
          CLAUDE_CODE_MAX_RETRIES: '0',
        },
        ...scenario.options,
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
    await rm(workdir, { recursive: true, force: true });
  }
} finally {
  await mock.close();
}
