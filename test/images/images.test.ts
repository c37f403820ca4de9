import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, startHarness, useHarness } from '../helpers/gateway-harness.js';
import { type ContentBlock, type RecordedRequest, text } from '../mock-anthropic/server.js';
import { dataUrl, IMAGES, type ImageServer, PDF_BASE64, startImageServer } from './fixtures.js';

type Message = OpenAI.Chat.Completions.ChatCompletionMessageParam;

const MAX_IMAGE_BYTES = 4096;

const h = useHarness({ config: { MAX_IMAGE_BYTES: String(MAX_IMAGE_BYTES) } });

const imagePart = (url: string) => ({ type: 'image_url' as const, image_url: { url } });

/** The user/assistant messages the model got, each reduced to its text and image/document blocks. */
function blocksOf(request: RecordedRequest | undefined): Array<{ role: string; blocks: ContentBlock[] }> {
  if (!request) throw new Error('the mock got no request');
  return request.body.messages
    .filter((message) => message.role === 'user' || message.role === 'assistant')
    .map((message) => ({
      role: message.role,
      blocks: (typeof message.content === 'string'
        ? [{ type: 'text', text: message.content }]
        : message.content
      )
        .filter((block) => block.type !== 'text' || !String(block.text).startsWith('<system-reminder>'))
        .map(({ cache_control: _ignored, ...block }) =>
          // Claude Code may end a text block with a newline of its own.
          block.type === 'text' ? { ...block, text: String(block.text).trimEnd() } : block,
        ),
    }))
    .filter((message) => message.blocks.length > 0);
}

async function apiError(request: Promise<unknown>): Promise<InstanceType<typeof OpenAI.APIError>> {
  try {
    await request;
  } catch (error) {
    if (error instanceof OpenAI.APIError) return error;
    throw error;
  }
  throw new Error('expected an API error');
}

/**
 * Claude Code keeps a copy of each image of a new turn with a persisted session and tells the model
 * where (one `[Image: source: <path>]` line per image, after the turn's text). The copy must live in
 * the gateway's data dir, where evicting the session deletes it.
 */
const storedCopyNote = (harness: Harness, file: string) => ({
  type: 'text',
  text: expect.stringMatching(
    new RegExp(
      `^\\[Image: source: ${escapeRegExp(harness.dataDir)}/claude-tmp/.+/images/${escapeRegExp(file)}\\]$`,
    ),
  ),
});

const escapeRegExp = (value: string) => value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

const image = (mediaType: string, data: string) => ({
  type: 'image',
  source: { type: 'base64', media_type: mediaType, data },
});

describe('data: URL images', () => {
  it('reach the model as base64 image blocks in the user turn they were sent in (png, jpeg, gif, webp)', async () => {
    const messages: Message[] = [
      {
        role: 'user',
        content: [
          { type: 'text', text: 'Two pictures.' },
          imagePart(dataUrl('image/png', IMAGES['image/png'])),
          imagePart(dataUrl('image/jpeg', IMAGES['image/jpeg'])),
        ],
      },
      { role: 'assistant', content: 'Seen.' },
      {
        role: 'user',
        content: [
          imagePart(dataUrl('image/gif', IMAGES['image/gif'])),
          imagePart(dataUrl('image/webp', IMAGES['image/webp'])),
          { type: 'text', text: 'Two more.' },
        ],
      },
    ];
    h.mock.enqueue(text('Seen them.'));
    const completion = await h.openai.chat.completions.create({ model: 'sonnet', messages });
    expect(completion.choices[0]?.message.content).toBe('Seen them.');

    expect(blocksOf(h.mock.requests[0])).toEqual([
      {
        role: 'user',
        blocks: [
          { type: 'text', text: 'Two pictures.' },
          image('image/png', IMAGES['image/png']),
          image('image/jpeg', IMAGES['image/jpeg']),
        ],
      },
      { role: 'assistant', blocks: [{ type: 'text', text: 'Seen.' }] },
      {
        role: 'user',
        blocks: [
          image('image/gif', IMAGES['image/gif']),
          image('image/webp', IMAGES['image/webp']),
          { type: 'text', text: 'Two more.' },
          storedCopyNote(h, '1.gif'),
          storedCopyNote(h, '2.webp'),
        ],
      },
    ]);
  });

  it('sends the media type the bytes really are when the client mislabels an image', async () => {
    await h.openai.chat.completions.create({
      model: 'sonnet',
      messages: [{ role: 'user', content: [imagePart(dataUrl('image/jpg', IMAGES['image/png']))] }],
    });
    expect(blocksOf(h.mock.requests[0])[0]?.blocks).toEqual([
      image('image/png', IMAGES['image/png']),
      storedCopyNote(h, '1.png'),
    ]);
  });

  it('answers 413 for an image over MAX_IMAGE_BYTES, before Claude Code runs', async () => {
    const big = Buffer.concat([Buffer.from(IMAGES['image/png'], 'base64'), Buffer.alloc(MAX_IMAGE_BYTES)]);
    const error = await apiError(
      h.openai.chat.completions.create({
        model: 'sonnet',
        messages: [
          {
            role: 'user',
            content: [{ type: 'text', text: 'x' }, imagePart(dataUrl('image/png', big.toString('base64')))],
          },
        ],
      }),
    );
    expect(error.status).toBe(413);
    expect(error.error).toMatchObject({
      param: 'messages[0].content[1].image_url',
      code: 'content_too_large',
    });
    expect(h.mock.requests).toHaveLength(0);
  });

  it.each([
    ['a malformed data URL', 'data:image/png;base64,@@@', 'invalid_image_url'],
    [
      'a data URL that is not an image',
      dataUrl('text/plain', Buffer.from('hi').toString('base64')),
      'invalid_image_url',
    ],
    [
      'bytes that are no image',
      dataUrl('image/png', Buffer.from('not an image at all').toString('base64')),
      'invalid_image',
    ],
    ['a remote URL while remote images are off', 'https://example.com/cat.png', 'remote_images_disabled'],
  ])('answers 400 naming the param for %s', async (_, url, code) => {
    const error = await apiError(
      h.openai.chat.completions.create({
        model: 'sonnet',
        messages: [
          { role: 'user', content: 'first' },
          { role: 'assistant', content: 'ok' },
          { role: 'user', content: [{ type: 'text', text: 'look' }, imagePart(url)] },
        ],
      }),
    );
    expect(error.status).toBe(400);
    expect(error.error).toMatchObject({
      type: 'invalid_request_error',
      param: 'messages[2].content[1].image_url',
      code,
    });
    expect(h.mock.requests).toHaveLength(0);
  });
});

describe('file parts', () => {
  it('sends a PDF as a base64 document block, and a text file as a text document', async () => {
    await h.openai.chat.completions.create({
      model: 'sonnet',
      messages: [
        {
          role: 'user',
          content: [
            {
              type: 'file',
              file: { file_data: dataUrl('application/pdf', PDF_BASE64), filename: 'hello.pdf' },
            },
            {
              type: 'file',
              file: {
                file_data: dataUrl('text/plain', Buffer.from('plain notes').toString('base64')),
                filename: 'notes.txt',
              },
            },
            { type: 'text', text: 'Summarise.' },
          ],
        },
      ],
    });
    expect(blocksOf(h.mock.requests[0])).toEqual([
      {
        role: 'user',
        blocks: [
          {
            type: 'document',
            source: { type: 'base64', media_type: 'application/pdf', data: PDF_BASE64 },
            title: 'hello.pdf',
          },
          {
            type: 'document',
            source: { type: 'text', media_type: 'text/plain', data: 'plain notes' },
            title: 'notes.txt',
          },
          { type: 'text', text: 'Summarise.' },
        ],
      },
    ]);
  });
});

describe('remote images (REMOTE_IMAGES=true)', () => {
  let remote: Harness;
  let server: ImageServer;
  beforeAll(async () => {
    server = await startImageServer(MAX_IMAGE_BYTES);
    remote = await startHarness({
      mock: h.mock,
      config: {
        REMOTE_IMAGES: 'true',
        MAX_IMAGE_BYTES: String(MAX_IMAGE_BYTES),
        REMOTE_IMAGE_TIMEOUT_MS: '500',
        REMOTE_IMAGE_MAX_REDIRECTS: '2',
        // The test image server is on loopback, which only an operator allowlist opens.
        REMOTE_IMAGE_ALLOWED_HOSTS: '127.0.0.1',
      },
    });
  });
  afterAll(async () => {
    await remote?.close();
    await server?.close();
  });

  const ask = (messages: Message[]) => remote.openai.chat.completions.create({ model: 'sonnet', messages });

  it('fetches the image (following a redirect) and sends it as base64; a continued conversation does not refetch it', async () => {
    const first: Message[] = [
      {
        role: 'user',
        content: [{ type: 'text', text: 'What is this?' }, imagePart(`${server.origin}/redirect`)],
      },
    ];
    const reply = await ask(first);
    const firstTurn = [
      { type: 'text', text: 'What is this?' },
      image('image/png', IMAGES['image/png']),
      storedCopyNote(remote, '1.png'),
    ];
    expect(blocksOf(h.mock.requests[0])[0]?.blocks).toEqual(firstTurn);
    expect(server.hits.get('/pixel.png')).toBe(1);

    await ask([...first, reply.choices[0]?.message as Message, { role: 'user', content: 'And now?' }]);
    // The session already holds the image: the model still sees it, and it was not downloaded again.
    expect(blocksOf(h.mock.requests[1])[0]?.blocks).toEqual(firstTurn);
    expect(server.hits.get('/pixel.png')).toBe(1);
  });

  it('trusts the bytes over a wrong content type', async () => {
    await ask([{ role: 'user', content: [imagePart(`${server.origin}/pixel-labelled-jpeg`)] }]);
    expect(blocksOf(h.mock.requests[0])[0]?.blocks).toEqual([
      image('image/png', IMAGES['image/png']),
      storedCopyNote(remote, '1.png'),
    ]);
  });

  it.each([
    ['/big.png', 413, 'content_too_large'],
    ['/page.html', 400, 'invalid_image'],
    ['/missing.png', 400, 'image_fetch_failed'],
    ['/loop', 400, 'image_fetch_failed'],
    ['/hang.png', 400, 'image_fetch_failed'],
  ])('refuses %s with %i naming the param', async (path, status, code) => {
    const error = await apiError(
      ask([
        { role: 'user', content: [{ type: 'text', text: 'look' }, imagePart(`${server.origin}${path}`)] },
      ]),
    );
    expect(error.status).toBe(status);
    expect(error.error).toMatchObject({ param: 'messages[0].content[1].image_url', code });
    expect(h.mock.requests).toHaveLength(0);
  });
});
