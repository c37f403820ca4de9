/**
 * Claude Code's CLAUDE.md / AGENTS.md plugin is switched off for every run (it has nothing to load
 * under `settingSources: []`, yet its hooks made a warm spare's first turn ~30 ms slower). What
 * reaches the API must not change: the real CLI against the mock, with the plugin and without.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { query, type SDKMessage } from '@anthropic-ai/claude-agent-sdk';
import { describe, expect, it } from 'vitest';
import { disableProjectInstructionsPlugin } from '../../src/claude/builtin-plugins.js';
import { mockCliOptions } from '../helpers/cli-options.js';
import { eventually, useHarness } from '../helpers/gateway-harness.js';
import { lastUserText, type RecordedRequest, text } from '../mock-anthropic/server.js';

const h = useHarness({
  config: {
    WARM_SPARES: '1',
    WARM_SPARES_MAX: '1',
    WARM_OPEN_SPARES: 'false',
    MAX_CONCURRENCY: '2',
    AUTH_DISABLED: 'true',
    SESSION_MAX_COUNT: '0',
    HOT_SESSIONS_MAX: '0',
  },
});

const INSTRUCTIONS = 'Always answer in French (instruction file marker).';

/** Everything in a request that a setting could change, without what differs per request. */
function comparable(request: RecordedRequest | undefined) {
  if (!request) throw new Error('no request reached the mock');
  const { metadata: _metadata, system, ...body } = request.body;
  const blocks = typeof system === 'string' ? [{ type: 'text', text: system }] : (system ?? []);
  const header = (name: string) => request.headers[name];
  return {
    path: request.path,
    // The billing header's text changes with every request.
    system: blocks.filter((block) => !block.text.startsWith('x-anthropic-billing-header')),
    body,
    headers: ['anthropic-beta', 'anthropic-version', 'user-agent', 'x-app', 'x-api-key'].map(header),
  };
}

async function runOnce(options: ReturnType<typeof mockCliOptions>): Promise<string[]> {
  let plugins: string[] = [];
  for await (const message of query({ prompt: 'hello instructions', options }) as AsyncIterable<SDKMessage>) {
    if (message.type === 'system' && message.subtype === 'init') plugins = message.plugins.map((p) => p.name);
  }
  return plugins;
}

describe('the project-instructions plugin off', () => {
  it('leaves the API request as it was, even with instruction files in the working directory', async () => {
    const cwd = path.join(h.dataDir, 'with-instruction-files');
    await mkdir(cwd, { recursive: true });
    await writeFile(path.join(cwd, 'CLAUDE.md'), INSTRUCTIONS);
    await writeFile(path.join(cwd, 'AGENTS.md'), INSTRUCTIONS);
    const sandbox = { mockUrl: h.mock.url, home: cwd, configDir: path.join(cwd, 'direct-claude'), cwd };
    const plain = mockCliOptions(sandbox);

    const withPlugin = await runOnce(plain);
    const withoutPlugin = await runOnce(disableProjectInstructionsPlugin(plain));

    // The setting takes effect: Claude Code reports the plugin loaded only in the first run.
    expect(withPlugin).toContain('cc-plugin-agents-md');
    expect(withoutPlugin).not.toContain('cc-plugin-agents-md');
    expect(withoutPlugin).toEqual(withPlugin.filter((name) => name !== 'cc-plugin-agents-md'));
    // ...and the API sees the same request: system, tools, model, messages, headers.
    expect(h.mock.requests).toHaveLength(2);
    const [first, second] = h.mock.requests;
    expect(comparable(second)).toEqual(comparable(first));
    expect(JSON.stringify(first?.body)).not.toContain('instruction file marker');
  });

  it("is off in the gateway's warm spares, which answer as before", async () => {
    const ready = () => h.gateway.warm.pool.readyCount === 1;
    expect(await eventually(ready, 30_000)).toBe(true);
    const [pid] = h.gateway.warm.pool.livePids();
    if (pid === undefined) throw new Error('no spare process');
    const commandLine = (await readFile(`/proc/${pid}/cmdline`, 'utf8')).split('\0');
    const settings = commandLine[commandLine.indexOf('--settings') + 1] ?? '{}';
    expect(JSON.parse(settings)).toMatchObject({ enabledPlugins: { 'agents-md@builtin': false } });

    const used = h.gateway.warm.pool.counters.used;
    h.mock.enqueue(text('from the spare'));
    const completion = await h.openai.chat.completions.create({
      model: 'sonnet',
      messages: [{ role: 'user', content: 'hello spare' }],
    });
    expect(completion.choices[0]?.message.content).toBe('from the spare');
    expect(h.gateway.warm.pool.counters.used).toBe(used + 1);
    expect(lastUserText(h.mock.requests[0] as never)).toBe('hello spare');
  });
});
