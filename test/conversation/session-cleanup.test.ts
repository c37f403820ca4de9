import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { projectDirFor } from '../../src/engine/transcript.js';
import { createGateway } from '../../src/gateway/create-gateway.js';
import { createLogger } from '../../src/logger.js';
import { type MockAnthropic, startMockAnthropic } from '../mock-anthropic/server.js';

let mock: MockAnthropic;
let dataDir: string;
beforeEach(async () => {
  mock = await startMockAnthropic();
  dataDir = await mkdtemp(path.join(tmpdir(), 'claude-gateway-cleanup-'));
});
afterEach(async () => {
  await mock.close();
  await rm(dataDir, { recursive: true, force: true });
});

const list = (dir: string) => readdir(dir).catch(() => [] as string[]);

it('starts from clean session dirs, and deletes the sessions it tracked when it shuts down', async () => {
  const configDir = path.join(dataDir, 'claude');
  const workspaceSessions = projectDirFor(configDir, path.join(dataDir, 'workspace'));
  const otherProject = projectDirFor(configDir, '/home/someone/project');
  await mkdir(workspaceSessions, { recursive: true });
  await mkdir(otherProject, { recursive: true });
  await mkdir(path.join(dataDir, 'claude-tmp', 'claude-1000', 'fswatch-probe-old'), { recursive: true });
  await writeFile(path.join(workspaceSessions, 'left-by-an-earlier-gateway.jsonl'), '{}\n');
  await writeFile(path.join(otherProject, 'not-ours.jsonl'), '{}\n');

  const config = loadConfig({ DATA_DIR: dataDir, LOG_LEVEL: 'silent', WARM_SPARES: '0' });
  const gateway = await createGateway(
    config,
    {
      PATH: process.env.PATH,
      HOME: dataDir,
      ANTHROPIC_BASE_URL: mock.url,
      ANTHROPIC_API_KEY: 'sk-ant-mock',
      CLAUDE_CODE_MAX_RETRIES: '0',
    },
    createLogger('silent'),
  );
  try {
    expect(await list(workspaceSessions)).toEqual([]);
    expect(await list(path.join(dataDir, 'claude-tmp'))).toEqual([]);
    expect(await list(otherProject)).toEqual(['not-ours.jsonl']);

    const response = await gateway.app.fetch(
      new Request('http://127.0.0.1/v1/chat/completions', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'sonnet', messages: [{ role: 'user', content: 'hi' }] }),
      }),
    );
    expect(response.status).toBe(200);
    expect((await list(workspaceSessions)).filter((name) => name.endsWith('.jsonl'))).toHaveLength(1);
  } finally {
    await gateway.shutdown();
  }
  expect(await list(workspaceSessions)).toEqual([]);
  expect(await list(otherProject)).toEqual(['not-ours.jsonl']);
});
