import type { McpSdkServerConfigWithInstance, Query } from '@anthropic-ai/claude-agent-sdk';
import type { SpareRetarget } from './claude-options.js';

interface ControlRequester {
  request(request: Record<string, unknown>): Promise<unknown>;
}

/**
 * Gives a started, idle Claude Code process what `planRetarget` found the run needs, before its
 * first turn. Each way was checked at the mock to make the API see what a cold start sends:
 * - the system prompt: Claude Code's `set_model` control request with `only_if_model_is_current:
 *   true` and a `system_prompt` replaces the prompt and leaves the model alone (no API call, where a
 *   plain `set_model` may probe the API; refused when the process does not run `model`);
 * - flag settings (`applyFlagSettings`): `effortLevel` gives the `output_config.effort` of `--effort`,
 *   and `env` the variables a cold start is launched with (`max_tokens`, the extra request body);
 * - thinking without a limit: the adaptive thinking of a cold start without `--thinking=disabled`;
 * - in-process MCP servers (`mcp_set_servers`): Claude Code lists their tools before answering, so
 *   the first turn offers them as a cold start with the servers in its options does.
 *
 * The Agent SDK's Query sends control requests through its `request` method, which its types do not
 * declare (0.3.330), so its presence is checked: without it the spare is not used and the run starts
 * cold, as it would have before.
 */
export async function retargetSpare(query: Query, retarget: SpareRetarget): Promise<void> {
  // The servers connect (an in-process round trip per MCP request) while the rest is sent.
  await Promise.all([
    retarget.mcpServers ? addServers(query, retarget.mcpServers) : undefined,
    applySettings(query, retarget),
  ]);
}

async function applySettings(query: Query, retarget: SpareRetarget): Promise<void> {
  if (retarget.systemPrompt !== undefined)
    await replaceSystemPrompt(query, retarget.model, retarget.systemPrompt);
  if (retarget.flagSettings) await query.applyFlagSettings(retarget.flagSettings);
  if (retarget.unlimitedThinking) await query.setMaxThinkingTokens(null);
}

/** Connects the run's in-process MCP servers; a server that failed to connect fails the claim. */
async function addServers(
  query: Query,
  servers: Record<string, McpSdkServerConfigWithInstance>,
): Promise<void> {
  const { errors } = await query.setMcpServers(servers);
  const failed = Object.entries(errors);
  if (failed.length > 0) {
    throw new Error(
      `a claimed spare could not connect ${failed.map(([name, why]) => `${name}: ${why}`).join('; ')}`,
    );
  }
}

async function replaceSystemPrompt(query: Query, model: string, systemPrompt: string): Promise<void> {
  const requester = query as unknown as Partial<ControlRequester>;
  if (typeof requester.request !== 'function') {
    throw new Error('this Agent SDK cannot give a started Claude Code process another system prompt');
  }
  await requester.request.call(query, {
    subtype: 'set_model',
    model,
    only_if_model_is_current: true,
    system_prompt: systemPrompt,
  });
}
