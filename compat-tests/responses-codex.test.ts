import { describe, expect, it } from 'vitest';
import { sessionFiles } from '../test/conversation/session-files.js';
import { useHarness } from '../test/helpers/gateway-harness.js';
import { lastUserText, text, userTexts } from '../test/mock-anthropic/server.js';
import { clientCall, offeredTools, reply, toolResults } from '../test/tools/tool-replies.js';
import { runCodex } from './codex.js';

/** Codex CLI (`codex exec`) with a Responses model provider pointed at the gateway. */
const h = useHarness();
// Each turn starts a Codex process and a Claude Code process; on a loaded 2-core machine that is slow.
const CODEX_TEST_TIMEOUT_MS = 200_000;

describe('Codex CLI', () => {
  it(
    'finishes a plain turn; its hosted tools never reach Claude',
    async () => {
      h.mock.enqueue(text('Hello from Claude via Codex.'));
      const result = await runCodex({ baseURL: h.baseURL, dir: h.dataDir, prompt: 'Say hi' });
      expect(result.stdout, result.stderr).toContain('Hello from Claude via Codex.');
      expect(result.code).toBe(0);
      expect(h.mock.requests).toHaveLength(1);
      expect(lastUserText(h.mock.requests[0]!)).toBe('Say hi');
      const tools = offeredTools(h.mock.requests[0]!);
      expect(tools).toContain('mcp__client__exec_command');
      expect(tools.filter((name) => /web_search|multi_agent/.test(name))).toEqual([]);
    },
    CODEX_TEST_TIMEOUT_MS,
  );

  it(
    'calls its own shell tool and gets the result back',
    async () => {
      h.mock.enqueue(
        reply(clientCall('exec_command', { cmd: 'echo hello-from-shell' })),
        text('The shell said hello-from-shell.'),
      );
      const result = await runCodex({ baseURL: h.baseURL, dir: h.dataDir, prompt: 'Run echo in the shell' });
      expect(result.stdout, result.stderr).toContain('The shell said hello-from-shell.');
      expect(result.code).toBe(0);
      expect(h.mock.requests).toHaveLength(2);
      const [output] = toolResults(h.mock.requests[1]!);
      expect(output?.text).toContain('hello-from-shell');
      expect(output?.isError).toBe(false);
    },
    CODEX_TEST_TIMEOUT_MS,
  );

  it(
    'resends its whole history on the next turn, which continues the same session',
    async () => {
      const before = new Set((await sessionFiles(h)).map((file) => file.id));
      h.mock.enqueue(text('Hi Ada.'), text('Your name is Ada.'));
      const first = await runCodex({ baseURL: h.baseURL, dir: h.dataDir, prompt: 'My name is Ada.' });
      expect(first.stdout, first.stderr).toContain('Hi Ada.');
      const second = await runCodex({
        baseURL: h.baseURL,
        dir: h.dataDir,
        prompt: 'What is my name?',
        resume: true,
      });
      expect(second.stdout, second.stderr).toContain('Your name is Ada.');
      expect(userTexts(h.mock.requests[1]!)).toEqual(
        expect.arrayContaining(['My name is Ada.', 'What is my name?']),
      );
      // Codex sends store: false and every item again: recognised, so the session was resumed, not rebuilt.
      const files = (await sessionFiles(h)).filter((file) => !before.has(file.id));
      expect(files).toHaveLength(1);
      expect(files[0]?.rebuiltEntries).toBe(0);
    },
    CODEX_TEST_TIMEOUT_MS,
  );

  it(
    'compacts its session remotely through the gateway mid-turn, and goes on from the summary',
    async () => {
      h.mock.enqueue(
        // The tool call reports a context far past the limit below, so Codex compacts before going on.
        {
          kind: 'message',
          blocks: [clientCall('exec_command', { cmd: 'echo compact-me' })],
          usage: { input_tokens: 50_000 },
        },
        text('The user asked to run echo compact-me; it printed compact-me. Next: report it.'),
        text('Ran it: compact-me.'),
      );
      const result = await runCodex({
        baseURL: h.baseURL,
        dir: h.dataDir,
        prompt: 'Run echo compact-me in the shell',
        providerName: 'OpenAI',
        config: ['model_auto_compact_token_limit = 1000'],
      });
      expect(result.stdout, result.stderr).toContain('Ran it: compact-me.');
      expect(result.code).toBe(0);
      expect(h.mock.requests).toHaveLength(3);
      // The compaction: Claude was asked for a summary of the conversation, with no tools to call.
      const summarize = h.mock.requests[1]!;
      expect(lastUserText(summarize)).toContain('[assistant called exec_command');
      expect(lastUserText(summarize)).toContain('compact-me');
      expect(offeredTools(summarize).filter((name) => name.startsWith('mcp__client__'))).toEqual([]);
      // The turn goes on from the summary in place of the compacted items.
      const after = JSON.stringify(h.mock.requests[2]!.body.messages);
      expect(after).toContain('The user asked to run echo compact-me; it printed compact-me.');
    },
    CODEX_TEST_TIMEOUT_MS,
  );
});
