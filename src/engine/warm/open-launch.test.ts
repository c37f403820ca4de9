import type { SpawnOptions } from '@anthropic-ai/claude-agent-sdk';
import { describe, expect, it } from 'vitest';
import { launchKey, withoutInitializeArgs, withoutSessionId } from './open-launch.js';

const launch = (args: string[], env: Record<string, string | undefined> = { HOME: '/h' }): SpawnOptions => ({
  command: '/bin/claude',
  args,
  cwd: '/work',
  env,
  signal: new AbortController().signal,
});
const base = ['--output-format', 'stream-json', '--model', 'sonnet', '--await-initialize'];

describe('open spare launches', () => {
  it('drops the flags the initialize request carries, only for a process that waits for it', () => {
    expect(withoutInitializeArgs([...base, '--json-schema', '{"type":"object"}', '--verbose'])).toEqual([
      ...base,
      '--verbose',
    ]);
    expect(withoutInitializeArgs([...base, '--json-schema={"a":1}'])).toEqual(base);
    const started = ['--model', 'sonnet', '--json-schema', '{}'];
    expect(withoutInitializeArgs(started)).toEqual(started);
  });

  it('keys a launch by command line, directory and environment', () => {
    const key = launchKey(launch(base));
    expect(key).toBeDefined();
    expect(launchKey(launch([...base]))).toBe(key);
    expect(launchKey(launch(['--model', 'opus', '--await-initialize']))).not.toBe(key);
    expect(launchKey(launch(base, { HOME: '/other' }))).not.toBe(key);
    // An unset variable is no variable.
    expect(launchKey(launch(base, { HOME: '/h', EMPTY: undefined }))).toBe(key);
  });

  it('gives no key to a launch that does not wait for initialize or names a conversation', () => {
    expect(launchKey(launch(['--model', 'sonnet']))).toBeUndefined();
    expect(launchKey(launch([...base, '--resume=abc']))).toBeUndefined();
  });

  it('keys a rebuild launch by everything but its resumed id, when --resume names the spare', () => {
    const key = launchKey(launch([...base, '--resume=<session-id>']), '--resume');
    expect(key).toBeDefined();
    expect(launchKey(launch([...base, '--resume=<session-id>', '--verbose']), '--resume')).not.toBe(key);
    // Continuing or forking another conversation is still not a launch a spare can serve.
    expect(
      launchKey(launch([...base, '--resume=<session-id>', '--fork-session']), '--resume'),
    ).toBeUndefined();
  });
});

describe('session ids in a launch', () => {
  it('takes the id out of the launch, in either form, so spares differ only in their own', () => {
    expect(withoutSessionId([...base, '--session-id=abc'])).toEqual({
      args: [...base, '--session-id=<session-id>'],
      sessionId: 'abc',
    });
    expect(withoutSessionId(['--session-id', 'abc', '--verbose'])).toEqual({
      args: ['--session-id', '<session-id>', '--verbose'],
      sessionId: 'abc',
    });
    expect(withoutSessionId(base)).toEqual({ args: base, sessionId: undefined });
  });

  it('takes the resumed id out of a rebuild launch', () => {
    expect(withoutSessionId([...base, '--resume=abc'], '--resume')).toEqual({
      args: [...base, '--resume=<session-id>'],
      sessionId: 'abc',
    });
    expect(withoutSessionId([...base, '--resume=abc'])).toEqual({
      args: [...base, '--resume=abc'],
      sessionId: undefined,
    });
  });
});
