import { mkdtemp, realpath, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GatewayError } from '../../contract/gateway-error.js';
import type { AgentPolicy } from '../../core/agent-policy.js';
import { nativeAgentResolver } from './agent.js';

let root: string;
let policy: AgentPolicy;
beforeAll(async () => {
  root = await realpath(await mkdtemp(path.join(tmpdir(), 'native-agent-')));
  policy = {
    roots: [root],
    tools: ['Read', 'Grep'],
    maxTurns: 5,
    defaultPermissionMode: 'default',
    allowBypassPermissions: false,
  };
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('native agent settings', () => {
  it('are resolved by the shared agent rules', () => {
    expect(nativeAgentResolver(policy)({ cwd: root, tools: ['Read'] })).toEqual({
      cwd: root,
      tools: ['Read'],
      permissionMode: 'default',
      maxTurns: 5,
    });
  });

  it.each([
    [{ cwd: '/' }, 'cwd'],
    [{ cwd: 'relative' }, 'cwd'],
    [{ tools: ['Bash'] }, 'tools'],
    [{ maxTurns: 50 }, 'maxTurns'],
    [{ permissionMode: 'bypassPermissions' as const }, 'permissionMode'],
  ])('refuse %j with a 400 naming the native field', (request, param) => {
    let caught: unknown;
    try {
      nativeAgentResolver(policy)({ cwd: root, ...request });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(GatewayError);
    expect(caught).toMatchObject({ status: 400, kind: 'invalid_request', param });
    expect((caught as Error).message).not.toContain('claude_code');
  });
});
