import { describe, expect, it } from 'vitest';
import { withoutEnvironmentBlock } from './environment-block.js';
import recorded from './fixtures/claude-code-requests.json' with { type: 'json' };

// Recorded from Claude Code 2.1.330 at the mock Messages API (the data directory renamed), one body
// per shape: a chat turn, a client tool result turn, an agent's tool loop, a Messages request.
const HOST_DETAILS = ['/var/lib/claude-gateway', 'Linux 6.18', '# Environment', 'Primary working directory'];

type Body = { messages: Array<{ role: string; content: unknown }>; [key: string]: unknown };

function scrub(body: unknown): Body {
  return withoutEnvironmentBlock(structuredClone(body)) as Body;
}

function hostDetailsIn(body: unknown): string[] {
  const text = JSON.stringify(body);
  return HOST_DETAILS.filter((detail) => text.includes(detail));
}

const EPHEMERAL = { type: 'ephemeral' };

/** Messages with every `cache_control` dropped. */
function withoutBreakpoints(messages: Body['messages']): unknown {
  return JSON.parse(JSON.stringify(messages, (key, value) => (key === 'cache_control' ? undefined : value)));
}

describe('withoutEnvironmentBlock on recorded Claude Code requests', () => {
  it.each(Object.entries(recorded))(
    '%s: no host detail is left, and every other field is as sent',
    (_, body) => {
      expect(hostDetailsIn(body).length).toBeGreaterThan(0);
      const scrubbed = scrub(body);
      expect(hostDetailsIn(scrubbed)).toEqual([]);
      const { messages: _sent, ...otherSent } = body as Body;
      const { messages: _left, ...otherLeft } = scrubbed;
      expect(otherLeft).toEqual(otherSent);
      expect(Object.keys(scrubbed)).toEqual(Object.keys(body));
      // Apart from where the breakpoint sits, the messages are the sent ones without the block: its
      // message is gone, or left empty where it also carries the turn's output_config.
      const sentWithout = (body as Body).messages.flatMap((message) => {
        if (hostDetailsIn(message).length === 0) return [message];
        const { content: _, ...rest } = message;
        return Object.keys(rest).length > 1 ? [{ ...rest, content: [] }] : [];
      });
      expect(withoutBreakpoints(scrubbed.messages)).toEqual(withoutBreakpoints(sentWithout));
    },
  );

  it('a chat turn: the user turn is left, carrying the breakpoint the removed block had', () => {
    expect(scrub(recorded['chat-turn']).messages).toEqual([
      { role: 'user', content: [{ type: 'text', text: 'Hello?', cache_control: EPHEMERAL }] },
      { role: 'system', content: [], output_config: { effort: 'medium' } },
    ]);
  });

  it('a client tool result turn: the turns (and the per-turn control message) are kept in order, the breakpoint moves to the last user block', () => {
    const { messages } = scrub(recorded['client-tool-result']);
    expect(messages.map((message) => message.role)).toEqual(['user', 'system', 'assistant', 'user']);
    expect(messages[1]).toEqual({ role: 'system', content: [], output_config: { effort: 'medium' } });
    expect(messages[3]?.content).toEqual([
      { type: 'tool_result', tool_use_id: 'toolu_mock_1', content: [{ type: 'text', text: 'sunny' }] },
      { type: 'text', text: 'Continue from where you left off.', cache_control: EPHEMERAL },
    ]);
  });

  it('a tool loop: the block in the middle of the history (a string) goes, its output_config and the turns around it stay', () => {
    const sent = recorded['agent-tool-loop'];
    const { messages } = scrub(sent);
    expect(messages.map((message) => message.role)).toEqual(['user', 'system', 'assistant', 'user']);
    expect(messages[1]).toEqual({ role: 'system', content: [], output_config: { effort: 'medium' } });
    expect([messages[0], ...messages.slice(2)]).toEqual(
      sent.messages.filter((message) => message.role !== 'system'),
    );
  });
});

describe('withoutEnvironmentBlock', () => {
  const environment = {
    type: 'text',
    text: '# Environment\n - OS Version: Linux 6.18',
    cache_control: EPHEMERAL,
  };

  it('returns the very body it was given when there is no block (the relay forwards the bytes as sent)', () => {
    const body = { model: 'm', messages: [{ role: 'user', content: 'hi' }] };
    expect(withoutEnvironmentBlock(body)).toBe(body);
    expect(withoutEnvironmentBlock('text')).toBe('text');
    expect(withoutEnvironmentBlock({ model: 'm' })).toEqual({ model: 'm' });
  });

  it("leaves a client's own text alone, even when it reads like the block", () => {
    const body = {
      system: '# Environment\nmine',
      messages: [
        { role: 'user', content: [{ type: 'text', text: '# Environment\nalso mine' }] },
        { role: 'system', content: [{ type: 'text', text: 'Some other reminder' }] },
      ],
    };
    expect(withoutEnvironmentBlock(body)).toBe(body);
  });

  it('removes only the block from a system message that holds more, which keeps the breakpoint', () => {
    const other = { type: 'text', text: 'Another reminder' };
    const body = {
      messages: [
        { role: 'user', content: 'hi' },
        { role: 'system', content: [other, environment] },
      ],
    };
    expect(scrub(body).messages).toEqual([
      { role: 'user', content: 'hi' },
      { role: 'system', content: [{ ...other, cache_control: EPHEMERAL }] },
    ]);
  });

  it('turns a string turn into one text block to carry the breakpoint', () => {
    const body = {
      messages: [
        { role: 'user', content: 'hi' },
        { role: 'system', content: [environment] },
      ],
    };
    expect(scrub(body).messages).toEqual([
      { role: 'user', content: [{ type: 'text', text: 'hi', cache_control: EPHEMERAL }] },
    ]);
  });

  it('adds no second breakpoint, and none to a thinking block', () => {
    const marked = { type: 'text', text: 'hi', cache_control: { type: 'ephemeral', ttl: '1h' } };
    const thinking = { type: 'thinking', thinking: '...', signature: 's' };
    for (const last of [marked, thinking]) {
      const body = {
        messages: [
          { role: 'assistant', content: [last] },
          { role: 'system', content: [environment] },
        ],
      };
      expect(scrub(body).messages).toEqual([{ role: 'assistant', content: [last] }]);
    }
  });

  it('carries no breakpoint when the removed block had none, and copes with a block first in the list', () => {
    const { cache_control: _, ...plain } = environment;
    expect(
      scrub({
        messages: [
          { role: 'system', content: [plain] },
          { role: 'user', content: 'hi' },
        ],
      }).messages,
    ).toEqual([{ role: 'user', content: 'hi' }]);
    expect(scrub({ messages: [{ role: 'system', content: [environment] }] }).messages).toEqual([]);
  });
});

describe('withoutEnvironmentBlock keeping a working directory the client chose', () => {
  const options = {
    keepsWorkingDirectory: (directory: string) => !directory.startsWith('/var/lib/claude-gateway'),
  };

  it("cuts an agent run's block down to its working directory, in place", () => {
    const sent = recorded['agent-tool-loop'];
    const scrubbed = withoutEnvironmentBlock(structuredClone(sent), options) as Body;
    expect(scrubbed.messages[1]).toEqual({
      role: 'system',
      content: 'Working directory: /home/dev/project',
      output_config: { effort: 'medium' },
    });
    expect(JSON.stringify(scrubbed)).not.toContain('Linux 6.18');
  });

  it("removes the block naming the gateway's own workspace all the same", () => {
    for (const sent of [recorded['chat-turn'], recorded['messages-request']]) {
      expect(withoutEnvironmentBlock(structuredClone(sent), options)).toEqual(scrub(sent));
    }
  });

  it('keeps the breakpoint on the line that stays', () => {
    const block = {
      type: 'text',
      text: '# Environment\n - Primary working directory: /home/dev/x\n - Shell: bash',
      cache_control: EPHEMERAL,
    };
    const body = {
      messages: [
        { role: 'user', content: 'hi' },
        { role: 'system', content: [block] },
      ],
    };
    expect((withoutEnvironmentBlock(body, options) as Body).messages).toEqual([
      { role: 'user', content: 'hi' },
      {
        role: 'system',
        content: [{ type: 'text', text: 'Working directory: /home/dev/x', cache_control: EPHEMERAL }],
      },
    ]);
  });
});
