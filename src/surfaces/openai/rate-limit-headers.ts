import type { RateLimitHeaderRenderer } from '../../http/rate-limit-headers.js';

/**
 * OpenAI's requests-per-minute headers, which openai-node and most OpenAI clients read to back off:
 * `x-ratelimit-limit-requests`, `-remaining-requests`, `-reset-requests` (a duration such as `42s`).
 */
export const openAIRateLimitHeaders: RateLimitHeaderRenderer = (standing, now) => ({
  'x-ratelimit-limit-requests': String(standing.limit),
  'x-ratelimit-remaining-requests': String(standing.remaining),
  'x-ratelimit-reset-requests': formatDuration(Math.max(0, (standing.resetAt - now) / 1000)),
});

/** OpenAI writes reset times as Go-style durations: `20ms`, `1.5s`, `6m0s`. */
export function formatDuration(seconds: number): string {
  if (seconds < 1) return `${Math.max(0, Math.round(seconds * 1000))}ms`;
  if (seconds < 60) return `${Number(seconds.toFixed(3))}s`;
  const whole = Math.round(seconds);
  return `${Math.floor(whole / 60)}m${whole % 60}s`;
}
