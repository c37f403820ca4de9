/**
 * Issue 9's figures: time to first token on every surface, in the same run and interleaved (so
 * background load falls on all alike), and each surface's difference from chat completions. Two
 * paths: a new conversation started cold (every surface), and a continued conversation on a hot
 * process (the surfaces that continue one: chat by history, Responses by previous_response_id,
 * Anthropic Messages by history), where the gateway's own work is most of what is left.
 */
import { randomUUID } from 'node:crypto';
import { waitForQuiet } from './proc-stats.js';
import type { TimedChat } from './timed-chat.js';
import {
  BENCH_SURFACES,
  type BenchSurface,
  requestFor,
  type SurfaceRequest,
  timedSurface,
} from './timed-surface.js';

const failed = (): TimedChat => ({
  ok: false,
  status: 0,
  ttftMs: Number.NaN,
  ttlbMs: Number.NaN,
  content: '',
});

export async function surfacesCold(
  url: string,
  rootPid: number,
  model: string,
  runs: number,
): Promise<Record<BenchSurface, TimedChat[]>> {
  const out = Object.fromEntries(BENCH_SURFACES.map((surface) => [surface, [] as TimedChat[]])) as Record<
    BenchSurface,
    TimedChat[]
  >;
  for (let i = 0; i < runs; i++) {
    for (const surface of BENCH_SURFACES) {
      await waitForQuiet(rootPid);
      out[surface].push(
        await timedSurface(url, surface, requestFor(surface, model, `surface ${i} ${randomUUID()}`)).catch(
          failed,
        ),
      );
    }
  }
  return out;
}

export const HOT_SURFACES = ['openai-chat', 'openai-responses', 'anthropic-messages'] as const;
type HotSurface = (typeof HOT_SURFACES)[number];

/** Turn 1 (not timed, not streamed), then the timed streaming turn 2 that continues it. */
async function continuedTurn(
  url: string,
  surface: HotSurface,
  model: string,
  tag: string,
): Promise<TimedChat> {
  const first = `first turn ${tag}`;
  const second = `second turn ${tag}`;
  const turn1 = requestFor(surface, model, first);
  const response = await fetch(`${url}${turn1.path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ ...(turn1.body as object), stream: false }),
  });
  const answer = (await response.json()) as Record<string, unknown>;
  let turn2: SurfaceRequest;
  switch (surface) {
    case 'openai-chat': {
      const choices = answer.choices as Array<{ message: { content: string } }>;
      turn2 = {
        path: turn1.path,
        body: {
          model,
          stream: true,
          messages: [
            { role: 'user', content: first },
            { role: 'assistant', content: choices[0]?.message.content ?? '' },
            { role: 'user', content: second },
          ],
        },
      };
      break;
    }
    case 'openai-responses':
      turn2 = {
        path: turn1.path,
        body: { model, stream: true, previous_response_id: answer.id, input: second },
      };
      break;
    case 'anthropic-messages':
      turn2 = {
        path: turn1.path,
        body: {
          model,
          stream: true,
          max_tokens: 32_000,
          messages: [
            { role: 'user', content: first },
            { role: 'assistant', content: answer.content },
            { role: 'user', content: second },
          ],
        },
      };
      break;
  }
  return timedSurface(url, surface, turn2);
}

export async function surfacesHot(
  url: string,
  rootPid: number,
  model: string,
  runs: number,
): Promise<Record<HotSurface, TimedChat[]>> {
  const out = Object.fromEntries(HOT_SURFACES.map((surface) => [surface, [] as TimedChat[]])) as Record<
    HotSurface,
    TimedChat[]
  >;
  for (let i = 0; i < runs; i++) {
    for (const surface of HOT_SURFACES) {
      await waitForQuiet(rootPid);
      out[surface].push(await continuedTurn(url, surface, model, `${i} ${randomUUID()}`).catch(failed));
    }
  }
  return out;
}
