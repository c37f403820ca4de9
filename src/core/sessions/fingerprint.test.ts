import { describe, expect, it } from 'vitest';
import type { ClaudeTurn } from '../../contract/run-plan.js';
import { extendFingerprint, fingerprintTurns, scopeSeed } from './fingerprint.js';

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
