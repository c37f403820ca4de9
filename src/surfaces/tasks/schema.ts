// zod with `.openapi()`: a schema gets that method only if it is built after the extension loads.
import { z } from '@hono/zod-openapi';

const toolName = z.string().min(1).max(128);

/** POST /api/v1/tasks: a job for Claude Code, in the native API's camelCase style. */
export const taskRequestSchema = z.strictObject({
  prompt: z.string().min(1),
  /** Absolute path inside AGENT_ALLOWED_ROOTS. */
  cwd: z.string().min(1),
  /** Claude Code tools; absent: every tool the key and the gateway allow. */
  tools: z.array(toolName).max(64).optional(),
  /** Subagents from CLAUDE_HOME the task may delegate to. */
  agents: z.array(toolName).max(64).optional(),
  /** Skills from CLAUDE_HOME the task may use. */
  skills: z.array(toolName).max(64).optional(),
  model: z.string().min(1).optional(),
  maxTurns: z.number().int().min(1).optional(),
  /** Seconds. */
  timeout: z.number().positive().optional(),
  maxBudgetUsd: z.number().positive().optional(),
  stream: z.boolean().optional(),
  background: z.boolean().optional(),
});

export type TaskRequest = z.infer<typeof taskRequestSchema>;

/** POST /api/v1/templates/{name}/generate. */
export const generateRequestSchema = z.strictObject({
  variables: z.record(z.string(), z.string()).default({}),
  stream: z.boolean().optional(),
  /** Seconds. */
  timeout: z.number().positive().optional(),
});

/** POST /api/generate/card[/stream], as the seed server took it. */
export const cardRequestSchema = z.object({
  topic: z.string().min(1),
  templateName: z.string().min(1).optional(),
  /** Milliseconds, as the seed server took it. */
  timeout: z.number().positive().optional(),
});

/** POST /api/claude/execute. */
export const commandRequestSchema = z.object({ command: z.string().min(1), stream: z.boolean().optional() });

/** POST /api/execute[/stream]. */
export const executeRequestSchema = z.object({
  prompt: z.string().min(1),
  working_directory: z.string().min(1).optional(),
  session_id: z.string().optional(),
  /** Seconds, as the seed server took it. */
  timeout: z.number().positive().optional(),
  env_vars: z.record(z.string(), z.string()).optional(),
  stream: z.boolean().optional(),
});

export type ExecuteRequest = z.infer<typeof executeRequestSchema>;
