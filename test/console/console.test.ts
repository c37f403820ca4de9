import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, useHarness } from '../helpers/gateway-harness.js';
import { text } from '../mock-anthropic/replies.js';

/**
 * The web console in a real browser: Debian's headless Chromium driven by playwright-core, against
 * the real gateway and the real Claude Code CLI talking to the mock Messages API.
 */
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ADMIN_KEY = 'console-admin-key-0123456789';
const ARTIFACTS = path.resolve('test-artifacts/console');
const hasChromium = existsSync(CHROMIUM);
if (!hasChromium && process.env.CI === 'true') {
  throw new Error(`CI=true but no Chromium at ${CHROMIUM}: .ci/run installs it with apt-get`);
}
if (!hasChromium)
  console.warn(`Skipping the console browser tests: no Chromium at ${CHROMIUM} (apt-get install chromium)`);

describe.skipIf(!hasChromium)('web console in Chromium', () => {
  const taskRoot = mkdtempSync(path.join(tmpdir(), 'console-tasks-'));
  const h = useHarness({
    config: { GATEWAY_ADMIN_KEY: ADMIN_KEY, AGENT_MODE: 'true', AGENT_ALLOWED_ROOTS: taskRoot },
    resetMockBeforeEach: false,
  });
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    execFileSync(process.execPath, ['scripts/build-console.mjs'], { stdio: 'inherit' });
    await mkdir(ARTIFACTS, { recursive: true });
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  });
  afterAll(async () => {
    await browser?.close();
    await rm(taskRoot, { recursive: true, force: true });
  });

  const shot = (name: string) =>
    page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`), fullPage: true });
  const signIn = async (key: string) => {
    await page.goto(`${h.origin}/console/`);
    await page.getByLabel('Admin key').fill(key);
    await page.getByRole('button', { name: 'Sign in' }).click();
  };

  it('refuses a wrong key, then signs in with the admin key without keeping it in the browser', async () => {
    await signIn('not-the-admin-key-at-all');
    await expect(page.getByRole('alert').textContent()).resolves.toContain('not an admin key');
    await shot('sign-in');
    await signIn(ADMIN_KEY);
    await page.getByRole('heading', { name: 'Overview' }).waitFor();
    const cookies = await page.context().cookies();
    const session = cookies.find((cookie) => cookie.name === 'claude_gateway_console');
    expect(session).toMatchObject({ httpOnly: true, sameSite: 'Strict', path: '/console' });
    expect(session?.expires).toBeGreaterThan(Date.now() / 1000);
    const stored = await page.evaluate<string>(
      'JSON.stringify({ ...localStorage }) + JSON.stringify({ ...sessionStorage }) + document.cookie',
    );
    expect(stored).not.toContain(ADMIN_KEY);
  });

  it('refuses a change without the CSRF token', async () => {
    const response = await page.request.post(`${h.origin}/console/api/keys`, {
      data: { name: 'csrf-probe' },
    });
    expect(response.status()).toBe(403);
    expect(await response.json()).toMatchObject({ error: { code: 'csrf_token_invalid' } });
    const list = await page.request.get(`${h.origin}/console/api/keys`);
    expect(JSON.stringify(await list.json())).not.toContain('csrf-probe');
  });

  it('creates a key (shown once), lists it and revokes it after a confirmation', async () => {
    await page.goto(`${h.origin}/console/#/keys`);
    await page.getByLabel('Name').fill('alice');
    await page.getByLabel('Requests per minute').fill('20');
    await page.getByRole('button', { name: 'Create' }).click();
    const shown = await page.locator('[data-new-key]').textContent();
    expect(shown).toMatch(/^sk-/);
    const row = page.locator('tr[data-key="alice"]');
    await expect(row.textContent()).resolves.toContain('20 rpm');
    await shot('keys');
    // The key works against the API.
    const models = await fetch(`${h.baseURL}/models`, { headers: { authorization: `Bearer ${shown}` } });
    expect(models.status).toBe(200);

    await row.getByRole('button', { name: 'Revoke' }).click();
    await row.getByRole('button', { name: 'Confirm revoke' }).click();
    // The table reloads after the DELETE answers: wait for the re-render rather than read it once.
    await row
      .locator('td')
      .nth(5)
      .filter({ hasText: /^revoked$/ })
      .waitFor();
    const refused = await fetch(`${h.baseURL}/models`, { headers: { authorization: `Bearer ${shown}` } });
    expect(refused.status).toBe(401);
  });

  it('shows an API request in Requests and in the Overview counts, with charts drawn', async () => {
    h.mock.enqueue(text('Hello from the mock.', { usage: { input_tokens: 12, output_tokens: 5 } }));
    const response = await fetch(`${h.baseURL}/chat/completions`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${ADMIN_KEY}`,
        'content-type': 'application/json',
        'x-request-id': 'req-console-1',
      },
      body: JSON.stringify({ model: 'sonnet', messages: [{ role: 'user', content: 'hi' }] }),
    });
    expect(response.status).toBe(200);

    await page.goto(`${h.origin}/console/#/requests`);
    const row = page.locator('tr[data-request="req-console-1"]');
    await row.waitFor();
    await expect(row.textContent()).resolves.toContain('openai-chat');
    await row.click();
    const details = page.getByRole('dialog', { name: 'Request details' });
    await expect(details.textContent()).resolves.toContain('POST /v1/chat/completions');
    await shot('requests');

    await page.goto(`${h.origin}/console/#/overview`);
    await page.locator('[data-stat="requests"]').waitFor();
    expect(Number(await page.locator('[data-stat="requests"]').textContent())).toBeGreaterThanOrEqual(1);
    // The live tiles are pushed by the gateway (SSE), not fetched on load.
    await page.locator('[data-stat="processes"]').filter({ hasText: /^\d+$/ }).waitFor();
    expect(await chartHasInk(page, 'Requests per minute')).toBe(true);
    await shot('overview');
    // The picture in docs/console.md is refreshed on request only, so test runs leave the tree clean.
    if (process.env.UPDATE_DOCS_SCREENSHOTS === '1') {
      await page.screenshot({ path: path.resolve('docs/console-overview.png') });
    }

    await page.goto(`${h.origin}/console/#/usage`);
    await page.getByRole('cell', { name: 'admin' }).first().waitFor();
    expect(await chartHasInk(page, 'Cost per key and day (USD)')).toBe(true);
    const csv = await page.request.get(`${h.origin}/console/api/usage.csv`);
    expect(await csv.text()).toMatch(/^day,key_id,key_name,requests/);
    await shot('usage');
  });

  it('streams an answer in the playground from the mock Messages API', async () => {
    h.mock.enqueue(text('Streamed playground answer.', { chunkDelayMs: 20 }));
    const before = h.mock.requests.length;
    await page.goto(`${h.origin}/console/#/playground`);
    await page.getByLabel('System prompt').fill('Answer briefly.');
    await page.getByLabel('Message', { exact: true }).fill('Say something');
    await page.getByRole('button', { name: 'Send' }).click();
    await page.locator('[data-output="answer"]').filter({ hasText: 'Streamed playground answer.' }).waitFor();
    await expect(page.locator('[data-stat="playground-ttft"]').textContent()).resolves.toMatch(/\d+ ms/);
    await page.locator('[data-stat="playground-cost"]').filter({ hasText: '$' }).waitFor();
    const sent = h.mock.requests[before];
    expect(JSON.stringify(sent?.body.system)).toContain('Answer briefly.');
    await shot('playground');
  });

  it('streams through the Anthropic Messages and Responses surfaces too', async () => {
    for (const surface of ['anthropic-messages', 'openai-responses']) {
      h.mock.enqueue(text(`Answer via ${surface}.`));
      await page.goto(`${h.origin}/console/#/playground`);
      await page.locator('select[name="surface"]').selectOption(surface);
      await page.getByLabel('Message', { exact: true }).fill('Say something');
      await page.getByRole('button', { name: 'Send' }).click();
      await page
        .locator('[data-output="answer"]')
        .filter({ hasText: `Answer via ${surface}.` })
        .waitFor();
    }
  });

  it('lists native sessions of every key and shows a session history', async () => {
    const headers = { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': 'application/json' };
    const created = await fetch(`${h.origin}/api/v1/sessions`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ model: 'sonnet' }),
    });
    expect(created.status).toBe(201);
    const { sessionId } = (await created.json()) as { sessionId: string };
    h.mock.enqueue(text('Native answer for the console.'));
    const turn = await fetch(`${h.origin}/api/v1/sessions/${sessionId}/messages`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ prompt: 'Native question' }),
    });
    expect(turn.status).toBe(200);

    await page.goto(`${h.origin}/console/#/sessions`);
    const row = page.locator(`tr[data-session="${sessionId}"]`);
    await row.waitFor();
    await expect(row.textContent()).resolves.toContain('sonnet');
    await row.click();
    const history = page.getByRole('dialog', { name: 'Session history' });
    await history
      .locator('li[data-role="assistant"]')
      .filter({ hasText: 'Native answer for the console.' })
      .waitFor();
    await expect(history.locator('li[data-role="user"]').textContent()).resolves.toContain('Native question');
    await shot('sessions');
  });

  it('lists tasks and cancels a running one after a confirmation', async () => {
    h.mock.setHandler(() => ({ kind: 'hang' }));
    try {
      const started = await fetch(`${h.origin}/api/v1/tasks`, {
        method: 'POST',
        headers: { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': 'application/json' },
        body: JSON.stringify({ prompt: 'A task the console cancels', cwd: taskRoot, background: true }),
      });
      expect(started.status).toBe(202);
      const { taskId } = (await started.json()) as { taskId: string };
      await page.goto(`${h.origin}/console/#/tasks`);
      const row = page.locator(`tr[data-task="${taskId}"]`);
      await row
        .locator('[data-status]')
        .filter({ hasText: /^running$/ })
        .waitFor();
      await expect(row.textContent()).resolves.toContain('A task the console cancels');
      await shot('tasks');
      await row.getByRole('button', { name: 'Cancel' }).click();
      await row.getByRole('button', { name: 'Confirm cancel' }).click();
      await row
        .locator('[data-status]')
        .filter({ hasText: /^cancelled$/ })
        .waitFor();
      expect(await eventually(() => h.gateway.processes.liveCount === 0, 2_000)).toBe(true);
    } finally {
      h.mock.reset();
    }
  });

  it('serves its icon to anyone, so no page load ends in a 401', async () => {
    const icon = await fetch(`${h.origin}/favicon.ico`);
    expect(icon.status).toBe(200);
    expect(icon.headers.get('content-type')).toBe('image/x-icon');
    // An ICO file: reserved 0, type 1 (icon), at least one image.
    const head = new Uint8Array(await icon.arrayBuffer()).slice(0, 6);
    expect([...head]).toEqual([0, 0, 1, 0, 1, 0]);
  });

  it('counts 429 refusals apart from errors in the overview', async () => {
    const { key } = await h.gateway.store.keys.create({ name: 'one-a-minute', policy: { rpm: 1 } });
    const chat = (body: unknown) =>
      fetch(`${h.baseURL}/chat/completions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    const run = { model: 'sonnet', messages: [{ role: 'user', content: 'hi' }] };
    // An error (a body without messages, which runs nothing and so counts against no rate), then the
    // one run a minute allows, then a refusal for the rate.
    expect((await chat({ model: 'sonnet' })).status).toBe(400);
    expect((await chat(run)).status).toBe(200);
    expect((await chat(run)).status).toBe(429);
    const overview = await page.request.get(`${h.origin}/console/api/overview?window=hour`);
    const { totals, series } = (await overview.json()) as {
      totals: { requests: number; errors: number; refused: number; errorRate: number };
      series: Array<{ requests: number; errors: number; refused: number }>;
    };
    expect(totals.refused).toBe(1);
    expect(totals.errors).toBeGreaterThanOrEqual(1);
    expect(series.reduce((sum, bucket) => sum + bucket.refused, 0)).toBe(1);
    expect(series.reduce((sum, bucket) => sum + bucket.errors, 0)).toBe(totals.errors);
    await page.goto(`${h.origin}/console/#/overview`);
    await page.locator('[data-stat="refused"]').filter({ hasText: /^1$/ }).waitFor();
  });

  it('fits every page into 390 px, opens request details where the reader is, and draws readable day bars', async () => {
    // More requests than a 390 x 844 screen shows rows, so the last one is far down the page.
    for (let n = 0; n < 12; n++) {
      const refused = await fetch(`${h.baseURL}/chat/completions`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${ADMIN_KEY}`,
          'content-type': 'application/json',
          'x-request-id': `req-narrow-${n}`,
        },
        body: JSON.stringify({ model: 'no-such-model', messages: [{ role: 'user', content: 'hi' }] }),
      });
      expect(refused.status).toBeGreaterThanOrEqual(400);
    }
    await page.setViewportSize({ width: 390, height: 844 });
    try {
      const pages: Array<[string, string, string]> = [
        ['overview', 'Overview', '[data-stat="requests"]'],
        ['usage', 'Usage', 'table tbody tr'],
        ['keys', 'Keys', 'tr[data-key="alice"]'],
        ['requests', 'Requests', 'tr[data-request]'],
        ['sessions', 'Sessions', 'tr[data-session]'],
        ['tasks', 'Tasks', 'tr[data-task]'],
        ['playground', 'Playground', 'textarea[name="message"]'],
      ];
      for (const [id, title, content] of pages) {
        await page.goto(`${h.origin}/console/#/${id}`);
        await page.getByRole('heading', { name: title, exact: true }).waitFor();
        await page.locator(content).first().waitFor();
        const width = await page.evaluate<number>('document.documentElement.scrollWidth');
        expect(width, `${id} is ${width} px wide`).toBeLessThanOrEqual(390);
        await shot(`${id}-390`);
      }

      await page.goto(`${h.origin}/console/#/requests`);
      const last = page.locator('tr[data-request]').last();
      await last.click();
      const details = page.getByRole('dialog', { name: 'Request details' });
      await details.waitFor();
      const box = await details.boundingBox();
      expect(box).not.toBeNull();
      expect(box?.y).toBeGreaterThanOrEqual(0);
      expect((box?.y ?? 0) + (box?.height ?? 0)).toBeLessThanOrEqual(844);
      await shot('request-details-390');
      await page.keyboard.press('Escape');
      await details.waitFor({ state: 'hidden' });

      await page.goto(`${h.origin}/console/#/overview`);
      await page.getByRole('button', { name: 'Day' }).click();
      await page.locator('canvas[data-chart="Requests per hour"]').waitFor();
      expect(await widestRun(page, 'Requests per hour', [47, 111, 222])).toBeGreaterThanOrEqual(6);
      await shot('overview-day-390');
    } finally {
      await page.setViewportSize({ width: 1280, height: 900 });
    }
  });

  it('signs out: the session no longer works', async () => {
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByLabel('Admin key').waitFor();
    const response = await page.request.get(`${h.origin}/console/api/session`);
    expect(response.status()).toBe(401);
  });
});

/** The widest horizontal run of pixels of `rgb` in the named chart: how wide its widest bar is drawn. */
async function widestRun(page: Page, title: string, rgb: [number, number, number]): Promise<number> {
  return page.evaluate<number>(`(() => {
    const c = document.querySelector(${JSON.stringify(`canvas[data-chart="${title}"]`)});
    const data = c?.getContext('2d')?.getImageData(0, 0, c.width, c.height).data;
    if (!data) return 0;
    const [r, g, b] = ${JSON.stringify(rgb)};
    const close = (i) => Math.abs(data[i] - r) < 12 && Math.abs(data[i + 1] - g) < 12 && Math.abs(data[i + 2] - b) < 12 && data[i + 3] > 200;
    let widest = 0;
    for (let y = 0; y < c.height; y++) {
      let run = 0;
      for (let x = 0; x < c.width; x++) {
        run = close((y * c.width + x) * 4) ? run + 1 : 0;
        if (run > widest) widest = run;
      }
    }
    return widest / (window.devicePixelRatio || 1);
  })()`);
}

/** True when the named chart's canvas has non-transparent pixels (Chart.js drew something). */
async function chartHasInk(page: Page, title: string): Promise<boolean> {
  const canvas = page.locator(`canvas[data-chart="${title}"]`);
  await canvas.waitFor();
  // Runs in the page (a string, so this file needs no DOM typings).
  return page.evaluate<boolean>(`(() => {
    const c = document.querySelector(${JSON.stringify(`canvas[data-chart="${title}"]`)});
    const data = c?.getContext('2d')?.getImageData(0, 0, c.width, c.height).data;
    if (!data) return false;
    for (let i = 3; i < data.length; i += 4) if (data[i] > 0) return true;
    return false;
  })()`);
}
