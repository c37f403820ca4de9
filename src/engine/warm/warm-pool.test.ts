import type { Options, WarmQuery } from '@anthropic-ai/claude-agent-sdk';
import { afterEach, describe, expect, it } from 'vitest';
import type { ClaudeLaunch } from '../options/claude-launch.js';
import { testLaunch } from '../options/test-support.js';
import { ProcessRegistry } from '../processes/process-registry.js';
import { SpareDemand } from './spare-demand.js';
import { WarmPool } from './warm-pool.js';

/** A start-up we finish by hand; the process it spawns is a real idle node (a stand-in for the CLI). */
function controlledStartup() {
  const pending: Array<{ resolve: (warm: WarmQuery) => void; reject: (error: Error) => void }> = [];
  const startup = (params: { options: Options }): Promise<WarmQuery> => {
    params.options.spawnClaudeCodeProcess?.({
      command: process.execPath,
      args: ['-e', 'setInterval(() => {}, 1000)'],
      cwd: process.cwd(),
      env: { PATH: process.env.PATH },
      signal: new AbortController().signal,
    });
    return new Promise((resolve, reject) => pending.push({ resolve, reject }));
  };
  const warm = { close: () => undefined, query: () => undefined } as unknown as WarmQuery;
  return {
    startup,
    finishNext: () => pending.shift()?.resolve(warm),
    failNext: () => pending.shift()?.reject(new Error('start-up failed')),
  };
}

const options: ClaudeLaunch = testLaunch();
const silent = { debug: () => undefined, warn: () => undefined };
const processes = new ProcessRegistry({ killGraceMs: 500 });
const pools: WarmPool[] = [];

function pool(startup: (params: { options: Options }) => Promise<WarmQuery>): WarmPool {
  const created = new WarmPool({
    demand: new SpareDemand({ min: 1, max: 1 }),
    processes,
    hasRoomForIdle: () => true,
    startup,
    retryDelayMs: 60_000,
    logger: silent,
  });
  pools.push(created);
  return created;
}

afterEach(async () => {
  await Promise.all(pools.splice(0).map((created) => created.close()));
  await processes.terminateAll();
});

describe('warm pool', () => {
  it('hands a spare that is still starting to a run, which waits for the rest of its start', async () => {
    const control = controlledStartup();
    const spares = pool(control.startup);
    spares.prime(options);
    expect(spares.readyCount).toBe(0);
    let taken = false;

    const spare = spares.take({ ...options }).then((value) => {
      taken = true;
      return value;
    });
    await new Promise((resolve) => setImmediate(resolve));
    expect(taken).toBe(false);
    control.finishNext();

    expect((await spare)?.spawned.child.pid).toBeDefined();
    expect(spares.counters).toMatchObject({ used: 1, awaited: 1, missed: 0 });
  });

  it('lets the run start cold when the spare it waited for fails to start', async () => {
    const control = controlledStartup();
    const spares = pool(control.startup);
    spares.prime(options);

    const spare = spares.take({ ...options });
    control.failNext();

    expect(await spare).toBeUndefined();
    expect(spares.counters).toMatchObject({ used: 0, awaited: 1, failed: 1 });
  });

  it('prefers a ready spare to one still starting', async () => {
    const control = controlledStartup();
    const spares = new WarmPool({
      demand: new SpareDemand({ min: 2, max: 2 }),
      processes,
      hasRoomForIdle: () => true,
      startup: control.startup,
      logger: silent,
    });
    pools.push(spares);
    spares.prime(options);
    control.finishNext();
    await new Promise((resolve) => setImmediate(resolve));
    expect(spares.readyCount).toBe(1);

    expect(await spares.take({ ...options })).toBeDefined();
    expect(spares.counters).toMatchObject({ used: 1, awaited: 0 });
    // The other start settles, so closing the pool does not wait for it.
    control.finishNext();
  });
});

describe('warm pool with client tools', () => {
  class ServerStandIn {}
  const withTools = (reason: string): ClaudeLaunch => ({
    ...options,
    systemPrompt: { placement: 'replace', text: 'tools' },
    inProcessServers: { client: { type: 'sdk', name: 'client', instance: new ServerStandIn() as never } },
    hooks: { Stop: [{ hooks: [async () => ({ decision: 'block' as const, reason })] }] },
  });

  it('starts spares without the in-process server, and hands the claiming run its server and hooks', async () => {
    const control = controlledStartup();
    const started: Options[] = [];
    const spares = pool((params) => {
      started.push(params.options);
      return control.startup(params);
    });
    spares.prime(withTools('first run'));
    control.finishNext();
    const run = withTools('claiming run');

    const spare = await spares.take(run);

    expect(started[0]?.mcpServers).toBeUndefined();
    expect(spare?.retarget.mcpServers).toEqual(run.inProcessServers);
    const stop = started[0]?.hooks?.Stop?.[0]?.hooks[0];
    const input = { hook_event_name: 'Stop', stop_hook_active: false } as never;
    expect(await stop?.(input, undefined, { signal: new AbortController().signal })).toEqual({
      decision: 'block',
      reason: 'claiming run',
    });
  });
});

describe('warm pool under pooled accounts', () => {
  const under =
    (account: string | undefined) =>
    (launch: ClaudeLaunch): ClaudeLaunch => ({
      ...launch,
      account,
      env: { PATH: '/bin', ...(account ? { CLAUDE_CODE_OAUTH_TOKEN: `token-${account}` } : {}) },
    });
  /** Every start-up completes at once (its process is a real idle node). */
  const started = (spawned: Options[]) => (params: { options: Options }) => {
    spawned.push(params.options);
    const control = controlledStartup();
    const warm = control.startup(params);
    control.finishNext();
    return warm;
  };

  it("serves a run only under the account its spare started with, and follows the pool's next account", async () => {
    const spawned: Options[] = [];
    const spares = pool(started(spawned));
    spares.prime(under('a')(options));
    expect(spares.account).toBe('a');
    expect(spawned.map((o) => o.env?.CLAUDE_CODE_OAUTH_TOKEN)).toEqual(['token-a']);
    // A run of another account misses: credentials are fixed when a process starts.
    expect(await spares.take(under('b')(options))).toBeUndefined();

    spares.follow(under('b'));
    expect(spares.account).toBe('b');
    await new Promise((resolve) => setImmediate(resolve));
    // The spare of `a` ended and one of `b` started in its place.
    expect(spawned.map((o) => o.env?.CLAUDE_CODE_OAUTH_TOKEN)).toEqual(['token-a', 'token-b']);
    expect(spares.idleCount).toBe(1);
  });

  it("ends a spent account's spares and starts none until it follows another account", async () => {
    const spawned: Options[] = [];
    const spares = pool(started(spawned));
    spares.prime(under('a')(options));
    expect(spares.idleCount).toBe(1);

    spares.releaseAccount('b');
    expect(spares.idleCount).toBe(1);
    spares.releaseAccount('a');
    expect(spares.idleCount).toBe(0);
    spares.fill();
    expect(spawned).toHaveLength(1);

    spares.follow(under('b'));
    expect(spares.idleCount).toBe(1);
    expect(spawned.at(-1)?.env?.CLAUDE_CODE_OAUTH_TOKEN).toBe('token-b');
  });
});
