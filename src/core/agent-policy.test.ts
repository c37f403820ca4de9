import { mkdir, mkdtemp, realpath, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../contract/config-error.js';
import { GatewayError } from '../contract/gateway-error.js';
import {
  type AgentConfig,
  type AgentPolicy,
  agentPolicyFromConfig,
  resolveAgentSettings,
} from './agent-policy.js';

let scratch: string;
let root: string;
let policy: AgentPolicy;

const config = (overrides: Partial<AgentConfig> = {}): AgentConfig => ({
  AGENT_ALLOWED_ROOTS: [root],
  AGENT_ALLOWED_TOOLS: ['Read', 'Grep', 'Glob'],
  AGENT_MAX_TURNS: 10,
  AGENT_DEFAULT_PERMISSION_MODE: 'default',
  AGENT_ALLOW_BYPASS_PERMISSIONS: false,
  ...overrides,
});

beforeAll(async () => {
  scratch = await realpath(await mkdtemp(path.join(tmpdir(), 'agent-policy-')));
  root = path.join(scratch, 'root');
  await mkdir(path.join(root, 'project'), { recursive: true });
  await mkdir(path.join(scratch, 'outside'));
  await mkdir(path.join(scratch, 'root-evil'));
  await writeFile(path.join(root, 'file.txt'), 'x');
  await symlink(path.join(scratch, 'outside'), path.join(root, 'escape'));
  await symlink(path.join(root, 'project'), path.join(scratch, 'into-root'));
  policy = agentPolicyFromConfig(config());
});
afterAll(async () => {
  await rm(scratch, { recursive: true, force: true });
});

function refusal(extension: Parameters<typeof resolveAgentSettings>[0], against = policy): GatewayError {
  try {
    resolveAgentSettings(extension, against);
  } catch (error) {
    if (error instanceof GatewayError) return error;
    throw error;
  }
  throw new Error('expected a refusal');
}

describe('agentPolicyFromConfig', () => {
  it('refuses roots that are missing or relative, and no roots at all', () => {
    expect(() => agentPolicyFromConfig(config({ AGENT_ALLOWED_ROOTS: [] }))).toThrow(ConfigError);
    expect(() => agentPolicyFromConfig(config({ AGENT_ALLOWED_ROOTS: ['relative/dir'] }))).toThrow(
      /absolute/,
    );
    expect(() => agentPolicyFromConfig(config({ AGENT_ALLOWED_ROOTS: [path.join(root, 'nope')] }))).toThrow(
      /does not exist/,
    );
  });

  it('refuses a bypassPermissions default the operator did not allow', () => {
    expect(() =>
      agentPolicyFromConfig(config({ AGENT_DEFAULT_PERMISSION_MODE: 'bypassPermissions' })),
    ).toThrow(/AGENT_ALLOW_BYPASS_PERMISSIONS/);
  });
});

describe('resolveAgentSettings', () => {
  it('fills the defaults from the policy', () => {
    expect(resolveAgentSettings({ cwd: path.join(root, 'project') }, policy)).toEqual({
      cwd: path.join(root, 'project'),
      tools: ['Read', 'Grep', 'Glob'],
      permissionMode: 'default',
      maxTurns: 10,
    });
  });

  it('takes what the request asks for within the limits', () => {
    const capped = { ...policy, maxBudgetUsd: 2 };
    expect(
      resolveAgentSettings(
        { cwd: root, tools: ['Read', 'Read'], permission_mode: 'plan', max_turns: 3, max_budget_usd: 0.5 },
        capped,
      ),
    ).toEqual({ cwd: root, tools: ['Read'], permissionMode: 'plan', maxTurns: 3, maxBudgetUsd: 0.5 });
    expect(resolveAgentSettings({ cwd: root }, capped).maxBudgetUsd).toBe(2);
  });

  it('resolves the cwd to its real path, so a symlink into a root is fine', () => {
    expect(resolveAgentSettings({ cwd: path.join(scratch, 'into-root') }, policy).cwd).toBe(
      path.join(root, 'project'),
    );
  });

  it.each([
    ['outside every root', () => path.join(scratch, 'outside'), 'agent_cwd_not_allowed'],
    ['climbing out with ..', () => `${root}/project/../../outside`, 'agent_cwd_not_allowed'],
    ['a symlink out of the root', () => path.join(root, 'escape'), 'agent_cwd_not_allowed'],
    ['a sibling whose name extends the root', () => `${root}-evil`, 'agent_cwd_not_allowed'],
    ['relative', () => 'root/project', 'agent_cwd_not_allowed'],
    ['a file', () => path.join(root, 'file.txt'), 'agent_cwd_not_allowed'],
    ['missing', () => path.join(root, 'missing'), 'agent_cwd_not_found'],
  ])('refuses a cwd %s', (_, cwd, code) => {
    expect(refusal({ cwd: cwd() })).toMatchObject({ status: 400, param: 'claude_code.cwd', code });
  });

  it('refuses a missing cwd, tools outside the set, bypass and limits above the policy', () => {
    expect(refusal({})).toMatchObject({ param: 'claude_code.cwd', code: 'agent_cwd_required' });
    const tools = refusal({ cwd: root, tools: ['Read', 'Bash', 'Write'] });
    expect(tools).toMatchObject({ param: 'claude_code.tools', code: 'agent_tool_not_allowed' });
    expect(tools.message).toContain('Bash, Write');
    expect(refusal({ cwd: root, permission_mode: 'bypassPermissions' })).toMatchObject({
      param: 'claude_code.permission_mode',
    });
    expect(refusal({ cwd: root, max_turns: 11 })).toMatchObject({ param: 'claude_code.max_turns' });
    expect(refusal({ cwd: root, max_budget_usd: 3 }, { ...policy, maxBudgetUsd: 2 })).toMatchObject({
      param: 'claude_code.max_budget_usd',
    });
  });

  it('allows bypassPermissions when the operator does', () => {
    const permissive = { ...policy, allowBypassPermissions: true };
    expect(
      resolveAgentSettings({ cwd: root, permission_mode: 'bypassPermissions' }, permissive).permissionMode,
    ).toBe('bypassPermissions');
  });
});
