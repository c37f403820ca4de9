/**
 * Responses input items as Claude turns. The same conversion serves a request's own `input`, the
 * items of a stored `previous_response_id` chain and a history Codex resends whole, so one
 * conversation always becomes the same turns and the core's session fingerprints recognise it.
 */
import { clientToolClaudeName } from '../../../contract/client-tools.js';
import { GatewayError } from '../../../contract/gateway-error.js';
import type { ClaudeContentBlock, ClaudeTurn } from '../../../contract/run-plan.js';
import { type AttachmentLimits, documentBlock, imageBlock } from '../../../core/content/attachment-blocks.js';
import { decodeSummary, summaryTurnText } from './compaction.js';
import type { ContentPart, InputItem } from './schema.js';

export interface ItemTurns {
  /** System and developer messages, in order. */
  systemTexts: string[];
  turns: ClaudeTurn[];
}

/** An item together with the field that names it in errors (`input[3]`, or the stored chain). */
export interface PlacedItem {
  item: InputItem;
  param: string;
}

export const invalidInput = (message: string, param: string | null, code: string | null = null) =>
  new GatewayError({ kind: 'invalid_request', status: 400, message, param, code });

export function itemsToTurns(items: readonly PlacedItem[], limits: AttachmentLimits): ItemTurns {
  const systemTexts: string[] = [];
  const turns: ClaudeTurn[] = [];
  // Calls waiting for their output: the Messages API (like OpenAI) wants every call answered next.
  const open = new Map<string, string>();
  const push = (turn: ClaudeTurn) => {
    if (turn.content.length === 0) return;
    const previous = turns.at(-1);
    if (previous?.role === turn.role) previous.content.push(...turn.content);
    else turns.push(turn);
  };
  const requireAnswered = (param: string) => {
    const [callId, callParam] = [...open.entries()][0] ?? [];
    if (callId === undefined) return;
    throw invalidInput(
      `The function call '${callId}' (${callParam}) has no function_call_output before ${param}.`,
      callParam ?? param,
      'missing_function_call_output',
    );
  };

  for (const { item, param } of items) {
    switch (item.type) {
      case 'reasoning':
        continue;
      case 'item_reference':
        // respond.ts resolves references from the store before planning; one left is unknown.
        throw invalidInput(`No stored item with id '${item.id}'.`, `${param}.id`, 'item_not_found');
      case 'message': {
        if (item.role === 'system' || item.role === 'developer') {
          const text = typeof item.content === 'string' ? item.content : textOf(item.content);
          if (text.trim()) systemTexts.push(text);
          continue;
        }
        requireAnswered(param);
        if (item.role === 'assistant') {
          const text = typeof item.content === 'string' ? item.content : textOf(item.content);
          push({ role: 'assistant', content: text ? [{ type: 'text', text }] : [] });
        } else {
          push({ role: 'user', content: userBlocks(item.content, `${param}.content`, limits) });
        }
        continue;
      }
      case 'function_call':
        open.set(item.call_id, param);
        push({
          role: 'assistant',
          content: [
            {
              type: 'tool_use',
              id: item.call_id,
              name: clientToolClaudeName(item.name),
              input: parseArguments(item.arguments),
            },
          ],
        });
        continue;
      case 'function_call_output': {
        if (!open.delete(item.call_id)) {
          throw invalidInput(
            `No function_call with call_id '${item.call_id}' precedes this function_call_output.`,
            `${param}.call_id`,
          );
        }
        push({
          role: 'user',
          content: [
            {
              type: 'tool_result',
              tool_use_id: item.call_id,
              content: toolResultContent(item.output, `${param}.output`, limits),
            },
          ],
        });
        continue;
      }
      case 'compaction':
        requireAnswered(param);
        push({
          role: 'user',
          content: [{ type: 'text', text: summaryTurnText(decodeSummary(item.encrypted_content, param)) }],
        });
        continue;
      case 'compaction_trigger':
        // to-plan turns a request ending with one into a compaction; anywhere else it means nothing.
        throw invalidInput(
          'A compaction_trigger item must be the last input item.',
          `${param}.type`,
          'invalid_compaction_trigger',
        );
      case 'unsupported':
        throw invalidInput(
          `Input items of type '${item.itemType}' are not supported; send messages, function_call and function_call_output items.`,
          `${param}.type`,
          'unsupported_item_type',
        );
    }
  }
  // Tool results must come first in a user turn (the Messages API rejects them after text).
  for (const turn of turns) {
    if (turn.role === 'user') turn.content.sort((a, b) => rank(a) - rank(b));
  }
  return { systemTexts, turns };
}

function rank(block: ClaudeContentBlock): number {
  return block.type === 'tool_result' ? 0 : 1;
}

function textOf(parts: readonly ContentPart[]): string {
  return parts
    .map((part) => (part.type === 'input_text' || part.type === 'output_text' ? part.text : ''))
    .join('');
}

function userBlocks(
  content: string | readonly ContentPart[],
  param: string,
  limits: AttachmentLimits,
): ClaudeContentBlock[] {
  if (typeof content === 'string') return content ? [{ type: 'text', text: content }] : [];
  return content.flatMap((part, j): ClaudeContentBlock[] => {
    const partParam = `${param}[${j}]`;
    switch (part.type) {
      case 'input_text':
      case 'output_text':
        return part.text ? [{ type: 'text', text: part.text }] : [];
      case 'refusal':
        return [];
      case 'input_image':
        if (!part.image_url) {
          throw invalidInput(
            'Images must be given as image_url (an http(s) or base64 data URL); file ids are not supported.',
            `${partParam}.image_url`,
            'unsupported_file_id',
          );
        }
        return [imageBlock(part.image_url, `${partParam}.image_url`, limits)];
      case 'input_file':
        if (!part.file_data) {
          throw invalidInput(
            'Files must be given as file_data (a base64 data URL of a PDF or plain text); file ids and file URLs are not supported.',
            `${partParam}.file_data`,
            'unsupported_file_id',
          );
        }
        return [documentBlock(part.file_data, part.filename ?? undefined, `${partParam}.file_data`, limits)];
      case 'input_audio':
        throw invalidInput('Audio input is not supported by Claude.', partParam, 'unsupported_parameter');
      default:
        return [];
    }
  });
}

function toolResultContent(
  output: string | readonly ContentPart[],
  param: string,
  limits: AttachmentLimits,
): Array<{ type: 'text'; text: string } | Extract<ClaudeContentBlock, { type: 'image' }>> {
  // The Messages API rejects empty text blocks; an empty result is a result without content.
  if (typeof output === 'string') return output ? [{ type: 'text', text: output }] : [];
  return userBlocks(output, param, limits).flatMap((block) => {
    if (block.type === 'text' || block.type === 'image') return [block];
    throw invalidInput('A function_call_output may hold text and images only.', param);
  });
}

/** Arguments as the object Claude's tool_use carries; a client's non-JSON text is kept, not lost. */
export function parseArguments(text: string): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(text || '{}');
    return value !== null && typeof value === 'object' && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : { value };
  } catch {
    return { arguments: text };
  }
}
