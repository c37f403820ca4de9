import { OpenAPIHono } from '@hono/zod-openapi';
import '../../http/context-variables.js';
import { planAdmitted } from '../../contract/admission.js';
import { invalidRequest } from '../../contract/errors.js';
import { GatewayError } from '../../contract/gateway-error.js';
import type { Principal } from '../../contract/key-policy.js';
import type { TaskStore } from '../../contract/ports/tasks.js';
import type { RunSummary } from '../../contract/run-service.js';
import type { ProfileCatalog } from '../../core/admission/profiles.js';
import { documented } from '../../http/openapi-route.js';
import { type SseFrame, writeSse } from '../../http/sse.js';
import { validateJson } from '../../http/validate-json.js';
import type { ClaudeHomeCatalog } from '../../services/tasks/claude-home.js';
import { renderTemplate, type TemplateLibrary } from '../../services/templates/template-library.js';
import { type GenerationContext, generate, startGeneration, templatePrompt } from './generation.js';
import * as docs from './route-docs.js';
import {
  cardRequestSchema,
  commandRequestSchema,
  type ExecuteRequest,
  executeRequestSchema,
} from './schema.js';
import { taskEventFrames } from './task-events.js';
import { loadTaskHome } from './task-home.js';
import type { TaskResult, TaskService } from './task-service.js';
import { generationFrames } from './templates-route.js';
import { type TaskPlanContext, taskAsk, toTaskPlan } from './to-plan.js';

/**
 * The routes of the servers this gateway grew from, as thin adapters over templates, one-shot
 * generation and tasks ("Moving from the seed servers" in docs/tasks-and-templates.md has the mapping).
 */
export interface SeedRouteDeps {
  templates: TemplateLibrary;
  generation: GenerationContext;
  tasks: TaskService;
  store: TaskStore;
  planContext: TaskPlanContext;
  profiles: ProfileCatalog;
  home?: ClaudeHomeCatalog;
  skillsPluginDir?: string;
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
  const common = (
    c: { get: (key: 'principal') => Principal | undefined },
    signal: AbortSignal,
    requestId: string,
  ) => {
    const principal = c.get('principal');
    return { ...(principal ? { principal } : {}), requestId, signal };
  };
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

  const executeTask = async (
    body: ExecuteRequest,
    principal: Principal | undefined,
    requestId: string,
    onSummary: ((summary: RunSummary) => void) | undefined,
  ) => {
    const refused = Object.keys(body.env_vars ?? {}).filter((name) => !deps.envAllowlist.includes(name));
    if (refused.length > 0) {
      throw invalidRequest(
        `env_vars may set only ${deps.envAllowlist.join(', ') || 'nothing'} on this gateway; refused: ${refused.join(', ')}.`,
        'env_vars',
        'env_var_not_allowed',
      );
    }
    const cwd = body.working_directory ?? deps.planContext.agentPolicy?.roots[0] ?? '';
    const profile = principal?.policy.profile ? deps.profiles[principal.policy.profile] : undefined;
    const home = await loadTaskHome(deps.home, deps.skillsPluginDir);
    const request = {
      prompt: body.prompt,
      cwd,
      ...(body.timeout !== undefined ? { timeout: body.timeout } : {}),
    };
    const admission = await deps.tasks.admit(
      principal,
      taskAsk(request, principal?.policy, deps.planContext),
    );
    const taskPlan = await planAdmitted(admission, () =>
      renamingParam(() =>
        toTaskPlan(
          request,
          principal ? { policy: principal.policy, ...(profile ? { profile } : {}) } : {},
          home,
          deps.planContext,
        ),
      ),
    );
    if (body.env_vars && taskPlan.plan.agent) taskPlan.plan.agent.env = { ...body.env_vars };
    return deps.tasks.start({
      taskPlan,
      admission,
      request: { prompt: body.prompt, cwd, route: '/api/execute' },
      ...(principal ? { principal } : {}),
      requestId,
      ...summaryHook(onSummary),
    });
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
      const generated = await generate(
        {
          ...(await cardPrompt(body.topic, body.templateName)),
          ...common(c, c.req.raw.signal, c.get('requestId')),
          ...(body.timeout !== undefined ? { timeoutMs: body.timeout } : {}),
          ...summaryHook(c.get('runHooks')?.onSummary),
        },
        deps.generation,
      );
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
      const disconnect = new AbortController();
      const { events, result } = await startGeneration(
        {
          ...(await cardPrompt(body.topic, body.templateName)),
          ...common(c, disconnect.signal, c.get('requestId')),
          ...(body.timeout !== undefined ? { timeoutMs: body.timeout } : {}),
          ...summaryHook(c.get('runHooks')?.onSummary),
        },
        deps.generation,
      );
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
      return writeSse(c, frames(), { keepAliveMs: deps.keepAliveMs, onAbort: () => disconnect.abort() });
    })
    .post(documented(app, docs.claudeExecute), validateJson(commandRequestSchema), async (c) => {
      const body = c.req.valid('json');
      const disconnect = new AbortController();
      c.req.raw.signal.addEventListener('abort', () => disconnect.abort(), { once: true });
      const { events, result } = await startGeneration(
        {
          prompt: body.command,
          ...common(c, disconnect.signal, c.get('requestId')),
          ...summaryHook(c.get('runHooks')?.onSummary),
        },
        deps.generation,
      );
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
      return writeSse(c, frames(), { keepAliveMs: deps.keepAliveMs, onAbort: () => disconnect.abort() });
    })
    .post(documented(app, docs.execute), validateJson(executeRequestSchema), async (c) => {
      const { taskId, done } = await executeTask(
        c.req.valid('json'),
        c.get('principal'),
        c.get('requestId'),
        c.get('runHooks')?.onSummary,
      );
      c.req.raw.signal.addEventListener('abort', () => void deps.tasks.cancel(taskId), { once: true });
      return c.json(executeAnswer(await done));
    })
    .post(documented(app, docs.executeStream), validateJson(executeRequestSchema), async (c) => {
      const { taskId } = await executeTask(
        c.req.valid('json'),
        c.get('principal'),
        c.get('requestId'),
        c.get('runHooks')?.onSummary,
      );
      return writeSse(c, taskEventFrames(taskId, 0, deps.tasks, deps.store), {
        keepAliveMs: deps.keepAliveMs,
        onAbort: () => void deps.tasks.cancel(taskId),
      });
    });
  return app;
}

function summaryHook(onSummary: ((summary: RunSummary) => void) | undefined) {
  return onSummary ? { onSummary } : {};
}

/** The task rules name `cwd`; this route's clients sent `working_directory`. */
function renamingParam<T>(resolve: () => T): T {
  try {
    return resolve();
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
