import { OpenAPIHono } from '@hono/zod-openapi';
import '../../http/context-variables.js';
import { planAdmitted } from '../../contract/admission.js';
import { GatewayError } from '../../contract/gateway-error.js';
import type { Principal } from '../../contract/key-policy.js';
import type { StoredTask, TaskStore } from '../../contract/ports/tasks.js';
import type { RunSummary } from '../../contract/run-service.js';
import type { ProfileCatalog } from '../../core/admission/profiles.js';
import { documented } from '../../http/openapi-route.js';
import { writeSse } from '../../http/sse.js';
import { validateJson } from '../../http/validate-json.js';
import type { ClaudeHomeCatalog } from '../../services/tasks/claude-home.js';
import * as docs from './route-docs.js';
import { taskRequestSchema } from './schema.js';
import { type RemoteTaskFollow, taskEventFrames } from './task-events.js';
import { loadTaskHome } from './task-home.js';
import { ANONYMOUS_OWNER, type TaskService } from './task-service.js';
import { mayUse, type TaskCaller, type TaskPlanContext, taskAsk, toTaskPlan } from './to-plan.js';

export interface TaskRouteDeps {
  tasks: TaskService;
  store: TaskStore;
  planContext: TaskPlanContext;
  profiles: ProfileCatalog;
  /** The owner's agents and skills (CLAUDE_HOME); absent: none. */
  home?: ClaudeHomeCatalog;
  /** The plugin folder serving CLAUDE_HOME's skills (services/tasks/skills-plugin.ts). */
  skillsPluginDir?: string;
  keepAliveMs: number;
  /** On a shared database: GET events follows a task another gateway runs. */
  remoteTasks?: RemoteTaskFollow;
  /** A background task's run ended (its request got its 202 long ago): budget, audit and metrics. */
  onBackgroundSummary?: (principal: Principal, requestId: string, summary: RunSummary) => void;
}

const LIST_LIMIT = 100;

/** /api/v1/tasks, /api/v1/agents, /api/v1/skills. */
export function taskRoutes(deps: TaskRouteDeps) {
  const callerOf = (principal: Principal | undefined): TaskCaller => {
    if (!principal) return {};
    const profile = principal.policy.profile ? deps.profiles[principal.policy.profile] : undefined;
    return { policy: principal.policy, ...(profile ? { profile } : {}) };
  };
  const owned = async (id: string, principal: Principal | undefined): Promise<StoredTask> => {
    const task = await deps.store.get(id);
    // Someone else's task is as unknown as a task that never was.
    if (!task || task.ownerId !== (principal?.id ?? ANONYMOUS_OWNER)) throw taskNotFound(id);
    return task;
  };

  const app = new OpenAPIHono();
  app
    .post(documented(app, docs.createTask), validateJson(taskRequestSchema), async (c) => {
      const request = c.req.valid('json');
      const principal = c.get('principal');
      const caller = callerOf(principal);
      const admission = await deps.tasks.admit(principal, taskAsk(request, caller.policy, deps.planContext));
      const taskPlan = await planAdmitted(admission, async () =>
        toTaskPlan(request, caller, await loadTaskHome(deps.home, deps.skillsPluginDir), deps.planContext),
      );
      const requestId = c.get('requestId');
      const background = deps.onBackgroundSummary;
      const onSummary = !request.background
        ? c.get('runHooks')?.onSummary
        : principal && background
          ? (summary: RunSummary) => background(principal, requestId, summary)
          : undefined;
      const { taskId, done } = await deps.tasks.start({
        taskPlan,
        admission,
        request: { ...request, skills: taskPlan.skills },
        ...(principal ? { principal } : {}),
        requestId,
        ...(onSummary ? { onSummary } : {}),
      });
      if (request.background) return c.json({ taskId, status: 'running' }, 202);
      // A foreground task belongs to its request: the client leaving cancels it.
      const cancel = () => void deps.tasks.cancel(taskId);
      if (request.stream) {
        return writeSse(c, taskEventFrames(taskId, 0, deps.tasks, deps.store), {
          keepAliveMs: deps.keepAliveMs,
          onAbort: cancel,
        });
      }
      c.req.raw.signal.addEventListener('abort', cancel, { once: true });
      return c.json(await done);
    })
    .get(documented(app, docs.listTasks), async (c) => {
      const tasks = await deps.store.list(c.get('principal')?.id ?? ANONYMOUS_OWNER, LIST_LIMIT);
      return c.json({ data: tasks.map(taskView) });
    })
    .get(documented(app, docs.getTask), async (c) =>
      c.json(taskView(await owned(c.req.param('id'), c.get('principal')))),
    )
    .get(documented(app, docs.taskEvents), async (c) => {
      const task = await owned(c.req.param('id'), c.get('principal'));
      const after = Number.parseInt(c.req.header('last-event-id') ?? '0', 10);
      return writeSse(
        c,
        taskEventFrames(
          task.id,
          Number.isFinite(after) ? after : 0,
          deps.tasks,
          deps.store,
          deps.remoteTasks,
        ),
        {
          keepAliveMs: deps.keepAliveMs,
          onAbort: () => {},
        },
      );
    })
    .delete(documented(app, docs.cancelTask), async (c) => {
      const task = await owned(c.req.param('id'), c.get('principal'));
      await deps.tasks.cancel(task.id);
      return c.json(taskView(await owned(task.id, c.get('principal'))));
    })
    .get(documented(app, docs.listAgents), async (c) => {
      const caller = callerOf(c.get('principal'));
      const agents = deps.home ? await deps.home.agents() : [];
      return c.json({
        data: agents
          .filter((agent) => mayUse(caller, 'agents', agent.name))
          .map(({ name, description, tools, model }) => ({
            name,
            description,
            tools: tools ?? null,
            model: model ?? null,
          })),
      });
    })
    .get(documented(app, docs.listSkills), async (c) => {
      const caller = callerOf(c.get('principal'));
      const skills = deps.home ? await deps.home.skills() : [];
      return c.json({
        data: skills
          .filter((skill) => mayUse(caller, 'skills', skill.name))
          .map(({ name, description, tools, model }) => ({
            name,
            description,
            tools: tools ?? null,
            model: model ?? null,
          })),
      });
    });
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

function taskNotFound(id: string): GatewayError {
  return new GatewayError({
    status: 404,
    kind: 'not_found',
    code: 'task_not_found',
    param: 'id',
    message: `No task '${id}'.`,
  });
}
