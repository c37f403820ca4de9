/** What /openapi.json says of the task, template and seed routes (route.ts, templates-route.ts, seed-routes.ts). */
import { createRoute, z } from '@hono/zod-openapi';
import {
  jsonBody,
  jsonOrSseResponse,
  jsonResponse,
  pathParams,
  sseResponse,
} from '../../http/openapi-route.js';
import {
  cardRequestSchema,
  commandRequestSchema,
  executeRequestSchema,
  generateRequestSchema,
  taskRequestSchema,
} from './schema.js';

/** The native error body these paths answer with (render-error.ts). */
const taskErrorSchema = z
  .object({
    error: z.object({
      code: z.string(),
      message: z.string(),
      details: z.object({ kind: z.string(), param: z.string().optional() }),
    }),
    timestamp: z.string().openapi({ format: 'date-time' }),
    requestId: z.string(),
  })
  .openapi('TaskError');

const error = (description: string) => jsonResponse(description, taskErrorSchema);
const common = {
  401: error('Missing or unknown API key.'),
  403: error('The key may not do this (agent mode, tool, agent, skill or model not allowed).'),
};
const runErrors = {
  ...common,
  400: error('Invalid request; `details.param` names the field.'),
  429: error('Rate limit, per-key concurrency, gateway queue full, or budget used up.'),
  502: error('The Claude API refused the gateway’s credentials or failed, or Claude Code crashed.'),
  503: error('No Claude Code slot free in time, the Claude API overloaded or unreachable, or shutting down.'),
  504: error('The run took longer than the gateway allows.'),
};
const taskId = pathParams({ id: 'The task id.' });
const taskTags = ['tasks'];
const seedTags = ['seed routes'];

const taskEventsDescription =
  'Server-sent events with `id` (the event number; send `Last-Event-ID` to resume): `text_delta`, ' +
  '`tool_use`, `tool_result`, `agent`, then one `complete` or `error`.';

export const createTask = createRoute({
  method: 'post',
  path: '/api/v1/tasks',
  summary: 'Run an agentic task in a working directory',
  description:
    'Foreground: the task result (or, with `stream: true`, its events). With `background: true`: 202 and the task id; follow it with GET /api/v1/tasks/{id}/events.',
  tags: taskTags,
  request: { body: jsonBody(taskRequestSchema.openapi('TaskRequest')) },
  responses: {
    200: jsonOrSseResponse(`The task result; with \`stream: true\`: ${taskEventsDescription}`),
    202: jsonResponse(
      'Started in the background.',
      z.object({ taskId: z.string(), status: z.literal('running') }),
    ),
    404: error('`model_not_found`: the gateway does not serve the model.'),
    ...runErrors,
  },
});

export const listTasks = createRoute({
  method: 'get',
  path: '/api/v1/tasks',
  summary: 'The caller’s latest tasks (up to 100)',
  tags: taskTags,
  responses: { 200: jsonResponse('`{data: [task]}`'), ...common },
});

export const getTask = createRoute({
  method: 'get',
  path: '/api/v1/tasks/{id}',
  summary: 'One task: its request, status and, once it ended, its result',
  tags: taskTags,
  request: { params: taskId },
  responses: { 200: jsonResponse('The task.'), 404: error('`task_not_found`.'), ...common },
});

export const taskEvents = createRoute({
  method: 'get',
  path: '/api/v1/tasks/{id}/events',
  summary: 'The task’s events: the log so far, then live until it ends',
  tags: taskTags,
  request: {
    params: taskId,
    headers: z.object({
      'last-event-id': z.string().optional().openapi({ description: 'Resume after this event.' }),
    }),
  },
  responses: { 200: sseResponse(taskEventsDescription), 404: error('`task_not_found`.'), ...common },
});

export const cancelTask = createRoute({
  method: 'delete',
  path: '/api/v1/tasks/{id}',
  summary: 'Cancel a running task (its processes are ended)',
  tags: taskTags,
  request: { params: taskId },
  responses: { 200: jsonResponse('The task as it is now.'), 404: error('`task_not_found`.'), ...common },
});

const catalogEntry = z.object({
  name: z.string(),
  description: z.string(),
  tools: z.array(z.string()).nullable(),
  model: z.string().nullable(),
});

export const listAgents = createRoute({
  method: 'get',
  path: '/api/v1/agents',
  summary: 'The owner’s subagents (CLAUDE_HOME) this key may use',
  tags: taskTags,
  responses: { 200: jsonResponse('The agents.', z.object({ data: z.array(catalogEntry) })), ...common },
});

export const listSkills = createRoute({
  method: 'get',
  path: '/api/v1/skills',
  summary: 'The owner’s skills (CLAUDE_HOME) this key may use',
  tags: taskTags,
  responses: { 200: jsonResponse('The skills.', z.object({ data: z.array(catalogEntry) })), ...common },
});

export const listTemplates = createRoute({
  method: 'get',
  path: '/api/v1/templates',
  summary: 'Prompt templates',
  tags: ['templates'],
  responses: {
    200: jsonResponse('`{data: [{name, description, model, variables, outputSchema}]}`'),
    ...common,
  },
});

export const generateFromTemplate = createRoute({
  method: 'post',
  path: '/api/v1/templates/{name}/generate',
  summary: 'Fill a template’s variables and generate',
  description:
    'Non-streaming: `{template, content, generationTime, usage, costUsd}`. With `stream: true`: events `text_delta` (`{text}`), then `complete` (that object) or `error`.',
  tags: ['templates'],
  request: {
    params: pathParams({ name: 'The template name.' }),
    body: jsonBody(generateRequestSchema.openapi('TemplateGenerateRequest')),
  },
  responses: {
    200: jsonOrSseResponse('The generated content, or its events.'),
    404: error('No such template.'),
    ...runErrors,
  },
});

const seedOutput =
  '`output` events (`{data, timestamp}`) and then `completed` or `error` (`{error, code, timestamp}`).';

export const generateCard = createRoute({
  method: 'post',
  path: '/api/generate/card',
  summary: 'Generate a knowledge card from a template (seed server route)',
  tags: seedTags,
  request: { body: jsonBody(cardRequestSchema.openapi('CardRequest')) },
  responses: {
    200: jsonResponse('`{code: 200, success: true, data: {topic, fileName, content, generationTime}}`'),
    404: error('No such template.'),
    ...runErrors,
  },
});

export const generateCardStream = createRoute({
  method: 'post',
  path: '/api/generate/card/stream',
  summary: 'Generate a knowledge card, streamed (seed server route)',
  tags: seedTags,
  request: { body: jsonBody(cardRequestSchema) },
  responses: {
    200: sseResponse(`\`start\`, \`status\`, then ${seedOutput}`),
    404: error('No such template.'),
    ...runErrors,
  },
});

export const claudeExecute = createRoute({
  method: 'post',
  path: '/api/claude/execute',
  summary: 'Answer one command without tools (seed server route)',
  tags: seedTags,
  request: { body: jsonBody(commandRequestSchema.openapi('CommandRequest')) },
  responses: {
    200: jsonOrSseResponse(
      `\`{code: 200, success: true, data: {command, output, executionTime}}\`; with \`stream: true\`: \`start\`, then ${seedOutput}`,
    ),
    ...runErrors,
  },
});

const executeAnswer =
  '`{success, output, error, exit_code, execution_time, timestamp}`: the task, run in `working_directory`.';

export const execute = createRoute({
  method: 'post',
  path: '/api/execute',
  summary: 'Run an agentic task (seed server route)',
  tags: seedTags,
  request: { body: jsonBody(executeRequestSchema.openapi('ExecuteRequest')) },
  responses: { 200: jsonResponse(executeAnswer), ...runErrors },
});

export const executeStream = createRoute({
  method: 'post',
  path: '/api/execute/stream',
  summary: 'Run an agentic task, streamed (seed server route)',
  tags: seedTags,
  request: { body: jsonBody(executeRequestSchema) },
  responses: { 200: sseResponse(taskEventsDescription), ...runErrors },
});
