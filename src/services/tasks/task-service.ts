import { randomUUID } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import type { RequestsPerMinuteStanding } from '../../contract/admission.js';
import type { Principal } from '../../contract/key-policy.js';
import type { StoredTask, StoredTaskEvent, TaskSignals, TaskStore } from '../../contract/ports/tasks.js';
import type { ReadRunProgress, RunService, RunSummary } from '../../contract/run-service.js';
import type { ProfileCatalog } from '../../core/admission/profiles.js';
import { startRun } from '../../core/serve-run.js';
import type { ClaudeHomeCatalog } from './claude-home.js';
import { taskNotFound } from './errors.js';
import {
  mayUse,
  type TaskCaller,
  type TaskPlanContext,
  type TaskRequest,
  taskAsk,
  toTaskPlan,
  uniqueNames,
} from './plan-task.js';
import { followTaskEvents, type RemoteTaskFollow } from './task-events.js';
import { loadTaskHome } from './task-home.js';
import { type RunningTask, recordTaskRun, type TaskListener, type TaskResult } from './task-run.js';

export type { TaskListener, TaskResult } from './task-run.js';

export interface StartTask {
  request: TaskRequest;
  /** What is stored (and audited) as the task's request; default: the request with its skills once each. */
  stored?: unknown;
  /** Environment variables for Claude Code's tools (a seed route's `env_vars`, already allowed). */
  env?: Record<string, string>;
  /** The caller's key; absent where auth is off (loopback use). */
  principal?: Principal;
  requestId: string;
  /** Reported once the run ended (budget, audit and metrics). */
  onSummary?: (summary: RunSummary) => void;
  /** The task's run begins (it has its queue slot): its audit row opens. */
  onStarted?: ((progress: ReadRunProgress) => void) | undefined;
}

export interface StartedTask {
  taskId: string;
  /** Settles with the task's result, whatever ended it. */
  done: Promise<TaskResult>;
  /** The key's requests-per-minute standing with this task's run counted. */
  requestsPerMinute: RequestsPerMinuteStanding | undefined;
}

/** An agent or a skill of CLAUDE_HOME, as a caller may see it. */
export interface HomeEntry {
  name: string;
  description: string;
  tools?: readonly string[] | undefined;
  model?: string | undefined;
}

export interface TaskService {
  /**
   * Admits the task under its key's policy, plans it, records it and starts its run, detached from
   * the request (a background task outlives it). Refusals and failures to plan are thrown.
   */
  start(input: StartTask): Promise<StartedTask>;
  /** The caller's task; someone else's is as unknown (404) as a task that never was. */
  get(principal: Principal | undefined, id: string): Promise<StoredTask>;
  /** The caller's latest tasks. */
  list(principal: Principal | undefined, limit: number): Promise<StoredTask[]>;
  /** A task's events after `afterSeq`: its stored log, then live until it ends (here or elsewhere). */
  events(taskId: string, afterSeq: number): AsyncGenerator<StoredTaskEvent>;
  /** The owner's agents and skills (CLAUDE_HOME) the caller's key may use. */
  agents(principal: Principal | undefined): Promise<HomeEntry[]>;
  skills(principal: Principal | undefined): Promise<HomeEntry[]>;
  /**
   * Cancels a running task (its process tree is killed) and resolves once it ended; false when it is
   * not running. With `signals` (a shared database) a task another gateway runs is cancelled there.
   */
  cancel(taskId: string): Promise<boolean>;
  /** Live events of a running task; undefined when it is not running (its log is complete). */
  subscribe(taskId: string, listener: TaskListener): (() => void) | undefined;
  /** Ends every running task, recording it as failed with `reason` (the gateway is stopping). */
  stopAll(reason: string): Promise<void>;
}

export interface TaskServiceDeps {
  runs: RunService;
  store: TaskStore;
  planContext: TaskPlanContext;
  /** Permission profiles by name: a key made with one gets its task limits. */
  profiles: ProfileCatalog;
  /** The owner's agents and skills (CLAUDE_HOME); absent: none. */
  home?: ClaudeHomeCatalog;
  /** The plugin folder serving CLAUDE_HOME's skills (skills-plugin.ts). */
  skillsPluginDir?: string;
  /** On a shared database: cancels reach the gateway running the task, wherever it was asked. */
  signals?: TaskSignals;
  /** On a shared database: how events of a task another gateway runs are followed. */
  remoteFollow?: Omit<RemoteTaskFollow, 'signals'>;
  /** How long a cancel of a task running elsewhere waits for it to end (default 10 s). */
  remoteCancelWaitMs?: number;
  now?: () => number;
  newId?: () => string;
}

export const ANONYMOUS_OWNER = 'anonymous';

/** Runs tasks detached from the request that started them, logging every event to the store. */
export function createTaskService(deps: TaskServiceDeps): TaskService {
  const now = deps.now ?? Date.now;
  const newId = deps.newId ?? (() => `task_${randomUUID().replaceAll('-', '')}`);
  const running = new Map<string, RunningTask>();
  const remoteCancelWaitMs = deps.remoteCancelWaitMs ?? 10_000;
  const remote =
    deps.signals && deps.remoteFollow ? { ...deps.remoteFollow, signals: deps.signals } : undefined;

  const callerOf = (principal: Principal | undefined): TaskCaller => {
    if (!principal) return {};
    const profile = principal.policy.profile ? deps.profiles[principal.policy.profile] : undefined;
    return { policy: principal.policy, ...(profile ? { profile } : {}) };
  };

  async function cancelHere(task: RunningTask): Promise<void> {
    task.stopped ??= { status: 'cancelled', code: 'task_cancelled', message: 'The task was cancelled.' };
    task.controller.abort();
    await task.done;
  }

  // Another gateway was asked to cancel a task: if it runs here, this gateway ends it.
  const stopListening = deps.signals?.onCancelRequested((taskId) => {
    const task = running.get(taskId);
    if (task) void cancelHere(task);
  });

  /**
   * Asks the gateway running the task to cancel it and waits until the store says it ended,
   * asking again now and then (a signal is best effort). Bounded: `remoteCancelWaitMs`.
   */
  async function cancelElsewhere(signals: TaskSignals, taskId: string): Promise<boolean> {
    if ((await deps.store.get(taskId))?.status !== 'running') return false;
    const pollMs = 200;
    const rounds = Math.max(1, Math.ceil(remoteCancelWaitMs / pollMs));
    for (let round = 0; round < rounds; round++) {
      if (round % 10 === 0) await signals.requestCancel(taskId);
      await delay(pollMs);
      if ((await deps.store.get(taskId))?.status !== 'running') return true;
    }
    return false;
  }

  async function start(input: StartTask): Promise<StartedTask> {
    const { request, principal } = input;
    const caller = callerOf(principal);
    const taskId = newId();
    const task: RunningTask = { controller: new AbortController(), listeners: new Set() };
    const stored = input.stored ?? { ...request, skills: uniqueNames(request.skills ?? []) };
    let summary: RunSummary | undefined;
    const started = await startRun(deps.runs, {
      surface: 'tasks',
      principal,
      requestId: input.requestId,
      signal: task.controller.signal,
      onSummary: (reported) => {
        summary = reported;
        input.onSummary?.(reported);
      },
      onStarted: input.onStarted,
      ask: taskAsk(request, caller.policy, deps.planContext),
      plan: async () => {
        const home = await loadTaskHome(deps.home, deps.skillsPluginDir);
        const taskPlan = toTaskPlan(request, caller, home, deps.planContext);
        if (input.env && taskPlan.plan.agent) taskPlan.plan.agent.env = { ...input.env };
        const at = now();
        // Recorded once admitted and planned: a refused task leaves nothing behind.
        await deps.store.create({
          id: taskId,
          ownerId: principal?.id ?? ANONYMOUS_OWNER,
          status: 'running',
          request: stored,
          result: null,
          createdAt: at,
          updatedAt: at,
        });
        return taskPlan;
      },
      ...(principal ? { origin: { callerId: principal.id } } : {}),
      auditBody: stored,
    });
    running.set(taskId, task);
    const done = recordTaskRun(
      { store: deps.store, now },
      taskId,
      task,
      started.events,
      () => summary,
    ).finally(() => running.delete(taskId));
    task.done = done;
    return { taskId, done, requestsPerMinute: started.requestsPerMinute };
  }

  function subscribe(taskId: string, listener: TaskListener): (() => void) | undefined {
    const task = running.get(taskId);
    if (!task) return undefined;
    task.listeners.add(listener);
    return () => task.listeners.delete(listener);
  }

  return {
    start,
    async get(principal, id) {
      const task = await deps.store.get(id);
      if (!task || task.ownerId !== (principal?.id ?? ANONYMOUS_OWNER)) throw taskNotFound(id);
      return task;
    },
    list: (principal, limit) => deps.store.list(principal?.id ?? ANONYMOUS_OWNER, limit),
    events: (taskId, afterSeq) => followTaskEvents(taskId, afterSeq, subscribe, deps.store, remote),
    async agents(principal) {
      const agents = deps.home ? await deps.home.agents() : [];
      return agents.filter((agent) => mayUse(callerOf(principal), 'agents', agent.name));
    },
    async skills(principal) {
      const skills = deps.home ? await deps.home.skills() : [];
      return skills.filter((skill) => mayUse(callerOf(principal), 'skills', skill.name));
    },
    async cancel(taskId) {
      const task = running.get(taskId);
      if (task) {
        await cancelHere(task);
        return true;
      }
      return deps.signals ? cancelElsewhere(deps.signals, taskId) : false;
    },
    subscribe,
    async stopAll(reason) {
      stopListening?.();
      const tasks = [...running.values()];
      for (const task of tasks) {
        task.stopped ??= { status: 'failed', code: 'gateway_stopped', message: reason };
        task.controller.abort();
      }
      await Promise.allSettled(tasks.map((task) => task.done));
    },
  };
}
