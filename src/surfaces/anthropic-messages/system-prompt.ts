import { invalidRequest } from './errors.js';
import type { AnthropicMessage, MessagesRequest } from './schema.js';

/** The request's system text: `system` plus any `system` messages, without Claude Code's billing line. */
export function clientSystemText(request: Pick<MessagesRequest, 'system' | 'messages'>): string | undefined {
  return joinTexts([systemTextOf(request.system), ...systemMessageTexts(request.messages)]);
}

/**
 * Claude Code, used as a client, starts its system prompt with this line; its value changes on every
 * request, so passing it on would break the prompt cache of every turn.
 */
const BILLING_HEADER = 'x-anthropic-billing-header:';

/** The system prompt as one text, without Claude Code's per-request billing line. */
function systemTextOf(system: MessagesRequest['system']): string | undefined {
  if (system == null) return undefined;
  const texts = typeof system === 'string' ? [system] : system.map((block) => block.text);
  const kept = texts.map(withoutBillingHeader).filter((text) => text.trim() !== '');
  return kept.length > 0 ? kept.join('\n\n') : undefined;
}

/**
 * The text of `system` messages inside `messages` (Claude Code sends its environment block so). They
 * are instructions, not turns: they join the system prompt, in order.
 */
function systemMessageTexts(messages: readonly AnthropicMessage[]): string[] {
  return messages.flatMap((message, i) => {
    if (message.role !== 'system') return [];
    if (typeof message.content === 'string') return [message.content];
    return message.content.map((block, j) => {
      if (block.type !== 'text') {
        throw invalidRequest('A system message may only hold text blocks.', `messages[${i}].content[${j}]`);
      }
      return block.text;
    });
  });
}

function joinTexts(texts: ReadonlyArray<string | undefined>): string | undefined {
  const kept = texts.filter((text): text is string => text !== undefined && text.trim() !== '');
  return kept.length > 0 ? kept.join('\n\n') : undefined;
}

function withoutBillingHeader(text: string): string {
  if (!text.startsWith(BILLING_HEADER)) return text;
  const newline = text.indexOf('\n');
  return newline === -1 ? '' : text.slice(newline + 1);
}
