/**
 * Agent mode (`claude_code` in the body): Claude Code's own tools in an allowed directory, with the
 * gateway deciding permissions, against the real CLI and the mock Messages API.
 */
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type Harness, startHarness } from '../helpers/gateway-harness.js';
import { text, toolUse } from '../mock-anthropic/server.js';
import { json, postChat, requestAt, streamChat, toolNames, toolResults } from './client.js';

const SECRET_INSIDE = 'the launch code is 1234';
const SECRET_OUTSIDE = 'the vault combination is 9876';

let h: Harness;
let scratch: string;
let root: string;
let project: string;
let outside: string;

beforeAll(async () => {
  scratch = await mkdtemp(path.join(tmpdir(), 'agent-mode-'));
  root = path.join(scratch, 'allowed');
  project = path.join(root, 'project');
  outside = path.join(scratch, 'outside');
  await mkdir(project, { recursive: true });
  await mkdir(outside);
  await writeFile(path.join(project, 'notes.txt'), `${SECRET_INSIDE}\n`);
  await writeFile(path.join(outside, 'vault.txt'), `${SECRET_OUTSIDE}\n`);
  await symlink(path.join(outside, 'vault.txt'), path.join(project, 'vault-link.txt'));
  await symlink(outside, path.join(root, 'escape'));
  h = await startHarness({
    config: {
      AGENT_MODE: 'true',
      AGENT_ALLOWED_ROOTS: root,
      AGENT_ALLOWED_TOOLS: 'Read,Grep,Glob',
      AGENT_MAX_TURNS: '5',
    },
  });
});
afterAll(async () => {
  await h?.close();
  if (scratch) await rm(scratch, { recursive: true, force: true });
});
beforeEach(() => {
  h.mock.reset();
});

function agentRequest(claudeCode: Record<string, unknown>, content = 'What is in notes.txt?') {
  return { model: 'sonnet', messages: [{ role: 'user', content }], claude_code: claudeCode };
}

describe('agent mode', () => {
  it('runs Claude Code tools in the cwd, shows the activity as reasoning and the answer as content', async () => {
    h.mock.enqueue(
      toolUse('Read', { file_path: path.join(project, 'notes.txt') }),
      text('The launch code is 1234.'),
    );
    const answer = await streamChat(h.origin, agentRequest({ cwd: project, tools: ['Read'] }));
    expect(answer.errors).toEqual([]);
    expect(answer.content).toBe('The launch code is 1234.');
    expect(answer.finishReason).toBe('stop');
    expect(answer.reasoning).toContain(`[tool] Read ${path.join(project, 'notes.txt')}`);
    expect(answer.reasoning).toContain(`[tool result]`);
    expect(answer.reasoning).toContain(SECRET_INSIDE);
    expect(answer.chunks.some((chunk) => chunk.choices[0]?.delta?.tool_calls)).toBe(false);

    const first = requestAt(h.mock.requests, 0);
    expect(toolNames(first)).toContain('Read');
    expect(toolNames(first)).not.toContain('Grep');
    expect(toolNames(first)).not.toContain('Bash');
    const [result] = toolResults(requestAt(h.mock.requests, 1));
    expect(result?.is_error).not.toBe(true);
    expect(JSON.stringify(result?.content)).toContain(SECRET_INSIDE);
  });

  it('gives every allowed tool when the request names none, and answers non-streaming too', async () => {
    h.mock.enqueue(text('Nothing to do.'));
    const response = await postChat(h.origin, agentRequest({ cwd: project }, 'hello'));
    expect(response.status).toBe(200);
    expect((await json(response)).choices[0].message.content).toBe('Nothing to do.');
    expect(toolNames(requestAt(h.mock.requests, 0))).toEqual(
      expect.arrayContaining(['Read', 'Grep', 'Glob']),
    );
  });

  it.each([
    ['a symlink in the cwd that points outside', () => path.join(project, 'vault-link.txt')],
    ['an absolute path outside the cwd', () => path.join(outside, 'vault.txt')],
    ['a path that climbs out with ..', () => path.join(project, '..', '..', 'outside', 'vault.txt')],
  ])('denies reading %s: the file never reaches the model', async (_, target) => {
    h.mock.enqueue(toolUse('Read', { file_path: target() }), text('I could not read it.'));
    const answer = await streamChat(h.origin, agentRequest({ cwd: project, tools: ['Read'] }));
    expect(answer.content).toBe('I could not read it.');
    expect(answer.reasoning).toContain('[tool error]');
    const [result] = toolResults(requestAt(h.mock.requests, 1));
    expect(result?.is_error).toBe(true);
    expect(JSON.stringify(h.mock.requests.map((request) => request.body))).not.toContain(SECRET_OUTSIDE);
  });

  it('ends with finish_reason length when the agent runs out of turns', async () => {
    h.mock.setHandler(() => toolUse('Glob', { pattern: '*.txt' }));
    const answer = await streamChat(h.origin, agentRequest({ cwd: project, max_turns: 2 }));
    expect(answer.errors).toEqual([]);
    expect(answer.finishReason).toBe('length');
    expect(h.mock.requests).toHaveLength(2);
  });

  it('passes max_budget_usd to Claude Code, which stops the run when it is spent', async () => {
    h.mock.setHandler(() => toolUse('Glob', { pattern: '*.txt' }));
    const response = await postChat(h.origin, agentRequest({ cwd: project, max_budget_usd: 0.000001 }));
    expect(response.status).toBe(429);
    expect((await json(response)).error).toMatchObject({ code: 'insufficient_quota' });
    expect(h.mock.requests).toHaveLength(1);
  });
});

describe('agent mode policy', () => {
  it.each([
    ['a cwd outside the allowed roots', () => ({ cwd: outside }), 'claude_code.cwd', 'agent_cwd_not_allowed'],
    [
      'a cwd that climbs out with ..',
      () => ({ cwd: path.join(project, '..', '..', 'outside') }),
      'claude_code.cwd',
      'agent_cwd_not_allowed',
    ],
    [
      'a cwd that is a symlink out of a root',
      () => ({ cwd: path.join(root, 'escape') }),
      'claude_code.cwd',
      'agent_cwd_not_allowed',
    ],
    ['a relative cwd', () => ({ cwd: 'allowed/project' }), 'claude_code.cwd', 'agent_cwd_not_allowed'],
    ['a missing cwd', () => ({ tools: ['Read'] }), 'claude_code.cwd', 'agent_cwd_required'],
    [
      'a cwd that does not exist',
      () => ({ cwd: path.join(root, 'nope') }),
      'claude_code.cwd',
      'agent_cwd_not_found',
    ],
    [
      'a tool outside the configured set',
      () => ({ cwd: project, tools: ['Read', 'Bash'] }),
      'claude_code.tools',
      'agent_tool_not_allowed',
    ],
    [
      'bypassPermissions when the server does not allow it',
      () => ({ cwd: project, permission_mode: 'bypassPermissions' }),
      'claude_code.permission_mode',
      'agent_permission_mode_not_allowed',
    ],
    [
      'more turns than the server allows',
      () => ({ cwd: project, max_turns: 50 }),
      'claude_code.max_turns',
      'agent_limit_exceeded',
    ],
  ])('refuses %s with a 400 naming the field', async (_, claudeCode, param, code) => {
    const response = await postChat(h.origin, agentRequest(claudeCode()));
    expect(response.status).toBe(400);
    const { error } = await json(response);
    expect(error).toMatchObject({ type: 'invalid_request_error', param, code });
    expect(error.message).not.toContain(root);
    expect(h.mock.requests).toHaveLength(0);
  });

  it('leaves a request without claude_code a plain chat with no tools', async () => {
    const response = await postChat(h.origin, {
      model: 'sonnet',
      messages: [{ role: 'user', content: 'hi' }],
    });
    expect((await json(response)).choices[0].message.content).toBe('echo: hi');
    expect(
      toolNames(requestAt(h.mock.requests, 0)).filter((name) => name !== 'DeferredToolPlaceholder'),
    ).toEqual([]);
  });
});

describe('agent mode switched off (the default)', () => {
  it('refuses claude_code with a 400 agent_mode_disabled', async () => {
    const plain = await startHarness({ mock: h.mock });
    try {
      const response = await postChat(plain.origin, agentRequest({ cwd: project }));
      expect(response.status).toBe(400);
      expect((await json(response)).error).toMatchObject({
        param: 'claude_code',
        code: 'agent_mode_disabled',
      });
      expect(h.mock.requests).toHaveLength(0);
    } finally {
      await plain.close();
    }
  });
});
