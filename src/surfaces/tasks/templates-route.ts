import { OpenAPIHono } from '@hono/zod-openapi';
import '../../http/context-variables.js';
import { GatewayError } from '../../contract/gateway-error.js';
import type { RunEvent } from '../../contract/run-events.js';
import { documented } from '../../http/openapi-route.js';
import { noteRequestsPerMinute } from '../../http/rate-limit-headers.js';
import { requestCaller } from '../../http/serve-run.js';
import { type SseFrame, writeSse } from '../../http/sse.js';
import { validateJson } from '../../http/validate-json.js';
import {
  type GenerationContext,
  type GenerationResult,
  generationTimeoutMs,
  startGeneration,
  templatePrompt,
} from '../../services/tasks/generation.js';
import { renderTemplate, type TemplateLibrary } from '../../services/templates/template-library.js';
import * as docs from './route-docs.js';
import { generateRequestSchema } from './schema.js';

export interface TemplateRouteDeps {
  templates: TemplateLibrary;
  generation: GenerationContext;
  keepAliveMs: number;
}

/** GET /api/v1/templates, POST /api/v1/templates/{name}/generate. */
export function templateRoutes(deps: TemplateRouteDeps) {
  const app = new OpenAPIHono();
  app
    .get(documented(app, docs.listTemplates), async (c) => {
      const templates = await deps.templates.list();
      return c.json({
        data: templates.map((template) => ({
          name: template.name,
          description: template.description,
          model: template.model ?? null,
          variables: template.variables,
          outputSchema: template.outputSchema ?? null,
        })),
      });
    })
    .post(documented(app, docs.generateFromTemplate), validateJson(generateRequestSchema), async (c) => {
      const request = c.req.valid('json');
      const template = await deps.templates.get(c.req.param('name'));
      const prompt = renderTemplate(template, request.variables);
      const { caller, abort } = requestCaller(c);
      const { events, result, requestsPerMinute } = await startGeneration(
        {
          ...templatePrompt(template, prompt),
          caller,
          timeoutMs: generationTimeoutMs(deps.generation, caller.principal, request.timeout),
          auditBody: { template: template.name, variables: request.variables },
        },
        deps.generation,
      );
      noteRequestsPerMinute(c, requestsPerMinute);
      const answer = (generated: GenerationResult) => ({
        template: template.name,
        content: generated.content,
        generationTime: generated.generationTime,
        usage: generated.usage,
        costUsd: generated.costUsd,
      });
      if (!request.stream) {
        for await (const event of events) if (event.type === 'error') throw event.error;
        return c.json(answer(result()));
      }
      return writeSse(
        c,
        generationFrames(events, {
          delta: (text) => ({ event: 'text_delta', data: JSON.stringify({ text }) }),
          done: () => ({ event: 'complete', data: JSON.stringify(answer(result())) }),
          fail: (error) => ({
            event: 'error',
            data: JSON.stringify({ error: { code: error.code ?? error.kind, message: error.message } }),
          }),
        }),
        { keepAliveMs: deps.keepAliveMs, onAbort: abort },
      );
    });
  return app;
}

export interface GenerationFrameEncoding {
  delta: (text: string) => SseFrame;
  done: () => SseFrame;
  fail: (error: GatewayError) => SseFrame;
}

/** A generation's events in a route's own SSE dialect; content that fails its schema is an `error` frame. */
export async function* generationFrames(
  events: AsyncIterable<RunEvent>,
  encoding: GenerationFrameEncoding,
): AsyncGenerator<SseFrame> {
  for await (const event of events) {
    if (event.type === 'error') {
      yield encoding.fail(event.error);
      return;
    }
    if (event.type === 'text_delta') yield encoding.delta(event.text);
  }
  try {
    yield encoding.done();
  } catch (error) {
    if (!(error instanceof GatewayError)) throw error;
    yield encoding.fail(error);
  }
}
