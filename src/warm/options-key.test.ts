import type { Options } from '@anthropic-ai/claude-agent-sdk';
import { describe, expect, it } from 'vitest';
import { hotKey, spareKey } from './options-key.js';

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

describe('hotKey', () => {
  it('matches the next turn of the same conversation, which resumes instead of naming the session', () => {
    expect(hotKey({ ...base, resume: 'id' })).toBe(hotKey({ ...base, sessionId: 'id' }));
    expect(hotKey({ ...base, resume: 'id', model: 'opus' })).not.toBe(hotKey({ ...base, sessionId: 'id' }));
  });
});
