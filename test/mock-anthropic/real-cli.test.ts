/**
 * Proof that the mock is faithful enough: the real Claude Code CLI (bundled with the Agent SDK) runs
 * against it and gets the answers the mock scripted. Observed behaviour of CLI 2.1.330 is pinned
 * here so a CLI upgrade that changes it fails loudly.
 */
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { query, type SDKMessage, type SDKResultMessage } from '@anthropic-ai/claude-agent-sdk';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { mockCliOptions } from '../helpers/cli-options.js';
import {
  type ContentBlock,
  type MockAnthropic,
  type RecordedRequest,
  startMockAnthropic,
  text,
  toolUse,
} from './server.js';

interface CliRun {
  messages: SDKMessage[];
  result: SDKResultMessage;
  /** What the SDK iterator threw after the result, if anything. */
  thrown: unknown;
}

async function runCli(mock: MockAnthropic, prompt: string): Promise<CliRun> {
  const scratch = await mkdtemp(join(tmpdir(), 'mock-anthropic-cli-'));
  const home = join(scratch, 'home');
  const cwd = join(scratch, 'cwd');
  const configDir = join(scratch, 'config');
  await Promise.all([home, cwd, configDir].map((dir) => mkdir(dir)));
  const messages: SDKMessage[] = [];
  let thrown: unknown;
  try {
    const run = query({
      prompt,
      options: mockCliOptions(
        { mockUrl: mock.url, home, configDir, cwd, apiKey: 'sk-test' },
        { systemPrompt: 'You are a test.', model: 'claude-sonnet-4-5' },
      ),
    });
    for await (const message of run) {
      messages.push(message);
    }
  } catch (error) {
    thrown = error;
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
  const result = messages.find((m): m is SDKResultMessage => m.type === 'result');
  if (result === undefined) {
    throw new Error(`the CLI produced no result (threw: ${String(thrown)})`);
  }
  return { messages, result, thrown };
}

function streamedDeltas(messages: SDKMessage[], deltaType: 'text_delta' | 'thinking_delta'): string[] {
  const pieces: string[] = [];
  for (const message of messages) {
    if (message.type !== 'stream_event' || message.event.type !== 'content_block_delta') {
      continue;
    }
    const { delta } = message.event;
    if (delta.type === 'text_delta' && deltaType === 'text_delta') {
      pieces.push(delta.text);
    } else if (delta.type === 'thinking_delta' && deltaType === 'thinking_delta') {
      pieces.push(delta.thinking);
    }
  }
  return pieces;
}

function assistantBlocks(messages: SDKMessage[]) {
  return messages.flatMap((m) => (m.type === 'assistant' ? m.message.content : []));
}

function lastUserBlocks(req: RecordedRequest): ContentBlock[] {
  const last = req.body.messages.findLast((message) => message.role === 'user');
  if (last === undefined || typeof last.content === 'string') {
    return [];
  }
  return last.content;
}

function resultText(result: SDKResultMessage): string | undefined {
  return result.subtype === 'success' ? result.result : undefined;
}

describe('real Claude Code CLI against the mock', () => {
  let mock: MockAnthropic;

  beforeAll(async () => {
    mock = await startMockAnthropic();
  });

  afterAll(async () => {
    await mock.close();
  });

  beforeEach(() => {
    mock.reset();
  });

  it('streams text deltas that add up to the result', async () => {
    const answer = 'Hello from the mock, token by token.';
    mock.enqueue(text(answer));

    const { messages, result } = await runCli(mock, 'hello');

    const deltas = streamedDeltas(messages, 'text_delta');
    expect(deltas.length).toBeGreaterThan(1);
    expect(deltas.join('')).toBe(answer);
    expect(result).toMatchObject({ subtype: 'success', is_error: false, result: answer });
    expect(result.usage).toMatchObject({ input_tokens: 10, output_tokens: deltas.length });

    expect(mock.requests).toHaveLength(1);
    const [request] = mock.requests;
    expect(request?.path).toBe('/v1/messages?beta=true');
    expect(request?.headers['x-api-key']).toBe('sk-test');
    expect(request?.body).toMatchObject({ model: 'claude-sonnet-4-5', stream: true });
    expect(JSON.stringify(request?.body.system)).toContain('You are a test.');
    // The CLI wraps the prompt in <system-reminder> context blocks; the prompt itself comes last.
    expect(lastUserBlocks(request as RecordedRequest).at(-1)).toMatchObject({ type: 'text', text: 'hello' });
  });

  it('delivers thinking and text from one reply', async () => {
    mock.enqueue({
      kind: 'message',
      blocks: [
        { type: 'thinking', thinking: 'The user greets me, so I greet back.' },
        { type: 'text', text: 'Hi there!' },
      ],
    });

    const { messages, result } = await runCli(mock, 'hello');

    expect(streamedDeltas(messages, 'thinking_delta').join('')).toBe('The user greets me, so I greet back.');
    expect(streamedDeltas(messages, 'text_delta').join('')).toBe('Hi there!');
    // The CLI emits one assistant message per content block, as each block completes.
    expect(assistantBlocks(messages)).toEqual([
      {
        type: 'thinking',
        thinking: 'The user greets me, so I greet back.',
        signature: expect.stringMatching(/^sig-mock-/),
      },
      { type: 'text', text: 'Hi there!' },
    ]);
    expect(resultText(result)).toBe('Hi there!');
  });

  it('answers a call to an unknown tool with an error tool_result and asks the API again', async () => {
    mock.enqueue(toolUse('NoSuchTool', { query: 'anything', limit: 3 }), text('Recovered without the tool.'));

    const { messages, result } = await runCli(mock, 'use a tool');

    const toolCall = assistantBlocks(messages).find((block) => block.type === 'tool_use');
    expect(toolCall).toMatchObject({ name: 'NoSuchTool', input: { query: 'anything', limit: 3 } });
    const toolUseId = toolCall?.id;
    expect(toolUseId).toMatch(/^toolu_mock_\d+$/);

    expect(mock.requests).toHaveLength(2);
    const followUp = mock.requests[1] as RecordedRequest;
    expect(lastUserBlocks(followUp)).toContainEqual(
      expect.objectContaining({ type: 'tool_result', tool_use_id: toolUseId, is_error: true }),
    );
    expect(resultText(result)).toBe('Recovered without the tool.');
    expect(result.num_turns).toBe(2);
  });

  it('reports a 429 as an error result with api_error_status', async () => {
    mock.enqueue({ kind: 'error', status: 429, message: 'mock says slow down' });

    const { result, thrown } = await runCli(mock, 'hello');

    // Observed: the subtype stays 'success' and the result text carries the API message.
    expect(result).toMatchObject({ subtype: 'success', is_error: true, api_error_status: 429 });
    expect(resultText(result)).toContain('mock says slow down');
    // Observed: after yielding the error result, the SDK iterator also throws.
    expect(String(thrown)).toContain('Claude Code returned an error result');
    // With CLAUDE_CODE_MAX_RETRIES=0 there is no retry.
    expect(mock.requests).toHaveLength(1);
  });

  it('retries a stream that fails midway as a non-streaming request', async () => {
    mock.enqueue(
      { kind: 'midStreamFailure', textBefore: 'This partial answer is lost' },
      text('Answer from the non-streaming retry.'),
    );

    const { messages, result } = await runCli(mock, 'hello');

    // Observed with CLI 2.1.330: the partial text deltas do reach the SDK as stream events (followed by
    // a content_block_stop and message_stop the CLI makes up itself), then the CLI repeats the request
    // with stream:false, even with CLAUDE_CODE_MAX_RETRIES=0, and the result is the retry's answer alone.
    expect(streamedDeltas(messages, 'text_delta').join('')).toBe('This partial answer is lost');
    expect(mock.requests.map((r) => r.body.stream)).toEqual([true, false]);
    expect(result).toMatchObject({ is_error: false, result: 'Answer from the non-streaming retry.' });
  });

  it('fails the run when the non-streaming retry fails too', async () => {
    mock.enqueue(
      { kind: 'midStreamFailure', textBefore: 'partial', mode: 'socket-destroy' },
      { kind: 'midStreamFailure', textBefore: 'partial' },
    );

    const { result } = await runCli(mock, 'hello');

    // The mock answers a non-streamed midStreamFailure with HTTP 529 overloaded_error.
    expect(mock.requests.map((r) => r.body.stream)).toEqual([true, false]);
    expect(result).toMatchObject({ is_error: true, api_error_status: 529 });
  });
});
