import { describe, expect, it } from 'vitest';
import { GatewayError } from '../../../contract/gateway-error.js';
import { createModelCatalog } from '../../../core/model-catalog.js';
import { type ChatCompletionRequest, chatCompletionRequestSchema } from './schema.js';
import { type ToClaudeContext, toRunPlan } from './to-plan.js';

const context: ToClaudeContext = {
  models: createModelCatalog(['sonnet', 'claude-sonnet-4-5']),
  systemPromptPlacement: 'replace',
  maxImageBytes: 1024,
  remoteImages: false,
};

function request(body: Record<string, unknown>): ChatCompletionRequest {
  return chatCompletionRequestSchema.parse({ model: 'sonnet', ...body });
}

function planError(body: Record<string, unknown>, ctx = context): GatewayError {
  try {
    toRunPlan(request(body), ctx);
  } catch (error) {
    if (error instanceof GatewayError) return error;
    throw error;
  }
  throw new Error('expected a GatewayError');
}

describe('toRunPlan', () => {
  it('makes system and developer messages the system prompt and the last user message the prompt', () => {
    const plan = toRunPlan(
      request({
        messages: [
          { role: 'system', content: 'Be brief.' },
          { role: 'developer', content: [{ type: 'text', text: 'Answer in French.' }] },
          { role: 'user', content: 'Hello' },
        ],
      }),
      context,
    );
    expect(plan.systemPrompt).toEqual({ text: 'Be brief.\n\nAnswer in French.', placement: 'replace' });
    expect(plan.history).toEqual([]);
    expect(plan.prompt).toEqual([{ type: 'text', text: 'Hello' }]);
    expect(plan.model).toBe('sonnet');
  });

  it('keeps earlier turns as alternating user/assistant turns, merging consecutive ones', () => {
    const plan = toRunPlan(
      request({
        messages: [
          { role: 'user', content: 'My name is Bob.' },
          { role: 'user', content: [{ type: 'text', text: 'I live in Paris.' }] },
          { role: 'assistant', content: 'Hi Bob.' },
          { role: 'user', content: 'Where do I live?' },
        ],
      }),
      context,
    );
    expect(plan.history).toEqual([
      {
        role: 'user',
        content: [
          { type: 'text', text: 'My name is Bob.' },
          { type: 'text', text: 'I live in Paris.' },
        ],
      },
      { role: 'assistant', content: [{ type: 'text', text: 'Hi Bob.' }] },
    ]);
    expect(plan.prompt).toEqual([{ type: 'text', text: 'Where do I live?' }]);
  });

  it('keeps a prompt that starts with a slash as plain text', () => {
    const plan = toRunPlan(request({ messages: [{ role: 'user', content: '/clear everything' }] }), context);
    expect(plan.prompt).toEqual([{ type: 'text', text: '/clear everything' }]);
  });

  it('lets max_completion_tokens win over max_tokens', () => {
    const plan = toRunPlan(
      request({ max_tokens: 10, max_completion_tokens: 20, messages: [{ role: 'user', content: 'x' }] }),
      context,
    );
    expect(plan.maxOutputTokens).toBe(20);
  });

  it('places the system text in the first user turn when configured to', () => {
    const plan = toRunPlan(
      request({
        messages: [
          { role: 'system', content: 'Be brief.' },
          { role: 'user', content: 'one' },
          { role: 'assistant', content: 'two' },
          { role: 'user', content: 'three' },
        ],
      }),
      { ...context, systemPromptPlacement: 'first-user-turn' },
    );
    // Claude Code's own system prompt, with nothing appended.
    expect(plan.systemPrompt).toEqual({ text: '', placement: 'append' });
    expect(plan.history[0]?.content[0]).toEqual({
      type: 'text',
      text: '<instructions>\nBe brief.\n</instructions>',
    });
    expect(plan.prompt).toEqual([{ type: 'text', text: 'three' }]);
  });

  it('rejects an unknown model with 404 model_not_found', () => {
    const error = planError({ model: 'gpt-9', messages: [{ role: 'user', content: 'x' }] });
    expect(error).toMatchObject({ status: 404, param: 'model', code: 'model_not_found' });
  });

  it('rejects a conversation that ends with an assistant message', () => {
    const error = planError({
      messages: [
        { role: 'user', content: 'x' },
        { role: 'assistant', content: 'y' },
      ],
    });
    expect(error).toMatchObject({ status: 400, param: 'messages' });
  });

  it.each([
    ['n', { n: 2 }],
    ['logprobs', { logprobs: true }],
  ])('rejects %s as an unsupported parameter', (param, extra) => {
    const error = planError({ ...extra, messages: [{ role: 'user', content: 'x' }] });
    expect(error).toMatchObject({ status: 400, param, code: 'unsupported_parameter' });
  });

  it('turns a data-URL image into a base64 image block and refuses remote URLs by default', () => {
    const png = 'iVBORw0KGgo=';
    const plan = toRunPlan(
      request({
        messages: [
          {
            role: 'user',
            content: [
              { type: 'text', text: 'What is this?' },
              { type: 'image_url', image_url: { url: `data:image/png;base64,${png}` } },
            ],
          },
        ],
      }),
      context,
    );
    expect(plan.prompt[1]).toEqual({
      type: 'image',
      source: { type: 'base64', media_type: 'image/png', data: png },
    });
    const remote = planError({
      messages: [
        { role: 'user', content: [{ type: 'image_url', image_url: { url: 'https://example.com/a.png' } }] },
      ],
    });
    expect(remote).toMatchObject({
      status: 400,
      param: 'messages[0].content[0].image_url',
      code: 'remote_images_disabled',
    });
  });

  it('answers 413 for an image over the size limit', () => {
    const big = Buffer.alloc(2048).toString('base64');
    const error = planError({
      messages: [
        { role: 'user', content: [{ type: 'image_url', image_url: `data:image/png;base64,${big}` }] },
      ],
    });
    expect(error.status).toBe(413);
  });
});
