import type { HookCallback } from '@anthropic-ai/claude-agent-sdk';
import { CLIENT_TOOL_SERVER, clientToolClaudeName } from '../../contract/client-tools.js';
import type { ClientToolPolicy } from '../../contract/run-plan.js';
import type { ClaudeLaunch } from './claude-launch.js';
import { createClientToolServer } from './client-tool-server.js';
import type { LaunchExtender } from './plan-launch.js';
import { thinkingTurnsOff } from './thinking-off-models.js';

const DEFAULT_POLICY: ClientToolPolicy = { choice: 'auto', parallel: true };

/**
 * What gives Claude the client's tools: an in-process MCP server named `client` whose tools are
 * allowed without a permission prompt, and the OpenAI `tool_choice` in Claude's terms.
 *
 * - `none` and `parallel_tool_calls: false` go to the Messages API as its own `tool_choice`
 *   (`{type:"none"}`, `disable_parallel_tool_use`) in the extra request body.
 * - `required` and a named function go there too when the run has thinking disabled and Claude Code
 *   can turn it off for the model (thinking-off-models.ts). With thinking on they cannot: the API refuses a forced `tool_choice` while thinking is on, and Claude Code keeps
 *   adaptive thinking on for current models (it demotes its own forced choices for the same reason).
 *   They become an instruction in the system prompt plus a Stop hook that sends the model back once
 *   if it tries to end its turn without calling a tool; an answer that still calls none fails
 *   (forced-tool-choice.ts in the core).
 */
export const clientToolOptions: LaunchExtender = (plan, launch) => {
  if (plan.clientTools.length === 0) return launch;
  const policy = plan.clientToolPolicy ?? DEFAULT_POLICY;
  const thinkingOff = plan.thinking === 'disabled' && thinkingTurnsOff(plan.model);
  const apiToolChoice = plan.outputSchema ? undefined : messagesApiToolChoice(policy, thinkingOff);
  // A choice the API enforces itself needs no instruction and no second attempt.
  const instruction =
    apiToolChoice && apiToolChoice.type !== 'auto' ? undefined : mustCallInstruction(policy);
  const { sdk } = launch;
  const extended: ClaudeLaunch = {
    ...launch,
    // Deferred tool loading would hide tools behind ToolSearch, a built-in tool a chat run does not have.
    runEnv: { ...launch.runEnv, ENABLE_TOOL_SEARCH: 'false' },
    ...(apiToolChoice ? { extraBody: { ...launch.extraBody, tool_choice: apiToolChoice } } : {}),
    inProcessServers: {
      ...launch.inProcessServers,
      [CLIENT_TOOL_SERVER]: createClientToolServer(plan.clientTools),
    },
    // Claude Code must hold its start until the SDK's initialize request has registered the server:
    // the SDK asks for that itself only when it spawns the bundled binary, and the gateway spawns it.
    // Without it, a resumed turn (tool results, client-tool-continuation.ts) can reach the model
    // before the client's tools exist.
    awaitInitialize: true,
    sdk: {
      ...sdk,
      // One rule for the whole server (Claude Code's `mcp__<server>` form) rather than one per tool:
      // runs with other tools then share the launch a warm spare starts with (it takes the tools later).
      allowedTools: [...(sdk.allowedTools ?? []), `mcp__${CLIENT_TOOL_SERVER}`],
      // A bounded loop: one response, plus one more when the Stop hook sends the model back or it
      // called a tool that does not exist (Claude Code tells it so). The run itself ends at the first
      // client tool call. Agent runs and structured output need their own turns, so they keep theirs.
      ...(!plan.agent && !plan.outputSchema ? { maxTurns: 2 } : {}),
    },
  };
  if (instruction) {
    const { text } = launch.systemPrompt;
    extended.systemPrompt = {
      ...launch.systemPrompt,
      text: text ? `${text}\n\n${instruction}` : instruction,
    };
    extended.hooks = {
      ...launch.hooks,
      Stop: [...(launch.hooks?.Stop ?? []), { hooks: [sendBack(instruction)] }],
    };
  }
  return extended;
};

/** A Messages API `tool_choice`, as Claude Code sends it in the extra request body. */
export type ApiToolChoice =
  | { type: 'none' }
  | { type: 'auto' | 'any'; disable_parallel_tool_use?: true }
  | { type: 'tool'; name: string; disable_parallel_tool_use?: true };

/** The Messages API `tool_choice` for a policy that it can honour itself, or undefined for its default. */
export function messagesApiToolChoice(
  policy: ClientToolPolicy,
  thinkingOff: boolean,
): ApiToolChoice | undefined {
  const { choice } = policy;
  if (choice === 'none') return { type: 'none' };
  const single = policy.parallel ? {} : { disable_parallel_tool_use: true as const };
  // The API takes a forced choice only from a request without thinking.
  if (thinkingOff && choice === 'required') return { type: 'any', ...single };
  if (thinkingOff && typeof choice === 'object') {
    return { type: 'tool', name: clientToolClaudeName(choice.name), ...single };
  }
  if (!policy.parallel) return { type: 'auto', ...single };
  return undefined;
}

/** What the model is told when it must call a tool; undefined when it may answer in text. */
export function mustCallInstruction(policy: ClientToolPolicy): string | undefined {
  const { choice } = policy;
  if (choice === 'required') {
    return 'In this response you must call at least one of the available tools; do not answer with text alone.';
  }
  if (typeof choice === 'object') {
    return `In this response you must call the tool \`${clientToolClaudeName(choice.name)}\`; do not answer with text alone.`;
  }
  return undefined;
}

/** Sends the model back once when it ends its turn without the tool call it was told to make. */
function sendBack(instruction: string): HookCallback {
  return async (input) => {
    if (input.hook_event_name !== 'Stop' || input.stop_hook_active) return {};
    return { decision: 'block', reason: instruction };
  };
}
