import type { ClaudeUsage } from './interpret-sdk.js';

/** USD per million tokens; cache reads cost a tenth of input and 5-minute cache writes 1.25x. */
interface Price {
  input: number;
  output: number;
}

// List prices by family; Claude Code's own figure is used whenever it reports one, so this only
// covers answers the gateway ends early (tool calls, max_tokens, stop sequences).
const PRICES: ReadonlyArray<readonly [RegExp, Price]> = [
  [/opus/i, { input: 5, output: 25 }],
  [/haiku/i, { input: 1, output: 5 }],
  [/sonnet/i, { input: 3, output: 15 }],
];
const FALLBACK: Price = { input: 3, output: 15 };

/**
 * An estimate of what a run cost when Claude Code never reported it, so per-key budgets are charged
 * for every answer, including those cut short before the CLI's result.
 */
export function estimateCostUsd(model: string, usage: ClaudeUsage): number {
  const price = PRICES.find(([pattern]) => pattern.test(model))?.[1] ?? FALLBACK;
  const perToken = (perMillion: number) => perMillion / 1_000_000;
  return (
    (usage.input_tokens ?? 0) * perToken(price.input) +
    (usage.cache_read_input_tokens ?? 0) * perToken(price.input * 0.1) +
    (usage.cache_creation_input_tokens ?? 0) * perToken(price.input * 1.25) +
    (usage.output_tokens ?? 0) * perToken(price.output)
  );
}
