import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Ajv } from 'ajv';
import OpenAI from 'openai';
import { describe, expect, it } from 'vitest';
import { GatewayError } from '../../../contract/gateway-error.js';
import type { RunEvent, RunUsage } from '../../../contract/run-events.js';
import { type CompletionFrame, createEncoderState, encodeEnd, encodeEvent } from './encode-stream.js';
import { foldChunks } from './fold.js';
import type { TextCompletion } from './wire.js';

/** OpenAI's CreateCompletionResponse, extracted from shared/specs/openai-openapi.yaml. */
const responseSchema = JSON.parse(
  readFileSync(path.join(import.meta.dirname, 'fixtures', 'create-completion-response.schema.json'), 'utf8'),
) as Record<string, unknown>;
const ajv = new Ajv({ strict: false });
const validateResponse = ajv.compile(responseSchema);
/**
 * The same schema for stream chunks, except that `finish_reason` may be null before the last chunk:
 * the spec types it as a string, but OpenAI's streams send null until the end and clients rely on it.
 */
const validateChunk = ajv.compile(
  JSON.parse(
    JSON.stringify(responseSchema)
      .replace('"finish_reason":{"type":"string"', '"finish_reason":{"type":["string","null"]')
      .replace('"enum":["stop","length","content_filter"]', '"enum":["stop","length","content_filter",null]'),
  ) as Record<string, unknown>,
);

const usage: RunUsage = {
  inputTokens: 10,
  outputTokens: 5,
  cacheReadInputTokens: 3,
  cacheCreationInputTokens: 2,
  reasoningTokens: 0,
};

const answer: RunEvent[] = [
  { type: 'message_start' },
  { type: 'reasoning_delta', text: 'not part of a completion' },
  { type: 'text_delta', text: 'Once upon' },
  { type: 'text_delta', text: ' a time' },
  { type: 'finish', reason: 'max_tokens', usage },
];

function encodeAll(events: RunEvent[], includeUsage: boolean): CompletionFrame[] {
  const state = createEncoderState({
    id: 'cmpl-test',
    created: 1_700_000_000,
    model: 'sonnet',
    includeUsage,
  });
  return [...events.flatMap((event) => encodeEvent(state, event)), ...encodeEnd(state)];
}

const chunksOf = (frames: CompletionFrame[]): TextCompletion[] =>
  frames.flatMap((frame) => (frame.kind === 'chunk' ? [frame.chunk] : []));

/** The real openai SDK reading the encoded stream, as a client of the gateway would. */
function sdkOver(frames: CompletionFrame[], done = true): OpenAI {
  const body =
    frames
      .map((frame) => `data: ${JSON.stringify(frame.kind === 'chunk' ? frame.chunk : frame.body)}\n\n`)
      .join('') + (done ? 'data: [DONE]\n\n' : '');
  return new OpenAI({
    apiKey: 'test',
    baseURL: 'http://gateway.invalid/v1',
    maxRetries: 0,
    fetch: async () => new Response(body, { status: 200, headers: { 'content-type': 'text/event-stream' } }),
  });
}

describe('legacy completion encoder', () => {
  it('streams text_completion chunks that match the OpenAI schema, usage last when asked', () => {
    const chunks = chunksOf(encodeAll(answer, true));
    expect(chunks.map((chunk) => chunk.choices[0]?.text ?? null)).toEqual(['Once upon', ' a time', '', null]);
    expect(chunks.at(-2)?.choices[0]?.finish_reason).toBe('length');
    expect(chunks.at(-1)).toMatchObject({
      choices: [],
      usage: {
        prompt_tokens: 15,
        completion_tokens: 5,
        total_tokens: 20,
        prompt_tokens_details: { cached_tokens: 3 },
      },
    });
    for (const chunk of chunks) expect(validateChunk(chunk), JSON.stringify(validateChunk.errors)).toBe(true);
    // The chunk that finishes is a complete response by the spec's own rules.
    expect(validateResponse(chunks.at(-2)), JSON.stringify(validateResponse.errors)).toBe(true);
    expect(validateResponse(chunks[0])).toBe(false);
    expect(chunksOf(encodeAll(answer, false)).every((chunk) => chunk.usage === undefined)).toBe(true);
  });

  it('folds to one completion that matches the OpenAI schema', () => {
    const completion = foldChunks(chunksOf(encodeAll(answer, true)));
    expect(completion).toEqual({
      id: 'cmpl-test',
      object: 'text_completion',
      created: 1_700_000_000,
      model: 'sonnet',
      choices: [{ index: 0, text: 'Once upon a time', logprobs: null, finish_reason: 'length' }],
      usage: {
        prompt_tokens: 15,
        completion_tokens: 5,
        total_tokens: 20,
        prompt_tokens_details: { cached_tokens: 3 },
        completion_tokens_details: { reasoning_tokens: 0 },
      },
    });
    expect(validateResponse(completion), JSON.stringify(validateResponse.errors)).toBe(true);
  });

  it('maps stop sequences and the end of a turn to stop', () => {
    const stopped = chunksOf(
      encodeAll(
        [
          { type: 'text_delta', text: 'a' },
          { type: 'finish', reason: 'stop_sequence', stopSequence: 'b', usage },
        ],
        false,
      ),
    );
    expect(foldChunks(stopped).choices[0]?.finish_reason).toBe('stop');
  });

  it('is read by the openai SDK, streamed and not', async () => {
    const frames = encodeAll(answer, true);
    const stream = await sdkOver(frames).completions.create({ model: 'sonnet', prompt: 'x', stream: true });
    let text = '';
    for await (const chunk of stream) text += chunk.choices[0]?.text ?? '';
    expect(text).toBe('Once upon a time');
  });

  it('ends with an in-band error after the first byte, which the SDK raises', async () => {
    const frames = encodeAll(
      [
        { type: 'text_delta', text: 'partial' },
        {
          type: 'error',
          error: new GatewayError({ kind: 'upstream', status: 502, message: 'Claude failed' }),
        },
      ],
      false,
    );
    expect(frames.at(-1)).toEqual({
      kind: 'error',
      body: { error: { message: 'Claude failed', type: 'api_error', param: null, code: null } },
    });
    const stream = await sdkOver(frames, false).completions.create({
      model: 'sonnet',
      prompt: 'x',
      stream: true,
    });
    await expect(async () => {
      for await (const _chunk of stream) {
        // drain
      }
    }).rejects.toThrow(/Claude failed/);
  });

  it('reports a run that ended without finishing as an error', () => {
    expect(encodeAll([{ type: 'text_delta', text: 'cut' }], false).at(-1)?.kind).toBe('error');
  });
});
