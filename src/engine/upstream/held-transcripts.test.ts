import type { SessionKey, SessionStore, SessionStoreEntry } from '@anthropic-ai/claude-agent-sdk';
import { describe, expect, it } from 'vitest';
import { heldTranscripts } from './held-transcripts.js';
import { TurnHolds } from './turn-holds.js';

function recordingStore() {
  const appended: Array<{ sessionId: string; uuids: unknown[] }> = [];
  const store: SessionStore = {
    async append(key: SessionKey, entries: SessionStoreEntry[]) {
      appended.push({ sessionId: key.sessionId, uuids: entries.map((entry) => entry.uuid) });
    },
    load: async () => null,
  };
  return { store, appended };
}

const key = (sessionId: string): SessionKey => ({ projectKey: 'p', sessionId });
const entry = (uuid: string) => ({ type: 'user', uuid }) as unknown as SessionStoreEntry;

describe('heldTranscripts', () => {
  it('appends the entries of a session that is not held at once', async () => {
    const { store, appended } = recordingStore();
    await heldTranscripts(store, new TurnHolds()).append(key('s1'), [entry('a')]);
    expect(appended).toEqual([{ sessionId: 's1', uuids: ['a'] }]);
  });

  it('keeps a held session’s entries back and appends them in order once the hold opens', async () => {
    const { store, appended } = recordingStore();
    const holds = new TurnHolds();
    const mirror = heldTranscripts(store, holds);
    const hold = holds.hold('s1');
    const first = mirror.append(key('s1'), [entry('a')]);
    const second = mirror.append(key('s1'), [entry('b')]);
    await mirror.append(key('s2'), [entry('other')]);
    expect(appended).toEqual([{ sessionId: 's2', uuids: ['other'] }]);
    hold.open();
    await Promise.all([first, second]);
    expect(appended.slice(1)).toEqual([
      { sessionId: 's1', uuids: ['a'] },
      { sessionId: 's1', uuids: ['b'] },
    ]);
  });

  it('drops a held session’s entries when the hold is discarded', async () => {
    const { store, appended } = recordingStore();
    const holds = new TurnHolds();
    const mirror = heldTranscripts(store, holds);
    const hold = holds.hold('s1');
    const pending = mirror.append(key('s1'), [entry('a')]);
    hold.discard();
    await pending;
    expect(appended).toEqual([]);
  });
});
