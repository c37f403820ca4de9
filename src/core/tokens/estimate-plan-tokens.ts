/**
 * An estimate of the input tokens of a run plan as Claude would count them, for token-count
 * endpoints that answer without running anything (the Responses API's `input_tokens`). Clients size
 * their context by it (Codex compacts when it nears the window), so every approximation errs high.
 */
import type { ClaudeContentBlock, RunPlan } from '../../contract/run-plan.js';
import type { TokenCounter } from './token-counter.js';

/**
 * Claude's tokenizers split text into more tokens than cl100k_base: Anthropic's published (Claude 2)
 * tokenizer by 1.04-1.15x on Claude Code's own prompt and tools (measured; code is the high end), and
 * Claude 3.5's by 1.16x (prose) to 1.3x (code) over GPT-4o's in published comparisons. 1.5 covers
 * both with room; see "Counting tokens" in docs/anthropic-messages.md.
 */
export const TEXT_SCALE = 1.5;
/** Anthropic: an image costs about width*height/750 tokens, and images are scaled to stay under ~1600. */
export const IMAGE_TOKENS = 1600;
/** Anthropic: a PDF page costs 1,500-3,000 tokens (its text plus the page as an image). */
export const PDF_PAGE_TOKENS = 3000;
/** The tool-use system prompt the API adds when tools are present (documented as 300-350 tokens). */
export const TOOLS_PREAMBLE_TOKENS = 350;
/** Role markers around each message and the framing of the whole prompt. */
export const PER_MESSAGE_TOKENS = 4;
export const PER_REQUEST_TOKENS = 8;

export function estimatePlanTokens(plan: RunPlan, count: TokenCounter): number {
  let text = 0;
  let fixed = PER_REQUEST_TOKENS;
  const addText = (value: string) => {
    if (value) text += count(value);
  };
  addText(plan.systemPrompt?.text ?? '');
  for (const content of [...plan.history.map((turn) => turn.content), plan.prompt]) {
    fixed += PER_MESSAGE_TOKENS;
    for (const block of content) fixed += blockTokens(block, addText);
  }
  if (plan.clientTools.length > 0) fixed += TOOLS_PREAMBLE_TOKENS;
  for (const tool of plan.clientTools) {
    addText(tool.name);
    addText(tool.description);
    addText(JSON.stringify(tool.inputSchema));
  }
  if (plan.outputSchema) addText(JSON.stringify(plan.outputSchema));
  return Math.ceil(text * TEXT_SCALE) + fixed;
}

/** Adds a block's text through `addText`; returns the tokens it costs beyond its text. */
function blockTokens(block: ClaudeContentBlock, addText: (text: string) => void): number {
  switch (block.type) {
    case 'text':
      addText(block.text);
      return 0;
    case 'image':
      return IMAGE_TOKENS;
    case 'document':
      if (block.source.type === 'text') {
        addText(block.source.data);
        return 0;
      }
      return pdfPageCount(block.source.data) * PDF_PAGE_TOKENS;
    case 'tool_use':
      addText(block.name);
      addText(JSON.stringify(block.input));
      return 0;
    case 'tool_result':
      return block.content.reduce((extra, part) => extra + blockTokens(part, addText), 0);
  }
}

/** Page objects in a PDF (`/Type /Page`, not `/Pages`); at least one. */
function pdfPageCount(base64: string): number {
  const bytes = Buffer.from(base64, 'base64').toString('latin1');
  return Math.max(1, bytes.match(/\/Type\s*\/Page(?![a-zA-Z])/g)?.length ?? 0);
}
