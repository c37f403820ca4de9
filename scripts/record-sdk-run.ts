/**
 * The part the fixture recorders share: one real Claude Code run against the mock Messages API,
 * in scratch directories, with every SDK message kept, written as one fixture file.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type Options, query, type SDKMessage } from '@anthropic-ai/claude-agent-sdk';
import { mockCliOptions } from '../test/helpers/cli-options.js';
import type { MockAnthropic, MockReply } from '../test/mock-anthropic/server.js';

export interface RecordedRunSpec {
  /** What the mock answers, in order (the mock is reset first). */
  replies: MockReply[];
  /** Scripts the mock further (credential behaviour, handler) after its reset. */
  prepare?: (mock: MockAnthropic) => void;
  /** Overrides of the bare run's options; `cwd` defaults to the scratch directory. */
  options?: Options;
  /** Whether recording is over once `message` has been seen; by default, at the result. */
  until?: (message: SDKMessage, seen: readonly SDKMessage[]) => boolean;
}

const isResult = (message: SDKMessage) => message.type === 'result';

export async function recordRun(mock: MockAnthropic, spec: RecordedRunSpec): Promise<SDKMessage[]> {
  mock.reset();
  spec.prepare?.(mock);
  mock.enqueue(...spec.replies);
  const until = spec.until ?? isResult;
  const scratch = await mkdtemp(path.join(tmpdir(), 'record-'));
  const messages: SDKMessage[] = [];
  try {
    const sandbox = {
      mockUrl: mock.url,
      home: scratch,
      configDir: path.join(scratch, 'claude'),
      cwd: scratch,
    };
    const conversation = query({ prompt: 'fixture prompt', options: mockCliOptions(sandbox, spec.options) });
    try {
      for await (const message of conversation) {
        messages.push(message);
        if (until(message, messages)) break;
      }
    } catch (error) {
      // An error result is followed by a thrown error; the result is what we record.
      if (!messages.some(isResult)) throw error;
    } finally {
      conversation.close();
    }
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
  return messages;
}

const fixturesDir = path.join(import.meta.dirname, '../src/core/fixtures');

export async function writeFixture(name: string, messages: SDKMessage[]): Promise<void> {
  await writeFile(
    path.join(fixturesDir, `${name}.jsonl`),
    `${messages.map((message) => JSON.stringify(message)).join('\n')}\n`,
  );
  console.log(name, messages.length, 'messages');
}
