import { hash } from 'node:crypto';
import type { ClaudeTurn } from '../../contract/run-plan.js';
import { canonicalJson } from '../../util/canonical-json.js';

/**
 * A conversation's fingerprint is a hash chain over its turns, seeded with the caller's scope:
 * `extend(extend(seed, turn1), turn2)`. Two requests share a fingerprint only when the same caller
 * sent the same turns, so a lookup can never reach another caller's conversation, and the head after
 * a reply can be computed from the head before it without re-reading the whole history.
 */
export function fingerprintTurns(seed: string, turns: readonly ClaudeTurn[]): string {
  return turns.reduce(extendFingerprint, seed);
}

export function extendFingerprint(fingerprint: string, turn: ClaudeTurn): string {
  // One-shot hashing: a request's whole history is fingerprinted before its turn can start.
  return hash('sha256', `${fingerprint}\n${turnJson(turn)}`, 'base64url');
}

/** The scope seed: a hash of everything that must match for two requests to share a session. */
export function scopeSeed(parts: ReadonlyArray<string | undefined>): string {
  return hash('sha256', plainJson(parts.map((part) => part ?? null)), 'base64url');
}

/**
 * A turn's canonical JSON (keys sorted) with the text of its text blocks trimmed: clients often trim
 * the text they echo back, and whitespace at the edges must not break a match. Every turn of a
 * conversation is serialised on each request, so the common block (plain text) is written
 * directly, the same bytes the general path would write; anything else takes the general path.
 */
export function turnJson(turn: ClaudeTurn): string {
  let json = '{"content":[';
  turn.content.forEach((block, index) => {
    if (index > 0) json += ',';
    json += block.type === 'text' ? textBlockJson(block) : plainJson(block);
  });
  return `${json}],"role":${JSON.stringify(turn.role)}}`;
}

function textBlockJson(block: { type: 'text'; text: string }): string {
  const text = block.text.trim();
  return hasOnlyTypeAndText(block)
    ? `{"text":${JSON.stringify(text)},"type":"text"}`
    : plainJson({ ...block, text });
}

function hasOnlyTypeAndText(block: object): boolean {
  let keys = 0;
  for (const key in block) {
    if (!Object.hasOwn(block, key)) continue;
    if (key !== 'type' && key !== 'text') return false;
    keys++;
  }
  return keys === 2;
}

/** Keys sorted, so re-serialised tool arguments hash the same. */
function plainJson(value: unknown): string {
  const json = canonicalJson(value);
  // Turns and scope parts come from a parsed JSON body: anything else is a programming error.
  if (json === undefined) throw new Error('fingerprints are taken of plain JSON data only');
  return json;
}
