import type OpenAI from 'openai';
import { describe, expect, it } from 'vitest';
import { startHarness, useHarness } from '../helpers/gateway-harness.js';
import { lastUserText, text } from '../mock-anthropic/server.js';
import { conversationOf, sessionFiles } from './session-files.js';

type Message = OpenAI.Chat.Completions.ChatCompletionMessageParam;

const h = useHarness();

/** One turn through the openai client; returns the history including the reply, as a client keeps it. */
async function turn(history: Message[], userText: string, headers?: Record<string, string>) {
  const messages: Message[] = [...history, { role: 'user', content: userText }];
  const completion = await h.openai.chat.completions.create(
    { model: 'sonnet', messages },
    headers ? { headers } : undefined,
  );
  const reply = completion.choices[0]?.message;
  if (!reply) throw new Error('no choice');
  // What openai-node users do: push the returned message object back as it is.
  return [...messages, reply as Message];
}

describe('conversations the gateway already served', () => {
  it('continues a three-turn conversation: the model sees real turns, Claude Code gets only the new one', async () => {
    const system: Message = { role: 'system', content: 'You are terse.' };
    let history = await turn([system], 'My name is Ada.');
    history = await turn(history, 'I live in Lyon.');
    history = await turn(history, 'Where do I live?');

    expect(h.mock.requests).toHaveLength(3);
    expect(conversationOf(h.mock.requests[2])).toEqual([
      'user: My name is Ada.',
      'assistant: echo: My name is Ada.',
      'user: I live in Lyon.',
      'assistant: echo: I live in Lyon.',
      'user: Where do I live?',
    ]);
    expect(history.at(-1)).toMatchObject({ role: 'assistant', content: 'echo: Where do I live?' });

    // One session, written only by Claude Code (never rebuilt), that got each user turn exactly once:
    // turns 2 and 3 resumed it with the new message alone.
    const files = await sessionFiles(h);
    expect(files).toHaveLength(1);
    expect(files[0]?.rebuiltEntries).toBe(0);
    expect(files[0]?.turns).toEqual([
      'user: My name is Ada.',
      'assistant: echo: My name is Ada.',
      'user: I live in Lyon.',
      'assistant: echo: I live in Lyon.',
      'user: Where do I live?',
      'assistant: echo: Where do I live?',
    ]);
  });

  it('rebuilds an edited history instead of continuing the stale session', async () => {
    const before = (await sessionFiles(h)).length;
    const history = await turn([], 'Call me Bo.');
    await turn(history, 'What is my name?');

    // The client edits the first user message and the assistant reply, then asks again.
    const edited: Message[] = [
      { role: 'user', content: 'Call me Cy.' },
      { role: 'assistant', content: 'Hello Cy.' },
      { role: 'user', content: 'What is my name?' },
    ];
    h.mock.enqueue(text('Cy.'));
    const completion = await h.openai.chat.completions.create({ model: 'sonnet', messages: edited });
    expect(completion.choices[0]?.message.content).toBe('Cy.');

    const request = h.mock.requests.at(-1);
    expect(conversationOf(request)).toEqual([
      'user: Call me Cy.',
      'assistant: Hello Cy.',
      'user: What is my name?',
    ]);
    expect(JSON.stringify(request?.body.messages)).not.toContain('Bo');

    const files = await sessionFiles(h);
    expect(files).toHaveLength(before + 2);
    const rebuilt = files.filter((file) => file.rebuiltEntries > 0);
    expect(rebuilt.map((file) => file.turns)).toEqual([
      ['user: Call me Cy.', 'assistant: Hello Cy.', 'user: What is my name?', 'assistant: Cy.'],
    ]);
  });

  it('rebuilds after an answer the gateway cut short (a stop sequence): the model sees what the client got', async () => {
    h.mock.enqueue(text('Alpha STOP Beta'));
    const first: Message[] = [{ role: 'user', content: 'Say it.' }];
    const cut = await h.openai.chat.completions.create({ model: 'sonnet', messages: first, stop: ['STOP'] });
    const reply = cut.choices[0]?.message;
    expect(reply?.content?.trim()).toBe('Alpha');

    await turn([...first, reply as Message], 'Again.');
    const turns = conversationOf(h.mock.requests.at(-1));
    expect(turns.map((line) => line.trim())).toEqual(['user: Say it.', 'assistant: Alpha', 'user: Again.']);
  });

  it('keeps two concurrent requests on one conversation apart, and both branches continue correctly', async () => {
    const history = await turn([], 'Pick a colour.');
    // Slow replies so the two requests overlap: the second finds the session busy.
    h.mock.setHandler((req) => text(`echo: ${lastUserText(req)}`, { firstByteDelayMs: 400 }));
    const [red, blue] = await Promise.all([turn(history, 'Red.'), turn(history, 'Blue.')]);
    h.mock.setHandler((req) => text(`echo: ${lastUserText(req)}`));

    for (const [branch, colour] of [
      [red, 'Red.'],
      [blue, 'Blue.'],
    ] as const) {
      const next = await turn(branch, 'Which colour?');
      expect(next.at(-1)).toMatchObject({ content: 'echo: Which colour?' });
      expect(conversationOf(h.mock.requests.at(-1))).toEqual([
        'user: Pick a colour.',
        'assistant: echo: Pick a colour.',
        `user: ${colour}`,
        `assistant: echo: ${colour}`,
        'user: Which colour?',
      ]);
    }
  });
});

describe('explicit conversation ids (x-conversation-id)', () => {
  it('continues within one id, isolates other ids, and replaces the session when the history is rebuilt', async () => {
    const id = { 'x-conversation-id': 'chat-42' };
    const history = await turn([], 'Remember 7.', id);
    const filesAfterFirst = await sessionFiles(h);
    await turn(history, 'And 8.', id);
    // The same history under another id is another conversation: rebuilt, not continued.
    await turn(history, 'And 9.', { 'x-conversation-id': 'chat-43' });

    const files = await sessionFiles(h);
    const chat42 = files.find((file) => file.turns.includes('user: And 8.'));
    const chat43 = files.find((file) => file.turns.includes('user: And 9.'));
    expect(chat42?.rebuiltEntries).toBe(0);
    expect(chat42?.turns).toEqual([
      'user: Remember 7.',
      'assistant: echo: Remember 7.',
      'user: And 8.',
      'assistant: echo: And 8.',
    ]);
    expect(chat43?.rebuiltEntries).toBeGreaterThan(0);
    expect(files).toHaveLength(filesAfterFirst.length + 1);

    // An edited history under chat-42 replaces its session (the old one is deleted).
    await turn(
      [
        { role: 'user', content: 'Remember 5.' },
        { role: 'assistant', content: 'OK.' },
      ],
      'Which?',
      id,
    );
    // Files of a replaced session are deleted in the background.
    let after = await sessionFiles(h);
    for (let attempt = 0; attempt < 40 && after.some((file) => file.id === chat42?.id); attempt++) {
      await new Promise((resolve) => setTimeout(resolve, 25));
      after = await sessionFiles(h);
    }
    expect(after.some((file) => file.id === chat42?.id)).toBe(false);
    expect(after.find((file) => file.turns.includes('user: Which?'))?.turns).toEqual([
      'user: Remember 5.',
      'assistant: OK.',
      'user: Which?',
      'assistant: echo: Which?',
    ]);
  });
});

describe('session limits', () => {
  it('evicts the oldest conversation over SESSION_MAX_COUNT and rebuilds it when it comes back', async () => {
    const limited = await startHarness({ config: { SESSION_MAX_COUNT: '1' } });
    try {
      const ask = async (messages: Message[]) => {
        const completion = await limited.openai.chat.completions.create({ model: 'sonnet', messages });
        return [...messages, completion.choices[0]?.message as Message];
      };
      const first = await ask([{ role: 'user', content: 'First.' }]);
      const firstFiles = await sessionFiles(limited);
      await ask([{ role: 'user', content: 'Second.' }]);
      const secondFiles = await sessionFiles(limited);
      expect(secondFiles).toHaveLength(1);
      expect(secondFiles[0]?.id).not.toBe(firstFiles[0]?.id);

      await ask([...first, { role: 'user', content: 'First again.' }]);
      expect(conversationOf(limited.mock.requests.at(-1))).toEqual([
        'user: First.',
        'assistant: echo: First.',
        'user: First again.',
      ]);
      const files = await sessionFiles(limited);
      expect(files).toHaveLength(1);
      expect(files[0]?.rebuiltEntries).toBeGreaterThan(0);
    } finally {
      await limited.close();
    }
  });
});
