import { OpenAPIHono } from '@hono/zod-openapi';
import type { Context } from 'hono';
import '../../http/context-variables.js';
import { invalidRequest } from '../../contract/errors.js';
import { GatewayError } from '../../contract/gateway-error.js';
import { documented } from '../../http/openapi-route.js';
import { noteRequestsPerMinute } from '../../http/rate-limit-headers.js';
import { requestCaller } from '../../http/serve-run.js';
import { type SseFrame, writeSse } from '../../http/sse.js';
import { validateJson } from '../../http/validate-json.js';
import {
  type GenerationContext,
  type GenerationInput,
  startGeneration,
  templatePrompt,
} from '../../services/tasks/generation.js';
import type { TaskResult, TaskService } from '../../services/tasks/task-service.js';
import { renderTemplate, type TemplateLibrary } from '../../services/templates/template-library.js';
import { taskEventFrames } from './route.js';
import * as docs from './route-docs.js';
import {
  cardRequestSchema,
  commandRequestSchema,
  type ExecuteRequest,
  executeRequestSchema,
} from './schema.js';
import { generationFrames } from './templates-route.js';

/**
 * The routes of the servers this gateway grew from, as thin adapters over templates, one-shot
 * generation and tasks ("Moving from the seed servers" in docs/tasks-and-templates.md has the mapping).
 */
export interface SeedRouteDeps {
  templates: TemplateLibrary;
  generation: GenerationContext;
  tasks: TaskService;
  /** Where `/api/execute` runs when it names no working_directory (the first allowed agent root). */
  defaultWorkingDirectory: string;
  /** EXECUTE_ENV_ALLOWLIST: the only names `env_vars` may set. */
  envAllowlist: readonly string[];
  keepAliveMs: number;
  now?: () => number;
}

export const DEFAULT_CARD_TEMPLATE = 'daily-knowledge-card-template.md';

export function seedRoutes(deps: SeedRouteDeps) {
  const now = deps.now ?? Date.now;
  // The seed servers' streams share their `output` and `error` frames; only start and completed differ.
  const outputFrame = (text: string): SseFrame => ({
    event: 'output',
    data: JSON.stringify({ data: text, timestamp: now() }),
  });
  const errorFrame = (error: GatewayError): SseFrame => ({
    event: 'error',
    data: JSON.stringify({ error: error.message, code: error.code ?? error.kind, timestamp: now() }),
  });
  const fileNameOf = (topic: string) =>
    `${
      topic
        .toLowerCase()
        .replace(/[^a-z0-9]+/g, '_')
        .replace(/^_+|_+$/g, '') || 'card'
    }.json`;

  const cardPrompt = async (topic: string, templateName: string | undefined) => {
    const template = await deps.templates.get(templateName ?? DEFAULT_CARD_TEMPLATE);
    return templatePrompt(template, renderTemplate(template, { topic }));
  };

  const executeTask = async (c: Context, body: ExecuteRequest) => {
    const refused = Object.keys(body.env_vars ?? {}).filter((name) => !deps.envAllowlist.includes(name));
    if (refused.length > 0) {
      throw invalidRequest(
        `env_vars may set only ${deps.envAllowlist.join(', ') || 'nothing'} on this gateway; refused: ${refused.join(', ')}.`,
        'env_vars',
        'env_var_not_allowed',
      );
    }
    const cwd = body.working_directory ?? deps.defaultWorkingDirectory;
    const principal = c.get('principal');
    const hooks = c.get('runHooks');
    const started = await renamingParam(() =>
      deps.tasks.start({
        request: {
          prompt: body.prompt,
          cwd,
          ...(body.timeout !== undefined ? { timeout: body.timeout } : {}),
        },
        stored: { prompt: body.prompt, cwd, route: '/api/execute' },
        ...(body.env_vars ? { env: body.env_vars } : {}),
        ...(principal ? { principal } : {}),
        requestId: c.get('requestId'),
        ...(hooks?.onSummary ? { onSummary: hooks.onSummary } : {}),
        ...(hooks?.onStarted ? { onStarted: hooks.onStarted } : {}),
      }),
    );
    noteRequestsPerMinute(c, started.requestsPerMinute);
    return started;
  };

  /** Starts a one-shot generation for the request, its client's leaving (or `abort`) ending it. */
  const generation = async (c: Context, input: Omit<GenerationInput, 'caller'>) => {
    const { caller, abort } = requestCaller(c);
    const started = await startGeneration({ ...input, caller }, deps.generation);
    noteRequestsPerMinute(c, started.requestsPerMinute);
    return { ...started, abort };
  };

  const executeAnswer = (result: TaskResult) => ({
    success: result.status === 'completed',
    output: result.summary,
    error: result.error?.message ?? null,
    exit_code: result.status === 'completed' ? 0 : 1,
    execution_time: result.durationMs / 1000,
    timestamp: new Date(now()).toISOString(),
  });

  const app = new OpenAPIHono();
  app
    .post(documented(app, docs.generateCard), validateJson(cardRequestSchema), async (c) => {
      const body = c.req.valid('json');
      const { events, result } = await generation(c, {
        ...(await cardPrompt(body.topic, body.templateName)),
        ...(body.timeout !== undefined ? { timeoutMs: body.timeout } : {}),
      });
      for await (const event of events) if (event.type === 'error') throw event.error;
      const generated = result();
      return c.json({
        code: 200,
        success: true,
        data: {
          topic: body.topic,
          fileName: fileNameOf(body.topic),
          content: generated.content,
          generationTime: generated.generationTime,
        },
      });
    })
    .post(documented(app, docs.generateCardStream), validateJson(cardRequestSchema), async (c) => {
      const body = c.req.valid('json');
      const { events, result, abort } = await generation(c, {
        ...(await cardPrompt(body.topic, body.templateName)),
        ...(body.timeout !== undefined ? { timeoutMs: body.timeout } : {}),
      });
      async function* frames() {
        yield { event: 'start', data: JSON.stringify({ topic: body.topic, timestamp: now() }) };
        yield { event: 'status', data: JSON.stringify({ step: 'generating_content' }) };
        yield* generationFrames(events, {
          delta: outputFrame,
          done: () => {
            const generated = result();
            return {
              event: 'completed',
              data: JSON.stringify({ content: generated.content, generationTime: generated.generationTime }),
            };
          },
          fail: errorFrame,
        });
      }
      return writeSse(c, frames(), { keepAliveMs: deps.keepAliveMs, onAbort: abort });
    })
    .post(documented(app, docs.claudeExecute), validateJson(commandRequestSchema), async (c) => {
      const body = c.req.valid('json');
      const { events, result, abort } = await generation(c, { prompt: body.command });
      if (!body.stream) {
        for await (const event of events) if (event.type === 'error') throw event.error;
        const generated = result();
        return c.json({
          code: 200,
          success: true,
          data: { command: body.command, output: generated.text, executionTime: generated.generationTime },
        });
      }
      async function* frames() {
        yield { event: 'start', data: JSON.stringify({ command: body.command, timestamp: now() }) };
        yield* generationFrames(events, {
          delta: outputFrame,
          done: () => {
            const generated = result();
            return {
              event: 'completed',
              data: JSON.stringify({ output: generated.text, executionTime: generated.generationTime }),
            };
          },
          fail: errorFrame,
        });
      }
      return writeSse(c, frames(), { keepAliveMs: deps.keepAliveMs, onAbort: abort });
    })
    .post(documented(app, docs.execute), validateJson(executeRequestSchema), async (c) => {
      const { taskId, done } = await executeTask(c, c.req.valid('json'));
      c.req.raw.signal.addEventListener('abort', () => void deps.tasks.cancel(taskId), { once: true });
      return c.json(executeAnswer(await done));
    })
    .post(documented(app, docs.executeStream), validateJson(executeRequestSchema), async (c) => {
      const { taskId } = await executeTask(c, c.req.valid('json'));
      return writeSse(c, taskEventFrames(deps.tasks.events(taskId, 0)), {
        keepAliveMs: deps.keepAliveMs,
        onAbort: () => void deps.tasks.cancel(taskId),
      });
    });
  return app;
}

/** The task rules name `cwd`; this route's clients sent `working_directory`. */
async function renamingParam<T>(resolve: () => Promise<T>): Promise<T> {
  try {
    return await resolve();
  } catch (error) {
    if (!(error instanceof GatewayError) || error.param !== 'cwd') throw error;
    throw new GatewayError({
      kind: error.kind,
      status: error.status,
      code: error.code,
      param: 'working_directory',
      message: error.message.replaceAll('cwd', 'working_directory'),
    });
  }
}
