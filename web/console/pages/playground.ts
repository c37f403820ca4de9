import { html } from 'htm/preact';
import { useRef, useState } from 'preact/hooks';
import type { Api } from '../api.js';
import { ms, usd } from '../format.js';
import { partsOf, type StreamPart, type Surface, splitFrames } from '../stream-parts.js';

export function PlaygroundPage({
  api,
  models,
  surfaces,
}: {
  api: Api;
  models: string[];
  surfaces: Surface[];
}) {
  const [surface, setSurface] = useState<Surface>(surfaces[0] ?? 'openai-chat');
  const [model, setModel] = useState(models[0] ?? '');
  const [system, setSystem] = useState('');
  const [message, setMessage] = useState('');
  const [answer, setAnswer] = useState({ text: '', reasoning: '', tools: '', error: '' });
  const [stats, setStats] = useState<{
    ttftMs?: number;
    totalMs?: number;
    costUsd?: number;
    requestId?: string;
  }>({});
  const [running, setRunning] = useState(false);
  const abort = useRef<AbortController | undefined>(undefined);

  const send = async (event: Event) => {
    event.preventDefault();
    if (!message.trim() || running) return;
    const controller = new AbortController();
    abort.current = controller;
    setRunning(true);
    setAnswer({ text: '', reasoning: '', tools: '', error: '' });
    setStats({});
    const started = performance.now();
    let first: number | undefined;
    const acc = { text: '', reasoning: '', tools: '', error: '' };
    try {
      const response = await api.stream(
        '/playground',
        { surface, model, system, message },
        controller.signal,
      );
      const requestId = response.headers.get('x-playground-request-id') ?? undefined;
      const reader = response.body?.pipeThrough(new TextDecoderStream()).getReader();
      let buffer = '';
      while (reader) {
        const { done, value } = await reader.read();
        if (done) break;
        const { frames, rest } = splitFrames(buffer + value);
        buffer = rest;
        for (const frame of frames) {
          for (const part of partsOf(surface, frame.data)) {
            if (first === undefined && part.kind !== 'error') first = performance.now() - started;
            add(acc, part);
          }
        }
        setAnswer({ ...acc });
        if (first !== undefined) setStats((s) => ({ ...s, ttftMs: first }));
      }
      const totalMs = performance.now() - started;
      setStats((s) => ({ ...s, totalMs, ...(requestId ? { requestId } : {}) }));
      if (requestId)
        void costOf(api, requestId).then((costUsd) =>
          setStats((s) => ({ ...s, ...(costUsd !== undefined ? { costUsd } : {}) })),
        );
    } catch (e) {
      if (!controller.signal.aborted) setAnswer({ ...acc, error: (e as Error).message });
    } finally {
      setRunning(false);
    }
  };

  return html`<section aria-labelledby="playground-title">
    <h1 id="playground-title">Playground</h1>
    <form class="card playground" onSubmit=${send}>
      <div class="filters">
        <label>Surface <select name="surface" value=${surface} onChange=${(e: Event) => setSurface((e.target as HTMLSelectElement).value as Surface)}>${surfaces.map((s) => html`<option value=${s}>${s}</option>`)}</select></label>
        <label>Model <select name="model" value=${model} onChange=${(e: Event) => setModel((e.target as HTMLSelectElement).value)}>${models.map((m) => html`<option value=${m}>${m}</option>`)}</select></label>
      </div>
      <label>System prompt <textarea name="system" rows="2" value=${system} onInput=${(e: Event) => setSystem((e.target as HTMLTextAreaElement).value)}></textarea></label>
      <label>Message <textarea name="message" rows="4" required value=${message} onInput=${(e: Event) => setMessage((e.target as HTMLTextAreaElement).value)}></textarea></label>
      <div class="row">
        <button type="submit" disabled=${running}>${running ? 'Streaming…' : 'Send'}</button>
        ${running && html`<button type="button" class="quiet" onClick=${() => abort.current?.abort()}>Stop</button>`}
      </div>
    </form>
    <div class="stats" aria-live="polite">
      <span>Time to first token: <strong data-stat="playground-ttft">${ms(stats.ttftMs)}</strong></span>
      <span>Total: <strong>${ms(stats.totalMs)}</strong></span>
      <span>Cost: <strong data-stat="playground-cost">${stats.costUsd === undefined ? '–' : usd(stats.costUsd)}</strong></span>
    </div>
    ${answer.reasoning && html`<details open class="card reasoning"><summary>Reasoning</summary><pre data-output="reasoning">${answer.reasoning}</pre></details>`}
    ${answer.tools && html`<details open class="card tools"><summary>Tool activity</summary><pre data-output="tools">${answer.tools}</pre></details>`}
    <div class="card answer"><h2>Answer</h2><pre data-output="answer">${answer.text}</pre></div>
    ${answer.error && html`<p class="error" role="alert">${answer.error}</p>`}
  </section>`;
}

function add(acc: { text: string; reasoning: string; tools: string; error: string }, part: StreamPart): void {
  if (part.kind === 'text') acc.text += part.text;
  else if (part.kind === 'reasoning') acc.reasoning += part.text;
  else if (part.kind === 'tool') acc.tools += part.text;
  else acc.error = part.text;
}

/** The audit row is written when the run has ended; ask a few times. */
async function costOf(api: Api, requestId: string): Promise<number | undefined> {
  for (let attempt = 0; attempt < 10; attempt++) {
    const row = await api
      .get<{ costUsd: number }>(`/requests/${encodeURIComponent(requestId)}`)
      .catch(() => undefined);
    if (row) return row.costUsd;
    await new Promise((resolve) => setTimeout(resolve, 300));
  }
  return undefined;
}
