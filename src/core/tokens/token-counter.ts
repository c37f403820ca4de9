import { Tiktoken } from 'js-tiktoken/lite';
import cl100kBase from 'js-tiktoken/ranks/cl100k_base';

/** Counts the tokens of a text with some BPE tokenizer. */
export type TokenCounter = (text: string) => number;

/**
 * Claude's tokenizer is not published, so counts come from OpenAI's cl100k_base BPE (js-tiktoken),
 * which estimates scale up (estimate-plan-tokens.ts; "Counting tokens" in
 * docs/anthropic-messages.md says how far off it is). The ranks are parsed on the first count
 * (about a second), not at import, and one counter serves every surface.
 */
export function createCl100kCounter(): TokenCounter {
  let encoder: Tiktoken | undefined;
  return (text) => {
    encoder ??= new Tiktoken(cl100kBase);
    // Special-token text (`<|endoftext|>`) in a prompt is counted as ordinary text, never rejected.
    return encoder.encode(text, [], []).length;
  };
}
