import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { findClaudeCredentials } from './credentials.js';

const dirs: string[] = [];
function configDir(files: Record<string, string> = {}): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'credentials-test-'));
  dirs.push(dir);
  for (const [name, content] of Object.entries(files)) writeFileSync(path.join(dir, name), content);
  return dir;
}
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('findClaudeCredentials', () => {
  it('finds none in an empty environment and config dir', () => {
    expect(findClaudeCredentials({ PATH: '/usr/bin', ANTHROPIC_API_KEY: '' }, configDir()).source).toBeNull();
  });

  it.each([
    ['ANTHROPIC_API_KEY', 'sk-ant-x'],
    ['CLAUDE_CODE_OAUTH_TOKEN', 'sk-ant-oat01-x'],
    ['ANTHROPIC_AUTH_TOKEN', 'bearer-x'],
    ['CLAUDE_CODE_USE_BEDROCK', '1'],
    ['CLAUDE_CODE_USE_VERTEX', 'true'],
  ])('finds %s in the environment', (name, value) => {
    expect(findClaudeCredentials({ [name]: value }, configDir()).source).toBe(name);
  });

  it('does not count a provider switch that is off', () => {
    expect(findClaudeCredentials({ CLAUDE_CODE_USE_BEDROCK: '0' }, configDir()).source).toBeNull();
  });

  it('finds what `claude login` left in the config dir', () => {
    const loggedIn = configDir({ '.credentials.json': '{"claudeAiOauth":{}}' });
    expect(findClaudeCredentials({}, loggedIn).source).toBe(`${loggedIn}/.credentials.json`);
    const apiKeyLogin = configDir({ '.claude.json': '{"primaryApiKey":"sk-ant-x"}' });
    expect(findClaudeCredentials({}, apiKeyLogin).source).toBe(`${apiKeyLogin}/.claude.json`);
    // A state file without a login (what every run writes) is not a credential.
    expect(findClaudeCredentials({}, configDir({ '.claude.json': '{"numStartups":3}' })).source).toBeNull();
  });
});
