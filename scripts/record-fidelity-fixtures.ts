/**
 * Records real Claude Code stream-json for the structured-output, reasoning and agent-mode parts of
 * the translator's unit tests (src/surfaces/openai/chat/encode-stream-fidelity.test.ts): the real CLI runs against
 * the mock Messages API with the options each feature uses, one SDK message per JSON line.
 * Run: npx tsx scripts/record-fidelity-fixtures.ts
 */
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Options } from '@anthropic-ai/claude-agent-sdk';
import { type MockReply, startMockAnthropic, text, toolUse } from '../test/mock-anthropic/server.js';
import { recordRun, writeFixture } from './record-sdk-run.js';

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
try {
  for (const [name, build] of Object.entries(scenarios)) {
    const workdir = WORKDIR;
    await rm(workdir, { recursive: true, force: true });
    await mkdir(workdir);
    const scenario = build(workdir);
    for (const [file, content] of Object.entries(scenario.files ?? {})) {
      await writeFile(path.join(workdir, file), content);
    }
    const options = { cwd: workdir, ...scenario.options };
    await writeFixture(name, await recordRun(mock, { replies: scenario.replies, options }));
    await rm(workdir, { recursive: true, force: true });
  }
} finally {
  await mock.close();
}
