import { html } from 'htm/preact';
import { useEffect, useState } from 'preact/hooks';
import type { Api } from '../api.js';
import { time, usd } from '../format.js';
import { useKeys } from '../keys-data.js';
import { DetailDialog } from '../widgets.js';

interface SessionView {
  sessionId: string;
  keyId: string;
  model: string;
  createdAt: number;
  lastActivityAt: number;
  expiresAt: number;
  messageCount: number;
  costUsd: number;
  agent: boolean;
}
interface SessionMessage {
  role: 'user' | 'assistant';
  content: string;
  at: number;
}

export function SessionsPage({ api }: { api: Api }) {
  const { keys } = useKeys(api);
  const [sessions, setSessions] = useState<SessionView[]>([]);
  const [open, setOpen] = useState<{ id: string; messages: SessionMessage[] } | undefined>();
  const keyName = (id: string) => keys.find((k) => k.id === id)?.name ?? id;
  useEffect(() => {
    api
      .get<{ sessions: SessionView[] }>('/sessions')
      .then((r) => setSessions(r.sessions))
      .catch(() => undefined);
  }, [api]);
  const show = (id: string) =>
    api
      .get<{ messages: SessionMessage[] }>(`/sessions/${encodeURIComponent(id)}/messages`)
      .then((r) => setOpen({ id, messages: r.messages }))
      .catch(() => setOpen(undefined));

  return html`<section aria-labelledby="sessions-title">
    <h1 id="sessions-title">Sessions</h1>
    <p class="muted">Native API sessions (<code>/api/v1/sessions</code>) of every key.</p>
    <div class="table-wrap"><table class="clickable">
      <thead><tr><th scope="col">Session</th><th scope="col">Key</th><th scope="col">Model</th><th scope="col">Messages</th><th scope="col">Last activity</th><th scope="col">Expires</th><th scope="col">Cost</th></tr></thead>
      <tbody>${sessions.map(
        (
          s,
        ) => html`<tr tabindex="0" data-session=${s.sessionId} onClick=${() => show(s.sessionId)} onKeyDown=${(e: KeyboardEvent) => e.key === 'Enter' && show(s.sessionId)}>
          <td><code>${s.sessionId.slice(0, 13)}</code>${s.agent ? html` <span class="badge">agent</span>` : ''}</td><td>${keyName(s.keyId)}</td><td>${s.model}</td>
          <td>${s.messageCount}</td><td>${time(s.lastActivityAt)}</td><td>${time(s.expiresAt)}</td><td>${usd(s.costUsd)}</td>
        </tr>`,
      )}</tbody>
    </table></div>
    ${sessions.length === 0 && html`<p class="muted">No sessions.</p>`}
    ${
      open &&
      html`<${DetailDialog} label="Session history" heading=${html`History of <code>${open.id.slice(0, 13)}</code>`} onClose=${() => setOpen(undefined)}>
        <ol class="history">${open.messages.map(
          (m) =>
            html`<li data-role=${m.role}><span class="muted">${m.role} · ${time(m.at)}</span><pre>${m.content}</pre></li>`,
        )}</ol>
      <//>`
    }
  </section>`;
}
