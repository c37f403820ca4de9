import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { BUILT_IN_PROFILES, loadProfiles, policyFromProfile } from './profiles.js';

describe('permission profiles', () => {
  it('gives a key the profile limits, explicit settings winning', () => {
    const free = BUILT_IN_PROFILES.free;
    if (!free) throw new Error('free profile missing');
    expect(policyFromProfile('free', free, {})).toEqual({
      profile: 'free',
      agentTools: ['Read', 'Grep', 'Glob'],
      rpm: 10,
      concurrency: 1,
    });
    expect(policyFromProfile('free', free, { rpm: 100, agentTools: ['Read'] })).toMatchObject({
      profile: 'free',
      rpm: 100,
      agentTools: ['Read'],
    });
  });

  it('adds the operator profiles of PROFILES_FILE and refuses a malformed one', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'profiles-'));
    const file = path.join(dir, 'profiles.json');
    writeFileSync(
      file,
      JSON.stringify({ team: { tools: ['Read', 'Bash'], agents: ['reviewer'], maxTurns: 3 } }),
    );
    const profiles = loadProfiles(file);
    expect(Object.keys(profiles)).toEqual(['free', 'pro', 'enterprise', 'team']);
    expect(profiles.team).toMatchObject({
      tools: ['Read', 'Bash'],
      agents: ['reviewer'],
      skills: [],
      maxTurns: 3,
    });
    writeFileSync(file, JSON.stringify({ team: { tools: 'Read' } }));
    expect(() => loadProfiles(file)).toThrow(/PROFILES_FILE/);
    rmSync(dir, { recursive: true, force: true });
  });

  it("limits a profile's keys to named Claude accounts, unless the key names its own", () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'profiles-'));
    const file = path.join(dir, 'profiles.json');
    writeFileSync(file, JSON.stringify({ 'team-a': { tools: ['Read'], accounts: ['main', 'backup'] } }));
    const teamA = loadProfiles(file)['team-a'];
    if (!teamA) throw new Error('team-a profile missing');
    expect(policyFromProfile('team-a', teamA, {}).accounts).toEqual(['main', 'backup']);
    expect(policyFromProfile('team-a', teamA, { accounts: ['main'] }).accounts).toEqual(['main']);
    writeFileSync(file, JSON.stringify({ 'team-a': { accounts: [] } }));
    expect(() => loadProfiles(file)).toThrow(/PROFILES_FILE/);
    rmSync(dir, { recursive: true, force: true });
  });

  it("gives a profile's keys its reasoning field, unless the key names its own", () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'profiles-'));
    const file = path.join(dir, 'profiles.json');
    writeFileSync(file, JSON.stringify({ vllm: { reasoningField: 'reasoning' } }));
    const vllm = loadProfiles(file).vllm;
    if (!vllm) throw new Error('vllm profile missing');
    expect(policyFromProfile('vllm', vllm, {}).reasoningField).toBe('reasoning');
    expect(policyFromProfile('vllm', vllm, { reasoningField: 'both' }).reasoningField).toBe('both');
    writeFileSync(file, JSON.stringify({ vllm: { reasoningField: 'thoughts' } }));
    expect(() => loadProfiles(file)).toThrow(/PROFILES_FILE/);
    rmSync(dir, { recursive: true, force: true });
  });
});
