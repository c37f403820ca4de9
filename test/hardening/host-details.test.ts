/**
 * No host detail reaches the model: Claude Code adds an environment block (the gateway's working
 * directory, platform, OS version, ...) to every request it sends, and the gateway's relay takes
 * those lines out of it. Checked at the mock Messages API across a chat turn, a client tool result
 * turn, a Messages request and an agent run; with SCRUB_UPSTREAM_ENVIRONMENT=false they are back.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { release, tmpdir } from 'node:os';
import path from 'node:path';
import type OpenAI from 'openai';
import { afterAll, describe, expect, it } from 'vitest';
import { streamChat } from '../fidelity/client.js';
import { useHarness } from '../helpers/gateway-harness.js';
import { type RecordedRequest, text, toolUse } from '../mock-anthropic/server.js';
import { clientCall, reply, toolResults } from '../tools/tool-replies.js';

const NOTE = 'the note says 42';
// Made before the harness reads its config (AGENT_ALLOWED_ROOTS).
const scratch = mkdtempSync(path.join(tmpdir(), 'host-details-'));
const project = path.join(scratch, 'project');
mkdirSync(project);
writeFileSync(path.join(project, 'notes.txt'), `${NOTE}\n`);

afterAll(async () => {
  await rm(scratch, { recursive: true, force: true });
});

const AGENT_CONFIG = {
  AGENT_MODE: 'true',
  AGENT_ALLOWED_ROOTS: scratch,
  AGENT_ALLOWED_TOOLS: 'Read',
  AGENT_MAX_TURNS: '3',
};

/** The gateway's own places and the host's OS, as a request body could carry them. */
function hostDetails(dataDir: string): string[] {
  return [dataDir, path.join(dataDir, 'workspace'), release()];
}

function leaked(request: RecordedRequest, dataDir: string): string[] {
  const body = JSON.stringify(request.body);
  return hostDetails(dataDir).filter((detail) => body.includes(detail));
}

const weather: OpenAI.Chat.ChatCompletionTool = {
  type: 'function',
  function: { name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } },
};

describe('with the relay (the default)', () => {
  const h = useHarness({ config: AGENT_CONFIG, resetMockBeforeEach: false });

  it('no request carries the data directory, the workspace or the OS release; each carries its conversation', async () => {
    // A chat turn.
    h.mock.enqueue(text('Hello.'));
    await h.openai.chat.completions.create({
      model: 'sonnet',
      messages: [{ role: 'user', content: 'Say hello' }],
    });

    // A client tool call, then the turn that hands back its result.
    h.mock.enqueue(reply(clientCall('get_weather', { city: 'Paris' })), text('Sunny in Paris.'));
    const question = { role: 'user' as const, content: 'Weather in Paris?' };
    const call = await h.openai.chat.completions.create({
      model: 'sonnet',
      messages: [question],
      tools: [weather],
    });
    const assistant = call.choices[0]?.message;
    const callId = assistant?.tool_calls?.[0]?.id;
    if (!assistant || !callId) throw new Error('expected a tool call');
    const answered = await h.openai.chat.completions.create({
      model: 'sonnet',
      tools: [weather],
      messages: [question, assistant, { role: 'tool', tool_call_id: callId, content: 'sunny, 21 C' }],
    });
    expect(answered.choices[0]?.message.content).toBe('Sunny in Paris.');

    // A Messages request.
    h.mock.enqueue(text('Hi from Messages.'));
    const messages = await fetch(`${h.origin}/v1/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': 'sk-test-client' },
      body: JSON.stringify({
        model: 'sonnet',
        max_tokens: 64,
        messages: [{ role: 'user', content: 'Messages hello' }],
      }),
    });
    expect(messages.status).toBe(200);
    await messages.text();

    // An agent run: a tool of Claude Code's own, and the turn after it.
    h.mock.enqueue(toolUse('Read', { file_path: path.join(project, 'notes.txt') }), text('It says 42.'));
    const agent = await streamChat(h.origin, {
      model: 'sonnet',
      messages: [{ role: 'user', content: 'What is in notes.txt?' }],
      claude_code: { cwd: project, tools: ['Read'] },
    });
    expect(agent.content).toBe('It says 42.');

    const requests = h.mock.requests;
    expect(requests).toHaveLength(6);
    expect(requests.map((request) => leaked(request, h.dataDir))).toEqual(requests.map(() => []));
    for (const line of ['Primary working directory: ' + h.dataDir, 'OS Version:', 'Shell:', 'Platform:']) {
      expect(requests.some((request) => JSON.stringify(request.body).includes(line))).toBe(false);
    }
    // The conversations themselves got through.
    const bodies = requests.map((request) => JSON.stringify(request.body.messages));
    expect(bodies[0]).toContain('Say hello');
    expect(toolResults(requests[2] as RecordedRequest)).toEqual([
      { toolUseId: callId, text: 'sunny, 21 C', isError: false },
    ]);
    expect(bodies[3]).toContain('Messages hello');
    expect(bodies[4]).toContain('What is in notes.txt?');
    // The working directory the client chose for its agent run is still named, by itself.
    expect(bodies[4]).toContain(`Primary working directory: ${project}`);
    expect(bodies[5]).toContain(NOTE);
  });
});

describe('with SCRUB_UPSTREAM_ENVIRONMENT=false', () => {
  const h = useHarness({ config: { SCRUB_UPSTREAM_ENVIRONMENT: 'false' } });

  it("Claude Code's environment block reaches the API, host details and all", async () => {
    h.mock.enqueue(text('Hello.'));
    await h.openai.chat.completions.create({
      model: 'sonnet',
      messages: [{ role: 'user', content: 'Say hello' }],
    });
    const [request] = h.mock.requests;
    if (!request) throw new Error('no request');
    expect(leaked(request, h.dataDir)).toEqual(hostDetails(h.dataDir));
  });
});
