import type { ClientToolPolicy } from './run-plan.js';

/**
 * Client (OpenAI) tools reach Claude through an in-process MCP server, so Claude sees them as
 * `mcp__<server>__<name>`. Both the run and the translators need the same naming rule.
 */
export const CLIENT_TOOL_SERVER = 'client';
const PREFIX = `mcp__${CLIENT_TOOL_SERVER}__`;

export function clientToolClaudeName(name: string): string {
  return `${PREFIX}${name}`;
}

/** The client's own name for a Claude tool name, or undefined when the tool is not the client's. */
export function clientToolNameOf(claudeName: string): string | undefined {
  return claudeName.startsWith(PREFIX) ? claudeName.slice(PREFIX.length) : undefined;
}

/** How many client tool calls one answer may return: 0 for `none`, 1 without parallel calls. */
export function maxClientToolCalls(policy: ClientToolPolicy | undefined): number | undefined {
  if (policy?.choice === 'none') return 0;
  if (policy?.parallel === false) return 1;
  return undefined;
}
