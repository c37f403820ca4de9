import type OpenAI from 'openai';
import { describe, expect, it } from 'vitest';
import { startHarness, useHarness } from '../helpers/gateway-harness.js';
import type { RecordedRequest } from '../mock-anthropic/server.js';
import { conversationOf, sessionFiles } from './session-files.js';

type Message = OpenAI.Chat.Completions.ChatCompletionMessageParam;

/** A phrase of Claude Code's own system prompt (the `claude_code` preset). */
const CLAUDE_CODE_PROMPT = 'You are an agent working with the user toward their goals';

function systemOf(request: RecordedRequest | undefined): string {
  const system = request?.body.system;
  return typeof system === 'string' ? system : (system ?? []).map((block) => block.text).join('\n');
}

const conversation: Message[] = [
  { role: 'system', content: 'Talk like a pirate.' },
  { role: 'user', content: 'Hello.' },
  { role: 'assistant', content: 'Ahoy.' },
  { role: 'user', content: 'Where is the treasure?' },
];

describe.each(['replace', 'append', 'first-user-turn'] as const)(
  'SYSTEM_PROMPT_PLACEMENT=%s',
  (placement) => {
    const h = useHarness({ config: { SYSTEM_PROMPT_PLACEMENT: placement }, resetMockBeforeEach: false });

    it('puts the system text where configured', async () => {
      await h.openai.chat.completions.create({ model: 'sonnet', messages: conversation });
      const [request] = h.mock.requests;
      const system = systemOf(request);
      const turns = conversationOf(request);
      switch (placement) {
        case 'replace':
          expect(system).toContain('Talk like a pirate.');
          expect(system).not.toContain(CLAUDE_CODE_PROMPT);
          expect(turns[0]).toBe('user: Hello.');
          break;
        case 'append': {
          expect(system).toContain(CLAUDE_CODE_PROMPT);
          expect(system.indexOf('Talk like a pirate.')).toBeGreaterThan(system.indexOf(CLAUDE_CODE_PROMPT));
          expect(turns[0]).toBe('user: Hello.');
          break;
        }
        case 'first-user-turn':
          expect(system).toContain(CLAUDE_CODE_PROMPT);
          expect(system).not.toContain('pirate');
          expect(turns[0]).toBe('user: <instructions>\nTalk like a pirate.\n</instructions> | Hello.');
          break;
      }
      expect(turns.slice(1)).toEqual(['assistant: Ahoy.', 'user: Where is the treasure?']);
    });
  },
);

describe('a system message that changes mid-conversation', () => {
  it('reaches the model on a continued session (replace): Claude Code does not keep the first one', async () => {
    const h = await startHarness();
    try {
      const first: Message[] = [
        { role: 'system', content: 'Answer in English.' },
        { role: 'user', content: 'One.' },
      ];
      const reply = await h.openai.chat.completions.create({ model: 'sonnet', messages: first });
      await h.openai.chat.completions.create({
        model: 'sonnet',
        messages: [
          { role: 'system', content: 'Answer in French.' },
          first[1] as Message,
          reply.choices[0]?.message as Message,
          { role: 'user', content: 'Two.' },
        ],
      });
      const system = systemOf(h.mock.requests[1]);
      expect(system).toContain('Answer in French.');
      expect(system).not.toContain('Answer in English.');
      // It was a continuation, not a rebuild.
      const files = await sessionFiles(h);
      expect(files).toHaveLength(1);
      expect(files[0]?.rebuiltEntries).toBe(0);
    } finally {
      await h.close();
    }
  });
});
