import { z } from 'zod';

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
