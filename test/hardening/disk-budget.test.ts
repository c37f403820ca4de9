import { describe, expect, it } from 'vitest';
import { sessionFiles } from '../conversation/session-files.js';
import { eventually, useHarness } from '../helpers/gateway-harness.js';

// One conversation below (its ~24 KB prompt and reply in Claude Code's transcript) fits; two do not.
const h = useHarness({ config: { SESSION_DISK_BUDGET_BYTES: String(80 * 1024) } });

const padded = (label: string) => `${label} ${'x'.repeat(24 * 1024)}`;
const holds = async (label: string) =>
  (await sessionFiles(h)).some((file) => file.turns.some((turn) => turn.includes(label)));

describe('SESSION_DISK_BUDGET_BYTES', () => {
  it('evicts the least recently used conversation once the kept ones take more, deleting its files', async () => {
    const first = [{ role: 'user' as const, content: padded('first') }];
    const firstReply = await h.openai.chat.completions.create({ model: 'sonnet', messages: first });
    expect(await holds('first')).toBe(true);

    await h.openai.chat.completions.create({
      model: 'sonnet',
      messages: [{ role: 'user', content: padded('second') }],
    });
    await h.openai.chat.completions.create({
      model: 'sonnet',
      messages: [{ role: 'user', content: padded('third') }],
    });

    // Measuring and evicting follow each commit in the background.
    expect(await eventually(() => h.gateway.queue.running === 0, 5_000)).toBe(true);
    let firstGone = false;
    for (let attempt = 0; attempt < 100 && !firstGone; attempt++) {
      firstGone = !(await holds('first'));
      if (!firstGone) await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(firstGone).toBe(true);
    expect(await holds('third')).toBe(true);

    // Continuing the evicted conversation still works: its history is rebuilt from the request.
    const again = await h.openai.chat.completions.create({
      model: 'sonnet',
      messages: [
        ...first,
        { role: 'assistant', content: firstReply.choices[0]?.message.content ?? '' },
        { role: 'user', content: 'more' },
      ],
    });
    expect(again.choices[0]?.message.content).toBe('echo: more');
    const rebuilt = (await sessionFiles(h)).find((file) => file.turns.some((turn) => turn.includes('first')));
    expect(rebuilt?.rebuiltEntries).toBeGreaterThan(0);
  });
});
