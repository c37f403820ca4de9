/**
 * Prompt templates, the owner's agents and skills (CLAUDE_HOME), and the seed servers' routes
 * (/api/generate/card, /api/claude/execute, /api/execute) against the real CLI and the mock.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { json, requestAt, toolNames } from '../fidelity/client.js';
import { type Harness, startHarness } from '../helpers/gateway-harness.js';
import { readSse } from '../helpers/sse-events.js';
import { lastUserText, text, toolUse } from '../mock-anthropic/server.js';

const CARD = {
  title: 'React Hooks',
  summary: 'Functions that let components use state.',
  keyPoints: ['useState holds state', 'useEffect runs effects', 'Rules of hooks'],
  example: 'const [n, setN] = useState(0);',
  furtherReading: [{ title: 'React docs', url: 'https://react.dev/reference/react' }],
};

let scratch: string;
let project: string;
let home: string;
let h: Harness;

beforeAll(async () => {
  scratch = await mkdtemp(path.join(tmpdir(), 'templates-'));
  project = path.join(scratch, 'allowed', 'project');
  home = path.join(scratch, 'claude-home');
  await mkdir(project, { recursive: true });
  await mkdir(path.join(home, 'agents'), { recursive: true });
  await mkdir(path.join(home, 'skills', 'summarize'), { recursive: true });
  await writeFile(
    path.join(home, 'agents', 'reviewer.md'),
    '---\nname: reviewer\ndescription: Reviews code for bugs.\ntools: Read, Grep\nmodel: haiku\n---\nYou are REVIEWER-7, a careful code reviewer.\n',
  );
  await writeFile(
    path.join(home, 'skills', 'summarize', 'SKILL.md'),
    '---\nname: summarize\ndescription: Summarizes long text.\n---\nSummarize the text in three bullets.\n',
  );
  // Never loaded: settings and CLAUDE.md of the Claude home stay out of every run.
  await writeFile(path.join(home, 'CLAUDE.md'), 'HOME-MEMORY-MARKER\n');
  h = await startHarness({
    config: {
      AGENT_MODE: 'true',
      AGENT_ALLOWED_ROOTS: path.join(scratch, 'allowed'),
      AGENT_ALLOWED_TOOLS: 'Read,Grep,Glob',
      CLAUDE_HOME: home,
      EXECUTE_ENV_ALLOWLIST: 'PROJECT_FLAG',
    },
  });
});
afterAll(async () => {
  await h?.close();
  if (scratch) await rm(scratch, { recursive: true, force: true });
});
beforeEach(() => h.mock.reset());

function post(url: string, body: unknown, headers: Record<string, string> = {}) {
  return fetch(`${h.origin}${url}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
}

describe('prompt templates', () => {
  it('lists the shipped templates with their variables and schema', async () => {
    const body = await json(await fetch(`${h.origin}/api/v1/templates`));
    const card = body.data.find((t: { name: string }) => t.name === 'daily-knowledge-card-template.md');
    expect(card.variables.map((v: { name: string }) => v.name)).toEqual(['topic', 'audience']);
    expect(card.outputSchema.required).toEqual([
      'title',
      'summary',
      'keyPoints',
      'example',
      'furtherReading',
    ]);
    expect(body.data.map((t: { name: string }) => t.name)).toContain('commit-message-template.md');
  });

  it('generates validated JSON through structured output for a template with a schema', async () => {
    h.mock.enqueue(toolUse('StructuredOutput', CARD));
    const response = await post('/api/v1/templates/daily-knowledge-card-template/generate', {
      variables: { topic: 'React Hooks' },
    });
    expect(response.status).toBe(200);
    const body = await json(response);
    expect(body).toMatchObject({ template: 'daily-knowledge-card-template.md', content: CARD });
    expect(body.generationTime).toBeGreaterThan(0);
    expect(body.usage.outputTokens).toBeGreaterThan(0);
    const sent = requestAt(h.mock.requests, 0);
    expect(lastUserText(sent)).toContain('**React Hooks** for developers');
    const offered = sent.body.tools?.find((tool) => tool.name === 'StructuredOutput')?.input_schema as {
      required: string[];
    };
    expect(offered.required).toContain('keyPoints');
  });

  it.each([
    ['a missing variable', { variables: {} }, 'missing_variable', /topic/],
    ['an undeclared variable', { variables: { topic: 'x', colour: 'red' } }, 'undeclared_variable', /colour/],
  ])('refuses %s with a 400 naming it', async (_, body, code, named) => {
    const response = await post('/api/v1/templates/daily-knowledge-card-template.md/generate', body);
    expect(response.status).toBe(400);
    const error = (await json(response)).error;
    expect(error.code).toBe(code);
    expect(error.message).toMatch(named);
    expect(h.mock.requests).toHaveLength(0);
  });

  it('answers 404 for an unknown template and never reads outside TEMPLATES_DIR', async () => {
    expect((await post('/api/v1/templates/nope/generate', { variables: {} })).status).toBe(404);
    const outside = await post(`/api/v1/templates/${encodeURIComponent('../package.json')}/generate`, {
      variables: {},
    });
    expect(outside.status).toBe(400);
    expect((await json(outside)).error.code).toBe('invalid_template_name');
    expect(h.mock.requests).toHaveLength(0);
  });

  it('answers a name longer than a file name may be with a 400 on every route that takes one', async () => {
    const long = 'n'.repeat(253);
    for (const [url, body] of [
      [`/api/v1/templates/${long}/generate`, { variables: {} }],
      ['/api/generate/card', { topic: 'Hooks', templateName: long }],
      ['/api/generate/card/stream', { topic: 'Hooks', templateName: long }],
    ] as const) {
      const response = await post(url, body);
      expect(response.status, url).toBe(400);
      const error = (await json(response)).error;
      expect(JSON.stringify(error)).toContain('invalid_template_name');
      expect(JSON.stringify(error)).not.toContain(long);
    }
    expect(h.mock.requests).toHaveLength(0);
  });
});

describe("the owner's agents and skills", () => {
  it('lists agents and skills from CLAUDE_HOME', async () => {
    const agents = await json(await fetch(`${h.origin}/api/v1/agents`));
    expect(agents.data).toEqual([
      { name: 'reviewer', description: 'Reviews code for bugs.', tools: ['Read', 'Grep'], model: 'haiku' },
    ]);
    const skills = await json(await fetch(`${h.origin}/api/v1/skills`));
    expect(skills.data).toEqual([
      { name: 'summarize', description: 'Summarizes long text.', tools: null, model: null },
    ]);
  });

  it('lets a task use a subagent it names; the subagent runs with its own prompt', async () => {
    h.mock.enqueue(
      // In the foreground: Claude Code runs subagents in the background by default, and then the task
      // may finish before the subagent's request reaches the mock.
      toolUse('Agent', {
        description: 'review',
        prompt: 'Review the project',
        subagent_type: 'reviewer',
        run_in_background: false,
      }),
      text('No bugs found.'),
      text('The reviewer found no bugs.'),
    );
    const response = await post('/api/v1/tasks', {
      prompt: 'Have the reviewer look',
      cwd: project,
      agents: ['reviewer'],
    });
    expect(response.status).toBe(200);
    const task = await json(response);
    expect(task.status).toBe('completed');
    expect(task.toolCalls[0]).toMatchObject({ tool: 'Agent', isError: false });
    expect(toolNames(requestAt(h.mock.requests, 0))).toContain('Agent');
    const all = JSON.stringify(h.mock.requests.map((request) => request.body));
    expect(all).toContain('REVIEWER-7');
    expect(all).not.toContain('HOME-MEMORY-MARKER');
  });

  it('offers a task the skills it names, and only those', async () => {
    // Requests are picked by their prompt: a process of an earlier test may still be winding down.
    const sentFor = (prompt: string) => h.mock.requests.find((request) => lastUserText(request) === prompt);
    h.mock.setHandler(() => text('ok'));
    const response = await post('/api/v1/tasks', {
      prompt: 'Summarize this',
      cwd: project,
      skills: ['summarize'],
    });
    expect(response.status).toBe(200);
    const withSkill = sentFor('Summarize this');
    expect(toolNames(withSkill)).toContain('Skill');
    expect(JSON.stringify(withSkill?.body)).toContain('Summarizes long text.');

    await post('/api/v1/tasks', { prompt: 'Nothing to summarize', cwd: project });
    const without = sentFor('Nothing to summarize');
    expect(without).toBeDefined();
    expect(toolNames(without)).not.toContain('Skill');
    expect(JSON.stringify(without?.body)).not.toContain('Summarizes long text.');
  });

  it('refuses an agent that is not in CLAUDE_HOME', async () => {
    const response = await post('/api/v1/tasks', { prompt: 'x', cwd: project, agents: ['ghost'] });
    expect(response.status).toBe(404);
    expect((await json(response)).error).toMatchObject({
      code: 'agent_not_found',
      details: { param: 'agents[0]' },
    });
  });
});

describe('seed routes', () => {
  it('POST /api/generate/card answers in the seed shape', async () => {
    h.mock.enqueue(toolUse('StructuredOutput', CARD));
    const response = await post('/api/generate/card', { topic: 'React Hooks' });
    expect(response.status).toBe(200);
    const body = await json(response);
    expect(body).toMatchObject({
      code: 200,
      success: true,
      data: { topic: 'React Hooks', fileName: 'react_hooks.json', content: CARD },
    });
    expect(typeof body.data.generationTime).toBe('number');
  });

  it('POST /api/generate/card/stream sends start, status, output and completed', async () => {
    h.mock.enqueue(toolUse('StructuredOutput', CARD));
    const frames = (await readSse(await post('/api/generate/card/stream', { topic: 'Docker' }))).events;
    expect(frames.map((frame) => frame.event)).toEqual(['start', 'status', 'output', 'completed']);
    expect(frames[0]?.data).toMatchObject({ topic: 'Docker' });
    expect(frames[1]?.data).toEqual({ step: 'generating_content' });
    expect(frames[3]?.data.content).toEqual(CARD);
  });

  it('POST /api/claude/execute runs a command', async () => {
    h.mock.enqueue(text('Dependency injection passes collaborators in.'));
    const body = await json(await post('/api/claude/execute', { command: 'Explain dependency injection' }));
    expect(body).toMatchObject({
      success: true,
      data: { output: 'Dependency injection passes collaborators in.' },
    });
    expect(lastUserText(requestAt(h.mock.requests, 0))).toBe('Explain dependency injection');
  });

  it('POST /api/execute runs an agent task in working_directory and answers in the seed shape', async () => {
    h.mock.enqueue(text('Listed.'));
    const response = await post(
      '/api/execute',
      { prompt: 'List files', working_directory: project, env_vars: { PROJECT_FLAG: '1' } },
      { 'x-api-key': 'ignored-when-auth-is-open' },
    );
    expect(response.status).toBe(200);
    const body = await json(response);
    expect(body).toMatchObject({ success: true, output: 'Listed.', error: null, exit_code: 0 });
    expect(typeof body.execution_time).toBe('number');
    expect(typeof body.timestamp).toBe('string');
  });

  it('POST /api/execute refuses env_vars outside the allowlist and a working_directory outside the roots', async () => {
    const env = await post('/api/execute', {
      prompt: 'x',
      working_directory: project,
      env_vars: { PATH: '/evil' },
    });
    expect(env.status).toBe(400);
    expect((await json(env)).error).toMatchObject({
      code: 'env_var_not_allowed',
      details: { param: 'env_vars' },
    });
    const cwd = await post('/api/execute', { prompt: 'x', working_directory: scratch });
    expect(cwd.status).toBe(400);
    expect((await json(cwd)).error.details.param).toBe('working_directory');
    expect(h.mock.requests).toHaveLength(0);
  });

  it('POST /api/execute/stream streams the task events', async () => {
    h.mock.enqueue(text('Streamed.'));
    const frames = (
      await readSse(await post('/api/execute/stream', { prompt: 'hi', working_directory: project }))
    ).events;
    expect(frames.at(-1)).toMatchObject({
      event: 'complete',
      data: { status: 'completed', summary: 'Streamed.' },
    });
  });
});
