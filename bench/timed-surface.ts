/**
 * One streaming request on each surface, timed from the request to its first answer text and to the
 * end of the body: the same prompt through every wire, so their times can be compared in one run.
 */
import { DONE, sseEvents } from '../test/helpers/sse-events.js';

/** One streamed request, timed from the request to each milestone. */
export interface TimedChat {
  ok: boolean;
  status: number;
  /** Request sent → first frame with answer text. */
  ttftMs: number;
  /** Request sent → end of the response body. */
  ttlbMs: number;
  /** Request sent → the last frame with answer text (the answer is complete from here on). */
  lastContentMs?: number;
  /**
   * Claude Code's own part of the time to first token: from the turn handed to it to its first event
   * (the gateway's `Server-Timing: claude;dur=`, or the SDK's time to `message_start`).
   */
  claudeMs?: number;
  /** The gateway's own part before the turn reached Claude Code (`Server-Timing: gateway;dur=`). */
  gatewayMs?: number;
  content: string;
}

export const BENCH_SURFACES = [
  'openai-chat',
  'openai-responses',
  'anthropic-messages',
  'openai-completions',
] as const;
export type BenchSurface = (typeof BENCH_SURFACES)[number];

export interface SurfaceRequest {
  path: string;
  body: unknown;
  /** Extra request headers (an API key). */
  headers?: Record<string, string>;
}

/** A new one-message conversation in that surface's own request shape, streamed. */
export function requestFor(surface: BenchSurface, model: string, prompt: string): SurfaceRequest {
  switch (surface) {
    case 'openai-chat':
      return {
        path: '/v1/chat/completions',
        body: { model, stream: true, messages: [{ role: 'user', content: prompt }] },
      };
    case 'openai-responses':
      return { path: '/v1/responses', body: { model, stream: true, input: prompt } };
    case 'anthropic-messages':
      return {
        path: '/v1/messages',
        body: { model, stream: true, max_tokens: 32_000, messages: [{ role: 'user', content: prompt }] },
      };
    case 'openai-completions':
      return { path: '/v1/completions', body: { model, stream: true, prompt } };
  }
}

/** The answer text a frame of that wire carries, if any. */
export function textOf(surface: BenchSurface, data: unknown): { text: string; failed: boolean } {
  if (data === DONE) return { text: '', failed: false };
  const frame = data as Record<string, unknown>;
  if (frame.error || frame.type === 'error' || frame.type === 'response.failed')
    return { text: '', failed: true };
  switch (surface) {
    case 'openai-chat': {
      const choices = frame.choices as Array<{ delta?: { content?: string | null } }> | undefined;
      return { text: choices?.[0]?.delta?.content ?? '', failed: false };
    }
    case 'openai-completions': {
      const choices = frame.choices as Array<{ text?: string }> | undefined;
      return { text: choices?.[0]?.text ?? '', failed: false };
    }
    case 'openai-responses':
      return {
        text: frame.type === 'response.output_text.delta' ? String(frame.delta ?? '') : '',
        failed: false,
      };
    case 'anthropic-messages': {
      const delta = frame.delta as { type?: string; text?: string } | undefined;
      return {
        text: frame.type === 'content_block_delta' && delta?.type === 'text_delta' ? (delta.text ?? '') : '',
        failed: false,
      };
    }
  }
}

export async function timedSurface(
  baseUrl: string,
  surface: BenchSurface,
  { path, body, headers = {} }: SurfaceRequest,
): Promise<TimedChat> {
  const started = performance.now();
  let ttftMs = Number.NaN;
  let lastContentMs = Number.NaN;
  let content = '';
  let failed = false;
  const response = await fetch(`${baseUrl}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
  if (!response.ok || !response.body) {
    await response.text().catch(() => '');
    const ttlbMs = performance.now() - started;
    return { ok: false, status: response.status, ttftMs, ttlbMs, lastContentMs, content };
  }
  // The tests' strict SSE reader: a malformed stream fails the run rather than skewing its numbers.
  for await (const frame of sseEvents(response)) {
    const { text, failed: frameFailed } = textOf(surface, frame.data);
    if (frameFailed) failed = true;
    if (text) {
      if (Number.isNaN(ttftMs)) ttftMs = performance.now() - started;
      lastContentMs = performance.now() - started;
      content += text;
    }
  }
  return {
    ok: !failed && content.length > 0,
    status: response.status,
    ttftMs,
    ttlbMs: performance.now() - started,
    lastContentMs,
    content,
  };
}
