import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type GatewayStore, openGatewayStore } from '../store/gateway-store.js';
import { keysCommand } from './keys-command.js';

describe('claude-gateway keys create --accounts', () => {
  let store: GatewayStore;
  let out: string[];
  const io = { out: (line: string) => out.push(line), err: (line: string) => out.push(line) };

  beforeEach(async () => {
    store = await openGatewayStore({ engine: 'sqlite', file: ':memory:' });
    out = [];
  });

  afterEach(async () => {
    await store.close();
  });

  it('limits a key to named Claude accounts and shows them', async () => {
    const code = await keysCommand(
      ['create', '--name', 'team-a', '--accounts', 'main, backup', '--json'],
      store.keys,
      io,
    );
    expect(code).toBe(0);
    const created = JSON.parse(out[0] ?? '') as { id: string };
    expect(created).toMatchObject({ name: 'team-a', accounts: ['main', 'backup'] });
    expect((await store.keys.get(created.id))?.policy.accounts).toEqual(['main', 'backup']);
    out = [];
    await keysCommand(['list'], store.keys, io);
    expect(out.join('\n')).toMatch(/team-a .*accounts main,backup/);
  });

  it('leaves a key without --accounts free to use every account', async () => {
    await keysCommand(['create', '--name', 'anyone', '--json'], store.keys, io);
    expect(JSON.parse(out[0] ?? '')).toMatchObject({ accounts: null });
  });

  it('records where chat completions put thinking for the key, and refuses an unknown field', async () => {
    await keysCommand(
      ['create', '--name', 'vllm-client', '--reasoning-field', 'reasoning', '--json'],
      store.keys,
      io,
    );
    const created = JSON.parse(out[0] ?? '') as { id: string };
    expect(created).toMatchObject({ reasoning_field: 'reasoning' });
    expect((await store.keys.get(created.id))?.policy.reasoningField).toBe('reasoning');
    await expect(
      keysCommand(['create', '--name', 'odd', '--reasoning-field', 'thoughts'], store.keys, io),
    ).rejects.toThrow(/reasoning_content, reasoning, both/);
  });
});
