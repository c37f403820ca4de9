import { InMemorySessionStore } from '@anthropic-ai/claude-agent-sdk';
import { describe, expect, it } from 'vitest';
import type { ClaudeLaunch } from './claude-launch.js';
import { sdkOptions } from './claude-options.js';
import { hotKey, planRetarget, spareKey, spareLaunch, spareShapeKey } from './launch-keys.js';
import { createLaunchPlanner } from './plan-launch.js';
import { testLaunch, testPlan } from './test-support.js';

const base = testLaunch(testPlan({ session: { id: 'a', continues: false } }));
const launch = (changes: Partial<ClaudeLaunch>): ClaudeLaunch => ({ ...base, ...changes });
const prompt = (text: string): ClaudeLaunch['systemPrompt'] => ({ placement: 'replace', text });
const runtime = () => ({ abortController: new AbortController() });

class ServerStandIn {}
const server = () => ({ type: 'sdk' as const, name: 'client', instance: new ServerStandIn() as never });
const stop = (reason: string): NonNullable<ClaudeLaunch['hooks']> => ({
  Stop: [{ hooks: [async () => ({ decision: 'block' as const, reason })] }],
});

describe('a launch as SDK options', () => {
  it('sets each option where Claude Code reads it: flags, environment, conversation', () => {
    const options = sdkOptions(
      launch({
        maxOutputTokens: 50,
        effort: 'high',
        thinking: 'disabled',
        systemPrompt: prompt('Be brief.'),
      }),
      runtime(),
    );
    expect(options).toMatchObject({
      model: 'sonnet',
      cwd: '/work',
      tools: [],
      persistSession: true,
      sessionId: 'a',
      effort: 'high',
      thinking: { type: 'disabled' },
      systemPrompt: { type: 'custom', prompt: 'Be brief.', snapshot: false },
      env: { PATH: '/bin', ANTHROPIC_API_KEY: 'secret', CLAUDE_CODE_MAX_OUTPUT_TOKENS: '50' },
    });
    const resumed = sdkOptions(
      launch({ conversation: { kind: 'rebuild', sessionId: 'r', record: false } }),
      runtime(),
    );
    expect(resumed).toMatchObject({ resume: 'r', persistSession: false });
    expect(resumed.sessionId).toBeUndefined();
  });

  it("merges the run's extra body into the operator's own, as Claude Code reads it", () => {
    const env = { PATH: '/bin', CLAUDE_CODE_EXTRA_BODY: '{"metadata":{"user_id":"u"}}' };
    const options = sdkOptions({ ...base, env, extraBody: { tool_choice: { type: 'none' } } }, runtime());
    expect(JSON.parse(options.env?.CLAUDE_CODE_EXTRA_BODY ?? '')).toEqual({
      metadata: { user_id: 'u' },
      tool_choice: { type: 'none' },
    });
    const notJson = sdkOptions(
      { ...base, env: { CLAUDE_CODE_EXTRA_BODY: 'x' }, extraBody: { a: 1 } },
      runtime(),
    );
    expect(JSON.parse(notJson.env?.CLAUDE_CODE_EXTRA_BODY ?? '')).toEqual({ a: 1 });
  });

  it('appends a text to Claude Code’s own prompt, or keeps it untouched', () => {
    expect(
      sdkOptions(launch({ systemPrompt: { placement: 'append', text: '' } }), runtime()).systemPrompt,
    ).toEqual({
      type: 'preset',
      preset: 'claude_code',
      snapshot: false,
    });
  });
});

describe('spareKey', () => {
  it('is stable and does not contain the environment in clear', () => {
    const key = spareKey(base);
    expect(key).toBeDefined();
    expect(spareKey({ ...base })).toBe(key);
    expect(key).not.toContain('secret');
  });

  it('differs when anything the process starts with differs: model, environment, limit, system prompt', () => {
    const key = spareKey(base);
    expect(spareKey(launch({ model: 'opus' }))).not.toBe(key);
    expect(spareKey(launch({ env: { PATH: '/bin', ANTHROPIC_API_KEY: 'another account' } }))).not.toBe(key);
    expect(spareKey(launch({ maxOutputTokens: 50 }))).not.toBe(key);
    expect(spareKey(launch({ systemPrompt: prompt('Be brief.') }))).not.toBe(key);
  });

  it('treats session ids alike but tells a recorded session from none', () => {
    expect(spareKey(launch({ conversation: { kind: 'new', sessionId: 'b' } }))).toBe(spareKey(base));
    expect(spareKey(launch({ conversation: { kind: 'new' } }))).not.toBe(spareKey(base));
  });

  it('has no key for launches that resume a conversation or carry code (callbacks, server instances)', () => {
    expect(spareKey(launch({ conversation: { kind: 'continue', sessionId: 'a' } }))).toBeUndefined();
    expect(
      spareKey(launch({ conversation: { kind: 'rebuild', sessionId: 'a', record: true } })),
    ).toBeUndefined();
    expect(
      spareKey(launch({ sdk: { canUseTool: async () => ({ behavior: 'deny', message: 'no' }) } })),
    ).toBeUndefined();
    expect(spareKey(launch({ sdk: { mcpServers: { other: server() } } }))).toBeUndefined();
  });

  it('leaves out in-process MCP servers (a claimed spare is given them) and keeps other servers', () => {
    expect(spareKey(launch({ inProcessServers: { client: server() } }))).toBe(spareKey(base));
    const remote = { type: 'http' as const, url: 'http://127.0.0.1:1/mcp' };
    expect(spareKey(launch({ sdk: { ...base.sdk, mcpServers: { remote } } }))).not.toBe(spareKey(base));
  });

  it('counts where hook callbacks sit, not which callbacks they are', () => {
    expect(spareKey(launch({ hooks: stop('a') }))).toBe(spareKey(launch({ hooks: stop('b') })));
    expect(spareKey(launch({ hooks: stop('a') }))).not.toBe(spareKey(base));
    expect(spareKey(launch({ hooks: { PreToolUse: stop('a').Stop } }))).not.toBe(
      spareKey(launch({ hooks: stop('a') })),
    );
  });
});

describe('a launch under a pooled account', () => {
  const planner = createLaunchPlanner({
    executablePath: undefined,
    env: { PATH: '/bin', ANTHROPIC_API_KEY: 'gateway-key', CLAUDE_CONFIG_DIR: '/data/claude' },
    workspaceDir: '/work',
    awaitInitialize: false,
    extenders: [],
  });
  const account = (name: string, env: Record<string, string>) => ({
    name,
    kind: 'subscription' as const,
    env,
    fingerprint: name,
  });
  const teamA = account('team-a', { CLAUDE_CODE_OAUTH_TOKEN: 'token-a' });
  const teamB = account('team-b', { CLAUDE_CODE_OAUTH_TOKEN: 'token-b' });
  const tracked = testPlan({ session: { id: 's', continues: false } });
  const continued = testPlan({ session: { id: 's', continues: true } });

  it("runs under the account's credentials and none of the gateway's", () => {
    const launched = planner.plan(tracked, undefined, teamA);
    expect(launched.account).toBe('team-a');
    expect(sdkOptions(launched, runtime()).env).toEqual({
      PATH: '/bin',
      CLAUDE_CONFIG_DIR: '/data/claude',
      CLAUDE_CODE_OAUTH_TOKEN: 'token-a',
    });
    expect(planner.plan(tracked).env).toMatchObject({ ANTHROPIC_API_KEY: 'gateway-key' });
  });

  it('never shares a spare or a kept process between accounts, even with equal credentials', () => {
    const a = planner.plan(tracked, undefined, teamA);
    const b = planner.plan(tracked, undefined, teamB);
    expect(spareKey(a)).not.toBe(spareKey(b));
    expect(spareShapeKey(a)).not.toBe(spareShapeKey(b));
    expect(planRetarget(a, b)).toBeUndefined();
    expect(hotKey(planner.plan(continued, undefined, teamA))).not.toBe(hotKey(b));
    expect(spareKey(a)).not.toBe(spareKey(planner.plan(tracked)));
    // Two accounts with the same token are still two accounts (their limits are counted apart).
    const twin = account('team-a-twin', teamA.env);
    expect(spareKey(planner.plan(tracked, undefined, twin))).not.toBe(spareKey(a));
    expect(hotKey(planner.plan(continued, undefined, teamA))).toBe(hotKey(a));
  });

  it("routes every launch's API requests last, after the account's own upstream", () => {
    const routed = createLaunchPlanner({
      executablePath: undefined,
      env: { PATH: '/bin', ANTHROPIC_API_KEY: 'gateway-key', ANTHROPIC_BASE_URL: 'https://gateway.example' },
      workspaceDir: '/work',
      awaitInitialize: false,
      extenders: [],
      routeEnv: (env) => ({ ...env, ANTHROPIC_BASE_URL: `relay:${env.ANTHROPIC_BASE_URL}` }),
    });
    const fallback = account('fallback', {
      ANTHROPIC_BASE_URL: 'https://other.example',
      ANTHROPIC_API_KEY: 'k',
    });
    expect(routed.plan(tracked).env.ANTHROPIC_BASE_URL).toBe('relay:https://gateway.example');
    expect(routed.plan(tracked, undefined, teamA).env.ANTHROPIC_BASE_URL).toBe(
      'relay:https://gateway.example',
    );
    expect(routed.plan(tracked, undefined, fallback).env.ANTHROPIC_BASE_URL).toBe(
      'relay:https://other.example',
    );
    // One environment per account: warm keys built from it stay equal launch after launch.
    expect(spareKey(routed.plan(tracked, undefined, fallback))).toBe(
      spareKey(routed.plan(tracked, undefined, fallback)),
    );
  });

  it('moves a spare template to another account, and back to the gateway credentials', () => {
    const a = planner.plan(tracked, undefined, teamA);
    const moved = planner.underAccount(a, teamB);
    expect(moved).toEqual(planner.plan(tracked, undefined, teamB));
    expect(planner.underAccount(moved, undefined)).toEqual(planner.plan(tracked));
  });
});

describe('hotKey', () => {
  it('matches the next turn of the same conversation, which resumes instead of naming the session', () => {
    const next = launch({ conversation: { kind: 'continue', sessionId: 'a' } });
    expect(hotKey(next)).toBe(hotKey(base));
    expect(hotKey({ ...next, model: 'opus' })).not.toBe(hotKey(base));
    expect(hotKey({ ...next, maxOutputTokens: 50 })).not.toBe(hotKey(base));
  });

  it('is undefined with client tools: the next turn must not reuse the old tools', () => {
    expect(hotKey(launch({ inProcessServers: { client: server() } }))).toBeUndefined();
  });

  it("leaves out the session's version: whether a kept process is current is the version check's", () => {
    const next = launch({ conversation: { kind: 'continue', sessionId: 'a', version: 3 } });
    expect(hotKey(next)).toBe(hotKey(launch({ conversation: { kind: 'continue', sessionId: 'a' } })));
  });
});

describe('a transcript mirror', () => {
  const store = new InMemorySessionStore();
  const mirrored = (name: string) => launch({ transcriptMirror: { name, store } });

  it('is launched as the SDK sessionStore', () => {
    expect(sdkOptions(mirrored('workspace'), runtime()).sessionStore).toBe(store);
    expect(sdkOptions(base, runtime()).sessionStore).toBeUndefined();
  });

  it('keys spares and kept processes by its name, so they mirror where their run would', () => {
    for (const key of [spareKey, hotKey]) {
      expect(key(mirrored('workspace'))).toBeDefined();
      // Another gateway's object for the same store (the key is the name, the store is code).
      const sameName = launch({ transcriptMirror: { name: 'workspace', store: new InMemorySessionStore() } });
      expect(key(mirrored('workspace'))).toBe(key(sameName));
      expect(key(mirrored('workspace'))).not.toBe(key(mirrored('project-cwd')));
      expect(key(mirrored('workspace'))).not.toBe(key(base));
    }
  });
});

describe('spareShapeKey', () => {
  it('leaves out the text of a custom prompt, the effort, thinking, limit and extra body, and nothing else', () => {
    const shape = spareShapeKey(base);
    expect(spareShapeKey(launch({ systemPrompt: prompt('You are a pirate.') }))).toBe(shape);
    expect(spareKey(launch({ systemPrompt: prompt('You are a pirate.') }))).not.toBe(spareKey(base));
    expect(spareShapeKey(launch({ effort: 'high', thinking: 'default', maxOutputTokens: 5 }))).toBe(shape);
    expect(spareShapeKey(launch({ extraBody: { tool_choice: { type: 'none' } } }))).toBe(shape);
    expect(spareShapeKey(launch({ model: 'opus' }))).not.toBe(shape);
    expect(spareShapeKey(launch({ env: { PATH: '/other' } }))).not.toBe(shape);
  });

  it('keeps the text appended to Claude Code’s own prompt', () => {
    const appended = launch({ systemPrompt: { placement: 'append', text: 'a' } });
    expect(spareShapeKey(appended)).not.toBe(
      spareShapeKey(launch({ systemPrompt: { placement: 'append', text: 'b' } })),
    );
  });
});

describe('planRetarget', () => {
  it('gives the run its own prompt, effort, limit and thinking', () => {
    const run = launch({
      systemPrompt: prompt('You are a pirate.'),
      effort: 'high',
      maxOutputTokens: 50,
      thinking: 'default',
    });
    expect(planRetarget(base, run)).toEqual({
      model: 'sonnet',
      systemPrompt: 'You are a pirate.',
      flagSettings: { effortLevel: 'high', env: { CLAUDE_CODE_MAX_OUTPUT_TOKENS: '50' } },
      unlimitedThinking: true,
    });
    expect(planRetarget(base, launch({ systemPrompt: prompt('x') }))).toEqual({
      model: 'sonnet',
      systemPrompt: 'x',
    });
    expect(planRetarget(base, base)).toEqual({ model: 'sonnet' });
  });

  it('cannot serve a run that differs elsewhere, or asks for what cannot be undone', () => {
    expect(planRetarget(base, launch({ model: 'opus' }))).toBeUndefined();
    expect(planRetarget(base, launch({ outputSchema: {} }))).toBeUndefined();
    // An empty custom prompt cannot be given, a limit not taken away, thinking not stopped.
    expect(planRetarget(launch({ systemPrompt: prompt('x') }), base)).toBeUndefined();
    expect(planRetarget(launch({ maxOutputTokens: 50 }), base)).toBeUndefined();
    expect(planRetarget(launch({ thinking: 'default' }), base)).toBeUndefined();
    // `max` has no effortLevel setting.
    expect(planRetarget(base, launch({ effort: 'max' }))).toBeUndefined();
    expect(planRetarget(base, launch({ systemPrompt: { placement: 'append', text: 'x' } }))).toBeUndefined();
  });

  it('gives the run its extra request body (tool_choice), which is set and never taken away', () => {
    const none = { tool_choice: { type: 'none' } };
    expect(planRetarget(base, launch({ extraBody: none }))).toEqual({
      model: 'sonnet',
      flagSettings: { env: { CLAUDE_CODE_EXTRA_BODY: JSON.stringify(none) } },
    });
    expect(planRetarget(launch({ extraBody: none }), base)).toBeUndefined();
  });

  it('hands the run its in-process MCP servers, whatever tools they hold', () => {
    const client = server();
    expect(
      planRetarget(
        launch({ inProcessServers: { client: server() } }),
        launch({ inProcessServers: { client } }),
      ),
    ).toEqual({
      model: 'sonnet',
      mcpServers: { client },
    });
  });
});

describe('spareLaunch', () => {
  it('starts without the run’s servers, under its own session id, with hooks that forward to its claimant’s', async () => {
    let claimant: ClaudeLaunch | undefined;
    const template = launch({ inProcessServers: { client: server() }, hooks: stop('first run') });
    const started = spareLaunch(template, () => claimant);
    expect(started.inProcessServers).toEqual({});
    expect(started.conversation).toMatchObject({ kind: 'new' });
    expect(started.conversation.sessionId).not.toBe('a');
    const input = { hook_event_name: 'Stop', stop_hook_active: false } as never;
    const callback = started.hooks?.Stop?.[0]?.hooks[0];
    const signal = new AbortController().signal;
    expect(await callback?.(input, undefined, { signal })).toEqual({});
    claimant = launch({ hooks: stop('claiming run') });
    expect(await callback?.(input, undefined, { signal })).toEqual({
      decision: 'block',
      reason: 'claiming run',
    });
  });
});
