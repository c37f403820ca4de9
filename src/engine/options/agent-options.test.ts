import { mkdir, mkdtemp, realpath, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { CanUseTool, HookCallback } from '@anthropic-ai/claude-agent-sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AgentSettings, RunPlan } from '../../contract/run-plan.js';
import { agentOptions } from './agent-options.js';
import type { ClaudeLaunch } from './claude-launch.js';
import { testLaunch } from './test-support.js';

let scratch: string;
let cwd: string;

beforeAll(async () => {
  scratch = await realpath(await mkdtemp(path.join(tmpdir(), 'agent-options-')));
  cwd = path.join(scratch, 'cwd');
  await mkdir(cwd);
  await symlink('/etc', path.join(cwd, 'etc-link'));
});
afterAll(async () => {
  await rm(scratch, { recursive: true, force: true });
});

function plainPlan(): RunPlan {
  return { model: 'sonnet', history: [], prompt: [], thinking: 'disabled', clientTools: [] };
}

function plan(agent: Partial<AgentSettings> = {}): RunPlan {
  return {
    ...plainPlan(),
    agent: { cwd, tools: ['Read', 'Write'], permissionMode: 'default', maxTurns: 4, ...agent },
  };
}

const context = { signal: new AbortController().signal, toolUseID: 'toolu_1' } as Parameters<CanUseTool>[2];

const base = testLaunch();

function gate(launch: ClaudeLaunch): CanUseTool {
  if (!launch.sdk.canUseTool) throw new Error('no canUseTool');
  return launch.sdk.canUseTool;
}

function hook(launch: ClaudeLaunch): HookCallback {
  const matcher = launch.hooks?.PreToolUse?.at(-1);
  const callback = matcher?.hooks[0];
  if (!callback) throw new Error('no PreToolUse hook');
  return callback;
}

async function hookDecision(launch: ClaudeLaunch, toolName: string, toolInput: unknown) {
  const output = await hook(launch)(
    {
      hook_event_name: 'PreToolUse',
      tool_name: toolName,
      tool_input: toolInput,
      tool_use_id: 'toolu_1',
      session_id: 's',
      transcript_path: '/dev/null',
      cwd,
    } as Parameters<HookCallback>[0],
    'toolu_1',
    { signal: new AbortController().signal },
  );
  return 'hookSpecificOutput' in output ? output.hookSpecificOutput : undefined;
}

describe('agentOptions', () => {
  it('leaves plain chat untouched', () => {
    expect(agentOptions(plainPlan(), base)).toBe(base);
  });

  it('passes the settled mode, limits and environment to the SDK', () => {
    const launch = agentOptions(
      plan({ permissionMode: 'acceptEdits', maxBudgetUsd: 0.25, env: { A: '1' } }),
      base,
    );
    expect(launch.sdk).toMatchObject({ permissionMode: 'acceptEdits', maxTurns: 4, maxBudgetUsd: 0.25 });
    expect(launch.sdk.allowDangerouslySkipPermissions).toBeUndefined();
    // Subagents and Bash commands run in the foreground, whatever the agent's own environment says.
    expect(launch.runEnv).toEqual({ A: '1', CLAUDE_CODE_DISABLE_BACKGROUND_TASKS: '1' });
    const overridden = agentOptions(plan({ env: { CLAUDE_CODE_DISABLE_BACKGROUND_TASKS: '0' } }), base);
    expect(overridden.runEnv.CLAUDE_CODE_DISABLE_BACKGROUND_TASKS).toBe('1');
    expect(
      agentOptions(plan({ permissionMode: 'bypassPermissions' }), base).sdk.allowDangerouslySkipPermissions,
    ).toBe(true);
  });

  it('approves an enabled tool that stays in the cwd, without prompting anyone', async () => {
    const input = { file_path: path.join(cwd, 'new.txt'), content: 'x' };
    expect(await gate(agentOptions(plan(), base))('Write', input, context)).toEqual({
      behavior: 'allow',
      updatedInput: input,
    });
  });

  it('denies tools that are not enabled and paths that leave the cwd', async () => {
    const options = agentOptions(plan(), base);
    expect(await gate(options)('Bash', { command: 'ls' }, context)).toMatchObject({ behavior: 'deny' });
    expect(await gate(options)('Read', { file_path: '/etc/hostname' }, context)).toMatchObject({
      behavior: 'deny',
    });
    const viaLink = { ...context, blockedPath: '/etc/hostname' };
    expect(
      await gate(options)('Read', { file_path: path.join(cwd, 'etc-link', 'hostname') }, viaLink),
    ).toMatchObject({ behavior: 'deny' });
  });

  it('hands tools that are not the agent’s to the gate registered before it', async () => {
    const earlier: CanUseTool = async (_name, input) => ({ behavior: 'allow', updatedInput: input });
    const options = agentOptions(plan(), { ...base, sdk: { canUseTool: earlier } });
    expect(await gate(options)('mcp__client__lookup', { q: 1 }, context)).toMatchObject({
      behavior: 'allow',
    });
  });

  it('checks every call in a PreToolUse hook, whatever the permission mode', async () => {
    const options = agentOptions(plan({ permissionMode: 'acceptEdits' }), {
      ...base,
      hooks: { PreToolUse: [] },
    });
    expect(
      await hookDecision(options, 'Read', { file_path: path.join(cwd, 'etc-link', 'passwd') }),
    ).toMatchObject({
      permissionDecision: 'deny',
    });
    expect(await hookDecision(options, 'Write', { file_path: '../escape.txt' })).toMatchObject({
      permissionDecision: 'deny',
    });
    expect(await hookDecision(options, 'Read', { file_path: path.join(cwd, 'a.txt') })).toBeUndefined();
  });
});
