/**
 * Recorded Claude Code runs (src/core/fixtures) through the core's interpreter and this
 * surface's encoder, as the run service and the route do: the stream must be what the Responses API
 * would send, schema-valid event by event.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { SDKMessage } from '@anthropic-ai/claude-agent-sdk';
import { beforeAll, describe, expect, it } from 'vitest';
import { clientToolNameOf } from '../../../contract/client-tools.js';
import type { RunEvent } from '../../../contract/run-events.js';
import { createInterpreter, finishInterpretation, interpretMessage } from '../../../core/interpret-sdk.js';
import { foldResponse } from './fold.js';
import type { ResponseStreamEvent } from './response-object.js';
import { encodeAll, schemaChecks } from './test-support.js';

const FIXTURES = path.join(import.meta.dirname, '..', '..', '..', 'core', 'fixtures');

function runEvents(name: string): RunEvent[] {
  const messages = readFileSync(path.join(FIXTURES, `${name}.jsonl`), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as SDKMessage);
  const state = createInterpreter({
    clientToolName: clientToolNameOf,
    agentActivity: false,
    structuredOutput: name.startsWith('structured-output'),
  });
  const events: RunEvent[] = [];
  for (const message of messages) {
    events.push(...interpretMessage(state, message));
    if (state.finished) break;
  }
  return [...events, ...finishInterpretation(state)];
}

const openAI = schemaChecks('openai');

function expectValid(events: readonly ResponseStreamEvent[]): void {
  for (const event of events) {
    expect(openAI('ResponseStreamEvent', event), event.type).toBe('valid');
  }
}

const terminal = (events: readonly ResponseStreamEvent[]) => {
  const last = events.at(-1);
  return last && 'response' in last ? last.response : undefined;
};

describe('recorded Claude Code runs as Responses streams', () => {
  // Compiling the schema takes seconds on a loaded machine: once, outside any test's timeout.
  beforeAll(() => {
    openAI('ResponseStreamEvent', {});
  }, 60_000);

  it('text-stream: one message, completed, with usage', () => {
    const events = encodeAll(runEvents('text-stream'));
    expectValid(events);
    const response = terminal(events);
    expect(response?.status).toBe('completed');
    expect(response?.output.map((item) => item.type)).toEqual(['message']);
    const message = response?.output[0];
    expect(message?.type === 'message' && message.content[0]?.text.length).toBeGreaterThan(0);
    expect(response?.usage?.output_tokens).toBeGreaterThan(0);
    expect(foldResponse(events)).toEqual(response);
  });

  it('thinking-then-text: the reasoning item comes before the message', () => {
    const events = encodeAll(runEvents('thinking-then-text'), { reasoningRequested: true });
    expectValid(events);
    const output = terminal(events)?.output ?? [];
    expect(output.map((item) => item.type)).toEqual(['reasoning', 'message']);
    const reasoning = output[0];
    expect(reasoning?.type === 'reasoning' && reasoning.summary[0]?.text.length).toBeGreaterThan(0);
  });

  it('client-tools-parallel: every client call is a function_call item under its client name', () => {
    const events = encodeAll(runEvents('client-tools-parallel'));
    expectValid(events);
    const calls = (terminal(events)?.output ?? []).filter((item) => item.type === 'function_call');
    expect(calls.length).toBeGreaterThanOrEqual(2);
    for (const call of calls) {
      expect(call.name).not.toMatch(/^mcp__/);
      expect(() => JSON.parse(call.arguments)).not.toThrow();
    }
  });

  it('max-tokens: response.incomplete naming max_output_tokens', () => {
    const events = encodeAll(runEvents('max-tokens'));
    expectValid(events);
    expect(events.at(-1)?.type).toBe('response.incomplete');
    expect(terminal(events)?.incomplete_details).toEqual({ reason: 'max_output_tokens' });
  });

  it('structured-output: the JSON is the message text', () => {
    const events = encodeAll(runEvents('structured-output'));
    expectValid(events);
    const message = terminal(events)?.output.find((item) => item.type === 'message');
    expect(message?.type === 'message' && JSON.parse(message.content[0]?.text ?? '')).toEqual(
      expect.any(Object),
    );
  });

  it.each(['api-error-401', 'api-error-429', 'api-error-529'])(
    '%s: an error event, then response.failed',
    (name) => {
      const events = encodeAll(runEvents(name));
      expectValid(events);
      expect(events.slice(-2).map((event) => event.type)).toEqual(['error', 'response.failed']);
    },
  );
});
