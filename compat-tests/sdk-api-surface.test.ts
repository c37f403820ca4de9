/**
 * Every method of the official `openai` and `@anthropic-ai/sdk` clients that reaches a route the
 * gateway serves, called the way those SDKs' own API tests call them (their test folders are not
 * published to npm): once with only the required parameters, once with every parameter the SDK types
 * offer. The gateway may refuse a parameter it cannot honour, with a 4xx in the SDK's own error
 * class, but never answers 5xx and never fails to parse.
 */
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { describe, expect, it } from 'vitest';
import { useHarness } from '../test/helpers/gateway-harness.js';

const KEY = 'sk-sdk-surface-key-0001';
const h = useHarness({ config: { GATEWAY_API_KEYS: KEY } });

const openai = () => new OpenAI({ baseURL: h.baseURL, apiKey: KEY, maxRetries: 0, timeout: 60_000 });
const anthropic = () => new Anthropic({ baseURL: h.origin, apiKey: KEY, maxRetries: 0, timeout: 60_000 });

/** The call's outcome: its value, or the 4xx the SDK raised for it. A 5xx or any other failure throws. */
async function answered<T>(call: Promise<T>): Promise<{ value?: T; status?: number }> {
  try {
    return { value: await call };
  } catch (error) {
    const status = (error as { status?: number }).status;
    if (!(error instanceof OpenAI.APIError || error instanceof Anthropic.APIError) || status === undefined) {
      throw error;
    }
    expect(status, String(error)).toBeLessThan(500);
    return { status };
  }
}

const weatherFunction = {
  name: 'get_weather',
  description: 'The weather in a city',
  parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
};

describe('openai SDK methods, required and all parameters', () => {
  it('chat.completions.create', async () => {
    const client = openai();
    const required = await answered(
      client.chat.completions.create({ model: 'sonnet', messages: [{ role: 'user', content: 'Hello' }] }),
    );
    expect(required.value?.choices[0]?.message.content).toBeTruthy();
    const all = await answered(
      client.chat.completions.create({
        model: 'sonnet',
        messages: [
          { role: 'developer', content: 'Be brief.', name: 'ops' },
          { role: 'user', content: 'Hello', name: 'ada' },
        ],
        audio: { format: 'wav', voice: 'alloy' },
        frequency_penalty: -2,
        logit_bias: { '50256': -100 },
        logprobs: false,
        max_completion_tokens: 256,
        max_tokens: 256,
        metadata: { team: 'gateway' },
        modalities: ['text'],
        n: 1,
        parallel_tool_calls: true,
        prediction: { type: 'content', content: 'Hello' },
        presence_penalty: -2,
        prompt_cache_key: 'prompt-cache-key-1234',
        reasoning_effort: 'low',
        response_format: { type: 'text' },
        safety_identifier: 'safety-identifier-1234',
        seed: -9007199254740991,
        service_tier: 'auto',
        stop: '\n\n\n',
        store: false,
        stream: false,
        temperature: 1,
        tool_choice: 'auto',
        tools: [{ type: 'function', function: { ...weatherFunction, strict: false } }],
        top_p: 1,
        user: 'user-1234',
        verbosity: 'low',
        web_search_options: { search_context_size: 'low' },
      }),
    );
    // Every one of them is accepted (the sampling ones are ignored: Claude Code does not expose them).
    expect(all.value?.object).toBe('chat.completion');
  });

  it('completions.create', async () => {
    const client = openai();
    const required = await answered(
      client.completions.create({ model: 'sonnet', prompt: 'Once upon a time' }),
    );
    expect(required.value?.choices[0]?.text).toBeTruthy();
    const all = await answered(
      client.completions.create({
        model: 'sonnet',
        prompt: 'Once upon a time',
        best_of: 1,
        echo: false,
        frequency_penalty: -2,
        logit_bias: { '50256': -100 },
        max_tokens: 16,
        n: 1,
        presence_penalty: -2,
        seed: 0,
        stop: '\n',
        stream: false,
        suffix: 'The end.',
        temperature: 1,
        top_p: 1,
        user: 'user-1234',
      }),
    );
    // Fill-in-the-middle is the one thing Claude cannot do here: a 400 naming `suffix`.
    expect(all.status).toBe(400);
    const { suffix: _refused, ...withoutSuffix } = {
      model: 'sonnet',
      prompt: 'Once upon a time',
      best_of: 1,
      echo: false,
      max_tokens: 16,
      n: 1,
      seed: 0,
      stop: '\n',
      suffix: 'The end.',
      user: 'user-1234',
    };
    expect((await answered(client.completions.create(withoutSuffix))).value?.object).toBe('text_completion');
  });

  it('responses.create, retrieve, delete', async () => {
    const client = openai();
    const required = await answered(client.responses.create({ model: 'sonnet', input: 'Hello' }));
    expect(required.value?.output_text).toBeTruthy();
    const id = required.value?.id ?? 'resp_missing';
    const all = await answered(
      client.responses.create({
        model: 'sonnet',
        input: [{ role: 'user', content: 'Hello' }],
        background: false,
        include: ['reasoning.encrypted_content'],
        instructions: 'Be brief.',
        max_output_tokens: 256,
        metadata: { team: 'gateway' },
        parallel_tool_calls: true,
        previous_response_id: id,
        prompt_cache_key: 'prompt-cache-key-1234',
        reasoning: { effort: 'low', summary: 'auto' },
        safety_identifier: 'safety-identifier-1234',
        service_tier: 'auto',
        store: true,
        stream: false,
        temperature: 1,
        text: { format: { type: 'text' }, verbosity: 'low' },
        tool_choice: 'auto',
        tools: [{ type: 'function', ...weatherFunction, strict: false }],
        top_logprobs: 0,
        top_p: 1,
        truncation: 'disabled',
        user: 'user-1234',
      }),
    );
    expect(all.value?.object).toBe('response');
    expect((await answered(client.responses.retrieve(id))).value?.id ?? 'refused').toBeTruthy();
    await answered(client.responses.delete(id));
    expect((await answered(client.responses.retrieve(id))).status).toBe(404);
  });

  it('models.list and models.retrieve', async () => {
    const client = openai();
    const models = await answered(client.models.list());
    expect(models.value?.data.length).toBeGreaterThan(0);
    expect((await answered(client.models.retrieve('sonnet'))).value?.id).toBe('sonnet');
    expect((await answered(client.models.retrieve('not-a-model'))).status).toBe(404);
  });

  it('endpoints the gateway does not serve answer 4xx, not 5xx', async () => {
    const client = openai();
    expect((await answered(client.embeddings.create({ model: 'sonnet', input: 'Hello' }))).status).toBe(404);
    expect(
      (await answered(client.images.generate({ model: 'sonnet', prompt: 'A gateway' }))).status,
    ).toBeGreaterThanOrEqual(400);
  });
});

describe('Anthropic SDK methods, required and all parameters', () => {
  it('messages.create', async () => {
    const client = anthropic();
    const required = await answered(
      client.messages.create({
        model: 'sonnet',
        max_tokens: 256,
        messages: [{ role: 'user', content: 'Hello' }],
      }),
    );
    expect(required.value?.content[0]?.type).toBe('text');
    const all = await answered(
      client.messages.create({
        model: 'sonnet',
        max_tokens: 2048,
        messages: [{ role: 'user', content: 'Hello' }],
        metadata: { user_id: '13803d75-b4b5-4c3e-b2a2-6f21399b021b' },
        service_tier: 'auto',
        stop_sequences: ['STOP'],
        stream: false,
        system: [{ type: 'text', text: 'Be brief.', cache_control: { type: 'ephemeral' } }],
        thinking: { type: 'enabled', budget_tokens: 1024 },
        tool_choice: { type: 'auto', disable_parallel_tool_use: true },
        tools: [
          {
            name: 'get_weather',
            description: 'The weather in a city',
            input_schema: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
            cache_control: { type: 'ephemeral' },
          },
        ],
        cache_control: { type: 'ephemeral' },
        inference_geo: 'us',
        output_config: { effort: 'low' },
        speed: 'standard',
      }),
    );
    expect(all.value?.type).toBe('message');
  });

  it('messages.countTokens', async () => {
    const client = anthropic();
    const required = await answered(
      client.messages.countTokens({ model: 'sonnet', messages: [{ role: 'user', content: 'Hello' }] }),
    );
    expect(required.value?.input_tokens).toBeGreaterThan(0);
    const all = await answered(
      client.messages.countTokens({
        model: 'sonnet',
        messages: [{ role: 'user', content: 'Hello' }],
        system: 'Be brief.',
        thinking: { type: 'enabled', budget_tokens: 1024 },
        tool_choice: { type: 'auto' },
        tools: [
          {
            name: 'get_weather',
            input_schema: { type: 'object', properties: { city: { type: 'string' } } },
          },
        ],
      }),
    );
    expect(all.value?.input_tokens).toBeGreaterThan(0);
  });

  it('messages.create refuses what it cannot serve with a 4xx the SDK does not retry', async () => {
    const client = anthropic();
    const prefill = await answered(
      client.messages.create({
        model: 'sonnet',
        max_tokens: 64,
        messages: [
          { role: 'user', content: 'Hello' },
          { role: 'assistant', content: 'Hi' },
        ],
      }),
    );
    expect(prefill.status).toBe(400);
    expect(
      (await answered(client.messages.create({ model: 'nope', max_tokens: 8, messages: [] }))).status,
    ).toBe(400);
  });
});
