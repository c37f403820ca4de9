import { describe, expect, it } from 'vitest';
import type { ClaudeTurn } from '../../contract/run-plan.js';
import { canonicalJson } from '../../util/canonical-json.js';
import { extendFingerprint, fingerprintTurns, scopeSeed, turnJson } from './fingerprint.js';

const turns: ClaudeTurn[] = [
  { role: 'user', content: [{ type: 'text', text: '  What is 2+2?\n' }] },
  { role: 'assistant', content: [{ type: 'text', text: '4' }] },
];

describe('conversation fingerprints', () => {
  it('stay what earlier releases stored: a stored head must still match after an upgrade', () => {
    // Recorded before the one-shot hashing; a change here strands every stored conversation.
    const seed = scopeSeed(['key-1', 'sonnet', undefined]);
    expect(seed).toBe('KZHVHiKSeBz-PXKTVAmH54tmuRVc7D0N9pXY4nhbE-I');
    expect(fingerprintTurns(seed, turns)).toBe('gZ6uxfBxPpj6j_9Nr9_G_z7vkkO34sG0VgtgERTMA6Y');
  });

  it('are a chain: the head after a reply follows from the head before it', () => {
    const seed = scopeSeed(['key-1']);
    const [first, second] = turns as [ClaudeTurn, ClaudeTurn];
    expect(fingerprintTurns(seed, turns)).toBe(extendFingerprint(extendFingerprint(seed, first), second));
  });

  it('ignore whitespace at the edges of text and the order of keys', () => {
    const seed = scopeSeed(['key-1']);
    const trimmed: ClaudeTurn = { role: 'user', content: [{ type: 'text', text: 'What is 2+2?' }] };
    expect(extendFingerprint(seed, trimmed)).toBe(extendFingerprint(seed, turns[0] as ClaudeTurn));
    const reordered = JSON.parse('{"content":[{"text":"What is 2+2?","type":"text"}],"role":"user"}');
    expect(extendFingerprint(seed, reordered)).toBe(extendFingerprint(seed, trimmed));
  });

  it("differ by scope, so one caller never reaches another caller's conversation", () => {
    expect(fingerprintTurns(scopeSeed(['key-1']), turns)).not.toBe(
      fingerprintTurns(scopeSeed(['key-2']), turns),
    );
  });
});

describe('turnJson', () => {
  // What a turn's JSON was before plain text blocks were written directly: the general path alone.
  const generalJson = (turn: ClaudeTurn) =>
    canonicalJson({
      role: turn.role,
      content: turn.content.map((block) =>
        block.type === 'text' ? { ...block, text: block.text.trim() } : block,
      ),
    });

  it('writes exactly what the general canonical serialisation writes, for every kind of turn', () => {
    const image = { type: 'base64' as const, media_type: 'image/png', data: 'iVBORw0KGgo=' };
    const cases: ClaudeTurn[] = [
      { role: 'user', content: [{ type: 'text', text: '  spaced \n' }] },
      {
        role: 'user',
        content: [{ type: 'text', text: 'quotes " and \\ and \u2028 and \u0000 and émoji 🙂' }],
      },
      { role: 'assistant', content: [] },
      {
        role: 'assistant',
        content: [
          { type: 'text', text: '' },
          { type: 'text', text: 'two' },
        ],
      },
      JSON.parse('{"content":[{"text":" reordered ","type":"text"}],"role":"user","extra":1}'),
      JSON.parse(
        '{"role":"user","content":[{"type":"text","text":" cached ","cache_control":{"type":"ephemeral"}}]}',
      ),
      {
        role: 'assistant',
        content: [
          { type: 'text', text: 'calling' },
          { type: 'tool_use', id: 'call_1', name: 'get_weather', input: { unit: 'c', city: 'Paris' } },
        ],
      },
      {
        role: 'user',
        content: [
          { type: 'tool_result', tool_use_id: 'call_1', content: [{ type: 'text', text: ' 21 ' }] },
          { type: 'image', source: image },
        ],
      },
    ];
    for (const turn of cases) expect(turnJson(turn)).toBe(generalJson(turn));
  });
});
