/**
 * How agent-mode tool activity reads in `reasoning_content`: one short line per tool call and per
 * result, so a chat UI shows what Claude Code did without the answer (`content`) being polluted.
 */

const MAX_ARGUMENT_CHARS = 200;
const MAX_RESULT_CHARS = 300;

/** Input fields that say the most about a call, in order of preference. */
const SALIENT_FIELDS = ['file_path', 'notebook_path', 'path', 'pattern', 'command', 'url', 'query'];

export function describeToolUse(name: string, input: unknown): string {
  return `\n[tool] ${name} ${summarizeInput(input)}\n`;
}

export function describeToolResult(output: string, isError: boolean): string {
  const label = isError ? '[tool error]' : '[tool result]';
  return `${label} ${truncate(collapseWhitespace(output), MAX_RESULT_CHARS)}\n`;
}

function summarizeInput(input: unknown): string {
  if (input === null || typeof input !== 'object' || Array.isArray(input)) {
    return truncate(JSON.stringify(input) ?? '', MAX_ARGUMENT_CHARS);
  }
  const record = input as Record<string, unknown>;
  const salient = SALIENT_FIELDS.map((field) => record[field]).filter(
    (value): value is string => typeof value === 'string' && value !== '',
  );
  const summary = salient.length > 0 ? salient.join(' ') : JSON.stringify(record);
  return truncate(collapseWhitespace(summary), MAX_ARGUMENT_CHARS);
}

function collapseWhitespace(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

function truncate(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}
