import './styles.css';
import { html } from 'htm/preact';
import { render } from 'preact';
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { ApiError, createApi } from './api.js';
import { AccountsPage } from './pages/accounts.js';
import { KeysPage } from './pages/keys.js';
import { OverviewPage } from './pages/overview.js';
import { PlaygroundPage } from './pages/playground.js';
import { RequestsPage } from './pages/requests.js';
import { SessionsPage } from './pages/sessions.js';
import { TasksPage } from './pages/tasks.js';
import { UsagePage } from './pages/usage.js';
import type { Surface } from './stream-parts.js';

interface Session {
  name: string;
  csrfToken: string;
  expiresAt: number;
  models: string[];
  playgroundSurfaces: Surface[];
}

const PAGES = [
  ['overview', 'Overview'],
  ['usage', 'Usage'],
  ['keys', 'Keys'],
  ['accounts', 'Accounts'],
  ['requests', 'Requests'],
  ['sessions', 'Sessions'],
  ['tasks', 'Tasks'],
  ['playground', 'Playground'],
] as const;
type PageId = (typeof PAGES)[number][0];

function currentPage(): PageId {
  const id = location.hash.replace(/^#\/?/, '');
  return PAGES.some(([page]) => page === id) ? (id as PageId) : 'overview';
}

function SignIn({ onSignedIn }: { onSignedIn: () => void }) {
  const [key, setKey] = useState('');
  const [error, setError] = useState('');
  const input = useRef<HTMLInputElement>(null);
  useEffect(() => input.current?.focus(), []);
  const submit = async (event: Event) => {
    event.preventDefault();
    setError('');
    const response = await fetch('/console/api/session', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      credentials: 'same-origin',
      body: JSON.stringify({ key }),
    });
    // The key is sent once and forgotten: only the HttpOnly cookie stays.
    setKey('');
    if (response.ok) onSignedIn();
    else setError('That is not an admin key of this gateway.');
  };
  return html`<main class="signin">
    <form class="card" onSubmit=${submit}>
      <h1>claude-gateway console</h1>
      <label>Admin key <input ref=${input} name="key" type="password" autocomplete="off" required value=${key} onInput=${(e: Event) => setKey((e.target as HTMLInputElement).value)} /></label>
      <button type="submit">Sign in</button>
      ${error && html`<p class="error" role="alert">${error}</p>`}
    </form>
  </main>`;
}

function App() {
  const [session, setSession] = useState<Session | null | undefined>(undefined);
  const [page, setPage] = useState<PageId>(currentPage());
  const csrf = useRef<string | undefined>(undefined);
  const api = useMemo(
    () =>
      createApi(
        () => csrf.current,
        () => setSession(null),
      ),
    [],
  );

  const loadSession = () =>
    api
      .get<Session>('/session')
      .then((s) => {
        csrf.current = s.csrfToken;
        setSession(s);
      })
      .catch((e) => {
        if (e instanceof ApiError) setSession(null);
      });
  useEffect(() => {
    void loadSession();
    const onHash = () => setPage(currentPage());
    window.addEventListener('hashchange', onHash);
    return () => window.removeEventListener('hashchange', onHash);
  }, []);

  if (session === undefined) return html`<p class="boot">Loading…</p>`;
  if (session === null) return html`<${SignIn} onSignedIn=${loadSession} />`;
  const signOut = async () => {
    await api.send('DELETE', '/session').catch(() => undefined);
    csrf.current = undefined;
    setSession(null);
  };
  return html`<div class="shell">
    <header>
      <a class="skip" href="#main">Skip to content</a>
      <strong class="brand">claude-gateway</strong>
      <nav aria-label="Console">
        ${PAGES.map(([id, label]) => html`<a href=${`#/${id}`} aria-current=${page === id ? 'page' : undefined}>${label}</a>`)}
      </nav>
      <span class="who">${session.name}</span>
      <button type="button" class="quiet" onClick=${signOut}>Sign out</button>
    </header>
    <main id="main" tabindex="-1">
      ${page === 'overview' && html`<${OverviewPage} api=${api} />`}
      ${page === 'usage' && html`<${UsagePage} api=${api} />`}
      ${page === 'keys' && html`<${KeysPage} api=${api} models=${session.models} />`}
      ${page === 'accounts' && html`<${AccountsPage} api=${api} />`}
      ${page === 'requests' && html`<${RequestsPage} api=${api} />`}
      ${page === 'sessions' && html`<${SessionsPage} api=${api} />`}
      ${page === 'tasks' && html`<${TasksPage} api=${api} />`}
      ${page === 'playground' && html`<${PlaygroundPage} api=${api} models=${session.models} surfaces=${session.playgroundSurfaces} />`}
    </main>
  </div>`;
}

const root = document.getElementById('app');
if (root) {
  root.textContent = '';
  render(html`<${App} />`, root);
}
