import { OpenAPIHono } from '@hono/zod-openapi';
import '../../http/context-variables.js';
import type { BackgroundRunHooks } from '../../contract/finished-request.js';
import type { StoredTask, StoredTaskEvent } from '../../contract/ports/tasks.js';
import { documented } from '../../http/openapi-route.js';
import { noteRequestsPerMinute } from '../../http/rate-limit-headers.js';
import { type SseFrame, writeSse } from '../../http/sse.js';
import { validateJson } from '../../http/validate-json.js';
import type { HomeEntry, TaskService } from '../../services/tasks/task-service.js';
import * as docs from './route-docs.js';
import { taskRequestSchema } from './schema.js';

export interface TaskRouteDeps {
  tasks: TaskService;
  keepAliveMs: number;
  /** A background task's run (its request gets its 202 at once): budget, audit and metrics. */
  backgroundRun?: BackgroundRunHooks;
}

const LIST_LIMIT = 100;

/** /api/v1/tasks, /api/v1/agents, /api/v1/skills. */
export function taskRoutes(deps: TaskRouteDeps) {
  const app = new OpenAPIHono();
  app
    .post(documented(app, docs.createTask), validateJson(taskRequestSchema), async (c) => {
      const request = c.req.valid('json');
      const principal = c.get('principal');
      const requestId = c.get('requestId');
      const hooks = !request.background
        ? c.get('runHooks')
        : principal && deps.backgroundRun
          ? deps.backgroundRun(principal, requestId)
          : undefined;
      const { taskId, done, requestsPerMinute } = await deps.tasks.start({
        request,
        ...(principal ? { principal } : {}),
        requestId,
        ...(hooks?.onSummary ? { onSummary: hooks.onSummary } : {}),
        ...(hooks?.onStarted ? { onStarted: hooks.onStarted } : {}),
      });
      noteRequestsPerMinute(c, requestsPerMinute);
      if (request.background) return c.json({ taskId, status: 'running' }, 202);
      // A foreground task belongs to its request: the client leaving cancels it.
      const cancel = () => void deps.tasks.cancel(taskId);
      if (request.stream) {
        return writeSse(c, taskEventFrames(deps.tasks.events(taskId, 0)), {
          keepAliveMs: deps.keepAliveMs,
          onAbort: cancel,
        });
      }
      c.req.raw.signal.addEventListener('abort', cancel, { once: true });
      return c.json(await done);
    })
    .get(documented(app, docs.listTasks), async (c) => {
      const tasks = await deps.tasks.list(c.get('principal'), LIST_LIMIT);
      return c.json({ data: tasks.map(taskView) });
    })
    .get(documented(app, docs.getTask), async (c) =>
      c.json(taskView(await deps.tasks.get(c.get('principal'), c.req.param('id')))),
    )
    .get(documented(app, docs.taskEvents), async (c) => {
      const task = await deps.tasks.get(c.get('principal'), c.req.param('id'));
      const after = Number.parseInt(c.req.header('last-event-id') ?? '0', 10);
      const events = deps.tasks.events(task.id, Number.isFinite(after) ? after : 0);
      return writeSse(c, taskEventFrames(events), { keepAliveMs: deps.keepAliveMs, onAbort: () => {} });
    })
    .delete(documented(app, docs.cancelTask), async (c) => {
      const task = await deps.tasks.get(c.get('principal'), c.req.param('id'));
      await deps.tasks.cancel(task.id);
      return c.json(taskView(await deps.tasks.get(c.get('principal'), task.id)));
    })
    .get(documented(app, docs.listAgents), async (c) =>
      c.json({ data: (await deps.tasks.agents(c.get('principal'))).map(homeEntryView) }),
    )
    .get(documented(app, docs.listSkills), async (c) =>
      c.json({ data: (await deps.tasks.skills(c.get('principal'))).map(homeEntryView) }),
    );
  return app;
}

/** A stored task as the API shows it: its result once it ended, its request always. */
function taskView(task: StoredTask) {
  const result = task.result !== null && typeof task.result === 'object' ? task.result : {};
  return {
    taskId: task.id,
    ...result,
    status: task.status,
    request: task.request,
    createdAt: new Date(task.createdAt).toISOString(),
    updatedAt: new Date(task.updatedAt).toISOString(),
  };
}

function homeEntryView({ name, description, tools, model }: HomeEntry) {
  return { name, description, tools: tools ?? null, model: model ?? null };
}

/** A task's events as SSE: each named by its kind, with its sequence number as the id to resume from. */
export async function* taskEventFrames(events: AsyncIterable<StoredTaskEvent>): AsyncGenerator<SseFrame> {
  for await (const event of events) {
    yield { id: String(event.seq), event: event.event, data: JSON.stringify(event.data) };
  }
}
