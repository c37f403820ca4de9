/**
 * `npx tsx bench/surface-overhead.ts`: what a surface adds over chat completions for the same run.
 * Everything before the encoder (queue, Claude Code, the interpreter) is shared by every surface, so
 * a surface's own cost is its request adapter plus encoding each event into its wire frames. This
 * times both, in process, on recorded Claude Code runs (src/core/fixtures) and on Claude Code's
 * own first request as a client (the Anthropic surface's largest realistic body).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { SDKMessage } from '@anthropic-ai/claude-agent-sdk';
import { clientToolNameOf } from '../src/contract/client-tools.js';
import type { RunEvent } from '../src/contract/run-events.js';
import { createInterpreter, finishInterpretation, interpretMessage } from '../src/core/interpret-sdk.js';
import { createModelCatalog } from '../src/core/model-catalog.js';
import * as anthropic from '../src/surfaces/anthropic-messages/encode-stream.js';
import { messagesRequestSchema } from '../src/surfaces/anthropic-messages/schema.js';
import { toRunPlan as anthropicPlan } from '../src/surfaces/anthropic-messages/to-plan.js';
import { createChatEncoder } from '../src/surfaces/openai/chat/encode-stream.js';
import * as completions from '../src/surfaces/openai/completions/encode-stream.js';
import { formatSummary, summarize } from './stats.js';

const ROUNDS = 2_000;
const fixtures = path.join(import.meta.dirname, '..', 'src', 'core', 'fixtures');

function events(name: string): RunEvent[] {
  const state = createInterpreter({
    clientToolName: clientToolNameOf,
    agentActivity: false,
    structuredOutput: false,
  });
  const out: RunEvent[] = [];
  for (const line of readFileSync(path.join(fixtures, `${name}.jsonl`), 'utf8')
    .split('\n')
    .filter(Boolean)) {
    out.push(...interpretMessage(state, JSON.parse(line) as SDKMessage));
    if (state.finished) return out;
  }
  return [...out, ...finishInterpretation(state)];
}

/** Median microseconds of `work` over ROUNDS runs (after a warm-up). */
function time(work: () => void): string {
  for (let i = 0; i < 200; i++) work();
  const samples: number[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    const started = performance.now();
    work();
    samples.push((performance.now() - started) * 1000);
  }
  return formatSummary(summarize(samples), 'µs');
}

const encoders: Record<string, (run: RunEvent[]) => void> = {
  'openai-chat': (run) => {
    const encoder = createChatEncoder({ id: 'c', created: 0, model: 'sonnet', includeUsage: true });
    for (const event of run) for (const chunk of encoder.encode(event)) JSON.stringify(chunk);
  },
  'anthropic-messages': (run) => {
    const state = anthropic.createEncoderState({ id: 'm', model: 'sonnet' });
    for (const event of run) for (const frame of anthropic.encodeEvent(state, event)) JSON.stringify(frame);
  },
  'openai-completions': (run) => {
    const state = completions.createEncoderState({
      id: 'c',
      created: 0,
      model: 'sonnet',
      includeUsage: true,
    });
    for (const event of run) {
      for (const frame of completions.encodeEvent(state, event)) JSON.stringify(frame);
    }
  },
};

console.log('Encoding a whole answer into wire frames (JSON text), median (min–max):');
for (const name of ['text-stream', 'thinking-then-text', 'client-tools-parallel']) {
  const run = events(name);
  console.log(`  ${name} (${run.length} events)`);
  for (const [surface, encode] of Object.entries(encoders))
    console.log(`    ${surface.padEnd(20)} ${time(() => encode(run))}`);
}

const body: unknown = JSON.parse(
  readFileSync(
    path.join(
      import.meta.dirname,
      '..',
      'src',
      'surfaces',
      'anthropic-messages',
      'fixtures',
      'claude-code-request.json',
    ),
    'utf8',
  ),
);
const context = {
  models: createModelCatalog(['claude-opus-5-5']),
  systemPromptPlacement: 'replace' as const,
  attachments: { maxBytes: 5 * 1024 * 1024, remoteImages: false },
};
console.log("Request adapter on Claude Code's own 50 KB request (validate + plan):");
console.log(
  `    anthropic-messages   ${time(() => anthropicPlan(messagesRequestSchema.parse(body), context))}`,
);
