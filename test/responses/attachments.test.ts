/**
 * Images and files of a Responses request reaching Claude: data URLs, remote images fetched by the
 * core (REMOTE_IMAGES), and errors naming the Responses field.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { json, postChat } from '../core/wire.js';
import { type Harness, startHarness } from '../helpers/gateway-harness.js';
import { dataUrl, IMAGES, type ImageServer, PDF_BASE64, startImageServer } from '../images/fixtures.js';
import type { ContentBlock, RecordedRequest } from '../mock-anthropic/server.js';
import { text } from '../mock-anthropic/server.js';

let h: Harness;
let server: ImageServer;
beforeAll(async () => {
  server = await startImageServer(1_000_000);
  h = await startHarness({
    config: {
      REMOTE_IMAGES: 'true',
      REMOTE_IMAGE_TIMEOUT_MS: '500',
      REMOTE_IMAGE_ALLOWED_HOSTS: '127.0.0.1',
    },
  });
});
afterAll(async () => {
  await h?.close();
  await server?.close();
});

const postResponses = (body: unknown) => postChat(h.origin, body, {}, '/v1/responses');

/** The image and document blocks of the last user message the model got. */
function attachments(request: RecordedRequest | undefined): ContentBlock[] {
  const last = request?.body.messages.findLast((message) => message.role === 'user');
  if (!last || typeof last.content === 'string') return [];
  return last.content.filter((block) => block.type === 'image' || block.type === 'document');
}

describe('Responses attachments', () => {
  it('sends a fetched remote image and a PDF file as base64 blocks', async () => {
    h.mock.reset();
    h.mock.enqueue(text('A pixel and a PDF.'));
    const response = await postResponses({
      model: 'sonnet',
      input: [
        {
          role: 'user',
          content: [
            { type: 'input_text', text: 'What are these?' },
            { type: 'input_image', image_url: `${server.origin}/pixel.png` },
            { type: 'input_file', filename: 'hello.pdf', file_data: dataUrl('application/pdf', PDF_BASE64) },
          ],
        },
      ],
    });
    expect(response.status).toBe(200);
    expect(attachments(h.mock.requests[0])).toEqual([
      { type: 'image', source: { type: 'base64', media_type: 'image/png', data: IMAGES['image/png'] } },
      expect.objectContaining({
        type: 'document',
        source: { type: 'base64', media_type: 'application/pdf', data: PDF_BASE64 },
      }),
    ]);
  });

  it('refuses a remote image that cannot be fetched with a 400 naming its input field', async () => {
    h.mock.reset();
    const response = await postResponses({
      model: 'sonnet',
      input: [
        {
          role: 'user',
          content: [
            { type: 'input_text', text: 'look' },
            { type: 'input_image', image_url: `${server.origin}/missing.png` },
          ],
        },
      ],
    });
    expect(response.status).toBe(400);
    expect((await json(response)).error).toMatchObject({
      type: 'invalid_request_error',
      param: 'input[0].content[1].image_url',
      code: 'image_fetch_failed',
    });
    expect(h.mock.requests).toHaveLength(0);
  });
});
