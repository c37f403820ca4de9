import type { Options } from '@anthropic-ai/claude-agent-sdk';
import { describe, expect, it } from 'vitest';
import {
  claimedEffort,
  claimedSystemPrompt,
  hotKey,
  maxOutputTokensOf,
  spareKey,
  spareShapeKey,
} from './options-key.js';

const base: Options = {
  model: 'sonnet',
  cwd: '/work',
  env: { PATH: '/bin', ANTHROPIC_API_KEY: 'secret' },
  tools: [],
  settingSources: [],
  systemPrompt: { type: 'custom', prompt: '', snapshot: false },
  persistSession: true,
};

describe('spareKey', () => {
  it('ignores per-run plumbing and key order, and does not contain the environment in clear', () => {
    const a = spareKey({
      ...base,
      abortController: new AbortController(),
      spawnClaudeCodeProcess: () => {
        throw new Error('x');
      },
    });
    const reordered = spareKey(Object.fromEntries(Object.entries(base).reverse()) as Options);
    expect(a).toBeDefined();
    expect(a).toBe(reordered);
    expect(a).not.toContain('secret');
  });

  it('differs when anything the process starts with differs: model, environment, system prompt', () => {
    const key = spareKey(base);
    expect(spareKey({ ...base, model: 'opus' })).not.toBe(key);
    expect(spareKey({ ...base, env: { ...base.env, CLAUDE_CODE_MAX_OUTPUT_TOKENS: '50' } })).not.toBe(key);
    expect(
      spareKey({ ...base, systemPrompt: { type: 'custom', prompt: 'Be brief.', snapshot: false } }),
    ).not.toBe(key);
  });

  it('treats session ids alike but tells a recorded session from none', () => {
    expect(spareKey({ ...base, sessionId: 'a' })).toBe(spareKey({ ...base, sessionId: 'b' }));
    expect(spareKey({ ...base, sessionId: 'a' })).not.toBe(spareKey(base));
  });

  it('has no key for options that resume a conversation or carry code (callbacks, server instances)', () => {
    expect(spareKey({ ...base, resume: 'id' })).toBeUndefined();
    expect(
      spareKey({ ...base, canUseTool: async () => ({ behavior: 'deny', message: 'no' }) }),
    ).toBeUndefined();
    class Server {}
    expect(spareKey({ ...base, mcpServers: { client: new Server() as never } })).toBeUndefined();
  });
});

describe('spareKey with client tools', () => {
  class ServerStandIn {
    constructor(readonly tools: string) {}
  }
  const server = (tools: string) => ({
    type: 'sdk' as const,
    name: 'client',
    instance: new ServerStandIn(tools) as never,
  });
  const stop = (reason: string): NonNullable<Options['hooks']> => ({
    Stop: [{ hooks: [async () => ({ decision: 'block' as const, reason })] }],
  });

  it('leaves out in-process MCP servers (a claimed spare is given them) and keeps other servers', () => {
    expect(spareKey({ ...base, mcpServers: { client: server('a') } })).toBe(spareKey(base));
    const remote = { type: 'http' as const, url: 'http://127.0.0.1:1/mcp' };
    expect(spareKey({ ...base, mcpServers: { client: server('a'), remote } })).toBe(
      spareKey({ ...base, mcpServers: { remote } }),
    );
    expect(spareKey({ ...base, mcpServers: { remote } })).not.toBe(spareKey(base));
  });

  it('counts where hook callbacks sit, not which callbacks they are', () => {
    expect(spareKey({ ...base, hooks: stop('a') })).toBe(spareKey({ ...base, hooks: stop('b') }));
    expect(spareKey({ ...base, hooks: stop('a') })).not.toBe(spareKey(base));
    expect(spareKey({ ...base, hooks: { PreToolUse: stop('a').Stop } })).not.toBe(
      spareKey({ ...base, hooks: stop('a') }),
    );
  });

  it('keeps a live conversation’s key undefined: its next turn must not reuse the old tools', () => {
    expect(hotKey({ ...base, mcpServers: { client: server('a') } })).toBeUndefined();
  });
});

describe('hotKey', () => {
  it('matches the next turn of the same conversation, which resumes instead of naming the session', () => {
    expect(hotKey({ ...base, resume: 'id' })).toBe(hotKey({ ...base, sessionId: 'id' }));
    expect(hotKey({ ...base, resume: 'id', model: 'opus' })).not.toBe(hotKey({ ...base, sessionId: 'id' }));
  });
});

describe('spareShapeKey and claimedSystemPrompt', () => {
  const withPrompt = (prompt: string): Options => ({
    ...base,
    systemPrompt: { type: 'custom', prompt, snapshot: false },
  });

  it('leaves out the text of a custom prompt rendered afresh, and nothing else', () => {
    expect(spareShapeKey(withPrompt('You are a pirate.'))).toBe(spareShapeKey(withPrompt('')));
    expect(spareKey(withPrompt('You are a pirate.'))).not.toBe(spareKey(withPrompt('')));
    expect(spareShapeKey({ ...withPrompt('x'), model: 'opus' })).not.toBe(spareShapeKey(withPrompt('x')));
  });

  it('keeps the text of a prompt Claude Code records once, or one appended to its preset', () => {
    const recorded: Options = { ...base, systemPrompt: { type: 'custom', prompt: 'a', snapshot: true } };
    const appended: Options = {
      ...base,
      systemPrompt: { type: 'preset', preset: 'claude_code', append: 'a', snapshot: false },
    };
    expect(spareShapeKey(recorded)).toBe(spareKey(recorded));
    expect(spareShapeKey(appended)).toBe(spareKey(appended));
    expect(claimedSystemPrompt(recorded)).toBeUndefined();
    expect(claimedSystemPrompt(appended)).toBeUndefined();
  });

  it('names the prompt a spare must take; an empty one cannot be given', () => {
    expect(claimedSystemPrompt(withPrompt('You are a pirate.'))).toBe('You are a pirate.');
    expect(claimedSystemPrompt(withPrompt(''))).toBeUndefined();
  });
});

describe('claimedEffort', () => {
  it('is left out of the shape, and names the levels Claude Code takes as a setting', () => {
    expect(spareShapeKey({ ...base, effort: 'high' })).toBe(spareShapeKey(base));
    expect(claimedEffort({ ...base, effort: 'high' })).toBe('high');
    // `max` and a number of thinking tokens have no effortLevel setting: a spare cannot take them.
    expect(claimedEffort({ ...base, effort: 'max' })).toBeUndefined();
    expect(claimedEffort(base)).toBeUndefined();
  });
});

describe('the output token limit', () => {
  it('is left out of the shape (with the rest of the environment kept) and read back by maxOutputTokensOf', () => {
    const limited: Options = { ...base, env: { ...base.env, CLAUDE_CODE_MAX_OUTPUT_TOKENS: '50' } };
    expect(spareShapeKey(limited)).toBe(spareShapeKey(base));
    expect(spareShapeKey({ ...limited, env: { PATH: '/other' } })).not.toBe(spareShapeKey(base));
    expect(maxOutputTokensOf(limited)).toBe('50');
    expect(maxOutputTokensOf(base)).toBeUndefined();
  });
});
