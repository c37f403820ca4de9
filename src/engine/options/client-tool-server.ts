import type { McpSdkServerConfigWithInstance } from '@anthropic-ai/claude-agent-sdk';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import {
  CallToolRequestSchema,
  ErrorCode,
  ListToolsRequestSchema,
  McpError,
  type Tool,
} from '@modelcontextprotocol/sdk/types.js';
import { CLIENT_TOOL_SERVER } from '../../contract/client-tools.js';
import type { ClientToolDefinition } from '../../contract/run-plan.js';

/**
 * The client's (OpenAI) tools as an in-process MCP server, so Claude calls them natively as
 * `mcp__client__<name>`. The Agent SDK's `tool()` helper only takes zod shapes; the client sent JSON
 * Schema, so the server answers `tools/list` itself with the schemas exactly as sent.
 *
 * A call is never answered: the client runs its tools itself, after the gateway has returned the
 * calls as OpenAI `tool_calls` and stopped Claude Code. The handler only waits for that teardown
 * (the SDK closes the transport, which aborts the request) and fabricates no result.
 */
export function createClientToolServer(
  tools: readonly ClientToolDefinition[],
): McpSdkServerConfigWithInstance {
  const server = new McpServer({ name: CLIENT_TOOL_SERVER, version: '1.0.0' });
  server.server.registerCapabilities({ tools: {} });
  const listed: Tool[] = tools.map((tool) => ({
    name: tool.name,
    description: tool.description,
    inputSchema: tool.inputSchema as Tool['inputSchema'],
  }));
  server.server.setRequestHandler(ListToolsRequestSchema, () => ({ tools: listed }));
  server.server.setRequestHandler(CallToolRequestSchema, (_request, extra) => untilTornDown(extra.signal));
  return { type: 'sdk', name: CLIENT_TOOL_SERVER, instance: server };
}

function untilTornDown(signal: AbortSignal): Promise<never> {
  return new Promise((_resolve, reject) => {
    const stop = () =>
      reject(new McpError(ErrorCode.InternalError, 'The run ended; the client executes this tool.'));
    if (signal.aborted) stop();
    else signal.addEventListener('abort', stop, { once: true });
  });
}
