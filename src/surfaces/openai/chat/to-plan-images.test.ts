import { describe, expect, it } from 'vitest';
import { GatewayError } from '../../../contract/gateway-error.js';
import { createModelCatalog } from '../../../core/model-catalog.js';
import { chatCompletionRequestSchema } from './schema.js';
import { type ToClaudeContext, toAssistantTurn, toRunPlan } from './to-plan.js';

const PNG =
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==';

const context: ToClaudeContext = {
  models: createModelCatalog(['sonnet']),
  systemPromptPlacement: 'replace',
  maxImageBytes: 1024,
  remoteImages: false,
};

function promptOf(url: string, ctx = context) {
  const request = chatCompletionRequestSchema.parse({
    model: 'sonnet',
    messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url } }] }],
  });
  return toRunPlan(request, ctx).prompt;
}

function errorOf(url: string, ctx = context): GatewayError {
  try {
    promptOf(url, ctx);
  } catch (error) {
    if (error instanceof GatewayError) return error;
    throw error;
  }
  throw new Error('expected a GatewayError');
}

describe('image parts', () => {
  it('takes the media type from the bytes, not the label', () => {
    expect(promptOf(`data:image/jpg;base64,${PNG}`)).toEqual([
      { type: 'image', source: { type: 'base64', media_type: 'image/png', data: PNG } },
    ]);
  });

  it('refuses data that is no supported image, and data URLs of other types', () => {
    const text = Buffer.from('just text, honest').toString('base64');
    expect(errorOf(`data:image/png;base64,${text}`)).toMatchObject({ status: 400, code: 'invalid_image' });
    expect(errorOf(`data:application/pdf;base64,${PNG}`)).toMatchObject({
      status: 400,
      code: 'invalid_image_url',
    });
  });

  it('keeps http(s) URLs for the gateway to fetch when remote images are on, and checks they parse', () => {
    const remote = { ...context, remoteImages: true };
    expect(promptOf('https://example.com/a.png', remote)).toEqual([
      { type: 'image', source: { type: 'url', url: 'https://example.com/a.png' } },
    ]);
    expect(errorOf('https://exa mple.com/a.png', remote)).toMatchObject({
      status: 400,
      param: 'messages[0].content[0].image_url',
      code: 'invalid_image_url',
    });
  });
});

describe('toAssistantTurn', () => {
  it('builds the same turn as an assistant message in a request', () => {
    const message = {
      role: 'assistant' as const,
      content: 'Let me check.',
      tool_calls: [
        { id: 'call_1', type: 'function' as const, function: { name: 'lookup', arguments: '{"q":"x"}' } },
      ],
    };
    const request = chatCompletionRequestSchema.parse({
      model: 'sonnet',
      messages: [
        { role: 'user', content: 'hi' },
        message,
        { role: 'tool', tool_call_id: 'call_1', content: 'ok' },
      ],
    });
    expect(toRunPlan(request, context).history[1]).toEqual(toAssistantTurn(message));
    expect(toAssistantTurn(message).content).toEqual([
      { type: 'text', text: 'Let me check.' },
      { type: 'tool_use', id: 'call_1', name: 'mcp__client__lookup', input: { q: 'x' } },
    ]);
  });
});
