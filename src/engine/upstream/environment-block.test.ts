import { describe, expect, it } from 'vitest';
import { withoutHostDetails } from './environment-block.js';
import recorded from './fixtures/claude-code-requests.json' with { type: 'json' };

// Recorded from Claude Code 2.1.330 at the mock Messages API (the data directory renamed), one body
// per shape: a chat turn, a client tool result turn, an agent's tool loop, a Messages request.
const HOST_DETAILS = [
  '/var/lib/claude-gateway',
  'Linux 6.18',
  'Primary working directory',
  'Is a git repository',
  'Platform: linux',
  'Shell: bash',
];

type Body = { messages: Array<{ role: string; content: unknown }>; [key: string]: unknown };

function scrub(body: unknown): Body {
  return withoutHostDetails(structuredClone(body)) as Body;
}

function hostDetailsIn(body: unknown): string[] {
  const text = JSON.stringify(body);
  return HOST_DETAILS.filter((detail) => text.includes(detail));
}

/** The block with the host lines taken out by hand, as the filter must leave it. */
function withoutHostLines(text: string): string {
  return text
    .split('\n')
    .filter(
      (line) => !/^ - (Primary working directory|Is a git repository|Platform|Shell|OS Version):/.test(line),
    )
    .join('\n');
}

describe('withoutHostDetails on recorded Claude Code requests', () => {
  it.each(Object.entries(recorded))(
    '%s: no host detail is left, and everything else is as sent',
    (_, body) => {
      expect(hostDetailsIn(body).length).toBeGreaterThan(0);
      const scrubbed = scrub(body);
      expect(hostDetailsIn(scrubbed)).toEqual([]);
      // The same JSON with only the host lines gone: every message, block and breakpoint in place.
      const expected = JSON.parse(
        JSON.stringify(body, (key, value) =>
          (key === 'text' || key === 'content') && typeof value === 'string'
            ? withoutHostLines(value)
            : value,
        ),
      );
      expect(scrubbed).toEqual(expected);
      expect(JSON.stringify(scrubbed)).toContain('# Environment');
      expect(JSON.stringify(scrubbed)).toContain("Today's date is");
    },
  );
});

describe('withoutHostDetails', () => {
  const block = (text: string) => ({ type: 'text', text, cache_control: { type: 'ephemeral' } });
  const environment = [
    '# Environment',
    'You have been invoked in the following environment: ',
    ' - Primary working directory: /var/lib/claude-gateway/workspace',
    ' - Is a git repository: false',
    ' - Platform: linux',
    ' - Shell: bash',
    ' - OS Version: Linux 6.18.44',
    ' - In `curl`, send untrusted values with `--form-string`, not `-F`.',
    '',
    'The following skills are available for use with the Skill tool:',
    '',
    '- claude-home:summarize: Summarizes long text.',
    '',
    "Today's date is 2026-12-07.",
  ].join('\n');

  it('takes out only the host lines: the guidance, the skills listing and the date stay', () => {
    const body = {
      messages: [
        { role: 'user', content: 'hi' },
        { role: 'system', content: [block(environment)] },
      ],
    };
    const scrubbed = scrub(body);
    expect(scrubbed.messages[0]).toEqual({ role: 'user', content: 'hi' });
    expect(scrubbed.messages[1]).toEqual({
      role: 'system',
      content: [
        block(
          [
            '# Environment',
            'You have been invoked in the following environment: ',
            ' - In `curl`, send untrusted values with `--form-string`, not `-F`.',
            '',
            'The following skills are available for use with the Skill tool:',
            '',
            '- claude-home:summarize: Summarizes long text.',
            '',
            "Today's date is 2026-12-07.",
          ].join('\n'),
        ),
      ],
    });
  });

  it('returns the very body it was given when there is nothing to take out (the relay forwards the bytes as sent)', () => {
    const body = { model: 'm', messages: [{ role: 'user', content: 'hi' }] };
    expect(withoutHostDetails(body)).toBe(body);
    expect(withoutHostDetails('text')).toBe('text');
    expect(withoutHostDetails({ model: 'm' })).toEqual({ model: 'm' });
  });

  it("leaves a client's own text alone, even when it reads like the block", () => {
    const body = {
      system: environment,
      messages: [
        { role: 'user', content: [{ type: 'text', text: environment }] },
        { role: 'system', content: [{ type: 'text', text: 'Some other reminder\n - Platform: linux' }] },
      ],
    };
    expect(withoutHostDetails(body)).toBe(body);
  });

  it('keeps the working directory of an agent run the client chose, and nothing else of the host', () => {
    const options = {
      keepsWorkingDirectory: (directory: string) => !directory.startsWith('/var/lib/claude-gateway'),
    };
    const chosen = environment.replace('/var/lib/claude-gateway/workspace', '/home/dev/project');
    const body = { messages: [{ role: 'system', content: chosen }] };
    const text = (withoutHostDetails(body, options) as Body).messages[0]?.content as string;
    expect(text).toContain(' - Primary working directory: /home/dev/project\n');
    expect(text).not.toContain('Linux 6.18');
    expect(text).not.toContain('Shell: bash');
    const own = (
      withoutHostDetails({ messages: [{ role: 'system', content: environment }] }, options) as Body
    ).messages[0]?.content as string;
    expect(own).not.toContain('Primary working directory');
  });
});
