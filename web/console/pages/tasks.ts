import { html } from 'htm/preact';
import { useCallback, useEffect, useState } from 'preact/hooks';
import type { Api } from '../api.js';
import { time, usd } from '../format.js';
import { useKeys } from '../keys-data.js';

interface TaskView {
  taskId: string;
  keyId: string;
  status: 'running' | 'completed' | 'failed' | 'cancelled' | 'timeout';
  prompt: string;
  createdAt: number;
  updatedAt: number;
  costUsd: number | null;
}

export function TasksPage({ api }: { api: Api }) {
  const { keys } = useKeys(api);
  const [tasks, setTasks] = useState<TaskView[]>([]);
  const [confirming, setConfirming] = useState<string | undefined>();
  const [error, setError] = useState('');
  const keyName = (id: string) => keys.find((k) => k.id === id)?.name ?? id;
  const reload = useCallback(() => {
    api
      .get<{ tasks: TaskView[] }>('/tasks')
      .then((r) => setTasks(r.tasks))
      .catch(() => undefined);
  }, [api]);
  useEffect(() => {
    reload();
    // Running tasks change state on their own; refresh while the page is open.
    const timer = setInterval(reload, 3_000);
    return () => clearInterval(timer);
  }, [reload]);
  const cancel = async (id: string) => {
    setError('');
    await api.send('DELETE', `/tasks/${encodeURIComponent(id)}`).catch((e: Error) => setError(e.message));
    setConfirming(undefined);
    reload();
  };
  return html`<section aria-labelledby="tasks-title">
    <h1 id="tasks-title">Tasks</h1>
    <p class="muted">Agentic tasks (<code>/api/v1/tasks</code>) of every key, newest first.</p>
    ${error && html`<p class="error" role="alert">${error}</p>`}
    <div class="table-wrap"><table class="reflow">
      <thead><tr><th scope="col">Task</th><th scope="col">Key</th><th scope="col">Status</th><th scope="col">Prompt</th><th scope="col">Started</th><th scope="col">Cost</th><th scope="col"><span class="sr-only">Actions</span></th></tr></thead>
      <tbody>${tasks.map(
        (t) => html`<tr data-task=${t.taskId}>
          <td data-label="Task"><code>${t.taskId.slice(0, 14)}</code></td><td data-label="Key">${keyName(t.keyId)}</td>
          <td data-label="Status" class=${t.status === 'failed' || t.status === 'timeout' ? 'bad' : ''} data-status>${t.status}</td>
          <td data-label="Prompt" class="prompt">${t.prompt}</td><td data-label="Started">${time(t.createdAt)}</td><td data-label="Cost">${t.costUsd === null ? '–' : usd(t.costUsd)}</td>
          <td class="actions">${
            t.status !== 'running'
              ? ''
              : confirming === t.taskId
                ? html`<span class="confirm">Cancel it? <button type="button" class="danger" onClick=${() => cancel(t.taskId)}>Confirm cancel</button> <button type="button" class="quiet" onClick=${() => setConfirming(undefined)}>Keep running</button></span>`
                : html`<button type="button" class="quiet" onClick=${() => setConfirming(t.taskId)}>Cancel</button>`
          }</td>
        </tr>`,
      )}</tbody>
    </table></div>
    ${tasks.length === 0 && html`<p class="muted">No tasks.</p>`}
  </section>`;
}
