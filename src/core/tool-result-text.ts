/** Claude Code's tool that runs a subagent (`Task` in older CLIs). */
const SUBAGENT_TOOLS = new Set(['Agent', 'Task']);
/** How Claude Code frames a subagent's report for the model that delegated to it. */
const HAND_BACK_START = '[Subagent hand-back]';
const REPORT_START = 'The report follows:\n';
const REPORT_END = /\nagentId: \S+(?:\n|$)/;

/** The text of a tool_result's content (a string, or text blocks joined by newlines; images are left out). */
export function toolResultText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return content
    .map((part: unknown) =>
      part !== null && typeof part === 'object' && 'text' in part && typeof part.text === 'string'
        ? part.text
        : '',
    )
    .join('\n');
}

/**
 * A tool's output as a client sees it. A subagent's result is its report: Claude Code's frame around
 * it (a note to the model, the internal agent id, token counts) is for the model only. Output in a
 * frame this does not recognise is shown as it is.
 */
export function clientToolOutput(toolName: string, output: string): string {
  if (!SUBAGENT_TOOLS.has(toolName) || !output.startsWith(HAND_BACK_START)) return output;
  const start = output.indexOf(REPORT_START);
  if (start < 0) return output;
  const rest = output.slice(start + REPORT_START.length);
  const end = rest.search(REPORT_END);
  const report = end < 0 ? rest : rest.slice(0, end);
  // The frame indents every line of the report by two spaces.
  return report
    .split('\n')
    .map((line) => (line.startsWith('  ') ? line.slice(2) : line))
    .join('\n');
}
