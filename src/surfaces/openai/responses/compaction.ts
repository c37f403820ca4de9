/**
 * Compaction: a conversation summarized by Claude into one `compaction` item that stands for all of
 * it in later requests. Asked for by POST /responses/compact (OpenAI's endpoint), or by a Codex
 * request whose input ends with a `compaction_trigger` item (Codex's remote compaction).
 *
 * The item's `encrypted_content` is this gateway's own encoding of the summary text (OpenAI's is
 * encrypted model state no other server can read): opaque to clients, and harmless if forged, since
 * a client could send the same text as a message.
 */
import { invalidRequest } from '../../../contract/errors.js';
import type { RunPlan, SystemPromptPlacement } from '../../../contract/run-plan.js';
import { placeSystemPrompt } from '../../../core/plan-conversation.js';
import type { ContentPart, InputItem } from './schema.js';

const ENCODING_PREFIX = 'cgc1.';

/** What Claude is asked to do with a conversation to compact. */
const SUMMARIZER_PROMPT = [
  'You write the handoff summary of a conversation that is being compacted to free its context window.',
  'Another assistant will continue the work from your summary alone, so keep every fact, decision,',
  'constraint, preference, open question, name, file, identifier and result it will need, and what',
  'remains to be done next. Leave out greetings and repetition. Answer with the summary only.',
].join(' ');

export function encodeSummary(summary: string): string {
  return `${ENCODING_PREFIX}${Buffer.from(summary, 'utf8').toString('base64url')}`;
}

/** The summary a compaction item carries; a 400 naming `param` for content this gateway did not make. */
export function decodeSummary(encrypted: string, param: string): string {
  if (!encrypted.startsWith(ENCODING_PREFIX)) {
    throw invalidRequest(
      'This compaction item was not made by this gateway: compact the conversation here (POST /v1/responses/compact).',
      `${param}.encrypted_content`,
      'invalid_encrypted_content',
    );
  }
  return Buffer.from(encrypted.slice(ENCODING_PREFIX.length), 'base64url').toString('utf8');
}

/** The user-turn text that stands for a compacted conversation in what Claude sees. */
export function summaryTurnText(summary: string): string {
  return `Summary of the conversation before this point (it was compacted to save context):\n\n${summary}`;
}

/**
 * The plan that asks Claude for the summary of `items`: their transcript as one user prompt, no
 * tools, no thinking. System and developer messages are left out: clients send their instructions
 * again with every request, and Codex puts them back after a compaction.
 */
export function compactionPlan(
  items: readonly InputItem[],
  model: string,
  placement: SystemPromptPlacement,
): RunPlan {
  const transcript = items.flatMap((item, i) => transcriptLines(item, `input[${i}]`)).join('\n\n');
  const plan: RunPlan = {
    model,
    history: [],
    prompt: [
      {
        type: 'text',
        text: `<conversation>\n${transcript}\n</conversation>\n\nWrite the handoff summary of the conversation above.`,
      },
    ],
    thinking: 'disabled',
    clientTools: [],
  };
  placeSystemPrompt(plan, SUMMARIZER_PROMPT, placement);
  return plan;
}

function transcriptLines(item: InputItem, param: string): string[] {
  switch (item.type) {
    case 'message':
      if (item.role === 'system' || item.role === 'developer') return [];
      return [`[${item.role}]\n${contentText(item.content)}`];
    case 'function_call':
      return [`[assistant called ${item.name} (call ${item.call_id})]\n${item.arguments}`];
    case 'function_call_output':
      return [`[result of call ${item.call_id}]\n${contentText(item.output)}`];
    case 'compaction':
      return [`[summary of what came before]\n${decodeSummary(item.encrypted_content, param)}`];
    default:
      // Reasoning carries nothing readable here; references are resolved before planning.
      return [];
  }
}

function contentText(content: string | readonly ContentPart[]): string {
  if (typeof content === 'string') return content;
  return content
    .map((part) => {
      switch (part.type) {
        case 'input_text':
        case 'output_text':
          return part.text;
        case 'refusal':
          return part.refusal;
        case 'input_image':
          return '[an image]';
        case 'input_file':
          return `[a file${part.filename ? `: ${part.filename}` : ''}]`;
        default:
          return '';
      }
    })
    .filter(Boolean)
    .join('\n');
}
