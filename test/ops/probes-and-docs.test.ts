import { Ajv2020 } from 'ajv/dist/2020.js';
import { afterEach, describe, expect, it } from 'vitest';
import { chatCompletionRequestSchema } from '../../src/surfaces/openai/chat/schema.js';
import { json } from '../core/wire.js';
import { type Harness, startHarness } from '../helpers/gateway-harness.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

describe('/ready', () => {
  it('is ready when Claude Code runs and the store takes writes, and 503 once the store fails', async () => {
    h = await startHarness({ config: { GATEWAY_API_KEYS: 'sk-probe-owner-key' } });
    const ready = await fetch(`${h.origin}/ready`);
    expect(ready.status).toBe(200);
    expect(await json(ready)).toEqual({
      status: 'ready',
      checks: { claude_code: true, claude_credentials: true, store_writable: true, accepting_requests: true },
    });
    await h.gateway.store.close();
    const broken = await fetch(`${h.origin}/ready`);
    expect(broken.status).toBe(503);
    expect((await json(broken)).checks).toMatchObject({ store_writable: false, claude_code: true });
  });

  it('is 503 while /health stays 200 when Claude Code cannot be found, and 503 while draining', async () => {
    h = await startHarness({ config: { CLAUDE_PATH: '/nonexistent/claude' } });
    const notReady = await fetch(`${h.origin}/ready`);
    expect(notReady.status).toBe(503);
    expect((await json(notReady)).checks).toMatchObject({ claude_code: false, store_writable: true });
    expect((await fetch(`${h.origin}/health`)).status).toBe(200);

    h.gateway.beginDrain();
    expect((await json(await fetch(`${h.origin}/ready`))).checks.accepting_requests).toBe(false);
    const refused = await fetch(`${h.baseURL}/models`);
    expect(refused.status).toBe(503);
    expect((await json(refused)).error.code).toBe('shutting_down');
  });
});

describe('API docs', () => {
  it('serves OpenAPI 3.1 whose request schema is the one the route validates with', async () => {
    h = await startHarness({ config: { GATEWAY_API_KEYS: 'sk-docs-owner-key' } });
    const response = await fetch(`${h.origin}/openapi.json`);
    expect(response.status).toBe(200);
    const doc = await json(response);
    expect(doc.openapi).toBe('3.1.0');
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining([
        '/v1/chat/completions',
        '/v1/models',
        '/v1/models/{id}',
        '/v1/usage',
        '/ready',
      ]),
    );
    // Generated from the zod schema the route validates with: both judge a body alike.
    const requestSchema = doc.components.schemas.ChatCompletionRequest;
    expect(requestSchema.required).toEqual(['model', 'messages']);
    const ajv = new Ajv2020({ strict: false, validateFormats: false });
    ajv.addSchema(doc, 'gateway');
    const validateRequest = ajv.getSchema('gateway#/components/schemas/ChatCompletionRequest');
    const bodies = [
      { model: 'sonnet', messages: [{ role: 'user', content: 'hi' }] },
      { model: 'sonnet', messages: [{ role: 'user', content: [{ type: 'text', text: 'hi' }] }], extra: 1 },
      { model: 'sonnet', messages: [{ role: 'wizard', content: 'hi' }] },
      { model: 'sonnet' },
      { messages: [{ role: 'user', content: 'hi' }] },
      { model: 'sonnet', messages: [{ role: 'user', content: 'hi' }], temperature: 'hot' },
    ];
    for (const body of bodies) {
      expect(validateRequest?.(body), JSON.stringify(body)).toBe(
        chatCompletionRequestSchema.safeParse(body).success,
      );
    }
    expect(doc.components.securitySchemes.bearerAuth).toMatchObject({ type: 'http', scheme: 'bearer' });

    const page = await fetch(`${h.origin}/docs`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    const html = await page.text();
    expect(html).toContain("url: 'openapi.json'");
    // Offline: nothing from another origin, only assets of the installed swagger-ui-dist.
    expect(html).not.toMatch(/(src|href)="(https?:)?\/\//);
    const assets = [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((match) => match[1]);
    expect(assets.sort()).toEqual(['docs/swagger-ui-bundle.js', 'docs/swagger-ui.css']);
    const script = await fetch(new URL(assets[0] as string, `${h.origin}/docs`));
    expect(script.status).toBe(200);
    expect(script.headers.get('content-type')).toMatch(/^text\/javascript/);
    expect(await script.text()).toContain('SwaggerUIBundle');
    const css = await fetch(new URL(assets[1] as string, `${h.origin}/docs`));
    expect(css.headers.get('content-type')).toMatch(/^text\/css/);
    expect((await css.text()).length).toBeGreaterThan(10_000);
  });
});
